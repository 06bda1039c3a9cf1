"""`clikc-bot submit` and `review …` end to end, through the real CLI entry point and knowledge base."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.helpers.files import docx_bytes, encrypted_pdf_bytes, pdf_bytes

# Distinctive words ("Quetzalwatch", "Tortugachain", "Manatimodel") so the shipped samples never match.
MARKDOWN = """---
title: Quetzalwatch e-seals for transit cargo
author: Aduana de Guatemala
---
# Quetzalwatch

We fitted electronic seals with GPS to every transit container between the ports and the Mexican border.
The seals report their position every five minutes and alert the monitoring centre when a container is
opened outside an authorised zone. Transit times fell by a third and three diversions were caught.
Lessons learned: train the drivers first and agree who pays for the seal batteries.
"""
PDF_LINES = [
    "Tortugachain: certificates of origin on a permissioned blockchain",
    "Our administration and two partners issue certificates of origin on a shared ledger, so",
    "importers no longer present paper certificates and verification takes minutes, not weeks.",
    "Results: forty thousand certificates in the first year; lessons learned: agree on governance",
    "and data standards with the partner administrations before writing any code at all.",
]
DOCX_PARAGRAPHS = [
    "Manatimodel scores import declarations for undervaluation risk with machine learning.",
    "It learns from five years of declarations, seizure outcomes and reference prices per tariff line,",
    "and ranks declarations so officers inspect the riskiest first. The inspection hit rate rose from",
    "eight to twenty-one percent. Lessons learned: involve officers early and retrain every quarter.",
]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    paths = {
        "md": folder / "quetzalwatch.md",
        "pdf": folder / "tortugachain.pdf",
        "docx": folder / "manatimodel.docx",
    }
    paths["md"].write_text(MARKDOWN, encoding="utf-8")
    paths["pdf"].write_bytes(pdf_bytes(PDF_LINES, title="Tortugachain certificates of origin"))
    paths["docx"].write_bytes(docx_bytes(DOCX_PARAGRAPHS, heading="Manatimodel valuation risk"))
    return paths


def run(capsys, tmp_path: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(tmp_path / "data"), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def submit_json(capsys, tmp_path: Path, *argv: str) -> dict:
    code, out, err = run(capsys, tmp_path, "submit", *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def ask_ids(capsys, tmp_path: Path, question: str) -> list[str]:
    code, out, err = run(capsys, tmp_path, "ask", question, "--json")
    assert code == 0, err
    return [hit["id"] for hit in json.loads(out)["results"]]


def test_submit_review_and_ask(capsys, tmp_path, files):
    md = submit_json(capsys, tmp_path, "--file", str(files["md"]))
    pdf = submit_json(capsys, tmp_path, "--file", str(files["pdf"]), "--member", "Aduana de Costa Rica")
    docx = submit_json(capsys, tmp_path, "--file", str(files["docx"]), "--member", "Aduana de Chile")
    assert md["submission"]["member"] == "Aduana de Guatemala"
    assert pdf["submission"]["title"] == "Tortugachain certificates of origin"
    assert docx["submission"]["title"] == "Manatimodel valuation risk"
    ids = [md["id"], pdf["id"], docx["id"]]
    assert all(not receipt["duplicate"] for receipt in (md, pdf, docx))

    code, out, _ = run(capsys, tmp_path, "review", "list")
    assert code == 0 and all(sub_id in out for sub_id in ids) and out.count("pending") == 3

    code, out, _ = run(capsys, tmp_path, "review", "approve", pdf["id"])
    assert code == 0 and f"Approved {pdf['id']}" in out and "announcement queued" in out
    code, out, _ = run(capsys, tmp_path, "review", "reject", docx["id"], "--reason", "Please add figures.")
    assert code == 0 and "The submitter will be told: Please add figures." in out

    assert ask_ids(capsys, tmp_path, "Tortugachain certificates of origin")[0] == f"case-study:{pdf['id']}"
    assert f"case-study:{docx['id']}" not in ask_ids(capsys, tmp_path, "Manatimodel undervaluation")
    assert f"case-study:{md['id']}" not in ask_ids(capsys, tmp_path, "Quetzalwatch seals")

    code, out, _ = run(capsys, tmp_path, "review", "list", "--json")
    statuses = {sub["id"]: sub["status"] for sub in json.loads(out)}
    assert statuses == {md["id"]: "pending", pdf["id"]: "approved", docx["id"]: "rejected"}
    assert json.loads(out)[0]["id"] == md["id"]  # pending first

    code, out, _ = run(capsys, tmp_path, "review", "show", docx["id"])
    assert "[rejected]" in out and "Please add figures." in out and "rejected  by" in out

    code, out, _ = run(capsys, tmp_path, "review", "outbox", "--json")
    kinds = [(note["kind"], note["submission_id"]) for note in json.loads(out)]
    assert kinds == [
        ("case-study-published", pdf["id"]),
        ("submission-approved", pdf["id"]),
        ("submission-rejected", docx["id"]),
    ]


def test_duplicate_submission_says_so(capsys, tmp_path, files):
    first = submit_json(capsys, tmp_path, "--file", str(files["md"]))
    code, out, _ = run(capsys, tmp_path, "submit", "--file", str(files["md"]))
    assert code == 0 and out.startswith(f"Already received as {first['id']}")


def test_edit_then_show(capsys, tmp_path, files):
    receipt = submit_json(capsys, tmp_path, "--file", str(files["md"]))
    code, out, _ = run(capsys, tmp_path, "review", "edit", receipt["id"], "--technologies", "iot,analytics")
    assert code == 0 and "technologies: iot -> iot,analytics" in out
    code, out, _ = run(capsys, tmp_path, "review", "show", receipt["id"], "--json")
    shown = json.loads(out)
    assert shown["technologies"] == ["iot", "analytics"] and shown["history"][-1]["action"] == "edited"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["review", "approve", "cs-000000"], "no submission with id 'cs-000000'"),
        (["review", "show", "whatever"], "no submission with id 'whatever'"),
        (["review", "edit", "cs-000000", "--lang", "en"], "no submission"),
        (["submit", "--title", "T", "--member", "M", "--summary", "Too short."], "too short"),
        (["submit"], "a title is needed"),
    ],
)
def test_bad_input_is_one_line_exit_2(capsys, tmp_path, argv, message):
    code, out, err = run(capsys, tmp_path, *argv)
    assert code == 2 and out == ""
    assert err.startswith("clikc-bot: ") and message in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("fake.pdf", b"just text, not a PDF at all", "not a PDF"),
        ("locked.pdf", encrypted_pdf_bytes(PDF_LINES), "password-protected"),
        ("fake.docx", b"just text", "not a zip"),
        ("image.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "binary"),
        ("notes.rtf", b"{\\rtf1 hello}", "unsupported"),
    ],
    ids=["not-pdf", "encrypted-pdf", "not-zip-docx", "binary-md", "rtf"],
)
def test_bad_files_store_nothing(capsys, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    code, _, err = run(capsys, tmp_path, "submit", "--file", str(path), "--member", "M")
    assert code == 2 and message in err and err.startswith(f"clikc-bot: {name}: ")
    code, out, _ = run(capsys, tmp_path, "review", "list", "--json")
    assert json.loads(out) == []
    assert not any((tmp_path / "data" / "files" / "submissions").iterdir())


def test_file_over_the_configured_cap(capsys, tmp_path):
    config = tmp_path / "clikc.yaml"
    config.write_text("ingest:\n  max_file_mb: 0.001\nglossary: none.yaml\n", encoding="utf-8")
    big = tmp_path / "big.md"
    big.write_text(MARKDOWN * 3, encoding="utf-8")
    code = main(["--config", str(config), "--data-dir", str(tmp_path / "data"), "submit", "--file", str(big)])
    err = capsys.readouterr().err
    assert code == 2 and "big.md: file is" in err and "limit" in err


def test_missing_file(capsys, tmp_path):
    code, _, err = run(capsys, tmp_path, "submit", "--file", str(tmp_path / "nope.md"))
    assert code == 2 and "nope.md: file not found" in err
