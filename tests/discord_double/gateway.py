"""The gateway websocket: HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeats, dispatches.

Frames to the bot go through one queue per session so their order is the order they were produced,
whether a test dispatched them or a REST call echoed them. With ``compress=zlib-stream`` (what
discord.py asks for unless zstandard is installed) frames are binary zlib with a Z_SYNC_FLUSH suffix,
as on Discord; any other compression value gets plain text frames, which discord.py also accepts.
"""

from __future__ import annotations

import asyncio
import json
import zlib
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .records import GatewayRecord

if TYPE_CHECKING:
    from .double import DiscordDouble

# Opcodes
DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE_UPDATE, VOICE_STATE = 0, 1, 2, 3, 4
RESUME, RECONNECT, REQUEST_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 6, 7, 8, 9, 10, 11

# Intents that gate the events the double sends
GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
MESSAGE_CONTENT = 1 << 15
GUILD_SCHEDULED_EVENTS = 1 << 16

_MESSAGE_EVENTS = {"MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE", "MESSAGE_DELETE_BULK"}


class GatewaySession:
    def __init__(self, double: DiscordDouble, number: int, ws: web.WebSocketResponse, compress: str | None):
        self.double = double
        self.number = number
        self.ws = ws
        self.session_id = f"double-session-{number}"
        self.sequence = 0
        self.intents = 0
        self.identify: dict[str, Any] | None = None
        self.history: list[dict[str, Any]] = []
        self.dropped = False  # closed by DiscordDouble.drop_connection()
        self.taken_over = False  # a RESUME on a new connection continued this session
        self.ready = False
        self.closed = False
        self.compress = compress  # what the bot asked for in the URL (discord.py: "zlib-stream")
        self._compressor = zlib.compressobj() if compress == "zlib-stream" else None
        self._outbox: asyncio.Queue[tuple[dict[str, Any], asyncio.Future[None]]] = asyncio.Queue()

    # ---- sending --------------------------------------------------------------------------------

    def send(self, op: int, d: Any, t: str | None = None) -> asyncio.Future[None]:
        """Queue a frame; the future completes once it is written to the socket.

        Dispatches are numbered and kept, so a resumed session can replay what the bot missed; a
        dispatch to a closed session that may still be resumed is only kept.
        """
        frame: dict[str, Any] = {"op": op, "d": d, "s": None, "t": t}
        if op == DISPATCH:
            self.sequence += 1
            frame["s"] = self.sequence
            self.history.append(frame)
        if self.closed:
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            done.set_result(None)
            return done
        return self._enqueue(frame)

    def _enqueue(self, frame: dict[str, Any]) -> asyncio.Future[None]:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.double.recorder.gateway.append(
            GatewayRecord(
                len(self.double.recorder.gateway), self.number, "send", frame["op"], frame["t"], frame["d"]
            )
        )
        self._outbox.put_nowait((frame, done))
        self.double.recorder.changed()
        return done

    @property
    def resumable(self) -> bool:
        """Identified, and dropped by the double or not closed cleanly by the bot (discord.py closes
        with 1000 on bot.close() and will not resume)."""
        return self.identify is not None and (self.dropped or self.ws.close_code not in (1000, 1001))

    def dispatch(self, event: str, data: dict[str, Any]) -> asyncio.Future[None] | None:
        """Queue a DISPATCH if this session would get it (ready, or closed but resumable; intents)."""
        if not self.wants(event, data):
            return None
        if (self.ready and not self.closed) or (self.closed and self.resumable):
            return self.send(DISPATCH, self._filtered(event, data), event)
        return None

    def wants(self, event: str, data: dict[str, Any]) -> bool:
        if event in _MESSAGE_EVENTS:
            needed = GUILD_MESSAGES if "guild_id" in data else DIRECT_MESSAGES
            return bool(self.intents & needed)
        if event.startswith("GUILD_SCHEDULED_EVENT"):
            return bool(self.intents & GUILD_SCHEDULED_EVENTS)
        if event.startswith(("THREAD_", "CHANNEL_", "GUILD_")):
            return bool(self.intents & GUILDS)
        return True

    def _filtered(self, event: str, data: dict[str, Any]) -> dict[str, Any]:
        """Without the MESSAGE_CONTENT intent Discord blanks content unless the bot is concerned."""
        if event not in ("MESSAGE_CREATE", "MESSAGE_UPDATE") or self.intents & MESSAGE_CONTENT:
            return data
        bot_id = self.double.world.bot_user["id"]
        concerned = (
            "guild_id" not in data
            or data.get("author", {}).get("id") == bot_id
            or any(u["id"] == bot_id for u in data.get("mentions", []))
        )
        if concerned:
            return data
        blanked = dict(data)
        blanked.update(content="", embeds=[], attachments=[], components=[])
        return blanked

    async def _writer(self) -> None:
        while True:
            frame, done = await self._outbox.get()
            try:
                text = json.dumps(frame)
                if self._compressor is not None:
                    blob = self._compressor.compress(text.encode()) + self._compressor.flush(
                        zlib.Z_SYNC_FLUSH
                    )
                    await self.ws.send_bytes(blob)
                else:
                    await self.ws.send_str(text)
            except Exception as exc:  # the bot went away mid-write
                if not done.done():
                    done.set_exception(exc)
                continue
            if not done.done():
                done.set_result(None)

    # ---- receiving ------------------------------------------------------------------------------

    async def run(self) -> None:
        writer = asyncio.create_task(self._writer(), name=f"double-gateway-writer-{self.number}")
        try:
            self.send(HELLO, {"heartbeat_interval": self.double.heartbeat_interval_ms})
            async for msg in self.ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                op, d = frame.get("op"), frame.get("d")
                self.double.recorder.gateway.append(
                    GatewayRecord(len(self.double.recorder.gateway), self.number, "recv", op, None, d)
                )
                self.double.recorder.changed()
                await self._handle(op, d)
        finally:
            self.closed = True
            self.ready = False
            # let frames already queued go out before the writer stops (a closing socket drops them)
            writer.cancel()
            while not self._outbox.empty():
                _, done = self._outbox.get_nowait()
                if not done.done():
                    done.set_result(None)
            self.double.recorder.changed()

    async def _handle(self, op: int, d: Any) -> None:
        if op == HEARTBEAT:
            self.send(HEARTBEAT_ACK, None)
        elif op == IDENTIFY:
            if d.get("token") != self.double.world.token:
                await self.ws.close(code=4004, message=b"Authentication failed.")
                return
            self.identify = d
            self.intents = int(d.get("intents", 0))
            await self._ready(d)
        elif op == RESUME:
            self._resume(d)
        elif op == REQUEST_MEMBERS:
            self._member_chunk(d)

    def _resume(self, d: dict[str, Any]) -> None:
        """Take over a dropped session: replay the dispatches after ``seq``, then RESUMED.

        Unknown sessions get INVALID_SESSION (not resumable), and the bot identifies afresh — which
        discord.py delays by 5 s (Client.before_identify_hook), so tests should prefer resuming.
        """
        old = self.double.resumable.pop(str(d.get("session_id")), None)
        if old is None or d.get("token") != self.double.world.token:
            self.send(INVALID_SESSION, False)
            return
        old.taken_over = True
        self.session_id, self.identify, self.intents = old.session_id, old.identify, old.intents
        self.sequence, self.history = old.sequence, old.history
        for frame in self.history:
            if frame["s"] > int(d.get("seq") or 0):
                self._enqueue(frame)
        self.send(DISPATCH, {}, "RESUMED")
        self.ready = True
        self.double.recorder.changed()

    async def _ready(self, identify: dict[str, Any]) -> None:
        world = self.double.world
        ready = {
            "v": 10,
            "user": world.bot_user,
            "user_settings": {},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guilds": [{"id": g.id, "unavailable": True} for g in world.guilds.values()],
            "session_id": self.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.double.gateway_url,
            "shard": identify.get("shard", [0, 1]),
            "application": {"id": world.application_id, "flags": world.application()["flags"]},
            "auth": {},
            "geo_ordered_rtc_regions": [],
            "guild_join_requests": [],
        }
        self.send(DISPATCH, ready, "READY")
        for guild in world.guilds.values():
            data = world.guild_create(guild)
            if not self.intents & GUILD_MEMBERS:
                # without the privileged members intent Discord sends only the bot's own member
                data["members"] = [m for m in data["members"] if m["user"]["id"] == world.bot_user["id"]]
            self.send(DISPATCH, data, "GUILD_CREATE")
        self.ready = True
        self.double.recorder.changed()

    def _member_chunk(self, d: dict[str, Any]) -> None:
        guild = self.double.world.guilds.get(str(d.get("guild_id")))
        if guild is None:
            return
        members = list(guild.members.values())
        if d.get("user_ids"):
            wanted = {str(u) for u in d["user_ids"]}
            members = [m for m in members if m["user"]["id"] in wanted]
        elif d.get("query"):
            members = [m for m in members if m["user"]["username"].startswith(d["query"])]
        chunk = {"guild_id": guild.id, "members": members, "chunk_index": 0, "chunk_count": 1}
        if d.get("nonce"):
            chunk["nonce"] = d["nonce"]
        self.send(DISPATCH, chunk, "GUILD_MEMBERS_CHUNK")
