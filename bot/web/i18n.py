"""The web pages' strings per language, and which language a reader gets (?lang=, else Accept-Language)."""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

from bot.config import ConfigError, read_yaml

FALLBACK = "en"
STRINGS_FILE = Path(__file__).with_name("strings.yaml")


class _Missing(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class WebStrings:
    texts: dict[str, dict[str, str]]  # lang → key → text

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.texts)

    @classmethod
    def load(cls, path: Path = STRINGS_FILE) -> WebStrings:
        raw = read_yaml(path)
        if not isinstance(raw, dict) or not isinstance(raw.get(FALLBACK), dict):
            raise ConfigError([f"{path}: expected a mapping of languages with at least '{FALLBACK}'"])
        return cls({str(lang): {str(k): str(v) for k, v in entries.items()} for lang, entries in raw.items()})

    def get(self, key: str, lang: str, **values: object) -> str:
        text = self.texts.get(lang, {}).get(key) or self.texts[FALLBACK].get(key, key)
        return string.Formatter().vformat(text, (), _Missing(values)) if values else text


def choose_language(query_lang: str | None, accept_language: str | None, languages: tuple[str, ...]) -> str:
    """An explicit ?lang= wins; else the Accept-Language entry with the highest q that we have."""
    if query_lang and query_lang.strip().lower() in languages:
        return query_lang.strip().lower()
    best, best_q = FALLBACK, -1.0
    for position, part in enumerate((accept_language or "")[:500].split(",")):
        tag, _, params = part.strip().partition(";")
        lang = tag.strip().lower().split("-", 1)[0]
        if lang not in languages:
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        q -= position * 1e-6  # equal weights: the earlier entry wins
        if q > best_q and q > 0:
            best, best_q = lang, q
    return best
