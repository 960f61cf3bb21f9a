"""The service follows writes by other processes: the next question after a write is
answered from it, with no watcher running."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from index import Store
from qa import QA, service

from ..conftest import FakeEmbedder
from .test_segments import ARTICLES, write


def test_the_question_after_another_process_writes_is_answered_from_the_write(tmp_path):
    first = Store(tmp_path / "index", FakeEmbedder.name, FakeEmbedder.dim)
    write(first, "a", ARTICLES["a"])
    first.close()
    qa = QA(tmp_path / "index", embedder=FakeEmbedder())  # no qa.watch(): nothing polls
    try:
        qa.ask("storm harbour")
        assert set(qa.corpus.documents) == {"a"}
        other = Store(tmp_path / "index", FakeEmbedder.name, FakeEmbedder.dim)
        write(other, "d", ARTICLES["d"])  # as another worker or `qa index` would
        generation = other.generation()
        other.close()
        answer = qa.ask("giant panda city zoo Chengdu")
        assert qa.corpus.generation == generation
        assert answer.citations and answer.citations[0].doc_id == "d"
        assert set(qa.corpus.documents) == {"a", "d"}
    finally:
        qa.close()


def test_a_process_answers_one_question_at_a_time(tmp_path, monkeypatch):
    store = Store(tmp_path / "index", FakeEmbedder.name, FakeEmbedder.dim)
    write(store, "a", ARTICLES["a"])
    qa = QA(store.dir, embedder=FakeEmbedder())
    at_once, most = [0], [0]
    real = service.retrieve

    def counted(*args, **kwargs):
        at_once[0] += 1
        most[0] = max(most[0], at_once[0])
        time.sleep(0.02)  # lets another thread in, were it allowed
        at_once[0] -= 1
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "retrieve", counted)
    try:
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(qa.ask, ["Where did the flood reach?"] * 8))
        assert most[0] == 1 and len(answers) == 8
    finally:
        qa.close()
        store.close()


def test_a_question_is_embedded_while_another_is_answered(tmp_path, monkeypatch):
    """Embedding runs without the interpreter (ONNX Runtime), so it does not wait for the
    question being answered."""
    store = Store(tmp_path / "index", FakeEmbedder.name, FakeEmbedder.dim)
    write(store, "a", ARTICLES["a"])
    qa = QA(store.dir, embedder=FakeEmbedder())
    answering = threading.Event()
    real = service.retrieve

    def slow(*args, **kwargs):
        answering.set()
        time.sleep(0.5)
        answering.clear()
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "retrieve", slow)
    embed, while_answering = qa._embed_cached, []

    def seen(text):
        while_answering.append(answering.is_set())
        return embed(text)

    monkeypatch.setattr(qa, "_embed_cached", seen)
    try:
        with ThreadPoolExecutor(1) as pool:
            first = pool.submit(qa.ask, "Where did the flood reach?")
            assert answering.wait(10)
            qa.ask("Who was hurt in the storm?")
            first.result()
        assert while_answering == [False, True]
    finally:
        qa.close()
        store.close()


def test_an_answer_drops_the_index_files_pages_past_the_bound(tmp_path, monkeypatch):
    from qa import following

    store = Store(tmp_path / "index", FakeEmbedder.name, FakeEmbedder.dim)
    write(store, "a", ARTICLES["a"])
    qa = QA(store.dir, embedder=FakeEmbedder())  # no watcher: the answer itself looks
    dropped: list = []
    monkeypatch.setattr(following, "drop_pages", lambda mappings: dropped.append(list(mappings)))
    try:
        monkeypatch.setattr(following, "FILE_RESIDENT_MB", 1e9)
        qa.ask("storm harbour")
        assert dropped == []
        monkeypatch.setattr(following, "FILE_RESIDENT_MB", -1)
        qa.ask("storm harbour")
        assert len(dropped) == 1  # the served segments' mappings (none: built in memory)
    finally:
        qa.close()
        store.close()
