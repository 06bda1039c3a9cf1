"""`index …` and `ask`: the knowledge base from the command line (filled in with the knowledge base)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    pass
