"""The lexicon (words and how many documents use them) follows every write, and rebuilds with the index."""

from __future__ import annotations

from index.documents import Document
from tests.conftest import open_kb, post


def counts(kb, *words: str) -> dict[str, int]:
    return {word: kb.store.lexicon.frequency(word) for word in words}


def test_counts_follow_adds_updates_and_deletes(kb):
    kb.upsert_many([post("a", "Precintos electrónicos en Panamá"), post("b", "Precintos y escáneres")])
    assert counts(kb, "precintos", "electronicos", "escaneres", "y") == {
        "precintos": 2,
        "electronicos": 1,
        "escaneres": 1,
        "y": 0,  # a stop word is not a word anyone misspells a question with
    }
    kb.upsert(post("a", "Escáneres de contenedores"))  # replaced: its old words are uncounted
    assert counts(kb, "precintos", "electronicos", "escaneres", "contenedores") == {
        "precintos": 1,
        "electronicos": 0,
        "escaneres": 2,
        "contenedores": 1,
    }
    kb.upsert(post("a", "Escáneres de contenedores"))  # unchanged: counted once, not twice
    assert counts(kb, "escaneres") == {"escaneres": 2}
    kb.delete("b")
    assert counts(kb, "precintos", "escaneres") == {"precintos": 0, "escaneres": 1}
    assert kb.store.db.query("SELECT COUNT(*) AS n FROM lexicon WHERE docs <= 0")[0]["n"] == 0


def test_titles_count_and_rebuild_counts_again(kb):
    kb.upsert(Document(id="t", title="Blockchain aduanero", text="Un piloto en Perú"))
    before = counts(kb, "blockchain", "aduanero", "piloto", "peru")
    kb.store.db.execute("UPDATE lexicon SET docs = 99")  # however wrong the counts became…
    kb.rebuild()
    assert counts(kb, "blockchain", "aduanero", "piloto", "peru") == before == dict.fromkeys(before, 1)


def test_similar_words_take_swaps_prefix_and_length_into_account(kb):
    kb.upsert_many(
        [
            post("1", "precintos electrónicos"),
            post("2", "precinto"),
            post("3", "principios"),
            post("4", "recintos"),
        ]
    )
    lexicon = kb.store.lexicon
    assert lexicon.similar("precintso", 2, prefix=2) == ["precinto", "precintos"]  # a swap is one edit
    assert lexicon.similar("precintos", 1, prefix=1) == ["precinto"]  # the word itself is not "similar"
    assert "recintos" not in lexicon.similar("precintos", 1, prefix=1)  # first letter as typed
    assert lexicon.similar("", 2) == []


def test_interrupted_rebuild_is_redone_on_open(tmp_path):
    kb = open_kb(tmp_path / "data")
    kb.upsert(post("a", "precintos electrónicos"))
    kb.store.meta_set("index_fingerprint", "rebuilding")  # what a rebuild that died leaves behind
    kb.store.db.execute("DELETE FROM lexicon")
    kb.close()
    kb.store.db.close()
    again = open_kb(tmp_path / "data")
    try:
        assert counts(again, "precintos") == {"precintos": 1}
        assert [hit.id for hit in again.search("precintos").results] == ["a"]
    finally:
        again.close()
        again.store.db.close()
