import pytest

from bot.search.asking import AskRequest, UnknownChoice, parse_ask, search, technology_choices
from index.errors import InputError


def test_plain_question_keeps_quotes_and_apostrophes():
    req = parse_ask("qu'est-ce que l'OEA? \"blockchain\"")
    assert req == AskRequest("qu'est-ce que l'OEA? \"blockchain\"")


def test_options_and_aliases():
    req = parse_ask('who uses seals --tech IoT --kind workshop --member "Ana Pérez" --lang ES')
    assert req == AskRequest("who uses seals", "iot", "workshop-summary", "Ana Pérez", "es")
    assert parse_ask("riesgo -t ai").technology == "analytics"
    assert parse_ask("who uses seals --type reports").doc_type == "experience"
    assert parse_ask("slides -y links").filters().doc_type == "resource"


@pytest.mark.parametrize(
    "line", ["x --technology quantum", "x --kind tweet", "x --lang de", "x --type gossip"]
)
def test_unknown_choices(line):
    with pytest.raises(UnknownChoice):
        parse_ask(line)


def test_unknown_option_and_missing_value():
    with pytest.raises(InputError, match="unknown option --colour"):
        parse_ask("x --colour red")
    with pytest.raises(InputError):
        parse_ask("x --technology")


def test_search_passes_filters(kb):
    answer = search(kb, parse_ask("precintos --technology iot"), limit=3)
    assert [h.id for h in answer.results] == ["discord-111"]
    assert kb.searches[-1][1].technology == "iot"
    with pytest.raises(InputError):
        search(kb, AskRequest("  "), limit=3)


def test_technology_autocomplete():
    labels = {"iot": "Internet de las cosas"}
    assert technology_choices("", labels)[1] == ("Internet de las cosas", "iot")
    assert technology_choices("cosas", labels) == [("Internet de las cosas", "iot")]
    assert technology_choices("bl", labels) == [("blockchain", "blockchain")]
