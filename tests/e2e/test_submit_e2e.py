"""Case studies through real discord.py (issue 6, scenarios 3 and 8): /submit, review across a restart,
and Discord failing the interaction callback."""

from __future__ import annotations

from typing import Any

from tests.discord_double import InteractionRecord
from tests.e2e.clikc import TIMEOUT, Clikc, pings_nobody, string

MODAL, DEFERRED_UPDATE = 9, 6
EPHEMERAL = 64
CALLBACK = r"/interactions/\d+/[^/]+/callback"

TITLE = "Sensores de temperatura en contenedores de banano"
MEMBER = "SENAE Ecuador"
SUMMARY = (
    "Instalamos sensores IoT de temperatura y humedad en contenedores refrigerados de banano que salen "
    "por Guayaquil. Cada lectura llega cada diez minutos al sistema de riesgo de la aduana, que cruza "
    "los datos con la declaración de exportación y alerta cuando un contenedor se abre o se desvía."
)
WRITE_UP = f"""---
title: {TITLE}
author: {MEMBER}
---
# {TITLE}

Durante un año equipamos 400 contenedores refrigerados con sensores de temperatura, humedad y
apertura de puertas. Las alertas de apertura fuera del puerto redujeron la contaminación de
carga con estupefacientes y permitieron liberar más rápido los contenedores sin alertas.
Lecciones: acordar con las navieras quién paga los sensores y compartir los datos en tiempo real.
""".encode()
RESULTS = (
    "Las alertas de apertura fuera del puerto redujeron la contaminación de carga y los contenedores sin "
    "alertas se liberan más rápido."
)
QUESTION = "sensores de temperatura en contenedores de banano"


def modal_inputs(modal: dict[str, Any], lang: str = "en") -> dict[str, str]:
    """The modal's component custom_ids by their label's strings.yaml key (submit_field_…)."""
    keys = {
        string(lang, key)[:45]: key
        for key in (
            "submit_field_title",
            "submit_field_member",
            "submit_field_summary",
            "submit_field_results",
            "submit_field_file",
        )
    }
    return {keys[row["label"]]: row["component"]["custom_id"] for row in modal["components"]}


async def open_submit_form(clikc: Clikc, user: str) -> tuple[str, dict[str, str]]:
    shown = await clikc.double.slash("submit", user=user)
    callback = await clikc.double.wait_for_callback(shown, timeout=TIMEOUT)
    assert callback["type"] == MODAL
    modal = callback["data"]
    assert modal["title"] == string("en", "submit_title")
    return modal["custom_id"], modal_inputs(modal)


async def send_case_study(
    clikc: Clikc, user: str = "ana", upload: dict[str, Any] | None = None
) -> InteractionRecord:
    """A member fills in /submit's form and attaches a Markdown write-up (or ``upload``)."""
    modal_id, inputs = await open_submit_form(clikc, user)
    upload = upload or clikc.double.attachment("banano-iot.md", WRITE_UP, "text/markdown")
    return await clikc.double.submit_modal(
        modal_id,
        {
            inputs["submit_field_title"]: TITLE,
            inputs["submit_field_member"]: MEMBER,
            inputs["submit_field_summary"]: SUMMARY,
        },
        files={inputs["submit_field_file"]: [upload]},
        user=user,
    )


def stored(clikc: Clikc) -> list[dict[str, Any]]:
    """What SQLite holds: the source of truth, read the way an operator would."""
    rows = clikc.app.db.query("SELECT id, status, title, member, file_name, submitter_id FROM submissions")
    return [dict(row) for row in rows]


def button(message: dict[str, Any], prefix: str) -> str:
    ids = [c["custom_id"] for row in message["components"] for c in row["components"]]
    return next(i for i in ids if i.startswith(prefix))


async def test_submission_is_reviewed_across_a_restart_then_indexed_and_announced(clikc: Clikc):
    double = clikc.double
    await clikc.start()
    await clikc.take_over_planner()
    review_channel = double.world.channel("moderation")["id"]

    submitted = await send_case_study(clikc, "ana")
    receipt = await double.wait_for_followup(submitted, timeout=TIMEOUT)
    [row] = stored(clikc)
    assert row["status"] == "pending" and row["file_name"] == "banano-iot.md"
    assert row["submitter_id"] == double.world.user("ana")["id"]
    assert receipt["content"] == string("en", "submit_received", id=row["id"])
    assert receipt["flags"] & EPHEMERAL

    posted = await double.wait_for_request("POST", rf"/channels/{review_channel}/messages", timeout=TIMEOUT)
    assert pings_nobody(posted.json)
    review = posted.response
    assert review["embeds"][0]["title"] == f"{row['id']} · {TITLE}"
    approve = button(review, "clikc:approve:")
    assert approve == f"clikc:approve:{row['id']}"

    refused = await double.click(review, approve, user="joao")
    refusal = await double.wait_for_callback(refused, timeout=TIMEOUT)
    assert refusal["data"]["content"] == string("en", "not_moderator")
    assert refusal["data"]["flags"] & EPHEMERAL
    assert stored(clikc)[0]["status"] == "pending"

    await clikc.restart()
    planner = await clikc.take_over_planner()
    clicked = await double.click(review, approve, user="moderator")
    assert (await double.wait_for_callback(clicked, timeout=TIMEOUT))["type"] == DEFERRED_UPDATE
    edit = await double.wait_for_request(
        "PATCH", rf"/webhooks/\d+/{clicked.token}/messages/@original", timeout=TIMEOUT
    )
    left = [c["custom_id"] for row in edit.json["components"] for c in row["components"]]
    assert left == [f"clikc:edit:{row['id']}", f"clikc:withdraw:{row['id']}"], "Approve and Reject are gone"
    assert string("en", "review_approved", name="moderator") in str(edit.json["embeds"])
    assert stored(clikc)[0]["status"] == "approved"

    answer = await clikc.ask(QUESTION, user="pierre")
    titles = [f["name"] for f in answer.embed["fields"]]
    assert any(TITLE in name for name in titles), titles

    assert await planner.run_once() == 2  # the announcement, and ana's notice
    announcements = double.world.channel("announcements")["id"]
    [announced] = double.requests_to("POST", rf"/channels/{announcements}/messages", status=200)
    assert announced.json["content"] == string("en", "case_study_published", title=TITLE, member=MEMBER)
    assert pings_nobody(announced.json)
    dm = await double.wait_for_request("POST", r"/users/@me/channels", timeout=TIMEOUT)
    assert str(dm.json["recipient_id"]) == double.world.user("ana")["id"]
    notice = await double.wait_for_request(
        "POST", rf"/channels/{dm.response['id']}/messages", timeout=TIMEOUT
    )
    assert notice.json["content"] == string("en", "notice_approved", id=row["id"], title=TITLE)
    assert pings_nobody(notice.json)
    assert await planner.run_once() == 0, "delivered once"


async def test_a_failing_interaction_callback_loses_no_submission_and_the_bot_carries_on(clikc: Clikc):
    double = clikc.double
    await clikc.start()
    modal_id, inputs = await open_submit_form(clikc, "pierre")
    # Discord fails the answer to the form: first a server error, then a rate limit
    double.fail_next("POST", CALLBACK, 500)
    double.fail_next("POST", CALLBACK, 429, retry_after=0.05)
    submitted = await double.submit_modal(
        modal_id,
        {
            inputs["submit_field_title"]: TITLE,
            inputs["submit_field_member"]: MEMBER,
            inputs["submit_field_summary"]: SUMMARY,
            inputs["submit_field_results"]: RESULTS,
        },
        user="pierre",
    )
    receipt = await double.wait_for_followup(submitted, timeout=TIMEOUT)
    statuses = [r.status for r in double.requests_to("POST", CALLBACK) if submitted.token in r.path]
    assert statuses[:2] == [500, 429] and statuses[-1] in (200, 204)

    [row] = stored(clikc)
    assert row["status"] == "pending" and row["title"] == TITLE
    assert receipt["content"] == string("en", "submit_received", id=row["id"])
    assert not clikc.bot.is_closed()
    answer = await clikc.ask(QUESTION, user="joao")  # still connected and answering
    assert answer.embed["title"] == string("en", "answers_title", query=QUESTION)


async def test_a_members_file_is_read_off_the_write_queue(clikc: Clikc, monkeypatch):
    """While a submitted file is still being read, indexing, approvals and opt-outs keep going:
    the write queue is never the one waiting on a member's file (issue 18, item 2)."""
    import asyncio
    import threading

    await clikc.start()
    service = clikc.app.submissions
    reading, release = threading.Event(), threading.Event()
    original = service.extract

    def slow_extract(upload):
        reading.set()
        release.wait(TIMEOUT)  # a hostile file keeping its reader busy
        return original(upload)

    monkeypatch.setattr(service, "extract", slow_extract)
    submitted = asyncio.ensure_future(send_case_study(clikc, "ana"))
    assert await asyncio.to_thread(reading.wait, TIMEOUT)
    # another write is queued and done while the file is still being read
    assert await asyncio.wait_for(clikc.bot.writer.call(lambda: "written"), TIMEOUT) == "written"
    release.set()
    receipt = await clikc.double.wait_for_followup(await submitted, timeout=TIMEOUT)
    [row] = stored(clikc)
    assert receipt["content"] == string("en", "submit_received", id=row["id"])
    review_channel = clikc.double.world.channel("moderation")["id"]
    await clikc.double.wait_for_request("POST", rf"/channels/{review_channel}/messages", timeout=TIMEOUT)
