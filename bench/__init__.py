"""Benchmarks: each module prints one JSON object (run with `python -m bench.<name>`)."""
