"""Which of en/es/fr/pt a text is written in.

py3langid's trained model, restricted to our four languages, is reliable on paragraphs and makes a
best guess on a few words. Mixed posts are common ("Hola a todos — we did the same in Jamaica"), so
paragraphs long enough to judge on their own may add a second language.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
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
# A byte that never occurs in UTF-8 and on which every state of the automaton moves back to its start
# (tests/index/test_language.py checks both): texts joined by it are walked as if one at a time, and
# AUTOMATON_DEPTH - 1 of it before the first give every byte a full window to look back on.
SEPARATOR = 0xFF
# One walk of a batch reads at most this many bytes (a longer text is walked alone): its arrays,
# some of up to 32 bytes per byte read, stay small whatever a batch holds. Larger walks save little
# CPU (a batch of 250 posts of Discord length is 8 walks of 16 kB, 2 of 64 kB: 0.045 against 0.039 ms
# a post) and raised a worker's peak memory (by 2.3 MB at 64 kB, nothing measurable at 16 kB).
WALK_BYTES = 1 << 14
# float32's unit roundoff: py3langid sums its scores in float32, the batch path in float64.
_ROUNDOFF = 2.0**-24


@lru_cache(maxsize=4)
def _identifier(languages: tuple[str, ...]):
    """Loading the model takes most of a second: once per process, when a document first needs it."""
    import numpy as np  # heavy, with the model: see the docstring
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    padding = bytes([SEPARATOR]) * (AUTOMATON_DEPTH - 1)

    class ArrayIdentifier(LanguageIdentifier):
        """py3langid's identifier with its feature walk done by numpy: the same scores, bit for bit.

        py3langid walks its automaton one byte at a time in a Python loop (a quarter of a bulk
        import's analysis). The automaton's state after any byte depends only on the last
        AUTOMATON_DEPTH bytes, so the states of every position are found in a few array steps
        instead; features are then counted in their order of first appearance, as py3langid's
        Counter does, so the scores are summed in the same order."""

        __slots__ = ("_moves", "_rows", "_outputs", "_pair_rows")

        def prepare(self) -> None:
            # private API (with _rowbase, tk_output, nb_ptc and nb_pc below): the model's tables
            # The transition table (39 MB) is viewed in place, not copied: a copy per process (the
            # bot, each ingest worker) cost 78 MB each as int64.
            self._moves = np.frombuffer(self.tk_nextmove, dtype=np.dtype(self.tk_nextmove.typecode))
            self._rows = np.asarray(self._rowbase, dtype=np.int64)
            self._outputs = np.asarray(self.tk_output, dtype=np.int64)
            # The row of the state after every pair of bytes read from the start (512 kB): one
            # lookup in a table that stays in cache instead of the walk's first two steps.
            every = np.arange(256)
            after_one = self._moves[self._rows[0] + every]
            after_two = self._moves[(self._rows[after_one][:, None] + every[None, :]).ravel()]
            self._pair_rows = self._rows[after_two]

        def _walk(self, data):
            """The automaton's state after each byte of data[AUTOMATON_DEPTH - 1:] (data starts
            with AUTOMATON_DEPTH - 1 separators), from the AUTOMATON_DEPTH bytes up to it."""
            count = len(data) - (AUTOMATON_DEPTH - 1)
            rows = np.empty(count, dtype=np.intp)
            rows[:] = data[:count]
            rows <<= 8
            rows += data[1 : count + 1]
            rows = self._pair_rows[rows]
            states = np.empty(count, dtype=self._moves.dtype)
            for offset in range(2, AUTOMATON_DEPTH):
                rows += data[offset : offset + count]
                # mode="clip" takes without a bounds check or a buffered copy: every row plus a
                # byte is inside the table (checked by a test against the installed model).
                np.take(self._moves, rows, out=states, mode="clip")
                if offset < AUTOMATON_DEPTH - 1:
                    np.take(self._rows, states, out=rows, mode="clip")
            return states

        def _raw_score(self, text: bytes):  # private API: overrides py3langid's feature walk
            found = self._outputs[self._walk(np.frombuffer(padding + text, dtype=np.uint8))]
            found = found[found >= 0]
            if not len(found):
                return super()._raw_score(b"")  # no features: py3langid's own answer for that
            features, first, counts = np.unique(found, return_index=True, return_counts=True)
            order = np.argsort(first, kind="stable")
            return np.log1p(counts[order].astype(np.float32)) @ self.nb_ptc[features[order]] + self.nb_pc

        def classify_many(self, texts: Iterable[str]) -> list[str]:
            """The language `classify` gives each text, for many texts at the cost in numpy calls
            of a few: a bulk import pays that overhead once per batch instead of once per text.
            The texts are read as they come, a walk's worth at a time."""
            # private API: _alias_pairs (labels merged by py3langid), min_confidence, _encode
            if self._alias_pairs or self.min_confidence is not None:  # not how we load the model
                return [str(self.classify(text)[0]) for text in texts]
            chosen: list[str] = []
            walk: list[str] = []
            walk_encoded: list[bytes] = []
            size = 0
            for text in texts:
                encoded = self._encode(text)
                if walk and size + len(encoded) + 1 > WALK_BYTES:
                    chosen += self._classify_walk(walk, walk_encoded)
                    walk, walk_encoded, size = [], [], 0
                walk.append(text)
                walk_encoded.append(encoded)
                size += len(encoded) + 1
            if walk:
                chosen += self._classify_walk(walk, walk_encoded)
            return chosen

        def _classify_walk(self, texts: Sequence[str], encoded: list[bytes]) -> list[str]:
            """One walk over the texts joined by SEPARATOR, features counted per text with one sort.

            The scores are summed in float64 (py3langid sums in float32, in BLAS's order), so they
            may differ from `_raw_score`'s in the last bits: a text whose two best scores are closer
            than float32 rounding could bring them (a bound on it, below) is classified alone, so
            every text gets exactly the language `classify` gives it."""
            data = np.frombuffer(padding + bytes([SEPARATOR]).join(encoded), dtype=np.uint8)
            found = self._outputs[self._walk(data)]
            where = np.flatnonzero(found >= 0)
            # A key per feature seen: its text's number (the separators before it) and the feature.
            width = len(self.nb_ptc)  # private API (with nb_pc and nb_classes): the model's tables
            wide = len(encoded) * width >= 2**32
            keys = np.cumsum(data[AUTOMATON_DEPTH - 1 :] == SEPARATOR, dtype=np.int64 if wide else np.uint32)
            keys = keys[where]
            keys *= width
            np.add(keys, found[where], out=keys, casting="unsafe")
            chosen = [str(self.nb_classes[0])] * len(encoded)  # no feature: py3langid's uniform answer
            if not len(keys):
                return chosen
            keys.sort()
            new = np.empty(len(keys), dtype=bool)
            new[0] = True
            np.not_equal(keys[1:], keys[:-1], out=new[1:])
            firsts = np.flatnonzero(new)
            owners, features = np.divmod(keys[firsts], width)
            counts = np.diff(firsts, append=len(keys))
            per_text = np.bincount(owners, minlength=len(encoded))
            seen = np.flatnonzero(per_text)
            terms = np.log1p(counts.astype(np.float32)).astype(np.float64)[:, None] * self.nb_ptc[features]
            starts = np.cumsum(per_text[seen]) - per_text[seen]
            scores = np.add.reduceat(terms, starts, axis=0) + self.nb_pc
            magnitude = (np.add.reduceat(np.abs(terms), starts, axis=0) + np.abs(self.nb_pc)).max(axis=1)
            # How far py3langid's float32 can move a score from ours: its dot product and prior
            # (gamma_k of the absolute terms in any summation order, plus a few ulps of log1p), then
            # `_decide`'s scaling by 1/sqrt(bytes), the softmax's subtraction, exp and division.
            # Doubled, for our own float64 sums.
            added = per_text[seen] + 2
            drift = (added / (1 - added * _ROUNDOFF) + 4) * _ROUNDOFF * magnitude
            top = np.sort(scores, axis=1)
            tolerance = 2 * (
                2 * drift
                + 4 * _ROUNDOFF * (np.abs(scores).max(axis=1) + drift)
                + 2.0**-19 * np.sqrt(np.maximum([len(encoded[t]) for t in seen.tolist()], 1))
            )
            close = top[:, -1] - top[:, -2] <= tolerance
            for text, best, near in zip(
                seen.tolist(), scores.argmax(axis=1).tolist(), close.tolist(), strict=True
            ):
                if near:  # too close to call in another summation order: py3langid's own way
                    chosen[text] = str(self.classify(texts[text])[0])
                else:
                    chosen[text] = str(self.nb_classes[best])
            return chosen

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
        for paragraph in _own_paragraphs(text):
            lang = self.detect(paragraph, PARAGRAPH_PREFIX_CHARS)
            if lang not in found:
                found.append(lang)
        return tuple(found)

    def detect_all_many(self, texts: Sequence[str]) -> list[tuple[str, ...]]:
        """`detect_all` of each text, the same languages, with the texts and their paragraphs
        identified together: a bulk import's batch costs a few numpy calls, not a few per text."""
        plans: list[tuple[int, int] | None] = []  # each text's pieces, as a range of langs

        def pieces() -> Iterator[str]:
            count = 0
            for text in texts:
                if not text.strip():
                    plans.append(None)
                    continue
                own = [paragraph[:PARAGRAPH_PREFIX_CHARS] for paragraph in _own_paragraphs(text)]
                yield text[:MAIN_PREFIX_CHARS]
                yield from own
                plans.append((count, count + 1 + len(own)))
                count += 1 + len(own)

        with self._lock:
            langs = self._identifier.classify_many(pieces())
        found: list[tuple[str, ...]] = []
        for plan in plans:
            found.append(("en",) if plan is None else tuple(dict.fromkeys(langs[plan[0] : plan[1]])))
        return found


def _own_paragraphs(text: str) -> list[str]:
    """The paragraphs checked on their own: long enough to judge, and only when there are several."""
    # split(None, n - 1) stops at n words: enough to tell, without splitting a whole paragraph
    paragraphs = [
        p for p in text.split("\n") if len(p.split(None, _MIN_PARAGRAPH_WORDS - 1)) >= _MIN_PARAGRAPH_WORDS
    ]
    return paragraphs[:20] if len(paragraphs) > 1 else []
