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


def test_what_is_loaded_is_frozen_out_of_full_collections():
    import gc

    from bot.responsiveness import freeze_what_is_loaded

    try:
        kept = [[i] for i in range(1000)]  # long-lived objects the collector would walk
        freeze_what_is_loaded()
        assert gc.get_freeze_count() >= len(kept)
        assert all(not any(o is item for o in gc.get_objects(2)) for item in kept[:3])
    finally:
        gc.unfreeze()
