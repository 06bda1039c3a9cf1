"""The digest through real discord.py (issue 13, item 6): once per period in the announce channel,
grouped by technology with links, and exactly once across restarts, including a crash on either
side of the send."""

from __future__ import annotations

import asyncio

import yaml

from tests.e2e.clikc import TIMEOUT, Clikc, jump_url, pings_nobody, string

# Weekly on Mondays at 09:00 in Mexico City (15:00 UTC); the harness's clock starts Monday 2 March 14:00 UTC.
DIGEST = {"enabled": True, "every": "7d", "starts": "2024-01-01 09:00", "timezone": "America/Mexico_City"}


def enable_digest(clikc: Clikc) -> None:
    settings = yaml.safe_load(clikc.config_path.read_text(encoding="utf-8"))
    settings["digest"] = DIGEST
    clikc.config_path.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), "utf-8")


async def take_over_poster(clikc: Clikc):
    """Let the digest loop finish its first run, then stop its timer: the test drives ``run_once()``."""
    cog = clikc.bot.get_cog("DigestCog")
    loop = cog.poster
    for _ in range(100):
        if loop.is_running():
            break
        await asyncio.sleep(0.02)
    task = loop.get_task()
    loop.stop()
    loop.change_interval(seconds=0)
    async with asyncio.timeout(TIMEOUT):
        await task
    return cog


def digests(clikc: Clikc) -> list:
    channel = clikc.double.world.channel("announcements")["id"]
    return [
        r
        for r in clikc.double.requests_to("POST", rf"/channels/{channel}/messages", status=200)
        if r.response.get("embeds") and "Digest" in r.response["embeds"][0].get("footer", {}).get("text", "")
    ]


async def test_weekly_digest_once_per_period_across_restarts_and_crashes(clikc: Clikc):
    enable_digest(clikc)
    await clikc.start()
    poster = await take_over_poster(clikc)
    assert digests(clikc) == [], "the week before had nothing shared (demo content is never listed)"

    seal = await clikc.post(
        "general",
        "ana",
        "We installed electronic seals on 40 trucks in transit; fraud fell by 30% in a year.",
    )
    chain = await clikc.post(
        "experiences",
        "pierre",
        "Nous avons mis en place une blockchain pour la reconnaissance mutuelle des OEA.",
    )
    await clikc.post(
        "general", "ana", "Does anyone have advice on GPS tracking? How do you start?"
    )  # a question
    hidden = await clikc.post("general", "joao", "Fizemos um piloto com lacres eletrônicos no trânsito.")
    await clikc.command("privacy optout", user="joao")  # his post leaves the index, and the digest

    clikc.clock.now = clikc.clock.now.replace(hour=15, minute=1)  # Monday 09:01 in Mexico City
    assert await poster.run_once() == 1
    assert await poster.run_once() == 0, "once per period"
    [sent] = digests(clikc)
    embed = sent.response["embeds"][0]
    assert pings_nobody(sent.json)
    assert embed["title"] == string("en", "digest_title")
    assert embed["footer"]["text"] == string("en", "digest_footer", period="2026-03-02T15:00Z")
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert list(fields) == [f"{string('en', 'tech.blockchain')} (1)", f"{string('en', 'tech.iot')} (1)"]
    assert jump_url(clikc.double, chain) in fields[f"{string('en', 'tech.blockchain')} (1)"]
    assert jump_url(clikc.double, seal) in fields[f"{string('en', 'tech.iot')} (1)"]
    assert jump_url(clikc.double, hidden) not in str(embed), "opted out"
    print(f"\n[#announcements] **{embed['title']}** {embed['description']}")
    for name, value in fields.items():
        print(f"  {name}\n  {value}")
    print(f"  -- {embed['footer']['text']}")

    # A restart in the same week posts nothing.
    await clikc.restart()
    poster = await take_over_poster(clikc)
    assert len(digests(clikc)) == 1

    # Next week: a crash right after the claim (before the send) → the next process sends it.
    await clikc.post(
        "general", "pierre", "Nous utilisons l'apprentissage automatique pour cibler la sous-évaluation."
    )
    clikc.clock.advance(days=7)
    assert clikc.app.digests.claim_due() is not None  # claimed, then the process died
    await clikc.restart()
    await take_over_poster(clikc)
    assert len(digests(clikc)) == 2

    # The week after: a crash right after the send (before it was recorded) → found, not sent again.
    await clikc.post(
        "general", "ana", "We built a risk dashboard with machine learning; it flags 5% of declarations."
    )
    clikc.clock.advance(days=7)
    poster = clikc.bot.get_cog("DigestCog")
    assert await poster.run_once() == 1
    clikc.app.db.execute(
        "UPDATE digests SET state = 'sending', message_id = NULL WHERE period = '2026-03-16T15:00Z'"
    )
    await clikc.restart()
    await take_over_poster(clikc)
    assert len(digests(clikc)) == 3, "found in the channel: recorded, not posted twice"
    assert clikc.app.digests.last().message_id == digests(clikc)[-1].response["id"]
