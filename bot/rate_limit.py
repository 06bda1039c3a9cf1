"""Per-member cool-down for questions, so one member cannot flood the bot (or the search index)."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from datetime import datetime


class RateLimiter:
    """At most `questions` per member in any window of `per_seconds` (a sliding window, in memory:
    a restart forgives everyone, which is fine for a cool-down)."""

    def __init__(self, questions: int, per_seconds: int, clock: Callable[[], datetime]):
        self.questions = questions
        self.per_seconds = per_seconds
        self._clock = clock
        self._asked: dict[str, deque[float]] = {}

    def hit(self, member_id: str | int) -> int:
        """Count one question. Returns 0 if allowed, else whole seconds to wait (not counted)."""
        now = self._clock().timestamp()
        key = str(member_id)
        times = self._asked.setdefault(key, deque())
        while times and times[0] <= now - self.per_seconds:
            times.popleft()
        if len(times) >= self.questions:
            return max(1, math.ceil(times[0] + self.per_seconds - now))
        times.append(now)
        if len(self._asked) > 10_000:  # forget idle members so memory stays bounded
            self._forget_idle(now)
        return 0

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, t in self._asked.items() if not t or t[-1] <= now - self.per_seconds]:
            del self._asked[key]
