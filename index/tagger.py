"""What a document is about, worked out from its text: languages, concepts, technologies, countries.

These tags are derived data: stored beside the document so answers can show them, and recomputed
by a rebuild when the glossary changes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from index.analysis import cognates
from index.doctype import OTHER, classify
from index.documents import LANGUAGES, TECHNOLOGIES, Document
from index.glossary import Vocabulary
from index.language import LanguageDetector

# Part of the index fingerprint: a change to how documents are tagged re-tags every stored one on open.
TAGGER_VERSION = "3"  # 2: countries also from the author; 3: and from short names as written ("a Receita")


@dataclass(frozen=True)
class Tags:
    langs: tuple[str, ...]  # main language first
    concepts: dict[str, int] = field(default_factory=dict)  # concept id -> mentions
    technologies: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    # Cognate skeletons of the words ("seleci" for selección/selection/seleção): checked for the top
    # answers only, so kept here rather than as an index field (a quarter of all postings).
    cognates: tuple[str, ...] = ()
    doc_type: str = OTHER  # experience, question, event, resource or other (index.doctype)

    @property
    def lang(self) -> str:
        return self.langs[0]

    def to_json(self) -> dict:
        return {
            "langs": list(self.langs),
            "concepts": self.concepts,
            "technologies": list(self.technologies),
            "countries": list(self.countries),
            "cognates": list(self.cognates),
            "doc_type": self.doc_type,
        }

    @classmethod
    def from_json(cls, data: dict) -> Tags:
        return cls(
            langs=tuple(data.get("langs") or ("en",)),
            concepts=dict(data.get("concepts") or {}),
            technologies=tuple(data.get("technologies") or ()),
            countries=tuple(data.get("countries") or ()),
            cognates=tuple(data.get("cognates") or ()),
            doc_type=data.get("doc_type") or OTHER,
        )


class Tagger:
    def __init__(self, glossary: Vocabulary, countries: Vocabulary, detector: LanguageDetector):
        self.glossary = glossary
        self.countries = countries
        self.detector = detector

    def tag(self, doc: Document) -> Tags:
        langs = (doc.lang,) if doc.lang in LANGUAGES else self.detector.detect_all(doc.full_text)
        return self._tag(doc, langs)

    def tag_many(self, docs: Sequence[Document]) -> list[Tags]:
        """`tag` of each document, the same tags, with their languages identified together: a bulk
        import's batch pays language identification's array overhead once, not once per document."""
        unknown = [doc.full_text for doc in docs if doc.lang not in LANGUAGES]
        detected = iter(self.detector.detect_all_many(unknown))
        return [self._tag(doc, (doc.lang,) if doc.lang in LANGUAGES else next(detected)) for doc in docs]

    def _tag(self, doc: Document, langs: tuple[str, ...]) -> Tags:
        text = doc.full_text
        concepts: Counter[str] = Counter()
        for lang in langs:
            concepts |= self.glossary.match_statements(text, lang)
        countries = self.countries.match(text, langs)
        countries.update(self.countries.match_as_written(text))
        # Who wrote it says where it happened: a case study signed by its administration ("SUNAT -
        # Aduanas (Perú)"), a member whose handle names theirs ("risco_rfb") reports on it without
        # naming it. Counted after the countries the text names, so those stay first.
        for code in self.countries.match(_handle_words(doc.author), langs):
            countries.setdefault(code, 0)
        given = tuple(t for t in TECHNOLOGIES if t in doc.technologies)
        return Tags(
            langs=langs,
            concepts=dict(concepts.most_common()),
            technologies=given or self.glossary.groups(concepts),
            countries=tuple(code for code, _ in countries.most_common()),
            cognates=tuple(sorted(cognates(text))),
            doc_type=classify(text, doc.kind),
        )


def _handle_words(author: str) -> str:
    """A Discord handle's parts as words: "risco_rfb" reads "risco rfb", "aduana.cr" "aduana cr"."""
    return " ".join(author.replace("_", " ").replace(".", " ").split())
