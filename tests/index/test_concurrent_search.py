"""Searches from several threads at once (the Discord adapter's and the web's worker threads) share one
index searcher: each must get the answer it would get alone, and none may fail."""

from __future__ import annotations

import sys
import threading

from benchmarks.clikc import document_for
from benchmarks.corpus import CorpusGenerator
from benchmarks.web_load import QUESTIONS
from tests.conftest import open_kb


def test_concurrent_searches_get_the_answers_they_get_alone(tmp_path):
    kb = open_kb(tmp_path / "data", seed=True)
    try:
        gen = CorpusGenerator()
        kb.upsert_many(document_for(gen.post(i)) for i in range(1500))
        alone = {q: [h.id for h in kb.search(q, limit=20).results] for q in QUESTIONS}
        failures: list[BaseException] = []
        wrong: list[str] = []

        def worker(offset: int) -> None:
            try:
                for i in range(40):
                    question = QUESTIONS[(i + offset) % len(QUESTIONS)]
                    if [h.id for h in kb.search(question, limit=20).results] != alone[question]:
                        wrong.append(question)
            except BaseException as exc:  # what a reader thread would have raised
                failures.append(exc)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
        interval = sys.getswitchinterval()
        sys.setswitchinterval(1e-5)  # hand the GIL over often: the threads interleave inside reads
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(120)
        finally:
            sys.setswitchinterval(interval)
        assert failures == [] and wrong == []
    finally:
        kb.close()
