"""`clikc-bot run`: token handling and clean shutdown, with a stand-in client (no network)."""

import asyncio
import logging
import os
import signal
import unittest.mock as mock

import discord
import pytest

from bot.cli import main
from bot.cli.run import log_level
from bot.launch import REJECTED_TOKEN, serve


class FakeClient:
    """Quacks like discord.Client for serve(): start/close/async with."""

    def __init__(self, app, on_start=None):
        self.app = app
        self.on_start = on_start
        self.closed = asyncio.Event()
        self.close_calls = 0

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        if not self.closed.is_set():
            await self.close()

    async def start(self, token):
        assert token == "secret-token"
        if self.on_start:
            self.on_start()
        await self.closed.wait()

    async def close(self):
        self.close_calls += 1
        self.closed.set()


def test_missing_token_is_one_clear_line(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert main(["--data-dir", str(tmp_path), "run"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("clikc-bot: DISCORD_TOKEN is not set")


async def test_rejected_token_is_one_clear_line_and_never_printed(app, capsys, caplog):
    def rejecting(app):
        client = FakeClient(app)

        async def start(token):
            raise discord.LoginFailure("Improper token has been passed.")

        client.start = start
        return client

    assert await serve(app, "secret-token", rejecting) == 1
    captured = capsys.readouterr()
    assert captured.err == f"clikc-bot: {REJECTED_TOKEN}\n"
    assert "secret-token" not in captured.err + captured.out + caplog.text


async def test_missing_privileged_intent_is_explained(app, capsys):
    def refusing(app):
        client = FakeClient(app)

        async def start(token):
            raise discord.PrivilegedIntentsRequired(shard_id=None)

        client.start = start
        return client

    assert await serve(app, "secret-token", refusing) == 1
    assert "Message Content" in capsys.readouterr().err


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_signal_closes_the_gateway_cleanly(app, sig, caplog):
    caplog.set_level(logging.INFO)
    made = []

    def factory(app):
        client = FakeClient(app, on_start=lambda: os.kill(os.getpid(), sig))
        made.append(client)
        return client

    assert await serve(app, "secret-token", factory) == 0
    assert made[0].close_calls >= 1
    assert "shutdown requested" in caplog.text and "stopped cleanly" in caplog.text
    loop = asyncio.get_running_loop()
    assert loop.remove_signal_handler(sig) is False  # handlers were removed again


async def test_real_bot_shutdown_commits_pending_writes(app, kb):
    """ClikcBot.close drains the index writer before the gateway closes."""
    from bot.discord.bot import ClikcBot

    client = ClikcBot(app, sync_commands=False)
    await client._async_setup_hook()
    client.writer.start()
    client.writer.submit(kb.delete, "discord-111")
    with mock.patch.object(discord.Client, "close", mock.AsyncMock()) as gateway_close:
        await client.close()
    assert kb.get("discord-111") is None
    gateway_close.assert_awaited_once()


def test_log_level_from_env_over_config(app, monkeypatch):
    monkeypatch.delenv("CLIKC_LOG_LEVEL", raising=False)
    assert log_level(app) == "INFO"
    monkeypatch.setenv("CLIKC_LOG_LEVEL", "debug")
    assert log_level(app) == "DEBUG"
    monkeypatch.setenv("CLIKC_LOG_LEVEL", "loud")
    assert log_level(app) == "INFO"


async def test_unreachable_discord_is_one_line(app, capsys):
    def offline(app):
        client = FakeClient(app)

        async def start(token):
            raise OSError("Name or service not known")

        client.start = start
        return client

    assert await serve(app, "secret-token", offline) == 1
    assert capsys.readouterr().err == "clikc-bot: cannot reach Discord: OSError: Name or service not known\n"
