"""Follow-ups resolve against the conversation: bureau, year and topic carry over unless the turn replaces them."""
import pytest

from assistant.followup import is_scope_only


def user(*turns):
    return [{"role": "user", "content": t} for t in turns]


@pytest.mark.parametrize("history, question, figure, report_id, carried", [
    (user("深圳市2025年上线了多少个“高效办成一件事”？"), "那2024年呢？", "23个", "000", ["bureau", "topic"]),
    (user("How many one-matter items did Shenzhen launch in 2025?"), "And in 2024?", "23个", "000", ["bureau", "topic"]),
    (user("龙华区2025年新增了多少个“跨域通办”合作地区？"), "那2024年呢？", None, None, ["bureau", "topic"]),
    (user("What was the satisfaction rate of Zhongshan's 12345 hotline in 2024?"), "How many work orders did it dispatch?",
     "43.9万张", "003", ["bureau", "year"]),
    (user("How many one-matter items did Zhongshan launch?"), "what about its satisfaction rate", "99.63%", "003", ["bureau"]),
    (user("How many government information disclosure requests did the Shenzhen municipal bureau receive in 2025?"),
     "What about Longhua?", "478件", "004", ["year", "topic"]),
    # two turns back: the topic of the first, the year of the second
    (user("深圳市2024年上线了多少个“高效办成一件事”重点事项？", "那2025年呢？"), "平均压减办理环节几个？", "8个", "002", ["bureau", "year"]),
])
def test_follow_up_answers_from_the_resolved_question(assistant, history, question, figure, report_id, carried):
    answer = assistant.ask(question, history=history)
    assert answer.scope["carried"] == carried and answer.notes  # what was assumed is said
    if figure is None:  # Longhua has no 2024 report
        assert answer.status == "not_found" and "2024" in answer.answer
        return
    assert answer.status == "answered" and answer.answer.startswith(figure)
    assert answer.citations[0].report_id == report_id


def test_carried_year_that_leaves_no_report_is_dropped_and_said(assistant):
    answer = assistant.ask("那中山市呢？", history=user("深圳市2024年12345热线满意度是多少？", ))
    assert answer.scope["regions"] == ["中山市"] and answer.scope["dropped"] == []
    answer = assistant.ask("那中山市呢？", history=user("深圳市2025年上线了多少个“高效办成一件事”？"))
    assert answer.scope["dropped"] == ["year"] and answer.scope["reports"] == ["003"]
    assert any("未沿用" in note for note in answer.notes)


def test_a_question_of_its_own_ignores_the_history(assistant):
    answer = assistant.ask("2024年中山市12345热线服务总量是多少？", history=user("深圳市2025年上线了多少个“高效办成一件事”？"))
    assert answer.scope["carried"] == [] and answer.answer.startswith("267.3万件次") and not answer.notes


def test_level_follow_up_replaces_the_bureau(assistant):
    question = assistant.understand("区级的呢？", history=user("深圳市2025年新增了几件规范性文件？"))
    assert question.level == "district" and question.regions == [] and question.years == [2025]


def test_scope_only_turns(assistant):
    assert is_scope_only(assistant.parse("那中山市呢？")) and is_scope_only(assistant.parse("And in 2024?"))
    assert is_scope_only(assistant.parse("Longhua District 2025"))
    assert not is_scope_only(assistant.parse("中山市的满意度呢？")) and not is_scope_only(assistant.parse("what about its rate"))
