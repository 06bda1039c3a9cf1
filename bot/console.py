"""The bot in a terminal: the same commands as Discord, one per line, answers as plain text.

Modelled on errbot's text backend: reads lines from any stream, so `clikc-bot chat < script.txt`
works for trying the bot, for moderators' scripting and for tests. The person at the console owns
the database, so they may use the moderator commands.
"""

from __future__ import annotations

import contextlib
import getpass
import io
import logging
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from bot.app import App
from bot.console_usage import console_parser, console_usages
from bot.help import HelpFeatures, as_text, console_help
from bot.search.asking import AskRequest, UnknownChoice, parse_ask, search
from bot.terminal.answers import render_answer
from bot.text.input_errors import localised_input_error
from bot.text.stats import stats_fields
from index.errors import InputError
from index.knowledge import UnknownCountry

log = logging.getLogger(__name__)


@dataclass
class _LastQuestion:
    request: AskRequest
    offset: int
    total: int


@dataclass
class Console:
    app: App
    stdin: TextIO
    stdout: TextIO
    stderr: TextIO
    locale: str = "en"
    user: str = field(default_factory=getpass.getuser)
    interactive: bool = False
    failures: int = 0
    _last: _LastQuestion | None = None

    @property
    def member_id(self) -> str:
        return f"console:{self.user}"

    def say(self, text: str) -> None:
        print(text, file=self.stdout, flush=True)

    def t(self, key: str, **fields: object) -> str:
        return self.app.replies.get(key, self.locale, **fields)

    def commands(self) -> dict[str, Callable[[str], str | None]]:
        return {
            "ask": self.ask,
            "more": self.more,
            "privacy": self.privacy,
            "sessions": self.sessions,
            "submit": self.submit,
            "review": self.review,
            "stats": self.stats,
            "reindex": self.reindex,
            "help": self.help,
            "?": self.help,
        }

    def run(self, greet: bool = True) -> int:
        """Read until EOF or quit. Exit status 2 if any line was bad input (for scripts), else 0."""
        if greet:
            self.say(self.t("greeting"))
            self.say(self.t("hint"))
        while True:
            if self.interactive:
                print("> ", end="", file=self.stdout, flush=True)
            line = self.stdin.readline()
            if not line:
                if self.interactive:
                    self.say("")
                break
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.lower() in {"quit", "exit", "bye", "/quit"}:
                if self.interactive:
                    self.say(self.t("bye"))
                break
            reply = self.handle(line)
            if reply:
                self.say(reply)
        return 2 if self.failures and not self.interactive else 0

    def handle(self, line: str) -> str | None:
        """One line → the reply text. Bad input is reported on stderr and the session goes on."""
        word, _, rest = line.partition(" ")
        command = self.commands().get(word.lower().lstrip("/"))
        try:
            return command(rest.strip()) if command else self.ask(line)
        except UnknownChoice as exc:
            self.fail(self.t(f"unknown_{exc.what}", value=exc.value))
        except UnknownCountry as exc:
            self.fail(self.t("unknown_country", value=exc.value, known=", ".join(exc.choices)))
        except InputError as exc:
            self.fail(localised_input_error(exc, self.app.replies, self.locale))
        except Exception:
            log.exception("console command %s failed", word.lower() if command else "ask")  # no user text
            self.fail(self.t("error"))
        return None

    def fail(self, message: str) -> None:
        self.failures += 1
        print(f"clikc-bot: {message}", file=self.stderr, flush=True)

    # -- commands ------------------------------------------------------------------------------------

    @property
    def page(self) -> int:
        return self.app.config.settings.search.default_limit

    def ask(self, rest: str) -> str:
        request = parse_ask(rest)
        if not request.question:
            return self.t("ask_empty")
        return self._show(request, 0)

    def more(self, rest: str) -> str:
        last = self._last
        if last is None or last.offset + self.page >= last.total:
            raise InputError(self.t("console.more_none"))
        return self._show(last.request, last.offset + self.page)

    def _show(self, request: AskRequest, offset: int) -> str:
        answer = search(self.app.knowledge, request, self.page, offset)
        self._last = _LastQuestion(request, offset, answer.total)
        if not answer.results:
            text = self.t("no_results", query=answer.query)
            if answer.did_you_mean:
                text = self.t("did_you_mean", suggestion=answer.did_you_mean) + "\n" + text
            return text
        return render_answer(
            answer, offset=offset, more_hint=self.t("console.more_hint"), say=self.t, lang=self.locale
        )

    def privacy(self, rest: str) -> str:
        args = shlex.split(rest)
        if not args or args[0] not in {"optout", "optin", "status"}:
            raise InputError(self.t("console.privacy_usage"))
        member = args[1] if len(args) > 1 else self.member_id
        service = self.app.privacy
        if args[0] == "optout":
            return self.t("optout_done", count=service.opt_out(member, platform="console"))
        if args[0] == "optin":
            return self.t("optin_done" if service.opt_in(member) else "optin_already")
        status = service.status(member)
        if status.opted_out and status.since:
            return self.t("status_out", date=status.since.date().isoformat())
        return self.t("console.status_in")  # names the console's command, not Discord's

    def sessions(self, rest: str) -> str:
        """`sessions [--all] [--ics FILE]`: the listing the CLI prints (times in each session's own zone)."""
        args = shlex.split(rest)
        if "-" in args:
            raise InputError(self.t("console.sessions_ics_file"))
        if "--lang" not in args:
            args += ["--lang", self.locale]  # titles in the console's language
        return self._run(["sessions", *args])

    def submit(self, rest: str) -> str:
        """`submit PATH [--title …]`: the CLI's submit (bot.terminal.review), run by the operator here."""
        args = shlex.split(rest)
        if args and not args[0].startswith("-"):
            args = ["--file", *args]
        return self._run(["submit", *args])

    def review(self, rest: str) -> str:
        """`review list|show ID|approve ID|reject ID REASON|withdraw ID REASON|edit ID …|outbox`."""
        args = shlex.split(rest) or ["list"]
        if args[0] in ("reject", "withdraw") and len(args) > 2 and "--reason" not in args:
            args = [args[0], args[1], "--reason", " ".join(args[2:])]
        return self._run(["review", *args])

    def _run(self, argv: list[str]) -> str:
        """Run a command shared with the CLI (bot.terminal: same options, same output) and return its text."""
        errors = io.StringIO()
        try:
            with contextlib.redirect_stderr(errors):  # argparse reports bad options on stderr, then exits
                args = console_parser().parse_args(argv)
        except SystemExit:
            message = errors.getvalue().strip().splitlines()
            raise InputError(message[-1].removeprefix("clikc-bot ") if message else "bad command") from None
        if getattr(args, "lang", None) is None:
            args.lang = self.locale  # receipts, listings and notes in the console's language
        out = io.StringIO()
        args.handler(args, self.app, out)
        return out.getvalue().rstrip("\n")

    def help(self, rest: str) -> str:
        """The same help as Discord's /help, with the console's syntax (every option, from the parsers)."""
        features = HelpFeatures.of(self.app.config.settings)
        return as_text(console_help(self.app.replies, self.locale, console_usages(), features))

    def stats(self, rest: str) -> str:
        # kinds and technologies by their names in the console's language ("estudio de caso 5")
        return self.t("stats", **stats_fields(self.app.knowledge.stats(), self.t))

    def reindex(self, rest: str) -> str:
        return self.t("reindex_done", count=self.app.knowledge.rebuild())
