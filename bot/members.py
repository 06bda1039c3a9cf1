"""Members: who is acting, and what they may do — the one moderator rule every service applies.

Adapters (Discord, console, CLI, web) build an `Actor` from what their platform knows; services
check it with `is_moderator` / `may_review` and refuse with `NotAllowed`. Nothing here knows a
platform's API: the Discord adapter gives only the home server's roles and permissions.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass

from bot.config import Moderators
from index.errors import InputError

MANAGE_SERVER = "manage_server"


class NotAllowed(InputError):
    """The actor may not do this (reviewing case studies and changing sessions are for moderators)."""


@dataclass(frozen=True)
class Actor:
    """Who is acting. `platform == "local"` is the operator at the machine holding the database.

    `is_moderator` is an adapter's own finding (it applied `is_moderator` with what only it can see,
    e.g. membership of the home server); otherwise the rule decides from id, roles and permissions.
    """

    name: str
    is_moderator: bool = False
    id: str = ""
    roles: tuple[str, ...] = ()  # role ids and/or names in the home server only (the adapter's job)
    platform: str = ""
    permissions: tuple[str, ...] = ()  # server permissions in the home server, e.g. MANAGE_SERVER

    @classmethod
    def local(cls) -> Actor:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no passwd entry (containers)
            user = os.environ.get("USER") or "operator"
        return cls(id=user, name=user, platform="local")

    @property
    def label(self) -> str:
        """How audit trails name the actor: "Name (id)", so a forget request can find it."""
        return f"{self.name} ({self.id})" if self.id else self.name


def is_moderator(actor: Actor, moderators: Moderators | None = None) -> bool:
    """Users match by id only (display names can be chosen by anyone); roles by id or name, and
    Manage Server unless the settings turn it off. Adapters give only the home server's roles and
    permissions, so a role of the same name on another server never counts."""
    if not isinstance(actor, Actor):
        return False
    if actor.platform == "local" or actor.is_moderator:
        return True
    if moderators is None:
        return False
    users = {str(user).casefold() for user in moderators.users}
    roles = {str(role).casefold() for role in moderators.roles}
    return (
        str(actor.id).casefold() in users
        or any(str(role).casefold() in roles for role in actor.roles)
        or (moderators.manage_server and MANAGE_SERVER in actor.permissions)
    )


def may_review(actor: Actor, submitter_id: str, platform: str, moderators: Moderators) -> bool:
    """A moderator does not review their own submission unless the settings allow it. The operator
    at the machine (platform "local") holds the database and the settings, so the rule is theirs."""
    if actor.platform == "local" or moderators.self_review:
        return True
    return not (str(actor.id) == str(submitter_id) and actor.platform == platform)
