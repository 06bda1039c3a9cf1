"""Answers that put experiences first: document types, concepts scored once, spelling that knows the
four languages, counts over all matches."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import yaml

from index.analysis import fold, stem
from index.documents import Filters
from index.language import LanguageDetector
from index.search_engine import SearchPlan
from index.tagger import Tagger
from tests.conftest import CONFIG_DIR, open_kb, post

REPORT_EN = (
    "We fitted electronic seals with GPS on transit trucks between the port and the border. "
    "The e-seals report their position every five minutes and any tampering to our control room. "
    "Escorts were dropped and transit time fell by a third."
)
QUESTION_ES = "¿Alguien usa precintos electrónicos en el tránsito? ¿Qué proveedor eligieron? Gracias."
TERMS_LIST = (
    "Términos de la sesión:\n"
    "- precinto electrónico / electronic seal / scellé électronique / lacre eletrônico\n"
    "- rastreo GPS / GPS tracking / suivi GPS / rastreamento GPS\n"
    "- tránsito / transit / transit / trânsito"
)
SLIDES_EN = "Slides of the blockchain session are online: https://example.org/blockchain-slides.pdf"
SLIDES_QUESTION_ES = "¿Alguien sabe dónde están las diapositivas de la sesión de blockchain? Gracias."
LEDGER_REPORT_PT = (
    "Testamos uma blockchain para os certificados de origem com um país vizinho: a aduana de destino "
    "confere o certificado na hora e as consultas por e-mail acabaram."
)


def ids(answer) -> list[str]:
    return [hit.id for hit in answer.results]


def test_a_report_in_another_language_outranks_the_same_question_asked_in_the_askers(kb):
    kb.upsert_many([post("report", REPORT_EN), post("question", QUESTION_ES), post("terms", TERMS_LIST)])
    answer = kb.search("¿quién usa precintos electrónicos en el tránsito?")
    assert ids(answer)[0] == "report"
    assert {hit.id: hit.doc_type for hit in answer.results} == {
        "report": "experience",
        "question": "question",
        "terms": "other",
    }


def test_a_resource_request_prefers_the_post_that_shares_it(kb):
    kb.upsert_many(
        [
            post("slides", SLIDES_EN),
            post("asking", SLIDES_QUESTION_ES),
            post("ledger", LEDGER_REPORT_PT),
        ]
    )
    assert ids(kb.search("¿dónde están las diapositivas de blockchain?"))[0] == "slides"
    assert ids(kb.search("blockchain experiences"))[0] == "ledger"


def test_a_concept_named_in_four_languages_on_one_line_is_one_mention(kb):
    tagger = Tagger(kb.glossary, kb.countries, LanguageDetector())
    listed = tagger.tag(post("terms", TERMS_LIST)).concepts
    reported = tagger.tag(post("report", REPORT_EN)).concepts
    assert listed["e-seal"] == 1
    assert reported["e-seal"] == 2  # two sentences talk about the seals


def test_the_document_about_a_concept_beats_the_one_that_lists_it(kb):
    agenda = (
        "Agenda: 9:00 blockchain for AEO. 10:00 electronic seals. 11:00 drones. "
        "12:00 machine learning. 14:00 RFID at borders. 15:00 chatbots."
    )
    drones = "We flew drones with thermal cameras along the river border and caught smugglers at night."
    kb.upsert_many([post("agenda", agenda), post("drones", drones)])
    assert ids(kb.search("drones"))[0] == "drones"


def test_real_words_are_never_corrected(kb):
    kb.upsert_many(
        [
            post("training", "Capacitamos a los funcionarios en análisis de datos con un curso de Python."),
            post("drone", "Probamos un dron en la frontera."),
        ]
    )
    answer = kb.search("¿qué capacitación en datos dieron a los funcionarios?")
    assert answer.did_you_mean is None
    assert ids(answer)[0] == "training"
    assert kb.search("quelles administrations utilisent des drones ?").did_you_mean is None


def test_did_you_mean_is_shown_only_when_it_changed_the_answers(kb):
    kb.upsert_many([post("report", REPORT_EN), post("ledger", LEDGER_REPORT_PT)])
    helped = kb.search("blokchain certificates")
    assert helped.did_you_mean == "blockchain certificates"
    assert ids(helped)[0] == "ledger"
    # "dronne" is no word of the four languages and is near the glossary's "drone", but no document
    # is about drones: the suggestion would change nothing, so it is not shown.
    unhelped = kb.search("electronic seals dronne")
    assert unhelped.did_you_mean is None
    assert ids(unhelped)[0] == "report"


def test_counts_cover_every_match_not_only_the_page(kb):
    kb.upsert_many(
        [post(f"r{i}", REPORT_EN.replace("port", f"port number {i}")) for i in range(6)]
        + [post("question", QUESTION_ES), post("terms", TERMS_LIST)]
    )
    answer = kb.search("electronic seals", limit=2)
    assert len(answer.results) == 2 and answer.total == 8
    assert answer.counts["type"] == {"experience": 6, "question": 1, "other": 1}
    assert answer.counts["technology"] == {"iot": 8}
    assert sum(answer.counts["kind"].values()) == 8
    only = kb.search("electronic seals", Filters(doc_type="question"))
    assert ids(only) == ["question"] and only.counts["type"] == {"question": 1}


def test_an_older_database_gets_the_type_column_on_open(tmp_path: Path):
    data = tmp_path / "data"
    data.mkdir()
    with sqlite3.connect(data / "clikc.db") as conn:  # the documents table as it was before types
        conn.execute(
            "CREATE TABLE documents (id TEXT PRIMARY KEY, kind TEXT NOT NULL, title TEXT NOT NULL DEFAULT '',"
            " text TEXT NOT NULL, author TEXT NOT NULL DEFAULT '', date TEXT, url TEXT NOT NULL DEFAULT '',"
            " source TEXT NOT NULL DEFAULT '', lang TEXT NOT NULL DEFAULT '',"
            " technologies TEXT NOT NULL DEFAULT '[]', meta TEXT NOT NULL DEFAULT '{}', author_id TEXT,"
            " content_hash TEXT NOT NULL, tags TEXT NOT NULL DEFAULT '{}', updated_at TEXT NOT NULL)"
        )
        conn.execute(
            "INSERT INTO documents (id, kind, text, content_hash, updated_at)"
            " VALUES ('old', 'post', ?, 'x', '2023-01-01')",
            (QUESTION_ES,),
        )
    kb = open_kb(data)  # adds the column, and the new index fingerprint rebuilds (re-deriving types)
    try:
        assert kb.store.counts()["type"] == {"question": 1}
        assert kb.search("precintos").results[0].doc_type == "question"
    finally:
        kb.close()


def test_a_real_word_written_with_its_accent_is_not_corrected():
    """ "groupée" folds to "groupee", which the French stemmer no longer reads as a feminine ending."""
    from index.dictionary import is_word

    assert is_word("groupee", "groupée")
    assert not is_word("blokchain", "blokchain")


def test_a_left_out_letter_is_corrected_before_a_changed_one():
    from index.query import _only_adds

    assert _only_adds("chek", "check")
    assert not _only_adds("chek", "chez")
    assert not _only_adds("chek", "chek")


def test_the_words_that_frame_a_question_are_not_searched_when_it_has_others(kb):
    kb.upsert_many([post("report", REPORT_EN), post("question", QUESTION_ES)])

    def searched_texts(question: str) -> set[str]:
        plan = SearchPlan(kb.queries.build(question).clauses)
        return {text for _field, text in plan.terms()}

    searched = searched_texts("¿qué aduanas usan drones?")
    assert not any(text.startswith(("aduan", "usan")) for text in searched)
    assert any(text.startswith("dron") for text in searched)
    # A question of framing words only is still searched by them.
    only_framing = searched_texts("which administrations?")
    assert any(text.startswith("administr") for text in only_framing)


def test_the_author_names_the_country_a_report_does_not(kb):
    """A case study signed by its administration, or a member whose handle names theirs, reports on
    that country without writing its name: a question naming the country finds it first."""
    tagger = Tagger(kb.glossary, kb.countries, LanguageDetector())
    ml_report = "Usamos aprendizado de máquina na seleção das declarações desde 2014; o acerto dobrou."
    assert tagger.tag(post("handle", ml_report, author="risco_rfb")).countries == ("BR",)
    assert tagger.tag(post("signed", ml_report, author="SUNAT - Aduanas (Perú)")).countries == ("PE",)
    assert tagger.tag(post("member", ml_report, author="maria_ventanilla")).countries == ()
    chile = "Nuestro piloto en Chile con aprendizaje automático."
    named = tagger.tag(post("both", chile, author="risco_rfb"))
    assert named.countries == ("CL", "BR")  # the country the text names first

    other = "We use machine learning to select declarations for inspection; the hit rate doubled."
    kb.upsert_many([post("other", other, author="jm_risk"), post("brazil", ml_report, author="risco_rfb")])
    assert ids(kb.search("Brazil machine learning risk selection"))[0] == "brazil"


def test_spanish_and_portuguese_plurals_meet_their_singular(kb):
    """Snowball's Spanish and Portuguese stemmers keep the -s of "robots" and the -ns of "imagens",
    and once accents are folded the Portuguese one takes "caminhoes" for another word than "caminhao"."""
    assert stem("es", "robots") == stem("es", "robot")
    assert stem("es", "dashboards") == stem("es", "dashboard")
    assert stem("pt", "chatbots") == stem("pt", "chatbot")
    assert stem("pt", "imagens") == stem("pt", "imagem")
    assert stem("pt", "caminhoes") == stem("pt", "caminhao")  # folded caminhões, caminhão
    assert stem("pt", "declaracoes") == stem("pt", "declaracao")
    assert stem("pt", "orgaos") == stem("pt", "orgao")
    assert stem("fr", "declaree") == stem("fr", "declare")  # folded déclarée, déclaré
    assert stem("fr", "douanieres") == stem("fr", "douanier")
    assert stem("es", "contenedores") == stem("es", "contenedor")  # what the stemmer did already
    assert stem("en", "robots") == "robot" and stem("es", "gps") == "gps"
    assert kb.queries.build("¿quién usa robots de software?").concepts == ["robotic-process-automation"]
    assert "truck" in kb.queries.build("rastreamento de caminhões").concepts  # the glossary says caminhão


def test_nouns_in_er_and_portuguese_al_and_vel_meet_their_plural(kb):
    """The Spanish and French stemmers strip -er as a verb's ending from "taller" and "scanner" but
    not from "talleres" and "scanners"; Portuguese -al and -vel have their plurals in -ais and -veis."""
    assert stem("es", "talleres") == stem("es", "taller")
    assert stem("es", "escaneres") == stem("es", "escaner")  # folded escáneres, escáner
    assert stem("fr", "scanners") == stem("fr", "scanner")
    assert stem("fr", "premiers") == stem("fr", "premier")  # -iers: what the stemmer did already
    assert stem("pt", "moveis") == stem("pt", "movel")  # folded móveis, móvel
    assert stem("pt", "postais") == stem("pt", "postal")
    assert stem("pt", "perfis") == stem("pt", "perfil")  # perfis de risco, perfil de risco
    assert "geofencing" in kb.queries.build("quem usa cercas virtuais?").concepts  # glossary: cerca virtual
    assert "workshop" in kb.queries.build("talleres regionales de 2024").concepts  # the glossary says taller
    assert "mobile-scanner" in kb.queries.build("escáneres portátiles en la frontera").concepts
    assert "mobile-scanner" in kb.queries.build("scanners portables aux postes frontières").concepts


def test_trade_facilitation_measures_are_concepts_in_every_language(kb):
    """Advance rulings and pre-arrival processing, named in one language, find reports in another."""
    ruling_fr = (
        "Depuis 2023 nos décisions anticipées de classement tarifaire se demandent en ligne; "
        "le délai de réponse est passé de 90 à 30 jours."
    )
    prearrival_en = "We started pre-arrival processing of manifests: 70% of boxes leave on arrival."
    classifying = "Our machine learning model now suggests the tariff classification of every declaration."
    kb.upsert_many([post("ruling", ruling_fr), post("prearrival", prearrival_en), post("hs", classifying)])
    assert ids(kb.search("¿quién da resoluciones anticipadas de clasificación arancelaria?"))[0] == "ruling"
    assert ids(kb.search("procesamiento previo a la llegada"))[0] == "prearrival"
    assert kb.queries.build("simulacro de phishing").concepts == ["phishing"]


def test_a_glossary_term_names_one_concept():
    """A term in two concepts would tag a post with both and count it for questions about either."""
    glossary = yaml.safe_load((CONFIG_DIR / "glossary.yaml").read_text(encoding="utf-8"))
    owners: dict[tuple[str, str], set[str]] = {}
    for concept_id, concept in glossary.items():
        for lang in ("any", "en", "es", "fr", "pt"):
            for term in concept.get(lang, []):
                owners.setdefault((lang, fold(term.lower())), set()).add(concept_id)
    assert {key: ids for key, ids in owners.items() if len(ids) > 1} == {}


def test_a_short_name_that_is_a_common_word_counts_only_as_written(kb):
    """Brazilian members call their administration "a Receita"; "receita" is also revenue (and a
    recipe). Capitalised inside a sentence it names Brazil; lower case, or opening a sentence, it
    names nothing."""
    tagger = Tagger(kb.glossary, kb.countries, LanguageDetector())
    named = "Resumo da palestra da Receita: a seleção de risco com IA já roda nos aeroportos."
    assert tagger.tag(post("named", named)).countries == ("BR",)
    assert tagger.tag(post("quoted", 'Segundo a "Receita", o piloto terminou.')).countries == ("BR",)
    revenue = "A receita aduaneira subiu 8% com a nova seleção de risco."
    assert tagger.tag(post("revenue", revenue)).countries == ()
    opening = "Projeto piloto concluído. Receita extra de 2 milhões no primeiro ano."
    assert tagger.tag(post("opening", opening)).countries == ()
    assert tagger.tag(post("first", "Receita do bolo de milho para a festa.")).countries == ()


def test_risk_selection_is_the_risk_engine_in_every_language(kb):
    """English and French stem "selection" like "selectivity"; Spanish and Portuguese do not, so
    their "selección de riesgo" / "seleção de risco" are glossary terms of their own."""
    for lang, text in (
        ("en", "risk selection"),
        ("es", "selección de riesgo"),
        ("fr", "sélection des risques"),
        ("pt", "seleção de risco"),
        ("pt", "seleção aduaneira"),
    ):
        assert "risk-engine" in kb.glossary.find(text, [lang]), (lang, text)
