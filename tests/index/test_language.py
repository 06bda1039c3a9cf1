"""Language identification: our numpy feature walk gives py3langid's own scores, bit for bit, and
the batch path (a bulk import's) gives every text the language the text-by-text path gives it."""

from __future__ import annotations

import numpy as np
import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

import index.language as language
from benchmarks.corpus import CorpusGenerator
from index.documents import LANGUAGES
from index.language import (
    AUTOMATON_DEPTH,
    MAIN_PREFIX_CHARS,
    PARAGRAPH_PREFIX_CHARS,
    SEPARATOR,
    LanguageDetector,
    _identifier,
)

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


# -- the batch path ---------------------------------------------------------------------------------

ODD = [
    "",
    " ",
    "\n\n\t",
    "🚢",
    "🚢📦🛃 👍👍",
    "https://www.wcoomd.org/en/topics/facilitation.aspx?x=1&y=2",
    "<@123456789012345678> <#912345678901300001>",
    "?",
    "\x00\x01 nul",
    "\ud800 a lone surrogate",
    "Ç",
    "LA ADUANA DE CHILE IMPLEMENTÓ EL SISTEMA EN TODOS LOS PUERTOS",  # all upper case: lowered first
    "é" * (MAIN_PREFIX_CHARS + 10),
]


def test_the_separator_resets_the_automaton_and_never_occurs_in_utf8(stock) -> None:
    """Texts joined by SEPARATOR are walked as if one at a time only if every state moves back to
    the start on it, the start emits no feature, and no encoded text contains it."""
    moves = np.asarray(stock.tk_nextmove, dtype=np.int64)
    rows = np.asarray(stock._rowbase, dtype=np.int64)
    assert (moves[rows + SEPARATOR] == 0).all()
    assert stock.tk_output[0] < 0
    every_character = "".join(map(chr, range(0x110000)))
    assert SEPARATOR not in stock._encode(every_character)


def test_every_move_stays_inside_the_tables(stock) -> None:
    """The walk takes without bounds checks (mode="clip"): a model that broke this would be misread."""
    moves = np.asarray(stock.tk_nextmove, dtype=np.int64)
    rows = np.asarray(stock._rowbase, dtype=np.int64)
    assert rows.min() >= 0 and rows.max() + 255 < len(moves)
    assert moves.min() >= 0 and moves.max() < len(rows) == len(stock.tk_output)


def _texts_mixed(count: int, seed: int) -> list[str]:
    """Runs of words and punctuation of the four languages, some over several lines."""
    rng = np.random.default_rng(seed)
    pieces = " ".join(TEXTS[:-1]).split() + [
        "\n",
        ",",
        ".",
        "l'",
        "d'",
        "ção",
        "ñ",
        "—",
        "🚢",
        "http://x.y/z",
    ]
    return ["".join(" " + p for p in rng.choice(pieces, size=int(rng.integers(0, 80)))) for _ in range(count)]


def test_classify_many_gives_what_classify_gives(stock) -> None:
    ours = _identifier(LANGUAGES)
    texts = TEXTS + ODD + _texts_mixed(400, 3)
    assert ours.classify_many(texts) == [stock.classify(text)[0] for text in texts]
    assert ours.classify_many([]) == []


def test_batches_cut_into_walks_give_the_same(stock, monkeypatch) -> None:
    """A walk reads at most WALK_BYTES: a batch spans several walks, a longer text is walked alone."""
    monkeypatch.setattr(language, "WALK_BYTES", 64)
    ours = _identifier(LANGUAGES)
    texts = TEXTS + ODD + _texts_mixed(100, 4)
    assert any(len(ours._encode(text)) > 64 for text in texts)
    assert ours.classify_many(texts) == [stock.classify(text)[0] for text in texts]


def test_scores_too_close_to_call_are_settled_text_by_text(stock, monkeypatch) -> None:
    """With a roundoff made coarse, the tolerance takes in many texts: those go to py3langid's own
    classify one by one (and only those), and every answer is still the same."""
    ours = _identifier(LANGUAGES)
    texts = _texts_mixed(300, 5)
    settled: list[str] = []
    classify = type(ours).classify

    def counted(self, text):
        settled.append(text)
        return classify(self, text)

    monkeypatch.setattr(type(ours), "classify", counted)
    assert ours.classify_many(texts) == [stock.classify(text)[0] for text in texts]
    assert settled == []  # at float32's own roundoff, these are all clear calls
    monkeypatch.setattr(language, "_ROUNDOFF", 2.0**-13)
    answers = ours.classify_many(texts)
    assert 0 < len(settled) < len([t for t in texts if t.strip()])
    assert answers == [stock.classify(text)[0] for text in texts]


def _paragraphs(rng: np.random.Generator, count: int) -> str:
    """Paragraphs of one sentence each, each in a language of its own: mixed posts."""
    sentences = [t for t in TEXTS if len(t.split()) >= 8] + [
        "Hola a todos, en la aduana de Panamá usamos escáneres de rayos X con análisis automático.",
        "Bonjour à tous, nous utilisons des scanners à rayons X avec une analyse automatique des images.",
        "Olá a todos, na alfândega do Brasil usamos escâneres com análise automática de imagens hoje.",
        "Hello everyone, at the border we use X-ray scanners with automatic image analysis for trucks.",
        "thanks",
        "",
    ]
    return "\n".join(rng.choice(sentences, size=count))


def _detect_cases() -> list[str]:
    rng = np.random.default_rng(11)
    long_paragraph = "La aduana de Costa Rica implementó sellos RFID en la frontera norte. " * 12
    generator = CorpusGenerator(seed=11)
    return [
        *TEXTS,
        *ODD,
        *(_paragraphs(rng, int(rng.integers(1, 30))) for _ in range(150)),
        *_texts_mixed(150, 6),
        "\n".join([long_paragraph] * 3),  # paragraphs longer than PARAGRAPH_PREFIX_CHARS
        "\n".join([" " * (PARAGRAPH_PREFIX_CHARS + 5) + long_paragraph] * 2),  # a blank prefix
        "Título\n" + "Nous avons déployé l'IA pour cibler les contrôles des conteneurs. " * 40,
        "uno dos tres cuatro cinco seis siete\none two three four five six seven eight",  # 7 and 8 words
        *(generator.post(i).text for i in range(2500)),
    ]


def test_detect_all_many_gives_what_detect_all_gives() -> None:
    """Mixed-language multi-paragraph posts, posts past both prefixes, odd and empty ones, and the
    benchmark's generated posts: the batch path answers exactly as the text-by-text one."""
    detector = LanguageDetector()
    texts = _detect_cases()
    assert any(len(t) > MAIN_PREFIX_CHARS for t in texts)
    expected = [detector.detect_all(text) for text in texts]
    assert sum(len(langs) > 1 for langs in expected) > 50  # second languages are found and compared
    assert detector.detect_all_many(texts) == expected
    for start in range(0, len(texts), 250):  # the batches a bulk import's worker sends
        assert detector.detect_all_many(texts[start : start + 250]) == expected[start : start + 250]
    assert detector.detect_all_many([]) == []


def test_a_walk_of_more_texts_than_32_bit_keys_hold(stock, monkeypatch) -> None:
    """Keys are text number × features + feature: past 2**32 of them a walk counts in 64 bits."""
    monkeypatch.setattr(language, "WALK_BYTES", 1 << 18)
    ours = _identifier(LANGUAGES)
    short = ["a", "la", "le", "de", "the", "ção", "", "é é", "ok!", "🚢"]
    texts = [short[i % len(short)] for i in range(2**32 // len(ours.nb_ptc) + 10)]
    assert sum(len(t.encode()) + 1 for t in texts) <= language.WALK_BYTES  # one walk holds them all
    expected = {text: stock.classify(text)[0] for text in short}
    assert ours.classify_many(texts) == [expected[text] for text in texts]
