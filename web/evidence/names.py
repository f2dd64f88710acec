"""The uploader's file name made fit for display and for a download header.

Never a storage path: files are stored under their SHA-256 only (``store.py``).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from web.evidence.media_types import EXTENSIONS, UNKNOWN_EXTENSION

MAX_FILENAME_CHARS = 120
MAX_EXTENSION_CHARS = 16
FALLBACK_FILENAME = "evidence"

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
