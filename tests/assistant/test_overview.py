"""Open questions: a lead and distinct, short, cited points from the reports in scope; not found off-topic."""
from assistant.overview import _similar, is_heading, trimmed
from assistant.rerank import Candidate
from assistant.verify import ungrounded_figures
from index.load import load_reports
from tests.conftest import CORPUS

TEXTS = {r.meta.id: r.text for r in load_reports(CORPUS / "manifest.toml")}
METAS = {r.meta.id: r.meta for r in load_reports(CORPUS / "manifest.toml")}


def check_points(answer, settings, reports):
    assert answer.status == "answered" and len(answer.citations) >= 2
    for c in answer.citations:
        assert c.report_id in reports and TEXTS[c.report_id][c.start:c.end] == c.text  # verbatim, offsets exact
        assert len(c.text) <= settings.point_chars and not is_heading(c.text)
        assert f"“{c.text}”" in answer.answer
    assert not any(_similar(a.text, b.text) for i, a in enumerate(answer.citations) for b in answer.citations[i + 1:])


def test_a_summary_is_cited_points_of_the_named_report(assistant, settings):
    answer = assistant.ask("概括一下龙华区2025年在人工智能方面的工作")
    assert answer.kind == "summary" and answer.answer.startswith("据深圳市龙华区")
    check_points(answer, settings, {"004"})
    assert any("人工智能" in c.text for c in answer.citations)


def test_what_is_leads_with_the_defining_sentence_in_english(assistant, settings):
    answer = assistant.ask("What is 深小i?")
    assert answer.kind == "definition" and answer.lang == "en"
    assert answer.answer.startswith("深小i, as ")  # an English lead naming the program
    check_points(answer, settings, {"000", "002"})
    assert "深小i" in answer.citations[0].text


def test_an_english_summary_finds_the_topic_by_the_words_the_reports_write(assistant, settings):
    answer = assistant.ask("Summarize what Longhua did on AI in 2025")  # "AI" as the reports write it
    check_points(answer, settings, {"004"})
    assert answer.answer.startswith("What the Longhua District")


def test_a_topic_no_report_speaks_of_is_not_found(assistant):
    assert assistant.ask("龙华区2025年在航天探索方面做了哪些工作？").status == "not_found"


def test_a_long_sentence_is_cut_to_its_relevant_clauses_with_exact_offsets():
    text = TEXTS["003"]
    start = text.index("2024年1月至12月,市12345热线服务总量")
    end = text.index("。", start) + 1
    sentence = Candidate(text=text[start:end], start=start, end=end, meta=METAS["003"], section="", chunk_id="x", score=1.0)
    cut = trimmed(sentence, ["满意度"], 30)
    assert len(cut.text) <= 30 and "满意度" in cut.text and text[cut.start:cut.end] == cut.text


def test_headings_are_not_points():
    assert is_heading("二是深化人工智能场景应用。") and is_heading("三是持续发挥12345热线化解矛盾和辅助决策的作用。")
    assert not is_heading("三是积极推动“AI+政务服务”,上线全国首个面向公众的实用型AI政务助手“深小i”。")


def test_a_yes_no_question_gets_yes_only_when_the_statement_affirms_it_and_no_when_it_plainly_denies_it(assistant):
    """"是否发生了行政诉讼案件" is answered by "未发生行政诉讼案件": never under a "Yes"; it says no, since the negated clause
    names what was asked. A negated clause about something else ("未发生行政诉讼案件" for 行政复议) is no "No" and takes
    back no "Yes", and a statement that only names the thing ("搭建…行政复议等专题") is no "Yes" to whether it happened."""
    denied = assistant.ask("深圳市2025年是否发生了行政诉讼案件？")
    assert denied.status == "answered" and denied.answer.startswith("没有。") and "未发生行政诉讼案件" in denied.citations[0].text
    assert assistant.ask("深圳市政数局2025年有没有收到司法建议书？").answer.startswith("没有。")
    english = assistant.ask("Did Shenzhen have any administrative litigation cases in 2025?")
    assert english.answer.startswith("No: ") and "未发生行政诉讼案件" in english.citations[0].text
    # "lawsuits" (行政诉讼) is what "未发生行政诉讼案件" negates, although the question's other words ("against" -> 针对,
    # 防范 …) are not in that clause; and "开展政务公开、行政复议、行政诉讼等工作" lists a field of work, no yes
    for question in ("Were there any lawsuits against the Shenzhen bureau in 2025?",
                     "Did the Shenzhen bureau face any administrative lawsuits in 2025?"):
        english = assistant.ask(question)
        assert english.answer.startswith("No: ") and "未发生行政诉讼案件" in english.citations[0].text, question
    # "行政复议案件1例,…,未发生行政诉讼案件": it counts the cases asked, and the negated clause is about another kind
    for question in ("深圳市政数局2025年是否发生行政复议案件？", "深圳市政数局2025年有没有行政复议案件？"):
        assert assistant.ask(question).answer.startswith("是的"), question
    assert assistant.ask("Did Shenzhen have any administrative reconsideration cases in 2025?").answer.startswith("Yes")
    # Longhua's report only names a 行政复议 topic page ("搭建…行政复议等专题"): no case is attested, so no yes
    for question in ("龙华区2025年是否发生行政复议？", "龙华区2025年有没有行政复议案件？"):
        answer = assistant.ask(question).answer
        assert not answer.startswith(("没有", "是的")) and "未直接给出肯定的表述" in answer, question
    english = assistant.ask("Did Longhua have any administrative reconsideration cases in 2025?")
    assert english.answer.startswith("The ") and "does not say yes outright" in english.answer
    # the glossary's words for "AI scenarios" (AI场景), in any case: "累计支撑61家单位90个AI场景建设" counts them
    assert assistant.ask("Did Shenzhen support any AI scenarios in 2025?").answer.startswith("Yes")
    affirmed = assistant.ask("深圳市是否推出了“深小i”？")
    assert affirmed.answer.startswith("是的") and "深小i" in affirmed.citations[0].text
    # a question about the negated phrase itself ("未戴头盔") is affirmed by it
    assert assistant.ask("龙华区是否识别电动自行车未戴头盔的行为？").answer.startswith("是的")


def test_an_open_question_over_two_named_reports_gives_each_its_points(assistant, settings):
    """"对比…2022年和2025年…分别采取了哪些措施": an overview report by report (by year), not a one-cell table."""
    answer = assistant.ask("对比龙华区2022年和2025年的报告，两年分别采取了哪些措施推进政务服务“跨域通办”？")
    check_points(answer, settings, {"001", "004"})
    cited = [c.report_id for c in answer.citations]
    assert cited.count("001") >= 2 and cited.count("004") >= 2 and cited == sorted(cited)  # 2022 first
    assert answer.answer.index("2022") < answer.answer.index("2025") and not answer.rows


def test_a_yes_no_question_over_two_reports_says_yes_only_when_both_affirm(assistant, settings):
    answer = assistant.ask("深圳市政务服务和数据管理局在2024年和2025年的报告中，是否都提到推动《深圳市公共数据开放管理办法》出台？")
    check_points(answer, settings, {"000", "002"})
    assert answer.answer.startswith("是的") and {c.report_id for c in answer.citations} == {"000", "002"}
    firsts = [next(c for c in answer.citations if c.report_id == rid) for rid in ("000", "002")]
    assert all("公共数据开放管理办法" in c.text for c in firsts)  # each report's own most relevant statement


def test_a_comparison_that_names_no_open_form_stays_a_table_of_figures(assistant):
    answer = assistant.ask("Compare the one-matter services launched by Shenzhen and Zhongshan in 2024.")
    assert answer.rows and {r.report_id for r in answer.rows} == {"000", "003"}


def test_sentences_under_a_heading_of_the_topic_are_points_of_it(assistant, settings):
    """The 2022 report's "1.聚焦“放管服”改革…" section lists its measures without repeating the word 放管服."""
    answer = assistant.ask("龙华区政务服务数据管理局2022年在“放管服”改革中推出了哪些具体举措？")
    check_points(answer, settings, {"001"})
    assert sum("放管服" not in c.text for c in answer.citations) >= 2


def test_a_polite_request_is_not_a_yes_no_question(assistant):
    assert assistant.parse("Can you summarize how Zhongshan used its 12345 hotline in 2024?").kind == "summary"
    assert assistant.parse("Can Zhongshan residents use the 12345 hotline?").kind == "yesno"


def test_an_open_question_with_no_topic_is_not_found(assistant):
    for text in ("概括一下", "What did they do?"):
        assert assistant.ask(text).status == "not_found"


def test_a_yes_no_question_stating_a_false_figure_or_a_negated_premise_gets_no_yes(assistant):
    """The report says 45: "上线了999个…对吗？", "超过1000个了吗", "没有上线…，对吗？" and "Did Shenzhen launch 999 …?" are
    answered with the statements, never under a "Yes"; the true figure is still affirmed."""
    for question in ("深圳市2025年上线了999个“高效办成一件事”对吗？", "深圳市2025年上线的“高效办成一件事”超过1000个了吗？",
                     "深圳市2025年没有上线“高效办成一件事”，对吗？"):
        answer = assistant.ask(question)
        assert answer.kind == "yesno" and not answer.answer.startswith("是的"), question
        assert "未直接给出肯定的表述" in answer.answer and "上线45个" in answer.citations[0].text
    english = assistant.ask("Did Shenzhen launch 999 'high-efficiency one thing' items in 2025?")
    assert english.kind == "yesno" and not english.answer.startswith("Yes") and "does not say yes outright" in english.answer
    assert assistant.ask("深圳市2025年上线了45个“高效办成一件事”对吗？").answer.startswith("是的")


def test_a_whole_report_summary_is_the_report_in_outline(assistant):
    """"Summarize Longhua District's 2025 report" names no topic inside it: one central statement of each main section,
    in the report's order, spread over all of it (Shenzhen 2024 has 3 top-level sections: its subsections are the
    main ones, and the last of them is reached); a summary of a topic in the report stays a topical answer."""
    english = assistant.ask("Summarize Longhua District's 2025 report")
    starts = [c.start for c in english.citations]
    assert english.status == "answered" and "in outline" in english.answer and len(starts) >= 4
    assert {c.report_id for c in english.citations} == {"004"} and starts == sorted(starts)
    assert not any(is_heading(c.text) for c in english.citations) and not ungrounded_figures(english.model_dump())
    chinese = assistant.ask("深圳市2024年报告主要讲了什么？")
    last_section = max(start for depth, start, _ in assistant.contents["000"] if depth == 1)
    assert "概要" in chinese.answer and chinese.citations[-1].start >= last_section
    topical = assistant.ask("Summarize what Longhua did on AI in 2025")
    assert "in outline" not in topical.answer and all("AI" in c.text for c in topical.citations)
