"""With the web library on, /ask answers link published case studies to their web page (issue 15)."""

from __future__ import annotations

import asyncio

import yaml

from tests.e2e.clikc import Clikc

BASE = "https://library.example.org"


def _web_on(clikc: Clikc, enabled: bool = True) -> None:
    settings = yaml.safe_load(clikc.config_path.read_text(encoding="utf-8"))
    settings["web"] = {"enabled": enabled, "base_url": BASE}  # the harness starts the bot only
    clikc.config_path.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), "utf-8")


def _links(answer) -> list[str]:
    return [f["value"] for f in answer.embed.get("fields", [])]


async def test_answers_link_published_case_studies_to_the_web(clikc: Clikc):
    _web_on(clikc)
    await clikc.start()
    post = await clikc.post("experiences", "ana", "Usamos precintos electrónicos en el tránsito desde 2019.")
    answer = await clikc.ask("precintos electrónicos tránsito", user="joao")
    values = "\n".join(_links(answer))
    assert f"({BASE}/case/case-es-precintos-electronicos)" in values
    assert f"{BASE}/case/discord-{post['id']}" not in values  # a member's post keeps its Discord link


async def test_without_the_web_answers_keep_their_own_links(clikc: Clikc):
    _web_on(clikc, enabled=False)
    await clikc.start()
    answer = await clikc.ask("precintos electrónicos tránsito", user="joao")
    assert answer.embed.get("fields") and BASE not in "\n".join(_links(answer))


async def test_sessions_and_announcements_show_the_subscribe_link(clikc: Clikc):
    from datetime import timedelta

    from tests.e2e.clikc import SESSION_START, string

    _web_on(clikc)
    clikc.clock.now = SESSION_START - timedelta(days=8)  # before every lead time
    await clikc.start()
    _, shown = await clikc.command("sessions", user="joao", locale="es-ES")
    description = shown["embeds"][0]["description"]
    assert string("es", "calendar_subscribe", url=f"{BASE}/calendar/es.ics") in description

    planner = await clikc.take_over_planner()
    clikc.clock.now = SESSION_START - timedelta(days=6, hours=23)  # the 7-day lead time has passed
    assert await planner.run_once() == 1
    channel = clikc.double.world.channel("announcements")["id"]
    [posted] = clikc.double.requests_to("POST", rf"/channels/{channel}/messages", status=200)
    assert f"{BASE}/calendar/" in posted.json["content"]  # in the server's language


async def test_without_the_web_sessions_have_no_subscribe_link(clikc: Clikc):
    _web_on(clikc, enabled=False)
    await clikc.start()
    _, shown = await clikc.command("sessions", user="joao")
    assert BASE not in str(shown["embeds"][0])


async def test_a_published_case_study_is_announced_with_its_web_page(clikc: Clikc):
    from tests.e2e.clikc import string
    from tests.web.site import publish

    _web_on(clikc)
    await clikc.start()
    planner = await clikc.take_over_planner()
    sub = await asyncio.to_thread(publish, clikc.app, "Seals announced with a web page")
    assert await planner.run_once() >= 1
    channel = clikc.double.world.channel("announcements")["id"]
    [posted] = clikc.double.requests_to("POST", rf"/channels/{channel}/messages", status=200)
    assert posted.json["content"].endswith(string("en", "read_on_web", url=f"{BASE}/case/{sub.id}"))
