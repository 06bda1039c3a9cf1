"""index/extract.py: every supported format, and every way a file can be refused."""

from __future__ import annotations

import logging

import pytest

from index.errors import InputError
from index.extract import ExtractError, extract_bytes, extract_file
from tests.helpers.files import (
    blank_pdf_bytes,
    docx_bytes,
    encrypted_pdf_bytes,
    high_ratio_docx_bytes,
    owner_only_encrypted_pdf_bytes,
    pdf_bytes,
    zip_bomb_docx_bytes,
)


def refused(data: bytes, name: str, **kwargs) -> str:
    with pytest.raises(ExtractError) as info:
        extract_bytes(data, name, **kwargs)
    message = str(info.value)
    assert "\n" not in message and message.startswith(name)
    return message


# -- Markdown -----------------------------------------------------------------------------------


def test_markdown_front_matter_fields_and_title():
    data = b"---\ntitle: E-seals in Peru\nauthor: SUNAT\ndate: 2021-11-26\n---\n# Heading\n\nBody text.\n"
    got = extract_bytes(data, "case.md")
    assert got.format == "markdown"
    assert got.title == "E-seals in Peru"
    assert got.fields["author"] == "SUNAT"
    assert str(got.fields["date"]) == "2021-11-26"
    assert got.text == "# Heading\n\nBody text."


def test_markdown_title_from_first_heading_else_first_line():
    assert extract_bytes(b"Intro line\n\n## Precintos electronicos ##\ntext", "a.md").title == (
        "Precintos electronicos"
    )
    setext = extract_bytes(b"Blockchain pilot\n================\ntext", "b.markdown")
    assert setext.title == "Blockchain pilot"
    assert extract_bytes(b"\n\nJust a first line\nmore", "c.md").title == "Just a first line"


def test_markdown_without_front_matter_has_empty_fields():
    got = extract_bytes(b"# T\n\nsome text", "x.MD")
    assert got.fields == {} and got.title == "T"


def test_markdown_bad_yaml_names_file_and_line():
    message = refused(b"---\ntitle: ok\nauthor: [unclosed\n---\nbody", "bad.md")
    assert "line" in message and "YAML" in message


def test_markdown_front_matter_must_be_mapping():
    message = refused(b"---\n- a\n- b\n---\nbody text", "list.md")
    assert "key: value" in message


def test_markdown_unclosed_front_matter():
    assert "no closing" in refused(b"---\ntitle: x\nbody without end", "open.md")


def test_markdown_with_only_front_matter_is_empty():
    assert "no text" in refused(b"---\ntitle: x\n---\n\n  \n", "empty.md")


# -- plain text ---------------------------------------------------------------------------------


def test_text_utf8_and_bom():
    assert extract_bytes("Precinto electrónico".encode(), "a.txt").encoding == "utf-8"
    got = extract_bytes(b"\xef\xbb\xbf" + "Scellé électronique".encode(), "b.txt")
    assert got.text == "Scellé électronique" and got.encoding == "utf-8-sig"
    got = extract_bytes("Lacre eletrônico\r\nlinha 2".encode("utf-16"), "c.txt")
    assert got.text == "Lacre eletrônico\nlinha 2" and got.encoding == "utf-16"


def test_text_windows_and_latin1_fallbacks_are_reported():
    got = extract_bytes("“Aduana” – señal".encode("cp1252"), "w.txt")
    assert got.text == "“Aduana” – señal" and got.encoding == "cp1252"
    got = extract_bytes(b"Direcci\xf3n \x81 general", "l.txt")  # 0x81 is undefined in cp1252
    assert got.encoding == "latin-1" and got.text.startswith("Dirección")


def test_text_title_is_first_line():
    assert extract_bytes(b"\n  First line here  \nsecond", "t.txt").title == "First line here"


def test_binary_renamed_txt_is_refused():
    assert "binary" in refused(b"abc\x00\x01\x02def" * 10, "photo.txt")
    assert "binary" in refused(bytes(range(1, 32)) * 50, "noise.md")


def test_pdf_or_docx_renamed_text_is_refused():
    assert "PDF" in refused(pdf_bytes(["hello"]), "report.txt")
    assert "zip" in refused(docx_bytes(["hello"]), "report.md")


def test_empty_and_whitespace_files_are_refused():
    assert "empty" in refused(b"", "e.txt")
    assert "empty" in refused(b" \n\t\n", "e.md")


# -- common checks ------------------------------------------------------------------------------


def test_unsupported_suffix():
    assert "unsupported" in refused(b"hello", "notes.rtf")
    assert "no extension" in refused(b"hello", "README")


def test_over_size_limit_bytes():
    assert "limit" in refused(b"x" * 2000, "big.txt", max_bytes=1000)


def test_over_size_limit_file_is_not_read(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 5000)

    def no_read(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(type(path), "open", no_read)
    with pytest.raises(ExtractError, match="over the"):
        extract_file(path, max_bytes=1000)


def test_extract_file_errors_name_the_file(tmp_path):
    with pytest.raises(ExtractError, match="missing.md: file not found"):
        extract_file(tmp_path / "missing.md")
    folder = tmp_path / "folder.md"
    folder.mkdir()
    with pytest.raises(ExtractError, match="folder"):
        extract_file(folder)


def test_extract_file_uses_given_name(tmp_path):
    path = tmp_path / "upload-123.txt"
    path.write_bytes(b"")
    with pytest.raises(ExtractError, match="^original.txt: "):
        extract_file(path, name="original.txt")


def test_extract_error_is_input_error():
    assert issubclass(ExtractError, InputError)


# -- PDF ----------------------------------------------------------------------------------------


def test_pdf_text_and_properties():
    data = pdf_bytes(["Blockchain AEO pilot (2021)", "Costa Rica and Peru"], title="AEO MRA", author="DGA")
    got = extract_bytes(data, "case.pdf")
    assert got.format == "pdf"
    assert "Blockchain AEO pilot (2021)" in got.text and "Costa Rica and Peru" in got.text
    assert got.fields == {"title": "AEO MRA", "author": "DGA"}
    assert got.title == "AEO MRA"


def test_pdf_without_properties_is_titled_by_its_file_name_not_its_first_line():
    got = extract_bytes(pdf_bytes(["1 / Chap 12", "Risk engine details"]), "risk_engine-2021.pdf")
    assert got.title == "risk engine-2021" and got.fields == {}


def test_pdf_not_really_a_pdf():
    assert "not a PDF" in refused(b"hello, I am text", "fake.pdf")
    assert "not a PDF" in refused(docx_bytes(["x"]), "word.pdf")


def test_encrypted_pdf_is_refused():
    assert "password" in refused(encrypted_pdf_bytes(["secret text"]), "locked.pdf")


def test_pdf_encrypted_only_against_editing_opens():
    assert extract_bytes(owner_only_encrypted_pdf_bytes(["Open text"]), "o.pdf").text == "Open text"


def test_corrupt_pdfs_are_refused():
    data = pdf_bytes(["Some text that will be cut"])
    assert "damaged" in refused(data[: len(data) // 2], "cut.pdf")
    assert "damaged" in refused(b"%PDF-1.7\n" + b"\x8f garbage \x00" * 200, "junk.pdf")


def test_pdf_without_text_layer_is_refused():
    assert "scanned" in refused(blank_pdf_bytes(), "scan.pdf")


def test_pypdf_warnings_stay_out_of_the_terminal(caplog):
    data = pdf_bytes(["Some text"])
    broken_xref = data.replace(b"startxref\n", b"startxref\n9")  # pypdf warns, then recovers
    with caplog.at_level(logging.WARNING):
        assert extract_bytes(broken_xref, "odd.pdf").text == "Some text"
    assert not [r for r in caplog.records if r.name.startswith("pypdf") and r.levelno < logging.ERROR]


# -- Word .docx ---------------------------------------------------------------------------------


def test_docx_paragraphs_tables_and_properties():
    data = docx_bytes(
        ["We sealed 4,000 containers.", "Lessons: train drivers."],
        heading="E-seal rollout",
        table=[["Year", "Seals"], ["2022", "4000"]],
        author="Aduanas Chile",
    )
    got = extract_bytes(data, "rollout.docx")
    assert got.format == "docx"
    assert "We sealed 4,000 containers." in got.text
    assert "Year | Seals" in got.text and "2022 | 4000" in got.text
    assert got.title == "E-seal rollout"
    assert got.fields == {"author": "Aduanas Chile"}


def test_docx_core_title_wins():
    got = extract_bytes(docx_bytes(["body text"], heading="Heading", title="Core title"), "t.docx")
    assert got.title == "Core title" and got.fields["title"] == "Core title"


def test_docx_merged_cells_once():
    import io

    import docx

    document = docx.Document()
    table = document.add_table(rows=1, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text = "Merged"
    table.cell(0, 2).text = "Other"
    out = io.BytesIO()
    document.save(out)
    assert extract_bytes(out.getvalue(), "m.docx").text == "Merged | Other"


def test_docx_not_a_zip():
    assert "not a zip" in refused(b"plain text pretending", "fake.docx")
    assert "PDF" in refused(pdf_bytes(["x"]), "fake.docx")


def test_docx_damaged_zip():
    data = docx_bytes(["some words"])
    assert "damaged" in refused(data[: len(data) // 3], "cut.docx")


def test_zip_that_is_not_a_word_document():
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert "not a Word document" in refused(out.getvalue(), "archive.docx")


def test_docx_zip_bomb_total_size():
    assert "expand" in refused(zip_bomb_docx_bytes(210), "bomb.docx")


def test_docx_zip_bomb_ratio():
    assert "zip bomb" in refused(high_ratio_docx_bytes(8), "ratio.docx")


def test_docx_empty_document():
    assert "no text" in refused(docx_bytes([]), "empty.docx")
