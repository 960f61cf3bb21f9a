"""Fit the reader (qa/reader.py) on (question, candidate sentence) pairs, cross-fitted.

- Pairs: each question's candidates in the fitted ranker's order. The first two that hold
  an accepted answer are positives; the first four that do not, and two more drawn at
  random, are negatives. An unanswerable question gives negatives only, so the reader
  learns that a sentence on the right story may still not answer.
- Model: low-rank deltas (rank 16) on every linear map of the packaged model's six
  layers, and a new linear head, fitted with AdamW for three epochs (the packaged
  weights stay frozen; 663,937 numbers are fitted).
- Cross-fitting: the stories are split in two by their fold; each half is read by a
  reader fitted on the other, through its int8 export as the service reads. The
  confidence and the answerability are fitted on those readings, so they weigh the reader
  as it reads questions it never saw. The reader shipped is fitted on every pair.

A fitted reader is kept under the work folder, named by a hash of its pairs and settings:
a second run with the same questions trains nothing. Fitting runs on two threads so that
it comes out the same on any machine (on this one, in the fits of 2026-12-07: 35 and
49 minutes for the two halves, 1 hour 32 for the whole).
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file

from index.embed import MODEL_DIM
from qa.reader import (
    ADAPTED,
    LAYERS,
    MAX_TOKENS,
    OnnxReader,
    base_model,
    export,
    layers,
    read_logits,
)
from qa.rereading import Reading

from .fit_select import Described

RANK = 16
ALPHA = 32  # the deltas are scaled by ALPHA / RANK
EPOCHS = 3  # against two: 19 more held-out questions right (bench/RESULTS.md, "twenty-first")
BATCH = 32
GROUP = 50  # batches sorted by length together (_batches)
LEARNING_RATE = 5e-4
WEIGHT_DECAY = 0.01
WARMUP_STEPS = 100
POSITIVES, NEGATIVES, DRAWN = 2, 4, 2
THREADS = 2
SEED = 0


@dataclass(frozen=True)
class Pair:
    question: str
    sentence: str
    holds: bool  # the sentence holds an accepted answer


def pairs_of(rows: list[Described], rank: dict[str, float]) -> list[Pair]:
    """The training pairs of ``rows``, their candidates ordered by the ranker ``rank``."""
    rng = random.Random(SEED)
    out: list[Pair] = []
    for r in rows:
        c = r.candidates
        if not len(c.ids) or r.read.about:
            continue
        order = np.argsort(-c.scores(rank), kind="stable").tolist()
        right = [i for i in order if r.labels[i]][:POSITIVES]
        wrong = [i for i in order if not r.labels[i]]
        chosen = (
            right
            + wrong[:NEGATIVES]
            + rng.sample(wrong[NEGATIVES:], min(DRAWN, len(wrong[NEGATIVES:])))
        )
        for i in chosen:
            text = r.corpus.text(r.corpus.sentences[int(c.ids[i])])
            out.append(Pair(r.read.text, text, bool(r.labels[i])))
    return out


def train(pairs: list[Pair], out: Path) -> Path:
    """Fit the deltas and the head on ``pairs`` and write them to ``out``."""
    torch.set_num_threads(THREADS)
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    tokenizer, model = base_model()
    deltas = adapt(model)
    head = torch.nn.Linear(MODEL_DIM, 1)
    params = [p for low in deltas.values() for p in (low.A, low.B)] + list(head.parameters())
    opt = torch.optim.AdamW(params, lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
    per_epoch = len(pairs) // BATCH
    steps = per_epoch * EPOCHS
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, s / WARMUP_STEPS) * max(0.0, 1 - s / steps)
    )
    model.train()
    # Each pair's length as read (question and sentence, cut at MAX_TOKENS), counted once.
    tokens = tokenizer(  # type: ignore[operator]
        [p.question for p in pairs],
        [p.sentence for p in pairs],
        truncation="only_second",
        max_length=MAX_TOKENS,
    )["input_ids"]
    sizes = [len(ids) for ids in tokens]
    t0 = time.time()
    for step in range(steps):
        if step % per_epoch == 0:
            batches = _batches(sizes, rng)
        batch = [pairs[i] for i in batches[step % per_epoch]]
        z = read_logits(
            tokenizer, model, head, [p.question for p in batch], [p.sentence for p in batch]
        )
        target = torch.tensor([float(p.holds) for p in batch])
        loss = torch.nn.functional.binary_cross_entropy_with_logits(z, target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 200 == 0:
            print(
                f"reader {out.name}: step {step}/{steps}, loss {loss.item():.3f}, "
                f"{time.time() - t0:.0f} s",
                file=sys.stderr,
                flush=True,
            )
    stored = {
        f"{key}.{part}": getattr(low, part).detach().half().contiguous()
        for key, low in deltas.items()
        for part in ("A", "B")
    }
    stored["head.weight"] = head.weight.detach().float().contiguous()
    stored["head.bias"] = head.bias.detach().float().contiguous()
    stored["scale"] = torch.tensor(ALPHA / RANK)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    save_file(stored, str(tmp))
    tmp.replace(out)
    return out


def _batches(sizes: list[int], rng: random.Random) -> list[list[int]]:
    """One epoch's batches of pair indices, for pairs of ``sizes`` tokens: the pairs
    shuffled, each run of GROUP batches sorted by size and cut into batches, and the
    batches shuffled. A batch is padded to its longest pair, so pairs of about one size
    waste little (16,000 pairs of BBC questions and sentences, 46.5 tokens on average:
    padded to 74.9 a batch at random, 47.3 so; sorted by characters instead, 57.5)."""
    order = list(range(len(sizes)))
    rng.shuffle(order)
    batches = []
    for at in range(0, len(order) - BATCH + 1, BATCH * GROUP):
        run = order[at : at + BATCH * GROUP]
        run.sort(key=lambda i: sizes[i])
        batches += [run[k : k + BATCH] for k in range(0, len(run) - BATCH + 1, BATCH)]
    rng.shuffle(batches)
    return batches


def _settings() -> dict[str, object]:
    """Everything besides the pairs that shapes a fitted reader: part of its cache key, so
    a reader fitted another way is never reused."""
    return {
        "rank": RANK,
        "alpha": ALPHA,
        "epochs": EPOCHS,
        "batch": BATCH,
        "group": GROUP,
        "lr": LEARNING_RATE,
        "decay": WEIGHT_DECAY,
        "warmup": WARMUP_STEPS,
        "threads": THREADS,
        "seed": SEED,
        "adapted": ADAPTED,
        "layers": LAYERS,
        "max_tokens": MAX_TOKENS,
        "batches": "sorted by tokens",  # by characters before 8e334f1
    }


def fitted(pairs: list[Pair], workdir: Path) -> Path:
    """The reader fitted on ``pairs``, trained now unless the work folder keeps it."""
    text = json.dumps([_settings(), [(p.question, p.sentence, p.holds) for p in pairs]])
    out = workdir / "reader" / f"{hashlib.sha256(text.encode()).hexdigest()[:16]}.safetensors"
    return out if out.exists() else train(pairs, out)


def cross_fit(
    rows: list[Described], rank: dict[str, float], fold: np.ndarray, workdir: Path
) -> tuple[Path, list[Reading]]:
    """The reader fitted on every row, and for each row a reading of its sentences (by
    index in its corpus) by the reader fitted without its half of the stories."""
    half = fold % 2
    readers = []
    for h in (0, 1):
        path = fitted(
            pairs_of([r for r, k in zip(rows, half, strict=True) if k != h], rank), workdir
        )
        readers.append(OnnxReader(export(path, path.parent)))
    whole = fitted(pairs_of(rows, rank), workdir)
    return whole, [_reading(r, readers[k]) for r, k in zip(rows, half, strict=True)]


def _reading(row: Described, reader: OnnxReader) -> Reading:
    """``reader``'s logits for sentences of ``row``'s corpus answering its question, read
    together as the service reads them, each sentence read once."""
    seen: dict[int, float] = {}

    def read(ids: list[int]) -> list[float]:
        if new := [i for i in dict.fromkeys(ids) if i not in seen]:
            texts = [row.corpus.text(row.corpus.sentences[i]) for i in new]
            seen.update(zip(new, reader.logits(row.read.text, texts), strict=True))
        return [seen[i] for i in ids]

    return read


def adapt(model: torch.nn.Module) -> dict[str, _LowRank]:
    """Freeze ``model`` and put a low-rank delta on each ADAPTED map of each layer, in
    place; the deltas by the names the fitted file stores them under."""
    model.requires_grad_(False)
    deltas: dict[str, _LowRank] = {}
    for n, layer in enumerate(layers(model)):
        for name in ADAPTED:
            owner, _, attr = name.rpartition(".")
            parent = layer.get_submodule(owner)
            deltas[f"{n}.{name}"] = low = _LowRank(getattr(parent, attr))
            setattr(parent, attr, low)
    return deltas


class _LowRank(torch.nn.Module):
    """A frozen linear map plus a trainable low-rank delta (B @ A, scaled)."""

    def __init__(self, base: torch.nn.Linear) -> None:
        super().__init__()
        self.base = base
        self.A = torch.nn.Parameter(torch.randn(RANK, base.in_features) * 0.01)
        self.B = torch.nn.Parameter(torch.zeros(base.out_features, RANK))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (x @ self.A.T) @ self.B.T * (ALPHA / RANK)
