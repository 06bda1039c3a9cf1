"""Measuring instruments: latency percentiles, peak memory per phase, event-loop stalls, disk usage."""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """p50/p95/p99/mean/max of latencies in milliseconds (nearest-rank percentiles)."""
    if not samples_ms:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "mean": 0.0, "max": 0.0, "n": 0}
    ordered = sorted(samples_ms)

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, int(-(-p * len(ordered) // 100)) - 1))]

    return {
        "p50": round(rank(50), 3),
        "p95": round(rank(95), 3),
        "p99": round(rank(99), 3),
        "mean": round(sum(ordered) / len(ordered), 3),
        "max": round(ordered[-1], 3),
        "n": len(ordered),
    }


class PeakMemory:
    """Peak resident memory of this process, per phase.

    Linux lets a process reset its high-water mark (VmHWM) by writing 5 to /proc/self/clear_refs;
    elsewhere, or if that fails, the value is getrusage's lifetime peak.
    """

    def __init__(self) -> None:
        self._resettable = Path("/proc/self/clear_refs").exists()

    def reset(self) -> None:
        if self._resettable:
            try:
                Path("/proc/self/clear_refs").write_text("5")
            except OSError:
                self._resettable = False

    def peak_mb(self) -> float:
        if self._resettable:
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
        return round(self.lifetime_peak_mb(), 1)

    @staticmethod
    def lifetime_peak_mb() -> float:
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


class TreeMemory:
    """Peak memory of this process and every process under it (the ingest's workers, the file
    parser, the fork server they come from), summed: sampled every `interval` seconds by a thread,
    since a child's own peak is gone with it. Each process counts its proportional share (PSS) of
    pages it shares with the others (forked from one fork server, they share the interpreter and
    libraries): summing their RSS would count those pages once per process. Linux only (else 0)."""

    def __init__(self, interval: float = 0.25) -> None:
        self.interval = interval
        self.peak_mb = 0.0
        self.peak_processes = 0
        self._ticks: dict[int, int] = {}  # pid -> the most processor ticks seen for it
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tree-memory", daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(self.interval):
                return

    def sample(self) -> None:
        pids = _descendants(os.getpid())
        total = sum(_pss_kb(pid) for pid in pids) / 1024
        with self._lock:
            if total > self.peak_mb:
                self.peak_mb, self.peak_processes = round(total, 1), len(pids)
            for pid in pids:
                self._ticks[pid] = max(self._ticks.get(pid, 0), _cpu_ticks(pid))

    def cpu_seconds(self) -> float:
        """Processor seconds used so far by this process and every process seen under it (a child
        that lived less than one interval may be missed): on a machine shared with other work, the
        wall clock says how loaded it was, this says what the work cost."""
        self.sample()
        with self._lock:
            return sum(self._ticks.values()) / os.sysconf("SC_CLK_TCK")


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError, ValueError):
                todo += [int(child) for child in task.read_text().split()]
    return found


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, ValueError, IndexError):
        return 0


def _pss_kb(pid: int) -> int:
    for path, key in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return int(line.split()[1])
        except (OSError, ValueError):
            continue
    return 0


@dataclass
class LoopTicker:
    """A coroutine that wakes every `interval` seconds and records how late each wake-up was: the
    longest lateness is the longest the event loop was blocked (what would delay Discord heartbeats)."""

    interval: float = 0.005
    lags_ms: list[float] = field(default_factory=list)
    _running: bool = True

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while self._running:
            expected = loop.time() + self.interval
            await asyncio.sleep(self.interval)
            self.lags_ms.append(max(0.0, (loop.time() - expected) * 1000))

    def stop(self) -> None:
        self._running = False

    def summary(self) -> dict[str, float]:
        stats = percentiles(self.lags_ms)
        return {"max_ms": stats["max"], "p99_ms": stats["p99"], "ticks": stats["n"]}


def dir_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


class Stopwatch:
    def __enter__(self) -> Stopwatch:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start
