"""/ask, live indexing, backfill and privacy through real discord.py (issue 6, scenarios 1, 2, 5, 6, 7)."""

from __future__ import annotations

import json

import pytest

from tests.e2e.clikc import STRINGS, TIMEOUT, Clikc, jump_url, pings_nobody, string

ESEAL_ES = (
    "En Honduras usamos precintos electrónicos con GPS para el tránsito de mercancías hacia "
    "El Salvador: las alertas de apertura llegan al centro de monitoreo en tiempo real."
)
ESEAL_EDITED = (
    "En Guatemala usamos precintos electrónicos con GPS para el tránsito de mercancías hacia "
    "México: las alertas de apertura llegan al centro de monitoreo en tiempo real."
)
ESEAL_QUESTION = "Who uses electronic seals with GPS for transit?"


async def test_post_is_found_in_another_language_then_follows_edits_and_deletion(clikc: Clikc):
    await clikc.start()
    post = await clikc.post("experiences", "ana", ESEAL_ES)
    url = jump_url(clikc.double, post)

    answer = await clikc.ask(ESEAL_QUESTION, user="joao")
    assert url in answer.links, answer.embed
    field = answer.field_for(url)
    assert "Honduras" in field["name"] + field["value"] and "ana" in field["value"]

    await clikc.edit(post, ESEAL_EDITED)
    answer = await clikc.ask(ESEAL_QUESTION, user="joao")
    field = answer.field_for(url)
    assert "Guatemala" in field["name"] + field["value"]
    assert "Honduras" not in field["name"] + field["value"]

    await clikc.delete(post)
    answer = await clikc.ask(ESEAL_QUESTION, user="joao")
    assert answer.embed["fields"], "the shipped samples still answer"
    assert url not in answer.links


@pytest.mark.parametrize(("locale", "lang"), [("es-ES", "es"), ("fr", "fr"), ("pt-BR", "pt")])
async def test_replies_come_in_the_members_language(clikc: Clikc, locale: str, lang: str):
    await clikc.start()
    post = await clikc.post("experiences", "ana", ESEAL_ES)
    keys = ("answers_title", "answers_count", "kind.post", "by", "more", "previous", "no_results")
    assert all(key in STRINGS[lang] for key in keys), "the language has its own strings to compare with"

    answer = await clikc.ask(ESEAL_QUESTION, user="pierre", locale=locale)
    embed = answer.embed
    assert embed["title"] == string(lang, "answers_title", query=ESEAL_QUESTION)
    assert embed["title"] != string("en", "answers_title", query=ESEAL_QUESTION)
    total = int(embed["footer"]["text"].rsplit(" ", 1)[-1])
    assert embed["footer"]["text"] == string(lang, "answers_count", start=1, end=5, total=total)
    field = answer.field_for(jump_url(clikc.double, post))
    assert f"*{string(lang, 'kind.post')}*" in field["value"]
    assert string(lang, "by", author="ana") in field["value"]
    labels = [
        b["label"]
        for row in answer.message["components"]
        for b in row["components"]
        if not b["custom_id"].startswith("clikc:vote:")
    ]
    assert labels == [string(lang, "previous"), string(lang, "more")]

    nothing = "zzqx wqvvk"
    answer = await clikc.ask(nothing, user="pierre", locale=locale)
    assert string(lang, "no_results", query=nothing) in answer.embed["description"]


async def test_everyone_and_role_mentions_in_posts_are_echoed_without_pinging(clikc: Clikc):
    bot = await clikc.start()
    double = clikc.double
    moderators = double.world.role("Moderator")["id"]
    text = f"@everyone <@&{moderators}> usamos escáneres de rayos X con inteligencia artificial en Jamaica"
    post = await clikc.post("experiences", "pierre", text)
    url = jump_url(double, post)

    answer = await clikc.ask("rayos X inteligencia artificial Jamaica", user="ana")
    echoed = answer.field_for(url)
    assert "@everyone" in echoed["name"] + echoed["value"]
    assert f"<@&{moderators}>" in echoed["name"] + echoed["value"]
    sent = await double.wait_for_request(
        "POST", rf"/webhooks/\d+/{answer.interaction.token}", timeout=TIMEOUT
    )
    assert pings_nobody(sent.json), sent.json.get("allowed_mentions")

    # the same post echoed in a reply to "@clikc-bot question"
    question = await double.post_message(
        "general", "joao", f"<@{bot.user.id}> rayos X inteligencia artificial Jamaica"
    )
    reply = await double.wait_for_request(
        "POST",
        rf"/channels/{question['channel_id']}/messages",
        predicate=lambda r: str(r.json.get("message_reference", {}).get("message_id")) == question["id"],
        timeout=TIMEOUT,
    )
    assert "@everyone" in json.dumps(reply.json["embeds"], ensure_ascii=False)
    assert pings_nobody(reply.json), reply.json.get("allowed_mentions")
    stored = reply.response
    assert stored["mention_everyone"] is False and stored["mention_roles"] == [] and stored["mentions"] == []

    # and nothing the bot sent in this test could ping anyone
    for request in double.requests:
        body = request.json if isinstance(request.json, dict) else {}
        body = body.get("data", body) if request.path.endswith("/callback") else body
        if isinstance(body, dict) and ("content" in body or "embeds" in body):
            assert pings_nobody(body), (request.method, request.path, body.get("allowed_mentions"))


async def test_backfill_indexes_what_was_posted_while_the_bot_was_down(clikc: Clikc):
    double = clikc.double
    before = await double.post_message(
        "experiences", "joao", "Em Santos testamos drones para vigiar contêineres no porto.", dispatch=False
    )
    in_thread = await double.post_message(
        "IoT pilots", "ana", "Our RFID gate readers at the land border cut queues by half.", dispatch=False
    )
    elsewhere = await double.post_message(
        "announcements", "moderator", "Reminder: drones webinar on Friday.", dispatch=False
    )
    await clikc.start()
    kb = clikc.app.knowledge
    assert kb.get(f"discord-{before['id']}") is not None
    assert kb.get(f"discord-{in_thread['id']}") is not None
    assert kb.get(f"discord-{elsewhere['id']}") is None, "announcements is not an indexed channel"
    answer = await clikc.ask("drones containers port Santos")
    assert jump_url(double, before) in answer.links

    await clikc.stop()
    while_down = await double.post_message(
        "general",
        "pierre",
        "Nous utilisons des drones pour surveiller la frontière terrestre.",
        dispatch=False,
    )
    await clikc.start()
    kb = clikc.app.knowledge
    assert kb.get(f"discord-{while_down['id']}") is not None
    assert kb.get(f"discord-{before['id']}") is not None
    answer = await clikc.ask("drones frontière terrestre", locale="fr")
    assert jump_url(double, while_down) in answer.links


async def test_a_deleted_thread_leaves_the_answers(clikc: Clikc):
    await clikc.start()
    in_thread = await clikc.post("IoT pilots", "ana", ESEAL_ES)
    outside = await clikc.post("experiences", "pierre", ESEAL_ES + " Aussi au Canada.")
    answer = await clikc.ask(ESEAL_QUESTION)
    assert jump_url(clikc.double, in_thread) in answer.links

    await clikc.delete_thread("IoT pilots")
    kb = clikc.app.knowledge
    assert kb.get(f"discord-{in_thread['id']}") is None
    answer = await clikc.ask(ESEAL_QUESTION)
    assert jump_url(clikc.double, in_thread) not in answer.links
    assert jump_url(clikc.double, outside) in answer.links, "the parent channel's own posts stay"


async def test_privacy_optout_removes_a_members_posts_from_answers(clikc: Clikc):
    await clikc.start()
    ana = await clikc.post("experiences", "ana", ESEAL_ES)
    pierre = await clikc.post(
        "experiences",
        "pierre",
        "En Haïti nous testons des scellés électroniques avec GPS pour le transit vers la République "
        "dominicaine.",
    )
    answer = await clikc.ask(ESEAL_QUESTION, user="joao")
    ana_url, pierre_url = jump_url(clikc.double, ana), jump_url(clikc.double, pierre)
    assert {ana_url, pierre_url} <= set(answer.links)

    interaction, reply = await clikc.command("privacy optout", user="ana", locale="en-US")
    assert reply["content"] == string("en", "optout_done", count=1)
    assert reply["flags"] & 64, "only ana sees it"

    answer = await clikc.ask(ESEAL_QUESTION, user="joao")
    assert ana_url not in answer.links and pierre_url in answer.links

    later = await clikc.post("experiences", "ana", ESEAL_EDITED)
    answer = await clikc.ask(ESEAL_QUESTION, user="joao")
    assert jump_url(clikc.double, later) not in answer.links, "new posts are not indexed either"
    assert clikc.app.knowledge.get(f"discord-{later['id']}") is None


async def test_the_started_bot_shortens_the_gil_switch_interval(clikc: Clikc):
    import sys

    from bot.responsiveness import SWITCH_INTERVAL_SECONDS

    before = sys.getswitchinterval()
    sys.setswitchinterval(0.005)
    try:
        await clikc.start()
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_SECONDS)
    finally:
        sys.setswitchinterval(before)


async def test_ask_type_option_and_the_counts_line(clikc: Clikc):
    await clikc.start()
    report = await clikc.post("experiences", "ana", ESEAL_ES)
    asking = await clikc.post(
        "experiences",
        "pierre",
        "¿Alguien usa precintos electrónicos en el tránsito? ¿Qué proveedor eligieron?",
    )
    answer = await clikc.ask("¿quién usa precintos electrónicos?", user="joao", locale="es-ES")
    report_url, asking_url = jump_url(clikc.double, report), jump_url(clikc.double, asking)
    assert answer.links.index(report_url) < answer.links.index(asking_url)  # the report first
    assert string("es", "type.experience") in answer.field_for(report_url)["value"]
    counts = answer.embed["description"]  # over all matches: "-# tipos: experiencia 6, … · países: GT 1, …"
    assert counts.startswith(f"-# {string('es', 'counts.type')}: {string('es', 'type.experience')} ")
    assert f" · {string('es', 'counts.country')}: " in counts

    only = await clikc.ask("precintos electrónicos", user="joao", type="question")
    assert only.links == [asking_url]
