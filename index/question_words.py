"""Words that frame a question rather than name its topic, in the four languages.

"¿Alguien usa drones?", "which administrations use drones?", "comment les autres douanes forment-elles
leurs agents ?": the asking words (someone, which, other, use, customs, administrations) are in
every question and in every post that asks one, so searched as words they pull questions asked by
other members above the reports that answer. They are not stop words of the documents (a report
says "we use", "la aduana"), so they stay indexed; a question drops them when it has other words.
What kind of answer the question wants is read from its whole text (index.doctype.wanted).
"""

from __future__ import annotations

from index.analysis import fold

# Interrogatives and pronouns Whoosh's stop-word lists lack, indefinites ("anyone", "alguien"),
# generic verbs of use and doing, and the actors every question in the group names (customs,
# administrations, countries, colleagues). Folded (no accents), as the question's words are.
_FRAMING = """
    anyone anybody someone somebody everyone other others another else
    which who whom whose what how when where why
    use uses used using utilise utilize utilized employ employs
    customs administration administrations agency agencies country countries colleague colleagues
    member members experience experiences example examples
    alguien alguno alguna algunos algunas otro otra otros otras cual cuales quien quienes
    usa usan uso usar usando utiliza utilizan utilizar emplea emplean aplica aplican
    aduana aduanas administracion administraciones pais paises colega colegas miembro miembros
    experiencia experiencias ejemplo ejemplos
    quelqu quelque quelques quel quelle quels quelles lequel laquelle lesquels lesquelles
    comment pourquoi quand autre autres elles ils leurs leur
    utilise utilisent utiliser utilisez emploie emploient
    douane douanes administrations pays collegue collegues membre membres
    experience experiences exemple exemples
    alguem algum alguma alguns algumas outro outra outros outras quais qual quem onde quando
    usa usam usou usaram usar usando utiliza utilizam utilizar emprega empregam aplica aplicam
    aduana aduanas alfandega alfandegas administracao administracoes pais paises colega colegas
    membro membros experiencia experiencias exemplo exemplos
"""
FRAMING: frozenset[str] = frozenset(fold(word) for word in _FRAMING.split())


def is_framing(folded_word: str) -> bool:
    """True for a word that frames a question (given folded, as `index.analysis.words` yields it)."""
    return folded_word in FRAMING
