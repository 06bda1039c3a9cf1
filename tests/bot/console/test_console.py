"""The console adapter through its streams, as a script or a person would use it."""

import io
import os
import subprocess
import sys
from datetime import UTC, datetime

from bot.config import PROJECT_ROOT
from bot.console import Console
from index.documents import Document


def chat(app, script: str, locale: str = "en", greet: bool = True) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    console = Console(app, io.StringIO(script), out, err, locale=locale, user="moderadora")
    status = console.run(greet=greet)
    return status, out.getvalue(), err.getvalue()


def test_greets_with_a_hint_then_answers_a_bare_question(app):
    status, out, err = chat(app, "precintos electrónicos\n")
    lines = out.splitlines()
    assert lines[0].startswith("Hi! I'm the CLiKC! bot") and lines[1].startswith("Type a question")
    assert "1. " in out and "Ana" in out and "https://discord.com/channels/1/2/111" in out
    assert (status, err) == (0, "")


def test_greeting_in_the_chosen_language_and_quiet_mode(app):
    _, out, _ = chat(app, "", locale="pt")
    assert out.startswith("Olá!")
    _, out, _ = chat(app, "", greet=False)
    assert out == ""


def test_ask_with_options_and_more(app, kb):
    for i in range(7):
        kb.upsert(
            Document(
                id=f"b{i}",
                text=f"blockchain pilot {i}",
                author="Luis",
                technologies=("blockchain",),
                date=datetime(2024, 1, 1, tzinfo=UTC),
            )
        )
    status, out, err = chat(app, "ask blockchain --technology dlt --member Luis\nmore\nmore\n", greet=False)
    assert kb.searches[0][1].technology == "blockchain" and kb.searches[0][1].author == "Luis"
    assert "(5 of 7 shown; type more for the next ones)" in out
    assert "6. " in out and "(6–7 of 7 shown)" in out
    assert "Nothing more to show" in err and status == 2  # the third line was bad input


def test_bad_input_goes_to_stderr_and_the_session_goes_on(app):
    status, out, err = chat(
        app, "ask x --technology quantum\nask y --colour red\n!!!\nprecintos\n", greet=False
    )
    assert "clikc-bot: Unknown technology quantum: choose blockchain, iot or analytics." in err
    assert "unknown option --colour" in err
    assert "Please ask with a few words" in err
    assert "Ana" in out  # the last question was still answered
    assert status == 2


def test_localised_errors_and_no_results(app):
    _, out, err = chat(app, "ask x --kind tweet\nask x --type gossip\nzzzzzz\n", locale="es", greet=False)
    assert "Tipo desconocido tweet" in err
    assert "Tipo de documento desconocido gossip" in err
    assert "No encontré nada sobre «zzzzzz»" in out


def test_help_empty_lines_comments_and_quit(app, kb):
    status, out, _ = chat(app, "help\n\n# a comment\nquit\nprecintos\n", greet=False)
    assert "[ask] QUESTION" in out and "privacy optout|optin|status" in out
    assert kb.searches == []  # nothing after quit was read
    assert status == 0


def test_privacy_for_the_console_user_and_for_a_member(app, kb):
    _, out, _ = chat(
        app, "privacy status\nprivacy optout 42\nprivacy status 42\nprivacy optin 42\n", greet=False
    )
    lines = out.splitlines()
    assert lines[0].startswith("Your posts in the indexed channels are searchable")
    assert lines[1].startswith("Done: you are opted out. 1 of your posts")
    assert lines[2] == "You opted out on 2025-03-10: your posts are not indexed."
    assert lines[3].startswith("You are opted in again")
    assert kb.get("discord-111") is None
    _, _, err = chat(app, "privacy maybe\n", greet=False)
    assert "privacy: say optout, optin or status" in err


def test_stats_and_reindex(app, kb):
    _, out, _ = chat(app, "stats\nreindex\n", greet=False)
    assert out.splitlines()[0].startswith("2 documents — by kind:")
    assert out.splitlines()[1] == "Search index rebuilt from the database: 2 documents."
    assert kb.rebuilt == 1


def test_unexpected_failure_is_reported_not_raised(app, kb, monkeypatch, caplog):
    monkeypatch.setattr(kb, "stats", lambda: 1 / 0)
    status, out, err = chat(app, "stats\nhelp\n", greet=False)
    assert "Something went wrong on my side" in err and "[ask] QUESTION" in out
    assert "console command stats failed" in caplog.text


def test_clikc_bot_chat_answers_from_the_seeded_samples(tmp_path):
    """The README's first command on a fresh machine: piped, against the real knowledge base."""
    env = {**os.environ, "LANG": "C.UTF-8", "PYTHONPATH": str(PROJECT_ROOT)}
    env.pop("CLIKC_CONFIG", None)
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "--data-dir", str(tmp_path / "data"), "chat"],
        input="¿quién usa precintos electrónicos?\nquit\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("Hi!") and lines[1].startswith("Type a question")
    assert lines[2].startswith("1. ") or lines[3].startswith("1. ")
    assert "precinto" in proc.stdout.lower()


def test_submit_and_review_reuse_the_cli(app, tmp_path):
    case = tmp_path / "case.md"
    words = " ".join(["We trained a gradient boosting model on declarations to flag undervaluation."] * 8)
    case.write_text(
        f"---\ntitle: Risk engine pilot\nauthor: Aduana de Prueba\n---\n{words}\n", encoding="utf-8"
    )
    status, out, err = chat(app, f"submit {case}\nreview list\n", greet=False)
    assert out.startswith("Received cs-") and "Risk engine pilot" in out and "pending" in out
    sub_id = out.split()[1].rstrip(":")
    status, out, err = chat(
        app, f"review reject {sub_id} not a customs project\nreview show {sub_id}\n", greet=False
    )
    assert "rejected" in out and "not a customs project" in out, err
    _, _, err = chat(app, "review approve cs-000000\nreview frobnicate\nsubmit\n", greet=False)
    assert "No submission with id cs-000000" in err
    assert "invalid choice: 'frobnicate'" in err
    assert err.count("clikc-bot:") == 3


def test_sessions_listing_and_ics(app, tmp_path):
    ics = tmp_path / "s.ics"
    status, out, err = chat(app, f"sessions --limit 2\nsessions --ics {ics}\nsessions --ics -\n", greet=False)
    assert out.count("\n") >= 1 and "→" in out
    assert ics.read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert "--ics needs a file name" in err


# -- issue 13, item 8: console parity -----------------------------------------------------------


def _every_option(parser) -> set[str]:
    return {flag for action in parser._actions for flag in action.option_strings} - {"-h", "--help"}


def test_help_lists_every_option_of_the_commands_it_runs(app):
    """ask's options and those of the CLI commands the console runs (sessions, submit, review …)."""
    from bot.cli import build_parser
    from bot.console_usage import _subcommands
    from bot.search.asking import ask_parser

    _, out, _ = chat(app, "help\n", locale="es", greet=False)
    cli = _subcommands(build_parser())
    expected = _every_option(ask_parser()) | _every_option(cli["sessions"])
    expected |= _every_option(cli["submit"]) - {"--file"}  # the console takes the path first
    for action in _subcommands(cli["review"]).values():
        expected |= _every_option(action)
    missing = sorted(flag for flag in expected if not any(flag + end in out for end in " ]|"))
    assert not missing, missing
    for name in _subcommands(cli["review"]):
        assert f"review {name}" in out
    assert out.startswith("Bot de CLiKC! — lo que puedo hacer")


def test_messages_follow_the_chosen_language(app, kb):
    import re

    for i in range(7):
        kb.upsert(Document(id=f"p{i}", text=f"precintos electrónicos {i}", author="Ana"))
    status, out, err = chat(
        app,
        "more\nprivacy maybe\nsessions --ics -\nask x --lang xx\nprecintos --member Ana\nprivacy status\n",
        locale="fr",
        greet=False,
    )
    errors = err.splitlines()
    assert errors == [
        "clikc-bot: Plus rien à afficher : posez d'abord une question.",
        "clikc-bot: privacy : tapez optout, optin ou status "
        "(éventuellement suivi de l'identifiant d'un membre)",
        "clikc-bot: sessions : ici --ics demande un nom de fichier",
        "clikc-bot: Langue inconnue xx : choisissez en, es, fr ou pt.",
    ]
    assert re.search(r"\(5 sur \d+ affichées; tapez more pour les suivantes\)", out), out
    assert "[message, " in out, "the kind of content in French"
    assert out.rstrip().endswith("Tapez privacy optout pour les retirer.")


def test_console_never_tells_the_user_to_type_a_discord_command(app):
    """Every reply the console can print, in every language: no slash command in it."""
    import re

    from bot.console import Console

    slash = re.compile(r"(^|\s)/[a-z]")
    for lang in app.replies.languages:
        err = io.StringIO()
        console = Console(app, io.StringIO(), io.StringIO(), err, locale=lang, user="x")
        said = [console.t("greeting"), console.t("hint")]
        lines = ("privacy status", "help", "more", "ask", "privacy x", "sessions --ics -", "zzzz", "stats")
        for line in (*lines, "review list", "review outbox", "review show cs-000000", "submit"):
            said.append(console.handle(line) or "")
        text = "\n".join(said) + err.getvalue()
        assert not slash.search(text), (lang, text[slash.search(text).start() - 60 :][:120])


def test_the_cli_commands_the_console_runs_answer_in_its_language(app, tmp_path):
    """Receipts, review listings and stats follow --lang too, not only the console's own lines."""
    case = tmp_path / "case.md"
    words = " ".join(
        ["Entrenamos un modelo de riesgo con las declaraciones para detectar subvaloración."] * 8
    )
    case.write_text(
        f"---\ntitle: Motor de riesgo\nauthor: Aduana de Prueba\n---\n{words}\n", encoding="utf-8"
    )
    _, out, err = chat(app, f"submit {case}\nreview list\n", locale="es", greet=False)
    assert err == ""
    lines = out.splitlines()
    assert lines[0].startswith("Recibido cs-") and "a la espera de la revisión de un moderador" in lines[0]
    assert lines[1].startswith("  idioma: es · tecnologías: ") and "palabras" in lines[1]
    assert lines[2].split()[:5] == ["ID", "ESTADO", "ENVIADO", "MIEMBRO", "TÍTULO"]
    assert " pendiente " in lines[3]
    sub_id = lines[0].split()[1].rstrip(":")
    _, out, err = chat(
        app, f"review approve {sub_id}\nreview show {sub_id}\nstats\n", locale="fr", greet=False
    )
    assert out.startswith(f"Approuvée {sub_id} : « Motor de riesgo » est maintenant consultable"), (out, err)
    assert f"{sub_id}  [approuvée]  Motor de riesgo" in out and "  membre:     Aduana de Prueba" in out
    assert "Historique:" in out and "approuvée" in out.split("Historique:")[1]
    assert "étude de cas 1" in out, "kinds by name in stats"


def test_answers_name_countries_and_technologies_in_the_consoles_language(app):
    _, out, _ = chat(app, "blockchain pilots AEO\n", locale="es", greet=False)
    assert "Perú, México, Brasil" in out and "PE, MX" not in out
    assert "Blockchain / cadena de bloques, Internet de las cosas" in out, "technologies by name too"


def _submitted(app, tmp_path) -> str:
    """A pending case study submitted from the console; its id."""
    case = tmp_path / "case.md"
    words = " ".join(["We trained a gradient boosting model on declarations to flag undervaluation."] * 8)
    case.write_text(
        f"---\ntitle: Risk engine pilot\nauthor: Aduana de Prueba\n---\n{words}\n", encoding="utf-8"
    )
    _, out, _ = chat(app, f"submit {case}\n", greet=False)
    sub_id = out.split()[1].rstrip(":")
    return sub_id


def test_a_moderator_withdraws_a_case_study_from_the_console(app, tmp_path):
    sub_id = _submitted(app, tmp_path)
    _, out, err = chat(
        app, f"review approve {sub_id}\nreview withdraw {sub_id} published twice\n", "pt", False
    )
    assert err == "" and out.splitlines()[1].startswith(
        f"Retirado {sub_id}: “Risk engine pilot” saiu das buscas"
    )
    assert app.db.query("SELECT reason FROM submission_withdrawals")[0][0] == "published twice"


def test_errors_from_the_shared_services_follow_the_chosen_language(app, tmp_path):
    """An unknown id, a second review, a withdrawal of something never approved, or a second
    withdrawal: the console says each in its --lang, as Discord does, not in the services' English."""
    sub_id = _submitted(app, tmp_path)
    script = f"review withdraw {sub_id} too early\nreview approve {sub_id}\n"
    _, _, err = chat(app, script, locale="es", greet=False)
    assert err.splitlines() == [
        f"clikc-bot: {sub_id} está pendiente: solo se puede retirar un estudio de caso aprobado."
    ]
    expected = {
        "es": [
            "No hay ningún envío con el id cs-000000",
            "ya estaba aprobado por ",
            "ya estaba retirado",
        ],
        "fr": [
            "Aucun envoi avec l'id cs-000000",
            "était déjà approuvée par ",
            "était déjà retirée",
        ],
        "pt": ["Não há envio com o id cs-000000", "já estava aprovado por ", "já estava retirado"],
    }
    for lang, (unknown, reviewed, _) in expected.items():
        script = f"review show cs-000000\nreview reject {sub_id} late\n"
        status, _, err = chat(app, script, locale=lang, greet=False)
        lines = err.splitlines()
        assert status == 2 and len(lines) == 2, (lang, err)
        assert unknown in lines[0] and reviewed in lines[1], (lang, err)
    _, _, err = chat(app, f"review withdraw {sub_id} published twice\n", locale="pt", greet=False)
    assert err == ""
    for lang, (*_, withdrawn) in expected.items():
        _, _, err = chat(app, f"review withdraw {sub_id} again\n", locale=lang, greet=False)
        assert withdrawn in err and "withdrawn" not in err, (lang, err)
