"""Watching background jobs from a page: a polling fragment that stops polling when the job ends.

The worker runs in its own OS process and writes its run directory; a page only reads that
directory; the poll is where a dead worker's run gets recorded as failed (`rundir.reconcile`,
the one step that writes). While the run is queued or running, a fragment re-renders itself every `interval_s`
seconds (the rest of the page stays usable); once the run ends, one full rerun turns polling off
(`run_every=None`) so an idle page costs nothing.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from core.runs import rundir


def poll_interval(state: str | None, interval_s: float = 1.0) -> float | None:
    """Seconds between polls for a run in `state`: `interval_s` while queued/running, else None."""
    return interval_s if state in rundir.ACTIVE_STATES else None


def watch_run(run_dir: Path, render, key: str, interval_s: float = 1.0) -> None:
    """Draw a run with `render(run_dir, status)`, redrawing it while the run is active.

    Args:
        run_dir: the run directory to watch.
        render: callable drawing the run's view; called inside the polling fragment.
        key: a page-prefixed name for the session flag that remembers the run was active.
        interval_s: seconds between polls while active. Defaults to 1.
    """
    run_dir = Path(run_dir)
    flag = f"{key}_was_active"
    state = rundir.reconcile(run_dir).get("state")
    st.session_state[flag] = state in rundir.ACTIVE_STATES

    @st.fragment(run_every=poll_interval(state, interval_s))
    def _poller():
        status = rundir.reconcile(run_dir)
        render(run_dir, status)
        if st.session_state.get(flag) and status.get("state") not in rundir.ACTIVE_STATES:
            # The run just ended: one full rerun recomputes run_every (None) and refreshes the
            # rest of the page (runs table, model list in the sidebar).
            st.session_state[flag] = False
            st.rerun()

    _poller()
