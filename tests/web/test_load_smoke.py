"""A tiny run of benchmarks/web_load.py: it serves, the clients finish, nothing errs (no timing asserted)."""

from __future__ import annotations

import json

from benchmarks import web_load


def test_web_load_smoke(capsys):
    assert web_load.main(["--posts", "0", "--requests", "24", "--concurrency", "3", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["errors"] == 0 and result["requests"] == 24
    assert set(result["endpoints"]) == {"/", "/case/", "/search", "/calendar.ics"}
    assert all(s["n"] == 6 for s in result["endpoints"].values())
    assert result["loop"]["ticks"] > 0 and result["published"] >= 5
