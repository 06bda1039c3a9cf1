"""bot/library.py: what is published, decided from SQLite on every read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.search.asking import AskRequest
from bot.search.library import doc_id_of, page_id
from index.documents import Document
from tests.web.site import BASE_URL, OPERATOR, make_app, publish


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    application = make_app(tmp_path_factory.mktemp("lib") / "data")
    yield application
    application.close()


def test_only_case_studies_and_summaries_never_posts(app):
    shelf = app.library.shelf(limit=1000)
    kinds = {item.kind for item in shelf.items}
    assert kinds == {"case-study", "workshop-summary"}
    assert shelf.total == sum(shelf.kinds.values())
    stats = app.knowledge.stats()
    assert stats.by_kind["post"] > 0  # the samples do hold member posts: they are left out
    assert all(not item.doc_id.startswith("post-") for item in shelf.items)


def test_a_discord_document_is_never_published_whatever_its_kind(app):
    app.knowledge.upsert(
        Document(
            id="discord-999",
            kind="case-study",
            title="A member's post marked as a case study",
            text="We piloted electronic seals on the northern corridor and learned a lot about alerts.",
            date=datetime(2026, 1, 1, tzinfo=UTC),
            meta={"author_id": "42", "channel_id": "7", "message_id": "999"},
        )
    )
    assert app.library.get("discord-999") is None
    assert "discord-999" not in {i.doc_id for i in app.library.shelf(limit=1000).items}
    answer = app.library.search(AskRequest("electronic seals northern corridor").validated())
    assert "discord-999" not in {h.id for h in answer.results}


def test_pending_is_hidden_approved_is_shown_at_once(app):
    pending = publish(app, "Pending seals study", approve=False)
    assert app.library.get(pending.id) is None
    app.submissions.approve(OPERATOR, pending.id)
    item = app.library.get(pending.id)  # no cache to wait for
    assert item is not None and item.title == "Pending seals study"
    assert [name for name, _ in item.sections] == ["summary", "results", "document"]
    assert item.file is not None and item.file.path.read_bytes().startswith(b"# Electronic seals")
    assert "ana@example.org" not in " ".join(text for _, text in item.sections)  # contact stays private


def test_rejected_and_removed_are_gone_with_their_file(app):
    rejected = publish(app, "Rejected seals study", approve=False)
    app.submissions.reject(OPERATOR, rejected.id, "duplicate of another study")
    assert app.library.get(rejected.id) is None and app.library.file(rejected.id) is None

    withdrawn = publish(app, "Withdrawn seals study")
    assert app.library.file(withdrawn.id) is not None
    app.knowledge.delete(withdrawn.doc_id)  # what withdrawing or an opt-out does to the document
    assert app.library.get(withdrawn.id) is None and app.library.file(withdrawn.id) is None


def test_search_finds_published_items_across_languages_and_never_posts(app):
    questions = ("electronic seals", "precintos electrónicos", "scellés électroniques", "lacre eletrônico")
    for question in questions:
        answer = app.library.search(AskRequest(question).validated())
        ids = [h.id for h in answer.results]
        assert "case-es-precintos-electronicos" in ids, question
        assert all(h.kind in ("case-study", "workshop-summary") for h in answer.results)
    posts_only = app.library.search(AskRequest("precintos", kind="post").validated())
    assert posts_only.results == []


def test_search_applies_the_ask_filters(app):
    answer = app.library.search(AskRequest("blockchain", technology="blockchain", lang="pt").validated())
    assert answer.results and all(h.lang == "pt" for h in answer.results)


def test_page_urls_only_for_published_documents(app):
    urls = app.library.page_urls(["case-en-rfid-land-border", "post-en-data-skills", "nope"])
    assert urls == {"case-en-rfid-land-border": f"{BASE_URL}/case/case-en-rfid-land-border"}


def test_page_ids_round_trip():
    assert page_id("case-study:cs-0a1b2c") == "cs-0a1b2c"
    assert doc_id_of("cs-0a1b2c") == "case-study:cs-0a1b2c"
    assert doc_id_of("ws-es-iot-transito") == "ws-es-iot-transito"
