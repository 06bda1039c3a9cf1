from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.app import App
from bot.config import DEFAULT_CONFIG, load_config
from index.documents import Document
from tests.conftest import open_kb
from tests.helpers.recording import RecordingKnowledge


class Clock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime = datetime(2025, 3, 10, 14, 0, tzinfo=UTC)):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> None:
        self.now += timedelta(**kwargs)


SAMPLE_DOCS = [
    Document(
        id="ws-2021",
        kind="workshop-summary",
        title="Regional workshop on disruptive technologies",
        text="Peru and Mexico shared blockchain pilots for AEO mutual recognition; Brazil described "
        "electronic seals and GPS tracking of transit cargo.",
        author="WCO secretariat",
        date=datetime(2021, 11, 26, tzinfo=UTC),
        url="https://example.org/ws",
        technologies=("blockchain", "iot"),
        meta={"countries": "PE,MX,BR"},
    ),
    Document(
        id="discord-111",
        kind="post",
        text="Usamos precintos electrónicos en el tránsito desde 2019.",
        author="Ana",
        date=datetime(2024, 5, 2, tzinfo=UTC),
        url="https://discord.com/channels/1/2/111",
        technologies=("iot",),
        lang="es",
        meta={"author_id": "42", "channel_id": "2", "message_id": "111"},
    ),
]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def kb(tmp_path) -> RecordingKnowledge:
    real = open_kb(tmp_path / "kb")
    real.upsert_many(SAMPLE_DOCS)
    yield RecordingKnowledge(real)
    real.close()


@pytest.fixture
def app(tmp_path, clock, kb) -> App:
    application = App(load_config(DEFAULT_CONFIG, tmp_path / "data"), clock=clock)
    application.knowledge = kb  # cached_property: an assignment injects the fake
    yield application
    application.close()
