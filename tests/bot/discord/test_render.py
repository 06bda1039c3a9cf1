from datetime import UTC, datetime

import discord
import pytest

from bot.config import DEFAULT_CONFIG
from bot.discord import render
from bot.replies import Replies
from bot.text.truncate import length
from index.documents import Answer, Hit

LONG = (
    "Precintos electrónicos 🇲🇽 y **blockchain** — scellés électroniques 👩🏽‍💻 lacres eletrônicos e\u0301 "
    * 200
)


@pytest.fixture(scope="module")
def replies():
    return Replies.load(DEFAULT_CONFIG.parent / "strings.yaml")


def hit(n: int, **kw) -> Hit:
    base = dict(
        id=f"d{n}",
        kind="post",
        title="",
        snippet="Usamos **precintos** electrónicos",
        score=1.0,
        lang="es",
        technologies=("iot",),
        author="Ana",
        date=datetime(2024, 5, 2, tzinfo=UTC),
        url=f"https://discord.com/channels/1/2/{n}",
        countries=("Perú",),
    )
    base.update(kw)
    return Hit(**base)


def test_answer_embed_shows_snippet_who_when_administration_link(replies):
    embed = render.answer_embed(
        Answer("precintos", [hit(1)], total=7, did_you_mean="precinto"), replies, "es-ES"
    )
    assert embed.title == "Respuestas para: precintos"
    assert "¿Quiso decir «precinto»?" in embed.description
    field = embed.fields[0]
    assert field.name == "1. Mensaje"
    assert "**precintos**" in field.value and "por Ana" in field.value and "<t:1714608000:D>" in field.value
    assert (
        "Administración: Perú" in field.value and "[abrir](https://discord.com/channels/1/2/1)" in field.value
    )
    assert embed.footer.text == "1–1 de 7"


def test_a_naive_date_is_refused_rather_than_read_in_the_servers_zone(replies):
    with pytest.raises(ValueError, match="timezone-aware"):
        render.hit_field(hit(1, date=datetime(2024, 5, 2)), 1, replies, "es-ES")


def test_no_results_and_unknown_locale_falls_back_to_english(replies):
    embed = render.answer_embed(Answer("zzz", [], total=0), replies, "ja")
    assert "I found nothing about “zzz”" in embed.description and not embed.fields


def test_non_http_url_is_not_linked(replies):
    embed = render.answer_embed(Answer("q", [hit(1, url="seed/ws.md", title="Workshop")], 1), replies, "en")
    assert "](" not in embed.fields[0].value and "*post*" in embed.fields[0].value


def test_long_multilingual_answers_fit_every_limit(replies):
    hits = [hit(n, title=LONG[:400], snippet=LONG, author="Ana " * 100) for n in range(30)]
    embed = render.answer_embed(Answer(LONG, hits, total=30, did_you_mean=LONG), replies, "fr")
    assert length(embed.title) <= render.TITLE
    assert length(embed.description or "") <= render.DESCRIPTION
    assert len(embed.fields) <= render.FIELDS
    assert all(length(f.name) <= 256 and length(f.value) <= 1024 for f in embed.fields)
    assert render.embed_units(embed) <= render.TOTAL
    assert all(f.value.count("**") % 2 == 0 for f in embed.fields)
    discord.Embed.from_dict(embed.to_dict())  # still a valid embed


def test_message_is_cut_to_2000(replies):
    assert length(render.message(LONG)) <= 2000


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en-US", "Administration: Haiti, Dominican Republic"),
        ("es-ES", "Administración: Haití, República Dominicana"),
        ("fr", "Administration: Haïti, République dominicaine"),
        ("pt-BR", "Administração: Haiti, República Dominicana"),
    ],
)
def test_countries_are_named_in_the_readers_language(replies, locale, expected):
    embed = render.answer_embed(Answer("q", [hit(1, countries=("HT", "DO"))], total=1), replies, locale)
    value = embed.fields[0].value
    names = expected.split(": ", 1)[1]
    assert f"{replies.get('administration', locale)}: {names}" in value and "HT" not in value


def test_sample_answers_are_marked_in_the_readers_language(replies):
    answer = Answer("precintos", [hit(1, sample=True), hit(2)], total=2)
    spanish = render.answer_embed(answer, replies, "es-ES")
    assert "**ejemplo (contenido de demostración)**" in spanish.fields[0].value
    assert "ejemplo" not in spanish.fields[1].value
    english = render.answer_embed(answer, replies, "en-US")
    assert "**sample (demo content)**" in english.fields[0].value
