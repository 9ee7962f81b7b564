from index.clean import content_lines
from index.load import load_reports
from tests.conftest import CORPUS

REPORTS = {r.meta.id: r for r in load_reports(CORPUS / "manifest.toml")}


def test_web_page_boilerplate_is_dropped():
    kept = " ".join(line.text for r in REPORTS.values() for line in content_lines(r.text, r.meta.title))
    for junk in ("【字体", "触碰右侧展开", "您现在的位置", "视力保护色", "信息来源", "文件已失效", "特此报告"):
        assert junk not in kept


def test_spans_point_into_the_stored_text():
    for report in REPORTS.values():
        for line in content_lines(report.text, report.meta.title):
            assert report.text[line.start:line.end] == line.text
            assert line.text == line.text.strip()


def test_report_body_is_kept():
    lines = content_lines(REPORTS["004"].text, REPORTS["004"].meta.title)
    assert lines[0].text.startswith("2025年,龙华区政务服务和数据管理局")
    assert any("4046件" in line.text for line in lines)
