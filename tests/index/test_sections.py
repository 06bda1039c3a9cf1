"""Long documents go in as sections (pages for PDFs, headings otherwise), found and linked one by one,
while `index remove` and re-adding treat the document as one unit."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader, PdfWriter

from bot.cli import main
from index.ingest import ingest_paths
from index.sections import SECTION_OF
from tests.conftest import CONFIG_DIR
from tests.helpers.files import pdf_bytes

FILLER = "The declaration is lodged before the goods arrive and risk rules select it for control."


@pytest.fixture
def demo(tmp_path, capsys):
    """The CLI on the shipped config (sections of 20,000 characters) and a fresh data directory."""

    def run(*args: str) -> tuple[int, str, str]:
        config = ["--config", str(CONFIG_DIR / "clikc.yaml"), "--data-dir", str(tmp_path / "var")]
        status = main([*config, *args])
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return run


def word(n: int) -> str:
    """A made-up word found on one page or under one heading only."""
    return "zq" + "".join(chr(ord("a") + int(d)) for d in f"{n:03d}") + "vex"


def long_pdf(pages: int, lines_per_page: int = 40) -> bytes:
    writer = PdfWriter()
    for number in range(1, pages + 1):
        lines = [f"Page {number} {word(number)}"] + [FILLER] * lines_per_page
        writer.add_page(PdfReader(io.BytesIO(pdf_bytes(lines))).pages[0])
    writer.add_metadata({"/Title": "Customs Code of Testland"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def long_markdown(headings: int, repeats: int = 30) -> str:
    body = ["---\nid: guide\nkind: workshop-summary\nurl: https://example.org/guide\n---\n# Border guide\n"]
    for number in range(1, headings + 1):
        body.append(f"## Chapter {number} {word(100 + number)}\n\n" + "\n\n".join([FILLER] * repeats) + "\n")
    return "\n".join(body)


def ids(kb, query: str) -> list[str]:
    return [hit.id for hit in kb.search(query).results]


def test_a_long_pdf_is_found_page_range_by_page_range(kb, tmp_path: Path):
    path = tmp_path / "code.pdf"
    path.write_bytes(long_pdf(8))  # ~3.6k characters a page
    report = ingest_paths(kb, [path], section_chars=8_000, limits=None)
    assert report.skipped == []
    assert report.added == 1 + 4  # the parent and four sections of two pages
    section = kb.get("code#s3")
    assert section.title == "Customs Code of Testland — pp. 5–6"
    assert section.meta[SECTION_OF] == "code"
    assert word(5) in section.text and word(6) in section.text and word(7) not in section.text
    assert ids(kb, word(6))[0] == "code#s3"
    assert ids(kb, word(8))[0] == "code#s4"
    assert kb.get("code").title == "Customs Code of Testland"


def test_a_pdf_section_links_to_its_first_page(kb, tmp_path: Path):
    pdf = tmp_path / "code.pdf"
    pdf.write_bytes(long_pdf(4))
    ingest_paths(
        kb, [pdf], section_chars=4_000, limits=None, defaults={"url": "https://example.org/code.pdf"}
    )
    assert [kb.get(f"code#s{n}").url for n in (1, 2, 3, 4)] == [
        f"https://example.org/code.pdf#page={n}" for n in (1, 2, 3, 4)
    ]
    assert kb.get("code#s2").title.endswith(" — p. 2")


def test_a_long_markdown_file_is_split_at_its_headings(kb, tmp_path: Path):
    path = tmp_path / "guide.md"
    path.write_text(long_markdown(5), encoding="utf-8")  # ~2.7k characters under each heading
    report = ingest_paths(kb, [path], section_chars=3_000, limits=None)
    assert report.added == 1 + 5
    titles = [kb.get(f"guide#s{n}").title for n in range(1, 6)]
    assert titles[1:] == [f"Border guide — Chapter {n} {word(100 + n)}" for n in range(2, 6)]
    assert ids(kb, word(103))[0] == "guide#s3"
    section = kb.get("guide#s3")
    assert (section.kind, section.url) == ("workshop-summary", "https://example.org/guide")
    assert section.source == str(path)
    assert kb.get("guide#s5").text.startswith(f"## Chapter 5 {word(105)}")


def test_a_long_word_file_is_split_at_its_headings(kb, tmp_path: Path):
    document = docx.Document()
    document.core_properties.title = "Tariff chapter"
    for number in range(1, 4):
        document.add_heading(f"Heading {number} {word(200 + number)}", level=1)
        for _ in range(30):
            document.add_paragraph(FILLER)
    path = tmp_path / "tariff.docx"
    document.save(path)
    assert ingest_paths(kb, [path], section_chars=3_000, limits=None).added == 1 + 3
    assert kb.get("tariff#s2").title == f"Tariff chapter — Heading 2 {word(202)}"
    assert ids(kb, word(203))[0] == "tariff#s3"


def test_a_short_file_stays_one_document(kb, tmp_path: Path):
    path = tmp_path / "short.md"
    path.write_text(long_markdown(2, repeats=2), encoding="utf-8")
    assert ingest_paths(kb, [path], section_chars=3_000, limits=None).added == 1
    assert kb.store.section_ids(["guide"]) == []


def test_re_adding_a_shorter_version_leaves_no_stale_section(kb, tmp_path: Path):
    path = tmp_path / "guide.md"
    path.write_text(long_markdown(5), encoding="utf-8")
    ingest_paths(kb, [path], section_chars=3_000, limits=None)
    path.write_text(long_markdown(2), encoding="utf-8")
    ingest_paths(kb, [path], section_chars=3_000, limits=None)
    assert kb.store.section_ids(["guide"]) == ["guide#s1", "guide#s2"]
    assert ids(kb, word(104)) == []
    path.write_text(long_markdown(1, repeats=2), encoding="utf-8")  # now short: no sections at all
    ingest_paths(kb, [path], section_chars=3_000, limits=None)
    assert kb.store.section_ids(["guide"]) == []
    assert kb.store.count() == 1


def test_index_remove_removes_the_document_with_its_sections(demo, tmp_path: Path):
    path = tmp_path / "guide.md"
    path.write_text(long_markdown(3, repeats=120), encoding="utf-8")  # ~11k characters a heading
    status, out, _ = demo("index", "add", str(path))
    assert (status, out.splitlines()[0]) == (0, "added 4, updated 0, unchanged 0, skipped 0")
    _, out, _ = demo("ask", word(102), "--json")
    assert [hit["id"] for hit in json.loads(out)["results"]] == ["guide#s2"]
    status, out, err = demo("index", "remove", "guide")
    assert (status, err) == (0, "")
    assert out == "removed 4 document(s): guide, guide#s1, guide#s2, guide#s3\n"
    _, out, _ = demo("ask", word(102), "--json")
    assert json.loads(out)["results"] == []


RELLENO = "La declaración se presenta antes de que lleguen las mercancías y el riesgo decide el control."


def test_section_labels_are_in_the_documents_language(demo, tmp_path: Path):
    """Issue 14: "pp." was English in every document; labels come from strings.yaml (en/es/fr/pt)."""
    writer = PdfWriter()
    for number in range(1, 9):
        lines = [f"Página {number} {word(number)}"] + [RELLENO] * 40
        writer.add_page(PdfReader(io.BytesIO(pdf_bytes(lines))).pages[0])
    writer.add_metadata({"/Title": "Código Aduanero de Pruebas"})
    out = io.BytesIO()
    writer.write(out)
    (tmp_path / "codigo.pdf").write_bytes(out.getvalue())
    status, _, err = demo("index", "add", str(tmp_path / "codigo.pdf"))
    assert (status, err) == (0, "")
    _, out, _ = demo("ask", word(2), "--json")
    titles = [hit["title"] for hit in json.loads(out)["results"]]
    assert titles[0].startswith("Código Aduanero de Pruebas — págs. "), titles
    assert not any(" pp. " in title for title in titles)


def test_parts_without_pages_or_headings_are_labelled_in_the_given_language(kb, tmp_path: Path):
    from index.sections import SectionLabels

    path = tmp_path / "notes.txt"
    path.write_text("Notas del taller\n\n" + "\n\n".join([RELLENO] * 300), encoding="utf-8")
    labels = {
        "en": SectionLabels(),
        "es": SectionLabels("pág. {page}", "págs. {first}–{last}", "parte {number} de {total}"),
    }
    ingest_paths(kb, [path], section_chars=10_000, limits=None, section_labels=labels)
    assert kb.get("notes#s2").title == "Notas del taller — parte 2 de 3"
    english = tmp_path / "en" / "notes.txt"
    english.parent.mkdir()
    english.write_text("Workshop notes\n\n" + "\n\n".join([FILLER] * 300), encoding="utf-8")
    ingest_paths(kb, [english], section_chars=10_000, limits=None, section_labels=labels)
    assert kb.get("notes#s2").title == "Workshop notes — part 2 of 3"
