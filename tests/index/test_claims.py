"""Figure claims read from the reports' sentences: what each figure counts, its qualifier, time scope, plan and
baseline flags, and enumerations mapped back onto their items."""
from index.claims import sentence_claims

ENUMERATION = "上线45个高频“高效办成一件事”,平均压减办理环节8个、办理时限11天、跑动次数4次、申请材料12份,压减比例分别为62%、51%、81%、56%。"


def by_figure(sentence, before=""):
    return {c.figure: c for c in sentence_claims(sentence, before)}


def test_a_respectively_list_maps_back_onto_the_items_it_follows():
    claims = by_figure(ENUMERATION)
    assert claims["51%"].label == "办理时限压减比例" and claims["81%"].label == "跑动次数压减比例"
    assert claims["11天"].label == "办理时限" and claims["11天"].enumerated
    assert claims["45个"].index == 0 and claims["56%"].index == claims["56%"].count - 1


def test_qualifiers_are_kept_as_written():
    claims = by_figure("累计上线以来提供咨询解答服务超430万次,准确率达85%以上,审查40余份。")
    assert claims["430万次"].stated == "超430万次" and claims["430万次"].scope == "cumulative"
    assert claims["85%"].stated == "85%以上"
    assert claims["40余份"].stated == "40余份"


def test_this_years_figure_and_the_running_total_are_told_apart():
    claims = by_figure("今年以来电子证照调用量超15万,位居全市第四,累计电子证照调用量超194万,位居全市第一。")
    assert claims["15万"].scope == "period" and claims["194万"].scope == "cumulative"


def test_a_clause_after_a_semicolon_carries_the_subject_of_the_sentence_it_continues():
    before = "上线23个“高效办成一件事”重点事项,平均每个“一件事”减少办理环节7个,压减比例64%;"
    claims = by_figure("减少办理时限12天,压减比例56%;", before)
    assert "高效办成一件事" in claims["12天"].lead and claims["12天"].label == "减少办理时限"


def test_plans_baselines_and_document_titles_are_marked():
    planned = by_figure("2022年全年拟抽查许可案卷1500宗,截至上半年,共抽查案卷785宗。")
    assert planned["1500宗"].planned and not planned["785宗"].planned
    base = by_figure("在12个合作地区的基础上,新增广州从化、珠海斗门、佛山顺德等37个地区。")
    assert base["12个"].baseline and not base["37个"].baseline
    titled = by_figure("印发《深圳市“数据要素×”实施方案(2025-2026年)》。")
    assert all(c.in_title for c in titled.values())


def test_a_sentence_without_figures_has_no_claims():
    assert sentence_claims("坚持以习近平新时代中国特色社会主义思想为指导。") == []


def test_two_figures_of_one_segment_count_different_things():
    # 22 counts the rectification tasks; 14 counts those already completed (the predicate starts at 已)
    claims = by_figure("积极配合审计监督,涉及的22项整改任务已完成14项,其余8项正按计划持续推进。")
    assert "已完成" in claims["14项"].label and "已完成" not in claims["22项"].label
    assert "整改任务" in claims["22项"].label


def test_the_noun_after_a_list_names_what_every_member_counts():
    claims = by_figure("稳步推进事权上收工作,今年全市首批上收35项、第二批上收29项事权。")
    assert claims["35项"].label.endswith("事权") and "首批" in claims["35项"].label
    assert "第二批" in claims["29项"].label and "首批" not in claims["29项"].label
    # a list whose members each name their own item gets nothing added
    assert by_figure(ENUMERATION)["8个"].label == "平均压减办理环节"


def test_a_word_holding_and_is_no_joint_between_what_figures_count():
    # 及 in 惠及 / 涉及, 与 in 参与, 和 in 共和国 are parts of words, not "and": the label keeps the word
    assert "惠及" in by_figure("受惠人数全省最多(惠及27万企业和群众)。")["27万"].label
    assert "参与" in by_figure("聘请专业律师参与超150份全市政务信息化项目文件合规审查;")["150份"].label
    assert "涉及" in by_figure("积极配合审计监督,涉及的22项整改任务已完成14项。")["22项"].label
    # a conjunction still divides: "12个部门和25家单位" are two counts
    assert "部门" not in by_figure("共有12个部门和25家单位参加。")["25家"].label
