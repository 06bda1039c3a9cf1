"""Tagging a batch (a bulk import's worker) gives every document the tags tagging it alone gives."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from benchmarks.corpus import CorpusGenerator
from index.documents import Document
from index.extract import DEFAULT_MAX_BYTES
from index.ingest import DEFAULT_MAX_STREAM_BYTES, parse_file
from index.language import LanguageDetector
from index.tagger import Tagger
from tests.conftest import CONFIG_DIR, ROOT, SHARED, open_kb, post

FOLDERS = {
    "evalset": ROOT / "tests" / "evalset" / "corpus",
    "samples": CONFIG_DIR / "samples",
    "dev": SHARED / "eval" / "corpus",
}


def _documents(folder: Path) -> list[Document]:
    """The documents an ingest of the folder tags (sections of long files included)."""
    docs = []
    for path in sorted(folder.iterdir()):
        if path.suffix != ".md" or path.name.lower() == "readme.md":
            continue
        args = (str(path), path.stem, {}, DEFAULT_MAX_BYTES, DEFAULT_MAX_STREAM_BYTES)
        docs += [item[1] for item in parse_file(*args) if item[0] == "doc"]
    return docs


@pytest.fixture(scope="module")
def tagger(tmp_path_factory) -> Iterator[Tagger]:
    kb = open_kb(tmp_path_factory.mktemp("tagger") / "data")
    yield Tagger(kb.glossary, kb.countries, LanguageDetector())
    kb.close()
    kb.store.db.close()


@pytest.mark.parametrize("name", sorted(FOLDERS))
def test_a_folders_documents_are_tagged_alike_alone_and_in_a_batch(tagger: Tagger, name: str) -> None:
    folder = FOLDERS[name]
    if not folder.is_dir():
        pytest.skip(f"{folder} is not beside the project")
    docs = _documents(folder)
    assert docs
    assert tagger.tag_many(docs) == [tagger.tag(doc) for doc in docs]


def test_generated_posts_are_tagged_alike_alone_and_in_a_batch(tagger: Tagger) -> None:
    """The benchmark's posts, in batches of a worker's size; some say their language (not detected),
    most leave it to the bot, so the detected languages must go back to the right documents."""
    generator = CorpusGenerator(seed=5)
    docs = []
    for i in range(1000):
        made = generator.post(i)
        doc = post(made.id, made.text, title=made.title, author=made.author, kind=made.kind)
        docs.append(replace(doc, lang=made.lang) if i % 7 == 0 else doc)
    expected = [tagger.tag(doc) for doc in docs]
    assert any(len(tags.langs) > 1 for tags in expected)
    for start in range(0, len(docs), 250):
        assert tagger.tag_many(docs[start : start + 250]) == expected[start : start + 250]


def test_odd_documents_are_tagged_alike_alone_and_in_a_batch(tagger: Tagger) -> None:
    docs = [
        post("empty", ""),
        post("blank", " \n\t "),
        post("emoji", "🚢📦"),
        post("link", "https://www.wcoomd.org/en/topics/facilitation.aspx"),
        post("given", "Hola a todos", lang="pt"),
        post("titled", "Nous avons déployé l'IA au port.", title="Rayons X"),
        post("long", "La aduana de Costa Rica implementó sellos RFID en la frontera norte. " * 40),
    ]
    assert tagger.tag_many(docs) == [tagger.tag(doc) for doc in docs]
    assert tagger.tag_many([]) == []
