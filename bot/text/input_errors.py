"""Input errors from the shared services in the reader's language, for every adapter alike.

The services raise one English line (what the plain CLI prints); the kinds members and moderators
meet in Discord and the console carry their fields, and are said here through config/strings.yaml.
Anything else keeps its English line.
"""

from __future__ import annotations

from bot.casestudies.model import InvalidTransition, OwnSubmission, UnknownSubmission
from bot.members import NotAllowed
from bot.replies import Replies
from index.errors import InputError


def localised_input_error(error: InputError, replies: Replies, locale: object) -> str:
    if isinstance(error, OwnSubmission):
        return replies.get("own_submission", locale, id=error.submission_id)
    if isinstance(error, NotAllowed):
        return replies.get("not_moderator", locale)
    if isinstance(error, UnknownSubmission) and error.shown:
        return replies.get("unknown_submission", locale, value=error.shown)
    if isinstance(error, InvalidTransition) and error.submission_id:
        status = replies.get(f"cli.status.{error.status}", locale)
        if error.approved_only:
            return replies.get("withdraw_not_approved", locale, id=error.submission_id, status=status)
        if error.by:
            return replies.get(
                "already_reviewed_by", locale, id=error.submission_id, status=status, name=error.by
            )
        return replies.get("already_reviewed", locale, id=error.submission_id, status=status)
    what = getattr(error, "what", None)
    if what in {"technology", "kind"}:
        return replies.get(f"unknown_{what}", locale, value=error.value)  # type: ignore[attr-defined]
    return str(error)
