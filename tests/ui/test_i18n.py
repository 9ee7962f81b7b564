from ui.i18n import TEXT, browser_lang, t


def test_browser_language_picks_the_interface_language():
    assert browser_lang("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert browser_lang("en-US,en;q=0.9") == "en"
    assert browser_lang("de-DE") == "en"  # a foreign analyst reads English
    assert browser_lang(None) == "zh"


def test_every_text_exists_in_both_languages_with_the_same_fields():
    import string

    for key, (english, chinese) in TEXT.items():
        fields = lambda s: {f for _, f, _, _ in string.Formatter().parse(s) if f}  # noqa: E731
        assert english and chinese and fields(english) == fields(chinese), key
    assert t("filter_some", "zh", k=1, n=5, names="中山市 2024") == "检索 1/5 份报告：中山市 2024"
