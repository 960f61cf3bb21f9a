from pathlib import Path

from index import read_article
from index.clean import body_spans, is_story_line

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _story(path: Path) -> str:
    a = read_article(path)
    return "\n".join(a.text[s.start : s.end] for s in a.body)


def test_story_lines_versus_chrome():
    assert is_story_line("The ministry declined to comment on the report.", repeats=1)
    assert not is_story_line("The ministry declined to comment on the report.", repeats=2)
    assert not is_story_line("Advertisement", repeats=1)
    assert not is_story_line("  • World", repeats=1)
    assert not is_story_line("Whatsapp Facebook Twitter", repeats=1)
    assert not is_story_line("Jack Phillips", repeats=1)
    # A caption ends in a photo credit, not a full stop.
    assert not is_story_line("A man walks past the ministry on Monday. Photo: Reuters", repeats=1)


def test_web_page_seed_keeps_the_story_and_drops_the_chrome():
    path = next(SEEDS.glob("004_*.txt"))
    story = _story(path)
    for kept in [
        "Venezuela’s Maduro has offered to help Trump’s administration hunt down leaders",
        "Maduro told officials he could help locate senior bosses of Tren de Aragua",
        "At least 14 people have died in recent weeks",
        "with over 13,000 Venezuelans sent back since January",
    ]:
        assert kept in story
    for dropped in [
        "STORY CONTINUES BELOW THIS AD",
        "Advertisement",
        "Whatsapp Facebook Twitter",
        "More from World",
        "Impact Shorts",
        "Deranged leftist",
        "An HHS official was assaulted",  # a teaser in the footer, not this story
        "India announces huge gas reserves",
        "Copyright",
        "Raisina Dialogue",
    ]:
        assert dropped not in story


def test_captions_bylines_and_bios_are_not_story():
    story = _story(next(SEEDS.glob("001_*.txt")))
    assert "Stefani Reynolds/AFP via Getty Images" not in story
    assert "Breaking News Reporter" not in story
    assert story.startswith("President Donald Trump said on Feb. 1")


def test_a_clean_article_is_all_story():
    text = "Title of the piece\n\nFirst paragraph of the story goes here.\n\nSecond paragraph of the story goes here.\n"
    spans = body_spans(text)
    assert [text[s.start : s.end] for s in spans] == [
        "First paragraph of the story goes here.",
        "Second paragraph of the story goes here.",
    ]
