"""Sample content for a fresh install, seeded once by the application's wiring (bot.app)."""

from __future__ import annotations

from pathlib import Path

from index.documents import SAMPLE_META
from index.ingest import ingest_paths
from index.knowledge import KnowledgeBase


def seed_samples(kb: KnowledgeBase, seed_dir: Path) -> None:
    """Ingest `seed_dir` as samples the first time only: a moderator who removed them keeps them gone."""
    if kb.store.meta_get("seeded") is not None:
        return
    if seed_dir.exists():
        ingest_paths(kb, [seed_dir], defaults={SAMPLE_META: "true"})
    kb.store.meta_set("seeded", kb.clock().isoformat())
