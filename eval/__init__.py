"""The eval suite: hand-written questions, and the scoring of qa/ against them."""

from .match import contains, normalize
from .questions import BadQuestions, Question, load_questions
from .run import Unreachable, local, over_http, run_suite
from .score import Outcome, Report

__all__ = [
    "BadQuestions",
    "Outcome",
    "Question",
    "Report",
    "Unreachable",
    "contains",
    "load_questions",
    "local",
    "normalize",
    "over_http",
    "run_suite",
]
