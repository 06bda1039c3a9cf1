"""The Whoosh package: what it checks on import, and what the rest of index/ copied from Whoosh."""

from __future__ import annotations

import index.whoosh  # noqa: F401  (silences Whoosh's SyntaxWarnings before it is imported here)
from index.stopwords import STOPWORDS


def test_the_copied_stop_words_are_whooshs() -> None:
    from whoosh.lang import stopwords_for_language

    for lang, words in STOPWORDS.items():
        assert words == frozenset(stopwords_for_language(lang)), lang
