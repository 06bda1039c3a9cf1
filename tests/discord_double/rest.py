"""The REST API under /api/v10: the routes a bot uses, each recorded, failures injectable.

Errors are answered with Discord's JSON error shape ({"message", "code"}) and status, so discord.py
raises the same exceptions it raises against Discord (NotFound, Forbidden, HTTPException...).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import payloads as p
from .records import RecordedRequest, UploadedFile
from .world import EPHEMERAL, LOADING, InteractionRecord

if TYPE_CHECKING:
    from .double import DiscordDouble

Handler = Callable[..., Awaitable[tuple[int, Any]]]

# Interaction callback types
PONG, CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 1, 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL = 8, 9
# Application command interaction type, and message types
APPLICATION_COMMAND = 2
DEFAULT, REPLY, CHAT_INPUT_COMMAND = 0, 19, 20


class ApiError(Exception):
    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None):
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"message": message, "code": code}
        if errors:
            self.body["errors"] = errors


def _not_found(what: str, code: int) -> ApiError:
    return ApiError(404, code, f"Unknown {what}")


class RestApi:
    def __init__(self, double: DiscordDouble) -> None:
        self.double = double
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []
        r = self._route
        r("GET", r"/users/@me", self.get_me)
        r("GET", r"/users/(?P<user_id>\d+)", self.get_user)
        r("POST", r"/users/@me/channels", self.create_dm)
        r("GET", r"/gateway(/bot)?", self.get_gateway)
        r("GET", r"/(oauth2/)?applications/@me", self.get_application)
        r("GET", r"/applications/(?P<app_id>\d+)(/guilds/(?P<guild_id>\d+))?/commands", self.get_commands)
        r("PUT", r"/applications/(?P<app_id>\d+)(/guilds/(?P<guild_id>\d+))?/commands", self.put_commands)
        r("POST", r"/applications/(?P<app_id>\d+)(/guilds/(?P<guild_id>\d+))?/commands", self.post_command)
        r("GET", r"/channels/(?P<channel_id>\d+)", self.get_channel)
        r("PATCH", r"/channels/(?P<channel_id>\d+)", self.patch_channel)
        r("GET", r"/channels/(?P<channel_id>\d+)/messages", self.get_messages)
        r("POST", r"/channels/(?P<channel_id>\d+)/messages", self.post_message)
        r("GET", r"/channels/(?P<channel_id>\d+)/messages/(?P<message_id>\d+)", self.get_message)
        r("PATCH", r"/channels/(?P<channel_id>\d+)/messages/(?P<message_id>\d+)", self.patch_message)
        r("DELETE", r"/channels/(?P<channel_id>\d+)/messages/(?P<message_id>\d+)", self.delete_message)
        r("POST", r"/channels/(?P<channel_id>\d+)/messages/bulk-delete", self.bulk_delete)
        r("POST", r"/channels/(?P<channel_id>\d+)/typing", self.typing)
        r("POST", r"/channels/(?P<channel_id>\d+)/threads", self.create_thread)
        r(
            "POST",
            r"/channels/(?P<channel_id>\d+)/messages/(?P<message_id>\d+)/threads",
            self.start_thread_from_message,
        )
        r("DELETE", r"/channels/(?P<channel_id>\d+)", self.delete_channel)
        r("GET", r"/channels/(?P<channel_id>\d+)/threads/archived/public", self.archived_threads)
        r(
            "POST",
            r"/interactions/(?P<interaction_id>\d+)/(?P<token>[^/]+)/callback",
            self.interaction_callback,
        )
        r("POST", r"/webhooks/(?P<app_id>\d+)/(?P<token>[^/]+)", self.followup_create)
        r(
            "GET",
            r"/webhooks/(?P<app_id>\d+)/(?P<token>[^/]+)/messages/(?P<message_id>@original|\d+)",
            self.wh_get,
        )
        r(
            "PATCH",
            r"/webhooks/(?P<app_id>\d+)/(?P<token>[^/]+)/messages/(?P<message_id>@original|\d+)",
            self.wh_edit,
        )
        r(
            "DELETE",
            r"/webhooks/(?P<app_id>\d+)/(?P<token>[^/]+)/messages/(?P<message_id>@original|\d+)",
            self.wh_del,
        )
        r("GET", r"/guilds/(?P<guild_id>\d+)", self.get_guild)
        r("GET", r"/guilds/(?P<guild_id>\d+)/channels", self.get_guild_channels)
        r("GET", r"/guilds/(?P<guild_id>\d+)/roles", self.get_roles)
        r("GET", r"/guilds/(?P<guild_id>\d+)/members", self.list_members)
        r("GET", r"/guilds/(?P<guild_id>\d+)/members/(?P<user_id>\d+)", self.get_member)
        r("GET", r"/guilds/(?P<guild_id>\d+)/scheduled-events", self.list_events)
        r("POST", r"/guilds/(?P<guild_id>\d+)/scheduled-events", self.create_event)
        r("GET", r"/guilds/(?P<guild_id>\d+)/scheduled-events/(?P<event_id>\d+)", self.get_event)
        r("PATCH", r"/guilds/(?P<guild_id>\d+)/scheduled-events/(?P<event_id>\d+)", self.patch_event)
        r("DELETE", r"/guilds/(?P<guild_id>\d+)/scheduled-events/(?P<event_id>\d+)", self.delete_event)

    def _route(self, method: str, pattern: str, handler: Handler) -> None:
        self.routes.append((method, re.compile(pattern), handler))

    @property
    def world(self):
        return self.double.world

    # ---- plumbing -------------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body, files = await _read_body(request)
        record = RecordedRequest(
            index=len(self.double.recorder.requests),
            method=request.method,
            path=path,
            query=dict(request.query),
            headers=dict(request.headers),
            json=body,
            files=files,
        )
        headers: dict[str, str] = {}
        failure = self.double.take_failure(request.method, path)
        if failure is not None:
            record.injected = True
            status, payload, headers = failure.status, failure.body, failure.headers
        else:
            status, payload = await self._answer(request, record)
        record.status, record.response = status, payload
        self.double.recorder.requests.append(record)
        self.double.recorder.changed()
        if status == 204 or payload is None:
            return web.Response(status=status, headers=headers)
        # discord.py decodes JSON only when the content type is exactly "application/json", as Discord's is
        response = web.Response(body=json.dumps(payload).encode(), status=status, headers=headers)
        response.headers["Content-Type"] = "application/json"
        return response

    async def _answer(self, request: web.Request, record: RecordedRequest) -> tuple[int, Any]:
        for method, pattern, handler in self.routes:
            match = pattern.fullmatch(record.path)
            if match is None or method != request.method:
                continue
            needs_auth = not record.path.startswith(("/interactions/", "/webhooks/"))
            if needs_auth and request.headers.get("Authorization") != f"Bot {self.world.token}":
                return 401, {"message": "401: Unauthorized", "code": 0}
            try:
                return await handler(record, **{k: v for k, v in match.groupdict().items() if v is not None})
            except ApiError as exc:
                return exc.status, exc.body
        record.unknown_route = True
        return 404, {"message": "404: Not Found", "code": 0}

    # ---- users, gateway, application ------------------------------------------------------------

    async def get_me(self, record: RecordedRequest) -> tuple[int, Any]:
        return 200, self.world.bot_user

    async def get_user(self, record: RecordedRequest, user_id: str) -> tuple[int, Any]:
        if user_id not in self.world.users:
            raise _not_found("User", 10013)
        return 200, self.world.users[user_id]

    async def create_dm(self, record: RecordedRequest) -> tuple[int, Any]:
        recipient_id = str((record.json or {}).get("recipient_id"))
        if recipient_id not in self.world.users:
            raise _not_found("User", 10013)
        for channel in self.world.dm_channels.values():
            if channel["recipients"][0]["id"] == recipient_id:
                return 200, channel
        channel = p.dm_channel(self.world.snowflakes.next_str(), self.world.users[recipient_id])
        self.world.dm_channels[channel["id"]] = channel
        self.world.messages[channel["id"]] = {}
        return 200, channel

    async def get_gateway(self, record: RecordedRequest) -> tuple[int, Any]:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return 200, {"url": self.double.gateway_url, "shards": 1, "session_start_limit": limit}

    async def get_application(self, record: RecordedRequest) -> tuple[int, Any]:
        return 200, self.world.application()

    # ---- application commands -------------------------------------------------------------------

    def _check_app(self, app_id: str) -> None:
        if app_id != self.world.application_id:
            raise ApiError(403, 50001, "Missing Access")

    def _stored_command(self, scope: str | None, command: dict[str, Any]) -> dict[str, Any]:
        """Discord keeps a command's id across syncs when its name and type stay the same."""
        kind = command.get("type", 1)
        for old in self.world.commands.get(scope, []):
            if old["name"] == command["name"] and old.get("type", 1) == kind:
                command_id = old["id"]
                break
        else:
            command_id = self.world.snowflakes.next_str()
        stored = {
            "id": command_id,
            "application_id": self.world.application_id,
            "version": self.world.snowflakes.next_str(),
            "type": kind,
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "nsfw": False,
            **command,
        }
        stored["id"] = command_id
        if stored["default_member_permissions"] is not None:  # Discord answers it as a string
            stored["default_member_permissions"] = str(stored["default_member_permissions"])
        if scope is not None:
            stored["guild_id"] = scope
        return stored

    async def get_commands(self, record: RecordedRequest, app_id: str, guild_id: str | None = None):
        self._check_app(app_id)
        return 200, self.world.commands.get(guild_id, [])

    async def put_commands(self, record: RecordedRequest, app_id: str, guild_id: str | None = None):
        self._check_app(app_id)
        if guild_id is not None and guild_id not in self.world.guilds:
            raise _not_found("Guild", 10004)
        stored = [self._stored_command(guild_id, c) for c in record.json or []]
        self.world.commands[guild_id] = stored
        return 200, stored

    async def post_command(self, record: RecordedRequest, app_id: str, guild_id: str | None = None):
        self._check_app(app_id)
        stored = self._stored_command(guild_id, record.json)
        commands = [c for c in self.world.commands.get(guild_id, []) if c["id"] != stored["id"]]
        self.world.commands[guild_id] = [*commands, stored]
        return 201, stored

    # ---- channels and messages ------------------------------------------------------------------

    def _channel(self, channel_id: str) -> dict[str, Any]:
        channel = self.world.find_channel(channel_id)
        if channel is None:
            raise _not_found("Channel", 10003)
        return channel

    def _message(self, channel_id: str, message_id: str) -> dict[str, Any]:
        message = self.world.messages.get(channel_id, {}).get(message_id)
        if message is None:
            raise _not_found("Message", 10008)
        return message

    async def get_channel(self, record: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        return 200, self._channel(channel_id)

    async def patch_channel(self, record: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        """Renaming (or archiving) a thread or forum post the bot made; THREAD_UPDATE is sent."""
        channel = self._channel(channel_id)
        if channel["type"] not in (p.PUBLIC_THREAD,):
            raise ApiError(403, 50013, "Missing Permissions")  # the bot only edits its own posts here
        if channel.get("owner_id") != self.world.bot_user["id"]:
            raise ApiError(403, 50013, "Missing Permissions")
        body = record.json or {}
        if "name" in body:
            if not 1 <= len(body["name"] or "") <= 100:
                raise ApiError(400, 50035, "Invalid Form Body", {"name": "Must be 1 to 100 in length."})
            channel["name"] = body["name"]
        for key in ("archived", "locked"):
            if key in body:
                channel["thread_metadata"][key] = bool(body[key])
        self.double.broadcast("THREAD_UPDATE", channel)
        return 200, channel

    async def get_messages(self, record: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        self._channel(channel_id)
        q = record.query
        return 200, self.world.history(
            channel_id,
            limit=int(q.get("limit", 50)),
            before=q.get("before"),
            after=q.get("after"),
            around=q.get("around"),
        )

    async def get_message(self, record: RecordedRequest, channel_id: str, message_id: str):
        self._channel(channel_id)
        return 200, self._message(channel_id, message_id)

    def _attachments(self, channel_id: str, record: RecordedRequest) -> list[dict[str, Any]]:
        """Attachment objects for the files of a multipart request, served back by the double."""
        described = {str(a.get("id")): a for a in (record.json or {}).get("attachments", []) or []}
        result = []
        for index, upload in enumerate(record.files):
            attachment_id = self.world.snowflakes.next_str()
            url = f"{self.double.base_url}/attachments/{channel_id}/{attachment_id}/{upload.filename}"
            data = p.attachment(attachment_id, upload.filename, len(upload.data), url, upload.content_type)
            if described.get(str(index), {}).get("description"):
                data["description"] = described[str(index)]["description"]
            self.world.blobs[attachment_id] = (upload.data, upload.content_type)
            result.append(data)
        return result

    def _content_fields(self, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
        }

    def _new_message(
        self,
        channel_id: str,
        record: RecordedRequest,
        *,
        flags: int = 0,
        message_type: int = DEFAULT,
        store: bool = True,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        body = record.json or {}
        if len(body.get("content") or "") > 2000:
            raise ApiError(400, 50035, "Invalid Form Body", {"content": "Must be 2000 or fewer in length."})
        message = self.world.create_message(
            channel_id,
            self.world.bot_user,
            body.get("content") or "",
            allowed_mentions=body.get("allowed_mentions"),
            attachments=self._attachments(channel_id, record),
            flags=flags | (int(body.get("flags") or 0) & EPHEMERAL),
            message_type=message_type,
            store=store,
            **self._content_fields(body),
        )
        if extra:
            message.update(extra)
        return message

    async def post_message(self, record: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        channel = self._channel(channel_id)
        if channel["type"] not in (p.GUILD_TEXT, p.DM, p.PUBLIC_THREAD):
            raise ApiError(400, 50008, "Cannot send messages in a non-text channel")
        body = record.json or {}
        if not (body.get("content") or body.get("embeds") or body.get("components") or record.files):
            raise ApiError(400, 50006, "Cannot send an empty message")
        reference = body.get("message_reference")
        if reference:  # discord.py sends ids as ints; Discord answers with strings
            reference = {k: str(v) if k.endswith("_id") else v for k, v in reference.items()}
        message = self._new_message(channel_id, record, message_type=REPLY if reference else DEFAULT)
        if reference:
            replied = self.world.find_message(reference["message_id"])
            if replied is None and reference.get("fail_if_not_exists", True):
                raise ApiError(400, 50035, "Invalid Form Body", {"message_reference": "Unknown message"})
            message["message_reference"] = {"type": 0, "channel_id": channel_id, **reference}
            message["referenced_message"] = replied
            allowed = body.get("allowed_mentions")
            pings_author = allowed is None or allowed.get("replied_user", False)
            if replied is not None and pings_author and replied["author"] not in message["mentions"]:
                message["mentions"].append(replied["author"])
        self.double.broadcast("MESSAGE_CREATE", self.world.gateway_message(message))
        return 200, message

    def _apply_edit(self, message: dict[str, Any], record: RecordedRequest) -> dict[str, Any]:
        body = record.json or {}
        for key in ("content", "embeds", "components"):
            if key in body and body[key] is not None:
                message[key] = body[key]
        if "attachments" in body:
            kept = {str(a.get("id")) for a in body["attachments"] or []}
            message["attachments"] = [a for a in message["attachments"] if a["id"] in kept]
        if record.files:
            message["attachments"] += self._attachments(message["channel_id"], record)
        if "flags" in body and body["flags"] is not None:
            message["flags"] = (message["flags"] & (EPHEMERAL | LOADING)) | int(body["flags"])
        message["edited_timestamp"] = datetime.now(UTC).isoformat()
        self.world.resolve_mentions(message, body.get("allowed_mentions"))
        return message

    async def patch_message(self, record: RecordedRequest, channel_id: str, message_id: str):
        message = self._message(channel_id, message_id)
        if message["author"]["id"] != self.world.bot_user["id"]:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        self._apply_edit(message, record)
        self.double.broadcast("MESSAGE_UPDATE", self.world.gateway_message(message))
        return 200, message

    def _deleted(self, message: dict[str, Any]) -> None:
        self.world.messages.get(message["channel_id"], {}).pop(message["id"], None)
        data = {"id": message["id"], "channel_id": message["channel_id"]}
        guild = self.world.guild_of(message["channel_id"])
        if guild is not None:
            data["guild_id"] = guild.id
        self.double.broadcast("MESSAGE_DELETE", data)

    async def delete_message(self, record: RecordedRequest, channel_id: str, message_id: str):
        self._deleted(self._message(channel_id, message_id))
        return 204, None

    async def bulk_delete(self, record: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        ids = [str(i) for i in (record.json or {}).get("messages", [])]
        if not 2 <= len(ids) <= 100:
            raise ApiError(400, 50016, "You must provide at least 2 and fewer than 100 messages to delete.")
        for message_id in ids:
            self.world.messages.get(channel_id, {}).pop(message_id, None)
        data: dict[str, Any] = {"ids": ids, "channel_id": channel_id}
        guild = self.world.guild_of(channel_id)
        if guild is not None:
            data["guild_id"] = guild.id
        self.double.broadcast("MESSAGE_DELETE_BULK", data)
        return 204, None

    async def typing(self, record: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        self._channel(channel_id)
        return 204, None

    async def create_thread(self, record: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        """A thread in a text channel, or a forum post (thread + its starter message)."""
        parent = self._channel(channel_id)
        guild = self.world.guild_of(channel_id)
        body = record.json or {}
        thread = self.world.add_thread(guild, parent, body.get("name", "thread"), owner=self.world.bot_user)
        result = dict(thread)
        if parent["type"] == p.GUILD_FORUM:
            starter = dict(record.json.get("message") or {})
            sub = RecordedRequest(0, "POST", "", {}, {}, starter, record.files)
            message = self._new_message(thread["id"], sub)
            # a forum post's starter message has the thread's id
            self.world.messages[thread["id"]].pop(message["id"])
            message["id"] = thread["id"]
            self.world.messages[thread["id"]][thread["id"]] = message
            result["message"] = message
        self.double.broadcast("THREAD_CREATE", {**thread, "newly_created": True})
        return 201, result

    async def start_thread_from_message(
        self, record: RecordedRequest, channel_id: str, message_id: str
    ) -> tuple[int, Any]:
        """A thread started from a message: as on Discord, its id is the message's, and only one."""
        parent = self._channel(channel_id)
        message = self._message(channel_id, message_id)
        guild = self.world.guild_of(channel_id)
        if parent["type"] != p.GUILD_TEXT:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        if message_id in guild.threads:
            raise ApiError(400, 160004, "A thread has already been created for this message")
        body = record.json or {}
        thread = self.world.add_thread(
            guild, parent, body.get("name", "thread")[:100], owner=self.world.bot_user, thread_id=message_id
        )
        message["thread"] = thread
        self.double.broadcast("THREAD_CREATE", {**thread, "newly_created": True})
        return 201, dict(thread)

    async def delete_channel(self, record: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        """Deleting a thread (the only channels the bot deletes): it and its messages go."""
        guild = self.world.guild_of(channel_id)
        thread = guild.threads.pop(channel_id, None) if guild is not None else None
        if thread is None:
            raise ApiError(403, 50013, "Missing Permissions")
        self.world.messages.pop(channel_id, None)
        event = {
            "id": channel_id,
            "guild_id": guild.id,
            "parent_id": thread["parent_id"],
            "type": thread["type"],
        }
        self.double.broadcast("THREAD_DELETE", event)
        return 200, thread

    async def archived_threads(self, record: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        """A channel's archived public threads, newest archive first (a backfill reads these too)."""
        self._channel(channel_id)
        guild = self.world.guild_of(channel_id)
        before = record.query.get("before")
        threads = [
            t
            for t in guild.threads.values()
            if t.get("parent_id") == channel_id
            and t["thread_metadata"]["archived"]
            and (before is None or t["thread_metadata"]["archive_timestamp"] < before)
        ]
        threads.sort(key=lambda t: t["thread_metadata"]["archive_timestamp"], reverse=True)
        limit = int(record.query.get("limit", 50))
        return 200, {"threads": threads[:limit], "members": [], "has_more": len(threads) > limit}

    # ---- interactions ---------------------------------------------------------------------------

    def _interaction_by_token(self, app_id: str, token: str) -> InteractionRecord:
        for record in self.world.interactions.values():
            if record.token == token and app_id == self.world.application_id:
                return record
        raise _not_found("Webhook", 10015)

    def _interaction_message(self, ix: InteractionRecord, record: RecordedRequest, *, flags: int = 0):
        invoker = ix.payload.get("member", {}).get("user") or ix.payload.get("user")
        metadata = {
            "id": ix.id,
            "type": ix.type,
            "user": invoker,
            "authorizing_integration_owners": ix.payload.get("authorizing_integration_owners", {}),
        }
        legacy = {
            "id": ix.id,
            "type": ix.type,
            "name": ix.payload.get("data", {}).get("name", ""),
            "user": invoker,
        }
        if ix.type == APPLICATION_COMMAND:
            metadata["name"] = legacy["name"]
        return self._new_message(
            ix.payload["channel_id"],
            record,
            flags=flags,
            message_type=CHAT_INPUT_COMMAND if ix.type == APPLICATION_COMMAND else DEFAULT,
            extra={
                "webhook_id": self.world.application_id,
                "application_id": self.world.application_id,
                "interaction_metadata": metadata,
                "interaction": legacy,
            },
        )

    async def interaction_callback(self, record: RecordedRequest, interaction_id: str, token: str):
        ix = self.world.interactions.get(interaction_id)
        if ix is None or ix.token != token:
            raise _not_found("interaction", 10062)
        if ix.callbacks:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        body = record.json or {}
        kind, data = body.get("type"), body.get("data") or {}
        sub = RecordedRequest(0, "POST", "", {}, {}, data, record.files)
        resource: dict[str, Any] | None = {"type": kind}
        if kind == CHANNEL_MESSAGE:
            ix.original = self._interaction_message(ix, sub)
            resource["message"] = ix.original
        elif kind == DEFERRED_CHANNEL_MESSAGE:
            sub.json = {"flags": data.get("flags", 0)}
            ix.original = self._interaction_message(ix, sub, flags=LOADING)
            resource["message"] = ix.original
        elif kind in (DEFERRED_UPDATE, UPDATE_MESSAGE):
            target = ix.payload.get("message")
            stored = self.world.find_message(target["id"]) if target else None
            if stored is None:
                raise ApiError(400, 50035, "Invalid Form Body", {"type": "This interaction has no message"})
            ix.original = stored
            if kind == UPDATE_MESSAGE:
                self._apply_edit(stored, sub)
                self.double.broadcast("MESSAGE_UPDATE", self.world.gateway_message(stored))
                resource["message"] = stored
        elif kind == MODAL:
            invoker = (ix.payload.get("member", {}).get("user") or ix.payload.get("user"))["id"]
            self.world.modals.append((invoker, copy.deepcopy(data)))
            resource = None
        elif kind in (AUTOCOMPLETE_RESULT, PONG):
            resource = None
        else:
            raise ApiError(400, 50035, "Invalid Form Body", {"type": f"unsupported callback type {kind}"})
        ix.callbacks.append(body)
        created = ix.original is not None and kind in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE)
        if created and not ix.original["flags"] & EPHEMERAL:
            self.double.broadcast("MESSAGE_CREATE", self.world.gateway_message(ix.original))
        if record.query.get("with_response") not in ("1", "true", "True"):
            return 204, None
        answer: dict[str, Any] = {
            "interaction": {
                "id": ix.id,
                "type": ix.type,
                "response_message_loading": kind == DEFERRED_CHANNEL_MESSAGE,
                "response_message_ephemeral": bool(ix.original and ix.original["flags"] & EPHEMERAL),
            }
        }
        if ix.original is not None:
            answer["interaction"]["response_message_id"] = ix.original["id"]
        if resource is not None:
            answer["resource"] = resource
        return 200, answer

    async def followup_create(self, record: RecordedRequest, app_id: str, token: str) -> tuple[int, Any]:
        ix = self._interaction_by_token(app_id, token)
        if not ix.callbacks:
            raise _not_found("Webhook", 10015)
        original = ix.original
        if original is not None and original["flags"] & LOADING and not ix.followups:
            # The first follow-up after a deferral fills the "thinking..." message, as on Discord.
            self._apply_edit(original, record)
            original["flags"] &= ~LOADING
            ix.followups.append(original)
            if not original["flags"] & EPHEMERAL:
                self.double.broadcast("MESSAGE_UPDATE", self.world.gateway_message(original))
            return 200, original
        message = self._interaction_message(ix, record)
        ix.followups.append(message)
        if not message["flags"] & EPHEMERAL:
            self.double.broadcast("MESSAGE_CREATE", self.world.gateway_message(message))
        return 200, message

    def _webhook_message(self, app_id: str, token: str, message_id: str) -> tuple[InteractionRecord, dict]:
        ix = self._interaction_by_token(app_id, token)
        candidates = [m for m in (ix.original, *ix.followups) if m is not None]
        if message_id == "@original":
            found = ix.original
        else:
            found = next((m for m in candidates if m["id"] == message_id), None)
        if found is None:
            raise _not_found("Message", 10008)
        return ix, found

    async def wh_get(self, record: RecordedRequest, app_id: str, token: str, message_id: str):
        return 200, self._webhook_message(app_id, token, message_id)[1]

    async def wh_edit(self, record: RecordedRequest, app_id: str, token: str, message_id: str):
        _, message = self._webhook_message(app_id, token, message_id)
        self._apply_edit(message, record)
        message["flags"] &= ~LOADING
        if not message["flags"] & EPHEMERAL:
            self.double.broadcast("MESSAGE_UPDATE", self.world.gateway_message(message))
        return 200, message

    async def wh_del(self, record: RecordedRequest, app_id: str, token: str, message_id: str):
        ix, message = self._webhook_message(app_id, token, message_id)
        if ix.original is message:
            ix.original = None
        else:
            ix.followups.remove(message)
        self._deleted(message)
        return 204, None

    # ---- guilds, members, scheduled events ------------------------------------------------------

    def _guild(self, guild_id: str):
        guild = self.world.guilds.get(guild_id)
        if guild is None:
            raise _not_found("Guild", 10004)
        return guild

    async def get_guild(self, record: RecordedRequest, guild_id: str) -> tuple[int, Any]:
        data = self.world.guild_create(self._guild(guild_id))
        for key in ("members", "channels", "threads", "presences", "voice_states", "joined_at", "large"):
            data.pop(key, None)
        data["approximate_member_count"] = data.pop("member_count")
        data["approximate_presence_count"] = 0
        return 200, data

    async def get_guild_channels(self, record: RecordedRequest, guild_id: str) -> tuple[int, Any]:
        return 200, list(self._guild(guild_id).channels.values())

    async def get_roles(self, record: RecordedRequest, guild_id: str) -> tuple[int, Any]:
        return 200, list(self._guild(guild_id).roles.values())

    async def list_members(self, record: RecordedRequest, guild_id: str) -> tuple[int, Any]:
        members = sorted(self._guild(guild_id).members.values(), key=lambda m: int(m["user"]["id"]))
        after = int(record.query.get("after", 0))
        limit = int(record.query.get("limit", 1))
        return 200, [m for m in members if int(m["user"]["id"]) > after][:limit]

    async def get_member(self, record: RecordedRequest, guild_id: str, user_id: str) -> tuple[int, Any]:
        member = self._guild(guild_id).members.get(user_id)
        if member is None:
            raise _not_found("Member", 10007)
        return 200, member

    def _event(self, guild_id: str, event_id: str) -> dict[str, Any]:
        event = self._guild(guild_id).scheduled_events.get(event_id)
        if event is None:
            raise _not_found("Guild Scheduled Event", 10070)
        return event

    async def list_events(self, record: RecordedRequest, guild_id: str) -> tuple[int, Any]:
        return 200, list(self._guild(guild_id).scheduled_events.values())

    async def get_event(self, record: RecordedRequest, guild_id: str, event_id: str) -> tuple[int, Any]:
        return 200, self._event(guild_id, event_id)

    async def create_event(self, record: RecordedRequest, guild_id: str) -> tuple[int, Any]:
        guild = self._guild(guild_id)
        body = record.json or {}
        errors = {
            k: "This field is required"
            for k in ("name", "scheduled_start_time", "entity_type")
            if not body.get(k)
        }
        if body.get("entity_type") == 3:  # EXTERNAL: Discord requires a location and an end time
            if not (body.get("entity_metadata") or {}).get("location"):
                errors["entity_metadata"] = "location is required for external events"
            if not body.get("scheduled_end_time"):
                errors["scheduled_end_time"] = "required for external events"
        if errors:
            raise ApiError(400, 50035, "Invalid Form Body", errors)
        event = {
            "id": self.world.snowflakes.next_str(),
            "guild_id": guild_id,
            "channel_id": body.get("channel_id"),
            "creator_id": self.world.bot_user["id"],
            "creator": self.world.bot_user,
            "name": body["name"],
            "description": body.get("description"),
            "scheduled_start_time": body["scheduled_start_time"],
            "scheduled_end_time": body.get("scheduled_end_time"),
            "privacy_level": body.get("privacy_level", 2),
            "status": 1,
            "entity_type": body["entity_type"],
            "entity_id": None,
            "entity_metadata": body.get("entity_metadata"),
            "user_count": 0,
            "image": None,
            "recurrence_rule": body.get("recurrence_rule"),
        }
        guild.scheduled_events[event["id"]] = event
        self.double.broadcast("GUILD_SCHEDULED_EVENT_CREATE", event)
        return 200, event

    async def patch_event(self, record: RecordedRequest, guild_id: str, event_id: str) -> tuple[int, Any]:
        event = self._event(guild_id, event_id)
        event.update({k: v for k, v in (record.json or {}).items() if k != "id"})
        self.double.broadcast("GUILD_SCHEDULED_EVENT_UPDATE", event)
        return 200, event

    async def delete_event(self, record: RecordedRequest, guild_id: str, event_id: str) -> tuple[int, Any]:
        event = self._event(guild_id, event_id)
        del self._guild(guild_id).scheduled_events[event_id]
        self.double.broadcast("GUILD_SCHEDULED_EVENT_DELETE", event)
        return 204, None


async def _read_body(request: web.Request) -> tuple[Any, list[UploadedFile]]:
    """JSON bodies as parsed JSON; multipart bodies as (payload_json, files) like Discord reads them."""
    if request.content_type.startswith("multipart/"):
        body: Any = None
        files: list[UploadedFile] = []
        reader = await request.multipart()
        async for part in reader:
            if part.name == "payload_json":
                body = json.loads(await part.text())
            else:
                data = await part.read()
                files.append(
                    UploadedFile(
                        part.name or "", part.filename or "", part.headers.get("Content-Type"), bytes(data)
                    )
                )
        return body, files
    raw = await request.read()
    if not raw:
        return None, []
    try:
        return json.loads(raw), []
    except ValueError:
        return raw.decode(errors="replace"), []
