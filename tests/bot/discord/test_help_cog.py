"""The help embeds stay within Discord's limits in every language, for members and moderators."""

from __future__ import annotations

import pytest

from bot.config import PROJECT_ROOT
from bot.discord import render
from bot.discord.cogs.help import help_embeds
from bot.help import discord_help
from bot.replies import Replies


@pytest.mark.parametrize("locale", ["en-US", "es-ES", "fr", "pt-BR"])
@pytest.mark.parametrize("moderator", [False, True])
def test_help_fits_one_message(locale, moderator):
    replies = Replies.load(PROJECT_ROOT / "config" / "strings.yaml")
    page = discord_help(replies, locale, moderator=moderator, bot_name="x" * 32)
    embeds = help_embeds(page)
    assert len(embeds) == (2 if moderator else 1), "nothing was dropped to fit"
    assert sum(render.embed_units(e) for e in embeds) <= render.TOTAL
    for embed in embeds:
        assert len(embed.fields) <= render.FIELDS
        assert all(
            len(f.value) <= render.FIELD_VALUE and len(f.name) <= render.FIELD_NAME for f in embed.fields
        )
        assert not any(f.value.endswith("…") for f in embed.fields), "no entry was cut short"
