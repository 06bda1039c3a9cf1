"""The planner's scheduled-events step with spec'd discord.py mocks: what is sent to Discord, and when not."""

from __future__ import annotations

import itertools
import logging
import unittest.mock as mock
from datetime import timedelta

import discord
import pytest

from bot.members import Actor

MOD = Actor("test", is_moderator=True)
_ids = itertools.count(7_000)


def add_call(app, clock, days=2, link="https://example.org/call"):
    start = (clock.now + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")
    app.sessions.add(
        {
            "id": "iot-call",
            "title": {"en": "IoT community call", "es": "Llamada IoT"},
            "description": {"en": "Monthly call on e-seals."},
            "start": start,
            "duration": "1h",
            "timezone": "UTC",
            **({"link": link} if link else {}),
        },
        MOD,
    )


def http_error(cls, status):
    return cls(
        mock.MagicMock(status=status, reason="refused"), {"code": 50013, "message": "Missing Permissions"}
    )


@pytest.fixture
def events(bot, guild):
    """The guild's scheduled events as Discord would keep them: created ones can be fetched again."""
    bot.settings.scheduled_events = True
    store: dict[int, mock.MagicMock] = {}

    async def create(**fields):
        event = mock.MagicMock(spec_set=discord.ScheduledEvent, id=next(_ids))
        event.name = fields["name"]  # not a constructor argument: Mock takes `name` for itself
        store[event.id] = event
        return event

    async def fetch(event_id, *, with_counts=True):
        if event_id not in store:
            raise http_error(discord.NotFound, 404)
        return store[event_id]

    guild.create_scheduled_event.side_effect = create
    guild.fetch_scheduled_event.side_effect = fetch
    return store


def created(guild, name):
    return [c.kwargs for c in guild.create_scheduled_event.call_args_list if c.kwargs["name"] == name]


async def test_off_when_turned_off_nothing_is_sent(bot, clock, guild):
    bot.settings.scheduled_events = False
    add_call(bot.app, clock)
    assert await bot.get_cog("AnnouncerCog").mirror_events() == 0
    guild.create_scheduled_event.assert_not_called()


def test_on_by_default():
    from bot.config import DiscordSettings

    assert DiscordSettings().scheduled_events is True


async def test_without_the_event_permissions_it_logs_once_and_sends_nothing(bot, clock, guild, caplog):
    bot.settings.scheduled_events = True
    guild.me.guild_permissions = discord.Permissions.none()
    add_call(bot.app, clock)
    cog = bot.get_cog("AnnouncerCog")
    with caplog.at_level(logging.WARNING, logger="bot.discord.cogs.sessions"):
        assert await cog.mirror_events() == 0
        assert await cog.mirror_events() == 0
    guild.create_scheduled_event.assert_not_called()
    warnings = [r for r in caplog.records if "lacks the Create Events and Manage Events" in r.getMessage()]
    assert len(warnings) == 1, "logged once, not every minute"


async def test_upcoming_sessions_become_external_members_only_events_once(bot, clock, guild, events):
    guild.preferred_locale = discord.Locale.spain_spanish
    add_call(bot.app, clock)
    cog = bot.get_cog("AnnouncerCog")
    await cog.run_once()  # the planner's minute runs the step
    [fields] = created(guild, "Llamada IoT")
    assert fields["entity_type"] is discord.EntityType.external
    assert fields["privacy_level"] is discord.PrivacyLevel.guild_only
    assert fields["location"] == "https://example.org/call"
    assert fields["description"] == "Monthly call on e-seals."  # no Spanish one: the session's fallback
    assert fields["end_time"] - fields["start_time"] == timedelta(hours=1)
    calls = guild.create_scheduled_event.call_count
    assert await cog.mirror_events() == 0  # recorded: not created twice
    assert guild.create_scheduled_event.call_count == calls


async def test_a_session_without_link_gets_the_localised_fallback_location(bot, clock, guild, events):
    guild.preferred_locale = discord.Locale.french
    add_call(bot.app, clock, link=None)
    await bot.get_cog("AnnouncerCog").mirror_events()
    [fields] = created(guild, "IoT community call")  # no French title: English
    assert fields["location"] == "En ligne — détails dans /sessions"


async def test_edits_update_and_cancellations_delete_the_event(bot, clock, guild, events):
    add_call(bot.app, clock)
    cog = bot.get_cog("AnnouncerCog")
    await cog.mirror_events()
    event = next(e for e in events.values() if e.name == "IoT community call")
    bot.app.sessions.edit("iot-call", {"title": {"en": "IoT call (moved room)"}, "duration": "2h"}, MOD)
    assert await cog.mirror_events() == 1
    edit = event.edit.call_args.kwargs
    assert edit["name"] == "IoT call (moved room)" and edit["end_time"] - edit["start_time"] == timedelta(
        hours=2
    )
    assert await cog.mirror_events() == 0

    bot.app.sessions.cancel("iot-call", MOD)
    assert await cog.mirror_events() == 1
    event.delete.assert_awaited_once()
    assert not any(k.startswith("iot-call@") for k in bot.app.event_mirror.mirrored(str(guild.id)))


async def test_missing_permission_warns_once_and_retries_next_run(bot, clock, guild, events, caplog):
    add_call(bot.app, clock)
    guild.create_scheduled_event.side_effect = http_error(discord.Forbidden, 403)
    cog = bot.get_cog("AnnouncerCog")
    with caplog.at_level(logging.WARNING, logger="bot.discord.cogs.sessions"):
        assert await cog.run_once() == 0
        assert await cog.run_once() == 0
    warnings = [r for r in caplog.records if "cannot manage scheduled events" in r.getMessage()]
    assert len(warnings) == 1 and "Manage Events" in warnings[0].getMessage()
    assert bot.app.event_mirror.mirrored(str(guild.id)) == {}  # nothing recorded: retried next run
    guild.create_scheduled_event.side_effect = None
    guild.create_scheduled_event.return_value = mock.MagicMock(spec_set=discord.ScheduledEvent, id=4242)
    assert await cog.mirror_events() >= 1
    assert "4242" in {m.event_id for m in bot.app.event_mirror.mirrored(str(guild.id)).values()}


async def test_an_event_a_moderator_deleted_in_discord_is_not_recreated(bot, clock, guild, events, caplog):
    add_call(bot.app, clock)
    cog = bot.get_cog("AnnouncerCog")
    await cog.mirror_events()
    events.clear()  # deleted in Discord
    bot.app.sessions.edit("iot-call", {"duration": "2h"}, MOD)
    calls = guild.create_scheduled_event.call_count
    with caplog.at_level(logging.INFO, logger="bot.discord.cogs.sessions"):
        assert await cog.mirror_events() == 0
        assert await cog.mirror_events() == 0
    assert guild.create_scheduled_event.call_count == calls
    assert "was deleted in Discord; not recreated" in caplog.text


async def test_other_discord_errors_skip_that_event_only(bot, clock, guild, events, caplog):
    add_call(bot.app, clock)
    create = guild.create_scheduled_event.side_effect
    failing = {"IoT community call"}

    async def flaky(**fields):
        if fields["name"] in failing:
            raise http_error(discord.HTTPException, 500)
        return await create(**fields)

    guild.create_scheduled_event.side_effect = flaky
    cog = bot.get_cog("AnnouncerCog")
    await cog.mirror_events()
    assert "failed, retried next run" in caplog.text
    failing.clear()
    await cog.mirror_events()
    assert len(created(guild, "IoT community call")) == 2  # once refused, once accepted
