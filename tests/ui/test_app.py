"""The Gradio app driven through gradio_client, as the browser calls it (the browser itself: test_browser.py)."""
import socket

import pytest

from ui.app import build_app, launch_options


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def url(assistant):
    port = free_port()
    app = build_app(assistant)
    app.queue()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, **launch_options(assistant.settings))
    yield f"http://127.0.0.1:{port}/"
    app.close()


@pytest.fixture
def client(url):
    """A fresh client is a fresh browser session: its own conversation context."""
    from gradio_client import Client

    return Client(url, verbose=False)


def last_text(chat):
    content = chat[-1]["content"]
    return content if isinstance(content, str) else " ".join(p.get("text", "") for p in content)


def ask(client, question, reports=(), bureaus=(), years=(), lang="zh"):
    return client.predict(question, [], list(reports), list(bureaus), list(years), lang, api_name="/ask")


def test_answer_is_html_with_linked_markers_and_source_cards(client):
    chat, box, context = ask(client, "2024年中山市12345热线服务总量是多少？")
    html = last_text(chat)
    assert 'class="govqa-answer status-answered"' in html and "267.3万件次" in html
    assert 'href="#src-1-1"' in html and '<details class="source-card" id="src-1-1">' in html
    assert "<mark>2024年1月至12月,市12345热线服务总量267.3万件次" in html
    assert "?report=003&amp;start=" in html  # the reader link
    assert box == "" and "中山市" in context and "2024" in context


def test_follow_up_keeps_the_context_of_the_session(client):
    chat, _, _ = ask(client, "How many cross-region partner areas did Longhua add in 2025?", lang="en")
    assert "17个" in last_text(chat) and "according to" in last_text(chat)
    chat, _, context = client.predict("“出生一件事”业务量是多少？", chat, [], [], [], "zh", api_name="/ask")
    assert "4046件" in last_text(chat)
    assert "沿用上一问" in context


def test_clarify_looks_different_and_offers_the_reports_as_options(client):
    chat, _, _ = ask(client, "上线了多少个“高效办成一件事”？")
    assert 'status-clarify' in last_text(chat) and "请指明报告" in last_text(chat)
    assert {"深圳市2024年", "深圳市2025年"} <= {option["value"] for option in chat[-1]["options"]}


def test_not_found_offers_the_related_reports(client):
    chat, _, _ = ask(client, "深圳市2023年上线了多少个“高效办成一件事”？")
    assert "status-not_found" in last_text(chat)
    assert chat[-1]["options"], "the related passages' reports are offered"


def test_filters_limit_the_reports(client):
    chat, _, _ = ask(client, "上线了多少个“高效办成一件事”？", years=["2024"], bureaus=["中山市政务服务和数据管理局"])
    assert "status-answered" in last_text(chat) and "中山市" in last_text(chat)
    chat, _, _ = ask(client, "中山市12345热线服务总量是多少？", reports=["002"])
    assert "status-not_found" in last_text(chat) and "报告筛选" in last_text(chat)
    chat, _, _ = ask(client, "热线满意度是多少？", years=["2022"], bureaus=["中山市政务服务和数据管理局"])
    assert "没有符合筛选条件的报告" in last_text(chat)


def test_bad_input_gets_a_message_in_the_interface_language(client):
    chat, box, _ = ask(client, "   ")
    assert "请先输入问题" in last_text(chat) and "status-error" in last_text(chat)
    chat, box, _ = ask(client, "x" * 600, lang="en")
    assert "600 characters long; the limit is 500" in last_text(chat) and box == "x" * 600  # kept to shorten


def test_evaluation_endpoint_returns_metrics_and_plot(client):
    from pathlib import Path

    status, table, plot = client.predict("heldout.jsonl", "en", "", api_name="/evaluate")
    assert "59 questions" in status
    groups = [row[0] for row in table["data"]]
    assert groups[0] == "all" and "lang=zh" in groups and "type=figure" in groups
    assert Path(plot).is_file()
