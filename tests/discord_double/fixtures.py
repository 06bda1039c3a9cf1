"""pytest fixtures: ``discord_double`` (a started DiscordDouble with discord.py pointed at it) and
``bot_runner`` (start/stop/restart real bots against it; whatever runs is stopped at teardown, and
the test fails if discord.py logged an error, e.g. an exception inside a command handler).

Use them from a conftest.py: ``from tests.discord_double.fixtures import bot_runner, discord_double``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from .double import DiscordDouble
from .runner import BotRunner, discord_pointed_at


@pytest_asyncio.fixture
async def discord_double() -> AsyncIterator[DiscordDouble]:
    double = await DiscordDouble().start()
    try:
        with discord_pointed_at(double):
            yield double
    finally:
        await double.close()


@pytest_asyncio.fixture
async def bot_runner(discord_double: DiscordDouble) -> AsyncIterator[BotRunner]:
    runner = BotRunner(discord_double)
    try:
        yield runner
    finally:
        await runner.close()
    assert not runner.errors, f"discord.py logged errors during the test:\n{runner.error_report()}"
