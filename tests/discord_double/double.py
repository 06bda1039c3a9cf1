"""DiscordDouble: a loopback Discord (REST + gateway) that real, unmodified discord.py connects to.

Tests drive it like Discord's users would (post, edit, delete messages, run slash commands, submit
modals, click buttons) and await what the bot did (REST requests, gateway frames) — never sleeps.
"""

from __future__ import annotations

import asyncio
import copy
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from . import payloads as p
from .gateway import GatewaySession
from .records import FailurePlan, GatewayRecord, RecordedRequest, Recorder
from .rest import RestApi
from .snowflakes import SnowflakeFactory
from .world import InteractionRecord, World

TOKEN = "double-token.for-tests-only"

# Interaction types
APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
# Application command option types
SUB_COMMAND, SUB_COMMAND_GROUP, STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE = 1, 2, 3, 4, 5, 6, 7, 8
MENTIONABLE, NUMBER, ATTACHMENT = 9, 10, 11

Ref = str | int | dict[str, Any]


class DiscordDouble:
    """A fake Discord on 127.0.0.1. ``await start()``, point discord.py at it (see runner.py), drive it.

    ``world`` holds the guild, channels, members and messages; it survives bot restarts.
    """

    def __init__(self, *, world: World | None = None, heartbeat_interval_ms: int = 40_000) -> None:
        self.snowflakes = SnowflakeFactory()
        self.world = world or World.default(self.snowflakes, token=TOKEN)
        self.recorder = Recorder()
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.sessions: list[GatewaySession] = []
        self.resumable: dict[str, GatewaySession] = {}  # dropped sessions by session_id
        self._failures: list[FailurePlan] = []
        self._rest = RestApi(self)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._session_count = 0
        self.downloads: list[str] = []  # attachment ids whose bytes were fetched from the CDN

    # ---- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> DiscordDouble:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest.handle)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._attachment)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.world.base_url = self.base_url
        return self

    async def close(self) -> None:
        for session in list(self.sessions):
            await session.ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def token(self) -> str:
        return self.world.token

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """What discord.http.Route.BASE must be for discord.py to talk to the double."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        if request.query.get("v") != "10" or request.query.get("encoding", "json") != "json":
            await ws.close(code=4012, message=b"Invalid API version or encoding.")
            return ws
        self._session_count += 1
        session = GatewaySession(self, self._session_count, ws, request.query.get("compress"))
        self.sessions.append(session)
        try:
            await session.run()
        finally:
            self.sessions.remove(session)
            if session.resumable and not session.taken_over and session.session_id not in self.resumable:
                self.resumable[session.session_id] = session
            self.recorder.changed()
        return ws

    async def _attachment(self, request: web.Request) -> web.Response:
        self.downloads.append(request.match_info["attachment_id"])
        self.recorder.changed()
        blob = self.world.blobs.get(request.match_info["attachment_id"])
        if blob is None:
            return web.Response(status=404)
        data, content_type = blob
        return web.Response(body=data, headers={"Content-Type": content_type or "application/octet-stream"})

    # ---- records and waiting --------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.recorder.requests

    @property
    def unknown_requests(self) -> list[RecordedRequest]:
        """Requests to routes the double does not implement (answered 404 like Discord)."""
        return [r for r in self.recorder.requests if r.unknown_route]

    def requests_to(self, method: str, pattern: str, *, status: int | None = None) -> list[RecordedRequest]:
        """All recorded requests whose method and path (a regex, full match) fit; does not claim them."""
        return self.recorder.requests_to(method, pattern, status=status)

    async def wait_for_request(
        self,
        method: str,
        pattern: str,
        *,
        status: int | None = None,
        predicate: Callable[[RecordedRequest], bool] | None = None,
        timeout: float = 5.0,
    ) -> RecordedRequest:
        """The first not-yet-claimed request matching ``method`` and ``pattern``; claims it."""
        return await self.recorder.wait_for_request(
            method, pattern, status=status, predicate=predicate, timeout=timeout
        )

    async def wait_for_gateway(
        self,
        *,
        op: int | None = None,
        event: str | None = None,
        direction: str = "recv",
        predicate: Callable[[GatewayRecord], bool] | None = None,
        timeout: float = 5.0,
    ) -> GatewayRecord:
        """The first not-yet-claimed gateway frame (from the bot by default) with that op/event."""
        return await self.recorder.wait_for_gateway(
            op=op, event=event, direction=direction, predicate=predicate, timeout=timeout
        )

    async def wait_until_ready(self, timeout: float = 5.0) -> GatewaySession:
        """A connected session whose IDENTIFY was answered with READY and every GUILD_CREATE."""

        def ready() -> GatewaySession | None:
            return next((s for s in self.sessions if s.ready and not s.closed), None)

        return await self.recorder.wait(
            ready,
            timeout=timeout,
            describe=lambda: f"for a READY gateway session ({len(self.sessions)} open)",
        )

    async def drop_connection(self, code: int = 4000) -> None:
        """Close every gateway session as a network failure or a Discord restart would. A bot with
        ``reconnect=True`` (discord.py's default) comes back with RESUME; what was dispatched in between
        is replayed, then RESUMED (on_resumed fires, on_ready does not)."""
        for session in list(self.sessions):
            # resumable from now on: the bot may be back with RESUME before this handler unwinds
            session.closed, session.ready, session.dropped = True, False, True
            if session.identify is not None:
                self.resumable[session.session_id] = session
            await session.ws.close(code=code)

    async def wait_until_disconnected(self, timeout: float = 5.0) -> None:
        await self.recorder.wait(
            lambda: not self.sessions,
            timeout=timeout,
            describe=lambda: f"for the bot to disconnect ({len(self.sessions)} session(s) open)",
        )

    async def wait_for_callback(self, interaction: InteractionRecord, timeout: float = 5.0) -> dict[str, Any]:
        """The callback body ({"type", "data"}) the bot accepted for ``interaction``."""
        return await self.recorder.wait(
            lambda: interaction.callback,
            timeout=timeout,
            describe=lambda: f"for a callback to interaction {interaction.id}",
        )

    async def wait_for_followup(
        self, interaction: InteractionRecord, count: int = 1, timeout: float = 5.0
    ) -> dict[str, Any]:
        """The ``count``-th follow-up message the bot sent for ``interaction``."""
        return await self.recorder.wait(
            lambda: len(interaction.followups) >= count and interaction.followups[count - 1],
            timeout=timeout,
            describe=lambda: f"for follow-up #{count} to interaction {interaction.id}",
        )

    # ---- failure injection ----------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        pattern: str,
        status: int = 500,
        *,
        times: int = 1,
        retry_after: float = 0.01,
        is_global: bool = False,
        body: dict[str, Any] | None = None,
    ) -> None:
        """Answer the next ``times`` matching requests with ``status`` (429 carries ``retry_after``).

        Plans are used in the order they were queued, so fail_next(..., 500) then fail_next(..., 429)
        fails the first matching request with 500 and the second with 429.
        """
        headers: dict[str, str] = {}
        if status == 429:
            body = body or {
                "message": "You are being rate limited.",
                "retry_after": retry_after,
                "global": is_global,
            }
            # discord.py treats a 429 without Via as a Cloudflare ban and gives up
            headers = {
                "Via": "1.1 google",
                "Retry-After": str(max(1, round(retry_after))),
                "X-RateLimit-Scope": "global" if is_global else "user",
            }
        body = body or {"message": f"{status}: injected failure", "code": 0}
        self._failures.append(FailurePlan(method.upper(), pattern, status, times, body, headers))

    def take_failure(self, method: str, path: str) -> FailurePlan | None:
        for plan in self._failures:
            if plan.method == method and re.fullmatch(plan.pattern, path):
                plan.times -= 1
                if plan.times <= 0:
                    self._failures.remove(plan)
                return plan
        return None

    # ---- gateway delivery -----------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return any(s.ready and not s.closed for s in self.sessions)

    def broadcast(self, event: str, data: dict[str, Any]) -> list[asyncio.Future[None]]:
        """Queue a DISPATCH to every ready session that would receive it; returns the write futures."""
        futures = [s.dispatch(event, data) for s in (*self.sessions, *self.resumable.values())]
        return [f for f in futures if f is not None]

    async def deliver(self, event: str, data: dict[str, Any]) -> int:
        """Dispatch and wait until written to the bot's socket; returns how many sessions got it."""
        futures = self.broadcast(event, data)
        await asyncio.gather(*futures, return_exceptions=True)
        return len(futures)

    # ---- members' actions: messages and threads -------------------------------------------------

    def attachment(self, filename: str, data: bytes, content_type: str | None = None) -> dict[str, Any]:
        """An uploaded file (served by the double at its URL) to put in a message, option or modal."""
        attachment_id = self.snowflakes.next_str()
        url = f"{self.base_url}/attachments/0/{attachment_id}/{filename}"
        self.world.blobs[attachment_id] = (data, content_type)
        return p.attachment(attachment_id, filename, len(data), url, content_type)

    async def post_message(
        self,
        channel: Ref,
        author: Ref,
        content: str = "",
        *,
        attachments: Iterable[dict[str, Any]] = (),
        embeds: Iterable[dict[str, Any]] = (),
        reply_to: dict[str, Any] | None = None,
        at: datetime | None = None,
        dispatch: bool = True,
    ) -> dict[str, Any]:
        """A member posts; stored (history sees it) and MESSAGE_CREATE sent if a bot is connected.

        ``at`` backdates the message (its snowflake and timestamp); ``dispatch=False`` stores it only,
        as if it arrived while the bot was down.
        """
        channel_data = self.world.channel(channel)
        author_data = self.world.user(author)
        message = self.world.create_message(
            channel_data["id"],
            author_data,
            content,
            at=at,
            attachments=list(attachments),
            embeds=list(embeds),
            message_type=19 if reply_to else 0,
        )
        if reply_to is not None:
            message["message_reference"] = {
                "type": 0,
                "message_id": reply_to["id"],
                "channel_id": channel_data["id"],
            }
            message["referenced_message"] = copy.deepcopy(reply_to)
        if channel_data.get("type") == p.PUBLIC_THREAD:
            channel_data["message_count"] += 1
            channel_data["total_message_sent"] += 1
        if dispatch:
            await self.deliver("MESSAGE_CREATE", self.world.gateway_message(message))
        return message

    async def edit_message(self, message: dict[str, Any], content: str) -> dict[str, Any]:
        stored = self._stored(message)
        stored["content"] = content
        stored["edited_timestamp"] = datetime.now(UTC).isoformat()
        self.world.resolve_mentions(stored, None)
        await self.deliver("MESSAGE_UPDATE", self.world.gateway_message(stored))
        return stored

    async def delete_message(self, message: dict[str, Any]) -> None:
        stored = self._stored(message)
        self.world.messages[stored["channel_id"]].pop(stored["id"])
        await self.deliver("MESSAGE_DELETE", self._ids_event({"id": stored["id"]}, stored["channel_id"]))

    async def delete_messages(self, messages: list[dict[str, Any]]) -> None:
        """A moderator bulk-deletes messages of one channel (MESSAGE_DELETE_BULK)."""
        channel_id = messages[0]["channel_id"]
        for message in messages:
            self.world.messages[channel_id].pop(message["id"], None)
        await self.deliver(
            "MESSAGE_DELETE_BULK", self._ids_event({"ids": [m["id"] for m in messages]}, channel_id)
        )

    async def create_thread(
        self, parent: Ref, name: str, *, owner: Ref, content: str | None = None
    ) -> dict[str, Any]:
        """A member opens a thread (or a forum post when ``parent`` is a forum); THREAD_CREATE is sent.

        With ``content`` the starter message is posted in the thread too (MESSAGE_CREATE).
        """
        parent_data = self.world.channel(parent)
        guild = self.world.guild_of(parent_data["id"])
        owner_data = self.world.user(owner)
        thread = self.world.add_thread(guild, parent_data, name, owner=owner_data)
        member = {
            "id": thread["id"],
            "user_id": owner_data["id"],
            "join_timestamp": p.iso(datetime.now(UTC)),
            "flags": 0,
        }
        await self.deliver("THREAD_CREATE", {**thread, "newly_created": True, "member": member})
        if content is not None:
            await self.post_message(thread, owner_data, content)
        return thread

    async def delete_thread(self, thread: Ref) -> None:
        """A moderator deletes a thread (or a forum post) and everything in it; THREAD_DELETE is sent."""
        data = self.world.channel(thread)
        guild = self.world.guild_of(data["id"])
        guild.threads.pop(data["id"])
        self.world.messages.pop(data["id"], None)
        event = {"id": data["id"], "guild_id": guild.id, "parent_id": data["parent_id"], "type": data["type"]}
        await self.deliver("THREAD_DELETE", event)

    def _stored(self, message: dict[str, Any]) -> dict[str, Any]:
        stored = self.world.messages.get(message["channel_id"], {}).get(message["id"])
        if stored is None:
            raise KeyError(f"message {message['id']} is not in channel {message['channel_id']}")
        return stored

    def _ids_event(self, data: dict[str, Any], channel_id: str) -> dict[str, Any]:
        data["channel_id"] = channel_id
        guild = self.world.guild_of(channel_id)
        if guild is not None:
            data["guild_id"] = guild.id
        return data

    # ---- members' actions: interactions ---------------------------------------------------------

    async def slash(
        self,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        user: Ref = "ana",
        channel: Ref = "general",
        locale: str = "en-US",
        guild_locale: str | None = None,
    ) -> InteractionRecord:
        """A member runs ``/command`` ("privacy optout" for sub-commands) with ``options`` by name.

        Option types come from what the bot synced; user/channel/role/attachment values may be names
        or payloads and are put in ``resolved`` like Discord does.
        """
        data = self._command_data(command, options or {}, channel)
        return await self._interact(APPLICATION_COMMAND, data, user, channel, locale, guild_locale)

    def visible_commands(self, user: Ref, channel: Ref = "general") -> list[str]:
        """The slash commands ``user`` finds in the picker in ``channel``, as Discord decides: the
        server's and the global ones usable in a server (``contexts``, or ``dm_permission`` in a DM)
        whose ``default_member_permissions`` the member holds in full. Administrators (and the owner)
        see everything; "0" is for them only. Per-server overrides (Integrations) are not modelled."""
        channel_data = self.world.channel(channel)
        guild = self.world.guild_of(channel_data["id"])
        user_id = self.world.user(user)["id"]
        perms = self.world.member_permissions(guild, user_id) if guild is not None else 0
        context = 0 if guild is not None else 1  # GUILD, BOT_DM
        visible: set[str] = set()
        for scope in ([guild.id] if guild is not None else []) + [None]:
            for command in self.world.commands.get(scope, []):
                if command.get("type", 1) != 1:
                    continue
                contexts = command.get("contexts")
                if contexts is not None and context not in contexts:
                    continue
                if guild is None and contexts is None and command.get("dm_permission") is False:
                    continue
                required = command.get("default_member_permissions")
                if guild is not None and required is not None:
                    required = int(required)
                    admin = bool(perms & p.ADMINISTRATOR)
                    if (required == 0 and not admin) or perms & required != required:
                        continue
                visible.add(command["name"])
        return sorted(visible)

    async def autocomplete(
        self,
        command: str,
        options: dict[str, Any],
        *,
        focused: str,
        user: Ref = "ana",
        channel: Ref = "general",
        locale: str = "en-US",
        guild_locale: str | None = None,
    ) -> InteractionRecord:
        """A member is typing option ``focused`` of ``/command``; the bot should answer choices (type 8)."""
        data = self._command_data(command, options, channel, focused=focused)
        return await self._interact(AUTOCOMPLETE, data, user, channel, locale, guild_locale)

    async def submit_modal(
        self,
        custom_id: str,
        values: dict[str, Any] | None = None,
        *,
        files: dict[str, list[dict[str, Any]]] | None = None,
        user: Ref = "ana",
        channel: Ref = "general",
        locale: str = "en-US",
        guild_locale: str | None = None,
    ) -> InteractionRecord:
        """A member submits the modal the bot showed them (custom_id) with text/select ``values`` and
        file-upload ``files`` (lists of ``double.attachment(...)``), keyed by component custom_id."""
        user_id = self.world.user(user)["id"]
        shown = [m for u, m in reversed(self.world.modals) if m.get("custom_id") == custom_id]
        mine = [m for u, m in reversed(self.world.modals) if m.get("custom_id") == custom_id and u == user_id]
        modal = (mine or shown or [None])[0]
        if modal is None:
            raise KeyError(f"the bot never showed a modal with custom_id {custom_id!r}")
        values, files = dict(values or {}), dict(files or {})
        resolved: dict[str, Any] = {}
        counter = iter(range(1, 1000))
        components = [
            self._submitted(c, values, files, resolved, counter) for c in modal.get("components", [])
        ]
        if values or files:
            raise KeyError(f"modal {custom_id!r} has no component(s) {sorted({*values, *files})}")
        data: dict[str, Any] = {"custom_id": custom_id, "components": components}
        if resolved:
            data["resolved"] = resolved
        return await self._interact(MODAL_SUBMIT, data, user, channel, locale, guild_locale)

    async def click(
        self,
        message: Ref,
        custom_id: str,
        *,
        user: Ref = "ana",
        locale: str = "en-US",
        guild_locale: str | None = None,
    ) -> InteractionRecord:
        """A member clicks the button ``custom_id`` on a message the bot sent."""
        return await self._component(message, custom_id, None, user, locale, guild_locale)

    async def select(
        self,
        message: Ref,
        custom_id: str,
        values: list[str],
        *,
        user: Ref = "ana",
        locale: str = "en-US",
        guild_locale: str | None = None,
    ) -> InteractionRecord:
        """A member picks ``values`` in the select menu ``custom_id`` on a message the bot sent."""
        return await self._component(message, custom_id, values, user, locale, guild_locale)

    async def _component(self, message: Ref, custom_id: str, values, user, locale, guild_locale):
        message_id = message["id"] if isinstance(message, dict) else str(message)
        stored = self.world.find_message(message_id)
        if stored is None:
            raise KeyError(f"no message {message_id} in the double")
        found = _find_component(stored.get("components", []), custom_id)
        if found is None:
            raise KeyError(
                f"message {message_id} has no component {custom_id!r}; it has "
                f"{sorted(_custom_ids(stored.get('components', [])))}"
            )
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": found["type"]}
        if found.get("id") is not None:
            data["id"] = found["id"]
        if values is not None:
            data["values"] = list(values)
        return await self._interact(
            MESSAGE_COMPONENT, data, user, stored["channel_id"], locale, guild_locale, message=stored
        )

    async def _interact(
        self,
        kind: int,
        data: dict[str, Any],
        user: Ref,
        channel: Ref,
        locale: str,
        guild_locale: str | None,
        *,
        message: dict[str, Any] | None = None,
    ) -> InteractionRecord:
        if not self.connected:
            raise RuntimeError("no bot is connected to the double: an interaction would fail on Discord")
        channel_data = self.world.channel(channel)
        guild = self.world.guild_of(channel_data["id"])
        user_data = self.world.user(user)
        interaction_id = self.snowflakes.next_str()
        payload: dict[str, Any] = {
            "id": interaction_id,
            "application_id": self.world.application_id,
            "type": kind,
            "data": data,
            "channel_id": channel_data["id"],
            "channel": copy.deepcopy(channel_data),
            "token": f"interaction-token-{interaction_id}",
            "version": 1,
            "locale": locale,
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild is not None:
            member = copy.deepcopy(guild.members[user_data["id"]])
            member["permissions"] = str(self.world.member_permissions(guild, user_data["id"]))
            payload.update(
                guild_id=guild.id,
                guild_locale=guild_locale or guild.preferred_locale,
                guild={"id": guild.id, "locale": guild.preferred_locale, "features": ["COMMUNITY"]},
                member=member,
                app_permissions=str(p.BOT_PERMISSIONS),
                authorizing_integration_owners={"0": guild.id},
                context=0,
            )
        else:
            payload.update(
                user=user_data,
                app_permissions=str(p.BOT_PERMISSIONS),
                authorizing_integration_owners={"0": "0"},
                context=1,
            )
        if message is not None:
            payload["message"] = copy.deepcopy(message)
        record = InteractionRecord(interaction_id, payload["token"], kind, payload)
        self.world.interactions[interaction_id] = record
        await self.deliver("INTERACTION_CREATE", payload)
        return record

    def _command_data(
        self, command: str, options: dict[str, Any], channel: Ref, *, focused: str | None = None
    ) -> dict[str, Any]:
        name, *path = command.strip().lstrip("/").split()
        guild = self.world.guild_of(self.world.channel(channel)["id"])
        definition = None
        for scope in ([guild.id] if guild else []) + [None]:
            definition = next((c for c in self.world.commands.get(scope, []) if c["name"] == name), None)
            if definition is not None:
                break
        data: dict[str, Any] = {"name": name, "type": 1}
        if definition is not None:
            data["id"] = definition["id"]
            if definition.get("guild_id"):
                data["guild_id"] = definition["guild_id"]
        else:
            data["id"] = self.snowflakes.next_str()
        resolved: dict[str, Any] = {}
        level_defs = (definition or {}).get("options", [])
        nesting: list[tuple[str, int]] = []
        for part in path:
            part_def = next((o for o in level_defs if o["name"] == part), None)
            kind = part_def["type"] if part_def else (SUB_COMMAND if part == path[-1] else SUB_COMMAND_GROUP)
            nesting.append((part, kind))
            level_defs = (part_def or {}).get("options", [])
        leaf = [self._option(n, v, level_defs, resolved, focused == n) for n, v in options.items()]
        for part, kind in reversed(nesting):
            leaf = [{"name": part, "type": kind, "options": leaf}]
        data["options"] = leaf
        if resolved:
            data["resolved"] = resolved
        return data

    def _option(
        self, name: str, value: Any, defs: list[dict[str, Any]], resolved: dict[str, Any], focused: bool
    ) -> dict[str, Any]:
        definition = next((o for o in defs if o["name"] == name), None)
        kind = definition["type"] if definition else _infer_type(value)
        option: dict[str, Any] = {"name": name, "type": kind}
        if focused:
            option.update(value=str(value), focused=True)
            return option
        if kind in (USER, MENTIONABLE) and not _is_role(value, self.world):
            user_data = self.world.user(value)
            resolved.setdefault("users", {})[user_data["id"]] = user_data
            guild_member = self.world.guild.members.get(user_data["id"])
            if guild_member is not None:
                partial = {k: v for k, v in guild_member.items() if k != "user"}
                partial["permissions"] = str(self.world.member_permissions(self.world.guild, user_data["id"]))
                resolved.setdefault("members", {})[user_data["id"]] = partial
            option["value"] = user_data["id"]
        elif kind in (ROLE, MENTIONABLE):
            role = self.world.role(value)
            resolved.setdefault("roles", {})[role["id"]] = role
            option["value"] = role["id"]
        elif kind == CHANNEL:
            ch = self.world.channel(value)
            resolved.setdefault("channels", {})[ch["id"]] = {
                k: ch[k] for k in ("id", "name", "type", "parent_id", "thread_metadata") if k in ch
            } | {"permissions": str(p.BOT_PERMISSIONS)}
            option["value"] = ch["id"]
        elif kind == ATTACHMENT:
            resolved.setdefault("attachments", {})[value["id"]] = value
            option["value"] = value["id"]
        else:
            option["value"] = value
        return option

    def _submitted(self, component, values, files, resolved, counter) -> dict[str, Any]:
        kind = component["type"]
        component_id = component.get("id") or next(counter)
        custom_id = component.get("custom_id")
        if kind == 1:
            children = [self._submitted(c, values, files, resolved, counter) for c in component["components"]]
            return {"type": 1, "id": component_id, "components": children}
        if kind == 18:
            inner = self._submitted(component["component"], values, files, resolved, counter)
            return {"type": 18, "id": component_id, "component": inner}
        if kind == 4:  # text input
            return {
                "type": 4,
                "id": component_id,
                "custom_id": custom_id,
                "value": values.pop(custom_id, component.get("value") or ""),
            }
        if kind in (3, 5, 6, 7, 8):  # selects
            return {
                "type": kind,
                "id": component_id,
                "custom_id": custom_id,
                "values": values.pop(custom_id, []),
            }
        if kind == 19:  # file upload
            uploaded = files.pop(custom_id, [])
            for attachment in uploaded:
                resolved.setdefault("attachments", {})[attachment["id"]] = attachment
            return {
                "type": 19,
                "id": component_id,
                "custom_id": custom_id,
                "values": [a["id"] for a in uploaded],
            }
        return {"type": kind, "id": component_id}


def _infer_type(value: Any) -> int:
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, float):
        return NUMBER
    if isinstance(value, dict) and "filename" in value:
        return ATTACHMENT
    if isinstance(value, dict) and "username" in value:
        return USER
    return STRING


def _is_role(value: Any, world: World) -> bool:
    try:
        world.role(value)
    except KeyError:
        return False
    return True


def _walk(components: list[dict[str, Any]]):
    for component in components:
        yield component
        yield from _walk(component.get("components", []))
        if "component" in component:
            yield from _walk([component["component"]])
        if "accessory" in component:
            yield from _walk([component["accessory"]])


def _find_component(components: list[dict[str, Any]], custom_id: str) -> dict[str, Any] | None:
    return next((c for c in _walk(components) if c.get("custom_id") == custom_id), None)


def _custom_ids(components: list[dict[str, Any]]) -> list[str]:
    return [c["custom_id"] for c in _walk(components) if "custom_id" in c]
