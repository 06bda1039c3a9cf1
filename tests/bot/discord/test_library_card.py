"""The library post's card stays within Discord's limits and speaks the server's language."""

from __future__ import annotations

from pathlib import Path

from bot.discord.cogs.library import post_embed
from bot.discord.render import TOTAL, embed_units
from bot.search.library_posts import PostContent


def content(**changes) -> PostContent:
    fields = dict(
        doc_id="case-study:cs-123abc",
        kind="case-study",
        title="Precintos electrónicos",
        author="SUNAT Perú",
        summary="Precintos con GPS en el tránsito.",
        technologies=("iot", "analytics"),
        lang="es",
        link="https://example.org/precintos",
        submission_id="cs-123abc",
        file_path=Path("/nonexistent"),
        file_name="caso.md",
    )
    fields.update(changes)
    return PostContent(**fields)


def test_the_card_in_the_servers_language(app):
    embed = post_embed(content(), app.replies, "es-ES")
    facts = embed.fields[0].value
    assert "*estudio de caso*" in facts and "**Administración:** SUNAT Perú" in facts
    assert "Internet de las cosas" in facts and "español" in facts
    assert "Enlace original: https://example.org/precintos" in facts
    assert embed.footer.text == "Estudio de caso cs-123abc"


def test_a_huge_document_still_fits_in_one_embed(app):
    embed = post_embed(content(title="T" * 400, summary="x " * 5000, author="A" * 3000), app.replies, "en")
    assert len(embed.title) <= 256 and len(embed.description) <= 4096
    assert all(len(f.value) <= 1024 for f in embed.fields) and embed_units(embed) <= TOTAL


def test_no_link_line_for_something_that_is_not_a_web_address(app):
    embed = post_embed(content(link="javascript:alert(1)", submission_id=""), app.replies, "en")
    assert "Original link" not in embed.fields[0].value and embed.footer.text is None
