"""Measuring instruments: latency percentiles, peak memory per phase, event-loop stalls, disk usage."""

from __future__ import annotations

import asyncio
import resource
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
