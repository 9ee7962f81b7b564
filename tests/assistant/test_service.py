"""The library entry point's report filter (the UI's scope controls) and reload after a report is added."""
import pytest

from assistant.question import QuestionError


def test_filter_restricts_the_answer_to_the_chosen_reports(assistant):
    ambiguous = "上线了多少个“高效办成一件事”？"
    assert assistant.ask(ambiguous).status == "clarify"
    answer = assistant.ask(ambiguous, reports=["002"])
    assert answer.status == "answered" and answer.answer.startswith("45个")
    assert {c.report_id for c in answer.citations} == {"002"} and answer.scope["filter"] == ["002"]
    answer = assistant.ask(ambiguous, reports=["004", "000"])  # a choice among the filtered reports only
    assert {r.report_id for r in answer.rows} <= {"000", "004"}


def test_filter_excluding_the_named_report_says_so(assistant):
    answer = assistant.ask("How many calls did Zhongshan's 12345 hotline handle in 2024?", reports=["002"])
    assert answer.status == "not_found" and answer.citations == []
    assert any("report filter (Shenzhen 2025) excludes" in note for note in answer.notes), answer.notes
    answer = assistant.ask("2024年中山市12345热线服务总量是多少？", reports=["002", "004"])
    assert any("报告筛选（深圳市2025年、深圳市龙华区2025年）" in note for note in answer.notes), answer.notes


def test_bad_filters_are_refused(assistant):
    with pytest.raises(QuestionError, match="unknown report id"):
        assistant.ask("热线满意度是多少？", reports=["999"])
    with pytest.raises(QuestionError, match="allows no report"):
        assistant.ask("热线满意度是多少？", reports=[])
