"""Answers that learn, through real discord.py (issue 13, item 4): "Helpful" / "Not helpful" votes,
one per member, surviving a restart; a did-you-mean button that re-runs the corrected question."""

from __future__ import annotations

import json

from tests.e2e.clikc import DEFER, TIMEOUT, Clikc, string

EPHEMERAL = 64
ESEAL_ES = (
    "En Honduras usamos precintos electrónicos con GPS para el tránsito de mercancías hacia "
    "El Salvador: las alertas de apertura llegan al centro de monitoreo en tiempo real."
)


def buttons(message: dict) -> dict[str, dict]:
    return {c["custom_id"]: c for row in message.get("components", []) for c in row["components"]}


async def press(clikc: Clikc, message: dict, custom_id: str, user: str, locale: str = "en-US") -> dict:
    """A member presses a button; returns the private reply they see."""
    clicked = await clikc.double.click(message, custom_id, user=user, locale=locale)
    callback = await clikc.double.wait_for_callback(clicked, timeout=TIMEOUT)
    assert callback["type"] == DEFER and callback["data"]["flags"] & EPHEMERAL, callback
    reply = await clikc.double.wait_for_followup(clicked, timeout=TIMEOUT)
    assert reply["flags"] & EPHEMERAL, "only the member who pressed sees it"
    return reply


async def test_votes_are_stored_once_per_member_and_the_buttons_survive_a_restart(clikc: Clikc):
    await clikc.start()
    await clikc.post("experiences", "ana", ESEAL_ES)
    question = "Who uses electronic seals with GPS for transit?"
    answer = await clikc.ask(question, user="joao", locale="es-ES")
    field = answer.embed["fields"][0]
    assert "Administración: Honduras, El Salvador" in field["value"], "countries by name, not codes"
    ids = buttons(answer.message)
    vote_ids = [i for i in ids if i.startswith("clikc:vote:")]
    assert len(vote_ids) == 2
    helpful = next(i for i in vote_ids if i.endswith(":1"))
    not_helpful = next(i for i in vote_ids if i.endswith(":0"))
    assert ids[helpful]["label"] == string("es", "helpful") and ids[not_helpful]["label"] == "No útil"
    assert {ids[i]["label"] for i in ids if not i.startswith("clikc:")} == {"Atrás", "Más"}, "paging kept"

    reply = await press(clikc, answer.message, not_helpful, "ana", "es-ES")
    print(f"\n[ana, es-ES] presses “No útil” → {reply['content']}")
    assert reply["content"] == string("es", "vote_not_helpful")
    reply = await press(clikc, answer.message, not_helpful, "ana", "es-ES")
    assert reply["content"] == string("es", "vote_again")
    reply = await press(clikc, answer.message, not_helpful, "joao")
    assert reply["content"] == string("en", "vote_not_helpful")

    await clikc.restart()  # a new process: the buttons on the old message still work
    reply = await press(clikc, answer.message, helpful, "pierre", "fr")
    print(f"[pierre, fr, after a restart] presses “Utile” → {reply['content']}")
    assert reply["content"] == string("fr", "vote_helpful")

    votes = clikc.app.db.query("SELECT voter, helpful FROM feedback_votes ORDER BY helpful")
    assert [v["helpful"] for v in votes] == [0, 0, 1], "ana's second press did not count twice"
    users = clikc.double.world.guild.members
    assert not any(v["voter"] in users for v in votes), "members are stored only as salted hashes"
    (failing,) = clikc.app.feedback.failing()
    assert (failing.question, failing.not_helpful, failing.helpful) == (question, 2, 1)
    stored = clikc.app.db.query("SELECT result_ids FROM feedback_answers")[0]["result_ids"]
    post_ids = [f"discord-{link.rsplit('/', 1)[-1]}" for link in answer.links]
    assert post_ids and all(i in stored for i in post_ids), "the answer's result ids are kept"


async def test_did_you_mean_is_a_button_that_asks_the_corrected_question(clikc: Clikc):
    await clikc.start()
    answer = await clikc.ask("blokchain", user="joao", locale="pt-BR")
    assert string("pt", "did_you_mean", suggestion="blockchain") in answer.embed["description"]
    dym = next(c for i, c in buttons(answer.message).items() if i.startswith("clikc:dym:"))
    assert dym["label"] == string("pt", "did_you_mean_button", suggestion="blockchain")

    reply = await press(clikc, answer.message, dym["custom_id"], "pierre", "fr")
    embed = reply["embeds"][0]
    print(f"\n[pierre, fr] presses “{dym['label']}” → {embed['title']} ({len(embed['fields'])} answers)")
    assert embed["title"] == string("fr", "answers_title", query="blockchain")
    assert embed["fields"], "the corrected question finds answers"
    suggestion = string("fr", "did_you_mean", suggestion="x").split("x")[0]
    assert suggestion not in embed.get("description", ""), "no further suggestion for a correct word"
    assert any(i.startswith("clikc:vote:") for i in buttons(reply)), "the new answer can be voted on too"


async def test_did_you_mean_keeps_the_questions_filters(clikc: Clikc):
    """Pressing "Search “blockchain”" under `/ask blokchain kind:case-study` asks the corrected question
    with kind:case-study still applied (issue 13, item 4)."""
    await clikc.start()
    unfiltered = await clikc.ask("blockchain", user="joao")
    everything = [f["value"] for f in unfiltered.embed["fields"]]
    case_study = string("en", "kind.case-study")
    assert any(f"*{case_study}*" not in value for value in everything), "without the filter, other kinds too"

    answer = await clikc.ask("blokchain", user="joao", kind="case-study")
    dym = next(c for i, c in buttons(answer.message).items() if i.startswith("clikc:dym:"))
    reply = await press(clikc, answer.message, dym["custom_id"], "pierre")
    embed = reply["embeds"][0]
    assert embed["title"] == string("en", "answers_title", query="blockchain")
    assert embed["fields"] and all(f"*{case_study}*" in f["value"] for f in embed["fields"]), embed["fields"]
    [stored] = clikc.app.db.query(
        "SELECT filters, result_ids FROM feedback_answers WHERE question = 'blockchain' AND filters != '{}'"
    )
    assert stored["filters"] == '{"kind": "case-study"}'
    assert len(json.loads(stored["result_ids"])) == len(embed["fields"])
    print(
        f"\n[pierre] presses “{dym['label']}” under /ask blokchain kind:case-study"
        f" → {len(embed['fields'])} case studies"
    )
