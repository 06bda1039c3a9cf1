"""What a document is — an experience report, a question, an event, a resource share or other —
read from the text itself, in any of the four languages.

Members want first-hand reports before anything else; a post asking the same thing, an agenda or a
terminology list uses the same words and would otherwise rank beside them. The cues are the ones a
reader uses: questions asked, first-person accounts of what was done, results and figures, dates and
times, links. The cue words are ordinary function words and phrasings of each language, not topics.

Over 400 lines on purpose: most of it is the cue phrases of four languages, data that reads best
beside the few rules that weigh them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import compress, count

from index.analysis import LIGATURES as _LIGATURES
from index.documents import DOC_TYPES

EXPERIENCE, QUESTION, EVENT, RESOURCE, OTHER = DOC_TYPES
# Part of the index fingerprint: a change to the cues re-classifies every stored document on open.
CLASSIFIER_VERSION = "3"

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
# Lines are wrapped mid-sentence in posts and files: only a blank line or a list item ends one.
_WRAPPED = re.compile(r"\n(?!\s*\n|\s*(?:[-*•]|\d+[.)])\s)")
_DIGIT = re.compile(r"\d")  # dates, figures and clock times all hold one: a text without is spared them
# A number, with what it counts when that is a share. Written to start at the digit ("\b\d" as
# "\d(?<!\w\d)"), so the engine skips from digit to digit in C rather than trying the pattern at
# every position; it matches exactly where r"\d+(?:[.,]\d+)?\s*(?:%|…)|\b\d[\d.,]*\b" does.
_FIGURE = re.compile(
    r"\d(?:\d*(?:[.,]\d+)?\s*(?:%|percent|por ciento|pour cent|por cento)|(?<!\w\d)[\d.,]*\b)"
)
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|"
    "jul|aug|sep|sept|oct|nov|dec|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|"
    "octubre|noviembre|diciembre|janvier|fevrier|février|mars|avril|mai|juin|juillet|aout|août|septembre|"
    "octobre|novembre|decembre|décembre|janeiro|fevereiro|março|marco|maio|junho|julho|setembro|outubro|"
    "novembro|dezembro"
)
# A date is when something happens, not a figure of what came of it: "28 de noviembre", "June 3, 2024",
# "2024-06-03", "3/6/24". One that starts with its day or year starts at a digit; one that starts with
# its month names it in a whole word followed by white space and a digit. Those two checks come first,
# so the ~70 month names are tried only at such a word rather than at every word of the text: the
# same dates as the four branches r"\b\d{1,2}… (?:months)…|\b(?:months)\s+\d…|\b\d{4}-…|\b\d{1,2}/…".
_DATE = re.compile(
    r"\b(?:(?=\d)(?:"
    rf"\d{{1,2}}(?:st|nd|rd|th|er)?\s+(?:de\s+)?(?:{_MONTHS})\b(?:\s+(?:de\s+)?\d{{4}})?"
    r"|\d{4}-\d{2}-\d{2}\b|\d{1,2}/\d{1,2}(?:/\d{2,4})?\b)"
    rf"|(?=\w++\s++\d)(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?)",
    re.IGNORECASE,
)
# A clock time, "10:30", "10h30", "9 am", "14 h": starting at its digit, like a figure.
_CLOCK = re.compile(r"\d(?<!\w\d)\d?(?::\d{2}\s*(?:h|am|pm)?|\s*h\s*\d{0,2}|h\d{0,2}|\s*(?:am|pm))\b", re.I)
_LIST_LINE = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


def _phrase_list(phrases: str) -> list[str]:
    """Phrases (folded, one per line), longest first: the order the alternation tries them in."""
    return sorted({p.strip() for p in phrases.strip().splitlines() if p.strip()}, key=len, reverse=True)


def _alternation(phrases: str) -> re.Pattern[str]:
    """Phrases (folded, one per line) as one word-bounded pattern over folded text."""
    items = _phrase_list(phrases)
    return re.compile(r"\b(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in items) + r")\b")


# Asking: someone wants to know or to be sent something.
_ASKING = _phrase_list("""
    does anyone
    has anyone
    have any of you
    is anyone
    anyone who
    any experience
    any advice
    any idea
    we would like to know
    i would like to know
    thanks in advance
    is there
    how do you
    how did you
    alguien
    alguna aduana
    alguna administracion
    alguna experiencia
    quisiera saber
    quisieramos saber
    quisieramos
    consulta
    pregunta para
    como hacen
    se lo agradezco
    les agradezco
    gracias de antemano
    quelqu un
    est ce que
    y a t il
    avez vous
    comment gerez vous
    merci d avance
    auriez vous
    savez vous
    alguem
    alguma aduana
    alguma experiencia
    gostaria de saber
    voces
    obrigado desde ja
    obrigada desde ja
    como voces
""")
# What was done, told by those who did it (first person, past or ongoing).
_ACCOUNT = _phrase_list("""
    we trained
    we built
    we installed
    we moved
    we automated
    we connected
    we started
    we tested
    we introduced
    we launched
    we now
    we have been
    we are using
    we run
    we use
    our unit has
    our team
    we found
    we caught
    we learned
    lessons learned
    sharing what worked
    experience from
    we require
    hicimos
    instalamos
    probamos
    implementamos
    construimos
    detectamos
    armamos
    entrenamos
    pusimos
    logramos
    aprendimos
    usamos
    comparamos
    priorizamos
    desarrollamos
    pedimos
    tuvimos
    sufrimos
    estamos usando
    estamos aplicando
    les cuento
    les comparto
    comparto nuestra
    compartimos
    nuestra experiencia
    experiencia de
    nous avons
    avons mis
    avons relie
    nous utilisons
    nous testons
    notre brigade
    notre administration
    retour d experience
    chez nous
    a ete
    ont ete
    fizemos
    instalamos
    testamos
    aplicamos
    colocamos
    treinamos
    implantamos
    tivemos
    estamos usando
    estamos testando
    compartilho
    nossa experiencia
    aqui no
    aqui estamos
""")
# First person plural at work, in any tense: "we installed", "instalamos", "nous avons", "testamos",
# counted over the folded words in `_word_counts`: the words of _OURS, "we" and "nous" with the word
# after them, and a word of seven letters or more ending in -amos, -emos, -imos (_AMOS).
_WE_DID = frozenset(
    _phrase_list("""
    built
    ran
    set
    put
    made
    began
    took
    got
    just
    now
    have
    are
    use
    run
    went
""")
)
# first word -> (the words that may follow it, or any longer word with that ending)
_WE = {"we": (_WE_DID, "ed"), "nous": (frozenset({"avons", "sommes"}), "ons")}
_OURS = _phrase_list("""
    our
    nuestro
    nuestra
    nuestros
    nuestras
    notre
    nosso
    nossa
    nossos
    nossas
""")
# Found from its ending: the engine looks for "mos" as a plain string, in C.
_AMOS = re.compile(r"mos(?!\w)(?<=\w{3}[aei]mos)")
# Someone else's reported action: "the agency deployed", "la aduana implementó", "a lancé".
_REPORTED = _phrase_list("""
    deployed
    launched
    introduced
    rolled out
    reported
    implemented
    desplego
    implemento
    lanzo
    reporto
    introdujo
    adopto
    a deploye
    a lance
    a mis en place
    a introduit
    implantou
    lancou
    adotou
    implementou
""")
# A change told as it now stands: "now share", "instead of twice", "against 15% before", "desde
# 2023", "désormais", "em vez de". A report of what an administration did, in any person or tense.
_CHANGE = _phrase_list("""
    now
    instead of
    no longer
    compared with
    before
    since
    ahora
    ya no
    en lugar de
    en vez de
    antes
    desde
    desormais
    maintenant
    au lieu de
    au lieu du
    au lieu des
    ne plus
    avant
    depuis
    agora
    em vez de
    nao mais
    antes
    desde
""")
# Third person past in Spanish and Portuguese, from the words as written (the accent tells "firmó"
# from "firmo"): "la SENAE firmó", "a Receita implantou", "o desvio caiu". A whole word with one of
# these endings after at least three letters, found from its last letter (both cases written out, so
# the engine skips to the next one in C), then the end of the word, then the endings: the words
# r"\b\w{3,}(?:ó|aron|ieron|ou|aram|eram|iram|iu)\b" matches, once each.
_PRETERITE_ENDINGS = ("ó", "aron", "ieron", "ou", "aram", "eram", "iram", "iu")
_LAST_LETTERS = "".join(
    sorted({c for ending in _PRETERITE_ENDINGS for c in (ending[-1], ending[-1].upper())})
)
_PRETERITE = re.compile(
    rf"(?-i:[{_LAST_LETTERS}])(?!\w)(?:"
    + "|".join(rf"(?<=\w{{3}}{ending})" for ending in _PRETERITE_ENDINGS)
    + ")",
    re.IGNORECASE,
)

# Answering someone: whatever follows is an account, even if it ends by asking something back.
_ANSWERING = _phrase_list("""
    to answer
    replying to
    in reply to
    respondiendo
    en respuesta
    para responder
    pour repondre
    en reponse
    respondendo
    em resposta
""")
# What came of it.
_RESULT = _phrase_list("""
    result
    results
    outcome
    increase
    decrease
    reduction
    fell
    rose
    went up
    went down
    doubled
    tripled
    reduced
    seized
    seizures
    recovered
    resultado
    resultados
    reduccion
    aumento
    bajo
    bajaron
    subio
    subieron
    se triplicaron
    se duplico
    redujo
    recuperaron
    detectamos
    resultat
    resultats
    a baisse
    ont baisse
    a augmente
    sont passes
    recuperes
    intercepte
    interceptes
    caiu
    subiu
    dobrou
    reduziu
    recuperado
""")
# Something that will happen at a time: sessions, webinars, calls for registration.
_EVENT = _phrase_list("""
    save the date
    webinar on
    next session
    next meeting
    join link
    register
    registration
    agenda
    will take place
    will be held
    proxima sesion
    proximo taller
    inscripciones
    inscribase
    agenda del
    se realizara
    prochaine seance
    prochaine reunion
    annonce
    aura lieu
    inscription
    au programme
    proxima sessao
    aviso
    inscricoes
    sera no dia
    sera realizada
""")
# Material handed over: slides, recordings, documents, links.
_RESOURCE = _phrase_list("""
    slides
    recording
    recordings
    the presentation
    presentations
    here is
    here are
    available at
    now online
    download
    pdf
    useful links
    diapositivas
    grabacion
    presentaciones
    enlace
    disponible
    ya esta disponible
    aqui esta
    carpeta compartida
    presentation
    enregistrement
    lien
    telecharger
    voici
    apresentacao
    gravacao
    links uteis
    disponivel
    segue o link
    esta aqui
""")


@dataclass(frozen=True)
class Cues:
    questions: int  # sentences ending in a question mark (or opened with ¿)
    question_share: float  # of the text's characters, in those sentences
    answering: int
    asking: int
    account: int
    first_person: int
    reported: int
    results: int
    figures: int
    event: int
    clock: int
    resource: int
    links: int
    list_lines: int
    lines: int


_ACCENTS = re.compile("[\u0300-\u036f]")
_NOT_WORD = re.compile(r"[^\w?]+")
_LIGATURE = re.compile("[" + "".join(map(chr, _LIGATURES)) + "]")


def _unaccented(text: str, lower: str) -> str:
    """`lower` (the text in lower case) without ligatures and accents, in C passes, and only those
    the text needs: an ASCII text has nothing to decompose, and few texts hold a ligature."""
    if text.isascii():
        return lower
    if _LIGATURE.search(lower):
        lower = lower.translate(_LIGATURES)
    return _ACCENTS.sub("", unicodedata.normalize("NFKD", lower))


def _folded(text: str) -> str:
    """Lower case, no accents, words separated by single spaces (folding word by word was most of the
    time classifying took at ingest)."""
    return _NOT_WORD.sub(" ", _unaccented(text, text.lower()))


# The cue lists counted in one walk over the folded text's words, as `len(_alternation(list).findall(
# folded))` counts each: eight regex scans of every position were a third of classifying. The first
# person's own words ride along as a ninth list.
_CUE_LISTS = (_ANSWERING, _ASKING, _ACCOUNT, _REPORTED, _CHANGE, _RESULT, _EVENT, _RESOURCE)
_PIECE = re.compile(r"\w+|\?")


def _phrase_table(lists: tuple[list[str], ...]) -> dict[str, list[tuple[int, list[str]]]]:
    """First word -> (list number, the phrase's words), each list's phrases longest first."""
    table: dict[str, list[tuple[int, list[str]]]] = {word: [] for word in _WE}
    for number, phrases in enumerate(lists):
        for phrase in phrases:
            words = phrase.split(" ")
            if not all(re.fullmatch(r"\w+", word) for word in words):  # pragma: no cover - a typo in a list
                raise ValueError(f"cue phrase {phrase!r}: words separated by single spaces only")
            table.setdefault(words[0], []).append((number, words))
    return table


_CUE_TABLE = _phrase_table((*_CUE_LISTS, _OURS))


def _word_counts(unaccented: str) -> list[int]:
    """How many times each cue list's phrases occur in the text's folded words, as `findall` of the
    list's word-bounded alternation over `_folded(text)` counts them, then the first person's count
    as r"\\bwe (?:\\w+ed|built|…)\\b|\\b(?:our|nuestr[oa]s?|…)\\b|\\b\\w{3,}[aei]mos\\b|\\bnous …\\b" counts
    it (no word of one of its matches can start or be another).

    A match starts at a word, the longest phrase there wins, and the next match of that list starts
    after it. The pieces are the words and the "?" of the text (the same as `_folded`'s), so words
    next to each other in `pieces` are separated by one space in the folded text (what the pattern's
    \\s+ matches there), and a "?" between them is a piece no phrase word equals."""
    pieces = _PIECE.findall(unaccented)
    counts = [0] * (len(_CUE_LISTS) + 1)
    free = [0] * (len(_CUE_LISTS) + 1)  # the first piece each list may match at: matches do not overlap
    table = _CUE_TABLE
    last = len(pieces) - 1
    for i in compress(count(), map(table.__contains__, pieces)):  # only the pieces a phrase starts with
        piece = pieces[i]
        for number, words in table[piece]:
            if free[number] > i:
                continue
            end = i + len(words)
            if end == i + 1 or pieces[i:end] == words:
                counts[number] += 1
                free[number] = end
        if piece in _WE and i < last:
            following, ending = pieces[i + 1], _WE[piece][1]
            if following in _WE[piece][0] or (len(following) > len(ending) and following.endswith(ending)):
                counts[-1] += 1
    counts[-1] += len(_AMOS.findall(unaccented))
    return counts


def cues(text: str) -> Cues:
    lower = text.lower()
    unaccented = _unaccented(text, lower)
    answering, asking, account, reported, change, results, event, resource, first_person = _word_counts(
        unaccented
    )
    if "http" in lower or "www." in lower:  # what every link starts with, in any case
        without_links, links = _URL.subn(" ", text)
    else:
        without_links, links = text, 0
    flowing = _WRAPPED.sub(" ", without_links) if "\n" in without_links else without_links
    sentences = [s for s in _SENTENCE.findall(flowing) if s.strip()]
    lines = [line for line in text.splitlines() if line.strip()]
    asked = [s for s in sentences if s.rstrip().endswith("?")]
    if _DIGIT.search(without_links):
        figures = len(_FIGURE.findall(_DATE.sub(" ", without_links)))
        clock = len(_CLOCK.findall(without_links))
    else:
        figures = clock = 0
    return Cues(
        questions=max(len(asked), text.count("¿")),
        question_share=sum(map(len, asked)) / max(1, sum(map(len, sentences))),
        answering=answering,
        asking=asking,
        account=account,
        first_person=first_person,
        reported=reported + min(change, 2) + min(len(_PRETERITE.findall(without_links)), 2),
        results=results,
        figures=figures,
        event=event,
        clock=clock,
        resource=resource,
        links=links,
        list_lines=sum(1 for line in lines if _LIST_LINE.match(line)),
        lines=len(lines),
    )


def classify(text: str, kind: str = "post") -> str:
    """The document's type; `kind` is what the source says (a case study is a report by definition)."""
    if kind == "case-study":
        return EXPERIENCE
    c = cues(text)
    done = 2 * (c.account + c.answering) + min(c.first_person, 3) + c.reported + c.results
    told = done + min(c.figures, 4) // 2
    asked = 2 * min(c.questions, 3) + c.asking
    if c.links and c.resource and told < 4:
        return RESOURCE
    if c.event + (c.clock > 0) >= 2 and told < 4 and asked < c.event + c.clock:
        return EVENT
    if c.list_lines >= 3 and c.list_lines * 2 >= c.lines and told < 2:
        return OTHER  # a list of terms or items, nobody's account
    if kind != "workshop-summary" and (
        c.question_share >= 0.5 or (asked >= 2 and asked >= told and c.question_share >= 0.2)
    ):
        return QUESTION
    if told >= 2 or kind == "workshop-summary" or (done and not asked):
        return EXPERIENCE
    if c.links:
        return RESOURCE
    if c.event and c.clock:
        return EVENT
    if c.question_share >= 0.2 or (c.asking and not c.questions):
        return QUESTION
    if done or (c.figures and not c.event):
        # Mostly told, with figures or an action reported, and a question at most at the end ("the
        # Receita runs 40 AI projects... anyone else?"): news of what was done is a report. Figures
        # beside an event's words are its dates.
        return EXPERIENCE
    return OTHER


# A question that asks for material, or for when something happens, rather than for experiences.
_WANTS_RESOURCE = _alternation("""
    slides
    slide deck
    recording
    recorded
    video
    presentation
    presentations
    link
    links
    pdf
    download
    diapositivas
    grabacion
    grabado
    presentacion
    presentaciones
    enlace
    enlaces
    lien
    liens
    enregistrement
    diaporama
    telecharger
    apresentacao
    apresentacoes
    gravacao
    gravado
    baixar
""")
_WANTS_EVENT = _alternation("""
    when is
    when will
    when does
    what time
    next session
    next webinar
    next meeting
    next workshop
    upcoming
    cuando es
    cuando sera
    a que hora
    proxima sesion
    proximo webinario
    proximo taller
    quand aura lieu
    quand est
    a quelle heure
    prochaine seance
    prochain webinaire
    prochain atelier
    quando sera
    quando e
    que horas
    when do
    when are
    what date
    which day
    cuando empieza
    cuando comienza
    cuando inicia
    cuando son
    que dia
    quand commence
    quand debute
    quand a lieu
    quel jour
    quando comeca
    quando inicia
    quando vai
    proxima sessao
    proximo webinario
    proxima oficina
""")


def wanted(question: str) -> str:
    """What kind of document a question asks for: a resource, an event, or (by default) experiences."""
    folded = _folded(question)
    if _WANTS_EVENT.search(folded):
        return EVENT
    if _WANTS_RESOURCE.search(folded):
        return RESOURCE
    return EXPERIENCE
