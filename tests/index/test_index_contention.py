"""Readers during rebuilds and beside a writer: they keep answering, from the old index if need be."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import CONFIG_DIR, open_kb
from tests.index.test_index_damage import QUESTION, _cli

READER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import index.whoosh  # noqa: F401
    from index.database import Database
    from index.knowledge import KnowledgeBase
    data, config, stop = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    kb = KnowledgeBase.open(
        Database(data / "clikc.db"), data / "index", glossary_path=config / "glossary.yaml",
        countries_path=config / "countries.yaml", access="read",
    )
    print("ready", flush=True)
    with open(sys.argv[5], "w") as out:
        while not stop.exists():
            try:
                answer = kb.search(sys.argv[4])
                print(json.dumps([[h.id for h in answer.results], answer.total]), file=out, flush=True)
            except Exception as exc:
                print(json.dumps(["error", f"{type(exc).__name__}: {exc}"]), file=out, flush=True)
    """
)

HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from index.index_folder import IndexFolder
    with IndexFolder(Path(sys.argv[1])).locked(timeout=5):
        print("holding", flush=True)
        sys.stdin.readline()  # until the test is done
    """
)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    data = tmp_path / "var"
    assert _cli(data, "index", "stats")[0] == 0  # a seeded data directory
    return data


def _expected(data: Path) -> tuple[list[str], int]:
    kb = open_kb(data, access="read")
    try:
        answer = kb.search(QUESTION)
        return [hit.id for hit in answer.results], answer.total
    finally:
        kb.close()
        kb.store.db.close()


def test_a_reader_thread_never_sees_a_rebuild(data):
    expected = _expected(data)
    kb = open_kb(data)
    seen: list = []
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            try:
                answer = kb.search(QUESTION)
                seen.append(([hit.id for hit in answer.results], answer.total))
            except Exception as exc:  # noqa: BLE001 - recorded: the test asserts there is none
                seen.append(repr(exc))

    reader = threading.Thread(target=ask)
    reader.start()
    try:
        for _ in range(3):
            assert kb.rebuild() == 26
    finally:
        stop.set()
        reader.join()
        kb.close()
        kb.store.db.close()
    assert seen and all(answer == expected for answer in seen), {str(a) for a in seen if a != expected}


def test_a_reader_process_never_sees_a_rebuild(data, tmp_path):
    expected = _expected(data)
    stop, answers_file = tmp_path / "stop", tmp_path / "answers.jsonl"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(data), str(CONFIG_DIR), str(stop), QUESTION, str(answers_file)],
        stdout=subprocess.PIPE,
        text=True,
    )

    def answered() -> int:
        return answers_file.read_text().count("\n") if answers_file.exists() else 0

    try:
        assert reader.stdout.readline() == "ready\n"
        kb = open_kb(data)
        for _ in range(3):
            before = answered()
            assert kb.rebuild() == 26
            deadline = time.monotonic() + 60
            while answered() == before and time.monotonic() < deadline:  # it asks again after each
                time.sleep(0.05)
        kb.close()
        kb.store.db.close()
    finally:
        stop.touch()
        reader.wait(timeout=60)
        reader.stdout.close()
    answers = [json.loads(line) for line in answers_file.read_text().splitlines()]
    assert answers and all(answer == [expected[0], expected[1]] for answer in answers), answers[:3]
    left = [p.name for p in (data / "index").iterdir()]
    assert sorted(left)[:2] == ["CURRENT", "LOCK"] and len(left) == 3  # old generations removed


def test_reads_answer_while_another_process_holds_the_write_lock(data, tmp_path, monkeypatch):
    import index.whoosh.engine

    monkeypatch.setattr(index.whoosh.engine, "WRITER_WAIT_SECONDS", 0.2)
    monkeypatch.setattr(index.whoosh.engine, "REBUILD_WAIT_SECONDS", 0.5)
    expected = _expected(data)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data / "index")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "holding\n"
        status, out, err = _cli(data, "ask", QUESTION, "--json")
        assert (status, err) == (0, "")
        assert [h["id"] for h in json.loads(out)["results"]] == expected[0]
        assert _cli(data, "index", "stats")[0] == 0
        assert _cli(data, "index", "check")[0] == 0

        doc = tmp_path / "late.md"
        doc.write_text("---\nid: late\n---\nProbamos precintos con GPS en la frontera sur.", "utf-8")
        status, out, err = _cli(data, "index", "add", str(doc))  # a write: saved, queued, said so
        assert status == 0 and "1 change(s) are saved but not searchable yet" in out

        status, out, err = _cli(data, "index", "rebuild")  # a rebuild waits, then one clear line
        assert status == 75 and out == ""
        assert err.splitlines() == [
            f"clikc-bot: the search index in {data / 'index'} is being written by another process;"
            " nothing was lost, try again when it has finished"
        ]
        status, out, _ = _cli(data, "index", "check")  # the rebuild never started: the index is sound
        assert status == 0 and "1 change(s) saved in the database wait to be indexed" in out
    finally:
        holder.communicate("\n", timeout=30)
    status, out, _ = _cli(data, "index", "rebuild")
    assert status == 0 and out == "rebuilt the search index: 27 documents\n"
    assert "late" in [h["id"] for h in json.loads(_cli(data, "ask", "frontera sur", "--json")[1])["results"]]


def test_read_only_commands_never_take_the_lock_or_write(data, monkeypatch):
    from index.index_folder import IndexFolder

    before = {p.name: p.stat().st_mtime_ns for p in (data / "index").rglob("*")}

    def refuse(*args, **kwargs):
        raise AssertionError("a read-only command took the write lock")

    monkeypatch.setattr(IndexFolder, "locked", refuse)
    for args in (
        ("ask", QUESTION),
        ("index", "stats"),
        ("index", "check"),
        ("review", "list"),
        ("sessions",),
    ):
        assert _cli(data, *args)[0] == 0, args
    assert {p.name: p.stat().st_mtime_ns for p in (data / "index").rglob("*")} == before
    shutil.rmtree(data / "index")  # …except to repair a missing index
    monkeypatch.undo()
    assert _cli(data, "ask", QUESTION)[0] == 0
