"""Turning a file a user gave us (path or upload) into text, refusing anything we cannot read honestly.

Files come from members (Discord attachments, `submit --file`) and from operators (`index add`), so
nothing is trusted: the content must match the extension, sizes are capped before reading, zip
archives are measured before they are opened, and every refusal is one line naming the file.

Over 400 lines on purpose: each format's reader is short, and keeping them beside the checks they all
go through (size caps, content sniffing, zip measuring) lets a reader see every refusal in one place.
"""

from __future__ import annotations

import io
import logging
import os
import re
import stat
import unicodedata
import zipfile
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import yaml

from index.errors import InputError, yaml_problem
from index.metadata import real_author, real_title
from index.word import WordError, read_docx
from index.worker import WorkLimits, run_limited

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".pdf", ".docx")
MARKDOWN_SUFFIXES = (".md", ".markdown")
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

# A .docx is a zip of XML. Real ones expand 5-30x; a zip bomb expands thousands of times.
DOCX_MAX_UNCOMPRESSED = 200 * 1024 * 1024
DOCX_MAX_ENTRIES = 5_000
DOCX_MAX_RATIO = 200  # per entry, checked for entries over DOCX_RATIO_FLOOR bytes
DOCX_RATIO_FLOOR = 1024 * 1024
# What is actually decompressed and kept, counted while reading (the directory can lie).
DOCX_MAX_XML_BYTES = 48 * 1024 * 1024
MAX_TEXT_CHARS = 2_000_000  # text kept from one PDF or Word file (a 370-page code is ~750k)
MAX_PDF_PAGES = 3_000
MAX_FRONT_MATTER_CHARS = 64 * 1024

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
MAX_DERIVED_TITLE = 200

# pypdf logs a warning for every oddity of real-world PDFs; users cannot act on them.
logging.getLogger("pypdf").setLevel(logging.ERROR)


class ExtractError(InputError):
    """A file whose text cannot be extracted; the message names the file and says why."""


@dataclass(frozen=True)
class Extracted:
    text: str
    fields: dict = field(default_factory=dict)  # front matter, or PDF/Word title/author when present
    title: str = ""
    format: str = "text"  # "markdown" | "text" | "pdf" | "docx"
    encoding: str = ""  # for text formats: the encoding the bytes were read as
    # The text in reading order as (label, text) units a long document is split along (index.sections):
    # PDF pages labelled with their page number, or heading sections labelled with the heading.
    parts: tuple[tuple[str, str], ...] = ()


def extract_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, name: str | None = None) -> Extracted:
    """Extract a file on disk; its size is checked before any of it is read."""
    label = name or str(path)
    return extract_bytes(read_limited(path, max_bytes=max_bytes, name=label), label, max_bytes=max_bytes)


def extract_limited(
    data: bytes, name: str, *, max_bytes: int = DEFAULT_MAX_BYTES, limits: WorkLimits | None = None
) -> Extracted:
    """`extract_bytes` in a worker process under memory and CPU limits: for anything a member or an
    operator hands us. `limits=None` parses in this process (trusted input, tests of the parser)."""
    if limits is None:
        return extract_bytes(data, name, max_bytes=max_bytes)
    _check_suffix(name)
    if len(data) > max_bytes:
        raise ExtractError(_too_big(name, len(data), max_bytes))
    return run_limited(partial(extract_bytes, max_bytes=max_bytes), data, name, limits=limits, label=name)


def open_regular(path: Path, label: str) -> int:
    """A descriptor for a regular file, refusing FIFOs, devices and sockets before they can block.

    Opened non-blocking and checked with fstat, so a FIFO swapped in after a check cannot hang us."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise ExtractError(f"{label}: file not found") from None
    except IsADirectoryError:
        raise ExtractError(f"{label}: is a folder, not a file") from None
    except PermissionError:
        raise ExtractError(f"{label}: permission denied") from None
    except OSError as exc:
        raise ExtractError(f"{label}: cannot read: {exc.strerror or exc}") from None
    mode = os.fstat(fd).st_mode
    if stat.S_ISDIR(mode):
        os.close(fd)
        raise ExtractError(f"{label}: is a folder, not a file")
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise ExtractError(f"{label}: not a regular file ({special_kind(mode)}); refused")
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    return fd


def special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"


def read_limited(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, name: str | None = None) -> bytes:
    """A supported file's bytes, refused by size and type before any of it is read."""
    path = Path(path)
    label = name or str(path)
    _check_suffix(label)
    fd = open_regular(path, label)
    try:
        with os.fdopen(fd, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > max_bytes:
                raise ExtractError(_too_big(label, size, max_bytes))
            data = fh.read(max_bytes + 1)  # a file that grows still stops here
    except OSError as exc:
        raise ExtractError(f"{label}: cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise ExtractError(_too_big(label, len(data), max_bytes))
    return data


def extract_bytes(data: bytes, name: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Extracted:
    """Extract an upload held in memory. `name` decides the expected format and labels errors."""
    suffix = _check_suffix(name)
    if len(data) > max_bytes:
        raise ExtractError(_too_big(name, len(data), max_bytes))
    if not data.strip():
        raise ExtractError(f"{name}: the file is empty")
    looks_pdf = data.startswith(PDF_MAGIC)
    looks_zip = data.startswith(ZIP_MAGIC)
    if suffix == ".pdf":
        if PDF_MAGIC not in data[:1024]:  # the PDF spec tolerates a little junk before the header
            raise ExtractError(f"{name}: not a PDF file (its content does not start with %PDF-)")
        return _pdf(data, name)
    if suffix == ".docx":
        if not looks_zip:
            what = "it is a PDF" if looks_pdf else "not a zip archive"
            raise ExtractError(f"{name}: not a Word .docx file ({what}; old .doc files are not supported)")
        return _docx(data, name)
    if looks_pdf or looks_zip:
        actual = "a PDF" if looks_pdf else "a zip archive (Word .docx?)"
        raise ExtractError(f"{name}: content is {actual}, not text; give it its real extension")
    text, encoding = _decode(data, name)
    if suffix in MARKDOWN_SUFFIXES:
        return _markdown(text, name, encoding)
    text = _tidy(text)
    _require_text(text, name)
    return Extracted(text=text, fields={}, title=_first_line(text), format="text", encoding=encoding)


# -- checks -------------------------------------------------------------------------------------


def _check_suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = f"'{suffix}'" if suffix else "no extension"
        raise ExtractError(
            f"{name}: unsupported file type ({shown}); use {', '.join(SUPPORTED_SUFFIXES[:-1])} "
            f"or {SUPPORTED_SUFFIXES[-1]}"
        )
    return suffix


def _too_big(name: str, size: int, limit: int) -> str:
    return f"{name}: file is {_mb(size)}, over the {_mb(limit)} limit"


def _mb(size: int) -> str:
    mb = size / (1024 * 1024)
    return f"{mb:.1f} MB" if mb < 10 and mb != int(mb) else f"{mb:.0f} MB"


def _require_text(text: str, name: str, hint: str = "") -> None:
    if not text.strip():
        raise ExtractError(f"{name}: no text found{hint}")


# -- plain text and Markdown --------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _decode(data: bytes, name: str) -> tuple[str, str]:
    """UTF-8 (with or without BOM, or UTF-16 with BOM), else Windows-1252, else Latin-1.

    The fallbacks decode any bytes, so binary content is then recognised by its control
    characters rather than accepted as mojibake.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _not_binary(data.decode("utf-16"), name), "utf-16"
        except UnicodeDecodeError:
            raise ExtractError(f"{name}: not valid UTF-16 text despite its byte-order mark") from None
    if b"\x00" in data:
        raise ExtractError(f"{name}: binary content (NUL bytes), not text")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return _not_binary(data[3:].decode("utf-8"), name), "utf-8-sig"
        except UnicodeDecodeError:
            raise ExtractError(f"{name}: not valid UTF-8 text despite its byte-order mark") from None
    for encoding in ("utf-8", "cp1252", "latin-1"):
        try:
            return _not_binary(data.decode(encoding), name), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte string")


def _not_binary(text: str, name: str) -> str:
    controls = len(_CONTROL.findall(text))
    if controls > max(8, len(text) // 1000):
        raise ExtractError(f"{name}: binary content (control characters), not text")
    return _CONTROL.sub("", text)


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


_FRONT_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_SETEXT = re.compile(r"^ {0,3}(\S[^\n]*)\n {0,3}(?:=+|-+)[ \t]*$", re.MULTILINE)


def _markdown(raw: str, name: str, encoding: str) -> Extracted:
    text = _tidy(raw)
    fields: dict = {}
    if text.split("\n", 1)[0].strip() == "---":
        body_start = text.find("\n") + 1
        end = _FRONT_END.search(text, body_start)
        if end is None:
            raise ExtractError(f"{name}: front matter starts with --- on line 1 but has no closing ---")
        block = text[body_start : end.start()]
        fields = _front_matter(block, name)
        text = text[end.end() :].strip()
    _require_text(text, name, " after the front matter" if fields else "")
    title = fields.get("title")
    title = str(title).strip() if title is not None else ""
    if not title:
        title = _markdown_title(text)
    parts = heading_parts(text)
    return Extracted(text=text, fields=fields, title=title, format="markdown", encoding=encoding, parts=parts)


class _NoAliasLoader(yaml.SafeLoader):
    """Front matter is a few 'key: value' lines: an alias (*name) has no use there, and nine
    nested ones expand a 1 KB block into billions of nodes."""

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f"aliases (*{event.anchor}) are not allowed in front matter", event.start_mark
            )
        return super().compose_node(parent, index)


# Dates stay text: a YAML timestamp like 2022-13-45 would otherwise raise in the constructor, and
# ingest parses (and range-checks) dates itself.
_NoAliasLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_scalar)


def _front_matter(block: str, name: str) -> dict:
    if len(block) > MAX_FRONT_MATTER_CHARS:
        raise ExtractError(
            f"{name}: front matter is {len(block):,} characters; the limit is {MAX_FRONT_MATTER_CHARS:,}"
        )
    try:
        data = yaml.load(block, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader without aliases
    except yaml.YAMLError as exc:
        where, problem = yaml_problem(exc, first_line=2)  # the block starts after the opening ---
        raise ExtractError(f"{name}{where}: invalid YAML front matter: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ExtractError(
            f"{name}: line 2: front matter must be 'key: value' lines, not a {type(data).__name__}"
        )
    return {str(key): value for key, value in data.items()}


def heading_parts(text: str) -> tuple[tuple[str, str], ...]:
    """The text cut before each ATX heading (# ...), each piece labelled with its heading."""
    parts = []
    start, label = 0, ""
    for match in _HEADING.finditer(text):
        if text[start : match.start()].strip():
            parts.append((label, text[start : match.start()].strip()))
        start, label = match.start(), _short(match.group(1).strip())
    if text[start:].strip():
        parts.append((label, text[start:].strip()))
    return tuple(parts)


def _markdown_title(text: str) -> str:
    candidates = [m for m in (_HEADING.search(text), _SETEXT.search(text)) if m]
    if candidates:
        first = min(candidates, key=lambda m: m.start())
        return _short(first.group(1).strip())
    return _first_line(text)


def _first_line(text: str) -> str:
    for line in text.split("\n"):
        line = line.strip().lstrip("#").strip()
        if line:
            return _short(line)
    return ""


def _short(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= MAX_DERIVED_TITLE else title[: MAX_DERIVED_TITLE - 1].rstrip() + "…"


# -- PDF ----------------------------------------------------------------------------------------


def _pdf(data: bytes, name: str) -> Extracted:
    from pypdf import PdfReader  # pypdf (and cryptography) load only when a PDF is read
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Many PDFs are encrypted only against editing and open with an empty password.
            try:
                opened = reader.decrypt("")
            except (DependencyError, NotImplementedError, FileNotDecryptedError):
                opened = 0
            if not opened:
                raise ExtractError(
                    f"{name}: the PDF is password-protected; remove the password and try again"
                )
        count = len(reader.pages)
        if count > MAX_PDF_PAGES:
            raise ExtractError(f"{name}: refused: {count:,} pages (the limit is {MAX_PDF_PAGES:,})")
        pages = list(reader.pages)
    except ExtractError:
        raise
    except Exception as exc:  # pypdf raises many types on damaged input
        raise ExtractError(
            f"{name}: the PDF is damaged or incomplete and cannot be read ({_why(exc)})"
        ) from None
    texts = []
    pages_text = []
    failures = 0
    kept = 0
    for number, page in enumerate(pages, 1):
        try:
            text = page.extract_text() or ""
        except Exception:  # one bad page should not lose the others
            failures += 1
            continue
        kept += len(text)
        if kept > MAX_TEXT_CHARS:
            raise ExtractError(f"{name}: refused: it holds more than {MAX_TEXT_CHARS:,} characters of text")
        texts.append(text)
        if text.strip():
            pages_text.append((str(number), _tidy(text)))
    if failures and failures == len(pages):
        raise ExtractError(f"{name}: the PDF is damaged: no page could be read")
    form_values = _pdf_form_values(reader)
    texts.extend(form_values)
    text = _tidy("\n\n".join(t.strip() for t in texts if t.strip()))
    _require_text(
        text, name, " in the PDF (a scanned image? submit a PDF with selectable text, or the text itself)"
    )
    fields = _pdf_properties(reader)
    parts = (*pages_text, ("form", "\n".join(form_values))) if form_values else tuple(pages_text)
    title = fields.get("title") or _name_title(name)
    return Extracted(text=text, fields=fields, title=title, format="pdf", parts=parts)


def _pdf_form_values(reader) -> list[str]:
    """What was typed into a fillable form: each text field as "label: value" (label from its
    tooltip /TU when it has one, else the value alone: field names are often "Text1")."""
    try:
        form = reader.get_fields() or {}
    except Exception:  # a damaged AcroForm should not lose the page text
        return []
    lines = []
    for spec in form.values():
        value = spec.get("/V") if hasattr(spec, "get") else None
        if not isinstance(value, str) or not value.strip() or value.startswith("/"):
            continue  # empty, or a checkbox/radio state name
        label = spec.get("/TU")
        label = str(label).strip() if isinstance(label, str) and label.strip() else ""
        lines.append(f"{label}: {value.strip()}" if label else value.strip())
    return lines


def _pdf_properties(reader) -> dict:
    try:
        meta = reader.metadata
    except Exception:
        return {}
    fields = {}
    for key, attr, believe in (("title", "title", real_title), ("author", "author", real_author)):
        value = getattr(meta, attr, None) if meta else None
        value = believe(value) if isinstance(value, str) else ""
        if value:
            fields[key] = _short(value)
    return fields


def _name_title(name: str) -> str:
    """A title from the file name, for PDF and Word files with neither a real title nor a heading:
    their first line is a page header or a running title ("1 / Chap 12") far more often than not."""
    stem = Path(re.split(r"[\\/]", name)[-1]).stem
    words = re.sub(r"[_\s]+", " ", stem).strip()
    return _short(words) if real_title(words) else ""


def _why(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


# -- Word .docx ---------------------------------------------------------------------------------


def _docx(data: bytes, name: str) -> Extracted:
    archive = _check_zip(data, name)
    try:
        word = read_docx(archive, max_xml_bytes=DOCX_MAX_XML_BYTES, max_chars=MAX_TEXT_CHARS)
    except WordError as exc:
        raise ExtractError(f"{name}: {exc}") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError) as exc:
        raise ExtractError(f"{name}: the Word file is damaged and cannot be read ({_why(exc)})") from None
    text = _tidy("\n".join(word.lines))
    _require_text(text, name, " in the Word document")
    fields = {}
    if title := real_title(word.title):
        fields["title"] = _short(title)
    if author := real_author(word.author):
        fields["author"] = _short(author)
    heading = _short(word.headings[0][1]) if word.headings else ""
    title = fields.get("title") or heading or _name_title(name)
    return Extracted(text=text, fields=fields, title=title, format="docx", parts=_word_parts(word))


def _word_parts(word) -> tuple[tuple[str, str], ...]:
    """The lines cut before each heading paragraph, each piece labelled with its heading."""
    cuts = [(0, "")] + [(number, _short(heading)) for number, heading in word.headings]
    parts = []
    for (start, label), (end, _next) in zip(cuts, [*cuts[1:], (len(word.lines), "")], strict=True):
        piece = _tidy("\n".join(word.lines[start:end]))
        if piece:
            parts.append((label, piece))
    return tuple(parts)


def _check_zip(data: bytes, name: str) -> zipfile.ZipFile:
    """Measure the archive from its directory before anything decompresses it (a quick refusal;
    what is really read is counted again while it is decompressed)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise ExtractError(f"{name}: not a valid Word .docx file (damaged zip archive)") from None
    if len(entries) > DOCX_MAX_ENTRIES:
        raise ExtractError(f"{name}: refused: the archive holds {len(entries)} files, too many for a .docx")
    total = sum(entry.file_size for entry in entries)
    if total > DOCX_MAX_UNCOMPRESSED:
        raise ExtractError(
            f"{name}: refused: it would expand to {_mb(total)} (limit {_mb(DOCX_MAX_UNCOMPRESSED)})"
        )
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > DOCX_RATIO_FLOOR and ratio > DOCX_MAX_RATIO:
            raise ExtractError(f"{name}: refused: a part expands {ratio:.0f} times its size (a zip bomb?)")
    if "word/document.xml" not in {entry.filename for entry in entries}:
        raise ExtractError(f"{name}: a zip archive but not a Word document (no word/document.xml)")
    return archive
