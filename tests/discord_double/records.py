"""What the bot did to the double (REST requests, gateway frames), and awaiting it without sleeps.

Every record is appended and a change signal fires; waiters re-check their condition on each change.
``wait_for_*`` helpers *claim* what they return, so two waits for the same route return two different
requests, in the order the double answered them.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class UploadedFile:
    field: str
    filename: str
    content_type: str | None
    data: bytes


@dataclass
class RecordedRequest:
    index: int
    method: str
    path: str  # without the /api/v10 prefix and without the query string
    query: dict[str, str]
    headers: dict[str, str]
    json: Any  # the JSON body, or the multipart form's payload_json, or None
    files: list[UploadedFile]
    status: int = 0
    response: Any = None
    unknown_route: bool = False
    injected: bool = False  # the answer was a failure a test queued with fail_next()
    claimed: bool = field(default=False, repr=False)

    def matches(self, method: str, pattern: str) -> bool:
        return self.method == method.upper() and re.fullmatch(pattern, self.path) is not None


@dataclass
class GatewayRecord:
    """One frame on a gateway session; ``direction`` is "recv" (from the bot) or "send" (to it)."""

    index: int
    session: int
    direction: str
    op: int
    t: str | None
    d: Any
    claimed: bool = field(default=False, repr=False)


@dataclass
class FailurePlan:
    method: str
    pattern: str
    status: int
    times: int
    body: dict[str, Any]
    headers: dict[str, str]


class Recorder:
    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.gateway: list[GatewayRecord] = []
        self._changed = asyncio.Event()

    def changed(self) -> None:
        """Wake every waiter so it re-checks its condition."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait(self, condition: Callable[[], Any], *, timeout: float, describe: Callable[[], str]) -> Any:
        """Return ``condition()`` once it is truthy; fail with ``describe()`` after ``timeout`` seconds."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    result = condition()
                    if result:
                        return result
                    await self._changed.wait()
        except TimeoutError:
            raise AssertionError(f"discord double: timed out after {timeout}s {describe()}") from None

    def requests_to(self, method: str, pattern: str, *, status: int | None = None) -> list[RecordedRequest]:
        return [
            r for r in self.requests if r.matches(method, pattern) and (status is None or r.status == status)
        ]

    async def wait_for_request(
        self,
        method: str,
        pattern: str,
        *,
        status: int | None = None,
        predicate: Callable[[RecordedRequest], bool] | None = None,
        timeout: float = 5.0,
    ) -> RecordedRequest:
        def first_unclaimed() -> RecordedRequest | None:
            for request in self.requests_to(method, pattern, status=status):
                if not request.claimed and (predicate is None or predicate(request)):
                    request.claimed = True
                    return request
            return None

        def describe() -> str:
            seen = "\n  ".join(f"{r.method} {r.path} -> {r.status}" for r in self.requests[-25:])
            return f"waiting for {method} {pattern} (status={status}); last requests:\n  {seen or '(none)'}"

        return await self.wait(first_unclaimed, timeout=timeout, describe=describe)

    async def wait_for_gateway(
        self,
        *,
        op: int | None = None,
        event: str | None = None,
        direction: str = "recv",
        predicate: Callable[[GatewayRecord], bool] | None = None,
        timeout: float = 5.0,
    ) -> GatewayRecord:
        def first_unclaimed() -> GatewayRecord | None:
            for record in self.gateway:
                if record.claimed or record.direction != direction:
                    continue
                fits = (op is None or record.op == op) and (event is None or record.t == event)
                if fits and (predicate is None or predicate(record)):
                    record.claimed = True
                    return record
            return None

        def describe() -> str:
            seen = "\n  ".join(f"{g.direction} op={g.op} t={g.t}" for g in self.gateway[-25:])
            return (
                f"waiting for gateway {direction} op={op} event={event}; last frames:\n  {seen or '(none)'}"
            )

        return await self.wait(first_unclaimed, timeout=timeout, describe=describe)
