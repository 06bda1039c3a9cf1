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


def test_analyse_keeps_the_last_texts_terms_per_language_and_hands_out_copies():
    from index import analysis

    text = "Los precintos electrónicos de los contenedores"
    first = analysis.analyse(text, "es")
    assert first == [
        analysis.stem("es", w) for w, _, _ in analysis.words(text) if w not in analysis.stopwords("es")
    ]
    first.append("changed by the caller")
    assert analysis.analyse(text, "es") == first[:-1]  # the kept terms were not changed
    assert analysis.analyse(text, None) == ["precintos", "electronicos", "contenedores"]  # per language
    assert analysis.analyse(text, "es") is not analysis.analyse(text, "es")
    other = "Electronic seals on containers"
    assert analysis.analyse(other, "en") == ["electron", "seal", "contain"]
    assert analysis.analyse(text, "en") != first[:-1]  # a new text: computed again, in English


def test_each_memoised_reads_the_memo_and_calls_for_the_rest_even_when_it_empties_meanwhile():
    from index.analysis import each_memoised

    calls: list[str] = []

    @word_cache(maxsize=2)
    def upper(word: str) -> str | None:
        calls.append(word)
        return None if word == "x" else word.upper()

    upper("a")
    upper("x")  # the memo is full: the next word met empties it
    assert each_memoised(upper, upper.memo, ["a", "x", "b", "c", "a"]) == ["A", None, "B", "C", "A"]
    assert calls == ["a", "x", "b", "c"]  # both "a" read before "b" emptied the memo
