"""The library channel's ledger (bot.search.library_posts) and case-study withdrawal (issue 13, item 2)."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from bot.app import App
from bot.casestudies.model import InvalidTransition, SubmissionForm, Upload
from bot.config import load_config
from bot.members import Actor, NotAllowed
from bot.search.library_posts import EDIT, POST, REMOVE, LibraryPosts, NotPublishable
from index.documents import Document
from index.errors import InputError
from tests.bot.casestudies.test_submissions import (  # noqa: F401 — fixtures
    ESEAL_MD,
    LOCAL,
    MOD_BY_ID,
    MOD_BY_ROLE,
    STRANGER,
    SUBMITTER,
    clock,
    db,
    make_service,
    service,
)
from tests.conftest import CONFIG_DIR, RELEASE_1

POST_URL = "https://discord.com/channels/1/2/3"


@pytest.fixture
def ledger(db, kb, service, clock):  # noqa: F811
    return LibraryPosts(db, lambda: kb, service.folder, clock)


def approved(service):  # noqa: F811
    sub = service.submit(SubmissionForm(file=Upload("caso.md", ESEAL_MD)), SUBMITTER).submission
    return service.approve(MOD_BY_ID, sub.id)


def posted(ledger, url=POST_URL):
    [task] = ledger.due()
    ledger.record_posted(task, "2", "3", "3", url)
    return task


def test_approval_queues_one_post_with_the_summary_and_the_original_file(service, ledger, kb):  # noqa: F811
    sub = approved(service)
    [task] = ledger.due()
    assert (task.action, task.doc_id, task.message_id) == (POST, sub.doc_id, None)
    content = task.content
    assert (content.title, content.author, content.submission_id) == (sub.title, "SUNAT", sub.id)
    assert content.file_path == service.folder / sub.stored_file and content.file_name == "caso.md"
    assert "iot" in content.technologies and content.lang == "es"

    ledger.record_posted(task, "2", "3", "3", POST_URL)
    assert ledger.due() == []
    assert kb.store.get(sub.doc_id).url == POST_URL, "the post becomes the document's link"
    [hit] = [h for h in kb.search("precintos electrónicos GPS").results if h.id == sub.doc_id]
    assert hit.url == POST_URL, "answers open the post"


def test_an_edit_updates_the_post_and_keeps_the_link(service, ledger, kb):  # noqa: F811
    sub = approved(service)
    posted(ledger)
    service.edit(MOD_BY_ID, sub.id, title="Precintos GPS en tránsito")
    [task] = ledger.due()
    assert (task.action, task.message_id, task.content.title) == (EDIT, "3", "Precintos GPS en tránsito")
    assert kb.store.get(sub.doc_id).url == POST_URL, "re-indexed with the post's link, not the member's"
    ledger.record_posted(task, "2", "3", "3", POST_URL)
    assert ledger.due() == []


def test_withdrawal_removes_the_document_and_queues_the_posts_removal(service, ledger, kb, db):  # noqa: F811
    sub = approved(service)
    posted(ledger)
    with pytest.raises(NotAllowed):
        service.withdraw(STRANGER, sub.id, "not a moderator")
    with pytest.raises(InputError, match="reason"):
        service.withdraw(MOD_BY_ROLE, sub.id, "  ")
    withdrawn = service.withdraw(MOD_BY_ROLE, sub.id, "published twice")
    assert (withdrawn.status, withdrawn.reviewed_by, withdrawn.reason) == (
        "withdrawn",
        "Marie",
        "published twice",
    )
    assert service.get(LOCAL, sub.id).status == "withdrawn"
    assert [s.id for s in service.list(LOCAL, "withdrawn")] == [sub.id]
    assert service.list(LOCAL, "approved") == []
    assert kb.store.get(sub.doc_id) is None
    assert sub.doc_id not in {h.id for h in kb.search("precintos electrónicos GPS").results}
    assert [h.action for h in service.history(LOCAL, sub.id)][-1] == "withdrawn"
    with pytest.raises(InvalidTransition, match="withdrawn"):
        service.withdraw(MOD_BY_ROLE, sub.id, "again")

    [task] = ledger.due()
    assert (task.action, task.thread_id, task.content) == (REMOVE, "3", None)
    ledger.record_removed(task)
    assert ledger.due() == [] and db.query("SELECT COUNT(*) FROM library_posts")[0][0] == 0
    assert service.reconcile_published() == 0, "a withdrawn case study is not published again on start"


def test_only_an_approved_case_study_is_withdrawn(service):  # noqa: F811
    sub = service.submit(SubmissionForm(file=Upload("caso.md", ESEAL_MD)), SUBMITTER).submission
    with pytest.raises(InvalidTransition, match="pending"):
        service.withdraw(MOD_BY_ID, sub.id, "never approved")


def test_withdrawn_before_the_bot_posted_it_leaves_nothing_to_do(service, ledger):  # noqa: F811
    sub = approved(service)
    service.withdraw(MOD_BY_ID, sub.id, "approved by mistake")
    assert ledger.due() == []


def test_operator_documents_publish_but_members_posts_and_sections_do_not(ledger, kb):
    kb.upsert(
        Document(id="workshop-1", text="Workshop summary: blockchain for AEO.", kind="workshop-summary")
    )
    kb.upsert(Document(id="discord-9", text="A member's post.", meta={"message_id": 9, "channel_id": 2}))
    ok, refused = ledger.publishable(["workshop-1", "discord-9", "nope"])
    assert ok == ["workshop-1"] and set(refused) == {"discord-9", "nope"}
    with pytest.raises(NotPublishable, match="Discord post"):
        ledger.publish(["workshop-1", "discord-9"])
    assert ledger.due() == [], "all or nothing"
    assert ledger.publish(["workshop-1"]) == ["workshop-1"]
    task = posted(ledger)
    assert task.content.kind == "workshop-summary" and task.content.file_path is None
    assert kb.store.get("workshop-1").url == POST_URL

    kb.remove(["workshop-1"])  # `index remove`: its post goes too
    ledger.unpublish(["workshop-1"])
    [task] = ledger.due()
    assert task.action == REMOVE


def test_a_published_document_added_again_with_new_content_gets_its_post_edited(ledger, kb):
    kb.upsert(Document(id="workshop-3", text="Workshop summary: AEO.", kind="workshop-summary"))
    ledger.publish(["workshop-3"])
    posted(ledger)
    assert ledger.refresh_changed(["workshop-3"]) == [], "unchanged: nothing to edit"
    kb.upsert(Document(id="workshop-3", text="Workshop summary: AEO, corrected.", kind="workshop-summary"))
    assert ledger.refresh_changed(["workshop-3", "other"]) == ["workshop-3"]
    task = posted(ledger)
    assert task.action == EDIT and "corrected" in task.content.summary
    assert kb.store.get("workshop-3").url == POST_URL, "the link is the post again"


def test_a_post_deleted_by_a_crash_is_never_lost_and_a_new_wish_reposts(ledger, kb):
    kb.upsert(Document(id="workshop-2", text="Workshop summary: IoT seals.", kind="workshop-summary"))
    ledger.publish(["workshop-2"])
    assert [t.action for t in ledger.due()] == [POST]
    assert [t.action for t in ledger.due()] == [POST], "until recorded, it stays due (a restart posts it)"
    posted(ledger)
    ledger.unpublish(["workshop-2"])
    ledger.publish(["workshop-2"])  # wanted again before the removal ran: the post is edited, not lost
    [task] = ledger.due()
    assert task.action == EDIT


def test_an_upgraded_database_queues_its_approved_case_studies(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(RELEASE_1, data)
    app = App(load_config(str(CONFIG_DIR / "clikc.yaml"), str(data)))
    try:
        approved_ids = [s.id for s in app.submissions.list(Actor.local(), "approved")]
        assert [t.doc_id for t in app.library_posts.due()] == [f"case-study:{i}" for i in approved_ids]
    finally:
        app.close()
    with sqlite3.connect(data / "clikc.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM submission_withdrawals").fetchone()[0] == 0
