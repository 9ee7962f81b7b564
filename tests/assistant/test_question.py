from assistant.question import Glossary, RegionIndex, parse_question
from index.load import read_manifest
from tests.conftest import CORPUS

GLOSSARY = Glossary.load(CORPUS / "glossary.tsv")
REGIONS = RegionIndex(read_manifest(CORPUS / "manifest.toml"))


def ask(text):
    return parse_question(text, GLOSSARY, REGIONS)


def test_language_kind_and_unit():
    q = ask("深圳市2025年上线了多少个“高效办成一件事”？")
    assert (q.lang, q.kind, q.unit, q.years, q.regions) == ("zh", "figure", "个", [2025], ["深圳市"])
    q = ask("When did Shen Xiao i go live?")
    assert (q.lang, q.kind) == ("en", "date")
    assert ask("What was the hotline satisfaction rate?").unit == "%"
    assert ask("龙华区主导编制了哪项国家标准？").kind == "text"


def test_regions_come_from_the_manifest_most_specific_first():
    assert ask("深圳市龙华区2025年").regions == ["深圳市龙华区"]
    assert ask("龙华区的情况").regions == ["深圳市龙华区"]
    assert ask("How about Longhua?").regions == ["深圳市龙华区"]
    assert ask("How about Shenzhen?").regions == ["深圳市"]
    assert ask("中山市").regions == ["中山市"]
    assert ask("北京市热线").regions == [] and "北京市" in ask("北京市热线").other_places


def test_glossary_expands_english_terms_to_report_chinese():
    q = ask("How many one-matter items did Shenzhen launch?")
    assert "一件事" in q.expansions and "上线" in q.expansions
    assert not ask("上线了多少个一件事").expansions


def test_topic_terms_leave_out_region_and_year():
    q = ask("中山市2024年热线满意度")
    assert "热线" in q.topic_terms and "中山" not in q.topic_terms and "2024" not in q.topic_terms
