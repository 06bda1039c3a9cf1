"""A long case study sent through /submit is published as sections, like `index add` does for long
files (issue 14): each found and linked on its own, the case study still one unit to edit, reject,
forget or reconcile."""

from __future__ import annotations

import pytest

from bot.casestudies.model import SubmissionForm, Upload
from index.sections import SECTION_OF, SectionLabels
from tests.bot.casestudies.test_submissions import MOD_BY_ID, SUBMITTER, Clock, make_service
from tests.web.site import make_app, publish

PARRAFO = (
    "La aduana conectó los precintos electrónicos del tránsito con su motor de riesgo y con los "
    "puertos, y aprendió a capacitar a los transportistas antes del despliegue."
)
SPANISH = SectionLabels("pág. {page}", "págs. {first}–{last}", "parte {number} de {total}")


def chapter(n: int) -> str:
    """A made-up word found under one heading only."""
    return f"capzq{'abcdefghij'[n]}vex"


def long_case(headings: bool = True) -> bytes:
    lines = ["---", "title: Precintos en tránsito", "author: SUNAT", "---"]
    for n in range(1, 4):
        if headings:
            lines.append(f"## Capítulo {n}")
        lines.append(f"{chapter(n)} " + " ".join([PARRAFO] * 8))
        lines.append("")
    return "\n".join(lines).encode()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def db(kb):
    return kb.store.db


@pytest.fixture
def service(db, tmp_path, kb, clock):
    return make_service(db, tmp_path, kb, clock, section_chars=1_500, section_labels={"es": SPANISH})


def submit(service, data: bytes):
    return service.submit(SubmissionForm(file=Upload("caso.md", data)), SUBMITTER).submission


def section_ids(kb, doc_id: str) -> list[str]:
    return kb.store.section_ids([doc_id])


def test_a_long_case_study_is_published_as_sections(service, kb):
    sub = submit(service, long_case())
    service.approve(MOD_BY_ID, sub.id)
    parts = section_ids(kb, sub.doc_id)
    assert len(parts) >= 3
    assert all(kb.get(part).meta[SECTION_OF] == sub.doc_id for part in parts)
    hit = kb.search(chapter(2)).results[0]
    assert hit.id in parts and hit.title == "Precintos en tránsito — Capítulo 2"
    assert chapter(3) not in kb.get(hit.id).text
    assert kb.get(sub.doc_id).title == "Precintos en tránsito"  # the case study itself stays


def test_without_headings_the_parts_are_labelled_in_the_case_studys_language(service, kb):
    sub = submit(service, long_case(headings=False))
    service.approve(MOD_BY_ID, sub.id)
    titles = [kb.get(part).title for part in section_ids(kb, sub.doc_id)]
    assert titles[1].startswith("Precintos en tránsito — parte 2 de "), titles


def test_a_sectioned_case_study_stays_one_unit(service, kb, db, tmp_path, clock):
    sub = submit(service, long_case())
    service.approve(MOD_BY_ID, sub.id)
    before = section_ids(kb, sub.doc_id)
    service.edit(MOD_BY_ID, sub.id, title="Precintos y riesgo")
    after = section_ids(kb, sub.doc_id)
    assert after == before and kb.get(after[0]).title.startswith("Precintos y riesgo — ")
    # a restart reconciles the published case studies: the sections are not strays
    make_service(db, tmp_path, kb, clock, section_chars=1_500)
    assert section_ids(kb, sub.doc_id) == before
    # forgetting the member removes the case study with all of its sections, from the index too
    service.member_data().forget(SUBMITTER.id)
    assert kb.get(sub.doc_id) is None and section_ids(kb, sub.doc_id) == []
    assert kb.search(chapter(2)).results == []
    assert kb.store.existing_ids(before) == set()


def test_a_short_case_study_stays_one_document(service, kb):
    sub = submit(service, long_case()[:900])
    service.approve(MOD_BY_ID, sub.id)
    assert section_ids(kb, sub.doc_id) == [] and chapter(1) in kb.get(sub.doc_id).text


def test_the_app_publishes_a_long_case_study_once_in_the_library_and_as_sections(tmp_path):
    """Through the App's wiring (settings' section_chars, strings.yaml's labels): the library lists
    the case study once, its sections are searchable on their own."""
    app = make_app(tmp_path / "data")
    try:
        chapters = [f"## Capítulo {n}\n\n{chapter(n)} " + " ".join([PARRAFO] * 60) for n in range(1, 4)]
        body = "\n\n".join(chapters)
        sub = publish(app, "Precintos en tránsito", file_name="largo.md", data=body.encode())
        parts = section_ids(app.knowledge, sub.doc_id)
        assert len(parts) >= 2
        shelf = [item.doc_id for item in app.library.shelf(limit=1000).items]
        assert shelf.count(sub.doc_id) == 1 and not set(parts) & set(shelf)
        assert app.knowledge.search(chapter(2)).results[0].id in parts
    finally:
        app.close()
