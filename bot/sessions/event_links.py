""" "Add to my calendar" for one sitting of a session: a Google Calendar link and an .ics file.

Plain data in, a URL or bytes out; the Discord adapter puts them on an announcement.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import urlencode

from bot.sessions.calendar_export import build_calendar
from bot.sessions.schedule import Occurrence

GOOGLE = "https://calendar.google.com/calendar/render"
URL_LIMIT = 512  # Discord's limit for a link button


def _google_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def google_calendar_url(occ: Occurrence, lang: str | None = None, limit: int = URL_LIMIT) -> str:
    """A "create event" link for Google Calendar with the sitting's title, time, link and description;
    the description is shortened (then dropped) to keep the link within `limit` characters."""
    session = occ.session
    fields = {
        "action": "TEMPLATE",
        "text": occ.title(lang),
        "dates": f"{_google_time(occ.start)}/{_google_time(occ.end)}",
        "ctz": session.timezone,
    }
    if session.link:
        fields["location"] = session.link
    details = "\n\n".join(part for part in (session.description(lang), session.link) if part)
    while True:
        url = f"{GOOGLE}?{urlencode({**fields, 'details': details} if details else fields)}"
        if len(url) <= limit or not details:
            break
        details = details[: max(0, len(details) - (len(url) - limit) - 1)].rstrip()
    if len(url) > limit:  # a title too long for a link: shorten it as well
        fields["text"] = fields["text"][: max(1, len(fields["text"]) - (len(url) - limit))]
        url = f"{GOOGLE}?{urlencode(fields)}"
    return url


def session_ics(occ: Occurrence, now: datetime, lang: str | None, sequences: Mapping[str, int]) -> bytes:
    """The session as a calendar file (a recurring one with its rule, so the calendar has every sitting)."""
    return build_calendar([occ.session], now, lang, sequences)
