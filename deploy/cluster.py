"""Several servers on this machine: nginx in front of two or more gunicorn servers of the portal,
all on one PostgreSQL database and one upload folder, as deploy/nginx.conf.template describes.

    .venv/bin/python deploy/cluster.py            # make cluster: runs until Ctrl-C
    .venv/bin/python deploy/cluster.py --help     # servers, ports, database, workers

It creates the database if it is missing, migrates it, loads the demo data into an empty one,
starts the app servers on 127.0.0.1 (each named in its answers' X-Portal-Server header) and nginx
as a foreground process with its configuration, pid, logs and temporary files under its own
folder (instance/cluster by default), and stops them all on Ctrl-C. tests/test_deploy.py and
bench/cluster.py start the same topology through `Cluster`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/portal_cluster"
# nginx connects to the app servers from this loopback address, the only one whose
# X-Forwarded-For they read (PORTAL_PROXY_ADDRESSES): a client reaching a server directly, from
# 127.0.0.1, is never believed about its address.
PROXY_ADDRESS = "127.0.0.2"
# gunicorn as `make serve` runs it (Makefile), workers and threads aside.
GUNICORN_OPTIONS = ("--worker-class", "gthread", "--timeout", "60", "--graceful-timeout", "30",
                    "--keep-alive", "75", "--access-logfile", "-", "--error-logfile", "-")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None)


def ensure_database(url: str) -> bool:
    """Create the PostgreSQL database `url` names if it is missing (True if it was created), by
    connecting to the server's `postgres` database as the same user."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    target = make_url(url)
    if not target.drivername.startswith("postgresql"):
        raise SystemExit(f"several servers need PostgreSQL, not {target.drivername}: {url}")
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        try:
            connection = engine.connect()
        except OperationalError as error:
            raise SystemExit(f"cannot reach PostgreSQL for {url}: {error.orig}") from None
        with connection:
            if connection.scalar(text("select 1 from pg_database where datname = :name"),
                                 {"name": target.database}):
                return False
            quoted = connection.dialect.identifier_preparer.quote(target.database)
            connection.execute(text(f"create database {quoted}"))
            return True
    finally:
        engine.dispose()


def drop_database(url: str) -> None:
    """Drop the PostgreSQL database `url` names, if it exists, whoever is connected to it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            quoted = connection.dialect.identifier_preparer.quote(target.database)
            connection.execute(text(f"drop database if exists {quoted} with (force)"))
    finally:
        engine.dispose()


def render_nginx(values: Mapping[str, str]) -> str:
    """deploy/nginx.conf.template with every @NAME@ replaced by values[NAME]."""
    text = TEMPLATE.read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    left = sorted(set(re.findall(r"@[A-Z_]+@", text)))
    if left:
        raise ValueError(f"nginx template: no value for {', '.join(left)}")
    return text


def max_request_bytes(env: Mapping[str, str], instance: Path) -> int:
    """The portal's own limit on a request body (MAX_CONTENT_LENGTH) under these PORTAL_*
    settings, read the way the app servers read it."""
    from flask import Flask

    from portal.config import load_settings

    app = Flask("limits", instance_path=str(instance))
    saved = dict(os.environ)
    try:
        os.environ.update(env)
        load_settings(app, {"SECRET_KEY": "-"})
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return app.config["MAX_CONTENT_LENGTH"]


@dataclass
class Cluster:
    """nginx on 127.0.0.1:`port` in front of `servers` gunicorn servers (app1, app2, …) on one
    PostgreSQL database, with its files under `root`: nginx/ (configuration, pid, logs), logs/
    (one per app server), uploads/ (shared by the servers) and secret_key (one for all, so that a
    session opened on one server is valid on every other)."""

    root: Path
    database_url: str = DEFAULT_DATABASE_URL
    servers: int = 2
    port: int = 8080
    workers: int = 2
    threads: int = 8
    # nginx's cut-offs for slow clients, in seconds.
    header_timeout: int = 10
    body_timeout: int = 30
    send_timeout: int = 30
    # More PORTAL_* settings for every server (without the prefix): {"LOGIN_MAX_FAILURES": "4"}.
    settings: Mapping[str, str] = field(default_factory=dict)
    server_ports: list[int] = field(default_factory=list)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def __post_init__(self):
        self.root = Path(self.root).resolve()
        self.nginx_dir = self.root / "nginx"
        self.log_dir = self.root / "logs"

    @property
    def app(self) -> str:
        """The portal as flask's --app and gunicorn name it, with its instance folder (its
        demo-accounts.tsv) under the cluster's own, never the repository's instance/."""
        return f"portal:create_app({{'INSTANCE_PATH': {str(self.root / 'instance')!r}}})"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def server_url(self, n: int) -> str:
        """The n-th app server (0, 1, …) directly, bypassing nginx."""
        return f"http://127.0.0.1:{self.server_ports[n]}"

    # ------------------------------------------------------------------ the database

    def environment(self, server_id: str = "") -> dict[str, str]:
        """The environment of the app servers and of the commands run on their database."""
        self.root.mkdir(parents=True, exist_ok=True)
        key_file = self.root / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        env = {
            "PORTAL_DATABASE_URL": self.database_url,
            "PORTAL_SECRET_KEY": key_file.read_text().strip(),
            "PORTAL_UPLOAD_DIR": str(self.root / "uploads"),
            "PORTAL_ENV": "production",
            "PORTAL_PROXIES": "1",
            "PORTAL_PROXY_ADDRESSES": PROXY_ADDRESS,
            "PORTAL_BASE_URL": self.url,
            **{f"PORTAL_{name}": str(value) for name, value in self.settings.items()},
        }
        if server_id:
            env["PORTAL_SERVER_ID"] = server_id
        return {**os.environ, **env}

    def flask(self, *args: str, quiet: bool = False,
              env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        """`flask --app portal ARGS` on the cluster's database (`env` over the servers'
        settings); its output is returned."""
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", self.app, *args], cwd=ROOT,
            env={**self.environment(), **(env or {})}, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        if not quiet and result.stderr.strip():
            print(result.stderr.strip(), file=sys.stderr)
        return result

    def prepare(self, seed: Sequence[str] | None = ("seed-demo", "--if-empty")) -> str:
        """The database created if missing and migrated; `seed` (a flask command, None: none)
        run on it. What the seed printed (its accounts) is returned. `seed-scale`, which a
        production setting refuses, runs as a development command: it makes a made-up province
        for a bench, never the office's data."""
        if ensure_database(self.database_url):
            print(f"created the database {self.database_url}", file=sys.stderr)
        self.flask("db", "upgrade", quiet=True)
        if not seed:
            return ""
        made_up = {"PORTAL_ENV": "development"} if seed[0] == "seed-scale" else None
        return self.flask(*seed, env=made_up).stdout

    # ------------------------------------------------------------------ the servers

    def start(self, timeout: float = 60) -> None:
        """The app servers, then nginx, each waited for until it answers GET /login."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.server_ports = [free_port() for _ in range(self.servers)]
        try:
            for n, port in enumerate(self.server_ports, start=1):
                self._spawn(f"app{n}", [
                    sys.executable, "-m", "gunicorn", "--chdir", str(ROOT),
                    "--bind", f"127.0.0.1:{port}", "--workers", str(self.workers),
                    "--threads", str(self.threads), *GUNICORN_OPTIONS, self.app],
                    self.environment(f"app{n}"))
            for n in range(self.servers):
                self._wait(f"app{n + 1}", self.server_url(n), timeout)
            conf = self.write_nginx_conf()
            self._spawn("nginx", [nginx_binary() or "nginx", "-e",
                                  str(self.nginx_dir / "error.log"), "-p", str(self.nginx_dir),
                                  "-c", str(conf)], dict(os.environ))
            self._wait("nginx", self.url, timeout)
        except BaseException:
            self.stop()
            raise

    def write_nginx_conf(self) -> Path:
        for folder in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.nginx_dir / "temp" / folder).mkdir(parents=True, exist_ok=True)
        mime = Path("/etc/nginx/mime.types")
        values = {
            # As root, nginx's workers would otherwise run as nobody, who may not read static/.
            "USER": "user root;" if os.geteuid() == 0 else "",
            "PREFIX": str(self.nginx_dir),
            "MIME_TYPES": str(mime) if mime.exists() else str(self._fallback_mime_types()),
            "HEADER_TIMEOUT": str(self.header_timeout),
            "BODY_TIMEOUT": str(self.body_timeout),
            "SEND_TIMEOUT": str(self.send_timeout),
            "MAX_BODY": str(max_request_bytes(self.environment(), self.root / "instance")),
            "SERVERS": "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;"
                                 for port in self.server_ports),
            "LISTEN": f"127.0.0.1:{self.port}",
            "STATIC": str(ROOT / "static"),
            "PROXY_ADDRESS": PROXY_ADDRESS,
        }
        path = self.nginx_dir / "nginx.conf"
        path.write_text(render_nginx(values))
        return path

    def _fallback_mime_types(self) -> Path:
        path = self.nginx_dir / "mime.types"
        path.write_text("types {\n text/html html; text/css css; application/javascript js;\n"
                        " image/png png; image/svg+xml svg; image/x-icon ico;\n"
                        " font/woff2 woff2; application/json json;\n}\n")
        return path

    def _spawn(self, name: str, command: list[str], env: Mapping[str, str]) -> None:
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it
        try:
            self.processes[name] = subprocess.Popen(
                command, cwd=ROOT, env=dict(env), stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)
        finally:
            log.close()

    def _wait(self, name: str, url: str, timeout: float) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        process = self.processes[name]
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{name} stopped:\n{self.log(name)}")
            try:
                if httpx.get(f"{url}/login", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not answer in {timeout:g} s:\n{self.log(name)}")
            time.sleep(0.2)

    def log(self, name: str) -> str:
        """The output of `name` (app1, app2, …, nginx), with nginx's error log."""
        text = (self.log_dir / f"{name}.log").read_text(errors="replace")
        if name == "nginx" and (self.nginx_dir / "error.log").exists():
            text += (self.nginx_dir / "error.log").read_text(errors="replace")
        return text[-20_000:]

    def stopped(self) -> list[str]:
        """The processes that have ended by themselves."""
        return [name for name, process in self.processes.items() if process.poll() is not None]

    def stop(self, timeout: float = 15) -> None:
        """nginx first (no new requests), then the app servers (they finish what they hold),
        then whatever is left of their process groups."""
        order = sorted(self.processes, key=lambda name: name != "nginx")
        for name in order:
            process = self.processes[name]
            if process.poll() is None:
                process.send_signal(signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
        for name in order:
            process = self.processes[name]
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=timeout)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        self.processes.clear()

    def __enter__(self) -> Cluster:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("CLUSTER_DATABASE_URL",
                                                                 DEFAULT_DATABASE_URL),
                        help=f"PostgreSQL, created if missing ({DEFAULT_DATABASE_URL})")
    parser.add_argument("--root", type=Path, default=ROOT / "instance" / "cluster",
                        help="nginx's files, the logs, the uploads (instance/cluster)")
    parser.add_argument("--port", type=int, default=8080, help="nginx's port (8080)")
    parser.add_argument("--servers", type=int, default=2, help="gunicorn servers (2)")
    parser.add_argument("--workers", type=int, default=2, help="workers per server (2)")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker (8)")
    parser.add_argument("--password", default=os.environ.get("CLUSTER_PASSWORD"),
                        help="password of the demo accounts (default: generated, printed once)")
    args = parser.parse_args()
    if not nginx_binary():
        print("nginx not found: sudo apt install nginx", file=sys.stderr)
        return 1

    cluster = Cluster(args.root, args.database_url, servers=args.servers, port=args.port,
                      workers=args.workers, threads=args.threads)
    password = args.password or secrets.token_urlsafe(12)
    accounts = cluster.prepare(("seed-demo", "--if-empty", "--sample-progress",
                                "--password", password))
    if accounts:
        print(accounts, end="")
    stop = False

    def interrupted(*_):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    cluster.start()
    try:
        print(f"\n{cluster.url}  nginx in front of "
              + ", ".join(f"app{n + 1} on :{port}" for n, port in enumerate(cluster.server_ports))
              + f"\nlogs: {cluster.log_dir} and {cluster.nginx_dir}; Ctrl-C stops them all",
              file=sys.stderr)
        while not stop:
            if ended := cluster.stopped():
                print(f"{', '.join(ended)} stopped; stopping the rest:\n"
                      + cluster.log(ended[0]), file=sys.stderr)
                return 1
            time.sleep(0.5)
    finally:
        cluster.stop()
        print("stopped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
