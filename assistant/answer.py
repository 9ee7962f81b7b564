"""Extractive answering without an LLM: take the figure the question asks for from the best-ranked sentence
(see rerank.py) and quote the supporting span(s) with [n] markers."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.figures import Figure, find_figures, unit_matches
from assistant.question import Question
from assistant.rerank import Candidate, term_coverage
from assistant.schema import Citation, ReportFigure
from assistant.settings import Settings
from index.bm25 import normalize
from index.load import ReportMeta

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
# "《…实施方案(2025-2026年)》": a figure inside a document's title names the document, it is not a fact.
_TITLE = re.compile(r"《[^》]*》")
# A figure question may be answered from a slightly lower sentence that states the figure the top one lacks.
FIGURE_SEARCH_DEPTH, FIGURE_SEARCH_MARGIN = 3, 0.2


# --- picking the figure ------------------------------------------------------------------------

def pick_figure(question: Question, sentence: str) -> Figure | None:
    """The figure of the sentence that answers the question: right kind, right unit, next to what it counts."""
    wanted_date = question.wants == "date"
    titles = [m.span() for m in _TITLE.finditer(sentence)]
    figures = [f for f in find_figures(sentence) if f.is_date == wanted_date and (wanted_date or f.unit)
               and not any(s <= f.start < e for s, e in titles)]
    if question.unit in _STRICT_UNITS and not wanted_date:
        figures = [f for f in figures if question.unit in f.unit]
    if question.counts:
        figures = [f for f in figures if "%" not in f.unit and "％" not in f.unit]
    if not figures:
        return None
    anchors = _term_positions(question, sentence)
    baselines = [m.span() for m in _BASELINE.finditer(sentence)]
    return max(figures, key=lambda f: (_figure_score(question, sentence, f, anchors, baselines), -f.start))


def figure_names_focus(question: Question, sentence: str, figure: Figure) -> bool:
    """The figure's own segment names what the question counts (any focus term), and the sentence names the
    programs the question names: "准确率达85%" about cameras does not answer a question about “深小i”."""
    segment = _around(sentence, figure, _SEGMENT_BREAK)
    focus = question.focus + question.focus_head
    names_all = not question.names or term_coverage(question.names, sentence) == 1.0
    return (not focus or term_coverage(focus, segment) > 0) and names_all


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
    score = 2.0 if unit_matches(question.unit, figure.unit) else 0.0
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
    if not question.asks_plan and is_planned(sentence, figure):
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

@dataclass
class Draft:
    """An answer before verification: what the answerer says and what it rests on."""
    status: str                       # "answered" | "not_found" | "clarify"
    text: str
    citations: list[Citation] = field(default_factory=list)
    rows: list[ReportFigure] = field(default_factory=list)
    related: list[Citation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def compose(question: Question, ranked: list[Candidate], settings: Settings, coverage: Coverage) -> Draft:
    """A single-report answer from the ranked sentences, or "not found"."""
    best, figure = answer_sentence(question, ranked, settings)
    if best is None:
        return not_found(question, ranked, settings, coverage)
    cited = [best] + [c for c in ranked if c is not best and c.meta.id == best.meta.id and c.score >= best.score - 0.03
                      and question.wants == "text"][: settings.max_citations - 1]
    citations = [citation(n, c) for n, c in enumerate(cited, 1)]
    return Draft("answered", answer_text(question, cited, figure), citations)


def answer_sentence(question: Question, ranked: list[Candidate], settings: Settings) -> tuple[Candidate | None, Figure | None]:
    """The sentence that answers, and for a figure/date question its figure; (None, None) when none does.
    Below min_answer_score, or about a bureau or year no report covers, nothing answers. A figure question is
    answered by the best near-top sentence that names what the question counts (its focus) with a figure of the
    right kind and unit."""
    if not ranked or ranked[0].score < settings.min_answer_score or ranked[0].scope < 0:
        return None, None
    if question.wants == "text":
        return ranked[0], None
    near_top = [c for c in ranked[:FIGURE_SEARCH_DEPTH]
                if c.scope >= 0 and c.score >= max(settings.min_answer_score, ranked[0].score - FIGURE_SEARCH_MARGIN)]
    found = []
    for candidate in near_top:
        if question.focus and not term_coverage(question.focus_head or question.focus, candidate.text):
            continue  # states a figure, but not of what the question counts
        if (figure := pick_figure(question, candidate.text)):
            found.append((candidate, figure))
    # a planned figure ("预计…将新增15个") answers only when no near-top sentence states one that was achieved
    done = [f for f in found if question.asks_plan or not is_planned(f[0].text, f[1])]
    return (done or found or [(None, None)])[0]


def is_planned(sentence: str, figure: Figure) -> bool:
    return bool(_PLANNED.search(_clause_before(sentence, figure)))


def citation(n: int, c: Candidate) -> Citation:
    return Citation(n=n, report_id=c.meta.id, title=c.meta.title, bureau=c.meta.bureau, year=c.meta.year,
                    text=c.text, start=c.start, end=c.end, score=round(c.score, 4), section=c.section)


def source_label(meta: ReportMeta, lang: str) -> str:
    """"深圳市政务服务和数据管理局2025年度报告" / "Shenzhen Municipal …, 2025 report"."""
    return f"{meta.bureau_en or meta.bureau}, {meta.year} report" if lang == "en" else f"{meta.bureau}{meta.year}年度报告"


def answer_text(question: Question, cited: list[Candidate], figure: Figure | None) -> str:
    best = cited[0].meta
    if question.lang == "en":
        quotes = " ".join(f"“{c.text}” [{n}]" for n, c in enumerate(cited, 1))
        lead = f"{figure.text} — " if figure else ""
        return f"{lead}according to the {source_label(best, 'en')} ({best.bureau}): {quotes}"
    quotes = "".join(f"“{c.text}”[{n}]" for n, c in enumerate(cited, 1))
    lead = f"{figure.text}。" if figure else ""
    return f"{lead}据{source_label(best, 'zh')}：{quotes}"


# --- not found ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Coverage:
    """What the index covers, to say so when nothing answers."""
    years: dict[str, list[int]]   # region -> years of its reports
    english: dict[str, str]       # region -> English name

    @classmethod
    def of(cls, metas: list[ReportMeta]) -> "Coverage":
        return cls({m.region: sorted(x.year for x in metas if x.region == m.region) for m in metas},
                   {m.region: m.region_short_en for m in metas})


RELATED_PASSAGES = 3


def not_found(question: Question, ranked: list[Candidate], settings: Settings, coverage: Coverage) -> Draft:
    """Says plainly that the reports do not answer and what they cover; the closest passages come as "related"."""
    related, seen = [], set()
    for c in ranked:
        if c.chunk_id not in seen and c.score >= settings.min_related_score:
            seen.add(c.chunk_id)
            related.append(citation(len(related) + 1, c))
        if len(related) == RELATED_PASSAGES:
            break
    return Draft("not_found", not_found_text(question, coverage, bool(related)), related=related)


def not_found_text(question: Question, coverage: Coverage, has_related: bool = False) -> str:
    """Why nothing answers (a place no report covers, a year missing for the asked bureau, or a fact the reports
    do not state) and which bureaus and years the reports do cover."""
    en = question.lang == "en"
    asked = {r: coverage.years[r] for r in question.regions if r in coverage.years}
    gaps = [(r, missing) for r, years in asked.items() if (missing := [y for y in question.years if y not in years])]
    if question.other_places and not question.regions:
        reason = (f"No indexed report covers {', '.join(question.other_places)}." if en
                  else f"已收录的报告不涉及{'、'.join(question.other_places)}。")
    elif gaps:
        reason = ("; ".join(f"There is no {'/'.join(map(str, ys))} report for {coverage.english.get(r, r)}" for r, ys in gaps)
                  + "." if en else "；".join(f"没有{r}{'、'.join(f'{y}年' for y in ys)}的报告" for r, ys in gaps) + "。")
    else:
        reason = "None of the indexed reports states this." if en else "已收录的报告中没有回答这个问题的内容。"
    shown = asked or coverage.years
    if en:
        covered = "; ".join(f"{coverage.english.get(r, r)}: {', '.join(map(str, years))}" for r, years in shown.items())
        related = " The closest passages are listed as related reading, not as an answer." if has_related else ""
        return f"Not found: {reason} The reports cover {covered}.{related}"
    covered = "；".join(f"{region}（{'、'.join(f'{y}年' for y in years)}）" for region, years in shown.items())
    related = "下列相关段落仅供参考，并非答案。" if has_related else ""
    return f"未找到：{reason}已收录的报告范围：{covered}。{related}"
