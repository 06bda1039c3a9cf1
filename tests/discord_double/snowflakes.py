"""Snowflake ids as Discord makes them, so that ids sort by creation time like the real ones."""

from __future__ import annotations

import time
from datetime import UTC, datetime

DISCORD_EPOCH_MS = 1420070400000


def snowflake_time(snowflake: int) -> datetime:
    """The creation time encoded in a snowflake (what discord.py's ``created_at`` reports)."""
    return datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, tz=UTC)


class SnowflakeFactory:
    """Strictly increasing snowflakes for "now", and valid snowflakes for a given past moment.

    Messages a test creates without a time get ids later than every id handed out before, even when
    the wall clock has not moved, so history ordering in the double is always the creation order.
    """

    def __init__(self, clock=time.time) -> None:
        self._clock = clock
        self._last_ms = 0
        self._increment = 0

    def next(self, at: datetime | None = None) -> int:
        if at is not None:
            ms = int(at.timestamp() * 1000)
            self._increment = (self._increment + 1) % 4096
            return ((ms - DISCORD_EPOCH_MS) << 22) | (1 << 17) | self._increment
        ms = max(int(self._clock() * 1000), self._last_ms)
        if ms == self._last_ms:
            self._increment += 1
            if self._increment >= 4096:
                ms += 1
                self._increment = 0
        else:
            self._increment = 0
        self._last_ms = ms
        return ((ms - DISCORD_EPOCH_MS) << 22) | (1 << 17) | self._increment

    def next_str(self, at: datetime | None = None) -> str:
        return str(self.next(at))
