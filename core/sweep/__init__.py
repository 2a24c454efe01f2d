"""Architecture sweeps on Optuna: a search space as data, strategies, a trial runner, storage, reports.

Modules: `space` (what may vary), `strategies` (which values to try next), `plan` (what a worker
does next, from the study's history), `storage` (where the study lives), `runner` (drives trial
processes), `trial` (one trial through the lab's worker code), `recovery` (dead trials), `report`
(tables, effects, importance, hypotheses) and `figures` (plotly charts for the Experiments page).
None imports TensorFlow at import time.
"""
