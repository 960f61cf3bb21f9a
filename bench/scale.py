"""How the service scales: a synthetic archive grown through the real write path, and the
BBC collection served over HTTP (issue 10).

    python bench/scale.py synthetic [--checkpoints 10000 100000] [--out /work/idx/scale/synthetic]
    python bench/scale.py bbc [--source /work/idx/bbc] [--copy /work/idx/scale/bbc-copy] [--workers N]

``synthetic`` grows a fresh index 1,000 articles at a time until it holds each checkpoint's
number of chunks, and at each one measures, in a new process (as a server starting on it):
the time until an article added by ``qa index`` is answered, the process's memory, in-process
``QA.ask`` latency, and the index's size on disk. It measures twice: the first start finds
the segments the last reader saved (none, the first time) and builds what was written
since; the second opens the segments the first saved, and times merging every segment
into one. The articles are BBC sentences recombined:
three source articles give six sentences each, shuffled into paragraphs, each sentence
prefixed "In dispatch K, " so that every text is new (no vector or reprint is shared, as in a
real archive). They are cut by the project's own parser, chunker and sentence splitter and
written by ``Store.write``. The real model embeds about 100 texts/s on 2 cores, so no text of
theirs is embedded: each span's vector is the real BBC vector of the first source sentence it
overlaps plus Gaussian noise, renormalised, and each sentence keeps its source's entities.

``bbc`` serves a copy of a BBC index with ``qa serve`` and measures cold start, the time until
an article added by ``qa index`` is answered, /ask latency at concurrency 1 and throughput at
concurrency 8, and the server's memory after start and after updates through POST /documents
(with ``--workers N``, summed over the workers).

Results print as markdown tables; they go into bench/RESULTS.md by hand, with the machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
QA_COMMAND = Path(sys.executable).with_name("qa")
QUESTIONS = ROOT / "eval/bbc_heldout_questions.jsonl"
MORE_QUESTIONS = ROOT / "eval/bbc_dev_questions.jsonl"
TOKEN = "scale-bench"


# -- the source material --------------------------------------------------------------


@dataclass(frozen=True)
class SourceSentence:
    """A real sentence with its real vector and named entities (offsets within it)."""

    text: str
    vector: np.ndarray
    entities: tuple[tuple[int, int, str], ...]


@dataclass(frozen=True)
class SourceArticle:
    title: str
    sentences: tuple[SourceSentence, ...]


def read_source(db_file: Path) -> list[SourceArticle]:
    """Every original (not reprinted) article of an index, read-only, with its sentences."""
    db = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        titles = dict(db.execute("SELECT doc_id, title FROM documents WHERE duplicate_of IS NULL"))
        rows = db.execute(
            'SELECT s.doc_id, substr(d.text, s.start + 1, s."end" - s.start), v.vector, e.spans '
            "FROM sentences s JOIN documents d ON d.doc_id = s.doc_id "
            "JOIN vectors v ON v.hash = s.hash LEFT JOIN entities e ON e.hash = s.hash "
            "ORDER BY s.doc_id, s.ordinal"
        )
        by_doc: dict[str, list[SourceSentence]] = {d: [] for d in titles}
        for doc_id, text, blob, spans in rows:
            if doc_id in by_doc:
                found = tuple(tuple(x) for x in json.loads(spans)) if spans else ()
                vector = np.frombuffer(blob, dtype=np.float32)
                by_doc[doc_id].append(SourceSentence(text, vector, found))  # type: ignore[arg-type]
    finally:
        db.close()
    return [SourceArticle(titles[d], tuple(s)) for d, s in by_doc.items() if len(s) >= 3]


# -- synthetic articles ----------------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    """A source sentence as placed in a synthetic text: ``text[start:end]`` is the prefix
    and the sentence."""

    start: int
    end: int
    prefix: int  # characters of prefix before the source sentence
    source: SourceSentence


def compose(
    sources: Sequence[SourceArticle], k: int, rng: random.Random
) -> tuple[str, list[Placed]]:
    """Article number ``k``: a source's headline, then six sentences of each of three
    sources, shuffled, three to a paragraph, each prefixed so that its text is new."""
    picked_from = rng.sample(range(len(sources)), 3)
    picked = [
        s
        for i in picked_from
        for s in rng.sample(sources[i].sentences, min(6, len(sources[i].sentences)))
    ]
    rng.shuffle(picked)
    text = f"{sources[picked_from[0]].title} (dispatch {k})\n\n"
    prefix = f"In dispatch {k}, "
    placed: list[Placed] = []
    for at in range(0, len(picked), 3):
        for j, sentence in enumerate(picked[at : at + 3]):
            text += " " if j else ""
            start = len(text)
            text += prefix + sentence.text
            placed.append(Placed(start, len(text), len(prefix), sentence))
        text += "\n\n"
    return text, placed


@dataclass(frozen=True)
class Synthetic:
    """One article ready for ``Store.write``, with the vectors and entities of its texts."""

    entry: object  # index.store.Entry
    vectors: dict[str, np.ndarray]
    entities: dict[str, list[tuple[int, int, str]]]


def synthetic(
    sources: Sequence[SourceArticle], k: int, rng: random.Random, noise: float
) -> Synthetic:
    """Article ``k``, cut by the project's own parser, chunker and sentence splitter."""
    from index import parse
    from index.build import entry

    text, placed = compose(sources, k, rng)
    e = entry(parse(text, f"dispatch-{k:07d}"))
    starts = [p.start for p in placed]
    noise_rng = np.random.default_rng(k)

    def vector(start: int, end: int) -> np.ndarray:
        # The first placed sentence the span overlaps: the one starting at or before it.
        i = max(0, np.searchsorted(starts, start, side="right") - 1)
        if placed[i].end <= start and i + 1 < len(placed):
            i += 1
        v = placed[i].source.vector + noise_rng.normal(0, noise, len(placed[i].source.vector))
        return (v / np.linalg.norm(v)).astype(np.float32)

    exact = {(p.start, p.end): p for p in placed}
    vectors: dict[str, np.ndarray] = {}
    entities: dict[str, list[tuple[int, int, str]]] = {}
    for start, end, h, *_ in (*e.chunks, *e.sentences):
        vectors.setdefault(h, vector(start, end))
    for start, end, h, _ in e.sentences:
        p = exact.get((start, end))
        shift = p.prefix if p else 0
        entities[h] = (
            [(a + shift, b + shift, label) for a, b, label in p.source.entities] if p else []
        )
    return Synthetic(e, vectors, entities)


def grow(store, sources: Sequence[SourceArticle], first: int, count: int, noise: float) -> int:
    """Write articles ``first .. first + count - 1`` in one update; returns their chunks."""
    rng = random.Random(first)
    made = [synthetic(sources, k, rng, noise) for k in range(first, first + count)]
    with store.writer():
        store.put_vectors({h: v for m in made for h, v in m.vectors.items()})
        store.put_entities({h: s for m in made for h, s in m.entities.items()})
        store.write([m.entry for m in made])
    return sum(len(m.entry.chunks) for m in made)  # type: ignore[attr-defined]


# -- probes: an article only one fact of which answers its question --------------------


@dataclass(frozen=True)
class Probe:
    doc_id: str
    text: str
    question: str


_PROBES = [
    ("Harrowgate Lantern Society", "Ottoline Brackenbury", "astronomer"),
    ("Veldmoor Canal Trust", "Casimir Ashdown-Pell", "engineer"),
    ("Quillon Harbour Board", "Rosalind Tregothnan", "economist"),
    ("Ambleside Clockmakers Guild", "Peregrine Moffatt-Hale", "horologist"),
]


def probe(n: int) -> Probe:
    """Probe article ``n``: invented names, so that only it can answer its question. Its
    headline, its question and three of its sentences name ``n``: an earlier probe of the
    same invented names neither answers it nor makes it a reprint."""
    body, person, job = _PROBES[n % len(_PROBES)]
    text = (
        f"{body} names new chair for {2030 + n}\n\n"
        f"The {body} has elected {person} as its new chair for {2030 + n}, the board said. "
        f"{person}, a retired {job}, will take up the post in the spring of {2030 + n}.\n\n"
        f"Members of the {body} voted by a large majority at their meeting number {n}. "
        f"The outgoing chair said the {body} would be in safe hands.\n"
    )
    question = f"Who has the {body} elected as its new chair for {2030 + n}?"
    return Probe(f"probe-{n}", text, question)


def add_with_cli(index_dir: Path, p: Probe) -> float:
    """Add the probe article with ``qa index`` (model load included); returns the second
    its write returned (``time.monotonic``)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{p.doc_id}.txt"
        path.write_text(p.text)
        env = {**os.environ, "HF_HUB_OFFLINE": "1"}
        subprocess.run(
            [str(QA_COMMAND), "index", str(path), "--index-dir", str(index_dir)],
            env=env,
            check=True,
            capture_output=True,
        )
    return time.monotonic()


# -- measuring --------------------------------------------------------------------------


def rss_mb(pid: int | str = "self") -> tuple[float, float]:
    """Resident and peak resident memory of a process, in MB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return tuple(int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM"))  # type: ignore[return-value]


def tree_rss_mb(pid: int) -> tuple[float, float]:
    """``rss_mb`` summed over a process and its descendants (`qa serve --workers N`'s
    workers; pages they share are counted once for each)."""
    parents: dict[int, int] = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                parents[int(proc.name)] = int(
                    (proc / "stat").read_text().rsplit(")", 1)[1].split()[1]
                )
            except (OSError, IndexError, ValueError):
                continue
    tree, grew = {pid}, True
    while grew:
        more = {c for c, p in parents.items() if p in tree} - tree
        tree |= more
        grew = bool(more)
    sizes = [rss_mb(p) for p in tree if p == pid or Path(f"/proc/{p}/status").exists()]
    return sum(r for r, _ in sizes), sum(h for _, h in sizes)


def rollup_mb(pid: int | str = "self") -> tuple[float, float]:
    """A process's resident memory, and the part of it no file backs, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0]) / 1024
    return fields["Rss"], fields["Anonymous"]


def anonymous_mb() -> float:
    """This process's resident memory that no file backs (mapped index files aside: the
    kernel can drop their pages, and reads them again when touched)."""
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
        if line.startswith("Anonymous:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def disk_mb(folder: Path) -> float:
    """The index's files, less the cached ONNX export of the question model (90 MB)."""
    files = [p for p in folder.rglob("*") if p.is_file() and "onnx" not in p.parts]
    return sum(p.stat().st_size for p in files) / 1e6


def questions(path: Path, n: int) -> list[str]:
    lines = [ln for ln in path.read_text().splitlines() if ln.strip()]
    return [json.loads(ln)["question"] for ln in lines][:n]


def percentiles(ms: Sequence[float]) -> tuple[float, float]:
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


def reload_corpus(previous, store):
    """A new generation as the corpus layer builds it: from the previous one."""
    from qa.corpus import Corpus

    return Corpus.load(store, previous)


def cited(answer, doc_id: str) -> bool:
    return any(c.doc_id == doc_id for c in answer.citations)


def merge_while_asking(qa, asked: Sequence[str], in_process: bool) -> dict:
    """Merge every segment of ``qa``'s corpus as its service would (in a process of its
    own unless ``in_process``), asking ``asked`` over and over meanwhile: the merge's
    time, this process's peak RSS and its children's, and the answers' latency."""
    import resource
    import threading

    from qa import merger, saved
    from qa.merging import next_ids

    live = qa.corpus.live
    job = merger.Planned(tuple(live), *next_ids(live))
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM from now on
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done, times = threading.Event(), []

    def ask() -> None:
        while not done.is_set():
            for q in asked:
                t = time.perf_counter()
                qa.ask(q)
                times.append((time.perf_counter() - t) * 1e3)
                if done.is_set():
                    break

    peaks = {"server_rss": 0.0, "server_anonymous": 0.0, "merger_rss": 0.0, "merger_anonymous": 0.0}

    def sample() -> None:  # every half second, the server's memory and the merger's
        while not done.wait(0.5):
            process = getattr(qa, "_merge_process", None)
            for who, pid in (("server", "self"), ("merger", process and process.pid)):
                try:
                    rss, anonymous = rollup_mb(pid) if pid else (0.0, 0.0)
                except OSError:
                    continue
                peaks[f"{who}_rss"] = max(peaks[f"{who}_rss"], rss)
                peaks[f"{who}_anonymous"] = max(peaks[f"{who}_anonymous"], anonymous)

    asking = threading.Thread(target=ask)
    sampling = threading.Thread(target=sample)
    qa.watch(1.0)  # as a server does: reloads, and drops resident index pages past a size
    t = time.perf_counter()
    asking.start()
    sampling.start()
    if in_process:
        merged = merger.run_saved(job, qa.store.dir)
    else:
        merged = qa.merge_apart(job, qa.store.dir)
    merge_s = time.perf_counter() - t
    done.set()
    asking.join()
    sampling.join()
    if merged is not None:  # saved in the index folder, never swapped in: the archive stays
        shutil.rmtree(qa.store.dir / saved.FOLDER / merged.name, ignore_errors=True)
    after_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    p50, p99 = percentiles(times)
    return {
        "merge_s": merge_s,
        "merged_chunks": len(merged.chunks) if merged is not None else 0,
        "merge_peak_mb": rss_mb()[1],
        "merge_child_peak_mb": after_kb / 1024 if after_kb > children_kb else float("nan"),
        **{f"merge_sampled_{k}_mb": v for k, v in peaks.items()},
        "merge_ask_p50_ms": p50,
        "merge_ask_p99_ms": p99,
        "merge_asked": len(times),
    }


def measure(
    index_dir: Path,
    n_questions: int,
    probe_no: int,
    with_merge: bool = False,
    merge_here: bool = False,
) -> dict:
    """One checkpoint, in this (fresh) process: start, ask, add an article, reload."""
    from qa import QA, saved

    asked = questions(QUESTIONS, n_questions)
    had_saved = (index_dir / saved.FOLDER / saved.MANIFEST).exists()
    t = time.perf_counter()
    qa = QA(index_dir)
    qa.ask(asked[0])
    start_s = time.perf_counter() - t
    started_rss = rss_mb()[0]
    times = []
    for q in asked[1:]:
        t = time.perf_counter()
        qa.ask(q)
        times.append((time.perf_counter() - t) * 1e3)
    p = probe(probe_no)
    previous = qa.corpus  # shares its segments with the next generation
    written = add_with_cli(index_dir, p)
    reloads = []
    while True:
        t = time.perf_counter()
        qa.refresh()  # what the server's watcher thread does
        reloads.append(time.perf_counter() - t)
        if cited(qa.ask(p.question), p.doc_id):
            answered_s = time.monotonic() - written
            break
        if time.monotonic() - written > 300:
            answered_s = float("nan")
            break
    rss, peak = rss_mb()
    anonymous = anonymous_mb()
    t = time.perf_counter()
    reload_corpus(previous, qa.store)
    corpus_s = time.perf_counter() - t
    # The largest merge: every segment into one (the graph built afresh past HNSW_ROWS),
    # as the service runs it: in a process of its own, or with --merge-here in this one;
    # questions asked all the while.
    live = qa.corpus.live
    merging: dict = {"merge_s": float("nan")}
    if with_merge:
        merging = merge_while_asking(qa, asked, in_process=merge_here)
    p50, p99 = percentiles(times)
    out = {
        "had_saved": had_saved,
        "start_s": start_s,
        "segments": len(live),
        "answered_s": answered_s,
        "reload_s": max(reloads),
        "corpus_reload_s": corpus_s,
        "rss_started_mb": started_rss,
        "rss_mb": rss,
        "anonymous_mb": anonymous,
        "peak_mb": peak,
        **merging,
        "p50_ms": p50,
        "p99_ms": p99,
        "disk_mb": disk_mb(index_dir),
    }
    qa.close()
    return out


def fresh_index(out: Path, source_dir: Path):
    """An empty index at ``out`` for the real model, with the source's question model."""
    from index import MODEL_NAME, Store
    from index.embed import MODEL_DIM

    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    if (source_dir / "onnx").is_dir():  # the ONNX export of the question model, made once
        shutil.copytree(source_dir / "onnx", out / "onnx")
    return Store(out, MODEL_NAME, MODEL_DIM)


def run_synthetic(args: argparse.Namespace) -> None:
    sources = read_source(args.source / "index.sqlite3")
    print(f"source: {len(sources)} articles, {sum(len(s.sentences) for s in sources)} sentences")
    store = fresh_index(args.out, args.source)
    rows, chunks, articles, growing = [], 0, 0, 0.0
    for n, target in enumerate(sorted(args.checkpoints)):
        while chunks < target:
            t = time.perf_counter()
            chunks += grow(store, sources, articles, args.batch, args.noise)
            growing += time.perf_counter() - t
            articles += args.batch
            print(f"  {articles} articles, {chunks} chunks, {growing:.0f} s writing", flush=True)
        # Twice: the first start finds the segments it opened last time (or none) and
        # reads what was written since; the second opens the segments the first saved.
        results = []
        for probe_no in (2 * n, 2 * n + 1):
            child = subprocess.run(
                [sys.executable, __file__, "measure", "--index-dir", str(args.out),
                 "--questions", str(args.questions), "--probe", str(probe_no),
                 *(["--merge"] if probe_no % 2 else [])],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            results.append(json.loads(child.stdout.strip().splitlines()[-1]))
        rows.append({"target": target, "articles": articles, "written_chunks": chunks,
                     "grow_s": growing, "first_start_s": results[0]["start_s"],
                     "first_peak_mb": results[0]["peak_mb"], **results[1]})  # fmt: skip
        print(json.dumps(rows[-1]), flush=True)
    store.close()
    print(synthetic_table(rows))


def synthetic_table(rows: list[dict]) -> str:
    lines = [
        "| chunks (articles) | added article answered after | reload (QA.refresh) | "
        "corpus reload | merge of every segment | RSS after reload (anonymous; peak) | "
        "start to first answer: all written since last start / segments saved | "
        "in-process ask p50 / p99 | disk | time to grow |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r['written_chunks']:,} ({r['articles']:,}) | {r['answered_s']:.2f} s "
            f"| {r['reload_s']:.2f} s | {r['corpus_reload_s']:.2f} s | {r['merge_s']:.1f} s "
            f"| {r['rss_mb']:,.0f} MB ({r.get('anonymous_mb', float('nan')):,.0f}; "
            f"{r['peak_mb']:,.0f}) "
            f"| {r['first_start_s']:.1f} s (peak {r['first_peak_mb']:,.0f} MB) / "
            f"{r['start_s']:.1f} s | {r['p50_ms']:.1f} / {r['p99_ms']:.1f} ms "
            f"| {r['disk_mb']:,.0f} MB | {r['grow_s']:.0f} s |"
        )
    return "\n".join(lines)


# -- the BBC collection over HTTP ------------------------------------------------------


def server_pid(base_url: str) -> int:
    """The ``qa serve`` process listening on ``base_url``'s port."""
    port = base_url.rsplit(":", 1)[1]
    for proc in Path("/proc").iterdir():
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in argv and port.encode() in argv:
            return int(proc.name)
    raise RuntimeError(f"no qa serve process on port {port}")


def ask_ms(client, question: str) -> float:
    t = time.perf_counter()
    res = client.post("/ask", json={"question": question})
    res.raise_for_status()
    return (time.perf_counter() - t) * 1e3


def throughput(base: str, asked: Sequence[str], workers: int, fresh: bool = False) -> float:
    """Answers per second with ``workers`` clients asking at once: through one pool of
    kept-alive connections, or with ``fresh`` a connection a question (as many separate
    clients would; each may go to another of `qa serve --workers N`'s processes)."""
    import httpx

    with httpx.Client(base_url=base, timeout=60) as client:
        ask = (lambda q: ask_fresh(base, q)) if fresh else (lambda q: ask_ms(client, q))
        t = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(ask, asked))
        return len(asked) / (time.perf_counter() - t)


def ask_fresh(base: str, question: str) -> None:
    """POST /ask on a connection of its own (the standard library's: cheap to open)."""
    where = urlsplit(base)
    conn = http.client.HTTPConnection(where.hostname or "127.0.0.1", where.port, timeout=120)
    try:
        body = json.dumps({"question": question})
        conn.request("POST", "/ask", body, {"Content-Type": "application/json"})
        res = conn.getresponse()
        res.read()
        if res.status != 200:
            raise RuntimeError(f"POST /ask answered {res.status}")
    finally:
        conn.close()


def answered_after(client, p: Probe, written: float, limit: float = 300) -> float:
    """Seconds from ``written`` until the server cites the probe article."""
    while time.monotonic() - written < limit:
        res = client.post("/ask", json={"question": p.question})
        if any(c["doc_id"] == p.doc_id for c in res.json().get("citations", [])):
            return time.monotonic() - written
        time.sleep(0.05)
    return float("nan")


def updates(client, sources: Sequence[SourceArticle], n: int) -> Iterator[float]:
    """Add ``n`` synthetic articles through POST /documents; yields seconds per write."""
    rng = random.Random(7)
    for k in range(n):
        text, _ = compose(sources, 900_000 + k, rng)
        t = time.perf_counter()
        res = client.post(
            "/documents",
            json={"doc_id": f"update-{k}", "text": text},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        res.raise_for_status()
        yield time.perf_counter() - t


def run_bbc(args: argparse.Namespace) -> None:
    import httpx

    from tests.conftest import running_server

    shutil.rmtree(args.copy, ignore_errors=True)
    args.copy.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-r", str(args.source), str(args.copy)], check=True)
    sources = read_source(args.source / "index.sqlite3")
    # Every question is new to the server when asked (its embedding is cached after).
    held_out = questions(QUESTIONS, 2 * args.questions)
    asked, asked_after = held_out[: args.questions], held_out[args.questions :]
    more = questions(MORE_QUESTIONS, 10_000)
    log = args.copy.parent / "bbc-serve.log"
    r: dict[str, object] = {}
    t = time.perf_counter()
    serve_args = ("--workers", str(args.workers)) if args.workers > 1 else ()
    with running_server(args.copy, log, args=serve_args, QA_API_TOKEN=TOKEN) as base:
        pid = server_pid(base)
        with httpx.Client(base_url=base, timeout=120) as client:
            ask_ms(client, "Who founded the company?")
            r["cold_start_s"] = time.perf_counter() - t
            r["rss_start_mb"] = tree_rss_mb(pid)[0]
            r["c1"] = percentiles([ask_ms(client, q) for q in asked])
            # Every worker past its first questions (loading word vectors and the like),
            # then half the dev questions each way.
            throughput(base, [f"Who opened warm-up hall {i}?" for i in range(40)], 8, True)
            r["c8_rps"] = throughput(base, more[::2], 8)
            r["c8_fresh_rps"] = throughput(base, more[1::2], 8, fresh=True)
            p = probe(len(_PROBES) - 1)
            r["answered_s"] = answered_after(client, p, add_with_cli(args.copy, p))
            writes = []
            for w in updates(client, sources, args.updates):
                writes.append(w)
                if len(writes) == 1:  # the first write loads the embedding and NER models
                    r["rss_first_update_mb"] = tree_rss_mb(pid)[0]
            r["write_s"] = percentiles([w * 1e3 for w in writes])
            r["rss_updates_mb"], r["peak_mb"] = tree_rss_mb(pid)
            r["c1_after"] = percentiles([ask_ms(client, q) for q in asked_after])
    print(json.dumps(r))
    print(bbc_table(r, args))


def bbc_table(r: dict, args: argparse.Namespace) -> str:
    c1, after, w = r["c1"], r["c1_after"], r["write_s"]
    rows = [
        ("cold start (`qa serve` started -> first answer)", f"{r['cold_start_s']:.1f} s"),
        ("article added by `qa index` answered after (its write returned)",
         f"{r['answered_s']:.2f} s"),
        (f"POST /ask, concurrency 1, p50 / p99 ({args.questions} held-out questions)",
         f"{c1[0]:.1f} / {c1[1]:.1f} ms"),
        ("POST /ask, concurrency 8, 8 kept-alive connections (half the dev questions)",
         f"{r['c8_rps']:.1f} answers/s"),
        ("POST /ask, concurrency 8, a connection a question (the other half)",
         f"{r['c8_fresh_rps']:.1f} answers/s"),
        ("server RSS after start", f"{r['rss_start_mb']:,.0f} MB"),
        ("server RSS after the first update (models for writes loaded)",
         f"{r['rss_first_update_mb']:,.0f} MB"),
        (f"POST /documents, p50 / p99 of {args.updates} (embed, write, reload)",
         f"{w[0]:,.0f} / {w[1]:,.0f} ms"),
        (f"server RSS after {args.updates} updates (peak)",
         f"{r['rss_updates_mb']:,.0f} MB ({r['peak_mb']:,.0f})"),
        (f"POST /ask, concurrency 1, p50 / p99 after the updates (the next "
         f"{args.questions} held-out)",
         f"{after[0]:.1f} / {after[1]:.1f} ms"),
    ]  # fmt: skip
    return "\n".join(["| BBC collection | this checkout |", "| --- | --- |"] +
                     [f"| {a} | {b} |" for a, b in rows])  # fmt: skip


# -- command line ------------------------------------------------------------------------


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    syn = sub.add_parser("synthetic", help="grow a synthetic archive and measure checkpoints")
    syn.add_argument("--checkpoints", type=int, nargs="+", default=[10_000, 100_000])
    syn.add_argument("--out", type=Path, default=Path("/work/idx/scale/synthetic"))
    syn.add_argument("--source", type=Path, default=Path("/work/idx/bbc"))
    syn.add_argument("--batch", type=int, default=1000, help="articles per update")
    syn.add_argument("--noise", type=float, default=0.01, help="sd of the noise per dimension")
    syn.add_argument("--questions", type=int, default=51, help="asked in process (1 warms up)")
    bbc = sub.add_parser("bbc", help="serve a copy of the BBC index and measure it")
    bbc.add_argument("--source", type=Path, default=Path("/work/idx/bbc"))
    bbc.add_argument("--copy", type=Path, default=Path("/work/idx/scale/bbc-copy"))
    bbc.add_argument("--questions", type=int, default=80, help="asked before and after updates")
    bbc.add_argument("--updates", type=int, default=50)
    bbc.add_argument("--workers", type=int, default=1, help="qa serve --workers N")
    one = sub.add_parser("measure", help="(internal) measure one checkpoint in a new process")
    one.add_argument("--index-dir", type=Path, required=True)
    one.add_argument("--questions", type=int, default=51)
    one.add_argument("--probe", type=int, default=0)
    one.add_argument("--merge", action="store_true", help="time merging every segment into one")
    one.add_argument(
        "--merge-here", action="store_true", help="merge in this process, not a process apart"
    )
    args = parser.parse_args()
    if args.command == "synthetic":
        run_synthetic(args)
    elif args.command == "bbc":
        run_bbc(args)
    else:
        print(
            json.dumps(
                measure(args.index_dir, args.questions, args.probe, args.merge, args.merge_here)
            )
        )


if __name__ == "__main__":
    main()
