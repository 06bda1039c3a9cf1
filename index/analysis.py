"""Text analysis for the four languages: tokenize, fold accents, drop stop words, stem.

Accents are folded *before* stop words and stemming, on documents and queries alike, so that
"precintos electronicos" and "precintos electrónicos" meet. Stemming is Snowball (PyStemmer, the
C implementation of the Snowball algorithms). The search engine's own analyzer (index.whoosh.tokenizer)
is these functions in one pass.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache, wraps
from itertools import accumulate, repeat
from operator import itemgetter

import Stemmer

from index.documents import LANGUAGES
from index.stopwords import STOPWORDS

_STEMMER_NAMES = {"en": "english", "es": "spanish", "fr": "french", "pt": "portuguese"}
WORD_RE = re.compile(r"\w+")
_WORDS_AND_GAPS = re.compile(r"(\w+)")  # split by it: the gaps and, between them, the words
LIGATURES = _LIGATURES = str.maketrans(
    {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "ø": "o", "Ø": "o"}
)


# Words memoised per cache (folded forms, skeletons, and the stems of each language). A large import
# meets hundreds of thousands of distinct words: caches of 200k (300k for stems) could hold 1.6
# million words, ~200 MB, and kept a 500 MB export over its 300 MB. Emptied when full, a cache of 50k
# still holds the frequent words.
WORD_CACHE_SIZE = 50_000


def word_cache(maxsize: int):
    """Memoise a function of one word in a plain dict, emptied when full.

    Not functools.lru_cache: the garbage collector walks every entry of an lru_cache on each full
    collection, and with two of them full (200k words each, after a large ingest) those pauses
    reached 220 ms, stalling the event loop. A dict of strings is never walked.
    The dict is the function's `memo`: a caller with many words reads it directly (`map(memo.get,
    words)`, in C) and calls the function only for the words not in it.
    """

    def decorate(function):
        memo: dict[str, object] = {}
        missing = object()

        def cached(word: str):
            found = memo.get(word, missing)
            if found is missing:
                if len(memo) >= maxsize:
                    memo.clear()
                found = memo[word] = function(word)
            return found

        cached = wraps(function)(cached)
        cached.memo = memo
        return cached

    return decorate


_MISSING = object()


def each_memoised(function, memo: dict[str, object], words: list[str]) -> list:
    """`function` of each word, read from its memo (in C) and called only for the words not in it,
    rather than through the memoised function's Python call per word."""
    found = list(map(memo.get, words, repeat(_MISSING)))
    if _MISSING in found:
        found = [
            value if value is not _MISSING else function(word)
            for value, word in zip(found, words, strict=True)
        ]
    return found


# The combining marks (accents) of the block that decomposed Latin letters carry theirs in; U+034F, the
# grapheme joiner, is in the block but not a combining mark.
_LATIN_ACCENTS = re.compile(
    "[" + "".join(c for c in map(chr, range(0x300, 0x370)) if unicodedata.combining(c)) + "]"
)


@word_cache(maxsize=WORD_CACHE_SIZE)
def fold(word: str) -> str:
    """Lower-case and strip accents: 'Électronique' -> 'electronique'."""
    word = word.translate(_LIGATURES).lower()
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    plain = _LATIN_ACCENTS.sub("", decomposed)
    if plain.isascii():  # then no other combining mark is left either (none is ASCII): one C pass
        return plain
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize_text(text: str) -> str:
    """NFC and no control characters, so character offsets stay stable from ingest to highlight."""
    text = unicodedata.normalize("NFC", text)
    if text.replace("\n", " ").replace("\t", " ").isprintable():  # no control character at all (C speed)
        return text
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")


@cache
def stopwords(lang: str) -> frozenset[str]:
    return frozenset(fold(word) for word in STOPWORDS[lang])


@cache
def all_stopwords() -> frozenset[str]:
    """A word that is a stop word in any of the four languages: queries are not tagged with a language."""
    return frozenset().union(*(stopwords(lang) for lang in LANGUAGES))


class _Stems:
    """Per-language stem cache over PyStemmer; Stemmer objects are not picklable, so built lazily."""

    def __init__(self) -> None:
        self._stemmers: dict[str, Stemmer.Stemmer] = {}
        self._cache: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}

    def __call__(self, lang: str, word: str) -> str:
        cache = self._cache[lang]
        stem = cache.get(word)
        if stem is None:
            stemmer = self._stemmers.get(lang)
            if stemmer is None:
                stemmer = self._stemmers[lang] = Stemmer.Stemmer(_STEMMER_NAMES[lang])
                stemmer.maxCacheSize = 0  # ours is above; PyStemmer's keeps 10k lists for the GC to walk
            if len(cache) >= WORD_CACHE_SIZE:
                cache.clear()
            stem = cache[word] = stemmer.stemWord(singular(lang, word))
        return stem

    def all(self, lang: str, words: list[str]) -> list[str]:
        """The stems of many words: one dict read each (in C), a call only for those not yet met."""
        return each_memoised(lambda word: self(lang, word), self._cache[lang], words)


stem = _Stems()
_VOWELS = frozenset("aeiouy")


def singular(lang: str, word: str) -> str:
    """The singular (and the French masculine) of a folded word, where the stemmers miss it: the
    Spanish and Portuguese ones strip -os, -as, -es but not an -s after a consonant, which is how
    the loanwords of this field take their plural ("robots", "chatbots", "scanners", "dashboards");
    Portuguese -ns is the plural of -m ("imagens", "imagem"); and with accents folded away the
    Portuguese stemmer no longer sees -ões and -ãos as plurals of -ão ("declarações", "caminhões"),
    nor the French one -ée and -ière as forms of -é and -ier. Left as they were, "robots de software"
    never met "robot de software" and "caminhões" never met the glossary's "caminhão". A noun in -er
    loses the -er to the Spanish and French stemmers (as a verb's ending) in the singular only
    ("taller" and "talleres", "scanner" and "scanners"), and Portuguese -al and -vel have their
    plurals in -ais and -veis ("postais", "moveis"), -il in -is ("perfis")."""
    if lang == "fr" and len(word) >= 5:
        # Folded -ée(s) and -ière(s): the stemmer takes "declaree" for another word than "declare"
        # (déclarée, déclaré) and "douaniere" than "douanier".
        if word.endswith(("ieres", "iere")):
            return word[: word.rindex("iere") + 3]
        if word.endswith(("ees", "ee")):
            return word[: word.rindex("ee") + 1]
        if len(word) >= 6 and word.endswith("ers") and word[-4] != "i":
            return word[:-1]  # the stemmer reads "scanner" as a verb, "scanners" as a noun
        return word
    if lang not in ("es", "pt") or len(word) < 5 or word[-1] != "s":
        return word
    if lang == "pt" and word.endswith(("oes", "aos")):
        return word[:-3] + "ao"  # folded -ões and -ãos: "declaracoes" is "declaracao", "orgaos" "orgao"
    if lang == "pt" and len(word) >= 6 and word.endswith("veis"):
        return word[:-3] + "el"  # -veis is the plural of -vel: "moveis" "movel", "niveis" "nivel"
    if lang == "pt" and len(word) >= 6 and word.endswith("ais"):
        return word[:-2] + "l"  # -ais is the plural of -al: "virtuais" "virtual", "postais" "postal"
    if lang == "pt" and word.endswith("is") and word[-3] not in _VOWELS:
        return word[:-1] + "l"  # -is after a consonant is the plural of -il: "perfis" "perfil"
    if lang == "es" and len(word) >= 6 and word.endswith("eres"):
        return word[:-2]  # the stemmer strips -er from "taller" (as from a verb) but not from "talleres"
    if word[-2] in _VOWELS or word[-2] == "s":
        return word
    if lang == "pt" and word[-2] == "n":
        return word[:-2] + "m"
    return word[:-1]


_COGNATE_RULES = (
    ("ph", "f"),
    ("th", "t"),
    ("ch", "c"),
    ("y", "i"),
    ("k", "c"),
    ("qu", "c"),
    ("z", "s"),
    ("ct", "c"),
    ("cao", "cion"),
    ("coes", "ciones"),
    ("ss", "s"),
    ("ll", "l"),
    ("cc", "c"),
    ("mm", "m"),
    ("nn", "n"),
    ("tt", "t"),
    ("pp", "p"),
    ("ff", "f"),
    ("rr", "r"),
)
COGNATE_LENGTH = 6
_COGNATE_SPOTS = re.compile("|".join(re.escape(old) for old, _ in _COGNATE_RULES))  # most words hold none


@word_cache(maxsize=WORD_CACHE_SIZE)
def cognate(word: str) -> str | None:
    """A spelling skeleton shared by many en/es/fr/pt cognates, or None for short words.

    "selection", "selección", "sélection" and "seleção" all become "seleci"; "analysis",
    "análisis", "analyse" become "analis". Language-independent, so it carries a question into
    the other languages where the glossary has no entry.
    """
    if len(word) < COGNATE_LENGTH or not word.isalpha():
        return None
    if _COGNATE_SPOTS.search(word):  # else no rule changes the word, so none makes another apply
        for old, new in _COGNATE_RULES:
            word = word.replace(old, new)
    return word[:COGNATE_LENGTH] if len(word) >= COGNATE_LENGTH else None


def cognates(text: str) -> frozenset[str]:
    """The cognate skeletons of a text's words (stop words of every language left out)."""
    distinct = set(map(itemgetter(0), words(text))) - all_stopwords()  # each word once, not per use
    # A shorter word has no skeleton: not looked up, nor kept in the memo, which then holds more of the rest.
    long = [word for word in distinct if len(word) >= COGNATE_LENGTH]
    keys = set(each_memoised(cognate, cognate.memo, long))
    keys.discard(None)
    return frozenset(keys)


_recent: tuple[str, list[tuple[str, int, int]]] = ("", [])


def words(text: str) -> Iterator[tuple[str, int, int]]:
    """(folded word, start, end) for each word of the text, offsets into the text as given.

    The last text's words are kept: ingest reads each document five or six times (tagging in its
    languages, countries, cognates, then each index field) and tokenized it anew each time.
    """
    global _recent
    recent = _recent  # one read: another thread may replace it meanwhile
    if recent[0] == text:
        return iter(recent[1])
    if text.isascii():  # each word folds to its lower case: the whole text lower-cased at once
        parts = _WORDS_AND_GAPS.split(text.lower())
        folded = parts[1::2]
    else:  # most of its words are ASCII all the same: lower-cased, not looked up (nor kept) in the memo
        parts = _WORDS_AND_GAPS.split(text)
        folded = [word.lower() if word.isascii() else fold(word) for word in parts[1::2]]
    offsets = list(accumulate(map(len, parts)))  # each word starts where the gap before it ends
    found = list(zip(folded, offsets[0:-1:2], offsets[1::2], strict=True))
    _recent = (text, found)
    return iter(found)


_recent_terms: tuple[str, dict[str | None, list[str]]] = ("", {})


def analyse(text: str, lang: str | None) -> list[str]:
    """Index terms of a text: folded, stop words removed, stemmed with `lang` (no stemming if None).

    The last text's terms are kept per language, as its words are: ingest reads them for the
    glossary and again for the index field."""
    global _recent_terms
    recent = _recent_terms  # one read: another thread may replace it meanwhile
    if recent[0] != text:
        recent = _recent_terms = (text, {})
    found = recent[1].get(lang)
    if found is None:
        stops = stopwords(lang) if lang else all_stopwords()
        if lang:
            found = stem.all(lang, [word for word, _, _ in words(text) if word not in stops])
        else:
            found = [word for word, _, _ in words(text) if word not in stops]
        recent[1][lang] = found
    return list(found)  # a copy: the caller may change it
