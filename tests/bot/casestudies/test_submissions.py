"""bot/submissions.py: submitting, reviewing and publishing case studies, with the real knowledge base."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import bot.casestudies.service as submissions_module
from bot.casestudies.model import (
    ANNOUNCEMENT,
    APPROVED_NOTICE,
    REJECTED_NOTICE,
    InvalidTransition,
    Limits,
    SubmissionError,
    SubmissionForm,
    UnknownSubmission,
    Upload,
)
from bot.casestudies.service import Actor, NotAllowed, SubmissionService
from bot.config import Moderators
from index.database import Database
from index.errors import InputError
from index.extract import ExtractError
from tests.helpers.files import docx_bytes, encrypted_pdf_bytes, pdf_bytes, zip_bomb_docx_bytes

ESEAL_TEXT = (
    "La aduana implementó precintos electrónicos con GPS para el tránsito internacional de mercancías. "
    "Los precintos reportan su posición cada cinco minutos y alertan al centro de monitoreo si se abre "
    "el contenedor fuera de una zona autorizada. El tiempo de tránsito bajó un treinta por ciento y "
    "aprendimos que hay que capacitar a los transportistas antes del despliegue."
)
ESEAL_MD = f"---\ntitle: Precintos electrónicos\nauthor: SUNAT\n---\n{ESEAL_TEXT}\n".encode()
BLOCKCHAIN_LINES = [
    "Costa Rica, Mexico and Peru connected their Authorized Economic Operator programs",
    "through a permissioned blockchain network so that partner administrations see",
    "certificate suspensions and renewals in real time instead of exchanging spreadsheets.",
    "Results: certificate data is shared within minutes rather than weeks, and the",
    "lessons learned are to agree on governance and data standards before writing code.",
]
RISK_PARAGRAPHS = [
    "We trained a machine learning model to score import declarations for undervaluation risk.",
    "The model uses five years of declarations, seizure outcomes and reference prices per tariff line,",
    "and ranks declarations so officers inspect the riskiest first. The hit rate of inspections rose",
    "from eight to twenty-one percent; involve officers early and retrain the model every quarter.",
]

SUBMITTER = Actor(id="1001", name="Ana Pérez", roles=("Member",), platform="discord")
STRANGER = Actor(id="2002", name="Moderator", roles=("Member", "555"), platform="discord")
MOD_BY_ID = Actor(id="3003", name="Luis", platform="discord")
MOD_BY_ROLE = Actor(id="4004", name="Marie", roles=("Member", "moderador"), platform="discord")
MOD_BY_ROLE_ID = Actor(id="5005", name="João", roles=("777",), platform="discord")
LOCAL = Actor(id="operator", name="operator", platform="local")


class Clock:
    def __init__(self):
        self.now = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def db(kb):  # the knowledge base's own database (tests/conftest.py), as in the App
    return kb.store.db


MODERATORS = Moderators(users=["3003"], roles=["Moderador", 777])


def make_service(db, tmp_path, kb, clock, **kwargs) -> SubmissionService:
    return SubmissionService(db, tmp_path / "files", lambda: kb, MODERATORS, clock, **kwargs)


@pytest.fixture
def service(db, tmp_path, kb, clock):
    return make_service(db, tmp_path, kb, clock)


def stored_files(service: SubmissionService) -> list[str]:
    return sorted(path.name for path in service.folder.iterdir())


def row_count(db: Database) -> int:
    return db.query("SELECT COUNT(*) FROM submissions")[0][0]


def submit_eseal(service: SubmissionService, actor: Actor = SUBMITTER):
    return service.submit(SubmissionForm(file=Upload("caso.md", ESEAL_MD)), actor)


# -- submitting ---------------------------------------------------------------------------------


def test_markdown_from_file_alone(service, db):
    receipt = submit_eseal(service)
    sub = receipt.submission
    assert not receipt.duplicate
    assert sub.id.startswith("cs-") and len(sub.id) == 9
    assert (sub.status, sub.title, sub.member) == ("pending", "Precintos electrónicos", "SUNAT")
    assert sub.lang == "es" and "iot" in sub.technologies
    assert (sub.submitter_id, sub.submitter_name, sub.platform) == ("1001", "Ana Pérez", "discord")
    assert sub.submitted_at == datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    assert stored_files(service) == [f"{sub.id}.md"]
    assert (service.folder / f"{sub.id}.md").read_bytes() == ESEAL_MD
    assert service.get(MOD_BY_ID, sub.id) == sub  # what was returned is what is stored


def test_pdf_takes_title_and_member_from_its_properties(service):
    data = pdf_bytes(BLOCKCHAIN_LINES, title="CADENA on blockchain", author="Costa Rica Customs")
    sub = service.submit(SubmissionForm(file=Upload("cadena.pdf", data)), SUBMITTER).submission
    assert (sub.title, sub.member, sub.file_format) == ("CADENA on blockchain", "Costa Rica Customs", "pdf")
    assert "blockchain" in sub.technologies and sub.lang == "en"
    assert stored_files(service) == [f"{sub.id}.pdf"]


def test_docx_with_fields_given(service):
    data = docx_bytes(RISK_PARAGRAPHS, heading="Valuation risk model")
    form = SubmissionForm(
        member="Aduana de Chile",
        contact="riesgo@aduana.cl",
        url="https://example.org/risk",
        file=Upload("r.docx", data),
    )
    sub = service.submit(form, SUBMITTER).submission
    assert (sub.title, sub.member, sub.contact) == (
        "Valuation risk model",
        "Aduana de Chile",
        "riesgo@aduana.cl",
    )
    assert "analytics" in sub.technologies
    assert "Contact: riesgo@aduana.cl" in sub.text


def test_given_fields_win_over_the_file(service):
    form = SubmissionForm(title="My own title", member="DIAN Colombia", file=Upload("caso.md", ESEAL_MD))
    sub = service.submit(form, SUBMITTER).submission
    assert (sub.title, sub.member) == ("My own title", "DIAN Colombia")


def test_fields_only_without_a_file(service):
    form = SubmissionForm(title="E-seals", member="SUNAT", summary=ESEAL_TEXT, results="Transit 30% faster.")
    sub = service.submit(form, SUBMITTER).submission
    assert sub.stored_file == "" and stored_files(service) == []
    assert sub.summary == ESEAL_TEXT and "Transit 30% faster." in sub.text


def test_front_matter_technologies_and_lang_win_over_detection(service):
    data = f"---\ntitle: T\nauthor: A\ntechnologies: [blockchain]\nlang: pt\n---\n{ESEAL_TEXT}".encode()
    sub = service.submit(SubmissionForm(file=Upload("t.md", data)), SUBMITTER).submission
    assert (sub.technologies, sub.lang) == (("blockchain",), "pt")


def test_identical_resubmission_returns_the_existing_id(service, db):
    first = submit_eseal(service)
    second = submit_eseal(service, Actor(id="9", name="Someone else", platform="discord"))
    assert second.duplicate and second.id == first.id
    assert row_count(db) == 1 and stored_files(service) == [f"{first.id}.md"]


def test_a_changed_field_is_a_new_submission(service):
    first = submit_eseal(service)
    second = service.submit(SubmissionForm(contact="x@y.org", file=Upload("caso.md", ESEAL_MD)), SUBMITTER)
    assert not second.duplicate and second.id != first.id


def test_user_file_name_is_never_a_path(service):
    sub = service.submit(SubmissionForm(file=Upload("../../etc/evil.md", ESEAL_MD)), SUBMITTER).submission
    assert sub.file_name == "evil.md"
    assert stored_files(service) == [f"{sub.id}.md"]


def test_read_upload_from_disk(service, tmp_path):
    path = tmp_path / "caso.md"
    path.write_bytes(ESEAL_MD)
    assert service.read_upload(path) == Upload("caso.md", ESEAL_MD)


# -- bad input: one clear message each, nothing stored -------------------------------------------


def assert_refused(service, db, form: SubmissionForm, error=InputError, match: str = "") -> str:
    with pytest.raises(error, match=match) as info:
        service.submit(form, SUBMITTER)
    assert "\n" not in str(info.value)
    assert row_count(db) == 0 and stored_files(service) == []
    return str(info.value)


def test_too_short(service, db):
    form = SubmissionForm(title="T", member="M", summary="We used blockchain. It worked.")
    assert_refused(service, db, form, SubmissionError, "too short")


def test_short_file(service, db):
    form = SubmissionForm(file=Upload("short.md", b"---\ntitle: T\nauthor: A\n---\nOnly a few words here."))
    assert_refused(service, db, form, SubmissionError, "too short")


def test_empty_file(service, db):
    assert_refused(service, db, SubmissionForm(file=Upload("empty.txt", b"  \n")), ExtractError, "empty")


def test_title_too_long(service, db):
    form = SubmissionForm(title="x" * 201, file=Upload("caso.md", ESEAL_MD))
    assert_refused(service, db, form, SubmissionError, "title is 201 characters; the limit is 200")


def test_field_too_long(service, db):
    form = SubmissionForm(summary="word " * 1000, file=Upload("caso.md", ESEAL_MD))
    assert_refused(service, db, form, SubmissionError, "summary is 4,999 characters; the limit is 4,000")


def test_whole_text_too_long(service, db):
    data = b"---\ntitle: T\nauthor: A\n---\n" + b"palabra " * 13_000
    assert_refused(
        service, db, SubmissionForm(file=Upload("long.md", data)), SubmissionError, "limit is 100,000"
    )


def test_file_over_the_size_cap(db, tmp_path, kb, clock):
    service = make_service(db, tmp_path, kb, clock, max_file_bytes=1000)
    assert_refused(service, db, SubmissionForm(file=Upload("big.md", ESEAL_MD * 3)), ExtractError, "limit")
    path = tmp_path / "big.pdf"
    path.write_bytes(b"%PDF-" + b"0" * 2000)
    with pytest.raises(ExtractError, match="big.pdf: file is"):
        service.read_upload(path)


def test_content_not_matching_extension(service, db):
    assert_refused(service, db, SubmissionForm(file=Upload("x.pdf", ESEAL_MD)), ExtractError, "not a PDF")
    pdf = pdf_bytes(BLOCKCHAIN_LINES)
    assert_refused(service, db, SubmissionForm(file=Upload("x.md", pdf)), ExtractError, "not text")
    assert_refused(
        service, db, SubmissionForm(file=Upload("x.txt", b"\x00\x01" * 100)), ExtractError, "binary"
    )


def test_encrypted_pdf(service, db):
    form = SubmissionForm(member="A", file=Upload("locked.pdf", encrypted_pdf_bytes(BLOCKCHAIN_LINES)))
    assert_refused(service, db, form, ExtractError, "password")


def test_corrupt_pdf(service, db):
    data = pdf_bytes(BLOCKCHAIN_LINES)
    form = SubmissionForm(member="A", file=Upload("cut.pdf", data[: len(data) // 2]))
    assert_refused(service, db, form, ExtractError, "damaged")


def test_docx_not_a_zip(service, db):
    form = SubmissionForm(member="A", file=Upload("x.docx", ESEAL_TEXT.encode()))
    assert_refused(service, db, form, ExtractError, "not a zip")


def test_docx_zip_bomb(service, db):
    form = SubmissionForm(member="A", file=Upload("bomb.docx", zip_bomb_docx_bytes(210)))
    assert_refused(service, db, form, ExtractError, "expand")


def test_unsupported_file_type(service, db):
    assert_refused(service, db, SubmissionForm(file=Upload("x.rtf", ESEAL_MD)), ExtractError, "unsupported")


def test_member_is_needed(service, db):
    form = SubmissionForm(file=Upload("x.txt", ESEAL_TEXT.encode()))
    assert_refused(service, db, form, SubmissionError, "administration or member")


def test_placeholder_word_author_is_not_taken_as_the_member(service, db):
    data = docx_bytes([ESEAL_TEXT], heading="Precintos electrónicos", author="Microsoft Office User")
    form = SubmissionForm(file=Upload("caso.docx", data))
    assert_refused(service, db, form, SubmissionError, "administration or member")


def test_title_is_needed(service, db):
    assert_refused(service, db, SubmissionForm(member="A", summary=ESEAL_TEXT), SubmissionError, "title")


def test_bad_url(service, db):
    form = SubmissionForm(url="javascript:alert(1)", file=Upload("caso.md", ESEAL_MD))
    assert_refused(service, db, form, SubmissionError, "url")


def test_unknown_technology_in_front_matter(service, db):
    data = f"---\ntitle: T\nauthor: A\ntechnologies: [quantum]\n---\n{ESEAL_TEXT}".encode()
    assert_refused(service, db, SubmissionForm(file=Upload("q.md", data)), SubmissionError, "quantum")


def test_bad_front_matter(service, db):
    data = f"---\ntitle: [unclosed\n---\n{ESEAL_TEXT}".encode()
    assert_refused(service, db, SubmissionForm(file=Upload("y.md", data)), ExtractError, "YAML")


# -- nothing half-stored ------------------------------------------------------------------------


def test_failure_before_rename_leaves_nothing(service, db, monkeypatch):
    def broken_replace(*args):
        raise OSError("disk full")

    monkeypatch.setattr(submissions_module.os, "replace", broken_replace)
    with pytest.raises(OSError):
        submit_eseal(service)
    assert row_count(db) == 0 and stored_files(service) == []


def test_failure_after_rename_before_commit_leaves_nothing(service, db, monkeypatch):
    def broken_sync(folder):
        raise OSError("I/O error")

    monkeypatch.setattr(submissions_module, "_sync_dir", broken_sync)
    with pytest.raises(OSError):
        submit_eseal(service)
    assert row_count(db) == 0 and stored_files(service) == []
    assert db.query("SELECT COUNT(*) FROM submission_history")[0][0] == 0


def test_orphans_are_removed_on_open(service, db, tmp_path, kb, clock):
    sub = submit_eseal(service).submission
    (service.folder / "cs-0a0a0a.pdf").write_bytes(b"%PDF- left by a crash")  # renamed, never committed
    stale = service.folder / ".tmp-stale"
    stale.write_bytes(b"old")
    old = clock().timestamp() - 2 * 3600
    os.utime(stale, (old, old))
    fresh = service.folder / ".tmp-fresh"  # another process may be about to commit it
    fresh.write_bytes(b"new")
    now = clock().timestamp()
    os.utime(fresh, (now, now))
    make_service(db, tmp_path, kb, clock)
    assert stored_files(service) == [".tmp-fresh", f"{sub.id}.md"]


def test_concurrent_identical_submission_is_a_duplicate(service, db, monkeypatch):
    first = submit_eseal(service)
    monkeypatch.setattr(service, "_by_hash", lambda h, real=service._by_hash: None)  # the race: not seen
    with pytest.raises(sqlite3.IntegrityError):
        service._store(first.submission, Upload("caso.md", ESEAL_MD))
    assert row_count(db) == 1 and stored_files(service) == [f"{first.id}.md"]


# -- review ---------------------------------------------------------------------------------------


def test_approve_publishes_indexes_and_queues(service, kb, clock):
    sub = submit_eseal(service).submission
    clock.advance(hours=2)
    approved = service.approve(MOD_BY_ID, sub.id)
    assert approved.status == "approved" and approved.reviewed_by == "Luis"
    doc = kb.get(sub.doc_id)
    assert doc.kind == "case-study" and doc.author == "SUNAT" and doc.title == "Precintos electrónicos"
    assert "iot" in doc.technologies and doc.meta["submission_id"] == sub.id
    assert [hit.id for hit in kb.search("precintos electronicos").results] == [sub.doc_id]
    notes = service.pending_notifications()
    assert [(n.kind, n.recipient_id, n.platform) for n in notes] == [
        (ANNOUNCEMENT, "", ""),
        (APPROVED_NOTICE, "1001", "discord"),
    ]
    assert notes[0].payload["title"] == "Precintos electrónicos" and notes[0].payload["member"] == "SUNAT"
    history = service.history(MOD_BY_ID, sub.id)
    assert [(h.action, h.actor_id, h.at) for h in history] == [
        ("submitted", "1001", datetime(2026, 3, 2, 15, 0, tzinfo=UTC)),
        ("approved", "3003", datetime(2026, 3, 2, 17, 0, tzinfo=UTC)),
    ]
    assert service.get(MOD_BY_ID, sub.id).status == "approved"


def test_reject_stores_reason_and_tells_submitter(service, kb):
    sub = submit_eseal(service).submission
    rejected = service.reject(MOD_BY_ROLE, sub.id, "  Please add results.  ")
    assert (rejected.status, rejected.reason) == ("rejected", "Please add results.")
    assert kb.get(sub.doc_id) is None and kb.search("precintos electronicos").results == []
    [note] = service.pending_notifications()
    assert (note.kind, note.recipient_id, note.payload["reason"]) == (
        REJECTED_NOTICE,
        "1001",
        "Please add results.",
    )
    assert [h.action for h in service.history(MOD_BY_ROLE, sub.id)] == ["submitted", "rejected"]
    assert service.history(MOD_BY_ROLE, sub.id)[1].detail == {"reason": "Please add results."}


def test_reject_needs_a_reason(service):
    sub = submit_eseal(service).submission
    with pytest.raises(InputError, match="reason"):
        service.reject(MOD_BY_ID, sub.id, "   ")
    with pytest.raises(InputError, match="limit"):
        service.reject(MOD_BY_ID, sub.id, "x" * 1001)
    assert service.get(MOD_BY_ID, sub.id).status == "pending"


def test_approving_twice(service):
    sub = submit_eseal(service).submission
    service.approve(MOD_BY_ID, sub.id)
    with pytest.raises(InvalidTransition, match="already approved by Luis"):
        service.approve(MOD_BY_ID, sub.id)
    assert len(service.pending_announcements()) == 1


def test_rejecting_an_approved_one(service):
    sub = submit_eseal(service).submission
    service.approve(MOD_BY_ID, sub.id)
    with pytest.raises(InvalidTransition, match="cannot reject"):
        service.reject(MOD_BY_ID, sub.id, "changed my mind")


def test_approving_a_rejected_one(service, kb):
    sub = submit_eseal(service).submission
    service.reject(MOD_BY_ID, sub.id, "no")
    with pytest.raises(InvalidTransition, match="already rejected"):
        service.approve(MOD_BY_ID, sub.id)
    assert kb.get(sub.doc_id) is None


def test_unknown_id(service):
    for bad in ("cs-000000", "nonsense", "", "cs-zzzzzz"):
        with pytest.raises(UnknownSubmission, match="no submission"):
            service.approve(MOD_BY_ID, bad)


def test_ids_are_forgiving(service):
    sub = submit_eseal(service).submission
    assert service.get(MOD_BY_ID, sub.id.upper()).id == sub.id
    assert service.get(MOD_BY_ID, f" {sub.id[3:]} ").id == sub.id


def test_list_pending_first(service, clock):
    ids = []
    for n in range(4):
        form = SubmissionForm(title=f"Case {n}", member="SUNAT", summary=ESEAL_TEXT)
        ids.append(service.submit(form, SUBMITTER).id)
        clock.advance(minutes=1)
    service.approve(MOD_BY_ID, ids[0])
    service.reject(MOD_BY_ID, ids[2], "no")
    listed = [sub.id for sub in service.list(MOD_BY_ID)]
    assert listed == [ids[1], ids[3], ids[2], ids[0]]  # pending oldest first, then newest first
    assert [sub.id for sub in service.list(MOD_BY_ID, status="approved")] == [ids[0]]
    with pytest.raises(InputError, match="unknown status"):
        service.list(MOD_BY_ID, status="maybe")


def test_edit_corrects_detection_and_records_it(service):
    sub = submit_eseal(service).submission
    edited = service.edit(MOD_BY_ID, sub.id, technologies=["IoT", "analytics"], lang="es", title="E-seals")
    assert (edited.technologies, edited.lang, edited.title) == (("iot", "analytics"), "es", "E-seals")
    assert service.get(MOD_BY_ID, sub.id) == edited
    entry = service.history(MOD_BY_ID, sub.id)[-1]
    assert entry.action == "edited" and entry.detail["technologies"] == ["iot", "analytics"]


def test_edit_an_approved_one_reindexes(service, kb):
    sub = submit_eseal(service).submission
    service.approve(MOD_BY_ID, sub.id)
    service.edit(MOD_BY_ID, sub.id, technologies=["blockchain"], member="SUNAT Perú")
    doc = kb.get(sub.doc_id)
    assert doc.technologies == ("blockchain",) and doc.author == "SUNAT Perú"


def test_edit_bad_values(service):
    sub = submit_eseal(service).submission
    with pytest.raises(InputError, match="unknown technology"):
        service.edit(MOD_BY_ID, sub.id, technologies=["quantum"])
    with pytest.raises(InputError, match="unknown language"):
        service.edit(MOD_BY_ID, sub.id, lang="de")
    with pytest.raises(InputError, match="title"):
        service.edit(MOD_BY_ID, sub.id, title="x" * 300)
    assert service.get(MOD_BY_ID, sub.id) == sub


def test_edit_without_changes_records_nothing(service):
    sub = submit_eseal(service).submission
    assert service.edit(MOD_BY_ID, sub.id, title=sub.title) == sub
    assert len(service.history(MOD_BY_ID, sub.id)) == 1


# -- who may review -------------------------------------------------------------------------------


def test_only_moderators_review(service):
    sub = submit_eseal(service).submission
    for call in (
        lambda actor: service.list(actor),
        lambda actor: service.approve(actor, sub.id),
        lambda actor: service.reject(actor, sub.id, "no"),
        lambda actor: service.edit(actor, sub.id, lang="en"),
    ):
        for actor in (STRANGER, SUBMITTER):
            with pytest.raises(NotAllowed, match="only moderators"):
                call(actor)
    with pytest.raises(NotAllowed):
        service.get(STRANGER, sub.id)
    assert service.get(SUBMITTER, sub.id).status == "pending"  # a member sees their own
    assert [s.id for s in service.mine(SUBMITTER)] == [sub.id]
    assert service.history(SUBMITTER, sub.id)[0].action == "submitted"


def test_moderators_by_id_role_name_role_id_and_local(service):
    for actor in (MOD_BY_ID, MOD_BY_ROLE, MOD_BY_ROLE_ID, LOCAL):
        assert service.list(actor) == []


def test_manage_server_counts_unless_the_settings_say_otherwise(db, tmp_path, kb, clock):
    admin = Actor(id="6006", name="Owner", permissions=("manage_server",), platform="discord")
    assert submissions_module.is_moderator(admin, MODERATORS)
    off = MODERATORS.model_copy(update={"manage_server": False})
    assert not submissions_module.is_moderator(admin, off)
    service = SubmissionService(db, tmp_path / "files", lambda: kb, off, clock)
    with pytest.raises(NotAllowed, match="only moderators"):
        service.list(admin)


def test_a_moderator_does_not_review_their_own_submission(service, db, tmp_path, kb, clock):
    sub = submit_eseal(service, MOD_BY_ROLE).submission
    for call in (
        lambda: service.approve(MOD_BY_ROLE, sub.id),
        lambda: service.reject(MOD_BY_ROLE, sub.id, "not mine to judge"),
        lambda: service.check_reviewer(MOD_BY_ROLE, sub.id),
    ):
        with pytest.raises(submissions_module.OwnSubmission, match="another moderator must review it"):
            call()
    assert service.get(MOD_BY_ID, sub.id).status == "pending"
    assert service.history(MOD_BY_ID, sub.id)[-1].action == "submitted"  # nothing recorded
    # the same id on another platform is someone else; another moderator may decide
    assert service.check_reviewer(MOD_BY_ID, sub.id).id == sub.id
    assert service.approve(MOD_BY_ID, sub.id).status == "approved"


def test_self_review_when_the_settings_allow_it_and_for_the_operator(db, tmp_path, kb, clock):
    allowed = MODERATORS.model_copy(update={"self_review": True})
    service = SubmissionService(db, tmp_path / "files", lambda: kb, allowed, clock)
    sub = submit_eseal(service, MOD_BY_ROLE).submission
    assert service.approve(MOD_BY_ROLE, sub.id).status == "approved"
    strict = make_service(db, tmp_path, kb, clock)
    mine = strict.submit(SubmissionForm(title="Mine", member="Ops", summary=ESEAL_TEXT), LOCAL).submission
    assert strict.reject(LOCAL, mine.id, "test entry").status == "rejected"  # the operator holds the db


def test_same_id_on_another_platform_is_not_the_submitter(service):
    sub = submit_eseal(service).submission
    with pytest.raises(NotAllowed):
        service.get(Actor(id="1001", name="Ana Pérez", platform="console"), sub.id)


# -- outbox ---------------------------------------------------------------------------------------


def test_mark_sent_once(service):
    sub = submit_eseal(service).submission
    service.approve(MOD_BY_ID, sub.id)
    [announcement] = service.pending_announcements()
    assert service.mark_sent(announcement.id) is True
    assert service.mark_sent(announcement.id) is False
    assert service.mark_sent(99999) is False
    assert [n.kind for n in service.pending_notifications()] == [APPROVED_NOTICE]
    assert [n.kind for n in service.pending_notifications(platform="discord")] == [APPROVED_NOTICE]
    assert service.pending_notifications(platform="local") == []


def test_limits_are_configurable(db, tmp_path, kb, clock):
    service = make_service(db, tmp_path, kb, clock, limits=Limits(min_words=5))
    form = SubmissionForm(title="T", member="M", summary="We sealed four thousand containers.")
    assert service.submit(form, SUBMITTER).submission.status == "pending"


def test_data_survives_reopening(db, tmp_path, kb, clock, service):
    sub = submit_eseal(service).submission
    again = make_service(db, tmp_path, kb, clock)
    assert again.get(MOD_BY_ID, sub.id) == sub
    assert Path(again.file_path(MOD_BY_ID, sub.id)).read_bytes() == ESEAL_MD
