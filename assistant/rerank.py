"""Sentence-level reranking: score every sentence of the fused candidate passages against the parsed
question, then order the passages by their best sentence, so the passage holding the answer sentence is first.

Written as a plain step rather than a llama-index node postprocessor: a postprocessor sees only the query
string, and this score needs the parsed question (scope, unit, focus, plan-vs-done)."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import numpy as np

from assistant.figures import find_figures, unit_matches
from assistant.question import Question
from assistant.retrieve import Passage
from index.bm25 import normalize
from index.claims import Claim
from index.load import ReportMeta
from index.store import SentenceTable

# Weights of the sentence score; chosen on the eval set (eval/README.md).
W_DENSE, W_LEXICAL, W_SCOPE, W_FIGURE, W_PRIOR, W_PLAN, W_FOCUS, W_OTHER_YEAR, W_NAME = 1.0, 0.3, 0.15, 0.2, 0.05, 0.2, 0.1, 0.1, 0.15
# Forward-looking text: plans and targets, not what was done.
_PLAN_SECTION = re.compile(r"下一步|下一年度|主要安排|工作安排|工作计划")
_PLAN_SENTENCE = re.compile(r"预计|计划|力争|将[新增推出实现]|不少于|(?<![模虚])拟(?!定)")
_SENTENCE_YEAR = re.compile(r"(?<!\d)(20\d\d)年")


@dataclass
class Candidate:
    text: str
    start: int
    end: int
    meta: ReportMeta
    section: str
    chunk_id: str
    score: float
    scope: float = 0.0
    dense: float = 0.0                                 # question-sentence cosine similarity
    claims: list[Claim] = field(default_factory=list)  # the sentence's figure claims (index/claims.py)
    passage_rank: int = 0
    claim_dense: list[float] = field(default_factory=list)  # question-claim cosine similarity, per claim


def rank_sentences(question: Question, q_emb: np.ndarray, passages: list[Passage], table: SentenceTable,
                   reports: dict[str, ReportMeta]) -> list[Candidate]:
    """Every sentence of the passages, best first."""
    candidates = []
    for rank, passage in enumerate(passages):
        section = passage.meta.get("section", "")
        for row in table.by_chunk.get(passage.node.node_id, []):
            meta = reports[table.metas[row]["report_id"]]
            text = table.texts[row]
            scope = scope_match(question, meta, text)
            dense = float(table.embeddings[row] @ q_emb)
            score = (W_DENSE * dense
                     + W_LEXICAL * term_coverage(question.topic_terms, text)
                     + W_FOCUS * term_coverage(question.focus, text)
                     + W_NAME * term_coverage(question.names, text)
                     + W_SCOPE * scope
                     + W_FIGURE * figure_fit(question, text)
                     + W_PRIOR / (rank + 1)
                     - W_PLAN * plan_mismatch(question, section, text)
                     - W_OTHER_YEAR * other_year(question, text))
            candidates.append(Candidate(text, table.metas[row]["start"], table.metas[row]["end"], meta, section,
                                        passage.node.node_id, score, scope, dense, table.claims[row], rank,
                                        (table.claim_embeddings[row] @ q_emb).tolist()))
    return sorted(candidates, key=lambda c: -c.score)


def best_sentences(ranked: list[Candidate]) -> dict[str, Candidate]:
    """Each passage's (chunk id's) highest-ranked sentence."""
    best: dict[str, Candidate] = {}
    for c in ranked:
        best.setdefault(c.chunk_id, c)
    return best


def order_passages(passages: list[Passage], ranked: list[Candidate]) -> list[Passage]:
    """Passages in the order of their best sentence (a passage without sentences keeps its fused place after them)."""
    best = best_sentences(ranked)
    return sorted(passages, key=lambda p: -best[p.node.node_id].score if p.node.node_id in best else float("inf"))


# the same sentences and claim texts are tested against many terms and many questions: normalize each once
normalized = functools.lru_cache(maxsize=1 << 16)(normalize)


def term_coverage(terms: list[str], sentence: str) -> float:
    """Share of the terms found in the sentence."""
    if not terms:
        return 0.0
    haystack = normalized(sentence)
    return sum(t.lower() in haystack for t in terms) / len(terms)  # Latin words as the reports write them: "AI"


def plan_mismatch(question: Question, section: str, sentence: str) -> float:
    """1 when the sentence states a plan or target but the question asks what was done."""
    if question.asks_plan:
        return 0.0
    return 1.0 if _PLAN_SECTION.search(section) or _PLAN_SENTENCE.search(sentence) else 0.0


def other_year(question: Question, sentence: str) -> float:
    """1 when the question names a year and the sentence is dated by other years only ("预计2023年…" for 2022)."""
    if not question.years:
        return 0.0
    named = {int(y) for y in _SENTENCE_YEAR.findall(sentence)}
    return 1.0 if named and not named & set(question.years) else 0.0


def scope_match(question: Question, meta: ReportMeta, sentence: str) -> float:
    """+1 when the report is the one the question names, -1 when it names another, 0 when it names none."""
    if question.other_places and not question.regions and not all(p in sentence for p in question.other_places):
        return -1.0  # the question is about a place no report covers
    checks = []
    if question.regions:
        checks.append(meta.region in question.regions)
    if question.level:
        checks.append(meta.level == question.level)
    if question.years:
        checks.append(meta.year in question.years or any(f"{y}年" in sentence for y in question.years))
    if not checks:
        return 0.0
    return 1.0 if all(checks) else -1.0


def figure_fit(question: Question, sentence: str) -> float:
    if question.wants == "text":
        return 0.0
    figures = [f for f in find_figures(sentence) if f.is_date == (question.wants == "date")]
    if not figures:
        return 0.0
    if not question.unit:
        return 0.5
    return 1.0 if any(unit_matches(question.unit, f.unit) for f in figures) else 0.25
