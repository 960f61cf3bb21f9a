"""The synthetic articles of bench/scale.py: real spans, new texts, vectors and entities
taken from the sentences they were made of."""

import importlib.util
import random
import sys
from pathlib import Path

import numpy as np

from index import read_article
from index.chunk import sentences
from index.store import text_hash

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("scale", ROOT / "bench" / "scale.py")
assert _spec and _spec.loader
scale = importlib.util.module_from_spec(_spec)
sys.modules["scale"] = scale  # dataclasses look their module up there
_spec.loader.exec_module(scale)


def _sources() -> list:
    """The seed articles' sentences, each with a random unit vector and one entity."""
    rng = np.random.default_rng(0)
    out = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        article = read_article(path)
        found = []
        for s in sentences(article):
            v = rng.normal(size=8).astype(np.float32)
            first = len(s.text.split()[0])
            found.append(scale.SourceSentence(s.text, v / np.linalg.norm(v), ((0, first, "X"),)))
        out.append(scale.SourceArticle(article.title, tuple(found)))
    return out


def test_synthetic_articles_have_real_spans_new_texts_and_their_sources_vectors():
    sources = _sources()
    source_texts = {s.text: s for a in sources for s in a.sentences}
    made = [scale.synthetic(sources, k, random.Random(k), noise=0.01) for k in range(3)]
    assert len({m.entry.article.doc_id for m in made}) == 3
    for m in made:
        e, text = m.entry, m.entry.article.text
        assert e.chunks and len(e.sentences) >= 12
        for start, end, h, *_ in (*e.chunks, *e.sentences):
            assert 0 <= start < end <= len(text) and text_hash(text[start:end]) == h
            assert np.isclose(np.linalg.norm(m.vectors[h]), 1.0, atol=1e-5)
        whole = 0
        for start, end, h, _ in e.sentences:
            quoted = text[start:end]
            assert quoted not in source_texts  # every text is new
            # Taken from a source's vector, plus a little noise.
            assert max(float(m.vectors[h] @ s.vector) for s in source_texts.values()) > 0.95
            source = source_texts.get(quoted.partition(f"In dispatch {e.article.doc_id[-1]}, ")[2])
            if source is None:  # the splitter cut this one elsewhere: its entities are unknown
                assert m.entities[h] == []
                continue
            whole += 1
            assert float(m.vectors[h] @ source.vector) > 0.95
            ((a, b, label),) = m.entities[h]  # moved along with the prefix
            assert quoted[a:b] == source.text.split()[0] and label == "X"
        assert whole >= 0.8 * len(e.sentences)
