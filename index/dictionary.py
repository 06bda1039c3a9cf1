"""Is this a word of English, Spanish, French or Portuguese? Asked before "correcting" a question.

A did-you-mean that replaces a real word ("dieron" -> "dron") pushes good answers down; only words
that are words of none of the four languages are worth a suggestion. The word lists are wordfreq's
"small" lists (words used at least once per million, from many sources, shipped inside the package:
nothing is downloaded at run time), folded like every indexed word so "capacitacion" is a word too.
Rarer forms of a listed word ("capacitam" beside "capacitar") are known by their stem. The "large"
lists are not used: below one use per million they hold common misspellings ("recieve").
"""

from __future__ import annotations

import threading

from index.analysis import fold, stem
from index.documents import LANGUAGES

_lock = threading.Lock()
_known: tuple[frozenset[str], dict[str, frozenset[str]]] | None = None


def _load() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """The folded words of the four languages, and each language's stems of them; read once per
    process when a question first has a word the index does not know (under a second, ~20 MB)."""
    global _known
    if _known is None:
        with _lock:
            if _known is None:
                from wordfreq import iter_wordlist  # its word lists load only when first needed

                by_lang = {
                    lang: [word for word in iter_wordlist(lang, "small") if word.isalpha()]
                    for lang in LANGUAGES
                }
                # Stems of the folded words and, folded, of the words as written: "groupée" stems to
                # "group" with its accent and to "groupe" without, and either form may be typed.
                _known = (
                    frozenset(fold(word) for words in by_lang.values() for word in words),
                    {
                        lang: frozenset(
                            key
                            for word in by_lang[lang]
                            for key in (stem(lang, fold(word)), fold(stem(lang, word)))
                        )
                        for lang in LANGUAGES
                    },
                )
    return _known


def is_word(folded: str, written: str | None = None) -> bool:
    """True for a word of any of the four languages (given folded: lower case, no accents; and, when
    known, as written: its accents tell the stemmer which ending it has)."""
    words, stems = _load()
    if folded in words or any(stem(lang, folded) in stems[lang] for lang in LANGUAGES):
        return True
    written = written.lower() if written else None
    return bool(written) and any(fold(stem(lang, written)) in stems[lang] for lang in LANGUAGES)
