"""Help through real discord.py (issue 13, item 1): /help privately, with the moderators' part only
for moderators, and "@bot help" answered in the channel instead of being searched."""

from __future__ import annotations

from tests.e2e.clikc import TIMEOUT, Clikc, pings_nobody, string

EPHEMERAL = 64


def _text(embeds: list[dict]) -> str:
    parts = []
    for embed in embeds:
        parts += [
            embed.get("title", ""),
            embed.get("description", ""),
            embed.get("author", {}).get("name", ""),
        ]
        parts += [f"{f['name']} {f['value']}" for f in embed.get("fields", [])]
    return "\n".join(parts)


async def test_help_in_the_members_language_with_the_moderators_part_only_for_moderators(clikc: Clikc):
    await clikc.start()
    _, member = await clikc.command("help", user="joao", locale="es-ES")
    assert member["flags"] & EPHEMERAL, "only the member sees it"
    assert len(member["embeds"]) == 1
    text = _text(member["embeds"])
    assert member["embeds"][0]["title"] == string("es", "help.title")
    assert "`/preguntar question [technology] [kind] [member]`" in text
    assert "Ejemplo: `/preguntar question:¿quién usa precintos" in text
    assert string("es", "help.moderators") not in text and "/clikc" not in text

    _, moderator = await clikc.command("help", user="moderator", locale="fr")
    assert moderator["flags"] & EPHEMERAL
    assert [e["title"] for e in moderator["embeds"]] == [
        string("fr", "help.title"),
        string("fr", "help.moderators"),
    ]
    assert "`/clikc examiner`" in _text(moderator["embeds"][1:]), "moderators' commands by their French names"
    assert string("fr", "help.review") in _text(moderator["embeds"][1:])
    print("\n[member joao, es-ES] /help →", _text(member["embeds"])[:400])
    print("[moderator, fr] /help → 2nd embed:", _text(moderator["embeds"][1:])[:300])


async def test_at_bot_help_is_answered_in_the_channel_not_searched(clikc: Clikc):
    bot = await clikc.start()
    double = clikc.double
    searches_before = len([r for r in double.requests if "/typing" in r.path])

    for word, lang in (("help", "en"), ("ayuda", "es"), ("ajuda?", "pt")):
        question = await double.post_message("general", "ana", f"<@{bot.user.id}> {word}")
        reply = await double.wait_for_request(
            "POST",
            rf"/channels/{question['channel_id']}/messages",
            predicate=lambda r, q=question: (
                str(r.json.get("message_reference", {}).get("message_id")) == q["id"]
            ),
            timeout=TIMEOUT,
        )
        body = reply.json
        assert body["embeds"][0]["title"] == string(lang, "help.title")
        expected_name = {"en": "help", "es": "ayuda", "pt": "ajuda"}[lang]
        assert body["content"] == string(lang, "help.mention_hint", help=expected_name)
        assert len(body["embeds"]) == 1, "moderators' commands are not shown in a channel"
        assert pings_nobody(body), body.get("allowed_mentions")
        print(f"\n[ana in #general] @bot {word} → {body['content']} | {body['embeds'][0]['title']}")

    assert len([r for r in double.requests if "/typing" in r.path]) == searches_before, "nothing was searched"
    assert not double.requests_to("POST", r"/webhooks/"), "no interaction involved"
