"""The app in a real browser (Debian chromium driven by Playwright, never `playwright install`): a Chinese and an
English question, source cards, asking back, a filter, the reader, an upload answered from, the Evaluation tab
and the language switch. Screenshots of the main views go to test-artifacts/screenshots/.

The app serves a writable copy of the corpus and of the session's index, so the upload changes neither."""
from __future__ import annotations

import re
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from assistant.settings import REPO_ROOT
from tests.ui.test_app import free_port

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
SAMPLE = REPO_ROOT / "tests" / "fixtures" / "futian-district-2024-sample.txt"
LOCAL = ("http://127.0.0.1", "data:", "blob:", "about:")
WAIT_MS = 60_000


def app_copy(settings, root: Path):
    """Settings for an app over copies of the corpus and of the already built index (without conversations)."""
    corpus, data = root / "corpus", root / "data"
    shutil.copytree(settings.corpus_dir, corpus)
    shutil.copytree(settings.data_dir, data, ignore=shutil.ignore_patterns("eval", "conversations*"))
    return settings.model_copy(update={"corpus_dir": corpus, "data_dir": data})


def start_app(app_settings, port: int):
    from assistant.service import Assistant
    from ui.app import build_app, launch_options

    app = build_app(Assistant(app_settings, progress=False))
    app.queue()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, **launch_options(app_settings))
    return app


@pytest.fixture(scope="module")
def server(settings, assistant, tmp_path_factory):
    """The app on a free port, over copies of the corpus and the already built index."""
    app_settings = app_copy(settings, tmp_path_factory.mktemp("browser"))
    port = free_port()
    app = start_app(app_settings, port)
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
        # New chat empties the box when its reply arrives: a placeholder typed first shows that it has arrived
        # (an already-empty chat would not), so the question typed next is not cleared by a late reply
        page.fill("#question textarea", "…")
        page.click("#new-chat")
        page.wait_for_function("""document.querySelectorAll('#chat .govqa-answer').length === 0
            && document.querySelector('#question textarea').value === ''""", timeout=WAIT_MS)
    before = page.locator("#chat .govqa-answer").count()
    page.fill("#question textarea", question)
    page.click("#ask")
    return answered(page, before)


def answered(page, before: int) -> str:
    """The text of the last answer once there are more than before and the last is final (not the work in progress)."""
    page.wait_for_function(f"""(() => {{ const all = document.querySelectorAll('#chat .govqa-answer');
        return all.length > {before} && all[all.length - 1].dataset.status !== 'working'; }})()""", timeout=WAIT_MS)
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
    # the chat's label stands above the scrolling messages, so no line of an answer ever runs under it
    label_bottom, messages_top = page.evaluate("""[document.querySelector('#chat label').getBoundingClientRect().bottom,
        document.querySelector('#chat .bubble-wrap').getBoundingClientRect().top]""")
    assert label_bottom <= messages_top


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
    assert answered(page, before).startswith("23个")


def test_report_filter_shows_as_a_chip_and_limits_the_answer(page):
    page.click("#filter-reports input")
    page.get_by_role("option", name=re.compile("中山市 2024")).click()
    page.keyboard.press("Escape")
    page.wait_for_function("document.querySelector('#filter-status').innerText.includes('1/5')", timeout=WAIT_MS)
    assert "中山市 2024" in page.locator("#filter-reports").inner_text()  # the chip
    text = ask(page, "上线了多少个“高效办成一件事”？")
    assert "中山市" in text and page.locator("#chat .status-clarify").count() == 0
    shot(page, "chat-filter")
    # Regenerate (the chat's retry) asks the last question again with the filters as they are now
    page.click("#filter-reports input")
    page.get_by_role("option", name=re.compile("深圳市 2025")).click()
    page.keyboard.press("Escape")
    page.wait_for_function("document.querySelector('#filter-status').innerText.includes('2/5')", timeout=WAIT_MS)
    before = page.locator("#chat .govqa-answer").count()
    page.locator("#chat button[aria-label='Retry'], #chat button[aria-label='重试']").last.click()
    text = answered(page, before)
    assert page.locator("#chat .status-clarify").count() == 1 and "中山市" in text and "深圳市" in text
    page.click("#clear-filters")
    page.wait_for_function("document.querySelector('#filter-status').innerText.includes('全部')", timeout=WAIT_MS)


def test_source_card_opens_the_reader_at_the_cited_span(page):
    """In this same page (the Library tab, at the span); the link itself still opens the reader in a new tab."""
    ask(page, "2024年中山市12345热线服务总量是多少？")
    page.locator("#chat .source-card summary").first.click()
    pages = len(page.context.pages)
    page.locator("#chat a.open-reader").first.click()
    page.wait_for_function("document.getElementById('reader-hit')?.innerText.includes('267.3万件次')", timeout=WAIT_MS)
    assert len(page.context.pages) == pages and "003" in page.locator("#reader-pick input").input_value()
    assert page.get_by_role("tab", name="报告库").get_attribute("aria-selected") == "true"
    # find in the report, and its table of contents
    page.locator("#reader-find-box textarea, #reader-find-box input").first.fill("热线")
    page.wait_for_function("document.querySelector('#reader-find-status').innerText.includes('找到')", timeout=WAIT_MS)
    assert page.locator("#reader mark.find").count() >= 2 and page.locator("#reader-find").is_visible()
    url = page.url
    page.locator("#reader .reader-toc summary").click()
    entry = page.locator("#reader a.toc").nth(3)
    target = entry.get_attribute("data-target")
    entry.click()
    page.wait_for_function(f"(() => {{ const r = document.getElementById('{target}').getBoundingClientRect();"
                           f" const box = document.querySelector('#reader .reader').getBoundingClientRect();"
                           f" return r.top >= box.top - 2 && r.top < box.bottom; }})()", timeout=WAIT_MS)
    assert page.url == url
    shot(page, "library-reader")
    with page.context.expect_page() as opened:
        page.get_by_role("tab", name="问答").click()
        page.locator("#chat a.open-reader").first.click(modifiers=["Control"])
    reader = opened.value
    reader.wait_for_selector("#reader-hit", timeout=WAIT_MS)
    assert "267.3万件次" in reader.inner_text("#reader-hit")
    # a reader link that names no report of the library says so in the Library tab
    reader.goto(url + "?report=999&start=0&end=10")
    reader.wait_for_function("document.querySelector('#reader')?.innerText.includes('不在本资料库中')", timeout=WAIT_MS)
    reader.close()


def test_uploaded_report_is_indexed_and_answers(page, server):
    _, app_settings = server
    page.get_by_role("tab", name="报告库").click()
    page.locator("#upload input[type=file]").set_input_files(str(SAMPLE))
    page.wait_for_function("document.querySelector('#meta-region textarea, #meta-region input').value.includes('福田区')",
                           timeout=WAIT_MS)
    assert page.locator("#meta-year input").input_value() == "2024"
    # an add refused for a missing field keeps the upload, its preview and its metadata to mend
    region = page.locator("#meta-region textarea, #meta-region input").first
    proposed = region.input_value()
    region.fill("")
    page.click("#add-report")
    page.wait_for_function("document.querySelector('#upload-status').innerText.includes('⚠️')", timeout=WAIT_MS)
    page.wait_for_timeout(1500)  # what runs after an add has had its turn
    assert "福田" in page.locator("#upload-preview textarea").input_value()
    assert page.locator("#meta-year input").input_value() == "2024"
    region.fill(proposed)
    page.locator("#meta-title_en textarea, #meta-title_en input").first.fill("Futian District sample report 2024")
    shot(page, "library-upload")
    page.click("#add-report")
    page.wait_for_function("document.querySelector('#upload-status').innerText.includes('005')", timeout=WAIT_MS)
    page.wait_for_function("document.querySelector('#library-table').innerText.includes('福田')", timeout=WAIT_MS)
    assert (app_settings.corpus_dir / "reports" / "futian-district-2024.txt").is_file()
    table = page.inner_text("#library-table")
    assert "片段数" in table and "区级" in table and "用户上传" in table and "chunks" not in table  # the interface's language
    # a row opens the reader (the grid's cells are divs)
    page.locator("#library-table").get_by_text("中山市政务服务和数据管理局2024年法治政府建设年度报告", exact=True).first.click()
    page.wait_for_function("document.querySelector('#reader').innerText.includes('267.3万件次')", timeout=WAIT_MS)
    assert "003" in page.locator("#reader-pick input").input_value()
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
    assert page.locator("#eval-table").inner_text().count("lang=") >= 2 and "错答率" in page.inner_text("#eval-table")
    shot(page, "evaluation")


def loaded(page) -> None:
    page.wait_for_selector("#question textarea", timeout=WAIT_MS)
    page.wait_for_function("document.querySelector('#conv-note') !== null", timeout=WAIT_MS)
    page.wait_for_timeout(1500)  # the load events: this browser's conversations, then the labels


def saved_titles(page) -> list[str]:
    return [label.split(" · ")[0] for label in page.locator("#conv-list label").all_inner_texts()]


def wait_newest_saved(page, title: str) -> None:
    """Until the list's first (newest) conversation is this one: earlier tests saved the same questions."""
    page.wait_for_function("(title) => (document.querySelector('#conv-list label')?.innerText || '').startsWith(title)",
                           arg=title, timeout=WAIT_MS)


def test_a_conversation_is_saved_and_survives_a_reload_with_its_context(page):
    page.get_by_role("tab", name="问答").click()
    ask(page, "深圳市2025年上线了多少个“高效办成一件事”？")
    wait_newest_saved(page, "深圳市2025年上线了多少个“高效办成一件事”？")
    page.reload()
    loaded(page)
    page.wait_for_function("document.querySelectorAll('#chat .govqa-answer').length === 1", timeout=WAIT_MS)
    assert page.locator("#chat .govqa-answer").first.inner_text().startswith("45个")
    assert "深圳市" in page.inner_text("#context") and "2025" in page.inner_text("#context")
    follow_up = ask(page, "2024年呢？", new_chat=False)  # the restored context carries the bureau and the topic
    assert "2024" in follow_up and "深圳市" in follow_up
    assert page.locator("#conv-list input:checked").count() == 1
    rename(page, "深圳“一件事” 2024–2025")
    shot(page, "chat-conversations")


def rename(page, title: str, tries: int = 3) -> None:
    """Renames the open conversation. The list's refresh after an answer also sets the title box: on a slow machine
    it can land after the new title was typed, so the rename is typed again until the list shows it."""
    for attempt in range(tries):
        page.fill("#conv-title textarea, #conv-title input", title)
        page.click("#conv-rename")
        try:
            page.wait_for_function("(title) => document.querySelector('#conv-list').innerText.includes(title)",
                                   arg=title, timeout=WAIT_MS // tries)
            return
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise


def test_conversations_switch_and_answers_take_feedback_and_export(page, server):
    from assistant.conversations import ConversationStore

    _, app_settings = server
    ask(page, "2024年中山市12345热线服务总量是多少？")
    wait_newest_saved(page, "2024年中山市12345热线服务总量是多少？")
    assert len(saved_titles(page)) >= 2
    page.locator("#conv-list label", has_text="深圳“一件事” 2024–2025").click()  # back to the earlier conversation
    page.wait_for_function("document.querySelectorAll('#chat .govqa-answer').length === 2", timeout=WAIT_MS)
    assert page.locator("#chat .govqa-answer").first.inner_text().startswith("45个")
    page.locator("#chat button[aria-label='踩'], #chat button[aria-label='Dislike']").last.click()
    page.wait_for_selector("#feedback-comment textarea", state="visible", timeout=WAIT_MS)
    page.fill("#feedback-comment textarea", "想要2024年的数字")
    page.click("#feedback-send")
    page.wait_for_selector("#feedback-row", state="hidden", timeout=WAIT_MS)
    store = ConversationStore(app_settings.conversations_path)
    [(conversation, turn)] = store.disliked()
    assert turn.question == "2024年呢？" and turn.comment == "想要2024年的数字"
    assert conversation.title == "深圳“一件事” 2024–2025"
    page.click("#conv-export")
    page.wait_for_selector("#conv-files a", timeout=WAIT_MS)
    links = {a.get_attribute("href") for a in page.locator("#conv-files a").all() if a.get_attribute("href")}
    markdown = next(page.request.get(link).text() for link in links if ".md" in link)
    assert markdown.startswith("# 深圳“一件事” 2024–2025") and "**出处**" in markdown and "?report=002&start=" in markdown
    assert "👎 想要2024年的数字" in markdown


def test_a_conversation_survives_a_server_restart_and_opens_from_a_share_link(browser, settings, assistant, tmp_path):
    app_settings = app_copy(settings, tmp_path)
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    app = start_app(app_settings, port)
    context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(url)
        loaded(page)
        assert page.locator("#chat .govqa-answer").count() == 0 and saved_titles(page) == []
        page.locator("#examples button").nth(4).click()  # an example is asked at once
        assert "99.63%" in answered(page, 0)
        wait_newest_saved(page, "What was the satisfaction rate of Zhongshan's 12345 hotline in 2024?")
        app.close()
        app = start_app(app_settings, port)  # the same data dir, a new app
        page.reload()
        loaded(page)
        page.wait_for_function("document.querySelectorAll('#chat .govqa-answer').length === 1", timeout=WAIT_MS)
        assert saved_titles(page) == ["What was the satisfaction rate of Zhongshan's 12345 hotline in 2024?"]
        page.click("#conv-share")
        link = page.locator("#conv-link code").inner_text(timeout=WAIT_MS)
        assert link.startswith(url + "?conversation=")
        other = browser.new_context(locale="en-US").new_page()  # another browser: read-only, nothing of its own
        other.goto(link)
        loaded(other)
        other.wait_for_selector("#shared-note", state="visible", timeout=WAIT_MS)
        assert "99.63%" in other.locator("#chat .govqa-answer").first.inner_text() and saved_titles(other) == []
        # asking from it continues the conversation as the reader's own copy: the follow-up keeps its bureau and year
        assert "43.9万张" in ask(other, "How many work orders did it dispatch?", new_chat=False)
        wait_newest_saved(other, "What was the satisfaction rate of Zhongshan's 12345 hotline in 2024?")
        other.wait_for_selector("#shared-note", state="hidden", timeout=WAIT_MS)
        assert other.locator("#chat .govqa-answer").count() == 2
        # the address no longer opens the shared original: a reload shows the reader's copy with its new turn
        other.wait_for_function("!window.location.search.includes('conversation=')", timeout=WAIT_MS)
        other.reload()
        loaded(other)
        other.wait_for_function("document.querySelectorAll('#chat .govqa-answer').length === 2", timeout=WAIT_MS)
        # a link that opens nothing says so where the conversation would be
        other.goto(url + "?conversation=" + "z" * 22)
        loaded(other)
        other.wait_for_selector("#shared-note", state="visible", timeout=WAIT_MS)
        assert "opens nothing" in other.locator("#shared-note").inner_text()
        other.context.close()
    finally:
        context.close()
        app.close()


@contextmanager
def phone_page(browser, url: str):
    """A 390×844 phone in Chinese, with the app loaded."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        phone = context.new_page()
        phone.goto(url)
        loaded(phone)
        yield phone
    finally:
        context.close()


def fits_its_box(page, selector: str) -> bool:
    """The table under selector is no wider than its box: nothing to scroll sideways."""
    scroll, box = page.evaluate("(selector) => { const t = document.querySelector(selector + ' table');"
                                " return [t.scrollWidth, t.parentElement.clientWidth]; }", selector)
    return scroll <= box + 1


def test_a_phone_shows_the_input_and_the_last_answer_on_the_first_screen(browser, server):
    url, _ = server
    with phone_page(browser, url) as phone:
        phone.wait_for_selector("#conversations:not(.open)", timeout=WAIT_MS)  # the sidebar starts closed
        phone.fill("#question textarea", "2024年中山市12345热线服务总量是多少？")
        phone.click("#ask")
        phone.wait_for_selector("#chat .source-card", timeout=WAIT_MS)
        phone.wait_for_timeout(500)
        box, answer = phone.locator("#question textarea").bounding_box(), phone.locator("#chat .govqa-answer").last.bounding_box()
        assert box["y"] + box["height"] <= 844 and 0 <= answer["y"] < 844
        assert phone.locator("#lang").bounding_box()["y"] < 100  # the language switch stays in the header
        shot(phone, "phone-chat")


def test_a_phone_library_fits_the_screen_and_its_reader_list_keeps_its_arrow(browser, server):
    """On a phone the Library and Evaluation tables show the columns that fit (no sideways scroll), and a long report
    title in the reader's list ends before the list's arrow."""
    url, _ = server
    with phone_page(browser, url) as phone:
        phone.get_by_role("tab", name="报告库").click()
        phone.wait_for_function("() => document.querySelectorAll('#library-table th').length === 4", timeout=WAIT_MS)
        assert fits_its_box(phone, "#library-table")
        phone.locator("#reader-pick input").click()
        phone.get_by_role("option").nth(1).click()
        phone.wait_for_selector("#reader .reader", timeout=WAIT_MS)
        text_end, arrow = phone.evaluate("""() => {
          const input = document.querySelector('#reader-pick input'), style = getComputedStyle(input);
          const arrow = document.querySelector('#reader-pick svg').getBoundingClientRect();
          return [input.getBoundingClientRect().right - parseFloat(style.paddingRight), arrow.left]; }""")
        assert text_end <= arrow + 1
        shot(phone, "phone-library")
        phone.get_by_role("tab", name="评测").click()
        phone.wait_for_function("() => document.querySelectorAll('#eval-table th').length === 5", timeout=WAIT_MS)
        assert fits_its_box(phone, "#eval-table")


# the lowest WCAG contrast ratio of any text in the elements matched: its colour against the first background behind it
CONTRAST = """(selector) => {
  const rgb = (value) => (value.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const [R, G, B] = [r, g, b].map((c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  const background = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length >= 3 && (c.length === 3 || c[3] >= 0.5)) return c;
    }
    return [255, 255, 255];
  };
  let worst = [99, ''];
  for (const element of document.querySelectorAll(selector)) {
    const text = Array.from(element.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!text || !element.offsetParent) continue;
    const [a, b] = [luminance(rgb(getComputedStyle(element).color)), luminance(background(element))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < worst[0]) worst = [ratio, element.className + ': ' + element.textContent.slice(0, 30)];
  }
  return worst;
}"""


def test_dark_mode_answers_and_source_cards_are_readable_and_the_theme_switches(browser, server):
    url, _ = server
    context = browser.new_context(locale="zh-CN", color_scheme="dark", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(url)
        loaded(page)
        assert page.evaluate("document.body.classList.contains('dark')")  # the OS's dark mode is followed
        for question in ("2024年中山市12345热线服务总量是多少？", "深圳市2024年和2025年分别上线了多少个“高效办成一件事”？",
                         "上线了多少个“高效办成一件事”？"):
            ask(page, question)
            for card in page.locator("#chat .source-card summary").all():
                card.click()
            ratio, where = page.evaluate(CONTRAST, "#chat .govqa-answer, #chat .govqa-answer *")
            assert ratio >= 4.5, (question, ratio, where)
        shot(page, "chat-dark")
        assert page.inner_text("#theme") == "◐"  # the glyph says which mode is on
        page.click("#theme")  # system -> dark -> light
        assert page.inner_text("#theme") == "☾"
        page.click("#theme")
        assert page.inner_text("#theme") == "☀"
        assert not page.evaluate("document.body.classList.contains('dark')")
        assert page.evaluate("localStorage.getItem('govqa-theme')") == "light"
        ratio, where = page.evaluate(CONTRAST, "#chat .govqa-answer, #chat .govqa-answer *")
        assert ratio >= 4.5, (ratio, where)
        page.reload()
        loaded(page)
        assert not page.evaluate("document.body.classList.contains('dark')")  # the choice is kept
        page.wait_for_function("document.getElementById('theme').innerText === '☀'")
    finally:
        context.close()


def test_language_switch_relabels_the_interface(page):
    said = ask(page, "2024年中山市12345热线服务总量是多少？")
    assert "出处" in said and "Sources" not in said
    page.locator("#lang label", has_text="English").click()
    page.wait_for_function("document.querySelector('#ask').innerText.trim() === 'Ask'", timeout=WAIT_MS)
    # the answer already in the chat follows: its source cards and notes in English, its own text as it was asked
    page.wait_for_function("[...document.querySelectorAll('#chat .govqa-answer')].pop().innerText.includes('Copy as Markdown')",
                           timeout=WAIT_MS)
    shown = page.locator("#chat .govqa-answer").last.inner_text()
    assert "SOURCES (1)" in shown.upper() and "Understood:" in shown and "出处" not in shown and "理解为" not in shown
    assert "据中山市" in shown and page.locator("#chat .govqa-answer").count() == 1
    page.get_by_role("tab", name="Library").click()
    page.wait_for_function("document.querySelector('#library-table').innerText.includes('chunks')", timeout=WAIT_MS)
    table = page.inner_text("#library-table")
    assert "district" in table and "片段数" not in table
    assert "Zhongshan" in table and "Annual Report on Building a Law-Based Government" in table  # the English names
    assert "中山市政务服务和数据管理局" not in table
    page.get_by_role("tab", name="Evaluation").click()
    page.wait_for_function("document.querySelector('#eval-table').innerText.includes('wrong_answer')", timeout=WAIT_MS)
    page.get_by_role("tab", name="Ask").click()
    shot(page, "chat-english-interface")
    page.reload()  # the choice is kept in this browser, over its Chinese Accept-Language
    loaded(page)
    page.wait_for_function("document.querySelector('#ask').innerText.trim() === 'Ask'", timeout=WAIT_MS)
    assert page.locator("#lang input[value=en]").is_checked()


def test_nothing_is_fetched_from_outside(outside_requests):
    assert outside_requests == []


def test_a_first_start_shows_its_progress_at_once_then_the_chat(browser, corpus_copy, tmp_path):
    """python -m ui on a fresh data dir: within 5 s the port answers with a page saying what is being built (tqdm's
    progress line, the time so far), which turns into the chat by itself once the index is built and the ranker
    trained (a two-report corpus and 50 training questions keep this short)."""
    import os
    import subprocess
    import sys
    import time

    from playwright.sync_api import Error

    from tests.index.test_build import trimmed

    port = free_port()
    env = {**os.environ, "GOVQA_CORPUS_DIR": str(trimmed(corpus_copy, ("003", "004"))),
           "GOVQA_DATA_DIR": str(tmp_path / "data"), "GOVQA_PORT": str(port), "GOVQA_RANKER_QUESTIONS": "50"}
    log = open(tmp_path / "ui.log", "w")
    started = time.monotonic()
    server = subprocess.Popen([sys.executable, "-m", "ui"], cwd=REPO_ROOT, env=env, stdout=log, stderr=log)
    page = browser.new_page(locale="en-US")
    try:
        while True:
            try:
                reply = page.goto(f"http://127.0.0.1:{port}/")
                break
            except Error:  # not listening yet
                assert time.monotonic() - started < 5, "nothing answered on the port within 5 s"
                time.sleep(0.2)
        assert time.monotonic() - started < 5 and reply.status == 503 and reply.headers["x-govqa-starting"] == "1"
        assert "Getting ready" in page.inner_text("body") and "正在准备" in page.inner_text("body")
        page.wait_for_function("/\\d+%/.test(document.getElementById('line').textContent)", timeout=WAIT_MS)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "first-start.png"))
        page.wait_for_selector("#question textarea", timeout=300_000)  # the same tab, without a reload by hand
        assert server.poll() is None
    finally:
        page.close()
        server.terminate()
        server.wait(timeout=60)
        log.close()
    assert "Traceback" not in (tmp_path / "ui.log").read_text(encoding="utf-8")
