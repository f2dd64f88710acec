"""A throwaway PostgreSQL server for the test session, and a database per test.

``initdb`` refuses to run as root, so as root the server runs as the unprivileged
``nobody`` user (via ``runuser``), in a temporary directory removed afterwards. The
server listens on 127.0.0.1 on a free port, with trust authentication; durability is
relaxed (fsync off) because the data is thrown away.

A session killed before its teardown (``kill -9``, a timeout) cannot stop its
server: each server's directory names the process that started it (``owner.pid``),
and the next server started sweeps away those whose owner is gone.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg


class PostgresUnavailable(Exception):
    """Raised when no PostgreSQL server binaries are installed."""


def _bin_dir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise PostgresUnavailable("PostgreSQL server binaries (initdb) not found")


PREFIX = "consortium-pg-"
OWNER = "owner.pid"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def sweep_orphans(parent: Path | None = None) -> list[Path]:
    """Stop and remove the servers whose starting process is gone; returns their
    directories. A directory without an owner file (being set up, or from before
    owners were written) is left alone."""
    swept = []
    for root in sorted(Path(parent or tempfile.gettempdir()).glob(PREFIX + "*")):
        try:
            owner = int((root / OWNER).read_text())
        except (OSError, ValueError):
            continue
        if _alive(owner):
            continue
        if (root / "data" / "postmaster.pid").exists():
            command = [
                str(_bin_dir() / "pg_ctl"), "-D", str(root / "data"),
                "-m", "immediate", "-w", "stop",
            ]  # fmt: skip
            if os.geteuid() == 0:
                command = ["runuser", "-u", "nobody", "--", *command]
            subprocess.run(command, capture_output=True, timeout=120, check=False)
        shutil.rmtree(root, ignore_errors=True)
        swept.append(root)
    return swept


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """A private PostgreSQL server, started and stopped by the test session."""

    def __init__(self, *, durable_commits: bool = False) -> None:
        # durable_commits: a commit is in the server's WAL (handed to the OS) before
        # it is acknowledged, so ``pg_ctl stop -m immediate`` loses no acknowledged
        # transaction; fsync stays off since the machine itself does not crash.
        self.durable_commits = durable_commits
        self.bin = _bin_dir()
        sweep_orphans()
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix=PREFIX))
        (self.root / OWNER).write_text(str(os.getpid()))
        self.data = self.root / "data"
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        command = list(args)
        if self.as_root:
            command = ["runuser", "-u", "nobody", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        if self.as_root:
            shutil.chown(self.root, "nobody")
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self.resume()

    def resume(self) -> None:
        """Start the server on its data directory (again, after ``halt``)."""
        commits = "on" if self.durable_commits else "off"
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            f"-c fsync=off -c synchronous_commit={commits} -c full_page_writes=off "
            "-c max_connections=200"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "start",
        )

    def halt(self, mode: str = "immediate") -> None:
        """Stop the server but keep its data (``pg_ctl stop -m mode``)."""
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"
        )

    def stop(self) -> None:
        try:
            self._run(
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "immediate",
                "-w",
                "stop",
            )
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database; returns its URL."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
