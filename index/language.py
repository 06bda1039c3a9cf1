"""Which of en/es/fr/pt a text is written in.

py3langid's trained model, restricted to our four languages, is reliable on paragraphs and makes a
best guess on a few words. Mixed posts are common ("Hola a todos — we did the same in Jamaica"), so
paragraphs long enough to judge on their own may add a second language.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from index.documents import LANGUAGES

_MIN_PARAGRAPH_WORDS = 8
# Identification reads a bounded prefix: its cost grows with the characters it reads (a Python loop
# over byte n-grams), and a few hundred words settle the language of a text or of a paragraph.
MAIN_PREFIX_CHARS = 1_000
PARAGRAPH_PREFIX_CHARS = 300
_LOCK = threading.Lock()  # the shared identifier keeps scratch state between calls


# The longest byte string a state of py3langid's feature automaton stands for (found by a breadth-first
# walk of its transitions; tests/index/test_language.py checks it against the installed model).
AUTOMATON_DEPTH = 6


@lru_cache(maxsize=4)
def _identifier(languages: tuple[str, ...]):
    """Loading the model takes most of a second: once per process, when a document first needs it."""
    import numpy as np  # heavy, with the model: see the docstring
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    class ArrayIdentifier(LanguageIdentifier):
        """py3langid's identifier with its feature walk done by numpy: the same scores, bit for bit.

        py3langid walks its automaton one byte at a time in a Python loop (a quarter of a bulk
        import's analysis). The automaton's state after any byte depends only on the last
        AUTOMATON_DEPTH bytes, so the states of every position are found in AUTOMATON_DEPTH array
        steps instead; features are then counted in their order of first appearance, as py3langid's
        Counter does, so the scores are summed in the same order."""

        __slots__ = ("_moves", "_rows", "_outputs")

        def prepare(self) -> None:
            # private API (with _rowbase, tk_output, nb_ptc and nb_pc below): the model's tables
            # The transition table (39 MB) is viewed in place, not copied: a copy per process (the
            # bot, each ingest worker) cost 78 MB each as int64.
            self._moves = np.frombuffer(self.tk_nextmove, dtype=np.dtype(self.tk_nextmove.typecode))
            self._rows = np.asarray(self._rowbase, dtype=np.int64)
            self._outputs = np.asarray(self.tk_output, dtype=np.int64)

        def _raw_score(self, text: bytes):  # private API: overrides py3langid's feature walk
            data = np.frombuffer(text, dtype=np.uint8)
            size = len(data)
            states = np.zeros(size, dtype=self._moves.dtype)
            for back in range(min(AUTOMATON_DEPTH, size) - 1, -1, -1):
                states[back:] = self._moves[self._rows[states[back:]] + data[: size - back]]
            found = self._outputs[states]
            found = found[found >= 0]
            if not len(found):
                return super()._raw_score(b"")  # no features: py3langid's own answer for that
            features, first, counts = np.unique(found, return_index=True, return_counts=True)
            order = np.argsort(first, kind="stable")
            return np.log1p(counts[order].astype(np.float32)) @ self.nb_ptc[features[order]] + self.nb_pc

    identifier = ArrayIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.prepare()
    identifier.set_languages(list(languages))
    return identifier


class LanguageDetector:
    def __init__(self, languages: tuple[str, ...] = LANGUAGES):
        self.languages = languages
        self._lock = _LOCK

    @property
    def _identifier(self):
        return _identifier(self.languages)

    def warm_up(self) -> None:
        """Load the model now rather than on the first document."""
        _identifier(self.languages)

    def detect(self, text: str, prefix: int = MAIN_PREFIX_CHARS) -> str:
        """The main language of the text (of its first `prefix` characters); English when there is
        nothing to judge by."""
        if not text.strip():
            return "en"
        with self._lock:
            lang, _ = self._identifier.classify(text[:prefix])
        return str(lang)

    def detect_all(self, text: str) -> tuple[str, ...]:
        """Main language first, then any other language a substantial paragraph is written in."""
        main = self.detect(text)
        found = [main]
        paragraphs = [p for p in text.split("\n") if len(p.split()) >= _MIN_PARAGRAPH_WORDS]
        if len(paragraphs) > 1:
            for paragraph in paragraphs[:20]:
                lang = self.detect(paragraph, PARAGRAPH_PREFIX_CHARS)
                if lang not in found:
                    found.append(lang)
        return tuple(found)
