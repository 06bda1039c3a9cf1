"""End-to-end tests run real discord.py against the loopback Discord double."""

from tests.discord_double.fixtures import bot_runner, discord_double

__all__ = ["bot_runner", "discord_double"]
