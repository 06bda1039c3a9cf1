"""`config check` on the settings of related experiences and the digest (issue 13, items 5 and 6):
what each will do, one line per bad value, a warning for what cannot work."""

from __future__ import annotations

import pytest

from bot.cli import main


@pytest.fixture
def settings(tmp_path, capsys):
    main(["init", str(tmp_path / "etc")])
    capsys.readouterr()
    path = tmp_path / "etc" / "clikc.yaml"
    base = path.read_text(encoding="utf-8")

    def check(extra: str) -> tuple[int, str, str]:
        path.write_text(base + "\n" + extra, encoding="utf-8")  # the later top-level keys win
        status = main(["--config", str(path), "config", "check"])
        out = capsys.readouterr()
        return status, out.out, out.err

    return check


def test_both_are_off_by_default(settings):
    status, out, err = settings("")
    assert "related experiences: off (discord.related.channels is empty)" in out.splitlines()
    assert "digest: off (digest.enabled is false)" in out.splitlines()


def test_what_they_will_do(settings):
    status, out, err = settings(
        "discord: {guild: G, index_channels: [experiencias, '#general'], review_channel: mod,"
        " announce_channel: anuncios, library_channel: biblioteca, moderators: {roles: [Moderador]},"
        " related: {channels: [experiencias, general], quiet_time: 12h, limit: 2}}\n"
        "digest: {enabled: true, every: 7d, starts: '2024-01-01 09:00', timezone: America/Mexico_City}\n"
    )
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert (
        "related experiences: offered under questions in experiencias, general; at most 2, "
        "not again to a member within 12h"
    ) in lines
    [digest] = [line for line in lines if line.startswith("digest:")]
    assert (
        digest.startswith("digest: every 7d in the announce channel; next ")
        and "09:00 America/Mexico_City" in digest
    )


def test_what_cannot_work_is_a_warning(settings):
    status, out, err = settings(
        "discord: {guild: G, index_channels: [experiencias], review_channel: mod,"
        " moderators: {roles: [Moderador]}, related: {channels: [general]}}\n"
        "digest: {enabled: true}\n"
    )
    assert status == 0
    assert "discord.related.channels: general not among index_channels" in err
    assert "digest.enabled: true but discord.announce_channel unset: no digest" in err


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ("digest: {every: 30m}", "digest.every: every must be at least 1h, not '30m'"),
        ("digest: {timezone: Mars/Olympus}", "digest.timezone: unknown time zone 'Mars/Olympus'"),
        ("digest: {starts: next monday}", "digest.starts: cannot read 'next monday' as a date and time"),
        ("digest: {starts: '2024-01-01T09:00+02:00'}", "digest.starts: starts is a wall-clock time"),
        (
            "discord: {related: {quiet_time: soon}}",
            "discord.related.quiet_time: cannot read 'soon' as a duration",
        ),
        ("discord: {related: {limit: 5}}", "discord.related.limit:"),
    ],
)
def test_a_bad_value_is_one_line_and_a_non_zero_exit(settings, extra, problem):
    """The bad value is one line; `config check` goes on to what `run` needs (all in one round)."""
    status, out, err = settings(extra + "\n")
    lines = err.strip().splitlines()
    assert status != 0
    assert [line for line in lines if problem in line] == [lines[0]] and "Traceback" not in err
    assert all(line.startswith("clikc-bot: ") for line in lines)
