"""Serving the portal with gunicorn over real HTTP on 127.0.0.1, the one launcher of the tests and
of the benchmarks in bench/: `Gunicorn` (a WSGI app of the repository served in a process group of
its own, on a free port, its output in a log file; waited for, measured and stopped),
`portal_environment` (an app's settings as the PORTAL_* variables a served portal reads),
`free_port`, `wait_until_serving` (a server process answers GET /login with 200) and
`wait_until_listening` (any server process accepts connections on its port). It imports
neither pytest nor anything of the tests, so that bench/*.py, run as scripts from the repository's
root, import it as `tests.support.servers`."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]  # the repository: gunicorn's --chdir
# What a portal served for a test takes from the test's app: its database, key, upload folder and
# upload limit.
APP_SETTINGS = ("DATABASE_URL", "SECRET_KEY", "UPLOAD_DIR", "MAX_UPLOAD_MB")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(port: int, process: subprocess.Popen, log: Path,
                       timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)  # not yet listening, or not yet answering 200
    raise AssertionError(f"not serving on {port}:\n{log.read_text()}")


def wait_until_listening(process: subprocess.Popen, port: int, log: Path, what: str,
                         stop, timeout: float) -> None:
    """Until `process` accepts connections on `port`; if it ends first, or `timeout` seconds
    pass (then `stop()` is called), RuntimeError with its log."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{what} stopped:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                stop()
                raise RuntimeError(f"{what} did not listen in {timeout:g} s:\n"
                                   f"{log.read_text()}") from None
            time.sleep(0.05)


def portal_environment(config: Mapping, names: Iterable[str] | None = None) -> dict[str, str]:
    """PORTAL_<name> for each of `names` (every key if None) of `config` (an app's config or a
    dict of settings): the variables a served portal reads its settings from."""
    return {f"PORTAL_{name}": str(config[name]) for name in (config if names is None else names)}


class Gunicorn:
    """gunicorn serving `app` (as gunicorn names it: "wsgi:app", "portal:create_app()",
    "bench.serve:app") from the repository on 127.0.0.1:`port` (a free one if not given), with
    `options` (workers, threads, timeouts, logs…), the environment plus `env`, and its output in
    the file `log`. It runs in a session of its own: Ctrl-C reaches only the caller, which then
    stops it; stop() ends it and whatever is left of its workers."""

    def __init__(self, app: str, log: Path, options: Sequence[str] = (),
                 env: Mapping[str, str] | None = None, port: int | None = None):
        self.port = free_port() if port is None else port
        self.log_path = log
        self.log = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--chdir", str(ROOT),
             "--bind", f"127.0.0.1:{self.port}", *options, app],
            env={**os.environ, **(env or {})}, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)

    def wait_until_serving(self, timeout: float = 30) -> None:
        wait_until_serving(self.port, self.process, self.log_path, timeout)

    def workers_cpu(self) -> float:
        """CPU seconds used so far by the master's children (the workers), from /proc."""
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:  # gone meanwhile
                continue
            if int(fields[1]) == self.process.pid:  # ppid; utime and stime follow at 11, 12
                total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self, how: signal.Signals = signal.SIGTERM, timeout: float = 10) -> None:
        """Signal the master (SIGTERM: its workers finish what they hold; SIGINT: at once), wait
        for it up to `timeout` seconds, then kill whatever is left of its process group."""
        if self.process.poll() is None:
            self.process.send_signal(how)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=timeout)
        # Whatever is left of its process group (the workers of a master that did not stop).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.log.close()
