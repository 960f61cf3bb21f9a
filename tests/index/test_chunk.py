from itertools import pairwise
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from index import BadArticle, parse, read_article
from index.chunk import LONG_SENTENCE, chunk, sentences

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

_words = st.sampled_from(
    [
        "The",
        "minister",
        "said",
        "on",
        "Friday",
        "that",
        "6,000",
        "U.S.",
        "Dr.",
        "talks",
        "would",
        "resume",
        "“soon,”",
        '"We',
        'agree."',
        "and",
        "—",
        "in",
        "Caracas",
        "officials",
        "Jan.",
        "31",
        "é",
        "ü",
    ]
)
_sentence = st.lists(_words, min_size=5, max_size=40).map(lambda ws: " ".join(ws) + ".")

_paragraph = st.lists(_sentence, min_size=1, max_size=6).map(" ".join)
_noise = st.sampled_from(["Advertisement", "  • Home", "Share", "", "Subscribe", "\t"])
_article = st.lists(st.one_of(_paragraph, _noise), min_size=1, max_size=14).map("\n\n".join)


@settings(max_examples=150, deadline=None)
@given(_article, st.integers(80, 700), st.integers(0, 60))
def test_every_chunk_and_sentence_is_the_text_at_its_offsets(text, size, overlap):
    try:
        article = parse(text, "doc")
    except BadArticle:
        return
    for c in chunk(article, size=size, overlap=min(overlap, size // 2)):
        assert article.text[c.start : c.end] == c.text
        assert c.text.strip() == c.text and c.text
    found = sentences(article)
    for s in found:
        assert article.text[s.start : s.end] == s.text
        assert any(b.start <= s.start and s.end <= b.end for b in article.body)
    assert all(a.end <= b.start for a, b in pairwise(found))  # in order, apart


def test_seed_chunks_cover_the_story_and_never_carry_chrome():
    for path in sorted(SEEDS.glob("*.txt")):
        article = read_article(path)
        chunks = chunk(article)
        for c in chunks:
            assert article.text[c.start : c.end] == c.text
            assert "STORY CONTINUES BELOW THIS AD" not in c.text
            assert "Advertisement" not in c.text
        covered = "".join(c.text for c in chunks)
        for b in article.body:
            # every sentence of the story is in some chunk
            assert article.text[b.start : b.end][:40] in covered


def test_sentences_split_on_abbreviations_correctly():
    article = parse(
        "A headline for the test\n\nThe U.S. envoy met Dr. Smith on Jan. 31 in Caracas. They spoke for two hours.\n",
        "doc",
    )
    assert [s.text for s in sentences(article)] == [
        "The U.S. envoy met Dr. Smith on Jan. 31 in Caracas.",
        "They spoke for two hours.",
    ]


def test_a_quotation_left_open_does_not_run_the_paragraph_into_one_sentence():
    quoted = " ".join(
        f"Point {n} of what the minister told the committee took a while." for n in range(6)
    )
    paragraph = f'The minister said: "{quoted} The vote came later. "It was close," she said.'
    article = parse(f"A headline for the test\n\n{paragraph}\n", "doc")
    found = sentences(article)
    for s in found:
        assert article.text[s.start : s.end] == s.text
    assert max(len(s.text) for s in found) <= LONG_SENTENCE
    assert (
        found[0].text
        == 'The minister said: "Point 0 of what the minister told the committee took a while.'
    )
    assert found[-1].text == '"It was close," she said.'
