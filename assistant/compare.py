"""Answers that span several reports, built from one answer per report (see Assistant.answer_each):
- a comparison: a table with one row per report, every figure cell cited;
- "clarify": the question fits several reports that state different figures, so the reports are listed, each
  with its cited figure, and the user picks one (each row carries the follow-up that picks it)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from assistant.answer import Draft, citation, doubt_group, source_label
from assistant.figures import figure_value, unit_matches, with_english
from assistant.question import LESS, MORE, Question
from assistant.ranker import Scored, bigram_overlap
from assistant.rerank import Candidate
from assistant.schema import ReportFigure
from index.claims import Claim
from index.load import ReportMeta



@dataclass
class ReportAnswer:
    """What one report says in answer to the question (sentence None: it does not say); figure: the claim the
    ranker picked, with its probability p (None for a text answer)."""
    meta: ReportMeta
    sentence: Candidate | None
    figure: Claim | None
    p: float = 0.0
    sure: bool = True     # False: the ranker's best claim of this report is only a "not sure" candidate
    more: list[Claim] = field(default_factory=list)  # the further figures a several-figure question asks, same sentence
    pool: list[Scored] = field(default_factory=list)  # every claim of this report the ranker scored, most likely first
    rival: str = ""       # a doubt about its figure besides confidence (answer.Found.rival: a rival figure, another scope)

    @property
    def stated(self) -> str:
        """The figure(s) as the report writes them: "12份；60%"."""
        return "；".join(c.stated for c in [self.figure, *self.more]) if self.figure else ""


# --- comparison ----------------------------------------------------------------------------------

def comparison(question: Question, answers: list[ReportAnswer], named: bool, min_share: float,
               floor: float = 1.0, lead: float = 1.0) -> Draft | None:
    """A table of the reports' answers, its rows first made to state one quantity (see parallel), then stated when
    they corroborate each other (see corroborated: floor, lead). named: the question named these reports, so each keeps
    its row, "not stated" where it does not say; otherwise the rows are the reports that answer, and with fewer than
    two of them None is returned (a single answer then serves)."""
    answers = corroborated(parallel(question, answers, min_share), floor, lead)
    answered = [a for a in answers if a.sentence]
    if len(answered) < (1 if named else 2):
        return None
    # "compare the disclosure requests …" with one report's figure beside another's sentence without one: the rows
    # do not say the same thing, and a table would set a figure against an unrelated statement
    mixed = question.wants == "text" and any(a.figure for a in answered) and not all(a.figure for a in answered)
    # an English question reaches the Chinese text through guessed word senses, so a named report in which it finds
    # nothing is no evidence that the report does not say it: no "not stated" row is asserted for it
    unread = named and question.lang == "en" and len(answered) < len(answers)
    if mixed or unread or any(not a.sure for a in answered):
        return _unsure(question, answered)
    rows_of = answers if named else answered
    cited = [a for a in rows_of if a.sentence]
    number = {id(a): n for n, a in enumerate(cited, 1)}
    en = question.answer_lang == "en"
    wants = question.wants if question.wants != "text" or not all(a.figure for a in cited) else "figure"
    header = {"figure": ("Figure", "数字"), "date": ("Date", "日期"), "text": ("What the report says", "报告内容")}[wants]
    lines = [f"| {'Report' if en else '报告'} | {header[0] if en else header[1]} |", "|---|---|"]
    for a in rows_of:
        lines.append(f"| {source_label(a.meta, question.answer_lang)} | {_cell(a, number.get(id(a)), en)} |")
    text = "\n".join(lines)
    if (conclusion := _extreme(question, cited, number)):
        text += "\n\n" + conclusion
    text += "\n\n" + _quotes(cited)
    return Draft("answered", text, [citation(n, a.sentence) for n, a in enumerate(cited, 1)],
                 rows=[_row(a, number.get(id(a)), question.answer_lang) for a in rows_of])


def parallel(question: Question, answers: list[ReportAnswer], min_share: float) -> list[ReportAnswer]:
    """The rows of a comparison state one quantity in each report, so each row is checked against the row the
    ranker is surest of (the anchor):
    - a row the ranker is unsure of, or finds nothing in, or whose figure cannot stand beside the anchor's (another
      unit: "23个" beside "4次"; a baseline; a plan), takes the claim of its report that counts what the
      anchor counts: the same unit, not a baseline or a plan, and a label sharing at least min_share of its
      character bigrams with the anchor's ("平均压减办理环节" beside "平均每个“一件事”减少办理环节"), the
      unique best such claim; without one, the row is not sure.
    Rows asking several figures, and comparisons that ask for text rather than a figure, are left as they are."""
    single = [a for a in answers if not a.more]
    sure = [a for a in single if a.sure and a.figure and not a.figure.is_date]
    if not sure or question.wants == "text":  # "compare what … did": each report's own statement, any unit
        return answers
    anchor = max(sure, key=lambda a: a.p)
    out = []
    for a in answers:
        if a.more or a is anchor or (a.sentence and not a.figure):
            out.append(a)
        elif a.sure and a.figure and not _counts_else(question, a.figure, anchor.figure):
            out.append(a)
        else:
            out.append(_counterpart(question, a, anchor.figure, min_share) or replace(a, sure=False))
    return out


def corroborated(answers: list[ReportAnswer], floor: float, lead: float) -> list[ReportAnswer]:
    """Rows the ranker is not sure of only for want of probability (no doubt about a rival figure or another scope)
    are made sure when every row states one figure, at least floor likely, ahead of every other figure of its own
    report by at least lead, and all of one unit (a bare number only beside bare numbers): each report then clearly
    gives one figure of the same kind, which is what a comparison across reports asks for ("7.16亿元" at 0.6 beside
    "超23亿元" at 0.81, the only sums of money of either report). Otherwise the rows are returned as they are."""
    rows = [a for a in answers if a.sentence]
    if len(rows) < 2 or all(a.sure for a in rows):
        return answers

    def clear(a: ReportAnswer) -> bool:
        if not a.figure or a.more or a.figure.is_date or not _same_unit(a.figure, rows[0].figure, strict=True):
            return False
        others = [s.p for s in a.pool if s.claim.stated != a.figure.stated]
        return a.p >= floor and a.p - max(others, default=0.0) >= lead and not a.rival

    return [replace(a, sure=True) if a.sentence else a for a in answers] if all(map(clear, rows)) else answers


def _counts_else(question: Question, claim: Claim, anchor: Claim) -> bool:
    """A claim that cannot stand beside the anchor: another unit, a baseline, or a plan (unless plans are asked)."""
    return claim.baseline or (claim.planned and not question.asks_plan) or not _same_unit(claim, anchor)


def _counterpart(question: Question, a: ReportAnswer, anchor: Claim, min_share: float) -> ReportAnswer | None:
    best: dict[str, tuple[float, float, Scored]] = {}  # stated figure -> its best (share, p, claim)
    for s in a.pool:
        if s.claim.is_date or _counts_else(question, s.claim, anchor):
            continue
        share = bigram_overlap(s.claim.label, anchor.label)
        if share >= min_share:
            best[s.claim.stated] = max(best.get(s.claim.stated, (0.0, 0.0, s)), (share, s.p, s), key=lambda x: x[:2])
    ordered = sorted(best.values(), key=lambda x: x[:2], reverse=True)
    if not ordered or (len(ordered) > 1 and ordered[1][0] == ordered[0][0]):
        return None  # none counts it, or two figures count it equally well: which one answers is a guess
    s = ordered[0][2]
    return replace(a, sentence=s.sentence, figure=s.claim, p=s.p, sure=True)


def _cell(a: ReportAnswer, n: int | None, en: bool) -> str:
    if n is None:
        return "not stated in this report" if en else "报告未提及"
    return f"{with_english(a.stated, 'en' if en else 'zh')} [{n}]" if a.figure else f"“{a.sentence.text}” [{n}]"


def _extreme(question: Question, cited: list[ReportAnswer], number: dict[int, int]) -> str:
    """"Which … more / fewer": the row with the largest / smallest figure, when all figures share a unit."""
    wants_more, wants_less = bool(MORE.search(question.text)), bool(LESS.search(question.text))
    figures = [a for a in cited if a.figure and not a.figure.is_date and not a.more]
    if wants_more == wants_less or len(figures) < 2 or not all(_same_unit(a.figure, figures[0].figure) for a in figures):
        return ""
    pick = (max if wants_more else min)(figures, key=lambda a: figure_value(a.figure.figure))
    label = source_label(pick.meta, question.answer_lang)
    if question.answer_lang == "en":
        return f"{'Highest' if wants_more else 'Lowest'}: {label} ({with_english(pick.figure.stated, 'en')}) [{number[id(pick)]}]."
    return f"{'最多' if wants_more else '最少'}的是{label}（{pick.figure.stated}）[{number[id(pick)]}]。"


def _unit(figure: Claim) -> str:
    return figure.unit.strip("余多万亿千")


def _same_unit(a: Claim, b: Claim, strict: bool = False) -> bool:
    """Units of the same quantity: equal, counters 个/项/件 alike, or one bare number ("超15万" vs "227万次"), which
    strict does not allow (both bare, or both with a unit)."""
    unit_a, unit_b = _unit(a), _unit(b)
    if not unit_a or not unit_b:
        return unit_a == unit_b or not strict
    return unit_matches(unit_a, unit_b) or unit_matches(unit_b, unit_a)


def _unsure(question: Question, answers: list[ReportAnswer]) -> Draft:
    """A comparison with a row the ranker is not sure of: no table of figures, the closest statement of each
    report quoted instead. Its doubt is the first row's doubt besides confidence (a rival figure, another scope: see
    answer.doubt_group), else low_confidence."""
    en = question.answer_lang == "en"
    lead = ("Not sure: not every report clearly states this. The closest statements of each report are quoted below."
            if en else "不确定：并非每份报告都明确给出了这个数字。以下是各报告中最接近的表述：")
    lines = [f"[{n}] {source_label(a.meta, question.answer_lang)}: “{a.sentence.text}”" for n, a in enumerate(answers, 1)]
    rival = next((a.rival for a in answers if not a.sure and a.rival), "")
    return Draft("uncertain", lead + "\n" + "\n".join(lines), [citation(n, a.sentence) for n, a in enumerate(answers, 1)],
                 doubt=doubt_group(rival) if rival else "low_confidence")


# --- asking back ---------------------------------------------------------------------------------

def clarification(question: Question, answers: list[ReportAnswer], margin: float, floor: float,
                  choices: int = 8) -> Draft | None:
    """A "clarify" answer when a report the ranker is sure of is not the only one that may answer: other reports
    it rates within margin of the best, or whose best claim is at least floor likely even if not sure, state
    different figures of the same unit. Picking one of them would be a guess about which report the user means.
    None when one report stands out or they agree (a single answer then serves). At most choices reports are
    offered (faceted: see _facets)."""
    sure = sorted((a for a in answers if a.sentence and a.figure and a.sure), key=lambda a: -a.p)
    for best in sure:  # the most likely sure answer first; one of another unit may still have rivals of its own
        close = sorted((a for a in answers if a.sentence and a.figure and _same_unit(a.figure, best.figure)
                        and ((a.sure and a.p >= best.p - margin) or a.p >= floor)), key=lambda a: -a.p)
        if len({a.stated for a in close}) >= 2:
            break
    else:
        return None
    en = question.answer_lang == "en"
    shown, by_region = _facets(close, choices)
    lead = ("Several reports may answer this, with different figures. Which bureau and year do you mean?" if en
            else "多份报告可能回答了这个问题，但数字不同。请指明机构和年份：")
    lines = [f"- {source_label(a.meta, question.answer_lang)}: {with_english(a.stated, 'en')} [{n}]" if en
             else f"- {source_label(a.meta, question.answer_lang)}：{a.stated} [{n}]" for n, a in enumerate(shown, 1)]
    if len(close) > len(shown):  # said without their count: every figure of a clarify text must be in a cited span
        lines.append("- … and more reports: name a bureau or a year to narrow it down." if en
                     else "- ……还有其他报告：请指明机构或年份以缩小范围。")
    text = lead + "\n" + "\n".join(lines) + "\n\n" + _quotes(shown)
    rows = [_row(a, n, question.answer_lang) for n, a in enumerate(shown, 1)]
    if by_region:  # a region with several reports is picked first; its years are asked next
        rows = [r.model_copy(update={"followup": region_followup(a.meta, question.answer_lang)})
                if sum(b.meta.region == a.meta.region for b in close) > 1 else r for r, a in zip(rows, shown)]
    return Draft("clarify", text, [citation(n, a.sentence) for n, a in enumerate(shown, 1)], rows=rows)


def _facets(close: list[ReportAnswer], choices: int) -> tuple[list[ReportAnswer], bool]:
    """The reports a clarify answer offers, most likely first: all of them when they fit in choices; otherwise, when
    they come from several regions, the most likely report of each of the first choices regions (True: the user
    picks a region, then a year), else the first choices reports. Never a list of hundreds."""
    if len(close) <= choices:
        return close, False
    best_of: dict[str, ReportAnswer] = {}
    for a in close:
        best_of.setdefault(a.meta.region, a)
    if len(best_of) > 1:
        return list(best_of.values())[:choices], True
    return close[:choices], False


# --- shared --------------------------------------------------------------------------------------

def _quotes(cited: list[ReportAnswer]) -> str:
    return "\n".join(f"[{n}] “{a.sentence.text}”" for n, a in enumerate(cited, 1))


def _row(a: ReportAnswer, n: int | None, lang: str) -> ReportFigure:
    return ReportFigure(report_id=a.meta.id, title=a.meta.title, bureau=a.meta.bureau, year=a.meta.year,
                        figure=a.stated if a.figure and n else None, citation=n, followup=followup_for(a.meta, lang))


def region_followup(meta: ReportMeta, lang: str) -> str:
    """The turn that picks a bureau and leaves its year to be asked."""
    return meta.region_short_en if lang == "en" else meta.region


def followup_for(meta: ReportMeta, lang: str) -> str:
    """The turn that picks this report: a bureau and a year, resolved against the question (see followup.py)."""
    if lang == "en":
        return f"{meta.region_short_en} {meta.year}"
    return f"{meta.region}{meta.year}年"
