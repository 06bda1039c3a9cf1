"""Cogs loaded by ClikcBot.setup_hook, one per job."""

from bot.discord.cogs.ask import AskCog
from bot.discord.cogs.indexing import IndexingCog
from bot.discord.cogs.moderation import ModerationCog
from bot.discord.cogs.privacy import PrivacyCog

COGS = (AskCog, PrivacyCog, IndexingCog, ModerationCog)
