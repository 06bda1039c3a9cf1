"""Running the real ClikcBot against the Discord double, the way `clikc-bot run` builds it.

A settings file is written to tmp_path (so config loading and validation run too) naming the
double's guild, channels and roles; `App(load_config(...))` over a tmp data directory, then the bot
comes from `bot.launch`'s own factory. A restart is a new process: a new App over the same data
directory and a new bot.

Waiting is always on something the bot did, with a timeout: the double's records, a discord.py
event plus the bot's index-writer queue, or the bot's own "backfill finished" log line.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from bot.app import App
from bot.config import PROJECT_ROOT, load_config
from bot.launch import bot_factory
from tests.discord_double import BotRunner, DiscordDouble, InteractionRecord

TIMEOUT = 5.0
CONFIG_DIR = PROJECT_ROOT / "config"
STRINGS = yaml.safe_load((CONFIG_DIR / "strings.yaml").read_text(encoding="utf-8"))
INDEXED = ("experiences", "general")  # the world's forum and announcements channel are not indexed
JUMP = re.compile(r"\]\((https://discord\.com/channels/\d+/\d+/\d+)\)")
DEFER, MESSAGE, UPDATE = 5, 4, 7  # interaction callback types


class Clock:
    """The App's injected clock: fixed until a test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


# One session, so what is due when is known: 10 March 2026 15:00 in Mexico City is 21:00 UTC.
SESSION_START = datetime(2026, 3, 10, 21, 0, tzinfo=UTC)
SESSIONS_YAML = """\
- id: iot-webinar-2026-03
  title:
    en: "Webinar: IoT seals in transit"
    es: "Webinario: precintos IoT en tránsito"
    fr: "Webinaire : scellés IoT en transit"
    pt: "Webinário: lacres IoT em trânsito"
  start: 2026-03-10 15:00
  duration: 1h
  timezone: America/Mexico_City
  link: https://example.org/iot-webinar
"""


def write_config(folder: Path, double: DiscordDouble) -> Path:
    """The settings a moderator would write for the double's guild (names, and one id, like a real file)."""
    world = double.world
    (folder / "sessions.yaml").write_text(SESSIONS_YAML, encoding="utf-8")
    settings = {
        "data_dir": "data",
        "glossary": str(CONFIG_DIR / "glossary.yaml"),
        "countries": str(CONFIG_DIR / "countries.yaml"),
        "sessions": "sessions.yaml",
        "strings": str(CONFIG_DIR / "strings.yaml"),
        "samples": str(CONFIG_DIR / "samples"),
        "log_level": "INFO",
        "announcements": {"lead_times": ["7d", "1d", "1h"]},
        "discord": {
            "guild": world.guild.name,
            "index_channels": ["#experiences", int(world.channel("general")["id"])],
            "announce_channel": "announcements",
            "review_channel": "moderation",
            "moderators": {"users": [], "roles": ["Moderator"]},
            # tests ask many questions in a row; the cool-down has its own unit tests
            "rate_limit": {"questions": 1000, "per_seconds": 1},
        },
    }
    path = folder / "clikc.yaml"
    path.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


class _LineWatcher(logging.Handler):
    """Signals an asyncio.Event when a log line matching ``pattern`` is emitted (from any thread)."""

    def __init__(self, pattern: str, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(logging.DEBUG)
        self.pattern = re.compile(pattern)
        self.seen = asyncio.Event()
        self.loop = loop

    def emit(self, record: logging.LogRecord) -> None:
        if self.pattern.search(record.getMessage()):
            self.loop.call_soon_threadsafe(self.seen.set)


@contextlib.asynccontextmanager
async def log_line(logger_name: str, pattern: str, timeout: float = TIMEOUT):
    """Within the block, something should log ``pattern`` (at INFO or above); await it on exit."""
    logger = logging.getLogger(logger_name)
    watcher = _LineWatcher(pattern, asyncio.get_running_loop())
    old_level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(watcher)
    try:
        yield
        try:
            async with asyncio.timeout(timeout):
                await watcher.seen.wait()
        except TimeoutError:
            raise AssertionError(f"{logger_name} did not log /{pattern}/ within {timeout}s") from None
    finally:
        logger.removeHandler(watcher)
        logger.setLevel(old_level)


class _Errors(logging.Handler):
    """ERROR records from the bot's own loggers: a failed index write or background task is logged,
    not raised, so a test must look for it (the bot_runner fixture watches only discord.py's)."""

    LOGGERS = ("bot", "index")

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []
        for name in self.LOGGERS:
            logging.getLogger(name).addHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def detach(self) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).removeHandler(self)

    def report(self) -> str:
        return "\n".join(logging.Formatter("%(name)s: %(message)s").format(r) for r in self.records)


@dataclass
class Answer:
    """What a member saw for /ask: the embed of the first follow-up, and the request that sent it."""

    interaction: InteractionRecord
    message: dict[str, Any]

    @property
    def embed(self) -> dict[str, Any]:
        return self.message["embeds"][0]

    @property
    def links(self) -> list[str]:
        """Jump URLs of the answers, in rank order."""
        return [m for f in self.embed.get("fields", []) for m in JUMP.findall(f["value"])]

    def field_for(self, url: str) -> dict[str, Any]:
        return next(f for f in self.embed["fields"] if url in f["value"])


class Clikc:
    """One ClikcBot at a time against the double; ``start``/``restart`` build it as `clikc-bot run` does."""

    def __init__(self, double: DiscordDouble, runner: BotRunner, folder: Path) -> None:
        self.double = double
        self.runner = runner
        if not any(c["name"] == "moderation" for c in double.world.guild.channels.values()):
            double.world.add_text_channel(double.world.guild, "moderation")  # where submissions are reviewed
        self.config_path = write_config(folder, double)
        self.clock = Clock(datetime(2026, 3, 2, 14, 0, tzinfo=UTC))
        self.app: App | None = None  # the running (or last) process's App
        self._open: list[App] = []
        self.bot = None
        self.errors = _Errors()

    def use_discord_settings(self, **values: Any) -> None:
        """Change entries of the settings file's ``discord:`` block (before the next start)."""
        settings = yaml.safe_load(self.config_path.read_text(encoding="utf-8"))
        settings["discord"].update(values)
        self.config_path.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), "utf-8")

    def new_app(self) -> App:
        self.app = App(load_config(self.config_path), clock=self.clock)
        self.app.check_config()  # as `clikc-bot run` does: settings, sessions and strings validated
        self._open.append(self.app)
        return self.app

    def _close_apps(self) -> None:
        while self._open:
            self._open.pop().close()

    async def start(self):
        """Build and connect the bot; return once commands are synced and the backfill has finished."""
        bot = bot_factory(self.new_app())
        async with log_line("bot.discord.cogs.indexing", r"^backfill finished"):
            await self.runner.start(bot)
        self.bot = bot
        return bot

    async def stop(self) -> None:
        """Shut down as the process would: the bot (pending writes committed), then the App."""
        await self.runner.stop()
        self.bot = None
        self._close_apps()

    async def restart(self):
        await self.stop()
        return await self.start()

    async def close(self) -> None:
        """Stop everything; fail if the bot logged an error meanwhile."""
        try:
            await self.runner.stop()
            self._close_apps()
        finally:
            self.errors.detach()
        assert not self.errors.records, f"the bot logged errors during the test:\n{self.errors.report()}"

    async def take_over_planner(self):
        """Let the announcement planner finish the run it is in (or, if it waits for the next minute,
        run once more), then stop its timer: the test then drives it with ``run_once()``, with the
        App's clock, and no run can overlap another."""
        cog = self.bot.get_cog("AnnouncerCog")
        planner = cog.planner
        assert planner.is_running(), "the planner starts once the bot is configured"
        task = planner.get_task()
        planner.stop()  # return after the current iteration…
        planner.change_interval(seconds=0)  # …and wake it if it is sleeping until the next minute
        async with asyncio.timeout(TIMEOUT):
            await task
        return cog

    def processed(self, event: str, check: Callable[..., bool] = lambda *args: True) -> Awaitable[tuple]:
        """Call before driving the double: awaits the bot's dispatch of ``event`` (matching ``check``)
        and every index write queued until then.

        The observer is added after the cogs' listeners, and discord.py starts listener tasks in that
        order, so when it runs the cogs have already queued their writes; ``writer.join()`` then waits
        for them to be committed.
        """
        bot = self.bot
        loop = asyncio.get_running_loop()
        seen: asyncio.Future[tuple] = loop.create_future()

        async def observer(*args: Any) -> None:
            if seen.done() or not check(*args):
                return
            await bot.writer.join()
            if not seen.done():
                seen.set_result(args)

        name = f"on_{event}"
        bot.add_listener(observer, name)

        async def wait() -> tuple:
            try:
                async with asyncio.timeout(TIMEOUT):
                    return await seen
            except TimeoutError:
                raise AssertionError(f"the bot did not process {event} within {TIMEOUT}s") from None
            finally:
                bot.remove_listener(observer, name)

        return wait()

    # ---- members' actions, awaited until the bot has done its part ------------------------------

    async def post(self, channel: str, author: str, content: str, **kwargs: Any) -> dict[str, Any]:
        """A member posts; returns once the bot has indexed (or skipped) it."""
        done = self.processed("message", lambda m: m.content == content and not m.author.bot)
        message = await self.double.post_message(channel, author, content, **kwargs)
        await done
        return message

    async def edit(self, message: dict[str, Any], content: str) -> dict[str, Any]:
        done = self.processed("raw_message_edit", lambda e: e.message_id == int(message["id"]))
        edited = await self.double.edit_message(message, content)
        await done
        return edited

    async def delete(self, message: dict[str, Any]) -> None:
        done = self.processed("raw_message_delete", lambda e: e.message_id == int(message["id"]))
        await self.double.delete_message(message)
        await done

    async def delete_thread(self, thread: str | dict[str, Any]) -> None:
        """A moderator deletes a thread or forum post; returns once the bot has updated the index."""
        thread_id = int(self.double.world.channel(thread)["id"])
        done = self.processed("raw_thread_delete", lambda e: e.thread_id == thread_id)
        await self.double.delete_thread(thread)
        await done

    async def ask(self, question: str, *, user: str = "joao", locale: str = "en-US", **options) -> Answer:
        """/ask: deferred ("thinking"), then the answer as a follow-up with an embed."""
        interaction = await self.double.slash(
            "ask", {"question": question, **options}, user=user, locale=locale
        )
        callback = await self.double.wait_for_callback(interaction, timeout=TIMEOUT)
        assert callback["type"] == DEFER, callback
        followup = await self.double.wait_for_followup(interaction, timeout=TIMEOUT)
        return Answer(interaction, followup)

    async def command(self, command: str, options: dict[str, Any] | None = None, **kwargs: Any):
        """Any slash command; returns (interaction, what the member finally sees)."""
        interaction = await self.double.slash(command, options, **kwargs)
        callback = await self.double.wait_for_callback(interaction, timeout=TIMEOUT)
        if callback["type"] == DEFER:
            return interaction, await self.double.wait_for_followup(interaction, timeout=TIMEOUT)
        return interaction, callback["data"]


def jump_url(double: DiscordDouble, message: dict[str, Any]) -> str:
    """How Discord (and discord.py's Message.jump_url) links to a message."""
    return f"https://discord.com/channels/{double.world.guild.id}/{message['channel_id']}/{message['id']}"


def string(lang: str, key: str, **values: Any) -> str:
    """A reply string from config/strings.yaml, formatted; English when the language lacks the key."""
    text = STRINGS[lang].get(key, STRINGS["en"][key])
    return text.format(**values)


def pings_nobody(body: dict[str, Any] | None) -> bool:
    """Allowed mentions that let nothing ping: no parse types, no explicit users or roles."""
    allowed = (body or {}).get("allowed_mentions")
    return (
        allowed is not None
        and allowed.get("parse") == []
        and not allowed.get("users")
        and not allowed.get("roles")
        and not allowed.get("replied_user")
    )


def grant_bot_role(double: DiscordDouble, permissions: int, name: str = "CLiKC bot") -> None:
    """Give the bot a role with these permissions, as inviting it with a permissions integer does
    (call before the bot starts: the guild's payload carries its roles)."""
    world = double.world
    world.add_role(world.guild, name, permissions=permissions)
    world.add_member(world.guild, world.bot_user, roles=[name])
