"""Related experiences, offered not imposed, through real discord.py (issue 13, item 5): a question in
an enabled channel gets a thread with up to three experience reports and a "Not helpful" button only
the asker or a moderator may press; never for a moderator, once per thread, a quiet time per member,
all of it kept across a restart."""

from __future__ import annotations

from tests.e2e.clikc import TIMEOUT, Clikc, log_line, pings_nobody, string

EPHEMERAL = 64
COG = "bot.discord.cogs.related"


def offers(clikc: Clikc) -> list:
    """The bot's messages carrying a "Not helpful" button of an offer, as sent (request + response)."""
    return [
        r
        for r in clikc.double.requests_to("POST", r"/channels/\d+/messages", status=200)
        if any(
            c.get("custom_id", "").startswith("clikc:related:")
            for row in r.response.get("components", [])
            for c in row["components"]
        )
    ]


async def ask_in(clikc: Clikc, channel, author: str, text: str, expect: str) -> dict:
    """A member posts; returns once the bot logged what it did about it (offered, or why not)."""
    async with log_line(COG, expect):
        message = await clikc.double.post_message(channel, author, text)
    return message


async def press(clikc: Clikc, message: dict, user: str, locale: str = "en-US") -> str:
    button = next(
        c
        for row in message["components"]
        for c in row["components"]
        if c["custom_id"].startswith("clikc:related:")
    )
    clicked = await clikc.double.click(message, button["custom_id"], user=user, locale=locale)
    reply = await clikc.double.wait_for_followup(clicked, timeout=TIMEOUT)
    assert reply["flags"] & EPHEMERAL
    return reply["content"]


def show(offer) -> str:
    embed = offer.response["embeds"][0]
    return "\n".join(
        [f"  **{embed['title']}** {embed['description']}", *(f"  {f['name']}" for f in embed["fields"])]
    )


async def test_a_question_gets_related_experiences_in_a_thread_once(clikc: Clikc):
    clikc.use_discord_settings(related={"channels": ["general", "experiences"], "quiet_time": "1h"})
    await clikc.start()
    world = clikc.double.world

    # Not a question: nothing.
    await ask_in(
        clikc,
        "general",
        "joao",
        "We installed electronic seals on 40 trucks last year; it went well.",
        r"no related offer for message \d+: not a question",
    )
    # A moderator's announcement, even phrased as a question: nothing.
    await ask_in(
        clikc,
        "general",
        "moderator",
        "Does anyone want to present their e-seal pilot at the next webinar?",
        r"no related offer for message \d+: a moderator",
    )
    assert offers(clikc) == []

    question = "Does anyone have experience with electronic seals for cargo in transit? How did you start?"
    asked = await ask_in(clikc, "general", "ana", question, r"related experiences offered under message")
    [offer] = offers(clikc)
    thread = world.channel(asked["id"])  # started from the question: it has the question's id
    assert (
        thread["parent_id"] == world.channel("general")["id"]
        and offer.path == f"/channels/{asked['id']}/messages"
    )
    assert thread["name"] == question[:100]
    embed = offer.response["embeds"][0]
    assert embed["title"] == string("en", "related_title") and 1 <= len(embed["fields"]) <= 3
    assert all(string("en", "type.question") not in f["value"] for f in embed["fields"]), "reports only"
    assert pings_nobody(offer.json)
    print(f"\n[#general] ana: {question}\n[thread] bot:\n{show(offer)}")

    # ana again, within her quiet time: nothing.
    await ask_in(
        clikc,
        "general",
        "ana",
        "Is anyone using blockchain to exchange AEO data? Any advice?",
        r"no related offer for message \d+: member's quiet time",
    )
    # Only the asker (or a moderator) may remove it.
    reply = offer.response
    text = await press(clikc, reply, "pierre", "fr")
    assert text == string("fr", "related_only_asker")
    print(f"[pierre, fr] presses “{string('en', 'not_helpful')}” → {text}")
    assert asked["id"] in world.guild.threads
    text = await press(clikc, reply, "ana", "es-ES")
    assert text == string("es", "related_removed")
    print(f"[ana, es-ES] presses it → {text}")
    assert asked["id"] not in world.guild.threads, "the thread held only the offer: it goes too"


async def test_once_per_thread_and_quiet_time_survive_a_restart_and_replies_follow_the_question(clikc: Clikc):
    clikc.use_discord_settings(related={"channels": ["experiences"], "quiet_time": "2h"})
    await clikc.start()
    world = clikc.double.world
    pilots = world.channel("IoT pilots")  # a thread of #experiences

    pregunta = "¿Alguna aduana usa precintos electrónicos en tránsito? Quisiera saber cómo les fue."
    await ask_in(clikc, pilots, "joao", pregunta, r"related experiences offered under message")
    [offer] = offers(clikc)
    assert offer.path == f"/channels/{pilots['id']}/messages", "in the thread it was asked in"
    assert offer.response["embeds"][0]["title"] == string("es", "related_title"), "in the question's language"
    print(f"\n[IoT pilots] joao: {pregunta}\n[IoT pilots] bot:\n{show(offer)}")

    await clikc.restart()
    # After the restart the button still works; a moderator may remove an offer made to anyone.
    text = await press(clikc, offer.response, "moderator", "pt-BR")
    assert text == string("pt", "related_removed")
    assert offer.response["id"] not in world.messages[pilots["id"]], "the reply is gone…"
    assert pilots["id"] in world.guild.threads, "…but not the member's thread"
    print(f"[moderator, pt-BR, after a restart] presses it → {text}")
    clikc.clock.advance(minutes=30)
    await ask_in(
        clikc,
        pilots,
        "pierre",
        "Est-ce que quelqu'un a testé des scellés électroniques ? Avez-vous des résultats ?",
        r"no related offer for message \d+: already offered in this thread",
    )
    await ask_in(
        clikc,
        "experiences",
        "joao",
        "Has anyone used machine learning to find undervalued imports?",
        r"no related offer for message \d+: member's quiet time",
    )
    clikc.clock.advance(hours=2)  # joao's quiet time is over
    await ask_in(
        clikc,
        "experiences",
        "joao",
        "Has anyone used machine learning to find undervalued imports?",
        r"related experiences offered under message",
    )
    assert len(offers(clikc)) == 2
