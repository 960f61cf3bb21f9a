"""The web page in a real browser (Debian's Chromium via Playwright) against `qa serve`
over the seed articles: ask, open a citation, decline, filter, browse, add an article.
Every request the page makes is watched: none may leave 127.0.0.1."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from ..conftest import running_server

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
TOKEN = "browser-test-token"
CNN = "003_1fbe0b5a43a135b8"
HOSTILE = (
    "Harbour regatta called off\n\n"
    "<script>window.pwned = 1</script> The annual regatta at Port Elin was called off on "
    "Saturday after a storm warning, organisers said.\n\n"
    "<b>Boats</b> stayed in the harbour & the prize of 500 euros was held over to May."
)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(seed_index, tmp_path_factory):
    where = tmp_path_factory.mktemp("browser") / "index"
    shutil.copytree(seed_index, where)
    with running_server(where, QA_API_TOKEN=TOKEN) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("no /usr/bin/chromium: `make test` installs it (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM))
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh tab that lets only 127.0.0.1 through and fails the test on any other host."""
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    seen: list[str] = []

    def guard(route):
        seen.append(route.request.url)
        host = urlsplit(route.request.url).hostname
        if host == "127.0.0.1" or route.request.url.startswith("data:"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", guard)
    tab = context.new_page()
    tab.requests = seen  # type: ignore[attr-defined]
    yield tab
    context.close()
    outside = [u for u in seen if not u.startswith(("http://127.0.0.1:", "data:"))]
    assert not outside, f"the page asked for {outside}"


def ask(page, base: str, question: str) -> None:
    page.goto(f"{base}/")
    box = page.locator("form input[name=question]")
    box.fill(question)
    box.press("Enter")
    page.wait_for_selector("section.answer, section.decline")


def test_asking_marks_the_quotes_the_api_gives(page, server):
    question = "Who did Trump send to meet Maduro?"
    ask(page, server, question)
    api = httpx.post(f"{server}/ask", json={"question": question}, timeout=60).json()
    assert api["answerable"]
    marks = page.locator("section.answer .answer-text mark").all_text_contents()
    assert marks == [c["quote"] for c in api["citations"]]
    words = page.locator(".confidence strong").text_content()
    assert words in {"well supported", "supported", "weak"}
    assert page.locator("section.answer a.cite-link").count() == len(api["citations"]) + len(
        api["corroboration"]
    ) + len(api["conflicts"])
    # Every request the page made came back to this server (and there were some).
    assert any("/static/style.css" in u for u in page.requests)


def test_a_citation_opens_its_article_with_the_quote_marked_in_place(page, server):
    question = "How many Americans were released?"
    ask(page, server, question)
    first = page.locator("ol.citations a.cite-link").first
    first.click()
    page.wait_for_url("**/articles/**")
    api = httpx.post(f"{server}/ask", json={"question": question}, timeout=60).json()
    c = api["citations"][0]
    text = httpx.get(f"{server}/documents/{c['doc_id']}").json()["text"]

    def check(tab) -> None:
        mark = tab.locator(".article-text mark")
        assert mark.count() == 1 and mark.text_content() == c["quote"]
        offset = tab.evaluate(
            """() => { const r = document.createRange();
                const box = document.querySelector('.article-text');
                r.setStart(box, 0); r.setEndBefore(document.querySelector('mark'));
                return [r.toString().length, box.textContent]; }"""
        )
        assert offset == [c["start"], text]
        assert mark.evaluate(
            "m => { const r = m.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }"
        )

    check(page)
    shared = page.context.new_page()  # the link pasted into a new tab
    shared.goto(page.url)
    check(shared)


def test_a_decline_gives_its_reason(page, server):
    ask(page, server, "Who won the 2018 football World Cup final?")
    assert page.locator("section.decline h2").text_content() == "The articles don't say"
    reason = page.locator("section.decline .reason").text_content()
    assert reason.startswith("The articles ") and reason.endswith(".")
    assert page.locator(".confidence strong").text_content() == "too weak to answer"


def test_an_outlet_filter_narrows_the_answer_to_that_outlet(page, server):
    page.goto(f"{server}/")
    page.locator("form input[name=question]").fill("What did Maduro offer?")
    page.locator("details.filters summary").click()
    page.get_by_role("checkbox", name="CNN").check()
    page.locator("form input[name=question]").press("Enter")
    page.wait_for_selector("section.answer, section.decline")
    assert "outlet=CNN" in page.url  # the filtered answer is a link too
    links = page.locator("main a[href^='/articles/']")
    cited = {
        h.split("?")[0].removeprefix("/articles/")
        for h in links.evaluate_all("as => as.map(a => a.getAttribute('href'))")
    }
    assert cited == {CNN}
    page.goto(f"{server}/?question=What+did+Maduro+offer%3F")
    unfiltered = page.locator("main a[href^='/articles/']").evaluate_all(
        "as => as.map(a => a.getAttribute('href'))"
    )
    assert {h.split("?")[0].removeprefix("/articles/") for h in unfiltered} - {CNN}


def test_the_collection_lists_sorts_and_searches(page, server):
    page.goto(f"{server}/collection")
    api = httpx.get(f"{server}/documents").json()
    rows = page.locator("table.documents tbody tr")
    assert rows.count() == len(api)
    page.get_by_role("link", name="Title").click()
    page.wait_for_url("**sort=title**")  # the click only starts the page's loading
    titles = page.locator("table.documents tbody td:first-child").all_text_contents()
    assert titles == sorted((d["title"] for d in api), key=str.lower)
    page.get_by_label("Search titles and outlets").fill("cnn")
    page.get_by_label("Search titles and outlets").press("Enter")
    page.wait_for_url("**search=cnn**")
    assert page.locator("table.documents tbody tr").get_attribute("data-doc-id") == CNN


def test_an_article_added_with_the_token_shows_its_html_as_text(page, server):
    page.on("dialog", lambda d: d.accept())
    page.goto(f"{server}/collection")
    before = page.locator("table.documents tbody tr").count()
    page.get_by_label("Token to add or delete articles").fill(TOKEN)
    page.get_by_label("Id (optional)").fill("regatta")
    page.get_by_label("A text file").set_input_files(
        files=[{"name": "regatta.txt", "mimeType": "text/plain", "buffer": HOSTILE.encode()}]
    )
    text_box = page.get_by_label("Or paste the article's text")
    page.wait_for_function("() => document.getElementById('text').value.length > 0")
    assert text_box.input_value() == HOSTILE  # the file's text, to check before adding
    page.get_by_role("button", name="Add the article").click()
    page.wait_for_selector("#write-status.ok", timeout=120_000)
    assert "Added" in page.locator("#write-status").text_content()
    assert page.locator("table.documents tbody tr").count() == before + 1

    page.goto(f"{server}/articles/regatta")
    text = page.locator(".article-text")
    assert text.text_content() == HOSTILE
    assert text.locator("script, b").count() == 0
    assert page.evaluate("() => window.pwned") is None

    # And it can be deleted again, with the same token (kept in the tab).
    page.goto(f"{server}/collection")
    page.locator("button.delete[data-doc-id=regatta]").click()
    page.wait_for_selector("#write-status.ok")
    assert page.locator("table.documents tbody tr").count() == before
