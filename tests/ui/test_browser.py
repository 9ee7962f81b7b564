"""The app in a real browser (Debian chromium driven by Playwright, never `playwright install`): a Chinese and an
English question, source cards, asking back, a filter, the reader, an upload answered from, the Evaluation tab
and the language switch. Screenshots of the main views go to test-artifacts/screenshots/.

The app serves a writable copy of the corpus and of the session's index, so the upload changes neither."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from assistant.settings import REPO_ROOT
from tests.ui.test_app import free_port

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
SAMPLE = REPO_ROOT / "tests" / "fixtures" / "futian-district-2024-sample.txt"
LOCAL = ("http://127.0.0.1", "data:", "blob:", "about:")
WAIT_MS = 60_000


@pytest.fixture(scope="module")
def server(settings, assistant, tmp_path_factory):
    """The app on a free port, over copies of the corpus and the already built index."""
    from assistant.service import Assistant
    from ui.app import build_app, launch_options

    root = tmp_path_factory.mktemp("browser")
    corpus, data = root / "corpus", root / "data"
    shutil.copytree(settings.corpus_dir, corpus)
    shutil.copytree(settings.data_dir, data, ignore=shutil.ignore_patterns("eval"))
    app_settings = settings.model_copy(update={"corpus_dir": corpus, "data_dir": data, "ui_stream_delay_s": 0.0})
    app = build_app(Assistant(app_settings, progress=False))
    app.queue()
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, **launch_options(app_settings))
    yield f"http://127.0.0.1:{port}/", app_settings
    app.close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Debian chromium is missing: `apt-get install chromium fonts-noto-cjk` (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def outside_requests():
    return []


@pytest.fixture(scope="module")
def page(browser, server, outside_requests):
    url, _ = server
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.on("request", lambda request: None if request.url.startswith(LOCAL) else outside_requests.append(request.url))
    page.goto(url)
    page.wait_for_selector("#question textarea", timeout=WAIT_MS)
    yield page
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def ask(page, question: str, new_chat: bool = True) -> str:
    """Types the question, asks, and returns the text of the last answer once its final message is shown."""
    if new_chat:
        page.click("#new-chat")
        page.wait_for_function("document.querySelectorAll('#chat .govqa-answer').length === 0")
    before = page.locator("#chat .govqa-answer").count()
    page.fill("#question textarea", question)
    page.click("#ask")
    page.wait_for_function(f"document.querySelectorAll('#chat .govqa-answer').length > {before}", timeout=WAIT_MS)
    return page.locator("#chat .govqa-answer").last.inner_text()


def test_page_follows_the_browser_language(page):
    page.get_by_role("tab", name="问答").wait_for(timeout=WAIT_MS)
    assert page.locator("#lang input[value=zh]").is_checked()
    assert page.locator("#ask").inner_text().strip() == "提问"


def test_chinese_question_gets_a_cited_answer_with_source_cards(page):
    text = ask(page, "深圳市2025年上线了多少个“高效办成一件事”？")
    assert text.startswith("45个") and "深圳市政务服务和数据管理局2025年度报告" in text
    card = page.locator("#chat .source-card").first
    assert card.get_attribute("open") is None  # collapsed until asked for
    page.locator("#chat a.cite").first.click()  # the [1] marker opens its card
    page.wait_for_function("document.querySelector('#chat .source-card').open === true")
    mark = card.locator("blockquote mark")
    assert "上线45个高频" in mark.inner_text()
    assert len(card.locator("blockquote").inner_text()) > len(mark.inner_text())  # the span inside its paragraph
    assert "2025" in card.locator("summary").inner_text()
    shot(page, "chat-zh-answer")


def test_english_question_and_its_follow_up(page):
    text = ask(page, "How many cross-region partner areas did Longhua add in 2025?")
    assert "17个" in text and "according to" in text
    follow_up = ask(page, "And what about 2022?", new_chat=False)
    assert "2022" in follow_up
    assert "2022" in page.inner_text("#context")
    shot(page, "chat-en-follow-up")
    # the chat's own clear (trash) icon empties the chat and the follow-up context alike
    page.locator("#chat button[aria-label='清空对话'], #chat button[aria-label='Clear']").first.click()
    page.wait_for_function("document.querySelectorAll('#chat .govqa-answer').length === 0", timeout=WAIT_MS)
    page.wait_for_function("!document.querySelector('#context').innerText.includes('2022')", timeout=WAIT_MS)
    assert "暂无假定" in page.inner_text("#context")


def test_a_conversation_yields_to_what_each_turn_says(page):
    """Issue 12's conversation: a Shenzhen question, then a place no report covers, then a program of another
    bureau, then an English follow-up."""
    assert ask(page, "深圳市2025年上线了多少个“高效办成一件事”？").startswith("45个")
    text = ask(page, "北京市2024年12345热线接了多少电话？", new_chat=False)
    assert "北京市" in text and page.locator("#chat .govqa-answer").last.get_attribute("class").endswith("status-not_found")
    text = ask(page, "What is 深小i?", new_chat=False)
    assert "深小i" in text and "Shenzhen" in text
    text = ask(page, "And in 2024?", new_chat=False)  # an English turn after Chinese ones: an English answer
    assert text.startswith(("Not found", "Not sure", "深小i, as", "What the")) and "2024" in text


def test_comparison_is_a_table_and_ambiguity_offers_report_buttons(page):
    ask(page, "深圳市2024年和2025年分别上线了多少个“高效办成一件事”？")
    rows = page.locator("#chat .govqa-answer").last.locator("table tr")
    assert rows.count() == 3 and "23个" in rows.nth(1).inner_text() and "45个" in rows.nth(2).inner_text()
    ask(page, "上线了多少个“高效办成一件事”？")
    assert page.locator("#chat .status-clarify").count() == 1
    shot(page, "chat-clarify")
    before = page.locator("#chat .govqa-answer").count()
    page.locator("#chat button.option", has_text="深圳市2024年").click()
    page.wait_for_function(f"document.querySelectorAll('#chat .govqa-answer').length > {before}", timeout=WAIT_MS)
    assert page.locator("#chat .govqa-answer").last.inner_text().startswith("23个")


def test_report_filter_shows_as_a_chip_and_limits_the_answer(page):
    page.click("#filter-reports input")
    page.get_by_role("option", name=re.compile("中山市 2024")).click()
    page.keyboard.press("Escape")
    page.wait_for_function("document.querySelector('#filter-status').innerText.includes('1/5')", timeout=WAIT_MS)
    assert "中山市 2024" in page.locator("#filter-reports").inner_text()  # the chip
    text = ask(page, "上线了多少个“高效办成一件事”？")
    assert "中山市" in text and page.locator("#chat .status-clarify").count() == 0
    shot(page, "chat-filter")
    page.click("#clear-filters")
    page.wait_for_function("document.querySelector('#filter-status').innerText.includes('全部')", timeout=WAIT_MS)


def test_source_card_opens_the_reader_at_the_cited_span(page):
    ask(page, "2024年中山市12345热线服务总量是多少？")
    page.locator("#chat .source-card summary").first.click()
    with page.context.expect_page() as opened:
        page.locator("#chat a.open-reader").first.click()
    reader = opened.value
    reader.wait_for_selector("#reader-hit", timeout=WAIT_MS)
    assert "267.3万件次" in reader.inner_text("#reader-hit")
    assert "003" in reader.locator("#reader-pick input").input_value()
    shot(reader, "library-reader")
    reader.close()


def test_uploaded_report_is_indexed_and_answers(page, server):
    _, app_settings = server
    page.get_by_role("tab", name="报告库").click()
    page.locator("#upload input[type=file]").set_input_files(str(SAMPLE))
    page.wait_for_function("document.querySelector('#meta-region textarea, #meta-region input').value.includes('福田区')",
                           timeout=WAIT_MS)
    assert page.locator("#meta-year input").input_value() == "2024"
    page.locator("#meta-title_en textarea, #meta-title_en input").first.fill("Futian District sample report 2024")
    shot(page, "library-upload")
    page.click("#add-report")
    page.wait_for_function("document.querySelector('#upload-status').innerText.includes('005')", timeout=WAIT_MS)
    page.wait_for_function("document.querySelector('#library-table').innerText.includes('福田')", timeout=WAIT_MS)
    assert (app_settings.corpus_dir / "reports" / "futian-district-2024.txt").is_file()
    page.get_by_role("tab", name="问答").click()
    assert "6" in page.inner_text("#filter-status")  # the filters know the new report
    text = ask(page, "福田区2024年受理政务服务事项多少件？")
    assert text.startswith("38.6万件") and "福田区" in text
    shot(page, "chat-uploaded-report")


def test_evaluation_tab_runs_with_progress_and_shows_metrics(page):
    page.get_by_role("tab", name="评测").click()
    page.locator("#eval-set input").click()
    page.get_by_role("option", name="heldout.jsonl").click()
    page.click("#eval-run")
    page.wait_for_selector("#eval-plot img", timeout=180_000)
    assert "准确率" in page.inner_text("#eval-status")
    assert page.locator("#eval-table").inner_text().count("lang=") >= 2
    shot(page, "evaluation")


def test_language_switch_relabels_the_interface(page):
    page.locator("#lang label", has_text="English").click()
    page.wait_for_function("document.querySelector('#ask').innerText.trim() === 'Ask'", timeout=WAIT_MS)
    page.get_by_role("tab", name="Library").wait_for(timeout=WAIT_MS)
    page.get_by_role("tab", name="Ask").click()
    shot(page, "chat-english-interface")


def test_nothing_is_fetched_from_outside(outside_requests):
    assert outside_requests == []
