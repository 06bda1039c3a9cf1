"""Members' data is private to the bot's user: data directory 0700, database and files 0600."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from bot.app import App
from bot.casestudies.model import SubmissionForm, Upload
from bot.config import load_config
from bot.members import Actor
from tests.conftest import CONFIG_DIR, RELEASE_1

CASE = "---\ntitle: Sealed corridor\nmember: Aduana Demo\n---\n" + " ".join(
    ["Electronic seals cut transit time."] * 12
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask():
    old = os.umask(0o022)  # what most systems give a service: would make 0644 files and 0755 folders
    yield
    os.umask(old)


def test_a_new_data_directory_is_private(tmp_path: Path, permissive_umask):
    data = tmp_path / "var"
    app = App(load_config(str(CONFIG_DIR / "clikc.yaml"), str(data)))
    try:
        receipt = app.submissions.submit(SubmissionForm(file=Upload("case.md", CASE.encode())), Actor.local())
        stored = app.submissions.folder / receipt.submission.stored_file
        assert mode(data) == 0o700
        for path in (data / "clikc.db", data / "clikc.db-wal", data / "clikc.db-shm", stored):
            assert mode(path) == 0o600, path
        assert mode(data / "files") == mode(app.submissions.folder) == 0o700
    finally:
        app.close()


def test_an_old_world_readable_data_directory_is_made_private_on_open(tmp_path: Path, permissive_umask):
    data = tmp_path / "var"
    shutil.copytree(RELEASE_1, data)
    (data / "clikc.db").chmod(0o644)
    data.chmod(0o755)
    app = App(load_config(str(CONFIG_DIR / "clikc.yaml"), str(data)))
    try:
        app.db  # noqa: B018  (opening is what is tested)
        assert mode(data) == 0o700 and mode(data / "clikc.db") == 0o600
    finally:
        app.close()
