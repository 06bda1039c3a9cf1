"""Case studies as data: what a member gives, what is stored, what review decides, and the errors.

Plain dataclasses and their row/document mappings; the rules that fill them are in `validation`,
the SQL in `store`, the orchestration in `service`.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

from bot.members import NotAllowed
from index.documents import Document
from index.errors import InputError

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
WITHDRAWN = "withdrawn"  # approved, then taken back by a moderator (a row in submission_withdrawals)
STATUSES = (PENDING, APPROVED, REJECTED, WITHDRAWN)
# Every read of a submission: a withdrawal shows as its status, with the withdrawal's reason.
SELECT = (
    "SELECT s.*, w.reason AS withdrawn_reason, w.actor_name AS withdrawn_by, w.at AS withdrawn_at,"
    " CASE WHEN w.submission_id IS NULL THEN s.status ELSE 'withdrawn' END AS shown_status"
    " FROM submissions s LEFT JOIN submission_withdrawals w ON w.submission_id = s.id"
)
ANNOUNCEMENT = "case-study-published"  # to the announce channel
APPROVED_NOTICE = "submission-approved"  # to the submitter
REJECTED_NOTICE = "submission-rejected"  # to the submitter, with the reason
SUBMISSION_ID = re.compile(r"^(?:cs-)?([0-9a-f]{6})$")  # "cs-7f3a2b", or its six hex digits
WORD = re.compile(r"\w+")


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
    """No submission has this id. `shown` is what was typed (cut short), for a localised line."""

    def __init__(self, message: str, shown: str = ""):
        super().__init__(message)
        self.shown = shown


class InvalidTransition(InputError):
    """Approving twice, rejecting an approved one… The fields let an adapter say it in the reader's
    language: `status` is the submission's, `by` who reviewed it (empty when unknown), and
    `approved_only` marks a withdrawal of something that was never approved."""

    def __init__(
        self,
        message: str,
        submission_id: str = "",
        status: str = "",
        by: str = "",
        approved_only: bool = False,
    ):
        super().__init__(message)
        self.submission_id = submission_id
        self.status = status
        self.by = by
        self.approved_only = approved_only


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
            "words": len(WORD.findall(self.text)),
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


def row_to_submission(row: sqlite3.Row) -> Submission:
    # sqlite3.Row's `in` looks at values, not column names
    withdrawn = "withdrawn_reason" in row.keys() and row["withdrawn_reason"] is not None  # noqa: SIM118
    reviewed_at = row["withdrawn_at"] if withdrawn else row["reviewed_at"]
    return Submission(
        id=row["id"],
        status=WITHDRAWN if withdrawn else row["status"],
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
        reviewed_by=row["withdrawn_by"] if withdrawn else row["reviewed_by"],
        reviewed_at=datetime.fromisoformat(reviewed_at) if reviewed_at else None,
        reason=row["withdrawn_reason"] if withdrawn else row["reason"],
    )


def to_document(sub: Submission, post_url: str | None = None) -> Document:
    """The searchable document an approved case study becomes (a draft is only analysed); its link
    is its post in the library channel once it has one, else the member's own."""
    meta = {"submission_id": sub.id, "submitter_id": sub.submitter_id, "platform": sub.platform}
    if sub.contact:
        meta["contact"] = sub.contact
    if sub.url:
        meta["source_url"] = sub.url  # the member's own link
    return Document(
        id=sub.doc_id if sub.id else "case-study:draft",
        text=sub.text,
        kind="case-study",
        title=sub.title,
        author=sub.member,
        date=sub.submitted_at,
        url=post_url or sub.url,
        source=f"submission {sub.id}" if sub.id else "submission",
        lang=sub.lang,
        technologies=sub.technologies,
        meta=meta,
    )
