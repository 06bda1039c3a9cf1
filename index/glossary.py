"""The multilingual glossary and the country gazetteer: concepts named differently in each language.

Both are data (`config/glossary.yaml`, `config/countries.yaml`); adding a concept needs no code.
A term is analysed like document text in its own language (folded, stop words out, stemmed), so
"precinto electrónico" also matches "precintos electronicos"; multiword terms match as phrases.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress, count
from pathlib import Path

import yaml

from index.analysis import analyse, stem, stopwords, words
from index.documents import LANGUAGES, TECHNOLOGIES
from index.errors import InputError, yaml_problem

NEUTRAL = "any"  # terms that are the same in every language: acronyms, brand names
_STATEMENT_END = re.compile(r"[.!?;:](?:\s|$)|\n")


class GlossaryError(InputError):
    """A malformed glossary or gazetteer; `problems` holds one line per bad entry."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Concept:
    id: str
    group: str | None  # technology group, or None for customs concepts and countries
    terms: dict[str, tuple[str, ...]]  # language (or "any") -> terms as written
    broader: tuple[str, ...] = ()  # more general concepts: machine-learning -> artificial-intelligence

    def terms_in(self, lang: str) -> tuple[str, ...]:
        return self.terms.get(lang, ()) + self.terms.get(NEUTRAL, ())

    @property
    def label(self) -> str:
        for lang in ("en", NEUTRAL, *LANGUAGES):
            if self.terms.get(lang):
                return self.terms[lang][0]
        return self.id


@dataclass
class Vocabulary:
    """Concepts plus, per language, a phrase table from analysed terms back to concepts."""

    concepts: dict[str, Concept]
    stemmed: bool = True  # False for proper names: "Pérou" must not meet "pero", nor "França" "francas"
    _phrases: dict[str, dict[str, list[tuple[tuple[str, ...], str]]]] = field(default_factory=dict)
    _by_concept: dict[tuple[str, str], list[tuple[str, ...]]] = field(default_factory=dict)
    # Names that are also common words ("Receita": revenue, recipe) -> concept: met only as written,
    # capitalised inside a sentence, where the word cannot be the common noun (match_as_written).
    as_written: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        alternatives = "|".join(re.escape(name) for name in sorted(self.as_written, key=len, reverse=True))
        self._as_written = re.compile(rf"\b(?:{alternatives})\b") if alternatives else None
        for lang in LANGUAGES:
            table: dict[str, list[tuple[tuple[str, ...], str]]] = {}
            for concept in self.concepts.values():
                for term in concept.terms_in(lang):
                    stems = tuple(self._keys(term, lang)[1])
                    if stems and (stems, concept.id) not in table.get(stems[0], []):
                        table.setdefault(stems[0], []).append((stems, concept.id))
            for entries in table.values():
                entries.sort(key=lambda entry: -len(entry[0]))  # longest phrase first
                for phrase, concept_id in entries:
                    self._by_concept.setdefault((concept_id, lang), []).append(phrase)
            self._phrases[lang] = table

    def _keys(self, text: str, lang: str) -> tuple[list[str], list[str]]:
        """The text's words (stop words out) and the keys they are matched by: stems, or for
        names the word without a plural s ("barbados" and "barbado" alike)."""
        stops = stopwords(lang)
        kept = [word for word, _, _ in words(text) if word not in stops]
        if self.stemmed:
            return kept, stem.all(lang, kept)
        return kept, [word[:-1] if len(word) > 4 and word[-1] == "s" else word for word in kept]

    def _text_keys(self, text: str, lang: str) -> list[str]:
        """The keys of `_keys(text, lang)`: the stems kept for the text's index field (`analyse`), or
        the name keys in one pass over the words."""
        if self.stemmed:
            return analyse(text, lang)
        stops = stopwords(lang)
        return [w[:-1] if len(w) > 4 and w[-1] == "s" else w for w, _, _ in words(text) if w not in stops]

    def _spans(self, stems: list[str], lang: str) -> Iterator[tuple[str, int, int]]:
        """(concept id, start, end) of each mention, longest phrase first, no overlaps."""
        table = self._phrases[lang]
        free = 0  # where the next mention may start: after the last one
        for i in compress(count(), map(table.__contains__, stems)):  # only where a term may start
            if i < free:
                continue
            for phrase, concept_id in table[stems[i]]:
                if len(phrase) == 1 or tuple(stems[i : i + len(phrase)]) == phrase:
                    yield concept_id, i, i + len(phrase)
                    free = i + len(phrase)
                    break

    def match_stems(self, stems: list[str], lang: str) -> Counter[str]:
        """Concept id -> number of mentions in a text already analysed with `lang`."""
        return Counter(concept_id for concept_id, _, _ in self._spans(stems, lang))

    def match_statements(self, text: str, lang: str) -> Counter[str]:
        """Concept id -> number of statements (sentences, lines) that mention it, reading the text
        as `lang`. A line that names a concept in four languages ("precinto electrónico / electronic
        seal / scellé électronique") names it once: a glossary is not four reports about it."""
        keys = self._text_keys(text, lang)
        spans = list(self._spans(keys, lang))
        mentions = Counter(concept_id for concept_id, _, _ in spans)
        if len(mentions) == len(spans):  # no concept named twice (most texts): one statement each
            return mentions
        stops = stopwords(lang)
        starts = [start for word, start, _ in words(text) if word not in stops]  # where each key's word is
        ends = [m.start() for m in _STATEMENT_END.finditer(text)]
        seen = {(concept_id, bisect.bisect_left(ends, starts[start])) for concept_id, start, _ in spans}
        return Counter(concept_id for concept_id, _ in seen)

    def match(self, text: str, languages: Iterable[str] = LANGUAGES) -> Counter[str]:
        """Mentions of each concept, reading the text as each of the given languages (max per concept)."""
        found: Counter[str] = Counter()
        if not self.stemmed:
            found.update(code for code in flag_codes(text) if code in self.concepts)
        for lang in languages:
            keys = self._text_keys(text, lang)
            found |= self.match_stems(keys, lang)
            if not self.stemmed:
                break  # names are matched the same way in every language
        return found

    def match_as_written(self, text: str) -> Counter[str]:
        """Mentions of the names kept as written, each where it does not start a sentence: "da
        Receita" names Brazil's administration, "Receita de 2023" may be any revenue."""
        found: Counter[str] = Counter()
        if self._as_written is None or not any(name in text for name in self.as_written):
            return found  # a substring test first: most texts name none, and it is many times faster
        for hit in self._as_written.finditer(text):
            before = text[max(0, hit.start() - 8) : hit.start()].rstrip(" \t*_\"'«“(")
            if before and (before[-1].isalnum() or before[-1] in ",;-"):
                found[self.as_written[hit.group()]] += 1
        return found

    def find(self, text: str, languages: Iterable[str] = LANGUAGES) -> dict[str, set[str]]:
        """Concept id -> the (folded) words of the text that named it, in whichever language."""
        found: dict[str, set[str]] = {}
        if not self.stemmed:
            found.update((code, set()) for code in flag_codes(text) if code in self.concepts)
        for lang in languages:
            kept, keys = self._keys(text, lang)
            for concept_id, start, end in self._spans(keys, lang):
                found.setdefault(concept_id, set()).update(kept[start:end])
        return found

    def groups(self, concept_ids: Iterable[str]) -> tuple[str, ...]:
        groups = {self.concepts[c].group for c in concept_ids if c in self.concepts}
        return tuple(g for g in TECHNOLOGIES if g in groups)

    def expansion(self, concept_id: str, lang: str) -> list[tuple[str, ...]]:
        """The concept's terms analysed for `lang`: what a query expands to in that language."""
        return self._by_concept.get((concept_id, lang), [])

    def related(self, concept_id: str) -> set[str]:
        """One step up or down the broader/narrower links: a question about AI is partly answered
        by a machine-learning experience, and the other way round."""
        concept = self.concepts.get(concept_id)
        up = set(concept.broader) if concept else set()
        down = {c.id for c in self.concepts.values() if concept_id in c.broader}
        return (up | down) - {concept_id}

    def keys(self, lang: str) -> set[str]:
        """Every stem (or name key) the terms of `lang` are matched by."""
        return {key for entries in self._phrases[lang].values() for phrase, _ in entries for key in phrase}

    def vocabulary_words(self) -> set[str]:
        """Every folded word of every term: known words for spelling suggestions."""
        out: set[str] = set()
        for concept in self.concepts.values():
            for terms in concept.terms.values():
                for term in terms:
                    out.update(word for word, _, _ in words(term))
        return out


_FLAG = re.compile("([\U0001f1e6-\U0001f1ff])([\U0001f1e6-\U0001f1ff])")


def flag_codes(text: str) -> list[str]:
    """Country codes of the flag emoji in a text: members write "saludos desde Guate 🇬🇹"."""
    base = 0x1F1E6 - ord("A")
    return [chr(ord(a) - base) + chr(ord(b) - base) for a, b in _FLAG.findall(text)]


def _as_terms(path: Path, entry: str, key: str, value: object, problems: list[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(f"{path}: {entry}: '{key}' must be a list of non-empty terms")
        return ()
    return tuple(v.strip() for v in value)


def parse_glossary(raw: object, path: Path) -> Vocabulary:
    """Concept id -> {group, any, en, es, fr, pt}; every problem is reported, not just the first."""
    if not isinstance(raw, dict) or not raw:
        raise GlossaryError([f"{path}: expected a mapping of concept ids to their terms"])
    problems: list[str] = []
    concepts = {}
    allowed = {"group", "broader", NEUTRAL, *LANGUAGES}
    for concept_id, body in raw.items():
        entry = f"concept '{concept_id}'"
        if not isinstance(body, dict):
            problems.append(f"{path}: {entry}: expected a mapping with group and terms per language")
            continue
        for key in body.keys() - allowed:
            problems.append(f"{path}: {entry}: unknown key '{key}' (allowed: {', '.join(sorted(allowed))})")
        group = body.get("group")
        if group is not None and group not in TECHNOLOGIES:
            problems.append(f"{path}: {entry}: group '{group}' is not one of {', '.join(TECHNOLOGIES)}")
        terms = {
            key: _as_terms(path, entry, key, body[key], problems)
            for key in (NEUTRAL, *LANGUAGES)
            if body.get(key) is not None
        }
        if not any(terms.values()):
            problems.append(f"{path}: {entry}: has no terms")
        broader = body.get("broader") or []
        broader = [broader] if isinstance(broader, str) else broader
        for other in broader:
            if other not in raw:
                problems.append(f"{path}: {entry}: broader concept '{other}' is not in the glossary")
        concepts[str(concept_id)] = Concept(str(concept_id), group, terms, tuple(map(str, broader)))
    if problems:
        raise GlossaryError(problems)
    return Vocabulary(concepts)


def parse_countries(raw: object, path: Path) -> Vocabulary:
    """ISO code -> {names, demonyms, administrations}: a vocabulary whose concepts are countries."""
    if not isinstance(raw, dict) or not raw:
        raise GlossaryError([f"{path}: expected a mapping of country codes to names"])
    problems: list[str] = []
    concepts = {}
    as_written: dict[str, str] = {}
    for code, body in raw.items():
        entry = f"country '{code}'"
        if not isinstance(body, dict):
            problems.append(f"{path}: {entry}: expected a mapping with names, demonyms, administrations")
            continue
        for key in body.keys() - {"names", "demonyms", "administrations", "short_names"}:
            problems.append(f"{path}: {entry}: unknown key '{key}'")
        terms: list[str] = []
        for key in ("names", "demonyms", "administrations"):
            if body.get(key) is not None:
                terms.extend(_as_terms(path, entry, key, body[key], problems))
        if body.get("short_names") is not None:
            for name in _as_terms(path, entry, "short_names", body["short_names"], problems):
                as_written[name] = str(code)
        if not body.get("names"):
            problems.append(f"{path}: {entry}: 'names' is required")
        concepts[str(code)] = Concept(str(code), None, {NEUTRAL: tuple(terms)})
    if problems:
        raise GlossaryError(problems)
    return Vocabulary(concepts, stemmed=False, as_written=as_written)


def load_vocabulary(path: Path, kind: str) -> Vocabulary:
    """Read a glossary ('glossary') or gazetteer ('countries'); a missing gazetteer is just empty."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if kind == "countries":
            return Vocabulary({})
        raise GlossaryError([f"{path}: file not found"]) from None
    except OSError as exc:
        raise GlossaryError([f"{path}: cannot read: {exc}"]) from None
    return _parse_cached(str(path), data, kind)


@lru_cache(maxsize=8)
def _parse_cached(path_text: str, data: bytes, kind: str) -> Vocabulary:
    """Analysing every term takes a moment; the same file content parses once per process."""
    path = Path(path_text)
    try:
        raw = yaml.safe_load(data.decode("utf-8"))
    except yaml.YAMLError as exc:
        where, problem = yaml_problem(exc)
        raise GlossaryError([f"{path}{where}: invalid YAML: {problem}"]) from None
    except UnicodeDecodeError as exc:
        raise GlossaryError([f"{path}: not UTF-8 text: {exc}"]) from None
    return parse_countries(raw, path) if kind == "countries" else parse_glossary(raw, path)
