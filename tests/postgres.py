"""A throw-away PostgreSQL cluster for tests: initdb + pg_ctl in a temporary folder, on a free port.

PostgreSQL refuses to run as root, so under root the server runs as the `postgres` system user
(Debian's package creates it), else as `nobody`. `make test` installs Debian's `postgresql` when
initdb is missing; without it the fixture fails with a message saying so (it never skips).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest


def pg_binary(name: str) -> str:
    """Path of a PostgreSQL server program (`initdb`, `pg_ctl`), newest installed version first."""
    def version(path: str) -> float:
        try:
            return float(Path(path).parts[-3])
        except ValueError:
            return 0.0

    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version)
    path = found[-1] if found else shutil.which(name)
    if not path:
        pytest.fail(f"PostgreSQL's {name} was not found (looked in /usr/lib/postgresql/*/bin and PATH). "
                    "Install Debian's `postgresql` package (`make test` does) to run the PostgreSQL sweep tests.",
                    pytrace=False)
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """One PostgreSQL server in `folder`, listening on 127.0.0.1:`port` with trust authentication."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="lab-pg-"))
        self.data, self.log, self.port = self.folder / "data", self.folder / "server.log", _free_port()
        self.prefix = []
        if os.geteuid() == 0:
            user = "postgres" if _user_exists("postgres") else "nobody"
            entry = pwd.getpwnam(user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
            self.prefix = ["runuser", "-u", user, "--"]
        self.url = f"postgresql://lab@127.0.0.1:{self.port}/postgres"

    def _run(self, *cmd: str, timeout: float = 60) -> None:
        result = subprocess.run([*self.prefix, *cmd], capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-1500:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(cmd)} failed: {result.stderr.strip()[-1500:]}\n{log}")

    def init(self) -> "Cluster":
        self._run(pg_binary("initdb"), "-D", str(self.data), "-U", "lab", "--auth=trust", "-E", "UTF8",
                  "--no-sync")
        return self.start()

    def start(self) -> "Cluster":
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off")
        self._run(pg_binary("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run(pg_binary("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self, down_s: float = 3.0) -> None:
        """Stop the server (closing every client connection), wait `down_s` seconds, start it again."""
        self.stop()
        time.sleep(down_s)
        self.start()

    def remove(self) -> None:
        try:
            self.stop("immediate")
        except (RuntimeError, subprocess.TimeoutExpired):
            pass  # already stopped
        shutil.rmtree(self.folder, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


@pytest.fixture()
def postgres():
    """A running throw-away PostgreSQL cluster (see `Cluster`), removed after the test."""
    cluster = Cluster().init()
    try:
        yield cluster
    finally:
        cluster.remove()
