"""Open questions: a lead and distinct, short, cited points from the reports in scope; not found off-topic."""
from assistant.overview import _similar, is_heading, trimmed
from assistant.rerank import Candidate
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


def test_a_yes_no_question_gets_yes_only_when_the_statement_affirms_it(assistant):
    """"是否发生了行政诉讼案件" is answered by "未发生行政诉讼案件": the statements are quoted, never under a "Yes"."""
    denied = assistant.ask("深圳市2025年是否发生了行政诉讼案件？")
    assert denied.status == "answered" and not denied.answer.startswith("是的") and "未直接给出肯定的表述" in denied.answer
    assert "未发生行政诉讼案件" in denied.citations[0].text
    english = assistant.ask("Did Shenzhen have any administrative litigation cases in 2025?")
    assert "does not say yes outright" in english.answer and not english.answer.startswith("Yes")
    affirmed = assistant.ask("深圳市是否推出了“深小i”？")
    assert affirmed.answer.startswith("是的") and "深小i" in affirmed.citations[0].text
    # a question about the negated phrase itself ("未戴头盔") is affirmed by it
    assert assistant.ask("龙华区是否识别电动自行车未戴头盔的行为？").answer.startswith("是的")
