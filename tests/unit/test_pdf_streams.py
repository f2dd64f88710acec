"""The tests' PDF reader keeps every stream whole, whatever its last byte."""

from __future__ import annotations

import zlib

from tests.support.pdf import pdf_streams

# A page whose compressed bytes end with a carriage return (found by search): the
# reader once cut that byte off as part of the line break before "endstream", and
# the page's text vanished from one CI run in a few hundred.
CONTENT = b"BT (page 10399999) Tj ET"


def _pdf(*streams: bytes) -> bytes:
    body = b"".join(
        b"%d 0 obj\n<</Length %d>>\nstream\n%s\nendstream\nendobj\n" % (n, len(s), s)
        for n, s in enumerate(streams, start=1)
    )
    return b"%PDF-1.3\n" + body + b"%%EOF\n"


def test_a_compressed_stream_ending_in_a_carriage_return_is_read_whole() -> None:
    compressed = zlib.compress(CONTENT)
    assert compressed.endswith(b"\r")
    assert pdf_streams(_pdf(compressed)) == [CONTENT]


def test_plain_and_compressed_streams_side_by_side() -> None:
    found = pdf_streams(_pdf(b"BT (plain) Tj ET", zlib.compress(b"BT (packed) Tj ET")))
    assert found[0].startswith(b"BT (plain) Tj ET")
    assert found[1] == b"BT (packed) Tj ET"
