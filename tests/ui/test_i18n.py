import pytest

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


def test_why_an_upload_is_refused_is_said_in_the_interface_language(tmp_path):
    from index.ingest import UploadError, extract_text
    from ui.i18n import upload_error

    fake = tmp_path / "report.pdf"
    fake.write_bytes(b"%PDF-1.4 not really a pdf")
    with pytest.raises(UploadError) as refused:
        extract_text(fake, 5_000_000)
    said = upload_error(refused.value, "zh")
    assert said.startswith("report.pdf：") and "无法按 .pdf 格式读取" in said
    assert "Error" not in said and "Error" not in upload_error(refused.value, "en")  # no internal error names
    empty = tmp_path / "empty.txt"
    empty.write_text("短", encoding="utf-8")
    with pytest.raises(UploadError) as refused:
        extract_text(empty, 5_000_000)
    assert upload_error(refused.value, "zh") == "empty.txt：文字少于 50 个字符。"
    assert upload_error(UploadError("required: bureau, region", "upload_required", fields=["bureau", "region"]),
                        "zh") == "请填写：机构、地区。"
    assert upload_error(UploadError("report id 001 is already taken"), "zh") == "report id 001 is already taken"


def test_every_reason_an_upload_is_refused_has_words_in_both_languages():
    """Each refusal index/ingest.py raises names a text of both languages, with the values that text needs."""
    import ast
    import inspect

    import index.ingest

    raised = [node.exc for node in ast.walk(ast.parse(inspect.getsource(index.ingest)))
              if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and isinstance(node.exc.func, ast.Name)
              and node.exc.func.id.endswith("Error") and node.exc.func.id != "ManifestError"]
    assert len(raised) > 15
    for call in raised:
        where = f"index/ingest.py:{call.lineno}"
        assert len(call.args) == 2, f"{where} raises without a key"
        if not isinstance(call.args[1], ast.Constant):
            continue  # passes on the key of a refusal raised (and checked) elsewhere
        key = call.args[1].value
        assert key in TEXT, where
        values = {k.arg: "x" for k in call.keywords}
        for lang in ("en", "zh"):
            t(key, lang, **values)  # no field the raise leaves out
