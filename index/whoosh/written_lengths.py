"""A just-written segment's field lengths, as its posting writer reads them: read once per field.

Whoosh's add_postings asks `doc_field_length` per posting, through five layers of calls and a
file-exists check each time; segment_workers._finalize gives it these instead, and the posting
writer (index.whoosh.posting_writer) takes a whole field's lengths as one numpy array.
"""

from __future__ import annotations

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield  # private API: the length column's name
from whoosh.util.numeric import byte_to_length


class WrittenLengths:
    """A just-written segment's field lengths as its posting writer reads them (the length byte
    decoded; none for 0), each field's length column decoded once."""

    def __init__(self, reader):
        self._reader = reader
        self._fields: dict[str, list] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0):
        table = self._fields.get(fieldname)
        if table is None:
            table = self._fields[fieldname] = self._read(fieldname)
        return table[docnum] if docnum < len(table) else default

    def array(self, fieldname: str) -> np.ndarray:
        """Every document's length in the field (0 for none), for index.whoosh.posting_writer."""
        raw = self._raw(fieldname)
        decoded = _DECODED[np.frombuffer(raw, dtype=np.uint8)] if raw else np.zeros(0, dtype=np.int64)
        count = self._reader.doc_count_all()
        if not len(decoded):
            return decoded
        return np.concatenate([decoded, np.zeros(count - len(decoded), dtype=np.int64)])

    def _read(self, fieldname: str) -> list:
        raw = self._raw(fieldname)
        if raw is None:
            return []
        decoded = [byte_to_length(b) if b else None for b in raw]
        return decoded + [None] * (self._reader.doc_count_all() - len(decoded))

    def _raw(self, fieldname: str) -> bytes | None:
        reader = self._reader
        lenfield = _lenfield(fieldname)  # private API: Whoosh's name for a field's length column
        if not reader.has_column(lenfield):
            return None
        column = reader.column_reader(lenfield, LENGTHS_COLUMN)
        return column._dbfile.get(column._basepos, column._count)  # private API: one byte per document


_DECODED = np.array([byte_to_length(b) if b else 0 for b in range(256)], dtype=np.int64)
