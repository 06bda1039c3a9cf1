"""Every string members and moderators see exists in every language: a key missing in one fails here
(the English fallback would otherwise hide it)."""

from __future__ import annotations

import pytest

from bot.config import PROJECT_ROOT
from bot.replies import Replies, placeholders

LANGS = ("es", "fr", "pt")


@pytest.fixture(scope="module")
def replies() -> Replies:
    return Replies.load(PROJECT_ROOT / "config" / "strings.yaml")


@pytest.mark.parametrize("lang", LANGS)
def test_every_reply_key_exists_in_every_language(replies, lang):
    missing = sorted(set(replies.texts["en"]) - set(replies.texts[lang]))
    assert not missing, f"config/strings.yaml: {lang} lacks {missing}"


@pytest.mark.parametrize("lang", LANGS)
def test_every_command_name_and_description_exists_in_every_language(replies, lang):
    missing = sorted(set(replies.commands["en"]) - set(replies.commands[lang]))
    assert not missing, f"config/strings.yaml: {lang}.commands lacks {missing}"


@pytest.mark.parametrize("lang", LANGS)
def test_translations_keep_every_placeholder(replies, lang):
    """A translation that drops {reason} or {id} would hide what the moderator or member needs."""
    lost = {
        key: sorted(placeholders(text) - placeholders(replies.texts[lang][key]))
        for key, text in replies.texts["en"].items()
        if key in replies.texts[lang] and placeholders(text) - placeholders(replies.texts[lang][key])
    }
    assert not lost, f"{lang}: {lost}"


@pytest.mark.parametrize("lang", LANGS)
def test_moderator_facing_strings_are_translated_not_copied(replies, lang):
    for key in ("review_new", "review_reason_label", "review_none", "approve", "reject", "session_saved"):
        assert replies.get(key, lang) != replies.get(key, "en"), (lang, key)
