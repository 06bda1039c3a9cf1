"""With the web library on, /ask answers link published case studies to their web page (issue 15)."""

from __future__ import annotations

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
