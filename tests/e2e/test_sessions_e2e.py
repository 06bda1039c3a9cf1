"""Session announcements through real discord.py (issue 6, scenario 4): exactly once, restarts included."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.members import Actor
from tests.discord_double.payloads import BOT_PERMISSIONS
from tests.e2e.clikc import SESSION_START, Clikc, grant_bot_role, pings_nobody


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


async def test_sessions_are_mirrored_as_scheduled_events_once_edited_and_removed_when_cancelled(clikc: Clikc):
    clikc.use_discord_settings(scheduled_events=True)
    grant_bot_role(clikc.double, BOT_PERMISSIONS)  # Create Events and Manage Events among them
    await clikc.start()
    planner = await clikc.take_over_planner()  # its first run, at start, created the event
    guild = clikc.double.world.guild
    events_path = rf"/guilds/{guild.id}/scheduled-events"
    [event] = guild.scheduled_events.values()
    assert event["name"] == "Webinar: IoT seals in transit"  # the guild's locale is en-US
    assert event["entity_type"] == 3 and event["privacy_level"] == 2  # external, guild only
    assert event["entity_metadata"] == {"location": "https://example.org/iot-webinar"}
    assert datetime.fromisoformat(event["scheduled_start_time"]) == SESSION_START
    assert datetime.fromisoformat(event["scheduled_end_time"]) == SESSION_START + timedelta(hours=1)
    await planner.run_once()

    await clikc.restart()
    planner = await clikc.take_over_planner()
    await planner.run_once()
    assert len(clikc.double.requests_to("POST", events_path)) == 1, "a restart creates no duplicate"
    assert list(guild.scheduled_events) == [event["id"]]

    moderator = Actor("moderator", is_moderator=True)
    clikc.app.sessions.edit("iot-webinar-2026-03", {"title": {"en": "Webinar: IoT e-seals"}}, moderator)
    await planner.run_once()
    assert guild.scheduled_events[event["id"]]["name"] == "Webinar: IoT e-seals"
    assert len(clikc.double.requests_to("PATCH", rf"{events_path}/{event['id']}", status=200)) == 1

    clikc.app.sessions.cancel("iot-webinar-2026-03", moderator)
    await planner.run_once()
    assert guild.scheduled_events == {}
    assert len(clikc.double.requests_to("DELETE", rf"{events_path}/{event['id']}", status=204)) == 1
    await planner.run_once()
    assert len(clikc.double.requests_to("POST", events_path)) == 1
