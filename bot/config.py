"""Settings: one YAML file, validated at start, with one clear line per problem.

Nothing is read at import time; `load_settings` is called by the CLI with the paths it was given.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.sessions.dates import parse_duration
from index.documents import LANGUAGES
from index.errors import yaml_problem
from index.worker import WorkLimits

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Files a configuration folder may leave out: the shipped ones are used instead (`Config.shared_file`).
SHARED_FILES = ("glossary.yaml", "countries.yaml", "strings.yaml")


def packaged_config_dir() -> Path:
    """Where an installed bot keeps the shipped settings and data (`config/` as package data)."""
    return Path(str(resources.files("bot") / "defaults"))


def default_config_dir() -> Path:
    """The shipped settings and data: the checkout's `config/` when running from the repository,
    else the copy installed with the package."""
    checkout = PROJECT_ROOT / "config"
    return checkout if (checkout / "clikc.yaml").is_file() else packaged_config_dir()


def user_data_dir() -> Path:
    """The demo's data directory for an installed bot (the package folder is not writable)."""
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        base = Path(os.environ["LOCALAPPDATA"])
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "clikc-bot"


def display_path(path: Path) -> str:
    """A path as users should read it: relative to the working folder, or marked as built in."""
    here = Path.cwd()
    bases = [(packaged_config_dir(), "(built-in) "), (default_config_dir(), "(built-in) ")]
    if here != Path(here.anchor):  # from / (a service's folder) every path would look relative
        bases.insert(1, (here, ""))
    for base, prefix in bases:
        try:
            return prefix + str(path.relative_to(base.resolve()))
        except ValueError:
            continue
    return str(path)


DEFAULT_CONFIG = default_config_dir() / "clikc.yaml"


class ConfigError(Exception):
    """Configuration that cannot be used. `problems` are complete one-line messages for users."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SearchSettings(_Strict):
    max_query_chars: int = Field(500, ge=10, le=10_000)
    default_limit: int = Field(5, ge=1, le=50)


class IngestSettings(_Strict):
    max_file_mb: float = Field(10, gt=0, le=200)
    max_export_mb: float = Field(1024, gt=0, le=16 * 1024)  # JSON lines and chat exports (streamed)
    worker_memory_mb: int = Field(768, ge=256, le=64 * 1024)  # parsing one file, in its own process
    worker_cpu_seconds: int = Field(60, ge=5, le=3600)
    section_chars: int = Field(20_000, ge=1_000, le=2_000_000)  # longer files are indexed as sections

    def work_limits(self) -> WorkLimits:
        return WorkLimits(
            memory_mb=self.worker_memory_mb,
            cpu_seconds=self.worker_cpu_seconds,
            wall_seconds=2 * self.worker_cpu_seconds,
        )


class ActionLimit(_Strict):
    """At most `times` of one member action in any `per_seconds` window."""

    times: int = Field(ge=1)
    per_seconds: int = Field(ge=1)


class RateLimit(_Strict):
    questions: int = Field(5, ge=1)  # /ask and @mentions…
    per_seconds: int = Field(60, ge=1)  # …in this window
    submit: ActionLimit = ActionLimit(times=5, per_seconds=3600)  # /submit forms opened
    pages: ActionLimit = ActionLimit(times=30, per_seconds=60)  # answer pages turned
    privacy: ActionLimit = ActionLimit(times=5, per_seconds=60)  # /privacy commands


class Moderators(_Strict):
    users: list[int | str] = []  # Discord user ids (or console user names)
    roles: list[int | str] = []  # role ids (preferred) or names, looked up in the home server only
    manage_server: bool = True  # members with Manage Server (or Administrator) count as moderators
    self_review: bool = False  # may a moderator approve or reject their own submission?


class RelatedSettings(_Strict):
    """Related experiences offered in a thread under a member's question (off unless channels are named)."""

    channels: list[int | str] = []  # indexed channels (ids or names) where the bot may offer them
    quiet_time: str = "24h"  # not again to the same member within this time
    limit: int = Field(3, ge=1, le=3)  # experiences offered at most

    @field_validator("quiet_time")
    @classmethod
    def _quiet(cls, value: str) -> str:
        parse_duration(value)
        return value

    @property
    def quiet(self) -> timedelta:
        return parse_duration(self.quiet_time)


class DiscordSettings(_Strict):
    guild: int | str | None = None
    index_channels: list[int | str] = []  # channels (and their threads) whose posts are indexed
    announce_channel: int | str | None = None
    review_channel: int | str | None = None
    library_channel: int | str | None = None  # approved case studies are posted here (forum or text)
    moderators: Moderators = Moderators()
    sync_global: bool = False
    scheduled_events: bool = True  # used only when the bot has the event permissions (issue 13)
    message_content: bool = True  # the privileged intent; false: no passive indexing, backfill or edits
    rate_limit: RateLimit = RateLimit()
    related: RelatedSettings = RelatedSettings()


class AnnouncementSettings(_Strict):
    lead_times: list[str] = ["7d", "1d", "1h"]

    @field_validator("lead_times")
    @classmethod
    def _durations(cls, value: list[str]) -> list[str]:
        for item in value:
            parse_duration(item)  # DateProblem is a ValueError: reported as this field's problem
        return value


class DigestSettings(_Strict):
    """A digest of what was shared, posted in the announce channel once per period (off by default)."""

    enabled: bool = False
    every: str = "7d"  # the period: at least 1h
    starts: str = "2024-01-01 09:00"  # when the first period starts (a Monday), wall-clock in `timezone`
    timezone: str = "UTC"

    @field_validator("every")
    @classmethod
    def _every(cls, value: str) -> str:
        if parse_duration(value) < timedelta(hours=1):
            raise ValueError(f"every must be at least 1h, not {value!r}")
        return value

    @field_validator("starts")
    @classmethod
    def _starts(cls, value: str) -> str:
        try:
            when = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise ValueError(
                f"cannot read {value!r} as a date and time; write e.g. 2024-01-01 09:00"
            ) from None
        if when.tzinfo is not None:
            raise ValueError("starts is a wall-clock time: give the zone in digest.timezone, not here")
        return str(value).strip()

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; write e.g. UTC or America/Mexico_City") from None
        return value


class WebRateLimit(_Strict):
    searches: int = Field(30, ge=1)
    per_seconds: int = Field(60, ge=1)


class WebSettings(_Strict):
    """The optional web library and calendar feed (bot/web). Off unless `enabled` or `clikc-bot serve`."""

    enabled: bool = False  # true: `clikc-bot run` serves the web pages in the bot's process too
    host: str = "127.0.0.1"  # loopback: put a reverse proxy (HTTPS) in front to publish it
    port: int = Field(8080, ge=1, le=65535)
    base_url: str | None = None  # public address, e.g. https://library.example.org: links in Discord
    trust_forwarded_for: bool = False  # true behind a proxy: rate-limit by X-Forwarded-For's last address
    calendar_cache_seconds: int = Field(30, ge=0, le=3600)  # rebuild a calendar feed at most this often
    rate_limit: WebRateLimit = WebRateLimit()  # searches per address

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError(f"base_url must be an http(s) address like https://example.org, not {value!r}")
        return value


class Settings(_Strict):
    data_dir: str = "../var"
    glossary: str = "glossary.yaml"
    countries: str = "countries.yaml"
    sessions: str = "sessions.yaml"
    strings: str = "strings.yaml"
    samples: str | None = None  # demo content seeded into an empty data directory; the demo config sets it
    languages: list[str] = list(LANGUAGES)
    log_level: str = "INFO"
    search: SearchSettings = SearchSettings()
    ingest: IngestSettings = IngestSettings()
    discord: DiscordSettings = DiscordSettings()
    announcements: AnnouncementSettings = AnnouncementSettings()
    digest: DigestSettings = DigestSettings()
    web: WebSettings = WebSettings()

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        unknown = [lang for lang in value if lang not in LANGUAGES]
        if unknown:
            raise ValueError(f"unsupported language(s) {unknown}; choose from {list(LANGUAGES)}")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"unknown log level {value!r}")
        return value.upper()


@dataclass(frozen=True)
class Config:
    """Validated settings plus the resolved paths every service needs."""

    settings: Settings
    config_file: Path
    data_dir: Path

    @property
    def config_dir(self) -> Path:
        return self.config_file.parent

    def path(self, relative: str) -> Path:
        """A path named in the config file, relative to the config file's folder."""
        return (self.config_dir / relative).resolve()

    def shared_file(self, relative: str) -> Path:
        """A glossary, countries or strings file: the configured one, or the shipped one when the
        configuration folder does not have its own (so upgrades bring new terms and strings)."""
        configured = self.path(relative)
        if not configured.exists() and relative in SHARED_FILES:
            return default_config_dir() / relative
        return configured

    @property
    def db_path(self) -> Path:
        return self.data_dir / "clikc.db"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"


def find_config_file(explicit: str | os.PathLike | None = None) -> Path:
    """--config, else $CLIKC_CONFIG, else ./config/clikc.yaml, else the one shipped with the project."""
    if explicit:
        return Path(explicit)
    if os.environ.get("CLIKC_CONFIG"):
        return Path(os.environ["CLIKC_CONFIG"])
    local = Path.cwd() / "config" / "clikc.yaml"
    return local if local.is_file() else default_config_dir() / "clikc.yaml"


def read_yaml(path: Path) -> Any:
    """Parse a YAML file or raise ConfigError naming the file and the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{path}: file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where, problem = yaml_problem(exc)
        raise ConfigError([f"{path}{where}: invalid YAML: {problem}"]) from None


def validation_problems(path: Path, exc: ValidationError, prefix: str = "") -> list[str]:
    """One line per pydantic error: file, dotted location, message."""
    lines = []
    for err in exc.errors():
        loc = ".".join(str(part) for part in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        lines.append(f"{path}: {prefix}{loc}: {msg}")
    return lines


def load_config(
    config_file: str | os.PathLike | None = None, data_dir: str | os.PathLike | None = None
) -> Config:
    path = find_config_file(config_file).resolve()
    raw = read_yaml(path)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError([f"{path}: expected a mapping of settings at the top level"])
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(validation_problems(path, exc)) from None
    return Config(settings=settings, config_file=path, data_dir=_data_dir(path, settings, data_dir))


def load_config_for_check(
    config_file: str | os.PathLike | None = None, data_dir: str | os.PathLike | None = None
) -> tuple[Config, list[str], set[str]]:
    """(the settings with each invalid section at its default, every problem of the file, the
    sections not read: "*" when the file could not be read at all).

    `config check` still checks the files the settings name (and what `run` needs) when the
    settings file itself is broken, so one round shows every problem of every file."""
    try:
        return load_config(config_file, data_dir), [], set()
    except ConfigError as exc:
        problems = exc.problems
    path = find_config_file(config_file).resolve()
    try:
        raw = read_yaml(path)
    except ConfigError:
        raw = None
    unread = set() if isinstance(raw, dict) else {"*"}
    raw = dict(raw) if isinstance(raw, dict) else {}
    while True:
        try:
            settings = Settings.model_validate(raw)
            break
        except ValidationError as exc:
            bad = {err["loc"][0] for err in exc.errors() if err["loc"]} & set(raw)
            if not bad:
                settings, unread = Settings(), {"*"}
                break
            unread |= {str(key) for key in bad}
            raw = {key: value for key, value in raw.items() if key not in bad}
    config = Config(settings=settings, config_file=path, data_dir=_data_dir(path, settings, data_dir))
    return config, problems, unread


def _data_dir(path: Path, settings: Settings, data_dir: str | os.PathLike | None) -> Path:
    chosen = data_dir or os.environ.get("CLIKC_DATA_DIR")
    if chosen:
        resolved = Path(chosen).resolve()
    elif path.parent == packaged_config_dir().resolve():
        resolved = user_data_dir()  # the installed demo: never write inside the package
    else:
        resolved = (path.parent / settings.data_dir).resolve()
    return resolved
