"""What the knowledge base holds, as the rows every adapter shows (the CLI's lines, the console's and
Discord's one localised sentence): one place decides which counts there are and how a list of them
reads, so the three cannot drift apart."""

from __future__ import annotations

from collections.abc import Callable

from index.knowledge import KnowledgeStats

# (field of KnowledgeStats, the CLI's heading, the prefix of its values' names in the reply strings)
FACETS = (("by_kind", "kind", "kind."), ("by_lang", "language", ""), ("by_technology", "technology", "tech."))


def count_list(counts: dict[str, int], label: Callable[[str], str] = str, empty: str = "—") -> str:
    """{"post": 3, "case_study": 1} → "post 3, case_study 1" (names through `label`)."""
    return ", ".join(f"{label(name)} {count}" for name, count in counts.items()) or empty


def stats_fields(stats: KnowledgeStats, name: Callable[[str], str] | None = None) -> dict[str, object]:
    """The fields of the `stats` reply; `name(key)`, when given, words kinds and technologies in the
    reader's language (Discord, the console), else they read as stored."""
    fields: dict[str, object] = {"documents": stats.documents, "pending": stats.pending}
    for attribute, _, prefix in FACETS:
        label = (lambda key, prefix=prefix: name(prefix + key)) if name and prefix else str
        fields[attribute] = count_list(getattr(stats, attribute), label)
    return fields


def stats_lines(stats: KnowledgeStats) -> list[str]:
    """The command line's `index stats`: one fact a line, in English, for operators and scripts."""
    lines = [f"documents: {stats.documents}"]
    for attribute, heading, _ in FACETS:
        lines.append(f"by {heading}: " + count_list(getattr(stats, attribute), empty="-"))
    lines.append(f"index size: {stats.index_bytes / 1024:.0f} KiB; pending writes: {stats.pending}")
    if stats.samples:
        lines.append(
            f"sample documents (demo content): {stats.samples}; remove: clikc-bot index remove --sample"
        )
    return lines
