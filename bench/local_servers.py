"""Local servers for the tests and benchmarks that need real ones: a throwaway PostgreSQL
cluster and an nginx load balancer, both from the distribution's packages, on 127.0.0.1.

PostgreSQL comes from, in order:

1. ``TEST_POSTGRES_URL`` (benchmarks: ``BENCH_POSTGRES_URL``): a server somebody else started (a
   superuser URL; the tests create and drop their own databases in it).
2. The distribution's server binaries (``initdb`` on PATH or under ``/usr/lib/postgresql/*/bin``):
   a cluster is made in a temporary folder, listening on 127.0.0.1 on a free port, and removed
   when the session ends.  ``initdb`` refuses to run as root, so as root the cluster belongs to
   the ``postgres`` user the distribution's package creates (``runuser``).
3. Neither: the tests that need PostgreSQL skip, saying so, unless ``REQUIRE_POSTGRES=1``
   (``.ci/run`` sets it), which turns the skip into a failure: CI must not pass by skipping them.

The cluster runs with ``fsync=off``: it holds test data only, and the tests measure behaviour,
not durability.

The load balancer has the same shape as a deployment's (compose.yaml's ``postgres`` profile):
round robin over the replicas' webhook ports, a refused connection passed to the next replica (a
POST that never reached a replica is safe to send elsewhere; nginx does not resend one that
did).  Its access log records which replica served each request.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


class NoPostgres(RuntimeError):
    """No PostgreSQL server can be had here; the message says why."""


def _server_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    return str(candidates[0]) if candidates else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cluster:
    """A running server and the superuser URL to reach it."""

    url: str
    folder: Path | None = None
    pg_ctl: list[str] = field(default_factory=list)

    def database_url(self, name: str) -> str:
        """The URL of database ``name`` on this server."""
        base, _, _ = self.url.rpartition("/")
        return f"{base}/{name}"

    def create_database(self) -> str:
        """A new, empty database; returns its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.database_url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database made by :meth:`create_database` (its connections are ended)."""
        import psycopg

        name = url.rpartition("/")[2]
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """Stop a cluster this module started, and remove its folder."""
        if self.folder is None:
            return
        subprocess.run(
            [*self.pg_ctl, "stop", "-m", "immediate", "-D", str(self.folder / "data")],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster(variable: str = "TEST_POSTGRES_URL") -> Cluster:
    """A server for the test session or a benchmark (see the module docstring); ``variable``
    names the environment variable of a server somebody else runs.

    Raises:
        NoPostgres: none is configured and the server binaries are not installed.
    """
    given = os.environ.get(variable)
    if given:
        return Cluster(given)
    initdb, pg_ctl = _server_bin("initdb"), _server_bin("pg_ctl")
    if initdb is None or pg_ctl is None:
        raise NoPostgres(
            "no PostgreSQL server: set TEST_POSTGRES_URL or install the distribution's "
            "postgresql package (initdb, pg_ctl); .ci/run does"
        )
    run_as: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="sb-pg-"))
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError as exc:
            raise NoPostgres("running as root and there is no postgres user for initdb") from exc
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data = folder / "data"
    subprocess.run(
        [*run_as, initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
         "--locale=C.UTF-8"],
        capture_output=True,
        timeout=120,
        check=True,
    )  # fmt: skip
    port = free_port()
    options = (
        f"-p {port} -c listen_addresses=127.0.0.1 -k {folder} -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
    )
    subprocess.run(
        [*run_as, pg_ctl, "start", "-w", "-t", "60", "-D", str(data), "-o", options,
         "-l", str(folder / "server.log")],
        capture_output=True,
        timeout=90,
        check=True,
    )  # fmt: skip
    cluster = Cluster(
        f"postgresql://postgres@127.0.0.1:{port}/postgres", folder, [*run_as, pg_ctl]
    )
    _wait_ready(cluster.url)
    return cluster


def _wait_ready(url: str, timeout: float = 30.0) -> None:
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(url, connect_timeout=2):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


# --------------------------------------------------------------------- load balancer
_CONFIG = """\
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    log_format upstreams '$upstream_addr $status';
    access_log {folder}/access.log upstreams;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    upstream replicas {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://replicas;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_connect_timeout 1s;
            proxy_read_timeout 30s;
        }}
    }}
}}
"""


class NoLoadBalancer(RuntimeError):
    """nginx is not installed here; the message says so."""


def nginx_binary() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found is None:
        raise NoLoadBalancer(
            "no nginx for the local load balancer: install the distribution's nginx package "
            "(.ci/run does)"
        )
    return found


@dataclass
class LoadBalancer:
    """nginx running in ``folder``, listening on 127.0.0.1:``port``."""

    folder: Path
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def served_by(self) -> Counter[str]:
        """Requests answered 200 by each replica (``127.0.0.1:port``), from the access log."""
        log = self.folder / "access.log"
        counts: Counter[str] = Counter()
        if not log.exists():
            return counts
        for line in log.read_text(encoding="utf-8").splitlines():
            upstreams, _, status = line.rpartition(" ")
            if status == "200":
                counts[upstreams.split(",")[-1].strip()] += 1
        return counts

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def start_load_balancer(folder: Path, port: int, replica_ports: list[int]) -> LoadBalancer:
    """nginx in front of ``replica_ports``; returns once it listens (at most 10 s)."""
    binary = nginx_binary()
    folder.mkdir(parents=True, exist_ok=True)
    servers = "\n".join(
        f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=1s;" for p in replica_ports
    )
    config = folder / "nginx.conf"
    config.write_text(
        _CONFIG.format(
            folder=folder,
            port=port,
            servers=servers,
            # Workers of a root master switch to "nobody", who may not write the temp folders.
            user="user root;" if os.geteuid() == 0 else "",
        ),
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [binary, "-c", str(config), "-p", str(folder), "-e", str(folder / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    balancer = LoadBalancer(folder, port, process)
    import socket

    deadline = time.monotonic() + 10
    while True:
        if process.poll() is not None:
            error = (folder / "error.log").read_text(encoding="utf-8", errors="replace")
            raise RuntimeError(f"nginx exited with {process.returncode}: {error[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return balancer
        except OSError:
            if time.monotonic() > deadline:
                balancer.stop()
                raise
            time.sleep(0.05)
