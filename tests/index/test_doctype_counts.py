"""The cue counts are what the original regular expressions count: the phrase lists' alternations,
scanned with `findall`, and the "whole word with this ending" patterns written with backtracking.
Checked on hand-written edge cases and on every text of the project's own corpora."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from index import doctype
from index.doctype import _CUE_LISTS, _PRETERITE, _folded, _word_counts

ROOT = Path(__file__).resolve().parents[2]

# The patterns as first written: the reference the faster forms must agree with.
REFERENCE_LISTS = [
    re.compile(r"\b(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in phrases) + r")\b")
    for phrases in _CUE_LISTS
]
REFERENCE_PRETERITE = re.compile(r"\b\w{3,}(?:ó|aron|ieron|ou|aram|eram|iram|iu)\b", re.IGNORECASE)
REFERENCE_FIRST_PERSON = re.compile(
    r"\bwe (?:\w+ed|built|ran|set|put|made|began|took|got|just|now|have|are|use|run|went)\b"
    r"|\b(?:our|nuestr[oa]s?|notre|noss[oa]s?)\b"
    r"|\b\w{3,}(?:amos|emos|imos)\b"
    r"|\bnous (?:avons|sommes|\w+ons)\b|\bnotre (?:equipe|cellule|brigade|administration|unite|service)\b"
)

EDGE_CASES = [
    "",
    "?",
    "does anyone? does anyone know",
    "Does   anyone\nknow? Is there anyone who has any experience?",
    "we now we now now now instead of instead",
    "Thanks in advance!! thanks in advancement; thanks in advance?thanks in advance",
    "quelqu'un, est-ce que, y a-t-il, merci d'avance, retour d'expérience, a été, ont été",
    "nous avons nous avons mis avons relié notre brigade notre administration",
    "Les comparto nuestra experiencia de la aduana: implementamos, probamos y logramos",
    "resultados results result resultat résultats, RESULTS, Results?",
    "before since ahora antes desde avant depuis agora antes desde, ya no, ne plus, não mais",
    "Next session: register now! Inscripciones abiertas, próxima sesión, sera no dia 3",
    "slides recording recordings the presentation presentations here is here are pdf",
    "we_now our_team we2 now 2we nuestra_experiencia",
    "Œuvre STRAẞE ﬁn İstanbul ΟΔΟΣ'Α naïve café déjà-vu",
    "la SENAE firmó, a Receita implantou, o desvio caiu, ELLOS FIRMARON, firmo, ió, abcó, Firmó",
    "instalamos hicimos fizemos comemos partimos amos emos imos xamos xxamos",
    "who said lessons learned? lessons? learned lessons learned",
    "To answer your question: replying to Ana, en respuesta a Luis; pour répondre, em resposta",
]


def corpus_texts() -> list[str]:
    texts = list(EDGE_CASES)
    for folder in (ROOT / "tests" / "evalset" / "corpus", ROOT / "config" / "samples"):
        texts += [path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.md"))]
    return texts


@pytest.mark.parametrize("text", corpus_texts())
def test_counts_are_the_reference_patterns(text):
    folded = _folded(text)
    *counts, first_person = _word_counts(folded)
    assert counts == [len(pattern.findall(folded)) for pattern in REFERENCE_LISTS]
    assert first_person == len(REFERENCE_FIRST_PERSON.findall(folded))
    assert len(_PRETERITE.findall(text)) == len(REFERENCE_PRETERITE.findall(text))


def test_the_edge_cases_do_count_something():
    """Not a comparison of zeros: the edge cases reach every list and both word-ending patterns."""
    totals = [0] * len(_CUE_LISTS)
    for text in EDGE_CASES:
        totals = [a + b for a, b in zip(totals, _word_counts(_folded(text))[:-1], strict=True)]
    assert all(totals)
    assert sum(len(_PRETERITE.findall(t)) for t in EDGE_CASES) >= 5
    assert sum(_word_counts(_folded(t))[-1] for t in EDGE_CASES) >= 5


def test_a_question_mark_between_words_breaks_a_phrase():
    asking = _CUE_LISTS.index(doctype._ASKING)
    assert _word_counts("does anyone know")[asking] == 1
    assert _word_counts("does? anyone know")[asking] == 0
    assert _word_counts("does anyone does anyone")[asking] == 2


def test_ascii_text_folds_as_any_text():
    for text in ("Hello, World? It's 10:30 -- OK", "a\tb\nC_d  E?"):
        slow = doctype.unicodedata.normalize("NFKD", text.lower().translate(doctype._LIGATURES))
        assert _folded(text) == doctype._NOT_WORD.sub(" ", doctype._ACCENTS.sub("", slow))
