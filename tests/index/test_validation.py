"""validate_document: a valid document comes back as it is, an unnormalised one as a normalised copy."""

from __future__ import annotations

from index.documents import Document
from index.validation import validate_document


def test_a_valid_document_is_returned_unchanged_and_uncopied():
    doc = Document(id="a", text="Precintos electrónicos.", title="Un título")
    assert validate_document(doc) is doc


def test_an_unnormalised_document_is_normalised_once():
    decomposed = "Precintos electro\u0301nicos.  "
    doc = Document(id="a", text=decomposed, title="  Un   título ")
    valid = validate_document(doc)
    assert valid is not doc
    assert (valid.text, valid.title) == ("Precintos electrónicos.", "Un título")
    assert validate_document(valid) is valid
