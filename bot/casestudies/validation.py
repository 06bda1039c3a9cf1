"""What a submission must be: fields picked from the form or the file, every limit, clean text.

Pure functions over plain data, so the rules read in one place and test without a database.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime

from bot.casestudies.model import PENDING, WORD, Limits, Submission, SubmissionError, SubmissionForm
from bot.members import Actor
from index.documents import LANGUAGES, TECHNOLOGIES
from index.extract import Extracted


def build_draft(
    form: SubmissionForm, extracted: Extracted | None, submitter: Actor, limits: Limits, now: datetime
) -> Submission:
    """The submission a form and its file make, every limit checked; raises SubmissionError."""
    fields = extracted.fields if extracted else {}
    label = display_name(form.file.name) if form.file else ""
    at = f"{label}: " if label else ""  # errors name the file when there is one
    lim = limits

    def pick(given: str, *keys: str) -> str:
        if given.strip():
            return clean(given)
        for key in keys:
            value = fields.get(key)
            if isinstance(value, str | int | float) and str(value).strip():
                return clean(str(value))
        return ""

    title = pick(form.title, "title") or (extracted.title if extracted else "")
    member = pick(form.member, "member", "administration", "author")
    summary = pick(form.summary, "summary")
    results = pick(form.results, "results", "lessons")
    contact = pick(form.contact, "contact")
    url = pick(form.url, "url")
    file_text = extracted.text if extracted else ""

    if not title:
        raise SubmissionError(f"{at}a title is needed (give one, or start the document with a heading)")
    if not member:
        raise SubmissionError(
            f"{at}say which administration or member this case study is from"
            " (the member field, or author: in the front matter)"
        )
    for what, value, limit in (
        ("title", title, lim.title_chars),
        ("administration/member", member, lim.member_chars),
        ("summary", summary, lim.field_chars),
        ("results and lessons learned", results, lim.field_chars),
        ("contact", contact, lim.field_chars),
        ("url", url, lim.field_chars),
    ):
        if len(value) > limit:
            raise SubmissionError(f"{at}the {what} is {len(value):,} characters; the limit is {limit:,}")
    if url and not re.match(r"https?://\S+$", url):
        raise SubmissionError(f"{at}the url must start with http:// or https:// and have no spaces")
    body = "\n\n".join(part for part in (summary, results, file_text) if part)
    total = len(title) + len(member) + len(body) + len(contact) + len(url)
    if total > lim.text_chars:
        raise SubmissionError(
            f"{at}the case study is {total:,} characters; the limit is {lim.text_chars:,}"
            " (attach a shorter version)"
        )
    words = len(WORD.findall(body))
    if words < lim.min_words:
        raise SubmissionError(
            f"{at}too short ({words} words); describe the project, its results and lessons "
            f"learned in at least {lim.min_words} words"
        )
    lang = given_lang(fields.get("lang"), label or "front matter")
    technologies = given_technologies(fields.get("technologies"), label or "front matter")
    file_digest = hashlib.sha256(form.file.data).hexdigest() if form.file else ""
    content_hash = hashlib.sha256(
        json.dumps([title, member, summary, results, contact, url, file_digest]).encode()
    ).hexdigest()
    return Submission(
        id="",
        status=PENDING,
        title=title,
        member=member,
        summary=summary,
        results=results,
        contact=contact,
        url=url,
        file_text=file_text,
        file_name=display_name(form.file.name) if form.file else "",
        file_format=extracted.format if extracted else "",
        stored_file="",
        file_bytes=len(form.file.data) if form.file else 0,
        content_hash=content_hash,
        lang=lang,
        technologies=technologies,
        submitter_id=str(submitter.id),
        submitter_name=clean(submitter.name)[: lim.member_chars],
        platform=submitter.platform,
        submitted_at=now,
    )


def clean(value: str) -> str:
    """Trim, normalise newlines, drop control characters (they break terminals and embeds)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", value)
    return value.strip()


def display_name(name: str) -> str:
    """The user's file name for display only: no folders, no control characters, bounded."""
    base = re.split(r"[\\/]", name)[-1]
    return clean(base)[:200] or "file"


def given_lang(value: object, label: str) -> str:
    if value is None or value == "":
        return ""
    lang = str(value).strip().lower()
    if lang not in LANGUAGES:
        raise SubmissionError(f"{label}: unknown language {value!r}; choose from {', '.join(LANGUAGES)}")
    return lang


def given_technologies(value: object, label: str) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise SubmissionError(f"{label}: technologies must be a list, e.g. [blockchain, iot]")
    chosen = []
    for item in items:
        tech = str(item).strip().lower()
        if not tech:
            continue
        if tech not in TECHNOLOGIES:
            choices = ", ".join(TECHNOLOGIES)
            raise SubmissionError(f"{label}: unknown technology {item!r}; choose from {choices}")
        if tech not in chosen:
            chosen.append(tech)
    return tuple(chosen)
