"""Privacy as one contract: opt-outs hold on every path; export shows and forget erases everything."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App
from bot.casestudies.model import SubmissionForm, Upload
from bot.cli import main
from bot.config import load_config
from bot.members import Actor
from bot.posts.indexer import Post, to_document
from bot.privacy.member_data import FORGOTTEN, uncovered
from bot.sessions import service as sessions_mod
from tests.conftest import CONFIG_DIR

MEMBER, OTHER = "4242", "777"
CASE = "---\ntitle: Sealed transit corridor\nmember: Aduana Demo\n---\n" + " ".join(
    ["Electronic seals and GPS tracking cut the transit time of sealed containers."] * 8
)


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "clikc.yaml"
    path.write_text(
        f"glossary: {CONFIG_DIR / 'glossary.yaml'}\ncountries: {CONFIG_DIR / 'countries.yaml'}\n"
        f"sessions: {CONFIG_DIR / 'sessions.yaml'}\nstrings: {CONFIG_DIR / 'strings.yaml'}\n"
        f"samples: no-samples\ndiscord: {{moderators: {{users: [{OTHER}]}}}}\n"
    )
    return path


@pytest.fixture
def app(config_file: Path, tmp_path: Path):
    app = App(
        load_config(str(config_file), str(tmp_path / "var")), clock=lambda: datetime(2025, 3, 1, tzinfo=UTC)
    )
    yield app
    app.close()


@pytest.fixture
def cli(config_file: Path, tmp_path: Path, capsys):
    def run(*args: str) -> tuple[int, str, str]:
        status = main(["--config", str(config_file), "--data-dir", str(tmp_path / "var"), *args])
        out = capsys.readouterr()
        return status, out.out, out.err

    return run


def post(
    message_id: int, author: str = MEMBER, text: str = "Usamos precintos electrónicos en tránsito.", **kw
):
    return Post(
        message_id=message_id, channel_id=2, author_id=int(author), author_name="Ana", content=text,
        created_at=datetime(2025, 1, 5, tzinfo=UTC), guild_id=1, **kw,
    )  # fmt: skip


def export_file(tmp_path: Path, author: str = MEMBER) -> Path:
    path = tmp_path / "export.json"
    messages = [
        {"id": "9001", "type": "Default", "timestamp": "2024-01-01T10:00:00+00:00",
         "content": "Drones watch the land border at night.", "author": {"id": author, "name": "ana"}},
        {"id": "9002", "type": "Default", "timestamp": "2024-01-02T10:00:00+00:00",
         "content": "Scanners with image analytics at the port.", "author": {"id": OTHER, "name": "bo"}},
    ]  # fmt: skip
    path.write_text(
        json.dumps({"guild": {"id": "1"}, "channel": {"id": "2", "name": "x"}, "messages": messages})
    )
    return path


# -- the contract covers the whole schema ------------------------------------------------------------


def test_every_table_holding_member_ids_is_covered_by_a_service(app: App):
    assert uncovered(app.db, app.privacy.parts()) == []


def test_a_new_table_with_member_ids_fails_the_contract_until_a_service_covers_it(app: App):
    app.db.execute("CREATE TABLE votes (id INTEGER PRIMARY KEY, member_id TEXT, choice TEXT)")
    assert uncovered(app.db, app.privacy.parts()) == ["votes: not covered by any service's member_data()"]


# -- an opt-out holds on every path that creates documents ------------------------------------------


def test_optout_holds_for_json_lines_import(app: App, cli, tmp_path: Path):
    app.privacy.opt_out(MEMBER)
    lines = tmp_path / "posts.jsonl"
    lines.write_text(
        json.dumps({"id": "a", "text": "Blockchain certificates of origin.", "author_id": MEMBER}) + "\n"
        + json.dumps({"id": "b", "text": "IoT seals on trucks.", "author_id": OTHER}) + "\n"
    )  # fmt: skip
    app.close()
    status, out, _ = cli("index", "add", str(lines))
    assert status == 0 and "1 document(s) by members who opted out were not indexed" in out
    status, out, _ = cli("ask", "blockchain certificates", "--json")
    assert [r["id"] for r in json.loads(out)["results"]] == []


def test_optout_holds_for_discord_chat_exporter_import(app: App, cli, tmp_path: Path):
    app.privacy.opt_out(MEMBER)
    app.close()
    status, out, _ = cli("index", "add", str(export_file(tmp_path)), "--json")
    report = json.loads(out)
    assert (status, report["added"], report["opted_out"]) == (0, 1, 1)
    status, out, _ = cli("ask", "drones border", "--json")
    assert "discord-9001" not in out


def test_optout_holds_for_live_messages(app: App):
    app.privacy.opt_out(MEMBER)
    assert app.posts.index(post(1)) == "skipped"
    assert app.knowledge.store.ids_where(author_id=MEMBER) == []


def test_optout_holds_for_edits_and_removes_what_was_indexed(app: App):
    assert app.posts.index(post(1)) == "added"
    app.privacy.opt_out(MEMBER)
    assert app.posts.index(post(1, text="edited", edited_at=datetime(2025, 1, 6, tzinfo=UTC))) == "skipped"
    assert app.knowledge.store.ids_where(author_id=MEMBER) == []


def test_optout_holds_for_backfill(app: App):
    app.privacy.opt_out(MEMBER)
    result = app.posts.index_batch([post(2), post(3, author=OTHER)])
    assert (result.indexed, result.skipped) == (1, 1)
    assert app.knowledge.store.ids_where(author_id=MEMBER) == []


def test_the_store_refuses_an_opted_out_author_whatever_the_caller(app: App):
    """A post read before the opt-out and written after it (a race on another path) is refused too."""
    doc = to_document(post(5))
    app.privacy.opt_out(MEMBER)
    assert app.knowledge.upsert(doc) == "opted_out"
    assert app.knowledge.get(doc.id) is None


# -- export and forget ------------------------------------------------------------------------------


def _member_everywhere(app: App) -> tuple[str, str]:
    """The member posts, submits (approved, with a file), moderates a session and another's case."""
    app.posts.index(post(10))
    member = Actor(id=MEMBER, name="Ana", platform="discord")
    moderator = Actor(id=OTHER, name="Bo", platform="discord")
    own = app.submissions.submit(SubmissionForm(file=Upload("case.md", CASE.encode())), member).submission
    app.submissions.approve(moderator, own.id)
    other_case = CASE.replace("Sealed transit corridor", "Other corridor").replace("Demo", "Otra")
    theirs = app.submissions.submit(SubmissionForm(file=Upload("o.md", other_case.encode())), moderator)
    app.sessions.cancel("clikc-community-call", sessions_mod.Actor("Ana", is_moderator=True, id=MEMBER))
    return own.id, theirs.submission.id


def test_export_lists_everything_stored_about_a_member(app: App):
    own_id, _ = _member_everywhere(app)
    data = app.privacy.export(MEMBER)
    assert data["member_id"] == MEMBER
    assert [d["id"] for d in data["documents"]] == ["discord-10"]
    assert [s["id"] for s in data["submissions"]["submitted"]] == [own_id]
    assert {h["action"] for h in data["submissions"]["history"]} == {"submitted", "approved"}
    assert {n["kind"] for n in data["submissions"]["notifications"]}  # the approval notice to them
    assert [c["action"] for c in data["sessions"]["session_changes"]] == ["cancel"]
    assert data["opt_out"] is None
    json.dumps(data)  # all JSON-ready


def test_forget_removes_everything_files_included(app: App):
    own_id, theirs_id = _member_everywhere(app)
    stored = (
        app.submissions.folder
        / app.db.query("SELECT stored_file FROM submissions WHERE id = ?", (own_id,))[0][0]
    )
    assert stored.exists()
    moderator_actions = app.submissions.approve(Actor(id=MEMBER, name="Ana", platform="local"), theirs_id)
    assert moderator_actions.status == "approved"

    app.privacy.forget(MEMBER)

    data = app.privacy.export(MEMBER)
    assert data["documents"] == [] and data["submissions"] == {
        "submitted": [],
        "history": [],
        "notifications": [],
    }
    assert all(rows == [] for rows in data["sessions"].values())
    assert data["opt_out"]["platform"] == "forget"  # kept so a backfill cannot bring the posts back
    assert not stored.exists()
    assert app.knowledge.get(f"case-study:{own_id}") is None and app.knowledge.get("discord-10") is None
    assert not app.db.query("SELECT 1 FROM submission_history WHERE actor_name = 'Ana'")
    theirs = app.db.query("SELECT reviewed_by FROM submissions WHERE id = ?", (theirs_id,))[0]
    assert theirs["reviewed_by"] == FORGOTTEN  # the other member's case study stays, anonymised
    assert app.posts.index(post(11)) == "skipped"


# -- the operators' command -------------------------------------------------------------------------


def test_privacy_command_round_trip(cli, tmp_path: Path):
    assert cli("index", "add", str(export_file(tmp_path)))[0] == 0
    status, out, _ = cli("privacy", "export", MEMBER)
    assert status == 0 and [d["id"] for d in json.loads(out)["documents"]] == ["discord-9001"]
    status, out, _ = cli("privacy", "optout", MEMBER)
    assert out == f"member {MEMBER} opted out: 1 indexed document(s) removed; new posts are not indexed\n"
    assert cli("privacy", "status", MEMBER)[1].startswith(f"member {MEMBER}: opted out since ")
    status, out, _ = cli("privacy", "forget", MEMBER)
    assert status == 0 and out.startswith(
        f"forgot member {MEMBER}: records removed or anonymised: documents 0"
    )
    assert cli("privacy", "optin", MEMBER)[1] == f"member {MEMBER} opted in: new posts are indexed\n"


@pytest.mark.parametrize("bad", ["", "two words", "x" * 101])
def test_a_bad_member_id_is_one_line(cli, bad: str):
    status, out, err = cli("privacy", "status", bad)
    assert status == 2 and out == "" and err.count("\n") == 1 and err.startswith("clikc-bot: member id")


def test_an_unknown_action_is_refused(cli):
    with pytest.raises(SystemExit) as exc:
        cli("privacy", "delete", MEMBER)
    assert exc.value.code == 2


def test_votes_and_session_reminders_are_exported_and_forgotten(app):
    """Issue 13's tables are in the contract: a member's votes (found by their salted hash) and
    their "Interested" reminders."""
    answer = app.feedback.record_answer("who uses e-seals?", ["doc-1"], "en")
    app.feedback.vote(answer, MEMBER, helpful=False)
    app.feedback.vote(answer, OTHER, helpful=True)
    occ = app.sessions.upcoming(limit=1)[0]
    app.reminders.toggle(occ.session.id, occ.start, MEMBER, lang="es")

    exported = app.privacy.export(MEMBER)
    assert exported["answer_votes"] == [
        {
            "question": "who uses e-seals?",
            "results": ["doc-1"],
            "helpful": False,
            "voted_at": "2025-03-01T00:00:00+00:00",
        }
    ]
    assert exported["session_reminders"]["interested"][0]["session_id"] == occ.session.id
    assert MEMBER not in json.dumps(exported["answer_votes"]), "the vote is found by hash, not stored by id"

    forgotten = app.privacy.forget(MEMBER)
    assert forgotten["answer_votes"] == 1 and forgotten["session_reminders"] == 1
    assert app.privacy.export(MEMBER)["answer_votes"] == []
    assert len(app.db.query("SELECT * FROM feedback_votes")) == 1, "another member's vote stays"
    assert not app.reminders.is_interested(occ.session.id, occ.start, MEMBER)
    assert uncovered(app.db, app.privacy.parts()) == []
