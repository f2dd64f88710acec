"""Evidence uploads: content-based types, archive limits, size limit, safe names.

Security cases S18 (size, no temp file left), S19 (type by magic bytes), S20 (file
names) and S21 (zip bombs, entry count, symlinks, traversal). Real files in
``tmp_path``, no mocks.
"""

from __future__ import annotations

import io
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from governance.values import Evidence
from web.evidence.names import content_disposition, safe_filename
from web.evidence.sniff import EvidenceRejected, sniff
from web.evidence.store import MAX_EVIDENCE_BYTES, EvidenceStore

MIB = 1024 * 1024

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT_TYPE = "application/vnd.oasis.opendocument.text"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)


# --- Real minimal files -------------------------------------------------------------


def minimal_pdf() -> bytes:
    """A valid one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def minimal_png(*extra_chunks: bytes) -> bytes:
    """A valid 1×1 grey PNG, with optional extra chunks before its end."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + b"".join(extra_chunks)
        + png_chunk(b"IDAT", zlib.compress(b"\x00\x80"))
        + png_chunk(b"IEND", b"")
    )


JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    b"\xff\xdb\x00\x43\x00" + bytes(range(1, 65)) + b"\xff\xd9"
)
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11"


def office_zip(entries: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx(**extra: bytes | str) -> bytes:
    return office_zip(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": "<Relationships/>",
            "word/document.xml": "<w:document><w:body>Rapport</w:body></w:document>",
            **extra,
        }
    )


def xlsx() -> bytes:
    return office_zip(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": "<Relationships/>",
            "xl/workbook.xml": "<workbook><sheets/></workbook>",
        }
    )


def pptx() -> bytes:
    return office_zip(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "ppt/presentation.xml": "<p:presentation/>",
        }
    )


def odt(mimetype: str = ODT_TYPE) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr(
            "content.xml", "<office:document-content/>", zipfile.ZIP_DEFLATED
        )
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
    return buffer.getvalue()


# --- Fixtures and helpers -----------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> EvidenceStore:
    return EvidenceStore(tmp_path / "evidence")


def files_in(store: EvidenceStore) -> list[str]:
    """Everything in the evidence directory, temporary files included."""
    if not store.directory.exists():
        return []
    return sorted(path.name for path in store.directory.iterdir())


def refusal(store: EvidenceStore, content: bytes, filename: str) -> str:
    """The code an upload is refused with; fails if it is accepted."""
    with pytest.raises(EvidenceRejected) as refused:
        store.save([content], filename)
    return refused.value.code


# --- Accepted types -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "filename", "media_type"),
    [
        pytest.param(minimal_pdf(), "rapport.pdf", "application/pdf", id="pdf"),
        pytest.param(minimal_png(), "photo.png", "image/png", id="png"),
        pytest.param(JPEG, "photo.jpg", "image/jpeg", id="jpeg"),
        pytest.param(GIF, "schema.gif", "image/gif", id="gif"),
        pytest.param(WEBP, "schema.webp", "image/webp", id="webp"),
        pytest.param(docx(), "rapport.docx", DOCX_TYPE, id="docx"),
        pytest.param(xlsx(), "budget.xlsx", XLSX_TYPE, id="xlsx"),
        pytest.param(pptx(), "comite.pptx", PPTX_TYPE, id="pptx"),
        pytest.param(odt(), "rapport.odt", ODT_TYPE, id="odt"),
        pytest.param(
            "\ufeffpartenaire;montant\nSociété Générale;1200\n".encode(),
            "budget.csv",
            "text/csv",
            id="csv-utf8-bom",
        ),
        pytest.param(
            "partenaire;montant\nSociété;1 200 €\n".encode("cp1252"),
            "budget.CSV",
            "text/csv",
            id="csv-cp1252",
        ),
    ],
)
def test_an_allowed_document_is_stored_under_its_sha256_with_its_sniffed_type(
    store: EvidenceStore, content: bytes, filename: str, media_type: str
) -> None:
    # Given a real document of an allowed type
    # When it is saved
    evidence = store.save([content], filename)

    # Then its type comes from its content, and it is stored under its hash only
    assert evidence.media_type == media_type
    assert evidence.size == len(content)
    assert evidence.filename == filename
    assert files_in(store) == [evidence.sha256]
    stored = store.path_of(evidence.sha256)
    assert stored is not None
    assert stored.read_bytes() == content


def test_a_file_object_is_read_in_chunks_like_an_iterable(
    store: EvidenceStore, tmp_path: Path
) -> None:
    # Given an upload spooled to disk (as Starlette's UploadFile.file is)
    source = tmp_path / "upload.pdf"
    source.write_bytes(minimal_pdf())

    # When the open file is saved
    with source.open("rb") as file:
        evidence = store.save(file, "upload.pdf")

    # Then it is the same evidence as from bytes
    assert evidence.media_type == "application/pdf"
    assert evidence.size == source.stat().st_size


def test_the_type_follows_the_content_not_the_name(tmp_path: Path) -> None:
    # Given a PNG named like a PDF
    path = tmp_path / "upload"
    path.write_bytes(minimal_png())

    # When it is sniffed, then it is a PNG (served as such, as an attachment)
    assert sniff(path.read_bytes(), "rapport.pdf", path) == "image/png"


def test_a_png_js_polyglot_is_accepted_as_png_since_it_is_only_downloaded(
    store: EvidenceStore,
) -> None:
    """A PNG carrying script text is still a PNG by its magic bytes.

    It is accepted: the download route serves evidence as an attachment with
    ``nosniff`` and ``Content-Security-Policy: sandbox``, so no browser runs it.
    """
    # Given a valid PNG with a script in a text chunk and after its end
    script = b"<script>alert(document.cookie)</script>"
    polyglot = minimal_png(png_chunk(b"tEXt", b"Comment\x00" + script)) + script

    # When it is saved, then it is an image/png
    assert store.save([polyglot], "photo.png").media_type == "image/png"


# --- Refused types ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        pytest.param(
            b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
            "report.pdf",
            id="html-named-pdf",
        ),
        pytest.param(
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
            b"<script>alert(1)</script></svg>",
            "logo.svg",
            id="svg-with-script",
        ),
        pytest.param(
            b"<html><script>alert(1)</script></html>", "export.csv", id="html-named-csv"
        ),
        pytest.param(b"alert(document.cookie);\n", "script.js", id="javascript"),
        pytest.param(b"name;amount\nAcme;12\n", "budget.txt", id="text-not-csv"),
        pytest.param(
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(48) + b"PE",
            "tool.exe",
            id="exe",
        ),
        pytest.param(
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(48) + b"PE",
            "budget.csv",
            id="exe-named-csv",
        ),
        pytest.param(b"a;b\n\x81\x8d\x8f;\xff\xfe\n", "budget.csv", id="csv-not-text"),
        pytest.param(b"a;b\n1;\x00\n", "budget.csv", id="csv-with-nul"),
        pytest.param(office_zip({"notes.txt": "hello"}), "notes.zip", id="plain-zip"),
        pytest.param(
            docx(**{"word/vbaProject.bin": b"\x00macro"}), "macro.docm", id="docm"
        ),
        pytest.param(odt("text/html"), "page.odt", id="odf-unknown-mimetype"),
        pytest.param(b"PK\x03\x04 not really a zip", "broken.docx", id="broken-zip"),
    ],
)
def test_a_file_that_is_not_an_allowed_type_by_content_is_refused_and_not_kept(
    store: EvidenceStore, content: bytes, filename: str
) -> None:
    # Given a file whose content is not an allowed document (whatever its name)
    # When it is saved, then it is refused and nothing stays in the directory
    assert refusal(store, content, filename) == "evidence.type_not_allowed"
    assert files_in(store) == []


# --- Unsafe archives (S21) ----------------------------------------------------------


def zip_bomb() -> bytes:
    """An .xlsx-looking archive with one 20 MiB entry of zeros (about 20 KB packed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", "<workbook/>")
        zeros = bytes(MIB)
        with archive.open("xl/sharedStrings.xml", "w") as entry:
            for _ in range(20):
                entry.write(zeros)
    return buffer.getvalue()


def too_much_in_total() -> bytes:
    """101 entries of 1 MiB each: no entry is a bomb, the total is over 100 MiB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("xl/workbook.xml", "<workbook/>")
        zeros = bytes(MIB)
        for number in range(101):
            z.writestr(f"xl/media/image{number}.bin", zeros)
    return buffer.getvalue()


def too_many_entries() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", "<w:document/>")
        for number in range(999):
            archive.writestr(f"word/media/{number}.xml", "")
    return buffer.getvalue()


def understating_its_entry_count() -> bytes:
    """1,001 entries behind an end record that claims 5 (zipfile reads them all)."""
    archive = bytearray(too_many_entries())
    end = archive.rfind(b"PK\x05\x06")
    archive[end + 8 : end + 12] = struct.pack("<HH", 5, 5)
    return bytes(archive)


def overstating_its_entry_count() -> bytes:
    """A small document whose end record declares 1,001 entries."""
    archive = bytearray(docx())
    end = archive.rfind(b"PK\x05\x06")
    archive[end + 8 : end + 12] = struct.pack("<HH", 1001, 1001)
    return bytes(archive)


def huge_central_directory() -> bytes:
    """Few entries, but a central directory over 1 MiB (65,000-character names)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", "<w:document/>")
        for letter in "abcdefghijklmnopq":
            archive.writestr("word/" + letter * 65_000, "")
    return buffer.getvalue()


def with_symlink() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", "<w:document/>")
        link = zipfile.ZipInfo("word/media/image1.png")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        pytest.param(zip_bomb(), "budget.xlsx", id="ratio-bomb"),
        pytest.param(too_much_in_total(), "budget.xlsx", id="total-over-100-mib"),
        pytest.param(too_many_entries(), "rapport.docx", id="1001-entries"),
        pytest.param(
            understating_its_entry_count(), "rapport.docx", id="lying-entry-count"
        ),
        pytest.param(
            overstating_its_entry_count(), "rapport.docx", id="declared-1001-entries"
        ),
        pytest.param(
            huge_central_directory(), "rapport.docx", id="central-directory-over-1-mib"
        ),
        pytest.param(with_symlink(), "rapport.docx", id="symlink-entry"),
        pytest.param(docx(**{"../evil": "x"}), "rapport.docx", id="dot-dot-entry"),
        pytest.param(
            docx(**{"word/..\\..\\evil": "x"}), "rapport.docx", id="backslash-dot-dot"
        ),
        pytest.param(docx(**{"/etc/cron.d/evil": "x"}), "a.docx", id="absolute-entry"),
    ],
)
def test_an_unsafe_archive_is_refused_without_extracting_it(
    store: EvidenceStore, content: bytes, filename: str
) -> None:
    # Given an office-looking ZIP that is a bomb, too big, too many or escaping
    assert len(content) <= MAX_EVIDENCE_BYTES

    # When it is saved, then it is refused as unsafe and nothing stays behind
    assert refusal(store, content, filename) == "evidence.archive_unsafe"
    assert files_in(store) == []


# --- Size (S18) ---------------------------------------------------------------------


def test_an_upload_one_byte_over_the_limit_is_refused_and_leaves_no_file(
    store: EvidenceStore,
) -> None:
    # Given MAX + 1 bytes arriving as chunks
    def chunks() -> Iterator[bytes]:
        block = b"%PDF-" + bytes(MIB - 5)
        for _ in range(MAX_EVIDENCE_BYTES // MIB):
            yield block
        yield b"x"

    # When they are saved, then the upload is too large and no temporary file remains
    with pytest.raises(EvidenceRejected) as refused:
        store.save(chunks(), "big.pdf")
    assert refused.value.code == "evidence.too_large"
    assert files_in(store) == []


def test_an_endless_upload_stops_being_read_just_past_the_limit(
    store: EvidenceStore,
) -> None:
    # Given a stream that would never end (a 2 GB upload, say)
    consumed = 0

    def endless() -> Iterator[bytes]:
        nonlocal consumed
        block = bytes(MIB)
        while True:
            consumed += 1
            yield block

    # When it is saved
    with pytest.raises(EvidenceRejected) as refused:
        store.save(endless(), "huge.pdf")

    # Then reading stopped at the first chunk past 10 MiB, and nothing is left
    assert refused.value.code == "evidence.too_large"
    assert consumed == MAX_EVIDENCE_BYTES // MIB + 1
    assert files_in(store) == []


def test_an_upload_broken_midway_leaves_no_file(store: EvidenceStore) -> None:
    # Given a client that disconnects after the first chunk
    def interrupted() -> Iterator[bytes]:
        yield minimal_pdf()
        raise ConnectionResetError("client went away")

    # When it is saved, then the error propagates and nothing stays behind
    with pytest.raises(ConnectionResetError):
        store.save(interrupted(), "rapport.pdf")
    assert files_in(store) == []


def test_an_empty_upload_is_refused(store: EvidenceStore) -> None:
    # Given nothing at all, as chunks and as an empty file
    # When saved, then refused as empty, without a leftover
    with pytest.raises(EvidenceRejected) as from_chunks:
        store.save([b"", b""], "empty.pdf")
    with pytest.raises(EvidenceRejected) as from_file:
        store.save(io.BytesIO(b""), "empty.pdf")

    assert from_chunks.value.code == from_file.value.code == "evidence.empty"
    assert files_in(store) == []


# --- File names (S20) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("uploaded", "shown"),
    [
        pytest.param("../../etc/passwd", "passwd", id="unix-traversal"),
        pytest.param("..\\..\\win.ini", "win.ini", id="windows-traversal"),
        pytest.param("a\x00.pdf", "a.pdf", id="nul"),
        pytest.param("a%00.pdf", "a%00.pdf", id="percent-nul-stays-literal"),
        pytest.param("\u202efdp.exe", "fdp.exe", id="rtl-override"),
        pytest.param("rapport\u2066.pdf\u2069.exe", "rapport.pdf.exe", id="isolates"),
        pytest.param("CON.pdf", "_CON.pdf", id="windows-device"),
        pytest.param("lpt1", "_lpt1", id="windows-device-no-extension"),
        pytest.param("a\r\nSet-Cookie: x.pdf", "aSet-Cookie_ x.pdf", id="crlf"),
        pytest.param('say "hi" <b>.pdf', "say _hi_ _b_.pdf", id="windows-refused"),
        pytest.param(" ..rapport.pdf. ", "rapport.pdf", id="dots-and-spaces"),
        pytest.param("..", "evidence", id="only-dots"),
        pytest.param("/", "evidence", id="only-separator"),
        pytest.param("", "evidence", id="empty"),
        pytest.param("Rapport d'activité.pdf", "Rapport d'activité.pdf", id="accents"),
    ],
)
def test_an_uploaded_file_name_comes_out_safe_for_display(
    uploaded: str, shown: str
) -> None:
    # Given a hostile or odd file name, when sanitised, then it is harmless
    assert safe_filename(uploaded) == shown


def test_a_300_character_name_is_shortened_to_120_keeping_its_extension() -> None:
    # Given a 300-character name
    long_name = "r" * 296 + ".pdf"

    # When sanitised
    shown = safe_filename(long_name)

    # Then it is 120 characters long and still a .pdf
    assert len(shown) == 120
    assert shown.endswith(".pdf")
    assert safe_filename(shown) == shown


def test_the_stored_file_is_named_by_hash_whatever_the_uploaded_name(
    store: EvidenceStore,
) -> None:
    # Given a traversal attempt as the upload's name
    # When it is saved
    evidence = store.save([minimal_pdf()], "../../etc/passwd.pdf")

    # Then the file is inside the directory under its hash; the name is for display
    assert files_in(store) == [evidence.sha256]
    assert evidence.filename == "passwd.pdf"
    assert not (store.directory.parent.parent / "etc").exists()


# --- Identity, lookup, integrity ----------------------------------------------------


def test_the_same_content_saved_twice_gives_one_stored_file(
    store: EvidenceStore,
) -> None:
    # Given one document uploaded twice under different names
    first = store.save([minimal_pdf()], "rapport.pdf")
    second = store.save([minimal_pdf()[:10], minimal_pdf()[10:]], "copie.pdf")

    # Then both describe the same content, stored once
    assert first.sha256 == second.sha256
    assert second.filename == "copie.pdf"
    assert files_in(store) == [first.sha256]


@pytest.mark.parametrize(
    "asked",
    [
        pytest.param("../x", id="traversal"),
        pytest.param("../" + "a" * 61, id="traversal-64-chars"),
        pytest.param("A" * 64, id="uppercase"),
        pytest.param("g" * 64, id="not-hex"),
        pytest.param("a" * 63, id="too-short"),
        pytest.param("a" * 64 + "\n", id="trailing-newline"),
        pytest.param("", id="empty"),
        pytest.param("f" * 64, id="unknown-hash"),
    ],
)
def test_path_of_gives_nothing_for_anything_but_a_stored_hash(
    store: EvidenceStore, asked: str
) -> None:
    store.save([minimal_pdf()], "rapport.pdf")

    assert store.path_of(asked) is None


def test_verify_detects_a_stored_file_changed_after_the_fact(
    store: EvidenceStore,
) -> None:
    # Given a stored report that verifies
    evidence = store.save([minimal_pdf()], "rapport.pdf")
    assert store.verify(evidence)
    stored = store.path_of(evidence.sha256)
    assert stored is not None

    # When someone swaps its content on disk
    stored.write_bytes(minimal_pdf().replace(b"200 200", b"300 300"))

    # Then it no longer verifies
    assert not store.verify(evidence)


def test_verify_fails_for_a_missing_file(store: EvidenceStore) -> None:
    missing = Evidence(
        sha256="0" * 64, size=1, media_type="application/pdf", filename="a.pdf"
    )

    assert not store.verify(missing)


# --- Download header ----------------------------------------------------------------


def test_content_disposition_has_an_ascii_fallback_and_the_utf8_name() -> None:
    header = content_disposition("Rapport d'activité.pdf")

    assert header == (
        'attachment; filename="Rapport d\'activite.pdf"; '
        "filename*=UTF-8''Rapport%20d%27activit%C3%A9.pdf"
    )


def test_content_disposition_cannot_be_broken_by_the_name() -> None:
    # Given names with CR/LF, quotes, a backslash and only non-Latin letters
    injected = content_disposition('a"\r\nSet-Cookie: x=1;\\.pdf')
    non_latin = content_disposition("报告.pdf")

    # Then the header stays one line and one quoted fallback
    assert "\r" not in injected
    assert "\n" not in injected
    assert injected.count('"') == 2
    assert non_latin == (
        "attachment; filename=\"evidence.pdf\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf"
    )
