"""Stage 4b: the figure claims of each sentence, extracted once at index time (stored with the sentence).

A claim is one figure of a sentence with what the reports' structure says about it: the clause it stands in,
the subject carried in from the sentence start (or, after "；", from the sentence the clause continues), what it
counts (its own list segment, or the member of an enumeration a "分别为 / 依次为" list maps it back onto), its
qualifier as written (超 / 余 / 近 / 约 / 以上 / 累计), its time scope (累计 / 上线以来 / 首月 / 今年以来 / 全年),
and whether it is a plan, a baseline (在…的基础上) or part of a document title. The answerer ranks claims, not
sentences (assistant/ranker.py), and states the figure with its qualifier exactly as the report writes it.

Written by hand: no library parses Chinese report prose into figure claims.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from assistant.figures import STATED_QUALIFIERS, Figure, find_figures

_CLAUSE_BREAK = re.compile(r"[,，;；:：。！？!?]")
# 与 / 及 / 和 as conjunctions, not inside a word (参与, 惠及, 涉及, 以及, 及时, 共和国, 和谐)
_AND = r"(?<![参给赋])与|(?<![惠涉普波触顾危以企提])及(?!时)|(?<![总共暖])和(?![平谐])"
_SEGMENT_BREAK = re.compile(rf"[,，;；:：。、]|{_AND}")
_PHRASE_BREAK = re.compile(rf"[,，;；:：。]|{_AND}")  # a list of names ("广州从化、珠海斗门等37个地区") stays whole
_LIST_BREAK = re.compile(r"[、]")
# qualifiers written before a figure (longest first) and after it
_QUALIFIER_BEFORE = re.compile(r"(超过|超出|超|逾|近|约|将近|接近|达到|累计|共计|总计|合计|共|达)$")
QUALIFIER_AFTER = re.compile(r"^(以上|以下|左右|之多)")
# time scope of the figure, read in its clause (or the sentence lead)
_CUMULATIVE = re.compile(r"累计|上线以来|成立以来|运行以来|启用以来|开通以来|推出以来|历年|总计|共计")
FIRST_PERIOD = re.compile(r"首月|首周|首日|首年")  # the first stretch of time (answer.first_period) ...
_FIRST = re.compile(rf"{FIRST_PERIOD.pattern}|首批")  # ... or the first batch: the "first" time scope
_PERIOD = re.compile(r"今年以来|全年|年内|本年度|当年|(?:20\d\d)年(?:度|全年)?(?!\d)")
TIME_SCOPE = re.compile(f"{_CUMULATIVE.pattern}|{_FIRST.pattern}|{_PERIOD.pattern}")
_PLANNED = re.compile(r"(?<![模虚])拟(?!定)|计划|预计|力争|目标|不少于|将[新增推出实现达]")
_BASELINE = re.compile(r"在[^,，;；。]*?的基础上")
_TITLE = re.compile(r"《[^》]*》")
# "压减比例分别为62%、51%" / "依次为": a list of figures that maps onto an earlier list of items
_RESPECTIVELY = re.compile(r"分别为|分别是|分别达到|分别达|分别占|依次为|依次是|分别")
_LEAD_WORDS = re.compile(r"^(?:[一二三四五六七八九十]+是|其中|同时|此外|另外|目前|截至[^,，]*|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])[,，:：]?")
_DIGITS = re.compile(r"[\d.,]")


@dataclass(frozen=True)
class Claim:
    figure: str        # the figure as written: 430万次
    stated: str        # with the qualifier the answer must keep: 超430万次, 40余份, 85%以上
    start: int         # offsets of the figure inside the sentence
    end: int
    label: str         # what it counts: its list segment without the figure, or the enumeration member it maps to
    clause: str        # the clause it stands in
    lead: str          # the subject carried in: the first clause of the sentence (or of the one it continues)
    qualifier: str     # 超 / 近 / 约 / 累计 / 以上 …, "" when none
    scope: str         # "cumulative" | "first" | "period" | ""
    planned: bool
    baseline: bool
    in_title: bool
    is_date: bool
    index: int         # its place among the sentence's figures
    count: int         # how many figures the sentence holds
    enumerated: bool   # a member of a list of figures (、) or of a "分别为" list

    @property
    def unit(self) -> str:
        """The figure without its digits: 万件次, %, 年3月 (as Figure.unit)."""
        return _DIGITS.sub("", self.figure)

    def as_dict(self) -> dict:
        return asdict(self)


def sentence_claims(sentence: str, before: str = "") -> list[Claim]:
    """The claims of one sentence. before: the report text just before it (the same line), from which the subject
    of a clause after "；" is carried in."""
    figures = [f for f in find_figures(sentence) if f.unit or f.is_date]
    if not figures:
        return []
    titles = [m.span() for m in _TITLE.finditer(sentence)]
    baselines = [m.span() for m in _BASELINE.finditer(sentence)]
    lead = _lead(sentence, before)
    aligned = _aligned_labels(sentence, figures)
    claims = []
    for i, f in enumerate(figures):
        clause = _around(sentence, f, _CLAUSE_BREAK)
        listed = _in_list(sentence, f)
        breaks = _SEGMENT_BREAK if listed else _PHRASE_BREAK
        segment_start, segment_end = _span(sentence, f, breaks)
        segment = sentence[segment_start:segment_end]
        pre = sentence[_start_before(sentence, f, _CLAUSE_BREAK): f.start]
        before_q = _QUALIFIER_BEFORE.search(pre)
        after_q = QUALIFIER_AFTER.match(sentence[f.end:])
        qualifier = (before_q.group(1) if before_q else "") + (after_q.group(1) if after_q else "")
        stated = ((before_q.group(1) if before_q and before_q.group(1) in STATED_QUALIFIERS else "") + f.text
                  + (after_q.group(1) if after_q else ""))
        context = clause + " " + (lead if lead not in clause else "")
        claims.append(Claim(
            figure=f.text, stated=stated, start=f.start, end=f.end,
            label=aligned.get(i) or (_own_label(sentence, segment_start, segment, figures, i)
                                     + (_shared_tail(sentence, figures, i) if listed else "")),
            clause=clause, lead=lead, qualifier=qualifier,
            scope="cumulative" if _CUMULATIVE.search(pre) or _CUMULATIVE.search(lead) and not _PERIOD.search(pre)
            else "first" if _FIRST.search(clause) else "period" if _PERIOD.search(context) else "",
            planned=bool(_PLANNED.search(pre)),
            baseline=any(s <= f.start < e for s, e in baselines),
            in_title=any(s <= f.start < e for s, e in titles),
            is_date=f.is_date, index=i, count=len(figures),
            enumerated=i in aligned or listed,
        ))
    return claims


def _lead(sentence: str, before: str) -> str:
    """The subject of the sentence: its first clause; for a clause continuing after "；" (or a sentence cut from
    a long one), the first clause of the sentence it continues."""
    start = re.split(r"[。！？!?\n]", before)[-1] if before else ""
    if start.strip() and re.search(r"[;；,，]\s*$", before):
        source = start
    else:
        source = sentence
    first = _CLAUSE_BREAK.split(_LEAD_WORDS.sub("", source.strip()), 1)[0]
    return first[:40]


def _aligned_labels(sentence: str, figures: list[Figure]) -> dict[int, str]:
    """"办理环节8个、办理时限11天、跑动次数4次、申请材料12份,压减比例分别为62%、51%、81%、56%": the figures of
    the "分别为" list get the labels of the earlier list's members (办理时限 压减比例 for 51%)."""
    labels: dict[int, str] = {}
    for m in _RESPECTIVELY.finditer(sentence):
        after = [i for i, f in enumerate(figures) if f.start >= m.end()]
        members = _list_run(sentence, figures, after)
        if len(members) < 2:
            continue
        head = sentence[_start_before(sentence, figures[members[0]], _CLAUSE_BREAK): m.start()].strip(" ,，")
        before = [i for i, f in enumerate(figures) if f.end <= m.start()]
        items = _item_names(sentence, figures, before, m.start(), len(members))
        for i, name in zip(members, items):
            labels[i] = f"{name}{head}"
    return labels


def _list_run(sentence: str, figures: list[Figure], indices: list[int]) -> list[int]:
    """The first run of figures joined by "、" among indices."""
    run = []
    for i in indices:
        if run and sentence[figures[run[-1]].end: figures[i].start].strip() not in ("、", ",", "，"):
            break
        run.append(i)
    return run


def _item_names(sentence: str, figures: list[Figure], before: list[int], limit: int, n: int) -> list[str]:
    """The names of the n list items that precede a "分别为" list: the labels of the last n figures before it when
    they form a 、-list, else the last n names of a plain 、-list ("省内、省外分别为…")."""
    if len(before) >= n:
        members = before[-n:]
        if all(_in_list(sentence, figures[i]) for i in members):
            return [_label(_around(sentence, figures[i], _SEGMENT_BREAK), figures) for i in members]
    clause = sentence[_start_before_pos(sentence, limit): limit]
    names = [p.strip() for p in _LIST_BREAK.split(clause) if p.strip()]
    return names[-n:] if len(names) >= n else [""] * n


def _in_list(sentence: str, f: Figure) -> bool:
    """The figure's segment is joined by "、" to a neighbour that holds a figure too (a list of figures)."""
    start = _start_before(sentence, f, _SEGMENT_BREAK)
    end = _SEGMENT_BREAK.search(sentence, f.end)
    if start > 0 and sentence[start - 1] == "、":
        before = sentence[_start_before_pos(sentence, start - 1, _SEGMENT_BREAK): start - 1]
        if re.search(r"\d", before):
            return True
    if end and end.group() == "、":
        after = _SEGMENT_BREAK.search(sentence, end.end())
        return bool(re.search(r"\d", sentence[end.end(): after.start() if after else len(sentence)]))
    return False


def _label(segment: str, figures: list[Figure]) -> str:
    """What a segment counts: its words without the figures and the qualifiers next to them."""
    for f in sorted({f.text for f in figures}, key=len, reverse=True):
        segment = segment.replace(f, "\0")
    parts = [QUALIFIER_AFTER.sub("", re.sub(r"(超过|超出|超|逾|近|约|达到|达|共计|共|累计)$", "", p))
             for p in segment.split("\0")]
    return " ".join(p.strip(" ,，、") for p in parts if p.strip(" ,，、"))


# where the words between two figures of one segment turn from what the first counts to what the second does:
# "22项整改任务|已完成14项" (an adverb, particle or preposition starts the second figure's predicate)
_PREDICATE = re.compile(r"已经|已|共计|共|累计|其中|达到|达|均|分别|再|又|并|且|占|为|是|有")


def _own_label(sentence: str, start: int, segment: str, figures: list[Figure], i: int) -> str:
    """What figure i counts when its segment (sentence[start:start + len(segment)]) holds several figures:
    "涉及的22项整改任务已完成14项" — 22 counts 涉及的 整改任务, 14 counts 整改任务已完成 (the words between them up to
    the predicate go to the first, all of them to the second). One figure in the segment: its words (_label)."""
    inside = [k for k, f in enumerate(figures) if start <= f.start and f.end <= start + len(segment)]
    if len(inside) < 2 or i not in inside:
        return _label(segment, figures)
    k = inside.index(i)
    prev_end = figures[inside[k - 1]].end if k else start
    next_start = figures[inside[k + 1]].start if k + 1 < len(inside) else start + len(segment)
    own_after = sentence[figures[i].end: next_start]
    if k + 1 < len(inside):  # words after this figure: only up to where the next figure's predicate begins
        cut = _PREDICATE.search(own_after)
        if cut is None:
            return _label(segment, figures)  # no telling them apart: the segment's words, as for one figure
        own_after = own_after[: cut.start()]
    own_before = sentence[prev_end: figures[i].start]
    if k and _PREDICATE.search(own_before) is None:
        own_before = ""  # the words before belong to the previous figure; this one counts what follows it
    return _label(own_before + figures[i].text + own_after, figures)


def _shared_tail(sentence: str, figures: list[Figure], i: int) -> str:
    """"首批上收35项、第二批上收29项事权": the noun after the last figure of a 、-list (figure i is a member) names
    what every member counts; a member with no words after its own figure gets it (" 事权")."""
    f = figures[i]
    end = _SEGMENT_BREAK.search(sentence, f.end)
    if end is None or end.group() != "、" or sentence[f.end: end.start()].strip():
        return ""
    while end is not None and end.group() == "、":
        last_start = end.end()
        end = _SEGMENT_BREAK.search(sentence, last_start)
    last = sentence[last_start: end.start() if end else len(sentence)]
    last_figures = [g for g in figures if last_start <= g.start and g.end <= last_start + len(last)]
    if not last_figures:
        return ""
    tail = last[last_figures[-1].end - last_start:]
    tail = QUALIFIER_AFTER.sub("", tail).strip(" ,，、")
    return f" {tail}" if tail and not re.search(r"\d", tail) else ""


def _around(sentence: str, figure: Figure, breaks: re.Pattern) -> str:
    start, end = _span(sentence, figure, breaks)
    return sentence[start:end]


def _span(sentence: str, figure: Figure, breaks: re.Pattern) -> tuple[int, int]:
    """Where the piece of sentence between the breaks around figure begins and ends."""
    end = breaks.search(sentence, figure.end)
    return _start_before(sentence, figure, breaks), end.start() if end else len(sentence)


def _start_before(sentence: str, figure: Figure, breaks: re.Pattern) -> int:
    return _start_before_pos(sentence, figure.start, breaks)


def _start_before_pos(sentence: str, pos: int, breaks: re.Pattern = _CLAUSE_BREAK) -> int:
    """Where the piece of sentence that holds pos begins: just after the last break before it."""
    starts = [m.end() for m in breaks.finditer(sentence, 0, pos)]
    return starts[-1] if starts else 0
