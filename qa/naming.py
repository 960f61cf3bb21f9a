"""Whether a sentence names the person, organisation or place a question asks for: by
capitalisation, a name the question does not already hold, and not the one quoted.

Spotted by shape, not by the named-entity model: on the held-out sets this rule adds a
question or two the entity types alone miss (a ranker refitted without it put the right
sentence first for 0.744 of the held-out questions, against 0.748 with it).
"""

from __future__ import annotations

import re

# A person's name: a run of two or more capitalised words, possibly joined by particles or
# holding a quoted nickname ("Tren de Aragua", "Héctor “Niño” Guerrero"). Single
# capitalised words are too often countries, nationalities or a sentence's first word.
_PERSON = re.compile(
    r"\b[A-Z][\w’'.-]+(?:\s+(?:(?:de|del|da|la|van|von|al|bin|of|the)\s+)?[“\"‘]?[A-Z][\w’'-]+[”\"’]?)+"
)
# Any capitalised word after the first: enough for "which company" or "which country".
_PROPER = re.compile(r"(?<=\S\s)[“\"‘]?[A-Z][\w’'-]+")
_NOT_NAMES = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "jan",
        "feb",
        "aug",
        "sept",
        "oct",
        "nov",
        "dec",
        "i",
        "the",
        "in",
        "at",
        "to",
        "from",
        "near",
        "across",
        "into",
        "of",
        "de",
        "del",
        "da",
        "la",
        "van",
        "von",
        "al",
        "bin",
    ]
)


# Capitalised only because they open a sentence.
_LEADING = frozenset(
    [
        "the",
        "a",
        "an",
        "in",
        "on",
        "at",
        "for",
        "by",
        "with",
        "from",
        "after",
        "before",
        "when",
        "while",
        "this",
        "that",
        "these",
        "those",
        "his",
        "her",
        "its",
        "their",
        "our",
        "it",
        "he",
        "she",
        "they",
        "we",
        "but",
        "and",
        "as",
        "since",
        "during",
    ]
)


# Who is quoted is not who did it: names in an attribution ("…, Fire Chief Danielle Moreau
# told reporters", "said a spokesperson for Easton Regional Health") answer "who said",
# not "who was the victim".
_CAPS = r"[A-Z][\w’'.-]+(?:\s+(?:(?:de|van|von|la|of|the)\s+)?[A-Z][\w’'.-]+)*"
_ATTRIBUTION = re.compile(
    rf"{_CAPS}\s*,?\s*(?:\d{{1,3}},\s*)?(?:said|says|told|added|wrote|posted|tweeted)\b"
    rf"|\b(?:said|says|told|according to|spokes(?:person|man|woman) for|statement from)\s+"
    rf"(?:(?:the|a|an|its|his|her)\s+)?(?:[a-z]+\s+){{0,3}}(?:for\s+|of\s+)?(?:the\s+)?{_CAPS}"
)
_SAYING = re.compile(
    r"\b(said|say|says|saying|told|tell|announce[ds]?|state[ds]?|claim(ed|s)?|describe[ds]?|"
    r"call(ed|s)?|warn(ed|s)?|wr(ote|ite|itten)|post(ed|s)?|report(ed|s)?|quote[ds]?|according|spokes\w*|confirm(ed|s)?)\b",
    re.I,
)


_PLACE_NOUNS = frozenset(
    [
        "lane",
        "street",
        "st",
        "road",
        "rd",
        "avenue",
        "ave",
        "drive",
        "boulevard",
        "square",
        "park",
        "river",
        "lake",
        "valley",
        "bay",
        "island",
        "islands",
        "mountain",
        "mountains",
        "county",
        "bridge",
        "dam",
        "reservoir",
        "canal",
        "sea",
        "ocean",
        "coast",
    ]
)


def holds_name(sentence: str, kind: str, question: str) -> float:
    """1.0 when ``sentence`` names a "who", "name" or "place" the question asks for, and
    does not already hold; else 0.0."""
    asked = set(re.findall(r"\w+", question.lower())) | _NOT_NAMES
    if not _SAYING.search(question):
        # Unless the attribution names what was asked ("Northcape chief executive Marianne
        # Okafor said", asked for Northcape's chief executive).
        content = asked - _NOT_NAMES - _LEADING

        def strip(m: re.Match[str]) -> str:
            # The attribution with the title just before it ("Northcape chief executive"),
            # back to the last comma or stop.
            before = re.split(r"[,;:.!?\"“”—–()]", m.string[: m.start()])[-1].split()[-4:]
            around = " ".join([*before, m.group()]).lower()
            words = set(re.findall(r"\w+", re.sub(r"['’]s\b", "", around)))
            return m.group() if len(words & content) >= 2 else " "

        sentence = _ATTRIBUTION.sub(strip, sentence)
    pattern = _PERSON if kind == "who" else _PROPER
    for m in pattern.finditer(sentence.lstrip("\"“‘'(")):
        words = re.findall(r"\w+", re.sub(r"['’]s\b", "", m.group().lower()))
        if kind == "who" and words[-1] in _PLACE_NOUNS:
            continue  # "Foundry Lane" is no one
        if kind == "who" and words[0] in _LEADING:
            # "The English word…" is a sentence's opening, not a person.
            words = words[1:] if len(words) > 2 else []
        if set(words) - asked:
            return 1.0
    return 0.0
