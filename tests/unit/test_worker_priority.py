"""Background workers run at a lower CPU priority than the server, as `LAB_WORKER_NICE` says."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from core.errors import LabError
from core.runs.processes import spawn


def _priority_of_sleeping_child(monkeypatch, value: str | None, detach: bool) -> int:
    if value is None:
        monkeypatch.delenv("LAB_WORKER_NICE", raising=False)
    else:
        monkeypatch.setenv("LAB_WORKER_NICE", value)
    proc = spawn("timeit", "-n", "1", "-r", "1", "import time; time.sleep(30)", log=subprocess.DEVNULL,
                 detach=detach)
    try:
        return os.getpriority(os.PRIO_PROCESS, proc.pid)
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize("detach", [True, False])
def test_workers_are_ten_steps_nicer_than_the_server_by_default(monkeypatch, detach):
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    assert _priority_of_sleeping_child(monkeypatch, None, detach) == min(19, ours + 10)


def test_a_detached_worker_yields_the_cpu_even_where_linux_shares_it_between_sessions(monkeypatch):
    """With autogroups, a session's nice value decides its CPU share against the server's session."""
    monkeypatch.delenv("LAB_WORKER_NICE", raising=False)
    mine = Path("/proc/self/autogroup")
    # e.g. ['/autogroup-7876', 'nice', '0']; empty where the kernel has no autogroups or a cgroup (a
    # container's CPU controller) groups this process instead
    ours = mine.read_text().split() if mine.is_file() else []
    if not ours:  # no such groups: the process's own priority is all
        assert _priority_of_sleeping_child(monkeypatch, None, True) == min(19, os.getpriority(os.PRIO_PROCESS, 0) + 10)
        return
    proc = spawn("timeit", "-n", "1", "-r", "1", "import time; time.sleep(30)", log=subprocess.DEVNULL)
    try:
        group = Path(f"/proc/{proc.pid}/autogroup").read_text().split()
    finally:
        proc.kill()
        proc.wait()
    assert group[0] != ours[0]  # a session, so a scheduling group, of its own
    assert group[1:] == ["nice", str(min(19, int(ours[-1]) + 10))]


def test_the_setting_chooses_the_priority_and_zero_keeps_the_servers(monkeypatch):
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    assert _priority_of_sleeping_child(monkeypatch, "3", True) == min(19, ours + 3)
    assert _priority_of_sleeping_child(monkeypatch, "0", True) == ours


@pytest.mark.parametrize("bad", ["-5", "20", "ten", "1.5"])
def test_a_bad_setting_is_a_one_line_error_naming_it(monkeypatch, bad):
    monkeypatch.setenv("LAB_WORKER_NICE", bad)
    with pytest.raises(LabError, match="LAB_WORKER_NICE must be a whole number from 0"):
        spawn("timeit", "pass", log=subprocess.DEVNULL)
