"""`clikc-bot serve`: the web library and calendar feed alone, without connecting to Discord."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from bot.app import App
from index.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve", help="serve the published library and the sessions calendar on the web (read-only)"
    )
    p.add_argument("--host", help="address to listen on (default: web.host, 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: web.port, 8080; 0 picks a free one)")
    p.set_defaults(handler=serve_command, index_access="read", verify_index=True)


def serve_command(args: argparse.Namespace, app: App) -> int:
    web = app.config.settings.web
    host = args.host or web.host
    port = web.port if args.port is None else args.port
    if not 0 <= port <= 65535:
        raise InputError(f"--port must be between 0 and 65535, not {port}")
    app.check_config()
    return asyncio.run(_serve(app, host, port))


async def _serve(app: App, host: str, port: int) -> int:
    from bot.web.server import bound_addresses, start  # aiohttp and Jinja2 only when serving

    await asyncio.to_thread(lambda: app.library.shelf(limit=1))  # open the knowledge base up front
    try:
        runner = await start(app, host, port)
    except OSError as exc:
        print(f"clikc-bot: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(f"serving {' '.join(bound_addresses(runner))} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(sig)
        await runner.cleanup()
    print("stopped", file=sys.stderr)
    return 0
