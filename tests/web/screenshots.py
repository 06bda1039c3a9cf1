"""Screenshots of the web library for the README, taken with the system's headless Chromium.

    python -m tests.web.screenshots docs/screenshots

Builds a fresh data directory (the shipped samples plus one submitted case study with its file),
serves it on a free loopback port and photographs the library and a case study page.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.web.browser import CHROMIUM, launch
from tests.web.site import Server, make_app, publish

REPORT = b"""# Electronic seals pilot

**Corridor.** Puerto Cortes to San Salvador and Guatemala City: 1,200 trucks a month, three borders.

**Devices.** Reusable GPS seals, rented by the carriers, reporting every five minutes.

**Alerts.**
- opening outside an authorised zone
- deviation from the declared route
- stop of more than two hours

**Costs and results.** The seal costs less than one escort; transit times fell by thirty percent.
"""
SHOTS = (
    ("library.png", "/?lang=es&tz=America/Lima", {"width": 1200, "height": 860}),
    ("case-study.png", "/case/{id}?lang=en", {"width": 1200, "height": 860}),
    ("phone.png", "/case/{id}?lang=pt", {"width": 390, "height": 800}),
)


def main(out: str) -> int:
    if not CHROMIUM.exists():
        print(f"screenshots: {CHROMIUM} is not installed", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp) / "data")
        title = "Electronic seals on the Northern Triangle transit corridor"
        sub = publish(app, title, file_name="seals-report.md", data=REPORT)
        server = Server(app)
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                for name, path, viewport in SHOTS:
                    page = browser.new_page(viewport=viewport)
                    page.goto(server.url + path.format(id=sub.id))
                    page.screenshot(path=str(folder / name))
                    page.close()
                    print(folder / name)
                browser.close()
        finally:
            server.close()
            app.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
