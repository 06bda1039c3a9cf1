"""A segment's postings kept as arrays of numbers and sorted with numpy: a worker's posting pool.

Whoosh's pool keeps each posting as a tuple (field, term bytes, document, weight, value bytes),
about 250 bytes of objects, sorts full buffers of tuples into runs and merges them a tuple at a
time. Here each field numbers its terms once (a dict) and a posting is 8 bytes in three arrays:
term number and frequency (2 bytes each until one does not fit, then 4) and document (4). The
weight and value follow from the frequency and the field's format (this pool takes only fields
whose format is Frequency or Existence, with no term vectors: `fits`), unless a caller gives a
weight that does not; the field then keeps an array of weights too.

A full buffer (`limitmb` of arrays) is sorted into a run file per field. At the end each field's
postings come out in Whoosh's order (term bytes, then document) in chunks of bounded size, each
merged from the runs and the buffer for a range of terms, so memory stays bounded whatever the
number of documents. Runs need no merge by document: documents are added in ascending order, so a
later run's documents follow an earlier run's, and a stable sort by term keeps them so.
"""

from __future__ import annotations

import itertools
import os
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from whoosh.formats import Existence, Frequency
from whoosh.system import pack_uint, unpack_uint

# A sorted chunk holds about this many postings, counting each term as TERM_POSTINGS more: it bounds
# the writer's temporary arrays (per posting) and Python lists (per term and block) alike.
CHUNK_POSTINGS = 1 << 14
TERM_POSTINGS = 8


def fits(schema) -> bool:
    """Whether every indexed field of `schema` is one this pool can hold."""
    return all(
        type(field.format) in (Frequency, Existence) and not field.vector and not field.separate_spelling()
        for _, field in schema.items()
        if field.indexed
    )


@dataclass
class SortedChunk:
    """Consecutive postings of one field in Whoosh's order: `terms` (term bytes, ascending) and
    `counts` (postings per term) say whose each posting is. Weights are float64."""

    terms: list[bytes]
    counts: np.ndarray
    docs: np.ndarray
    freqs: np.ndarray
    weights: np.ndarray


class _Field:
    """One field's term numbers and its buffered postings."""

    def __init__(self, fieldobj):
        self.frequency = type(fieldobj.format) is Frequency
        self.boost = fieldobj.format.field_boost
        self.ids: dict[str, int] = {}  # term -> number, in order of first use
        # term numbers and frequencies take 2 bytes until one does not fit (`widen`)
        self.tids = array("H")
        self.docs = array("I")
        self.freqs = array("H")
        self.weights: array | None = None  # only once a weight differs from the canonical one
        self.runs: list[_RunFile] = []
        self.last_doc = -1
        self.in_order = True  # documents never went down: a stable sort by term suffices

    def canonical(self, freq: int) -> float:
        """The weight Whoosh's add_document gives a posting of this frequency (no boosts)."""
        return float(freq) * self.boost if self.frequency else self.boost * 1.0

    def canonical_weights(self, freqs: np.ndarray) -> np.ndarray:
        if self.frequency:
            return freqs.astype(np.float64) * self.boost
        return np.full(len(freqs), self.boost * 1.0)

    def note_doc(self, docnum: int) -> None:
        if docnum < self.last_doc:
            self.in_order = False
        self.last_doc = docnum

    def extend(self, name: str, values) -> int:
        """`values` appended to the buffer `name` (tids or freqs), widened to 4 bytes if one does
        not fit in 2; returns the bytes the buffer grew by."""
        buffer = getattr(self, name)
        before = len(buffer)
        try:
            buffer.extend(values)
        except OverflowError:
            if buffer.typecode != "H":
                raise
            del buffer[before:]
            buffer = array("I", buffer)
            setattr(self, name, buffer)
            buffer.extend(values)
            return 2 * before + 4 * (len(buffer) - before)
        return 2 * (len(buffer) - before)

    def term_bytes(self) -> list[bytes]:
        return [term.encode("utf-8", "surrogateescape") for term in self.ids]

    def sorted_buffer(self, ranks_of: Callable[[np.ndarray], np.ndarray]) -> list[np.ndarray]:
        """The buffered postings sorted by (term rank, document): term numbers, documents,
        frequencies and weights if any, each a numpy array; `ranks_of(term numbers)` ranks them.
        The buffers start again empty, each let go once sorted (memory stays near the buffer's)."""
        here = self.sorted_order(_numbers(self.docs), ranks_of(_numbers(self.tids)))
        columns = []
        for name, typecode in (("tids", "H"), ("docs", "I"), ("freqs", "H"), ("weights", "d")):
            buffer = getattr(self, name)
            if buffer is not None:
                columns.append(_numbers(buffer)[here])
                setattr(self, name, array(typecode))
        return columns

    def sorted_order(self, docs: np.ndarray, ranks: np.ndarray) -> np.ndarray:
        """The permutation that sorts postings by (term rank, document)."""
        if self.in_order:
            return np.argsort(ranks, kind="stable")
        return np.lexsort((docs, ranks))


class ArrayPostingPool:
    """What a SegmentWriter needs of a pool (`add`, `iter_postings`, `cleanup`), plus `add_terms`
    for a document's analysed field and `sorted_fields` for a writer that takes arrays."""

    def __init__(self, tempstore, schema, limitmb: float = 32):
        if not fits(schema):
            raise ValueError("ArrayPostingPool holds only Frequency and Existence fields without vectors")
        self.tempstore = tempstore
        self.schema = schema
        self.limit = int(limitmb * 1024 * 1024)
        self.size = 0  # bytes of buffered arrays
        self.fields: dict[str, _Field] = {}
        self.fieldnames: set[str] = set()
        self._prefix = f"postings-{os.urandom(6).hex()}"
        self._runs = 0

    def field(self, fieldname: str) -> _Field:
        field = self.fields.get(fieldname)
        if field is None:
            field = self.fields[fieldname] = _Field(self.schema[fieldname])
            self.fieldnames.add(fieldname)
        return field

    # -- adding ------------------------------------------------------------------------------------

    def add_terms(self, fieldname: str, docnum: int, counts: dict[str, int]) -> None:
        """A document's postings in one field, each term (str) with its frequency, weighted as
        Whoosh's add_document weights them when there are no boosts."""
        if not counts:
            return
        field = self.field(fieldname)
        ids = field.ids
        before = len(ids)
        setdefault = ids.setdefault
        tids = [setdefault(term, len(ids)) for term in counts]
        if len(ids) != before:
            try:  # each new term once: one that is not UTF-8 fails here, as it does in Whoosh
                for term in itertools.islice(reversed(ids), len(ids) - before):
                    term.encode("utf-8")
            except UnicodeEncodeError:
                for _ in range(len(ids) - before):
                    ids.popitem()
                raise
        field.note_doc(docnum)
        n = len(tids)
        self.size += field.extend("tids", tids) + field.extend("freqs", counts.values()) + 4 * n
        field.docs.extend(array("I", (docnum,)) * n)
        if field.weights is not None:
            field.weights.extend([field.canonical(freq) for freq in counts.values()])
            self.size += 8 * n
        if self.size > self.limit:
            self.save()

    def add(self, item: tuple) -> None:
        """Whoosh's way in: one posting (field, term bytes, document, weight, value bytes)."""
        fieldname, tbytes, docnum, weight, vbytes = item
        field = self.field(fieldname)
        if field.frequency:
            if vbytes is None or len(vbytes) != 4:
                raise ValueError(f"a Frequency posting's value is 4 bytes, not {vbytes!r}")
            freq = unpack_uint(vbytes)[0]
        else:
            if vbytes:
                raise ValueError(f"an Existence posting has no value, not {vbytes!r}")
            freq = 1
        weight = float(weight)
        ids = field.ids
        tid = ids.setdefault(tbytes.decode("utf-8", "surrogateescape"), len(ids))
        field.note_doc(docnum)
        if field.weights is None and weight != field.canonical(freq):
            field.weights = array("d", [field.canonical(f) for f in field.freqs])
            self.size += 8 * len(field.freqs)
        self.size += field.extend("tids", (tid,)) + field.extend("freqs", (freq,)) + 4
        field.docs.append(docnum)
        if field.weights is not None:
            field.weights.append(weight)
            self.size += 8
        if self.size > self.limit:
            self.save()

    # -- spilling ------------------------------------------------------------------------------------

    def save(self) -> None:
        """Every field's buffer sorted (term bytes, then document) into a run file of its own.
        Sorted by the bytes of the terms it holds: the order of two terms never changes as more
        terms come, so the run is in the final order too."""
        for field in self.fields.values():
            if not field.tids:
                continue
            columns = field.sorted_buffer(lambda tids, field=field: _ranks_among_present(field, tids))
            self._runs += 1
            field.runs.append(_RunFile.write(self.tempstore, f"{self._prefix}-{self._runs}.run", columns))
        self.size = 0

    def cleanup(self) -> None:
        for field in self.fields.values():
            _remove_runs(field)

    # -- reading, sorted -----------------------------------------------------------------------------

    def sorted_fields(self, chunk: int | None = None) -> Iterator[tuple[str, Iterator[SortedChunk]]]:
        """(field name, its postings in sorted chunks of about `chunk` postings) for each field
        with postings, by name. Each field's postings are handed out once: its buffer and runs are
        consumed."""
        chunk = chunk or CHUNK_POSTINGS
        for fieldname in sorted(self.fields):
            field = self.fields[fieldname]
            if field.tids or field.runs:
                yield fieldname, _sorted_chunks(field, chunk)

    def iter_postings(self) -> Iterator[tuple]:
        """Whoosh's posting tuples in Whoosh's order, for its own FieldWriter.add_postings."""
        for fieldname, chunks in self.sorted_fields():
            frequency = self.fields[fieldname].frequency
            for part in chunks:
                terms = part.terms
                term_of = np.repeat(np.arange(len(terms)), part.counts).tolist()
                rows = zip(
                    term_of, part.docs.tolist(), part.freqs.tolist(), part.weights.tolist(), strict=True
                )
                for t, doc, freq, weight in rows:
                    yield fieldname, terms[t], doc, weight, pack_uint(freq) if frequency else b""


def _ranks_among_present(field: _Field, tids: np.ndarray) -> np.ndarray:
    """Each posting's term ranked by its bytes among the terms in `tids`."""
    present = np.unique(tids)
    keys = field.term_bytes()
    present_keys = [keys[t] for t in present.tolist()]
    local = sorted(range(len(present_keys)), key=present_keys.__getitem__)
    rank_of_present = np.empty(len(present_keys), dtype=np.int32)
    rank_of_present[np.asarray(local, dtype=np.int64)] = np.arange(len(present_keys), dtype=np.int32)
    return rank_of_present[np.searchsorted(present, tids)]


def _sorted_chunks(field: _Field, chunk: int) -> Iterator[SortedChunk]:
    tbytes = field.term_bytes()
    field.ids = {}  # the field is being read out: its terms (as str) let go before the sort
    order = np.asarray(sorted(range(len(tbytes)), key=tbytes.__getitem__), dtype=np.int64)
    tbytes = [tbytes[t] for t in order.tolist()]  # in term order
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    del order
    sources: list = list(field.runs)
    if field.tids:
        sources.append(_Memory(field.sorted_buffer(rank.__getitem__)))
    # each term's postings counted over all sources, in term order: where chunks end and sources cut
    per_rank = np.zeros(len(rank), dtype=np.int64)
    for source in sources:
        per_rank += np.bincount(rank[source.column(0)], minlength=len(rank))
    ends = _chunk_ends(np.cumsum(per_rank + TERM_POSTINGS), chunk)
    cuts = [[0] + np.searchsorted(rank[source.column(0)], ends, side="left").tolist() for source in sources]
    try:
        low = 0
        for number, high in enumerate(ends):
            parts = [
                [source.column(c, cut[number], cut[number + 1]) for c in range(source.columns)]
                for source, cut in zip(sources, cuts, strict=True)
                if cut[number + 1] > cut[number]
            ]
            docs = np.concatenate([part[1] for part in parts])
            freqs = np.concatenate([part[2] for part in parts])
            weights = np.concatenate(
                [part[3] if len(part) > 3 else field.canonical_weights(part[2]) for part in parts]
            )
            if len(parts) > 1 or not field.in_order:  # each part is sorted; together, not yet
                here = field.sorted_order(docs, rank[np.concatenate([part[0] for part in parts])])
                docs, freqs, weights = docs[here], freqs[here], weights[here]
            yield SortedChunk(tbytes[low:high], per_rank[low:high], docs, freqs, weights)
            low = high
    finally:
        _remove_runs(field)


def _chunk_ends(cumulative: np.ndarray, chunk: int) -> list[int]:
    """Term ranks where chunks end (exclusive): about `chunk` postings each, cut between terms."""
    ends: list[int] = []
    target = chunk
    while target < cumulative[-1]:
        end = int(np.searchsorted(cumulative, target, side="left")) + 1
        if end >= len(cumulative):
            break
        ends.append(end)
        target = int(cumulative[end - 1]) + chunk
    ends.append(len(cumulative))
    return ends


def _numbers(buffer: array) -> np.ndarray:
    """A buffer's numbers seen by numpy, without a copy (array and numpy share type codes)."""
    return np.frombuffer(buffer, dtype=buffer.typecode)


def _remove_runs(field: _Field) -> None:
    for run in field.runs:
        run.remove()
    field.runs = []


class _Memory:
    """Sorted columns held in memory (the last buffer), read like a run file."""

    def __init__(self, columns: list[np.ndarray]):
        self._columns = columns
        self.columns = len(columns)

    def column(self, number: int, start: int = 0, stop: int | None = None) -> np.ndarray:
        return self._columns[number][start:stop]


class _RunFile:
    """A sorted run on disk: its columns (term numbers, documents, frequencies, [weights]) one
    after another, each read back a slice at a time."""

    def __init__(self, tempstore, path: str, count: int, dtypes: list[np.dtype]):
        self._tempstore, self._path, self._count, self._dtypes = tempstore, path, count, dtypes
        self.columns = len(dtypes)

    @classmethod
    def write(cls, tempstore, path: str, columns: list[np.ndarray]) -> _RunFile:
        with tempstore.create_file(path).raw_file() as f:
            for values in columns:
                f.write(values.tobytes())
        return cls(tempstore, path, len(columns[0]), [values.dtype for values in columns])

    def column(self, number: int, start: int = 0, stop: int | None = None) -> np.ndarray:
        stop = self._count if stop is None else stop
        dtype = self._dtypes[number]
        offset = sum(d.itemsize for d in self._dtypes[:number]) * self._count + start * dtype.itemsize
        with self._tempstore.open_file(self._path).raw_file() as f:
            f.seek(offset)
            return np.frombuffer(f.read((stop - start) * dtype.itemsize), dtype=dtype)

    def remove(self) -> None:
        if self._tempstore.file_exists(self._path):
            self._tempstore.delete_file(self._path)
