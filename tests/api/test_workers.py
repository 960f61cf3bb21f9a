"""`qa serve --workers 2`: two processes answer, each from the newest write whichever
took it, and /metrics counts the requests of both. (Which worker takes a connection is
the kernel's choice: tests/qa/test_service.py shows a service answering from another
process's write by the next question.)"""

import json
from concurrent.futures import ThreadPoolExecutor

import httpx

from ..conftest import running_server
from .test_observe import ANSWERED, ARTICLE, TOKEN, scrape, value

ABOUT_THE_ARTICLE = "How many lantern boats crossed Lake Glimmerfen?"


def test_two_workers_share_the_questions_the_writes_and_the_counts(index_copy, tmp_path):
    log = tmp_path / "server.log"
    env = {"QA_LOG_FORMAT": "json", "QA_API_TOKEN": TOKEN}
    with running_server(index_copy, log=log, args=("--workers", "2"), **env) as base:

        def ask(question: str) -> httpx.Response:
            with httpx.Client(base_url=base, timeout=60) as client:  # a connection each
                return client.post("/ask", json={"question": question})

        with ThreadPoolExecutor(8) as pool:
            before = list(pool.map(ask, [ANSWERED] * 24))
        assert all(r.status_code == 200 and r.json()["answerable"] for r in before)
        written = httpx.post(
            f"{base}/documents",
            json={"text": ARTICLE},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=120,
        )
        assert written.status_code == 201
        new = written.json()["doc_id"]
        # At once, whichever worker answers: the one that wrote, or the other.
        with ThreadPoolExecutor(8) as pool:
            after = list(pool.map(ask, [ABOUT_THE_ARTICLE] * 24))
        assert all(r.status_code == 200 for r in after)
        assert all(new in {p["doc_id"] for p in r.json()["passages"]} for r in after)
        counted = scrape(base)

    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    started = {line["message"] for line in lines if "Started server process" in line["message"]}
    assert len(started) == 2  # uvicorn's line from each worker, with its pid
    assert len([line for line in lines if line.get("path") == "/ask"]) == 48
    assert value(counted, "qa_http_requests_total", method="POST", route="/ask", status="200") == 48
    assert value(counted, "qa_answers_total", outcome="answered", reason="") >= 24
    assert value(counted, "qa_index", what="documents") == 6
