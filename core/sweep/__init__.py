"""Architecture sweeps on Optuna: a search space as data, strategies, a trial runner, storage, reports.

Modules: `space` (what may vary), `strategies` (which values to try next), `storage` (where the
study lives), `runner` (trains trials through the lab's worker code), `report` (tables, effects,
importance, hypotheses) and `figures` (plotly charts for the Experiments page). None imports
TensorFlow at import time.
"""
