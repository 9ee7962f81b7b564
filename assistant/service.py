"""The assistant as a library: load the index once, then retrieve and answer. The CLI and the UI call this."""
from __future__ import annotations

import time
from dataclasses import replace

import jieba
import numpy as np
from llama_index.core.schema import QueryBundle

from assistant.answer import compose, rank_sentences, scope_match
from assistant.question import Glossary, Question, RegionIndex, parse_question, validate_question
from assistant.retrieve import HybridRetriever, Passage
from assistant.schema import Answer, RetrievedPassage
from assistant.settings import Settings
from index.bm25 import BM25Index
from index.build import build_index, index_is_current
from index.embed import build_embedder
from index.load import load_reports
from index.store import all_chunk_nodes, load_sentences, open_store

GLOSSARY_FILE = "glossary.tsv"


class Assistant:
    def __init__(self, settings: Settings, progress: bool = True) -> None:
        self.settings = settings
        reports = load_reports(settings.manifest_path)
        if not index_is_current(settings, reports):
            build_index(settings, progress=progress)
        self.reports = {r.meta.id: r.meta for r in reports}
        self.glossary = Glossary.load(settings.corpus_dir / GLOSSARY_FILE)
        self.regions = RegionIndex(list(self.reports.values()))
        self.coverage = {m.region: sorted(x.year for x in self.reports.values() if x.region == m.region) for m in self.reports.values()}
        self.embedder = build_embedder(settings)
        store = open_store(settings)
        nodes = {n.node_id: n for n in all_chunk_nodes(store)}
        self.retriever = HybridRetriever(store, self.embedder, BM25Index(settings.bm25_dir), nodes, settings)
        self.sentences = load_sentences(store)
        jieba.initialize()

    # --- understanding ---
    def understand(self, text: str, history: list[dict] | None = None) -> Question:
        question = parse_question(text, self.glossary, self.regions)
        return _inherit_scope(question, history or [], self)

    # --- retrieval ---
    def search(self, question: Question, k: int) -> tuple[np.ndarray, list[Passage]]:
        q_emb = np.asarray(self.embedder.get_query_embedding(question.text), dtype=np.float32)
        bundle = QueryBundle(query_str=question.text, embedding=q_emb.tolist())
        scope = lambda meta: scope_match(question, self.reports[meta["report_id"]], "")  # noqa: E731
        return q_emb, self.retriever.search(bundle, question.terms, k, scope)

    def retrieve(self, text: str, k: int | None = None) -> list[RetrievedPassage]:
        question = self.understand(validate_question(text, self.settings.max_question_chars))
        _, passages = self.search(question, k or self.settings.top_k)
        return [_passage_out(rank, p) for rank, p in enumerate(passages, 1)]

    # --- answering ---
    def ask(self, text: str, history: list[dict] | None = None, qid: str | int | None = None) -> Answer:
        started = time.perf_counter()
        question = self.understand(validate_question(text, self.settings.max_question_chars), history)
        q_emb, passages = self.search(question, self.settings.top_k)
        retrieved = time.perf_counter()
        ranked = rank_sentences(question, q_emb, passages, self.sentences, self.reports)
        status, answer, citations = compose(question, ranked, self.settings, self.coverage)
        done = time.perf_counter()
        timings = {"retrieve": (retrieved - started) * 1000, "answer": (done - retrieved) * 1000, "total": (done - started) * 1000}
        return Answer(id=qid, question=text, status=status, answer=answer, citations=citations,
                      timings_ms={k: round(v, 1) for k, v in timings.items()}, lang=question.lang, kind=question.kind)


def _inherit_scope(question: Question, history: list[dict], assistant: Assistant) -> Question:
    """A follow-up that names no region/year keeps those of the last user turn that did."""
    if question.regions and question.years:
        return question
    for turn in reversed(history):
        if turn.get("role") != "user" or not isinstance(turn.get("content"), str):
            continue
        previous = parse_question(turn["content"], assistant.glossary, assistant.regions)
        if previous.regions or previous.years:
            return replace(question, regions=question.regions or previous.regions, years=question.years or previous.years)
    return question


def _passage_out(rank: int, p: Passage) -> RetrievedPassage:
    m = p.meta
    return RetrievedPassage(rank=rank, chunk_id=p.node.node_id, report_id=m["report_id"], title=m["title"], bureau=m["bureau"],
                            year=m["year"], section=m.get("section", ""), text=p.node.text, start=m["start"], end=m["end"],
                            score=round(p.score, 5), dense=None if p.dense is None else round(p.dense, 4),
                            bm25=None if p.bm25 is None else round(p.bm25, 3))
