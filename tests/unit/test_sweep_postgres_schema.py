"""Several processes that open one fresh PostgreSQL database as a study storage at the same moment all succeed."""

import subprocess
import sys
import time
from pathlib import Path

from tests.postgres import postgres  # noqa: F401  (the fixture)

ROOT = Path(__file__).resolve().parents[2]
OPEN_AT = """
import sys, time
from core.sweep import storage
storage.import_optuna()  # the import is slow; the race is in what comes after it
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
storage.open_storage(sys.argv[1])
"""


def test_processes_that_create_the_schema_at_once_all_open_the_storage(postgres):  # noqa: F811
    start = time.time() + 6
    procs = [subprocess.Popen([sys.executable, "-c", OPEN_AT, postgres.url, str(start)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    errors = [p.communicate(timeout=120)[1].strip().splitlines()[-1:] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errors
