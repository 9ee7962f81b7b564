from assistant.figures import contains_number, find_figures, in_english, with_english
from assistant.verify import ungrounded_figures


def test_figures_keep_their_written_form():
    text = "服务总量267.3万件次,转派工单 43.9万张,满意度99.63%,于2025年2月21日上线,代替证明3万余份,金额7.16亿元"
    assert [f.text for f in find_figures(text)] == ["267.3万件次", "43.9万张", "99.63%", "2025年2月21日", "3万余份", "7.16亿元"]
    # "12大核心模块" counts modules by 大; 大于, 大型 are no measure word
    assert [f.text for f in find_figures("等12大核心模块100余项应用场景,3大型项目,10大于5")] == ["12大", "100余项", "3", "10", "5"]


def test_whole_numbers_only():
    assert contains_number("上线45个", "45")
    assert not contains_number("上线145个", "45")
    assert not contains_number("4.5亿", "4")
    assert not contains_number("450项", "45")
    assert not contains_number("共1,045项", "045") and contains_number("服务,79项", "79")


def test_ungrounded_figures_found_and_report_year_allowed():
    citation = {"text": "上线45个高频事项", "year": 2025}
    assert ungrounded_figures({"answer": "45个。据2025年度报告：“上线45个高频事项”[1]", "citations": [citation]}) == []
    assert ungrounded_figures({"answer": "46个 [1]", "citations": [citation]}) == ["46"]


def test_the_number_a_figure_starts_with():
    from assistant.figures import number_of

    assert (number_of("1,200项"), number_of("267.3万件次"), number_of("45项")) == ("1200", "267.3", "45")
    assert number_of("超45项") is None  # a figure as written starts with its number; a qualifier stays apart


def test_a_figure_of_another_kind_contradicts_the_unit_asked():
    from assistant.figures import unit_contradicts
    assert unit_contradicts("名", "份") and unit_contradicts("%", "万元") and unit_contradicts("天", "%以上")
    # a measure (money, a share, a duration, a data size) is not answered by a count of anything
    assert unit_contradicts("元", "亿条") and unit_contradicts("%", "个") and unit_contradicts("TB", "亿条")
    assert not unit_contradicts("人", "个") and not unit_contradicts("元", "亿元")
    # counters that count many kinds of things, or nothing asked, contradict nothing
    assert not any(unit_contradicts(a, u) for a, u in [("名", "个"), ("个", "份"), ("人", "万人次"), (None, "份"),
                                                       ("元", "亿元"), ("%", "个百分点"), ("天", "个工作日")])


def test_figures_read_in_english_with_their_multiplier_and_qualifier():
    """万 and 亿 read as thousands, millions and billions; the report's qualifier in words; nothing added where the
    figure reads the same (a count, a percentage) or is a date."""
    assert in_english("超430万次") == "over 4.3 million" and in_english("267.3万件次") == "2.673 million"
    assert in_english("8.1余万路") == "more than 81,000" and in_english("24万余路") == "more than 240,000"
    assert in_english("超23亿元") == "over 2.3 billion yuan" and in_english("7.16亿元") == "716 million yuan"
    assert in_english("95%以上") == "95% or more" and in_english("近3000人次") == "nearly 3,000"
    assert in_english("45项") is None and in_english("99.63%") is None and in_english("2025年2月21日") is None
    assert with_english("12份；超97%", "en") == "12份；超97% (over 97%)" and with_english("超430万次", "zh") == "超430万次"
