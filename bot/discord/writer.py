"""One writer task: every index write from Discord events runs here, in order, off the event loop.

Whoosh allows one writer at a time and a create must be applied before its edit; a single queue
gives both, and `drain()` lets shutdown commit what is pending before the database closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from index.errors import InputError

log = logging.getLogger(__name__)


class WriteQueue:
    def __init__(self) -> None:
        self._queue: asyncio.Queue[tuple[Callable[..., Any], tuple, asyncio.Future]] = asyncio.Queue()
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="clikc-index-writer")

    def submit(self, fn: Callable[..., Any], *args: Any) -> asyncio.Future:
        """Queue a blocking write; the returned future carries its result (or exception)."""
        future = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((fn, args, future))
        return future

    async def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Queue a write and wait for it."""
        return await self.submit(fn, *args)

    async def _run(self) -> None:
        while True:
            fn, args, future = await self._queue.get()
            try:
                result = await asyncio.to_thread(fn, *args)
            except Exception as exc:  # one failed write must not stop the writer
                if not isinstance(exc, InputError):  # bad input is the caller's to report, not a fault
                    log.exception("index write %s failed", getattr(fn, "__qualname__", fn))
                if not future.done():
                    future.set_exception(exc)
                    future.exception()  # mark retrieved: fire-and-forget writes are logged above
            else:
                if not future.done():
                    future.set_result(result)
            finally:
                self._queue.task_done()

    async def join(self) -> None:
        """Wait until everything queued so far is written."""
        await self._queue.join()

    async def drain(self) -> None:
        """Shutdown: write what is pending, then stop the task."""
        if self._task is None:
            return
        await self._queue.join()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
