"""The Whoosh this package was written against, checked before anything of it is used.

The package replaces and reads Whoosh internals (listed in index/whoosh/__init__.py), which another
version may lay out differently: a mismatch stops the program with one line, not wrong answers.
"""

from __future__ import annotations

import logging
import warnings

PINNED = (2, 7, 4)
log = logging.getLogger("index.whoosh")
_warned: set[str] = set()


class WhooshVersionError(SystemExit):
    """A SystemExit: whichever program imports the engine (CLI, bot, benchmark) ends with this one
    line on stderr and status 1, no traceback."""


def installed_version() -> tuple | None:
    # Whoosh 2.7.4 has invalid escape sequences in its regexes; newer Pythons warn when compiling
    # them. Silenced for Whoosh's own files only.
    warnings.filterwarnings("ignore", category=SyntaxWarning, module=r".*[\\/]whoosh[\\/]")
    try:
        import whoosh
    except ImportError:
        return None
    return tuple(getattr(whoosh, "__version__", ()))


def check_version(found: tuple | None) -> None:
    if found != PINNED:
        pinned = ".".join(map(str, PINNED))
        shown = ".".join(map(str, found)) if found else "none"
        raise WhooshVersionError(
            f"clikc-bot: the search index needs Whoosh {pinned} (installed: {shown}); "
            f"run: pip install Whoosh=={pinned}"
        )


def warn_once(message: str) -> None:
    """A fall-back to a slower path: said once per process, not per search."""
    if message not in _warned:
        _warned.add(message)
        log.warning("%s", message)
