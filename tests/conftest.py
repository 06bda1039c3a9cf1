"""Fixtures shared by the whole suite: a knowledge base in a temporary data directory."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import index.whoosh  # noqa: F401  (checks the Whoosh version, silences its SyntaxWarnings)
from index.database import Database
from index.documents import Document
from index.knowledge import KnowledgeBase
from index.samples import seed_samples

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = ROOT / "config"
SHARED = ROOT.parent / "shared"
RELEASE_1 = ROOT / "tests" / "fixtures" / "release1" / "data"  # a database of the first release


def open_kb(data_dir: Path, seed: bool = False, **options) -> KnowledgeBase:
    kb = KnowledgeBase.open(
        Database(data_dir / "clikc.db"),
        data_dir / "index",
        glossary_path=CONFIG_DIR / "glossary.yaml",
        countries_path=CONFIG_DIR / "countries.yaml",
        **options,
    )
    if seed and options.get("access") != "check":
        seed_samples(kb, CONFIG_DIR / "samples")
    return kb


@pytest.fixture
def kb(tmp_path: Path) -> Iterator[KnowledgeBase]:
    base = open_kb(tmp_path / "data")
    yield base
    base.close()
    base.store.db.close()


def post(doc_id: str, text: str, **fields) -> Document:
    fields.setdefault("date", datetime(2023, 5, 1, tzinfo=UTC))
    return Document(id=doc_id, text=text, **fields)
