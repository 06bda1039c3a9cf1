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
    assert labels == [string("es", "approve"), string("es", "reject")] == ["Aprobar", "Rechazar"]
    print(f"[moderator, es-ES] /clikc revisar → {review['embeds'][0]['author']['name']} {labels}")

    reject = next(
        c["custom_id"] for r in review["components"] for c in r["components"] if c["label"] == "Rechazar"
    )
    clicked = await double.click(review, reject, user="moderator", locale="fr")
    callback = await double.wait_for_callback(clicked, timeout=TIMEOUT)
    modal = callback["data"]
    assert modal["title"] == string("fr", "review_reason_title", id=row["id"])
    assert modal["components"][0]["label"] == string("fr", "review_reason_label")
