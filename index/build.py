"""The indexing pipeline: load -> clean -> chunk -> embed -> store, incremental and idempotent.

Each report is fingerprinted (text + metadata); only new or changed reports are re-embedded, and
their old chunks are deleted first. Changing the embedding model or chunk size rebuilds everything.
"""
from __future__ import annotations

import hashlib
import json
import logging
import shutil
from dataclasses import dataclass, field

from chromadb.api.client import SharedSystemClient
from tqdm import tqdm

from assistant.dictionary import Dictionary
from assistant.settings import Settings
from index.bm25 import build_bm25
from index.chunk import chunk_report
from index.clean import content_lines
from index.embed import build_embedder
from index.load import Report, load_reports
from index.store import (ReadOnlyError, Store, add_claims, add_sentences, all_chunk_nodes, chunk_node, claim_rows,
                         delete_report, drop_collections, open_store, remove_orphaned_segments, sentence_rows, writable)

log = logging.getLogger(__name__)
PIPELINE_VERSION = 4  # bump when chunking or cleaning logic changes what is stored


@dataclass
class BuildSummary:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    chunks: int = 0
    sentences: int = 0


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
    return (
        state.get("config") == index_config(settings)
        and state.get("reports") == {r.meta.id: fingerprint(r) for r in reports}
        and settings.dictionary_path.is_file()
        and "counts" in state
        and not index_damage(settings, state)
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
    except Exception as err:  # chromadb raises many kinds on a damaged sqlite file or segment folder
        return [f"the vector store cannot be opened ({type(err).__name__})"]
    problems = [f"{name}: {stored[name]} stored, {counts.get(name)} built" for name in stored if stored[name] != counts.get(name)]
    try:
        bm25_rows = len(json.loads((settings.bm25_dir / "chunk_ids.json").read_text(encoding="utf-8")))
    except (OSError, ValueError):
        bm25_rows = None
    if bm25_rows != counts.get("chunks"):
        problems.append(f"lexical index: {bm25_rows} rows, {counts.get('chunks')} chunks built")
    return problems


def build_index(settings: Settings, rebuild: bool = False, progress: bool = True) -> BuildSummary:
    """Bring the stored index in line with the manifest; returns what changed."""
    if not writable(settings.data_dir):
        raise ReadOnlyError(f"the data dir {settings.data_dir} is read-only: the index cannot be built or brought "
                            "up to date there (GOVQA_DATA_DIR names another)")
    reports = load_reports(settings.manifest_path)  # validate everything before touching the store
    state = read_state(settings)
    damage = index_damage(settings, state) if state else []
    if rebuild or damage or state.get("config") != index_config(settings):
        if damage:
            log.warning("the stored index is damaged (%s); rebuilding it from the corpus", "; ".join(damage))
        _wipe(settings)
        state = {}
    known: dict[str, str] = state.get("reports", {})
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
        embedder = build_embedder(settings)
        for report in tqdm(todo, desc="indexing reports", unit="report", disable=not progress):
            (summary.replaced if report.meta.id in known else summary.added).append(report.meta.id)
            delete_report(store, report.meta.id)
            _index_report(store, embedder, report, settings, progress)

    # --- English words for the corpus's Chinese words (CC-CEDICT), rebuilt when the reports change ---
    if todo or summary.removed or not settings.dictionary_path.is_file():
        Dictionary.build([r.text for r in reports]).save(settings.dictionary_path)

    # --- lexical index over exactly the stored chunks ---
    nodes = all_chunk_nodes(store)
    build_bm25([n.node_id for n in nodes], [n.get_content(metadata_mode="embed") for n in nodes], settings.bm25_dir)
    summary.chunks, summary.sentences = len(nodes), store.sentences.count()

    # --- the state is written last: an interrupted build is simply redone ---
    counts = {"chunks": len(nodes), "sentences": summary.sentences, "claims": store.claims.count()}
    state = {"config": index_config(settings), "reports": {r.meta.id: fingerprint(r) for r in reports}, "counts": counts}
    settings.state_path.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    orphans = remove_orphaned_segments(settings.store_dir)
    if orphans:
        log.info("removed %d vector folders of dropped collections", len(orphans))
    return summary


def _index_report(store: Store, embedder, report: Report, settings: Settings, progress: bool = False) -> None:
    """progress: a tqdm bar per embedding pass (chunks, then sentences), which the app's progress bar follows."""
    lines = content_lines(report.text, report.meta.title)
    chunks = chunk_report(report.meta.id, report.text, lines, settings.chunk_chars)
    nodes = [chunk_node(c, report.meta) for c in chunks]
    texts = [n.get_content(metadata_mode="embed") for n in nodes]
    for node, embedding in zip(nodes, embedder.get_text_embedding_batch(texts, show_progress=progress)):
        node.embedding = embedding
    store.vector_store.add(nodes)
    rows = [row for c in chunks for row in sentence_rows(c, report.text)]
    sentences = [sentence_context(report, t) for _, t, _ in rows]
    add_sentences(store, rows, embedder.get_text_embedding_batch(sentences, show_progress=progress))
    claims = claim_rows(rows)
    add_claims(store, claims, embedder.get_text_embedding_batch([sentence_context(report, t) for _, t, _ in claims],
                                                                 show_progress=progress))


def sentence_context(report: Report, sentence: str) -> str:
    """What a sentence is embedded as: its report's region and year, then the sentence."""
    return f"{report.meta.region}{report.meta.year}年: {sentence}"


def _wipe(settings: Settings) -> None:
    """Drop the derived index (never the corpus). Collections are dropped through Chroma, not by deleting
    its files, because Chroma keeps one client per path alive inside the process; a store Chroma cannot open
    any more is deleted as files."""
    try:
        drop_collections(open_store(settings))
    except Exception:  # a damaged sqlite file or segment: nothing in it is worth keeping
        SharedSystemClient.clear_system_cache()
        shutil.rmtree(settings.store_dir, ignore_errors=True)
    if settings.bm25_dir.exists():
        shutil.rmtree(settings.bm25_dir)
    settings.state_path.unlink(missing_ok=True)
    settings.dictionary_path.unlink(missing_ok=True)  # (the ranker stays: its fingerprint says whether it fits)
