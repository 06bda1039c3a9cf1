"""The digest: once per period (weekly by default), what members shared since the last one, grouped
by technology, with links.

Periods are counted in the configured time zone from a starting moment (`digest.starts`), so a
weekly digest stays on its weekday and hour through daylight-saving changes. Each period has one row
in `digests`, claimed (state "sending", with the documents it lists) before the message is sent and
marked "sent" with the message's id after. A crash in between leaves a "sending" row: on the next
run the adapter looks for the message in the channel (its footer names the period) and either
records it or sends it then — so a period is neither posted twice nor skipped, as long as the bot
may read the channel's history. Periods missed while the bot was down are folded into the next
digest: it covers everything since the last one, not one post per missed week.

A document counts as shared in a period when it entered (or last changed in) the knowledge base
then, is not a question, is not demo content, its author has not opted out, the previous digest did
not list it, and it is dated no earlier than one period before (an edit of an old post is not news).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.privacy.service import opted_out_among
from index.database import Database
from index.doctype import QUESTION
from index.documents import SAMPLE_META, TECHNOLOGIES

SENDING, SENT, EMPTY = "sending", "sent", "empty"
OTHER_GROUP = ""  # documents tagged with no technology


@dataclass(frozen=True)
class Periods:
    """Consecutive periods of `every`, the first starting at `starts` (wall-clock time in `tz`)."""

    every: timedelta
    starts: datetime  # naive: a wall-clock time in tz
    tz: ZoneInfo

    def start_of(self, now: datetime) -> datetime:
        """The UTC start of the period `now` falls in."""
        local = now.astimezone(self.tz).replace(tzinfo=None)
        n = math.floor((local - self.starts) / self.every)
        start = (self.starts + n * self.every).replace(tzinfo=self.tz).astimezone(UTC)
        if start > now:  # a wall-clock time skipped or repeated by a DST change
            start = (self.starts + (n - 1) * self.every).replace(tzinfo=self.tz).astimezone(UTC)
        return start

    def key(self, start: datetime) -> str:
        """How a period is named in the database and in its message's footer."""
        return start.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


@dataclass(frozen=True)
class Claim:
    period: str  # Periods.key of the period's start
    covered_from: datetime
    covered_until: datetime
    doc_ids: tuple[str, ...]
    state: str
    claimed_at: datetime
    message_id: str | None = None


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    author: str
    url: str
    kind: str
    technologies: tuple[str, ...]


def group_by_technology(items: Sequence[Item]) -> list[tuple[str, list[Item]]]:
    """(technology, items) in the glossary's order, then the untagged; each item once, under its first
    technology, so a short digest does not repeat itself."""
    groups: dict[str, list[Item]] = {}
    for item in items:
        first = next((t for t in TECHNOLOGIES if t in item.technologies), OTHER_GROUP)
        groups.setdefault(first, []).append(item)
    order = [*TECHNOLOGIES, OTHER_GROUP]
    return [(tech, groups[tech]) for tech in order if tech in groups]


def _moment(text: str) -> datetime:
    when = datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _title(title: str, text: str, limit: int = 90) -> str:
    line = (title or next((ln for ln in text.splitlines() if ln.strip()), "")).strip()
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


class DigestService:
    def __init__(self, db: Database, clock: Callable[[], datetime], periods: Periods):
        self._db = db
        self._clock = clock
        self.periods = periods

    def _row(self, row) -> Claim:
        return Claim(
            row["period"],
            datetime.fromisoformat(row["covered_from"]),
            datetime.fromisoformat(row["covered_until"]),
            tuple(json.loads(row["doc_ids"])),
            row["state"],
            datetime.fromisoformat(row["claimed_at"]),
            row["message_id"],
        )

    def unsent(self) -> list[Claim]:
        """Claimed, not known to be sent: the adapter looks for each in the channel, then sends it."""
        rows = self._db.query("SELECT * FROM digests WHERE state = ? ORDER BY period", (SENDING,))
        return [self._row(r) for r in rows]

    def last(self) -> Claim | None:
        rows = self._db.query("SELECT * FROM digests ORDER BY period DESC LIMIT 1")
        return self._row(rows[0]) if rows else None

    def claim_due(self) -> Claim | None:
        """Claim the current period's digest if it has none yet, choosing its documents; None when it
        has one. A period with nothing shared is recorded as "empty" (nothing to send)."""
        now = self._clock()
        start = self.periods.start_of(now)
        key = self.periods.key(start)
        if self._db.query("SELECT 1 FROM digests WHERE period = ?", (key,)):
            return None  # the usual minute: no write lock taken
        with self._db.transaction() as conn:
            if conn.execute("SELECT 1 FROM digests WHERE period = ?", (key,)).fetchone():
                return None
            prev = conn.execute("SELECT * FROM digests ORDER BY period DESC LIMIT 1").fetchone()
            if prev is not None and prev["period"] > key:
                return None  # the clock went back: a later period was already handled
            since = datetime.fromisoformat(prev["covered_until"]) if prev else start - self.periods.every
            listed = set(json.loads(prev["doc_ids"])) if prev else set()
            ids = self._shared(conn, min(since, start), start, listed)
            state = SENDING if ids else EMPTY
            conn.execute(
                "INSERT INTO digests (period, covered_from, covered_until, doc_ids, state, claimed_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    key,
                    min(since, start).isoformat(),
                    start.isoformat(),
                    json.dumps(ids),
                    state,
                    now.isoformat(),
                ),
            )
            row = conn.execute("SELECT * FROM digests WHERE period = ?", (key,)).fetchone()
        return self._row(row)

    def _shared(self, conn, since: datetime, until: datetime, listed: set[str]) -> list[str]:
        oldest = since - self.periods.every
        rows = conn.execute(
            "SELECT id, author_id, date, updated_at FROM documents WHERE doc_type != ? "
            f"AND COALESCE(json_extract(meta, '$.{SAMPLE_META}'), '') != 'true' AND updated_at >= ? "
            "ORDER BY date, id",
            (QUESTION, (since - timedelta(days=1)).isoformat()[:10]),  # coarse: exact below
        ).fetchall()
        # compared as moments, not as text (offsets and fractions of seconds vary)
        rows = [
            r
            for r in rows
            if since <= _moment(r["updated_at"]) < until
            and (r["date"] is None or _moment(r["date"]) >= oldest)
        ]
        out = opted_out_among(conn, {r["author_id"] for r in rows if r["author_id"]})
        return [r["id"] for r in rows if r["id"] not in listed and r["author_id"] not in out]

    def items(self, claim: Claim) -> list[Item]:
        """The claim's documents as they are now: removed ones and opted-out authors left out."""
        if not claim.doc_ids:
            return []
        marks = ",".join("?" * len(claim.doc_ids))
        with self._db.transaction() as conn:
            rows = conn.execute(
                "SELECT id, kind, title, text, author, author_id, url, tags FROM documents "
                f"WHERE id IN ({marks})",
                claim.doc_ids,
            ).fetchall()
            out = opted_out_among(conn, {r["author_id"] for r in rows if r["author_id"]})
        by_id = {r["id"]: r for r in rows if not r["author_id"] or r["author_id"] not in out}
        return [
            Item(
                r["id"],
                _title(r["title"], r["text"]),
                r["author"],
                r["url"],
                r["kind"],
                tuple(json.loads(r["tags"] or "{}").get("technologies", ())),
            )
            for doc_id in claim.doc_ids
            if (r := by_id.get(doc_id)) is not None
        ]

    def mark_sent(self, period: str, message_id: str | None) -> None:
        """After the message is sent, or found already sent (None: nothing left to send)."""
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE digests SET state = ?, message_id = ?, sent_at = ? WHERE period = ?",
                (SENT if message_id else EMPTY, message_id, self._clock().isoformat(), period),
            )
