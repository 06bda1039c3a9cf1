"""The library channel's ledger: which documents should have a post, and which post each one has.

Services ask for a post inside their own transaction (approving a case study and asking for its
post commit together); an adapter that can reach the channel (the running Discord bot) reads
`due()`, posts, edits or removes, and records what it did. Because the wish and the result are both
rows, a process that was down catches up when it starts, and the CLI (which has no Discord
connection) can queue a post for the bot. Plain data in, plain data out.

A crash between Discord accepting a post and `record_posted` can leave one extra post (the next run
posts again); nothing is ever lost.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from bot.text.truncate import excerpt
from index.database import Database
from index.knowledge import KnowledgeBase
from index.sections import SECTION_OF

POST, EDIT, REMOVE = "post", "edit", "remove"
SUMMARY_CHARS = 600
CASE_STUDY = "case-study:"


class NotPublishable(ValueError):
    """A document that cannot go to the library channel (a member's Discord post, an unknown id)."""


@dataclass(frozen=True)
class PostContent:
    """What a library post shows: a summary card and, when there is one, the original file."""

    doc_id: str
    kind: str
    title: str
    author: str
    summary: str
    technologies: tuple[str, ...]
    lang: str
    link: str  # the member's or document's own address (not the post's)
    submission_id: str
    file_path: Path | None
    file_name: str


@dataclass(frozen=True)
class PostTask:
    """One thing the adapter must do: post (no post yet), edit (the post is out of date) or remove."""

    action: str
    doc_id: str
    version: int
    channel_id: str | None
    thread_id: str | None
    message_id: str | None
    content: PostContent | None  # None for remove


@dataclass(frozen=True)
class PostState:
    doc_id: str
    wanted: bool
    version: int
    posted_version: int
    url: str | None

    def to_json(self) -> dict:
        status = "published" if self.url and self.posted_version == self.version else "queued"
        if not self.wanted:
            status = "removing"
        return {"doc_id": self.doc_id, "status": status, "url": self.url}


def request_post(conn: sqlite3.Connection, doc_id: str, now: datetime) -> None:
    """Inside the caller's transaction: the document should have an up-to-date post."""
    conn.execute(
        "INSERT INTO library_posts (doc_id, wanted, version, requested_at) VALUES (?, 1, 1, ?)"
        " ON CONFLICT (doc_id) DO UPDATE SET wanted = 1, version = version + 1,"
        " requested_at = excluded.requested_at",
        (doc_id, now.isoformat()),
    )


def request_removal(conn: sqlite3.Connection, doc_id: str, now: datetime) -> None:
    """Inside the caller's transaction: the document's post should go (forgotten at once if never made)."""
    conn.execute("DELETE FROM library_posts WHERE doc_id = ? AND message_id IS NULL", (doc_id,))
    conn.execute(
        "UPDATE library_posts SET wanted = 0, version = version + 1, requested_at = ? WHERE doc_id = ?",
        (now.isoformat(), doc_id),
    )


def post_url(db: Database, doc_id: str) -> str | None:
    """The post's address while the document is to stay published (it becomes the document's link)."""
    rows = db.query("SELECT url FROM library_posts WHERE doc_id = ? AND wanted = 1", (doc_id,))
    return rows[0]["url"] if rows and rows[0]["url"] else None


class LibraryPosts:
    """The ledger over the shared database; `knowledge` opens the index only when a link changes."""

    def __init__(
        self,
        db: Database,
        knowledge: Callable[[], KnowledgeBase],
        submission_files: Path,
        clock: Callable[[], datetime],
    ):
        self.db = db
        self._knowledge = knowledge
        self.submission_files = Path(submission_files)
        self.clock = clock

    def publishable(self, doc_ids: Iterable[str]) -> tuple[list[str], dict[str, str]]:
        """(ids that may be posted, {id: why not}). Members' Discord posts are never re-published, a
        submitted case study is published by its approval only, a section goes with its document."""
        ids = list(dict.fromkeys(doc_ids))
        found: dict[str, dict] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self.db.query(
                f"SELECT id, meta FROM documents WHERE id IN ({','.join('?' * len(chunk))})", tuple(chunk)
            )
            found.update({row["id"]: json.loads(row["meta"] or "{}") for row in rows})
        ok, refused = [], {}
        for doc_id in ids:
            meta = found.get(doc_id)
            if meta is None:
                refused[doc_id] = f"no document with id {doc_id!r}"
            elif doc_id.startswith("discord-") or meta.get("message_id") or meta.get("channel_id"):
                refused[doc_id] = f"{doc_id} is a member's Discord post: it is not re-published"
            elif meta.get("submission_id"):
                refused[doc_id] = f"{doc_id} is a submitted case study: approving it publishes it"
            elif meta.get(SECTION_OF):
                refused[doc_id] = f"{doc_id} is a section of a longer document: publish the document"
            else:
                ok.append(doc_id)
        return ok, refused

    def publish(self, doc_ids: Iterable[str]) -> list[str]:
        """Queue operator documents for the library channel (`index add --publish`); all or none."""
        ok, refused = self.publishable(doc_ids)
        if refused:
            raise NotPublishable(next(iter(refused.values())))
        with self.db.transaction() as conn:
            for doc_id in ok:
                request_post(conn, doc_id, self.clock())
        return ok

    def refresh_changed(self, doc_ids: Iterable[str]) -> list[str]:
        """Published documents that were re-added with new content (their link was replaced by the
        file's): their posts are queued for an edit, which also gives them back the post's link."""
        ids = list(dict.fromkeys(doc_ids))
        changed: list[str] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self.db.query(
                "SELECT p.doc_id FROM library_posts p JOIN documents d ON d.id = p.doc_id"
                f" WHERE p.wanted = 1 AND p.url IS NOT NULL AND d.url != p.url"
                f" AND p.doc_id IN ({','.join('?' * len(chunk))})",
                tuple(chunk),
            )
            changed += [row["doc_id"] for row in rows]
        if changed:
            with self.db.transaction() as conn:
                for doc_id in changed:
                    request_post(conn, doc_id, self.clock())
        return changed

    def unpublish(self, doc_ids: Iterable[str]) -> int:
        """Queue the removal of these documents' posts (they were removed from the index)."""
        ids = list(doc_ids)
        with self.db.transaction() as conn:
            for doc_id in ids:
                request_removal(conn, doc_id, self.clock())
        return len(ids)

    def states(self) -> list[PostState]:
        rows = self.db.query("SELECT * FROM library_posts ORDER BY requested_at, doc_id")
        return [
            PostState(r["doc_id"], bool(r["wanted"]), r["version"], r["posted_version"], r["url"])
            for r in rows
        ]

    def due(self, limit: int = 20) -> list[PostTask]:
        """What the channel lacks, oldest request first. A document gone from the database (removed
        with `index remove`) has its post removed too."""
        rows = self.db.query(
            "SELECT * FROM library_posts WHERE posted_version < version OR (wanted = 1 AND message_id"
            " IS NULL) ORDER BY requested_at, doc_id LIMIT ?",
            (limit,),
        )
        tasks = []
        for row in rows:
            content = self._content(row["doc_id"]) if row["wanted"] else None
            if content is None:
                if row["message_id"] is None:
                    self._forget(row["doc_id"], row["version"])
                    continue
                action = REMOVE
            else:
                action = EDIT if row["message_id"] else POST
            tasks.append(
                PostTask(
                    action=action,
                    doc_id=row["doc_id"],
                    version=row["version"],
                    channel_id=row["channel_id"],
                    thread_id=row["thread_id"],
                    message_id=row["message_id"],
                    content=content,
                )
            )
        return tasks

    def record_posted(
        self, task: PostTask, channel_id: str, thread_id: str | None, message_id: str, url: str
    ) -> None:
        """After Discord accepted a post or edit: remember it, and make its address the document's link
        (and its sections'), so every answer, page and export links to the post."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE library_posts SET posted_version = MAX(posted_version, ?), channel_id = ?,"
                " thread_id = ?, message_id = ?, url = ?, posted_at = ? WHERE doc_id = ?",
                (task.version, channel_id, thread_id, message_id, url, self.clock().isoformat(),
                 task.doc_id),
            )  # fmt: skip
            wanted = conn.execute(
                "SELECT wanted FROM library_posts WHERE doc_id = ?", (task.doc_id,)
            ).fetchone()
        if wanted and wanted["wanted"]:
            self._link(task.doc_id, url)

    def record_removed(self, task: PostTask) -> None:
        """After the post was deleted (or was already gone): forget it unless it is wanted again."""
        self._forget(task.doc_id, task.version)

    def _forget(self, doc_id: str, version: int) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "DELETE FROM library_posts WHERE doc_id = ? AND wanted = 0 AND version = ?", (doc_id, version)
            )
            conn.execute(  # wanted again meanwhile: post anew
                "UPDATE library_posts SET channel_id = NULL, thread_id = NULL, message_id = NULL, url = NULL"
                " WHERE doc_id = ? AND wanted = 1",
                (doc_id,),
            )

    def _link(self, doc_id: str, url: str) -> None:
        kb = self._knowledge()
        parent = kb.store.get(doc_id)
        if parent is None or parent.url == url:
            return
        with self.db.transaction():
            kb.record(replace(parent, url=url))
            for each in kb.store.section_ids([doc_id]):
                section = kb.store.get(each)
                # a section's own page link (file.pdf#page=3) is kept; one that shared the parent's follows it
                if section is not None and section.url in ("", parent.url):
                    kb.record(replace(section, url=url))
        kb.sync()

    def _content(self, doc_id: str) -> PostContent | None:
        rows = self.db.query(
            "SELECT id, kind, title, author, text, url, lang, tags, source, meta FROM documents WHERE id = ?",
            (doc_id,),
        )
        if not rows:
            return None
        row = rows[0]
        meta = json.loads(row["meta"] or "{}")
        submission_id = meta.get("submission_id") or ""
        link, summary, file_path, file_name = row["url"] or "", row["text"] or "", None, ""
        technologies = _technologies(row["tags"])
        if submission_id:
            sub = self.db.query(
                "SELECT status, summary, url, stored_file, file_name, technologies FROM submissions"
                " WHERE id = ?",
                (submission_id,),
            )
            withdrawn = self.db.query(
                "SELECT 1 FROM submission_withdrawals WHERE submission_id = ?", (submission_id,)
            )
            if not sub or sub[0]["status"] != "approved" or withdrawn:
                return None
            link = sub[0]["url"]
            summary = sub[0]["summary"] or summary
            technologies = tuple(t for t in sub[0]["technologies"].split(",") if t) or technologies
            if sub[0]["stored_file"]:
                file_path = self.submission_files / sub[0]["stored_file"]
                file_name = sub[0]["file_name"]
        elif row["source"] and Path(row["source"]).is_file():
            file_path = Path(row["source"])
            file_name = file_path.name
        if link.startswith("https://discord.com/channels/"):
            link = ""  # the post's own address, set by an earlier publish
        return PostContent(
            doc_id=row["id"],
            kind=row["kind"],
            title=row["title"] or row["id"],
            author=row["author"] or "",
            summary=excerpt(summary, SUMMARY_CHARS),
            technologies=technologies,
            lang=row["lang"] or "",
            link=link,
            submission_id=submission_id,
            file_path=file_path if file_path and file_path.is_file() else None,
            file_name=file_name,
        )


def _technologies(tags: str | None) -> tuple[str, ...]:
    try:
        data = json.loads(tags or "{}")
    except ValueError:
        return ()
    values = data.get("technologies", ()) if isinstance(data, dict) else ()
    return tuple(str(t) for t in values)
