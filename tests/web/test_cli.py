"""`clikc-bot serve`, and `clikc-bot run` serving the web on the bot's own event loop."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from dataclasses import replace

import aiohttp
import pytest

from bot.cli import main
from bot.config import WebSettings
from bot.launch import serve
from tests.web.site import ROOT, get, make_app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_refuses_a_bad_port_in_one_line(tmp_path, capsys):
    assert main(["--data-dir", str(tmp_path), "serve", "--port", "70000"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["clikc-bot: --port must be between 0 and 65535, not 70000"]


def test_serve_reports_a_port_in_use_in_one_line(tmp_path, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--data-dir", str(tmp_path), "serve", "--port", str(port)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"clikc-bot: cannot listen on 127.0.0.1:{port}:")


def test_serve_runs_until_sigterm(tmp_path):
    """The real command in its own process: it prints where it listens, serves, stops on SIGTERM."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "--data-dir", str(tmp_path / "data"), "serve", "--port", "0"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        line = process.stderr.readline()
        assert line.startswith("serving http://127.0.0.1:"), line
        url = line.split()[1]
        assert get(f"{url}/").status == 200
        assert get(f"{url}/calendar.ics").body.startswith(b"BEGIN:VCALENDAR")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert "stopped" in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


class WebCheckingClient:
    """Stands in for the Discord client in `run`: while "connected", it reads the web library over
    HTTP from the same event loop, then disconnects."""

    def __init__(self, url: str):
        self.url = url
        self.seen: list[tuple[int, str]] = []

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return None

    async def start(self, token):
        async with aiohttp.ClientSession() as session:
            for path in ("/", "/calendar.ics"):
                try:
                    async with session.get(f"{self.url}{path}") as response:
                        self.seen.append((response.status, (await response.text())[:15]))
                except aiohttp.ClientConnectorError:
                    self.seen.append((0, "refused"))

    async def close(self):
        return None


@pytest.mark.parametrize("enabled", [True, False])
async def test_run_serves_the_web_in_the_bots_process_when_enabled(tmp_path, enabled):
    app = make_app(tmp_path / "data")
    port = _free_port()
    web = WebSettings(enabled=enabled, port=port)
    app.config = replace(app.config, settings=app.config.settings.model_copy(update={"web": web}))
    client = WebCheckingClient(f"http://127.0.0.1:{port}")
    try:
        assert await serve(app, "token", lambda _app: client) == 0
    finally:
        app.close()
    if enabled:
        assert client.seen[0][0] == 200 and client.seen[1] == (200, "BEGIN:VCALENDAR")
    else:
        assert client.seen == [(0, "refused"), (0, "refused")]  # off by default: nothing listens
    with pytest.raises(OSError):  # stopped with the bot: nothing listens any more
        await asyncio.open_connection("127.0.0.1", port)


def test_a_bad_web_setting_is_one_line(tmp_path, capsys):
    settings = tmp_path / "clikc.yaml"
    settings.write_text("web:\n  base_url: ftp://example.org\n  port: 99999\n", encoding="utf-8")
    assert main(["--config", str(settings), "--data-dir", str(tmp_path / "data"), "serve"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"clikc-bot: {settings}: web.port: Input should be less than or equal to 65535",
        f"clikc-bot: {settings}: web.base_url: base_url must be an http(s) address like "
        "https://example.org, not 'ftp://example.org'",
    ]
