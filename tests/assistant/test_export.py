"""Answers and conversations as Markdown and JSON (assistant/export.py), from real answers."""
from __future__ import annotations

import json

from markdown_it import MarkdownIt

from assistant.conversations import ConversationStore
from assistant.export import answer_markdown, conversation_json, conversation_markdown, reader_query


def test_answer_markdown_has_the_answer_quotes_sources_and_reader_links(assistant):
    answer = assistant.ask("深圳市2025年上线了多少个“高效办成一件事”？")
    markdown = answer_markdown(answer, "http://example.org/")
    citation = answer.citations[0]
    assert "45" in markdown.split("**出处**")[0]
    assert f"[1] {citation.title} · {citation.bureau} · 2025" in markdown
    assert f"(http://example.org/{reader_query(citation.report_id, citation.start, citation.end)})" in markdown
    assert "> " + citation.text.replace("*", "\\*") in markdown
    assert "在阅读器中打开" not in answer_markdown(answer)  # no base: no links


def test_markup_in_questions_and_quotes_stays_literal(assistant):
    answer = assistant.ask("深圳市2025年上线了多少个“高效办成一件事”？")
    answer = answer.model_copy(update={"question": "<img src=x onerror=alert(1)> **bold**",
                                       "answer": answer.answer + " <script>x</script>"})
    # rendered by a viewer that passes raw HTML through (commonmark's default), nothing becomes a tag
    rendered = MarkdownIt("commonmark").render(answer_markdown(answer))
    assert "<img" not in rendered and "<script" not in rendered
    assert "&lt;img src=x onerror=alert(1)&gt; **bold**" in rendered


def test_a_conversation_exports_as_markdown_and_json(tmp_path, assistant):
    store = ConversationStore(tmp_path / "c.sqlite3")
    first = assistant.ask("What was the satisfaction rate of Zhongshan's 12345 hotline in 2024?")
    conversation_id = store.start("browser:a", first.question)
    turn = store.add_turn("browser:a", conversation_id, first.question, first)
    store.rate("browser:a", turn, -1, "fine")
    conversation = store.get("browser:a", conversation_id)
    markdown = conversation_markdown(conversation, "http://127.0.0.1:7860/")
    assert markdown.startswith("# What was the satisfaction rate") and "99.63" in markdown
    assert "**Sources**" in markdown and "👎 fine" in markdown and " · 1 turns*" in markdown
    # the header in the interface's language, the answer in its own
    chinese = conversation_markdown(conversation, "http://127.0.0.1:7860/", "zh")
    assert "*导出时间 " in chinese and "共 1 轮" in chinese and "**Sources**" in chinese
    data = json.loads(conversation_json(conversation))
    assert data["turns"][0]["answer"]["citations"][0]["text"] == first.citations[0].text
    assert data["turns"][0]["feedback"] == {"rating": -1, "comment": "fine"}
