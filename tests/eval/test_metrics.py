from eval.metrics import gold_present, holds_evidence, judge, judge_retrieval, percentile, summarize
from eval.plot import plot_groups

ITEM = {"type": "figure", "gold": ["45"], "evidence": "上线45个高频", "report_id": "002"}
CITATION = {"n": 1, "report_id": "002", "text": "上线45个高频“高效办成一件事”", "year": 2025}


def test_gold_must_be_a_whole_number():
    assert gold_present("上线45个", "45") and not gold_present("上线145个", "45")
    assert gold_present("于2025年2月21日上线", "2025年2月21日")


def test_judge_counts_the_stated_figure_not_only_the_quote():
    good = judge(ITEM, {"status": "answered", "answer": "45个。据报告：“上线45个高频”[1]", "citations": [CITATION]})
    assert good["correct"] and good["supported"] and good["grounded"] and good["cited_report"]
    quoted_only = judge(ITEM, {"status": "answered", "answer": "8个。据报告：“上线45个高频”[1]", "citations": [CITATION]})
    assert not quoted_only["correct"]


def test_wrong_answer_rate_counts_confident_answers_without_the_gold_figure():
    wrong = judge(ITEM, {"status": "answered", "answer": "8个。据报告：“上线45个高频”[1]", "citations": [CITATION]})
    unsure = judge(ITEM, {"status": "uncertain", "answer": "不确定：[1] “上线45个高频”", "citations": [CITATION]})
    assert wrong["wrong"] and not unsure["wrong"] and not unsure["correct"] and unsure["uncertain"]
    trap = {"type": "unanswerable", "gold": [], "evidence": None, "report_id": None}
    assert judge(trap, {"status": "answered", "answer": "45个", "citations": [CITATION]})["wrong"]
    assert judge(trap, {"status": "clarify", "answer": "- 45个 [1]", "citations": [CITATION]})["wrong"]
    assert not judge(trap, {"status": "uncertain", "answer": "不确定", "citations": [CITATION]})["wrong"]
    rows = [{"correct": c, "wrong": w, "uncertain": u, "supported": None, "grounded": None, "latency_ms": 1.0,
             "recall@1": None, "recall@5": None, "right_report@1": None, "answerable": True, "refused": False}
            for c, w, u in ((True, False, False), (False, True, False), (False, False, True), (False, False, False))]
    summary = summarize(rows)
    assert summary["accuracy"] == 0.25 and summary["wrong_answer"] == 0.25 and summary["uncertain"] == 0.25


def test_follow_up_figures_count_only_outside_quotes():
    item = {**ITEM, "type": "followup"}
    assert not judge(item, {"status": "answered", "answer": "according to the report: “上线45个高频” [1]", "citations": [CITATION]})["correct"]
    assert judge(item, {"status": "answered", "answer": "45个 — according to: “上线45个高频” [1]", "citations": [CITATION]})["correct"]
    # the "1" of a citation marker is no figure stated: a text answer quoting "行政复议案件1例" does not say 1
    one = {**item, "gold": ["1"], "evidence": "行政复议案件1例"}
    quoted = {"status": "answered", "answer": "据报告，要点如下：\n- “行政复议案件1例”[1]", "citations": [CITATION]}
    assert not judge(one, quoted)["correct"] and judge(one, {**quoted, "answer": "1例。" + quoted["answer"]})["correct"]


def test_unanswerable_is_correct_only_when_refused():
    item = {"type": "unanswerable", "gold": [], "evidence": None, "report_id": None}
    assert judge(item, {"status": "not_found", "answer": "未找到", "citations": []})["correct"]
    assert not judge(item, {"status": "answered", "answer": "45个", "citations": [CITATION]})["correct"]


def test_summary_rates_and_percentiles():
    retrieval = {"recall@1": True, "recall@5": True, "right_report@1": True}
    answerable = {"answerable": True, "refused": False, "uncertain": False, "wrong": False}
    rows = [{"correct": True, "supported": True, "grounded": True, "latency_ms": 10.0, **retrieval, **answerable},
            {"correct": False, "supported": None, "grounded": None, "latency_ms": 30.0, **dict.fromkeys(retrieval), **answerable}]
    summary = summarize(rows)
    assert summary["accuracy"] == 0.5 and summary["citation_support"] == 1.0 and summary["recall@5"] == 1.0
    assert percentile([1, 2, 3, 4, 100], 0.5) == 3


def passage(report_id, start, end):
    return {"report_id": report_id, "start": start, "end": end}


def test_evidence_counts_when_a_passage_of_the_gold_report_covers_half_of_it():
    span = (100, 120)
    assert holds_evidence(passage("002", 90, 200), "002", span)
    assert holds_evidence(passage("002", 110, 300), "002", span)       # half of the span
    assert not holds_evidence(passage("002", 115, 300), "002", span)   # a quarter
    assert not holds_evidence(passage("000", 90, 200), "002", span)    # same place, other report


def test_recall_at_k_and_right_report():
    item = {"type": "figure", "report_id": "002"}
    ranked = [passage("000", 0, 50), passage("002", 95, 125)]
    checks = judge_retrieval(item, ranked, (100, 120))
    assert checks == {"recall@1": False, "recall@5": True, "right_report@1": False}
    assert judge_retrieval({"type": "unanswerable"}, ranked, None)["recall@5"] is None


def test_plot_writes_one_png(tmp_path):
    summaries = {"all": {"n": 2, "recall@1": 0.5, "recall@5": 1.0, "right_report@1": 1.0, "accuracy": 0.5, "citation_support": None}}
    path = plot_groups(summaries, tmp_path / "plot.png", title="test")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


ROWS_ITEM = {"type": "comparison", "rows": [{"report_id": "000", "gold": ["23"], "evidence": "上线23个"},
                                            {"report_id": "002", "gold": ["45"], "evidence": "上线45个"}],
             "not_stated": ["003"]}


def table_answer(status, figures):
    citations = [{"n": 1, "report_id": "000", "text": "上线23个“一件事”", "year": 2024},
                 {"n": 2, "report_id": "002", "text": "上线45个“一件事”", "year": 2025}]
    rows = [{"report_id": rid, "figure": fig, "year": 2024} for rid, fig in figures.items()]
    return {"status": status, "answer": "| a | 23个 [1] |\n| b | 45个 [2] |", "citations": citations, "rows": rows}


def test_comparison_rows_must_hold_each_reports_figure_and_silence():
    good = judge(ROWS_ITEM, table_answer("answered", {"000": "23个", "002": "45个", "003": None}))
    assert good["correct"] and good["supported"] and good["grounded"] and good["cited_report"]
    swapped = judge(ROWS_ITEM, table_answer("answered", {"000": "45个", "002": "23个", "003": None}))
    assert not swapped["correct"]
    invented = judge(ROWS_ITEM, table_answer("answered", {"000": "23个", "002": "45个", "003": "9件"}))
    assert not invented["correct"]
    # a report that does not state it may also be left out of the table: no figure is claimed for it
    assert judge(ROWS_ITEM, table_answer("answered", {"000": "23个", "002": "45个"}))["correct"]
    assert not judge(ROWS_ITEM, table_answer("answered", {"000": "23个"}))["correct"]


def test_ambiguous_needs_clarify_and_refusals_are_counted_apart():
    item = dict(ROWS_ITEM, type="ambiguous", not_stated=[])
    assert judge(item, table_answer("clarify", {"000": "23个", "002": "45个"}))["correct"]
    assert not judge(item, table_answer("answered", {"000": "23个", "002": "45个"}))["correct"]
    unanswerable = {"type": "unanswerable"}
    rows = [judge(unanswerable, {"status": "not_found"}), judge(unanswerable, {"status": "answered", "answer": "", "citations": []}),
            judge(ITEM, {"status": "not_found", "answer": "未找到", "citations": []})]
    summary = summarize([r | {"latency_ms": 1.0, "recall@1": None, "recall@5": None, "right_report@1": None} for r in rows])
    assert summary["refusal"] == 0.5 and summary["false_refusal"] == 1.0


def test_open_question_needs_enough_key_spans_from_its_reports():
    item = {"type": "open", "reports": ["002"], "min_cited": 2,
            "key_spans": ["上线45个高频", "推出“深小i”", "政务数据开放"]}
    one = {"n": 1, "report_id": "002", "text": "上线45个高频“高效办成一件事”", "year": 2025}
    two = {"n": 2, "report_id": "002", "text": "推出“深小i”", "year": 2025}  # a citation that is a clause of a key span counts
    elsewhere = {"n": 3, "report_id": "000", "text": "政务数据开放平台", "year": 2024}
    assert judge(item, {"status": "answered", "answer": "…", "citations": [one, two]})["correct"]
    assert not judge(item, {"status": "answered", "answer": "…", "citations": [one]})["correct"]
    off = judge(item, {"status": "answered", "answer": "…", "citations": [one, two, elsewhere]})
    assert off["wrong"] and not off["correct"]
    assert judge(item, {"status": "not_found", "answer": "…", "citations": []})["refused"]
