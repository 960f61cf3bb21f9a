"""Latency and memory of answering, in process and over HTTP against a real server.

    .venv/bin/python bench/latency.py [--index-dir var/index] [--questions eval/questions.jsonl] [--rounds 3]

Prints per-stage medians (question embedding, retrieval, answer selection) measured in
process, then p50/p95 of POST /ask over loopback against `qa serve`, first with every
question new to the server and then asked again (the question-embedding cache), and the
server's resident memory. Numbers go into bench/RESULTS.md by hand, with the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parent.parent


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def in_process(index_dir: Path, questions: list[str]) -> None:
    from qa import QA
    from qa.answer import answer
    from qa.question import read_question
    from qa.retrieve import retrieve

    # One BLAS thread, as the server runs (api/app.py): OpenBLAS's idle threads spin after
    # each small product and take the core the reader's second run needs.
    threadpool_limits(1, user_api="blas")
    qa = QA(index_dir)
    qa.ask("warm up")
    read, embed, search, select = [], [], [], []
    for text in questions:
        t0 = time.perf_counter()
        q = read_question(qa.corpus, text, qa.typer)
        t1 = time.perf_counter()
        v = qa._embed(text)  # uncached on purpose
        t2 = time.perf_counter()
        hits = retrieve(qa.corpus, text, v, top_k=5)
        t3 = time.perf_counter()
        answer(qa.corpus, q, v, hits, qa.weights, qa.reader)
        t4 = time.perf_counter()
        read.append((t1 - t0) * 1e3)
        embed.append((t2 - t1) * 1e3)
        search.append((t3 - t2) * 1e3)
        select.append((t4 - t3) * 1e3)
    print(f"in process, {len(questions)} questions, medians (p95):")
    for name, xs in (
        ("read question", read),
        ("embed question", embed),
        ("retrieve top 5", search),
        ("select + cite", select),
    ):
        print(f"  {name:16s} {statistics.median(xs):7.2f} ms  ({pct(xs, 95):.2f} ms)")


def over_http(index_dir: Path, questions: list[str], rounds: int) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    qa_bin = Path(sys.executable).with_name("qa")
    proc = subprocess.Popen(
        [str(qa_bin), "serve", "--port", str(port), "--index-dir", str(index_dir)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            for _ in range(600):
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            client.post("/ask", json={"question": "warm up"})
            times: dict[str, list[float]] = {"new questions": [], "repeated questions": []}
            for r in range(1 + rounds):
                label = "new questions" if r == 0 else "repeated questions"
                for q in questions:
                    t = time.perf_counter()
                    res = client.post("/ask", json={"question": q})
                    times[label].append((time.perf_counter() - t) * 1e3)
                    assert res.status_code == 200, res.text
            for label, xs in times.items():
                print(
                    f"HTTP POST /ask, {label}: p50 {pct(xs, 50):.1f} ms, "
                    f"p95 {pct(xs, 95):.1f} ms, n={len(xs)}"
                )
        status = Path(f"/proc/{proc.pid}/status").read_text()
        rss = {
            k: v
            for k, v in (line.split(":", 1) for line in status.splitlines())
            if k in ("VmRSS", "VmHWM")
        }
        print(f"server memory: RSS {rss['VmRSS'].strip()}, peak {rss['VmHWM'].strip()}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--index-dir", type=Path, default=ROOT / "var/index")
    p.add_argument("--questions", type=Path, default=ROOT / "eval/questions.jsonl")
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    questions = [
        json.loads(line)["question"]
        for line in args.questions.read_text().splitlines()
        if line.strip()
    ]
    print(f"cpu: {os.cpu_count()} cores; torch threads default")
    in_process(args.index_dir, questions)
    over_http(args.index_dir, questions, args.rounds)


if __name__ == "__main__":
    main()
