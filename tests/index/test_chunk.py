import pytest

from index.chunk import chunk_report, heading_of, split_sentences
from index.clean import content_lines
from index.load import load_reports
from tests.conftest import CORPUS

REPORTS = load_reports(CORPUS / "manifest.toml")


def chunks_of(report, size=160):
    return chunk_report(report.meta.id, report.text, content_lines(report.text, report.meta.title), size)


def test_sentences_end_at_chinese_stops_not_inside_numbers():
    text = "增长5.2%。服务总量267.3万件次;满意度99.63%！还有吗？最后一句"
    pieces = [text[s.start:s.end] for s in split_sentences(text, 0, len(text), 200)]
    assert pieces == ["增长5.2%。", "服务总量267.3万件次;", "满意度99.63%！", "还有吗？", "最后一句"]


def test_long_sentences_are_cut_at_clause_commas_only():
    text = "第一部分内容较长,第二部分有1,000项,第三部分内容同样很长,第四部分结束。"
    pieces = [text[s.start:s.end] for s in split_sentences(text, 0, len(text), 20)]
    assert "".join(pieces) == text
    assert all(not p.startswith("000") for p in pieces)  # never cut inside 1,000


@pytest.mark.parametrize("size", [80, 160, 400])
def test_chunks_are_verbatim_spans_within_size(size):
    for report in REPORTS:
        for chunk in chunks_of(report, size):
            assert report.text[chunk.start:chunk.end] == chunk.text
            assert chunk.end - chunk.start <= size or len(chunk.sentences) == 1


def test_every_figure_sentence_survives_chunking():
    for report in REPORTS:
        joined = "".join(c.text for c in chunks_of(report))
        for figure in ("45个", "267.3万件次", "2025年2月21日", "99.63%", "7.16亿元"):
            if figure in report.text:
                assert figure in joined


def test_section_paths_follow_the_report_outline():
    report = next(r for r in REPORTS if r.meta.id == "000")
    chunk = next(c for c in chunks_of(report) if "上线23个" in c.text)
    assert chunk.section_path[0].startswith("三、持续优化政务服务")
    assert chunk.section_path[1] == "(一)推进“高效办成一件事”改革"
    item = next(c for c in chunks_of(report) if c.text.startswith("二是印发2024年深圳"))
    assert item.section_path[-1].startswith("二是印发2024年深圳")


def test_heading_detection():
    assert heading_of("一、加强组织领导,持续做好政数系统学法用法")[:2] == (1, "一、加强组织领导,持续做好政数系统学法用法")
    assert heading_of("(二)促进政务服务标准化。一是…")[0] == 2
    assert heading_of("1.聚焦“放管服”改革,以成效绘就利企便民同心圆")[0] == 3
    assert heading_of("5.2%的增长") is None
