"""`privacy optout|optin|status|export|forget MEMBER_ID`: data-protection requests, for operators.

Requests also arrive by e-mail; these run the same PrivacyService the `/privacy` command does.
"""

from __future__ import annotations

import argparse
import json

from bot.app import App
from bot.privacy.service import member_id

ACTIONS = ("optout", "optin", "status", "export", "forget")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "privacy",
        help="operators: a member's opt-out, or everything stored about them (export as JSON, forget)",
    )
    p.add_argument("action", choices=ACTIONS)
    p.add_argument("member", metavar="MEMBER_ID", help="the member's platform id (a Discord user id)")
    p.set_defaults(handler=privacy)


def privacy(args: argparse.Namespace, app: App) -> int:
    member = member_id(args.member)
    service = app.privacy
    if args.action == "optout":
        removed = service.opt_out(member, platform="operator")
        print(f"member {member} opted out: {removed} indexed document(s) removed; new posts are not indexed")
    elif args.action == "optin":
        was_out = service.opt_in(member)
        print(
            f"member {member} opted in: new posts are indexed"
            if was_out
            else f"member {member} had not opted out"
        )
    elif args.action == "status":
        status = service.status(member)
        since = f" since {status.since.isoformat()}" if status.since else ""
        print(
            f"member {member}: opted out{since}"
            if status.opted_out
            else f"member {member}: posts are indexed"
        )
    elif args.action == "export":
        print(json.dumps(service.export(member), ensure_ascii=False, indent=2))
    else:
        changed = service.forget(member)
        parts = ", ".join(f"{name} {n}" for name, n in changed.items() if name != "opt_out")
        print(f"forgot member {member}: records removed or anonymised: {parts}")
        print(
            "  kept: an opt-out, so a backfill or import does not index their messages again"
            " (`privacy optin` lifts it)"
        )
    return 0
