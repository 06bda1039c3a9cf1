"""What a document is, from its text, in each of the four languages (examples written for these tests,
not taken from any evaluation set)."""

from __future__ import annotations

import pytest

from index.doctype import classify, wanted

EXAMPLES = {
    "experience": [
        (
            "en",
            "Last year we installed scanners at the northern crossing and trained twelve officers. "
            "Inspection time fell by 30% and we found two hidden compartments in the first month.",
        ),
        (
            "es",
            "Les comparto lo que hicimos: implementamos un sistema de citas para los camiones en el puerto. "
            "Las colas bajaron de cinco horas a una y media en tres meses.",
        ),
        (
            "fr",
            "Retour d'expérience : nous avons mis en place un tableau de bord des mainlevées. "
            "Le délai moyen a baissé de 40 % en un semestre.",
        ),
        (
            "pt",
            "Aqui na nossa alfândega testamos a conferência remota por vídeo. "
            "O tempo médio de liberação caiu pela metade e os fiscais aprovaram.",
        ),
    ],
    "question": [
        (
            "en",
            "Does anyone have experience with mobile scanners on ferries? How did you choose the supplier?",
        ),
        ("es", "¿Alguna aduana usa escáneres móviles en los transbordadores? ¿Cómo eligieron al proveedor?"),
        ("fr", "Quelqu'un a-t-il déjà utilisé des scanners mobiles sur les ferries ? Merci d'avance."),
        ("pt", "Alguém já usou scanners móveis nas balsas? Como vocês escolheram o fornecedor?"),
    ],
    "event": [
        ("en", "Save the date: next session on port community systems, 4 March 2025 at 15:00 UTC."),
        ("es", "Próxima sesión del grupo: 12 de mayo de 2025, 10:00 hora de Lima. Inscripciones abiertas."),
        ("fr", "Annonce : la prochaine séance aura lieu le 3 juin à 14 h UTC. Inscription par courriel."),
        ("pt", "Aviso: a próxima sessão será no dia 8 de julho, às 16h UTC. Inscrições pelo formulário."),
    ],
    "resource": [
        ("en", "Slides from the ferry scanning talk are here: https://example.org/ferry-slides.pdf"),
        ("es", "Ya está disponible la grabación de la charla: https://example.org/grabacion-charla"),
        ("fr", "Voici l'enregistrement de la séance : https://example.org/seance-video"),
        ("pt", "Segue o link da apresentação sobre balsas: https://example.org/apresentacao-balsas"),
    ],
    "other": [
        (
            "en",
            "Terms for the session:\n- port community system / sistema portuario\n"
            "- appointment system / système de rendez-vous\n- ferry / transbordador / balsa",
        ),
        ("es", "Feliz fin de año a todo el grupo."),
        ("fr", "Bienvenue aux nouveaux membres du groupe."),
        ("pt", "Boa tarde a todos do grupo."),
    ],
}


@pytest.mark.parametrize(
    ("expected", "lang", "text"),
    [(kind, lang, text) for kind, examples in EXAMPLES.items() for lang, text in examples],
)
def test_classify_in_every_language(expected: str, lang: str, text: str):
    assert classify(text) == expected, lang


def test_a_case_study_is_a_report_whatever_its_wording():
    assert classify("How can transit be made faster? This is what was tried.", "case-study") == "experience"


def test_a_report_that_ends_by_asking_something_back_stays_a_report():
    text = (
        "In our port we connected the scanner images to the risk engine in 2023; we now review 15% "
        "fewer containers and seizures went up. Has anyone else tried this?"
    )
    assert classify(text) == "experience"


def test_a_question_about_an_event_is_a_question():
    assert classify("Is the webinar on scanners at 15:00 UTC or Washington time? Thanks!") == "question"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("where are the slides from the scanner session?", "resource"),
        ("¿dónde está la grabación del webinario?", "resource"),
        ("lien vers la présentation sur les scanners", "resource"),
        ("When is the next session on scanners?", "event"),
        ("¿cuándo es la próxima sesión?", "event"),
        ("quelles administrations utilisent des scanners ?", "experience"),
        ("quem usa scanners móveis?", "experience"),
        ("Quando começa o curso de scanners?", "event"),
        ("¿Cuándo empieza el taller sobre escáneres?", "event"),
        ("quand commence la formation sur les scanners ?", "event"),
    ],
)
def test_what_a_question_asks_for(question: str, expected: str):
    assert wanted(question) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Two ports now share scanner images: a container is scanned once instead of twice, "
        "which saves about twenty minutes per truck.",
        "La aduana del sur firmó un convenio con el puerto y redujo a la mitad el tiempo de espera.",
        "Désormais les ferries sont contrôlés au scanner mobile au lieu du déchargement complet.",
        "A alfândega do norte implantou balanças dinâmicas e o tempo de pesagem caiu pela metade.",
    ],
)
def test_a_report_told_in_the_third_person_is_a_report(text: str):
    """What an administration did, told by someone else, is what members ask for as much as a
    first-person account: "now share", "firmó", "désormais", "implantou"."""
    assert classify(text) == "experience"


@pytest.mark.parametrize(
    "text",
    [
        # one reported change and nothing asked
        "En Guyane, les demandes de décisions anticipées se font maintenant en ligne.",
        # news of what was done, with figures, and a question only at the end
        "The port authority retired its blockchain platform after 4 years: only 12 of 60 carriers "
        "ever joined, so it was never viable. Lesson for customs: get the carriers on board first. "
        "Anyone else relying on it?",
    ],
)
def test_a_short_report_or_news_of_what_was_done_is_a_report(text: str):
    assert classify(text) == "experience"


def test_an_announcement_whose_only_figures_are_its_dates_is_no_report():
    text = "Recordatorio: reunión anual del 28 de noviembre, inscripción hasta el 21 de noviembre."
    assert classify(text) != "experience"
