"""Session announcements through real discord.py (issue 6, scenario 4): exactly once, restarts included."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.clikc import SESSION_START, Clikc, pings_nobody


def announcements_posted(clikc: Clikc) -> list[dict]:
    channel = clikc.double.world.channel("announcements")["id"]
    return [r.json for r in clikc.double.requests_to("POST", rf"/channels/{channel}/messages", status=200)]


async def test_a_session_is_announced_once_when_its_lead_time_passes_even_across_a_restart(clikc: Clikc):
    clikc.clock.now = SESSION_START - timedelta(days=8)  # before every lead time (7d, 1d, 1h)
    await clikc.start()
    planner = await clikc.take_over_planner()  # its first run, at start, found nothing due
    assert announcements_posted(clikc) == []
    assert await planner.run_once() == 0

    clikc.clock.now = SESSION_START - timedelta(days=6, hours=23)  # the 7-day lead time has passed
    assert await planner.run_once() == 1
    [announcement] = announcements_posted(clikc)
    assert "Webinar: IoT seals in transit" in announcement["content"]
    assert f"<t:{int(SESSION_START.timestamp())}:F>" in announcement["content"]  # in each reader's zone
    assert pings_nobody(announcement)
    assert await planner.run_once() == 0, "announced once, not every minute"

    clikc.clock.now += timedelta(minutes=5)
    await clikc.restart()  # the new process's planner runs at once, with the same clock
    planner = await clikc.take_over_planner()
    assert await planner.run_once() == 0
    assert len(announcements_posted(clikc)) == 1, "no second announcement after the restart"

    clikc.clock.now = SESSION_START - timedelta(minutes=50)  # 1d and 1h both passed: only the latest
    assert await planner.run_once() == 1
    assert len(announcements_posted(clikc)) == 2
