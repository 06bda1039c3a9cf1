"""The speed benchmark still runs end to end (tiny corpus, in-process) and reports every figure.

No timing is asserted: speed is judged from `python -m benchmarks.run` on the real sizes.
"""

import json

from benchmarks.corpus import CorpusGenerator
from benchmarks.fts5 import match_expression
from benchmarks.run import TARGETS, run, table

ENGINE_FIGURES = {
    "ingest": {"documents", "seconds", "cpu_seconds", "docs_per_s", "raw_mb_per_s", "peak_rss_mb"},
    "index": {"total_bytes", "database_bytes", "search_index_bytes", "ratio_to_raw_text"},
    "ask": {"p50", "p95", "p99", "mean", "max", "n", "answered_share", "peak_rss_mb"},
    "freshness": {"posts", "upsert_p50_ms", "upsert_max_ms", "searchable_p50_ms", "searchable_max_ms"},
    "loop": {"max_ms", "p99_ms", "ticks", "ingested", "questions", "seconds"},
}


def test_benchmark_reports_every_figure_for_every_engine(tmp_path):
    out = tmp_path / "results.json"
    run([200], 30, out, in_process=True)
    results = json.loads(out.read_text())

    assert results["machine"]["cpus"] >= 1
    [entry] = results["sizes"]
    assert entry["posts"] == 200 and entry["raw_text_bytes"] > 0
    for engine in ("clikc", "fts5", "fts5-stop"):
        figures = entry[engine]
        assert figures["peak_rss_mb"] > 0 and figures["peak_rss_mb"] >= figures["process_peak_rss_mb"]
        for phase, names in ENGINE_FIGURES.items():
            assert names <= set(figures[phase]), (engine, phase)
        assert figures["ingest"]["documents"] == 200
        assert figures["ask"]["n"] == 30
        assert figures["freshness"]["not_found_within_10s"] == 0  # every new post became searchable
        assert figures["loop"]["ingested"] > 0 and figures["loop"]["ticks"] > 0
    assert entry["clikc"]["ask"]["answered_share"] > 0
    for key in ("ratios", "ratios_stop"):
        assert set(entry[key]) >= {"ask_p50", "ask_p95", "ask_p99", "ingest_throughput", "index_size"}
    assert [t["name"] for t in entry["targets"]] == [name for name, *_ in TARGETS]
    assert all(t["value"] is not None for t in entry["targets"])
    assert "SQLite FTS5" in table(results) and "SQLite FTS5, stop words removed" in table(results)


def test_corpus_is_deterministic_and_sizes_share_a_prefix():
    a, b = CorpusGenerator(seed=3), CorpusGenerator(seed=3)
    assert [a.post(i) for i in range(50)] == [b.post(i) for i in range(50)]
    assert a.questions(20, 100) == b.questions(20, 100)
    assert CorpusGenerator(seed=4).post(0) != a.post(0)
    posts = [a.post(i) for i in range(400)]
    assert {p.lang for p in posts} == {"en", "es", "fr", "pt"}
    assert len({p.id for p in posts}) == 400


def test_fts5_queries_are_quoted_words_joined_with_or():
    assert (
        match_expression('¿quién usa "precintos" OR NOT*?')
        == '"quién" OR "usa" OR "precintos" OR "OR" OR "NOT"'
    )
    assert match_expression("?!") == ""


def test_the_second_fts5_reference_leaves_out_the_stop_words_the_bot_leaves_out():
    question = "¿Quién usa los precintos de la aduana en the port?"
    assert match_expression(question, drop_stop_words=True) == '"usa" OR "precintos" OR "aduana" OR "port"'
    assert match_expression("de la the", drop_stop_words=True) == '"de" OR "la" OR "the"'  # as the bot
    assert '"de"' in match_expression(question)
