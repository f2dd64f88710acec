"""The source code of the running server, for anyone who uses it (AGPL §13).

The licence asks that users interacting with the program over a network be
offered its corresponding source. The footer links here unless
``CONSORTIUM_SOURCE_URL`` names a repository instead: this route answers with an
archive of the code this process actually runs (its four packages, with their
templates, static files and translations, and the licence and project file when
they sit beside the packages), so what is offered cannot drift from what is served.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import importlib.util
import io
import tarfile
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

PACKAGES = ("governance", "projections", "notifications", "web")
# Beside the packages in a checkout or an editable install; a wheel carries the
# licence in its metadata instead.
PROJECT_FILES = ("LICENSE", "README.md", "pyproject.toml")
ARCHIVE_ROOT = "consortium-ledger"
SKIPPED_DIRECTORIES = {"__pycache__"}
SKIPPED_SUFFIXES = {".pyc", ".pyo"}


def _package_root(name: str) -> Path:
    # Found, not imported: web may not import the domain's modules (lint-imports).
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise LookupError(f"package {name} not found")
    return Path(spec.origin).parent


def source_files() -> list[tuple[str, Path]]:
    """Every file of the archive: its name inside it and where it is, sorted."""
    files: list[tuple[str, Path]] = []
    roots = [_package_root(package) for package in PACKAGES]
    for root in roots:
        for path in root.rglob("*"):
            relative = path.relative_to(root.parent)
            if (
                path.is_file()
                and path.suffix not in SKIPPED_SUFFIXES
                and not SKIPPED_DIRECTORIES.intersection(relative.parts)
            ):
                files.append((relative.as_posix(), path))
    project = roots[0].parent
    files.extend(
        (name, project / name) for name in PROJECT_FILES if (project / name).is_file()
    )
    return sorted(files)


@functools.cache
def source_archive() -> bytes:
    """The ``.tar.gz`` of the running code, made once per process.

    Deterministic (sorted names, fixed times and owners): the same code gives the
    same bytes, hence the same ETag on every host."""
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as compressed,
        tarfile.open(fileobj=compressed, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for name, path in source_files():
            data = path.read_bytes()
            info = tarfile.TarInfo(f"{ARCHIVE_ROOT}/{name}")
            info.size = len(data)
            info.mode = 0o644
            info.mtime = 0
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


async def source(request: Request) -> Response:
    """The archive of the running code, to anyone, logged in or not."""
    archive = source_archive()
    etag = '"' + hashlib.sha256(archive).hexdigest()[:32] + '"'
    headers = {
        "Content-Disposition": f'attachment; filename="{ARCHIVE_ROOT}-source.tar.gz"',
        "ETag": etag,
        "Cache-Control": "public, max-age=3600",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(archive, media_type="application/gzip", headers=headers)


routes = [Route("/source.tar.gz", source, methods=["GET"], name="source:archive")]
