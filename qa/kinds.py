"""What a question asks for (a count, a date, a measurement, a name, a place), read off its
wording, and whether a sentence holds that kind of thing.

No model is needed: the wording of a question says what shape its answer takes ("how
long" wants a number with a unit, "who" a name), and a sentence without that shape cannot
be the answer, however close its words.
"""

from __future__ import annotations

import re

_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty"
    r"|dozens?|hundreds?|thousands?|millions?|billions?|half"
)
_NUMBER = rf"(?:\d[\d,.]*|\b(?:{_NUMBER_WORDS})\b)"
_UNITS = (
    r"years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?|centur(?:y|ies)"
    r"|km|kilomet(?:re|er)s?|miles?|met(?:re|er)s?|m|cm|mm|feet|foot|ft|inch(?:es)?|yards?"
    r"|acres?|hectares?|square|sq|tonnes?|tons?|kg|kilograms?|grams?|pounds?|lbs?"
    r"|per ?cent|%|degrees?|°|storeys?|stories|floors|-year-old"
)
_CURRENCY = r"[$€£¥]|\b(?:dollars?|euros?|pounds?|yen|yuan|rubles?|bolivars?|cents?)\b"

# In order: the first pattern a question matches decides its kind.
_KINDS = [
    ("colour", r"\bwhat colou?rs?\b"),
    (
        "money",
        r"\bhow much\b.*\b(cost|costs|pay|paid|spend|spent|worth|price|charge|charged|fund|raise|raised|earn|earned|budget|sell|sold)\b"
        r"|\bwhat (did|does|will) (it|\w+) cost\b",
    ),
    (
        "measure",
        r"\bhow (long|old|tall|deep|wide|high|big|large|heavy|fast)\b",
    ),
    (
        "number",
        r"\bhow (many|much|often)\b"
        # "what tariff rate did…", but not "what price problem…"
        r"|\bwhat (\w+ )?(number|percentage|share|amount|proportion|rate|price|total|figure|sum|population|count|score|toll)s?"
        r"(?=\s+(of|did|does|do|is|was|were|are|has|have|had|will|would|could|can)\b|\s*\?)",
    ),
    (
        "date",
        r"^\s*(when|since when)\b|\bwhat (date|day|year|month|time)\b"
        r"|\b(which|what) (year|month|day|date|decade|century)\b|\bon what day\b",
    ),
    (
        "who",
        r"^\s*(who|whom|whose)\b"
        r"|\bwhich (person|official|envoy|leader|president|man|woman|people|reporter|secretary|minister|judge|author|writer|engineer)\b"
        r"|\b(names?|named)\b",
    ),
    (
        "name",
        r"\b(which|what) (\w+ )?(agency|outlet|company|firm|organi[sz]ation|gang|group|party|team|club|platform|network|newspaper|broadcaster|programme|program|language|ship|mine|proposal|comedy|show|film|book)\b",
    ),
    (
        "place",
        r"^\s*where\b|\b(which|what) (country|countries|city|cities|place|state|region|nation|river|sea|island|town|port|prison)\b"
        r"|\bin what (country|city|place)\b|\bcountry's\b",
    ),
]
_KIND_PATTERNS = [(kind, re.compile(p, re.I)) for kind, p in _KINDS]

_HAS = {
    "number": re.compile(_NUMBER, re.I),
    "colour": re.compile(
        r"\b(red|orange|yellow|green|blue|purple|violet|pink|brown|black|white|grey|gray|silver"
        r"|gold|golden|beige|tan|buff|crimson|scarlet|maroon|navy|turquoise)\b",
        re.I,
    ),
    # A number with its unit, an age ("aged 45", "Smith, 45, said"), or a date before the
    # common era ("8700 BC").
    "measure": re.compile(
        rf"{_NUMBER}\s*(?:(?:more|square|cubic|full|straight|consecutive|light)[\s-]+)?(?:{_UNITS})(?!\w)|\baged? {_NUMBER}|\w,\s*\d{{1,3}}\s*,|\d\s*(BC|BCE|AD|CE)\b",
        re.I,
    ),
    "money": re.compile(rf"{_CURRENCY}|{_NUMBER}\s*(?:million|billion|bn|m)\b", re.I),
    "date": re.compile(
        r"\b(1[5-9]\d\d|20\d\d)\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d|"
        r"\b(january|february|march|april|june|july|august|september|october|november|december)\b|"
        r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\b\d+(st|nd|rd|th) century\b|"
        r"\b(yesterday|today|last (week|month|year|sunday|monday|tuesday|wednesday|thursday|friday|saturday))\b",
        re.I,
    ),
}
# A year or a day of the month is a date, not a count: "how many" wants another number.
_MONTH_BEFORE = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s*$", re.I
)


def _holds_count(sentence: str) -> bool:
    for m in _HAS["number"].finditer(sentence):
        number = m.group()
        if re.fullmatch(r"1[5-9]\d\d|20\d\d", number):
            continue
        if number[0].isdigit() and _MONTH_BEFORE.search(sentence[: m.start()]):
            continue
        return True
    return False


# The kinds whose absence rules a sentence out: asked "how many", a sentence with no
# number cannot answer. Names and places are too loosely spotted to be as strict.
MEASURED = frozenset(_HAS)

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


def question_kind(question: str) -> str | None:
    """ "money", "measure", "number", "date", "who", "name", "place" or None."""
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(question):
            return kind
    return None


def holds_kind(sentence: str, kind: str | None, question: str) -> float:
    """1.0 when the sentence holds the kind of thing asked for, 0.0 when not, 0.5 if unknown.
    A name counts only when the question does not already hold it."""
    if kind is None:
        return 0.5
    if kind == "number":
        return 1.0 if _holds_count(sentence) else 0.0
    if kind in _HAS:
        return 1.0 if _HAS[kind].search(sentence) else 0.0
    asked = set(re.findall(r"\w+", question.lower())) | _NOT_NAMES
    pattern = _PERSON if kind == "who" else _PROPER
    for m in pattern.finditer(sentence.lstrip("\"“‘'(")):
        words = re.findall(r"\w+", m.group().lower())
        if kind == "who" and words[0] in _LEADING:
            # "The English word…" is a sentence's opening, not a person.
            words = words[1:] if len(words) > 2 else []
        if set(words) - asked:
            return 1.0
    return 0.0
