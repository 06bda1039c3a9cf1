from datetime import UTC, datetime

from bot.posts.indexer import Post, document_id, to_document


def post(message_id=500, author_id=7, content="We seal containers with RFID e-seals.", **kw) -> Post:
    return Post(
        message_id=message_id,
        channel_id=2,
        author_id=author_id,
        author_name="Luis",
        content=content,
        created_at=datetime(2025, 1, 5, tzinfo=UTC),
        guild_id=1,
        channel_name="experiencias",
        jump_url=f"https://discord.com/channels/1/2/{message_id}",
        **kw,
    )


def test_post_becomes_a_post_document_with_ids_in_meta():
    doc = to_document(post(thread_name="E-seals in transit", parent_id=9))
    assert doc.id == "discord-500" and doc.kind == "post"
    assert doc.meta == {
        "author_id": "7",
        "channel_id": "2",
        "message_id": "500",
        "guild_id": "1",
        "parent_id": "9",
    }
    assert (
        doc.title == "E-seals in transit" and doc.author == "Luis" and doc.source == "discord #experiencias"
    )
    assert doc.url.endswith("/500")


def test_index_edit_delete(app, kb):
    assert app.posts.index(post()) == "added"
    assert app.posts.index(post(content="We seal containers with GPS e-seals.")) == "updated"
    assert "GPS" in kb.get("discord-500").text
    assert app.posts.index(post(content="   ")) == "removed"  # edited down to nothing
    assert kb.get("discord-500") is None
    app.posts.index(post())
    assert app.posts.delete(500) is True
    assert app.posts.delete(500) is False


def test_skips_bots_system_questions_and_empty(app, kb):
    before = len(kb.docs)
    assert app.posts.index(post(is_bot=True)) == "skipped"
    assert app.posts.index(post(is_system=True)) == "skipped"
    assert app.posts.index(post(addressed_to_bot=True)) == "skipped"
    assert app.posts.index(post(content="")) == "skipped"
    assert len(kb.docs) == before


def test_last_seen_only_moves_forward_and_survives_reopen(app):
    assert app.posts.last_seen(2) is None
    app.posts.index(post(message_id=900))
    app.posts.index(post(message_id=800))
    assert app.posts.last_seen(2) == 900


def test_batch_indexes_and_records_newest_per_channel(app, kb):
    result = app.posts.index_batch(
        [post(message_id=i) for i in (601, 602)] + [post(message_id=603, is_bot=True)]
    )
    assert (result.seen, result.indexed, result.skipped) == (3, 2, 1)
    assert app.posts.last_seen(2) == 603
    assert app.posts.delete_many([601, 602, 999]) == 2


def test_opt_out_removes_posts_and_stops_indexing(app, kb, clock):
    assert kb.get("discord-111") is not None
    assert app.privacy.status(42).opted_out is False
    assert app.privacy.opt_out(42) == 1
    assert kb.get("discord-111") is None
    status = app.privacy.status("42")
    assert status.opted_out and status.since == clock.now
    assert app.posts.index(post(author_id=42)) == "skipped"
    assert app.privacy.opt_out(42) == 0  # twice is harmless
    assert app.privacy.opt_in(42) is True
    assert app.privacy.opt_in(42) is False
    assert app.posts.index(post(author_id=42)) == "added"


def test_opted_out_member_editing_an_indexed_post_removes_it(app, kb):
    app.posts.index(post(author_id=8))
    app.privacy._db.execute(
        "INSERT INTO privacy_optouts VALUES ('8', 'discord', '2025-01-01T00:00:00+00:00')"
    )
    assert app.posts.index(post(author_id=8, content="edited")) == "removed"
    assert kb.get(document_id(500)) is None


def test_opt_out_is_committed(tmp_path, app):
    app.privacy.opt_out(99)
    from index.database import Database

    other = Database(app.config.db_path)
    try:
        assert other.query("SELECT member_id FROM privacy_optouts")[0]["member_id"] == "99"
    finally:
        other.close()
