"""Sub-commands of `python -m core`: each module defines `register(subparsers)`.

Modules here are discovered automatically, so a feature adds its command without touching the CLI.
"""
