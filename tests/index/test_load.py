import pytest

from index.load import ManifestError, decode_report, load_reports, read_manifest
from tests.conftest import CORPUS


def test_manifest_describes_all_five_reports():
    metas = {m.id: m for m in read_manifest(CORPUS / "manifest.toml")}
    assert sorted(metas) == ["000", "001", "002", "003", "004"]
    assert metas["000"].bureau == "深圳市政务服务和数据管理局" and metas["000"].year == 2024
    assert metas["001"].level == "district" and "文件已失效" in metas["001"].notes
    assert {m.region for m in metas.values()} == {"深圳市", "深圳市龙华区", "中山市"}


def test_reports_load_as_stored():
    reports = load_reports(CORPUS / "manifest.toml")
    assert all(len(r.text) > 3000 for r in reports)
    assert "上线45个高频" in next(r for r in reports if r.meta.id == "002").text


def test_gb18030_and_utf8_bom_decode():
    text = "上线45个高频“高效办成一件事”,压减比例62%。"
    assert decode_report(text.encode("gb18030"), "x") == text
    assert decode_report(text.encode("gbk"), "x") == text
    assert decode_report(b"\xef\xbb\xbf" + text.encode("utf-8"), "x") == text


def test_missing_field_is_named(corpus_copy):
    manifest = corpus_copy / "manifest.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('bureau = "中山市政务服务和数据管理局"\n', ""), encoding="utf-8")
    with pytest.raises(ManifestError, match=r"id=003.*'bureau'"):
        read_manifest(manifest)


def test_missing_file_is_named(corpus_copy):
    (corpus_copy / "reports" / "zhongshan-city-2024.txt").unlink()
    with pytest.raises(ManifestError, match="report 003: file not found.*zhongshan-city-2024.txt"):
        load_reports(corpus_copy / "manifest.toml")


def test_bad_level_and_duplicate_id_are_refused(corpus_copy):
    manifest = corpus_copy / "manifest.toml"
    original = manifest.read_text(encoding="utf-8")
    manifest.write_text(original.replace('level = "district"', 'level = "province"', 1), encoding="utf-8")
    with pytest.raises(ManifestError, match="'level'"):
        read_manifest(manifest)
    manifest.write_text(original.replace('id = "004"', 'id = "003"'), encoding="utf-8")
    with pytest.raises(ManifestError, match="duplicate report id '003'"):
        read_manifest(manifest)


@pytest.mark.parametrize("field, value", [("id", "../../etc"), ("id", "a b"), ("file", "../../../etc/passwd"),
                                          ("file", "/etc/passwd"), ("file", "reports/../../../x.txt")])
def test_a_manifest_cannot_point_outside_the_corpus(corpus_copy, field, value):
    manifest = corpus_copy / "manifest.toml"
    old = {"id": 'id = "003"', "file": 'file = "reports/zhongshan-city-2024.txt"'}[field]
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(old, f'{field} = "{value}"'), encoding="utf-8")
    with pytest.raises(ManifestError, match=f"field '{field}'"):
        read_manifest(manifest)
