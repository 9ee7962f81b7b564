"""Hybrid retrieval: dense (Chroma through llama-index) + BM25 (bm25s over jieba tokens), fused."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from llama_index.core import VectorStoreIndex
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from llama_index.core.vector_stores import FilterOperator, MetadataFilter, MetadataFilters

from assistant.settings import Settings
from index.bm25 import BM25Index, tokenize
from index.store import Store


@dataclass
class Passage:
    node: TextNode
    score: float        # fused score, higher is better
    dense: float | None  # cosine similarity, if the dense side found it
    bm25: float | None   # BM25 score, if the lexical side found it

    @property
    def meta(self) -> dict:
        return self.node.metadata


class JiebaBM25Retriever(BaseRetriever):
    """BM25 over the stored chunks; the query is given as jieba terms (plus glossary expansions)."""

    def __init__(self, bm25: BM25Index, nodes: dict[str, TextNode], top_k: int) -> None:
        super().__init__()
        self.bm25, self.nodes, self.top_k = bm25, nodes, top_k
        # each bm25 row's report ("" for a row without a stored chunk): reports are picked by one array comparison,
        # not a Python pass over every chunk (11,770 at 300 reports)
        self.report_of = np.asarray([nodes[cid].metadata["report_id"] if cid in nodes else "" for cid in bm25.chunk_ids])

    def search(self, terms: list[str], only_reports: list[str] | None = None,
               focus: list[str] | None = None, focus_k: int = 5) -> list[NodeWithScore]:
        """The top_k chunks (of only_reports, when given); with focus, the focus_k best of those reports join them."""
        scores = self.bm25.scores(terms)
        allowed = self.report_of != ""
        if only_reports:
            allowed &= np.isin(self.report_of, only_reports)
        best = self._best(scores, allowed, self.top_k)
        if focus:
            best |= self._best(scores, allowed & np.isin(self.report_of, focus), focus_k)
        ids = self.bm25.chunk_ids
        return [NodeWithScore(node=self.nodes[ids[i]], score=float(scores[i])) for i in sorted(best, key=lambda i: (-scores[i], i))]

    @staticmethod
    def _best(scores: np.ndarray, allowed: np.ndarray, k: int) -> set[int]:
        """The rows of the k highest positive scores among the allowed ones (ties: the earlier row)."""
        rows = np.flatnonzero(allowed & (scores > 0))
        return set(rows[np.argsort(-scores[rows], kind="stable")[:k]].tolist())

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return self.search(tokenize(query_bundle.query_str))


class HybridRetriever(BaseRetriever):
    """Runs both retrievers and fuses their rankings (the fusion rule is a setting, chosen by measurement).

    Fusion is written here because llama-index's QueryFusionRetriever insists on an LLM even for one query.
    """

    def __init__(self, store: Store, embedder: BaseEmbedding, bm25: BM25Index, nodes: dict[str, TextNode], settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self.index = VectorStoreIndex.from_vector_store(store.vector_store, embed_model=embedder)
        self.dense = self.index.as_retriever(similarity_top_k=settings.dense_k)
        self.lexical = JiebaBM25Retriever(bm25, nodes, settings.bm25_k)
        self.nodes = nodes

    def search(self, query: QueryBundle, terms: list[str], k: int, scope: Callable[[dict], float] | None = None,
               only_reports: list[str] | None = None, focus: list[str] | None = None) -> list[Passage]:
        """Top k fused passages. scope(metadata) in [-1, 1] nudges passages of the named report up or down;
        only_reports, when given, restricts both retrievers to those reports (a metadata filter); focus (the reports a
        question names) adds each retriever's best hits from those reports to its library-wide ones, so among
        hundreds of near-identical reports the named one's passages are candidates while the rest still compete."""
        dense_hits = self._dense(only_reports).retrieve(query)
        if focus:
            seen = {h.node.node_id for h in dense_hits}
            dense_hits += [h for h in self._dense(focus, self.settings.focus_k).retrieve(query) if h.node.node_id not in seen]
            dense_hits.sort(key=lambda h: -(h.score or 0.0))  # cosine similarities: one scale for both searches
        lexical_hits = self.lexical.search(terms, only_reports, focus, self.settings.focus_k)
        passages = fuse(dense_hits, lexical_hits, self.nodes, self.settings)
        if scope:
            for p in passages:
                p.score += self.settings.scope_boost * scope(p.meta)
            passages.sort(key=lambda p: -p.score)
        return passages[:k]

    def _dense(self, only_reports: list[str] | None, k: int | None = None) -> BaseRetriever:
        if not only_reports:
            return self.dense
        filters = MetadataFilters(filters=[MetadataFilter(key="report_id", value=only_reports, operator=FilterOperator.IN)])
        return self.index.as_retriever(similarity_top_k=k or self.settings.dense_k, filters=filters)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        passages = self.search(query_bundle, tokenize(query_bundle.query_str), self.settings.top_k)
        return [NodeWithScore(node=p.node, score=p.score) for p in passages]


def fuse(dense_hits: list[NodeWithScore], lexical_hits: list[NodeWithScore], nodes: dict[str, TextNode], settings: Settings) -> list[Passage]:
    dense = {h.node.node_id: h.score or 0.0 for h in dense_hits}
    lexical = {h.node.node_id: h.score or 0.0 for h in lexical_hits}
    if settings.fusion == "rrf":
        fused = _rrf([list(dense), list(lexical)], [settings.dense_weight, settings.bm25_weight], settings.rrf_k)
    else:
        fused = _relative([dense, lexical], [settings.dense_weight, settings.bm25_weight])
    ranked = sorted(fused.items(), key=lambda kv: -kv[1])
    return [Passage(node=nodes[cid], score=s, dense=dense.get(cid), bm25=lexical.get(cid)) for cid, s in ranked if cid in nodes]


def _rrf(rankings: list[list[str]], weights: list[float], k: int) -> dict[str, float]:
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, cid in enumerate(ranking):
            fused[cid] = fused.get(cid, 0.0) + weight / (k + rank + 1)
    return fused


def _relative(score_maps: list[dict[str, float]], weights: list[float]) -> dict[str, float]:
    """Min-max normalised scores, weighted and summed (a chunk missing from one side gets 0 there)."""
    fused: dict[str, float] = {}
    for scores, weight in zip(score_maps, weights):
        if not scores:
            continue
        lo, hi = min(scores.values()), max(scores.values())
        for cid, s in scores.items():
            fused[cid] = fused.get(cid, 0.0) + weight * ((s - lo) / (hi - lo) if hi > lo else 1.0)
    return fused
