"""The web adapter: the published library and the sessions calendar feed, read-only, on aiohttp.

Only translates HTTP to the core services (`App.library`, `App.sessions`) and back; every blocking
call runs in a worker thread so that, in `clikc-bot run`, the Discord gateway on the same event loop
never waits for a page. Pages are Jinja2 templates with autoescaping, styled by one static CSS
file and no script at all, which is what lets the Content-Security-Policy forbid every script.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote

import jinja2
from aiohttp import web

from bot.app import App
from bot.replies import Replies
from bot.search.asking import AskRequest, UnknownChoice
from bot.search.library import page_id
from bot.web.http import client_address, content_disposition, not_modified, security_headers
from bot.web.i18n import STRINGS_FILE
from bot.web.view import View, highlight, paragraphs
from index.documents import LANGUAGES, TECHNOLOGIES
from index.errors import InputError
from index.knowledge import UnknownCountry

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
PAGE_SIZE = 30
RESULTS = 10
MAX_OFFSET = 1000
SEARCH_THREADS = 2
APP_KEY = web.AppKey("clikc_app", App)
SITE_KEY = web.AppKey("clikc_site", "Site")


@dataclass
class CalendarFeed:
    body: bytes
    etag: str
    last_modified: datetime
    built: float


class Site:
    """Per-application state: templates, strings, the calendar cache."""

    def __init__(self, app: App, monotonic: Callable[[], float] = time.monotonic):
        self.app = app
        self.settings = app.config.settings.web
        self.max_query_chars = app.config.settings.search.max_query_chars
        self.strings = Replies.load(STRINGS_FILE)
        self.languages = tuple(lang for lang in LANGUAGES if lang in self.strings.languages)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["paragraphs"] = paragraphs
        self.env.filters["highlight"] = highlight
        self.css = (HERE / "static" / "style.css").read_bytes()
        self.icon = (HERE / "static" / "icon.svg").read_bytes()
        self.css_etag = f'"{hashlib.sha256(self.css).hexdigest()[:16]}"'
        self.monotonic = monotonic
        self._calendars: dict[str, CalendarFeed] = {}
        # Searches get their own two threads: a burst of them queues there instead of holding every
        # worker thread that page views, the calendar and the Discord adapter's questions also use.
        self.search_pool = ThreadPoolExecutor(max_workers=SEARCH_THREADS, thread_name_prefix="web-search")
        self._calendar_lock = asyncio.Lock()

    # -- rendering ------------------------------------------------------------------------------

    async def page(
        self, request: web.Request, template: str, status: int = 200, **context: object
    ) -> web.Response:
        """Rendered in a worker thread: a long list is CPU work the event loop must not do."""
        view = View(self, request)
        html = await asyncio.to_thread(self.env.get_template(template).render, v=view, **context)
        response = web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
        response.headers["Content-Language"] = view.lang
        response.headers["Vary"] = "Accept-Language"
        response.headers["Cache-Control"] = "no-cache"
        return response

    async def error_page(self, request: web.Request, status: int, message: str = "") -> web.Response:
        return await self.page(request, "error.html", status=status, status_code=status, message=message)

    def warm_up(self) -> None:
        """Compile the templates and open the knowledge base before the first reader comes."""
        for name in ("library.html", "case.html", "search.html", "error.html"):
            self.env.get_template(name)
        self.app.library.shelf(limit=1)

    # -- calendar -------------------------------------------------------------------------------

    async def calendar(self, lang: str | None) -> CalendarFeed:
        """The export `sessions --ics` writes, rebuilt at most every calendar_cache_seconds. Its
        ETag ignores DTSTAMP (the export's clock), so it changes only when the sessions do."""
        key = lang or ""
        async with self._calendar_lock:
            cached = self._calendars.get(key)
            now = self.monotonic()
            if cached and now - cached.built < self.settings.calendar_cache_seconds:
                return cached
            body = await asyncio.to_thread(self.app.sessions.to_ics, now=self.app.clock(), lang=lang)
            stable = b"\n".join(ln for ln in body.splitlines() if not ln.startswith(b"DTSTAMP"))
            etag = f'"{hashlib.sha256(stable).hexdigest()[:32]}"'
            changed = cached is None or cached.etag != etag
            moment = self.app.clock().astimezone(UTC).replace(microsecond=0)
            feed = CalendarFeed(body, etag, moment if changed else cached.last_modified, now)
            self._calendars[key] = feed
            return feed


# -- middlewares and headers ------------------------------------------------------------------------


@web.middleware
async def error_pages(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """404 and 405 as pages in the reader's language; anything unexpected as a 500 page (and a log
    line), never a traceback."""
    site = request.app[SITE_KEY]
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return await site.error_page(request, 404)
    except web.HTTPException:
        raise
    except Exception:
        log.exception("web: error serving %s", request.path)
        return await site.error_page(request, 500)


# -- handlers ---------------------------------------------------------------------------------------


class _BadFilter(ValueError):
    """A filter value outside its list; the message is the key of the filter's label."""


def _choice(value: str | None, choices: tuple[str, ...], what: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if value not in choices:
        raise _BadFilter(what)
    return value


def _offset(value: str | None) -> int:
    try:
        return max(0, min(MAX_OFFSET, int(value or 0)))
    except ValueError:
        return 0


async def library_page(request: web.Request) -> web.Response:
    site = request.app[SITE_KEY]
    app = site.app
    q = request.query
    try:
        technology = _choice(q.get("technology"), TECHNOLOGIES, "filter_technology")
        lang = _choice(q.get("in"), LANGUAGES, "filter_language")
        kind = _choice(q.get("kind"), ("case-study", "workshop-summary"), "filter_kind")
        country = (q.get("country") or "").strip().upper()[:3] or None
    except _BadFilter as exc:
        view = View(site, request)
        return await site.error_page(request, 400, view.t("unknown_value", what=view.t(str(exc)).lower()))
    offset = _offset(q.get("offset"))

    def read():
        shelf = app.library.shelf(
            technology=technology, country=country, lang=lang, kind=kind, offset=offset, limit=PAGE_SIZE
        )
        upcoming = app.sessions.upcoming(limit=4)
        return shelf, upcoming

    shelf, upcoming = await asyncio.to_thread(read)
    return await site.page(
        request,
        "library.html",
        shelf=shelf,
        upcoming=upcoming,
        filters={"technology": technology, "country": country, "in": lang, "kind": kind},
        offset=offset,
        page_size=PAGE_SIZE,
    )


async def case_page(request: web.Request) -> web.Response:
    site = request.app[SITE_KEY]
    item = await asyncio.to_thread(site.app.library.get, request.match_info["id"])
    if item is None:
        raise web.HTTPNotFound()
    return await site.page(request, "case.html", item=item)


async def case_file(request: web.Request) -> web.StreamResponse:
    """The original file, found by the submission id through the submissions store; the request
    names an id, never a path, and the answer is always a download, never a page to render."""
    site = request.app[SITE_KEY]
    found = await asyncio.to_thread(site.app.library.file, request.match_info["id"])
    if found is None:
        raise web.HTTPNotFound()
    return web.FileResponse(
        found.path,
        headers={
            "Content-Type": "application/octet-stream",
            "Content-Disposition": content_disposition(found.name),
            "Cache-Control": "no-cache",
        },
    )


async def search_page(request: web.Request) -> web.Response:
    site = request.app[SITE_KEY]
    app = site.app
    view = View(site, request)
    q = request.query
    question = q.get("q", "").strip()
    fields = {
        "technology": q.get("technology") or None,
        "kind": q.get("kind") or None,
        "country": q.get("country") or None,
        "in": q.get("in") or None,
        "member": q.get("member") or None,
    }
    context = {"question": question, "fields": fields, "answer": None, "error": "", "offset": 0}
    if not question:
        return await site.page(request, "search.html", **context)
    if len(question) > site.max_query_chars or len(q.get("member", "")) > 200:
        context["error"] = view.t("query_too_long", chars=len(question), limit=site.max_query_chars)
        return await site.page(request, "search.html", status=400, **context)
    wait = app.web_rate_limiter.hit(client_address(request, site.settings.trust_forwarded_for))
    if wait:
        context["error"] = view.t("rate_limited", seconds=wait)
        response = await site.page(request, "search.html", status=429, **context)
        response.headers["Retry-After"] = str(wait)
        return response
    offset = _offset(q.get("offset"))
    try:
        ask = AskRequest(
            question,
            technology=fields["technology"],
            kind=fields["kind"],
            member=fields["member"],
            lang=fields["in"],
            country=fields["country"],
        ).validated()
        loop = asyncio.get_running_loop()
        answer = await loop.run_in_executor(site.search_pool, app.library.search, ask, RESULTS, offset)
    except UnknownChoice as exc:
        label = {"technology": "filter_technology", "kind": "filter_kind", "lang": "filter_language"}
        context["error"] = view.t("unknown_value", what=view.t(label.get(exc.what, exc.what)).lower())
        return await site.page(request, "search.html", status=400, **context)
    except UnknownCountry:
        context["error"] = view.t("unknown_value", what=view.t("filter_country").lower())
        return await site.page(request, "search.html", status=400, **context)
    except InputError as exc:
        context["error"] = view.t("query_empty") if "empty" in str(exc) else str(exc)
        return await site.page(request, "search.html", status=400, **context)
    pages = {hit.id: f"/case/{quote(page_id(hit.id), safe='')}" for hit in answer.results}
    context.update(answer=answer, offset=offset, pages=pages, size=RESULTS)
    return await site.page(request, "search.html", **context)


async def calendar_feed(request: web.Request) -> web.StreamResponse:
    site = request.app[SITE_KEY]
    lang = request.match_info.get("lang")
    if lang is not None and lang not in site.app.config.settings.languages:
        raise web.HTTPNotFound()
    feed = await site.calendar(lang)
    headers = {
        "ETag": feed.etag,
        "Last-Modified": format_datetime(feed.last_modified, usegmt=True),
        "Cache-Control": "no-cache",  # revalidate each poll: a 304 costs a few bytes
    }
    if not_modified(request, feed.etag, feed.last_modified):
        return web.Response(status=304, headers=headers)
    name = f"clikc-sessions{'-' + lang if lang else ''}.ics"
    headers["Content-Disposition"] = f'inline; filename="{name}"'
    return web.Response(body=feed.body, headers=headers, content_type="text/calendar", charset="utf-8")


async def stylesheet(request: web.Request) -> web.Response:
    site = request.app[SITE_KEY]
    headers = {"ETag": site.css_etag, "Cache-Control": "public, max-age=3600"}
    if request.headers.get("If-None-Match") == site.css_etag:
        return web.Response(status=304, headers=headers)
    return web.Response(body=site.css, headers=headers, content_type="text/css", charset="utf-8")


async def icon(request: web.Request) -> web.Response:
    site = request.app[SITE_KEY]
    headers = {"Cache-Control": "public, max-age=86400"}
    return web.Response(body=site.icon, headers=headers, content_type="image/svg+xml")


async def robots(request: web.Request) -> web.Response:
    return web.Response(text="User-agent: *\nDisallow: /search\n", content_type="text/plain")


# -- assembly -----------------------------------------------------------------------------------------


async def _stop_search_pool(webapp: web.Application) -> None:
    webapp[SITE_KEY].search_pool.shutdown(wait=False, cancel_futures=True)


def create_app(app: App, monotonic: Callable[[], float] = time.monotonic) -> web.Application:
    """The aiohttp application over one App (the same services the bot uses)."""
    site = Site(app, monotonic)
    webapp = web.Application(middlewares=[error_pages], client_max_size=16 * 1024)
    webapp[APP_KEY] = app
    webapp[SITE_KEY] = site
    webapp.on_response_prepare.append(security_headers)
    webapp.on_cleanup.append(_stop_search_pool)
    webapp.router.add_get("/", library_page)
    webapp.router.add_get("/case/{id}", case_page)
    webapp.router.add_get("/case/{id}/file", case_file)
    webapp.router.add_get("/search", search_page)
    webapp.router.add_get("/calendar.ics", calendar_feed)
    webapp.router.add_get("/calendar/{lang}.ics", calendar_feed)
    webapp.router.add_get("/static/style.css", stylesheet)
    webapp.router.add_get("/static/icon.svg", icon)
    webapp.router.add_get("/favicon.ico", icon)
    webapp.router.add_get("/robots.txt", robots)
    return webapp


async def start(app: App, host: str, port: int) -> web.AppRunner:
    """Start serving on the running loop (the bot's, in `run`); the caller awaits runner.cleanup()."""
    webapp = create_app(app)
    await asyncio.to_thread(webapp[SITE_KEY].warm_up)
    runner = web.AppRunner(webapp, access_log=None, handle_signals=False, shutdown_timeout=5)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    return runner


def bound_addresses(runner: web.AppRunner) -> list[str]:
    out = []
    for address in runner.addresses:
        host, port = address[0], address[1]
        out.append(f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}")
    return out
