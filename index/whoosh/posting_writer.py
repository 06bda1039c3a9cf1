"""A field's sorted postings written into a Whoosh 3 segment's files, block statistics in numpy.

Whoosh's `FieldWriter.add_postings` takes one posting tuple at a time: it checks the order, looks up
the document's field length, and `W3PostingsWriter.add_posting` appends it to a block, updating the
block's statistics, in about a dozen Python calls per posting. Given a field's postings as sorted
arrays (index.whoosh.posting_arrays), this writes the same bytes with the per-posting work done by
numpy: which postings make each block (at most the codec's block limit per term), each block's
largest weight, shortest and longest document, and each term's totals. What is left in Python is
per block and per term: the block's pickle and zlib (as W3PostingsWriter._write_block makes them),
the term's W3TermInfo, and its row in the terms table (as OrderedHashWriter.add writes it).

Only for the formats Frequency and Existence (a value is the frequency, or nothing), Whoosh's W3
codec and terms never inlined into the terms table (W3Codec's default, inlinelimit=1);
`can_write` says whether a writer is one of those. tests/index/whoosh/test_posting_writer.py
compares the files with Whoosh's own, byte for byte.
"""

from __future__ import annotations

import struct
import zlib
from array import array
from collections.abc import Callable, Iterable
from pickle import dumps

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter
from whoosh.formats import Frequency
from whoosh.system import pack_int, pack_ushort
from whoosh.util.numeric import length_to_byte

from index.whoosh.posting_arrays import SortedChunk

# W3TermInfo.to_bytes: its struct ("!BfIBBfII") then the extent, pack_long(offset) + pack_int(length)
_TERMINFO = struct.Struct("!BfIBBfIIqi")
_ROW_LENGTHS = struct.Struct("!ii")  # whoosh.filedb.filetables._lengths: key and value lengths
_SLOT = np.dtype([("hash", ">u4"), ("position", ">i8")])  # filetables._pointer, "!Iq"
_NO_LENGTH = np.iinfo(np.int64).max


def can_write(fieldwriter) -> bool:
    """A field writer whose files this module writes as Whoosh would."""
    codec = getattr(fieldwriter, "_codec", None)  # private API: W3FieldWriter._codec
    # private API: W3Codec._inlinelimit (postings inlined into the terms table below it)
    return type(fieldwriter) is W3FieldWriter and type(codec) is W3Codec and codec._inlinelimit <= 1


def write_fields(
    fieldwriter,
    schema,
    fields: Iterable[tuple[str, Iterable[SortedChunk]]],
    lengths: Callable[[str], np.ndarray],
) -> None:
    """Each field's sorted postings into the segment, as `fieldwriter.add_postings` would write
    them, then the field writer closed; `lengths(field)` gives each document's length in that
    field as the posting writer reads it (the decoded length byte, 0 for none)."""
    codec = fieldwriter._codec  # private API, with the two below: the codec's block settings
    blocklimit, level = codec._blocklimit, codec._compression
    postfile = fieldwriter._postfile  # private API: W3FieldWriter's postings file and terms table
    table = _TermsTable(fieldwriter._tindex)
    for fieldname, chunks in fields:
        fieldobj = schema[fieldname]
        fieldwriter.start_field(fieldname, fieldobj)
        prefix = pack_ushort(fieldwriter._fieldid)  # private API: the field's number in the terms table
        frequency = type(fieldobj.format) is Frequency
        field_lengths = lengths(fieldname)
        for chunk in chunks:
            if chunk.terms:
                infos = _write_postings(postfile, chunk, field_lengths, frequency, blocklimit, level)
                table.add([prefix + term for term in chunk.terms], infos)
        fieldwriter.finish_field()
    table.close(fieldwriter)


def _write_postings(postfile, chunk: SortedChunk, field_lengths, frequency: bool, limit: int, level: int):
    """The chunk's posting lists, appended to the postings file; returns each term's W3TermInfo
    bytes. Blocks as W3PostingsWriter makes them: ids delta-coded, weights as float32 (None if all
    1.0, one number if all equal), values joined, the pickle compressed; block info pickled."""
    counts, docs, weights = chunk.counts, chunk.docs.astype(np.int64), chunk.weights
    ends = np.cumsum(counts)
    starts = ends - counts
    blocks = (counts + limit - 1) // limit
    first_block = np.cumsum(blocks) - blocks
    term_of_block = np.repeat(np.arange(len(counts)), blocks)
    bstart = starts[term_of_block] + limit * (np.arange(int(blocks.sum())) - first_block[term_of_block])
    bend = np.minimum(bstart + limit, ends[term_of_block])

    w32 = weights.astype(np.float32)
    low, high = np.minimum.reduceat(w32, bstart), np.maximum.reduceat(w32, bstart)
    block_max = np.maximum.reduceat(weights, bstart)
    doc_lengths = _lengths_of(field_lengths, docs)
    shortest = np.minimum.reduceat(np.where(doc_lengths > 0, doc_lengths, _NO_LENGTH), bstart)
    longest = np.maximum.reduceat(doc_lengths, bstart)
    deltas = docs.copy()
    deltas[1:] -= docs[:-1]
    deltas[bstart] = docs[bstart]

    # per term: summed float32 weights (Whoosh adds each block's sum in turn; whole numbers add up
    # exactly in any order, others are summed as Whoosh does), lengths, largest weight, ids
    w32_as_float = w32.astype(np.float64)
    if np.array_equal(w32_as_float, np.rint(w32_as_float)) and np.abs(w32_as_float).sum() < 2**53:
        term_weight = np.add.reduceat(w32_as_float, starts).tolist()
    else:
        term_weight = _summed_by_block(w32_as_float.tolist(), bstart.tolist(), bend.tolist(), blocks.tolist())
    term_short = np.minimum.reduceat(shortest, first_block)
    term_long = np.maximum.reduceat(longest, first_block)
    term_max = np.maximum.reduceat(block_max, first_block)

    bytes_of = _LengthBytes()
    idl, wl = deltas.tolist(), w32.tolist()
    values = chunk.freqs.astype(">u4").tobytes() if frequency else None
    b_start, b_end = bstart.tolist(), bend.tolist()
    b_last = docs[bend - 1].tolist()
    b_max = [w if w > 0 else 0 for w in block_max.tolist()]  # Whoosh's starts at int 0
    b_short, b_long = bytes_of(shortest), bytes_of(longest)
    b_weights = np.where(low == high, np.where(low == 1.0, 0, 1), 2).tolist()
    t_short, t_long = bytes_of(term_short), bytes_of(term_long)
    t_max = [w if w > 0 else 0.0 for w in term_max.tolist()]
    t_first, t_last = docs[starts].tolist(), docs[ends - 1].tolist()

    parts: list[bytes] = []
    infos: list[bytes] = []
    position = postfile.tell()
    block = 0
    for term, (df, nblocks) in enumerate(zip(counts.tolist(), blocks.tolist(), strict=True)):
        start = position
        parts.append(WHOOSH3_HEADER_MAGIC)
        position += 4
        for last in range(nblocks - 1, -1, -1):
            a, b = b_start[block], b_end[block]
            kind = b_weights[block]
            mini_weights = None if kind == 0 else wl[a] if kind == 1 else tuple(wl[a:b])
            data = (tuple(idl[a:b]), mini_weights, values[4 * a : 4 * b] if frequency else None)
            data_bytes = zlib.compress(dumps(data, 2), level) if level else dumps(data, 2)
            info = (b - a, b_last[block], b_max[block], level, b_short[block], b_long[block])
            info_bytes = dumps(info, 2)
            size = len(info_bytes) + len(data_bytes)
            parts += (pack_int(size if last else -size), info_bytes, data_bytes)
            position += 4 + size
            block += 1
        infos.append(
            _TERMINFO.pack(
                0, term_weight[term], df, t_short[term], t_long[term], t_max[term],
                t_first[term], t_last[term], start, position - start,
            )
        )  # fmt: skip
    postfile.write(b"".join(parts))
    return infos


class _TermsTable:
    """The terms table's rows written as OrderedHashWriter.add writes them one by one (key and
    value lengths, key, value; each row's position in the ordered index), with each row's hash and
    position kept in two arrays instead of a tuple per term in Whoosh's 256 bucket lists, and the
    hash tables written from those at close, slot for slot as HashWriter._write_hashes fills them."""

    def __init__(self, tindex):
        if any(tindex.buckets):  # private API: HashWriter.buckets; only a fresh table is ours to fill
            raise ValueError("the terms table already has rows")
        self._tindex = tindex
        self._hashes = array("I")
        self._positions = array("q")

    def add(self, keys: list[bytes], values: list[bytes]) -> None:
        tindex = self._tindex
        if keys[0] <= tindex.lastkey:  # private API (below too): OrderedHashWriter's bookkeeping
            raise ValueError(f"Keys must increase: {tindex.lastkey!r}..{keys[0]!r}")
        dbfile, hashfn = tindex.dbfile, tindex.hashfn
        position = dbfile.tell()
        start = len(self._positions)
        parts: list[bytes] = []
        for key, value in zip(keys, values, strict=True):
            self._positions.append(position)
            parts += (_ROW_LENGTHS.pack(len(key), len(value)), key, value)
            position += 8 + len(key) + len(value)
        self._hashes.extend([hashfn(key) for key in keys])
        dbfile.write(b"".join(parts))
        tindex.index.extend(self._positions[start:])
        tindex.lastkey = keys[-1]

    def close(self, fieldwriter) -> None:
        """The field writer closed, its terms table's hash tables written by `_write_hashes`."""
        # private API: HashWriter._write_hashes, replaced on this one table; its close() does the rest
        self._tindex._write_hashes = self._write_hashes
        fieldwriter.close()

    def _write_hashes(self) -> None:
        """HashWriter._write_hashes: per bucket (hash & 255), a table of twice its rows' slots, each
        row at slot (hash >> 8) % slots or the next free one, in the order the rows were added;
        an empty slot is (0, 0)."""
        tindex, dbfile = self._tindex, self._tindex.dbfile
        hashes = np.frombuffer(self._hashes, dtype=np.uint32)
        positions = np.frombuffer(self._positions, dtype=np.int64)
        buckets = hashes & 255
        rows_by_bucket = np.argsort(buckets, kind="stable")
        ends = np.cumsum(np.bincount(buckets, minlength=256)).tolist()
        start = 0
        for end in ends:
            rows = rows_by_bucket[start:end]
            slots = 2 * len(rows)
            tindex.directory.append((dbfile.tell(), slots))  # private API: HashWriter.directory
            if slots:
                table = np.zeros(slots, dtype=_SLOT)
                at = _probe(((hashes[rows] >> 8) % slots).tolist(), slots)
                table["hash"][at] = hashes[rows]
                table["position"][at] = positions[rows]
                dbfile.write(table.tobytes())
            start = end


def _probe(wanted: list[int], slots: int) -> list[int]:
    """Linear probing: each row's slot, rows placed in turn."""
    taken = bytearray(slots)
    placed = []
    for slot in wanted:
        while taken[slot]:
            slot = (slot + 1) % slots
        taken[slot] = 1
        placed.append(slot)
    return placed


def _lengths_of(field_lengths: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Each posting's document length in the field (0 past the end of the table, as Whoosh's
    doc_field_length defaults)."""
    if not len(field_lengths):
        return np.zeros(len(docs), dtype=np.int64)
    inside = docs < len(field_lengths)
    if inside.all():
        return field_lengths[docs]
    return np.where(inside, field_lengths[np.minimum(docs, len(field_lengths) - 1)], 0)


def _summed_by_block(weights: list[float], bstart: list[int], bend: list[int], blocks: list[int]):
    """Each term's weight as W3TermInfo.add_block adds it: 0, plus sum() of each block in turn."""
    sums = []
    block = 0
    for nblocks in blocks:
        total = 0
        for _ in range(nblocks):
            total += sum(weights[bstart[block] : bend[block]])
            block += 1
        sums.append(total)
    return sums


class _LengthBytes:
    """length_to_byte over an array of lengths (_NO_LENGTH, no length, is 0), each value once."""

    def __init__(self):
        self._known: dict[int, int] = {_NO_LENGTH: 0}

    def __call__(self, lengths: np.ndarray) -> list[int]:
        known = self._known
        unique, inverse = np.unique(lengths, return_inverse=True)
        table = []
        for value in unique.tolist():
            byte = known.get(value)
            if byte is None:
                byte = known[value] = length_to_byte(value)
            table.append(byte)
        return np.asarray(table, dtype=np.int64)[inverse].tolist()
