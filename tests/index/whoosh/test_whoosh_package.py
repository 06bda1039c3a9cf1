"""The Whoosh package: what it checks on import, and what the rest of index/ copied from Whoosh."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from index.stopwords import STOPWORDS
from index.whoosh.compat import PINNED, WhooshVersionError, check_version, installed_version

ROOT = Path(__file__).resolve().parents[3]


def test_the_pinned_whoosh_is_what_is_installed() -> None:
    assert installed_version() == PINNED
    check_version(PINNED)


@pytest.mark.parametrize("found", [(2, 7, 5), None])
def test_another_whoosh_is_refused_in_one_line(found) -> None:
    with pytest.raises(WhooshVersionError) as failed:
        check_version(found)
    message = str(failed.value)
    assert "\n" not in message and "Whoosh 2.7.4" in message
    assert ("2.7.5" if found else "none") in message


def test_a_program_started_with_another_whoosh_ends_with_that_line_and_no_traceback() -> None:
    program = "import whoosh; whoosh.__version__ = (2, 7, 5); import bot.app"
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", program], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "clikc-bot: the search index needs Whoosh 2.7.4 (installed: 2.7.5); run: pip install Whoosh==2.7.4"
    ]


def test_the_copied_stop_words_are_whooshs() -> None:
    from whoosh.lang import stopwords_for_language

    for lang, words in STOPWORDS.items():
        assert words == frozenset(stopwords_for_language(lang)), lang
