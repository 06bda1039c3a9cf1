"""`submit` and `review …` as plain text: the command line and the console run these same
commands (the console builds its own parser from `register`, so both take the same options).

The operator at the terminal holds the database, so they act as a trusted local moderator
(recorded under their OS user name).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from bot.app import App
from bot.casestudies.model import STATUSES, Submission, SubmissionForm
from bot.members import Actor
from bot.outbox import Notification


def register(sub: argparse._SubParsersAction) -> None:
    submit = sub.add_parser("submit", help="submit a case study (a file, fields, or both) for review")
    submit.add_argument("--file", type=Path, help="the write-up: .md (front matter), .txt, .pdf or .docx")
    submit.add_argument("--title", default="", help="default: front matter title or the document's title")
    submit.add_argument(
        "--member", default="", help="administration or member (default: front matter author)"
    )
    submit.add_argument("--summary", default="")
    submit.add_argument("--results", default="", help="results and lessons learned")
    submit.add_argument("--contact", default="")
    submit.add_argument("--url", default="", help="link to more about the project")
    submit.add_argument("--json", action="store_true", help="print the receipt as JSON")
    submit.set_defaults(handler=cmd_submit)

    review = sub.add_parser("review", help="moderators: list, show, approve, reject or edit case studies")
    actions = review.add_subparsers(dest="action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="submissions, pending first")
    listing.add_argument("--status", choices=STATUSES, help="only this status")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_list, index_access="read")

    show = actions.add_parser("show", help="one submission in full, with its history")
    show.add_argument("id")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_show, index_access="read")

    approve = actions.add_parser("approve", help="publish: index it and queue its announcement")
    approve.add_argument("id")
    approve.add_argument("--json", action="store_true")
    approve.set_defaults(handler=cmd_approve)

    reject = actions.add_parser("reject", help="decline, telling the submitter why")
    reject.add_argument("id")
    reject.add_argument("--reason", required=True, help="shown to the submitter")
    reject.add_argument("--json", action="store_true")
    reject.set_defaults(handler=cmd_reject)

    edit = actions.add_parser("edit", help="correct title, member, technologies or language")
    edit.add_argument("id")
    edit.add_argument("--title")
    edit.add_argument("--member")
    edit.add_argument("--technologies", help="comma-separated: blockchain,iot,analytics ('' for none)")
    edit.add_argument("--lang", help="en, es, fr or pt")
    edit.add_argument("--json", action="store_true")
    edit.set_defaults(handler=cmd_edit)

    outbox = actions.add_parser("outbox", help="announcements and notices waiting for the Discord adapter")
    outbox.add_argument("--json", action="store_true")
    outbox.set_defaults(handler=cmd_outbox, index_access="read")


def cmd_submit(args: argparse.Namespace, app: App, out: TextIO | None = None) -> int:
    say = _printer(out)
    service = app.submissions
    upload = service.read_upload(args.file) if args.file else None
    form = SubmissionForm(
        title=args.title,
        member=args.member,
        summary=args.summary,
        results=args.results,
        contact=args.contact,
        url=args.url,
        file=upload,
    )
    receipt = service.submit(form, Actor.local())
    sub = receipt.submission
    if args.json:
        _print_json(say, receipt.to_json())
    elif receipt.duplicate:
        say(
            f'Already received as {sub.id} ("{sub.title}", {sub.status}):'
            " identical content, nothing new stored."
        )
    else:
        say(f'Received {sub.id}: "{sub.title}" from {sub.member}, waiting for a moderator\'s review.')
        say(f"  {_facts(sub)}")
    return 0


def cmd_list(args: argparse.Namespace, app: App, out: TextIO | None = None) -> int:
    say = _printer(out)
    subs = app.submissions.list(Actor.local(), status=args.status)
    if args.json:
        _print_json(say, [sub.to_json() for sub in subs])
        return 0
    if not subs:
        say("No submissions." if not args.status else f"No {args.status} submissions.")
        return 0
    say(f"{'ID':<10} {'STATUS':<9} {'SUBMITTED':<17} {'MEMBER':<20} TITLE")
    for sub in subs:
        when = sub.submitted_at.strftime("%Y-%m-%d %H:%M")
        say(f"{sub.id:<10} {sub.status:<9} {when:<17} {_cut(sub.member, 20):<20} {_cut(sub.title, 60)}")
    return 0


def cmd_show(args: argparse.Namespace, app: App, out: TextIO | None = None) -> int:
    say = _printer(out)
    actor = Actor.local()
    sub = app.submissions.get(actor, args.id)
    history = app.submissions.history(actor, sub.id)
    if args.json:
        _print_json(say, {**sub.to_json(), "text": sub.text, "history": [h.to_json() for h in history]})
        return 0
    say(f"{sub.id}  [{sub.status}]  {sub.title}")
    say(f"  member:     {sub.member}")
    submitter = f"{sub.submitter_name} ({sub.platform} {sub.submitter_id})"
    say(f"  submitted:  {sub.submitted_at:%Y-%m-%d %H:%M} UTC by {submitter}")
    if sub.contact:
        say(f"  contact:    {sub.contact}")
    if sub.url:
        say(f"  url:        {sub.url}")
    say(f"  {_facts(sub)}")
    stored = app.submissions.file_path(actor, sub.id)
    if stored:
        say(f"  stored as:  {stored}")
    if sub.reason:
        say(f"  reason:     {sub.reason}")
    say()
    for heading, text in (("Summary", sub.summary), ("Results and lessons learned", sub.results)):
        if text:
            say(f"{heading}:\n{text}\n")
    if sub.file_text:
        say(f"Document ({sub.file_name}):\n{sub.file_text}\n")
    say("History:")
    for entry in history:
        detail = f"  {json.dumps(entry.detail, ensure_ascii=False)}" if entry.detail else ""
        say(f"  {entry.at:%Y-%m-%d %H:%M} {entry.action:<9} by {entry.actor_name} ({entry.platform}){detail}")
    return 0


def cmd_approve(args: argparse.Namespace, app: App, out: TextIO | None = None) -> int:
    say = _printer(out)
    sub = app.submissions.approve(Actor.local(), args.id)
    if args.json:
        _print_json(say, sub.to_json())
    else:
        say(f'Approved {sub.id}: "{sub.title}" is now searchable ({sub.doc_id}); announcement queued.')
    return 0


def cmd_reject(args: argparse.Namespace, app: App, out: TextIO | None = None) -> int:
    say = _printer(out)
    sub = app.submissions.reject(Actor.local(), args.id, args.reason)
    if args.json:
        _print_json(say, sub.to_json())
    else:
        say(f'Rejected {sub.id}: "{sub.title}". The submitter will be told: {sub.reason}')
    return 0


def cmd_edit(args: argparse.Namespace, app: App, out: TextIO | None = None) -> int:
    say = _printer(out)
    service = app.submissions
    actor = Actor.local()
    before = service.get(actor, args.id)
    technologies = None if args.technologies is None else args.technologies.split(",")
    after = service.edit(
        actor, args.id, title=args.title, member=args.member, technologies=technologies, lang=args.lang
    )
    if args.json:
        _print_json(say, after.to_json())
        return 0
    changes = [
        f"{name}: {_shown(getattr(before, name))} -> {_shown(getattr(after, name))}"
        for name in ("title", "member", "technologies", "lang")
        if getattr(before, name) != getattr(after, name)
    ]
    if not changes:
        say(f"{after.id}: nothing to change.")
        return 0
    again = " (re-indexed)" if after.status == "approved" else ""
    say(f"Updated {after.id}{again}: " + "; ".join(changes))
    return 0


def cmd_outbox(args: argparse.Namespace, app: App, out: TextIO | None = None) -> int:
    say = _printer(out)
    notes = app.submissions.pending_notifications()
    if args.json:
        _print_json(say, [note.to_json() for note in notes])
        return 0
    if not notes:
        say("Nothing waiting to be sent.")
    for note in notes:
        say(f"#{note.id:<4} {note.kind:<22} {note.submission_id}  {_recipient(note)}")
    return 0


def _facts(sub: Submission) -> str:
    parts = [
        f"language: {sub.lang or '?'}",
        f"technologies: {', '.join(sub.technologies) or 'none detected'}",
        f"{sub.to_json()['words']} words",
    ]
    if sub.file_name:
        parts.append(f"file: {sub.file_name} ({sub.file_format}, {sub.file_bytes:,} bytes)")
    return " · ".join(parts)


def _recipient(note: Notification) -> str:
    return "announce channel" if not note.recipient_id else f"to {note.platform} user {note.recipient_id}"


def _shown(value: object) -> str:
    if isinstance(value, tuple):
        return ",".join(value) or "(none)"
    return repr(value) if value else "(none)"


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _print_json(say, data: object) -> None:
    say(json.dumps(data, ensure_ascii=False, indent=2))


def _printer(out: TextIO | None):
    """print() to `out` (standard output by default, looked up when called so capture works)."""

    def say(*parts: object) -> None:
        print(*parts, file=out or sys.stdout)

    return say
