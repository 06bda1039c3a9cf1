"""Per-language vocabularies for the generated corpus: real function words, real customs words, and
synthesised content words with real inflections, so that stop words, accent folding and stemming do
the same work on the benchmark as on real posts. Plus the glossary's multilingual technology terms.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

LANGS = ("en", "es", "fr", "pt")


def word_list(text: str) -> list[str]:
    return text.split()


# Real function words, most frequent first (they take the top Zipf ranks).
FUNCTION_WORDS = {
    "en": word_list(
        "the of and to a in is that for it we with on as was this are be by have at from or not our "
        "they but an can which has you all there were their been more will would about also when what "
        "so if who how them any other some than into only its do could these our us may should very "
        "after just over such where most then because each both those here"
    ),
    "es": word_list(
        "de la que el en y a los se del las un por con no una su para es al lo como más pero sus le "
        "ya o este sí porque esta entre cuando muy sin sobre también me hasta hay donde quien desde "
        "todo nos durante todos uno les ni contra otros ese eso ante ellos e esto antes algunos qué "
        "unos yo otro otras otra tanto esa estos mucho quienes nada muchos cual"
    ),
    "fr": word_list(
        "de la le et les des en un du une est que pour qui dans a par plus pas au sur ne se ce il "
        "sont avec ou nous mais aux son été comme leur elle ont cette ses on y même tout fait sans "
        "peut ces entre aussi très donc dont être leurs avons où vous après quand déjà notre nos car "
        "avant sous"
    ),
    "pt": word_list(
        "de a o que e do da em um para é com não uma os no se na por mais as dos como mas foi ao ele "
        "das tem à seu sua ou ser quando muito há nos já está também só pelo pela até isso ela entre "
        "era depois sem mesmo aos ter seus quem nas me esse eles estão você tinha foram essa num nem "
        "suas meu às minha têm numa pelos"
    ),
}

# Real customs vocabulary (singular/plural or verb forms), interleaved into the top content ranks.
DOMAIN_WORDS = {
    "en": word_list(
        "customs administration administrations border cargo container containers declaration "
        "declarations importer importers exporter exporters tariff goods shipment shipments risk "
        "risks inspection inspections officer officers clearance trade traders pilot project projects "
        "data system systems platform operator operators port ports valuation origin certificate "
        "certificates experience experiences implemented implementing tracking"
    ),
    "es": word_list(
        "aduana aduanas administración administraciones frontera carga contenedor contenedores "
        "declaración declaraciones importador importadores exportador exportadores arancel mercancías "
        "envío envíos riesgo riesgos inspección inspecciones funcionario funcionarios despacho "
        "comercio piloto proyecto proyectos datos sistema sistemas plataforma operador operadores "
        "puerto puertos valoración origen certificado certificados experiencia experiencias "
        "implementamos implementado seguimiento"
    ),
    "fr": word_list(
        "douane douanes administration administrations frontière cargaison conteneur conteneurs "
        "déclaration déclarations importateur importateurs exportateur exportateurs tarif "
        "marchandises envoi envois risque risques contrôle contrôles agent agents dédouanement "
        "commerce pilote projet projets données système systèmes plateforme opérateur opérateurs port "
        "ports valeur origine certificat certificats expérience expériences mis oeuvre suivi"
    ),
    "pt": word_list(
        "alfândega alfândegas administração administrações fronteira carga contêiner contêineres "
        "declaração declarações importador importadores exportador exportadores tarifa mercadorias "
        "remessa remessas risco riscos inspeção inspeções servidor servidores despacho comércio "
        "piloto projeto projetos dados sistema sistemas plataforma operador operadores porto portos "
        "valoração origem certificado certificados experiência experiências implementamos "
        "implementado rastreamento"
    ),
}

# Syllables and inflection paradigms per language; a lemma is a synthesised stem plus a paradigm.
_ONSETS = {
    "en": word_list("b c d f g h l m n p r s t w br cl dr fl gr pl pr sh st str th tr"),
    "es": word_list("b c d f g l m n p r s t v ch br cr gr pl pr tr ll"),
    "fr": word_list("b c d f g l m n p r s t v ch br cr gr pl pr tr qu"),
    "pt": word_list("b c d f g l m n p r s t v ch br cr gr pl pr tr lh nh"),
}
_VOWELS = {
    "en": ["a", "e", "i", "o", "u", "a", "e", "i", "o", "ea", "ou"],
    "es": ["a", "e", "i", "o", "u", "a", "e", "o", "a", "e", "i", "á", "é", "í", "ó", "ú", "ue", "ie"],
    "fr": ["a", "e", "i", "o", "u", "a", "e", "i", "ou", "ai", "é", "è", "ê", "au", "eu"],
    "pt": ["a", "e", "i", "o", "u", "a", "e", "o", "a", "e", "i", "á", "é", "ê", "ó", "ã", "õ", "ei"],
}
_CODAS = {
    "en": ["", "", "n", "r", "s", "l", "t", "nd", "st"],
    "es": ["", "", "", "n", "r", "s", "l"],
    "fr": ["", "", "", "n", "r", "s", "l"],
    "pt": ["", "", "", "n", "r", "s", "l", "m"],
}
# Each paradigm: the surface forms of one lemma, first the most frequent.
_PARADIGMS = {
    "en": [
        ("", "s"),
        ("tion", "tions"),
        ("ment", "ments"),
        ("e", "es", "ed", "ing"),
        ("", "ed", "ing", "s"),
        ("er", "ers"),
        ("ity", "ities"),
        ("al", "ally"),
        ("ness",),
        ("ive", "ively"),
    ],
    "es": [
        ("o", "os"),
        ("a", "as"),
        ("ción", "ciones"),
        ("dad", "dades"),
        ("miento", "mientos"),
        ("ar", "amos", "ado", "ando", "ó", "an"),
        ("er", "emos", "ido", "iendo", "ió", "en"),
        ("al", "ales"),
        ("ico", "ica", "icos", "icas"),
        ("oso", "osa", "osos"),
    ],
    "fr": [
        ("", "s"),
        ("e", "es"),
        ("tion", "tions"),
        ("ment", "ments"),
        ("er", "é", "ée", "és", "ons", "ait", "ent"),
        ("eur", "eurs"),
        ("ité", "ités"),
        ("ique", "iques"),
        ("el", "elle", "els"),
        ("ir", "i", "issons", "issait"),
    ],
    "pt": [
        ("o", "os"),
        ("a", "as"),
        ("ção", "ções"),
        ("dade", "dades"),
        ("mento", "mentos"),
        ("ar", "amos", "ado", "ando", "ou", "am"),
        ("er", "emos", "ido", "endo", "eu", "em"),
        ("al", "ais"),
        ("ico", "ica", "icos", "icas"),
        ("ão", "ões"),
    ],
}

# A small built-in glossary, used when config/glossary.yaml is absent: concept -> group, terms.
BUILTIN_GLOSSARY = {
    "blockchain": {
        "group": "blockchain",
        "any": ["blockchain", "DLT"],
        "en": ["distributed ledger"],
        "es": ["cadena de bloques", "registro distribuido"],
        "fr": ["chaîne de blocs", "registre distribué"],
        "pt": ["cadeia de blocos", "registro distribuído"],
    },
    "smart-contract": {
        "group": "blockchain",
        "en": ["smart contract"],
        "es": ["contrato inteligente"],
        "fr": ["contrat intelligent"],
        "pt": ["contrato inteligente"],
    },
    "aeo-mra": {
        "group": "blockchain",
        "any": ["AEO", "OEA", "MRA"],
        "en": ["mutual recognition"],
        "es": ["reconocimiento mutuo"],
        "fr": ["reconnaissance mutuelle"],
        "pt": ["reconhecimento mútuo"],
    },
    "e-seal": {
        "group": "iot",
        "en": ["electronic seal", "e-seal"],
        "es": ["precinto electrónico", "marchamo electrónico"],
        "fr": ["scellé électronique"],
        "pt": ["lacre eletrônico"],
    },
    "iot": {
        "group": "iot",
        "any": ["IoT"],
        "en": ["internet of things", "sensors"],
        "es": ["internet de las cosas", "sensores"],
        "fr": ["internet des objets", "capteurs"],
        "pt": ["internet das coisas", "sensores"],
    },
    "rfid": {
        "group": "iot",
        "any": ["RFID", "GPS"],
        "en": ["cargo tracking", "smart container"],
        "es": ["rastreo de carga", "contenedor inteligente"],
        "fr": ["suivi des cargaisons", "conteneur intelligent"],
        "pt": ["rastreamento de carga", "contêiner inteligente"],
    },
    "machine-learning": {
        "group": "analytics",
        "any": ["AI", "IA", "ML"],
        "en": ["machine learning", "artificial intelligence"],
        "es": ["aprendizaje automático", "inteligencia artificial"],
        "fr": ["apprentissage automatique", "intelligence artificielle"],
        "pt": ["aprendizado de máquina", "inteligência artificial"],
    },
    "risk-engine": {
        "group": "analytics",
        "en": ["risk management", "risk engine", "risk profiling"],
        "es": ["gestión de riesgos", "perfilamiento de riesgo"],
        "fr": ["gestion des risques", "ciblage"],
        "pt": ["gestão de riscos", "perfilamento de risco"],
    },
    "data-analytics": {
        "group": "analytics",
        "en": ["data analytics", "dashboard"],
        "es": ["analítica de datos", "tablero"],
        "fr": ["analyse de données", "tableau de bord"],
        "pt": ["análise de dados", "painel"],
    },
}


@dataclass(frozen=True)
class Concept:
    id: str
    group: str  # "" for customs concepts outside the three technology groups
    terms: dict[str, tuple[str, ...]]  # lang (or "any") -> terms


def load_glossary(path: Path | None) -> tuple[list[Concept], str]:
    """The project's glossary when present (format: concept -> group, any/en/es/fr/pt lists), else the
    built-in list. Returns the concepts and where they came from."""
    raw, origin = BUILTIN_GLOSSARY, "built-in"
    if path is not None and path.is_file():
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(loaded, dict) and isinstance(loaded.get("concepts"), dict):
            loaded = loaded["concepts"]
        if isinstance(loaded, dict) and loaded:
            raw, origin = loaded, str(path)
    concepts = []
    for concept_id, entry in raw.items():
        if not isinstance(entry, dict):
            continue
        terms = {
            key: tuple(str(t) for t in entry.get(key) or () if str(t).strip()) for key in ("any", *LANGS)
        }
        if any(terms.values()):
            concepts.append(Concept(str(concept_id), str(entry.get("group") or ""), terms))
    return concepts, origin


def fold(text: str) -> str:
    """Strip accents, as many members type."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


@dataclass
class Language:
    """One language's vocabulary: function words and content forms, each ranked for Zipf sampling."""

    code: str
    function_words: list[str]
    lemmas: list[tuple[str, ...]]  # content lemmas by rank, each its surface forms

    @classmethod
    def build(cls, code: str, size: int, rng: random.Random) -> Language:
        seen: set[str] = set()
        synthetic: list[tuple[str, ...]] = []
        onsets, vowels, codas = _ONSETS[code], _VOWELS[code], _CODAS[code]
        while len(synthetic) < size:
            stem = "".join(
                rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas)
                for _ in range(rng.choice((1, 2, 2, 2, 3)))
            )
            forms = tuple(stem + ending for ending in rng.choice(_PARADIGMS[code]))
            if forms[0] in seen or len(forms[0]) < 4:
                continue
            seen.update(forms)
            synthetic.append(forms)
        # The real customs words take every fourth rank from rank 12 on (frequent, not dominant).
        lemmas: list[tuple[str, ...]] = []
        domain = [(w,) for w in DOMAIN_WORDS[code]]
        for i, lemma in enumerate(synthetic):
            if domain and i >= 12 and i % 4 == 0:
                lemmas.append(domain.pop(0))
            lemmas.append(lemma)
        return cls(code, FUNCTION_WORDS[code], lemmas)


def zipf_cum_weights(n: int, exponent: float = 1.07) -> list[float]:
    """Cumulative weights for ranks 1..n under Zipf's law (for random.choices)."""
    total, out = 0.0, []
    for rank in range(1, n + 1):
        total += rank**-exponent
        out.append(total)
    return out
