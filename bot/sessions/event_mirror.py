"""Upcoming session occurrences mirrored as a chat platform's calendar events (Discord scheduled events).

The schedule stays the source of truth; the platform's events follow it. `plan_mirror` compares the
occurrences wanted now with what was mirrored before (kept in SQLite, so a restart creates no
duplicates) and returns the create/update/delete/forget steps as plain data; the adapter performs
each step on the platform and then records it here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.sessions.schedule import Occurrence, from_utc_key, utc_key
from bot.text.truncate import truncate
from index.database import Database

DEFAULT_HORIZON = timedelta(days=30)  # occurrences further out are mirrored once they come closer
DEFAULT_MAX_CREATES = 5  # new events per run: Discord rate-limits event creation
NAME_LIMIT, LOCATION_LIMIT, DESCRIPTION_LIMIT = 100, 100, 1000  # Discord's limits


@dataclass(frozen=True)
class EventSpec:
    """What one occurrence's event should say."""

    key: str
    name: str
    start: datetime
    end: datetime
    location: str
    description: str

    @property
    def fingerprint(self) -> str:
        payload = [self.name, utc_key(self.start), utc_key(self.end), self.location, self.description]
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Mirrored:
    """An occurrence mirrored before: its event id and what was sent."""

    key: str
    event_id: str
    fingerprint: str
    start: datetime
    end: datetime

    @property
    def removed_on_platform(self) -> bool:
        return not self.event_id


@dataclass(frozen=True)
class Action:
    """create: new event for `spec`. update: `event_id` should now say `spec`. delete: the occurrence
    was cancelled, moved or removed. forget: the occurrence is over (the platform ends the event
    itself) or its event was removed there; only the record goes."""

    kind: Literal["create", "update", "delete", "forget"]
    key: str
    event_id: str = ""
    spec: EventSpec | None = None


def to_spec(occurrence: Occurrence, lang: str | None, fallback_location: str) -> EventSpec:
    """The event for one occurrence: title and description in `lang` (the session's own fallback
    otherwise), the session link as location when it fits, else `fallback_location`."""
    session = occurrence.session
    link = session.link if session.link and len(session.link) <= LOCATION_LIMIT else ""
    description = session.description(lang) or ""
    if session.link and not link:
        description = f"{description}\n{session.link}".strip()
    return EventSpec(
        key=occurrence.key,
        name=truncate(occurrence.title(lang), NAME_LIMIT),
        start=occurrence.start,
        end=occurrence.end,
        location=link or truncate(fallback_location, LOCATION_LIMIT),
        description=truncate(description, DESCRIPTION_LIMIT),
    )


def plan_mirror(
    live: Sequence[EventSpec],
    mirrored: Mapping[str, Mirrored],
    now: datetime,
    horizon: timedelta = DEFAULT_HORIZON,
    max_creates: int = DEFAULT_MAX_CREATES,
) -> list[Action]:
    """The steps that make the platform's events match the schedule, deletes first, creates last
    (soonest first, at most `max_creates`: the rest come on later runs).

    `live` are the occurrences not over and not cancelled (started ones included); only those that
    have not started and start within `horizon` get an event created or updated — the platform
    refuses events in the past, and a started one is left as it is.
    """
    live_keys = {spec.key for spec in live}
    wanted = {spec.key: spec for spec in live if now < spec.start <= now + horizon}
    removals: list[Action] = []
    updates: list[Action] = []
    for key, row in sorted(mirrored.items()):
        spec = wanted.get(key)
        if spec is not None:
            if not row.removed_on_platform and row.fingerprint != spec.fingerprint:
                updates.append(Action("update", key, row.event_id, spec))
        elif key in live_keys:
            continue  # started (or beyond the horizon after a settings change): leave it
        elif row.removed_on_platform or row.end <= now:
            removals.append(Action("forget", key, row.event_id))
        else:
            removals.append(Action("delete", key, row.event_id))
    new = sorted((s for k, s in wanted.items() if k not in mirrored), key=lambda s: (s.start, s.key))
    creates = [Action("create", spec.key, spec=spec) for spec in new[: max(0, max_creates)]]
    return removals + updates + creates


class EventMirror:
    """The mirror's records in SQLite, and the plan for one calendar from the current schedule."""

    def __init__(
        self,
        db: Database,
        upcoming: Callable[..., list[Occurrence]],
        clock: Callable[[], datetime],
        horizon: timedelta = DEFAULT_HORIZON,
        max_creates: int = DEFAULT_MAX_CREATES,
    ):
        self._db = db
        self._upcoming = upcoming
        self._clock = clock
        self.horizon = horizon
        self.max_creates = max_creates

    def plan(self, calendar: str, lang: str | None, fallback_location: str) -> list[Action]:
        now = self._clock()
        occurrences = self._upcoming(now, horizon=self.horizon)
        live = [to_spec(o, lang, fallback_location) for o in occurrences if not o.cancelled]
        return plan_mirror(live, self.mirrored(calendar), now, self.horizon, self.max_creates)

    def mirrored(self, calendar: str) -> dict[str, Mirrored]:
        rows = self._db.query(
            "SELECT occurrence_key, event_id, fingerprint, starts_at, ends_at FROM mirrored_events"
            " WHERE calendar = ?",
            (str(calendar),),
        )
        return {
            r["occurrence_key"]: Mirrored(
                r["occurrence_key"],
                r["event_id"],
                r["fingerprint"],
                from_utc_key(r["starts_at"]),
                from_utc_key(r["ends_at"]),
            )
            for r in rows
        }

    def record(self, calendar: str, spec: EventSpec, event_id: str) -> None:
        """The event for `spec` was created or updated (call right after the platform accepted it)."""
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO mirrored_events"
                " (calendar, occurrence_key, event_id, fingerprint, starts_at, ends_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (calendar, occurrence_key) DO UPDATE SET"
                " event_id = excluded.event_id, fingerprint = excluded.fingerprint,"
                " starts_at = excluded.starts_at, ends_at = excluded.ends_at,"
                " updated_at = excluded.updated_at",
                (
                    str(calendar),
                    spec.key,
                    str(event_id),
                    spec.fingerprint,
                    utc_key(spec.start),
                    utc_key(spec.end),
                    utc_key(self._clock()),
                ),
            )

    def record_removed_on_platform(self, calendar: str, row: Mirrored | Action) -> None:
        """Someone deleted the event on the platform: keep the occurrence, without an event, so it is
        not created again."""
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE mirrored_events SET event_id = '', updated_at = ?"
                " WHERE calendar = ? AND occurrence_key = ?",
                (utc_key(self._clock()), str(calendar), row.key),
            )

    def forget(self, calendar: str, keys: Iterable[str]) -> None:
        with self._db.transaction() as conn:
            conn.executemany(
                "DELETE FROM mirrored_events WHERE calendar = ? AND occurrence_key = ?",
                [(str(calendar), key) for key in keys],
            )
