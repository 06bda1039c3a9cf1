"""classify() and cues() answer exactly as the implementation they replaced, kept here as the
reference: the same cue counts, figures, clock times and links for every text of tagging_inputs."""

from __future__ import annotations

import re
import unicodedata

from index import doctype
from index.analysis import LIGATURES
from index.doctype import _CUE_LISTS, Cues, classify, cues
from tests.index.tagging_inputs import ADVERSARIAL, all_texts, generated_posts

# --- the reference: index/doctype.py as it was before its cues were made cheaper ---------------------
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_FIGURE = re.compile(r"\d+(?:[.,]\d+)?\s*(?:%|percent|por ciento|pour cent|por cento)|\b\d[\d.,]*\b")
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|"
    "jul|aug|sep|sept|oct|nov|dec|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|"
    "octubre|noviembre|diciembre|janvier|fevrier|février|mars|avril|mai|juin|juillet|aout|août|septembre|"
    "octobre|novembre|decembre|décembre|janeiro|fevereiro|março|marco|maio|junho|julho|setembro|outubro|"
    "novembro|dezembro"
)
_DATE = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th|er)?\s+(?:de\s+)?(?:{_MONTHS})\b(?:\s+(?:de\s+)?\d{{4}})?"
    rf"|\b(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?"
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"\b\d{1,2}(?::\d{2}\s*(?:h|am|pm)?|\s*h\s*\d{0,2}|h\d{0,2}|\s*(?:am|pm))\b", re.I)
_LIST_LINE = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_FIRST_PERSON = re.compile(
    r"\bwe (?:\w+ed|built|ran|set|put|made|began|took|got|just|now|have|are|use|run|went)\b"
    r"|\b(?:our|nuestr[oa]s?|notre|noss[oa]s?)\b"
    r"|\b\w++(?:(?<=\w{3}amos)|(?<=\w{3}emos)|(?<=\w{3}imos))"
    r"|\bnous (?:avons|sommes|\w+ons)\b|\bnotre (?:equipe|cellule|brigade|administration|unite|service)\b"
)
_PRETERITE_ENDINGS = ("ó", "aron", "ieron", "ou", "aram", "eram", "iram", "iu")
_PRETERITE = re.compile(
    r"\b\w++(?:" + "|".join(rf"(?<=\w{{3}}{ending})" for ending in _PRETERITE_ENDINGS) + ")", re.IGNORECASE
)
_ACCENTS = re.compile("[\u0300-\u036f]")
_NOT_WORD = re.compile(r"[^\w?]+")
_PIECE = re.compile(r"\w+|\?")


def _folded(text: str) -> str:
    if text.isascii():
        return _NOT_WORD.sub(" ", text.lower())
    text = unicodedata.normalize("NFKD", text.lower().translate(LIGATURES))
    return _NOT_WORD.sub(" ", _ACCENTS.sub("", text))


def _phrase_table(lists):
    table = {}
    for number, phrases in enumerate(lists):
        for phrase in phrases:
            table.setdefault(phrase.split(" ")[0], []).append((number, tuple(phrase.split(" "))))
    return table


_CUE_TABLE = _phrase_table(_CUE_LISTS)


def _phrase_counts(folded: str) -> list[int]:
    pieces = _PIECE.findall(folded)
    counts = [0] * len(_CUE_LISTS)
    free = [0] * len(_CUE_LISTS)
    for i, piece in enumerate(pieces):
        entries = _CUE_TABLE.get(piece)
        if entries is None:
            continue
        for number, words in entries:
            if free[number] > i:
                continue
            end = i + len(words)
            if end == i + 1 or tuple(pieces[i:end]) == words:
                counts[number] += 1
                free[number] = end
    return counts


def reference_cues(text: str) -> Cues:
    folded = _folded(text)
    answering, asking, account, reported, change, results, event, resource = _phrase_counts(folded)
    without_links = _URL.sub(" ", text)
    flowing = re.sub(r"\n(?!\s*\n|\s*(?:[-*•]|\d+[.)])\s)", " ", without_links)
    sentences = [s for s in _SENTENCE.findall(flowing) if s.strip()]
    lines = [line for line in text.splitlines() if line.strip()]
    asked = [s for s in sentences if s.rstrip().endswith("?")]
    return Cues(
        questions=max(len(asked), text.count("¿")),
        question_share=sum(map(len, asked)) / max(1, sum(map(len, sentences))),
        answering=answering,
        asking=asking,
        account=account,
        first_person=len(_FIRST_PERSON.findall(folded)),
        reported=reported + min(change, 2) + min(len(_PRETERITE.findall(without_links)), 2),
        results=results,
        figures=len(_FIGURE.findall(_DATE.sub(" ", without_links))),
        event=event,
        clock=len(_CLOCK.findall(without_links)),
        resource=resource,
        links=len(_URL.findall(text)),
        list_lines=sum(1 for line in lines if _LIST_LINE.match(line)),
        lines=len(lines),
    )


def reference_classify(text: str, kind: str = "post") -> str:
    if kind == "case-study":
        return doctype.EXPERIENCE
    c = reference_cues(text)
    done = 2 * (c.account + c.answering) + min(c.first_person, 3) + c.reported + c.results
    told = done + min(c.figures, 4) // 2
    asked = 2 * min(c.questions, 3) + c.asking
    if c.links and c.resource and told < 4:
        return doctype.RESOURCE
    if c.event + (c.clock > 0) >= 2 and told < 4 and asked < c.event + c.clock:
        return doctype.EVENT
    if c.list_lines >= 3 and c.list_lines * 2 >= c.lines and told < 2:
        return doctype.OTHER
    if kind != "workshop-summary" and (
        c.question_share >= 0.5 or (asked >= 2 and asked >= told and c.question_share >= 0.2)
    ):
        return doctype.QUESTION
    if told >= 2 or kind == "workshop-summary" or (done and not asked):
        return doctype.EXPERIENCE
    if c.links:
        return doctype.RESOURCE
    if c.event and c.clock:
        return doctype.EVENT
    if c.question_share >= 0.2 or (c.asking and not c.questions):
        return doctype.QUESTION
    if done or (c.figures and not c.event):
        return doctype.EXPERIENCE
    return doctype.OTHER


# --- the comparison ---------------------------------------------------------------------------------


def test_cues_are_the_references_on_every_text():
    texts = all_texts()
    wrong = [text for text in texts if cues(text) != reference_cues(text)]
    assert not wrong, (len(wrong), [(t[:120], cues(t), reference_cues(t)) for t in wrong[:3]])


def test_classify_is_the_references_for_every_kind():
    kinds = ("post", "workshop-summary")  # a case study is an experience without reading it
    pairs = [(text, kind) for text in all_texts() for kind in kinds] + list(generated_posts())
    wrong = [(text, kind) for text, kind in pairs if classify(text, kind) != reference_classify(text, kind)]
    assert not wrong, wrong[:3]


def test_the_inputs_reach_every_cue():
    """Not a comparison of zeros: the texts compared hold dates, figures, clock times, links, lists,
    questions and every cue list, in numbers."""
    totals: dict[str, float] = {}
    for text in all_texts():
        for name, value in vars(reference_cues(text)).items():
            totals[name] = totals.get(name, 0) + (value > 0)
    assert all(count >= 20 for count in totals.values()), totals
    dated = [text for text in ADVERSARIAL if _DATE.search(text)]
    assert len(dated) >= 10
    assert sum(len(_DATE.findall(text)) for text in all_texts()) >= 200
    assert sum(len(_MONTHS_ONLY.findall(text)) for text in all_texts()) >= 200


_MONTHS_ONLY = re.compile(rf"\b(?:{_MONTHS})\b", re.IGNORECASE)


# --- what the faster forms rely on, checked for every character --------------------------------------
EVERY_CHARACTER = "".join(map(chr, range(0x110000)))


def _ignoring_case(letter: str) -> set[str]:
    return set(re.findall(re.escape(letter), EVERY_CHARACTER, re.IGNORECASE))


def test_a_letter_of_a_link_matched_in_any_case_is_that_letter_in_lower_case():
    """Why a text whose lower case holds neither "http" nor "www." has no link to look for."""
    for letter in "htpw":
        assert {c.lower() for c in _ignoring_case(letter)} == {letter}


def test_the_preterite_endings_last_letters_in_any_case_are_the_ones_written_out():
    written = set(doctype._LAST_LETTERS)
    for ending in doctype._PRETERITE_ENDINGS:
        assert _ignoring_case(ending[-1]) <= written, ending


def test_a_month_is_a_whole_word_and_a_digit_a_word_character():
    """Why a date that starts with its month starts at a word followed by white space and a digit,
    and why "\\b\\d" can be written "\\d(?<!\\w\\d)"."""
    letters = set(_MONTHS) - {"|"}
    matched = set().union(*map(_ignoring_case, letters))
    assert all(re.fullmatch(r"\w", c) for c in matched)
    assert all(re.fullmatch(r"\w", c) for c in re.findall(r"\d", EVERY_CHARACTER))
    assert not re.findall(r"(?=\s)\w", EVERY_CHARACTER)
