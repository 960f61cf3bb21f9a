"""Named entities found once at ingest, stored by sentence text, and read back per sentence."""

from index import SpacyRecognizer, Store, parse, update

from ..conftest import FakeEmbedder


class CountingRecognizer:
    """The real recogniser, counting the texts it is given."""

    name = "counting"

    def __init__(self) -> None:
        self.real = SpacyRecognizer()
        self.texts: list[str] = []

    def entities(self, texts):
        self.texts += list(texts)
        return self.real.entities(texts)


def test_the_recogniser_labels_people_money_and_dates():
    (found,) = SpacyRecognizer().entities(
        ["Angela Merkel said on Tuesday that the plan would cost $4 billion."]
    )
    labels = {label for _, _, label in found}
    assert {"PERSON", "DATE", "MONEY"} <= labels
    text = "Angela Merkel said on Tuesday that the plan would cost $4 billion."
    assert ("Angela Merkel", "PERSON") in {(text[a:b], label) for a, b, label in found}


def test_entities_are_found_once_per_text_and_kept_per_sentence(tmp_path):
    store = Store(tmp_path / "index", FakeEmbedder.name, FakeEmbedder.dim)
    counting = CountingRecognizer()
    article = parse(
        "Bridge opens\n\nThe new bridge in Lisbon opened on Monday. It cost 30 million euros.",
        "a",
    )
    update(store, [article], FakeEmbedder, recognizer=lambda: counting)
    first = len(counting.texts)
    assert first == 2  # the two story sentences
    # The same sentences in another article are not read again.
    again = parse(
        "Bridge opens in Lisbon\n\nThe new bridge in Lisbon opened on Monday. It cost 30 million euros.",
        "b",
    )
    update(store, [again], FakeEmbedder, recognizer=lambda: counting)
    assert len(counting.texts) == first
    spans = store.sentence_entities()
    sentences = store.spans("sentences").spans
    by_text = {
        article.text[s:e]: [(article.text[s:e][a:b], label) for a, b, label in found]
        for (doc, _, s, e), found in zip(sentences, spans, strict=True)
        if doc == "a"
    }
    assert ("Lisbon", "GPE") in by_text["The new bridge in Lisbon opened on Monday."]
    store.close()


def test_an_index_built_before_entities_is_filled_in_on_the_next_update(tmp_path):
    store = Store(tmp_path / "index", FakeEmbedder.name, FakeEmbedder.dim)
    update(store, [parse("Title\n\nMaria Silva won in Porto.", "a")], FakeEmbedder)
    store._db.execute("DELETE FROM entities")  # as an index from before they were kept
    assert all(not found for found in store.sentence_entities())
    counting = CountingRecognizer()
    update(store, [], FakeEmbedder, recognizer=lambda: counting)
    assert "Maria Silva won in Porto." in counting.texts
    assert any(found for found in store.sentence_entities())
    store.close()
