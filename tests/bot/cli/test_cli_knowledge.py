"""The `ask` and `index` commands as a user runs them: real config, fresh data directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import CONFIG_DIR


@pytest.fixture
def run(tmp_path: Path, capsys):
    """Run the CLI on the shipped config and a fresh data directory; returns (status, out, err)."""

    def _run(*args: str) -> tuple[int, str, str]:
        status = main(
            ["--config", str(CONFIG_DIR / "clikc.yaml"), "--data-dir", str(tmp_path / "var"), *args]
        )
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return _run


def test_a_fresh_data_directory_answers_from_the_shipped_samples(run):
    status, out, err = run("ask", "experiences on blockchain or IoT", "--json")
    assert (status, err) == (0, "")
    answer = json.loads(out)
    assert set(answer) == {"query", "results", "total", "did_you_mean", "counts"}
    assert len(answer["results"]) == 5
    # Counts are over every match, not the five shown: each match has exactly one type and kind.
    assert set(answer["counts"]) == {"country", "technology", "kind", "type"}
    assert sum(answer["counts"]["type"].values()) == answer["total"] > 5
    assert sum(answer["counts"]["kind"].values()) == answer["total"]
    # Asked for experiences, the reports come first: no question post among the first three.
    assert all(r["type"] == "experience" for r in answer["results"][:3]), answer["results"]
    first = answer["results"][0]
    assert set(first) >= {
        "id",
        "kind",
        "title",
        "snippet",
        "score",
        "lang",
        "technologies",
        "author",
        "date",
        "url",
        "type",
    }
    assert {"blockchain", "iot"} & {t for r in answer["results"] for t in r["technologies"]}


@pytest.mark.parametrize(
    "question",
    [
        "¿quién usa precintos electrónicos?",
        "qui a utilisé l'apprentissage automatique pour la valeur en douane ?",
        "alguém usa lacre eletrônico?",
        "electronic seals for transit",
    ],
)
def test_questions_in_each_language_get_answers(run, question):
    status, out, _ = run("ask", question, "--limit", "3")
    assert status == 0
    assert out.startswith("1. ")


def test_plain_text_answer_shows_snippet_who_when_and_link(run):
    status, out, _ = run("ask", "precintos electrónicos", "--limit", "1")
    lines = out.splitlines()
    assert status == 0 and len(lines) >= 4
    assert "**" in lines[1]  # highlighted snippet
    assert " · " in lines[2]  # author · date · technologies


def test_did_you_mean(run):
    _, out, _ = run("ask", "blokchain", "--json")
    assert json.loads(out)["did_you_mean"] == "blockchain"
    _, out, _ = run("ask", "inteligencia artifical")
    assert out.splitlines()[0] == "Did you mean: inteligencia artificial"


def test_filters_from_flags(run):
    _, out, _ = run("ask", "pilot project", "--technology", "iot", "--kind", "case-study", "--json")
    results = json.loads(out)["results"]
    assert results and all(r["kind"] == "case-study" and "iot" in r["technologies"] for r in results)
    _, out, _ = run("ask", "precintos", "--since", "2030-01-01", "--json")
    assert json.loads(out)["results"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", ""], "clikc-bot: Please ask with a few words"),
        (["ask"], "clikc-bot: ask needs a question"),
        (["ask", "x", "--limit", "0"], "clikc-bot: --limit must be between 1 and 100"),
        (["ask", "x", "--since", "yesterday-ish"], "clikc-bot: --since: date 'yesterday-ish' is not a date"),
        (["ask", "x", "--batch", "/no/such/file"], "clikc-bot: /no/such/file: cannot read"),
    ],
)
def test_bad_input_is_one_line_on_stderr(run, args, message):
    status, out, err = run(*args)
    assert status == 2 and out == ""
    assert err.startswith(message) and err.count("\n") == 1


def test_batch_prints_one_json_line_per_question_in_order(run, tmp_path):
    questions = tmp_path / "q.txt"
    questions.write_text("precintos electrónicos\n\nblockchain OEA\n", encoding="utf-8")
    status, out, _ = run("ask", "--batch", str(questions), "--limit", "2")
    rows = [json.loads(line) for line in out.splitlines()]
    assert status == 0
    assert [r["query"] for r in rows] == ["precintos electrónicos", "", "blockchain OEA"]
    assert "error" in rows[1] and len(rows[0]["results"]) == 2


def test_index_add_stats_and_rebuild(run, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.md").write_text(
        "---\nid: extra-a\n---\nProbamos drones en la frontera norte.", encoding="utf-8"
    )
    (folder / "b.md").write_text("---\nkind: memo\n---\ntext", encoding="utf-8")
    status, out, _ = run("index", "add", str(folder))
    assert status == 1  # something was skipped: scripts can tell
    assert out.splitlines()[0] == "added 1, updated 0, unchanged 0, skipped 1"
    assert "b.md: kind 'memo' is not one of post, workshop-summary, case-study" in out
    _, out, _ = run("index", "stats", "--json")
    stats = json.loads(out)
    assert stats["pending"] == 0 and stats["documents"] > 20
    _, out, _ = run("index", "rebuild")
    assert out == f"rebuilt the search index: {stats['documents']} documents\n"
    _, out, _ = run("ask", "drones frontera", "--json")
    assert json.loads(out)["results"][0]["id"] == "extra-a"


def test_broken_glossary_stops_with_a_clear_message(tmp_path, capsys):
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    (config_dir / "clikc.yaml").write_text("glossary: glossary.yaml\n", encoding="utf-8")
    (config_dir / "glossary.yaml").write_text("blockchain:\n  group: crypto\n  en: [x]\n", encoding="utf-8")
    status = main(["--config", str(config_dir / "clikc.yaml"), "ask", "blockchain"])
    err = capsys.readouterr().err
    assert status == 2
    assert (
        err
        == f"clikc-bot: {config_dir / 'glossary.yaml'}: concept 'blockchain': group 'crypto' is not one of "
        "blockchain, iot, analytics\n"
    )


def test_index_add_kind_for_files_without_front_matter(run, tmp_path):
    summary = tmp_path / "summary.txt"
    summary.write_text("Regional workshop notes: RFID readers at the land border.\nMore notes.", "utf-8")
    status, out, _ = run("index", "add", str(summary), "--kind", "workshop-summary", "--author", "WCO")
    assert (status, out.splitlines()[0]) == (0, "added 1, updated 0, unchanged 0, skipped 0")
    _, out, _ = run("ask", "RFID land border", "--kind", "workshop-summary", "--json")
    hit = json.loads(out)["results"][0]
    assert (hit["id"], hit["author"], hit["title"]) == (
        "summary",
        "WCO",
        "Regional workshop notes: RFID readers at the land border.",
    )


def test_index_add_beside_a_busy_index_says_the_documents_are_queued(run, tmp_path, monkeypatch):
    import index.whoosh.engine
    from tests.conftest import open_kb

    run("index", "stats")  # creates and seeds the data directory
    monkeypatch.setattr(index.whoosh.engine, "WRITER_WAIT_SECONDS", 0.2)
    bot = open_kb(tmp_path / "var")
    doc = tmp_path / "late.md"
    doc.write_text("---\nid: late\n---\nProbamos precintos con GPS en la frontera sur.", "utf-8")
    with bot.engine.folder.locked(timeout=1):  # the running bot is mid-commit
        status, out, _ = run("index", "add", str(doc))
        assert status == 0 and out.splitlines()[0] == "added 1, updated 0, unchanged 0, skipped 0"
        assert "1 change(s) are saved but not searchable yet" in out
        status, out, err = run("ask", "precintos frontera sur", "--json")  # reads never wait for writers
        assert (status, err) == (0, "") and json.loads(out)["results"]
    bot.sync()  # the bot's next write applies the whole journal
    _, out, _ = run("ask", "precintos frontera sur", "--json")
    assert json.loads(out)["results"][0]["id"] == "late"
    bot.close()


def test_ask_filters_by_document_type_and_shows_it(run):
    status, out, _ = run("ask", "slides blockchain IoT", "--type", "question", "--json")
    assert status == 0
    answer = json.loads(out)
    assert answer["results"] and {r["type"] for r in answer["results"]} == {"question"}
    assert answer["counts"]["type"] == {"question": answer["total"]}
    status, out, _ = run("ask", "electronic seals for transit", "--limit", "2")
    assert status == 0
    assert "types: experience" in out  # the counts line, over all matches
    assert ", experience, " in out.splitlines()[0]  # each answer says what it is


def test_ask_with_an_unknown_type_is_one_clear_error(run, capsys):
    with pytest.raises(SystemExit) as exited:
        run("ask", "seals", "--type", "gossip")
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert "invalid choice: 'gossip'" in err.strip().splitlines()[-1] and "Traceback" not in err


@pytest.mark.parametrize("value", ["two", "-1", "2.5"])
def test_index_add_with_a_bad_worker_count_is_one_clear_error(run, capsys, tmp_path, value):
    doc = tmp_path / "post.md"
    doc.write_text("Precintos electrónicos en tránsito.", encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        run("index", "add", str(doc), "--workers", value)
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert "expected 'auto'" in err.strip().splitlines()[-1] and "Traceback" not in err


def test_index_add_uses_the_pool_unless_told_otherwise(run, monkeypatch, tmp_path):
    """`index add` defaults to `--workers auto` (a long stream on both cores); `--workers 0` keeps
    it in one process. What reaches the ingest is checked; the pool itself is tested in
    tests/index/test_bulk_ingest.py."""
    import bot.cli.knowledge

    seen: list = []
    real = bot.cli.knowledge.ingest_paths
    monkeypatch.setattr(
        bot.cli.knowledge, "ingest_paths", lambda *a, **k: seen.append(k["workers"]) or real(*a, **k)
    )
    doc = tmp_path / "post.md"
    doc.write_text("Precintos electrónicos en tránsito.", encoding="utf-8")
    assert run("index", "add", str(doc))[0] == 0
    assert run("index", "add", str(doc), "--workers", "0")[0] == 0
    assert seen == ["auto", 0]
