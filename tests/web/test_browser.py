"""The web library in a real browser: headless Chromium on the pages a reader uses."""

from __future__ import annotations

import pytest

from tests.web.browser import launch, require_browser
from tests.web.site import Server, make_app, publish

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def browser():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory, browser):
    app = make_app(tmp_path_factory.mktemp("browser") / "data")
    server = Server(app)
    yield server
    server.close()
    app.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US", accept_downloads=True)
    page = context.new_page()
    page.problems = []  # console errors and script dialogs: a page must have neither
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    page.on("dialog", lambda d: (page.problems.append(f"dialog: {d.message}"), d.dismiss()))
    yield page
    context.close()


def test_the_list_links_to_a_case_study(served, page):
    response = page.goto(f"{served.url}/")
    assert response.status == 200
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("ol.items > li").count() >= 8
    page.get_by_role("link", name="RFID tags to speed up trucks", exact=False).click()
    page.wait_for_url("**/case/case-en-rfid-land-border")
    assert "RFID tags" in page.locator("h1").inner_text()
    assert page.locator("article.case p strong").first.inner_text() == "Situation."
    assert page.problems == []


def test_a_case_study_page_and_its_download(served, page):
    sub = publish(served.app, "Electronic seals in the browser", file_name="Informe de precintos.md")
    page.goto(f"{served.url}/case/{sub.id}")
    assert page.locator("h1").inner_text() == "Electronic seals in the browser"
    assert page.get_by_role("heading", name="Results and lessons learned").count() == 1
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the original file").click()
    download = info.value
    assert download.suggested_filename == "Informe de precintos.md"
    with open(download.path(), "rb") as fh:
        assert fh.read().startswith(b"# Electronic seals pilot")
    assert page.problems == []


@pytest.mark.parametrize(
    ("lang", "question", "button"),
    [
        ("en", "electronic seals", "Search"),
        ("es", "precintos electrónicos", "Buscar"),
        ("fr", "scellés électroniques", "Rechercher"),
        ("pt", "lacre eletrônico", "Pesquisar"),
    ],
)
def test_search_in_each_language(served, page, lang, question, button):
    page.goto(f"{served.url}/?lang={lang}")
    assert page.get_attribute("html", "lang") == lang
    page.locator("#q").fill(question)
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_url("**/search?**")
    assert page.get_attribute("html", "lang") == lang  # the language switch survives the search
    links = page.locator("ol.items h2 a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert any(h.startswith("/case/case-es-precintos-electronicos") for h in hrefs), hrefs
    assert page.locator("mark").count() > 0
    assert page.problems == []


def test_a_hostile_title_is_text(served, page):
    sub = publish(served.app, HOSTILE)
    page.goto(f"{served.url}/case/{sub.id}")
    assert page.locator("h1").inner_text() == HOSTILE
    assert page.locator("script").count() == 0 and page.locator("img").count() == 0
    page.goto(f"{served.url}/")
    assert page.get_by_text(HOSTILE).count() >= 1
    assert page.problems == []  # no alert() ran


def test_a_missing_id_is_a_404_page(served, page):
    response = page.goto(f"{served.url}/case/cs-000000?lang=fr")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Introuvable"
    assert page.get_by_role("link", name="Toutes les études de cas", exact=False).count() == 1


def test_calendar_etag_gives_304(served, page):
    first = page.request.get(f"{served.url}/calendar.ics")
    assert first.status == 200 and first.body().startswith(b"BEGIN:VCALENDAR")
    second = page.request.get(f"{served.url}/calendar.ics", headers={"If-None-Match": first.headers["etag"]})
    assert second.status == 304


def test_fits_a_phone_and_prints_without_navigation(served, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="es-MX")
    page = context.new_page()
    page.goto(f"{served.url}/case/case-es-precintos-electronicos")
    assert page.get_attribute("html", "lang") == "es"  # from Accept-Language
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    page.emulate_media(media="print")
    assert page.locator("header.site nav").first.is_hidden()
    assert page.locator("footer.site form").is_hidden()
    assert page.locator("article.case h1").is_visible()
    context.close()
