"""Help: what counts as asking for it, who sees which part, and that every language has its words."""

from __future__ import annotations

import pytest

from bot.config import PROJECT_ROOT
from bot.help import CONSOLE_COMMANDS, DISCORD_COMMANDS, as_text, console_help, discord_help, help_request
from bot.replies import Replies

LANGS = ("en", "es", "fr", "pt")


@pytest.fixture(scope="module")
def replies() -> Replies:
    return Replies.load(PROJECT_ROOT / "config" / "strings.yaml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("help", (True, None)),
        ("  HELP! ", (True, None)),
        ("?", (True, None)),
        ("¿ayuda?", (True, "es")),
        ("aide", (True, "fr")),
        ("Ajuda", (True, "pt")),
        ("help with electronic seals in transit", (False, None)),
        ("ayuda aduanera en Honduras", (False, None)),
        ("who uses blockchain?", (False, None)),
        ("", (False, None)),
    ],
)
def test_only_the_bare_word_asks_for_help(text, expected):
    assert help_request(text) == expected


def test_members_do_not_see_the_moderators_part(replies):
    member = discord_help(replies, "en-US", moderator=False)
    moderator = discord_help(replies, "en-US", moderator=True)
    assert member.moderators == ()
    assert [e.usage for e in moderator.members] == [e.usage for e in member.members]
    usages = " ".join(e.usage for e in moderator.moderators)
    assert "/clikc review" in usages and "/clikc stats" in usages and "/clikc reindex" in usages
    assert len(member.members) + len(moderator.moderators) == len(DISCORD_COMMANDS)


def test_commands_and_examples_use_the_members_localised_command_names(replies):
    page = discord_help(replies, "es-ES", moderator=True, bot_name="clikc-bot")
    ask = page.members[0]
    assert ask.usage.startswith("/preguntar question")
    assert ask.example.startswith("/preguntar question:¿quién usa")
    assert page.members[1].example.startswith("@clikc-bot ¿quién usa blockchain")
    privacy = next(e for e in page.members if e.usage.startswith("/privacidad"))
    assert "excluirme|incluirme|estado" in privacy.usage and privacy.example == "/privacidad estado"
    assert page.title == replies.get("help.title", "es") != replies.get("help.title", "en")


@pytest.mark.parametrize("lang", LANGS)
def test_every_help_string_exists_in_every_language(replies, lang):
    keys = {k for k in replies.texts["en"] if k.startswith("help.")}
    for key, _ in DISCORD_COMMANDS + CONSOLE_COMMANDS:
        assert f"help.{key}" in keys or f"help.console.{key}" in keys, key
    missing = sorted(keys - set(replies.texts[lang]))
    assert not missing, f"{lang} lacks {missing}"
    assert replies.command("help.name", lang) or lang == "en"


def test_console_help_shows_the_console_syntax_and_the_moderators_part(replies):
    usages = {key: f"{key} --every-option" for key, _ in CONSOLE_COMMANDS}
    text = as_text(console_help(replies, "fr", usages))
    assert text.startswith(replies.get("help.title", "fr"))
    assert "review --every-option" in text and replies.get("help.moderators", "fr") in text
    assert "/" + (replies.command("ask.name", "fr") or "ask") not in text, "no Discord syntax in the console"
