"""Questions, whatever the platform: option parsing and validation shared by the console and Discord."""

from __future__ import annotations

import argparse
import shlex
from dataclasses import dataclass, replace

from bot.search.filters import build_filters
from index.documents import DOC_TYPES, KINDS, LANGUAGES, TECHNOLOGIES, Answer, Filters
from index.errors import InputError
from index.knowledge import KnowledgeBase

TECHNOLOGY_ALIASES = {
    "dlt": "blockchain",
    "ledger": "blockchain",
    "internet-of-things": "iot",
    "ido": "iot",
    "ai": "analytics",
    "ia": "analytics",
    "ml": "analytics",
    "data": "analytics",
    "data-analytics": "analytics",
}
KIND_ALIASES = {
    "posts": "post",
    "workshop": "workshop-summary",
    "summary": "workshop-summary",
    "case": "case-study",
    "casestudy": "case-study",
    "case-studies": "case-study",
}
TYPE_ALIASES = {
    "experiences": "experience",
    "report": "experience",
    "reports": "experience",
    "questions": "question",
    "events": "event",
    "announcement": "event",
    "announcements": "event",
    "resources": "resource",
    "link": "resource",
    "links": "resource",
}


class UnknownChoice(InputError):
    """An option value outside its list; `what` ('technology', 'kind', 'lang') lets adapters localise it."""

    def __init__(self, what: str, value: str, choices: tuple[str, ...]):
        super().__init__(f"unknown {what} {value!r}: choose one of {', '.join(choices)}")
        self.what = what
        self.value = value


def _choice(what: str, value: str | None, choices: tuple[str, ...], aliases: dict[str, str]) -> str | None:
    if value is None or not value.strip():
        return None
    key = value.strip().lower().replace(" ", "-").replace("_", "-")
    key = aliases.get(key, key)
    if key not in choices:
        raise UnknownChoice(what, value.strip(), choices)
    return key


@dataclass(frozen=True)
class AskRequest:
    question: str
    technology: str | None = None
    kind: str | None = None
    member: str | None = None
    lang: str | None = None
    country: str | None = None  # code or name, e.g. PE or Perú (the knowledge base resolves it)
    doc_type: str | None = None  # experience, question, event, resource, other

    def validated(self) -> AskRequest:
        """The same request with option values normalised (aliases resolved), or UnknownChoice."""
        return replace(
            self,
            question=self.question.strip(),
            technology=_choice("technology", self.technology, TECHNOLOGIES, TECHNOLOGY_ALIASES),
            kind=_choice("kind", self.kind, KINDS, KIND_ALIASES),
            lang=_choice("lang", self.lang, LANGUAGES, {}),
            member=(self.member or "").strip() or None,
            country=(self.country or "").strip() or None,
            doc_type=_choice("type", self.doc_type, DOC_TYPES, TYPE_ALIASES),
        )

    def filters(self) -> Filters:
        return build_filters(
            technology=self.technology,
            kind=self.kind,
            author=self.member,
            lang=self.lang,
            country=self.country,
            doc_type=self.doc_type,
        )


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # never exit the process on a typo in a chat line
        raise InputError(f"ask: {message}")


def _ask_parser() -> _Parser:
    parser = _Parser(prog="ask", add_help=False, allow_abbrev=True)
    parser.add_argument("words", nargs="*")
    parser.add_argument("--technology", "--tech", "-t")
    parser.add_argument("--kind", "-k")
    parser.add_argument("--member", "--author", "-m")
    parser.add_argument("--lang", "-l")
    parser.add_argument("--country", "-c")
    parser.add_argument("--type", "-y", dest="doc_type")
    return parser


def ask_parser() -> argparse.ArgumentParser:
    """The console's `ask` options (its help lists them from here)."""
    return _ask_parser()


def parse_ask(line: str) -> AskRequest:
    """'who uses e-seals? --technology iot --member "Ana Pérez"' → AskRequest (validated).

    Quotes and apostrophes in ordinary questions ("qu'est-ce que…") are kept as typed: only when
    the line has options is it split shell-style.
    """
    text = line.strip()
    if " -" not in f" {text}":
        return AskRequest(question=text).validated()
    try:
        parts = shlex.split(text)
    except ValueError:
        parts = text.split()
    args, unknown = _ask_parser().parse_known_args(parts)
    words = args.words + [u for u in unknown if not u.startswith("--")]
    bad = [u for u in unknown if u.startswith("--")]
    if bad:
        raise InputError(
            f"ask: unknown option {bad[0]} (use --technology, --kind, --type, --member, --lang, --country)"
        )
    return AskRequest(
        " ".join(words), args.technology, args.kind, args.member, args.lang, args.country, args.doc_type
    ).validated()


def search(kb: KnowledgeBase, request: AskRequest, limit: int, offset: int = 0) -> Answer:
    """Run a validated request. Empty questions raise InputError (QueryError) in the knowledge base."""
    if not request.question:
        raise InputError("ask: the question is empty")
    return kb.search(request.question, filters=request.filters(), limit=limit, offset=offset)


def technology_choices(current: str, labels: dict[str, str]) -> list[tuple[str, str]]:
    """(label, value) pairs for autocomplete, matching the typed prefix against value or label."""
    typed = current.strip().lower()
    return [
        (labels.get(tech, tech), tech)
        for tech in TECHNOLOGIES
        if not typed or tech.startswith(typed) or typed in labels.get(tech, "").lower()
    ]


COUNTED = (("type", "types"), ("country", "countries"), ("technology", "technologies"), ("kind", "kinds"))


def counts_summary(
    counts: dict[str, dict[str, int]], labels: dict[str, str] | None = None, top: int = 4
) -> str:
    """'types: experience 7, question 3 · countries: HN 2, GY 1 · …' — the most frequent values of
    each count over all matches. `labels` names the facets (localised by the caller)."""
    parts = []
    for facet, default in COUNTED:
        values = counts.get(facet) or {}
        if not values:
            continue
        shown = ", ".join(f"{value} {n}" for value, n in list(values.items())[:top])
        more = ", …" if len(values) > top else ""
        parts.append(f"{(labels or {}).get(facet, default)}: {shown}{more}")
    return " · ".join(parts)
