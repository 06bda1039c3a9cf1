"""Deterministic generator of a Discord-like corpus and of questions about it.

Post i depends only on (seed, i), so the 1k corpus is a prefix of the 10k one, and posts beyond the
corpus size serve as "new posts arriving" for the freshness and event-loop measurements.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.vocabulary import LANGS, Concept, Language, fold, load_glossary, word_list, zipf_cum_weights

LANG_SHARE = {"es": 0.40, "en": 0.25, "pt": 0.20, "fr": 0.15}
LEMMAS_PER_LANGUAGE = 30_000
AUTHORS = 1_500
GUILD_ID = 912345678901234567
DISCORD_EPOCH_MS = 1_420_070_400_000
START = datetime(2021, 1, 1, tzinfo=UTC)
END = datetime(2026, 10, 31, tzinfo=UTC)
CHANNELS = (
    "experiencias-tecnologicas",
    "general",
    "blockchain",
    "iot-precintos",
    "analitica-ia",
    "preguntas",
    "brasil-pt",
    "francophonie",
    "caribbean",
    "casos-de-estudio",
    "talleres",
    "off-topic",
)
_FIRST = word_list(
    "María José Juan Ana Carlos Luis Carmen Jorge Rosa Pedro Lucía Miguel Sofía Diego Valentina "
    "Andrés Camila Ricardo Paula Fernando João Maria Antônio Francisca Paulo Adriana Marcos Juliana "
    "Jean Marie Pierre Nadège Jacques Fabienne Wilner Claudette John Mary David Sarah Michael Keisha "
    "Andre Shanice Marlon Tricia Devon Alicia Rohan Natalia Gabriel Beatriz Héctor Inés"
)
_LAST = word_list(
    "García Rodríguez Martínez López González Pérez Sánchez Ramírez Torres Flores Rivera Gómez Díaz "
    "Cruz Morales Reyes Gutiérrez Ortiz Silva Santos Oliveira Souza Costa Pereira Almeida Ferreira "
    "Carvalho Gomes Joseph Pierre Jean-Baptiste Louis Charles Dorvil Étienne Baptiste Smith Williams "
    "Brown Campbell Thompson Clarke Henry Grant Baker Mohammed Persaud Ramdin Vargas Castro Rojas "
    "Herrera Medina Aguilar Mendoza Núñez Salazar Quispe Mamani Chávez"
)
_EMOJI = ("👍", "🙏", "🚀", "✅", "😀", "🇧🇷", "🇲🇽", "🇨🇴", "🇯🇲", "🇭🇹")
TEMPLATES = {
    "en": (
        "{}",
        "who has experience with {}?",
        "experiences on {}",
        "has anyone used {} for {}?",
        "{} in customs",
        "how did you implement {}?",
        "{} and {}",
    ),
    "es": (
        "{}",
        "¿quién usa {}?",
        "experiencias con {}",
        "¿alguien ha usado {} para {}?",
        "{} en la aduana",
        "¿cómo implementaron {}?",
        "{} y {}",
    ),
    "fr": (
        "{}",
        "qui a utilisé {} ?",
        "expériences sur {}",
        "quelqu'un a utilisé {} pour {} ?",
        "{} à la douane",
        "comment avez-vous mis en oeuvre {} ?",
        "{} et {}",
    ),
    "pt": (
        "{}",
        "quem usa {}?",
        "experiências com {}",
        "alguém já usou {} para {}?",
        "{} na alfândega",
        "como implementaram {}?",
        "{} e {}",
    ),
}


@dataclass
class Post:
    id: str
    kind: str
    title: str
    author: str
    date: str
    url: str
    text: str
    channel: str
    lang: str  # the language it was written in (ground truth, for the FTS5 reference's filters)
    technologies: list[str] = field(default_factory=list)

    def ingest_record(self) -> dict:
        """The JSON line the bot ingests: like a channel export, language and tags left to the bot."""
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "author": self.author,
            "date": self.date,
            "url": self.url,
            "lang": "",
            "technologies": [],
            "text": self.text,
        }


@dataclass
class Question:
    text: str
    lang: str
    source: str  # "document", "glossary" or "vocabulary"
    typo: bool = False
    filters: dict[str, str] = field(default_factory=dict)  # technology/kind/author/lang/since/until


def _pick(rng: random.Random, shares: dict[str, float]) -> str:
    return rng.choices(list(shares), weights=list(shares.values()))[0]


class CorpusGenerator:
    """Everything shared between posts (vocabularies, authors, glossary) is built once from the seed."""

    def __init__(self, seed: int = 7, glossary_path: Path | None = None):
        self.seed = seed
        rng = random.Random(f"vocabulary-{seed}")
        self.languages = {code: Language.build(code, LEMMAS_PER_LANGUAGE, rng) for code in LANGS}
        self.content_cw = {code: zipf_cum_weights(len(lang.lemmas)) for code, lang in self.languages.items()}
        self.function_cw = {
            code: zipf_cum_weights(len(lang.function_words), 0.9) for code, lang in self.languages.items()
        }
        self.concepts, self.glossary_origin = load_glossary(glossary_path)
        rng.shuffle(self.concepts)
        self.concept_cw = zipf_cum_weights(len(self.concepts), 0.8)
        names = sorted({f"{f} {last}" for f in _FIRST for last in _LAST})
        rng.shuffle(names)
        self.authors = names[:AUTHORS]
        self.author_cw = zipf_cum_weights(len(self.authors), 1.0)
        self.channel_ids = {name: 912345678901300000 + i for i, name in enumerate(CHANNELS)}

    # -- words ------------------------------------------------------------------------------
    def _content_word(self, rng: random.Random, lang: Language, low_rank: int = 0) -> str:
        rank = rng.choices(range(len(lang.lemmas)), cum_weights=self.content_cw[lang.code])[0]
        lemma = lang.lemmas[min(rank + low_rank, len(lang.lemmas) - 1)]
        return lemma[0] if len(lemma) == 1 or rng.random() < 0.55 else rng.choice(lemma[1:])

    def _sentence(self, rng: random.Random, lang: Language) -> list[str]:
        n = rng.randint(5, 18)
        fw = lang.function_words
        words = []
        kinds = rng.choices((0, 1), weights=(42, 58), k=n)
        ranks = rng.choices(range(len(lang.lemmas)), cum_weights=self.content_cw[lang.code], k=n)
        franks = rng.choices(range(len(fw)), cum_weights=self.function_cw[lang.code], k=n)
        for kind, rank, frank in zip(kinds, ranks, franks, strict=True):
            if kind == 0:
                words.append(fw[frank])
            else:
                lemma = lang.lemmas[rank]
                words.append(lemma[0] if len(lemma) == 1 or rng.random() < 0.55 else rng.choice(lemma[1:]))
        if rng.random() < 0.03:
            words.insert(
                rng.randrange(len(words)),
                str(rng.choice((2021, 2022, 2023, 2024, 2025, rng.randint(2, 500)))),
            )
        if rng.random() < 0.01:
            words.insert(rng.randrange(len(words)), f"{rng.randint(1000, 9999)}.{rng.randint(10, 99)}")
        return words

    def _term(self, rng: random.Random, concept: Concept, lang: str) -> str:
        roll = rng.random()
        if roll < 0.65 and concept.terms.get(lang):
            return rng.choice(concept.terms[lang])
        if roll < 0.85 and concept.terms.get("any"):
            return rng.choice(concept.terms["any"])
        choices = [t for terms in concept.terms.values() for t in terms]
        return rng.choice(choices)

    # -- posts ------------------------------------------------------------------------------
    def post(self, i: int) -> Post:
        rng = random.Random(self.seed * 1_000_003 + i)
        lang_code = _pick(rng, LANG_SHARE)
        lang = self.languages[lang_code]
        writeup = rng.random() < 0.03
        if writeup:
            n_words = min(4000, max(150, int(rng.lognormvariate(math.log(400), 0.9))))
            kind = rng.choices(("post", "case-study", "workshop-summary"), weights=(6, 3, 1))[0]
        else:
            n_words = min(400, max(1, int(rng.lognormvariate(math.log(24), 0.75))))
            kind = "post"
        second = (
            self.languages[rng.choice([c for c in LANGS if c != lang_code])] if rng.random() < 0.06 else None
        )

        sentences: list[list[str]] = []
        count = 0
        while count < n_words:
            use = second if second is not None and rng.random() < 0.3 else lang
            sentence = self._sentence(rng, use)
            sentences.append(sentence)
            count += len(sentence)

        technologies: set[str] = set()
        n_concepts = rng.choices((0, 1, 2, 3), weights=(55, 30, 12, 3))[0]
        for _ in range(n_concepts):
            concept = self.concepts[rng.choices(range(len(self.concepts)), cum_weights=self.concept_cw)[0]]
            if concept.group:
                technologies.add(concept.group)
            for _ in range(min(5, 1 + count // 80)):
                sentence = rng.choice(sentences)
                sentence.insert(rng.randrange(len(sentence) + 1), self._term(rng, concept, lang_code))

        out = []
        for sentence in sentences:
            sentence[0] = sentence[0][:1].upper() + sentence[0][1:]
            out.append(" ".join(sentence) + rng.choices((".", "?", "!", "..."), weights=(80, 10, 6, 4))[0])
        if writeup:  # paragraphs
            text = "\n\n".join(" ".join(out[k : k + 5]) for k in range(0, len(out), 5))
        else:
            text = " ".join(out)
        if rng.random() < 0.05:
            text = f"@{rng.choice(self.authors).split()[0]} {text}"
        if rng.random() < 0.05:
            text += " " + rng.choice(_EMOJI)
        if rng.random() < 0.03:
            text += f" https://example.org/{rng.choice(('docs', 'wco', 'pilot'))}/{rng.randint(1, 999)}"
        if lang_code != "en" and rng.random() < 0.25:
            text = fold(text)  # typed without accents

        title = ""
        if writeup or rng.random() < 0.15:
            words = [self._content_word(rng, lang) for _ in range(rng.randint(3, 7))]
            title = " ".join(words).capitalize()

        span = (END - START).total_seconds()
        when = START + timedelta(seconds=int(span * math.sqrt(rng.random())))  # the group grows
        channel = rng.choice(CHANNELS)
        msg_id = ((int(when.timestamp() * 1000) - DISCORD_EPOCH_MS) << 22) | (i & 0x3FFFFF)
        author = self.authors[rng.choices(range(len(self.authors)), cum_weights=self.author_cw)[0]]
        return Post(
            id=str(msg_id),
            kind=kind,
            title=title,
            author=author,
            date=when.isoformat(),
            url=f"https://discord.com/channels/{GUILD_ID}/{self.channel_ids[channel]}/{msg_id}",
            text=text,
            channel=channel,
            lang=lang_code,
            technologies=sorted(technologies),
        )

    def fresh_post(self, i: int) -> tuple[Post, str]:
        """A new post (index i beyond the corpus) carrying a word no other post has, to search for."""
        post = self.post(i)
        # Random letters (not a counter): markers of successive posts must not look alike, or the
        # spelling and cognate matching rightly find the neighbours' markers too.
        letters = random.Random(f"marker-{self.seed}-{i}")
        marker = "".join(letters.choice("bcdfghjklmnpqrstvwxz") for _ in range(12))
        post.text = f"{post.text} {marker}"
        return post, marker

    # -- questions --------------------------------------------------------------------------
    def questions(self, n: int, corpus_size: int) -> list[Question]:
        rng = random.Random(f"questions-{self.seed}-{corpus_size}")
        out = []
        for _ in range(n):
            source = rng.choices(("document", "glossary", "vocabulary"), weights=(40, 35, 25))[0]
            # A question about a post asks in the post's language, with words from it.
            post = self.post(rng.randrange(corpus_size)) if source == "document" else None
            lang_code = post.lang if post else _pick(rng, LANG_SHARE)
            lang = self.languages[lang_code]
            template = rng.choice(TEMPLATES[lang_code])
            slots = []
            for _ in range(template.count("{}")):
                if source == "glossary":
                    concept = self.concepts[
                        rng.choices(range(len(self.concepts)), cum_weights=self.concept_cw)[0]
                    ]
                    slots.append(self._term(rng, concept, lang_code))
                elif post is not None:
                    stop = set(lang.function_words)
                    seen = {w.strip(".?!,").lower(): None for w in post.text.split()}
                    words = [w for w in seen if len(w) >= 5 and w not in stop and w.isalpha()] or ["aduana"]
                    slots.append(" ".join(rng.sample(words, min(len(words), rng.randint(1, 3)))))
                else:
                    slots.append(
                        " ".join(self._content_word(rng, lang, 50) for _ in range(rng.randint(1, 2)))
                    )
            text = template.format(*slots)
            typo = rng.random() < 0.2
            if typo:
                text = _typo(rng, text)
            if lang_code != "en" and rng.random() < 0.3:
                text = fold(text)
            out.append(
                Question(text, lang_code, source, typo, self._filters(rng) if rng.random() < 0.35 else {})
            )
        return out

    def _filters(self, rng: random.Random) -> dict[str, str]:
        filters: dict[str, str] = {}
        for name in rng.sample(
            ("technology", "lang", "kind", "author", "dates"), rng.choices((1, 2), weights=(8, 2))[0]
        ):
            if name == "technology":
                filters["technology"] = rng.choice(sorted({c.group for c in self.concepts if c.group}))
            elif name == "lang":
                filters["lang"] = _pick(rng, LANG_SHARE)
            elif name == "kind":
                filters["kind"] = rng.choices(("post", "case-study", "workshop-summary"), weights=(5, 3, 2))[
                    0
                ]
            elif name == "author":
                filters["author"] = self.authors[
                    rng.choices(range(len(self.authors)), cum_weights=self.author_cw)[0]
                ]
            else:
                since = START + timedelta(days=rng.randrange((END - START).days - 60))
                filters["since"] = since.date().isoformat()
                if rng.random() < 0.6:
                    filters["until"] = (since + timedelta(days=rng.randint(60, 540))).date().isoformat()
        return filters


def _typo(rng: random.Random, text: str) -> str:
    """One edit (drop, swap, replace or double a letter) in the longest word, as people mistype."""
    words = text.split(" ")
    target = max(range(len(words)), key=lambda k: len(words[k]))
    word = words[target]
    if len(word) < 5:
        return text
    k = rng.randrange(1, len(word) - 2)
    edit = rng.randrange(4)
    if edit == 0:
        word = word[:k] + word[k + 1 :]
    elif edit == 1:
        word = word[:k] + word[k + 1] + word[k] + word[k + 2 :]
    elif edit == 2:
        word = word[:k] + rng.choice("aeioulnrst") + word[k + 1 :]
    else:
        word = word[:k] + word[k] + word[k:]
    words[target] = word
    return " ".join(words)


@dataclass
class CorpusFiles:
    corpus: Path  # JSON lines the bot ingests (`clikc-bot index add`)
    truth: Path  # id, lang, technologies per post (for the FTS5 reference's filter columns)
    questions: Path
    size: int
    text_bytes: int  # UTF-8 bytes of titles + texts
    glossary: str


def write_corpus(out_dir: Path, size: int, n_questions: int, gen: CorpusGenerator) -> CorpusFiles:
    """Write the corpus, its truth file and the questions under out_dir; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"s{gen.seed}-n{size}"
    files = CorpusFiles(
        corpus=out_dir / f"corpus-{stem}.jsonl",
        truth=out_dir / f"truth-{stem}.jsonl",
        questions=out_dir / f"questions-{stem}-q{n_questions}.jsonl",
        size=size,
        text_bytes=0,
        glossary=gen.glossary_origin,
    )
    text_bytes = 0
    with files.corpus.open("w", encoding="utf-8") as corpus, files.truth.open("w", encoding="utf-8") as truth:
        for i in range(size):
            post = gen.post(i)
            text_bytes += len(post.text.encode()) + len(post.title.encode())
            corpus.write(json.dumps(post.ingest_record(), ensure_ascii=False) + "\n")
            truth.write(
                json.dumps({"id": post.id, "lang": post.lang, "technologies": post.technologies}) + "\n"
            )
    files.text_bytes = text_bytes
    with files.questions.open("w", encoding="utf-8") as qf:
        for q in gen.questions(n_questions, size):
            qf.write(json.dumps(asdict(q), ensure_ascii=False) + "\n")
    return files


def read_questions(path: Path) -> list[Question]:
    with path.open(encoding="utf-8") as f:
        return [Question(**json.loads(line)) for line in f if line.strip()]
