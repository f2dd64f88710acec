"""The media types accepted as evidence, and the file name extensions of each."""

from __future__ import annotations

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
