"""What the bot says, per language: reply strings and slash-command localisations from strings.yaml.

Every adapter asks here with the user's locale (Discord sends e.g. "es-ES", "pt-BR", "fr"); anything
not covered falls back to English, key by key.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

from bot.config import ConfigError, read_yaml

FALLBACK = "en"
_FORMATTER = string.Formatter()


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in _FORMATTER.parse(text) if name}


def language_of(locale: object, languages: tuple[str, ...]) -> str:
    """'es-ES' → 'es', 'pt-BR' → 'pt', discord.Locale.french → 'fr'; unsupported or None → 'en'."""
    if locale is None:
        return FALLBACK
    tag = str(getattr(locale, "value", locale)).strip().lower().replace("_", "-")
    lang = tag.split("-", 1)[0]
    return lang if lang in languages else FALLBACK


class _Missing(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class Replies:
    texts: dict[str, dict[str, str]]  # lang → key → text
    commands: dict[str, dict[str, str]]  # lang → command key → localised name/description

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.texts)

    @classmethod
    def load(cls, path: Path) -> Replies:
        raw = read_yaml(path)
        problems: list[str] = []
        if not isinstance(raw, dict) or not isinstance(raw.get(FALLBACK), dict):
            raise ConfigError([f"{path}: expected a mapping of languages with at least '{FALLBACK}'"])
        texts: dict[str, dict[str, str]] = {}
        commands: dict[str, dict[str, str]] = {}
        for lang, entries in raw.items():
            if not isinstance(entries, dict):
                problems.append(f"{path}: {lang}: expected a mapping of keys to strings")
                continue
            entries = dict(entries)
            cmd = entries.pop("commands", {}) or {}
            texts[lang] = {}
            for key, value in entries.items():
                if not isinstance(value, str):
                    problems.append(f"{path}: {lang}.{key}: expected a string")
                    continue
                texts[lang][str(key)] = value
            commands[lang] = {str(k): str(v) for k, v in cmd.items()} if isinstance(cmd, dict) else {}
        english = texts.get(FALLBACK, {})
        for lang, entries in texts.items():
            for key, value in entries.items():
                if key not in english:
                    problems.append(f"{path}: {lang}.{key}: not in '{FALLBACK}' (misspelt key?)")
                elif not placeholders(value) <= placeholders(english[key]):
                    extra = sorted(placeholders(value) - placeholders(english[key]))
                    problems.append(f"{path}: {lang}.{key}: unknown placeholder(s) {extra}")
        for lang, entries in commands.items():
            for key, value in entries.items():
                if key.endswith(".name") and (value != value.lower() or " " in value or len(value) > 32):
                    problems.append(f"{path}: {lang}.commands.{key}: lowercase, no spaces, ≤ 32 characters")
                if key.endswith(".description") and len(value) > 100:
                    problems.append(f"{path}: {lang}.commands.{key}: longer than 100 characters")
        if problems:
            raise ConfigError(problems)
        return cls(texts, commands)

    def lang(self, locale: object) -> str:
        return language_of(locale, self.languages)

    def get(self, key: str, locale: object = None, **fields: object) -> str:
        """The text for `key` in the locale's language (English if missing), with {fields} filled in."""
        lang = self.lang(locale)
        text = self.texts.get(lang, {}).get(key)
        if text is None:
            text = self.texts[FALLBACK].get(key, key)
        return text.format_map(_Missing({k: str(v) for k, v in fields.items()}))

    def command(self, key: str, locale: object) -> str | None:
        """A localised command name/description, or None to let Discord show the default."""
        lang = self.lang(locale)
        return self.commands.get(lang, {}).get(key)
