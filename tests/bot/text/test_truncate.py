import pytest
import regex

from bot.text.truncate import excerpt, length, split_lines, truncate

MULTILINGUAL = (
    "Precintos electrónicos 🇲🇽🇧🇷 en tránsito — scellés électroniques, lacres eletrônicos 👩🏽‍💻 "
    "**blockchain** pour la reconnaissance mutuelle des OEA: [informe](https://example.org/a/b?c=d) "
    "ver https://example.org/very/long/path/to/report.pdf <t:1700000000:R> e\u0301 n\u0303 "
)


def boundaries(text):
    """Offsets between grapheme clusters."""
    return {m.end() for m in regex.finditer(r"\X", text)} | {0}


@pytest.mark.parametrize("limit", list(range(1, 400, 7)) + [1024, 4096])
def test_never_cuts_a_character_link_or_token(limit):
    text = MULTILINGUAL * 12
    out = truncate(text, limit)
    assert length(out) <= limit
    assert out in ("", text) or out.endswith("…")
    body = out.removesuffix("…")
    prefix = body
    while not text.startswith(prefix):  # peel the closing markers the cut added
        assert prefix[-1] in "*_~`", repr(body)
        prefix = prefix[:-1]
    assert len(prefix) in boundaries(text)  # no emoji, flag or accented letter cut
    for url in regex.findall(r"https?://[^\s)\]>]+", body):
        assert url in ("https://example.org/a/b?c=d", "https://example.org/very/long/path/to/report.pdf")
    assert body.count("[") == body.count("](") == body.count(")")
    assert body.count("<") == body.count(">")
    assert body.count("**") % 2 == 0


def test_short_text_is_untouched():
    assert truncate("hola", 4) == "hola"


def test_reopened_bold_is_closed():
    out = truncate("see **precinto electrónico con GPS y RFID** for details", 25)
    assert out.count("**") == 2 and out.endswith("**…")


def test_counts_utf16_units_like_discord():
    assert length("👩🏽‍💻") == 7
    assert truncate("😀" * 10, 7) == "😀😀😀…"


def test_flags_and_combining_marks_stay_whole():
    assert truncate("🇧🇷🇲🇽🇨🇦", 9) == "🇧🇷🇲🇽…"
    assert truncate("e\u0301" * 10, 6) == "e\u0301e\u0301…"


def test_a_link_longer_than_the_budget_is_dropped_not_cut():
    assert truncate("[x](https://example.org/" + "a" * 50 + ")", 20) == "…"


def test_split_lines_keeps_chunks_within_limit():
    text = "\n".join(f"línea {i} " + "😀" * 30 for i in range(100))
    chunks = split_lines(text, 2000)
    assert all(length(c) <= 2000 for c in chunks)
    assert "\n".join(chunks) == text


def test_excerpt_collapses_whitespace_and_cuts_at_the_limit():
    assert excerpt("  a\n\tb  ", 10) == "a b"
    assert excerpt("precintos electrónicos", 12) == "precintos e…"
    assert excerpt("precintos   electrónicos", 11) == "precintos…"  # no space before the ellipsis


def test_excerpt_at_word_ends_at_a_space_with_its_own_ellipsis():
    assert excerpt("precintos electrónicos con GPS", 20, at_word=True, ellipsis=" …") == "precintos …"
    assert excerpt("x" * 30, 12, at_word=True, ellipsis=" …") == "x" * 10 + " …"  # no space: a hard cut
