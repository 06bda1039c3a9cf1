"""The bot shortens the GIL switch interval so its event loop is not starved by worker threads."""

import sys

from bot.responsiveness import SWITCH_INTERVAL_SECONDS, keep_event_loop_responsive


def test_switch_interval_is_shortened():
    before = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.005)  # CPython's default
        keep_event_loop_responsive()
        assert abs(sys.getswitchinterval() - SWITCH_INTERVAL_SECONDS) < 1e-9 < 0.005 - SWITCH_INTERVAL_SECONDS
    finally:
        sys.setswitchinterval(before)
