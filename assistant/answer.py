"""Extractive answering without an LLM: rank the sentences of the retrieved passages, take the figure
the question asks for from the best one, and quote the supporting span(s) with [n] markers."""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.figures import Figure, find_figures
from assistant.question import Question
from assistant.retrieve import Passage
from assistant.schema import Citation
from assistant.settings import Settings
from index.bm25 import normalize
from index.load import ReportMeta
from index.store import SentenceTable

# Weights of the sentence score; chosen on the eval set (eval/README.md).
W_DENSE, W_LEXICAL, W_SCOPE, W_FIGURE, W_PRIOR, W_PLAN = 1.0, 0.3, 0.15, 0.2, 0.05, 0.1
# Forward-looking text: plans and targets, not what was done.
_PLAN_SECTION = re.compile(r"下一步|下一年度|主要安排|工作安排|工作计划")
_PLAN_SENTENCE = re.compile(r"预计|计划|力争|将[新增推出实现]|不少于")
_CLAUSE_BREAK = re.compile(r"[,，;；:：。]")


@dataclass
class Candidate:
    text: str
    start: int
    end: int
    meta: ReportMeta
    section: str
    score: float
    scope: float = 0.0


# --- scoring sentences ---------------------------------------------------------------------------

def rank_sentences(question: Question, q_emb: np.ndarray, passages: list[Passage], table: SentenceTable,
                   reports: dict[str, ReportMeta]) -> list[Candidate]:
    candidates = []
    for rank, passage in enumerate(passages):
        for row in table.by_chunk.get(passage.node.node_id, []):
            meta = reports[table.metas[row]["report_id"]]
            text = table.texts[row]
            scope = scope_match(question, meta, text)
            score = (W_DENSE * float(table.embeddings[row] @ q_emb)
                     + W_LEXICAL * lexical_coverage(question, text)
                     + W_SCOPE * scope
                     + W_FIGURE * figure_fit(question, text)
                     + W_PRIOR / (rank + 1)
                     - W_PLAN * plan_mismatch(question, passage.meta.get("section", ""), text))
            candidates.append(Candidate(text, table.metas[row]["start"], table.metas[row]["end"], meta,
                                        passage.meta.get("section", ""), score, scope))
    return sorted(candidates, key=lambda c: -c.score)


def lexical_coverage(question: Question, sentence: str) -> float:
    """Share of the question's topic terms (not its region/year words) found in the sentence."""
    terms = question.topic_terms
    if not terms:
        return 0.0
    haystack = normalize(sentence)
    return sum(t in haystack for t in terms) / len(terms)


def plan_mismatch(question: Question, section: str, sentence: str) -> float:
    """1 when the sentence states a plan or target but the question asks what was done."""
    if question.asks_plan:
        return 0.0
    return 1.0 if _PLAN_SECTION.search(section) or _PLAN_SENTENCE.search(sentence) else 0.0


def scope_match(question: Question, meta: ReportMeta, sentence: str) -> float:
    """+1 when the report is the one the question names, -1 when it names another, 0 when it names none."""
    if question.other_places and not question.regions and not all(p in sentence for p in question.other_places):
        return -1.0  # the question is about a place no report covers
    checks = []
    if question.regions:
        checks.append(meta.region in question.regions)
    if question.years:
        checks.append(meta.year in question.years or any(str(y) in sentence for y in question.years))
    if not checks:
        return 0.0
    return 1.0 if all(checks) else -1.0


def figure_fit(question: Question, sentence: str) -> float:
    if question.kind == "text":
        return 0.0
    figures = [f for f in find_figures(sentence) if f.is_date == (question.kind == "date")]
    if not figures:
        return 0.0
    if not question.unit:
        return 0.5
    return 1.0 if any(question.unit in f.unit for f in figures) else 0.25


# --- picking the figure ------------------------------------------------------------------------

def pick_figure(question: Question, sentence: str) -> Figure | None:
    """The figure of the sentence that answers the question: right kind, right unit, next to its topic."""
    wanted_date = question.kind == "date"
    figures = [f for f in find_figures(sentence) if f.is_date == wanted_date and (wanted_date or f.unit)]
    if not figures:
        return None
    anchors = _term_positions(question, sentence)
    return max(figures, key=lambda f: (_figure_score(question, sentence, f, anchors), -f.start))


def _term_positions(question: Question, sentence: str) -> list[tuple[int, int]]:
    haystack = normalize(sentence)
    spans = []
    for term in question.terms:
        if term.isdigit():
            continue
        spans += [(m.start(), m.end()) for m in re.finditer(re.escape(term), haystack)]
    return spans


def _figure_score(question: Question, sentence: str, figure: Figure, anchors: list[tuple[int, int]]) -> float:
    """Right unit first, then how much of the question its clause holds, then closeness to a question term."""
    score = 2.0 if question.unit and question.unit in figure.unit else 0.0
    clause = normalize(_clause_around(sentence, figure))
    terms = [t for t in question.topic_terms if not t.isdigit()]
    if terms:
        score += 2.0 * sum(t in clause for t in terms) / len(terms)
    if anchors:
        score += 0.5 / (1.0 + min(_gap(figure, a) for a in anchors) / 8.0)
    return score


def _clause_around(sentence: str, figure: Figure) -> str:
    starts = [m.end() for m in _CLAUSE_BREAK.finditer(sentence, 0, figure.start)]
    end = _CLAUSE_BREAK.search(sentence, figure.end)
    return sentence[(starts[-1] if starts else 0): (end.start() if end else len(sentence))]


def _gap(figure: Figure, anchor: tuple[int, int]) -> int:
    return max(0, anchor[0] - figure.end, figure.start - anchor[1])


# --- composing the answer ----------------------------------------------------------------------

def compose(question: Question, ranked: list[Candidate], settings: Settings,
            coverage: dict[str, list[int]]) -> tuple[str, str, list[Citation]]:
    """(status, answer text, citations). coverage: region -> years of the indexed reports."""
    if not ranked or ranked[0].score < settings.min_answer_score or ranked[0].scope < 0:
        return "not_found", not_found_text(question, coverage), []
    best = ranked[0]
    cited = [best] + [c for c in ranked[1:] if c.meta.id == best.meta.id and c.score >= best.score - 0.03
                      and question.kind == "text"][: settings.max_citations - 1]
    citations = [_citation(n, c) for n, c in enumerate(cited, 1)]
    figure = pick_figure(question, best.text) if question.kind != "text" else None
    return "answered", answer_text(question, cited, figure), citations


def _citation(n: int, c: Candidate) -> Citation:
    return Citation(n=n, report_id=c.meta.id, title=c.meta.title, bureau=c.meta.bureau, year=c.meta.year,
                    text=c.text, start=c.start, end=c.end, score=round(c.score, 4), section=c.section)


def answer_text(question: Question, cited: list[Candidate], figure: Figure | None) -> str:
    best = cited[0].meta
    quotes_zh = "".join(f"“{c.text}”[{n}]" for n, c in enumerate(cited, 1))
    quotes_en = " ".join(f"“{c.text}” [{n}]" for n, c in enumerate(cited, 1))
    if question.lang == "en":
        source = f"{best.bureau_en or best.bureau}, {best.year} report"
        lead = f"{figure.text} — " if figure else ""
        return f"{lead}according to the {source} ({best.bureau}): {quotes_en}"
    lead = f"{figure.text}。" if figure else ""
    return f"{lead}据{best.bureau}{best.year}年度报告：{quotes_zh}"


def not_found_text(question: Question, coverage: dict[str, list[int]]) -> str:
    """Says plainly that the reports do not answer, and what they do cover."""
    asked = {r: coverage[r] for r in question.regions if r in coverage} or coverage
    if question.lang == "en":
        covered = "; ".join(f"{region}: {', '.join(map(str, years))}" for region, years in asked.items())
        return f"Not found: none of the indexed reports states this. The reports cover {covered}."
    covered = "；".join(f"{region}（{'、'.join(f'{y}年' for y in years)}）" for region, years in asked.items())
    return f"未找到：已收录的报告中没有回答这个问题的内容。已收录的报告范围：{covered}。"
