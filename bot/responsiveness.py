"""Interpreter settings for a process whose asyncio loop shares the GIL with busy worker threads.

The Discord adapter runs searches and index writes in threads beside the gateway's event loop.
CPython gives the GIL to a waiting thread only after the running one has had it for the switch
interval (5 ms by default), and with two busy workers the loop can lose that handover several
times in a row. At 1 ms, on the 100k-post benchmark index (a 2,000-post ingest and 200 questions
in threads), the loop's p99 lateness went from 22-24 ms to 6 ms and the longest stall from
59-133 ms to 49-68 ms, with the same ingest time.

A full garbage collection holds the GIL while it walks every object the collector tracks: in a
process that has loaded the bot (its modules, the knowledge base, the language model) one took
65-170 ms on this machine, however little garbage there was, and it ran whenever enough new objects
had piled up, stalling the loop. What is loaded at start lives as long as the process, so once it is
loaded it is frozen out of the collector's sight (`gc.freeze`); later collections walk only what
came after.
"""

from __future__ import annotations

import gc
import sys

SWITCH_INTERVAL_SECONDS = 0.001


def keep_event_loop_responsive() -> None:
    """Call once, where the event loop starts (the bot's setup_hook)."""
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)


def freeze_what_is_loaded() -> None:
    """Call once the program has loaded what it keeps for its whole life (after the knowledge base
    and the language model are open); garbage is collected first so none of it is kept."""
    gc.collect()
    gc.freeze()
