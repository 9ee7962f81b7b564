"""Stage 5: persist chunks (llama-index nodes in Chroma) and their sentences (a second Chroma collection)."""
from __future__ import annotations

import atexit
import functools
import json
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import chromadb
import numpy as np
from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode
from llama_index.core.vector_stores.utils import metadata_dict_to_node
from llama_index.vector_stores.chroma import ChromaVectorStore

from assistant.settings import GENERATION, LEGACY, Settings
from index.chunk import Chunk
from index.claims import Claim, sentence_claims
from index.load import ReportMeta

CHUNKS = "report-chunks"
SENTENCES = "report-sentences"
CLAIMS = "report-claims"
# Sentences and claims are kept in Chroma with their vectors, which the serving copy holds in memory and scores all
# at once: no question searches their graph, so it is built as cheaply as Chroma allows (half of their write time).
KEPT = {"hnsw": {"space": "cosine", "ef_construction": 10, "max_neighbors": 4}}
# Metadata the embedder sees next to the chunk text: which report, which section.
EMBED_KEYS = ("title", "section")


@dataclass
class Store:
    client: chromadb.api.ClientAPI
    chunks: chromadb.Collection
    sentences: chromadb.Collection
    claims: chromadb.Collection

    @property
    def vector_store(self) -> ChromaVectorStore:
        return ChromaVectorStore(chroma_collection=self.chunks)


class ReadOnlyError(OSError):
    """The data dir cannot be written: its index is served as it is, and nothing can be built or added."""


def writable(folder: Path) -> bool:
    """Whether files can be created in folder (or in the nearest existing folder above it). Tried, not read from
    the permission bits: those say nothing about a read-only mount, nor to root."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def open_store(settings: Settings) -> Store:
    """The Chroma store of the index: on the Chroma server settings.chroma_url names, or embedded in the index's
    folder; for a read-only data dir a private copy of that (Chroma writes to its database even to read), which
    answers questions exactly as the original would."""
    if settings.chroma_url:
        client = server_client(settings.chroma_url)
    else:
        path = settings.store_dir
        if not writable(settings.data_dir):
            if not (path / "chroma.sqlite3").is_file():
                raise ReadOnlyError(f"the data dir {settings.data_dir} is read-only and holds no index")
            path = _scratch_copy(path)
        path.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(path), settings=chromadb.Settings(anonymized_telemetry=False))
    cosine = {"hnsw": {"space": "cosine", "ef_search": settings.dense_ef_search}}
    prefix = settings.collection_prefix
    store = Store(
        client=client,
        chunks=client.get_or_create_collection(prefix + CHUNKS, configuration=cosine),
        sentences=client.get_or_create_collection(prefix + SENTENCES, configuration=KEPT),
        claims=client.get_or_create_collection(prefix + CLAIMS, configuration=KEPT),
    )
    if (store.chunks.configuration_json.get("hnsw") or {}).get("ef_search") != settings.dense_ef_search:
        store.chunks.modify(configuration={"hnsw": {"ef_search": settings.dense_ef_search}})  # an index built before
    return store


class StoreUnavailable(OSError):
    """The Chroma server (GOVQA_CHROMA_URL) does not answer: nothing is built or judged damaged meanwhile."""


def server_client(url: str) -> chromadb.api.ClientAPI:
    """A client of the Chroma server at url (http(s)://host:port); StoreUnavailable when it does not answer."""
    parts = urlsplit(url)
    try:
        return chromadb.HttpClient(host=parts.hostname, port=parts.port or (443 if parts.scheme == "https" else 80),
                                   ssl=parts.scheme == "https", settings=chromadb.Settings(anonymized_telemetry=False))
    except ValueError as err:  # chromadb's "Could not connect to a Chroma server"
        raise StoreUnavailable(f"the Chroma server at {url} does not answer (GOVQA_CHROMA_URL): {err}") from None


PAGE = 250


def pages(collection, include: list[str], page: int = PAGE) -> Iterator[dict]:
    """A collection's records a page at a time: one get() of all of them makes Chroma hold every record at once
    (at 300 reports, +200 MB of resident memory that stays after it is freed)."""
    for offset in range(0, collection.count(), page):
        got = collection.get(include=include, limit=page, offset=offset)
        if got["ids"]:
            yield got


def copy_collections(source: Store, target: Store, page: int = PAGE) -> None:
    """Every record of source's collections (ids, texts, metadata, vectors) added to target's, a page at a time: a
    new generation starts as a copy of the one in use (index/build.py), also from one store to another."""
    for name in ("chunks", "sentences", "claims"):
        copy = getattr(target, name)
        for got in pages(getattr(source, name), ["documents", "metadatas", "embeddings"], page):
            copy.add(ids=got["ids"], documents=got["documents"], metadatas=got["metadatas"], embeddings=got["embeddings"])


def server_generations(settings: Settings) -> dict[str, list[str]]:
    """The library's collections on its Chroma server, by the generation they belong to ("legacy" for none)."""
    client = server_client(settings.chroma_url)
    names: dict[str, list[str]] = {}
    for collection in client.list_collections():
        name = getattr(collection, "name", collection)
        # exactly "<prefix>-<generation>-report-<kind>": another library's "govqa-b-…" is not "govqa"'s
        if (m := _OWN_COLLECTION.fullmatch(name)) and m.group(1) == settings.chroma_prefix:
            names.setdefault(m.group(2), []).append(name)
    client.close()
    return names


# "<prefix>-<generation>-<collection>", as Settings.collection_prefix and open_store name them
_OWN_COLLECTION = re.compile(rf"(.+)-({GENERATION.pattern.strip('^$')}|{LEGACY})-(?:{CHUNKS}|{SENTENCES}|{CLAIMS})")


def delete_collections(settings: Settings, names: list[str]) -> None:
    client = server_client(settings.chroma_url)
    for name in names:
        client.delete_collection(name)
    client.close()


@functools.cache
def _scratch_copy(path: Path) -> Path:
    """One temporary copy of a read-only store per process, removed at exit."""
    scratch = Path(tempfile.mkdtemp(prefix="govqa-store-"))
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    return Path(shutil.copytree(path, scratch / "chroma"))


def live_segments(path: Path) -> set[str] | None:
    """The ids of the segments Chroma's own database refers to (read-only), or None when it cannot be read."""
    try:
        with closing(sqlite3.connect(f"file:{path / 'chroma.sqlite3'}?mode=ro", uri=True)) as db:
            return {row[0] for row in db.execute("SELECT id FROM segments")}
    except sqlite3.Error:
        return None


def report_metadata(meta: ReportMeta) -> dict:
    """Flat report metadata copied onto every chunk (Chroma takes only flat str/int/float/bool)."""
    return {
        "report_id": meta.id, "title": meta.title, "bureau": meta.bureau, "region": meta.region,
        "level": meta.level, "year": meta.year,
    }


def chunk_node(chunk: Chunk, meta: ReportMeta) -> TextNode:
    metadata = report_metadata(meta) | {"section": " > ".join(chunk.section_path), "start": chunk.start, "end": chunk.end}
    return TextNode(
        id_=chunk.chunk_id,
        text=chunk.text,
        metadata=metadata,
        start_char_idx=chunk.start,
        end_char_idx=chunk.end,
        excluded_embed_metadata_keys=[k for k in metadata if k not in EMBED_KEYS],
        excluded_llm_metadata_keys=[k for k in metadata if k not in EMBED_KEYS],
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=meta.id)},
    )


def sentence_rows(chunk: Chunk, text: str) -> list[tuple[str, str, dict]]:
    """(id, text, metadata) of each sentence of a chunk; its figure claims (index/claims.py) go with it as JSON
    (Chroma metadata is flat)."""
    return [
        (f"{chunk.chunk_id}#{i}", text[s.start : s.end],
         {"report_id": chunk.report_id, "chunk_id": chunk.chunk_id, "start": s.start, "end": s.end,
          "claims": json.dumps([c.as_dict() for c in sentence_claims(text[s.start : s.end], text[max(0, s.start - 300): s.start])],
                               ensure_ascii=False)})
        for i, s in enumerate(chunk.sentences)
    ]


def delete_report(store: Store, report_id: str) -> None:
    store.vector_store.delete(ref_doc_id=report_id)
    store.sentences.delete(where={"report_id": report_id})
    store.claims.delete(where={"report_id": report_id})


def add_sentences(store: Store, rows: list[tuple[str, str, dict]], embeddings: list[list[float]]) -> None:
    if rows:
        ids, texts, metas = zip(*rows)
        store.sentences.upsert(ids=list(ids), documents=list(texts), metadatas=list(metas), embeddings=embeddings)


def claim_rows(sentence_rows: list[tuple[str, str, dict]]) -> list[tuple[str, str, dict]]:
    """(id, text, metadata) of each figure claim of the sentences: what it counts, with its subject, is embedded
    on its own, so a question can be matched to one figure of a sentence that holds several."""
    rows = []
    for sentence_id, _, meta in sentence_rows:
        for k, claim in enumerate(json.loads(meta["claims"])):
            text = claim["label"] if claim["lead"] in claim["clause"] else f"{claim['lead']}，{claim['label']}"
            rows.append((f"{sentence_id}~{k}", text, {"report_id": meta["report_id"], "sentence_id": sentence_id, "k": k}))
    return rows


def add_claims(store: Store, rows: list[tuple[str, str, dict]], embeddings: list[list[float]]) -> None:
    if rows:
        ids, texts, metas = zip(*rows)
        store.claims.upsert(ids=list(ids), documents=list(texts), metadatas=list(metas), embeddings=embeddings)


# Records per Chroma write. Each write has a fixed cost: 4,000 records took 12 s written 40 at a time (one report's
# chunks) and 2 s written 500 at a time, so a build gathers its reports' records and writes them in large batches.
WRITE_BATCH = 2000


class BatchedWrites:
    """Chunk nodes (with their vectors), sentence rows and claim rows gathered across reports, written to the store
    once WRITE_BATCH records are waiting and at flush(). A report's old records are deleted (delete_report) before
    its new ones are gathered, so the order of writes per report is kept."""

    def __init__(self, store: Store, batch: int = WRITE_BATCH) -> None:
        self.store, self.batch = store, batch
        self.nodes: list[TextNode] = []
        self.sentences: tuple[list, list] = ([], [])
        self.claims: tuple[list, list] = ([], [])

    def add(self, nodes: list[TextNode], sentences: list[tuple[str, str, dict]], sentence_vectors: list[list[float]],
            claims: list[tuple[str, str, dict]], claim_vectors: list[list[float]]) -> None:
        self.nodes += nodes
        self.sentences[0].extend(sentences)
        self.sentences[1].extend(sentence_vectors)
        self.claims[0].extend(claims)
        self.claims[1].extend(claim_vectors)
        if len(self.nodes) + len(self.sentences[0]) + len(self.claims[0]) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self.nodes:
            self.store.vector_store.add(self.nodes)
        add_sentences(self.store, *self.sentences)
        add_claims(self.store, *self.claims)
        self.nodes, self.sentences, self.claims = [], ([], []), ([], [])


def all_chunk_nodes(store: Store) -> list[TextNode]:
    """Every stored chunk as a llama-index node, in a stable order."""
    return chunk_nodes(chunk_records(store))


def chunk_records(store: Store) -> list[tuple[str, dict]]:
    """Every stored chunk as (text, Chroma metadata)."""
    return [(doc, meta) for got in pages(store.chunks, ["documents", "metadatas"])
            for doc, meta in zip(got["documents"], got["metadatas"])]


def chunk_nodes(records: list[tuple[str, dict]]) -> list[TextNode]:
    """(text, Chroma metadata) records as llama-index nodes, in a stable order."""
    nodes = [metadata_dict_to_node(meta, text=doc) for doc, meta in records]
    return sorted(nodes, key=lambda n: (n.metadata["report_id"], n.start_char_idx))


@dataclass
class SentenceTable:
    """All stored sentences in memory: the answerer scores them against the question embedding."""

    ids: list[str]
    texts: list[str]
    metas: list[dict]
    embeddings: np.ndarray
    by_chunk: dict[str, list[int]]
    claims: list[list[Claim]]       # the figure claims of each sentence
    claim_embeddings: list[np.ndarray]  # per sentence, one row per claim (what it counts, with its subject)


def _claims(meta: dict) -> list[Claim]:
    return [Claim(**c) for c in json.loads(meta.get("claims") or "[]")]


def load_sentences(store: Store) -> SentenceTable:
    ids, texts, metas, vectors = [], [], [], []
    for got in pages(store.sentences, ["documents", "metadatas", "embeddings"]):
        ids += got["ids"]
        texts += got["documents"]
        metas += got["metadatas"]
        vectors.append(np.asarray(got["embeddings"], dtype=np.float32))
    embeddings = np.vstack(vectors) if vectors else np.zeros((0, 1), np.float32)
    claims = [_claims(meta) for meta in metas]
    row_of = {sentence_id: row for row, sentence_id in enumerate(ids)}
    claim_embeddings = [np.zeros((len(c), embeddings.shape[1]), np.float32) for c in claims]
    for got in pages(store.claims, ["metadatas", "embeddings"]):
        for meta, vector in zip(got["metadatas"], got["embeddings"]):
            row = row_of.get(meta["sentence_id"])
            if row is not None and meta["k"] < len(claims[row]):
                claim_embeddings[row][meta["k"]] = vector
    return _table(ids, texts, metas, embeddings, claims, claim_embeddings)


def _table(ids: list[str], texts: list[str], metas: list[dict], embeddings: np.ndarray, claims: list[list[Claim]],
           claim_embeddings: list[np.ndarray]) -> SentenceTable:
    by_chunk: dict[str, list[int]] = {}
    for row, meta in enumerate(metas):
        by_chunk.setdefault(meta["chunk_id"], []).append(row)
    return SentenceTable(ids, texts, metas, embeddings, by_chunk, claims, claim_embeddings)


# --- the serving copy: what an assistant loads at start, written once per build next to the store ---------------
# Reading every chunk, sentence and claim back from Chroma took most of a start at hundreds of reports (2.7 s of 7.9 s
# at 300) and left its records resident. A build writes them once more, as two JSON files and two float32 arrays
# that a start maps into memory (np.load mmap_mode="r": only the rows a question touches are read). Written by hand:
# Chroma has no export of a collection, and llama-index's docstore would hold no sentence or claim vectors.

def save_serving_copy(store: Store, folder: Path, records: list[tuple[str, dict]]) -> None:
    """The store's chunks (records: chunk_records, which the build has already read), sentences and claims (with
    their vectors) written to folder, replacing what it held."""
    table = load_sentences(store)
    scratch = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    (scratch / "chunks.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    (scratch / "sentences.json").write_text(json.dumps({"ids": table.ids, "texts": table.texts, "metas": table.metas},
                                                       ensure_ascii=False), encoding="utf-8")
    np.save(scratch / "vectors.npy", np.ascontiguousarray(table.embeddings, dtype=np.float32))
    dim = table.embeddings.shape[1]
    np.save(scratch / "claim_vectors.npy", np.vstack([np.zeros((0, dim), np.float32), *table.claim_embeddings]))
    shutil.rmtree(folder, ignore_errors=True)
    scratch.replace(folder)


def load_serving_copy(folder: Path, counts: dict | None) -> tuple[list[TextNode], SentenceTable] | None:
    """The chunk nodes and the sentence table save_serving_copy wrote, vectors mapped from disk; None when there is
    none, it cannot be read, or it does not hold the numbers of chunks and sentences the build recorded (the caller
    then reads the store)."""
    try:
        records = json.loads((folder / "chunks.json").read_text(encoding="utf-8"))
        sentences = json.loads((folder / "sentences.json").read_text(encoding="utf-8"))
        # mapped from disk, taken as plain array views of the mapping: rows are then taken as from any array (a
        # np.memmap subclass would run its own bookkeeping for every row the answerer takes)
        vectors = np.asarray(np.load(folder / "vectors.npy", mmap_mode="r"))
        claim_vectors = np.asarray(np.load(folder / "claim_vectors.npy", mmap_mode="r"))
        ids, texts, metas = sentences["ids"], sentences["texts"], sentences["metas"]
        claims = [_claims(meta) for meta in metas]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    sizes = [len(c) for c in claims]
    if (not isinstance(counts, dict) or len(records) != counts.get("chunks") or len(ids) != counts.get("sentences")
            or not len(ids) == len(texts) == len(metas) == len(vectors) or len(claim_vectors) != sum(sizes)
            or vectors.ndim != 2 or claim_vectors.ndim != 2 or claim_vectors.shape[1] != vectors.shape[1]):
        return None
    starts = np.cumsum([0, *sizes])
    claim_embeddings = [claim_vectors[start:start + size] for start, size in zip(starts, sizes)]
    return chunk_nodes(records), _table(ids, texts, metas, vectors, claims, claim_embeddings)
