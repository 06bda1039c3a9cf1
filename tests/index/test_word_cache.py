"""The word memo behind fold() and cognate(): computed once per word, and bounded."""

from __future__ import annotations

from index.analysis import cognate, fold, word_cache


def test_computes_once_per_word_and_empties_when_full():
    calls: list[str] = []

    @word_cache(maxsize=2)
    def upper(word: str) -> str | None:
        calls.append(word)
        return None if word == "x" else word.upper()

    assert [upper("a"), upper("a"), upper("x"), upper("x")] == ["A", "A", None, None]
    assert calls == ["a", "x"]  # None is remembered too
    upper("b")  # full: emptied, then "b" kept
    upper("a")
    assert calls == ["a", "x", "b", "a"]


def test_fold_and_cognate_still_answer_the_same():
    assert fold("Électronique") == "electronique" and fold("ŒUVRE") == "oeuvre"
    assert cognate(fold("selección")) == cognate(fold("seleção")) == "seleci" and cognate("gps") is None
