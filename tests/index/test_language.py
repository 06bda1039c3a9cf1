"""Language identification: our numpy feature walk gives py3langid's own scores, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from index.documents import LANGUAGES
from index.language import AUTOMATON_DEPTH, LanguageDetector, _identifier

TEXTS = [
    "",
    "a",
    "ok",
    "¿Quién usa precintos electrónicos en la frontera?",
    "We piloted blockchain certificates of origin with two partners; clearance fell from 3 days to 6 hours.",
    "Nous avons déployé l'IA pour cibler les contrôles des conteneurs au port de Fort-de-France.",
    "A Receita Federal usa aprendizado de máquina na seleção de cargas para inspeção não invasiva.",
    "Hola a todos — we did the same in Jamaica\nLa aduana de Costa Rica implementó sellos RFID en 2022.",
    "IoT IoT IoT 123 !!! ???",
    "ÉTÉ À L'ÉCOLE",  # upper case: py3langid lowers it first
    "emoji 🚢📦 e acentuação çãõ",
    "x" * 5000,
]


@pytest.fixture(scope="module")
def stock():
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


@pytest.mark.parametrize("text", TEXTS)
def test_scores_equal_py3langids_own(stock, text: str) -> None:
    ours = _identifier(LANGUAGES)
    encoded = ours._encode(text)
    assert np.array_equal(ours._decide(text), stock._decide(text))
    assert np.array_equal(ours._raw_score(encoded), stock._raw_score(encoded))
    assert ours.classify(text) == stock.classify(text)


def test_scores_equal_on_generated_mixed_text(stock) -> None:
    """Random runs of bytes from real words and punctuation of the four languages: every score equal."""
    rng = np.random.default_rng(7)
    pieces = " ".join(TEXTS).split() + ["\n", ",", ".", "l'", "d'", "ção", "ñ", "—"]
    ours = _identifier(LANGUAGES)
    for _ in range(300):
        text = " ".join(rng.choice(pieces, size=int(rng.integers(1, 60))))
        assert np.array_equal(ours._decide(text), stock._decide(text)), text


def test_automaton_depth_covers_every_state(stock) -> None:
    """The shortcut is exact only if no state of the model stands for more than AUTOMATON_DEPTH
    bytes: a breadth-first walk from the start state finds each state's depth."""
    moves = np.asarray(stock.tk_nextmove, dtype=np.int64)
    rows = np.asarray(stock._rowbase, dtype=np.int64)
    depth = np.full(len(stock.tk_output), -1)
    depth[0] = 0
    frontier, level, every_byte = np.array([0]), 0, np.arange(256)
    while len(frontier):
        reached = np.unique(moves[(rows[frontier][:, None] + every_byte[None, :]).ravel()])
        reached = reached[depth[reached] < 0]
        level += 1
        depth[reached] = level
        frontier = reached
    assert (depth >= 0).all()
    assert depth.max() <= AUTOMATON_DEPTH


def test_detector_answers_in_four_languages() -> None:
    detector = LanguageDetector()
    assert detector.detect("¿Quién usa precintos electrónicos en la frontera?") == "es"
    assert detector.detect("A Receita Federal usa aprendizado de máquina na seleção de cargas.") == "pt"
    assert detector.detect("") == "en"
