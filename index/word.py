"""Word .docx text by streaming its XML, with the bytes counted while they are decompressed.

python-docx builds the whole document tree (a 200 MB part becomes gigabytes of lxml nodes) and
looks up a style per paragraph; it also reads only body paragraphs and tables. Here each part is
fed to expat in chunks straight from the zip stream: memory stays flat, the expanded size is
counted as it is read (a zip that under-states its sizes gains nothing), and the text of headers,
footers, text boxes, content controls and tracked insertions is kept like any other text.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from xml.parsers import expat

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
DC = "http://purl.org/dc/elements/1.1/"
CHUNK = 64 * 1024
_PART_ORDER = re.compile(r"^word/(header|footer)(\d*)\.xml$")


class WordError(Exception):
    """Why a .docx could not be read; the caller adds the file name."""


@dataclass
class WordText:
    lines: list[str]
    headings: list[tuple[int, str]] = field(default_factory=list)  # (line number, heading text)
    title: str = ""  # core properties
    author: str = ""


class _Budget:
    """Expanded bytes and kept characters, counted across every part read."""

    def __init__(self, max_xml_bytes: int, max_chars: int):
        self.max_xml_bytes = max_xml_bytes
        self.max_chars = max_chars
        self.xml_bytes = 0
        self.chars = 0

    def read(self, size: int) -> None:
        self.xml_bytes += size
        if self.xml_bytes > self.max_xml_bytes:
            raise WordError(
                f"refused: its text parts expand past {self.max_xml_bytes // (1024 * 1024)} MB of XML "
                "(far more than any write-up; a zip bomb?)"
            )

    def keep(self, size: int) -> None:
        self.chars += size
        if self.chars > self.max_chars:
            raise WordError(f"refused: it holds more than {self.max_chars:,} characters of text")


def read_docx(archive: zipfile.ZipFile, *, max_xml_bytes: int, max_chars: int) -> WordText:
    budget = _Budget(max_xml_bytes, max_chars)
    names = {info.filename for info in archive.infolist()}
    styles = _styles(archive, budget) if "word/styles.xml" in names else {}
    body = _Body(styles, budget)
    _feed(archive, "word/document.xml", body, budget)
    extra_names = sorted(
        (n for n in names if _PART_ORDER.match(n)),
        key=lambda n: (_PART_ORDER.match(n).group(1), int(_PART_ORDER.match(n).group(2) or 0)),
    )
    headers: list[str] = []
    footers: list[str] = []
    for name in extra_names:
        part = _Body({}, budget)
        _feed(archive, name, part, budget)
        target = headers if "/header" in name else footers
        for line in part.lines:
            if line.strip() and line not in target:  # each section repeats its header
                target.append(line)
    notes: list[str] = []
    for name in ("word/footnotes.xml", "word/endnotes.xml"):
        if name in names:
            part = _Body({}, budget)
            _feed(archive, name, part, budget)
            notes.extend(line for line in part.lines if line.strip())
    title = author = ""
    if "docProps/core.xml" in names:
        core = _Core()
        _feed(archive, "docProps/core.xml", core, budget)
        title, author = core.values.get("title", ""), core.values.get("creator", "")
    offset = len(headers)
    return WordText(
        lines=headers + body.lines + notes + footers,
        headings=[(number + offset, text) for number, text in body.headings],
        title=title,
        author=author,
    )


def _feed(archive: zipfile.ZipFile, name: str, handler: _Handler, budget: _Budget) -> None:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.data
    parser.StartDoctypeDeclHandler = _no_doctype  # Word never declares one; entity bombs need one
    try:
        with archive.open(name) as stream:
            while chunk := stream.read(CHUNK):
                budget.read(len(chunk))
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise WordError(f"the Word file is damaged ({name}: {expat.ErrorString(exc.code)})") from None
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise WordError(f"the Word file is damaged ({name}: {exc})") from None


def _no_doctype(*_args) -> None:
    raise WordError("refused: a part declares a DTD, which Word files never do")


class _Handler:
    def start(self, tag: str, attrs: dict) -> None: ...
    def end(self, tag: str) -> None: ...
    def data(self, text: str) -> None: ...


_T, _DELTEXT = f"{W} t", f"{W} delText"
_P, _TBL, _TR, _TC = f"{W} p", f"{W} tbl", f"{W} tr", f"{W} tc"
_BREAKS = {f"{W} br": "\n", f"{W} cr": "\n", f"{W} tab": "\t", f"{W} noBreakHyphen": "-"}
# the same text box again in VML for old readers; tab stop definitions (not tab characters)
_SKIPPED = {f"{MC} Fallback", f"{W} tabs"}
_PSTYLE, _OUTLINE = f"{W} pStyle", f"{W} outlineLvl"
_VAL = f"{W} val"


class _Body(_Handler):
    """Paragraphs (text boxes and content controls included) and tables, in reading order.

    A table becomes one line per row, cells joined by ' | '; a table nested in a cell follows
    its row. A paragraph inside a text box becomes its own line before the paragraph holding it.
    """

    def __init__(self, styles: dict[str, bool], budget: _Budget):
        self.styles = styles  # style id -> is a heading
        self.budget = budget
        self.lines: list[str] = []
        self.headings: list[tuple[int, str]] = []
        self._paragraphs: list[list] = []  # [text parts, is heading]
        self._rows: list[tuple[list[str], list[str]]] = []  # (cells, nested lines), innermost last
        self._cells: list[list[str]] = []
        self._in_text = 0
        self._skip = 0

    def start(self, tag: str, attrs: dict) -> None:
        if self._skip or tag in _SKIPPED:
            self._skip += 1
            return
        if tag == _T:
            self._in_text += 1
        elif tag == _P:
            self._paragraphs.append([[], False])
        elif tag in _BREAKS and self._paragraphs:
            self._paragraphs[-1][0].append(_BREAKS[tag])
        elif tag == _PSTYLE and self._paragraphs:
            if self.styles.get(attrs.get(_VAL, ""), False):
                self._paragraphs[-1][1] = True
        elif tag == _OUTLINE and self._paragraphs:
            if attrs.get(_VAL, "9").isdigit() and int(attrs.get(_VAL, "9")) < 9:
                self._paragraphs[-1][1] = True
        elif tag == _TR:
            self._rows.append(([], []))
        elif tag == _TC:
            self._cells.append([])

    def end(self, tag: str) -> None:
        if self._skip:
            self._skip -= 1
            return
        if tag == _T:
            self._in_text -= 1
        elif tag == _P and self._paragraphs:
            parts, heading = self._paragraphs.pop()
            text = "".join(parts)
            if self._cells:
                if text.strip():
                    self._cells[-1].append(text.strip())
            else:
                if heading and text.strip() and not self._paragraphs:
                    self.headings.append((len(self.lines), " ".join(text.split())))
                self.lines.append(text)
        elif tag == _TC and self._cells:
            cell = " ".join(self._cells.pop())
            if self._rows:
                self._rows[-1][0].append(cell)
        elif tag == _TR and self._rows:
            cells, nested = self._rows.pop()
            out = ([" | ".join(c for c in cells if c)] if any(cells) else []) + nested
            if self._rows:  # a table inside a cell: its rows follow the outer row
                self._rows[-1][1].extend(out)
            else:
                self.lines.extend(out)

    def data(self, text: str) -> None:
        if self._in_text and not self._skip and self._paragraphs:
            self.budget.keep(len(text))
            self._paragraphs[-1][0].append(text)


class _Styles(_Handler):
    """Which paragraph styles are headings: named Title/Heading (in any case) or with an outline level.

    Read once, so a paragraph's style costs a dict lookup."""

    def __init__(self):
        self.headings: dict[str, bool] = {}
        self._id = ""
        self._heading = False

    def start(self, tag: str, attrs: dict) -> None:
        if tag == f"{W} style":
            self._id = attrs.get(f"{W} styleId", "")
            self._heading = False
        elif tag == f"{W} name" and self._id:
            name = attrs.get(_VAL, "").casefold()
            self._heading = self._heading or name.startswith(("heading", "title"))
        elif tag == _OUTLINE and self._id:
            value = attrs.get(_VAL, "9")
            self._heading = self._heading or (value.isdigit() and int(value) < 9)

    def end(self, tag: str) -> None:
        if tag == f"{W} style" and self._id:
            self.headings[self._id] = self._heading
            self._id = ""


def _styles(archive: zipfile.ZipFile, budget: _Budget) -> dict[str, bool]:
    handler = _Styles()
    _feed(archive, "word/styles.xml", handler, budget)
    return handler.headings


class _Core(_Handler):
    """dc:title and dc:creator from docProps/core.xml."""

    def __init__(self):
        self.values: dict[str, str] = {}
        self._key = ""
        self._parts: list[str] = []

    def start(self, tag: str, attrs: dict) -> None:
        if tag in (f"{DC} title", f"{DC} creator"):
            self._key = tag.split(" ", 1)[1]
            self._parts = []

    def end(self, tag: str) -> None:
        if self._key and tag == f"{DC} {self._key}":
            self.values[self._key] = "".join(self._parts).strip()[:1000]
            self._key = ""

    def data(self, text: str) -> None:
        if self._key and sum(map(len, self._parts)) < 1000:
            self._parts.append(text)
