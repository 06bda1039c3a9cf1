"""Values read from one Whoosh segment, kept while the segment lives.

Segments never change once written (a deletion only hides documents, and matching skips hidden
ones), so what is read from the big segment of a bulk ingest stays good across all the small
commits after it. The engine drops what belongs to segments a merge removed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

V = TypeVar("V")


class SegmentCache:
    """At most `max_entries` values, least recently used dropped first; safe across threads."""

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._values: OrderedDict[tuple, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, leaf, load: Callable[..., V], *args: Hashable) -> V:
        """`load(leaf, *args)` for this leaf reader's segment, computed on first use."""
        full_key = (leaf.segment().segment_id(), load.__qualname__, *args)
        with self._lock:
            if full_key in self._values:
                self._values.move_to_end(full_key)
                return self._values[full_key]  # type: ignore[return-value]
        value = load(leaf, *args)  # outside the lock: a slow first read does not hold up other segments
        with self._lock:
            self._values[full_key] = value
            while len(self._values) > self.max_entries:
                self._values.popitem(last=False)
        return value

    def segment_ids(self) -> set[str]:
        with self._lock:
            return {key[0] for key in self._values}

    def forget_except(self, segment_ids: set[str]) -> None:
        with self._lock:
            for key in [k for k in self._values if k[0] not in segment_ids]:
                del self._values[key]
