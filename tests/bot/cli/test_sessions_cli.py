"""`clikc-bot sessions`, `session …` and `config check`, run through the real entry point."""

import getpass
import json

import pytest
from icalendar import Calendar

from tests.helpers.sessions import cli_runner


@pytest.fixture
def cli(tmp_path, capsys):
    return cli_runner(tmp_path, capsys)


def test_sessions_lists_upcoming(cli):
    code, out, err = cli("sessions", "--now", "2026-11-29")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == (
        "2026-12-03T10:00:00-06:00 → 2026-12-03T11:00:00-06:00  America/Guatemala  clikc-community-call  "
        "CLiKC! Americas & Caribbean community call  https://clikc.wcoomd.org/"
    )
    assert [line.split("  ")[2] for line in lines] == [
        "clikc-community-call",
        "webinar-2026-12-risk-analytics",
        "clikc-community-call",
        "iot-clinic-2027-02",
        "blockchain-aeo-2027-03",
    ]


def test_sessions_json_in_a_language_and_past_with_all(cli):
    code, out, _ = cli("sessions", "--now", "2021-11-01T00:00:00Z", "--json", "--lang", "fr", "--limit", "4")
    items = json.loads(out)
    assert code == 0 and len(items) == 4
    assert items[0]["title"] == "Atelier régional Amériques et Caraïbes sur les technologies de rupture"
    assert items[2]["id"] == "esa-wca-2022-disruptive-technologies"
    assert items[2]["start"] == "2022-01-17T12:00:00+01:00" and items[2]["timezone"] == "Europe/Brussels"
    _, out, _ = cli("sessions", "--now", "2026-11-29", "--all", "--json")
    assert json.loads(out)[0]["id"] == "ams-2021-disruptive-technologies"


def test_sessions_ics_file(cli, tmp_path):
    target = tmp_path / "clikc.ics"
    code, out, err = cli("sessions", "--now", "2026-11-29", "--ics", str(target))
    assert code == 0 and f"wrote {target}" in err
    uids = {str(e["UID"]) for e in Calendar.from_ical(target.read_bytes()).walk("VEVENT")}
    assert "clikc-community-call@clikc-bot" in uids


def test_moderator_commands(cli):
    code, out, _ = cli(
        "session", "add", "id=ai-clinic", "title.es=Clínica IA", "title.en=AI clinic",
        "start=20 de enero de 2027 10:00", "duration=1h", "timezone=America/Lima", "languages=es,en",
        "--as", "maria",
    )  # fmt: skip
    assert code == 0 and out.startswith("added ai-clinic: AI clinic — first 2027-01-20T10:00:00-05:00")
    assert cli("session", "edit", "ai-clinic", "link=https://example.org/ia")[0] == 0
    assert cli("session", "cancel", "clikc-community-call", "--occurrence", "2026-12-03")[0] == 0
    _, out, _ = cli("sessions", "--now", "2026-11-29", "--lang", "es")
    assert "Clínica IA  https://example.org/ia" in out and "2026-12-03T10" not in out
    _, out, _ = cli("session", "history", "--json")
    assert [(c["action"], c["actor"]) for c in json.loads(out)] == [
        ("add", "console:maria"),
        ("edit", f"console:{getpass.getuser()}"),
        ("cancel", f"console:{getpass.getuser()}"),
    ]


def test_due_and_mark(cli):
    code, out, _ = cli("session", "due", "--now", "2026-11-26T16:30:00Z", "--mark")
    assert code == 0
    assert out == (
        "[7d before] clikc-community-call: CLiKC! Americas & Caribbean community call — "
        "starts 2026-12-03T10:00:00-06:00 (America/Guatemala)\n"
    )
    assert cli("session", "due", "--now", "2026-11-26T16:40:00Z")[1] == "Nothing to announce.\n"


def test_due_notices_a_new_end_time(cli):
    assert cli("session", "due", "--now", "2026-12-04T12:00:00Z", "--mark")[0] == 0  # 7d for 10 December
    assert cli("session", "edit", "webinar-2026-12-risk-analytics", "duration=2h")[0] == 0
    code, out, _ = cli("session", "due", "--now", "2026-12-05T12:00:00Z", "--mark", "--json")
    [item] = json.loads(out)
    assert code == 0 and item["kind"] == "moved" and item["start"] == item["new_start"]
    assert (item["end"], item["new_end"]) == ("2026-12-10T16:30:00-06:00", "2026-12-10T17:00:00-06:00")
    assert cli("session", "edit", "webinar-2026-12-risk-analytics", "duration=150m")[0] == 0
    code, out, _ = cli("session", "due", "--now", "2026-12-05T13:00:00Z", "--mark")
    assert out == (
        "[moved] webinar-2026-12-risk-analytics: Webinar: machine learning in customs risk management, what "
        "worked and what did not — the sitting of 2026-12-10T15:00:00-06:00 now ends "
        "2026-12-10T17:30:00-06:00 (was 2026-12-10T17:00:00-06:00)\n"
    )
    assert cli("session", "due", "--now", "2026-12-05T14:00:00Z")[1] == "Nothing to announce.\n"


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ("sessions", "--now", "tomorrow-ish"),
            "clikc-bot: --now: cannot read 'tomorrow-ish' as a date and time",
        ),
        (("sessions", "--limit", "0"), "clikc-bot: --limit must be at least 1"),
        (
            ("session", "add", "id=x", "title=X", "start=2027-01-01 10:00", "duration=1h", "timezone=Lima"),
            "clikc-bot: session x: timezone: unknown time zone 'Lima'",
        ),
        (("session", "add", "title"), "clikc-bot: expected FIELD=VALUE, got 'title'"),
        (("session", "edit", "nope", "title=X"), "clikc-bot: no session with id 'nope'"),
        (
            ("session", "edit", "iot-clinic-2027-02", "end=2027-02-17 10:00"),
            "clikc-bot: session iot-clinic-2027-02: end: ",
        ),
        (
            ("session", "cancel", "clikc-community-call", "--occurrence", "2026-12-04"),
            "clikc-bot: session clikc-community-call has no occurrence at 2026-12-04",
        ),
        (
            ("sessions", "--ics", "/nonexistent-dir/x.ics", "--now", "2026-11-29"),
            "clikc-bot: cannot write /nonexistent-dir/x.ics",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli, args, message):
    code, out, err = cli(*args)
    assert code == 2 and out == ""
    assert err.startswith(message) and err.count("\n") == 1, err


READY = (
    "discord: {guild: G, index_channels: [x], review_channel: r, announce_channel: a, library_channel: l,"
    " moderators: {roles: [Moderador]}}\n"
)


def test_config_check_ok(cli):
    (cli.config_dir / "clikc.yaml").write_text("sessions: sessions.yaml\n" + READY, encoding="utf-8")
    code, out, err = cli("config", "check")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert [line.rsplit(": ", 1)[1] for line in lines[:5]] == [
        "settings ok",
        "108 concepts ok",
        "48 countries ok",
        "6 sessions ok",
        "4 languages ok",
    ]
    assert lines[5:] == [
        f"data directory: {cli.config_dir.parent / 'var'}",
        "related experiences: off (discord.related.channels is empty)",
        "digest: off (digest.enabled is false)",
        "ready for `run`",
    ]


def test_config_check_reports_every_broken_file(cli):
    (cli.config_dir / "clikc.yaml").write_text("sessions: sessions.yaml\n" + READY, encoding="utf-8")
    (cli.config_dir / "glossary.yaml").write_text("seal:\n  group: gadgets\n  en: [seal]\n", "utf-8")
    (cli.config_dir / "countries.yaml").write_text("PE: [Peru]\n", "utf-8")
    code, out, err = cli("config", "check")
    assert code == 2 and out == ""
    assert err.splitlines() == [
        f"clikc-bot: {cli.config_dir / 'glossary.yaml'}: concept 'seal': group 'gadgets' is not one of "
        "blockchain, iot, analytics",
        f"clikc-bot: {cli.config_dir / 'countries.yaml'}: country 'PE': expected a mapping with names, "
        "demonyms, administrations",
    ]


def test_config_check_names_file_session_and_field(cli):
    (cli.config_dir / "clikc.yaml").write_text("sessions: sessions.yaml\n" + READY, encoding="utf-8")
    path = cli.config_dir / "sessions.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("timezone: Europe/Brussels", "timezone: Europe/Bruxelles")
    text = text.replace("rrule: FREQ=MONTHLY;BYDAY=1TH", "rrule: FREQ=MONTHLY;BYDAY=1XX")
    text = text.replace("start: 10 de diciembre de 2026 15:00", "start: 10 de diciembre 15:00")
    path.write_text(text + text[text.index("- id: blockchain-aeo-2027-03") :], encoding="utf-8")
    code, out, err = cli("config", "check")
    assert code == 2 and out == ""
    assert err.splitlines() == [
        f"clikc-bot: {path}: session esa-wca-2022-disruptive-technologies: timezone: unknown time zone "
        "'Europe/Bruxelles'; use an IANA name such as America/Guatemala",
        f"clikc-bot: {path}: session clikc-community-call: rrule: invalid rule 'FREQ=MONTHLY;BYDAY=1XX': "
        "BYDAY value '1XX' must be a weekday (MO…SU), optionally after -53..53 such as 1TH",
        f"clikc-bot: {path}: session webinar-2026-12-risk-analytics: start: "
        "'10 de diciembre 15:00' has no year",
        f"clikc-bot: {path}: session blockchain-aeo-2027-03: id: duplicate id (also session #6)",
    ]
    assert cli("sessions")[0] == 2  # start-up refuses the same file


def test_config_check_of_a_broken_settings_file_still_checks_the_other_files(cli):
    """Issue 14: the settings file's problems, the other files' problems and what `run` lacks, in
    one round; nothing is said about what `run` needs from the section that is itself invalid."""
    settings = cli.config_dir / "clikc.yaml"
    settings.write_text(
        "sessions: sessions.yaml\nannouncements:\n  lead_times: [7d, soon]\nsearch: {default_limit: 0}\n"
        "discord: {guild: G, index_channels: nope}\n",
        encoding="utf-8",
    )
    (cli.config_dir / "glossary.yaml").write_text("seal:\n  group: gadgets\n  en: [seal]\n", "utf-8")
    sessions = cli.config_dir / "sessions.yaml"
    text = sessions.read_text(encoding="utf-8")
    sessions.write_text(text.replace("timezone: Europe/Brussels", "timezone: Europe/Bruxelles"), "utf-8")
    code, out, err = cli("config", "check")
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines[:4] == [
        f"clikc-bot: {settings}: search.default_limit: Input should be greater than or equal to 1",
        f"clikc-bot: {settings}: discord.index_channels: Input should be a valid list",
        f"clikc-bot: {settings}: announcements.lead_times: cannot read 'soon' as a duration;"
        " write e.g. 90m, 1h30m, 3h, 7d",
        f"clikc-bot: {cli.config_dir / 'glossary.yaml'}: concept 'seal': group 'gadgets' is not one of "
        "blockchain, iot, analytics",
    ]
    assert "session esa-wca-2022-disruptive-technologies: timezone: unknown time zone" in lines[4]
    assert len(lines) == 5  # the discord section is invalid: no "discord.guild: not set" beside it


def test_config_check_with_unreadable_settings_still_checks_the_other_files(cli):
    settings = cli.config_dir / "clikc.yaml"
    settings.write_text("sessions: [unclosed\n", encoding="utf-8")
    (cli.config_dir / "countries.yaml").write_text("PE: [Peru]\n", "utf-8")
    code, out, err = cli("config", "check")
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines[0].startswith(f"clikc-bot: {settings}:") and "invalid YAML" in lines[0]
    assert lines[1:] == [
        f"clikc-bot: {cli.config_dir / 'countries.yaml'}: country 'PE': expected a mapping with names, "
        "demonyms, administrations",
    ]


def test_config_check_reports_bad_settings(cli):
    (cli.config_dir / "clikc.yaml").write_text("announcements:\n  lead_times: [7d, soon]\n", encoding="utf-8")
    code, _, err = cli("config", "check")
    assert code == 2
    assert "announcements.lead_times: cannot read 'soon' as a duration" in err
