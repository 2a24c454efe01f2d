"""Training runs: the run directory contract, the worker process, training, runs table and plots."""
