from __future__ import annotations

import pytest

from tests.web.site import Server, make_app


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One App and one server per test module (opening and seeding a knowledge base takes seconds)."""
    app = make_app(tmp_path_factory.mktemp("web") / "data")
    server = Server(app)
    yield server
    server.close()
    app.close()
