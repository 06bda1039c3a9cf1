"""Case studies: a member submits a project write-up, a moderator reviews it, approval publishes it.

Platform-neutral: adapters (CLI, console, Discord) pass an `Actor` and plain data, and read
queued notifications from the outbox to deliver them. A receipt is only returned once the row and
the original file are both committed; a crash at any point leaves either both or neither.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from bot.config import Moderators
from bot.members import Actor, NotAllowed, is_moderator, may_review
from bot.outbox import Notification, Outbox
from bot.privacy.member_data import FORGOTTEN, MemberData
from index.database import FILE_MODE, Database, make_private_dir
from index.documents import LANGUAGES, TECHNOLOGIES, Document
from index.errors import InputError
from index.extract import DEFAULT_MAX_BYTES, Extracted, extract_limited, read_limited
from index.index_folder import fsync_dir as _sync_dir  # a rename durable before its row commits
from index.knowledge import KnowledgeBase
from index.store import DocumentStore
from index.worker import WorkLimits

log = logging.getLogger(__name__)
PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
STATUSES = (PENDING, APPROVED, REJECTED)
ANNOUNCEMENT = "case-study-published"  # to the announce channel
APPROVED_NOTICE = "submission-approved"  # to the submitter
REJECTED_NOTICE = "submission-rejected"  # to the submitter, with the reason
ORPHAN_TEMP_AGE_SECONDS = 3600  # a temp file this old belongs to no submission still in flight
_ID = re.compile(r"^(?:cs-)?([0-9a-f]{6})$")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Limits:
    """What a submission may hold; generous for real write-ups, small enough to stop abuse."""

    min_words: int = 50  # summary + results + attached text
    title_chars: int = 200
    member_chars: int = 200
    field_chars: int = 4_000  # summary, results, contact, url each
    reason_chars: int = 1_000
    text_chars: int = 100_000  # everything together


class SubmissionError(InputError):
    """A submission that cannot be accepted as given."""


class UnknownSubmission(InputError):
    """No submission has this id."""


class InvalidTransition(InputError):
    """Approving twice, rejecting an approved one…"""


class OwnSubmission(NotAllowed):
    """A moderator reviewing what they submitted themselves."""

    def __init__(self, submission_id: str):
        super().__init__(f"{submission_id} is your own submission: another moderator must review it")
        self.submission_id = submission_id


@dataclass(frozen=True)
class Upload:
    name: str  # the user's file name: for its extension and for display, never used as a path
    data: bytes


@dataclass(frozen=True)
class SubmissionForm:
    """What a member gives; empty fields are taken from the attached file where it has them."""

    title: str = ""
    member: str = ""  # administration or member the case study is from
    summary: str = ""
    results: str = ""  # results and lessons learned
    contact: str = ""
    url: str = ""
    file: Upload | None = None


@dataclass(frozen=True)
class Submission:
    id: str
    status: str
    title: str
    member: str
    summary: str
    results: str
    contact: str
    url: str
    file_text: str
    file_name: str
    file_format: str
    stored_file: str  # generated name under the submissions folder, "" without a file
    file_bytes: int
    content_hash: str
    lang: str
    technologies: tuple[str, ...]
    submitter_id: str
    submitter_name: str
    platform: str
    submitted_at: datetime
    reviewed_by: str = ""
    reviewed_at: datetime | None = None
    reason: str = ""

    @property
    def doc_id(self) -> str:
        return f"case-study:{self.id}"

    @property
    def text(self) -> str:
        """The searchable text: the form's fields, then the attached document."""
        parts = [self.summary, self.results, self.file_text]
        if self.contact:
            parts.append(f"Contact: {self.contact}")
        return "\n\n".join(part for part in parts if part)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "status": self.status,
            "title": self.title,
            "member": self.member,
            "summary": self.summary,
            "results": self.results,
            "contact": self.contact,
            "url": self.url,
            "file_name": self.file_name,
            "file_format": self.file_format,
            "file_bytes": self.file_bytes,
            "words": len(_WORD.findall(self.text)),
            "lang": self.lang,
            "technologies": list(self.technologies),
            "submitter": {"id": self.submitter_id, "name": self.submitter_name, "platform": self.platform},
            "submitted_at": self.submitted_at.isoformat(),
            "reviewed_by": self.reviewed_by or None,
            "reviewed_at": self.reviewed_at.isoformat() if self.reviewed_at else None,
            "reason": self.reason or None,
            "doc_id": self.doc_id if self.status == APPROVED else None,
        }


@dataclass(frozen=True)
class Receipt:
    """What the submitter is told: the id to quote, and whether this was already received."""

    submission: Submission
    duplicate: bool = False

    @property
    def id(self) -> str:
        return self.submission.id

    def to_json(self) -> dict:
        return {"id": self.id, "duplicate": self.duplicate, "submission": self.submission.to_json()}


@dataclass(frozen=True)
class HistoryEntry:
    action: str  # submitted | edited | approved | rejected
    actor_id: str
    actor_name: str
    platform: str
    at: datetime
    detail: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "action": self.action,
            "actor": {"id": self.actor_id, "name": self.actor_name, "platform": self.platform},
            "at": self.at.isoformat(),
            "detail": self.detail,
        }


class SubmissionService:
    """Submissions, review and the outbox, over the shared database and a folder of original files."""

    def __init__(
        self,
        db: Database,
        files_dir: Path,
        knowledge: Callable[[], KnowledgeBase],
        moderators: Moderators,
        clock: Callable[[], datetime],
        *,
        max_file_bytes: int = DEFAULT_MAX_BYTES,
        limits: Limits = Limits(),
        work_limits: WorkLimits | None = WorkLimits(),  # noqa: B008 - frozen
    ):
        self.db = db
        self.folder = Path(files_dir) / "submissions"
        self._knowledge = knowledge  # opened only by the operations that need it
        self.moderators = moderators
        self.clock = clock
        self.outbox = Outbox(db, clock)
        self.max_file_bytes = max_file_bytes
        self.limits = limits
        self.work_limits = work_limits
        make_private_dir(Path(files_dir))
        make_private_dir(self.folder)
        self.remove_orphans()
        self.reconcile_published()

    # -- submitting -----------------------------------------------------------------------------

    def extract(self, upload: Upload) -> Extracted:
        """The attached file's text, parsed in a worker process under memory and CPU limits.

        The bot calls this before queueing the submission, so a hostile file never holds up the
        write queue that indexing, approvals and opt-outs share."""
        name = _display_name(upload.name)
        return extract_limited(upload.data, name, max_bytes=self.max_file_bytes, limits=self.work_limits)

    def submit(self, form: SubmissionForm, submitter: Actor, extracted: Extracted | None = None) -> Receipt:
        """Validate everything, then commit the row and the file together; only then return.

        `extracted` is the file already read by `extract` (the bot does that off its write queue)."""
        if form.file is not None and extracted is None:
            extracted = self.extract(form.file)
        draft = self._draft(form, extracted, submitter)
        existing = self._by_hash(draft.content_hash)
        if existing:
            return Receipt(existing, duplicate=True)
        analysed = self._knowledge().analyse(self._document(draft))
        draft = replace(
            draft,
            lang=draft.lang or analysed.lang,
            technologies=draft.technologies or tuple(analysed.technologies),
        )
        try:
            return Receipt(self._store(draft, form.file))
        except sqlite3.IntegrityError:  # the same content committed meanwhile by another process
            existing = self._by_hash(draft.content_hash)
            if existing:
                return Receipt(existing, duplicate=True)
            raise

    def read_upload(self, path: Path) -> Upload:
        """A file from disk as an Upload, refused by size before it is read."""
        path = Path(path)
        return Upload(name=path.name, data=read_limited(path, max_bytes=self.max_file_bytes, name=path.name))

    def _draft(self, form: SubmissionForm, extracted: Extracted | None, submitter: Actor) -> Submission:
        fields = extracted.fields if extracted else {}
        label = _display_name(form.file.name) if form.file else ""
        at = f"{label}: " if label else ""  # errors name the file when there is one
        lim = self.limits

        def pick(given: str, *keys: str) -> str:
            if given.strip():
                return _clean(given)
            for key in keys:
                value = fields.get(key)
                if isinstance(value, str | int | float) and str(value).strip():
                    return _clean(str(value))
            return ""

        title = pick(form.title, "title") or (extracted.title if extracted else "")
        member = pick(form.member, "member", "administration", "author")
        summary = pick(form.summary, "summary")
        results = pick(form.results, "results", "lessons")
        contact = pick(form.contact, "contact")
        url = pick(form.url, "url")
        file_text = extracted.text if extracted else ""

        if not title:
            raise SubmissionError(f"{at}a title is needed (give one, or start the document with a heading)")
        if not member:
            raise SubmissionError(
                f"{at}say which administration or member this case study is from"
                " (the member field, or author: in the front matter)"
            )
        for what, value, limit in (
            ("title", title, lim.title_chars),
            ("administration/member", member, lim.member_chars),
            ("summary", summary, lim.field_chars),
            ("results and lessons learned", results, lim.field_chars),
            ("contact", contact, lim.field_chars),
            ("url", url, lim.field_chars),
        ):
            if len(value) > limit:
                raise SubmissionError(f"{at}the {what} is {len(value):,} characters; the limit is {limit:,}")
        if url and not re.match(r"https?://\S+$", url):
            raise SubmissionError(f"{at}the url must start with http:// or https:// and have no spaces")
        body = "\n\n".join(part for part in (summary, results, file_text) if part)
        total = len(title) + len(member) + len(body) + len(contact) + len(url)
        if total > lim.text_chars:
            raise SubmissionError(
                f"{at}the case study is {total:,} characters; the limit is {lim.text_chars:,}"
                " (attach a shorter version)"
            )
        words = len(_WORD.findall(body))
        if words < lim.min_words:
            raise SubmissionError(
                f"{at}too short ({words} words); describe the project, its results and lessons "
                f"learned in at least {lim.min_words} words"
            )
        lang = _given_lang(fields.get("lang"), label or "front matter")
        technologies = _given_technologies(fields.get("technologies"), label or "front matter")
        file_digest = hashlib.sha256(form.file.data).hexdigest() if form.file else ""
        content_hash = hashlib.sha256(
            json.dumps([title, member, summary, results, contact, url, file_digest]).encode()
        ).hexdigest()
        return Submission(
            id="",
            status=PENDING,
            title=title,
            member=member,
            summary=summary,
            results=results,
            contact=contact,
            url=url,
            file_text=file_text,
            file_name=_display_name(form.file.name) if form.file else "",
            file_format=extracted.format if extracted else "",
            stored_file="",
            file_bytes=len(form.file.data) if form.file else 0,
            content_hash=content_hash,
            lang=lang,
            technologies=technologies,
            submitter_id=str(submitter.id),
            submitter_name=_clean(submitter.name)[: lim.member_chars],
            platform=submitter.platform,
            submitted_at=self.clock(),
        )

    def _store(self, draft: Submission, upload: Upload | None) -> Submission:
        """Temp file + fsync, then one transaction: insert the row, rename the file, commit."""
        temp = None
        if upload:
            temp = self.folder / f".tmp-{secrets.token_hex(8)}"
            _write_synced(temp, upload.data)
        final = None
        try:
            with self.db.transaction() as conn:
                sub_id = self._new_id(conn)
                stored = f"{sub_id}{Path(upload.name).suffix.lower()}" if upload else ""
                sub = replace(draft, id=sub_id, stored_file=stored)
                conn.execute(
                    "INSERT INTO submissions (id, status, title, member, summary, results, contact, url,"
                    " file_text, file_name, file_format, stored_file, file_bytes, content_hash, lang,"
                    " technologies, submitter_id, submitter_name, platform, submitted_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        sub.id, sub.status, sub.title, sub.member, sub.summary, sub.results, sub.contact,
                        sub.url, sub.file_text, sub.file_name, sub.file_format, sub.stored_file,
                        sub.file_bytes, sub.content_hash, sub.lang, ",".join(sub.technologies),
                        sub.submitter_id, sub.submitter_name, sub.platform, sub.submitted_at.isoformat(),
                    ),
                )  # fmt: skip
                self._record(conn, sub.id, "submitted", sub.submitter_id, sub.submitter_name, sub.platform)
                if temp is not None:
                    final = self.folder / stored
                    os.replace(temp, final)
                    temp = None
                    _sync_dir(self.folder)
        except BaseException:
            for leftover in (temp, final):
                if leftover is not None:
                    leftover.unlink(missing_ok=True)
            raise
        return sub

    def _new_id(self, conn: sqlite3.Connection) -> str:
        while True:
            candidate = f"cs-{secrets.token_hex(3)}"
            if not conn.execute("SELECT 1 FROM submissions WHERE id = ?", (candidate,)).fetchone():
                return candidate

    def remove_orphans(self) -> list[str]:
        """Delete stored files no row names (a crash between rename and commit), and stale temp files.

        Runs under the write lock, so no other process is between its rename and its commit.
        """
        removed = []
        now = self.clock().timestamp()
        with self.db.transaction() as conn:
            known = {row[0] for row in conn.execute("SELECT stored_file FROM submissions")}
            for path in self.folder.iterdir():
                if not path.is_file() or path.name in known:
                    continue
                if path.name.startswith(".tmp-"):
                    try:
                        if now - path.stat().st_mtime < ORPHAN_TEMP_AGE_SECONDS:
                            continue  # may belong to a submission being written right now
                    except FileNotFoundError:
                        continue
                path.unlink(missing_ok=True)
                removed.append(path.name)
        return removed

    # -- reading --------------------------------------------------------------------------------

    def list(self, actor: Actor, status: str | None = None) -> list[Submission]:
        """Pending first (oldest first: they have waited longest), then the others newest first."""
        self._require_moderator(actor)
        if status is not None and status not in STATUSES:
            raise InputError(f"unknown status {status!r}; choose from {', '.join(STATUSES)}")
        rows = self.db.query(
            "SELECT * FROM submissions WHERE (? IS NULL OR status = ?)"
            " ORDER BY status != 'pending',"
            " CASE WHEN status = 'pending' THEN submitted_at END ASC, submitted_at DESC, id",
            (status, status),
        )
        return [_row_to_submission(row) for row in rows]

    def mine(self, actor: Actor) -> list[Submission]:
        """A member's own submissions and their status, newest first."""
        rows = self.db.query(
            "SELECT * FROM submissions WHERE submitter_id = ? AND platform = ? ORDER BY submitted_at DESC",
            (str(actor.id), actor.platform),
        )
        return [_row_to_submission(row) for row in rows]

    def get(self, actor: Actor, submission_id: str) -> Submission:
        """Moderators see every submission; a member sees their own."""
        sub = self._load(submission_id)
        if not (sub.submitter_id == str(actor.id) and sub.platform == actor.platform):
            self._require_moderator(actor)
        return sub

    def history(self, actor: Actor, submission_id: str) -> list[HistoryEntry]:
        sub = self.get(actor, submission_id)
        rows = self.db.query(
            "SELECT * FROM submission_history WHERE submission_id = ? ORDER BY id", (sub.id,)
        )
        return [
            HistoryEntry(
                action=row["action"],
                actor_id=row["actor_id"],
                actor_name=row["actor_name"],
                platform=row["platform"],
                at=datetime.fromisoformat(row["at"]),
                detail=json.loads(row["detail"]),
            )
            for row in rows
        ]

    def file_path(self, actor: Actor, submission_id: str) -> Path | None:
        """Where the original file is kept (for a moderator to open), None without a file."""
        sub = self.get(actor, submission_id)
        return self.folder / sub.stored_file if sub.stored_file else None

    def approved(self, submission_id: str) -> Submission | None:
        """A submission anyone may read (the web library): approved ones only, None for any other."""
        try:
            sub = self._load(submission_id)
        except UnknownSubmission:
            return None
        return sub if sub.status == APPROVED else None

    def original_file(self, sub: Submission) -> Path | None:
        """The stored original of a submission, by the name this service generated (never a user's)."""
        if not sub.stored_file:
            return None
        path = self.folder / sub.stored_file
        return path if path.is_file() else None

    # -- a member's data (privacy export / forget) ----------------------------------------------

    def member_data(self) -> MemberData:
        return MemberData(
            name="submissions",
            tables={
                "submissions": ("submitter_id", "submitter_name", "member", "reviewed_by"),
                "submission_history": ("actor_id", "actor_name"),
                "outbox": ("recipient_id",),
            },
            export=self._export_member,
            forget=self._forget_member,
        )

    def _export_member(self, member: str) -> dict:
        def rows(sql: str) -> list[dict]:
            return [dict(row) for row in self.db.query(sql, (member,))]

        own = [
            {**_row_to_submission(row).to_json(), "stored_file": row["stored_file"]}
            for row in self.db.query(
                "SELECT * FROM submissions WHERE submitter_id = ? ORDER BY id", (member,)
            )
        ]
        return {
            "submitted": own,
            "history": rows(
                "SELECT * FROM submission_history WHERE actor_id = ? OR submission_id IN"
                " (SELECT id FROM submissions WHERE submitter_id = ?1) ORDER BY id"
            ),
            "notifications": rows("SELECT * FROM outbox WHERE recipient_id = ? ORDER BY id"),
        }

    def _forget_member(self, member: str) -> int:
        """Delete the member's submissions (documents, history, notices, files); anonymise their
        decisions as a moderator on other members' submissions."""
        own = self.db.query("SELECT id, stored_file FROM submissions WHERE submitter_id = ?", (member,))
        kb = self._knowledge() if own else None
        for row in own:  # published case studies leave the index first
            kb.delete(f"case-study:{row['id']}")
        changed = 0
        with self.db.transaction() as conn:
            for row in own:
                sub_id = (row["id"],)
                changed += conn.execute("DELETE FROM outbox WHERE submission_id = ?", sub_id).rowcount
                changed += conn.execute(
                    "DELETE FROM submission_history WHERE submission_id = ?", sub_id
                ).rowcount
                changed += conn.execute("DELETE FROM submissions WHERE id = ?", sub_id).rowcount
            changed += conn.execute("DELETE FROM outbox WHERE recipient_id = ?", (member,)).rowcount
            changed += conn.execute(
                "UPDATE submissions SET reviewed_by = ? WHERE id IN (SELECT submission_id FROM"
                " submission_history WHERE actor_id = ? AND action IN ('approved', 'rejected'))",
                (FORGOTTEN, member),
            ).rowcount
            changed += conn.execute(
                "UPDATE submission_history SET actor_id = '', actor_name = ? WHERE actor_id = ?",
                (FORGOTTEN, member),
            ).rowcount
        for row in own:  # after the commit: a crash in between leaves an orphan, removed at start
            if row["stored_file"]:
                (self.folder / row["stored_file"]).unlink(missing_ok=True)
        return changed

    # -- reviewing ------------------------------------------------------------------------------

    def check_reviewer(self, actor: Actor, submission_id: str) -> Submission:
        """Raises what approving or rejecting would (not a moderator, their own, already decided),
        so an adapter can refuse before asking for a reason."""
        self._require_moderator(actor)
        sub = self._load(submission_id)
        self._require_not_own(actor, sub)
        self._require_pending(sub, "review")
        return sub

    def approve(self, actor: Actor, submission_id: str) -> Submission:
        """Record the approval, the published document and its announcement in one transaction;
        the index follows from the journal. A crash anywhere leaves it either pending and unsearchable,
        or approved (and searchable once the journal is replayed, at the latest on the next open)."""
        self._require_moderator(actor)
        sub = self._load(submission_id)
        self._require_not_own(actor, sub)
        self._require_pending(sub, "approve")
        reviewed_at = self.clock()
        approved = replace(sub, status=APPROVED, reviewed_by=actor.name, reviewed_at=reviewed_at)
        knowledge = self._knowledge()
        with self.db.transaction() as conn:
            changed = self._transition(conn, approved, actor, {})
            if changed:
                knowledge.record(self._document(approved))
                payload = {
                    "submission_id": sub.id,
                    "doc_id": sub.doc_id,
                    "title": sub.title,
                    "member": sub.member,
                    "summary": _excerpt(sub.summary or sub.text, 500),
                    "technologies": list(sub.technologies),
                    "lang": sub.lang,
                    "url": sub.url,
                }
                self._queue(conn, ANNOUNCEMENT, sub.id, "", "", payload)
                self._queue(conn, APPROVED_NOTICE, sub.id, sub.submitter_id, sub.platform, payload)
        if not changed:  # someone else decided meanwhile
            self._require_pending(self._load(sub.id), "approve")
        knowledge.sync()
        return approved

    def reject(self, actor: Actor, submission_id: str, reason: str) -> Submission:
        self._require_moderator(actor)
        reason = _clean(reason or "")
        if not reason:
            raise InputError("a reason is needed to reject a submission: the submitter is told why")
        if len(reason) > self.limits.reason_chars:
            limit = self.limits.reason_chars
            raise InputError(f"the reason is {len(reason):,} characters; the limit is {limit:,}")
        sub = self._load(submission_id)
        self._require_not_own(actor, sub)
        self._require_pending(sub, "reject")
        rejected = replace(
            sub, status=REJECTED, reviewed_by=actor.name, reviewed_at=self.clock(), reason=reason
        )
        knowledge = self._knowledge()
        with self.db.transaction() as conn:
            if not self._transition(conn, rejected, actor, {"reason": reason}):
                self._require_pending(self._load(sub.id), "reject")
            knowledge.record_removal(sub.doc_id)  # whatever a crash left published goes too
            payload = {"submission_id": sub.id, "title": sub.title, "reason": reason}
            self._queue(conn, REJECTED_NOTICE, sub.id, sub.submitter_id, sub.platform, payload)
        knowledge.sync()
        return rejected

    def edit(
        self,
        actor: Actor,
        submission_id: str,
        *,
        title: str | None = None,
        member: str | None = None,
        technologies: Iterable[str] | None = None,
        lang: str | None = None,
    ) -> Submission:
        """A moderator's corrections; an approved case study is re-indexed with them."""
        self._require_moderator(actor)
        sub = self._load(submission_id)
        changes: dict = {}
        if title is not None:
            title = _clean(title)
            if not title or len(title) > self.limits.title_chars:
                raise InputError(f"the title must be 1 to {self.limits.title_chars} characters")
            changes["title"] = title
        if member is not None:
            member = _clean(member)
            if not member or len(member) > self.limits.member_chars:
                limit = self.limits.member_chars
                raise InputError(f"the administration/member must be 1 to {limit} characters")
            changes["member"] = member
        if technologies is not None:
            changes["technologies"] = _given_technologies(list(technologies), sub.id)
        if lang is not None:
            changes["lang"] = _given_lang(lang, sub.id)
        changes = {k: v for k, v in changes.items() if getattr(sub, k) != v}
        if not changes:
            return sub
        edited = replace(sub, **changes)
        knowledge = self._knowledge() if sub.status == APPROVED else None
        detail = {k: list(v) if isinstance(v, tuple) else v for k, v in changes.items()}
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE submissions SET title = ?, member = ?, technologies = ?, lang = ? WHERE id = ?",
                (edited.title, edited.member, ",".join(edited.technologies), edited.lang, sub.id),
            )
            self._record(conn, sub.id, "edited", str(actor.id), actor.name, actor.platform, detail)
            if knowledge is not None:
                knowledge.record(self._document(edited))
        if knowledge is not None:
            knowledge.sync()
        return edited

    def reconcile_published(self) -> int:
        """Make the published documents exactly the approved submissions: a crash of an older
        version between indexing and the status change could leave a pending or rejected case
        study searchable. Cheap when they agree (one query); returns how many were corrected."""
        published = DocumentStore(self.db).ids_starting("case-study:cs-")
        approved = {
            f"case-study:{row['id']}"
            for row in self.db.query("SELECT id FROM submissions WHERE status = 'approved'")
        }
        stray, missing = published - approved, approved - published
        if not stray and not missing:
            return 0
        knowledge = self._knowledge()
        with self.db.transaction():
            for doc_id in sorted(stray):
                knowledge.record_removal(doc_id)
            for doc_id in sorted(missing):
                knowledge.record(self._document(self._load(doc_id.removeprefix("case-study:"))))
        knowledge.sync()
        log.warning(
            "case studies: %d unpublished (not approved), %d published again (approved)",
            len(stray),
            len(missing),
        )
        return len(stray) + len(missing)

    # -- outbox ---------------------------------------------------------------------------------

    def pending_notifications(
        self, kind: str | None = None, platform: str | None = None
    ) -> list[Notification]:
        """Queued messages not yet delivered, oldest first. Adapters deliver, then `mark_sent`."""
        return self.outbox.pending(kind, platform)

    def pending_announcements(self) -> list[Notification]:
        return self.outbox.pending(kind=ANNOUNCEMENT)

    def mark_sent(self, notification_id: int) -> bool:
        """True the first time; False if it was already sent or does not exist."""
        return self.outbox.mark_sent(notification_id)

    # -- internals ------------------------------------------------------------------------------

    def _require_moderator(self, actor: Actor) -> None:
        if not is_moderator(actor, self.moderators):
            raise NotAllowed("only moderators can review case studies")

    def _require_not_own(self, actor: Actor, sub: Submission) -> None:
        if not may_review(actor, sub.submitter_id, sub.platform, self.moderators):
            raise OwnSubmission(sub.id)

    def _require_pending(self, sub: Submission, verb: str) -> None:
        if sub.status != PENDING:
            when = f" by {sub.reviewed_by}" if sub.reviewed_by else ""
            raise InvalidTransition(f"cannot {verb} {sub.id}: it was already {sub.status}{when}")

    def _load(self, submission_id: str) -> Submission:
        match = _ID.match((submission_id or "").strip().lower())
        rows = []
        if match:
            rows = self.db.query("SELECT * FROM submissions WHERE id = ?", (f"cs-{match.group(1)}",))
        if not rows:
            shown = (submission_id or "").strip()[:40]
            raise UnknownSubmission(f"no submission with id {shown!r} (ids look like cs-7f3a2b)")
        return _row_to_submission(rows[0])

    def _by_hash(self, content_hash: str) -> Submission | None:
        rows = self.db.query("SELECT * FROM submissions WHERE content_hash = ?", (content_hash,))
        return _row_to_submission(rows[0]) if rows else None

    def _transition(self, conn: sqlite3.Connection, sub: Submission, actor: Actor, detail: dict) -> bool:
        cur = conn.execute(
            "UPDATE submissions SET status = ?, reviewed_by = ?, reviewed_at = ?, reason = ?"
            " WHERE id = ? AND status = 'pending'",
            (sub.status, sub.reviewed_by, sub.reviewed_at.isoformat(), sub.reason, sub.id),
        )
        if cur.rowcount != 1:
            return False
        self._record(conn, sub.id, sub.status, str(actor.id), actor.name, actor.platform, detail)
        return True

    def _record(
        self,
        conn: sqlite3.Connection,
        submission_id: str,
        action: str,
        actor_id: str,
        actor_name: str,
        platform: str,
        detail: dict | None = None,
    ) -> None:
        conn.execute(
            "INSERT INTO submission_history (submission_id, action, actor_id, actor_name, platform, at,"
            " detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (submission_id, action, actor_id, actor_name, platform, self.clock().isoformat(),
             json.dumps(detail or {}, ensure_ascii=False)),
        )  # fmt: skip

    def _queue(
        self, conn: sqlite3.Connection, kind: str, sub_id: str, to: str, platform: str, payload: dict
    ) -> None:
        """Notices commit with the decision that caused them (the outbox is shared by all services)."""
        self.outbox.queue(conn, kind, sub_id, to, platform, payload)

    def _document(self, sub: Submission) -> Document:
        meta = {"submission_id": sub.id, "submitter_id": sub.submitter_id, "platform": sub.platform}
        if sub.contact:
            meta["contact"] = sub.contact
        return Document(
            id=sub.doc_id if sub.id else "case-study:draft",
            text=sub.text,
            kind="case-study",
            title=sub.title,
            author=sub.member,
            date=sub.submitted_at,
            url=sub.url,
            source=f"submission {sub.id}" if sub.id else "submission",
            lang=sub.lang,
            technologies=sub.technologies,
            meta=meta,
        )


# -- helpers --------------------------------------------------------------------------------------


def _row_to_submission(row: sqlite3.Row) -> Submission:
    return Submission(
        id=row["id"],
        status=row["status"],
        title=row["title"],
        member=row["member"],
        summary=row["summary"],
        results=row["results"],
        contact=row["contact"],
        url=row["url"],
        file_text=row["file_text"],
        file_name=row["file_name"],
        file_format=row["file_format"],
        stored_file=row["stored_file"],
        file_bytes=row["file_bytes"],
        content_hash=row["content_hash"],
        lang=row["lang"],
        technologies=tuple(t for t in row["technologies"].split(",") if t),
        submitter_id=row["submitter_id"],
        submitter_name=row["submitter_name"],
        platform=row["platform"],
        submitted_at=datetime.fromisoformat(row["submitted_at"]),
        reviewed_by=row["reviewed_by"],
        reviewed_at=datetime.fromisoformat(row["reviewed_at"]) if row["reviewed_at"] else None,
        reason=row["reason"],
    )


def _clean(value: str) -> str:
    """Trim, normalise newlines, drop control characters (they break terminals and embeds)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", value)
    return value.strip()


def _display_name(name: str) -> str:
    """The user's file name for display only: no folders, no control characters, bounded."""
    base = re.split(r"[\\/]", name)[-1]
    return _clean(base)[:200] or "file"


def _excerpt(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _given_lang(value: object, label: str) -> str:
    if value is None or value == "":
        return ""
    lang = str(value).strip().lower()
    if lang not in LANGUAGES:
        raise SubmissionError(f"{label}: unknown language {value!r}; choose from {', '.join(LANGUAGES)}")
    return lang


def _given_technologies(value: object, label: str) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise SubmissionError(f"{label}: technologies must be a list, e.g. [blockchain, iot]")
    chosen = []
    for item in items:
        tech = str(item).strip().lower()
        if not tech:
            continue
        if tech not in TECHNOLOGIES:
            choices = ", ".join(TECHNOLOGIES)
            raise SubmissionError(f"{label}: unknown technology {item!r}; choose from {choices}")
        if tech not in chosen:
            chosen.append(tech)
    return tuple(chosen)


def _write_synced(path: Path, data: bytes) -> None:
    """Members' files are private to the bot's user (0600), whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
