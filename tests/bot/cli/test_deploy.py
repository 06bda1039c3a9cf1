"""Demo vs production: `init`, `--version`, `config check` for `run`, sample marking, `index remove`."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from bot.cli import main
from bot.config import Settings, default_config_dir, load_config
from tests.conftest import CONFIG_DIR, ROOT

READY = (
    "discord: {guild: G, index_channels: [experiencias], review_channel: moderacion,"
    " announce_channel: anuncios, library_channel: biblioteca, moderators: {roles: [Moderador]}}\n"
)


@pytest.fixture
def cli(capsys):
    def run(*args: str) -> tuple[int, str, str]:
        status = main(list(args))
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return run


@pytest.fixture
def demo(tmp_path, cli):
    """The CLI on the shipped (demo) config and a fresh data directory."""

    def run(*args: str) -> tuple[int, str, str]:
        return cli("--config", str(CONFIG_DIR / "clikc.yaml"), "--data-dir", str(tmp_path / "var"), *args)

    return run


def test_version(cli):
    with pytest.raises(SystemExit) as exit_:
        cli("--version")
    assert exit_.value.code == 0


def test_version_names_the_installed_release(capsys):
    with pytest.raises(SystemExit):
        main(["--version"])
    assert re.fullmatch(r"clikc-bot \d+\.\d+\.\d+\S*\n", capsys.readouterr().out)


def _missing_settings(model, values: dict, skip: set[str], prefix: str = "") -> list[str]:
    """Dotted names of the model's fields (recursively) that `values` does not set."""
    from pydantic import BaseModel

    missing = []
    for name, field in model.model_fields.items():
        if name in skip:
            continue
        if name not in values:
            missing.append(prefix + name)
        elif isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            missing += _missing_settings(field.annotation, values[name] or {}, skip, f"{prefix}{name}.")
    return missing


# -- init ----------------------------------------------------------------------------------------


def test_init_writes_a_documented_production_configuration(tmp_path, cli):
    status, out, err = cli("init", str(tmp_path / "etc"))
    assert (status, err) == (0, "")
    assert "next:" in out and "config check" in out
    settings_text = (tmp_path / "etc" / "clikc.yaml").read_text(encoding="utf-8")
    settings = yaml.safe_load(settings_text)
    assert "samples" not in settings
    # every setting the bot reads is there (nested ones too), each with a comment
    assert _missing_settings(Settings, settings, skip={"samples"}) == []
    Settings.model_validate(settings)
    for line in settings_text.splitlines():
        if re.match(r"\s*\w+: \S", line):
            assert "#" in line, f"undocumented setting: {line}"
    sessions_text = (tmp_path / "etc" / "sessions.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(sessions_text) == []
    commented = [line.removeprefix("# ") for line in sessions_text.splitlines() if line.startswith("# ")]
    example = "\n".join(commented)
    assert "- id: community-call" in example


def test_init_writes_files_the_service_user_can_read(tmp_path, cli):
    """`clikc-bot` runs with umask 077, yet root's init must leave settings the `clikc` user reads."""
    cli("init", str(tmp_path / "etc" / "clikc-bot"))
    assert (tmp_path / "etc" / "clikc-bot").stat().st_mode & 0o777 == 0o755
    for name in ("clikc.yaml", "sessions.yaml"):
        assert (tmp_path / "etc" / "clikc-bot" / name).stat().st_mode & 0o777 == 0o644


def test_init_never_overwrites(tmp_path, cli):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "clikc.yaml").write_text("mine: true\n", encoding="utf-8")
    status, out, err = cli("init", str(tmp_path / "etc"))
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "already exists" in err
    assert (tmp_path / "etc" / "clikc.yaml").read_text(encoding="utf-8") == "mine: true\n"


def test_init_into_a_file_is_one_line(tmp_path, cli):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    status, _, err = cli("init", str(tmp_path / "file"))
    assert status == 2 and err.count("\n") == 1 and "not a folder" in err


def test_a_data_directory_made_by_init_holds_no_sample(tmp_path, cli):
    cli("init", str(tmp_path / "etc"))
    config = ["--config", str(tmp_path / "etc" / "clikc.yaml")]
    status, out, err = cli(*config, "index", "stats", "--json")
    assert (status, err) == (0, "")
    assert json.loads(out)["documents"] == 0
    status, out, _ = cli(*config, "ask", "precintos electrónicos", "--json")
    assert status == 0 and json.loads(out)["results"] == []
    assert (tmp_path / "etc" / "data" / "clikc.db").exists()  # data_dir: data, beside the settings


def test_production_config_uses_the_shipped_glossary_strings_and_countries(tmp_path, cli):
    cli("init", str(tmp_path / "etc"))
    config = load_config(tmp_path / "etc" / "clikc.yaml")
    for name in ("glossary.yaml", "countries.yaml", "strings.yaml"):
        assert config.shared_file(name) == default_config_dir() / name
    (tmp_path / "etc" / "glossary.yaml").write_text("{}\n", encoding="utf-8")
    assert config.shared_file("glossary.yaml") == (tmp_path / "etc" / "glossary.yaml").resolve()


# -- config check: what `run` needs ---------------------------------------------------------------


def test_config_check_fails_with_one_line_per_missing_essential(tmp_path, cli):
    cli("init", str(tmp_path / "etc"))
    status, out, err = cli("--config", str(tmp_path / "etc" / "clikc.yaml"), "config", "check")
    assert status == 2
    assert "settings ok" in out and "ready" not in out
    errors = [line for line in err.splitlines() if "warning:" not in line]
    assert [re.search(r"discord\.(\w+): not set", line).group(1) for line in errors] == [
        "guild",
        "index_channels",
        "review_channel",
    ]
    warnings = [line for line in err.splitlines() if "warning:" in line]
    assert len(warnings) == 3
    assert "only members with Manage Server" in warnings[0] and "announce_channel" in warnings[1]
    assert "library_channel" in warnings[2]  # nothing is published until it is set


def test_no_moderator_at_all_is_a_missing_essential(tmp_path, cli):
    cli("init", str(tmp_path / "etc"))
    settings = tmp_path / "etc" / "clikc.yaml"
    text = settings.read_text(encoding="utf-8").replace("manage_server: true ", "manage_server: false")
    settings.write_text(text, encoding="utf-8")
    status, _, err = cli("--config", str(settings), "config", "check")
    assert status == 2
    assert sum("discord.moderators: not set" in line for line in err.splitlines()) == 1


def test_config_check_passes_when_run_has_what_it_needs(tmp_path, cli):
    cli("init", str(tmp_path / "etc"))
    settings = tmp_path / "etc" / "clikc.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "\n" + READY, "utf-8")
    # a second top-level `discord:` key: YAML takes the last one, which names everything
    status, out, err = cli("--config", str(settings), "config", "check")
    assert (status, err) == (0, "")
    assert out.splitlines()[-1] == "ready for `run`"


def test_the_demo_config_warns_that_it_seeds_samples(demo):
    status, _, err = demo("config", "check")
    assert status == 2
    assert any("warning:" in line and "samples" in line for line in err.splitlines())


def test_run_refuses_to_start_without_the_essentials(tmp_path, cli, monkeypatch):
    monkeypatch.setenv("DISCORD_TOKEN", "not-used")
    cli("init", str(tmp_path / "etc"))
    status, out, err = cli("--config", str(tmp_path / "etc" / "clikc.yaml"), "run")
    assert status == 2 and out == ""
    assert sum("not set" in line and "warning" not in line for line in err.splitlines()) == 3
    assert "not-used" not in err


# -- samples are marked, and removable ------------------------------------------------------------


def test_seeded_samples_are_marked_in_answers_and_stats(demo):
    status, out, _ = demo("ask", "precintos electrónicos", "--json", "--limit", "3")
    results = json.loads(out)["results"]
    assert status == 0 and results and all(hit["sample"] is True for hit in results)
    status, out, _ = demo("ask", "precintos electrónicos", "--limit", "1")
    assert re.search(r"^1\. .*\[[^]]*, \w\w, sample\]$", out, re.M), out
    status, out, _ = demo("index", "stats")
    assert "sample documents (demo content): 26; remove: clikc-bot index remove --sample" in out


def test_documents_added_by_an_operator_are_not_marked(tmp_path, demo):
    note = tmp_path / "notes" / "ours.md"
    note.parent.mkdir()
    note.write_text("---\nid: ours\n---\nQuetzalwatch sensores en contenedores refrigerados.\n", "utf-8")
    demo("index", "add", str(note.parent))
    _, out, _ = demo("ask", "Quetzalwatch", "--json")
    assert [(hit["id"], hit["sample"]) for hit in json.loads(out)["results"]] == [("ours", False)]


def test_index_remove_by_id_deletes_from_database_and_index(demo):
    status, out, err = demo("index", "remove", "post-es-precintos-transito", "case-es-precintos-electronicos")
    assert (status, err) == (0, "")
    assert out == "removed 2 document(s): post-es-precintos-transito, case-es-precintos-electronicos\n"
    _, out, _ = demo("ask", "precintos electrónicos", "--json", "--limit", "50")
    found = {hit["id"] for hit in json.loads(out)["results"]}
    assert found and not found & {"post-es-precintos-transito", "case-es-precintos-electronicos"}
    _, out, _ = demo("index", "stats", "--json")
    assert json.loads(out)["documents"] == 24
    _, out, _ = demo("index", "rebuild")  # the database no longer has them either
    assert out == "rebuilt the search index: 24 documents\n"


def test_index_remove_unknown_id_is_one_line_and_removes_nothing(demo):
    status, out, err = demo("index", "remove", "post-es-precintos-transito", "no-such-doc")
    assert status == 2 and out == ""
    assert err == "clikc-bot: index remove: no document with id no-such-doc; nothing removed\n"
    _, out, _ = demo("index", "stats", "--json")
    assert json.loads(out)["documents"] == 26


def test_index_remove_by_kind(demo):
    status, out, _ = demo("index", "remove", "--kind", "case-study")
    assert status == 0 and out.startswith("removed 5 document(s): ")
    _, out, _ = demo("ask", "machine learning", "--kind", "case-study", "--json")
    assert json.loads(out)["results"] == []


def test_index_remove_by_source_file_or_folder(tmp_path, demo, monkeypatch):
    folder = tmp_path / "notes"
    (folder / "sub").mkdir(parents=True)
    for name, word in (("a.md", "Quetzalwatch"), ("sub/b.md", "Tortugachain"), ("c.md", "Manatimodel")):
        (folder / name).write_text(f"{word} pilot notes about sensors and ledgers.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    demo("index", "add", "notes")
    status, out, _ = demo("index", "remove", "--source", str(folder / "sub"))  # absolute, added relative
    assert (status, out) == (0, "removed 1 document(s): sub-b\n")
    status, out, _ = demo("index", "remove", "--source", "notes/a.md")
    assert (status, out) == (0, "removed 1 document(s): a\n")
    _, out, _ = demo("ask", "Quetzalwatch Tortugachain Manatimodel", "--json")
    assert [hit["id"] for hit in json.loads(out)["results"]] == ["c"]
    status, _, err = demo("index", "remove", "--source", "nowhere/")
    assert status == 2 and err == "clikc-bot: index remove: no document matches; nothing removed\n"


def test_index_remove_samples_leaves_an_operators_documents(tmp_path, demo):
    note = tmp_path / "ours.md"
    note.write_text("---\nid: ours\n---\nQuetzalwatch sensores.\n", "utf-8")
    demo("index", "add", str(note))
    status, out, _ = demo("index", "remove", "--sample")
    assert status == 0 and out.startswith("removed 26 document(s): ")
    _, out, _ = demo("index", "stats", "--json")
    assert json.loads(out)["documents"] == 1 and json.loads(out)["samples"] == 0


@pytest.mark.parametrize(
    "args, message",
    [
        ((), "name the documents"),
        (("x", "--kind", "post"), "not both"),
    ],
)
def test_index_remove_needs_exactly_one_way_to_name_documents(demo, args, message):
    status, out, err = demo("index", "remove", *args)
    assert status == 2 and out == "" and err.count("\n") == 1 and message in err


def test_installed_demo_writes_outside_the_package(monkeypatch, tmp_path):
    """The demo settings found as package data keep their data in the user's data folder."""
    import bot.config as config

    packaged = tmp_path / "site" / "bot" / "defaults"
    packaged.mkdir(parents=True)
    (packaged / "clikc.yaml").write_text((CONFIG_DIR / "clikc.yaml").read_text("utf-8"), "utf-8")
    monkeypatch.setattr(config, "packaged_config_dir", lambda: packaged)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home-data"))
    monkeypatch.delenv("CLIKC_DATA_DIR", raising=False)
    loaded = config.load_config(packaged / "clikc.yaml")
    assert loaded.data_dir == tmp_path / "home-data" / "clikc-bot"
    assert config.display_path(packaged / "clikc.yaml") == "(built-in) clikc.yaml"


def test_shipped_package_data_lists_every_data_folder():
    """setup.py ships each folder of config/ (samples, production templates) as package data."""
    setup_py = (ROOT / "setup.py").read_text(encoding="utf-8")
    assert 'find_namespace_packages(where="config")' in setup_py
    folders = {p.name for p in CONFIG_DIR.iterdir() if p.is_dir()}
    assert folders == {"samples", "production"}


def test_init_records_the_data_directory_it_is_given(tmp_path, cli):
    status, _, _ = cli("--data-dir", str(tmp_path / "state"), "init", str(tmp_path / "etc"))
    assert status == 0
    text = (tmp_path / "etc" / "clikc.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(text)["data_dir"] == str(tmp_path / "state")
    assert re.search(r"^data_dir: \S+ +# database", text, re.M)  # the comment stays
    config = load_config(tmp_path / "etc" / "clikc.yaml")
    assert config.data_dir == tmp_path / "state"


# -- fresh-machine truth --------------------------------------------------------------------------


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_third_party_module_the_code_imports_is_declared():
    """A module imported by the bot, the tests or the benchmarks must come from a declared
    distribution (runtime or the test extra), not from whatever the machine happens to have."""
    import ast
    import sys
    import tomllib
    from importlib import metadata

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["test"]
    declared = {_normalized(re.match(r"[A-Za-z0-9_.-]+", req).group(0)) for req in requirements}
    local = {"bot", "index", "tests", "benchmarks", "setuptools"}  # setuptools: setup.py's build backend
    modules: dict[str, str] = {}
    for folder in ("bot", "index", "tests", "benchmarks"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in local:
                        modules.setdefault(top, str(path.relative_to(ROOT)))
    providers = metadata.packages_distributions()
    undeclared = {
        module: where
        for module, where in modules.items()
        if not {_normalized(dist) for dist in providers.get(module, [module])} & declared
    }
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"


def test_ci_runs_the_readme_test_command_in_a_fresh_environment():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "\npip install -e '.[test]' && python -m pytest -q\n" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "grep -m1 -E \"^pip install -e '\\.\\[test\\]' && \" README.md" in ci
    assert "python3 -m venv" in ci and "--system-site-packages" not in ci.replace(
        "never --system-site-packages", ""
    )
    assert '"$status" -eq 5' in ci
