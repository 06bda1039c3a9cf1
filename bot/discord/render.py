"""Service results → Discord embeds and messages, always within Discord's size limits."""

from __future__ import annotations

import discord

from bot.replies import Replies
from bot.search.asking import counts_summary
from bot.text.country_names import country_name, country_names
from bot.text.timestamps import discord_timestamp, discord_when
from bot.text.truncate import length, truncate
from index.documents import Answer, Hit

MESSAGE = 2000
TITLE = 256
DESCRIPTION = 4096
FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR = 256
TOTAL = 6000

COLOUR = discord.Colour(0x00629B)  # WCO blue


def embed_units(embed: discord.Embed) -> int:
    """Everything Discord counts toward the 6,000 total, in UTF-16 units."""
    parts = [embed.title or "", embed.description or "", embed.footer.text or "", embed.author.name or ""]
    for field in embed.fields:
        parts += [field.name or "", field.value or ""]
    return sum(length(p) for p in parts)


def fit(embed: discord.Embed) -> discord.Embed:
    """Enforce every per-part limit, then shorten field values (longest first) until the total fits."""
    if embed.title:
        embed.title = truncate(embed.title, TITLE)
    if embed.description:
        embed.description = truncate(embed.description, DESCRIPTION)
    if embed.footer.text:
        embed.set_footer(text=truncate(embed.footer.text, FOOTER), icon_url=embed.footer.icon_url)
    fields = embed.fields[:FIELDS]
    embed.clear_fields()
    for field in fields:
        embed.add_field(
            name=truncate(field.name or "\u200b", FIELD_NAME) or "\u200b",
            value=truncate(field.value or "\u200b", FIELD_VALUE) or "\u200b",
            inline=field.inline,
        )
    while (overflow := embed_units(embed) - TOTAL) > 0:
        # shorten the longest part (a field value, a field name or the description) by the overflow
        parts = [(length(f.value or ""), "value", i) for i, f in enumerate(embed.fields)]
        parts += [(length(f.name or ""), "name", i) for i, f in enumerate(embed.fields)]
        parts.append((length(embed.description or ""), "description", -1))
        size, part, index = max(parts)
        target = max(1, size - overflow - 1) if size > 1 else 0
        if part == "description":
            embed.description = truncate(embed.description or "", target) or None
        else:
            field = embed.fields[index]
            name, value = field.name or "", field.value or ""
            if part == "name":
                name = truncate(name, target) or "\u200b"
            else:
                value = truncate(value, target) or "\u200b"
            embed.set_field_at(index, name=name, value=value, inline=field.inline)
        if size <= 1:
            break
    return embed


def message(text: str) -> str:
    return truncate(text, MESSAGE)


def _link(url: str, label: str) -> str:
    if url.startswith(("http://", "https://")) and " " not in url and ")" not in url:
        return f"[{label}]({url})"
    return ""


def hit_field(hit: Hit, number: int, replies: Replies, locale: object) -> tuple[str, str]:
    """(name, value) for one answer: title, snippet, then who/when/administration/link on one line."""
    kind = replies.get(f"kind.{hit.kind}", locale)
    name = f"{number}. {hit.title}" if hit.title else f"{number}. {kind[:1].upper()}{kind[1:]}"
    facts = [f"*{kind}*"] if hit.title else []
    if hit.doc_type:
        facts.append(replies.get(f"type.{hit.doc_type}", locale))
    if hit.sample:
        facts.append(f"**{replies.get('sample', locale)}**")
    if hit.author:
        facts.append(replies.get("by", locale, author=hit.author))
    if hit.date:
        facts.append(discord_timestamp(hit.date, "D"))
    if hit.countries:
        names = country_names(hit.countries, replies.lang(locale))  # "Honduras, El Salvador", not codes
        facts.append(f"{replies.get('administration', locale)}: {', '.join(names)}")
    link = _link(hit.url, replies.get("open", locale))
    if link:
        facts.append(link)
    meta = " · ".join(facts)
    snippet = " ".join(hit.snippet.split())
    room = FIELD_VALUE - length(meta) - 1
    value = f"{truncate(snippet, room)}\n{meta}" if room > 20 else truncate(meta, FIELD_VALUE)
    return truncate(name, FIELD_NAME), value


def answer_embed(answer: Answer, replies: Replies, locale: object, offset: int = 0) -> discord.Embed:
    embed = discord.Embed(title=replies.get("answers_title", locale, query=answer.query), colour=COLOUR)
    lines = []
    if answer.did_you_mean:
        lines.append(replies.get("did_you_mean", locale, suggestion=answer.did_you_mean))
    if not answer.results:
        lines.append(replies.get("no_results", locale, query=answer.query))
    elif summary := _counts(answer, replies, locale):
        lines.append(f"-# {summary}")
    if lines:
        embed.description = "\n".join(lines)
    for i, hit in enumerate(answer.results):
        name, value = hit_field(hit, offset + i + 1, replies, locale)
        embed.add_field(name=name, value=value, inline=False)
    if answer.results:
        start, end = offset + 1, offset + len(answer.results)
        embed.set_footer(text=replies.get("answers_count", locale, start=start, end=end, total=answer.total))
    return fit(embed)


def _counts(answer: Answer, replies: Replies, locale: object) -> str:
    """One short line: how many of all the matches are reports, questions…, from which countries."""
    labels = {
        facet: replies.get(f"counts.{facet}", locale) for facet in ("type", "country", "technology", "kind")
    }
    named = {
        "type": {replies.get(f"type.{k}", locale): n for k, n in answer.counts.get("type", {}).items()},
        "technology": {
            replies.get(f"tech.{k}", locale): n for k, n in answer.counts.get("technology", {}).items()
        },
        "country": {
            country_name(k, replies.lang(locale)): n for k, n in answer.counts.get("country", {}).items()
        },
    }
    return counts_summary(named, labels, top=3)


# -- sessions --------------------------------------------------------------------------------------


def sessions_embed(occurrences, replies: Replies, locale: object, limit: int = 10) -> discord.Embed:
    """Upcoming occurrences with <t:…> timestamps: each reader sees their own time zone."""
    lang = replies.lang(locale)
    embed = discord.Embed(title=replies.get("sessions_title", locale), colour=COLOUR)
    if not occurrences:
        embed.description = replies.get("no_sessions", locale)
    for occ in occurrences[:limit]:
        lines = [discord_when(occ.start)]
        if occ.cancelled:
            lines[0] = f"~~{lines[0]}~~ ({replies.get('cancelled_mark', locale)})"
        link = _link(occ.session.link, occ.session.link)
        if link:
            lines.append(link)
        embed.add_field(name=occ.title(lang), value="\n".join(lines), inline=False)
    return fit(embed)


def announcement_text(item, replies: Replies, locale: object) -> str:
    """One session announcement (reminder, cancellation, move or new end time) as a message."""
    title = item.title(replies.lang(locale))
    if item.kind == "cancelled":
        text = replies.get("announce_cancelled", locale, title=title, when=discord_timestamp(item.start, "F"))
    elif item.kind == "moved" and item.only_end_changed:
        text = replies.get(
            "announce_new_end",
            locale,
            title=title,
            when=discord_when(item.start),
            end=discord_timestamp(item.new_end, "F"),
        )
    elif item.kind == "moved":
        text = replies.get(
            "announce_moved",
            locale,
            title=title,
            old=discord_timestamp(item.start, "F"),
            when=discord_when(item.new_start),
        )
    else:
        text = replies.get("announce_reminder", locale, title=title, when=discord_when(item.start))
    if item.session.link and item.kind != "cancelled":
        text += f"\n<{item.session.link}>"
    return message(text)


# -- case studies ----------------------------------------------------------------------------------


def submission_embed(sub, replies: Replies, locale: object) -> discord.Embed:
    """A submission as moderators review it: what was said, by whom, and its current status."""
    embed = discord.Embed(title=f"{sub.id} · {sub.title}", colour=COLOUR, timestamp=sub.submitted_at)
    embed.set_author(name=replies.get("review_new", locale))
    embed.description = sub.summary or sub.file_text or "—"
    if sub.results:
        embed.add_field(name=replies.get("submit_field_results", locale), value=sub.results, inline=False)
    facts = [
        f"**{replies.get('administration', locale)}:** {sub.member or '—'}",
        f"**{replies.get('by', locale, author=sub.submitter_name)}** ({sub.platform})",
    ]
    if sub.technologies:
        facts.append(", ".join(replies.get(f"tech.{t}", locale) for t in sub.technologies))
    if sub.file_name:
        facts.append(f"📎 {sub.file_name} ({sub.file_format}, {sub.file_bytes:,} bytes)")
    if sub.url:
        facts.append(sub.url)
    embed.add_field(name="\u200b", value="\n".join(facts), inline=False)
    if sub.status == "approved":
        embed.add_field(name="\u200b", value=replies.get("review_approved", locale, name=sub.reviewed_by))
    elif sub.status == "withdrawn":
        embed.add_field(
            name="\u200b",
            value=replies.get("review_withdrawn", locale, name=sub.reviewed_by, reason=sub.reason),
        )
    elif sub.status == "rejected":
        embed.add_field(
            name="\u200b",
            value=replies.get("review_rejected", locale, name=sub.reviewed_by, reason=sub.reason),
        )
    return fit(embed)
