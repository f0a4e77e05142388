"""Start a throwaway PostgreSQL cluster with PostGIS for the tests, and always stop it.

The cluster is made with Debian's ``initdb`` in a temporary folder, listens on a free port
of 127.0.0.1 only, asks for a password (SCRAM), and has a template database with PostGIS
from which each test gets a fresh database in a fraction of a second. PostgreSQL refuses
to run as root, so as root the server runs as the ``postgres`` user of the Debian package.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from harness import free_port

SUPERUSER = "safetymap_test"
PASSWORD = "not-a-real-secret-7"  # noqa: S105 - a throwaway cluster on 127.0.0.1
TEMPLATE = "store_template"


class PostgresMissing(RuntimeError):  # noqa: N818 - a state, said to the user
    """PostgreSQL or PostGIS is not installed; the message says what to install."""


def find_bindir() -> Path:
    """Return the folder of ``initdb``/``pg_ctl`` with PostGIS available to its server.

    Raises
    ------
    PostgresMissing
        No PostgreSQL server binaries, or no PostGIS extension for them.
    """
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
                        reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    for bindir in candidates:
        if not (bindir / "initdb").exists() or not (bindir / "pg_ctl").exists():
            continue
        sharedir = subprocess.run([str(bindir / "pg_config"), "--sharedir"], capture_output=True,
                                  text=True, check=False).stdout.strip() if (
            bindir / "pg_config").exists() else f"/usr/share/postgresql/{bindir.parent.name}"
        if Path(sharedir, "extension", "postgis.control").exists():
            return bindir
    raise PostgresMissing(
        "PostgreSQL with PostGIS is not installed (looked for initdb, pg_ctl and "
        "postgis.control under /usr/lib/postgresql and on PATH); install them with "
        "`apt-get install postgresql postgresql-15-postgis-3` to run the PostGIS store tests."
    )


@dataclass
class PostgresCluster:
    """A running throwaway cluster: where it listens and how to make databases in it."""

    bindir: Path
    folder: Path
    port: int
    started_in_s: float
    _databases: int = field(default=0)

    def url(self, database: str, *, password: str = PASSWORD) -> str:
        """Return the ``postgresql://`` URL of a database of the cluster."""
        return f"postgresql://{SUPERUSER}:{password}@127.0.0.1:{self.port}/{database}"

    def new_database(self, *, postgis: bool = True) -> str:
        """Create an empty database (with PostGIS unless told not to); return its URL."""
        self._databases += 1
        name = f"store_{self._databases}"
        template = TEMPLATE if postgis else "template0"
        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
        return self.url(name)

    def dump(self, url: str) -> str:
        """Return ``pg_dump`` of a database as SQL text (everything it holds)."""
        return subprocess.run(
            [str(self.bindir / "pg_dump"), "--no-owner", url],
            capture_output=True, text=True, check=True, timeout=60,
        ).stdout


def _as_server_user() -> tuple[str | None, int | None]:
    """Return the user (and its uid) to run the server as: ``postgres`` when root."""
    if os.geteuid() != 0:
        return None, None
    try:
        entry = pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresMissing(
            "Running as root, and there is no `postgres` user to run PostgreSQL as "
            "(PostgreSQL refuses to run as root); install the Debian package `postgresql`."
        ) from None
    return entry.pw_name, entry.pw_uid


def _run(command: list[str], user: str | None, log: Path) -> None:
    with log.open("ab") as sink:
        result = subprocess.run(command, user=user, stdout=sink, stderr=subprocess.STDOUT,
                                check=False, timeout=120)
    if result.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise RuntimeError(f"{' '.join(command[:2])} failed ({result.returncode}):\n{tail}")


@contextlib.contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    """Run a throwaway PostgreSQL with PostGIS on 127.0.0.1 until the block ends.

    The server is stopped (immediately: its data is thrown away) and its folder removed
    when the block ends, whatever happened in it.

    Raises
    ------
    PostgresMissing
        PostgreSQL or PostGIS is not installed.
    """
    bindir = find_bindir()
    user, uid = _as_server_user()
    began = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="safetymap-pg-"))
    data, sockets, log = folder / "data", folder / "sockets", folder / "server.log"
    password_file = folder / "password"
    password_file.write_text(PASSWORD + "\n")
    sockets.mkdir()
    log.touch()
    if uid is not None:
        for path in (folder, sockets, log, password_file):
            os.chown(path, uid, -1)
    port = free_port()
    started = False
    try:
        _run([str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER,
              f"--pwfile={password_file}", "--auth=scram-sha-256", "--encoding=UTF8",
              "--locale=C", "--no-sync"], user, log)
        options = (f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        _run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options,
              "-w", "-t", "60", "start"], user, log)
        started = True
        cluster = PostgresCluster(bindir, folder, port, 0.0)
        with psycopg.connect(cluster.url("postgres"), autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {TEMPLATE}")
        with psycopg.connect(cluster.url(TEMPLATE), autocommit=True) as connection:
            connection.execute("CREATE EXTENSION postgis")
        cluster.started_in_s = time.monotonic() - began
        yield cluster
    finally:
        if started:
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                _run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w",
                      "stop"], user, log)
        shutil.rmtree(folder, ignore_errors=True)
