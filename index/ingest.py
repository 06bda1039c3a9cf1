"""Files and folders into the knowledge base: `clikc-bot index add PATH...` and the first-run seed.

Markdown (YAML front matter), text, PDF and Word go through index.extract; JSON lines carry one
document per line; a `.json` file is read as a DiscordChatExporter channel export. A bad file is
skipped with one line saying why, and the rest still go in.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from dateutil import parser as dateparser
from tqdm import tqdm

from index.documents import KINDS, LANGUAGES, TECHNOLOGIES, Document
from index.errors import InputError
from index.extract import DEFAULT_MAX_BYTES, SUPPORTED_SUFFIXES, extract_file

if TYPE_CHECKING:
    from index.knowledge import KnowledgeBase

DOCUMENT_FIELDS = ("id", "kind", "title", "author", "date", "url", "lang", "technologies")
MEMBER_MESSAGE_TYPES = {"Default", "Reply"}
SKIPPED_NAMES = {"readme.md", "readme.txt"}  # a folder's own description, not content
_ID_RE = re.compile(r"[^a-z0-9]+")


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    opted_out: int = 0  # documents by members who opted out of indexing: not stored
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (where, why)
    notes: list[str] = field(default_factory=list)  # e.g. messages of an export left out, and why

    def count(self, outcomes: Iterable[str]) -> None:
        for outcome in outcomes:
            setattr(self, outcome, getattr(self, outcome) + 1)

    def to_json(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "opted_out": self.opted_out,
            "skipped": [{"path": where, "reason": why} for where, why in self.skipped],
            "notes": self.notes,
        }


def slug(text: str) -> str:
    return _ID_RE.sub("-", text.lower()).strip("-")


def parse_date(value: object, where: str) -> datetime | None:
    """YAML dates, ISO strings and the forms people type; naive values are taken as UTC."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    else:
        try:
            parsed = dateparser.parse(str(value))
        except (ValueError, OverflowError):
            raise InputError(f"{where}: date {value!r} is not a date") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def document_from_fields(
    fields: dict, text: str, *, default_id: str, source: str, title: str = ""
) -> Document:
    """A Document from front matter or a JSON line; unknown fields are kept in meta."""
    where = source
    kind = str(fields.get("kind") or "post")
    if kind not in KINDS:
        raise InputError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    lang = str(fields.get("lang") or "")
    if lang and lang not in LANGUAGES:
        raise InputError(f"{where}: lang {lang!r} is not one of {', '.join(LANGUAGES)}")
    techs = fields.get("technologies") or ()
    if isinstance(techs, str):
        techs = techs.replace(",", " ").split()
    unknown = [t for t in techs if t not in TECHNOLOGIES]
    if unknown:
        raise InputError(f"{where}: technologies {unknown} not among {', '.join(TECHNOLOGIES)}")
    doc_id = str(fields.get("id") or default_id).strip()
    if not doc_id:
        raise InputError(f"{where}: no id")
    meta = {k: str(v) for k, v in fields.items() if k not in DOCUMENT_FIELDS and k != "text"}
    return Document(
        id=doc_id,
        text=text,
        kind=kind,
        title=str(fields.get("title") or title or "").strip(),
        author=str(fields.get("author") or "").strip(),
        date=parse_date(fields.get("date"), where),
        url=str(fields.get("url") or "").strip(),
        source=source,
        lang=lang,
        technologies=tuple(techs),
        meta=meta,
    )


def _files(path: Path) -> Iterator[Path]:
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
            if child.is_file() and not hidden and child.name.lower() not in SKIPPED_NAMES:
                yield child
    else:
        yield path


def _documents_from_file(
    path: Path, root: Path, max_bytes: int, report: IngestReport, defaults: dict
) -> Iterator[Document]:
    suffix = path.suffix.lower()
    rel = path.relative_to(root) if root.is_dir() else Path(path.name)
    default_id = slug(str(rel.with_suffix("")))
    if suffix == ".jsonl":
        yield from _jsonl(path, default_id, report)
    elif suffix == ".json":
        yield from _discord_export(path, report)
    elif suffix in SUPPORTED_SUFFIXES:
        extracted = extract_file(path, max_bytes=max_bytes)
        fields = {**defaults, **extracted.fields}
        # A post's "title" would only repeat its first line; documents keep their heading as title.
        title = "" if fields.get("kind", "post") == "post" else extracted.title
        yield document_from_fields(
            fields, extracted.text, default_id=default_id, source=str(path), title=title
        )
    else:
        raise InputError(
            f"{path}: unsupported file type '{suffix or 'none'}' "
            f"(use {', '.join(SUPPORTED_SUFFIXES)}, .jsonl or a DiscordChatExporter .json)"
        )


def _jsonl(path: Path, default_id: str, report: IngestReport) -> Iterator[Document]:
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise InputError(f"{where}: expected a JSON object")
                text = str(record.get("text") or "").strip()
                if not text:
                    raise InputError(f"{where}: no text")
                yield document_from_fields(record, text, default_id=f"{default_id}-{number}", source=where)
            except json.JSONDecodeError as exc:
                report.skipped.append((where, f"invalid JSON: {exc.msg}"))
            except InputError as exc:
                report.skipped.append((where, str(exc).removeprefix(f"{where}: ")))
            except UnicodeDecodeError:
                raise InputError(f"{path}: not UTF-8 text") from None


def _discord_export(path: Path, report: IngestReport) -> Iterator[Document]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: invalid JSON (line {exc.lineno}): {exc.msg}") from None
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise InputError(f"{path}: not a DiscordChatExporter channel export (no 'messages' list)")
    guild = data.get("guild") or {}
    channel = data.get("channel") or {}
    left_out: Counter[str] = Counter()
    for message in data["messages"]:
        author = message.get("author") or {}
        content = str(message.get("content") or "").strip()
        if message.get("type") not in MEMBER_MESSAGE_TYPES:
            left_out["system messages"] += 1
        elif author.get("isBot"):
            left_out["bot messages"] += 1
        elif not content:
            left_out["messages without text"] += 1
        else:
            yield Document(
                id=f"discord-{message['id']}",
                text=content,
                kind="post",
                author=str(author.get("nickname") or author.get("name") or ""),
                date=parse_date(message.get("timestamp"), str(path)),
                url=f"https://discord.com/channels/{guild.get('id')}/{channel.get('id')}/{message['id']}",
                source=f"#{channel.get('name', '')}",
                meta={
                    "author_id": str(author.get("id", "")),
                    "channel_id": str(channel.get("id", "")),
                    "guild_id": str(guild.get("id", "")),
                    "message_id": str(message["id"]),
                },
            )
    if left_out:
        parts = ", ".join(f"{n} {what}" for what, n in sorted(left_out.items()))
        report.notes.append(f"{path}: left out {parts}")


def ingest_paths(
    kb: KnowledgeBase,
    paths: Iterable[Path],
    *,
    max_file_bytes: int = DEFAULT_MAX_BYTES,
    progress: bool = False,
    defaults: dict | None = None,
) -> IngestReport:
    """Ingest files and folders. `defaults` (kind, author, lang…) fill fields a file does not give."""
    report = IngestReport()
    files: list[tuple[Path, Path]] = []
    for root in paths:
        root = Path(root)
        if not root.exists():
            report.skipped.append((str(root), "not found"))
            continue
        files.extend((root, f) for f in _files(root))

    def documents() -> Iterator[Document]:
        with tqdm(total=len(files), unit="file", disable=not progress, leave=False) as bar:
            for root, path in files:
                try:
                    yield from _documents_from_file(path, root, max_file_bytes, report, defaults or {})
                except InputError as exc:
                    report.skipped.append((str(path), str(exc).removeprefix(f"{path}: ")))
                bar.update(1)

    report.count(kb.upsert_many(documents()))
    return report
