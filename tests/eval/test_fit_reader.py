"""The reader as fitted (frozen layers plus low-rank deltas) and as served (the deltas
merged into the weights at load) read alike; and a fitted reader is kept, not refitted."""

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

from eval import fit_reader
from eval.fit_reader import ALPHA, RANK, Pair, adapt, fitted
from qa.reader import Reader, base_model, read_logits

QUESTION = "How much will construction of the solar farm cost?"
SENTENCES = [
    "The council expects construction to cost 21 million euros.",
    "Councillors voted 7 to 2 in favour of the plan on Tuesday evening after a long debate.",
]


def test_the_merged_reader_reads_as_the_fitted_deltas_do(tmp_path):
    torch.manual_seed(3)
    tokenizer, model = base_model()
    stored = {}
    for key, low in adapt(model).items():
        with torch.no_grad():
            # Deltas as large as fitting makes them, stored as the fit stores them.
            low.A.copy_((torch.randn_like(low.A) * 0.05).half().float())
            low.B.copy_((torch.randn_like(low.B) * 0.05).half().float())
        stored[f"{key}.A"] = low.A.detach().half().contiguous()
        stored[f"{key}.B"] = low.B.detach().half().contiguous()
    head = torch.nn.Linear(model.config.hidden_size, 1)
    stored["head.weight"] = head.weight.detach().contiguous()
    stored["head.bias"] = head.bias.detach().contiguous()
    stored["scale"] = torch.tensor(ALPHA / RANK)
    save_file(stored, str(tmp_path / "reader.safetensors"))
    model.eval()
    with torch.no_grad():
        fitted_logits = read_logits(tokenizer, model, head, [QUESTION] * 2, SENTENCES).numpy()
        plain = read_logits(tokenizer, base_model()[1].eval(), head, [QUESTION] * 2, SENTENCES)
    served = Reader(tmp_path / "reader.safetensors").logits(QUESTION, SENTENCES)
    assert np.allclose(served, fitted_logits, atol=1e-4)
    # The deltas change what is read, so the comparison above could fail.
    assert not np.allclose(plain.numpy(), fitted_logits, atol=1e-2)


def test_a_fitted_reader_is_kept_and_a_changed_pair_refits(tmp_path, monkeypatch):
    trained = []

    def train(pairs, out):
        trained.append(len(pairs))
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(b"weights")
        return out

    monkeypatch.setattr(fit_reader, "train", train)
    pairs = [Pair(QUESTION, s, n == 0) for n, s in enumerate(SENTENCES)]
    first = fitted(pairs, tmp_path)
    assert fitted(pairs, tmp_path) == first and trained == [2]
    other = fitted([*pairs[:1], Pair(QUESTION, SENTENCES[1], True)], tmp_path)
    assert other != first and trained == [2, 2]
    # A reader fitted another way is not reused either.
    monkeypatch.setattr(fit_reader, "LAYERS", fit_reader.LAYERS + 1)
    assert fitted(pairs, tmp_path) not in (first, other) and trained == [2, 2, 2]


@pytest.mark.parametrize("holds", [True, False])
def test_training_learns_what_the_pairs_say(tmp_path, monkeypatch, holds):
    # Ten short steps at a high rate: enough to learn one pair of sentences either way.
    monkeypatch.setattr(fit_reader, "EPOCHS", 5)
    monkeypatch.setattr(fit_reader, "WARMUP_STEPS", 1)
    monkeypatch.setattr(fit_reader, "LEARNING_RATE", 5e-3)
    pairs = [Pair(QUESTION, SENTENCES[n % 2], (n % 2 == 0) == holds) for n in range(64)]
    out = fit_reader.train(pairs, tmp_path / "r.safetensors")
    logits = Reader(out).logits(QUESTION, SENTENCES)
    assert (logits[0] > logits[1]) == holds


def test_fitting_twice_on_the_same_pairs_writes_the_same_file(tmp_path, monkeypatch):
    monkeypatch.setattr(fit_reader, "EPOCHS", 3)
    monkeypatch.setattr(fit_reader, "WARMUP_STEPS", 1)
    pairs = [Pair(QUESTION, SENTENCES[n % 2], n % 3 == 0) for n in range(64)]
    first = fit_reader.train(pairs, tmp_path / "a.safetensors").read_bytes()
    second = fit_reader.train(pairs, tmp_path / "b.safetensors").read_bytes()
    assert first == second
    # The deltas moved off their zero start, so the files are not equal for want of a fit.
    stored = load_file(str(tmp_path / "a.safetensors"))
    assert any(v.abs().max() > 0 for k, v in stored.items() if k.endswith(".B"))


def test_an_epoch_takes_each_pair_once_in_batches_of_about_one_length():
    import random

    rng = random.Random(1)
    sizes = [rng.randrange(10, 96) for _ in range(3333)]
    batches = fit_reader._batches(sizes, random.Random(0))
    taken = [i for b in batches for i in b]
    assert len(batches) == len(sizes) // fit_reader.BATCH
    assert all(len(b) == fit_reader.BATCH for b in batches)
    assert len(set(taken)) == len(taken)

    def padded(batches):  # what padding each batch to its longest pair costs
        return sum(max(sizes[i] for i in b) * len(b) for b in batches)

    shuffled = list(range(len(sizes)))
    random.Random(0).shuffle(shuffled)
    plain = [shuffled[k : k + fit_reader.BATCH] for k in range(0, len(taken), fit_reader.BATCH)]
    assert padded(batches) < 0.75 * padded(plain)
    # Not one run sorted end to end: short and long batches come in no order.
    longest = [max(sizes[i] for i in b) for b in batches]
    assert longest != sorted(longest) and longest != sorted(longest, reverse=True)


def test_a_rows_reading_reads_each_sentence_once_and_answers_in_the_order_asked():
    from types import SimpleNamespace

    calls = []

    class Recording:
        def logits(self, question, sentences):
            calls.append(list(sentences))
            return [float(len(s)) for s in sentences]

    texts = ["a", "bb", "ccc"]
    row = SimpleNamespace(
        read=SimpleNamespace(text="Who?"),
        corpus=SimpleNamespace(sentences=texts, text=str),
    )
    read = fit_reader._reading(row, Recording())
    assert read([2, 0, 2]) == [3.0, 1.0, 3.0] and calls == [["ccc", "a"]]
    assert read([0, 1]) == [1.0, 2.0] and calls[1:] == [["bb"]]
    assert read([]) == [] and len(calls) == 2
