import discord
import pytest

from bot.config import DEFAULT_CONFIG, ConfigError
from bot.replies import Replies, language_of

STRINGS = DEFAULT_CONFIG.parent / "strings.yaml"


@pytest.fixture(scope="module")
def replies() -> Replies:
    return Replies.load(STRINGS)


@pytest.mark.parametrize(
    "locale, lang",
    [
        ("es-ES", "es"),
        ("es-419", "es"),
        ("fr", "fr"),
        ("pt-BR", "pt"),
        ("en-GB", "en"),
        ("ja", "en"),
        (None, "en"),
        ("", "en"),
        (discord.Locale.brazil_portuguese, "pt"),
        (discord.Locale.german, "en"),
    ],
)
def test_locale_to_language(locale, lang):
    assert language_of(locale, ("en", "es", "fr", "pt")) == lang


def test_every_language_has_the_core_replies(replies):
    assert replies.get("cooldown", "es-ES", seconds=3).startswith("Está preguntando")
    assert replies.get("cooldown", "fr", seconds=3).startswith("Vous posez")
    assert replies.get("cooldown", "pt-BR", seconds=3).startswith("Você está")
    assert replies.get("cooldown", "ko", seconds=3).startswith("You're asking")
    english = set(replies.texts["en"])
    for lang in ("es", "fr", "pt"):
        moderators_only = {k for k in english if k.startswith(("review_", "session_"))}
        moderators_only |= {"help", "bad_input", "stats", "approve", "reject"}
        missing = english - set(replies.texts[lang]) - moderators_only
        assert not missing, (lang, missing)


def test_missing_key_falls_back_to_english(replies):
    assert replies.get("help", "es") == replies.get("help", "en")


def test_placeholders_are_filled_and_missing_ones_left_visible(replies):
    assert replies.get("no_results", "en", query="x") == replies.texts["en"]["no_results"].replace(
        "{query}", "x"
    )
    assert "{query}" in replies.get("no_results", "en")


def test_command_localisations_are_valid_names(replies):
    assert replies.command("ask.name", "es-ES") == "preguntar"
    assert replies.command("ask.name", "ja") == "ask"
    for lang, entries in replies.commands.items():
        for key, value in entries.items():
            if key.endswith(".name"):
                assert discord.app_commands.commands.validate_name(value) == value, (lang, key)


def test_bad_strings_file_names_file_and_key(tmp_path):
    path = tmp_path / "strings.yaml"
    path.write_text(
        "en:\n  hello: 'Hi {name}'\nes:\n  hello: 'Hola {nombre}'\n  helo: 'x'\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError) as err:
        Replies.load(path)
    assert any("es.hello: unknown placeholder(s) ['nombre']" in p for p in err.value.problems)
    assert any("es.helo: not in 'en'" in p for p in err.value.problems)
    path.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        Replies.load(path)
