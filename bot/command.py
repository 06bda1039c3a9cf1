"""The `clikc-bot` command's entry point, which imports nothing until it runs.

Worker processes (file parsing under limits, the bulk-import workers) start from a fork server, and
multiprocessing runs the command's script again in each of them to set up its main module; that
script imports this entry point. Were it `bot.cli`, every worker would load the whole bot first (about
2 s each: a fresh data directory's samples took 20 s to seed, one worker per sample file).
"""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    from bot.cli import main as run  # here, not at the top: see the module's docstring

    return run(argv)
