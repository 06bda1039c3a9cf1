"""HTTP details of the web adapter: the security headers every response carries, conditional
requests (ETag / If-Modified-Since), download names and the client's address."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import quote

from aiohttp import web

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


def content_disposition(name: str) -> str:
    """attachment; an ASCII fallback name with nothing a header or a shell could trip on, and the
    real name percent-encoded (RFC 6266 / 5987)."""
    name = re.split(r"[\\/]", name)[-1].strip() or "file"
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", folded).strip("._") or "file"
    return f"attachment; filename=\"{ascii_name[:150]}\"; filename*=UTF-8''{quote(name[:150], safe='')}"


def client_address(request: web.Request, trust_forwarded_for: bool) -> str:
    if trust_forwarded_for:
        forwarded = request.headers.get("X-Forwarded-For", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last[:64]
    return request.remote or "unknown"


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers["Server"] = "clikc-bot"  # no library versions for scanners


def not_modified(request: web.Request, etag: str, last_modified: datetime) -> bool:
    """RFC 9110: If-None-Match decides when present; else If-Modified-Since."""
    inm = request.headers.get("If-None-Match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or etag in tags
    ims = request.headers.get("If-Modified-Since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError, IndexError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return last_modified <= since
    return False
