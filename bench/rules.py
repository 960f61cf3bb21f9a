"""What each rule-based decline is worth beside the fitted confidence: a question set scored
with every rule, then with each one switched off.

    .venv/bin/python bench/rules.py --index-dir DIR --questions FILE

A rule stays only where switching it off lowers accuracy (README, "Quality").
"""

from __future__ import annotations

import argparse
from importlib import import_module
from pathlib import Path

from eval import load_questions, local, run_suite
from qa import QA
from qa.declines import ruled_out

RULES = {
    "all rules": lambda reason: reason,
    "without 'never mention'": lambda reason: (
        None if reason.startswith("the articles never") else reason
    ),
    "without 'gives no <kind>'": lambda reason: (
        None if reason.startswith("the articles give no") else reason
    ),
}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--index-dir", type=Path, required=True)
    p.add_argument("--questions", type=Path, required=True)
    args = p.parse_args()
    service = QA(args.index_dir)
    questions = load_questions(args.questions)
    for name, keep in RULES.items():

        def rules(q, d, keep=keep):
            reason = ruled_out(q, d)
            return keep(reason) if reason else None

        # The module, not the function qa.answer that the package exports under its name.
        import_module("qa.answer").ruled_out = rules
        ask, text = local(service)
        m = run_suite(questions, ask, text).metrics
        print(
            f"{name:28s} hit {m['hit_rate']:.3f}  declined {m['unanswerable_declined']:.3f}  "
            f"wrongly declined {m['answerable_wrongly_declined']:.3f}  accuracy {m['accuracy']:.3f}"
        )


if __name__ == "__main__":
    main()
