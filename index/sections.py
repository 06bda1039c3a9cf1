"""Splitting a long document into sections that are indexed, found and linked one by one.

A 370-page code indexed whole ranks as one blob and its answer cannot say where to look; as
sections, each hit names its pages or heading and links to its page. The parent stays stored (its
title as its text) so the document is still one unit: removing or re-adding it
removes or replaces all of its sections (see KnowledgeBase.remove and ingest_paths).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from index.documents import Document
from index.language import LanguageDetector

SECTION_OF = "section_of"  # meta key of a section: its parent's id
DEFAULT_SECTION_CHARS = 20_000
TITLE_JOIN = " — "

Unit = tuple[str, str]  # (label: a page number or a heading, text)


@dataclass(frozen=True)
class SectionLabels:
    """How a section's place in its document is written, in the document's language: the
    adapters fill these from strings.yaml (section_page, section_pages, section_part)."""

    page: str = "p. {page}"
    pages: str = "pp. {first}–{last}"
    part: str = "part {number} of {total}"

    @classmethod
    def from_strings(cls, get: Callable[[str], str]) -> SectionLabels:
        return cls(page=get("section_page"), pages=get("section_pages"), part=get("section_part"))


ENGLISH = SectionLabels()


def labels_by_language(labels: Mapping[str, SectionLabels] | None) -> Callable[[Document], SectionLabels]:
    """Section labels in the document's language (given, else detected; English when unknown)."""

    def choose(doc: Document) -> SectionLabels:
        if not labels:
            return ENGLISH
        lang = doc.lang or LanguageDetector().detect(doc.text)
        return labels.get(lang) or labels.get("en") or ENGLISH

    return choose


def section_id(parent_id: str, number: int) -> str:
    return f"{parent_id}#s{number}"


def split_document(
    doc: Document,
    parts: tuple[Unit, ...],
    *,
    paged: bool,
    limit: int,
    labels: SectionLabels | Callable[[Document], SectionLabels] = ENGLISH,
) -> list[Document]:
    """[doc] when its text fits in `limit` characters; otherwise [parent, section 1, section 2, ...].

    `parts` are the text's natural units in order (PDF pages labelled with their number, or heading
    sections labelled with their heading); units are grouped up to `limit`, and a unit longer than
    that is cut at paragraphs. Without parts the text is cut at paragraphs. `labels` (or a function
    choosing them by the document, called only when it is split) writes page ranges and parts."""
    if len(doc.text) <= limit:
        return [doc]
    units = [piece for unit in (parts or (("", doc.text),)) for piece in _fit(unit, limit)]
    groups = _group(units, limit)
    if len(groups) < 2:
        return [doc]
    if not isinstance(labels, SectionLabels):
        labels = labels(doc)
    base = doc.title
    sections = []
    for number, group in enumerate(groups, 1):
        first_page = ""
        if paged:
            pages = [label for label, _ in group if label.isdigit()]
            first_page = pages[0] if pages else ""
            label = _page_range(pages, labels)
        else:
            label = next((label for label, _ in group if label), "")
        label = label or labels.part.format(number=number, total=len(groups))
        url = doc.url
        if url and first_page:
            url = f"{url.split('#', 1)[0]}#page={first_page}"
        sections.append(
            replace(
                doc,
                id=section_id(doc.id, number),
                text="\n\n".join(text for _, text in group),
                title=f"{base}{TITLE_JOIN}{label}" if base else label,
                url=url,
                meta={**doc.meta, SECTION_OF: doc.id},
            )
        )
    # The parent carries the metadata and its title only: its text is in the sections, and a copy
    # would outrank them for every word in it.
    return [replace(doc, text=base or doc.id), *sections]


def _page_range(pages: list[str], labels: SectionLabels) -> str:
    if not pages:
        return ""
    if pages[0] == pages[-1]:
        return labels.page.format(page=pages[0])
    return labels.pages.format(first=pages[0], last=pages[-1])


def _fit(unit: Unit, limit: int) -> list[Unit]:
    """A unit cut at blank lines (or, failing that, at whitespace) into pieces of at most `limit`."""
    label, text = unit
    if len(text) <= limit:
        return [unit]
    pieces: list[Unit] = []
    for paragraph in re.split(r"\n\s*\n", text):
        while len(paragraph) > limit:
            cut = paragraph.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            pieces.append((label, paragraph[:cut].strip()))
            paragraph = paragraph[cut:]
        if paragraph.strip():
            pieces.append((label, paragraph.strip()))
    return _group_as_units(pieces, limit)


def _group_as_units(pieces: list[Unit], limit: int) -> list[Unit]:
    return [(group[0][0], "\n\n".join(text for _, text in group)) for group in _group(pieces, limit)]


def _group(units: list[Unit], limit: int) -> list[list[Unit]]:
    """Consecutive units packed greedily into groups of at most `limit` characters."""
    groups: list[list[Unit]] = []
    size = 0
    for unit in units:
        if groups and size + len(unit[1]) <= limit:
            groups[-1].append(unit)
            size += len(unit[1]) + 2
        else:
            groups.append([unit])
            size = len(unit[1])
    return groups
