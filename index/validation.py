"""What a document must be to be stored: checked before a batch, so one bad record is skipped alone."""

from __future__ import annotations

from dataclasses import replace

from index.analysis import normalize_text
from index.documents import KINDS, Document
from index.errors import InputError


def validate_document(doc: Document) -> Document:
    """The document as it will be stored, or InputError: ingest checks each one before the batch
    so one bad record is skipped instead of failing the rest."""
    if not doc.id or not doc.id.strip():
        raise InputError("a document needs an id")
    if doc.kind not in KINDS:
        raise InputError(f"document {doc.id}: kind must be one of {', '.join(KINDS)}, not {doc.kind!r}")
    text = normalize_text(doc.text).strip()
    if not text:
        raise InputError(f"document {doc.id}: the text is empty")
    title = " ".join(normalize_text(doc.title).split())
    if text == doc.text and title == doc.title:  # already valid (a bulk ingest checks each twice)
        return doc
    return replace(doc, text=text, title=title)
