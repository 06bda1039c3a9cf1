"""The passage shown for an answer is the same every time: of equally good passages, the first."""

from index.whoosh.snippets import snippet

FILLER = " ".join(f"palabra{i}" for i in range(60))


def test_equally_good_passages_give_the_earliest_every_time():
    text = f"Primero: precintos en Lima. {FILLER}. Segundo: precintos en Quito. {FILLER}. Tercero: precintos."
    shown = {snippet(text, "es", {"precint"}) for _ in range(20)}
    assert len(shown) == 1
    assert "Lima" in shown.pop()


def test_a_better_passage_still_wins_over_an_earlier_one():
    text = f"Primero: precintos en Lima. {FILLER}. Segundo: precintos electrónicos en Quito."
    assert "Quito" in snippet(text, "es", {"precint", "electron"})
