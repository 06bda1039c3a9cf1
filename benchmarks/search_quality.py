"""Search quality on an evaluation set: nDCG@5 and success@3, for the bot and for plain Whoosh.

    python -m benchmarks.search_quality ../shared/eval          # the development set
    python -m benchmarks.search_quality tests/evalset --json    # the project's own set
    python -m benchmarks.search_quality tests/evalset --half held-out  # the half never tuned on
    python -m benchmarks.search_quality EVALSET --extra config/samples  # robustness: more on-topic docs

`--extra FOLDER` indexes more documents beside the judged corpus (for both rankers); they count as
not relevant unless `--judged FILE` (YAML: query id -> {doc id: grade}) grades them.

An evaluation set is a folder with `corpus/*.md` (front matter with an id) and `queries.yaml`
(id, text, lang, type, relevant: {doc id: grade}). The baseline is what Whoosh gives out of the
box: one body field, English StemmingAnalyzer, the question as an OR query.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from bot.config import load_config
from index.database import Database
from index.extract import extract_file
from index.ingest import ingest_paths
from index.knowledge import KnowledgeBase
from index.whoosh.baseline import plain_whoosh

Ranker = Callable[[str], list[str]]


@dataclass(frozen=True)
class Query:
    id: str
    text: str
    lang: str
    type: str
    relevant: dict[str, int]


HALVES = ("tuning", "held-out")


def load_queries(folder: Path) -> list[Query]:
    raw = yaml.safe_load((folder / "queries.yaml").read_text(encoding="utf-8"))
    return [Query(q["id"], q["text"], q.get("lang", ""), q.get("type", ""), q["relevant"]) for q in raw]


def half_of(query_id: str) -> str:
    """Which half a question belongs to, from its id alone, so it is stable as the set grows: by the
    parity of the id's number (q07: tuning, q08: held-out), by a hash of ids without one."""
    digits = re.search(r"(\d+)$", query_id)
    number = int(digits.group(1)) if digits else hashlib.sha256(query_id.encode()).digest()[0]
    return HALVES[0] if number % 2 else HALVES[1]


def with_judgements(queries: list[Query], path: Path | None) -> list[Query]:
    """Grades for the extra documents, merged into each question's own."""
    if path is None:
        return queries
    extra = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [replace(q, relevant={**q.relevant, **(extra.get(q.id) or {})}) for q in queries]


def ndcg_at(ranked: list[str], relevant: dict[str, int], k: int = 5) -> float:
    dcg = sum((2 ** relevant.get(doc, 0) - 1) / math.log2(i + 2) for i, doc in enumerate(ranked[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def success_at(ranked: list[str], relevant: dict[str, int], k: int = 3) -> float:
    return float(any(relevant.get(doc, 0) >= 2 for doc in ranked[:k]))


def evaluate(queries: list[Query], rank: Ranker) -> dict:
    """Overall and per type/lang means; per-query rankings for reading failures."""
    rows = []
    for q in queries:
        ranked = rank(q.text)
        rows.append(
            {
                "id": q.id,
                "type": q.type,
                "lang": q.lang,
                "ranked": ranked[:5],
                "ndcg5": ndcg_at(ranked, q.relevant),
                "success3": success_at(ranked, q.relevant),
            }
        )

    def mean(group: list[dict]) -> dict:
        return {
            "n": len(group),
            "ndcg5": round(sum(r["ndcg5"] for r in group) / len(group), 3),
            "success3": round(sum(r["success3"] for r in group) / len(group), 3),
        }

    slices: dict[str, dict[str, list[dict]]] = {"type": defaultdict(list), "lang": defaultdict(list)}
    for row in rows:
        slices["type"][row["type"]].append(row)
        slices["lang"][row["lang"]].append(row)
    return {
        "overall": mean(rows),
        "by_type": {k: mean(v) for k, v in sorted(slices["type"].items())},
        "by_lang": {k: mean(v) for k, v in sorted(slices["lang"].items())},
        "queries": rows,
    }


def bot_ranker(corpus: Path, workdir: Path, extra: list[Path] = ()) -> Ranker:
    config = load_config(data_dir=workdir / "bot")
    s = config.settings
    kb = KnowledgeBase.open(
        Database(config.db_path),
        config.index_dir,
        glossary_path=config.path(s.glossary),
        countries_path=config.path(s.countries),
    )
    report = ingest_paths(kb, [corpus, *extra])
    if report.skipped:
        raise SystemExit(f"corpus files skipped: {report.skipped}")
    return lambda text: [hit.id for hit in kb.search(text, limit=10).results]


def baseline_ranker(corpus: Path, workdir: Path, extra: list[Path] = ()) -> Ranker:
    def documents() -> Iterator[tuple[str, str]]:
        for path in sorted(p for folder in (corpus, *extra) for p in folder.glob("*.md")):
            if path.name.lower() == "readme.md":
                continue
            extracted = extract_file(path)
            yield str(extracted.fields.get("id") or path.stem), f"{extracted.title}\n{extracted.text}"

    return plain_whoosh(workdir / "baseline", documents())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("evalset", type=Path, help="folder with corpus/ and queries.yaml")
    parser.add_argument("--json", action="store_true", help="print the full results as JSON")
    parser.add_argument("--show", action="store_true", help="print each query's top 5 for the bot")
    parser.add_argument("--half", choices=HALVES, help="only the questions of one half")
    parser.add_argument(
        "--extra",
        type=Path,
        action="append",
        default=[],
        metavar="FOLDER",
        help="more documents indexed beside the corpus (repeatable)",
    )
    parser.add_argument("--judged", type=Path, help="YAML grades for the extra documents")
    args = parser.parse_args(argv)
    for folder in args.extra:
        if not folder.is_dir():
            parser.error(f"--extra {folder}: not a folder")
    queries = with_judgements(load_queries(args.evalset), args.judged)
    if args.half:
        queries = [q for q in queries if half_of(q.id) == args.half]
    corpus = args.evalset / "corpus"
    with tempfile.TemporaryDirectory() as tmp:
        results = {
            "bot": evaluate(queries, bot_ranker(corpus, Path(tmp), args.extra)),
            "baseline": evaluate(queries, baseline_ranker(corpus, Path(tmp), args.extra)),
        }
    if args.json:
        json.dump(results, sys.stdout, indent=2)
        print()
        return 0
    print(f"{'slice':<28}{'bot nDCG@5':>12}{'bot S@3':>10}{'base nDCG@5':>13}{'base S@3':>10}")
    bot, base = results["bot"], results["baseline"]
    lines = [("overall", bot["overall"], base["overall"])]
    for part in ("by_type", "by_lang"):
        lines += [(f"{part[3:]}={k} (n={v['n']})", v, base[part][k]) for k, v in bot[part].items()]
    for name, b, w in lines:
        print(f"{name:<28}{b['ndcg5']:>12.3f}{b['success3']:>10.3f}{w['ndcg5']:>13.3f}{w['success3']:>10.3f}")
    if args.show:
        for row in bot["queries"]:
            q = next(q for q in queries if q.id == row["id"])
            print(f"\n{row['id']} [{row['type']}/{row['lang']}] ndcg={row['ndcg5']:.2f} {q.text}")
            for doc in row["ranked"]:
                print(f"   {q.relevant.get(doc, 0)} {doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
