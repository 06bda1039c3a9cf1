"""`clikc-bot serve`: the web library and calendar feed alone, without connecting to Discord."""

from __future__ import annotations

import argparse
import asyncio

from bot import launch
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
    return asyncio.run(launch.serve_web(app, host, port))
