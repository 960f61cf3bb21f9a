"""`qa ask`: filters (--outlet, --since, --until) narrow the articles answered from; a decline
says why."""

import json
import re

from typer.testing import CliRunner

from cli import app

CNN = "003_1fbe0b5a43a135b8"


def ask(index_dir, *args):
    return CliRunner().invoke(app, ["ask", "--index-dir", str(index_dir), *args])


def test_outlet_and_dates_narrow_the_answer(seed_index):
    result = ask(
        seed_index, "What did Maduro offer?", "--json", "--outlet", "cnn", "--since", "2025-02-01"
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert {p["doc_id"] for p in body["passages"]} == {CNN}
    assert {c["doc_id"] for c in body["citations"]} <= {CNN}


def test_an_unknown_outlet_is_refused_naming_the_known_ones(seed_index):
    result = ask(seed_index, "What did Maduro offer?", "--outlet", "BBC")
    assert result.exit_code == 2
    assert "no article is from outlet 'BBC'; the outlets are: CNN" in result.output


def test_a_reversed_range_names_the_options(seed_index):
    result = ask(seed_index, "x?", "--since", "2025-03-01", "--until", "2025-02-01")
    assert result.exit_code == 2
    assert "--since (2025-03-01) is after --until (2025-02-01); swap them" in result.output


def test_a_decline_prints_its_reason_and_answerability(seed_index):
    result = ask(seed_index, "Who won the 2018 football World Cup final?")
    assert result.exit_code == 0, result.output
    line = result.output.strip()
    assert line.startswith("The articles don't say. (")
    assert re.search(r"; answerability 0\.\d\d\)$", line), line
