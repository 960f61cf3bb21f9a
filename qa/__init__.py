"""Answer questions from the stored index: retrieve, select sentences, cite, abstain."""

from .answer import Weights, answer
from .records import Answer, Citation, Conflict, Hit
from .retrieve import MODES, retrieve
from .service import QA

__all__ = ["MODES", "QA", "Answer", "Citation", "Conflict", "Hit", "Weights", "answer", "retrieve"]
