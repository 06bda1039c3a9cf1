"""/help and "@bot help": what the bot does, in the member's language; moderators also see theirs."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord import render
from bot.discord.translator import T
from bot.help import HelpEntry, HelpFeatures, HelpPage, discord_help

if TYPE_CHECKING:
    from bot.discord.bot import ClikcBot

log = logging.getLogger(__name__)


def _fields(embed: discord.Embed, entries: tuple[HelpEntry, ...], example_label: str) -> None:
    for entry in entries:
        value = entry.what
        if entry.example:
            value += f"\n{example_label} `{entry.example}`"
        embed.add_field(name=f"`{entry.usage}`", value=value, inline=False)


def help_embeds(page: HelpPage) -> list[discord.Embed]:
    """One embed for everyone, a second for moderators when the page has their part. Both are fitted
    to Discord's limits, and together stay under the 6,000 units one message may carry."""
    members = discord.Embed(title=page.title, description=page.about, colour=render.COLOUR)
    members.set_author(name=page.members_heading)
    _fields(members, page.members, page.example_label)
    embeds = [render.fit(members)]
    if page.moderators:
        moderators = discord.Embed(title=page.moderators_heading, colour=render.COLOUR)
        _fields(moderators, page.moderators, page.example_label)
        embeds.append(render.fit(moderators))
    while sum(render.embed_units(e) for e in embeds) > render.TOTAL and len(embeds) > 1:
        embeds.pop()  # never reached with the shipped strings; a test checks every language
    return embeds


class HelpCog(commands.Cog):
    def __init__(self, bot: ClikcBot):
        self.bot = bot

    def page(self, locale: object, *, moderator: bool) -> HelpPage:
        name = self.bot.user.display_name if self.bot.user else "CLiKC"
        features = HelpFeatures.of(self.bot.app.config.settings)
        return discord_help(
            self.bot.app.replies, locale, moderator=moderator, bot_name=name, features=features
        )

    @app_commands.command(
        name=T("help", "help.name"),
        description=T("What the bot does and how to use it", "help.description"),
    )
    async def help(self, interaction: discord.Interaction) -> None:
        """Private, so the moderators' part is seen only by a moderator."""
        moderator = self.bot.is_moderator(interaction.user)
        page = self.page(interaction.locale, moderator=moderator)
        await interaction.response.send_message(embeds=help_embeds(page), ephemeral=True)

    @commands.Cog.listener()
    async def on_clikc_help_request(self, message: discord.Message, lang: str | None) -> None:
        """ "@bot help" in a channel: answered there, so only the members' part; /help shows the rest
        privately. The word chooses the language ("ayuda" → Spanish), else the server's."""
        locale = lang or (message.guild.preferred_locale if message.guild else None)
        replies = self.bot.app.replies
        hint = replies.get("help.mention_hint", locale, help=replies.command("help.name", locale) or "help")
        await message.reply(hint, embeds=help_embeds(self.page(locale, moderator=False)))
