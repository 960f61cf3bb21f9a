"""`qa eval` end to end, and the HTTP asker against the in-process one, on the seed index."""

import json
import socket
from pathlib import Path
from typing import get_args

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import qa
from api import create_app
from eval import Unreachable, load_questions, local, over_http, run_suite
from eval.cli import Mode, register
from qa.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = [
    {"id": "a", "question": "Who met with Maduro on Jan. 31?", "answers": ["Grenell"],
     "doc_ids": ["001_5bdbbf1b3fce710f"], "answerable": True},
    {"id": "b", "question": "What is the boiling point of mercury?", "answers": [],
     "doc_ids": [], "answerable": False},
]  # fmt: skip


@pytest.fixture(scope="module")
def server(seed_qa, seed_index):
    with TestClient(create_app(Settings(index_dir=seed_index), service=seed_qa)) as client:
        yield client


@pytest.fixture
def qa_eval(server, monkeypatch):
    """Run `qa eval --url http://testserver ...` with the requests going to the test server."""
    monkeypatch.setattr("eval.cli.over_http", lambda url: over_http(url, client=server))
    app = typer.Typer()
    app.callback()(lambda: None)  # keep `eval` a subcommand, as under `qa`
    register(app)
    return lambda *args: CliRunner().invoke(app, ["eval", "--url", "http://testserver", *args])


@pytest.fixture
def questions(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS))
    return path


def test_the_modes_offered_are_the_retrievers(seed_qa):
    assert get_args(Mode) == qa.MODES


def test_over_http_scores_what_in_process_scores(seed_qa, server):
    questions = load_questions(ROOT / "eval/questions.jsonl")[:24]
    here = run_suite(questions, *local(seed_qa))
    there = run_suite(questions, *over_http("http://testserver", client=server))
    same = ("hit", "why", "answer", "citations", "passages", "rank", "offsets_valid")
    for a, b in zip(here.outcomes, there.outcomes, strict=True):
        assert [getattr(a, k) for k in same] == [getattr(b, k) for k in same], a.id
    assert here.metrics["citation_offsets_valid"] == there.metrics["citation_offsets_valid"] == 1.0


def test_eval_prints_the_table_and_writes_every_question(qa_eval, questions, tmp_path):
    out = tmp_path / "report.json"
    result = qa_eval("--questions", str(questions), "--json", str(out))
    assert result.exit_code == 0, result.output
    assert "answer hit rate                       1.000" in result.stdout
    report = json.loads(out.read_text())
    assert report["run"]["top_k"] == 5
    assert report["metrics"]["questions"] == 2 and report["metrics"]["accuracy"] == 1.0
    a, b = report["questions"]
    assert a["hit"] and "Grenell" in a["answer"] and a["rank"] >= 1 and a["why"] is None
    assert a["citations"] and all(
        c.keys() == {"doc_id", "start", "end", "quote"} for c in a["citations"]
    )
    assert b["hit"] and b["answer"] is None and b["reason"]
    assert a["latency_ms"] > 0


def test_a_figure_below_its_floor_fails_naming_it(qa_eval, tmp_path):
    # A question whose accepted answer no article holds: always a miss, so the hit rate is 1/2.
    trap = QUESTIONS[0] | {"id": "c", "answers": ["Zeppelin"]}
    path = tmp_path / "q.jsonl"
    path.write_text("".join(json.dumps(q) + "\n" for q in [*QUESTIONS, trap]))
    assert qa_eval("--questions", str(path), "--min-hit", "0.5").exit_code == 0
    result = qa_eval("--questions", str(path), "--min-hit", "0.6")
    assert result.exit_code == 1
    assert result.stderr == "qa: hit_rate is 0.500, below the floor 0.6\n"
    assert "c: Who met with Maduro on Jan. 31?" in result.stdout
    assert "not retrieved (no passage in the top 5 holds an answer)" in result.stdout


def test_url_with_a_local_only_option_is_refused(qa_eval, questions):
    result = qa_eval("--questions", str(questions), "--mode", "bm25")
    assert result.exit_code == 2 and "local only" in result.stderr


def test_an_unreachable_server_is_named():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # free once closed
    ask, _ = over_http(f"http://127.0.0.1:{port}/", timeout=2)
    with pytest.raises(Unreachable, match=f"cannot reach http://127.0.0.1:{port}/ask"):
        ask("Who?", 5)
