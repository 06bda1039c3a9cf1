"""Load test of the web library on loopback, bounded in requests and time.

    python -m benchmarks.web_load [--posts 3000] [--requests 2000] [--concurrency 20] [--json]

The server runs in this process on an event loop set up as `clikc-bot run` sets up the bot's (with
`web.enabled`): the same App, handlers doing their work in worker threads, and a LoopTicker on that
loop measuring how late it wakes (what would delay Discord's heartbeats). The clients run in a
separate process (as real readers would), spread evenly over `/`, `/case/<id>`, `/search?q=` and
`/calendar.ics`, at most `--concurrency` requests in flight. The data directory is fresh: the
shipped samples plus `--posts` generated posts (about 3% of them case studies and workshop
summaries, as in the search benchmark's corpus). Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from benchmarks.clikc import document_for
from benchmarks.corpus import CorpusGenerator
from benchmarks.measure import LoopTicker, percentiles

ENDPOINTS = ("/", "/case/", "/search", "/calendar.ics")
QUESTIONS = (
    "electronic seals for transit",
    "precintos electrónicos",
    "scellés électroniques",
    "lacre eletrônico",
    "blockchain AEO mutual recognition",
    "machine learning undervaluation",
    "intelligence artificielle rayons X",
    "análise de dados",
)
DEADLINE_SECONDS = 600  # the client stops by itself, whatever happens


def build_app(data_dir: Path, posts: int):
    from bot.app import App
    from bot.config import DEFAULT_CONFIG, WebRateLimit, WebSettings, load_config

    config = load_config(DEFAULT_CONFIG, data_dir)
    # Searches are not rate-limited here: one address sends them all.
    web = WebSettings(enabled=True, rate_limit=WebRateLimit(searches=1_000_000, per_seconds=1))
    app = App(replace(config, settings=config.settings.model_copy(update={"web": web})))
    if posts:
        gen = CorpusGenerator()
        app.knowledge.upsert_many(document_for(gen.post(i)) for i in range(posts))
    return app


async def serve_and_measure(args: argparse.Namespace) -> dict:
    from bot.responsiveness import keep_event_loop_responsive
    from bot.web.server import bound_addresses, start

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        app = await asyncio.to_thread(build_app, Path(tmp) / "data", args.posts)
        shelf = await asyncio.to_thread(lambda: app.library.shelf(limit=1000))
        setup_seconds = time.perf_counter() - started
        keep_event_loop_responsive()  # as the bot's setup_hook does
        runner = await start(app, "127.0.0.1", 0)
        url = bound_addresses(runner)[0]
        ticker = LoopTicker()
        ticking = asyncio.create_task(ticker.run())
        spec = {
            "url": url,
            "requests": args.requests,
            "concurrency": args.concurrency,
            "cases": [item.id for item in shelf.items],
            "questions": list(QUESTIONS),
        }
        try:
            client = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "benchmarks.web_load", "--client", json.dumps(spec),
                stdout=asyncio.subprocess.PIPE,
            )  # fmt: skip
            out, _ = await asyncio.wait_for(client.communicate(), DEADLINE_SECONDS + 30)
        finally:
            ticker.stop()
            await ticking
            await runner.cleanup()
            app.close()
    result = json.loads(out)
    result.update(
        loop=ticker.summary(),
        published=shelf.total,
        posts=args.posts,
        setup_seconds=round(setup_seconds, 1),
        concurrency=args.concurrency,
    )
    return result


async def client_main(spec: dict) -> dict:
    """Send exactly spec['requests'] GETs, at most spec['concurrency'] at once; time each one."""
    import aiohttp
    from yarl import URL

    cases = itertools.cycle(spec["cases"] or ["none"])
    questions = itertools.cycle(spec["questions"])
    plan = []
    for i in range(spec["requests"]):
        endpoint = ENDPOINTS[i % len(ENDPOINTS)]
        if endpoint == "/case/":
            path = f"/case/{next(cases)}"
        elif endpoint == "/search":
            path = str(URL("/search").with_query(q=next(questions)))
        else:
            path = endpoint
        plan.append((endpoint, path))
    timings: dict[str, list[float]] = {e: [] for e in ENDPOINTS}
    errors: dict[str, int] = dict.fromkeys(ENDPOINTS, 0)
    queue = iter(plan)
    deadline = time.monotonic() + DEADLINE_SECONDS

    async def worker(session: aiohttp.ClientSession) -> None:
        for endpoint, path in queue:
            if time.monotonic() > deadline:
                errors[endpoint] += 1
                continue
            began = time.perf_counter()
            try:
                async with session.get(spec["url"] + path) as response:
                    await response.read()
                    ok = response.status == 200
            except (TimeoutError, aiohttp.ClientError):
                ok = False
            timings[endpoint].append((time.perf_counter() - began) * 1000)
            errors[endpoint] += 0 if ok else 1

    started = time.perf_counter()
    connector = aiohttp.TCPConnector(limit=spec["concurrency"])
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(*(worker(session) for _ in range(spec["concurrency"])))
    seconds = time.perf_counter() - started
    return {
        "requests": len(plan),
        "seconds": round(seconds, 2),
        "per_second": round(len(plan) / seconds, 1),
        "endpoints": {
            e: {**percentiles(timings[e]), "errors": errors[e]} for e in ENDPOINTS if timings[e] or errors[e]
        },
        "errors": sum(errors.values()),
    }


def table(result: dict) -> str:
    lines = [
        f"{result['requests']} requests, {result['concurrency']} concurrent, {result['seconds']} s "
        f"({result['per_second']}/s); {result['published']} published items, "
        f"{result['posts']} generated posts",
        "| endpoint | requests | errors | p50 ms | p95 ms | p99 ms | max ms |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for endpoint, s in result["endpoints"].items():
        name = (
            "/case/<id>" if endpoint == "/case/" else ("/search?q=…" if endpoint == "/search" else endpoint)
        )
        lines.append(
            f"| `{name}` | {s['n']} | {s['errors']} | {s['p50']:.1f} | {s['p95']:.1f} | {s['p99']:.1f} "
            f"| {s['max']:.1f} |"
        )
    loop = result["loop"]
    lines.append(f"event-loop stall while serving: max {loop['max_ms']:.1f} ms, p99 {loop['p99_ms']:.1f} ms "
                 f"({loop['ticks']} ticks)")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.web_load", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--posts", type=int, default=3000, help="generated posts beside the samples")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--client", help=argparse.SUPPRESS)  # the client process's spec
    args = parser.parse_args(argv)
    if args.client:
        print(json.dumps(asyncio.run(client_main(json.loads(args.client)))))
        return 0
    if not (1 <= args.requests <= 100_000 and 1 <= args.concurrency <= 200 and 0 <= args.posts <= 100_000):
        parser.error("--requests 1..100000, --concurrency 1..200, --posts 0..100000")
    result = asyncio.run(serve_and_measure(args))
    print(json.dumps(result, indent=2) if args.json else table(result))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
