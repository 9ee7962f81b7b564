"""Retrieval that knows bureau, year and language: scope boosts/filters, fallback, sentence-level rerank."""
import json

import pytest

from assistant.service import Assistant
from assistant.settings import Settings
from index.load import load_reports
from tests.conftest import CORPUS

TEXTS = {r.meta.id: r.text for r in load_reports(CORPUS / "manifest.toml")}
# The same fact in different reports: the first passage must come from the report the question names.
SAME_FACT = [
    ("深圳市2025年上线了多少个“高效办成一件事”？", "002", "上线45个高频"),
    ("How many one-matter key items did Shenzhen launch according to its 2024 report?", "000", "上线23个"),
    ("龙华区2025年线上整合了多少项重点事项？", "004", "线上整合45项重点事项"),
    ("How many one-matter services has Zhongshan launched in total?", "003", "累计上线1001件"),
    ("How many new cross-region partner areas did Longhua add in 2025?", "004", "2025年新增17个"),
    ("龙华区2022年新增了多少个跨域通办合作地区？", "001", "新增广州从化"),
]


@pytest.fixture(scope="module")
def filtering(settings, assistant):  # the session index, retrieved with scope as a filter
    return Assistant(Settings(data_dir=settings.data_dir, scope_mode="filter"), progress=False)


@pytest.mark.parametrize("question, report_id, evidence", SAME_FACT)
def test_first_passage_holds_the_answer_from_the_named_report(assistant, filtering, served, question, report_id, evidence):
    for engine in (assistant, filtering, served):  # served: the same index on a Chroma server (GOVQA_CHROMA_URL)
        top = engine.retrieve(question, k=5)[0]
        assert top.report_id == report_id and evidence in top.text
        assert TEXTS[report_id][top.start:top.end] == top.text


def test_scope_reports_follow_region_level_and_year(assistant):
    scope = lambda text: assistant.scope_reports(assistant.understand(text))  # noqa: E731
    assert scope("深圳市2024年上线了多少个一件事？") == ["000"]
    assert sorted(scope("Shenzhen one-matter items")) == ["000", "002"]   # Shenzhen alone: the municipal bureau
    assert sorted(scope("区级一件事")) == ["001", "004"]
    assert scope("How many one-matter items?") is None                   # names nothing: no scope
    assert scope("龙华区2024年新增了多少个合作地区？") == []              # names a report that does not exist


def test_a_filter_that_would_leave_nothing_falls_back_to_all_reports(filtering):
    understood, passages = filtering.explain("龙华区2024年新增了多少个跨域通办合作地区？", k=5)
    assert understood["scope_reports"] == [] and understood["filtered"] is False and passages
    understood, passages = filtering.explain("龙华区2025年新增了多少个跨域通办合作地区？", k=5)
    assert understood["filtered"] is True and {p.report_id for p in passages} == {"004"}


def test_explain_shows_what_was_understood(assistant):
    understood, _ = assistant.explain("How many cross-region partner areas did the district bureau add last year?")
    assert understood["regions"] == [] and understood["level"] == "district" and understood["years"] == []
    assert understood["relative_year"] == "last year" and understood["kind"] == "figure"
    assert {"en": "cross-region", "zh": ["跨域通办", "跨域", "跨城通办"]} in understood["glossary"]
    assert understood["bureaus"] == ["深圳市龙华区政务服务和数据管理局", "深圳市龙华区政务服务数据管理局"]


def test_retrieve_explain_on_the_command_line(cli):
    done = cli("retrieve", "How many one-matter items did Shenzhen launch in 2025?", "--explain", "--json", "-k", "2")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["question"]["regions"] == ["深圳市"] and out["question"]["years"] == [2025]
    assert out["question"]["scope_reports"] == ["002"] and len(out["passages"]) == 2
    text = cli("retrieve", "去年龙华区新增了多少个合作地区？", "--explain", "-k", "1").stdout
    assert "region: 深圳市龙华区" in text and "去年: ambiguous" in text and "best sentence" in text


def test_the_named_reports_best_chunks_are_candidates_beside_the_librarys(assistant):
    lexical = assistant.retriever.lexical
    terms = ["深圳"]  # Zhongshan's report never names Shenzhen: its best chunks are not among the library's
    everywhere = [h.node.node_id for h in lexical.search(terms)]
    zhongshan = [h.node.node_id for h in lexical.search(terms, ["003"])][:3]
    both = lexical.search(terms, focus=["003"], focus_k=3)
    assert {h.node.node_id for h in both} == set(everywhere) | set(zhongshan) and len(both) > len(everywhere)
    assert [h.score for h in both] == sorted((h.score for h in both), reverse=True)  # one ranking on one scale


def test_named_reports_are_searched_on_their_own_only_when_the_library_outnumbers_them(assistant, monkeypatch):
    assert not any(assistant.outnumbered([rid]) for rid in assistant.reports)  # five reports: each holds a fifth
    monkeypatch.setattr(assistant.settings, "dense_k", 4)  # one report now holds under 1 / dense_k of the chunks
    assert all(assistant.outnumbered([rid]) for rid in assistant.reports) and not assistant.outnumbered(["000", "002"])
    monkeypatch.setattr(assistant.settings, "focus_k", 0)
    assert not assistant.outnumbered(["003"])
