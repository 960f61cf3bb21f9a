"""The service follows writes by other processes: the next question after a write is
answered from it, with no watcher running."""

from index import Store
from qa import QA

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
