"""End-to-end tests run real discord.py against the loopback Discord double."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from tests.discord_double import BotRunner, DiscordDouble
from tests.discord_double.fixtures import bot_runner, discord_double
from tests.e2e.clikc import Clikc

__all__ = ["bot_runner", "clikc", "discord_double"]


@pytest_asyncio.fixture
async def clikc(discord_double: DiscordDouble, bot_runner: BotRunner, tmp_path: Path) -> AsyncIterator[Clikc]:
    """The real ClikcBot (not yet started) with its settings file and data directory in tmp_path."""
    harness = Clikc(discord_double, bot_runner, tmp_path)
    try:
        yield harness
    finally:
        await harness.close()  # the bot before its database
