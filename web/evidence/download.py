"""The one answer that sends a stored file: from disk or streamed from the database.

Headers as every download route must send them (``store.py``'s rule): the name
for saving it (``download_name``), ``nosniff``, a sandbox CSP, and no caching.
"""

from __future__ import annotations

from starlette.responses import FileResponse, Response, StreamingResponse

from web.evidence.filestore import FileStore
from web.evidence.names import content_disposition, download_name


def file_response(
    store: FileStore, sha256: str, media_type: str, filename: str
) -> Response | None:
    """The file stored under ``sha256`` as a download, or ``None`` when missing."""
    stored = store.opened(sha256)
    if stored is None:
        return None
    headers = {
        "Content-Disposition": content_disposition(download_name(filename, media_type)),
        "Content-Security-Policy": "sandbox",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
    if stored.path is not None:
        stored.chunks.close()  # FileResponse reads the file itself
        return FileResponse(stored.path, media_type=media_type, headers=headers)
    # Chunk by chunk (Starlette iterates a plain iterator in its thread pool).
    headers["Content-Length"] = str(stored.size)
    return StreamingResponse(stored.chunks, media_type=media_type, headers=headers)
