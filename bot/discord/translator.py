"""Slash-command names, descriptions and choices in the user's Discord language (from strings.yaml)."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.replies import FALLBACK, Replies


def T(text: str, key: str) -> app_commands.locale_str:  # noqa: N802 — reads like the gettext `_`
    """English default text plus the strings.yaml key the translator looks up."""
    return app_commands.locale_str(text, key=key)


class ClikcTranslator(app_commands.Translator):
    def __init__(self, replies: Replies):
        self.replies = replies

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        key = string.extras.get("key")
        if not key or self.replies.lang(locale) == FALLBACK:
            return None  # Discord shows the English default
        found = self.replies.command(key, locale)
        if found is None and self.replies.lang(locale) in self.replies.texts:
            found = self.replies.texts[self.replies.lang(locale)].get(key)  # choice labels, e.g. kind.post
        return found
