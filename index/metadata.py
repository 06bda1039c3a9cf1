"""Whether a file's embedded title or author can be believed.

Word and PDF properties are filled in by software, not by the member: the author is the account
that saved the file ("Microsoft Office User", "jsmith01", "DESKTOP-4F2K\\Owner", "python-docx") and
the title is often the template's or the file name ("Microsoft Word - draft3.docx", "Document1").
The rule, rather than a list of every placeholder:

- an author is believed only when it reads as the full name of a person or an organisation: two
  or more words of letters, or one all-capital acronym of 3-8 letters (DGA, SUNAT: how customs
  administrations sign), none of them a generic account, vendor or software word, and none of
  the marks of an account name (digits, '_', '@', '\\', brackets);
- a title is believed when it has a word of letters and is not a generic document name, a file
  name, or a "Program - file" caption.
"""

from __future__ import annotations

import re

# Words that name an account, a role or a program, never a member (en/es/fr/pt).
GENERIC_WORDS = frozenset(
    """
    user users usuario usuaria utilisateur utilisatrice utilizador usuário owner propietario
    propriétaire proprietário admin administrator administrador administrateur administradora
    anonymous anonyme anónimo anonimo anônimo unknown desconocido inconnu desconhecido author
    autor auteur autora guest invitado invité convidado default microsoft office windows word
    excel powerpoint adobe acrobat libreoffice openoffice python docx pypdf pdf reportlab google
    docs writer pc desktop laptop computer equipo ordenador ordinateur computador root system
    hp dell lenovo asus acer toshiba samsung apple mac ibm
    """.split()  # noqa: SIM905 - a word list reads better as prose than as 64 quoted strings
)
_ACCOUNT_MARKS = re.compile(r"[\d_@\\/()\[\]{}<>=]")
_NOT_NAME = re.compile(r"[^\w\s\-'.,&]")
_LETTERS = re.compile(r"[^\W\d_]")
_GENERIC_TITLE = re.compile(
    r"""^(?:
        untitled|sin\s+t[ií]tulo|sans\s+titre|sem\s+t[ií]tulo|no\s+title|title|t[ií]tulo|titre
        |document|documento|doc|new\s+document|nuevo\s+documento|slide|diapositiva
        |presentaci[oó]n(?:\s+de\s+powerpoint)?|powerpoint\s+presentation
    )\s*\d*$""",
    re.IGNORECASE | re.VERBOSE,
)
_FILE_NAME = re.compile(r"\.(?:docx?|pdf|odt|rtf|txt|md|pptx?|xlsx?|dotx?|tmp)$", re.IGNORECASE)
_PROGRAM_CAPTION = re.compile(r"^(?:microsoft\s+\w+|word|powerpoint|adobe\s+\w+)\s+-\s+", re.IGNORECASE)


def real_author(value: object) -> str:
    """The value when it reads as a member's name, "" for a placeholder."""
    if not isinstance(value, str):
        return ""
    text = " ".join(value.split())
    if not text or len(text) > 200 or _ACCOUNT_MARKS.search(text):
        return ""
    if _NOT_NAME.search(text):
        return ""  # names are letters, spaces and name punctuation
    words = [word for word in re.split(r"[\s,&]+", text) if _LETTERS.search(word)]
    acronym = 3 <= len(text) <= 8 and text.isalpha() and text.isupper()
    if len(words) < 2 and not acronym:
        return ""  # one word is an account name ("jsmith", "Owner", "Usuario")
    if any(word.strip(".-'").casefold() in GENERIC_WORDS for word in words):
        return ""
    return text


def real_title(value: object) -> str:
    """The value when it is a title someone gave the document, "" for a placeholder."""
    if not isinstance(value, str):
        return ""
    text = " ".join(value.split())
    if not text or not re.search(r"[^\W\d_]{2}", text):
        return ""
    if _GENERIC_TITLE.match(text) or _FILE_NAME.search(text) or _PROGRAM_CAPTION.match(text):
        return ""
    return text
