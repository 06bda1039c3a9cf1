"""Parsing untrusted files in a child process with memory and CPU limits.

A small file can still be hostile (a YAML alias bomb, a Word part that expands to hundreds of MB,
a PDF that loops): parsing it in-process could exhaust the bot's memory or block it for minutes.
Each parse runs in a process forked from a clean fork server, under RLIMIT_AS (address space) and
RLIMIT_CPU, with a wall-clock timeout for anything that sleeps instead of computing. The refusal
names the limit that was hit. Results come back through a pipe, and a streaming parse (JSON lines,
chat exports) sends them in batches, so neither side holds a whole export.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from index.errors import InputError

try:  # not on Windows: limits are then not enforced, the parse still runs in its own process
    import resource
except ImportError:  # pragma: no cover
    resource = None  # type: ignore[assignment]

BATCH = 200  # streamed items per message through the pipe


class LimitExceeded(InputError):
    """A file whose parsing went over a memory, CPU or time limit; the message names the limit."""


@dataclass(frozen=True)
class WorkLimits:
    """What parsing one file may use. Generous for real documents, far below what a bomb needs."""

    memory_mb: int = 768  # address space of the worker, interpreter included
    cpu_seconds: int = 60
    wall_seconds: int = 120  # also the longest a streaming parse may go without sending anything
    cpu_seconds_per_mb: float = 1.0  # streaming parses (exports) get this much more per MB of file

    def for_size(self, size: int) -> WorkLimits:
        extra = int(self.cpu_seconds_per_mb * size / (1024 * 1024))
        return WorkLimits(self.memory_mb, self.cpu_seconds + extra, self.wall_seconds + extra, 0)


_context: multiprocessing.context.BaseContext | None = None


def _ctx() -> multiprocessing.context.BaseContext:
    """A fork server started once: children fork from a small clean process, not from the bot
    (whose threads and mapped index would make fork unsafe and the address-space limit meaningless)."""
    global _context
    if _context is None:
        methods = multiprocessing.get_all_start_methods()
        if "forkserver" in methods:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["index.extract", "index.ingest"])
        else:  # pragma: no cover - Windows/macOS without forkserver
            ctx = multiprocessing.get_context("spawn")
        _context = ctx
    return _context


def run_limited(fn: Callable[..., Any], *args: Any, limits: WorkLimits, label: str) -> Any:
    """`fn(*args)` in a limited child; its InputError is raised here as it was, its result returned."""
    for kind, payload in _run(fn, args, limits, label, stream=False):
        if kind == "result":
            return payload
    raise AssertionError("a worker ends with a result or an error")


def stream_limited(
    fn: Callable[..., Iterator[Any]], *args: Any, limits: WorkLimits, label: str
) -> Iterator[Any]:
    """The items `fn(*args)` yields in a limited child, as they come (in batches of BATCH)."""
    for kind, payload in _run(fn, args, limits, label, stream=True):
        if kind == "items":
            yield from payload


def _run(fn, args, limits: WorkLimits, label: str, *, stream: bool) -> Iterator[tuple[str, Any]]:
    ctx = _ctx()
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(sender, fn, args, limits, stream), daemon=True)
    process.start()
    sender.close()
    finished = False
    try:
        while True:
            if not receiver.poll(limits.wall_seconds):
                raise LimitExceeded(
                    f"{label}: refused: reading it took longer than {limits.wall_seconds} s "
                    "(the time limit for one file)"
                )
            try:
                kind, payload = receiver.recv()
            except EOFError:  # the child died without a word: killed by a limit
                process.join(5)
                raise _died(label, process.exitcode, limits) from None
            if kind == "error":
                cls, message = payload
                if cls == "limit":
                    raise LimitExceeded(_limit_message(label, message, limits))
                if cls == "crash":
                    raise InputError(f"{label}: could not be read ({message})")
                raise message  # the reader's own InputError (subclass kept), pickled across
            if kind in ("result", "done"):
                finished = True
                yield kind, payload
                return
            yield kind, payload
    finally:
        receiver.close()
        if not finished or process.is_alive():
            process.join(0.5 if finished else 0)
            if process.is_alive():
                process.kill()
            process.join()


def _limit_message(label: str, message: str, limits: WorkLimits) -> str:
    if message == "memory":
        return (
            f"{label}: refused: reading it needed more than {limits.memory_mb} MB of memory "
            "(the memory limit for one file)"
        )
    return message


def _died(label: str, exitcode: int | None, limits: WorkLimits) -> InputError:
    if exitcode == -signal.SIGXCPU:
        return LimitExceeded(
            f"{label}: refused: reading it took more than {limits.cpu_seconds} s of processor time "
            "(the CPU limit for one file)"
        )
    if exitcode in (-signal.SIGKILL, -signal.SIGSEGV, -signal.SIGABRT, -signal.SIGBUS):
        # the system's out-of-memory killer, or a C library failing an allocation under the limit
        return LimitExceeded(_limit_message(label, "memory", limits))
    return InputError(f"{label}: the reader stopped unexpectedly (exit status {exitcode}); file not read")


def _child(conn: Connection, fn, args, limits: WorkLimits, stream: bool) -> None:
    """Runs in the worker: apply the limits, do the work, report one outcome."""
    if resource is not None:
        memory = limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        cpu = max(1, int(limits.cpu_seconds))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        if stream:
            batch: list = []
            for item in fn(*args):
                batch.append(item)
                if len(batch) >= BATCH:
                    conn.send(("items", batch))
                    batch = []
            if batch:
                conn.send(("items", batch))
            conn.send(("done", None))
        else:
            conn.send(("result", fn(*args)))
    except MemoryError:
        _send_error(conn, "limit", "memory")
    except InputError as exc:
        _send_error(conn, "input", exc)
    except RecursionError:
        _send_error(conn, "crash", "it nests too deeply")
    except Exception as exc:  # a reader's bug or a library's surprise: one line, not a traceback
        _send_error(conn, "crash", f"{type(exc).__name__}: {str(exc)[:200]}")
    finally:
        conn.close()
        os._exit(0)  # skip interpreter teardown: nothing of the parse needs finalising


def _send_error(conn: Connection, kind: str, message: str | InputError) -> None:
    with contextlib.suppress(MemoryError, OSError):  # else the parent sees the exit status
        conn.send(("error", (kind, message)))
