"""Sources that open (issue 13, item 2), through real discord.py against the double: an approved case
study gets a forum post (summary card + the original file) that answers link to; editing it updates
the post; withdrawing it removes the post and the document; an operator's `index add --publish`
made while the bot was down is posted when it starts, in a text library channel."""

from __future__ import annotations

from typing import Any

from bot.cli import main
from bot.members import Actor
from tests.e2e.clikc import TIMEOUT, Clikc, jump_url, log_line, pings_nobody, string
from tests.e2e.test_submit_e2e import MEMBER, QUESTION, TITLE, send_case_study, stored

EPHEMERAL, MODAL, DEFERRED_UPDATE = 64, 9, 6
LOGGER = "bot.discord.cogs.library"
NEW_TITLE = "Sensores IoT en contenedores de banano"


def buttons(message: dict[str, Any]) -> dict[str, str]:
    return {
        c["custom_id"].rsplit(":", 1)[0]: c["custom_id"]
        for r in message["components"]
        for c in r["components"]
    }


def current(clikc: Clikc, message: dict[str, Any]) -> dict[str, Any]:
    """The message as the double holds it now (edits applied)."""
    return clikc.double.world.messages[message["channel_id"]][message["id"]]


async def approve_case_study(clikc: Clikc) -> tuple[dict[str, Any], dict[str, Any]]:
    """ana submits, the moderator approves; returns (the stored row, the review message)."""
    double = clikc.double
    review_channel = double.world.channel("moderation")["id"]
    submitted = await send_case_study(clikc, "ana")
    await double.wait_for_followup(submitted, timeout=TIMEOUT)
    [row] = stored(clikc)
    posted = await double.wait_for_request("POST", rf"/channels/{review_channel}/messages", timeout=TIMEOUT)
    review = posted.response
    clicked = await double.click(review, buttons(review)["clikc:approve"], user="moderator")
    assert (await double.wait_for_callback(clicked, timeout=TIMEOUT))["type"] == DEFERRED_UPDATE
    # the review message is edited once the approval is stored: the deferral alone comes before it
    edited = rf"/webhooks/\d+/{clicked.token}/messages/@original"
    await double.wait_for_request("PATCH", edited, timeout=TIMEOUT)
    return row, review


async def test_an_approved_case_study_is_posted_to_the_forum_edited_and_withdrawn(clikc: Clikc):
    double = clikc.double
    forum = double.world.channel("case-studies")["id"]
    clikc.use_discord_settings(library_channel="case-studies")
    await clikc.start()

    async with log_line(LOGGER, r"^library post post: case-study:"):  # posted, and recorded
        row, review = await approve_case_study(clikc)
    created = await double.wait_for_request("POST", rf"/channels/{forum}/threads", timeout=TIMEOUT)
    post = created.response["message"]
    thread_id = created.response["id"]
    assert created.response["name"] == TITLE
    assert pings_nobody(created.json["message"])
    [card] = post["embeds"]
    assert card["title"] == TITLE and MEMBER in card["fields"][0]["value"]
    assert card["footer"]["text"] == string("en", "library_footer", id=row["id"])
    [attached] = post["attachments"]
    assert attached["filename"] == "banano-iot.md", "the write-up itself opens from the post"
    print(f"\n[#case-studies] new post “{created.response['name']}” + {attached['filename']}")

    link = jump_url(double, post)
    assert (
        clikc.app.db.query("SELECT url FROM documents WHERE id = ?", (f"case-study:{row['id']}",))[0][0]
        == link
    )
    answer = await clikc.ask(QUESTION, user="pierre")
    assert link in answer.links, "the answer opens the published post"
    print(f"[pierre] /ask {QUESTION} → {answer.field_for(link)['name']} → {link}")

    # the review message keeps Edit and gains Withdraw; a member pressing Withdraw is refused
    decided = current(clikc, review)
    assert set(buttons(decided)) == {"clikc:edit", "clikc:withdraw"}
    refused = await double.click(decided, buttons(decided)["clikc:withdraw"], user="joao")
    refusal = await double.wait_for_callback(refused, timeout=TIMEOUT)
    assert (
        refusal["data"]["content"] == string("en", "not_moderator") and refusal["data"]["flags"] & EPHEMERAL
    )

    # editing the title (after a restart: the buttons survive it) updates the post and its name
    await clikc.restart()
    clicked = await double.click(decided, buttons(decided)["clikc:edit"], user="moderator")
    modal = (await double.wait_for_callback(clicked, timeout=TIMEOUT))["data"]
    inputs = {r["label"]: r["component"]["custom_id"] for r in modal["components"]}
    saved = await double.submit_modal(
        modal["custom_id"], {inputs[string("en", "submit_field_title")]: NEW_TITLE}, user="moderator"
    )
    await double.wait_for_followup(saved, timeout=TIMEOUT)
    edited = await double.wait_for_request(
        "PATCH", rf"/channels/{thread_id}/messages/{thread_id}", timeout=TIMEOUT
    )
    assert edited.json["embeds"][0]["title"] == NEW_TITLE
    renamed = await double.wait_for_request("PATCH", rf"/channels/{thread_id}", timeout=TIMEOUT)
    assert renamed.json["name"] == NEW_TITLE
    assert not double.requests_to("POST", rf"/channels/{forum}/threads")[1:], "edited, not posted again"
    print(f"[moderator] Edit title → post now “{double.world.channel(thread_id)['name']}”")

    # withdrawing removes the post and the document
    withdraw = await double.click(decided, buttons(decided)["clikc:withdraw"], user="moderator")
    form = await double.wait_for_callback(withdraw, timeout=TIMEOUT)
    assert form["type"] == MODAL and form["data"]["title"] == string("en", "withdraw_title", id=row["id"])
    reason_id = form["data"]["components"][0]["component"]["custom_id"]
    async with log_line(LOGGER, r"^library post remove: case-study:"):
        done = await double.submit_modal(
            form["data"]["custom_id"], {reason_id: "published twice"}, user="moderator"
        )
    note = await double.wait_for_followup(done, timeout=TIMEOUT)
    assert note["content"] == string("en", "withdraw_done", id=row["id"]) and note["flags"] & EPHEMERAL
    await double.wait_for_request("DELETE", rf"/channels/{thread_id}", timeout=TIMEOUT)
    assert thread_id not in double.world.guild.threads
    assert clikc.app.db.query("SELECT COUNT(*) FROM library_posts")[0][0] == 0
    assert stored(clikc)[0]["status"] == "approved"  # the row stays; the withdrawal is its own record
    assert clikc.app.submissions.get(Actor.local(), row["id"]).status == "withdrawn"
    gone = await clikc.ask(QUESTION, user="pierre")
    assert link not in gone.links and not any(NEW_TITLE in f["name"] for f in gone.embed.get("fields", []))
    print(f"[moderator] Withdraw (reason: published twice) → {note['content']}")


async def test_index_add_publish_while_the_bot_is_down_is_posted_when_it_starts(clikc: Clikc, tmp_path):
    double = clikc.double
    library = double.world.add_text_channel(double.world.guild, "library")["id"]
    clikc.use_discord_settings(library_channel="library")
    summary = tmp_path / "taller-blockchain.md"
    summary.write_text(
        "---\ntitle: Taller de blockchain para OEA\nauthor: Secretaría CLiKC!\n---\n"
        "# Taller de blockchain para OEA\n\nResumen del taller: reconocimiento mutuo de operadores "
        "económicos autorizados con blockchain entre aduanas de la región.\n",
        encoding="utf-8",
    )
    status = main(
        [
            "--config",
            str(clikc.config_path),
            "index",
            "add",
            str(summary),
            "--kind",
            "workshop-summary",
            "--publish",
        ]
    )
    assert status == 0
    assert not double.requests_to("POST", rf"/channels/{library}/messages"), "no bot yet: nothing posted"

    async with log_line(LOGGER, r"^library post post: "):
        await clikc.start()  # the bot was down when it was queued: it posts on start
    posted = await double.wait_for_request("POST", rf"/channels/{library}/messages", timeout=TIMEOUT)
    assert posted.response["embeds"][0]["title"] == "Taller de blockchain para OEA"
    assert [a["filename"] for a in posted.response["attachments"]] == ["taller-blockchain.md"]
    assert pings_nobody(posted.json)
    link = jump_url(double, posted.response)
    answer = await clikc.ask("taller blockchain OEA", user="joao", locale="es-ES")
    assert link in answer.links
    print("\n[operator] clikc-bot index add taller-blockchain.md --kind workshop-summary --publish")
    print(f"[#library] {posted.response['embeds'][0]['title']} + taller-blockchain.md; /ask links {link}")

    await clikc.restart()
    assert await clikc.bot.get_cog("LibraryCog").run_once() == 0
    assert len(double.requests_to("POST", rf"/channels/{library}/messages")) == 1, (
        "posted once, not per start"
    )


async def test_clikc_withdraw_is_for_moderators_only(clikc: Clikc):
    """`/clikc withdraw` does what the button does, for a case study whose review message is gone."""
    await clikc.start()
    row, _ = await approve_case_study(clikc)
    await clikc.bot.writer.join()
    options = {"submission": row["id"], "reason": "duplicate of cs-000001"}
    _, refused = await clikc.command("clikc withdraw", options, user="joao")
    assert refused["content"] == string("en", "not_moderator") and refused["flags"] & EPHEMERAL
    assert clikc.app.submissions.get(Actor.local(), row["id"]).status == "approved"

    _, done = await clikc.command("clikc withdraw", options, user="moderator", locale="pt-BR")
    assert done["content"] == string("pt", "withdraw_done", id=row["id"]) and done["flags"] & EPHEMERAL
    assert clikc.app.submissions.get(Actor.local(), row["id"]).status == "withdrawn"
    print(f"\n[moderator, pt-BR] /clikc retirar {row['id']} → {done['content']}")
    _, again = await clikc.command("clikc withdraw", options, user="moderator")
    assert "already withdrawn" in again["content"]
