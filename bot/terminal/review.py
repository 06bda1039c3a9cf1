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
from bot.replies import Replies


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

    withdraw = actions.add_parser(
        "withdraw", help="take back an approved case study: out of the search, its library post removed"
    )
    withdraw.add_argument("id")
    withdraw.add_argument("--reason", required=True, help="kept in the case study's history")
    withdraw.add_argument("--json", action="store_true")
    withdraw.set_defaults(handler=cmd_withdraw)

    outbox = actions.add_parser("outbox", help="announcements and notices waiting for the Discord adapter")
    outbox.add_argument("--json", action="store_true")
    outbox.set_defaults(handler=cmd_outbox, index_access="read")


class _Words:
    """The terminal's words in `args.lang` (the console sets it to its --lang; the CLI is English)."""

    def __init__(self, app: App, args: argparse.Namespace):
        self.replies: Replies = app.replies
        self.lang = getattr(args, "lang", None) or "en"

    def __call__(self, key: str, **fields: object) -> str:
        return self.replies.get(f"cli.{key}", self.lang, **fields)

    def status(self, status: str) -> str:
        return self(f"status.{status}")

    def label(self, key: str, value: object) -> str:
        """ "  member:     value": labels padded as one column, whatever their language."""
        return f"  {self(key) + ':':<11} {value}"


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
    w = _Words(app, args)
    if args.json:
        _print_json(say, receipt.to_json())
    elif receipt.duplicate:
        say(w("submit_duplicate", id=sub.id, title=sub.title, status=w.status(sub.status)))
    else:
        say(w("submit_received", id=sub.id, title=sub.title, member=sub.member))
        say(f"  {_facts(sub, w)}")
    return 0


def cmd_list(args: argparse.Namespace, app: App, out: TextIO | None = None) -> int:
    say = _printer(out)
    subs = app.submissions.list(Actor.local(), status=args.status)
    w = _Words(app, args)
    if args.json:
        _print_json(say, [sub.to_json() for sub in subs])
        return 0
    if not subs:
        say(w("list_none") if not args.status else w("list_none_status", status=w.status(args.status)))
        return 0
    head = (w("col_status"), w("col_submitted"), w("col_member"), w("col_title"))
    say(f"{'ID':<10} {head[0]:<9} {head[1]:<17} {head[2]:<20} {head[3]}")
    for sub in subs:
        when = sub.submitted_at.strftime("%Y-%m-%d %H:%M")
        status = w.status(sub.status)
        say(f"{sub.id:<10} {status:<9} {when:<17} {_cut(sub.member, 20):<20} {_cut(sub.title, 60)}")
    return 0


def cmd_show(args: argparse.Namespace, app: App, out: TextIO | None = None) -> int:
    say = _printer(out)
    actor = Actor.local()
    sub = app.submissions.get(actor, args.id)
    history = app.submissions.history(actor, sub.id)
    if args.json:
        _print_json(say, {**sub.to_json(), "text": sub.text, "history": [h.to_json() for h in history]})
        return 0
    w = _Words(app, args)
    say(f"{sub.id}  [{w.status(sub.status)}]  {sub.title}")
    say(w.label("member", sub.member))
    submitter = f"{sub.submitter_name} ({sub.platform} {sub.submitter_id})"
    say(w.label("submitted", w("submitted_by", when=f"{sub.submitted_at:%Y-%m-%d %H:%M}", who=submitter)))
    if sub.contact:
        say(w.label("contact", sub.contact))
    if sub.url:
        say(w.label("url", sub.url))
    say(f"  {_facts(sub, w)}")
    stored = app.submissions.file_path(actor, sub.id)
    if stored:
        say(w.label("stored_as", stored))
    if sub.reason:
        say(w.label("reason", sub.reason))
    say()
    for heading, text in (("summary", sub.summary), ("results", sub.results)):
        if text:
            say(f"{w(heading)}:\n{text}\n")
    if sub.file_text:
        say(f"{w('document', name=sub.file_name)}:\n{sub.file_text}\n")
    say(f"{w('history')}:")
    for entry in history:
        detail = f"  {json.dumps(entry.detail, ensure_ascii=False)}" if entry.detail else ""
        action = w(f"action.{entry.action}")
        by = w("history_by", name=entry.actor_name, platform=entry.platform)
        say(f"  {entry.at:%Y-%m-%d %H:%M} {action:<9} {by}{detail}")
    return 0


def _decided(say, app: App, args: argparse.Namespace, sub, message: str, **fields) -> int:
    """A decision's outcome: the submission as JSON, or the one line that says what was done."""
    if args.json:
        _print_json(say, sub.to_json())
    else:
        say(_Words(app, args)(message, id=sub.id, title=sub.title, **fields))
    return 0


def cmd_approve(args: argparse.Namespace, app: App, out: TextIO | None = None) -> int:
    sub = app.submissions.approve(Actor.local(), args.id)
    return _decided(_printer(out), app, args, sub, "approved", doc_id=sub.doc_id)


def cmd_reject(args: argparse.Namespace, app: App, out: TextIO | None = None) -> int:
    sub = app.submissions.reject(Actor.local(), args.id, args.reason)
    return _decided(_printer(out), app, args, sub, "rejected", reason=sub.reason)


def cmd_withdraw(args: argparse.Namespace, app: App, out: TextIO | None = None) -> int:
    sub = app.submissions.withdraw(Actor.local(), args.id, args.reason)
    return _decided(_printer(out), app, args, sub, "withdrawn")


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
    w = _Words(app, args)
    changes = [
        f"{name}: {_shown(getattr(before, name), w)} -> {_shown(getattr(after, name), w)}"
        for name in ("title", "member", "technologies", "lang")
        if getattr(before, name) != getattr(after, name)
    ]
    if not changes:
        say(w("edit_none", id=after.id))
        return 0
    key = "edit_done_reindexed" if after.status == "approved" else "edit_done"
    say(w(key, id=after.id, changes="; ".join(changes)))
    return 0


def cmd_outbox(args: argparse.Namespace, app: App, out: TextIO | None = None) -> int:
    say = _printer(out)
    notes = app.submissions.pending_notifications()
    if args.json:
        _print_json(say, [note.to_json() for note in notes])
        return 0
    w = _Words(app, args)
    if not notes:
        say(w("outbox_none"))
    for note in notes:
        say(f"#{note.id:<4} {note.kind:<22} {note.submission_id}  {_recipient(note, w)}")
    return 0


def _facts(sub: Submission, w: _Words) -> str:
    parts = [
        w("facts_lang", lang=sub.lang or "?"),
        w("facts_technologies", technologies=", ".join(sub.technologies) or w("none_detected")),
        w("facts_words", count=sub.to_json()["words"]),
    ]
    if sub.file_name:
        size = f"{sub.file_bytes:,}"
        parts.append(w("facts_file", name=sub.file_name, format=sub.file_format, bytes=size))
    return " · ".join(parts)


def _recipient(note: Notification, w: _Words) -> str:
    if not note.recipient_id:
        return w("to_announce_channel")
    return w("to_user", platform=note.platform, id=note.recipient_id)


def _shown(value: object, w: _Words) -> str:
    if isinstance(value, tuple):
        return ",".join(value) or w("none")
    return repr(value) if value else w("none")


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
