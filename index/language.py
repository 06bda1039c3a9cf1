"""Which of en/es/fr/pt a text is written in.

py3langid's trained model, restricted to our four languages, is reliable on paragraphs and makes a
best guess on a few words. Mixed posts are common ("Hola a todos — we did the same in Jamaica"), so
paragraphs long enough to judge on their own may add a second language.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from index.documents import LANGUAGES

_MIN_PARAGRAPH_WORDS = 8
# Identification reads a bounded prefix: its cost grows with the characters it reads (a Python loop
# over byte n-grams), and a few hundred words settle the language of a text or of a paragraph.
MAIN_PREFIX_CHARS = 1_000
PARAGRAPH_PREFIX_CHARS = 300
_LOCK = threading.Lock()  # the shared identifier keeps scratch state between calls


@lru_cache(maxsize=4)
def _identifier(languages: tuple[str, ...]):
    """Loading the model takes most of a second: once per process, when a document first needs it."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # heavy: see the docstring

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(languages))
    return identifier


class LanguageDetector:
    def __init__(self, languages: tuple[str, ...] = LANGUAGES):
        self.languages = languages
        self._lock = _LOCK

    @property
    def _identifier(self):
        return _identifier(self.languages)

    def warm_up(self) -> None:
        """Load the model now rather than on the first document."""
        _identifier(self.languages)

    def detect(self, text: str, prefix: int = MAIN_PREFIX_CHARS) -> str:
        """The main language of the text (of its first `prefix` characters); English when there is
        nothing to judge by."""
        if not text.strip():
            return "en"
        with self._lock:
            lang, _ = self._identifier.classify(text[:prefix])
        return str(lang)

    def detect_all(self, text: str) -> tuple[str, ...]:
        """Main language first, then any other language a substantial paragraph is written in."""
        main = self.detect(text)
        found = [main]
        paragraphs = [p for p in text.split("\n") if len(p.split()) >= _MIN_PARAGRAPH_WORDS]
        if len(paragraphs) > 1:
            for paragraph in paragraphs[:20]:
                lang = self.detect(paragraph, PARAGRAPH_PREFIX_CHARS)
                if lang not in found:
                    found.append(lang)
        return tuple(found)
