"""From a member's question to an engine-neutral search plan — built term by term, never parsed.

User text is never query syntax: `AND OR NOT ( ) " * ? ~ : [ ]` are just characters, so nothing
can fail to parse and no wildcard can explode. The question is analysed for all four languages,
misspelled words get a correction ("did you mean"), and glossary concepts and countries found in
it expand it into the other languages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from index.analysis import all_stopwords, cognate, normalize_text, stem, stopwords, words
from index.dictionary import is_word
from index.doctype import wanted
from index.documents import LANGUAGES, Filters, QueryError
from index.glossary import Vocabulary
from index.lexicon import Lexicon
from index.question_words import is_framing
from index.search_engine import BestOf, Clause, SearchEngine, SearchPlan, Term

MAX_TERMS = 32
CONCEPT_BOOST = 5.0
CONCEPT_WORD_BOOST = 0.0
COUNTRY_BOOST = 3.0
CORRECTION_BOOST = 0.7
OTHER_PLACE_FACTOR = 0.5
RELATED_BOOST = 1.0
COMMON_SHARE = 0.5  # a word in more than this share of a language's documents is left out...
MIN_DOCS_FOR_COMMON = 50  # ...once there are enough documents to tell
COGNATES = "cognates"  # not an index field: a document's cognates are among its stored tags
MAX_CORRECTIONS = 3  # words corrected per question; each costs a walk over the lexicon

Aspect = frozenset[tuple[str, str]]  # (field, term) pairs, any of which covers one part of the question


@dataclass
class QueryPlan:
    clauses: tuple[Clause, ...]  # summed per document (index.search_engine)
    text: str = ""  # the question as searched: cleaned, cut to the length limit
    highlight: dict[str, set[str]] = field(default_factory=dict)  # language -> stems to highlight
    did_you_mean: str | None = None
    concepts: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    aspects: list[Aspect] = field(default_factory=list)  # what a complete answer covers
    wants: str = "experience"  # the type of document asked for (index.doctype.wanted)
    corrected: frozenset[tuple[str, str]] = frozenset()  # terms only the did-you-mean words brought

    def suggestion(self, answers_matched: list[frozenset[tuple[str, str]]]) -> str | None:
        """The did-you-mean, only when it changed the answers: one of them matched a term that
        only the corrected words brought. Otherwise it would be noise (or a wrong guess)."""
        if self.did_you_mean and any(self.corrected & matched for matched in answers_matched):
            return self.did_you_mean
        return None

    def search(self, filters: Filters | None, limit: int) -> SearchPlan:
        """What the engine is asked, with the aspects' terms checked on the top hits."""
        return SearchPlan(self.clauses, filters, limit, frozenset(self.aspect_terms()))

    def aspect_terms(self) -> set[tuple[str, str]]:
        """Index terms worth knowing whether the top answers contain."""
        return {term for term in set().union(*self.aspects) if term[0] != COGNATES}

    def cognates(self) -> set[str]:
        return {text for aspect in self.aspects for field, text in aspect if field == COGNATES}

    def coverage(self, matched: frozenset[tuple[str, str]]) -> float:
        """Share of the question's aspects (words, concepts, countries) a document matched."""
        if not self.aspects:
            return 1.0
        return sum(1 for aspect in self.aspects if aspect & matched) / len(self.aspects)

    def place_factor(self, matched: frozenset[tuple[str, str]]) -> float:
        """A question that names a country wants that country: others are at most related."""
        if not self.countries or any(("countries", code) in matched for code in self.countries):
            return 1.0
        return OTHER_PLACE_FACTOR


def edit_distance(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) from a to b; limit + 1 once past limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if before is not None and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


class QueryBuilder:
    def __init__(
        self,
        glossary: Vocabulary,
        countries: Vocabulary,
        engine: SearchEngine,
        lexicon: Lexicon,
        max_chars: int,
    ):
        self.glossary = glossary
        self.countries = countries
        self.engine = engine
        self.lexicon = lexicon
        self.max_chars = max_chars
        self._known = glossary.vocabulary_words() | countries.vocabulary_words()
        self._known_stems = {lang: glossary.keys(lang) for lang in LANGUAGES}
        self._known_by_initial: dict[str, list[str]] = {}
        for known in sorted(self._known):
            self._known_by_initial.setdefault(known[:1], []).append(known)

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
        # The words that frame the question ("which administrations use…") match the posts asking
        # it, not the reports answering it: the topic's words are searched when there are any.
        content = [t for t in content if not is_framing(t[0])] or content
        content = content[:MAX_TERMS]
        corrections = self._corrections([(w, text[start:end]) for w, start, end in content])
        did_you_mean = _replaced(text, content, corrections) if corrections else None

        # The question as typed and as corrected are searched side by side: a concept or country
        # named either way counts, and neither replaces the other.
        concepts = self.glossary.find(text)
        countries = self.countries.find(text)
        corrected: set[tuple[str, str]] = set()
        if did_you_mean:
            for found, vocabulary, field_name in (
                (concepts, self.glossary, "concepts"),
                (countries, self.countries, "countries"),
            ):
                for key, named_by in vocabulary.find(did_you_mean).items():
                    if key not in found:
                        corrected.add((field_name, key))
                    found.setdefault(key, set()).update(named_by)
        country_words = set().union(*countries.values())  # carried by the country tag, not as text
        concept_words = set().union(*concepts.values())

        parts: list[Clause] = []
        aspects: list[Aspect] = []
        word_terms: dict[str, set[tuple[str, str]]] = {}
        highlight: dict[str, set[str]] = {lang: set() for lang in LANGUAGES}
        kept = [
            w for w, _, _ in content if w not in country_words and corrections.get(w) not in country_words
        ]
        for word in dict.fromkeys(kept):
            terms: set[tuple[str, str]] = set()
            searched: list[Term] = []
            # A word that names a concept is carried by the concept tag (in every language alike):
            # counted again as a word it would favour documents in the question's language.
            names_concept = word in concept_words or corrections.get(word) in concept_words
            variants = [(word, CONCEPT_WORD_BOOST if names_concept else 1.0)]
            if word in corrections:
                variants.append((corrections[word], CORRECTION_BOOST))
            for lang in LANGUAGES:
                for variant, boost in variants:
                    if variant in stopwords(lang):
                        continue
                    s = stem(lang, variant)
                    highlight[lang].add(s)
                    if not boost:
                        continue
                    if len(kept) > 1 and self._too_common(f"text_{lang}", s, lang):
                        continue
                    if variant != word:
                        corrected.add((f"text_{lang}", s))
                    terms.add((f"text_{lang}", s))
                    searched.append(Term(f"text_{lang}", s, boost=boost))
            # One word, whichever field (language) or spelling it matched in, counts once.
            if len(searched) == 1:
                parts.append(searched[0])
            elif searched:
                parts.append(BestOf(tuple(searched)))
            key = cognate(word)
            if key is not None:  # checked on the top answers only: it costs nothing to search
                terms.add((COGNATES, key))
            word_terms[word] = terms
            if not names_concept and terms:
                aspects.append(frozenset(terms))

        # A concept is matched through the documents' concept tags, which the glossary put there from
        # whichever of its terms a document uses; its terms in every language are only highlighted.
        related_added: set[str] = set()  # a concept related to two of the question's is searched once
        for concept_id, named_by in concepts.items():
            terms = {("concepts", concept_id)}
            for word in named_by:
                terms |= word_terms.get(word, set())
            for lang in LANGUAGES:
                for phrase in self.glossary.expansion(concept_id, lang):
                    highlight[lang].update(phrase)
            parts.append(Term("concepts", concept_id, boost=CONCEPT_BOOST))
            for other in sorted(self.glossary.related(concept_id) - concepts.keys()):
                if not self._too_common("concepts", other):
                    terms.add(("concepts", other))
                    if other not in related_added:
                        related_added.add(other)
                        parts.append(Term("concepts", other, boost=RELATED_BOOST))
            aspects.append(frozenset(terms))
        for code in countries:
            parts.append(Term("countries", code, boost=COUNTRY_BOOST))
            aspects.append(frozenset({("countries", code)}))
        return QueryPlan(
            tuple(parts),
            text,
            highlight,
            did_you_mean,
            list(concepts),
            list(countries),
            aspects,
            wanted(text),
            frozenset(corrected),
        )

    def _too_common(self, field: str, term: str, lang: str | None = None) -> bool:
        """In most documents (of that language): costly to walk, and it tells answers apart by nothing."""
        population = self.engine.frequency("lang", lang) if lang else self.engine.doc_count()
        if population < MIN_DOCS_FOR_COMMON:
            return False
        return self.engine.frequency(field, term) > COMMON_SHARE * population

    def _exists(self, word: str, written: str | None = None) -> bool:
        """Known to the glossary, indexed in some language (as itself or as its stem), or a word of
        one of the four languages: a real word is never "corrected" into another."""
        if word in self._known or self.lexicon.frequency(word) or is_word(word, written):
            return True
        stems = [(lang, stem(lang, word)) for lang in LANGUAGES]
        return any(
            s in self._known_stems[lang] or self.engine.frequency(f"text_{lang}", s) for lang, s in stems
        )

    def _corrections(self, content_words: list[tuple[str, str]]) -> dict[str, str]:
        """Unknown words of four letters or more -> the closest known word (fewest edits, a letter
        left out before a letter changed, then most used). (folded, as written) pairs in."""
        out: dict[str, str] = {}
        for word, written in content_words:
            if len(out) == MAX_CORRECTIONS:
                break
            if len(word) < 4 or not word.isalpha() or word in out or self._exists(word, written):
                continue
            # Two edits only for long words, and then the first two letters as typed: typos rarely
            # start a word, and the automaton walk over the lexicon is many times shorter.
            maxdist, prefix = (1, 1) if len(word) <= 5 else (2, 2)
            similar = self.lexicon.similar(word, maxdist, prefix)
            distance = {w: edit_distance(word, w, maxdist) for w in similar}
            indexed = set(distance)
            for known in self._known_by_initial.get(word[0], ()):
                if known not in distance:
                    d = edit_distance(word, known, maxdist)
                    if d <= maxdist:
                        distance[known] = d
            if distance:
                # Fewest edits; then a correction that only adds letters (a letter left out is the
                # commonest typo: "chek" is "check" before it is "chez"); then most used (words
                # members actually use win ties): frequencies are looked up for the nearest only.
                best = min(distance.values())
                nearest = [w for w, d in distance.items() if d == best]
                uses = {w: self.lexicon.frequency(w) if w in indexed else 0 for w in nearest}
                out[word] = min(nearest, key=lambda w: (not _only_adds(word, w), -uses[w], w))
        return out


def _only_adds(typed: str, candidate: str) -> bool:
    """The candidate is the typed word with letters inserted (the typed word is a subsequence)."""
    letters = iter(candidate)
    return len(candidate) > len(typed) and all(ch in letters for ch in typed)


def _replaced(text: str, content: list[tuple[str, int, int]], corrections: dict[str, str]) -> str:
    """The question as typed, with each corrected word swapped for its correction."""
    pieces, last = [], 0
    for word, start, end in content:
        if word in corrections:
            pieces.extend([text[last:start], corrections[word]])
            last = end
    pieces.append(text[last:])
    return "".join(pieces)
