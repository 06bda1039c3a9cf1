"""Case studies: a member submits a project write-up, a moderator reviews it, approval publishes it.

The service orchestrates: data in `model`, the rules a submission must meet in `validation`, the
originals' files in `files`, notices through the shared `bot.outbox`.

Longer than ~400 lines on purpose: each operation is one transaction over the submission, its
history, its notices, its document and its file, and the crash-safety of each is read in one place.

Platform-neutral: adapters (CLI, console, Discord) pass an `Actor` and plain data, and read
queued notifications from the outbox to deliver them. A receipt is only returned once the row and
the original file are both committed; a crash at any point leaves either both or neither.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from bot.casestudies.files import TEMP_PREFIX, stray_files, write_synced
from bot.casestudies.model import (
    ANNOUNCEMENT,
    APPROVED,
    APPROVED_NOTICE,
    PENDING,
    REJECTED,
    REJECTED_NOTICE,
    SELECT,
    STATUSES,
    SUBMISSION_ID,
    WITHDRAWN,
    HistoryEntry,
    InvalidTransition,
    Limits,
    OwnSubmission,
    Receipt,
    Submission,
    SubmissionForm,
    UnknownSubmission,
    Upload,
    row_to_submission,
    to_document,
)
from bot.casestudies.validation import (
    build_draft,
    clean,
    display_name,
    given_lang,
    given_technologies,
)
from bot.config import Moderators
from bot.members import Actor, NotAllowed, is_moderator, may_review
from bot.outbox import Notification, Outbox
from bot.privacy.member_data import FORGOTTEN, MemberData
from bot.search.library_posts import post_url, request_post, request_removal
from bot.text.truncate import excerpt
from index.database import Database, make_private_dir
from index.documents import Document
from index.errors import InputError
from index.extract import DEFAULT_MAX_BYTES, Extracted, extract_limited, read_limited
from index.index_folder import fsync_dir as _sync_dir  # a rename durable before its row commits
from index.knowledge import KnowledgeBase
from index.sections import DEFAULT_SECTION_CHARS, SectionLabels, labels_by_language
from index.store import DocumentStore
from index.tagger import Tagger
from index.worker import WorkLimits

log = logging.getLogger(__name__)


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
        limits: Limits = Limits(),  # noqa: B008 - frozen
        work_limits: WorkLimits | None = WorkLimits(),  # noqa: B008 - frozen
        tagger: Callable[[], Tagger] | None = None,
        section_chars: int = DEFAULT_SECTION_CHARS,
        section_labels: Mapping[str, SectionLabels] | None = None,
    ):
        self.db = db
        self.section_chars = section_chars  # a longer case study is published as sections
        self.section_labels = dict(section_labels or {})
        self.folder = Path(files_dir) / "submissions"
        self._knowledge = knowledge  # opened only by the operations that need it
        # what a draft is about (language, technologies) needs the glossary, not the search index
        self._tagger = tagger or (lambda: knowledge().tagger)
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
        name = display_name(upload.name)
        return extract_limited(upload.data, name, max_bytes=self.max_file_bytes, limits=self.work_limits)

    def submit(self, form: SubmissionForm, submitter: Actor, extracted: Extracted | None = None) -> Receipt:
        """Validate everything, then commit the row and the file together; only then return.

        `extracted` is the file already read by `extract` (the bot does that off its write queue)."""
        if form.file is not None and extracted is None:
            extracted = self.extract(form.file)
        draft = build_draft(form, extracted, submitter, self.limits, self.clock())
        existing = self._by_hash(draft.content_hash)
        if existing:
            return Receipt(existing, duplicate=True)
        tags = self._tagger().tag(to_document(draft))  # language and technologies; no index opened
        draft = replace(
            draft,
            lang=draft.lang or tags.lang,
            technologies=draft.technologies or tuple(tags.technologies),
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

    def _store(self, draft: Submission, upload: Upload | None) -> Submission:
        """Temp file + fsync, then one transaction: insert the row, rename the file, commit."""
        temp = None
        if upload:
            temp = self.folder / f"{TEMP_PREFIX}{secrets.token_hex(8)}"
            write_synced(temp, upload.data)
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
        with self.db.transaction() as conn:
            known = {row[0] for row in conn.execute("SELECT stored_file FROM submissions")}
            stray = stray_files(self.folder, known, self.clock().timestamp())
            for path in stray:
                path.unlink(missing_ok=True)
        return [path.name for path in stray]

    # -- reading --------------------------------------------------------------------------------

    def list(self, actor: Actor, status: str | None = None) -> list[Submission]:
        """Pending first (oldest first: they have waited longest), then the others newest first."""
        self._require_moderator(actor)
        if status is not None and status not in STATUSES:
            raise InputError(f"unknown status {status!r}; choose from {', '.join(STATUSES)}")
        rows = self.db.query(
            f"{SELECT} WHERE (? IS NULL OR shown_status = ?)"
            " ORDER BY s.status != 'pending',"
            " CASE WHEN s.status = 'pending' THEN s.submitted_at END ASC, s.submitted_at DESC, s.id",
            (status, status),
        )
        return [row_to_submission(row) for row in rows]

    def mine(self, actor: Actor) -> list[Submission]:
        """A member's own submissions and their status, newest first."""
        rows = self.db.query(
            f"{SELECT} WHERE s.submitter_id = ? AND s.platform = ? ORDER BY s.submitted_at DESC",
            (str(actor.id), actor.platform),
        )
        return [row_to_submission(row) for row in rows]

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
                "submission_withdrawals": ("actor_id", "actor_name"),
                "outbox": ("recipient_id",),
            },
            export=self._export_member,
            forget=self._forget_member,
        )

    def _export_member(self, member: str) -> dict:
        def rows(sql: str) -> list[dict]:
            return [dict(row) for row in self.db.query(sql, (member,))]

        own = [
            {**row_to_submission(row).to_json(), "stored_file": row["stored_file"]}
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
        for row in own:  # published case studies (with their sections) leave the index first
            kb.remove([f"case-study:{row['id']}"])
        changed = 0
        with self.db.transaction() as conn:
            for row in own:
                sub_id = (row["id"],)
                request_removal(conn, f"case-study:{row['id']}", self.clock())  # and its library post
                changed += conn.execute(
                    "DELETE FROM submission_withdrawals WHERE submission_id = ?", sub_id
                ).rowcount
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
            changed += conn.execute(
                "UPDATE submission_withdrawals SET actor_id = '', actor_name = ? WHERE actor_id = ?",
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
                self._index_case_study(knowledge, approved)
                payload = {
                    "submission_id": sub.id,
                    "doc_id": sub.doc_id,
                    "title": sub.title,
                    "member": sub.member,
                    "summary": excerpt(sub.summary or sub.text, 500),
                    "technologies": list(sub.technologies),
                    "lang": sub.lang,
                    "url": sub.url,
                }
                self._queue(conn, ANNOUNCEMENT, sub.id, "", "", payload)
                self._queue(conn, APPROVED_NOTICE, sub.id, sub.submitter_id, sub.platform, payload)
                request_post(conn, sub.doc_id, reviewed_at)  # the library channel's post
        if not changed:  # someone else decided meanwhile
            self._require_pending(self._load(sub.id), "approve")
        knowledge.sync()
        return approved

    def reject(self, actor: Actor, submission_id: str, reason: str) -> Submission:
        self._require_moderator(actor)
        reason = self._reason(reason, "a reason is needed to reject a submission: the submitter is told why")
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
            title = clean(title)
            if not title or len(title) > self.limits.title_chars:
                raise InputError(f"the title must be 1 to {self.limits.title_chars} characters")
            changes["title"] = title
        if member is not None:
            member = clean(member)
            if not member or len(member) > self.limits.member_chars:
                limit = self.limits.member_chars
                raise InputError(f"the administration/member must be 1 to {limit} characters")
            changes["member"] = member
        if technologies is not None:
            changes["technologies"] = given_technologies(list(technologies), sub.id)
        if lang is not None:
            changes["lang"] = given_lang(lang, sub.id)
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
                self._index_case_study(knowledge, edited)
                request_post(conn, sub.doc_id, self.clock())  # its library post shows the correction
        if knowledge is not None:
            knowledge.sync()
        return edited

    def withdraw(self, actor: Actor, submission_id: str, reason: str) -> Submission:
        """Take back an approved case study: out of the index and the web library, its library post
        removed by the bot. The withdrawal, the removal and the post's removal commit together."""
        self._require_moderator(actor)
        reason = self._reason(
            reason, "a reason is needed to withdraw a case study: it is kept in its history"
        )
        sub = self._load(submission_id)
        if sub.status == WITHDRAWN:
            raise InvalidTransition(
                f"cannot withdraw {sub.id}: it was already withdrawn by {sub.reviewed_by}",
                sub.id,
                WITHDRAWN,
                sub.reviewed_by or "",
            )
        if sub.status != APPROVED:
            raise InvalidTransition(
                f"cannot withdraw {sub.id}: it is {sub.status} (only an approved case study is withdrawn)",
                sub.id,
                sub.status,
                approved_only=True,
            )
        at = self.clock()
        knowledge = self._knowledge()
        with self.db.transaction() as conn:
            cur = conn.execute(
                "INSERT OR IGNORE INTO submission_withdrawals (submission_id, actor_id, actor_name, platform,"
                " at, reason) VALUES (?, ?, ?, ?, ?, ?)",
                (sub.id, str(actor.id), actor.name, actor.platform, at.isoformat(), reason),
            )
            if cur.rowcount == 1:
                self._record(
                    conn, sub.id, WITHDRAWN, str(actor.id), actor.name, actor.platform, {"reason": reason}
                )
                knowledge.record_removal(sub.doc_id)
                request_removal(conn, sub.doc_id, at)
        if cur.rowcount != 1:  # another moderator withdrew it meanwhile
            raise InvalidTransition(f"cannot withdraw {sub.id}: it was already withdrawn", sub.id, WITHDRAWN)
        knowledge.sync()
        return replace(sub, status=WITHDRAWN, reviewed_by=actor.name, reviewed_at=at, reason=reason)

    def reconcile_published(self) -> int:
        """Make the published documents exactly the approved submissions: a crash of an older
        version between indexing and the status change could leave a pending or rejected case
        study searchable. Cheap when they agree (one query); returns how many were corrected."""
        published = {
            doc_id  # a long case study's sections come and go with it
            for doc_id in DocumentStore(self.db).ids_starting("case-study:cs-")
            if "#" not in doc_id
        }
        approved = {
            f"case-study:{row['id']}" for row in self.db.query(f"{SELECT} WHERE shown_status = 'approved'")
        }
        stray, missing = published - approved, approved - published
        if not stray and not missing:
            return 0
        knowledge = self._knowledge()
        with self.db.transaction():
            for doc_id in sorted(stray):
                knowledge.record_removal(doc_id)
            for doc_id in sorted(missing):
                self._index_case_study(knowledge, self._load(doc_id.removeprefix("case-study:")))
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

    def _reason(self, reason: str, missing: str) -> str:
        """A moderator's reason, cleaned; `missing` is the error when there is none."""
        reason = clean(reason or "")
        if not reason:
            raise InputError(missing)
        if len(reason) > self.limits.reason_chars:
            limit = self.limits.reason_chars
            raise InputError(f"the reason is {len(reason):,} characters; the limit is {limit:,}")
        return reason

    def _require_moderator(self, actor: Actor) -> None:
        if not is_moderator(actor, self.moderators):
            raise NotAllowed("only moderators can review case studies")

    def _require_not_own(self, actor: Actor, sub: Submission) -> None:
        if not may_review(actor, sub.submitter_id, sub.platform, self.moderators):
            raise OwnSubmission(sub.id)

    def _require_pending(self, sub: Submission, verb: str) -> None:
        if sub.status != PENDING:
            when = f" by {sub.reviewed_by}" if sub.reviewed_by else ""
            raise InvalidTransition(
                f"cannot {verb} {sub.id}: it was already {sub.status}{when}",
                sub.id,
                sub.status,
                sub.reviewed_by or "",
            )

    def _load(self, submission_id: str) -> Submission:
        match = SUBMISSION_ID.match((submission_id or "").strip().lower())
        rows = []
        if match:
            rows = self.db.query(f"{SELECT} WHERE s.id = ?", (f"cs-{match.group(1)}",))
        if not rows:
            shown = (submission_id or "").strip()[:40]
            raise UnknownSubmission(f"no submission with id {shown!r} (ids look like cs-7f3a2b)", shown)
        return row_to_submission(rows[0])

    def _by_hash(self, content_hash: str) -> Submission | None:
        rows = self.db.query(f"{SELECT} WHERE s.content_hash = ?", (content_hash,))
        return row_to_submission(rows[0]) if rows else None

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

    def _index_case_study(self, knowledge: KnowledgeBase, sub: Submission) -> None:
        """Record the case study in the caller's transaction: a long one as sections under it
        (labelled in its language), found and linked one by one; it stays one unit to reject,
        edit or forget."""
        labels = labels_by_language(self.section_labels)
        knowledge.record_sectioned(self._document(sub), section_chars=self.section_chars, labels=labels)

    def _document(self, sub: Submission) -> Document:
        return to_document(sub, post_url(self.db, sub.doc_id) if sub.id else None)
