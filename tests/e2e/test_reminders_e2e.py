"""Sessions like an event bot, through real discord.py (issue 13, item 7): the announcement carries
"Interested" (a personal DM reminder; press again to opt out), an "add to Google Calendar" link and
the session's .ics; the button works after a restart."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from tests.e2e.clikc import DEFER, SESSION_START, TIMEOUT, Clikc, pings_nobody, string

EPHEMERAL = 64
LINK = 5  # button style


def announcements(clikc: Clikc) -> list[dict]:
    channel = clikc.double.world.channel("announcements")["id"]
    return [
        r.response for r in clikc.double.requests_to("POST", rf"/channels/{channel}/messages", status=200)
    ]


def components(message: dict) -> list[dict]:
    return [c for row in message.get("components", []) for c in row["components"]]


async def press(clikc: Clikc, message: dict, custom_id: str, user: str, locale: str) -> str:
    clicked = await clikc.double.click(message, custom_id, user=user, locale=locale)
    callback = await clikc.double.wait_for_callback(clicked, timeout=TIMEOUT)
    assert callback["type"] == DEFER and callback["data"]["flags"] & EPHEMERAL
    reply = await clikc.double.wait_for_followup(clicked, timeout=TIMEOUT)
    assert reply["flags"] & EPHEMERAL, "only the member who pressed sees it"
    return reply["content"]


def dms(clikc: Clikc) -> dict[str, list[str]]:
    """Direct messages the bot sent, by recipient's username."""
    double = clikc.double
    by_channel = {
        r.response["id"]: r.json["recipient_id"] for r in double.requests_to("POST", r"/users/@me/channels")
    }
    names = {u["id"]: u["username"] for u in (m["user"] for m in double.world.guild.members.values())}
    found: dict[str, list[str]] = {}
    for r in double.requests:
        channel = r.path.split("/")[-2] if r.path.endswith("/messages") and r.method == "POST" else None
        if channel in by_channel:
            found.setdefault(names[str(by_channel[channel])], []).append(r.json["content"])
            assert pings_nobody(r.json)
    return found


async def test_interested_members_get_a_personal_reminder_and_can_opt_out(clikc: Clikc):
    clikc.clock.now = SESSION_START - timedelta(days=6, hours=23)  # the 7-day announcement is due
    await clikc.start()
    planner = await clikc.take_over_planner()
    [announcement] = announcements(clikc)
    buttons = components(announcement)
    interested = next(b for b in buttons if b.get("custom_id", "").startswith("clikc:interest:"))
    calendar = next(b for b in buttons if b["style"] == LINK)
    assert interested["label"] == string("en", "interested")
    assert calendar["label"] == string("en", "add_to_google_calendar") and len(calendar["url"]) <= 512
    query = parse_qs(urlsplit(calendar["url"]).query)
    assert query["text"] == ["Webinar: IoT seals in transit"]
    assert query["dates"] == ["20260310T210000Z/20260310T220000Z"]
    [ics] = announcement["attachments"]
    assert ics["filename"] == "iot-webinar-2026-03.ics"
    assert pings_nobody(clikc.double.requests_to("POST", r"/channels/\d+/messages")[0].json)
    labels = [b["label"] for b in buttons]
    print(f"\n[#announcements] {announcement['content']!r} + buttons {labels} + {ics['filename']}")

    text = await press(clikc, announcement, interested["custom_id"], "ana", "es-ES")
    print(f"[ana, es-ES] presses “{interested['label']}” → {text}")
    assert text == string("es", "interested_on", leads="7d, 1d, 1h")
    assert await press(clikc, announcement, interested["custom_id"], "joao", "pt-BR") == string(
        "pt", "interested_on", leads="7d, 1d, 1h"
    )
    text = await press(clikc, announcement, interested["custom_id"], "joao", "pt-BR")
    print(f"[joao, pt-BR] presses again → {text}")
    assert text == string("pt", "interested_off")

    await clikc.restart()  # the button on the old announcement still works
    planner = await clikc.take_over_planner()
    text = await press(clikc, announcement, interested["custom_id"], "pierre", "fr")
    assert text == string("fr", "interested_on", leads="7d, 1d, 1h")

    reminders = clikc.bot.get_cog("RemindersCog")
    reminders.sender.cancel()  # the test drives it, with the App's clock
    assert await reminders.run_once() == 0, "the 7-day reminder was the channel's announcement moment"
    clikc.clock.now = SESSION_START - timedelta(minutes=50)  # 1 day and 1 hour have passed: one DM each
    assert await reminders.run_once() == 2
    assert await reminders.run_once() == 0, "once, not every minute"
    await planner.run_once()
    sent = dms(clikc)
    when = f"<t:{int(SESSION_START.timestamp())}:F>"
    assert set(sent) == {"ana", "pierre"}, "joao opted out"
    assert sent["ana"][0].startswith("⏰ Recordatorio: **Webinario: precintos IoT en tránsito** comienza")
    assert when in sent["ana"][0] and "<https://example.org/iot-webinar>" in sent["ana"][0]
    assert sent["pierre"][0].startswith("⏰ Rappel : **Webinaire : scellés IoT en transit** commence")
    print(f"[ana's DMs] {sent['ana']}")


async def test_scheduled_events_are_on_by_default_where_the_bot_may_create_them(clikc: Clikc):
    """Without the event permissions: one log line, no attempt; with them (a restart after the server
    granted them), the sessions appear in the server's Events list."""
    from tests.discord_double.payloads import BOT_PERMISSIONS
    from tests.e2e.clikc import grant_bot_role, log_line

    guild = clikc.double.world.guild
    async with log_line("bot.discord.cogs.sessions", r"lacks the Create Events and Manage Events"):
        await clikc.start()
    planner = await clikc.take_over_planner()
    await planner.run_once()
    assert guild.scheduled_events == {}
    assert not clikc.double.requests_to("POST", rf"/guilds/{guild.id}/scheduled-events")

    await clikc.stop()
    grant_bot_role(clikc.double, BOT_PERMISSIONS)
    await clikc.start()
    await clikc.take_over_planner()
    [event] = guild.scheduled_events.values()
    assert event["name"] == "Webinar: IoT seals in transit"
