"""A web library over a real App in a temporary data directory, served on a free loopback port.

Shared by the HTTP tests, the browser tests and the screenshot script: the server runs on its own
event loop in a thread, so synchronous clients (urllib, Playwright's sync API) can drive it.
"""

from __future__ import annotations

import asyncio
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from bot.app import App
from bot.casestudies.model import Submission, SubmissionForm, Upload
from bot.config import DEFAULT_CONFIG, WebRateLimit, WebSettings, load_config
from bot.members import Actor
from bot.web.server import bound_addresses, start

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
SUBMITTER = Actor(id="1001", name="Ana Pérez", roles=("Member",), platform="discord")
OPERATOR = Actor(id="operator", name="operator", platform="local")
BASE_URL = "https://library.example.org"
SUMMARY = (
    "The customs administration deployed electronic seals with GPS on international transit cargo. "
    "Each seal reports its position every five minutes and raises an alert at the monitoring centre "
    "when a container is opened outside an authorised zone."
)
RESULTS = (
    "Transit times fell by thirty percent and seal tampering cases were detected within minutes. "
    "Lessons learned: train the carriers before the roll-out and agree on who answers each alert."
)
REPORT = b"# Electronic seals pilot\n\nFull report: corridor, devices, alerts, costs and results.\n"


class Clock:
    def __init__(self, now: datetime = NOW):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def make_app(data_dir: Path, *, searches: int = 1000, clock: Clock | None = None) -> App:
    """An App over a fresh data directory (seeded with the shipped samples), the web on."""
    config = load_config(DEFAULT_CONFIG, data_dir)
    web = WebSettings(
        enabled=True,
        base_url=BASE_URL,
        calendar_cache_seconds=0,
        rate_limit=WebRateLimit(searches=searches, per_seconds=60),
    )
    settings = config.settings.model_copy(update={"web": web})
    return App(replace(config, settings=settings), clock=clock or Clock())


def publish(
    app: App,
    title: str = "Electronic seals on transit corridors",
    *,
    file_name: str = "seals report.md",
    data: bytes = REPORT,
    approve: bool = True,
) -> Submission:
    """Submit a case study as a Discord member; approve it as the operator (unless told not to)."""
    form = SubmissionForm(
        title=title, member="SUNAT", summary=SUMMARY, results=RESULTS, contact="ana@example.org",
        file=Upload(file_name, data),
    )  # fmt: skip
    receipt = app.submissions.submit(form, SUBMITTER)
    if approve:
        return app.submissions.approve(OPERATOR, receipt.id)
    return receipt.submission


class Server:
    """The web adapter on 127.0.0.1 and a port the system picks, on its own loop in a thread."""

    def __init__(self, app: App):
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="web-test-server", daemon=True)
        self.thread.start()
        self.runner = asyncio.run_coroutine_threadsafe(start(app, "127.0.0.1", 0), self.loop).result(30)
        self.url = bound_addresses(self.runner)[0]

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def get(url: str, headers: dict[str, str] | None = None) -> Reply:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Reply(response.status, dict(response.headers.items()), response.read())
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, dict(exc.headers.items()), exc.read())
