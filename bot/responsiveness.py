"""Interpreter settings for a process whose asyncio loop shares the GIL with busy worker threads.

The Discord adapter runs searches and index writes in threads beside the gateway's event loop.
CPython gives the GIL to a waiting thread only after the running one has had it for the switch
interval (5 ms by default), and with two busy workers the loop can lose that handover several
times in a row. At 1 ms, on the 100k-post benchmark index (a 2,000-post ingest and 200 questions
in threads), the loop's p99 lateness went from 22-24 ms to 6 ms and the longest stall from
59-133 ms to 49-68 ms, with the same ingest time.
"""

from __future__ import annotations

import sys

SWITCH_INTERVAL_SECONDS = 0.001


def keep_event_loop_responsive() -> None:
    """Call once, where the event loop starts (the bot's setup_hook)."""
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
