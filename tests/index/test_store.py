"""The vector store: exact, repeatable dense search, and a read-only data dir served as it is."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from assistant.settings import Settings
from index.store import ReadOnlyError, open_store, writable


def test_dense_search_is_as_exhaustive_as_the_settings_say(settings, assistant):
    """Below ~1,000 chunks Chroma rebuilds its HNSW graph at each start; a wide search keeps the same question's
    passages the same from one process to the next (and the ranker's training repeatable)."""
    config = open_store(settings).chunks.configuration_json["hnsw"]
    assert config["ef_search"] == settings.dense_ef_search >= assistant.retriever.index.vector_store._collection.count()


@pytest.fixture
def read_only_data(settings, assistant, tmp_path):
    """A copy of the session's data dir that this process cannot write: a read-only bind mount for root (whom
    permission bits do not stop), the permission bits otherwise."""
    copy = tmp_path / "data"
    shutil.copytree(settings.data_dir, copy)
    if os.geteuid() != 0:
        for path in [copy, *copy.rglob("*")]:
            path.chmod(0o555 if path.is_dir() else 0o444)
        yield copy
        for path in [copy, *copy.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        return
    mount = tmp_path / "ro"
    mount.mkdir()
    if subprocess.run(["mount", "--bind", str(copy), str(mount)], capture_output=True).returncode:
        pytest.skip("cannot make a read-only folder here (no mount permission)")
    subprocess.run(["mount", "-o", "remount,bind,ro", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode() + (path.read_bytes() if path.is_file() else b""))
    return digest.hexdigest()


def test_a_read_only_data_dir_answers_and_refuses_to_change(read_only_data, corpus_copy):
    from assistant.service import Assistant
    from index.build import build_index
    from index.ingest import UploadError

    before = _digest(read_only_data)
    assert not writable(read_only_data)
    settings = Settings(data_dir=read_only_data, corpus_dir=corpus_copy)
    assistant = Assistant(settings, progress=False)
    assert assistant.read_only
    answer = assistant.ask("深圳市2025年上线了多少个“高效办成一件事”？")
    assert answer.status == "answered" and answer.answer.startswith("45个")
    text = next((corpus_copy / "reports").glob("*.txt")).read_text(encoding="utf-8")
    with pytest.raises(UploadError, match="read-only"):
        assistant.add_report({"title": "x", "bureau": "y", "region": "z", "year": 2025}, text + "\n新的一行。")
    assert build_index(settings, progress=False).unchanged == sorted(assistant.reports)  # current: nothing to do
    with pytest.raises(ReadOnlyError, match="read-only"):
        build_index(settings, rebuild=True, progress=False)
    assert _digest(read_only_data) == before


def test_a_chroma_server_that_does_not_answer_is_said_so_not_taken_for_damage(tmp_path):
    from index.build import index_damage
    from index.store import StoreUnavailable

    settings = Settings(data_dir=tmp_path, chroma_url="http://127.0.0.1:9")  # the discard port: nothing listens
    with pytest.raises(StoreUnavailable, match="127.0.0.1:9 does not answer"):
        open_store(settings)
    with pytest.raises(StoreUnavailable):
        index_damage(settings, {"counts": {"chunks": 1}})


@pytest.mark.parametrize("url, normalised", [("", None), ("HTTP://Chroma.Local:8000/", "http://chroma.local:8000"),
                                             ("https://10.0.0.5", "https://10.0.0.5")])
def test_a_chroma_url_is_read_normalised(url, normalised):
    assert Settings(chroma_url=url).chroma_url == normalised


@pytest.mark.parametrize("url", ["http://x:99999", "http://" + "a" * 300, "javascript:alert(1)", "http://x:8000/path",
                                 "http://u:p@x:1", "/tmp/chroma", "http://a b:1"])
def test_a_chroma_url_that_names_no_server_is_refused(url):
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="chroma_url"):
        Settings(chroma_url=url)


def test_libraries_sharing_a_chroma_server_never_touch_each_others_collections(chroma_server, tmp_path):
    """Prefixes "lib" and "lib-b": "lib"'s generations are exactly its own, so its clean-up leaves "lib-b"'s alone."""
    from index.store import delete_collections, server_client, server_generations

    client = server_client(chroma_server)
    names = ["lib-20261123-010101-000001-report-chunks", "lib-b-20261123-010101-000002-report-chunks",
             "lib-legacy-report-claims", "lib-notes-report-chunks"]
    for name in names:
        client.get_or_create_collection(name)
    lib = Settings(data_dir=tmp_path, chroma_url=chroma_server, chroma_prefix="lib")
    assert server_generations(lib) == {"20261123-010101-000001": [names[0]], "legacy": [names[2]]}
    assert server_generations(lib.model_copy(update={"chroma_prefix": "lib-b"})) == {"20261123-010101-000002": [names[1]]}
    delete_collections(lib, [n for ns in server_generations(lib).values() for n in ns])
    assert {c.name for c in client.list_collections()} >= {names[1], names[3]}
    client.close()


def test_a_start_loads_the_builds_serving_copy_which_holds_what_the_store_holds(settings, assistant, tmp_path):
    """The chunks, sentences, claims and vectors a start loads come from the build's serving copy, mapped from disk,
    and are exactly what reading them back from Chroma gives; a copy that is missing, cut or of other counts is
    passed over (the store is read instead)."""
    import json

    import numpy as np

    from index.build import read_state
    from index.store import all_chunk_nodes, load_serving_copy, load_sentences

    live = settings.at_index(settings.index_dir)
    counts = read_state(live)["counts"]
    nodes, table = load_serving_copy(live.serving_dir, counts)
    for loaded in (table, assistant.sentences):  # mapped from the file, not read into memory
        assert isinstance(loaded.embeddings.base, np.memmap) and isinstance(loaded.claim_embeddings[0].base.base, np.memmap)
    store = open_store(live)
    stored_nodes, stored = all_chunk_nodes(store), load_sentences(store)
    assert [(n.node_id, n.get_content(), n.metadata) for n in nodes] == \
        [(n.node_id, n.get_content(), n.metadata) for n in stored_nodes]
    assert table.ids == stored.ids and table.texts == stored.texts and table.claims == stored.claims
    assert np.array_equal(table.embeddings, stored.embeddings) and table.by_chunk == stored.by_chunk
    assert all(np.array_equal(a, b) for a, b in zip(table.claim_embeddings, stored.claim_embeddings))

    cut = tmp_path / "serving"
    shutil.copytree(live.serving_dir, cut)
    assert load_serving_copy(cut, counts | {"sentences": counts["sentences"] + 1}) is None  # not this build's
    assert load_serving_copy(cut, None) is None
    (cut / "claim_vectors.npy").write_bytes((cut / "claim_vectors.npy").read_bytes()[:1000])
    assert load_serving_copy(cut, counts) is None  # cut short
    (cut / "sentences.json").write_text(json.dumps({"ids": []}), encoding="utf-8")
    assert load_serving_copy(cut, counts) is None
    assert load_serving_copy(tmp_path / "none", counts) is None


def test_writes_are_gathered_across_reports_and_sent_in_batches(tmp_path):
    """A build's chunk, sentence and claim records wait until a batch is full (each Chroma write has a fixed cost), and
    flush() sends what is left; nothing is lost or written twice."""
    import json

    from llama_index.core.schema import TextNode

    from index.store import BatchedWrites

    settings = Settings(corpus_dir=tmp_path, data_dir=tmp_path / "data")
    store = open_store(settings.at_index(tmp_path / "data" / "index" / "g"))

    def report(rid):
        node = TextNode(id_=f"{rid}-c0", text="全年办件100件。", metadata={"report_id": rid}, embedding=[1.0, 0.0, 0.0])
        sentence = (f"{rid}-s0", "全年办件100件。", {"report_id": rid, "chunk_id": node.node_id, "claims": json.dumps([])})
        claim = (f"{rid}-s0~0", "全年办件", {"report_id": rid, "sentence_id": sentence[0], "k": 0})
        return [node], [sentence], [[0.0, 1.0, 0.0]], [claim], [[0.0, 0.0, 1.0]]

    writes = BatchedWrites(store, batch=5)
    writes.add(*report("a"))  # 3 records wait
    assert (store.chunks.count(), store.sentences.count(), store.claims.count()) == (0, 0, 0)
    writes.add(*report("b"))  # 6 waiting: written
    assert (store.chunks.count(), store.sentences.count(), store.claims.count()) == (2, 2, 2)
    writes.add(*report("c"))
    writes.flush()
    writes.flush()  # nothing left: nothing written again
    assert (store.chunks.count(), store.sentences.count(), store.claims.count()) == (3, 3, 3)
    assert sorted(store.claims.get()["ids"]) == ["a-s0~0", "b-s0~0", "c-s0~0"]
