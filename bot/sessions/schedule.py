"""The schedule: sessions read and validated, from `config/sessions.yaml` or run-time changes.

A session is validated as a whole and every problem is reported as one line naming where it came
from, the session and the field, so that a moderator can fix a YAML file or a run-time command
without reading code. What a valid session is and how its rule expands into occurrences is
bot.sessions.recurrence; its types are re-exported here, where callers of the schedule look for them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import ConfigError, read_yaml
from bot.sessions.dates import (
    DateProblem,
    parse_date_or_datetime,
    parse_datetime,
    parse_duration,
    timezone_named,
)
from bot.sessions.recurrence import (
    ANY_LANG,
    Occurrence,
    Session,
    from_utc_key,
    sort_occurrences,
    utc_key,
)
from bot.sessions.rules import MAX_OCCURRENCES, MAX_PER_YEAR, parse_rule
from index.documents import LANGUAGES
from index.errors import InputError

FIELDS = (
    "id",
    "title",
    "start",
    "end",
    "duration",
    "timezone",
    "region",
    "description",
    "link",
    "languages",
    "rrule",
    "exdates",
    "cancelled",
)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


__all__ = [  # this module's own names, then the types and bounds it re-exports for its callers
    "FIELDS",
    "SessionError",
    "load_schedule",
    "parse_session",
    "read_schedule",
    "MAX_OCCURRENCES",
    "MAX_PER_YEAR",
    "Occurrence",
    "Session",
    "from_utc_key",
    "sort_occurrences",
    "utc_key",
]


class SessionError(InputError):
    """A session that cannot be accepted. `problems` are one line each: source, session, field, what."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


# -- validation ------------------------------------------------------------------------------------


def parse_session(
    raw: object, source: str = "", position: int | None = None, origin: str = "yaml"
) -> Session:
    """A Session from a mapping, or SessionError listing every problem, one line each.

    `source` (a file path) and `position` (1-based place in the file) only shape the messages.
    """
    prefix = f"{source}: " if source else ""
    if not isinstance(raw, Mapping):
        where = f"session #{position}" if position else "session"
        raise SessionError([f"{prefix}{where}: expected a mapping of fields (id, title, start, …)"])
    label = _label(raw, position)
    problems: list[str] = []

    def problem(field_name: str, message: str) -> None:
        problems.append(f"{prefix}session {label}: {field_name}: {message}")

    for key in raw:
        if key not in FIELDS:
            problem(str(key), f"unknown field; known fields are {', '.join(FIELDS)}")

    session_id = _session_id(raw.get("id"), problem)
    titles = _texts(raw.get("title"), "title", problem, required=True)
    descriptions = _texts(raw.get("description"), "description", problem, required=False)

    tz = None
    try:
        tz = timezone_named(raw.get("timezone"))
    except DateProblem as exc:
        problem("timezone", str(exc))

    start = None
    if raw.get("start") is None:
        problem("start", "missing; give a date and time such as '2022-01-17 09:00'")
    elif tz is not None:
        try:
            start = parse_datetime(raw["start"], tz)
        except DateProblem as exc:
            problem("start", str(exc))

    duration = _duration(raw, start, tz, problem)
    rule_text, rule = parse_rule(raw.get("rrule"), start, tz, problem)
    exdates = _exdates(raw.get("exdates"), tz, problem)

    languages: tuple[str, ...] = ()
    value = raw.get("languages")
    if value is not None:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
            problem("languages", f"expected a list of language codes from {', '.join(LANGUAGES)}")
        else:
            unknown = [v for v in items if v not in LANGUAGES]
            if unknown:
                problem("languages", f"unsupported {', '.join(unknown)}; choose from {', '.join(LANGUAGES)}")
            languages = tuple(items)

    link = raw.get("link") or ""
    if not isinstance(link, str) or (link and not re.match(r"^https?://\S+$", link)):
        problem("link", f"{link!r} is not a web address starting with https://")
        link = ""
    region = raw.get("region") or ""
    if not isinstance(region, str):
        problem("region", "expected text")
        region = ""
    cancelled = raw.get("cancelled", False)
    if not isinstance(cancelled, bool):
        problem("cancelled", "expected true or false")
        cancelled = False

    if problems:
        raise SessionError(problems)
    assert session_id and titles and start is not None and duration is not None and tz is not None
    session = Session(
        id=session_id,
        titles=titles,
        start=start,
        duration=duration,
        timezone=str(tz.key),
        region=region,
        descriptions=descriptions,
        link=link,
        languages=languages,
        rrule=rule_text,
        exdates=exdates,
        cancelled=cancelled,
        raw=dict(raw),
        origin=origin,
        _rule=rule,
    )
    _check_occurrences(session, problem)
    if problems:
        raise SessionError(problems)
    return session


def _label(raw: Mapping, position: int | None) -> str:
    value = raw.get("id")
    if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
        return str(value).strip()
    return f"#{position}" if position else "(no id)"


def _session_id(value: object, problem) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        problem("id", "missing; give a short name such as community-call-2022")
        return None
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not _ID.match(text):
        problem("id", f"{value!r} must be up to 64 letters, digits, '-', '_' or '.'")
        return None
    return text


def _texts(value: object, name: str, problem, required: bool) -> dict[str, str]:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problem(name, "missing; give text, or one text per language {en, es, fr, pt}")
        return {}
    if isinstance(value, str):
        return {ANY_LANG: value.strip()}
    if isinstance(value, Mapping):
        unknown = [str(k) for k in value if k not in LANGUAGES]
        if unknown:
            problem(name, f"unsupported language(s) {', '.join(unknown)}; choose from {', '.join(LANGUAGES)}")
            return {}
        texts = {k: str(v).strip() for k, v in value.items() if v is not None and str(v).strip()}
        if not texts and required:
            problem(name, "missing; every language is empty")
        return texts
    problem(name, "expected text, or one text per language {en, es, fr, pt}")
    return {}


def _duration(raw: Mapping, start: datetime | None, tz: ZoneInfo | None, problem) -> timedelta | None:
    has_end, has_duration = raw.get("end") is not None, raw.get("duration") is not None
    if has_end and has_duration:
        problem("end", "give either end or duration, not both")
        return None
    if not has_end and not has_duration:
        problem("end", "missing; give end (e.g. '2022-01-17 12:00') or duration (e.g. 2h)")
        return None
    if has_duration:
        try:
            return parse_duration(raw["duration"])
        except DateProblem as exc:
            problem("duration", str(exc))
            return None
    if start is None or tz is None:
        return None  # already reported
    try:
        end = parse_datetime(raw["end"], tz, default=start)
    except DateProblem as exc:
        problem("end", str(exc))
        return None
    if end <= start:
        problem("end", f"{end.isoformat()} is not after start {start.isoformat()}")
        return None
    return end - start


# Every rule part RFC 5545 defines, with the range of each number; anything else is refused.
def _exdates(value: object, tz: ZoneInfo | None, problem) -> tuple[date | datetime, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    if tz is None:
        return ()
    result = []
    for item in items:
        try:
            result.append(parse_date_or_datetime(item, tz))
        except DateProblem as exc:
            problem("exdates", str(exc))
    return tuple(result)


def _check_occurrences(session: Session, problem) -> None:
    """Exdates must each remove an occurrence: one that matches nothing is a typo, not a cancellation."""
    if session.exdates and session.rrule is None:
        problem("exdates", "only a recurring session (with rrule) can have exdates")
        return
    plain = replace(session, exdates=())
    for ex in session.exdates:
        if not plain.matching(ex):
            shown = ex.isoformat()
            problem("exdates", f"{shown} is not an occurrence of this session")
            return
    if not any(True for _ in session.all_occurrences(include_cancelled=True)):
        problem("exdates", "every occurrence is excluded")


# -- files -----------------------------------------------------------------------------------------


def read_schedule(path: Path) -> list[Any]:
    """The raw session mappings of a schedule file: a list, or a mapping with a `sessions` list."""
    if not path.exists():
        raise ConfigError([f"{path}: file not found"])
    data = read_yaml(path)
    if data is None:
        return []
    if isinstance(data, Mapping) and set(data) <= {"sessions"}:
        data = data.get("sessions") or []
    if not isinstance(data, list):
        raise ConfigError([f"{path}: expected a list of sessions (or `sessions:` followed by a list)"])
    return data


def load_schedule(path: Path) -> list[Session]:
    """Every session of a schedule file, or ConfigError with one line per problem in the whole file.

    Every problem is found in one pass: a duplicate id is reported even when one of the copies has
    other problems, so fixing a file never takes more than one round of `config check`."""
    raws = read_schedule(path)
    problems: list[str] = []
    sessions: list[Session] = []
    seen: dict[str, int] = {}
    for position, raw in enumerate(raws, start=1):
        raw_id = _raw_id(raw)
        if raw_id is not None and raw_id in seen:
            problems.append(f"{path}: session {raw_id}: id: duplicate id (also session #{seen[raw_id]})")
        elif raw_id is not None:
            seen[raw_id] = position
        try:
            session = parse_session(raw, source=str(path), position=position)
        except SessionError as exc:
            problems.extend(exc.problems)
            continue
        sessions.append(session)
    if problems:
        raise ConfigError(problems)
    return sessions


def _raw_id(raw: object) -> str | None:
    """The id a raw session claims, as parse_session would read it (None when it has none)."""
    if not isinstance(raw, Mapping):
        return None
    value = raw.get("id")
    if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
        return str(value).strip()
    return None
