"""A loopback Discord (REST + gateway on 127.0.0.1) for end-to-end tests through real discord.py.

Public API: DiscordDouble (the server, world, dispatch and wait helpers), BotRunner and
discord_pointed_at (run bots against it), World/InteractionRecord/RecordedRequest (what tests read).
See README.md "Testing: the loopback Discord double".
"""

from .double import TOKEN, DiscordDouble
from .records import GatewayRecord, RecordedRequest, UploadedFile
from .runner import BotRunner, discord_pointed_at
from .world import InteractionRecord, World

__all__ = [
    "TOKEN",
    "BotRunner",
    "DiscordDouble",
    "GatewayRecord",
    "InteractionRecord",
    "RecordedRequest",
    "UploadedFile",
    "World",
    "discord_pointed_at",
]
