"""What the bot can do, in the reader's language: one description shared by Discord and the console.

Plain data only. Each platform names its commands differently (`/ask question:…` on Discord, `ask …`
in the console), so an entry carries a strings key for what it does and an example; the adapters
render it. Moderator entries are returned only to moderators.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.replies import Replies

# "@bot help" / "@bot ayuda" / "@bot aide" / "@bot ajuda" (and "?"): the word's language, or None
# when it does not say (then the server's language is used).
HELP_WORDS: dict[str, str | None] = {
    "help": None,
    "?": None,
    "ayuda": "es",
    "aide": "fr",
    "aidez-moi": "fr",
    "ajuda": "pt",
}
_PUNCTUATION = re.compile(r"[\s!?¿¡.,:;]+")


def help_request(text: str) -> tuple[bool, str | None]:
    """(is it a request for help, the language its word implies). Only the bare word counts:
    "help with e-seals in transit" is a question, not a request for help."""
    words = [w for w in _PUNCTUATION.split(text.strip().casefold()) if w]
    if text.strip() == "?":
        return True, None
    if len(words) != 1 or words[0] not in HELP_WORDS:
        return False, None
    return True, HELP_WORDS[words[0]]


@dataclass(frozen=True)
class HelpEntry:
    usage: str  # how to type it on this platform
    what: str  # what it does, localised
    example: str  # a concrete example, localised ("" when the usage says it all)


@dataclass(frozen=True)
class HelpPage:
    title: str
    about: str
    members_heading: str
    members: tuple[HelpEntry, ...]
    moderators_heading: str
    moderators: tuple[HelpEntry, ...]  # empty unless the reader is a moderator
    example_label: str


@dataclass(frozen=True)
class HelpFeatures:
    """The optional features this server has on: help mentions a feature only when a member can meet it."""

    related: bool = False  # related experiences offered under questions
    digest_every: str | None = None  # the digest's period ("7d") when the digest is on
    library: bool = False  # approved case studies are published to a library channel

    @classmethod
    def of(cls, settings: object) -> HelpFeatures:
        """From the loaded settings (bot.config.Settings); plain attribute reads, no config I/O."""
        discord, digest = settings.discord, settings.digest  # type: ignore[attr-defined]
        return cls(
            related=bool(discord.related.channels),
            digest_every=digest.every if digest.enabled else None,
            library=discord.library_channel is not None,
        )


def _feature_entries(
    replies: Replies, locale: object, features: HelpFeatures, moderator: bool
) -> tuple[list[HelpEntry], list[HelpEntry]]:
    """Lines for the optional features: (members', moderators'). A feature that is off is not named."""
    t = lambda key, **f: replies.get(key, locale, **f)  # noqa: E731
    members: list[HelpEntry] = []
    if features.related:
        members.append(HelpEntry(t("help.related.name"), t("help.related"), ""))
    if features.digest_every:
        members.append(HelpEntry(t("help.digest.name"), t("help.digest", every=features.digest_every), ""))
    moderators: list[HelpEntry] = []
    if moderator:
        key = "help.library" if features.library else "help.library.off"
        moderators.append(HelpEntry(t("help.library.name"), t(key), ""))
    return members, moderators


# (strings key, moderators only); the key names the help text "help.<key>" and example "help.<key>.example"
DISCORD_COMMANDS: tuple[tuple[str, bool], ...] = (
    ("ask", False),
    ("mention", False),
    ("sessions", False),
    ("submit", False),
    ("privacy", False),
    ("help", False),
    ("review", True),
    ("session", True),
    ("withdraw", True),
    ("stats", True),
    ("reindex", True),
)
CONSOLE_COMMANDS: tuple[tuple[str, bool], ...] = (
    ("ask", False),
    ("more", False),
    ("sessions", False),
    ("submit", False),
    ("privacy", False),
    ("help", False),
    ("quit", False),
    ("review", True),
    ("stats", True),
    ("reindex", True),
)
# Discord's slash-command usage for each entry: (command key for the localised name, options shown)
_DISCORD_USAGE: dict[str, tuple[str, ...]] = {
    "ask": ("ask.name", "question", "technology", "kind", "member"),
    "sessions": ("sessions.name", "ics"),
    "submit": ("submit.name",),
    "privacy": ("privacy.name",),
    "help": ("help.name",),
    "review": ("clikc.name", "review.name"),
    "session": ("clikc.name", "session.name"),
    "withdraw": ("clikc.name", "withdraw.name", "submission", "reason"),
    "stats": ("clikc.name", "stats.name"),
    "reindex": ("clikc.name", "reindex.name"),
}
_DISCORD_DEFAULT_NAMES = {
    "ask.name": "ask",
    "sessions.name": "sessions",
    "submit.name": "submit",
    "privacy.name": "privacy",
    "help.name": "help",
    "clikc.name": "clikc",
    "review.name": "review",
    "session.name": "session",
    "withdraw.name": "withdraw",
    "stats.name": "stats",
    "reindex.name": "reindex",
}
PRIVACY_ACTIONS = ("privacy.optout.name", "privacy.optin.name", "privacy.status.name")
SESSION_ACTIONS = ("session.add.name", "session.edit.name", "session.cancel.name")


def command_name(replies: Replies, key: str, locale: object) -> str:
    """The slash command's name as this member's Discord shows it."""
    default = _DISCORD_DEFAULT_NAMES.get(key) or key.rsplit(".", 2)[-2]
    return replies.command(key, locale) or default


def _discord_usage(entry: str, replies: Replies, locale: object, bot_name: str) -> str:
    if entry == "mention":
        return f"@{bot_name} …"
    key, *rest = _DISCORD_USAGE[entry]
    names = [command_name(replies, key, locale)]
    options: list[str] = []
    for part in rest:
        if part.endswith(".name"):
            names.append(command_name(replies, part, locale))
        else:
            options.append(part if part in ("question", "submission", "reason") else f"[{part}]")
    if entry == "privacy":
        names.append("|".join(command_name(replies, k, locale) for k in PRIVACY_ACTIONS))
    if entry == "session":
        names.append("|".join(command_name(replies, k, locale) for k in SESSION_ACTIONS))
    return " ".join(["/" + " ".join(names), *options])


def _page(
    replies: Replies,
    locale: object,
    entries: tuple[tuple[str, bool], ...],
    moderator: bool,
    usage: Callable[[str], str],
    example: Callable[[str], str],
    what_prefix: str,
    features: HelpFeatures,
) -> HelpPage:
    t = lambda key, **f: replies.get(key, locale, **f)  # noqa: E731
    members: list[HelpEntry] = []
    moderators: list[HelpEntry] = []
    for key, for_moderators in entries:
        if for_moderators and not moderator:
            continue
        specific = f"{what_prefix}{key}"  # a platform's own wording, where it differs
        what = t(specific) if specific in replies.texts["en"] else t(f"help.{key}")
        item = HelpEntry(usage(key), what, example(key))
        (moderators if for_moderators else members).append(item)
    extra_members, extra_moderators = _feature_entries(replies, locale, features, moderator)
    members.extend(extra_members)
    moderators.extend(extra_moderators)
    return HelpPage(
        title=t("help.title"),
        about=t("help.about"),
        members_heading=t("help.members"),
        members=tuple(members),
        moderators_heading=t("help.moderators"),
        moderators=tuple(moderators),
        example_label=t("help.example_label"),
    )


def discord_help(
    replies: Replies,
    locale: object,
    *,
    moderator: bool,
    bot_name: str = "CLiKC",
    features: HelpFeatures = HelpFeatures(),
) -> HelpPage:
    """Help for Discord: slash commands by their localised names, examples in the member's language."""

    def example(key: str) -> str:
        names = {
            "ask": command_name(replies, "ask.name", locale),
            "sessions": command_name(replies, "sessions.name", locale),
            "submit": command_name(replies, "submit.name", locale),
            "privacy": command_name(replies, "privacy.name", locale),
            "status": command_name(replies, "privacy.status.name", locale),
            "help": command_name(replies, "help.name", locale),
            "clikc": command_name(replies, "clikc.name", locale),
            "review": command_name(replies, "review.name", locale),
            "session": command_name(replies, "session.name", locale),
            "edit": command_name(replies, "session.edit.name", locale),
            "withdraw": command_name(replies, "withdraw.name", locale),
            "stats": command_name(replies, "stats.name", locale),
            "reindex": command_name(replies, "reindex.name", locale),
            "bot": bot_name,
        }
        return replies.get(f"help.{key}.example", locale, **names)

    return _page(
        replies,
        locale,
        DISCORD_COMMANDS,
        moderator,
        lambda key: _discord_usage(key, replies, locale, bot_name),
        example,
        what_prefix="help.discord.",
        features=features,
    )


def console_help(
    replies: Replies,
    locale: object,
    usages: Mapping[str, str],
    features: HelpFeatures = HelpFeatures(),
) -> HelpPage:
    """Help for the console: `usages` are the commands' syntax (every option, from the parsers).
    The person at the console owns the database, so the moderator part is always shown."""
    return _page(
        replies,
        locale,
        CONSOLE_COMMANDS,
        True,
        lambda key: usages.get(key, key),
        lambda key: replies.get(f"help.console.{key}.example", locale),
        what_prefix="help.console.",
        features=features,
    )


def as_text(page: HelpPage) -> str:
    """The page as plain text (the console's `help`)."""
    lines = [page.title, page.about, ""]
    for heading, entries in (
        (page.members_heading, page.members),
        (page.moderators_heading, page.moderators),
    ):
        if not entries:
            continue
        lines.append(heading)
        for entry in entries:
            lines.append(f"  {entry.usage}")
            lines.append(f"      {entry.what}")
            if entry.example:
                lines.append(f"      {page.example_label} {entry.example}")
        lines.append("")
    return "\n".join(lines).rstrip()
