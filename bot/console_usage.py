"""The console's command syntax, read from the parsers that run the commands, so help lists every
option the console accepts and cannot drift from them. The commands it shares with the command line
(`sessions`, `submit`, `review`) are defined once in bot.terminal; both build their parsers there."""

from __future__ import annotations

import argparse

from bot.search.asking import ask_parser
from bot.terminal import review, sessions

# the console's own commands (sessions, submit and review come from console_parser())
FIXED = {
    "more": "more",
    "privacy": "privacy optout|optin|status [MEMBER]",
    "help": "help",
    "quit": "quit",
    "stats": "stats",
    "reindex": "reindex",
}


def console_parser() -> argparse.ArgumentParser:
    """The shared commands with the command line's options (and its name in error messages)."""
    parser = argparse.ArgumentParser(prog="clikc-bot")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    sessions.register(sub)
    review.register(sub)
    return parser


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # private API: argparse keeps sub-parsers only in _actions
        if isinstance(action, argparse._SubParsersAction):  # private API: argparse's sub-parser action
            return dict(action.choices)
    return {}


def _option(action: argparse.Action) -> str:
    if not action.option_strings:  # positional
        name = action.metavar or action.dest.upper()
        return f"[{name}…]" if action.nargs in ("*", "?") else f"{name}…" if action.nargs == "+" else name
    flags = "|".join(action.option_strings)
    if action.nargs == 0:
        return f"[{flags}]"
    choices = "|".join(map(str, action.choices or ()))
    value = choices or action.metavar or action.dest.upper()
    text = f"{flags} {value}"
    return text if action.required else f"[{text}]"


def usage(prog: str, parser: argparse.ArgumentParser, *, skip: tuple[str, ...] = ()) -> str:
    """`prog` followed by every argument of `parser` except --help and those named in `skip`."""
    parts = [prog]
    for action in parser._actions:  # private API: argparse lists a parser's arguments only in _actions
        if isinstance(action, argparse._HelpAction) or action.dest in skip:  # private API: the -h action
            continue
        if isinstance(action, argparse._SubParsersAction):  # private API: argparse's sub-parser action
            continue
        parts.append(_option(action))
    return " ".join(parts)


def console_usages() -> dict[str, str]:
    """Console command → its syntax (several lines for a command with actions, such as review)."""
    cli = _subcommands(console_parser())
    usages = {"ask": usage("[ask]", ask_parser(), skip=("words",)).replace("[ask]", "[ask] QUESTION", 1)}
    usages["sessions"] = usage("sessions", cli["sessions"])
    # the console takes the file first: `submit PATH [--title …]` (it becomes --file PATH)
    usages["submit"] = usage("submit PATH", cli["submit"], skip=("file",))
    actions = _subcommands(cli["review"])
    usages["review"] = "\n  ".join(usage(f"review {name}", parser) for name, parser in actions.items())
    usages.update(FIXED)
    return usages
