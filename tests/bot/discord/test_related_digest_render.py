"""Related-experience and digest embeds stay within Discord's limits, however much there is."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from bot.config import PROJECT_ROOT
from bot.discord import render
from bot.discord.cogs.digest import digest_embed, field_value
from bot.discord.cogs.related import related_embed, thread_name
from bot.posts.digest import Claim, Item
from bot.replies import Replies
from bot.search.related import Offer
from index.documents import Hit

REPLIES = Replies.load(PROJECT_ROOT / "config" / "strings.yaml")
START = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)


def items(n: int, tech: str) -> list[Item]:
    return [
        Item(
            f"d{i}",
            "Électronique " * 20 + f"[{i}]",
            "Ana *bold*",
            f"https://discord.com/channels/1/2/{i}",
            "post",
            (tech,),
        )
        for i in range(n)
    ]


def test_a_crowded_week_fits_every_limit_and_counts_what_it_leaves_out():
    many = items(300, "iot") + items(300, "blockchain") + items(300, "analytics") + items(300, "")
    claim = Claim("2026-03-09T15:00Z", START - timedelta(days=7), START, (), "sending", START)
    embed = digest_embed(claim, many, REPLIES, "es")
    assert render.embed_units(embed) <= render.TOTAL and len(embed.fields) == 4
    for field in embed.fields:
        assert len(field.value) <= render.FIELD_VALUE
        shown = field.value.count("\n• ") + 1
        more = int(re.search(r"y (\d+) más", field.value)[1])
        assert shown + more == 300
    assert embed.footer.text == "Resumen 2026-03-09T15:00Z"


def test_titles_cannot_break_the_links_and_markdown_is_escaped():
    value = field_value(
        [Item("x", "see [this](https://evil.example)", "a_b", "https://discord.com/x", "post", ())],
        REPLIES,
        "en",
    )
    assert value == "• [see (this)(https://evil.example)](https://discord.com/x) — a\\_b"


def test_related_embed_and_thread_name_fit():
    hit = Hit("d", "post", "T" * 400, "s" * 3000, 1.0, "en", ("iot",), "A" * 300, START, "https://x.org/d")
    embed = related_embed(Offer("0" * 12, "t", "1", [hit] * 3), REPLIES, "fr")
    assert render.embed_units(embed) <= render.TOTAL and all(len(f.value) <= 1024 for f in embed.fields)
    assert embed.title == "Expériences liées"
    assert len(thread_name("   \n" + "q" * 500)) == 100 and thread_name("") == "?"
