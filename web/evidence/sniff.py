"""What an upload is, judged from its content; the checks that refuse the rest.

Never trust the file name for the type (only CSV, which has no magic bytes, needs its
``.csv`` name *and* text content), and never accept HTML, SVG, scripts or
executables. Never extract an archive: office documents (ZIP) are judged from their
central directory; only an OpenDocument ``mimetype`` entry is read, at most a few
bytes.
"""

from __future__ import annotations

import codecs
import re
import stat
import struct
import zipfile
from pathlib import Path

from web.evidence.media_types import (
    CSV,
    DOCX,
    GIF,
    JPEG,
    ODP,
    ODS,
    ODT,
    PDF,
    PNG,
    PPTX,
    WEBP,
    XLSX,
)
from web.evidence.names import safe_filename

MAX_ARCHIVE_ENTRIES = 1_000
MAX_ARCHIVE_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_FROM_BYTES = 1024 * 1024
"""Only entries larger than this are held to ``MAX_COMPRESSION_RATIO``."""
MAX_CENTRAL_DIRECTORY_BYTES = 1024 * 1024
"""Bounds the work ``zipfile`` does before entries can be counted (zip with 100k
entries in a 10 MB upload)."""

SNIFF_BYTES = 4096
CHUNK_BYTES = 64 * 1024

OOXML_MAIN_FOLDERS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
OPENDOCUMENT_TYPES = frozenset({ODT, ODS, ODP})

_ZIP_MAGIC = b"PK\x03\x04"
_END_RECORD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_END_RECORD_FORMAT = "<4s4H2LH"
_END_RECORD_SIZE = struct.calcsize(_END_RECORD_FORMAT)
_ZIP64_LOCATOR_SIZE = 20
_MAX_ZIP_COMMENT = 0xFFFF


class EvidenceRejected(Exception):
    """An upload refused as evidence; ``code`` says why (a message key).

    One of ``evidence.too_large``, ``evidence.empty``, ``evidence.type_not_allowed``,
    ``evidence.archive_unsafe`` and ``evidence.name_invalid``.
    """

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def sniff(head: bytes, filename: str, path: Path) -> str:
    """The media type of the file at ``path``, decided by its content.

    ``head`` is the file's first bytes (a few KB); ``path`` is read further for office
    documents (their ZIP central directory) and CSV (the whole text). The name only
    matters for CSV, which has no magic bytes. Raises ``EvidenceRejected`` with
    ``evidence.type_not_allowed`` or, for a dangerous ZIP,
    ``evidence.archive_unsafe``.
    """
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(_ZIP_MAGIC):
        return _office_document_type(path)
    if safe_filename(filename).lower().endswith(".csv") and _is_csv_text(path):
        return CSV
    raise EvidenceRejected("evidence.type_not_allowed")


def _office_document_type(path: Path) -> str:
    """OOXML or OpenDocument type of a ZIP, after refusing unsafe archives."""
    _check_end_record(path)
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            _check_entries(entries)
            names = {entry.filename for entry in entries}
            if "[Content_Types].xml" in names:
                return _ooxml_type(names)
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    declared = entry.read(128)
                media_type = declared.decode("ascii", "replace").strip()
                if media_type in OPENDOCUMENT_TYPES:
                    return media_type
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as error:
        raise EvidenceRejected("evidence.type_not_allowed") from error
    except (NotImplementedError, RuntimeError, ValueError) as error:
        # Unknown compression method, encrypted entry, malformed header.
        raise EvidenceRejected("evidence.type_not_allowed") from error
    raise EvidenceRejected("evidence.type_not_allowed")


def _check_end_record(path: Path) -> None:
    """Refuse, before ``zipfile`` parses it, an archive declaring too much.

    Reads the end-of-central-directory record the way ``zipfile`` finds it. A ZIP64
    end record (or its 0xFFFF / 0xFFFFFFFF markers) is refused: an office document of
    at most 10 MB never needs one, and it would let the archive declare other sizes.
    """
    size = path.stat().st_size
    if size < _END_RECORD_SIZE:
        raise EvidenceRejected("evidence.type_not_allowed")
    window = min(size, _END_RECORD_SIZE + _MAX_ZIP_COMMENT)
    with path.open("rb") as file:
        file.seek(size - window)
        tail = file.read(window)
    position = len(tail) - _END_RECORD_SIZE
    if not (tail[position:].startswith(_END_RECORD) and tail[-2:] == b"\x00\x00"):
        position = tail.rfind(_END_RECORD)
    if position < 0 or len(tail) - position < _END_RECORD_SIZE:
        raise EvidenceRejected("evidence.type_not_allowed")
    fields = struct.unpack(
        _END_RECORD_FORMAT, tail[position : position + _END_RECORD_SIZE]
    )
    entry_count, directory_size = fields[4], fields[5]
    locator = position - _ZIP64_LOCATOR_SIZE
    has_zip64 = locator >= 0 and tail[locator:].startswith(_ZIP64_LOCATOR)
    if (
        has_zip64
        or entry_count > MAX_ARCHIVE_ENTRIES
        or directory_size > MAX_CENTRAL_DIRECTORY_BYTES
    ):
        raise EvidenceRejected("evidence.archive_unsafe")


def _check_entries(entries: list[zipfile.ZipInfo]) -> None:
    """Refuse too many entries, a bomb, a symlink or an escaping path."""
    if len(entries) > MAX_ARCHIVE_ENTRIES:
        raise EvidenceRejected("evidence.archive_unsafe")
    total = 0
    for entry in entries:
        total += entry.file_size
        if total > MAX_ARCHIVE_UNCOMPRESSED_BYTES:
            raise EvidenceRejected("evidence.archive_unsafe")
        if (
            entry.file_size > RATIO_CHECKED_FROM_BYTES
            and entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1)
        ):
            raise EvidenceRejected("evidence.archive_unsafe")
        if stat.S_ISLNK(entry.external_attr >> 16):
            raise EvidenceRejected("evidence.archive_unsafe")
        if _escapes(entry.filename):
            raise EvidenceRejected("evidence.archive_unsafe")


def _escapes(name: str) -> bool:
    """Whether an entry name is absolute or climbs out with ``..``."""
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return True
    return ".." in re.split(r"[/\\]", name)


def _ooxml_type(names: set[str]) -> str:
    """The OOXML type from its main part's folder; macro-enabled files refused."""
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise EvidenceRejected("evidence.type_not_allowed")
    found = {
        media_type
        for folder, media_type in OOXML_MAIN_FOLDERS.items()
        if any(name.startswith(folder) for name in names)
    }
    if len(found) != 1:
        raise EvidenceRejected("evidence.type_not_allowed")
    return found.pop()


def _is_csv_text(path: Path) -> bool:
    """Whether the file is text: UTF-8 (BOM allowed) or cp1252, no NUL, not markup."""
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as file:
                text_start = ""
                for block in iter(lambda: file.read(CHUNK_BYTES), b""):
                    if b"\x00" in block:
                        return False
                    text = decoder.decode(block)
                    if len(text_start) < 64:
                        text_start += text[:64]
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        # HTML or SVG renamed .csv: no spreadsheet starts with a tag.
        return not text_start.lstrip().startswith("<")
    return False
