"""The assistant as a library: load the index once, then understand, retrieve, rerank and answer.
The CLI, the UI and the eval runner all call this."""
from __future__ import annotations

import time
from dataclasses import dataclass, replace

import jieba
import numpy as np
from llama_index.core.schema import QueryBundle

from assistant.answer import compose
from assistant.glossary import Glossary, quoted_terms
from assistant.places import RegionIndex
from assistant.question import Question, parse_question, validate_question
from assistant.rerank import Candidate, best_sentences, order_passages, rank_sentences, scope_match
from assistant.retrieve import HybridRetriever, Passage
from assistant.schema import Answer, RetrievedPassage
from assistant.settings import Settings
from index.bm25 import BM25Index
from index.build import build_index, index_is_current
from index.embed import build_embedder
from index.load import load_reports
from index.store import all_chunk_nodes, load_sentences, open_store

@dataclass
class Retrieval:
    """One retrieval run: the passages in final order and every sentence of the candidates, best first."""
    question: Question
    scope_reports: list[str] | None  # reports matching what the question names (None: it names none)
    filtered: bool                   # whether retrieval was restricted to scope_reports
    passages: list[Passage]
    sentences: list[Candidate]


class Assistant:
    def __init__(self, settings: Settings, progress: bool = True) -> None:
        self.settings = settings
        reports = load_reports(settings.manifest_path)
        if not index_is_current(settings, reports):
            build_index(settings, progress=progress)
        self.reports = {r.meta.id: r.meta for r in reports}
        self.glossary = Glossary.load(settings.corpus_dir / settings.glossary_name) if settings.glossary_name else Glossary([])
        self.regions = RegionIndex(list(self.reports.values()), self.glossary.english_words(), self.glossary.domain_terms())
        self.report_names = set(quoted_terms([r.text for r in reports]))
        self.coverage = {m.region: sorted(x.year for x in self.reports.values() if x.region == m.region) for m in self.reports.values()}
        self.embedder = build_embedder(settings)
        store = open_store(settings)
        nodes = {n.node_id: n for n in all_chunk_nodes(store)}
        self.retriever = HybridRetriever(store, self.embedder, BM25Index(settings.bm25_dir), nodes, settings)
        self.sentences = load_sentences(store)
        jieba.initialize()

    # --- understanding ---
    def understand(self, text: str, history: list[dict] | None = None) -> Question:
        question = parse_question(text, self.glossary, self.regions, self.report_names)
        return _inherit_scope(question, history or [], self)

    def scope_reports(self, question: Question) -> list[str] | None:
        """The reports that match every region, level and year the question names; None when it names none."""
        if not (question.regions or question.level or question.years):
            return None
        return [rid for rid, m in self.reports.items()
                if (not question.regions or m.region in question.regions) and (not question.level or m.level == question.level)
                and (not question.years or m.year in question.years)]

    # --- retrieval: fuse dense + BM25 (boosted or filtered by scope), then rerank at sentence level ---
    def search(self, question: Question, k: int) -> tuple[np.ndarray, Retrieval]:
        q_emb = np.asarray(self.embedder.get_query_embedding(question.text), dtype=np.float32)
        bundle = QueryBundle(query_str=question.text, embedding=q_emb.tolist())
        in_scope = self.scope_reports(question)
        mode = self.settings.scope_mode
        boost = (lambda meta: scope_match(question, self.reports[meta["report_id"]], "")) if mode == "boost" else None  # noqa: E731
        only = in_scope if mode == "filter" and in_scope else None  # a filter that would leave nothing is dropped
        fused = self.retriever.search(bundle, question.terms, max(k, self.settings.rerank_depth), boost, only)
        ranked = rank_sentences(question, q_emb, fused, self.sentences, self.reports)
        passages = (order_passages(fused, ranked) if self.settings.sentence_rerank else fused)[:k]
        return q_emb, Retrieval(question, in_scope, only is not None, passages, ranked)

    def retrieve(self, text: str, k: int | None = None, history: list[dict] | None = None) -> list[RetrievedPassage]:
        return self.explain(text, k, history)[1]

    def explain(self, text: str, k: int | None = None, history: list[dict] | None = None) -> tuple[dict, list[RetrievedPassage]]:
        """What was understood from the question and the ranked passages, each with its best sentence."""
        question = self.understand(validate_question(text, self.settings.max_question_chars), history)
        _, run = self.search(question, k or self.settings.top_k)
        best = best_sentences(run.sentences)
        understood = question.explain() | {
            "scope_reports": run.scope_reports, "scope_mode": self.settings.scope_mode, "filtered": run.filtered,
            "bureaus": sorted({self.reports[r].bureau for r in run.scope_reports or []})}
        return understood, [_passage_out(rank, p, best.get(p.node.node_id)) for rank, p in enumerate(run.passages, 1)]

    # --- answering ---
    def ask(self, text: str, history: list[dict] | None = None, qid: str | int | None = None) -> Answer:
        started = time.perf_counter()
        question = self.understand(validate_question(text, self.settings.max_question_chars), history)
        _, run = self.search(question, self.settings.top_k)
        retrieved = time.perf_counter()
        status, answer, citations = compose(question, run.sentences, self.settings, self.coverage)
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


def _passage_out(rank: int, p: Passage, best: Candidate | None) -> RetrievedPassage:
    m = p.meta
    return RetrievedPassage(rank=rank, chunk_id=p.node.node_id, report_id=m["report_id"], title=m["title"], bureau=m["bureau"],
                            year=m["year"], section=m.get("section", ""), text=p.node.text, start=m["start"], end=m["end"],
                            score=round(p.score, 5), dense=None if p.dense is None else round(p.dense, 4),
                            bm25=None if p.bm25 is None else round(p.bm25, 3),
                            best_sentence=best.text if best else None, sentence_score=round(best.score, 4) if best else None)
