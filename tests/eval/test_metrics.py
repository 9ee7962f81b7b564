from eval.metrics import gold_present, judge, percentile, summarize

ITEM = {"type": "figure", "gold": ["45"], "evidence": "上线45个高频", "report_id": "002"}
CITATION = {"n": 1, "report_id": "002", "text": "上线45个高频“高效办成一件事”", "year": 2025}


def test_gold_must_be_a_whole_number():
    assert gold_present("上线45个", "45") and not gold_present("上线145个", "45")
    assert gold_present("于2025年2月21日上线", "2025年2月21日")


def test_judge_counts_the_stated_figure_not_only_the_quote():
    good = judge(ITEM, {"status": "answered", "answer": "45个。据报告：“上线45个高频”[1]", "citations": [CITATION]})
    assert good["correct"] and good["supported"] and good["grounded"] and good["right_report"]
    quoted_only = judge(ITEM, {"status": "answered", "answer": "8个。据报告：“上线45个高频”[1]", "citations": [CITATION]})
    assert not quoted_only["correct"]


def test_unanswerable_is_correct_only_when_refused():
    item = {"type": "unanswerable", "gold": [], "evidence": None, "report_id": None}
    assert judge(item, {"status": "not_found", "answer": "未找到", "citations": []})["correct"]
    assert not judge(item, {"status": "answered", "answer": "45个", "citations": [CITATION]})["correct"]


def test_summary_rates_and_percentiles():
    rows = [{"correct": True, "supported": True, "grounded": True, "right_report": True, "latency_ms": 10.0},
            {"correct": False, "supported": None, "grounded": None, "right_report": None, "latency_ms": 30.0}]
    summary = summarize(rows)
    assert summary["accuracy"] == 0.5 and summary["citation_support"] == 1.0
    assert percentile([1, 2, 3, 4, 100], 0.5) == 3
