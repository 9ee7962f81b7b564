"""The Gradio app driven through gradio_client, as a browser would call it."""
import socket

import pytest

from ui.app import build_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def client(assistant):
    from gradio_client import Client

    port = free_port()
    app = build_app(assistant)
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    yield Client(f"http://127.0.0.1:{port}/", verbose=False)
    app.close()


def last_text(chat):
    content = chat[-1]["content"]
    return content if isinstance(content, str) else " ".join(p.get("text", "") for p in content)


def test_chat_answers_with_cited_sources(client):
    chat, sources, box = client.predict("2024年中山市12345热线服务总量是多少？", [], api_name="/ask")
    assert last_text(chat).startswith("267.3万件次")
    assert "中山市政务服务和数据管理局" in sources and "2024" in sources and "267.3万件次" in sources
    assert box == ""


def test_english_question_and_follow_up_in_the_chat(client):
    chat, sources, _ = client.predict("How many cross-region partner areas did Longhua add in 2025?", [], api_name="/ask")
    assert "17个" in last_text(chat) and "according to" in last_text(chat)
    chat, sources, _ = client.predict("“出生一件事”业务量是多少？", chat, api_name="/ask")
    assert "4046件" in last_text(chat)


def test_bad_input_gets_a_message(client):
    chat, sources, _ = client.predict("   ", [], api_name="/ask")
    assert "empty" in last_text(chat)
