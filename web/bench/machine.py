"""The machine and software the figures were measured on, for the table's notes."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from importlib.metadata import version

import psycopg

from web.settings import Settings


def notes(settings: Settings) -> list[str]:
    """The machine and software the figures were measured on."""
    cpu = ""
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with open("/proc/meminfo", encoding="utf-8") as info:
        memory = f"{int(info.readline().split()[1]) / 1024 / 1024:.0f} GiB RAM"
    disk = (
        subprocess.run(  # noqa: S603 - a fixed command on our own directory
            ["df", "-hT", str(settings.data_dir)],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        .stdout.splitlines()[-1]
        .split()
    )
    software = ", ".join(
        f"{name} {version(name)}"
        for name in (
            "eventsourcing",
            "sqlalchemy",
            "starlette",
            "uvicorn",
            "httptools",
            "psycopg",
        )
    )
    database = f"SQLite {sqlite3.sqlite_version} (WAL; event store synchronous=FULL)"
    if settings.database_url:
        with psycopg.connect(settings.database_url) as connection:
            server = connection.execute("SHOW server_version").fetchone()
            sync = connection.execute("SHOW synchronous_commit").fetchone()
            fsync = connection.execute("SHOW fsync").fetchone()
        database = (
            f"PostgreSQL {server[0] if server else '?'} (synchronous_commit="
            f"{sync[0] if sync else '?'}, fsync={fsync[0] if fsync else '?'})"
        )
    return [
        f"Machine: {os.cpu_count()} CPUs ({cpu}), {memory}, disk {disk[1]} "
        f"{disk[0]} ({disk[2]}), {platform.system()} {platform.release()}",
        f"Software: Python {platform.python_version()}, {database}, {software}",
        "Load: a separate Python process (asyncio, keep-alive, closed loop) on "
        "loopback; uvicorn (its httptools parser), one process, no access log, for "
        "both the application and the bare endpoint; the scheduler is off while "
        "measuring.",
    ]
