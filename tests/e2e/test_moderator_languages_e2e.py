"""Moderator-facing text in the moderator's language, through real discord.py (issue 13, item 3's
strings): stats, the review list with its buttons, and the reject form."""

from __future__ import annotations

from tests.e2e.clikc import TIMEOUT, Clikc, string
from tests.e2e.test_submit_e2e import send_case_study, stored

EPHEMERAL = 64


async def test_a_spanish_speaking_moderator_reviews_in_spanish(clikc: Clikc):
    double = clikc.double
    await clikc.start()
    submitted = await send_case_study(clikc, "ana")
    await double.wait_for_followup(submitted, timeout=TIMEOUT)
    [row] = stored(clikc)

    _, stats = await clikc.command("clikc stats", user="moderator", locale="es-ES")
    print(f"\n[moderator, es-ES] /clikc estadisticas → {stats['content']}")
    assert " documentos — por tipo: mensaje " in stats["content"] and "estudio de caso " in stats["content"]
    assert "por tecnología: Análisis de datos e IA " in stats["content"]

    interaction = await double.slash("clikc review", user="moderator", locale="es-ES")
    review = await double.wait_for_followup(interaction, timeout=TIMEOUT)
    assert review["flags"] & EPHEMERAL
    assert review["embeds"][0]["author"]["name"] == string("es", "review_new")
    labels = [c["label"] for r in review["components"] for c in r["components"]]
    assert (
        labels
        == [string("es", k) for k in ("approve", "reject", "edit")]
        == ["Aprobar", "Rechazar", "Editar"]
    )
    print(f"[moderator, es-ES] /clikc revisar → {review['embeds'][0]['author']['name']} {labels}")

    reject = next(
        c["custom_id"] for r in review["components"] for c in r["components"] if c["label"] == "Rechazar"
    )
    clicked = await double.click(review, reject, user="moderator", locale="fr")
    callback = await double.wait_for_callback(clicked, timeout=TIMEOUT)
    modal = callback["data"]
    assert modal["title"] == string("fr", "review_reason_title", id=row["id"])
    assert modal["components"][0]["label"] == string("fr", "review_reason_label")


async def test_the_review_message_carries_the_file_and_an_edit_form(clikc: Clikc):
    """Issue 13 item 3: a moderator fixes a title without leaving Discord, after a restart too."""
    double = clikc.double
    await clikc.start()
    review_channel = double.world.channel("moderation")["id"]
    submitted = await send_case_study(clikc, "ana")
    await double.wait_for_followup(submitted, timeout=TIMEOUT)
    [row] = stored(clikc)
    posted = await double.wait_for_request("POST", rf"/channels/{review_channel}/messages", timeout=TIMEOUT)
    review = posted.response
    [attached] = review["attachments"]
    assert attached["filename"] == "banano-iot.md", "the moderators can read the write-up itself"
    edit = f"clikc:edit:{row['id']}"
    assert edit in [c["custom_id"] for r in review["components"] for c in r["components"]]

    refused = await double.click(review, edit, user="joao")
    assert (await double.wait_for_callback(refused, timeout=TIMEOUT))["data"]["content"] == string(
        "en", "not_moderator"
    )

    await clikc.restart()
    clicked = await double.click(review, edit, user="moderator", locale="es-ES")
    modal = (await double.wait_for_callback(clicked, timeout=TIMEOUT))["data"]
    assert modal["title"] == string("es", "edit_title", id=row["id"])
    inputs = {r["label"]: r["component"] for r in modal["components"]}
    title_input = inputs[string("es", "submit_field_title")]
    assert title_input["value"] == row["title"], "the form opens with what is stored"
    lang_input = inputs[string("es", "edit_field_lang")]
    tech_input = inputs[string("es", "edit_field_technologies")]

    saved = await double.submit_modal(
        modal["custom_id"],
        {
            title_input["custom_id"]: "Sensores IoT en contenedores de banano",
            tech_input["custom_id"]: "iot,analytics",
            lang_input["custom_id"]: "es",
        },
        user="moderator",
        locale="es-ES",
    )
    note = await double.wait_for_followup(saved, timeout=TIMEOUT)
    update = await double.wait_for_request(
        "PATCH", rf"/channels/{review_channel}/messages/{review['id']}", timeout=TIMEOUT
    )
    assert "Sensores IoT en contenedores de banano" in update.json["embeds"][0]["title"]
    print(f"\n[moderator, es-ES] Editar → {note['content']} | {update.json['embeds'][0]['title']}")
    assert note["content"] == string("es", "review_edited", id=row["id"]) and note["flags"] & EPHEMERAL
    after = clikc.app.db.query("SELECT title, technologies, lang FROM submissions")[0]
    assert tuple(after) == ("Sensores IoT en contenedores de banano", "iot,analytics", "es")
