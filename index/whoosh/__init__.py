"""Everything that knows the search engine is Whoosh: nothing outside this package imports it.

`WhooshEngine` implements index.search_engine.SearchEngine; a search plan becomes a Whoosh query in
`queries`, documents are analysed by `tokenizer`, snippets highlighted by `snippets`. Importing the
package checks that Whoosh 2.7.4 is installed (`compat`) and otherwise ends the program with one line.

Private API of Whoosh 2.7.4 used here (each marked `# private API:` where it happens), for speed:
- mapped_segments: replaces `whoosh.filedb.compound.BufferFile` (segment files read in place from
  their memory map instead of copied) and sets `BufferFile._buf` / `StructFile.file`.
- posting_pool: overrides `SortingPool._write_run` / `_read_run`, calls `_open_run` / `_remove_run`,
  and reads `PostingPool.tempstore`, `.segment`, `.limit`; engine sets `SegmentWriter.pool`.
  Its `add_all` reads and sets `PostingPool.currentsize`, `.fieldnames` and `SortingPool.current`.
- segment_add: replaces `SegmentWriter.add_document` (the same postings, without Token objects):
  reads `SegmentWriter.pool`, `.perdocwriter`, `.docnum`, calls `_check_state`, sets `.docnum`
  and `._added`.
- posting_arrays / posting_writer (a bulk ingest's workers): postings as numpy-sorted arrays,
  written into the segment's postings file and terms table as Whoosh writes them (the same bytes):
  reads `W3FieldWriter._codec`, `._postfile`, `._tindex`, `._fieldid`, `W3Codec._blocklimit`,
  `._compression`, `._inlinelimit`, `OrderedHashWriter.lastkey`, `.index`, `HashWriter.buckets`,
  `.directory`, `.dbfile`, `.hashfn`, and replaces `HashWriter._write_hashes` on one table.
- field_lengths: reads `SegmentReader._perdoc`, `whoosh.codec.whoosh3._lenfield`, a column
  reader's `_dbfile`, `_basepos`, `_count`, and sets `BM25FScorer.dfl`.
- summed_or: reads `BM25FScorer.idf`, `.avgfl`, `.B`, `.K1`, `.dfl`, a matcher's `.scorer` and
  `.child`, `ListMatcher._ids`, `._weights`, `._i`, `FilterMatcher._ids`, `._exclude`, and reads a
  term's postings a block at a time through `W3LeafMatcher._atend`, `._i`, `._blocklength`, `._ids`,
  `._weights`, `._read_ids`, `._read_weights`, `._next_block`.
The project-wide list is in DESIGN.md ("Private APIs").
"""

from index.whoosh.compat import check_version, installed_version

check_version(installed_version())

from index.whoosh.engine import WhooshEngine  # noqa: E402  (only once the version is known good)

__all__ = ["WhooshEngine"]
