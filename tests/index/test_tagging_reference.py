"""Words, stems, cognates and glossary and gazetteer matches are exactly what the implementation
they replaced gives, kept here as the reference (one Python call per word, no memo read in bulk),
for every text of tagging_inputs in each language."""

from __future__ import annotations

import bisect
import unicodedata
from collections import Counter
from functools import cache

import pytest
import Stemmer

from index import analysis
from index.analysis import WORD_RE, all_stopwords, cognates, singular, stopwords, words
from index.documents import LANGUAGES
from index.glossary import _STATEMENT_END, Vocabulary, flag_codes, load_vocabulary
from tests.conftest import CONFIG_DIR
from tests.index.tagging_inputs import all_texts

# --- the reference: index/analysis.py and index/glossary.py before tagging was made cheaper ----------


def _fold(word: str) -> str:
    word = word.translate(analysis.LIGATURES).lower()
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _cognate(word: str) -> str | None:
    if len(word) < analysis.COGNATE_LENGTH or not word.isalpha():
        return None
    for old, new in analysis._COGNATE_RULES:
        word = word.replace(old, new)
    return word[: analysis.COGNATE_LENGTH] if len(word) >= analysis.COGNATE_LENGTH else None


_STEMMERS = {lang: Stemmer.Stemmer(name) for lang, name in analysis._STEMMER_NAMES.items()}


@cache  # once per text for the whole module: the reference is slow on purpose
def reference_words(text: str) -> tuple[tuple[str, int, int], ...]:
    return tuple((_fold(m.group()), m.start(), m.end()) for m in WORD_RE.finditer(text))


def reference_cognates(text: str) -> frozenset[str]:
    distinct = {word for word, _, _ in reference_words(text)} - all_stopwords()
    return frozenset(key for key in map(_cognate, distinct) if key is not None)


@cache
def reference_stem(lang: str, word: str) -> str:
    return _STEMMERS[lang].stemWord(singular(lang, word))


def reference_analyse(text: str, lang: str | None) -> list[str]:
    stops = stopwords(lang) if lang else all_stopwords()
    kept = [word for word, _, _ in reference_words(text) if word not in stops]
    return [reference_stem(lang, word) for word in kept] if lang else kept


def reference_keys(vocabulary: Vocabulary, text: str, lang: str) -> tuple[list[str], list[str]]:
    stops = stopwords(lang)
    kept = [word for word, _, _ in reference_words(text) if word not in stops]
    if vocabulary.stemmed:
        return kept, [reference_stem(lang, word) for word in kept]
    return kept, [word[:-1] if len(word) > 4 and word.endswith("s") else word for word in kept]


def reference_spans(vocabulary: Vocabulary, stems: list[str], lang: str):
    table = vocabulary._phrases[lang]
    i, n = 0, len(stems)
    while i < n:
        step = 1
        for phrase, concept_id in table.get(stems[i], ()):
            if tuple(stems[i : i + len(phrase)]) == phrase:
                yield concept_id, i, i + len(phrase)
                step = len(phrase)
                break
        i += step


def reference_match_statements(vocabulary: Vocabulary, text: str, lang: str) -> Counter[str]:
    stops = stopwords(lang)
    kept = [(word, start) for word, start, _ in reference_words(text) if word not in stops]
    keys = reference_keys(vocabulary, text, lang)[1]
    ends = [m.start() for m in _STATEMENT_END.finditer(text)]
    seen = {
        (concept_id, bisect.bisect_left(ends, kept[start][1]))
        for concept_id, start, _ in reference_spans(vocabulary, keys, lang)
    }
    return Counter(concept_id for concept_id, _ in seen)


def reference_match(vocabulary: Vocabulary, text: str, languages=LANGUAGES) -> Counter[str]:
    found: Counter[str] = Counter()
    if not vocabulary.stemmed:
        found.update(code for code in flag_codes(text) if code in vocabulary.concepts)
    for lang in languages:
        keys = reference_keys(vocabulary, text, lang)[1]
        found |= Counter(concept_id for concept_id, _, _ in reference_spans(vocabulary, keys, lang))
        if not vocabulary.stemmed:
            break
    return found


def reference_find(vocabulary: Vocabulary, text: str, languages=LANGUAGES) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    if not vocabulary.stemmed:
        found.update((code, set()) for code in flag_codes(text) if code in vocabulary.concepts)
    for lang in languages:
        kept, keys = reference_keys(vocabulary, text, lang)
        for concept_id, start, end in reference_spans(vocabulary, keys, lang):
            found.setdefault(concept_id, set()).update(kept[start:end])
    return found


# --- the comparison ---------------------------------------------------------------------------------
GLOSSARY = load_vocabulary(CONFIG_DIR / "glossary.yaml", "glossary")
COUNTRIES = load_vocabulary(CONFIG_DIR / "countries.yaml", "countries")


def _wrong(check) -> list[str]:
    return [text[:100] for text in all_texts() if not check(text)]


def test_fold_is_the_references_for_characters_of_many_scripts_and_the_words_met():
    """Alone and between letters: the scripts, marks, letter-like forms, ligatures and full-width forms."""
    for code in [*range(0x80, 0x3000), *range(0xFB00, 0xFFF0), *range(0x1D400, 0x1D800)]:
        for word in (chr(code), f"a{chr(code)}e\u0301", f"E\u0301{chr(code)}\u0308"):
            assert analysis.fold.__wrapped__(word) == _fold(word), hex(code)
    met = {m.group() for text in all_texts() for m in WORD_RE.finditer(text)}
    assert all(analysis.fold.__wrapped__(word) == _fold(word) for word in met)


def test_words_and_cognates_are_the_references():
    assert not _wrong(lambda text: tuple(words(text)) == reference_words(text) == tuple(words(text)))
    assert not _wrong(lambda text: cognates(text) == reference_cognates(text))


@pytest.mark.parametrize("lang", [*LANGUAGES, None])
def test_terms_are_the_references(lang):
    assert not _wrong(lambda text: analysis.analyse(text, lang) == reference_analyse(text, lang))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_glossary_and_gazetteer_matches_are_the_references(lang):
    for vocabulary in (GLOSSARY, COUNTRIES):
        assert not _wrong(
            lambda text, v=vocabulary: (
                v.match_statements(text, lang) == reference_match_statements(v, text, lang)
            )
        )
        assert not _wrong(
            lambda text, v=vocabulary: v.match(text, [lang]) == reference_match(v, text, [lang])
        )


def test_matches_in_every_language_at_once_are_the_references():
    for vocabulary in (GLOSSARY, COUNTRIES):
        assert not _wrong(lambda text, v=vocabulary: v.match(text) == reference_match(v, text))
        assert not _wrong(lambda text, v=vocabulary: v.find(text) == reference_find(v, text))


def test_the_inputs_name_concepts_and_countries_in_numbers():
    """Not a comparison of empty answers: many texts name concepts, several of them in one statement,
    many name countries, and many words have a cognate skeleton."""
    texts = all_texts()
    assert sum(bool(reference_match_statements(GLOSSARY, t, "en")) for t in texts) >= 300
    assert sum(sum(reference_match(GLOSSARY, t).values()) > 2 for t in texts) >= 100
    assert sum(bool(reference_match(COUNTRIES, t)) for t in texts) >= 50
    assert sum(len(reference_cognates(t)) for t in texts) >= 10_000
