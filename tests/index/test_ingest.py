"""`index add`: every file format, folders, re-adding, and bad files skipped with a reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.ingest import ingest_paths
from tests.conftest import SHARED
from tests.helpers.files import docx_bytes, encrypted_pdf_bytes, pdf_bytes

SEAL_MD = """---
id: seal-pilot
kind: case-study
title: Precintos electrónicos en tránsito
author: Aduana de ejemplo
date: 2022-04-20
url: https://example.org/seal
---
Probamos precintos electrónicos con GPS en los tránsitos entre el puerto y tres aduanas interiores.
"""


@pytest.fixture
def src(tmp_path: Path) -> Path:
    """Input files, apart from the knowledge base's own data directory."""
    return tmp_path / "src"


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_markdown_front_matter_becomes_the_document(kb, src):
    report = ingest_paths(kb, [write(src / "seal.md", SEAL_MD)])
    assert (report.added, report.skipped) == (1, [])
    doc = kb.get("seal-pilot")
    assert (doc.kind, doc.title, doc.author, doc.url) == (
        "case-study",
        "Precintos electrónicos en tránsito",
        "Aduana de ejemplo",
        "https://example.org/seal",
    )
    assert doc.date.isoformat() == "2022-04-20T00:00:00+00:00"
    hit = kb.search("electronic seals").results[0]
    assert (hit.id, hit.lang, hit.technologies) == ("seal-pilot", "es", ("iot",))


def test_every_field_is_optional_and_the_id_comes_from_the_path(kb, src):
    write(src / "docs" / "notes" / "Seal Notes.md", "Probamos precintos electrónicos en la frontera.")
    write(src / "docs" / "plain.txt", "We tested RFID readers at the land border crossing.")
    report = ingest_paths(kb, [src / "docs"])
    assert report.added == 2
    assert kb.get("notes-seal-notes").kind == "post"
    assert kb.get("plain").text.startswith("We tested RFID")


def test_pdf_and_word_files(kb, src):
    write(src / "a.pdf", pdf_bytes(["Machine learning flagged undervalued imports at the port."]))
    write(src / "b.docx", docx_bytes(["Cadena de bloques para certificados de origen."]))
    report = ingest_paths(kb, [src])
    assert (report.added, report.skipped) == (2, [])
    assert [h.id for h in kb.search("undervaluation").results] == ["a"]
    assert [h.id for h in kb.search("blockchain certificate of origin").results] == ["b"]


def test_re_adding_updates_instead_of_duplicating(kb, src):
    path = write(src / "seal.md", SEAL_MD)
    ingest_paths(kb, [path])
    assert ingest_paths(kb, [path]).unchanged == 1
    write(path, SEAL_MD.replace("tres aduanas", "cuatro aduanas"))
    report = ingest_paths(kb, [path])
    assert (report.added, report.updated) == (0, 1)
    assert kb.stats().documents == 1


def test_json_lines_with_bad_lines_skipped(kb, src):
    lines = [
        json.dumps({"id": "j1", "text": "Precintos electrónicos en Paraguay", "author": "py", "lang": "es"}),
        "{not json",
        json.dumps({"id": "j2", "text": ""}),
        json.dumps(["a list"]),
        json.dumps({"id": "j3", "text": "RFID at the border", "kind": "memo"}),
        "",
        json.dumps({"text": "Blockchain para OEA", "date": "2023-02-01", "technologies": ["blockchain"]}),
    ]
    path = write(src / "posts.jsonl", "\n".join(lines))
    report = ingest_paths(kb, [path])
    assert report.added == 2
    assert [why for _, why in report.skipped] == [
        "invalid JSON: Expecting property name enclosed in double quotes",
        "no text",
        "expected a JSON object",
        "kind 'memo' is not one of post, workshop-summary, case-study",
    ]
    assert [where for where, _ in report.skipped][0] == f"{path}:2"
    assert kb.get("posts-7").technologies == ("blockchain",)


def test_discord_chat_exporter_file(kb):
    export = SHARED / "samples" / "dce-experiencias.json"
    if not export.exists():
        pytest.skip("shared/samples is not beside the project")
    report = ingest_paths(kb, [export])
    assert report.added == 4  # the attachment-only message is kept by its file name
    assert report.notes == [
        f"{export}: left out 1 bot messages, 1 system messages",
        f"{export}: kept 1 messages with only attachments or embeds",
    ]
    langs = sorted(kb.search(q).results[0].lang for q in ("precintos", "seal alerts", "aprendizado"))
    assert langs == ["en", "es", "pt"]
    doc = kb.get("discord-931000000000000001")
    assert doc.url == "https://discord.com/channels/912345678901234567/912345678901234999/931000000000000001"
    assert doc.meta["author_id"] == "811111111111111111"
    assert "@everyone" not in " ".join(d.text for d, _ in kb.store.all())


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("broken.md", "---\ntitle: [unclosed\n---\ntext", "invalid YAML front matter"),
        ("binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        ("empty.txt", "   \n", "empty"),
        ("fake.pdf", "this is not a pdf", "not a PDF"),
        ("locked.pdf", encrypted_pdf_bytes(["secret"]), "password"),
        ("notzip.docx", "plain text", "not a zip"),
        ("notes.rtf", "{\\rtf1 hello}", "unsupported file type '.rtf'"),
        ("badkind.md", "---\nkind: memo\n---\ntext here", "kind 'memo'"),
        ("export.json", '{"foo": 1}', "not a DiscordChatExporter channel export"),
    ],
)
def test_bad_files_are_skipped_with_one_line_and_the_rest_still_go_in(kb, src, name, content, reason):
    write(src / "good.md", SEAL_MD)
    write(src / name, content)
    report = ingest_paths(kb, [src])
    assert report.added == 1
    [(where, why)] = report.skipped
    assert where == str(src / name)
    assert reason in why and "\n" not in why


def test_oversized_file_is_skipped(kb, src):
    write(src / "big.txt", "precintos " * 2000)
    report = ingest_paths(kb, [src], max_file_bytes=1000)
    assert report.added == 0 and "limit" in report.skipped[0][1]


def test_missing_path_and_hidden_files(kb, src):
    write(src / ".hidden.md", SEAL_MD)
    write(src / "README.md", "What this folder is.")
    report = ingest_paths(kb, [src, src / "nope"])
    assert report.added == 0
    assert report.skipped == [(str(src / "nope"), "not found")]
