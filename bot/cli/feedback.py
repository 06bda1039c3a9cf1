"""`clikc-bot feedback report`: the questions members found least helpful, for moderators to act on."""

from __future__ import annotations

import argparse
import json

from bot.app import App
from index.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("feedback", help="moderators: what members said about the answers")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    report = actions.add_parser("report", help="the questions whose answers were voted not helpful most")
    report.add_argument("--limit", type=int, default=20, help="at most this many questions (default 20)")
    report.add_argument("--min-votes", type=int, default=1, help="only questions with this many votes")
    report.add_argument("--json", action="store_true", help="print the report as JSON")
    report.set_defaults(handler=report_command)


def report_command(args: argparse.Namespace, app: App) -> int:
    if args.limit < 1 or args.min_votes < 1:
        raise InputError("feedback report: --limit and --min-votes must be at least 1")
    found = app.feedback.failing(limit=args.limit, min_votes=args.min_votes)
    if args.json:
        rows = [
            {
                "question": f.question,
                "not_helpful": f.not_helpful,
                "helpful": f.helpful,
                "asked": f.answers,
                "found_nothing": f.unanswered,
                "last_asked": f.last_asked,
            }
            for f in found
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not found:
        print(
            "No question has failed yet: no answer was voted not helpful, and every question found something."
        )
        return 0
    print(f"{'not helpful':>11}  {'helpful':>7}  {'asked':>5}  {'found nothing':>13}  question")
    for f in found:
        print(f"{f.not_helpful:>11}  {f.helpful:>7}  {f.answers:>5}  {f.unanswered:>13}  {f.question}")
    return 0
