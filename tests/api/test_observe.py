"""What an operator sees of a running `qa serve`: /metrics moving with the requests, one
JSON log line per request, and the stages of an answer in Server-Timing."""

import json
import re

import httpx
from prometheus_client.parser import text_string_to_metric_families

from api.observe import reason_label

from ..conftest import running_server

TOKEN = "observe-token"
ANSWERED = "Who did Trump send to meet Maduro?"
DECLINED = "Who won the 2018 football World Cup final?"
ARTICLE = (
    "Lantern regatta on Lake Glimmerfen\n\n"
    "More than two hundred lantern boats crossed Lake Glimmerfen on Saturday night, "
    "the organisers said.\n"
)


def scrape(base: str) -> dict[tuple[str, frozenset], float]:
    r = httpx.get(f"{base}/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(r.text)
        for s in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_metrics_logs_and_server_timing(index_copy, tmp_path):
    log = tmp_path / "server.log"
    with running_server(index_copy, log=log, QA_LOG_FORMAT="json", QA_API_TOKEN=TOKEN) as base:
        before = scrape(base)
        assert value(before, "qa_index", what="documents") == 5
        assert value(before, "qa_index", what="generation") == 1

        asked = httpx.post(
            f"{base}/ask",
            json={"question": ANSWERED},
            headers={"X-Request-ID": "ask-1"},
            timeout=60,
        )
        declined = httpx.post(f"{base}/ask", json={"question": DECLINED}, timeout=60)
        missing = httpx.get(f"{base}/documents/no-such-doc")
        written = httpx.post(
            f"{base}/documents",
            json={"text": ARTICLE},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=120,
        )
        assert (asked.status_code, declined.status_code, missing.status_code) == (200, 200, 404)
        assert asked.json()["answerable"] and not declined.json()["answerable"]
        assert written.status_code == 201
        after = scrape(base)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("qa_http_requests_total", method="POST", route="/ask", status="200") == 2
    assert (
        moved("qa_http_requests_total", method="GET", route="/documents/{doc_id}", status="404")
        == 1
    )
    assert moved("qa_http_request_seconds_count", method="POST", route="/ask") == 2
    assert moved("qa_answers_total", outcome="answered", reason="") == 1
    reason = reason_label(declined.json()["reason"])
    assert moved("qa_answers_total", outcome="declined", reason=reason) == 1
    for stage in ("embed", "retrieve", "choose"):
        assert moved("qa_stage_seconds_count", stage=stage) == 2
    assert value(after, "qa_index", what="documents") == 6
    assert value(after, "qa_index", what="generation") == 2
    assert moved("qa_reload_seconds_count") >= 1  # the write's new generation was loaded

    # Server-Timing: each stage and the whole, in milliseconds.
    timing = dict(re.findall(r"(\w+);dur=([\d.]+)", asked.headers["Server-Timing"]))
    assert set(timing) == {"embed", "retrieve", "choose", "total"}
    assert sum(float(timing[s]) for s in ("embed", "retrieve", "choose")) <= float(timing["total"])
    assert asked.headers["X-Request-ID"] == "ask-1"

    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["logger"] == "qa.requests"]
    by_id = {line["request_id"]: line for line in requests}
    assert by_id["ask-1"]["status"] == 200 and by_id["ask-1"]["outcome"] == "answered"
    assert by_id["ask-1"]["path"] == "/ask" and by_id["ask-1"]["ms"] > 0
    other = by_id[declined.headers["X-Request-ID"]]
    assert other["outcome"] == f"declined: {declined.json()['reason']}"
    assert by_id[missing.headers["X-Request-ID"]]["status"] == 404
    # Every line the server printed is JSON, uvicorn's own included.
    assert len(lines) == len(log.read_text().splitlines())
    assert any(line["logger"].startswith("uvicorn") for line in lines)


def test_a_decline_reason_becomes_a_label_without_what_was_asked():
    assert reason_label("the articles never mention Ruritania, Zog") == "the articles never mention"
    assert (
        reason_label("the articles give no date for this") == "the articles give no date for this"
    )
    assert reason_label(None) == "none"
