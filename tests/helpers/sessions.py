"""Shared helpers for the session tests: a settable clock and a service over a temporary schedule."""

from __future__ import annotations

import shutil
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.members import Actor
from bot.sessions.service import SessionService
from index.database import Database

PROJECT = Path(__file__).resolve().parents[2]
SHIPPED_SCHEDULE = PROJECT / "config" / "sessions.yaml"
MOD = Actor("ana", is_moderator=True, id="42")
MEMBER = Actor("bob", is_moderator=False)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


class Clock:
    """An injected clock the test moves by hand."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> datetime:
        self.now += delta
        return self.now


def write_schedule(tmp_path: Path, text: str, name: str = "sessions.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def open_service(
    tmp_path: Path, schedule: Path, clock: Clock, lead_times=("7d", "1d", "1h")
) -> SessionService:
    """A service on a database file in tmp_path; call again to simulate a restart."""
    return SessionService(Database(tmp_path / "clikc.db"), schedule, clock=clock, lead_times=lead_times)


def cli_runner(tmp_path: Path, capsys, schedule: str | None = None):
    """The real `clikc-bot` entry point on a config folder in tmp_path: the shipped schedule (or
    `schedule`, YAML text), glossary, gazetteer and strings. Returns run(*args) -> (code, out, err),
    with the folder as run.config_dir."""
    from bot.cli import main

    config_dir = tmp_path / "config"
    config_dir.mkdir()
    if schedule is None:
        shutil.copy(SHIPPED_SCHEDULE, config_dir / "sessions.yaml")
    else:
        (config_dir / "sessions.yaml").write_text(schedule, encoding="utf-8")
    for name in ("glossary.yaml", "countries.yaml", "strings.yaml"):
        shutil.copy(SHIPPED_SCHEDULE.parent / name, config_dir / name)
    (config_dir / "clikc.yaml").write_text("sessions: sessions.yaml\n", encoding="utf-8")

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--config", str(config_dir / "clikc.yaml"), "--data-dir", str(tmp_path / "var"), *args])
        out, err = capsys.readouterr()
        return code, out, err

    run.config_dir = config_dir
    return run
