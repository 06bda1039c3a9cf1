"""An answer as plain text for a terminal: the command line's `ask` and the console's show the same."""

from __future__ import annotations

from collections.abc import Callable

from bot.search.asking import COUNTED, counts_summary
from bot.text.country_names import country_names
from index.documents import Answer


def render_answer(
    answer: Answer,
    offset: int = 0,
    more_hint: str = "use --limit for more",
    say: Callable[..., str] | None = None,
    lang: str = "en",
) -> str:
    """Plain text for a terminal: numbered answers, snippet, who/when/where, link.

    `offset` numbers a later page from offset+1; `more_hint` says how to see the rest (the console
    says "type more"). `say(key, **fields)`, when given, words it in the reader's language (the console).
    """
    lines = []
    if answer.did_you_mean:
        suggestion = answer.did_you_mean
        lines.append(say("did_you_mean", suggestion=suggestion) if say else f"Did you mean: {suggestion}")
    if not answer.results:
        lines.append("No answers found. Try other words, or another language.")
        return "\n".join(lines)
    for number, hit in enumerate(answer.results, offset + 1):
        kind = say(f"kind.{hit.kind}") if say else hit.kind
        doc_type = (say(f"type.{hit.doc_type}") if say else hit.doc_type) if hit.doc_type else "?"
        sample = (", " + (say("sample") if say else "sample")) if hit.sample else ""
        lines.append(f"{number}. {hit.title}  [{kind}, {doc_type}, {hit.lang}{sample}]")
        lines.append(f"   {hit.snippet}")
        who = [
            hit.author or "",
            hit.date.date().isoformat() if hit.date else "",
            ", ".join(say(f"tech.{t}") if say else t for t in hit.technologies),
            ", ".join(country_names(hit.countries, lang)),  # "Honduras, El Salvador", not "HN, SV"
        ]
        lines.append("   " + " · ".join(part for part in who if part))
        lines.append(f"   {hit.url or hit.id}")
    shown = len(answer.results)
    if answer.total > shown:
        span = f"{offset + 1}–{offset + shown}" if offset else f"{shown}"
        hint = f"; {more_hint}" if answer.total > offset + shown else ""
        if say:
            lines.append(say("console.shown", span=span, total=answer.total, hint=hint))
        else:
            lines.append(f"({span} of {answer.total} shown{hint})")
    labels = {facet: say(f"counts.{facet}") for facet, _ in COUNTED} if say else None
    if summary := counts_summary(answer.counts, labels):
        lines.append(summary)
    return "\n".join(lines)
