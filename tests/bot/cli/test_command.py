"""The `clikc-bot` script's entry point stays light: the fork server's workers run that script again."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def test_the_command_points_at_an_entry_point_that_imports_nothing_until_it_runs():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["clikc-bot"] == "bot.command:main"
    ours = "('bot.', 'index', 'discord', 'whoosh')"
    code = f"import sys, bot.command; print(sorted(m for m in sys.modules if m.startswith({ours})))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout.strip()
    assert loaded == "['bot.command']"


def test_the_entry_point_runs_the_cli(capsys):
    from bot.command import main

    with pytest.raises(SystemExit) as exited:  # argparse's --version prints and exits
        main(["--version"])
    assert exited.value.code == 0 and capsys.readouterr().out.startswith("clikc-bot")
