"""What a question asks for (a count, a date, a measurement, a name, a place), read off its
wording, and whether a sentence holds that kind of thing.

No model is needed: the wording of a question says what shape its answer takes ("how
long" wants a number with a unit, "who" a name), and a sentence without that shape cannot
be the answer, however close its words. Counts, dates, amounts and measures are spotted
here; names and places in naming.py.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .naming import holds_name

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
    r"|mph|km/h|kph|knots|miles per hour|kilomet(?:re|er)s per hour"
)
# An amount of money: a currency sign before a figure, or a figure in a currency or millions.
_MONEY = (
    r"[$€£¥]\s?\d"
    r"|(?:\d[\d,.]*|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|hundreds?|thousands?|millions?|billions?))"
    r"\s*(?:million|billion|bn|m\b|dollars?|euros?|pounds?|yen|yuan|rubles?|bolivars?|cents?)\b"
)

# A time of day: "2:40", "1:15 a.m.", "5 p.m.", "noon".
_TIME = r"\b\d{1,2}[:.]\d\d\b|\b\d{1,2}\s*(a\.?m\b|p\.?m\b|o['’]clock)|\b(noon|midnight)\b"

# In order: the first pattern a question matches decides its kind.
_KINDS = [
    ("colour", r"\bwhat colou?rs?\b"),
    ("time", r"\b(what|which) (time|hour)\b(?! of (the )?year)"),
    (
        "money",
        r"\bhow much\b.*\b(cost|costs|pay|paid|spend|spent|worth|price|charge|charged|fund|raise|raised|earn|earned|budget|sell|sold"
        r"|money|cash|ransom|fine|fined|fee|fees|salary|wage|compensation|damages|dollars|euros)\b"
        r"|\bwhat (did|does|will) (it|\w+) cost\b",
    ),
    (
        "measure",
        r"\bhow (long|old|tall|deep|wide|high|big|large|heavy|fast)\b"
        r"|\bhow much (longer|later|earlier|farther|further|more time|taller|higher|bigger)\b"
        rf"|\bhow (many|much) (\w+ )?({_UNITS})\b",
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
        r"^\s*(when|since when)\b|\bwhat (date|day|year|month|time|deadline)\b"
        r"|\b(which|what) (year|month|day|date|decade|century)\b|\bon what day\b|\bby when\b",
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
    "time": re.compile(_TIME, re.I),
    "colour": re.compile(
        r"\b(red|orange|yellow|green|blue|purple|violet|pink|brown|black|white|grey|gray|silver"
        r"|gold|golden|beige|tan|buff|crimson|scarlet|maroon|navy|turquoise)\b",
        re.I,
    ),
    # A number with its unit, an age ("aged 45", "Smith, 45, said"), a date before the
    # common era ("8700 BC"), or an amount of money ("how big is the fund").
    "measure": re.compile(
        rf"{_MONEY}|{_NUMBER}\s*(?:(?:more|square|cubic|full|straight|consecutive|light)[\s-]+)?(?:{_UNITS})(?!\w)|\baged? {_NUMBER}|\w,\s*\d{{1,3}}\s*,|\d\s*(BC|BCE|AD|CE)\b",
        re.I,
    ),
    "money": re.compile(_MONEY, re.I),
    # A calendar date, a weekday, a time of day, or a time relative to the story's.
    "date": re.compile(
        r"\b(1[5-9]\d\d|20\d\d)s?\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d|"
        r"\b(january|february|march|april|june|july|august|september|october|november|december)\b|"
        r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\b\d+(st|nd|rd|th) century\b|"
        rf"{_TIME}|\b(dawn|dusk|daybreak|overnight|tonight)\b|"
        r"\b(yesterday|today|tomorrow|last (night|week|month|year|spring|summer|autumn|fall|winter|sunday|monday|tuesday|wednesday|thursday|friday|saturday))\b|"
        r"\b(this|next|last|earlier this|later this) (week|weekend|month|year|morning|afternoon|evening)\b|"
        rf"\b{_NUMBER}\s+(years?|months?|weeks?|days?|hours?|minutes?)\s+(ago|later|earlier|before|after)\b",
        re.I,
    ),
}
# A question about what is yet to happen, and a sentence that speaks of the future.
_WHEN_WILL = re.compile(
    r"^\s*(when|by when|on what date|what date)\b.*\b(will|would be|is (it |\w+ )?(expected|due|scheduled|set|planned|going))\b",
    re.I,
)
_FUTURE = re.compile(
    r"\b(will|won['’]t|would|shall|expect\w*|due|scheduled|set to|plans?|planned|planning|next"
    r"|upcoming|later this|by the end of|is to|are to|aims?|intends?|tomorrow|soon|until|deadline"
    # the present tense of a timetable: "the offer expires on June 22"
    r"|expires|opens|starts|begins|closes|ends|resumes|runs out)\b",
    re.I,
)
_ASKED_UNIT = re.compile(rf"\bhow (many|much) (?P<unit>(\w+ )?({_UNITS}))\b", re.I)
_NUMBER_UNIT = re.compile(rf"{_NUMBER}\s*(?P<unit>(?:\w+[\s-]+)?(?:{_UNITS}))(?!\w)", re.I)
_SPELLINGS = {"metre": "meter", "litre": "liter", "tonne": "ton", "kilometre": "kilometer"}


def _unit(words: str) -> str:
    """One spelling per unit ("metres" = "meter"), keeping "cubic" or "square" before it."""
    *before, unit = words.lower().replace("-", " ").split()
    unit = unit.rstrip("s")
    shape = [w for w in before if w in ("cubic", "square")]
    return " ".join([*shape, _SPELLINGS.get(unit, unit)])


# A year, a day of the month or a number in a name ("MS-13") is no count: "how many" wants
# another number.
_MONTH_BEFORE = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s*$", re.I
)


def is_count(sentence: str, start: int, figure: str) -> bool:
    """Whether the ``figure`` written at ``start`` in ``sentence`` counts or measures
    something, rather than being a year ("2025"), a day of the month ("Jan. 31") or part
    of a name or code ("MS-13", "Highway 14")."""
    before = sentence[:start]
    return not (
        re.fullmatch(r"1[5-9]\d\d|20\d\d", figure)
        or _MONTH_BEFORE.search(before)
        or re.search(r"[\w-]$", before)
    )


def _holds_count(sentence: str) -> bool:
    for m in _HAS["number"].finditer(sentence):
        figure = m.group().rstrip(".,")
        if not figure[0].isdigit() or is_count(sentence, m.start(), figure):
            return True
    return False


# The kinds whose absence rules a sentence out: asked "how many", a sentence with no
# number cannot answer. Names and places are too loosely spotted to be as strict.
MEASURED = frozenset(_HAS)


def question_kind(question: str) -> str | None:
    """ "colour", "time", "money", "measure", "number", "date", "who", "name", "place" or
    None."""
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(question):
            return kind
    return None


@lru_cache(maxsize=64)
def _given_figures(question: str) -> re.Pattern[str] | None:
    """The figures ``question`` gives, longest first, as one pattern (made once for the
    sixty sentences a question weighs)."""
    figures = sorted(set(re.findall(r"\d[\d,.]*\d|\d", question)), key=len, reverse=True)
    if not figures:
        return None
    given = "|".join(re.escape(f) for f in figures[:20])
    return re.compile(rf"(?<![\d,.])(?:{given})(?![\d,]|\.\d)")


def holds_kind(sentence: str, kind: str | None, question: str) -> float:
    """1.0 when the sentence holds the kind of thing asked for, 0.0 when not, 0.5 if unknown.
    A name counts only when the question does not already hold it."""
    if kind is None:
        return 0.5
    if kind in _HAS and (given := _given_figures(question)):
        # A figure the question already gives ("of the $22 million loss") is no answer.
        sentence = given.sub(" ", sentence)
    if kind == "number":
        return 1.0 if _holds_count(sentence) else 0.0
    if kind == "date" and _WHEN_WILL.search(question) and not _FUTURE.search(sentence):
        return 0.0  # asked when something will happen; the sentence tells only the past
    if kind == "measure" and (asked_unit := _ASKED_UNIT.search(question)):
        # "how many cubic metres": a number in other units is no answer.
        want = _unit(asked_unit.group("unit"))
        found = (_unit(m.group("unit")) for m in _NUMBER_UNIT.finditer(sentence))
        return 1.0 if want in found else 0.0
    if kind in _HAS:
        return 1.0 if _HAS[kind].search(sentence) else 0.0
    return holds_name(sentence, kind, question)
