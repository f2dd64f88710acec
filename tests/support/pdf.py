"""The streams of a PDF, for tests that read what a PDF draws (fpdf2 compresses
its page contents)."""

from __future__ import annotations

import re
import zlib

_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)


def pdf_streams(pdf: bytes) -> list[bytes]:
    """Each stream of ``pdf``, inflated when it is compressed.

    The inflater reads a compressed stream up to its own end, leaving the line
    break before ``endstream`` aside. A pattern that strips ``\\r?\\n`` there would
    also take a last byte of the data that happens to be a carriage return (its
    checksum's last byte: one stream in 256) and cut it, losing that page's text.
    """
    found: list[bytes] = []
    for match in _STREAM.finditer(pdf):
        data = match.group(1)
        try:
            found.append(zlib.decompressobj().decompress(data))
        except zlib.error:  # not compressed
            found.append(data)
    return found
