"""A throwaway PostgreSQL server for the store's tests, from Debian's packages.

``start_server()`` runs ``initdb`` on a new folder in /tmp and starts the server on a free
loopback port (as the ``postgres`` user when the tests run as root, since PostgreSQL refuses
to run as root), trusting local connections. ``make postgresql`` installs the packages.
The session shares one server (tests/conftest.py ``postgres_server``); ``new_database``
gives a test or a module a database of its own on it.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path


def pg_binary(name: str) -> str | None:
    """``initdb``/``pg_ctl`` on PATH, else from the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    folder: Path
    port: int
    prefix: list[str]
    pg_ctl: str
    options: str = ""
    paused: bool = False

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the server's ``postgres`` database (psycopg 3)."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def pause(self) -> None:
        """Stop the server but keep its data (the store goes down; ``resume`` brings it back
        on the same port)."""
        subprocess.run(
            [*self.prefix, self.pg_ctl, "-D", str(self.folder / "data"), "-m", "fast", "-w",
             "stop"],
            capture_output=True, timeout=60, check=True,
        )  # fmt: skip
        self.paused = True

    def resume(self) -> None:
        """Start a paused server again, with its data, on the same port."""
        log = self.folder / "server.log"
        subprocess.run(
            [*self.prefix, self.pg_ctl, "-D", str(self.folder / "data"), "-l", str(log), "-o",
             self.options, "-w", "-t", "60", "start"],
            capture_output=True, timeout=120, check=True,
        )  # fmt: skip
        self.paused = False

    def stop(self) -> None:
        subprocess.run(
            [*self.prefix, self.pg_ctl, "-D", str(self.folder / "data"), "-m", "immediate",
             "stop"],
            capture_output=True, timeout=60, check=False,
        )  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)


def start_server() -> PostgresServer:
    """initdb + start a server on loopback. Raises RuntimeError saying what is missing."""
    initdb, pg_ctl = pg_binary("initdb"), pg_binary("pg_ctl")
    if not initdb or not pg_ctl:
        raise RuntimeError(
            "PostgreSQL's initdb/pg_ctl are not installed (make postgresql, or apt-get install "
            "postgresql)"
        )
    folder = Path(tempfile.mkdtemp(prefix="patrolwatch-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if not runuser:
            raise RuntimeError("running as root but runuser is missing")
        shutil.chown(folder, "postgres", "postgres")
        prefix = [runuser, "-u", "postgres", "--"]
    data, sock, log = folder / "data", folder / "sock", folder / "server.log"
    run = [*prefix, "mkdir", "-p", str(sock)]
    subprocess.run(run, check=True, timeout=30)
    done = subprocess.run(
        [*prefix, initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
         "--no-locale"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {done.stderr[-2000:]}")
    port = _free_port()
    options = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1"
    done = subprocess.run(
        [*prefix, pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60",
         "start"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        text = log.read_text(errors="replace")[-2000:] if log.exists() else done.stderr
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {text}")
    return PostgresServer(folder, port, prefix, pg_ctl, options)


def new_database(server_url: str, prefix: str = "pw_test") -> str:
    """Create a new, empty database on the server at ``server_url`` and return its URL."""
    from sqlalchemy import create_engine, text

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name
