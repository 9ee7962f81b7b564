"""Answers across reports: comparison tables (one row per report, every figure cited), asking back when a
question fits several reports with different figures, and "not found" with what the reports do cover."""
from dataclasses import replace

from assistant.compare import comparison, corroborated, parallel
from assistant.verify import ungrounded_figures


def rows_of(answer):
    return {r.report_id: r.figure for r in answer.rows}


def test_comparison_is_a_table_with_every_cell_cited(assistant):
    answer = assistant.ask("深圳市2024年和2025年分别上线了多少个“高效办成一件事”？")
    assert answer.status == "answered" and answer.kind == "comparison"
    assert rows_of(answer) == {"000": "23个", "002": "45个"}
    assert "| 深圳市政务服务和数据管理局2024年度报告 | 23个 [1] |" in answer.answer
    for row in answer.rows:
        cited = answer.citations[row.citation - 1]
        assert cited.report_id == row.report_id and row.figure in cited.text
    assert not ungrounded_figures(answer.model_dump())


def test_which_more_names_the_larger_figure(assistant):
    answer = assistant.ask("深圳市2024年和2025年哪一年上线的“高效办成一件事”更多？")
    assert answer.kind == "comparison" and rows_of(answer) == {"000": "23个", "002": "45个"}
    assert "最多的是深圳市政务服务和数据管理局2025年度报告（45个）[2]" in answer.answer


def test_a_comparison_with_a_row_it_is_not_sure_of_states_no_table(assistant):
    """Longhua 2022's 37个 stands in a sentence with a baseline (12个) and another count (5200余项): when the ranker
    is not sure of a row, each report's closest statement is quoted and no figure is put in a table."""
    answer = assistant.ask("Which added more cross-region partner areas, Longhua in 2022 or in 2025?")
    if answer.status == "answered":
        assert rows_of(answer) == {"001": "37个", "004": "17个"}
    else:
        assert answer.status == "uncertain" and not answer.rows
        assert {c.report_id for c in answer.citations} == {"001", "004"}


def test_rows_of_a_comparison_count_one_quantity(assistant):
    """Every row is checked against the row the ranker is surest of: a row whose figure is of another unit is not
    put in a table (Shenzhen 2024's best claim for "trips" is 23个, beside 2025's 4次), and a row the ranker is
    unsure of takes its report's claim whose label counts what the sure row counts."""
    answer = assistant.ask("How many trips did Shenzhen's one-matter items save on average in 2024 and in 2025?")
    assert answer.status == "uncertain" or set(rows_of(answer).values()) <= {"4次", "3次"}
    question = assistant.understand("深圳市2024年和2025年“高效办成一件事”平均压减的办理环节分别是几个？")
    q_emb, run = assistant.search(question, assistant.settings.top_k)
    answers = assistant.answer_each(question, q_emb, run.scope_reports)
    unsure = [replace(a, sure=False) if a.meta.id == "002" else a for a in answers]  # as if the ranker were unsure
    fixed = {a.meta.id: (a.stated, a.sure) for a in parallel(question, unsure, assistant.settings.parallel_share)}
    assert fixed == {"000": ("7个", True), "002": ("8个", True)}
    # 2025's row states 11天 with the ranker less sure of it than of 2024's 7个, the anchor
    other_unit = [replace(a, figure=next(c for c in a.sentence.claims if c.stated == "11天"), p=min(x.p for x in answers) / 2)
                  if a.meta.id == "002" else a for a in answers]
    assert {a.meta.id: a.stated for a in parallel(question, other_unit, 0.99) if a.sure} == {"000": "7个"}


def test_rows_that_each_clearly_give_one_figure_of_a_kind_corroborate_each_other(assistant):
    """Neither report's figure is likely enough alone, but each leads its report's other figures by far and both
    are sums of money: the comparison is stated. A row unsure for another reason than confidence, or of another
    unit, or a bare number beside a counted one, is not made sure."""
    answer = assistant.ask("How much money did Longhua pay out through apply-free subsidies, in 2022 and in 2025?")
    assert answer.status == "answered" and rows_of(answer) == {"001": "7.16亿元", "004": "超23亿元"}
    question = assistant.understand("How much money did Longhua pay out through apply-free subsidies, in 2022 and in 2025?")
    q_emb, run = assistant.search(question, assistant.settings.top_k)
    answers = assistant.answer_each(question, q_emb, run.scope_reports)
    floor, lead = assistant.settings.corroborate_floor, assistant.settings.corroborate_lead
    assert any(not a.sure for a in answers) and all(a.sure for a in corroborated(answers, floor, lead))
    rival = [replace(a, rival="unasked") if not a.sure else a for a in answers]  # a plan ("不少于65个"), a rival figure
    assert corroborated(rival, floor, lead) == rival
    # ... and the comparison left unsure says why: the row's doubt, not only a want of confidence
    unsure = comparison(question, rival, named=True, min_share=assistant.settings.parallel_share, floor=floor, lead=lead)
    assert unsure.status == "uncertain" and unsure.doubt == "other_scope"
    assert corroborated(answers, floor, 0.99) == answers
    for figure in ("7.16亿个", "7.16亿"):  # a count, and a bare number, beside a sum of money
        other = [replace(a, figure=replace(a.figure, figure=figure, stated=figure)) if not a.sure else a for a in answers]
        assert corroborated(other, floor, lead) == other


def test_a_named_report_that_does_not_say_keeps_its_row(assistant):
    answer = assistant.ask("深圳市和中山市的12345热线满意度分别是多少？")
    assert rows_of(answer) == {"000": None, "002": None, "003": "99.63%"}
    assert answer.rows[0].bureau.startswith("深圳市")  # in the order the question names them
    assert answer.answer.count("报告未提及") == 2 and len(answer.citations) == 1


def test_an_english_comparison_asserts_no_named_report_silent(assistant):
    """An English question reaches the Chinese text through guessed word senses: a named report it finds nothing in
    may well say it (Shenzhen 2025: "办理时限11天"), so there is no "not stated" row; the closest statements are shown
    as "not sure" instead. A Chinese comparison keeps its "报告未提及" rows (above)."""
    answer = assistant.ask("Compare the average cut in processing time (in days) per bundled service reported by "
                           "Shenzhen's data bureau for 2024 and 2025.")
    assert answer.status == "uncertain" and "not stated in this report" not in answer.answer
    english = assistant.ask("What were the 12345 hotline satisfaction rates of Shenzhen and Zhongshan?")
    assert "not stated in this report" not in english.answer


def test_question_fitting_several_reports_asks_back_with_cited_figures(assistant):
    answer = assistant.ask("上线了多少个“高效办成一件事”？")
    assert answer.status == "clarify"
    figures = rows_of(answer)
    assert figures["000"] == "23个" and figures["002"] == "45个"
    assert {r.followup for r in answer.rows} >= {"深圳市2024年", "深圳市2025年"}
    assert not ungrounded_figures(answer.model_dump())
    picked = assistant.ask("深圳市2025年", history=[{"role": "user", "content": answer.question}])
    assert picked.status == "answered" and picked.answer.startswith("45个")


def test_a_report_the_ranker_is_not_sure_of_still_makes_it_ask_back(assistant):
    # the 2024 report's 67万次 is only a "not sure" candidate, yet picking 2025's 430万次 would be a guess. Its
    # probability (0.40-0.51 across the ranker's training runs) sits at the default floor (0.45), so the floor is set
    # here: this tests the mechanism, not where the calibration puts this one question.
    text = "“深小i”上线以来累计提供了多少次咨询解答服务？"
    settings = assistant.settings
    try:
        assistant.settings = settings.model_copy(update={"clarify_floor": 0.35})
        answer = assistant.ask(text)
        assert answer.status == "clarify" and {"000": "超67万次", "002": "超430万次"}.items() <= rows_of(answer).items()
        assistant.settings = settings.model_copy(update={"clarify_floor": 1.0})  # only sure answers ask back
        assert assistant.ask(text).status == "answered"
    finally:
        assistant.settings = settings


def test_one_report_standing_out_is_answered_not_asked_back(assistant):
    answer = assistant.ask("“i深圳”的注册用户有多少？")
    assert answer.status == "answered" and answer.answer.startswith("超2100万")  # the qualifier as written


def test_not_found_says_what_is_covered_and_lists_related_passages(assistant):
    answer = assistant.ask("How many one-matter items did Shenzhen launch in 2023?")
    assert answer.status == "not_found" and not answer.citations
    assert "There is no 2023 report for Shenzhen" in answer.answer and "Shenzhen: 2024, 2025" in answer.answer
    assert answer.related and answer.related[0].report_id in {"000", "002"}  # Shenzhen's own, closest first
    elsewhere = assistant.ask("北京市12345热线满意度是多少？")
    assert elsewhere.status == "not_found" and "北京" in elsewhere.answer


def test_a_comparison_asking_two_figures_gives_both_in_each_row(assistant):
    settings = assistant.settings
    try:  # how the table holds two figures per row, at a threshold where the ranker states them
        assistant.settings = settings.model_copy(update={"answer_threshold": 0.5})
        answer = assistant.ask("深圳市2024年和2025年“一件事”分别平均减少了多少份申请材料、压减比例是多少？")
    finally:
        assistant.settings = settings
    assert answer.status == "answered"
    assert rows_of(answer) == {"000": "12份；60%", "002": "12份；56%"}
    assert "Highest" not in answer.answer and "最多" not in answer.answer  # no single figure to rank rows by


def test_asking_back_offers_a_few_choices_a_bureau_first_then_its_years(assistant):
    """At hundreds of reports a question naming nothing may fit many: never a list of hundreds. Here with room for
    two choices: one per bureau (a bureau with several reports is picked first), and a line saying there are more."""
    settings = assistant.settings
    question = "上线了多少个“高效办成一件事”？"
    try:
        assistant.settings = settings.model_copy(update={"clarify_choices": 2})
        answer = assistant.ask(question)
        assert answer.status == "clarify" and len(answer.rows) == 2 and len(answer.citations) == 2
        assert len({r.bureau for r in answer.rows}) == 2 and "还有其他报告" in answer.answer
        assert not ungrounded_figures(answer.model_dump())
        shenzhen = [r.followup for r in answer.rows if r.bureau.startswith("深圳市政务")]
        assert shenzhen == ["深圳市"]  # two Shenzhen reports fit: the bureau is picked, then the year
        picked = assistant.ask("深圳市", history=[{"role": "user", "content": question}])
        assert picked.status == "clarify" and {r.followup for r in picked.rows} == {"深圳市2024年", "深圳市2025年"}
    finally:
        assistant.settings = settings
    full = assistant.ask(question)
    assert full.status == "clarify" and len(full.rows) >= 3 and "还有其他报告" not in full.answer


def test_a_comparison_naming_a_year_no_report_covers_says_so(assistant):
    """"2025年和2030年分别…": answered for 2025, with a note that there is no 2030 report (not a silent 2025 answer);
    "9999年" is such a year too, never dropped."""
    answer = assistant.ask("深圳市2025年和2030年分别上线了多少个“高效办成一件事”？")
    assert answer.status == "answered" and "45个" in answer.answer and "没有深圳市2030年的报告。" in answer.notes
    english = assistant.ask("How many one-matter items did Shenzhen launch in 2025 and in 2030?")
    assert "There is no 2030 report for Shenzhen." in english.notes
    # bureaus and years named in pairs: each year has a report of one of them, so none is missing
    paired = assistant.ask("Compare the video feeds pooled by Longhua in 2022 and Zhongshan in 2024")
    assert not any("There is no" in note for note in paired.notes)
    far = assistant.ask("深圳市9999年上线了多少个“高效办成一件事”？")
    assert far.status == "not_found" and "没有深圳市9999年的报告" in far.answer


def test_a_row_is_not_read_off_a_parallel_statement_that_lacks_the_word_asked(assistant):
    # "减少办理环节7个,压减比例64%；减少跑动4次,压减比例80%；…": the ranker prefers 64% (the first of the list), whose
    # statement never says 跑动; the twin that does makes the row "not sure" rather than a wrong 64%
    answer = assistant.ask("深圳市“高效办成一件事”平均压减跑动次数的比例，2024年和2025年哪一年更高？")
    assert rows_of(answer).get("000") != "64%" and "（64%）" not in answer.answer


def test_a_report_naming_what_is_counted_is_not_said_silent_for_a_head_its_unit_says(assistant):
    # 次数 is said by "2734次": the 2025 report's "累计开展明察暗访2734次" names what "明察暗访次数" counts
    answer = assistant.ask("龙华区政数局对政务服务大厅的明察暗访次数，2022年和2025年各是多少？")
    assert "报告未提及" not in answer.answer and "2734次" in answer.answer
