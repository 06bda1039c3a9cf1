"""Approval is one transaction of intent: after a crash at any step, status and index agree."""

from __future__ import annotations

import pytest

from bot.casestudies.model import PENDING, SubmissionForm, Upload
from bot.casestudies.service import SubmissionService
from tests.bot.casestudies.test_submissions import ESEAL_MD, LOCAL, MODERATORS, SUBMITTER, Clock
from tests.conftest import open_kb


class Crash(BaseException):
    """The process dies here (BaseException: nothing on the way catches it)."""


def _open(data):
    kb = open_kb(data)
    return kb, SubmissionService(kb.store.db, data / "files", lambda: kb, MODERATORS, Clock())


def _close(kb) -> None:
    kb.engine.close()  # no sync: a dead process applies nothing more
    kb.store.db.close()


def _found(kb, sub) -> bool:
    return sub.doc_id in {hit.id for hit in kb.search("precintos electronicos").results}


def _pending(data):
    kb, service = _open(data)
    sub = service.submit(SubmissionForm(file=Upload("caso.md", ESEAL_MD)), SUBMITTER).submission
    return kb, service, sub


@pytest.mark.parametrize("step", ["document", "announcement", "index"])
def test_a_crash_inside_approve_leaves_status_and_index_agreeing(tmp_path, monkeypatch, step):
    data = tmp_path / "data"
    kb, service, sub = _pending(data)
    if step == "document":  # after the status change, while the document is being recorded
        monkeypatch.setattr(kb.store, "upsert", lambda *a, **k: (_ for _ in ()).throw(Crash()))
    elif step == "announcement":  # after the status change and the document, before the announcement
        monkeypatch.setattr(service, "_queue", lambda *a, **k: (_ for _ in ()).throw(Crash()))
    else:  # after the commit, before the index is written
        monkeypatch.setattr(kb.engine, "write", lambda *a, **k: (_ for _ in ()).throw(Crash()))
    with pytest.raises(Crash):
        service.approve(LOCAL, sub.id)
    monkeypatch.undo()
    _close(kb)

    kb, service = _open(data)  # start again: the journal is replayed, submissions reconciled
    status = service.get(LOCAL, sub.id).status
    assert status == (PENDING if step != "index" else "approved")
    assert _found(kb, sub) == (status == "approved")
    assert bool(service.pending_announcements()) == (status == "approved")
    if status == PENDING:  # and it can still be decided either way
        service.reject(LOCAL, sub.id, "needs results")
        assert not _found(kb, sub)
    _close(kb)


def test_a_case_study_an_older_crash_left_searchable_is_unpublished_at_start(tmp_path):
    """What the old order (index first, then status) left behind: pending, yet searchable."""
    data = tmp_path / "data"
    kb, service, sub = _pending(data)
    kb.upsert(service._document(sub))
    assert _found(kb, sub)
    _close(kb)

    kb, service = _open(data)
    assert service.get(LOCAL, sub.id).status == PENDING and not _found(kb, sub)
    assert kb.rebuild() == 0 and not _found(kb, sub)
    _close(kb)


def test_reject_removes_a_document_only_the_index_had(tmp_path):
    data = tmp_path / "data"
    kb, service, sub = _pending(data)
    kb.engine.write([(sub.doc_id, (service._document(sub), kb.tagger.tag(service._document(sub))))])
    assert sub.doc_id in kb.engine.all_ids()  # in the index, not in SQLite
    service.reject(LOCAL, sub.id, "not a case study")
    assert sub.doc_id not in kb.engine.all_ids()
    kb.rebuild()
    assert not _found(kb, sub)
    _close(kb)
