"""The buttons every member may press (votes, did-you-mean, Interested) check who pressed them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.discord.cogs.feedback import DidYouMeanButton, VoteButton
from bot.discord.cogs.reminders import InterestedButton
from tests.bot.discord.helpers import MockGuild, MockInteraction, MockMember, sent_text

BUTTONS = [
    VoteButton("0123456789ab", True, "Helpful"),
    DidYouMeanButton("0123456789ab", "Search"),
    InterestedButton("iot-webinar", datetime(2026, 3, 10, 21, tzinfo=UTC), "Interested"),
]


@pytest.mark.parametrize("button", BUTTONS, ids=lambda b: type(b).__name__)
async def test_a_home_member_may_press_another_server_is_refused_a_bot_is_ignored(bot, button):
    member = MockInteraction(client=bot)
    assert await button.interaction_check(member) is True

    elsewhere = MockGuild(id=999)
    stranger = MockInteraction(client=bot, guild=elsewhere, user=MockMember(guild=elsewhere), locale="es-ES")
    assert await button.interaction_check(stranger) is False
    assert sent_text(stranger) == bot.app.replies.get("other_server", "es")

    robot = MockInteraction(client=bot, user=MockMember(bot=True))
    assert await button.interaction_check(robot) is False
    robot.response.send_message.assert_not_called()


def test_custom_ids_are_stable_and_within_discords_limit():
    ids = [b.item.custom_id for b in BUTTONS]
    assert ids == [
        "clikc:vote:0123456789ab:1",
        "clikc:dym:0123456789ab",
        "clikc:interest:1773176400:iot-webinar",
    ]
    assert all(len(i) <= 100 for i in ids)
