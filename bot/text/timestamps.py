"""Discord timestamp markup: `<t:UNIX:STYLE>` is shown by each reader's client in their own time zone
and language, so announcements never have to guess where a member lives."""

from __future__ import annotations

from datetime import datetime

STYLES = {
    "t": "short time",  # 16:20
    "T": "long time",  # 16:20:30
    "d": "short date",  # 20/04/2021
    "D": "long date",  # 20 April 2021
    "f": "short date and time",  # 20 April 2021 16:20 (Discord's default)
    "F": "long date and time",  # Tuesday, 20 April 2021 16:20
    "R": "relative",  # in 2 days / 3 hours ago
}


def discord_timestamp(moment: datetime, style: str = "F") -> str:
    """`<t:UNIX:STYLE>` for an aware datetime (a naive one would silently mean the server's zone)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("discord_timestamp needs a timezone-aware datetime")
    if style not in STYLES:
        raise ValueError(f"unknown Discord timestamp style {style!r}; use one of {''.join(STYLES)}")
    return f"<t:{int(moment.timestamp())}:{style}>"


def discord_when(start: datetime) -> str:
    """Full local date and time plus a relative hint: "<t:…:F> (<t:…:R>)"."""
    return f"{discord_timestamp(start, 'F')} ({discord_timestamp(start, 'R')})"
