"""Evidence files: accept an upload safely, store it by content hash, verify it later.

What this module is for:

- ``EvidenceStore.save`` streams an upload into a temporary file in the evidence
  directory while hashing and counting it, refuses it past ``MAX_EVIDENCE_BYTES``
  (without reading the rest), decides its media type from its *content* (``sniff``)
  and then moves it atomically to ``<directory>/<sha256>``. The returned
  ``Evidence`` (hash, size, media type, sanitised name) is what an event records, so
  that funders can later check with ``verify`` that a file was not swapped.
- ``safe_filename`` and ``content_disposition`` make the uploader's file name fit for
  display and for a download header.

What it must not do:

- Never use the uploader's file name as a storage path: files live under their
  SHA-256 only, and ``path_of`` accepts nothing but 64 lowercase hex digits.
- Never trust the file name for the type (only CSV, which has no magic bytes, needs
  its ``.csv`` name *and* text content), and never accept HTML, SVG, scripts or
  executables.
- Never extract an archive: office documents (ZIP) are judged from their central
  directory; only an OpenDocument ``mimetype`` entry is read, at most a few bytes.
- Never leave a temporary file behind, whatever fails.
- Never delete a file because a command was refused: the same bytes may be another
  record's file (another consortium's minutes, a delivery accepted at the same
  moment). Files no event refers to are removed only by ``web.ops.evidence_sweep``,
  through ``discard``; ``save`` and ``discard`` take a lock on the directory so that
  a file being saved again is never discarded under it.
- It serves nothing: the download route must answer with ``content_disposition``
  (of ``download_name``), ``X-Content-Type-Options: nosniff`` and
  ``Content-Security-Policy: sandbox``.
"""

from __future__ import annotations

import codecs
import contextlib
import fcntl
import hashlib
import os
import re
import stat
import struct
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from governance.values import Evidence

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
"""The largest evidence file accepted, in bytes."""

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
MAX_FILENAME_CHARS = 120
MAX_EXTENSION_CHARS = 16
FALLBACK_FILENAME = "evidence"

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
WEBP = "image/webp"
CSV = "text/csv"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"

EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: ("pdf",),
    PNG: ("png",),
    JPEG: ("jpg", "jpeg"),
    GIF: ("gif",),
    WEBP: ("webp",),
    CSV: ("csv",),
    DOCX: ("docx",),
    XLSX: ("xlsx",),
    PPTX: ("pptx",),
    ODT: ("odt",),
    ODS: ("ods",),
    ODP: ("odp",),
}
"""The file name extensions of each accepted type, the usual one first."""
UNKNOWN_EXTENSION = "bin"

UPLOAD_PREFIX = ".upload-"
UPLOAD_SUFFIX = ".part"

OOXML_MAIN_FOLDERS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
OPENDOCUMENT_TYPES = frozenset({ODT, ODS, ODP})

_ZIP_MAGIC = b"PK\x03\x04"
_END_RECORD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_END_RECORD_FORMAT = "<4s4H2LH"
_END_RECORD_SIZE = struct.calcsize(_END_RECORD_FORMAT)
_ZIP64_LOCATOR_SIZE = 20
_MAX_ZIP_COMMENT = 0xFFFF

_SHA256 = re.compile(r"[0-9a-f]{64}")
_INVISIBLE = frozenset(
    [chr(code) for code in range(0x202A, 0x202F)]
    + [chr(code) for code in range(0x2066, 0x206A)]
)
_WINDOWS_UNSAFE = str.maketrans(dict.fromkeys('<>:"|?*', "_"))
_WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"{port}{digit}" for port in ("COM", "LPT") for digit in "123456789¹²³"}
)
_EDGES = re.compile(r"^[\s.]+|[\s.]+$")
_ASCII_FALLBACK_UNSAFE = re.compile(r"[^A-Za-z0-9 !#$&'()+.=@\[\]^_`{}~-]")
_RFC5987_SAFE = "!#$&+-.^_`|~"


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


def safe_filename(name: str) -> str:
    """The uploader's file name made fit for display and a download header.

    Keeps the last path component only; drops control characters (NUL, CR, LF…),
    bidi overrides and isolates, and lone surrogates; replaces characters Windows
    refuses (``<>:"|?*``); strips dots and spaces at both ends; prefixes a Windows
    device name (``CON.pdf`` → ``_CON.pdf``); shortens to 120 characters keeping the
    extension; falls back to ``"evidence"``. Never a storage path.
    """
    last = re.split(r"[/\\]", name)[-1]
    last = unicodedata.normalize("NFC", last)
    kept = "".join(
        char
        for char in last
        if char not in _INVISIBLE and unicodedata.category(char) not in {"Cc", "Cs"}
    )
    kept = _EDGES.sub("", kept.translate(_WINDOWS_UNSAFE))
    stem, dot, extension = kept.rpartition(".")
    if not dot or not stem or len(extension) > MAX_EXTENSION_CHARS:
        stem, dot, extension = kept, "", ""
    if stem.split(".")[0].rstrip().upper() in _WINDOWS_DEVICES:
        stem = "_" + stem
    room = MAX_FILENAME_CHARS - len(dot) - len(extension)
    if len(stem) > room:
        stem = _EDGES.sub("", stem[:room])
    result = f"{stem}{dot}{extension}" if stem else ""
    return result or FALLBACK_FILENAME


def content_disposition(filename: str) -> str:
    """``Content-Disposition`` for downloading evidence (RFC 6266 and RFC 5987).

    ``attachment; filename="<ascii fallback>"; filename*=UTF-8''<percent-encoded>``;
    the name is passed through ``safe_filename`` first, so no CR/LF or quote can
    break the header.
    """
    name = safe_filename(filename)
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    ascii_stem = _EDGES.sub("", _ascii_only(stem))
    if not ascii_stem.strip("_"):
        ascii_stem = FALLBACK_FILENAME
    ascii_extension = _ascii_only(extension)
    fallback = ascii_stem + (f".{ascii_extension}" if ascii_extension else "")
    encoded = quote(name, safe=_RFC5987_SAFE)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def download_name(filename: str, media_type: str) -> str:
    """The name to download a file under: its extension is its detected type's.

    The uploader's name is kept when its extension already names the type
    (``Proof.PDF``, ``photo.jpeg``); otherwise the type's extension replaces it
    (``invoice.bat`` holding a GIF is ``invoice.gif``) or is added (``scan`` →
    ``scan.gif``), so that what the browser saves opens as what it is.
    """
    name = safe_filename(filename)
    extensions = EXTENSIONS.get(media_type, (UNKNOWN_EXTENSION,))
    stem, dot, extension = name.rpartition(".")
    if dot and extension.lower() in extensions:
        return name
    return safe_filename(f"{stem if dot else name}.{extensions[0]}")


def _ascii_only(text: str) -> str:
    """Accents dropped, any other character outside a safe ASCII set made ``_``."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _ASCII_FALLBACK_UNSAFE.sub("_", bare)


def _chunks_of(source: Iterable[bytes] | BinaryIO) -> Iterator[bytes]:
    """The upload as chunks, whether it is a file object or an iterable of bytes."""
    read = getattr(source, "read", None)
    if callable(read):
        yield from iter(lambda: read(CHUNK_BYTES), b"")
    else:
        yield from source


def _sweepable(name: str) -> bool:
    """A stored file (its SHA-256) or an upload temporary: nothing else is touched."""
    return bool(_SHA256.fullmatch(name)) or (
        name.startswith(UPLOAD_PREFIX) and name.endswith(UPLOAD_SUFFIX)
    )


@dataclass(frozen=True)
class Discarded:
    """A file the sweep removed: its name, size and last modification (epoch)."""

    name: str
    size: int
    modified: float


class EvidenceStore:
    """Evidence files in one directory, each named by its content's SHA-256.

    The directory must not be served statically: downloads go through a route that
    checks access, using ``path_of``.

    A file's modification time is when it was last *saved* (stored, or the same
    bytes uploaded again): the sweep keeps files saved within its grace period,
    because an event may be about to refer to them.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def save(self, chunks: Iterable[bytes] | BinaryIO, filename: str) -> Evidence:
        """Store an upload and describe it; raises ``EvidenceRejected`` if refused.

        ``chunks`` is an iterable of bytes or a binary file object (for instance
        Starlette's ``UploadFile.file``). Reading stops as soon as the upload passes
        ``MAX_EVIDENCE_BYTES``. The same content saved twice is stored once.
        """
        self.directory.mkdir(parents=True, exist_ok=True)
        descriptor, temporary_name = tempfile.mkstemp(
            prefix=UPLOAD_PREFIX, suffix=UPLOAD_SUFFIX, dir=self.directory
        )
        temporary = Path(temporary_name)
        stored = False
        try:
            digest = hashlib.sha256()
            size = 0
            head = bytearray()
            with os.fdopen(descriptor, "wb") as file:
                for chunk in _chunks_of(chunks):
                    size += len(chunk)
                    if size > MAX_EVIDENCE_BYTES:
                        raise EvidenceRejected("evidence.too_large")
                    if len(head) < SNIFF_BYTES:
                        head += chunk[: SNIFF_BYTES - len(head)]
                    digest.update(chunk)
                    file.write(chunk)
                file.flush()
                os.fsync(file.fileno())
            if size == 0:
                raise EvidenceRejected("evidence.empty")
            media_type = sniff(bytes(head), filename, temporary)
            sha256 = digest.hexdigest()
            stored = self._keep(temporary, self.directory / sha256)
        finally:
            if not stored:
                temporary.unlink(missing_ok=True)
        return Evidence(
            sha256=sha256,
            size=size,
            media_type=media_type,
            filename=safe_filename(filename),
        )

    def path_of(self, sha256: str) -> Path | None:
        """The stored file for a SHA-256 (64 lowercase hex digits), or ``None``."""
        if not _SHA256.fullmatch(sha256):
            return None
        path = self.directory / sha256
        if path.is_symlink() or not path.is_file():
            return None
        return path

    def _keep(self, temporary: Path, target: Path) -> bool:
        """Make ``target`` hold the upload, fresh; whether ``temporary`` moved there.

        Under the shared lock, so the sweep cannot discard the file between this
        and the event that will refer to it: an existing file (the same bytes) is
        touched, which makes it young again; a missing one is moved into place.
        """
        with self._locked(fcntl.LOCK_SH):
            try:
                os.utime(target, follow_symlinks=False)
                return False
            except FileNotFoundError:
                pass
            except PermissionError:
                pass  # someone else's file (a restore as root?): ours replaces it
            os.replace(temporary, target)
            self._sync_directory()
            return True

    def stored_names(self) -> list[str]:
        """The names of the stored files and of upload temporaries, sorted."""
        if not self.directory.is_dir():
            return []
        with os.scandir(self.directory) as entries:
            return sorted(entry.name for entry in entries if _sweepable(entry.name))

    def discard(self, name: str, modified_before: float) -> Discarded | None:
        """Delete a file last saved before ``modified_before`` (an epoch), if it is.

        For the sweep only (``web.ops.evidence_sweep``), which decides that no event
        refers to the file. The age is checked and the file deleted under the
        exclusive lock, so a ``save`` of the same bytes either came first (the file
        is young: kept) or comes after (and stores the file again). Returns what was
        deleted, or ``None`` when the file is young, gone or not a regular file.
        """
        if not _sweepable(name):
            return None
        path = self.directory / name
        with self._locked(fcntl.LOCK_EX):
            try:
                status = os.stat(path, follow_symlinks=False)
            except FileNotFoundError:
                return None
            if not stat.S_ISREG(status.st_mode) or status.st_mtime >= modified_before:
                return None
            path.unlink(missing_ok=True)
        return Discarded(name, status.st_size, status.st_mtime)

    @contextlib.contextmanager
    def _locked(self, operation: int) -> Iterator[None]:
        """Hold ``flock`` on the directory itself (shared or exclusive).

        ``flock`` locks belong to an open file description, so two threads of one
        process exclude each other as two processes do.
        """
        self.directory.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.directory, os.O_RDONLY)
        try:
            fcntl.flock(descriptor, operation)
            yield
        finally:
            os.close(descriptor)  # closing releases the lock

    def verify(self, evidence: Evidence) -> bool:
        """Whether the stored file still has the recorded size and SHA-256."""
        path = self.path_of(evidence.sha256)
        if path is None or path.stat().st_size != evidence.size:
            return False
        digest = hashlib.sha256()
        with path.open("rb") as file:
            for block in iter(lambda: file.read(CHUNK_BYTES), b""):
                digest.update(block)
        return digest.hexdigest() == evidence.sha256

    def _sync_directory(self) -> None:
        """Make the rename durable where the platform allows it (not Windows)."""
        with contextlib.suppress(OSError):
            descriptor = os.open(self.directory, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
