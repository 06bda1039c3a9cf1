"""Speed benchmark of the knowledge base on a generated corpus, side by side with SQLite FTS5.

Run it with `python -m benchmarks.run`; see the README's "Benchmarks" section.
"""
