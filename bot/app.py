"""Wiring: builds the services from a Config, lazily, so a command opens only what it uses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.casestudies.service import SubmissionService
from bot.config import Config, ConfigError, display_path
from bot.posts.digest import DigestService, Periods
from bot.posts.indexer import PostIndexer
from bot.privacy.service import PrivacyService, opted_out_among
from bot.rate_limit import RateLimiter
from bot.replies import Replies
from bot.search.feedback import FeedbackService
from bot.search.library import Library
from bot.search.library_posts import LibraryPosts
from bot.search.related import RelatedService
from bot.sessions.dates import parse_duration
from bot.sessions.event_mirror import EventMirror
from bot.sessions.reminders import ReminderService
from bot.sessions.schedule import load_schedule
from bot.sessions.service import SessionService
from index.database import Database
from index.glossary import GlossaryError, load_vocabulary
from index.knowledge import KnowledgeBase
from index.language import LanguageDetector
from index.samples import seed_samples
from index.sections import SectionLabels
from index.tagger import Tagger


def utc_now() -> datetime:
    return datetime.now(UTC)


class App:
    """The services one process uses. Adapters (CLI, console, Discord) hold one and only translate."""

    def __init__(
        self,
        config: Config,
        clock: Callable[[], datetime] = utc_now,
        *,
        index_access: str = "write",
        verify_index: bool = False,
    ):
        self.config = config
        self.clock = clock
        self.index_access = index_access  # "read" for commands that only read (KnowledgeBase.open)
        self.verify_index = verify_index  # long-running processes check the index's bytes on open

    @cached_property
    def db(self) -> Database:
        return Database(self.config.db_path)

    @cached_property
    def knowledge(self) -> KnowledgeBase:
        s = self.config.settings
        kb = KnowledgeBase.open(
            self.db,
            self.config.index_dir,
            glossary_path=self.config.shared_file(s.glossary),
            countries_path=self.config.shared_file(s.countries),
            max_query_chars=s.search.max_query_chars,
            veto=opted_out_among,  # every document write honours opt-outs, whatever its path
            access=self.index_access,
            clock=self.clock,  # documents' updated_at: when they were shared, for the digest
            verify_contents=self.verify_index,
        )
        if s.samples and self.index_access != "check":
            seed_samples(kb, self.config.path(s.samples))
        return kb

    @cached_property
    def replies(self) -> Replies:
        return Replies.load(self.strings_path)

    @cached_property
    def section_labels(self) -> dict[str, SectionLabels]:
        """How a long document's sections are labelled (pages, parts), per language."""
        replies = self.replies
        return {
            lang: SectionLabels.from_strings(lambda key, lang=lang: replies.get(key, lang))
            for lang in replies.languages
        }

    @property
    def strings_path(self) -> Path:
        """The configured reply strings; a config folder without its own falls back to the shipped ones."""
        return self.config.shared_file(self.config.settings.strings)

    @cached_property
    def privacy(self) -> PrivacyService:
        return PrivacyService(
            self.db,
            lambda: self.knowledge,
            self.clock,
            parts=lambda: [
                self.posts.member_data(),
                self.submissions.member_data(),
                self.sessions.member_data(),
                self.feedback.member_data(),
                self.reminders.member_data(),
                self.related.member_data(),
            ],
        )

    @cached_property
    def feedback(self) -> FeedbackService:
        return FeedbackService(self.db, self.clock)

    @cached_property
    def reminders(self) -> ReminderService:
        return ReminderService(self.db, self.sessions.get, lambda: self.sessions.lead_times, self.clock)

    @cached_property
    def related(self) -> RelatedService:
        """Related experiences offered under questions (the adapter sets the channels where they are on,
        once it has resolved the configured names to ids)."""
        r = self.config.settings.discord.related
        return RelatedService(self.db, lambda: self.knowledge, self.clock, quiet=r.quiet, limit=r.limit)

    @cached_property
    def digests(self) -> DigestService:
        return DigestService(self.db, self.clock, self.digest_periods)

    @property
    def digest_periods(self) -> Periods:
        d = self.config.settings.digest
        return Periods(parse_duration(d.every), datetime.fromisoformat(d.starts), ZoneInfo(d.timezone))

    @cached_property
    def posts(self) -> PostIndexer:
        return PostIndexer(self.db, lambda: self.knowledge, self.privacy, self.clock)

    @cached_property
    def rate_limiter(self) -> RateLimiter:
        limit = self.config.settings.discord.rate_limit
        return RateLimiter(limit.questions, limit.per_seconds, self.clock)

    @cached_property
    def rate_limits(self) -> dict[str, RateLimiter]:
        """One cool-down per member action: "ask", "submit", "pages" and "privacy"."""
        limits = self.config.settings.discord.rate_limit
        actions = {"submit": limits.submit, "pages": limits.pages, "privacy": limits.privacy}
        return {
            "ask": self.rate_limiter,
            **{name: RateLimiter(a.times, a.per_seconds, self.clock) for name, a in actions.items()},
        }

    @cached_property
    def sessions(self) -> SessionService:
        s = self.config.settings
        return SessionService(
            self.db,
            self.config.path(s.sessions),
            clock=self.clock,
            lead_times=s.announcements.lead_times,
        )

    @cached_property
    def event_mirror(self) -> EventMirror:
        """Sessions → the platform's scheduled events (used when discord.scheduled_events is true)."""
        return EventMirror(self.db, self.sessions.upcoming, self.clock)

    def check_config(self) -> list[str]:
        """Validate every configuration file without opening the database; one line per file checked.

        Raises ConfigError listing every problem. `config check` prints this; `run` and `chat` call it
        at start-up so that a bad file stops the bot with a clear message.
        """
        s = self.config.settings
        checked = [f"{display_path(self.config.config_file)}: settings ok"]
        problems: list[str] = []
        checks = [
            (
                self.config.shared_file(s.glossary),
                lambda p: f"{len(load_vocabulary(p, 'glossary').concepts)} concepts",
            ),
            (
                self.config.shared_file(s.countries),
                lambda p: f"{len(load_vocabulary(p, 'countries').concepts)} countries",
            ),
            (self.config.path(s.sessions), lambda p: f"{len(load_schedule(p))} sessions"),
            (self.strings_path, lambda p: f"{len(Replies.load(p).languages)} languages"),
        ]
        for path, check in checks:
            try:
                checked.append(f"{display_path(path)}: {check(path)} ok")
            except (ConfigError, GlossaryError) as exc:
                problems.extend(exc.problems)
        if problems:
            raise ConfigError(problems)
        return checked

    def readiness_for_run(self) -> tuple[list[str], list[str]]:
        """What `run` needs from the settings: (missing essentials, warnings), one line each.

        Checked without Discord: whether the names exist on the server is only known once connected.
        """
        s = self.config.settings
        d = s.discord
        where = display_path(self.config.config_file)
        missing = [
            f"{where}: discord.{key}: not set; `run` needs it: {why}"
            for key, unset, why in (
                ("guild", d.guild is None, "name the server (its id or its name)"),
                ("index_channels", not d.index_channels, "name at least one channel whose posts are indexed"),
                (
                    "moderators",
                    not (d.moderators.users or d.moderators.roles or d.moderators.manage_server),
                    "name the moderators (users: ids, roles: ids or names), or set manage_server: true",
                ),
                ("review_channel", d.review_channel is None, "name the channel for case-study review"),
            )
            if unset
        ]
        warnings = []
        if d.moderators.manage_server and not (d.moderators.users or d.moderators.roles):
            warnings.append(
                f"{where}: discord.moderators: no users or roles; only members with Manage Server "
                "(or Administrator) are moderators"
            )
        if d.announce_channel is None:
            warnings.append(
                f"{where}: discord.announce_channel: not set; session reminders and published case "
                "studies will not be posted"
            )
        related = [str(c).lstrip("#").casefold() for c in d.related.channels]
        indexed = {str(c).lstrip("#").casefold() for c in d.index_channels}
        if stray := [c for c, ref in zip(d.related.channels, related, strict=True) if ref not in indexed]:
            warnings.append(
                f"{where}: discord.related.channels: {', '.join(map(str, stray))} not among index_channels; "
                "related experiences are offered only in indexed channels"
            )
        if s.digest.enabled and d.announce_channel is None:
            warnings.append(f"{where}: digest.enabled: true but discord.announce_channel unset: no digest")
        if d.library_channel is None:
            warnings.append(
                f"{where}: discord.library_channel: not set; approved case studies and `index add "
                "--publish` documents wait unpublished (nothing opens from an answer)"
            )
        if s.samples:
            warnings.append(
                f"{where}: samples: set; the demo's invented posts and case studies will be seeded into "
                "an empty data directory and shown to members (for a real server: `clikc-bot init DIR`)"
            )
        return missing, warnings

    @cached_property
    def submissions(self) -> SubmissionService:
        s = self.config.settings
        return SubmissionService(
            self.db,
            self.config.files_dir,
            lambda: self.knowledge,  # opened only when a submission is analysed or published
            s.discord.moderators,
            self.clock,
            max_file_bytes=int(s.ingest.max_file_mb * 1024 * 1024),
            work_limits=s.ingest.work_limits(),
            section_chars=s.ingest.section_chars,
            section_labels=self.section_labels,
            tagger=lambda: self.tagger,
        )

    @cached_property
    def tagger(self) -> Tagger:
        """What a text is about, without opening the search index (a submission needs only this)."""
        if "knowledge" in self.__dict__:  # already open: reuse its vocabularies
            return self.knowledge.tagger
        s = self.config.settings
        return Tagger(
            load_vocabulary(self.config.shared_file(s.glossary), "glossary"),
            load_vocabulary(self.config.shared_file(s.countries), "countries"),
            LanguageDetector(),
        )

    @cached_property
    def library_posts(self) -> LibraryPosts:
        """The library channel's ledger: the posts documents should have, and those they have."""
        return LibraryPosts(self.db, lambda: self.knowledge, self.submissions.folder, self.clock)

    @cached_property
    def library(self) -> Library:
        """What is published (the web library); base_url only when the web is on, for Discord's links."""
        web = self.config.settings.web
        return Library(
            self.db,
            lambda: self.submissions,
            lambda: self.knowledge,
            base_url=web.base_url if web.enabled else None,
        )

    def calendar_feed_url(self, lang: str | None = None) -> str | None:
        """The public address of the web's calendar feed (titles in `lang`), None unless the web is on
        with a base_url: what Discord shows members so they subscribe once instead of importing files."""
        web = self.config.settings.web
        if not (web.enabled and web.base_url):
            return None
        return f"{web.base_url}/calendar/{lang}.ics" if lang else f"{web.base_url}/calendar.ics"

    @cached_property
    def web_rate_limiter(self) -> RateLimiter:
        """Searches per address on the web (a separate budget from Discord's questions per member)."""
        limit = self.config.settings.web.rate_limit
        return RateLimiter(limit.searches, limit.per_seconds, self.clock)

    def close(self) -> None:
        if "knowledge" in self.__dict__:
            self.knowledge.close()
        if "db" in self.__dict__:
            self.db.close()
