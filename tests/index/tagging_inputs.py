"""Texts that tagging's faster forms are checked on against the forms they replaced: hand-written
edge cases (dates and times in the four languages, numbers, accents, ligatures, links, odd Unicode,
empty and very long texts), every document of the project's corpora and of the shared development
set when it is beside the project, and a few thousand generated benchmark posts."""

from __future__ import annotations

from functools import cache

from tests.conftest import ROOT, SHARED

ADVERSARIAL = [
    "",
    " ",
    "\n\n",
    "?",
    "¿",
    "June 3, 2024",
    "june 3 2024, JUNE 3RD, June 31st, on 3 June 2024, 3rd of June",
    "3 de junio de 2024, 28 de noviembre, el 1 de enero, el 12 de setiembre de 2023",
    "le 3 juin 2024, 14 février, 1er août, 25 décembre, 3 fevrier, le 15 aout 2021",
    "em 3 de junho de 2024, 8 de julho, 25 de março, 7 de marco, 2 de dezembro de 2020",
    "2024-06-03, 2024-6-3, 20240603, 2024-06-031",
    "3/6/24, 03/06/2024, 3/6, 12/31/99, 1/2/3/4, 3/6/24/",
    "10h30, 9 am, 9am, 9:30 pm, 14 h, 14h, 16h UTC, 10:00 hora de Lima, 9 AM",
    "1,234.56 and 1.234,56 and 12% and 12 % and 3.5 percent, 40 por ciento, 10 pour cent, 5 por cento",
    "Jan 5, Feb 29 2024, Mar 1st, Apr 2nd, May 3rd, Jun 4th, Jul 5, Aug 6, Sep 7, Sept 8",
    "Oct 9, Nov 10, Dec 11, 12 Dec, 1 jan 2020, 2 Jan. 2020",
    "may 2024 may be 2024; march 5 marchers 5; mai 3 maio 4 mars 2021",
    "JANUARY 1, FÉVRIER 2, AOÛT 3, MARÇO 4, DÉCEMBRE 5, Décembre 6",
    "ſeptember 3, ſept 4, İune 5, Kelvin: K 5, ﬁrst, ﬀ, ½ 3, ①②, ٣ de junio, ३ june",
    "June\n3, June\t3, June  3, June\u00a03, 3\u2009June, 3 \u00a0de junio",
    "dates12 June 3 and 3 Juneteenth, ajune 3, june3, 3june",
    "https://example.org/3 June 2024 www.example.org/a?b=1 HTTP://X.ORG WWW.EXAMPLE.ORG http:// www.",
    "see (https://example.org/slides.pdf), <http://a.b/c?d=3&e=4>, ftp://x.y, hxxp://x.y",
    "Œuvre STRAẞE ﬁn İstanbul ΟΔΟΣ'Α naïve café déjà-vu Æsir ØRESUND straße cœur",
    "la SENAE firmó, a Receita implantou, o desvio caiu, ELLOS FIRMARON, FIRMÓ, firmo, ió, abcó, Firmó",
    "instalamos hicimos fizemos comemos partimos amos emos imos xamos xxamos INSTALAMOS İMOS xxxımos",
    "We installed it. we  installed, we\ninstalled, WE STARTED, we? installed, we_installed, we ed, we xed",
    "nous avons, nous sommes, nous testons, nous ons, nous xons, nous\navons, NOUS AVONS, notre équipe",
    "our nuestro nuestra nuestros nuestras notre nosso nossa nossos nossas ours nuestrx",
    "- one\n- two\n* three\n• four\n1. five\n2) six\n\nplain line",
    "Does anyone know? ¿Alguien sabe? Quelqu'un sait ? Alguém sabe?? Yes!!! no... maybe?!",
    "\u200b\u200e zero-width and bidi\u202e marks, tabs\tand\rcarriage returns\r\n",
    "ｆｕｌｌｗｉｄｔｈ　ｔｅｘｔ　１２３　ｊｕｎｅ　３",
    "a" * 5000,
    (
        "We installed scanners on 3 June 2024 at 10h30; seizures rose 40%. https://x.org/a "
        "¿Alguien más? 28 de noviembre de 2023, les résultats ont baissé. "
    )
    * 400,
]


def corpus_files() -> list[str]:
    """Every document of the project's corpora, and of the shared development set when present."""
    folders = [ROOT / "tests" / "evalset" / "corpus", ROOT / "config" / "samples", SHARED / "eval" / "corpus"]
    return [path.read_text(encoding="utf-8") for folder in folders for path in sorted(folder.glob("*.md"))]


def vocabulary_texts() -> list[str]:
    """Every term of the glossary and the gazetteer, as written, in the plural and in capitals, a few
    to a line and many lines to a text: what the glossary and the gazetteer are matched against."""
    import yaml

    terms: list[str] = []
    for name in ("glossary.yaml", "countries.yaml"):
        for body in yaml.safe_load((ROOT / "config" / name).read_text(encoding="utf-8")).values():
            for value in body.values():
                terms += [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]
    variants = [form for term in terms for form in (term, term + "s", term.upper())]
    lines = [", ".join(variants[i : i + 5]) + "." for i in range(0, len(variants), 5)]
    return ["\n".join(lines[i : i + 20]) for i in range(0, len(lines), 20)]


@cache
def generated_posts(count: int = 2000) -> tuple[tuple[str, str], ...]:
    """(text, kind) of benchmark posts, seeded: the posts the ingest benchmark tags."""
    from benchmarks.corpus import CorpusGenerator

    generator = CorpusGenerator(seed=17)
    posts = [generator.post(i) for i in range(count)]
    return tuple((post.text, post.kind) for post in posts)


# Pieces the fuzzed texts are made of: what the cue patterns look for, and what lies next to it.
def _pieces(block: str) -> tuple[str, ...]:
    """The block's pieces, separated by white space; "~" joins the words of a phrase."""
    return tuple(piece.replace("~", " ") for piece in block.split())


_TOKENS = _pieces("""
    3 4 12 31 2024 24 06 1,5 1.234,56 40% 12 % 10h30 9 h 9am 10:00 16h 3/6/24 2024-06-03 1er 2nd 3rd 4th
    st nd rd th er de del da le la el em June june JUNE jun Jun. Sept sept may mayo maio mai mars marco
    março août aout AOÛT février fevrier décembre decembre setiembre setembro noviembre dezembro janvier
    enero january january3 3june ſept İune K ı ß œ Œ æ ﬁ ½ ٣ ३ ① percent por~ciento pour~cent por~cento
    we We WE we~installed nous~avons nous avons sommes testons our nuestra nossos notre équipe installed
    started built now have firmó FIRMÓ firmaron implantou caiu subiu aram eram iram iu ou instalamos
    hicimos comemos xamos to~answer en~respuesta pour~répondre em~resposta does~anyone is~there alguien
    quelqu~un est~ce~que alguém gostaria~de~saber thanks~in~advance slides pdf here~is voici enlace
    disponible register agenda save~the~date aura~lieu próxima~sesión result resultados a~baissé before
    since now desde depuis ahora agora instead~of en~vez~de https://example.org/x www.example.org http://
    ¿ ? ! . , ; : - * • 1. 2)
""")
_SEPARATORS = (" ", " ", " ", "  ", "\n", "\n\n", "\t", ", ", ". ", "? ", "", "\u00a0", "-", "/", "'")


@cache
def fuzzed_texts(count: int = 2000) -> tuple[str, ...]:
    """Seeded random texts of the cue pieces with random separators between them."""
    import random

    rng = random.Random(17)
    texts = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 30)):
            parts.append(rng.choice(_TOKENS))
            parts.append(rng.choice(_SEPARATORS))
        texts.append("".join(parts))
    return tuple(texts)


@cache
def all_texts() -> tuple[str, ...]:
    generated = tuple(text for text, _ in generated_posts())
    return tuple(ADVERSARIAL) + tuple(corpus_files()) + tuple(vocabulary_texts()) + generated + fuzzed_texts()
