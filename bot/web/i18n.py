"""Which language a web reader gets: ?lang= (the page's switch), else Accept-Language, else English.

The pages' own texts are `strings.yaml` beside this file, read by the same `Replies` as the bot's
(English fallback key by key, placeholders checked at load).
"""

from __future__ import annotations

from pathlib import Path

FALLBACK = "en"
STRINGS_FILE = Path(__file__).with_name("strings.yaml")


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
