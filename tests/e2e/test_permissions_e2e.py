"""Who may do what, through real discord.py (issue 11 item 7; issue 18 items 8 and 10): moderator
commands hidden from members, moderation bound to the home server, no self-review, member rate
limits, attachments refused before download.

Each test keeps a transcript of what each person saw (run with -s to read it)."""

from __future__ import annotations

import re
from typing import Any

from tests.discord_double import payloads as p
from tests.e2e.clikc import DEFER, MESSAGE, TIMEOUT, Clikc, string
from tests.e2e.test_submit_e2e import (
    MODAL,
    WRITE_UP,
    button,
    open_submit_form,
    send_case_study,
    stored,
)

EPHEMERAL = 64
DEFERRED_UPDATE = 6
MANAGE_SERVER = p.MANAGE_GUILD
COMMANDS_PUT = r"/applications/\d+(/guilds/(\d+))?/commands"


class Transcript:
    def __init__(self, title: str) -> None:
        self.lines = [f"--- {title}"]

    def saw(self, who: str, action: str, what: Any) -> None:
        self.lines.append(f"{who:>10} {action:<28} → {what}")

    def print(self) -> None:
        print("\n" + "\n".join(self.lines))


def text_of(callback_or_message: dict[str, Any]) -> str:
    data = callback_or_message.get("data", callback_or_message)
    if callback_or_message.get("type") == MODAL:
        return f"[form: {data['title']}]"
    if callback_or_message.get("type") == DEFER:
        return "[thinking…]"
    flags = " (only you)" if data.get("flags", 0) & EPHEMERAL else ""
    return (data.get("content") or "[embed]") + flags


async def run(clikc: Clikc, command: str, user: str, channel: str = "general", **options: Any) -> dict:
    """A slash command; what the member finally sees (callback message or first follow-up)."""
    interaction = await clikc.double.slash(command, options or None, user=user, channel=channel)
    callback = await clikc.double.wait_for_callback(interaction, timeout=TIMEOUT)
    if callback["type"] == DEFER:
        return await clikc.double.wait_for_followup(interaction, timeout=TIMEOUT)
    return callback


def add_other_server(clikc: Clikc) -> None:
    """Another server the bot is also in, with a role named exactly like the group's moderators'."""
    world = clikc.double.world
    other = world.add_server("Another customs server")
    world.add_role(other, "Moderator", permissions=p.MEMBER_PERMISSIONS | MANAGE_SERVER)
    world.add_text_channel(other, "lobby")
    world.add_user(other, "intruder", roles=["Moderator"])


# -- issue 11 item 7: hidden from members, checked on the server ---------------------------------------


async def test_members_do_not_see_moderator_commands_and_the_server_still_checks(clikc: Clikc):
    double, log = clikc.double, Transcript("member vs moderator (home server)")
    world = double.world
    admins = world.add_role(world.guild, "Admins", permissions=p.MEMBER_PERMISSIONS | MANAGE_SERVER)
    world.add_user(world.guild, "steward", roles=[admins["name"]])  # Manage Server, not a listed role
    await clikc.start()

    [put] = double.requests_to("PUT", COMMANDS_PUT)
    assert put.path.endswith(f"/guilds/{world.guild.id}/commands"), "synced to the home server only"
    synced = {c["name"]: c for c in put.json}
    assert int(synced["clikc"]["default_member_permissions"]) == MANAGE_SERVER
    for name, command in synced.items():
        assert command["contexts"] == [0] and command["integration_types"] == [0], name  # servers only
        assert command["dm_permission"] is False, name
        assert name == "clikc" or command["default_member_permissions"] is None, name

    for user in ("joao", "moderator", "steward"):
        log.saw(user, "command picker", " ".join(f"/{c}" for c in double.visible_commands(user)))
    assert "clikc" not in double.visible_commands("joao")
    assert "ask" in double.visible_commands("joao")
    assert "clikc" in double.visible_commands("moderator")
    assert "clikc" in double.visible_commands("steward")

    # a member who reaches it anyway (an admin granted it to everyone, an old client) is refused
    refused = await run(clikc, "clikc review", "joao")
    log.saw("joao", "/clikc review", text_of(refused))
    assert refused["data"]["content"] == string("en", "not_moderator")
    assert refused["data"]["flags"] & EPHEMERAL
    listed = await run(clikc, "clikc review", "moderator")
    log.saw("moderator", "/clikc review", text_of(listed))
    assert listed["data"]["content"] == string("en", "review_none")
    stats = await run(clikc, "clikc stats", "steward")  # Manage Server counts
    log.saw("steward", "/clikc stats", text_of(stats).splitlines()[0])
    assert re.match(r"\d+ documents — by kind: ", stats["content"]), stats["content"]

    clikc.use_discord_settings(moderators={"users": [], "roles": ["Moderator"], "manage_server": False})
    await clikc.restart()
    refused = await run(clikc, "clikc stats", "steward")
    log.saw("steward", "/clikc stats (manage_server off)", text_of(refused))
    assert refused["data"]["content"] == string("en", "not_moderator")
    log.print()


# -- issue 18 item 8: another server's "Moderator" is nobody here ----------------------------------------


async def test_another_servers_moderator_role_is_refused_even_with_global_commands(clikc: Clikc):
    double, log = clikc.double, Transcript("member of another server (commands synced globally)")
    add_other_server(clikc)
    clikc.use_discord_settings(sync_global=True)
    await clikc.start()
    [put] = double.requests_to("PUT", COMMANDS_PUT)
    assert "/guilds/" not in put.path, "sync_global: true syncs globally"

    submitted = await send_case_study(clikc, "ana")
    await double.wait_for_followup(submitted, timeout=TIMEOUT)
    [row] = stored(clikc)

    log.saw(
        "intruder", "command picker", " ".join(f"/{c}" for c in double.visible_commands("intruder", "lobby"))
    )
    for command, options in (
        ("clikc review", {}),
        ("clikc stats", {}),
        ("ask", {"question": "sensores"}),
        ("submit", {}),
        ("privacy status", {}),
    ):
        interaction = await double.slash(command, options or None, user="intruder", channel="lobby")
        callback = await double.wait_for_callback(interaction, timeout=TIMEOUT)
        log.saw("intruder", f"/{command}", text_of(callback))
        assert callback["type"] == MESSAGE, command  # no form, no "thinking", no listing
        assert callback["data"]["content"] == string("en", "other_server")
        assert callback["data"]["flags"] & EPHEMERAL
        assert not interaction.followups, "nothing of the group's is shown"
    assert stored(clikc)[0]["status"] == "pending"

    # a mention on the other server is not answered; the same on the home server is
    lobby = double.world.channel("lobby")["id"]
    bot_id = double.world.bot_user["id"]
    await clikc.post("lobby", "intruder", f"<@{bot_id}> sensores de temperatura")
    await clikc.post("general", "joao", f"<@{bot_id}> sensores de temperatura")
    await double.wait_for_request("POST", rf"/channels/{double.world.channel('general')['id']}/messages")
    assert not double.requests_to("POST", rf"/channels/{lobby}/messages")
    log.saw("intruder", "@clikc-bot in #lobby", "(no reply)")

    # the home server's moderator still reviews
    review_channel = double.world.channel("moderation")["id"]
    review = (await double.wait_for_request("POST", rf"/channels/{review_channel}/messages")).response
    clicked = await double.click(review, button(review, "clikc:approve:"), user="moderator")
    assert (await double.wait_for_callback(clicked, timeout=TIMEOUT))["type"] == DEFERRED_UPDATE
    await double.wait_for_request("PATCH", rf"/webhooks/\d+/{clicked.token}/messages/@original")
    assert stored(clikc)[0]["status"] == "approved" and row["id"] == stored(clikc)[0]["id"]
    log.saw("moderator", "Approve", "approved")
    log.print()


async def test_with_the_usual_guild_sync_another_server_has_no_commands(clikc: Clikc):
    add_other_server(clikc)
    await clikc.start()
    [put] = clikc.double.requests_to("PUT", COMMANDS_PUT)
    assert put.path.endswith(f"/guilds/{clikc.double.world.guild.id}/commands")
    assert clikc.double.visible_commands("intruder", "lobby") == []


# -- no self-review ----------------------------------------------------------------------------------------


async def test_a_moderator_cannot_approve_their_own_case_study(clikc: Clikc):
    double, log = clikc.double, Transcript("a moderator's own submission")
    await clikc.start()
    review_channel = double.world.channel("moderation")["id"]
    submitted = await send_case_study(clikc, "moderator")
    await double.wait_for_followup(submitted, timeout=TIMEOUT)
    [row] = stored(clikc)
    review = (await double.wait_for_request("POST", rf"/channels/{review_channel}/messages")).response

    for label, prefix in (("Approve", "clikc:approve:"), ("Reject", "clikc:reject:")):
        clicked = await double.click(review, button(review, prefix), user="moderator", locale="es-ES")
        refusal = await double.wait_for_callback(clicked, timeout=TIMEOUT)
        log.saw("moderator", f"{label} (own)", text_of(refusal))
        assert refusal["type"] == MESSAGE, "no reason form for their own"
        assert refusal["data"]["content"] == string("es", "own_submission", id=row["id"])
        assert refusal["data"]["flags"] & EPHEMERAL
    assert stored(clikc)[0]["status"] == "pending"

    clicked = await double.click(review, button(review, "clikc:approve:"), user="secretariat")
    assert (await double.wait_for_callback(clicked, timeout=TIMEOUT))["type"] == DEFERRED_UPDATE
    await double.wait_for_request("PATCH", rf"/webhooks/\d+/{clicked.token}/messages/@original")
    assert stored(clikc)[0]["status"] == "approved"
    log.saw("secretariat", "Approve", "approved")
    log.print()


# -- issue 18 item 10: rate limits and attachments ---------------------------------------------------------


async def test_every_member_action_has_a_cool_down(clikc: Clikc):
    double, log = clikc.double, Transcript("cool-downs (one of each per window)")
    clikc.use_discord_settings(
        rate_limit={
            "questions": 1000,
            "per_seconds": 1,
            "submit": {"times": 1, "per_seconds": 3600},
            "pages": {"times": 1, "per_seconds": 60},
            "privacy": {"times": 1, "per_seconds": 60},
        }
    )
    await clikc.start()

    await open_submit_form(clikc, "joao")
    again = await double.slash("submit", user="joao")
    refused = await double.wait_for_callback(again, timeout=TIMEOUT)
    log.saw("joao", "/submit twice", text_of(refused))
    assert refused["data"]["content"] == string("en", "slow_down", seconds=3600)
    assert refused["data"]["flags"] & EPHEMERAL
    await open_submit_form(clikc, "pierre")  # another member is not affected

    first = await run(clikc, "privacy status", "joao")
    assert first["data"]["content"] == string("en", "status_in")
    second = await run(clikc, "privacy status", "joao")
    log.saw("joao", "/privacy status twice", text_of(second))
    assert second["data"]["content"] == string("en", "slow_down", seconds=60)

    answer = await clikc.ask("blockchain", user="ana")
    ids = [c["custom_id"] for row in answer.message["components"] for c in row["components"]]
    more = [i for i in ids if not i.startswith("clikc:")][-1]  # after Back; the vote buttons are the answer's
    turned = await double.click(answer.message, more, user="ana")
    assert (await double.wait_for_callback(turned, timeout=TIMEOUT))["type"] == DEFERRED_UPDATE
    await double.wait_for_request("PATCH", rf"/webhooks/\d+/{turned.token}/messages/@original")
    page = await double.click(answer.message, more, user="ana")
    refused = await double.wait_for_callback(page, timeout=TIMEOUT)
    log.saw("ana", "▶️ twice", text_of(refused))
    assert refused["data"]["content"] == string("en", "slow_down", seconds=60)
    log.print()


async def test_attachments_are_refused_by_name_type_and_size_before_download(clikc: Clikc):
    double, log = clikc.double, Transcript("attachments")
    await clikc.start()

    async def submit_with(user: str, attachment: dict[str, Any]) -> dict[str, Any]:
        submitted = await send_case_study(clikc, user, attachment)
        return await double.wait_for_followup(submitted, timeout=TIMEOUT)

    program = double.attachment("informe.exe", b"MZ\x90\x00", "application/x-msdownload")
    reply = await submit_with("joao", program)
    log.saw("joao", "/submit informe.exe", text_of(reply))
    assert reply["content"] == string("en", "file_type", name="informe.exe")
    disguised = double.attachment("informe.pdf", b"\x89PNG\r\n", "image/png")
    reply = await submit_with("pierre", disguised)
    log.saw("pierre", "/submit informe.pdf (image/png)", text_of(reply))
    assert reply["content"] == string("en", "file_type", name="informe.pdf")
    huge = double.attachment("informe.pdf", b"%PDF-1.4", "application/pdf")
    huge["size"] = 50 * 2**20  # what Discord measured: the bot believes it and does not fetch 50 MB
    reply = await submit_with("ana", huge)
    log.saw("ana", "/submit 50 MB informe.pdf", text_of(reply))
    assert reply["content"] == string("en", "file_too_big", size="50.0", limit="10")
    assert double.downloads == [] and stored(clikc) == []

    good = double.attachment("banano-iot.md", WRITE_UP, "text/markdown; charset=utf-8")
    reply = await submit_with("ana", good)
    assert double.downloads == [good["id"]]
    [row] = stored(clikc)
    assert reply["content"] == string("en", "submit_received", id=row["id"])
    review = double.world.channel("moderation")["id"]  # the bot posts it (with the file) after the receipt
    await double.wait_for_request("POST", rf"/channels/{review}/messages", timeout=TIMEOUT)
    log.print()
