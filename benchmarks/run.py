"""`python -m benchmarks.run`: generate the corpus, measure the bot and SQLite FTS5 on it, print a table
and write JSON.

Each (size, engine) pair runs in its own child process, so peak memory is that engine's at that size
and nothing warmed up by one run helps the next.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import platform
import pstats
import shutil
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.corpus import CorpusFiles, CorpusGenerator, Post, Question, read_questions, write_corpus
from benchmarks.measure import LoopTicker, PeakMemory, Stopwatch, TreeMemory, percentiles
from bot.responsiveness import freeze_what_is_loaded, keep_event_loop_responsive
from index.whoosh.compat import installed_version

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "benchmarks" / "out" / "results.json"
ENGINES = ("clikc", "fts5", "fts5-stop")
FRESH_POSTS = 20
WARMUP_QUESTIONS = 50
TARGETS = (  # (name, figure, limit, unit): the issues' targets for 100k posts on 2 cores
    ("ingest time", ("clikc", "ingest", "seconds"), 60, "s"),
    ("peak RSS (all processes)", ("clikc", "peak_rss_mb"), 600, "MB"),
    ("ask p95", ("clikc", "ask", "p95"), 25, "ms"),
    ("ask p95 / FTS5 p95", ("ratios", "ask_p95"), 3, "×"),
    ("ask p95 / FTS5 (stop words removed) p95", ("ratios_stop", "ask_p95"), 3, "×"),
    ("new post searchable", ("clikc", "freshness", "searchable_max_ms"), 1000, "ms"),
    ("event-loop stall", ("clikc", "loop", "max_ms"), 50, "ms"),
)
LABELS = {"clikc": "clikc-bot", "fts5": "SQLite FTS5", "fts5-stop": "SQLite FTS5, stop words removed"}


# -- one engine at one size (runs in a child process) --------------------------------------------
def open_engine(name: str, work_dir: Path):
    if name in ("fts5", "fts5-stop"):
        from benchmarks.fts5 import Fts5Engine

        return Fts5Engine(work_dir, drop_stop_words=name == "fts5-stop")
    from benchmarks.clikc import ClikcEngine

    return ClikcEngine(work_dir)


@contextmanager
def maybe_profile(profile_dir: str | None, label: str):
    if not profile_dir:
        yield
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        out = Path(profile_dir)
        out.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(out / f"{label}.prof")
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text).sort_stats("cumulative")
        stats.print_stats(40)
        stats.sort_stats("tottime").print_stats(30)
        (out / f"{label}.txt").write_text(text.getvalue())


def read_posts(path: Path) -> list[tuple[Post, str]]:
    with path.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [(Post(**row["post"]), row["marker"]) for row in rows]


def measure_engine(spec: dict) -> dict:
    """Every phase for one engine on one corpus; returns the figures."""
    name, work_dir, profile = spec["engine"], Path(spec["work_dir"]), spec.get("profile_dir")
    questions = read_questions(Path(spec["questions"]))
    fresh = read_posts(Path(spec["fresh"]))
    memory = PeakMemory()
    result: dict = {"engine": name}
    peaks = []
    tree = TreeMemory().__enter__()  # this process and its workers, summed, all phases

    memory.reset()
    with Stopwatch() as opening:
        engine = open_engine(name, work_dir)
    result["open_seconds"] = round(opening.seconds, 3)

    memory.reset()
    cpu_before = tree.cpu_seconds()
    with maybe_profile(profile, f"{name}-{spec['size']}-ingest"), Stopwatch() as ingest:
        count = engine.ingest_file(Path(spec["corpus"]), Path(spec["truth"]))
    peaks.append(memory.peak_mb())
    result["ingest"] = {
        "documents": count,
        "seconds": round(ingest.seconds, 2),
        "cpu_seconds": round(tree.cpu_seconds() - cpu_before, 2),  # every process of the ingest
        "docs_per_s": round(spec["size"] / ingest.seconds, 1),
        "raw_mb_per_s": round(spec["text_bytes"] / 1e6 / ingest.seconds, 3),
        "peak_rss_mb": peaks[-1],
    }
    disk = engine.disk_bytes()
    result["index"] = {
        **{f"{k}_bytes": v for k, v in disk.items()},
        "ratio_to_raw_text": round(disk["total"] / max(1, spec["text_bytes"]), 2),
    }

    memory.reset()
    for question in questions[:WARMUP_QUESTIONS]:  # warm the searcher and caches, untimed
        engine.search(question)
    latencies, answered = [], 0
    with maybe_profile(profile, f"{name}-{spec['size']}-ask"):
        for question in questions:
            start = time.perf_counter()
            ids = engine.search(question)
            latencies.append((time.perf_counter() - start) * 1000)
            answered += bool(ids)
    peaks.append(memory.peak_mb())
    result["ask"] = {
        **percentiles(latencies),
        "answered_share": round(answered / max(1, len(questions)), 3),
        "peak_rss_mb": peaks[-1],
    }
    if name == "clikc":
        result["ask"]["did_you_mean"] = engine.did_you_mean
        result["ask"]["query_errors"] = engine.query_errors

    memory.reset()
    result["freshness"] = freshness(engine, fresh)
    peaks.append(memory.peak_mb())

    memory.reset()
    result["loop"] = asyncio.run(loop_lag(engine, Path(spec["live"]), Path(spec["live_truth"]), questions))
    peaks.append(memory.peak_mb())

    tree.__exit__()
    result["process_peak_rss_mb"] = max(peaks)  # this process alone (what earlier runs reported)
    result["peak_rss_mb"] = max(max(peaks), tree.peak_mb)
    result["peak_processes"] = tree.peak_processes
    engine.close()
    return result


def freshness(engine, fresh: list[tuple[Post, str]], timeout: float = 10.0) -> dict:
    """For each new post: time until upsert returns, and until a search for its unique word finds it."""
    upsert_ms, searchable_ms, missed = [], [], 0
    for post, marker in fresh:
        question = Question(text=marker, lang=post.lang, source="fresh")
        start = time.perf_counter()
        engine.upsert(post)
        upsert_ms.append((time.perf_counter() - start) * 1000)
        while post.id not in engine.search(question):
            if time.perf_counter() - start > timeout:
                missed += 1
                break
            time.sleep(0.002)  # polling a benchmark, not a test: a real reader would ask again too
        searchable_ms.append((time.perf_counter() - start) * 1000)
    up, found = percentiles(upsert_ms), percentiles(searchable_ms)
    return {
        "posts": len(fresh),
        "upsert_p50_ms": up["p50"],
        "upsert_max_ms": up["max"],
        "searchable_p50_ms": found["p50"],
        "searchable_max_ms": found["max"],
        "not_found_within_10s": missed,
    }


async def loop_lag(engine, live: Path, live_truth: Path, questions: list[Question]) -> dict:
    """The bot's async path: a bulk ingest and questions run in worker threads (asyncio.to_thread, as
    the Discord adapter does, with the interpreter set up as its setup_hook does) while a ticker
    coroutine records how late the event loop wakes it."""
    keep_event_loop_responsive()
    freeze_what_is_loaded()  # as the bot's setup_hook does once the knowledge base is open
    ticker = LoopTicker()
    ticking = asyncio.create_task(ticker.run())
    await asyncio.sleep(0.05)
    answered = 0

    async def ask() -> None:
        nonlocal answered
        for question in questions[:200]:
            await asyncio.to_thread(engine.search, question)
            answered += 1

    start = time.perf_counter()
    ingested, _ = await asyncio.gather(asyncio.to_thread(engine.ingest_file, live, live_truth), ask())
    seconds = time.perf_counter() - start
    ticker.stop()
    await ticking
    return {**ticker.summary(), "ingested": ingested, "questions": answered, "seconds": round(seconds, 2)}


def child_main(spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text())
    result = measure_engine(spec)
    Path(spec["result"]).write_text(json.dumps(result, indent=2))
    return 0


# -- orchestration ---------------------------------------------------------------------------------
def prepare(
    out_dir: Path, size: int, n_questions: int, seed: int, glossary: Path | None
) -> tuple[CorpusFiles, dict]:
    gen = CorpusGenerator(seed, glossary)
    files = write_corpus(out_dir, size, n_questions, gen)
    stem = f"s{seed}-n{size}"
    fresh_path, live_path, live_truth = (
        out_dir / f"{n}-{stem}.jsonl" for n in ("fresh", "live", "live-truth")
    )
    with fresh_path.open("w", encoding="utf-8") as f:
        for i in range(size, size + min(FRESH_POSTS, max(3, size // 50))):
            post, marker = gen.fresh_post(i)
            f.write(json.dumps({"post": asdict(post), "marker": marker}, ensure_ascii=False) + "\n")
    n_live = min(2000, max(20, size // 20))
    with live_path.open("w", encoding="utf-8") as docs, live_truth.open("w", encoding="utf-8") as truth:
        for i in range(size + 1000, size + 1000 + n_live):
            post = gen.post(i)
            docs.write(json.dumps(post.ingest_record(), ensure_ascii=False) + "\n")
            truth.write(
                json.dumps({"id": post.id, "lang": post.lang, "technologies": post.technologies}) + "\n"
            )
    extra = {"fresh": str(fresh_path), "live": str(live_path), "live_truth": str(live_truth)}
    return files, extra


def run_child(spec: dict, in_process: bool) -> dict:
    if in_process:
        return measure_engine(spec)
    spec_path = Path(spec["work_dir"]) / "spec.json"
    spec_path.parent.mkdir(parents=True, exist_ok=True)
    spec_path.write_text(json.dumps(spec))
    subprocess.run([sys.executable, "-m", "benchmarks.run", "--child", str(spec_path)], check=True, cwd=ROOT)
    return json.loads(Path(spec["result"]).read_text())


def ratio(ours: float | None, theirs: float | None) -> float | None:
    return float(f"{ours / theirs:.3g}") if ours is not None and theirs else None  # 3 significant digits


def dig(entry: dict, path: tuple[str, ...]):
    for key in path:
        if not isinstance(entry, dict) or key not in entry:
            return None
        entry = entry[key]
    return entry


def run(
    sizes: list[int],
    n_questions: int,
    out: Path,
    seed: int = 7,
    engines: tuple[str, ...] = ENGINES,
    in_process: bool = False,
    profile: bool = False,
    keep: bool = False,
    glossary: Path | None = None,
) -> dict:
    glossary = glossary or ROOT / "config" / "glossary.yaml"
    out_dir = out.parent
    results: dict = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "seed": seed,
        "questions": n_questions,
        "sizes": [],
    }
    for size in sizes:
        print(f"[benchmark] {size:,} posts: generating corpus…", file=sys.stderr, flush=True)
        files, extra = prepare(out_dir / "corpus", size, n_questions, seed, glossary)
        results["glossary"] = files.glossary
        entry: dict = {
            "posts": size,
            "raw_text_bytes": files.text_bytes,
            "corpus_jsonl_bytes": files.corpus.stat().st_size,
        }
        for engine in engines:
            print(f"[benchmark] {size:,} posts: {engine}…", file=sys.stderr, flush=True)
            work = out_dir / "work" / f"{engine}-{size}"
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            spec = {
                "engine": engine,
                "size": size,
                "work_dir": str(work),
                "corpus": str(files.corpus),
                "truth": str(files.truth),
                "questions": str(files.questions),
                "text_bytes": files.text_bytes,
                "result": str(work / "result.json"),
                "profile_dir": str(out_dir / "profile") if profile else None,
                **extra,
            }
            entry[engine] = run_child(spec, in_process)
            if not keep:
                shutil.rmtree(work, ignore_errors=True)
        for reference, key in (("fts5", "ratios"), ("fts5-stop", "ratios_stop")):
            if "clikc" not in entry or reference not in entry:
                continue
            ours, ref = entry["clikc"], entry[reference]
            entry[key] = {
                "ask_p50": ratio(ours["ask"]["p50"], ref["ask"]["p50"]),
                "ask_p95": ratio(ours["ask"]["p95"], ref["ask"]["p95"]),
                "ask_p99": ratio(ours["ask"]["p99"], ref["ask"]["p99"]),
                "ingest_throughput": ratio(ours["ingest"]["docs_per_s"], ref["ingest"]["docs_per_s"]),
                "index_size": ratio(ours["index"]["total_bytes"], ref["index"]["total_bytes"]),
                "peak_rss": ratio(ours["peak_rss_mb"], ref["peak_rss_mb"]),
            }
        entry["targets"] = [
            {"name": name, "value": dig(entry, path), "limit": limit, "unit": unit,
             "met": (dig(entry, path) is not None and dig(entry, path) <= limit)}
            for name, path, limit, unit in TARGETS
        ]  # fmt: skip
        results["sizes"].append(entry)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2, ensure_ascii=False))  # after each size: long runs
    return results


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "whoosh": ".".join(map(str, installed_version() or ())),
    }


def table(results: dict) -> str:
    """The figures as a Markdown table (engines side by side per size), ratios and targets."""
    lines = [
        "| posts | engine | ingest s | ingest CPU s | docs/s | peak memory MB | ask p50 ms | p95 ms | p99 ms "
        "| new post searchable ms (max) | loop stall max ms | index MB (× raw text) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for entry in results["sizes"]:
        for engine in ENGINES:
            r = entry.get(engine)
            if not r:
                continue
            lines.append(
                f"| {entry['posts']:,} | {LABELS[engine]} "
                f"| {r['ingest']['seconds']:.1f} | {r['ingest'].get('cpu_seconds', 0):.1f} "
                f"| {r['ingest']['docs_per_s']:,.0f} | {r['peak_rss_mb']:.0f} "
                f"| {r['ask']['p50']:.1f} | {r['ask']['p95']:.1f} | {r['ask']['p99']:.1f} "
                f"| {r['freshness']['searchable_p50_ms']:.0f} ({r['freshness']['searchable_max_ms']:.0f}) "
                f"| {r['loop']['max_ms']:.0f} "
                f"| {r['index']['total_bytes'] / 1e6:.1f} (×{r['index']['ratio_to_raw_text']}) |"
            )
    ratios = [(e, key) for e in results["sizes"] for key in ("ratios", "ratios_stop") if key in e]
    if ratios:
        lines += [
            "",
            "| posts | against | ask p50 × | ask p95 × | ask p99 × | ingest docs/s × "
            "| index size × | peak RSS × |",
            "|---:|---|---:|---:|---:|---:|---:|---:|",
        ]
        for e, key in ratios:
            r = e[key]
            lines.append(
                f"| {e['posts']:,} | {LABELS['fts5' if key == 'ratios' else 'fts5-stop']} "
                f"| {r['ask_p50']} | {r['ask_p95']} | {r['ask_p99']} "
                f"| {r['ingest_throughput']} | {r['index_size']} | {r['peak_rss']} |"
            )
    last = results["sizes"][-1]
    lines += ["", f"Targets at {last['posts']:,} posts:", ""]
    for t in last["targets"]:
        mark = "met" if t["met"] else "MISSED"
        lines.append(f"- {t['name']}: {t['value']} {t['unit']} (limit {t['limit']} {t['unit']}) — {mark}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="corpus sizes, comma-separated")
    parser.add_argument("--questions", type=int, default=1000, help="questions timed per size")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    parser.add_argument("--engines", default=",".join(ENGINES), help="clikc, fts5 or both")
    parser.add_argument("--in-process", action="store_true", help="no child processes (RSS is then shared)")
    parser.add_argument("--profile", action="store_true", help="cProfile ingest and ask into OUT/../profile/")
    parser.add_argument("--keep", action="store_true", help="keep the data directories under OUT/../work/")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(args.child)
    results = run(
        [int(s) for s in args.sizes.split(",") if s.strip()],
        args.questions,
        args.out,
        seed=args.seed,
        engines=tuple(e.strip() for e in args.engines.split(",") if e.strip()),
        in_process=args.in_process,
        profile=args.profile,
        keep=args.keep,
    )
    print(table(results))
    print(f"\nResults written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
