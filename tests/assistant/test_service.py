"""The library entry point: the report filter (the UI's scope controls), the steps it reports while answering."""
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


def test_each_step_is_reported_as_soon_as_it_is_done(assistant):
    """ask(on_stage=…): what was understood, then the passages read, each before the answer is returned."""
    seen = []
    answer = assistant.ask("深圳市2025年上线了多少个“高效办成一件事”？", on_stage=seen.append)
    assert [stage.name for stage in seen] == ["understood", "retrieved"]
    understood, retrieved = seen
    assert (understood.lang, understood.kind) == ("zh", "figure")
    assert understood.scope["regions"] == ["深圳市"] and understood.scope["years"] == [2025]
    assert understood.scope["reports"] == answer.scope["reports"]
    assert [c.n for c in retrieved.passages] == list(range(1, len(retrieved.passages) + 1))
    assert all(assistant.reports[c.report_id].region == "深圳市" for c in retrieved.passages)


def test_a_refused_question_reports_no_step(assistant):
    seen = []
    with pytest.raises(QuestionError):
        assistant.ask("   ", on_stage=seen.append)
    assert seen == []


def test_an_index_on_a_chroma_server_answers_as_the_embedded_one(assistant, served, served_settings):
    assert served.store.chunks.name == served_settings.collection_prefix + "report-chunks"  # a collection on the server
    assert served.store.chunks.name.startswith(f"govqa-{served_settings.index_dir.name}-")
    for question in ("深圳市2025年上线了多少个“高效办成一件事”？", "What was the satisfaction rate of Zhongshan's 12345 hotline in 2024?",
                     "深圳市2024年和2025年分别上线了多少个“高效办成一件事”？"):
        assert served.ask(question).answer == assistant.ask(question).answer


def test_a_question_fitting_many_reports_asks_those_retrieval_found(assistant, monkeypatch):
    """In a library of hundreds, a question naming no bureau is put to the few reports its retrieval found
    (scope_fanout), not to each report in turn; the answer says so."""
    asked = []
    answer_each = assistant.answer_each
    monkeypatch.setattr(assistant, "answer_each", lambda question, q_emb, ids: asked.append(ids) or answer_each(question, q_emb, ids))
    assistant.ask("上线了多少个“高效办成一件事”？")
    assert sorted(asked.pop()) == ["000", "001", "002", "003", "004"]  # five reports: each is asked
    monkeypatch.setattr(assistant.settings, "scope_fanout", 2)
    question = "平均压减办理时限多少天？"
    answer = assistant.ask(question)
    ranked = assistant.search(assistant.understand(question), 5)[1].sentences
    assert asked[-1] == list(dict.fromkeys(c.meta.id for c in ranked))[:2]  # the first two reports retrieval found
    assert answer.status == "clarify" and any("符合此问题的报告共5份，已查阅其中段落最相符的2份" in n for n in answer.notes), answer.notes


def test_work_run_politely_runs_at_a_lower_priority_and_yields_the_interpreter_lock_sooner():
    """An add runs at nice 10 in a thread of its own, with a short thread switch interval while it runs (questions
    answered meanwhile wait less for Python's lock); the interval is restored after, also when the work fails."""
    import os
    import sys
    import threading

    from assistant.service import POLITE_SWITCH_INTERVAL, run_politely

    before = sys.getswitchinterval()
    seen = run_politely(lambda: (os.getpriority(os.PRIO_PROCESS, threading.get_native_id()), sys.getswitchinterval()))
    assert seen[0] >= 10 and seen[1] == pytest.approx(POLITE_SWITCH_INTERVAL)
    assert sys.getswitchinterval() == before

    def fails():
        raise RuntimeError("broken report")
    with pytest.raises(RuntimeError, match="broken report"):
        run_politely(fails)
    assert sys.getswitchinterval() == before
