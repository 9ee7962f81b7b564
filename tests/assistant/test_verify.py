"""The grounding check every answer passes: figures as written (with 万/亿/%) must be in a cited span."""
from assistant.verify import check_figures, drop_unsupported, ungrounded_figures

SPANS = ["2024年1月至12月,市12345热线服务总量267.3万件次,转派工单 43.9万张,群众对12345热线满意度99.63%。"]


def test_figures_as_written_in_the_span_pass():
    check = check_figures("服务总量267.3万件次[1]，满意度99.63％[1]。", SPANS, set())
    assert check.ok and check.figures == ["267.3万", "99.63％"]


def test_changed_multiplier_rounding_or_unit_fails():
    for text in ("服务总量267.3亿件次[1]", "满意度99.6%[1]", "服务总量2673000件次[1]", "共145张[1]"):
        assert not check_figures(text, SPANS, set()).ok, text


def test_cited_report_year_is_grounded_by_metadata_only():
    assert check_figures("据中山市2024年度报告[1]", ["无年份的句子"], {2024}).ok
    assert check_figures("据中山市2023年度报告[1]", ["无年份的句子"], {2024}).unsupported == ["2023"]


def test_markers_must_name_a_citation():
    check = check_figures("满意度99.63%[1]，另见[3]。", SPANS, set())
    assert check.bad_markers == ["[3]"] and not check.ok


def test_unsupported_sentences_are_dropped_and_decimals_keep_their_sentence():
    text = "满意度99.63%[1]。工单共50万张[1]。 Total 267.3万 [1]."
    check = check_figures(text, SPANS, set())
    assert drop_unsupported(text, check) == "满意度99.63%[1]。 Total 267.3万 [1]."


def test_answer_dicts_check_rows_years_too():
    answer = {"answer": "| 中山市2024年度报告 | 99.63% [1] |", "citations": [{"text": SPANS[0], "year": 2024}],
              "rows": [{"year": 2024}]}
    assert ungrounded_figures(answer) == []


def test_english_notation_is_checked_by_value():
    """"2.673 million" and "439,000" are how an English answer reads 267.3万 and 43.9万: checked by their value; a
    figure that is off is not, and a plain digit string is still checked as written."""
    check = check_figures("267.3万件次 (2.673 million) [1]; 43.9万张 (439,000) [1].", SPANS, set())
    assert check.ok and "2.673 million" in check.figures and "439,000" in check.figures
    for text in ("2.67 million [1]", "2.673 billion [1]", "440,000 [1]", "2673000 [1]"):
        assert not check_figures(text, SPANS, set()).ok, text
    text = "Total 2.7 million [1]. Satisfaction 99.63% [1]."
    assert drop_unsupported(text, check_figures(text, SPANS, set())) == "Satisfaction 99.63% [1]."
