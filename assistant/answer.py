"""Extractive answering without an LLM: take the figure the question asks for from the best-ranked sentence
(see rerank.py) and quote the supporting span(s) with [n] markers."""
from __future__ import annotations

import re

from assistant.figures import Figure, find_figures
from assistant.question import Question
from assistant.rerank import Candidate, term_coverage
from assistant.schema import Citation
from assistant.settings import Settings
from index.bm25 import normalize

_CLAUSE_BREAK = re.compile(r"[,，;；:：。]")
# A clause split further at "A与B": "整合45项重点事项与111个主题服务" holds two counted things. Not at "、":
# in "省内11个、省外7个城市" the list shares its noun.
_SEGMENT_BREAK = re.compile(r"[,，;；:：。与和及]")
# "在12个合作地区的基础上，新增…37个地区": a figure inside "在…的基础上" is the starting point, not the answer.
_BASELINE = re.compile(r"在[^,，;；。]*?的基础上")
# Units whose meaning is unmistakable: a question asking for one is not answered by a figure in another unit.
_STRICT_UNITS = ("%", "元", "天", "平方公里")
# "拟抽查1500宗" / "预计新增15个": a planned figure, not what was done.
_PLANNED = re.compile(r"(?<![模虚])拟(?!定)|计划|预计|力争|目标|不少于")
# A figure question may be answered from a slightly lower sentence that states the figure the top one lacks.
FIGURE_SEARCH_DEPTH, FIGURE_SEARCH_MARGIN = 3, 0.2


# --- picking the figure ------------------------------------------------------------------------

def pick_figure(question: Question, sentence: str) -> Figure | None:
    """The figure of the sentence that answers the question: right kind, right unit, next to what it counts."""
    wanted_date = question.wants == "date"
    figures = [f for f in find_figures(sentence) if f.is_date == wanted_date and (wanted_date or f.unit)]
    if question.unit in _STRICT_UNITS and not wanted_date:
        figures = [f for f in figures if question.unit in f.unit]
    if question.counts:
        figures = [f for f in figures if "%" not in f.unit and "％" not in f.unit]
    if not figures:
        return None
    anchors = _term_positions(question, sentence)
    baselines = [m.span() for m in _BASELINE.finditer(sentence)]
    return max(figures, key=lambda f: (_figure_score(question, sentence, f, anchors, baselines), -f.start))


def _term_positions(question: Question, sentence: str) -> list[tuple[int, int]]:
    haystack = normalize(sentence)
    spans = []
    for term in question.terms:
        if term.isdigit():
            continue
        spans += [(m.start(), m.end()) for m in re.finditer(re.escape(term), haystack)]
    return spans


def _figure_score(question: Question, sentence: str, figure: Figure, anchors: list[tuple[int, int]],
                  baselines: list[tuple[int, int]]) -> float:
    """Right unit, then what it counts (the focus) next to it, then the question's terms in its clause."""
    score = 2.0 if question.unit and question.unit in figure.unit else 0.0
    terms = [t for t in question.topic_terms if not t.isdigit()]
    if terms:
        score += 2.0 * term_coverage(terms, _around(sentence, figure, _CLAUSE_BREAK))
    segment = _around(sentence, figure, _SEGMENT_BREAK)
    if question.focus:
        score += 3.0 * term_coverage(question.focus, segment)
    if question.focus_head:
        score += 2.0 * term_coverage(question.focus_head, segment)
    if anchors:
        score += 0.5 / (1.0 + min(_gap(figure, a) for a in anchors) / 8.0)
    if any(s <= figure.start < e for s, e in baselines):
        score -= 4.0
    if not question.asks_plan and _PLANNED.search(_clause_before(sentence, figure)):
        score -= 2.0
    return score


def _around(sentence: str, figure: Figure, breaks: re.Pattern) -> str:
    end = breaks.search(sentence, figure.end)
    return sentence[_start_before(sentence, figure, breaks): (end.start() if end else len(sentence))]


def _clause_before(sentence: str, figure: Figure) -> str:
    return sentence[_start_before(sentence, figure, _CLAUSE_BREAK): figure.start]


def _start_before(sentence: str, figure: Figure, breaks: re.Pattern) -> int:
    starts = [m.end() for m in breaks.finditer(sentence, 0, figure.start)]
    return starts[-1] if starts else 0


def _gap(figure: Figure, anchor: tuple[int, int]) -> int:
    return max(0, anchor[0] - figure.end, figure.start - anchor[1])


# --- composing the answer ----------------------------------------------------------------------

def compose(question: Question, ranked: list[Candidate], settings: Settings,
            coverage: dict[str, list[int]]) -> tuple[str, str, list[Citation]]:
    """(status, answer text, citations). coverage: region -> years of the indexed reports."""
    if not ranked or ranked[0].score < settings.min_answer_score or ranked[0].scope < 0:
        return "not_found", not_found_text(question, coverage), []
    best, figure = _answer_sentence(question, ranked, settings)
    if best is None:
        return "not_found", not_found_text(question, coverage), []
    cited = [best] + [c for c in ranked if c is not best and c.meta.id == best.meta.id and c.score >= best.score - 0.03
                      and question.wants == "text"][: settings.max_citations - 1]
    citations = [_citation(n, c) for n, c in enumerate(cited, 1)]
    return "answered", answer_text(question, cited, figure), citations


def _answer_sentence(question: Question, ranked: list[Candidate], settings: Settings) -> tuple[Candidate | None, Figure | None]:
    """The best sentence, or for a figure/date question the best near-top sentence that states such a figure.
    A sentence that names nothing of what the question counts (its focus) does not answer it, and a figure
    question that no near-top sentence answers with a figure of the right kind and unit is not answered."""
    if question.wants == "text":
        return ranked[0], None
    near_top = [c for c in ranked[:FIGURE_SEARCH_DEPTH]
                if c.scope >= 0 and c.score >= max(settings.min_answer_score, ranked[0].score - FIGURE_SEARCH_MARGIN)]
    for candidate in near_top:
        if question.focus and not term_coverage(question.focus_head or question.focus, candidate.text):
            continue  # states a figure, but not of what the question counts
        if (figure := pick_figure(question, candidate.text)):
            return candidate, figure
    return None, None


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
