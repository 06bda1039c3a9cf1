"""Personal reminders: a member who pressed "Interested" on a session gets a direct message at the
configured lead times, once each; pressing again opts out.

Interest is kept per occurrence (session id and UTC start), so a recurring session's next sitting
is a separate choice. Only lead times whose moment comes after the member opted in count (pressing
the button on the 7-day announcement does not send a 7-day DM a second later), and after downtime
only the latest one reached is sent (the 1-hour one, not 1 day + 1 hour at once). A sitting that was
cancelled or moved gets no reminder under its old time: the channel's notice says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.privacy.member_data import MemberData
from bot.sessions.announcements import LeadTime, latest_lead_reached
from bot.sessions.schedule import Occurrence, Session, from_utc_key, utc_key
from index.database import Database
from index.errors import InputError


class SessionOver(InputError):
    """Interest in a sitting that is over, cancelled or unknown."""


@dataclass(frozen=True)
class Reminder:
    member_id: str
    occurrence: Occurrence
    lead: LeadTime
    lang: str | None = None  # the language the member pressed the button in


class ReminderService:
    def __init__(
        self,
        db: Database,
        session: Callable[[str], Session | None],
        leads: Callable[[], Sequence[LeadTime]],
        clock: Callable[[], datetime],
    ):
        self._db = db
        self._session = session
        self._leads = leads
        self._clock = clock

    def occurrence(self, session_id: str, start: datetime) -> Occurrence | None:
        """The sitting of `session_id` starting at `start`, if it is still on at that time."""
        session = self._session(session_id)
        if session is None or session.cancelled:
            return None
        window = timedelta(seconds=1)
        for occ in session.occurrences(start - window, start + window):
            if occ.start == start and not occ.cancelled:
                return occ
        return None

    def toggle(
        self,
        session_id: str,
        start: datetime,
        member_id: str | int,
        platform: str = "discord",
        lang: str | None = None,
    ) -> bool:
        """Opt in (True) or, if already in, out (False). Opting in to a sitting that is over, cancelled
        or no longer at that time raises SessionOver; opting out always works."""
        member, key = str(member_id), utc_key(start)
        with self._db.transaction() as conn:
            gone = conn.execute(
                "DELETE FROM session_interest WHERE session_id = ? AND start_utc = ? AND member_id = ?",
                (session_id, key, member),
            ).rowcount
            if gone:
                return False
        occ = self.occurrence(session_id, start)
        if occ is None or occ.start <= self._clock():
            raise SessionOver(f"session {session_id} at {key} is over, cancelled or moved")
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO session_interest (session_id, start_utc, member_id, platform, lang, "
                "since) VALUES (?, ?, ?, ?, ?, ?)",
                (session_id, key, member, platform, lang, self._clock().isoformat()),
            )
        return True

    def is_interested(self, session_id: str, start: datetime, member_id: str | int) -> bool:
        rows = self._db.query(
            "SELECT 1 FROM session_interest WHERE session_id = ? AND start_utc = ? AND member_id = ?",
            (session_id, utc_key(start), str(member_id)),
        )
        return bool(rows)

    def due(self, platform: str = "discord") -> list[Reminder]:
        """Reminders to send now (send each, then `mark_sent`)."""
        now = self._clock()
        leads = tuple(self._leads())
        rows = self._db.query(
            "SELECT i.session_id, i.start_utc, i.member_id, i.lang, i.since FROM session_interest i "
            "WHERE i.start_utc > ? AND i.platform = ? ORDER BY i.start_utc, i.member_id",
            (utc_key(now), platform),
        )
        found: list[Reminder] = []
        for row in rows:
            start = from_utc_key(row["start_utc"])
            since = datetime.fromisoformat(row["since"])
            lead = latest_lead_reached(start, now, [lead for lead in leads if start - lead.delta > since])
            if lead is None or self._sent(row["session_id"], row["start_utc"], row["member_id"], lead):
                continue
            occ = self.occurrence(row["session_id"], start)
            if occ is not None:
                found.append(Reminder(row["member_id"], occ, lead, row["lang"]))
        return found

    def _sent(self, session_id: str, start_utc: str, member: str, lead: LeadTime) -> bool:
        """This lead or a shorter one was sent already (a shorter one means this one was skipped)."""
        rows = self._db.query(
            "SELECT lead FROM session_reminders WHERE session_id = ? AND start_utc = ? AND member_id = ?",
            (session_id, start_utc, member),
        )
        known = {known.label: known.delta for known in self._leads()}
        return any(
            r["lead"] == lead.label or known.get(r["lead"], lead.delta * 2) <= lead.delta for r in rows
        )

    def mark_sent(self, reminder: Reminder) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO session_reminders (session_id, start_utc, member_id, lead, sent_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    reminder.occurrence.session.id,
                    utc_key(reminder.occurrence.start),
                    reminder.member_id,
                    reminder.lead.label,
                    self._clock().isoformat(),
                ),
            )

    def member_data(self) -> MemberData:
        return MemberData(
            name="session_reminders",
            tables={"session_interest": ("member_id",), "session_reminders": ("member_id",)},
            export=self._export,
            forget=self.forget,
        )

    def _export(self, member_id: str) -> dict:
        member = str(member_id)
        interest = self._db.query(
            "SELECT session_id, start_utc, lang, since FROM session_interest WHERE member_id = ? "
            "ORDER BY start_utc",
            (member,),
        )
        sent = self._db.query(
            "SELECT session_id, start_utc, lead, sent_at FROM session_reminders WHERE member_id = ? "
            "ORDER BY sent_at",
            (member,),
        )
        return {"interested": [dict(r) for r in interest], "sent": [dict(r) for r in sent]}

    def forget(self, member_id: str | int) -> int:
        """Remove a member's interests and sent-reminder records (privacy); returns how many interests."""
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM session_reminders WHERE member_id = ?", (str(member_id),))
            return conn.execute(
                "DELETE FROM session_interest WHERE member_id = ?", (str(member_id),)
            ).rowcount
