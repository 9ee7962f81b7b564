"""The indexing pipeline: load -> clean -> chunk -> embed -> store, incremental and idempotent.

Each report is fingerprinted (text + metadata); only new or changed reports are re-embedded, and
their old chunks are deleted first. Changing the embedding model or chunk size rebuilds everything.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import sqlite3
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

from tqdm import tqdm

from assistant.dictionary import Dictionary
from assistant.settings import GENERATION, Settings, generation_name
from index.bm25 import TokenCache, build_bm25
from index.chunk import chunk_report
from index.clean import content_lines
from index.embed import EmbeddingCache, build_embedder
from index.load import Report, load_reports
from index.store import (BatchedWrites, ReadOnlyError, Store, chunk_node, chunk_nodes, chunk_records, claim_rows,
                         copy_collections, delete_collections, delete_report, live_segments, open_store, save_serving_copy,
                         sentence_rows, StoreUnavailable, server_generations, writable)

log = logging.getLogger(__name__)
NOT_ON_SERVER = "its vectors are not on the Chroma server"
PIPELINE_VERSION = 9  # bump when chunking, cleaning or the dictionary's making changes what is stored


@dataclass
class BuildSummary:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    chunks: int = 0
    sentences: int = 0
    embedded: int = 0  # texts the model embedded (with the cache on)
    cached: int = 0    # texts whose vectors came from the cache


def fingerprint(report: Report) -> str:
    return hashlib.sha256((report.meta.model_dump_json() + "\n" + report.text).encode()).hexdigest()


def index_config(settings: Settings) -> dict:
    return {"version": PIPELINE_VERSION, "embed": settings.embed_id, "chunk_chars": settings.chunk_chars}


def read_state(settings: Settings) -> dict:
    """What the last complete build wrote; {} when there is none or it is unreadable (the index is then rebuilt)."""
    try:
        state = json.loads(settings.state_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) and isinstance(state.get("reports"), dict) else {}


def index_is_current(settings: Settings, reports: list[Report]) -> bool:
    """True when the stored index was built with these settings from exactly these reports, and is intact."""
    state = read_state(settings)
    return _built_from(settings, state, reports) and not index_damage(settings, state)


def _built_from(settings: Settings, state: dict, reports: list[Report]) -> bool:
    """Whether state records a complete build with these settings from exactly these reports."""
    return (
        state.get("config") == index_config(settings)
        and state.get("reports") == {r.meta.id: fingerprint(r) for r in reports}
        and settings.dictionary_path.is_file()
        and "counts" in state
    )


def index_damage(settings: Settings, state: dict) -> list[str]:
    """What is wrong with the stored index against the counts its last build recorded: a store that cannot be
    opened, missing or truncated collections, a lexical index over other chunks. [] when it is intact."""
    counts = state.get("counts")
    if not isinstance(counts, dict):  # a build before counts were recorded: brought up to date, not rebuilt
        return []
    try:
        store = open_store(settings)
        stored = {"chunks": store.chunks.count(), "sentences": store.sentences.count(), "claims": store.claims.count()}
        store.client.close()
    except StoreUnavailable:  # a server that does not answer says nothing about the index: the caller is told
        raise
    except Exception as err:  # chromadb raises many kinds on a damaged sqlite file or segment folder
        return [f"the vector store cannot be opened ({type(err).__name__})"]
    if settings.chroma_url and not any(stored.values()) and any(counts.get(name) for name in stored):
        return [NOT_ON_SERVER]  # a data dir just pointed at a server (or a new server): built there, not "damaged"
    problems = [f"{name}: {stored[name]} stored, {counts.get(name)} built" for name in stored if stored[name] != counts.get(name)]
    try:
        bm25_rows = len(json.loads((settings.bm25_dir / "chunk_ids.json").read_text(encoding="utf-8")))
    except (OSError, ValueError):
        bm25_rows = None
    if bm25_rows != counts.get("chunks"):
        problems.append(f"lexical index: {bm25_rows} rows, {counts.get('chunks')} chunks built")
    return problems


def build_index(settings: Settings, rebuild: bool = False, progress: bool = True) -> BuildSummary:
    """Bring the index in line with the manifest; returns what changed. A build never writes to the index in use: it
    writes a new generation (a copy of the current one brought up to date, or a fresh one) and then switches
    data_dir/index/CURRENT to it in one rename, so questions are answered from the old index until the new one is
    complete, and a build killed at any point leaves the old one in use. An index that is already current is left
    as it is, also in a read-only data dir."""
    reports = load_reports(settings.manifest_path)  # validate everything before touching the store
    if not rebuild and index_is_current(live := settings.at_index(settings.index_dir), reports):
        return _unchanged(live, reports)
    if not writable(settings.data_dir):
        raise ReadOnlyError(f"the data dir {settings.data_dir} is read-only: the index cannot be built or brought "
                            "up to date there (GOVQA_DATA_DIR names another)")
    settings.index_root.mkdir(parents=True, exist_ok=True)
    with _build_lock(settings):
        live = settings.at_index(settings.index_dir)  # another process may have switched it while this one waited
        state = read_state(live)
        damage = index_damage(live, state) if state else []  # the store opened once: for the check and the message
        if not rebuild and not damage and _built_from(live, state, reports):
            return _unchanged(live, reports)
        if damage == [NOT_ON_SERVER]:
            log.warning("the index's vectors are not on the Chroma server at %s yet; building them there "
                        "(unchanged texts come from the embedding cache)", settings.chroma_url)
        elif damage:
            log.warning("the stored index is damaged (%s); rebuilding it from the corpus", "; ".join(damage))
        target = settings.at_index(settings.index_root / _generation_name())
        if rebuild or damage or state.get("config") != index_config(settings):
            state = {}
        else:
            _copy_index(live, target)
        try:
            summary = _build(target, reports, state, progress)
        except BaseException:  # a bad setting, a failing model, an interrupt: the half-built generation goes
            shutil.rmtree(target.index_dir, ignore_errors=True)
            raise
        _switch(settings, target.index_dir)
        _remove_stale(settings, keep={target.index_dir, live.index_dir})
    return summary


def _build(settings: Settings, reports: list[Report], state: dict, progress: bool) -> BuildSummary:
    """Brings the index in settings.index_dir (a new generation: empty, or a copy of one that state describes) in
    line with reports."""
    known: dict[str, str] = state.get("reports", {})
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    store = open_store(settings)
    summary = BuildSummary()

    # --- drop reports that left the manifest ---
    current_ids = {r.meta.id for r in reports}
    for report_id in sorted(set(known) - current_ids):
        delete_report(store, report_id)
        summary.removed.append(report_id)

    # --- (re)index new and changed reports ---
    todo = [r for r in reports if known.get(r.meta.id) != fingerprint(r)]
    summary.unchanged = [r.meta.id for r in reports if r not in todo]
    if todo:
        embed = Embed(build_embedder(settings), EmbeddingCache(settings.embed_cache_path, settings.embed_id)
                      if settings.embed_cache else None, progress)
        writes = BatchedWrites(store)
        for report in tqdm(todo, desc="indexing reports", unit="report", disable=not progress):
            (summary.replaced if report.meta.id in known else summary.added).append(report.meta.id)
            delete_report(store, report.meta.id)
            _index_report(writes, embed, report, settings)
        writes.flush()
        if embed.cache:
            summary.embedded, summary.cached = embed.cache.misses, embed.cache.hits

    # --- English words for the corpus's Chinese words (CC-CEDICT), rebuilt when the reports change ---
    if todo or summary.removed or not settings.dictionary_path.is_file():
        Dictionary.build([r.text for r in reports]).save(settings.dictionary_path)

    # --- lexical index over exactly the stored chunks ---
    records = chunk_records(store)  # read once: for the lexical index and for the serving copy
    nodes = chunk_nodes(records)
    build_bm25([n.node_id for n in nodes], [n.get_content(metadata_mode="embed") for n in nodes], settings.bm25_dir,
               TokenCache(settings.embed_cache_path) if settings.embed_cache else None)
    summary.chunks, summary.sentences = len(nodes), store.sentences.count()

    # --- what a start loads, read back once here instead of at every start ---
    save_serving_copy(store, settings.serving_dir, records)

    # --- the state is written last: a generation without one is never switched to ---
    counts = {"chunks": len(nodes), "sentences": summary.sentences, "claims": store.claims.count()}
    state = {"config": index_config(settings), "reports": {r.meta.id: fingerprint(r) for r in reports}, "counts": counts}
    store.client.close()  # everything on disk before the switch; the system is released, not kept per generation
    settings.state_path.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    return summary


def _unchanged(live: Settings, reports: list[Report]) -> BuildSummary:
    counts = read_state(live)["counts"]
    return BuildSummary(unchanged=[r.meta.id for r in reports], chunks=counts["chunks"], sentences=counts["sentences"])


def _generation_name() -> str:
    """A new generation's folder name: the time it was started (GENERATION in settings), later names sort later."""
    return datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-%f")


@contextmanager
def _build_lock(settings: Settings):
    """One build at a time per data dir, across processes: a second waits, then finds the index current."""
    with open(settings.index_root / ".lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _copy_index(live: Settings, target: Settings) -> None:
    """The index in use copied into a new generation, to be brought up to date there. Chroma's database is copied
    through SQLite's backup API (a consistent snapshot while other processes read it); its vector folders as files.
    On a Chroma server, the generation's collections are copied into the new generation's."""
    if live.chroma_url:
        target.index_dir.mkdir(parents=True)
        source, copy = open_store(live), open_store(target)
        copy_collections(source, copy)
        source.client.close()
        copy.client.close()
        if live.dictionary_path.is_file():
            shutil.copyfile(live.dictionary_path, target.dictionary_path)
        return
    target.store_dir.mkdir(parents=True)
    live_ids = live_segments(live.store_dir) or set()
    for entry in live.store_dir.iterdir():
        if entry.is_dir() and entry.name in live_ids:
            shutil.copytree(entry, target.store_dir / entry.name)
    with closing(sqlite3.connect(f"file:{live.store_dir / 'chroma.sqlite3'}?mode=ro", uri=True)) as source, \
            closing(sqlite3.connect(target.store_dir / "chroma.sqlite3")) as copy:
        source.backup(copy)
    if live.dictionary_path.is_file():
        shutil.copyfile(live.dictionary_path, target.dictionary_path)


def _switch(settings: Settings, generation: Path) -> None:
    """Points data_dir/index/CURRENT at generation in one atomic rename: readers see the old index or the new one."""
    pointer = settings.index_root / "CURRENT"
    scratch = pointer.with_name(f".CURRENT.{os.getpid()}")
    with open(scratch, "w", encoding="utf-8") as handle:
        handle.write(generation.name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(scratch, pointer)


def _remove_stale(settings: Settings, keep: set[Path]) -> None:
    """Generations other than the current one and the one it replaced are removed, as are builds that never finished,
    unless a running assistant still answers from one (it holds its lease: hold_generation); the files of an index
    from before generations go once a generation has replaced another generation, on the same condition."""
    for folder in settings.index_root.iterdir():
        if folder.is_dir() and folder not in keep and GENERATION.fullmatch(folder.name) and _unused(folder):
            shutil.rmtree(folder, ignore_errors=True)
    if settings.chroma_url:  # and their collections on the Chroma server
        kept = {folder.name for folder in settings.index_root.iterdir() if folder.is_dir() and GENERATION.fullmatch(folder.name)}
        kept |= {generation_name(folder) for folder in keep}
        delete_collections(settings, [name for generation, names in server_generations(settings).items()
                                      if generation not in kept for name in names])
    if settings.data_dir not in keep and _unused(settings.data_dir):
        for legacy in ("chroma", "bm25"):
            shutil.rmtree(settings.data_dir / legacy, ignore_errors=True)
        for legacy in ("index_state.json", "dictionary.json"):
            (settings.data_dir / legacy).unlink(missing_ok=True)


LEASE = ".lease"


def hold_generation(index_dir: Path) -> IO | None:
    """A shared lock on the generation in index_dir, held for as long as the returned file is open: builds leave a
    generation someone answers from in place (an app that sat idle through two builds by other processes still has
    its files), and remove it once the last holder has let go. None where the lease cannot be taken (a read-only data
    dir without one: nothing is removed there anyway)."""
    try:
        handle = open(index_dir / LEASE, "a+b")
    except OSError:
        try:
            handle = open(index_dir / LEASE, "rb")
        except OSError:
            return None
    fcntl.flock(handle, fcntl.LOCK_SH)
    return handle


def _unused(index_dir: Path) -> bool:
    """No assistant holds the generation in index_dir (see hold_generation)."""
    lease = index_dir / LEASE
    if not lease.is_file():
        return True
    with open(lease, "rb") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
    return True


@dataclass
class Embed:
    """The build's embedding step: the model, behind the cache of what it embedded before (when on). progress: a
    tqdm bar per embedding pass (chunks, sentences, claims), which the app's progress bar follows."""
    embedder: object
    cache: EmbeddingCache | None
    progress: bool

    def __call__(self, texts: list[str]) -> list[list[float]]:
        if self.cache is None:
            return self.embedder.get_text_embedding_batch(texts, show_progress=self.progress)
        return self.cache.embed(self.embedder, texts, self.progress)


def _index_report(writes: BatchedWrites, embed: Embed, report: Report, settings: Settings) -> None:
    lines = content_lines(report.text, report.meta.title)
    chunks = chunk_report(report.meta.id, report.text, lines, settings.chunk_chars)
    nodes = [chunk_node(c, report.meta) for c in chunks]
    for node, embedding in zip(nodes, embed([n.get_content(metadata_mode="embed") for n in nodes])):
        node.embedding = embedding
    rows = [row for c in chunks for row in sentence_rows(c, report.text)]
    claims = claim_rows(rows)
    writes.add(nodes, rows, embed([sentence_context(report, t) for _, t, _ in rows]),
               claims, embed([sentence_context(report, t) for _, t, _ in claims]))


def sentence_context(report: Report, sentence: str) -> str:
    """What a sentence is embedded as: its report's region and year, then the sentence."""
    return f"{report.meta.region}{report.meta.year}年: {sentence}"
