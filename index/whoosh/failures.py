"""How the Whoosh engine tells a missing, stale or damaged index (rebuilt from SQLite) from a failure
of the documents it was given (raised as it is)."""

from __future__ import annotations

from collections.abc import Iterable

from index.errors import IndexDamaged

NO_INDEX = "there is no search index yet"


class NoIndex(Exception):
    def __str__(self) -> str:
        return NO_INDEX


class Stale(Exception):
    pass


class Damaged(Exception):
    pass


class Watched:
    """An iterable that remembers whether it raised: a failure of the data source is not the index's."""

    def __init__(self, items: Iterable):
        self._items = iter(items)
        self.failed = False

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return next(self._items)
        except StopIteration:
            raise
        except BaseException:
            self.failed = True
            raise


def describe(exc: BaseException) -> str:
    """One line naming what failed: the known reasons as they are, anything else with its type."""
    if isinstance(exc, NoIndex | Stale | Damaged | IndexDamaged):
        return str(exc)
    text = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
