"""What page templates call: the reader's language and time zone read from the request, links that
keep them, and the few text-to-HTML helpers (paragraphs, highlighted snippets)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, available_timezones

from aiohttp import web
from markupsafe import Markup, escape

from bot.web.i18n import choose_language
from index.documents import TECHNOLOGIES

if TYPE_CHECKING:
    from bot.web.server import Site

ZONES = (  # offered in the time-zone switch; any IANA zone works through ?tz=
    "UTC", "America/Mexico_City", "America/Guatemala", "America/Panama", "America/Bogota",
    "America/Lima", "America/Caracas", "America/Santo_Domingo", "America/Port_of_Spain",
    "America/La_Paz", "America/Santiago", "America/Asuncion", "America/Argentina/Buenos_Aires",
    "America/Montevideo", "America/Sao_Paulo", "America/New_York", "America/Toronto",
    "America/Los_Angeles", "Europe/Brussels",
)  # fmt: skip
_ZONE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,2}$")
_STRONG = re.compile(r"\*\*(.+?)\*\*")


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def zone_from(value: str | None) -> ZoneInfo | None:
    """An IANA zone named in ?tz=, or None: only names the system knows, never a path."""
    if not value or len(value) > 64 or not _ZONE_NAME.match(value) or value not in _zone_names():
        return None
    return ZoneInfo(value)


def paragraphs(text: str) -> Markup:
    """Plain text (markdown-ish) → escaped paragraphs, headings and lists; **bold** is the only inline
    markup kept. Hard-wrapped lines join into one paragraph, as in Markdown."""
    out: list[str] = []
    prose: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if prose:
            out.append(f"<p>{_inline(' '.join(prose))}</p>")
            prose.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for block in re.split(r"\n\s*\n", text.strip()):
        for line in (ln.strip() for ln in block.splitlines()):
            if not line:
                continue
            if line.startswith(("- ", "* ")):
                if prose:
                    flush()
                items.append(line[2:])
            elif line.startswith("#") and not prose and not items:
                out.append(f"<h3>{_inline(line.lstrip('#').strip())}</h3>")
            elif items:  # a wrapped list item continues
                items[-1] += f" {line}"
            else:
                prose.append(line)
        flush()
    return Markup("".join(out))


def highlight(snippet: str) -> Markup:
    """A search snippet, escaped, with its **matched** words marked."""
    return Markup(_STRONG.sub(lambda m: f"<mark>{m.group(1)}</mark>", str(escape(snippet))))


def _inline(line: str) -> str:
    return _STRONG.sub(lambda m: f"<strong>{m.group(1)}</strong>", str(escape(line)))


class View:
    """What templates may call: strings in the reader's language, links that keep ?lang= and ?tz=."""

    def __init__(self, site: Site, request: web.Request):
        self.site = site
        self.request = request
        query = request.query
        self.lang = choose_language(query.get("lang"), request.headers.get("Accept-Language"), site.languages)
        self.explicit_lang = query.get("lang") if query.get("lang") in site.languages else None
        asked_zone = query.get("tz", "").strip()
        zone = zone_from(asked_zone)
        self.zone = zone or ZoneInfo("UTC")
        self.zone_name = zone.key if zone else "UTC"
        self.explicit_zone = zone.key if zone and zone.key != "UTC" else None
        self.bad_zone = asked_zone[:64] if asked_zone and zone is None else ""
        self.languages = site.languages
        self.zones = ZONES if self.zone_name in ZONES else (*ZONES, self.zone_name)
        self.technologies = TECHNOLOGIES
        self.base_url = site.settings.base_url

    def t(self, key: str, **values: object) -> str:
        return self.site.strings.get(key, self.lang, **values)

    def url(self, path: str, **params: object) -> str:
        """A link on this site carrying the reader's explicit language and zone choices."""
        merged: dict[str, object] = {}
        if self.explicit_lang:
            merged["lang"] = self.explicit_lang
        if self.explicit_zone:
            merged["tz"] = self.explicit_zone
        merged.update(params)
        pairs = [(k, str(v)) for k, v in merged.items() if v not in (None, "")]
        return f"{path}?{urlencode(pairs)}" if pairs else path

    def here(self, **params: object) -> str:
        """This page with some query parameters changed (None removes one)."""
        current: dict[str, object] = dict(self.request.query)
        current.update(params)
        pairs = [(k, str(v)) for k, v in current.items() if v not in (None, "")]
        return f"{self.request.path}?{urlencode(pairs)}" if pairs else self.request.path

    def absolute(self, path: str) -> str:
        return f"{self.base_url}{path}" if self.base_url else path

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def date(self, moment: datetime) -> str:
        """A publication day, as written (UTC): a date is not a moment, so no zone shifts it."""
        return moment.astimezone(UTC).strftime("%Y-%m-%d")

    def datetime(self, moment: datetime) -> str:
        local = self.local(moment)
        return f"{local:%Y-%m-%d %H:%M} {self.zone_label(local)}"

    def zone_label(self, local: datetime) -> str:
        offset = local.strftime("%z")
        offset = f"UTC{offset[:3]}:{offset[3:]}" if offset not in ("+0000", "") else "UTC"
        return offset if self.zone_name == "UTC" else f"{offset} ({self.zone_name})"

    def iso(self, moment: datetime) -> str:
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")

    def kind_label(self, kind: str) -> str:
        return self.t(f"kind.{kind}")

    def tech_label(self, technology: str) -> str:
        return self.t(f"tech.{technology}")

    def lang_label(self, lang: str) -> str:
        return self.t(f"lang.{lang}")

    def country(self, code: str) -> str:
        return self.site.app.library.country_name(code)

    def size(self, n: int) -> str:
        return self.t("size_kb", size=max(1, round(n / 1024)))
