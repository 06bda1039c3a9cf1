"""Files and folders into the knowledge base: `clikc-bot index add PATH...` and the sample seed.

Markdown (YAML front matter), text, PDF and Word go through index.extract; JSON lines carry one
document per line; a `.json` file is read as a DiscordChatExporter channel export. A bad file is
skipped with one line saying why, and the rest still go in.

Over 400 lines on purpose for now: it is one pipeline (walk, parse in a worker, validate, commit)
whose format readers (JSON lines, chat exports) are being reworked by parallel ingest (issue 17);
it is split by format once that lands (a chat message's document is index.chat's already).
The first-run seed is index.samples, called by the application's wiring.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import re
import stat
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from dateutil import parser as dateparser
from tqdm import tqdm

from index.bulk_ingest import upsert_stream
from index.chat import ChatMessage, message_document
from index.documents import KINDS, LANGUAGES, TECHNOLOGIES, Document
from index.errors import InputError
from index.extract import DEFAULT_MAX_BYTES, SUPPORTED_SUFFIXES, extract_file, open_regular, special_kind
from index.sections import (
    DEFAULT_SECTION_CHARS,
    SECTION_OF,
    SectionLabels,
    labels_by_language,
    split_document,
)
from index.validation import validate_document
from index.worker import WorkLimits, stream_limited

if TYPE_CHECKING:
    from index.knowledge import KnowledgeBase

DOCUMENT_FIELDS = ("id", "kind", "title", "author", "date", "url", "lang", "technologies")
MEMBER_MESSAGE_TYPES = {"Default", "Reply"}
DEFAULT_MAX_STREAM_BYTES = 1024 * 1024 * 1024  # a JSON lines file or a chat export
RECORD = {".json": "message", ".jsonl": "line"}  # what one skip inside such a file is (else "file")
SKIPPED_NAMES = {"readme.md", "readme.txt"}  # a folder's own description, not content
_ID_RE = re.compile(r"[^a-z0-9]+")


MAX_LISTED_SKIPS = 100  # every skip is counted; this many are named with their reason


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    opted_out: int = 0  # documents by members who opted out of indexing: not stored
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (where, why): the first ones
    skipped_counts: Counter[str] = field(default_factory=Counter)  # "file", "line", "message"... -> n
    notes: list[str] = field(default_factory=list)  # e.g. messages of an export left out, and why

    def skip(self, where: str, why: str, what: str = "file") -> None:
        """Count a skipped `what`; name the first MAX_LISTED_SKIPS, so an export of a million bad
        messages is reported in bounded memory and a screenful of lines."""
        self.skipped_counts[what] += 1
        if len(self.skipped) < MAX_LISTED_SKIPS:
            self.skipped.append((where, why))

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped_counts.values()) or len(self.skipped)

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
            "skipped_counts": dict(sorted(self.skipped_counts.items())),
            "notes": self.notes,
        }


def slug(text: str) -> str:
    return _ID_RE.sub("-", text.lower()).strip("-")


EARLIEST_YEAR, LATEST_YEAR = 1900, 2100
MAX_UTC_OFFSET = timedelta(hours=14)  # the world's zones run from -12:00 to +14:00
_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})$")


def parse_date(value: object, where: str) -> datetime | None:
    """YAML dates, ISO strings and the forms people type; naive values are taken as UTC.

    Only reads: `document_date` range-checks what a document may carry; a command's options are
    checked by the command."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and len(value) <= 64 and re.search(r"\d{4}", value):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            try:
                parsed = dateparser.parse(text)
            except (ValueError, OverflowError):
                raise InputError(f"{where}: date {value!r} is not a valid date") from None
    else:
        raise InputError(f"{where}: date {_shown(value)} is not a date (write it like 2022-04-20)")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def document_date(value: object, where: str) -> datetime | None:
    """A document's date, range-checked (years 1900-2100, offsets within ±14:00) so nothing later
    (sorting, filters, the index) trips over a date Python or Whoosh cannot hold."""
    if isinstance(value, str):
        offset = _OFFSET.search(value.strip())
        if offset and timedelta(hours=int(offset[2]), minutes=int(offset[3])) > MAX_UTC_OFFSET:
            raise InputError(f"{where}: date {value!r} has a UTC offset beyond ±14:00")
    try:
        parsed = parse_date(value, where)
        shift = parsed.utcoffset() if parsed else None
    except InputError:
        raise
    except (ValueError, OverflowError):
        raise InputError(f"{where}: date {value!r} has an impossible UTC offset") from None
    if parsed is None:
        return None
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        raise InputError(f"{where}: date {value!r} is outside {EARLIEST_YEAR}-{LATEST_YEAR}")
    if shift is None or abs(shift) > MAX_UTC_OFFSET:
        raise InputError(f"{where}: date {value!r} has a UTC offset beyond ±14:00")
    return parsed.replace(tzinfo=timezone(shift))


def document_from_fields(
    fields: dict, text: str, *, default_id: str, source: str, title: str = ""
) -> Document:
    """A Document from front matter or a JSON line; unknown fields are kept in meta.

    Every field is type- and range-checked here, so a bad one skips its record with a reason
    instead of failing later, in the middle of a batch of good ones."""
    where = source
    kind = _text_field(fields, "kind", where) or "post"
    if kind not in KINDS:
        raise InputError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    lang = _text_field(fields, "lang", where)
    if lang and lang not in LANGUAGES:
        raise InputError(f"{where}: lang {lang!r} is not one of {', '.join(LANGUAGES)}")
    techs = fields.get("technologies") or ()
    if isinstance(techs, str):
        techs = techs.replace(",", " ").split()
    if not isinstance(techs, list | tuple) or not all(isinstance(t, str) for t in techs):
        raise InputError(
            f"{where}: technologies must be a list such as [blockchain, iot], not {_shown(techs)}"
        )
    unknown = [t for t in techs if t not in TECHNOLOGIES]
    if unknown:
        raise InputError(f"{where}: technologies {unknown} not among {', '.join(TECHNOLOGIES)}")
    doc_id = _text_field(fields, "id", where) or default_id
    if not doc_id:
        raise InputError(f"{where}: no id")
    if len(doc_id) > MAX_ID_CHARS:
        raise InputError(f"{where}: id is {len(doc_id)} characters; the limit is {MAX_ID_CHARS}")
    if len(text) > MAX_RECORD_CHARS:
        raise InputError(
            f"{where}: the text is {len(text):,} characters; the limit is {MAX_RECORD_CHARS:,} per document"
        )
    extra = [(k, v) for k, v in fields.items() if k not in DOCUMENT_FIELDS and k != "text"]
    if len(extra) > MAX_META_FIELDS:
        raise InputError(f"{where}: {len(extra)} extra fields; the limit is {MAX_META_FIELDS}")
    meta = {str(k)[:100]: str(v)[:MAX_META_CHARS] for k, v in extra}
    return Document(
        id=doc_id,
        text=text,
        kind=kind,
        title=(_text_field(fields, "title", where) or title or "").strip(),
        author=_text_field(fields, "author", where),
        date=document_date(fields.get("date"), where),
        url=_text_field(fields, "url", where),
        source=source,
        lang=lang,
        technologies=tuple(techs),
        meta=meta,
    )


MAX_ID_CHARS = 200
MAX_FIELD_CHARS = {"title": 500, "author": 200, "url": 2_000, "kind": 40, "lang": 10, "id": MAX_ID_CHARS}
MAX_RECORD_CHARS = 2_000_000  # one document's text, whatever it came from
MAX_RECORD_BYTES = 4 * 1024 * 1024  # one JSON line
MAX_MESSAGE_CHARS = 100_000  # one chat message with its forwards and embeds (Discord allows ~10k)
MAX_META_FIELDS = 50
MAX_META_CHARS = 1_000


def _text_field(fields: dict, key: str, where: str) -> str:
    value = fields.get(key)
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InputError(f"{where}: {key} must be text, not {_shown(value)}")
    text = str(value).strip()
    limit = MAX_FIELD_CHARS.get(key, MAX_META_CHARS)
    if len(text) > limit:
        raise InputError(f"{where}: {key} is {len(text):,} characters; the limit is {limit:,}")
    return text


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


# -- which files --------------------------------------------------------------------------------


def _files(root: Path, report: IngestReport) -> Iterator[Path]:
    """The files under a folder, refusing what could hang a read or leave the folder: named pipes,
    devices and sockets, and links whose target is outside it. A path named on its own is taken
    as it is (the operator chose it), but still must be a regular file."""
    if not root.is_dir():
        if _regular(root, report):
            yield root
        return
    base = root.resolve()
    found: list[Path] = []
    for folder, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(folder)
        for name in list(dirnames):
            sub = here / name
            if name.startswith("."):
                dirnames.remove(name)
            elif sub.is_symlink() and not _inside(sub, base):
                report.skip(str(sub), "a link to a folder outside this one; not followed", "folder")
        for name in filenames:
            path = here / name
            if name.startswith(".") or name.lower() in SKIPPED_NAMES:
                continue
            if path.is_symlink() and not _inside(path, base):
                report.skip(str(path), "a link to a file outside the folder; not followed")
                continue
            found.append(path)
    for path in sorted(found):
        if _regular(path, report):
            yield path


def _inside(link: Path, base: Path) -> bool:
    try:
        return link.resolve(strict=True).is_relative_to(base)
    except (OSError, RuntimeError):  # broken or looping link
        return False


def _regular(path: Path, report: IngestReport) -> bool:
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        report.skip(str(path), f"cannot read: {exc.strerror or exc}")
        return False
    if stat.S_ISREG(mode):
        return True
    report.skip(str(path), f"not a regular file ({special_kind(mode)}); refused")
    return False


# -- reading one file (in the worker process) -------------------------------------------------


def parse_file(
    path: str,
    default_id: str,
    defaults: dict,
    max_file_bytes: int,
    max_stream_bytes: int,
    section_chars: int = DEFAULT_SECTION_CHARS,
    section_labels: Mapping[str, SectionLabels] | None = None,
) -> Iterator[tuple]:
    """Everything one file gives, as ("doc", Document) | ("skip", where, why) | ("note", text) |
    ("progress", bytes read). Runs in the worker; an InputError refuses the whole file. A PDF, Word
    or text file longer than `section_chars` gives its parent document, then its sections."""
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix == ".jsonl":
        yield from _jsonl(file, default_id, max_stream_bytes)
    elif suffix == ".json":
        yield from _discord_export(file, max_stream_bytes)
    elif suffix in SUPPORTED_SUFFIXES:
        extracted = extract_file(file, max_bytes=max_file_bytes)
        fields = {**defaults, **extracted.fields}
        # A post's "title" would only repeat its first line; documents keep their heading as title.
        title = "" if fields.get("kind", "post") == "post" else extracted.title
        doc = document_from_fields(fields, extracted.text, default_id=default_id, source=path, title=title)
        if len(doc.text) > section_chars and not doc.title:
            doc = replace(doc, title=extracted.title)  # sections are told apart by their titles
        paged = extracted.format == "pdf"
        labels = labels_by_language(section_labels)
        for part in split_document(doc, extracted.parts, paged=paged, limit=section_chars, labels=labels):
            yield ("doc", part)
    else:
        raise InputError(
            f"{path}: unsupported file type '{suffix or 'none'}' "
            f"(use {', '.join(SUPPORTED_SUFFIXES)}, .jsonl or a DiscordChatExporter .json)"
        )


def _open_stream(path: Path, max_bytes: int) -> io.BufferedReader:
    fh = os.fdopen(open_regular(path, str(path)), "rb")
    size = os.fstat(fh.fileno()).st_size
    if size > max_bytes:
        fh.close()
        raise InputError(f"{path}: file is {size / 2**20:.0f} MB, over the {max_bytes / 2**20:.0f} MB limit")
    return fh


def _jsonl(path: Path, default_id: str, max_bytes: int) -> Iterator[tuple]:
    """Line by line with a cap per line, so one 200 MB line is skipped, not read whole.
    UTF-8 is expected; UTF-16 (with or without BOM) is read as such and a line that is not UTF-8
    falls back to Windows-1252, with a note."""
    with _open_stream(path, max_bytes) as raw:
        encoding = _sniff_encoding(raw.read(4))
        raw.seek(0)
        lines: Iterator[tuple[str | None, bool]]
        if encoding:
            text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline=None)
            lines = _capped_lines(text.readline, "")
            yield ("note", f"{path}: read as {encoding.upper()}")
        else:
            lines = _capped_lines(raw.readline, b"")
        fallback = 0
        for number, (line, too_long) in enumerate(lines, 1):
            where = f"{path}:{number}"
            if too_long:
                yield ("skip", where, f"line over the {MAX_RECORD_BYTES // 2**20} MB limit for one record")
                continue
            if isinstance(line, bytes):
                try:
                    line = line.decode("utf-8")
                except UnicodeDecodeError:
                    line = line.decode("cp1252", errors="replace")
                    fallback += 1
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise InputError(f"{where}: expected a JSON object")
                text = record.get("text")
                if text is not None and not isinstance(text, str):
                    raise InputError(f"{where}: text must be a string, not {_shown(text)}")
                text = (text or "").strip()
                if not text:
                    raise InputError(f"{where}: no text")
                yield (
                    "doc",
                    document_from_fields(record, text, default_id=f"{default_id}-{number}", source=where),
                )
            except json.JSONDecodeError as exc:
                yield ("skip", where, f"invalid JSON: {exc.msg}")
            except RecursionError:
                yield ("skip", where, "invalid JSON: nested too deeply")
            except InputError as exc:
                yield ("skip", where, str(exc).removeprefix(f"{where}: "))
            if number % 1000 == 0:
                yield ("progress", raw.tell())
        if fallback:
            yield ("note", f"{path}: {fallback} line(s) were not UTF-8 and were read as Windows-1252")


def _sniff_encoding(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(head) >= 2 and head[0] == 0 and head[1] != 0:
        return "utf-16-be"
    if len(head) >= 2 and head[1] == 0 and head[0] != 0:
        return "utf-16-le"
    return ""


def _capped_lines(readline, empty):
    """(line, too_long) pairs; a line over MAX_RECORD_BYTES is consumed in pieces and never kept."""
    while True:
        line = readline(MAX_RECORD_BYTES + 1)
        if line == empty:
            return
        if len(line) <= MAX_RECORD_BYTES:
            yield line, False
            continue
        while line and not line.endswith("\n" if isinstance(line, str) else b"\n"):
            line = readline(1024 * 1024)
        yield None, True


def _discord_export(path: Path, max_bytes: int) -> Iterator[tuple]:
    """A DiscordChatExporter channel export, streamed message by message (ijson): a channel export
    of hundreds of MB never sits in memory, and a bad message is skipped with its reason."""
    import ijson  # its C backend loads only when a chat export is read

    with _open_stream(path, max_bytes) as fh:
        guild, channel = _export_header(fh, path)
        fh.seek(0)
        kept: Counter[str] = Counter()
        left_out: Counter[str] = Counter()
        number = 0
        try:
            for number, message in enumerate(ijson.items(fh, "messages.item", use_float=True), 1):
                where = f"{path}: message {_message_label(message, number)}"
                try:
                    outcome = _message_document(message, guild, channel, where, kept)
                except InputError as exc:
                    yield ("skip", where, str(exc).removeprefix(f"{where}: "))
                else:
                    if isinstance(outcome, str):
                        left_out[outcome] += 1
                    else:
                        yield ("doc", outcome)
                if number % 500 == 0:
                    yield ("progress", fh.tell())
        except ijson.JSONError as exc:
            yield (
                "skip",
                f"{path}: after message {number}",
                f"invalid JSON, the rest is not read ({_first(exc)})",
            )
        yield ("progress", fh.tell())
    if left_out:
        parts = ", ".join(f"{n} {what}" for what, n in sorted(left_out.items()))
        yield ("note", f"{path}: left out {parts}")
    if kept:
        parts = ", ".join(f"{n} {what}" for what, n in sorted(kept.items()))
        yield ("note", f"{path}: kept {parts}")


def _first(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:120]


def _export_header(fh, path: Path) -> tuple[dict, dict]:
    """guild and channel, which DiscordChatExporter writes before the messages: read up to there."""
    import ijson  # its C backend loads only when a chat export is read

    found: dict[str, dict] = {}
    builder = None
    target = ""
    try:
        for prefix, event, value in ijson.parse(fh, use_float=True):
            if builder is not None:
                builder.event(event, value)
                if prefix == target and event in ("end_map", "end_array"):
                    found[target] = builder.value if isinstance(builder.value, dict) else {}
                    builder = None
            elif prefix in ("guild", "channel") and event == "start_map":
                builder, target = ijson.ObjectBuilder(), prefix
                builder.event(event, value)
            elif prefix == "" and event not in ("start_map", "map_key", "end_map"):
                break
            elif prefix == "messages" and event == "start_array":
                return found.get("guild", {}), found.get("channel", {})
    except ijson.JSONError as exc:
        raise InputError(f"{path}: invalid JSON ({_first(exc)})") from None
    raise InputError(f"{path}: not a DiscordChatExporter channel export (no 'messages' list)")


def _message_label(message: object, number: int) -> str:
    if isinstance(message, dict) and isinstance(message.get("id"), str | int):
        return str(message["id"])[:30]
    return f"#{number}"


def _message_document(
    message: object, guild: dict, channel: dict, where: str, kept: Counter
) -> Document | str:
    """The Document for a member's message, a reason to leave it out (str), or InputError."""
    if not isinstance(message, dict):
        raise InputError(f"{where}: not a message object ({_shown(message)})")
    message_id = message.get("id")
    if not isinstance(message_id, str | int) or not str(message_id).isdigit() or len(str(message_id)) > 25:
        raise InputError(f"{where}: no valid message id")
    author = message.get("author")
    if not isinstance(author, dict):
        raise InputError(f"{where}: author must be an object, not {_shown(author)}")
    if message.get("type", "Default") not in MEMBER_MESSAGE_TYPES:
        return "system messages"
    if author.get("isBot") is True:
        return "bot messages"
    parts = [_string(message.get("content"))]
    forwarded = message.get("forwardedMessage")
    if isinstance(forwarded, dict):
        before = len([p for p in parts if p])
        parts.extend(_message_parts(forwarded))
        if len([p for p in parts if p]) > before:
            kept["forwarded messages"] += 1
    extras = _message_parts(message, content=False)
    if extras and not parts[0]:
        kept["messages with only attachments or embeds"] += 1
    parts.extend(extras)
    text = "\n".join(p for p in parts if p).strip()
    if not text:
        return "messages without text"
    if len(text) > MAX_MESSAGE_CHARS:
        raise InputError(
            f"{where}: {len(text):,} characters, over the {MAX_MESSAGE_CHARS:,} limit for a message"
        )
    guild_id = _snowflake(guild.get("id"))
    channel_id = _snowflake(channel.get("id"))
    direct = guild_id in ("", "0") or str(channel.get("type", "")).startswith("Direct")
    link_guild = "@me" if direct else guild_id
    url = f"https://discord.com/channels/{link_guild}/{channel_id}/{message_id}" if channel_id else ""
    name = author.get("nickname") or author.get("name") or ""
    return message_document(
        ChatMessage(
            message_id=str(message_id),
            channel_id=channel_id,
            author_id=_snowflake(author.get("id")),
            author_name=_string(name)[:200],
            text=text,
            created_at=document_date(message.get("timestamp"), where),
            guild_id=guild_id,
            url=url,
            source=f"#{_string(channel.get('name'))[:100]}",
        )
    )


def _message_parts(message: dict, *, content: bool = True) -> list[str]:
    """What a member sees of a message beyond its text: attachment names, embed titles,
    descriptions and fields (for a forwarded message, its text too)."""
    parts = [_string(message.get("content"))] if content else []
    for attachment in _list(message.get("attachments")):
        if isinstance(attachment, dict):
            parts.append(_string(attachment.get("fileName")))
    for embed in _list(message.get("embeds")):
        if not isinstance(embed, dict):
            continue
        parts += [_string(embed.get("title")), _string(embed.get("description"))]
        for item in _list(embed.get("fields")):
            if isinstance(item, dict):
                parts.append(
                    " ".join(p for p in (_string(item.get("name")), _string(item.get("value"))) if p)
                )
    return [p for p in parts if p]


def _string(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _snowflake(value: object) -> str:
    text = str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
    return text if text.isdigit() and len(text) <= 25 else ""


def ingest_paths(
    kb: KnowledgeBase,
    paths: Iterable[Path],
    *,
    max_file_bytes: int = DEFAULT_MAX_BYTES,
    max_stream_bytes: int = DEFAULT_MAX_STREAM_BYTES,
    progress: bool = False,
    defaults: dict | None = None,
    limits: WorkLimits | None = WorkLimits(),  # noqa: B008 - frozen
    section_chars: int = DEFAULT_SECTION_CHARS,
    workers: int | str | None = None,
    section_labels: Mapping[str, SectionLabels] | None = None,
) -> IngestReport:
    """Ingest files and folders. `defaults` (kind, author, lang…) fill fields a file does not give.
    A long stream of documents is analysed and indexed by `workers` processes (index.bulk_ingest:
    default none; `index add` asks for one per core, at most two: `--workers auto`).

    Each file is parsed in a worker under `limits` (None: in this process); its documents stream
    back and are committed batch by batch. A file, a line or a message that cannot be read is
    skipped with its reason; everything else goes in. A long file goes in as sections (index.sections);
    the sections an earlier version of a file had beyond the new ones are removed afterwards."""
    report = IngestReport()
    files: list[tuple[Path, Path]] = []
    for root in paths:
        root = Path(root)
        if not root.exists() and not root.is_symlink():
            report.skip(str(root), "not found")
            continue
        files.extend((root, f) for f in _files(root, report))
    sections: dict[str, set[str]] = {}  # each file document's id -> the ids of its sections now

    def documents() -> Iterator[Document]:
        with tqdm(total=len(files), unit="file", disable=not progress, leave=False) as bar:
            for root, path in files:
                try:
                    yield from _documents(path, root, report, progress)
                except InputError as exc:
                    report.skip(str(path), str(exc).removeprefix(f"{path}: "))
                bar.update(1)

    def _documents(path: Path, root: Path, report: IngestReport, progress: bool) -> Iterator[Document]:
        rel = path.relative_to(root) if root.is_dir() else Path(path.name)
        args = (
            str(path), slug(str(rel.with_suffix(""))), defaults or {}, max_file_bytes, max_stream_bytes,
            section_chars, dict(section_labels or {}),
        )  # fmt: skip
        streamed = path.suffix.lower() in (".json", ".jsonl")
        if limits is None:
            items = parse_file(*args)
        else:
            size = path.stat().st_size if streamed else 0
            items = stream_limited(parse_file, *args, limits=limits.for_size(size), label=str(path))
        with tqdm(
            total=path.stat().st_size, unit="B", unit_scale=True, desc=path.name, leave=False,
            disable=not (progress and streamed),
        ) as bytes_bar:  # fmt: skip
            for item in items:
                kind = item[0]
                if kind == "doc":
                    try:
                        doc = validate_document(item[1])
                    except InputError as exc:
                        report.skip(item[1].source, str(exc), RECORD.get(path.suffix.lower(), "file"))
                        continue
                    if not streamed:
                        parent = doc.meta.get(SECTION_OF)
                        if parent:
                            sections.setdefault(parent, set()).add(doc.id)
                        else:
                            sections.setdefault(doc.id, set())
                    yield doc
                elif kind == "skip":
                    report.skip(item[1], item[2], RECORD.get(path.suffix.lower(), "file"))
                elif kind == "note":
                    report.notes.append(item[1])
                elif kind == "progress":
                    bytes_bar.update(item[1] - bytes_bar.n)

    report.count(upsert_stream(kb, documents(), workers=workers))
    kb.remove_stale_sections(sections)
    return report
