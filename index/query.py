"""From a member's question to a Whoosh query — built term by term, never parsed.

User text is never query syntax: `AND OR NOT ( ) " * ? ~ : [ ]` are just characters, so nothing
can fail to parse and no wildcard can explode. The question is analysed for all four languages,
misspelled words get a correction ("did you mean"), and glossary concepts and countries found in
it expand it into the other languages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from whoosh import query as Q

from index.analysis import all_stopwords, normalize_text, stem, stopwords, words
from index.documents import LANGUAGES, QueryError
from index.engine import WhooshEngine
from index.glossary import Vocabulary

MAX_TERMS = 32
TITLE_BOOST = 1.5
PHRASE_BOOST = 1.0
CONCEPT_BOOST = 1.5
EXPANSION_BOOST = 0.5
COUNTRY_BOOST = 3.0


@dataclass
class QueryPlan:
    query: Q.Query
    highlight: dict[str, set[str]] = field(default_factory=dict)  # language -> stems to highlight
    did_you_mean: str | None = None
    concepts: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (limit + 1) once it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


class QueryBuilder:
    def __init__(self, glossary: Vocabulary, countries: Vocabulary, engine: WhooshEngine, max_chars: int):
        self.glossary = glossary
        self.countries = countries
        self.engine = engine
        self.max_chars = max_chars
        self._known = glossary.vocabulary_words() | countries.vocabulary_words()

    def clean(self, question: str) -> str:
        text = " ".join(normalize_text(question).split())
        if len(text) > self.max_chars:
            cut = text.rfind(" ", 0, self.max_chars)
            text = text[: cut if cut > 0 else self.max_chars]
        return text

    def build(self, question: str) -> QueryPlan:
        text = self.clean(question)
        tokens = list(words(text))
        if not tokens:
            raise QueryError("Please ask with a few words, for example: experiences with electronic seals?")
        stops = all_stopwords()
        content = [t for t in tokens if t[0] not in stops] or tokens
        content = content[:MAX_TERMS]

        corrections = self._corrections([w for w, _, _ in content])
        did_you_mean = None
        if corrections:
            pieces, last = [], 0
            for word, start, end in content:
                if word in corrections:
                    pieces.extend([text[last:start], corrections[word]])
                    last = end
            pieces.append(text[last:])
            did_you_mean = "".join(pieces)

        effective: list[str] = []
        for word, _, _ in content:
            fixed = corrections.get(word)
            if fixed is None or self._exists(word):
                effective.append(word)
            if fixed is not None:
                effective.append(fixed)

        concept_text = did_you_mean or text
        concepts = list(self.glossary.match(concept_text))
        countries = list(self.countries.match(concept_text))

        parts: list[Q.Query] = []
        highlight: dict[str, set[str]] = {}
        for lang in LANGUAGES:
            lang_stops = stopwords(lang)
            stems = [stem(lang, w) for w in effective if w not in lang_stops]
            highlight[lang] = set(stems)
            for s in dict.fromkeys(stems):
                parts.append(Q.Term(f"text_{lang}", s))
                parts.append(Q.Term(f"title_{lang}", s, boost=TITLE_BOOST))
            for a, b in zip(stems, stems[1:], strict=False):
                if a != b:
                    parts.append(Q.Phrase(f"text_{lang}", [a, b], boost=PHRASE_BOOST))
            for concept_id in concepts:
                for phrase in self.glossary.expansion(concept_id, lang):
                    highlight[lang].update(phrase)
                    if len(phrase) == 1:
                        parts.append(Q.Term(f"text_{lang}", phrase[0], boost=EXPANSION_BOOST))
                    else:
                        parts.append(Q.Phrase(f"text_{lang}", list(phrase), boost=EXPANSION_BOOST))
        parts.extend(Q.Term("concepts", cid, boost=CONCEPT_BOOST) for cid in concepts)
        parts.extend(Q.Term("countries", code, boost=COUNTRY_BOOST) for code in countries)
        return QueryPlan(Q.Or(parts), highlight, did_you_mean, concepts, countries)

    def _exists(self, word: str) -> bool:
        return word in self._known or self.engine.word_frequency(word) > 0

    def _corrections(self, content_words: list[str]) -> dict[str, str]:
        """Unknown words of four letters or more -> the closest known word (fewest edits, most used)."""
        out: dict[str, str] = {}
        for word in content_words:
            if len(word) < 4 or not word.isalpha() or word in out or self._exists(word):
                continue
            maxdist = 1 if len(word) <= 5 else 2
            candidates = {w: n for w, n in self.engine.similar_words(word, maxdist)}
            for known in self._known:
                if known[:1] == word[:1] and edit_distance(word, known, maxdist) <= maxdist:
                    candidates.setdefault(known, 1)
            if candidates:
                out[word] = min(
                    candidates, key=lambda w: (edit_distance(word, w, maxdist), -candidates[w], w)
                )
        return out
