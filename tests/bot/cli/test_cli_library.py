"""`review withdraw` and `index add --publish` through the real CLI entry point (issue 13, item 2)."""

from __future__ import annotations

import json

from tests.bot.cli.test_cli_review import MARKDOWN, run


def submit_and_approve(capsys, tmp_path) -> str:
    path = tmp_path / "quetzalwatch.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    code, out, _ = run(capsys, tmp_path, "submit", "--file", str(path), "--json")
    assert code == 0
    sub_id = json.loads(out)["id"]
    assert run(capsys, tmp_path, "review", "approve", sub_id)[0] == 0
    return sub_id


def test_review_withdraw_takes_an_approved_case_study_out_of_the_search(capsys, tmp_path):
    sub_id = submit_and_approve(capsys, tmp_path)
    code, out, err = run(capsys, tmp_path, "review", "withdraw", sub_id, "--reason", "published twice")
    assert (code, err) == (0, "")
    assert out.startswith(f'Withdrawn {sub_id}: "Quetzalwatch e-seals for transit cargo" has left the search')
    code, out, _ = run(capsys, tmp_path, "review", "list", "--status", "withdrawn", "--json")
    assert [s["id"] for s in json.loads(out)] == [sub_id]
    code, out, _ = run(capsys, tmp_path, "ask", "Quetzalwatch seals", "--json")
    assert not any(r["id"] == f"case-study:{sub_id}" for r in json.loads(out)["results"])

    code, out, err = run(capsys, tmp_path, "review", "withdraw", sub_id, "--reason", "again")
    assert code != 0 and out == "" and len(err.strip().splitlines()) == 1 and "already withdrawn" in err
    code, _, err = run(capsys, tmp_path, "review", "withdraw", "cs-000000", "--reason", "x")
    assert code != 0 and len(err.strip().splitlines()) == 1 and "no submission with id" in err


def test_index_add_publish_queues_the_documents_for_the_running_bot(capsys, tmp_path):
    summary = tmp_path / "taller.md"
    summary.write_text("---\ntitle: Taller IoT\n---\nResumen del taller sobre precintos IoT.\n", "utf-8")
    code, out, err = run(
        capsys, tmp_path, "index", "add", str(summary), "--kind", "workshop-summary", "--publish"
    )
    assert code == 0, err
    assert "1 document(s) queued for the Discord library channel" in out
    code, out, _ = run(capsys, tmp_path, "index", "add", str(summary), "--publish", "--json")
    assert len(json.loads(out)["published"]) == 1  # unchanged this time, and still (re)queued
    code, out, err = run(capsys, tmp_path, "index", "add", str(tmp_path / "missing.md"), "--publish")
    assert code != 0 and len(err.strip().splitlines()) == 1 and "not found" in err
