"""Help: what counts as asking for it, who sees which part, and that every language has its words."""

from __future__ import annotations

import pytest

from bot.config import PROJECT_ROOT
from bot.help import (
    CONSOLE_COMMANDS,
    DISCORD_COMMANDS,
    HelpFeatures,
    as_text,
    console_help,
    discord_help,
    help_request,
)
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
    assert len(member.members) + len(moderator.moderators) == len(DISCORD_COMMANDS) + 1  # + the library line


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


@pytest.mark.parametrize("lang", LANGS)
def test_optional_features_are_named_only_when_on_and_the_library_only_to_moderators(replies, lang):
    """Related experiences and the digest are listed for members only where the server has them on;
    the library channel (and how to set it) is for moderators; the console lists what is on too."""
    t = lambda key, **f: replies.get(key, lang, **f)  # noqa: E731
    off = discord_help(replies, lang, moderator=False)
    names = [e.usage for e in off.members]
    assert t("help.related.name") not in names and t("help.digest.name") not in names

    on = HelpFeatures(related=True, digest_every="7d", library=True)
    member = discord_help(replies, lang, moderator=False, features=on)
    extra = {e.usage: e.what for e in member.members[len(off.members) :]}
    assert extra == {
        t("help.related.name"): t("help.related"),
        t("help.digest.name"): t("help.digest", every="7d"),
    }
    assert "7d" in extra[t("help.digest.name")] and member.moderators == ()

    moderator = discord_help(replies, lang, moderator=True, features=on)
    usages = [e.usage for e in moderator.moderators]
    assert any(u.startswith("/") and "cs-" not in u and "submission" in u for u in usages), "/clikc withdraw"
    library = next(e for e in moderator.moderators if e.usage == t("help.library.name"))
    assert library.what == t("help.library")
    unset = discord_help(replies, lang, moderator=True).moderators[-1]
    assert unset.what == t("help.library.off") and "discord.library_channel" in unset.what

    usages_ = {key: key for key, _ in CONSOLE_COMMANDS}
    text = as_text(console_help(replies, lang, usages_, on))
    for key in ("help.related.name", "help.digest.name", "help.library.name"):
        assert t(key) in text
    if lang != "en":
        assert t("help.related") != replies.get("help.related", "en")


def test_features_follow_the_settings(tmp_path):
    from bot.config import Settings

    settings = Settings.model_validate(
        {
            "discord": {"related": {"channels": ["questions"]}, "library_channel": "library"},
            "digest": {"enabled": True, "every": "14d"},
        }
    )
    assert HelpFeatures.of(settings) == HelpFeatures(related=True, digest_every="14d", library=True)
    assert HelpFeatures.of(Settings()) == HelpFeatures()
