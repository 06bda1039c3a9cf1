"""Write small test documents at test time (PDF, Word, broken and hostile variants): no binary fixtures."""

from __future__ import annotations

import io
import zipfile
from functools import lru_cache

import docx
from pypdf import PdfReader, PdfWriter


def pdf_bytes(
    lines: list[str],
    *,
    title: str | None = None,
    author: str | None = None,
    form: dict[str, str] | None = None,
) -> bytes:
    """A one-page PDF whose text layer holds `lines` (Latin-1 range), written by hand; `form` adds
    filled-in text fields (tooltip -> value), as a fillable form saved by a reader."""
    ops = ["BT", "/F1 11 Tf", "72 740 Td", "14 TL"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({escaped}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("cp1252")
    fields = list((form or {}).items())
    first_field = 6
    refs = b" ".join(b"%d 0 R" % (first_field + i) for i in range(len(fields)))
    acro = b" /AcroForm << /Fields [%s] >>" % refs if fields else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R" + acro + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for number, (tip, value) in enumerate(fields, 1):
        objects.append(
            b"<< /FT /Tx /T (field%d) /TU (%s) /V (%s) /Rect [0 0 10 10] /Subtype /Widget >>"
            % (number, tip.encode("cp1252"), value.encode("cp1252"))
        )
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    data = out.getvalue()
    if title or author:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        meta = {}
        if title:
            meta["/Title"] = title
        if author:
            meta["/Author"] = author
        writer.add_metadata(meta)
        data = _written(writer)
    return data


def encrypted_pdf_bytes(lines: list[str], password: str = "secret") -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(lines))))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-128")
    return _written(writer)


def owner_only_encrypted_pdf_bytes(lines: list[str]) -> bytes:
    """Encrypted against editing only: opens with an empty password, as many real PDFs do."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(lines))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    return _written(writer)


def blank_pdf_bytes() -> bytes:
    """A page with no text layer, like a scan."""
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    return _written(writer)


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes(
    paragraphs: list[str],
    *,
    heading: str | None = None,
    table: list[list[str]] | None = None,
    title: str | None = None,
    author: str | None = None,
) -> bytes:
    document = docx.Document()
    if heading:
        document.add_heading(heading, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    document.core_properties.title = title or ""
    document.core_properties.author = author or ""
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@lru_cache(maxsize=4)  # deflating hundreds of MB takes a second: once per run
def zip_bomb_docx_bytes(expanded_mb: int = 300) -> bytes:
    """A valid-looking .docx plus one part that expands to `expanded_mb` MB of zeros."""
    base = docx_bytes(["A harmless looking document."])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        chunk = b"\0" * (1024 * 1024)
        with dst.open("word/media/filler.bin", "w", force_zip64=True) as part:
            for _ in range(expanded_mb):
                part.write(chunk)
    return out.getvalue()


def high_ratio_docx_bytes(expanded_mb: int = 20) -> bytes:
    """Under the total-size cap but with one part compressed far beyond what XML ever achieves."""
    return zip_bomb_docx_bytes(expanded_mb)
