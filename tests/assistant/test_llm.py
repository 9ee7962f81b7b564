"""The optional LLM answerer against a local chat-completions server: its answer is used when every figure is
in a cited span; an invented figure never reaches the user; failures and timeouts fall back, visibly."""
import pytest

from assistant.service import Assistant
from tests.fakes.chat_server import ChatServer

QUESTION = "深圳市2025年上线了多少个“高效办成一件事”？"


@pytest.fixture(scope="module")
def chat_server():
    with ChatServer() as server:
        yield server


@pytest.fixture(scope="module")
def llm_assistant(settings, assistant, chat_server):  # `assistant` builds the index first
    llm_settings = settings.model_copy(update={"llm_mode": "openai_like", "llm_api_base": chat_server.base_url,
                                               "llm_model": "stub-model", "llm_timeout_s": 1.0})
    return Assistant(llm_settings, progress=False)


@pytest.fixture(autouse=True)
def reset(chat_server):
    chat_server.reply, chat_server.delay_s, chat_server.status = "", 0.0, 200
    chat_server.requests.clear()


def test_llm_answer_with_cited_figures_is_used(llm_assistant, chat_server):
    chat_server.reply = "深圳市政务服务和数据管理局2025年上线了45个高频“高效办成一件事”[1]。"
    answer = llm_assistant.ask(QUESTION)
    assert answer.status == "answered" and answer.answerer == "llm"
    assert answer.answer == chat_server.reply and answer.verified_figures == ["2025", "45"]
    sent = chat_server.requests[0]["body"]
    assert chat_server.requests[0]["path"] == "/v1/chat/completions" and sent["model"] == "stub-model"
    assert "[1]" in sent["messages"][-1]["content"] and "上线45个" in sent["messages"][-1]["content"]


def test_invented_figure_never_reaches_the_user(llm_assistant, chat_server):
    chat_server.reply = "深圳市2025年上线了45个“高效办成一件事”[1]。平均每个事项节省了37小时[1]。"
    answer = llm_assistant.ask(QUESTION)
    assert "37" not in answer.answer and answer.answerer == "llm"
    assert answer.answer.startswith("深圳市2025年上线了45个")
    assert any("37" in note for note in answer.notes)


def test_reply_with_only_invented_figures_falls_back_to_extractive(llm_assistant, chat_server):
    chat_server.reply = "深圳市2025年上线了50个“高效办成一件事”[1]。"
    answer = llm_assistant.ask(QUESTION)
    assert answer.answerer == "extractive" and answer.answer.startswith("45个")
    assert "50" not in answer.answer and len(answer.notes) == 2


def test_marker_to_a_missing_citation_is_removed(llm_assistant, chat_server):
    chat_server.reply = "上线45个“高效办成一件事”[1]。另见[7]。"
    answer = llm_assistant.ask(QUESTION)
    assert "[7]" not in answer.answer and "[1]" in answer.answer


@pytest.mark.parametrize("status, delay", [(500, 0.0), (200, 3.0)])
def test_endpoint_failure_or_timeout_falls_back_with_a_note(llm_assistant, chat_server, status, delay):
    chat_server.status, chat_server.delay_s, chat_server.reply = status, delay, "上线45个[1]。"
    answer = llm_assistant.ask(QUESTION)
    assert answer.status == "answered" and answer.answerer == "extractive" and answer.answer.startswith("45个")
    assert any("语言模型未能作答" in note for note in answer.notes)


def test_without_configuration_nothing_calls_an_endpoint(assistant, chat_server):
    answer = assistant.ask(QUESTION)
    assert assistant.writer is None and answer.answerer == "extractive" and not chat_server.requests


def test_llm_mode_needs_an_endpoint(settings):
    with pytest.raises(ValueError, match="llm_api_base"):
        settings.model_validate(settings.model_dump() | {"llm_mode": "openai_like"})
