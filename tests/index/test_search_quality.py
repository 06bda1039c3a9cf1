"""Search quality stays where it is: nDCG@5 and success@3 on the evaluation sets, against plain Whoosh.

The project's own set (tests/evalset) always runs; the shared development set runs when it is beside
the project. Thresholds are floors that catch regressions, not targets to tune towards.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.search_quality import baseline_ranker, bot_ranker, evaluate, load_queries
from tests.conftest import ROOT, SHARED

SETS = {
    "own": (ROOT / "tests" / "evalset", 0.88, 0.95),
    "dev": (SHARED / "eval", 0.87, 0.95),
}


@pytest.mark.parametrize("name", sorted(SETS))
def test_quality_floor_and_better_than_plain_whoosh(name: str, tmp_path: Path):
    folder, min_ndcg, min_success = SETS[name]
    if not (folder / "queries.yaml").exists():
        pytest.skip(f"{folder} is not beside the project")
    queries = load_queries(folder)
    bot = evaluate(queries, bot_ranker(folder / "corpus", tmp_path))["overall"]
    baseline = evaluate(queries, baseline_ranker(folder / "corpus", tmp_path))["overall"]
    assert bot["ndcg5"] >= min_ndcg, bot
    assert bot["success3"] >= min_success, bot
    assert bot["ndcg5"] > baseline["ndcg5"] + 0.2, (bot, baseline)


def test_the_halves_split_the_own_set_evenly_and_stably():
    from benchmarks.search_quality import half_of

    queries = load_queries(ROOT / "tests" / "evalset")
    halves = [half_of(q.id) for q in queries]
    assert abs(halves.count("tuning") - halves.count("held-out")) <= 1
    assert half_of("q07") == "tuning" and half_of("q08") == "held-out"  # by the number, not the order
