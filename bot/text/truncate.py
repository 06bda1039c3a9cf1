"""Cut text to a length limit without breaking what a reader sees.

Never splits a user-perceived character (emoji with skin tones or ZWJ sequences, flags, letters with
combining accents), a URL, a Markdown link, or a Discord token such as <t:1700000000:R>; re-closes
Markdown emphasis left open by the cut. Lengths are counted in UTF-16 code units, which is what
Discord's limits count in the client and never less than the number of code points.

`excerpt` is the other cut: a one-line preview of plain text (whitespace collapsed), counted in
code points, for places that are not Discord messages (the outbox's summaries, the web library).
"""

from __future__ import annotations

import regex

ELLIPSIS = "…"

# One token = one unit the cut may fall between. Order matters: the longest structures first.
_TOKEN = regex.compile(
    r"""
      \[[^\]\n]{0,512}\]\(<?https?://[^)\s]+>?\)     # [text](url)
    | <(?:https?://[^>\s]+|[@#&!:a-zA-Z0-9_]+)>        # <url>, <@123>, <#123>, <t:1:R>, <:emoji:1>
    | https?://[^\s<>()\[\]]+                          # bare URL
    | ```|\*\*|__|~~|`                                 # Markdown markers
    | \s+
    | \X                                               # one grapheme cluster
    """,
    regex.VERBOSE,
)
_MARKERS = {"```", "**", "__", "~~", "`"}


def length(text: str) -> int:
    """Length as Discord counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _closers(tokens: list[str]) -> str:
    open_stack: list[str] = []
    in_code = False
    for tok in tokens:
        if tok not in _MARKERS:
            continue
        if in_code:  # inside code, only the same fence closes it
            if tok == open_stack[-1]:
                open_stack.pop()
                in_code = False
            continue
        if open_stack and open_stack[-1] == tok:
            open_stack.pop()
        elif tok in {"```", "`"}:
            open_stack.append(tok)
            in_code = True
        elif tok in open_stack:
            open_stack.remove(tok)  # mis-nested: still closes
        else:
            open_stack.append(tok)
    return "".join(reversed(open_stack))


def truncate(text: str, limit: int, ellipsis: str = ELLIPSIS) -> str:
    """`text` if it fits in `limit`, else its longest clean prefix + open markers closed + ellipsis."""
    if length(text) <= limit:
        return text
    budget = limit - length(ellipsis)
    if budget <= 0:
        return ""
    tokens: list[str] = []
    used = 0
    for match in _TOKEN.finditer(text):
        tok = match.group()
        size = length(tok)
        if used + size > budget:
            break
        tokens.append(tok)
        used += size
    # Prefer to end at a word boundary when one is reasonably close.
    if tokens and not tokens[-1].isspace():
        spaces = [i for i, tok in enumerate(tokens) if tok.isspace()]
        if spaces:
            kept = sum(length(t) for t in tokens[: spaces[-1]])
            if kept >= budget * 0.7:
                tokens = tokens[: spaces[-1]]
    while True:
        while tokens and tokens[-1].isspace():
            tokens.pop()
        candidate = "".join(tokens) + _closers(tokens)
        if length(candidate) <= budget or not tokens:
            break
        tokens.pop()
    return ("".join(tokens) + _closers(tokens)).rstrip() + ellipsis if tokens else ellipsis


def excerpt(text: str, limit: int, *, at_word: bool = False, ellipsis: str = ELLIPSIS) -> str:
    """`text` on one line, cut to `limit` code points (the ellipsis included) when longer.

    `at_word` ends the cut at the last space before it (the web library's previews); without it the
    cut falls exactly at the limit (summaries a moderator skims)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    room = max(limit - len(ellipsis), 0)
    cut = room
    if at_word and (space := text.rfind(" ", 0, room)) > 0:
        cut = space
    return text[:cut].rstrip() + ellipsis


def split_lines(text: str, limit: int) -> list[str]:
    """Split a long message into chunks ≤ limit at line breaks (a line too long on its own is truncated)."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        line = truncate(line, limit)
        candidate = f"{current}\n{line}" if current else line
        if length(candidate) <= limit:
            current = candidate
        else:
            if current:
                chunks.append(current)
            current = line
    if current:
        chunks.append(current)
    return chunks or [""]
