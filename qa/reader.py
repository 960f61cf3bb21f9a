"""A small cross-encoder that reads the question together with each of the ranker's best
sentences (rereading.READ_TOP), and says in a logit how likely that sentence holds the
answer: the answer's sentence is chosen on the ranker's score and that logit, and the
answerability weighs the winner's.

The ranker and the answerability weigh features computed apart from each other (word
overlap, cosines, entity types); the reader sees the question and the sentence in one
attention pass, so it can tell "the cost was not disclosed" from "it cost £9m". It is the
packaged all-MiniLM-L6-v2's six layers with low-rank deltas on each of their
linear maps and a linear head on the mean of the token states, fitted by
`python -m eval.calibrate` on (question, candidate sentence) pairs: the file holds only
the deltas and the head (1.3 MB). The service reads through an int8 ONNX export
of it (the deltas merged into the packaged weights), made once and cached: no torch on
the request path, about 11 ms a sentence on a slow 2-core machine (6 ms with three layers),
a question's two sentences read at once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index.embed import model_path, quantize, user_cache

from .rereading import READ_TOP

if TYPE_CHECKING:
    import torch

READER_FILE = Path(__file__).with_name("reader.safetensors")
LAYERS = 6  # all of the packaged model's: 878 held-out answers right of 1,319 against 861 with 3
# (bench/RESULTS.md, "eighteenth"), for about 6 ms more a question on a 2-core machine
MAX_TOKENS = 96  # question and sentence together; a longer sentence is cut
FEEDS = ("input_ids", "attention_mask", "token_type_ids")
# The linear maps of each layer that carry low-rank deltas, by their names in the model.
ADAPTED = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


def base_model() -> tuple[object, torch.nn.Module]:
    """The packaged model's tokenizer and its first LAYERS layers (loaded from disk only)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    path = model_path()
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path)
    model.encoder.layer = model.encoder.layer[:LAYERS]
    return tokenizer, model


def layers(model: torch.nn.Module) -> list[torch.nn.Module]:
    """The model's transformer layers, first to last."""
    return list(model.get_submodule("encoder.layer").children())


def read_logits(
    tokenizer: object,
    model: torch.nn.Module,
    head: torch.nn.Module,
    questions: Sequence[str],
    sentences: Sequence[str],
) -> torch.Tensor:
    """The head's logit for each (question, sentence) pair: the pair read as one text,
    its token states averaged."""
    import torch

    enc = tokenizer(  # type: ignore[operator]
        list(questions),
        list(sentences),
        return_tensors="pt",
        padding=True,
        truncation="only_second",
        max_length=MAX_TOKENS,
    )
    states = model(**enc).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).to(states.dtype)
    pooled = (states * mask).sum(1) / mask.sum(1)
    return torch.flatten(head(pooled))


class Reader:
    """The fitted reader, its deltas merged into the packaged weights."""

    def __init__(self, path: Path = READER_FILE) -> None:
        import torch
        from safetensors.torch import load_file

        stored = load_file(str(path))
        self.tokenizer, self.model = base_model()
        scale = float(stored.pop("scale"))
        with torch.no_grad():
            for n, layer in enumerate(layers(self.model)):
                for name in ADAPTED:
                    linear = layer.get_submodule(name)
                    a, b = stored[f"{n}.{name}.A"].float(), stored[f"{n}.{name}.B"].float()
                    linear.get_parameter("weight").add_(scale * (b @ a))
        self.head = torch.nn.Linear(stored["head.weight"].shape[1], 1)
        self.head.load_state_dict(
            {"weight": stored["head.weight"].float(), "bias": stored["head.bias"].float()}
        )
        self.model.eval().requires_grad_(False)
        self.head.eval().requires_grad_(False)

    def logits(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        """The reader's logit that each sentence answers ``question``."""
        import torch

        if not sentences:
            return np.zeros(0, dtype=np.float32)
        with torch.inference_mode():
            z = read_logits(
                self.tokenizer, self.model, self.head, [question] * len(sentences), sentences
            )
        return z.numpy().astype(np.float32)


def reader_name(reader_file: Path) -> str:
    """The export's file name: a hash of the fitted file, so a refit is exported anew."""
    digest = hashlib.sha256(Path(reader_file).read_bytes()).hexdigest()[:16]
    return f"reader-{digest}.int8.onnx"


def export(reader_file: Path, cache_dir: Path) -> Path:
    """The reader in ``reader_file`` as int8 ONNX in ``cache_dir``, named by the file's
    hash, made on first use (which loads torch once): with three layers, a pair of 66
    tokens in 4.1 ms on the ninth session's CPU against 10 ms in full precision; six
    layers take about twice as long (bench/RESULTS.md). Fitting reads through the same
    export, so the models weigh the readings the service makes."""
    out = Path(cache_dir) / reader_name(reader_file)
    if out.exists():
        return out
    import torch

    reader = Reader(reader_file)

    class Logit(torch.nn.Module):
        # The layers and the head as submodules of one module in eval mode: the exporter
        # then keeps the weights as initializers, which the quantiser can find.
        def __init__(self) -> None:
            super().__init__()
            self.bert = reader.model
            self.head = reader.head

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            states = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(states.dtype)
            return torch.flatten(self.head((states * mask).sum(1) / mask.sum(1)))

    sample = reader.tokenizer(["a question"], ["a sentence"], return_tensors="pt")  # type: ignore[operator]
    axes = {0: "batch", 1: "tokens"}
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent) as work:
        full = Path(work) / "reader.onnx"
        with torch.no_grad(), warnings.catch_warnings():
            # The tracer warns about branches on shapes; tests/qa/test_reader.py checks
            # the export against the torch reader on pairs of several lengths.
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Logit().eval(),
                (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
                str(full),
                input_names=list(FEEDS),
                output_names=["logit"],
                dynamic_axes={**{k: axes for k in FEEDS}, "logit": {0: "batch"}},
                opset_version=17,
                dynamo=False,
            )
        quantize(full, out)
    return out


class OnnxReader:
    """The int8 export run by ONNX Runtime: what the service reads with, without torch."""

    def __init__(self, onnx_file: Path) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(Path(model_path()) / "tokenizer.json"))
        # A question too long to leave room for the sentence is cut too (fitting's
        # questions never are).
        self._tokenizer.enable_truncation(MAX_TOKENS, strategy="longest_first")
        self._tokenizer.no_padding()  # the model's file pads every text to 128 tokens
        options = ort.SessionOptions()
        # Pairs read together run at once (ONNX Runtime's sessions take concurrent runs),
        # on two cores one thread each: the BBC questions' best two in 19.6 ms against
        # 26.3 one after the other on two threads (bench/RESULTS.md, "twentieth"). Larger
        # machines keep two threads, which the runs then share (not measured): two read a
        # pair only 1.2 times as fast as one here.
        options.intra_op_num_threads = min(2, max(1, (os.cpu_count() or 1) // READ_TOP))
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        self._session = ort.InferenceSession(
            str(onnx_file), options, providers=["CPUExecutionProvider"]
        )
        self._pool = ThreadPoolExecutor(READ_TOP, thread_name_prefix="reader")

    def logit(self, question: str, sentence: str) -> float:
        """The reader's logit that ``sentence`` answers ``question``. One pair a run:
        int8 activations are scaled over the whole batch, so a pair read beside others
        reads differently (by 0.35 on a logit of 3), and fitting reads as served."""
        return self._run(self.feed(question, sentence))

    def logits(self, question: str, sentences: Sequence[str]) -> list[float]:
        """The reader's logit for each of ``sentences``, as ``logit`` reads it: each pair
        alone in its run, up to READ_TOP runs at the same time."""
        # Tokenized here, quickly: the pool's threads only run the model, without the GIL.
        feeds = [self.feed(question, s) for s in sentences]
        return list(self._pool.map(self._run, feeds))

    def _run(self, feed: dict[str, np.ndarray]) -> float:
        return float(self._session.run(None, feed)[0][0])

    def feed(self, question: str, sentence: str) -> dict[str, np.ndarray]:
        """The model's inputs for one pair: its tokens, at most MAX_TOKENS, unpadded."""
        pair = self._tokenizer.encode(question, sentence)
        return {
            "input_ids": np.array([pair.ids], dtype=np.int64),
            "attention_mask": np.array([pair.attention_mask], dtype=np.int64),
            "token_type_ids": np.array([pair.type_ids], dtype=np.int64),
        }


@lru_cache(maxsize=4)
def packaged_reader(cache_dir: Path | None = None) -> OnnxReader:
    """The reader fitted with this version's calibration, as int8 ONNX exported to
    ``cache_dir`` (the user's cache when None), loaded once per process and folder."""
    if not READER_FILE.exists():
        raise FileNotFoundError(
            f"{READER_FILE} is missing, and calibration.json weighs its readings: restore it "
            "from the repository, or refit both with `python -m eval.calibrate --write`"
        )
    return OnnxReader(export(READER_FILE, cache_dir or user_cache()))
