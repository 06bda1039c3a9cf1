"""The web adapter over HTTP: pages, headers, escaping, files, rate limit, the calendar feed."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from email.utils import format_datetime
from urllib.parse import urlencode

import pytest
import recurring_ical_events
from icalendar import Calendar

from bot.cli import main
from bot.replies import Replies
from bot.sessions.service import DEFAULT_HORIZON
from bot.web.http import content_disposition
from bot.web.i18n import STRINGS_FILE, choose_language
from bot.web.view import paragraphs, zone_from
from tests.web.site import NOW, Server, get, make_app, publish

HOSTILE = '<script>alert("x")</script> & <b>bold</b>'


def test_library_lists_published_items_in_the_readers_language(site):
    page = get(f"{site.url}/", {"Accept-Language": "pt-BR,pt;q=0.9,en;q=0.5"})
    assert page.status == 200
    assert '<html lang="pt">' in page.text and page.headers["Content-Language"] == "pt"
    assert "Biblioteca CLiKC! Américas e Caribe" in page.text
    assert "case-en-rfid-land-border" in page.text and "ws-es-iot-transito" in page.text
    assert "post-" not in page.text  # no member post, not even as a link
    explicit = get(f"{site.url}/?lang=fr", {"Accept-Language": "pt"})
    assert '<html lang="fr">' in explicit.text and "?lang=fr" in explicit.text  # links keep the switch


def test_the_list_filters_by_technology_language_and_kind(site):
    blockchain = get(f"{site.url}/?technology=blockchain").text
    assert "case-pt-blockchain-origem" in blockchain and "case-en-rfid-land-border" not in blockchain
    spanish = get(f"{site.url}/?in=es&kind=workshop-summary").text
    assert "ws-es-iot-transito" in spanish and "case-es-precintos" not in spanish
    bad = get(f"{site.url}/?technology=quantum", {"Accept-Language": "es"})
    assert bad.status == 400 and "Valor desconocido para tecnología" in bad.text
    assert get(f"{site.url}/", {"Accept-Language": "en"}).headers["Server"] == "clikc-bot"


def test_read_only(site):
    import urllib.request

    request = urllib.request.Request(f"{site.url}/search?q=seals", data=b"x", method="POST")
    try:
        urllib.request.urlopen(request, timeout=30)
        raise AssertionError("POST was accepted")
    except urllib.error.HTTPError as exc:
        assert exc.code == 405


def test_security_headers_on_every_response(site):
    for path in ("/", "/case/case-en-rfid-land-border", "/nope", "/calendar.ics", "/static/style.css"):
        headers = get(f"{site.url}{path}").headers
        csp = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"]


def test_pages_have_no_script_and_open_graph_tags(site):
    page = get(f"{site.url}/case/case-en-rfid-land-border").text
    assert "<script" not in page.lower()
    assert 'property="og:type" content="article"' in page
    assert 'property="og:url" content="https://library.example.org/case/case-en-rfid-land-border"' in page
    assert re.search(r'property="og:title" content="RFID tags to speed up trucks', page)
    assert '<time datetime="2022-08-03T00:00:00Z">2022-08-03</time>' in page


def test_hostile_title_is_shown_as_text(site):
    sub = publish(site.app, HOSTILE)
    page = get(f"{site.url}/case/{sub.id}").text
    assert "<script>alert" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    listing = get(f"{site.url}/").text
    assert "<script>" not in listing and "&lt;script&gt;" in listing


def test_missing_id_is_a_404_page_in_the_readers_language(site):
    for path in ("/case/cs-000000", "/case/cs-000000/file", "/case/..%2F..%2Fetc%2Fpasswd/file", "/x"):
        reply = get(f"{site.url}{path}", {"Accept-Language": "es"})
        assert reply.status == 404, path
        assert "No encontrado" in reply.text and '<html lang="es">' in reply.text


def test_download_is_the_stored_original_as_an_attachment(site):
    sub = publish(site.app, "Seals study with a file", file_name='../../etc/"évil" name.md')
    page = get(f"{site.url}/case/{sub.id}").text
    assert f'href="/case/{sub.id}/file"' in page
    reply = get(f"{site.url}/case/{sub.id}/file")
    assert reply.status == 200
    assert reply.body.startswith(b"# Electronic seals pilot")
    assert reply.headers["Content-Type"] == "application/octet-stream"
    disposition = reply.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="evil_name.md"')
    assert "filename*=UTF-8''%22%C3%A9vil%22%20name.md" in disposition and ".." not in disposition


def test_an_approved_case_appears_at_once_and_a_removed_one_is_gone_with_its_file(site):
    sub = publish(site.app, "Freshly approved seals study")
    assert get(f"{site.url}/case/{sub.id}").status == 200  # right after approval: nothing to wait for
    assert "Freshly approved seals study" in get(f"{site.url}/").text
    assert get(f"{site.url}/case/{sub.id}/file").status == 200
    site.app.knowledge.delete(sub.doc_id)  # withdrawn: the document leaves the knowledge base
    assert get(f"{site.url}/case/{sub.id}").status == 404
    assert get(f"{site.url}/case/{sub.id}/file").status == 404
    assert "Freshly approved seals study" not in get(f"{site.url}/").text


def test_pending_and_rejected_submissions_are_not_on_the_web(site):
    pending = publish(site.app, "Pending study on seals", approve=False)
    assert get(f"{site.url}/case/{pending.id}").status == 404
    assert get(f"{site.url}/case/{pending.id}/file").status == 404
    assert "Pending study on seals" not in get(f"{site.url}/").text


def test_search_in_each_language_finds_the_published_case(site):
    for lang, question in (
        ("en", "electronic seals"),
        ("es", "precintos electrónicos"),
        ("fr", "scellés électroniques"),
        ("pt", "lacre eletrônico"),
    ):
        reply = get(f"{site.url}/search?{urlencode({'q': question, 'lang': lang})}")
        assert reply.status == 200
        assert f'<html lang="{lang}">' in reply.text
        assert "/case/case-es-precintos-electronicos" in reply.text
        assert "<mark>" in reply.text


def test_search_filters_and_bad_values(site):
    reply = get(f"{site.url}/search?q=blockchain&in=pt")
    assert "case-pt-blockchain-origem" in reply.text and "case-en-rfid" not in reply.text
    unknown = get(f"{site.url}/search?q=seals&technology=nope&lang=fr")
    assert unknown.status == 400 and "Valeur inconnue pour technologie" in unknown.text
    narnia = get(f"{site.url}/search?q=seals&country=Narnia&lang=fr")
    assert narnia.status == 400 and "Valeur inconnue pour pays" in narnia.text
    assert get(f"{site.url}/search?q=seals&kind=post").text.count('class="item"') == 0
    empty = get(f"{site.url}/search?q=")
    assert empty.status == 200 and 'class="item"' not in empty.text


def test_query_length_is_bounded(site):
    reply = get(f"{site.url}/search?q={'a' * 600}")
    assert reply.status == 400 and "600" in reply.text


def test_search_is_rate_limited_per_address(tmp_path):
    app = make_app(tmp_path / "data", searches=2)
    server = Server(app)
    try:
        assert get(f"{server.url}/search?q=seals").status == 200
        assert get(f"{server.url}/search?q=seals").status == 200
        limited = get(f"{server.url}/search?q=seals", {"Accept-Language": "fr"})
        assert limited.status == 429 and int(limited.headers["Retry-After"]) >= 1
        assert "Trop de recherches" in limited.text
        assert get(f"{server.url}/").status == 200  # only searching is limited
    finally:
        server.close()
        app.close()


def test_time_zone_choice_applies_to_session_times(site):
    utc = get(f"{site.url}/").text
    lima = get(f"{site.url}/?tz=America/Lima").text
    assert "2026-12-03 16:00 UTC" in utc
    assert "2026-12-03 11:00 UTC-05:00 (America/Lima)" in lima
    assert '<time datetime="2026-12-03T16:00:00Z">' in lima
    bad = get(f"{site.url}/?tz=../../etc/passwd").text
    assert "2026-12-03 16:00 UTC" in bad and "etc/passwd" in bad  # told, shown in UTC, escaped


# -- calendar --------------------------------------------------------------------------------------


def _cli_sessions_json(site, capsys) -> list[dict]:
    code = main(["--data-dir", str(site.app.config.data_dir), "sessions", "--json", "--now", NOW.isoformat()])
    assert code == 0
    return json.loads(capsys.readouterr().out)


def test_calendar_agrees_with_sessions_json(site, capsys):
    reply = get(f"{site.url}/calendar.ics")
    assert reply.status == 200 and reply.headers["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(reply.body)
    listed = _cli_sessions_json(site, capsys)

    def occurrences(until):
        return {
            (str(e["UID"]).split("@")[0], _utc(e["DTSTART"].dt.isoformat()))
            for e in recurring_ical_events.of(calendar).between(NOW, until)
            if str(e.get("STATUS")) != "CANCELLED"
        }

    from_cli = {(o["id"], _utc(o["start"])) for o in listed if not o["cancelled"]}
    assert len(from_cli) >= 3
    horizon = (NOW + DEFAULT_HORIZON).isoformat()  # how far `sessions` expands recurring sessions
    assert {o for o in occurrences(NOW + DEFAULT_HORIZON) if o[1] < horizon} == {
        o for o in from_cli if o[1] < horizon
    }
    assert from_cli <= occurrences(NOW + timedelta(days=3 * 365))  # and each one-off beyond it
    titles = {str(e["UID"]).split("@")[0]: str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}
    assert {o["id"]: o["title"] for o in listed}.items() <= titles.items()


def _utc(iso: str) -> str:
    from datetime import UTC, datetime

    return datetime.fromisoformat(iso).astimezone(UTC).isoformat()


def test_calendar_in_a_language_has_its_titles(site):
    reply = get(f"{site.url}/calendar/es.ics")
    titles = {str(e["SUMMARY"]) for e in Calendar.from_ical(reply.body).walk("VEVENT")}
    assert "Llamada mensual de la comunidad CLiKC! Américas y Caribe" in titles
    assert get(f"{site.url}/calendar/xx.ics").status == 404
    assert get(f"{site.url}/calendar/english.ics").status == 404


def test_calendar_etag_and_last_modified_give_304(site):
    first = get(f"{site.url}/calendar.ics")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = get(f"{site.url}/calendar.ics", {"If-None-Match": etag})
    assert again.status == 304 and again.body == b"" and again.headers["ETag"] == etag
    assert get(f"{site.url}/calendar.ics", {"If-None-Match": '"other"'}).status == 200
    assert get(f"{site.url}/calendar.ics", {"If-Modified-Since": modified}).status == 304
    earlier = format_datetime(NOW - timedelta(days=1), usegmt=True)
    assert get(f"{site.url}/calendar.ics", {"If-Modified-Since": earlier}).status == 200
    assert get(f"{site.url}/calendar.ics", {"If-Modified-Since": "garbage"}).status == 200
    assert get(f"{site.url}/calendar/es.ics", {"If-None-Match": etag}).status == 200  # another feed


def test_calendar_etag_changes_when_a_session_changes(site):
    from bot.members import Actor

    before = get(f"{site.url}/calendar.ics").headers["ETag"]
    change = {"title": {"en": "IoT clinic (moved room)"}}
    site.app.sessions.edit("iot-clinic-2027-02", change, Actor("t", True))
    after = get(f"{site.url}/calendar.ics")
    assert after.headers["ETag"] != before and b"IoT clinic (moved room)" in after.body
    assert get(f"{site.url}/calendar.ics", {"If-None-Match": before}).status == 200


# -- units -----------------------------------------------------------------------------------------


def test_every_language_has_every_web_string():
    strings = Replies.load(STRINGS_FILE)
    english = set(strings.texts["en"])
    for lang in ("es", "fr", "pt"):
        assert set(strings.texts[lang]) == english, lang


@pytest.mark.parametrize(
    ("query", "header", "expected"),
    [
        (None, "es-MX,es;q=0.9,en;q=0.8", "es"),
        (None, "de-DE,fr;q=0.4,pt;q=0.7", "pt"),
        (None, "de", "en"),
        (None, "fr;q=0, es", "es"),
        ("fr", "es", "fr"),
        ("xx", "pt", "pt"),
        (None, None, "en"),
    ],
)
def test_language_choice(query, header, expected):
    assert choose_language(query, header, ("en", "es", "fr", "pt")) == expected


def test_paragraphs_escape_and_keep_structure():
    html = str(paragraphs("**Bold** <img src=x onerror=alert(1)>\nwrapped\n\n- one\n- two"))
    assert html == (
        "<p><strong>Bold</strong> &lt;img src=x onerror=alert(1)&gt; wrapped</p>"
        "<ul><li>one</li><li>two</li></ul>"
    )


def test_content_disposition_is_safe():
    header = content_disposition('..\\..\\a"b\r\nX: y.pdf')
    assert "\r" not in header and "\n" not in header and '"b' not in header.split(";")[1]
    assert header.startswith('attachment; filename="a_b_X_y.pdf"')


def test_zone_names_are_only_known_zones():
    assert zone_from("America/Lima") is not None
    for bad in ("../../etc/passwd", "/etc/localtime", "Nowhere/City", "", "A" * 100):
        assert zone_from(bad) is None


def test_sample_content_is_marked_on_every_page_that_shows_it(site):
    """The demo's seeded documents carry a "sample" badge in the list, on their page and in search."""
    listing = get(f"{site.url}/?lang=es").text
    assert '<span class="badge sample">ejemplo (contenido de demostración)</span>' in listing
    case = get(f"{site.url}/case/case-en-rfid-land-border?lang=en").text
    assert '<span class="badge sample">sample (demo content)</span>' in case
    found = get(f"{site.url}/search?q=blockchain&lang=pt").text
    assert '<span class="badge sample">exemplo (conteúdo de demonstração)</span>' in found
