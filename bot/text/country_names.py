"""Country and customs-territory names in the reader's language (documents are tagged with ISO codes).

Names come from the Unicode CLDR through Babel, so every code in config/countries.yaml (and any other
ISO 3166 code) reads naturally in en/es/fr/pt without a hand-kept table.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError


@lru_cache(maxsize=16)
def _territories(lang: str) -> dict[str, str]:
    try:
        return dict(Locale.parse(lang).territories)
    except (UnknownLocaleError, ValueError):
        return dict(Locale.parse("en").territories)


def country_name(code: str, lang: str) -> str:
    """'HN', 'fr' → 'Honduras'; 'KN', 'pt' → 'São Cristóvão e Névis'. An unknown code is shown as given."""
    return _territories(lang).get(code.strip().upper(), code)


def country_names(codes: tuple[str, ...] | list[str], lang: str) -> list[str]:
    return [country_name(code, lang) for code in codes]
