"""SessionService: the schedule as moderators and members see it — YAML plus run-time changes.

`config/sessions.yaml` is the shipped schedule. Moderators add, edit, cancel and restore sessions at
run time; those changes live in SQLite (the YAML is never rewritten) and are merged over the YAML
on every read, so they survive restarts and are seen by every process sharing the database. Each
change is validated as a whole session first: a bad change is refused and changes nothing. Who
changed what, and when, is kept in `session_changes`.

Permission: the caller decides whether someone is a moderator (Discord roles, console user) and
passes an `Actor`; the service refuses changes from non-moderators and records the actor.

Longer than ~400 lines on purpose: the YAML-plus-overrides merge, its cache and the audit trail
share one lock and one transaction per change; pieces of it alone would not be safe to call.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.config import ConfigError
from bot.members import Actor, NotAllowed, is_moderator
from bot.privacy.member_data import FORGOTTEN, MemberData
from bot.sessions.announcements import (
    DEFAULT_LEAD_TIMES,
    Announcement,
    AnnouncementLedger,
    LeadTime,
    next_due,
    parse_lead_times,
    plan,
)
from bot.sessions.calendar_export import build_calendar
from bot.sessions.dates import DateProblem, parse_date_or_datetime
from bot.sessions.schedule import (
    Occurrence,
    Session,
    SessionError,
    from_utc_key,
    load_schedule,
    parse_session,
    sort_occurrences,
    utc_key,
)
from index.database import Database
from index.errors import InputError

log = logging.getLogger(__name__)

DEFAULT_HORIZON = timedelta(days=92)
_MERGED_TEXTS = ("title", "description")  # per-language mappings: an edit changes only the languages given


def _utc_now() -> datetime:
    return datetime.now(UTC)


_ACTOR_COLUMNS = (
    ("session_overrides", "updated_by"),
    ("session_cancellations", "cancelled_by"),
    ("session_changes", "actor"),
)


def _label_pattern(member: str) -> str:
    """LIKE pattern for an Actor.label naming this member id: "Name (id)"."""
    escaped = member.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"% ({escaped})"


@dataclass(frozen=True)
class Change:
    """One entry of the audit trail."""

    id: int
    session_id: str
    action: str  # add | edit | cancel | restore
    details: dict[str, Any]
    actor: str
    at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "session": self.session_id,
            "action": self.action,
            "details": self.details,
            "actor": self.actor,
            "at": self.at.isoformat(),
        }


class SessionService:
    """The effective schedule, run-time changes, listing, announcements and calendar export."""

    def __init__(
        self,
        db: Database,
        yaml_path: Path,
        clock: Callable[[], datetime] = _utc_now,
        lead_times: Iterable[object] = DEFAULT_LEAD_TIMES,
    ):
        self.db = db
        self.yaml_path = Path(yaml_path)
        self.clock = clock
        try:
            self.lead_times: tuple[LeadTime, ...] = parse_lead_times(lead_times)
        except ValueError as exc:
            raise ConfigError([f"announcements.lead_times: {exc}"]) from None
        self.ledger = AnnouncementLedger(db)
        self._yaml = load_schedule(self.yaml_path)  # a bad file stops start-up with ConfigError
        self._yaml_stamp = self._file_stamp()
        self._cache_stamp: tuple | None = None
        self._lock = threading.Lock()  # adapters call from worker threads; rebuild the merge once
        self._sessions: dict[str, Session] = {}
        self.warnings: list[str] = []

    # -- a member's data (privacy export / forget) ----------------------------------------------

    def member_data(self) -> MemberData:
        """Moderators' names on session changes: exported, and anonymised on forget (the
        schedule itself stays)."""
        return MemberData(
            name="sessions",
            tables={column[0]: (column[1],) for column in _ACTOR_COLUMNS},
            export=self._export_member,
            forget=self._forget_member,
        )

    def _export_member(self, member: str) -> dict:
        pattern = _label_pattern(member)
        return {
            table: [
                dict(row)
                for row in self.db.query(f"SELECT * FROM {table} WHERE {col} LIKE ? ESCAPE '\\'", (pattern,))
            ]
            for table, col in _ACTOR_COLUMNS
        }

    def _forget_member(self, member: str) -> int:
        pattern = _label_pattern(member)
        with self.db.transaction() as conn:
            return sum(
                conn.execute(
                    f"UPDATE {table} SET {col} = ? WHERE {col} LIKE ? ESCAPE '\\'", (FORGOTTEN, pattern)
                ).rowcount
                for table, col in _ACTOR_COLUMNS
            )

    # -- reading -----------------------------------------------------------------------------------

    def sessions(self) -> list[Session]:
        """Every session, cancelled ones included, YAML order then run-time additions."""
        return list(self._current().values())

    def get(self, session_id: str) -> Session | None:
        return self._current().get(session_id)

    def require(self, session_id: str) -> Session:
        session = self.get(session_id)
        if session is None:
            raise InputError(f"no session with id {session_id!r}; `clikc-bot sessions --all` lists them")
        return session

    def upcoming(
        self,
        now: datetime | None = None,
        include_past: bool = False,
        limit: int | None = None,
        horizon: timedelta = DEFAULT_HORIZON,
        include_cancelled: bool = False,
    ) -> list[Occurrence]:
        """Occurrences not yet over (or all, with include_past), soonest first.

        Recurring sessions contribute their occurrences within `horizon` of now; every session
        contributes at least its next occurrence, however far away.
        """
        now = now or self.clock()
        found: list[Occurrence] = []
        for session in self.sessions():
            if session.cancelled and not include_cancelled:
                continue
            lo = session.start - timedelta(seconds=1) if include_past else now
            occurrences = list(session.occurrences(lo, now + horizon, include_cancelled))
            if not any(o.end > now for o in occurrences):
                following = next(session.next_occurrences(now, include_cancelled), None)
                if following is not None:
                    occurrences.append(following)
            found.extend(occurrences)
        ordered = sort_occurrences(found)
        return ordered[:limit] if limit is not None else ordered

    def between(self, after: datetime, before: datetime, include_cancelled: bool = False) -> list[Occurrence]:
        """Occurrences overlapping [after, before), soonest first (work bounded by the rules' caps)."""
        found: list[Occurrence] = []
        for session in self.sessions():
            if session.cancelled and not include_cancelled:
                continue
            found.extend(session.occurrences(after, before, include_cancelled))
        return sort_occurrences(found)

    def history(self, session_id: str | None = None) -> list[Change]:
        sql = "SELECT id, session_id, action, details, actor, at FROM session_changes"
        params: tuple = ()
        if session_id is not None:
            sql, params = sql + " WHERE session_id = ?", (session_id,)
        return [
            Change(
                r["id"],
                r["session_id"],
                r["action"],
                json.loads(r["details"]),
                r["actor"],
                from_utc_key(r["at"]),
            )
            for r in self.db.query(sql + " ORDER BY id", params)
        ]

    def revisions(self) -> dict[str, int]:
        """How many times each session was changed at run time, by session id (absent: never).

        Every audited change counts (edit, cancel, restore, of the whole session or of one
        occurrence) except the `add` that created a session: a session added at run time and never
        changed has 0, like an untouched YAML one. An `add` after other changes to the same id (the
        id was in the YAML, then removed from it, then added at run time) replaces what calendars
        hold under that UID, so it counts. Audit rows are never deleted, so a count only ever goes
        up: it is the .ics SEQUENCE. Edits of the YAML file leave no record and are not counted."""
        rows = self.db.query(
            "SELECT session_id, COUNT(*) - COALESCE(MIN(CASE WHEN action = 'add' THEN id END) = MIN(id), 0)"
            " AS n FROM session_changes GROUP BY session_id"
        )
        return {r["session_id"]: r["n"] for r in rows if r["n"]}

    # -- changes -----------------------------------------------------------------------------------

    def add(self, data: Mapping[str, Any], actor: Actor) -> Session:
        """A new session; refused (SessionError) if invalid or if its id is taken."""
        _allow(actor)
        if not isinstance(data, Mapping):
            raise SessionError(["session: expected a mapping of fields (id, title, start, …)"])
        data = _plain(data)
        session = parse_session(data, origin="run-time")
        if session.id in self._current() or self._stored(session.id) is not None:
            raise SessionError([f"session {session.id}: id: already exists; edit it, or choose another id"])
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO session_overrides (session_id, kind, data, updated_by, updated_at)"
                " VALUES (?, 'added', ?, ?, ?)",
                (session.id, _dump(data), actor.label, self._now_key()),
            )
            self._audit(conn, session.id, "add", data, actor)
        return self.require(session.id)

    def edit(self, session_id: str, changes: Mapping[str, Any], actor: Actor) -> Session:
        """Change some fields (None removes one). For title/description given per language, only
        those languages change. Refused (SessionError) if the result would be invalid."""
        return self._edit(session_id, changes, actor, "edit")

    def _edit(self, session_id: str, changes: Mapping[str, Any], actor: Actor, action: str) -> Session:
        _allow(actor)
        current = self.require(session_id)
        if not isinstance(changes, Mapping) or not changes:
            raise InputError(f"session {session_id}: nothing to change")
        changes = _plain(changes)
        if "id" in changes and str(changes["id"]) != session_id:
            raise SessionError([f"session {session_id}: id: cannot be changed; cancel it and add a new one"])
        stored = self._stored(session_id)
        if current.origin == "run-time":
            prior = stored[1] if stored and stored[0] == "added" else dict(current.raw)
            kind, data = "added", _merge(prior, changes, keep_none=False)
        else:
            prior = stored[1] if stored and stored[0] == "override" else {}
            kind, data = "override", _merge(prior, changes, keep_none=True)
        effective = data if kind == "added" else _merge(self._yaml_raw(session_id), data, keep_none=False)
        parse_session(effective, origin=current.origin)  # raises SessionError: nothing written
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO session_overrides (session_id, kind, data, updated_by, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET kind = excluded.kind,"
                " data = excluded.data, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                (session_id, kind, _dump(data), actor.label, self._now_key()),
            )
            self._audit(conn, session_id, action, changes, actor)
        return self.require(session_id)

    def cancel(self, session_id: str, actor: Actor, occurrence: object = None) -> Session:
        """Cancel a whole session, or one occurrence of a recurring one (a date, or date and time)."""
        _allow(actor)
        session = self.require(session_id)
        if occurrence is None or session.rrule is None:
            if occurrence is not None:
                self._match(session, occurrence)  # a one-off: the date given must still be its date
            if session.cancelled:
                raise InputError(f"session {session_id} is already cancelled")
            self._edit(session_id, {"cancelled": True}, actor, "cancel")
            return self.require(session_id)
        occ = self._match(session, occurrence)
        if occ.cancelled:
            raise InputError(
                f"session {session_id}: the occurrence of {occ.start.isoformat()} is already cancelled"
            )
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO session_cancellations (session_id, occurrence_start, cancelled_by, cancelled_at)"
                " VALUES (?, ?, ?, ?)",
                (session_id, utc_key(occ.start), actor.label, self._now_key()),
            )
            self._audit(conn, session_id, "cancel", {"occurrence": occ.start.isoformat()}, actor)
        return self.require(session_id)

    def restore(self, session_id: str, actor: Actor, occurrence: object = None) -> Session:
        """Undo a cancellation (of the whole session, or of one occurrence)."""
        _allow(actor)
        session = self.require(session_id)
        if occurrence is None or session.rrule is None:
            if not session.cancelled:
                raise InputError(f"session {session_id} is not cancelled")
            self._edit(session_id, {"cancelled": False}, actor, "restore")
            return self.require(session_id)
        occ = self._match(session, occurrence)
        if utc_key(occ.start) not in session.cancelled_starts:
            raise InputError(
                f"session {session_id}: the occurrence of {occ.start.isoformat()} is not cancelled"
            )
        with self.db.transaction() as conn:
            conn.execute(
                "DELETE FROM session_cancellations WHERE session_id = ? AND occurrence_start = ?",
                (session_id, utc_key(occ.start)),
            )
            self._audit(conn, session_id, "restore", {"occurrence": occ.start.isoformat()}, actor)
        return self.require(session_id)

    # -- announcements and calendars -----------------------------------------------------------------

    def due_announcements(
        self, now: datetime | None = None, lead_times: Iterable[object] | None = None
    ) -> list[Announcement]:
        """What to post now. Post each, then call `mark_announced(item)`."""
        now = now or self.clock()
        leads = self.lead_times if lead_times is None else parse_lead_times(lead_times)
        return plan(self.sessions(), leads, self.ledger.entries_after(now), now)

    def next_announcement_at(self, now: datetime | None = None) -> datetime | None:
        """When the next reminder falls due if nothing changes (a poster may sleep until then)."""
        return next_due(self.sessions(), self.lead_times, now or self.clock())

    def mark_announced(self, item: Announcement, posted_at: datetime | None = None) -> bool:
        """Record that `item` was posted; False if it had already been recorded."""
        return self.ledger.record(item, posted_at or self.clock())

    def to_ics(
        self, now: datetime | None = None, lang: str | None = None, include_past: bool = False
    ) -> bytes:
        """An RFC 5545 calendar of the sessions not yet over (all of them with include_past).

        Wholly cancelled sessions are in it too, marked STATUS:CANCELLED (the others CONFIRMED), so
        that calendars which imported them before learn they are off, or on again once restored; once
        over they drop out like any other. Each event's SEQUENCE is its session's count of run-time
        changes (`revisions()`)."""
        now = now or self.clock()
        # Counted before the sessions are read: a change landing in between then shows up as new
        # content under the old SEQUENCE (the next export sends it again under the new one), never
        # as old content under the new SEQUENCE, which would make calendars ignore the real update.
        sequences = self.revisions()
        chosen = [s for s in self.sessions() if include_past or (s.last_end() is None or s.last_end() > now)]
        return build_calendar(chosen, now, lang, sequences)

    # -- internals ---------------------------------------------------------------------------------

    def _current(self) -> dict[str, Session]:
        """The merged schedule, rebuilt when the YAML file or the database changed."""
        with self._lock:
            self._reload_yaml_if_changed()
            version = self.db.query("SELECT COALESCE(MAX(id), 0) AS v FROM session_changes")[0]["v"]
            stamp = (self._yaml_stamp, version)
            if stamp != self._cache_stamp:
                self._sessions = self._merge_all()
                self._cache_stamp = stamp
            return self._sessions

    def _merge_all(self) -> dict[str, Session]:
        stored = {
            r["session_id"]: (r["kind"], json.loads(r["data"]))
            for r in self.db.query("SELECT session_id, kind, data FROM session_overrides ORDER BY rowid")
        }
        cancelled: dict[str, set[str]] = {}
        for row in self.db.query("SELECT session_id, occurrence_start FROM session_cancellations"):
            cancelled.setdefault(row["session_id"], set()).add(row["occurrence_start"])
        warnings: list[str] = []
        merged: dict[str, Session] = {}
        for session in self._yaml:
            entry = stored.pop(session.id, None)
            if entry is not None:
                # An id added at run time that later appeared in the YAML: the YAML is the base.
                patch = entry[1] if entry[0] == "override" else {}
                try:
                    session = parse_session(_merge(session.raw, patch, False), origin="yaml+run-time")
                except SessionError as exc:
                    warnings.append(
                        f"run-time changes to session {session.id} no longer fit the YAML, "
                        f"ignored until edited again: {exc}"
                    )
            merged[session.id] = session
        for session_id, (kind, data) in stored.items():
            if kind != "added":
                continue  # an override of a session since removed from the YAML
            try:
                merged[session_id] = parse_session(data, origin="run-time")
            except SessionError as exc:
                warnings.append(f"session {session_id} added at run time is no longer valid: {exc}")
        for session_id, starts in cancelled.items():
            if session_id in merged:
                merged[session_id] = merged[session_id].with_cancellations(frozenset(starts))
        for line in warnings:
            if line not in self.warnings:
                log.warning(line)
        self.warnings = warnings
        return merged

    def _reload_yaml_if_changed(self) -> None:
        stamp = self._file_stamp()
        if stamp == self._yaml_stamp:
            return
        try:
            self._yaml = load_schedule(self.yaml_path)
        except ConfigError as exc:
            # Keep serving the schedule we have; `clikc-bot config check` shows the problems.
            log.warning("%s changed but is not valid, keeping the previous schedule: %s", self.yaml_path, exc)
        self._yaml_stamp = stamp

    def _file_stamp(self) -> tuple[int, int]:
        try:
            st = self.yaml_path.stat()
        except OSError:
            return (0, 0)
        return (st.st_mtime_ns, st.st_size)

    def _yaml_raw(self, session_id: str) -> dict[str, Any]:
        return next((dict(s.raw) for s in self._yaml if s.id == session_id), {})

    def _stored(self, session_id: str) -> tuple[str, dict[str, Any]] | None:
        rows = self.db.query("SELECT kind, data FROM session_overrides WHERE session_id = ?", (session_id,))
        return (rows[0]["kind"], json.loads(rows[0]["data"])) if rows else None

    def occurrence_on(self, session_id: str, when: object) -> Occurrence:
        """The one occurrence of a session on a local day, or at a local date and time (InputError if
        there is none, or several that day)."""
        return self._match(self.require(session_id), when)

    def _match(self, session: Session, when: object) -> Occurrence:
        try:
            moment = parse_date_or_datetime(when, session.tz)
        except DateProblem as exc:
            raise InputError(f"session {session.id}: occurrence: {exc}") from None
        found = session.matching(moment)
        shown = moment.isoformat()
        if not found:
            raise InputError(f"session {session.id} has no occurrence at {shown}")
        if len(found) > 1:
            raise InputError(
                f"session {session.id} has {len(found)} occurrences on {shown}; give the time too"
            )
        return found[0]

    def _audit(self, conn, session_id: str, action: str, details: Mapping[str, Any], actor: Actor) -> None:
        conn.execute(
            "INSERT INTO session_changes (session_id, action, details, actor, at) VALUES (?, ?, ?, ?, ?)",
            (session_id, action, _dump(details), actor.label, self._now_key()),
        )

    def _now_key(self) -> str:
        return utc_key(self.clock())


def _allow(actor: Actor) -> None:
    if not is_moderator(actor):  # the caller's finding, or the operator at the machine
        name = getattr(actor, "label", str(actor))
        raise NotAllowed(f"only moderators can change sessions ({name} is not one)")


def _merge(base: Mapping[str, Any], changes: Mapping[str, Any], keep_none: bool) -> dict[str, Any]:
    """`base` with `changes` applied. None removes a field (or, with keep_none, is kept as a removal
    marker for a later merge over the YAML)."""
    result = dict(base)
    for key, value in changes.items():
        old = result.get(key)
        if key in _MERGED_TEXTS and isinstance(value, Mapping) and isinstance(old, Mapping):
            value = _merge(old, value, keep_none)
        if value is None and not keep_none:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def _plain(data: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-safe copy (dates as ISO text) so what is stored re-validates exactly as it was checked."""
    return json.loads(_dump(data))


def _dump(data: Mapping[str, Any]) -> str:
    def default(value: object) -> str:
        if isinstance(value, datetime | date):
            return value.isoformat()
        return str(value)

    return json.dumps(dict(data), default=default, ensure_ascii=False, sort_keys=True)
