"""Question understanding: language, kind, unit, scope (region / level / year), focus, glossary, places."""
import pytest

from assistant.glossary import Glossary, GlossaryError, missing_terms
from assistant.places import RegionIndex
from assistant.question import QuestionError, clean_text, detect_years, parse_question, validate_history, validate_question
from index.load import load_reports, read_manifest
from tests.conftest import CORPUS

GLOSSARY = Glossary.load(CORPUS / "glossary.tsv")
REGIONS = RegionIndex(read_manifest(CORPUS / "manifest.toml"), GLOSSARY.english_words(), GLOSSARY.domain_terms())
TEXTS = [r.text for r in load_reports(CORPUS / "manifest.toml")]


def ask(text):
    return parse_question(text, GLOSSARY, REGIONS)


def test_language_kind_and_unit():
    q = ask("深圳市2025年上线了多少个“高效办成一件事”？")
    assert (q.lang, q.kind, q.unit, q.years, q.regions) == ("zh", "figure", "个", [2025], ["深圳市"])
    q = ask("When did Shen Xiao i go live?")
    assert (q.lang, q.kind) == ("en", "date")
    assert ask("What was the hotline satisfaction rate?").unit == "%"
    assert ask("中山市12345热线的群众满意度是多少？").unit == "%"
    assert ask("中山市政务服务和数据管理局的部门预算是多少亿元？").unit == "元"
    q = ask("龙华区的应用场景分为几大核心模块？")
    assert (q.unit, q.counts, q.focus_head[-1:]) == ("大", True, ["模块"])
    assert ask("龙华区有多少大型企业？").unit is None  # 大型 is no measure word
    # an amount, people, a data size: what the question asks for, not every word of its kind it holds
    assert ask("How much did Shenzhen Credit Reference pay for its authorised use of public data?").unit == "元"
    assert ask("What is the total transaction value of the data products listed on the exchange?").unit == "元"
    assert ask("How many subsidies were paid out automatically with no application needed?").unit != "元"
    # a sum traded or paid out is money, however it is asked
    assert ask("What was the total trading turnover of the Shenzhen Data Exchange in 2025?").unit == "元"
    assert ask("What total amount of subsidies was paid out through Shenzhen's no-application policies?").unit == "元"
    assert ask("深圳数据交易所2025年的交易额是多少？").unit == "元"
    assert ask("龙华区试点学校一共有多少所？").unit == "所"  # 所 counts schools (and 座, 户, 套 their own things)
    assert ask("How many lawyers did Zhongshan engage for the compliance review?").unit == "人"
    assert ask("How many documents did the engaged lawyers review for compliance in Zhongshan?").unit != "人"
    # the unit is the counted noun's: people who use the services, or days a time limit was cut by, are not counted
    assert ask("At the Qianhai kiosks, how many Hong Kong government services can people in Shenzhen use?").unit is None
    assert ask("How many approval items had their time limits cut by several days in 2025?").unit is None
    assert ask("How many times did Zhongshan's leaders issue instructions?").unit == "次"
    assert ask("How many people took the online law exam?").unit == "人"
    assert ask("How many terabytes of data does Shenzhen's open-data platform hold?").unit == "TB"
    assert ask("How fast can a company be set up in Zhongshan?").unit == "天"
    # a month is a period of its own: the running total since launch does not answer it
    assert ask("How many consultations did Shen Xiao i handle in April 2025?").period
    assert not ask("Leaving the cumulative total aside, how many e-licence calls did Longhua log in 2022?").cumulative
    assert ask("龙华区主导编制了哪项国家标准？").kind == "text"
    # a quantity asked by its noun is a figure question, not a passage to quote
    assert ask("What was the annual budget of Shenzhen's data bureau in 2025?").wants == "figure"
    assert ask("What was the average waiting time at Longhua's service halls?").wants == "figure"
    assert ask("龙华区政务大厅平均等候时间多长？").wants == "figure"
    assert ask("What is Shen Xiao i?").wants == "text"
    # a surface: "what area does … cover", 面积; "what areas did … focus on" stays an open question
    assert ask("What area does Longhua's digital twin base cover, according to its 2025 report?").wants == "figure"
    assert ask("龙华区数字孪生底座的覆盖面积？").wants == "figure"
    assert ask("What areas did Shenzhen focus on in 2025?").wants == "text"
    # a quantity asked by what it is, not by "how many": rates, volumes, the fastest time, money, a change
    assert ask("What pass rates on the law exam do the Shenzhen and Longhua reports cite?").wants == "figure"
    assert ask("What was the 2025 business volume of Longhua's 'birth one-thing' service?").wants == "figure"
    assert ask("What is the fastest time for completing business start-up procedures in Zhongshan?").wants == "figure"
    assert ask("Compare the money paid out through Longhua's subsidy scheme in 2022 and 2025.").wants == "figure"
    assert ask("How did Longhua's cumulative electronic licence usage change between 2022 and 2025?").wants == "figure"
    assert ask("龙华区政数局搭建的智能应用场景一共分成了几大核心模块?").wants == "figure"
    assert ask("How did Longhua make its services easier to use?").wants == "text"


def test_a_quoted_name_neither_sets_the_language_nor_stays_in_the_subject():
    """"What is “秒批”?" is an English question about 秒批; a Chinese question quoting an English name stays Chinese."""
    q = ask("What is “秒批”?")
    assert (q.lang, q.kind, q.subject) == ("en", "definition", "秒批")
    q = ask('What is the "i深圳" app?')
    assert (q.lang, q.kind, q.subject) == ("en", "definition", "i深圳")
    assert ask("“AI+政务服务”是什么？").lang == "zh"
    assert ask("“秒批”").lang == "zh"  # nothing but the quote: its own language


@pytest.mark.parametrize("text, kind", [
    ("比较深圳市2024年和2025年上线的一件事数量", "comparison"),
    ("Which year had more one-matter items, 2024 or 2025?", "comparison"),
    ("深圳和中山分别上线了多少个一件事？", "comparison"),
    ("中山市是否出台了接诉即办政府规章？", "yesno"),
    ("Did Zhongshan issue an electronic seal regulation?", "yesno"),
    ("龙华区有哪些数据产品？", "list"),
    ("What is 深小i?", "definition"),
    ("什么是“秒报秒批”？", "definition"),
    ("概括一下龙华区2025年的工作", "summary"),
    ("What measures did Shenzhen take in 2024?", "summary"),
    ("What are the main problems Shenzhen identified in 2024?", "list"),
    ("When was the data regulation issued?", "date"),
])
def test_kinds_of_question(text, kind):
    assert ask(text).kind == kind


def test_years_in_digits_and_chinese_numerals_relative_years_name_none():
    assert ask("二〇二四年中山市热线满意度").years == [2024]
    assert ask("How many in 2025?").years == [2025]
    for text in ("去年深圳上线了多少个一件事？", "How many did Shenzhen launch last year?"):
        q = ask(text)
        assert q.years == [] and q.relative_year


def test_regions_come_from_the_manifest_most_specific_first():
    assert ask("深圳市龙华区2025年").regions == ["深圳市龙华区"]
    assert ask("龙华区的情况").regions == ["深圳市龙华区"]
    assert ask("How about Longhua?").regions == ["深圳市龙华区"]
    assert ask("How about Shenzhen?").regions == ["深圳市"]
    assert ask("中山市").regions == ["中山市"]


def test_a_district_is_named_by_its_own_name_and_its_city_alone_is_another_bureau():
    metas = read_manifest(CORPUS / "manifest.toml")
    liunan = metas[1].model_copy(update={"id": "s1", "region": "柳州市柳南区", "region_en": "Liunan District, Liuzhou"})
    regions = RegionIndex([*metas, liunan], GLOSSARY.english_words(), GLOSSARY.domain_terms())
    district = lambda text: parse_question(text, GLOSSARY, regions)  # noqa: E731
    # no report of 柳州市 itself: the district is still known as 柳南区, 柳南 and Liunan
    for text in ("柳南区率先推出了多少项“免申即享”服务？", "柳南2023年", "How many items did Liunan add?"):
        assert district(text).regions == ["柳州市柳南区"], text
    # "柳州市" names the city's own bureau, which no report covers (as 深圳市 is not 深圳市龙华区)
    q = district("柳州市2023年清理了多少个数据接口？")
    assert q.regions == [] and "柳州市" in q.other_places
    # the word-level test behind it (asked for every word of every question, so answered from indexed names)
    assert all(regions.is_known(w) for w in ("柳南", "柳南区", "柳州市柳南区", "龙华区政务", "深圳市", "liunan", "Longhua"))
    assert not any(regions.is_known(w) for w in ("柳州市", "北京", "longhu", "事项", "服务"))


def test_places_jieba_does_not_tag_as_places_are_found_by_the_gazetteer():
    """CC-CEDICT's city, district and county names (Dictionary.places): jieba tags 铁岭市 as a noun and 龙文区 as a
    person's name, so without them a question about either was read as naming no place, and answered from others."""
    metas = read_manifest(CORPUS / "manifest.toml")
    regions = RegionIndex(metas, GLOSSARY.english_words(), GLOSSARY.domain_terms(),
                          frozenset({"铁岭市", "龙文区", "深圳市", "龙华区", "中山市", "福田区"}))
    place = lambda text: parse_question(text, GLOSSARY, regions)  # noqa: E731
    assert place("铁岭市视频“一张网”接入了多少路公共视频？").other_places == ["铁岭市"]
    assert place("龙文区“龙·眼”AI引擎各场景产生的识别事件总量是多少？").other_places == ["龙文区"]
    covered = place("深圳市龙华区2025年新增了多少个跨域通办合作地区？")
    assert covered.other_places == [] and covered.regions == ["深圳市龙华区"]
    assert place("中山市和福田区的热线满意度？").other_places == ["福田区"]


def test_a_chinese_yes_no_about_whether_a_thing_happened_names_the_thing_its_head_and_verb(assistant):
    q = assistant.parse("2025年深圳市政数局是否发生了行政诉讼案件？")
    assert (q.exists, q.exists_thing, q.exists_verb) == (["案件"], ["行政诉讼案件"], "发生")  # not "了行政诉讼案件"
    q = assistant.parse("深圳市政数局2025年是否发生行政复议案件？")
    assert (q.exists, q.exists_thing, q.exists_verb) == (["案件"], ["行政复议案件"], "发生")
    assert assistant.parse("深圳市2025年上线了多少个一件事？").exists == []


def test_an_english_yes_no_about_any_thing_names_the_thing_s_head_in_the_reports_words(assistant):
    """The head noun of "any X" (the dictionary's senses of its last word, or the glossary's words for a phrase ending
    it): what a statement must name to answer yes (overview.affirms)."""
    assert {"案件"} <= set(assistant.parse("Did Shenzhen have any administrative reconsideration cases in 2025?").exists)
    assert "规范性文件" in assistant.parse("Did Longhua publish any normative documents in 2025?").exists
    assert "行政诉讼" in assistant.parse("Were there any lawsuits against the Shenzhen bureau in 2025?").exists
    assert assistant.parse("How many cases did Shenzhen handle in 2025?").exists == []  # not a yes/no question


def test_bureau_level():
    assert ask("区级政务服务数据管理局新增了多少个合作地区？").level == "district"
    assert ask("What did the district bureau launch?").level == "district"
    assert ask("What did the municipal bureau launch?").level == "city"
    assert ask("深圳上线了多少个一件事？").level is None
    # a sub-district (街道) names no bureau level: Zhongshan's towns and sub-districts are still the city bureau's
    assert ask("How many powers did Zhongshan hand down to towns and sub-districts in 2024?").level is None
    assert ask("How many powers did Zhongshan hand down to its towns and subdistricts?").level is None


def test_places_no_report_covers_in_chinese_and_english():
    assert "北京市" in ask("北京市热线").other_places
    assert ask("What was the satisfaction rate of Dongguan's 12345 hotline?").other_places == ["Dongguan"]
    assert "广州" in ask("How many one-matter items did Guangzhou launch?").other_places
    # domain words jieba tags as places, report places named in passing, and covered regions are not "other"
    assert ask("中山市12345热线满意度是多少？").other_places == []
    assert ask("How many Data Management Bureau items did Shenzhen launch?").other_places == []


def test_english_place_names_match_as_whole_words():
    # Longhu is not Longhua, Hongshan is not Zhongshan: a place no report covers, not a covered region
    for text, place in [("How many partner regions did Longhu District add in 2025?", "Longhu"),
                        ("What was the hotline satisfaction rate in Hongshan in 2024?", "Hongshan")]:
        q = ask(text)
        assert q.regions == [] and q.other_places == [place]
    assert ask("What did Longhua's bureau add in 2025?").regions == ["深圳市龙华区"]
    assert ask("Zhongshan-based hotline satisfaction?").regions == ["中山市"]


def test_focus_is_what_the_question_counts():
    q = ask("龙华区2025年新增了多少个“跨域通办”合作地区？")
    assert "合作" in q.focus and q.focus_head == ["地区"]
    q = ask("How many key 'one matter' items did the Longhua district bureau integrate online in 2025?")
    # a generic head ("items") names what is counted together with the word before it
    assert q.focus_head == ["一件事", "高效办成一件事", "政务服务事项", "事项"] and "一件事" in q.focus
    assert "事项" not in q.terms  # but is left out of the search terms, where it would favour any items
    assert ask("中山市政府数据开放平台开放了多少个数据集？").focus_head == ["数据集"]  # jieba splits 数据集
    assert ask("2024年中山市12345热线服务总量是多少？").focus_head == ["总量"]
    # the head is the noun before the verb: what the meetings question counts is 座谈会, not the measure word 场
    assert ask("深圳市2025年“五个一”系列座谈会一共开了多少场？").focus_head == ["座谈会"]
    # a quoted name before the verb names what is counted; "一共多少" leaves no 一 on the phrase; 清单 is tagged "a"
    assert ask("2025年龙华区“出生一件事”一共办了多少件？").focus_head == ["一件事"]
    assert ask("2024年深圳全市线下的政务服务中心一共多少个？").focus_head == ["服务中心"]
    assert ask("龙华区2022年率先发布的告知承诺制清单包含多少项？").focus_head == ["清单"]
    assert ask("How many civil servants work there?").counts and not ask("What is the pass rate?").counts
    # after 几个 / 多少个, a noun before 的 is what is counted: what follows is said of it
    assert ask("中山“一照通行”改革一共让几个部门的事项实现了证照联动办理？").focus_head == ["部门"]
    assert "证照" in ask("中山“一照通行”改革一共让几个部门的事项实现了证照联动办理？").focus
    # a verb jieba splits (免费 / 制 / 发) ends what is counted before it
    assert ask("中山市为多少家本市企业免费制发电子印章？").focus_head == ["企业"]
    assert ask("深圳市政务服务的满意度是多少？").focus_head == ["满意度"]  # before 是多少 the head is the last noun


def test_the_word_before_the_head_says_which_of_its_kind_is_counted():
    assert ask("截至2024年,“i深圳”港澳注册用户中澳门用户有多少?").head_modifier == "澳门"
    assert ask("“i龙华”的日活跃用户数是多少?").head_modifier == "活跃"
    # a plain noun or verb before the head forms one term with it: no modifier to look for
    assert ask("2024年深圳全市线下的政务服务中心一共多少个？").head_modifier == ""
    assert ask("“i深圳”注册用户有多少？").head_modifier == ""
    assert ask("How many monthly active users does the i Shenzhen app have?").head_modifier == ""


def test_what_follows_number_of_is_counted():
    # not "Longhua district's cumulative number", whose head would be the time word 累计
    q = ask("What is Longhua district's cumulative number of electronic licence look-ups?")
    assert "累计" not in q.focus_head and "电子证照" in q.focus


def test_a_question_about_what_there_was_before_asks_for_the_baseline():
    assert ask("Before its 2022 expansion, how many partner regions did Longhua already have?").asks_baseline
    assert ask("龙华区原有多少个跨域通办合作地区？").asks_baseline
    assert not ask("龙华区2022年新增了多少个跨域通办合作地区？").asks_baseline


def test_a_phrase_that_only_says_where_leaves_the_focus_to_the_clause_before():
    # "…报告里分别是多少" names the reports, not what is counted: that is the clause before the comma
    q = ask("龙华区电子证照的累计调用量，2022年和2025年报告里分别是多少？")
    assert q.focus_head == ["调用量"] and "报告" not in q.focus


def test_glossary_expands_english_terms_to_report_chinese_longest_first():
    q = ask("How many one-matter items did Shenzhen launch?")
    assert "一件事" in q.expansions and "上线" in q.expansions
    assert not ask("上线了多少个一件事").expansions
    assert GLOSSARY.expand("new cross-region service items") == ["新增", "通办事项"]  # not 跨域通办 + 事项
    assert GLOSSARY.expand("hotlines") == GLOSSARY.expand("hotline")


def test_topic_terms_leave_out_region_year_and_english_words():
    q = ask("中山市2024年热线满意度")
    assert "热线" in q.topic_terms and "中山" not in q.topic_terms and "2024" not in q.topic_terms
    assert "hotline" not in ask("Zhongshan hotline satisfaction").topic_terms


def test_glossary_is_built_from_the_reports():
    """At least 150 entries, and every Chinese term in it occurs in the reports as written (NFKC)."""
    import unicodedata

    corpus = unicodedata.normalize("NFKC", "".join(TEXTS)).lower()
    assert len(GLOSSARY) >= 150
    absent = [z for _, zh in GLOSSARY.entries for z in zh if unicodedata.normalize("NFKC", z).lower() not in corpus]
    assert absent == []
    covered = {t for t, _ in missing_terms(TEXTS, Glossary([]))}
    still_missing = {t for t, _ in missing_terms(TEXTS, GLOSSARY)}
    assert len(still_missing) < len(covered) / 3  # at least two thirds of the quoted report names have an entry


def test_the_glossary_fingerprint_follows_its_entries_not_its_file(tmp_path):
    """The ranker's English training questions are written through the glossary: a changed entry retrains it."""
    (tmp_path / "a.tsv").write_text("# one entry\nvisits\t访问量\n", encoding="utf-8")
    (tmp_path / "b.tsv").write_text("visits\t访问量\n", encoding="utf-8")
    (tmp_path / "c.tsv").write_text("visits\t浏览量\n", encoding="utf-8")
    a, b, c = (Glossary.load(tmp_path / f"{n}.tsv").fingerprint() for n in "abc")
    assert a == b != c and GLOSSARY.fingerprint() != a


def test_a_malformed_glossary_line_is_named(tmp_path):
    bad = tmp_path / "glossary.tsv"
    bad.write_text("# comment\nhotline\t热线\nno tab here\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match="line 3"):
        Glossary.load(bad)


def test_things_listed_before_one_ask_for_each_are_split_into_parts():
    from assistant.question import split_each

    assert split_each("中山市2024年首批和第二批分别上收了多少项事权？") == [
        "中山市2024年首批上收了多少项事权？", "中山市2024年第二批上收了多少项事权？"]
    assert split_each("龙华区2022年打造的系统,浏览量和办件量分别达到了多少?") == [
        "龙华区2022年打造的系统,浏览量达到了多少?", "龙华区2022年打造的系统,办件量达到了多少?"]
    assert split_each("各部门分别有多少人？") == ["各部门分别有多少人？"]  # no list before 分别
    question = ask("中山市2024年首批和第二批分别上收了多少项事权？")
    assert len(question.parts) == 2 and [p.regions for p in question.parts] == [["中山市"], ["中山市"]]
    assert ask("深圳市2024年和2025年分别上线了多少个“高效办成一件事”？").parts == []  # one figure per report: a comparison


def test_how_many_years_asks_for_a_figure_and_not_the_total_is_read():
    assert ask("中山市政数局连续几年获评优秀防守单位？").wants == "figure"
    assert ask("龙华区近几年在数字孪生方面做了什么？").wants == "text"  # 近几年: "in recent years"
    question = ask("龙华区2022年电子证照调用量（不要累计的）有多少？")
    assert question.period and not question.cumulative
    assert ask("What is Longhua's cumulative count of electronic licence look-ups in 2025?").wants == "figure"
    # a period named to be excluded is not the one asked
    question = ask("How many items in total (cumulative, not just that year's additions) could Longhua handle by 2025?")
    assert question.cumulative and not question.period


def test_a_question_asking_for_two_figures_is_split_into_parts():
    from assistant.question import split_asks

    assert split_asks("深圳数据交易所上架了多少个交易标的、引进了多少家经营主体？", "zh") == [
        "深圳数据交易所上架了多少个交易标的", "引进了多少家经营主体？"]
    assert len(split_asks("How many risks did Shenzhen fix, and how many viruses were found?", "en")) == 2
    # "what accuracy" asks for a second figure as much as "how many" does
    assert ask("In Longhua's 2025 AI campus pilot, how many cameras were connected, and what accuracy did it reach?").asks == 2
    question = ask("深圳市2025年上架了多少个交易标的、引进了多少家经营主体？")
    assert question.asks == 2 and [p.regions for p in question.parts] == [["深圳市"], ["深圳市"]]
    assert ask("深圳市2025年上线了多少个“高效办成一件事”？").parts == []
    # "what … rating / rate / volume" asks for a figure too, with up to three words between
    assert ask("What was the total volume of Zhongshan's hotline in 2024, and what satisfaction rating did it get?").asks == 2
    assert len(ask("How many firms joined Longhua's pilot in 2025 and what initial customer conversion rate did they "
                   "reach?").parts) == 2
    # each ask names a report of its own: one figure of each report (a comparison), not two of one
    assert ask("How much did Longhua pay out in subsidies per its 2022 report, and what cumulative amount does the "
               "2025 report give?").parts == []
    # ... but a year named by one ask and a bureau by the other are the scope of both
    assert len(ask("In 2025, how many Party group meetings and how many study sessions did Shenzhen's bureau "
                   "hold?").parts) == 2
    # what the asks share is searched for by each part: the exchange is what the second ask is about too
    first, second = ask("深圳数据交易所上架了多少个交易标的、引进了多少家经营主体？").parts
    assert "交易所" in first.topic_terms and "交易所" in second.topic_terms and "交易" not in second.focus


def test_when_asks_for_a_date_only_as_the_question_word():
    assert ask("When did Shen Xiao i go live?").wants == "date"
    assert ask("In 2025, when was the i Shenzhen app upgraded?").wants == "date"
    assert ask("On what date was Longhua's 2022 report published?").wants == "date"
    # a conjunction, or "to date" (so far), asks for no date
    assert ask("What dispatch success rate did Shenzhen's hotline reach in 2025 when routing requests?").wants == "figure"
    assert ask("How many channels did Shenzhen count when it built its ledger?").wants == "figure"
    assert ask("How many users has i Shenzhen registered to date?").wants == "figure"


def test_an_english_head_word_is_read_in_its_most_used_sense():
    """A CC-CEDICT word of several senses ("services": 服务, 业务, 运营) counts what the reports mostly mean by it."""
    from assistant.dictionary import Dictionary

    dictionary = Dictionary.build(TEXTS)
    q = parse_question("How many services can Zhongshan residents handle by video?", GLOSSARY, REGIONS, dictionary=dictionary)
    senses = dictionary.find("services")[0][1]
    assert len(senses) > 1 and q.focus_head == senses[:1] == ["服务"]


def test_which_year_more_is_a_comparison_of_figures():
    for text in ("Which year did Longhua add more cross-region partner areas?", "龙华区哪一年新增的跨域通办合作地区更多？"):
        question = ask(text)
        assert question.kind == "comparison" and question.wants == "figure"


def test_a_running_total_named_to_be_excluded_asks_for_the_period():
    q = ask("Not counting the cumulative total, how many electronic licence calls did Longhua record in 2022?")
    assert (q.cumulative, q.period) == (False, True)
    q = ask("龙华区2022年不算累计的，电子证照调用了多少次？")
    assert (q.cumulative, q.period) == (False, True)
    assert ask("How many calls has Shen Xiao i answered so far?").cumulative
    assert ask("And how satisfied were callers?").unit == "%"


def test_a_second_ask_after_a_question_mark_is_its_own_part():
    q = ask("深圳2025年“一件事”平均少交几份材料？材料的压减比例是多少？")
    assert [p.text for p in q.parts] == ["深圳2025年“一件事”平均少交几份材料", "材料的压减比例是多少？"]


# --- hostile or odd input: what the assistant reads, and what it refuses (issue 13) ---

@pytest.mark.parametrize("raw, read", [
    ("深圳市２０２５年上线了多少个？", "深圳市2025年上线了多少个？"),            # full-width digits
    ("Ｈｏｗ many items in ２０２４?", "How many items in 2024?"),             # full-width letters
    ("深\u200b圳\u200c市\u200d2025\ufeff年", "深圳市2025年"),               # zero-width, BOM
    ("\u202e深圳市\u202c 2025\u2066年\u2069", "深圳市 2025年"),             # bidirectional controls
    ("满意度\u00ad是多少", "满意度是多少"),                                  # soft hyphen
    ("满意度\x00是\x07多少\x1b", "满意度 是 多少 "),                          # control characters become spaces
    ("中山市（2024年）满意度是多少？", "中山市（2024年）满意度是多少？"),         # the Chinese punctuation stays
    ("比例为５０％吗", "比例为50%吗"),
])
def test_input_is_normalised_before_it_is_understood(raw, read):
    assert clean_text(raw) == read


def test_full_width_year_and_zero_width_characters_are_understood():
    assert ask(validate_question("深圳市２０２５年上线了多少个“高效办成一件事”？", 500)).years == [2025]
    assert ask(validate_question("深\u200b圳市2025年上线了多少个“高效办成一件事”？", 500)).regions == ["深圳市"]


@pytest.mark.parametrize("bad, message", [
    (None, "empty"), ("", "empty"), ("  \u200b\ufeff ", "empty"), (["深圳"], "must be a string"), (45, "must be a string"),
    ("问" * 501, "limit is 500"), ("x" * 5_000_000, "limit is 500"), ("深圳\ud800", "not valid Unicode"),
])
def test_bad_questions_are_refused_with_a_message(bad, message):
    with pytest.raises(QuestionError, match=message):
        validate_question(bad, 500)


@pytest.mark.parametrize("bad, message", [
    ("abc", "must be a list"), ({"role": "user"}, "must be a list"), ([1], "role of user"), ([{"content": "x"}], "role of user"),
    ([{"role": "hacker", "content": "x"}], "role of user"), ([{"role": "user", "content": {"a": 1}}], "must be a string"),
    ([{"role": "user", "content": "\udc80"}], "not valid Unicode"),
])
def test_bad_history_is_refused_with_a_message(bad, message):
    with pytest.raises(QuestionError, match=message):
        validate_history(bad, 20, 500)


def test_history_is_capped_in_turns_and_length():
    turns = [{"role": "user", "content": f"问题{i}" + "很长" * 100_000} for i in range(50)]
    kept = validate_history(turns, 20, 500)
    assert len(kept) == 20 and kept[0]["content"].startswith("问题30") and all(len(t["content"]) == 500 for t in kept)
    assert validate_history([{"role": "assistant", "content": None}], 20, 500) == [{"role": "assistant", "content": ""}]


def test_numbers_the_question_gives_and_a_part_of_a_total():
    q = ask("Besides the 45 priority items, how many themed 'one thing' services did Longhua integrate online in 2025?")
    assert q.given == ["45"] and q.years == [2025]
    assert ask("2025年3月深圳市上线了多少个一件事？").given == []  # years and dates are no given figures
    assert ask("Of the policy subsidies on i Shenzhen in 2024, how many were apply-free?").asks_part
    assert ask("Of Longhua's no-application subsidy schemes in its 2022 report, how many concerned industry?").asks_part
    assert ask("深圳市2024年i深圳汇集的政策补贴事项中，免申即享的有多少项？").asks_part
    assert ask("How many subsidy items on i Shenzhen were of the no-application-needed type?").asks_part
    assert ask("How many of the subsidy items on i Shenzhen need no application?").asks_part
    assert not ask("深圳市2024年i深圳汇集了多少项政策补贴事项？").asks_part
    assert not ask("How many subsidy items did i Shenzhen gather in 2024?").asks_part


def test_a_quantity_named_a_few_words_after_what_is_a_figure_question():
    q = ask("What first-time answer accuracy did Shen Xiao i reach in 2024?")
    assert (q.wants, q.unit) == ("figure", "%")
    assert ask("What cumulative volume of data exchange calls had Zhongshan recorded?").wants == "figure"
    assert ask("How many fewer trips did applicants make per one-matter item?").unit == "次"
    assert ask("What measures did Shenzhen take on AI in 2025?").wants == "text"


def test_any_four_digit_year_is_a_named_year():
    """"深圳市9999年…" names a year no report covers (and is answered "not found"), never one to drop."""
    assert detect_years("深圳市9999年上线了多少个") == [9999] and detect_years("1990年的报告") == [1990]
    assert detect_years("深圳市2025年和9999年分别") == [2025, 9999]
    assert detect_years("12345热线") == [] and detect_years("1990年代") == [] and detect_years("共1001件") == []
