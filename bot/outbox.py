"""The outbox: messages a service decided to send, queued in the same transaction as the decision.

A service queues a notice inside its own transaction (so an approval and its announcement commit
together); an adapter delivers what is pending and marks each sent. The table is the migration's
(`outbox` in index/migrations.py); `submission_id` names the record a notice is about.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from index.database import Database


@dataclass(frozen=True)
class Notification:
    """A message an adapter must deliver: an announcement (recipient "") or a note to a member."""

    id: int
    kind: str
    submission_id: str
    recipient_id: str
    platform: str  # the recipient's platform; "" for the announce channel
    payload: dict
    created_at: datetime

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "submission_id": self.submission_id,
            "recipient_id": self.recipient_id or None,
            "platform": self.platform or None,
            "payload": self.payload,
            "created_at": self.created_at.isoformat(),
        }


class Outbox:
    """Queue inside a caller's transaction; read and acknowledge from any process."""

    def __init__(self, db: Database, clock: Callable[[], datetime]):
        self.db = db
        self.clock = clock

    def queue(
        self,
        conn: sqlite3.Connection,
        kind: str,
        submission_id: str,
        recipient: str,
        platform: str,
        payload: dict,
    ) -> None:
        conn.execute(
            "INSERT INTO outbox (kind, submission_id, recipient_id, platform, payload, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (kind, submission_id, recipient, platform, json.dumps(payload, ensure_ascii=False),
             self.clock().isoformat()),
        )  # fmt: skip

    def pending(self, kind: str | None = None, platform: str | None = None) -> list[Notification]:
        """Queued messages not yet delivered, oldest first. Adapters deliver, then `mark_sent`."""
        rows = self.db.query(
            "SELECT * FROM outbox WHERE sent_at IS NULL AND (? IS NULL OR kind = ?)"
            " AND (? IS NULL OR platform = ?) ORDER BY id",
            (kind, kind, platform, platform),
        )
        return [
            Notification(
                id=row["id"],
                kind=row["kind"],
                submission_id=row["submission_id"],
                recipient_id=row["recipient_id"],
                platform=row["platform"],
                payload=json.loads(row["payload"]),
                created_at=datetime.fromisoformat(row["created_at"]),
            )
            for row in rows
        ]

    def mark_sent(self, notification_id: int) -> bool:
        """True the first time; False if it was already sent or does not exist."""
        with self.db.transaction() as conn:
            cur = conn.execute(
                "UPDATE outbox SET sent_at = ? WHERE id = ? AND sent_at IS NULL",
                (self.clock().isoformat(), notification_id),
            )
            return cur.rowcount == 1
