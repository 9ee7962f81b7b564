"""Open questions (summaries, "what is / 什么是", measures, lists, yes/no): an extractive answer with structure and
no LLM. A lead (the defining sentence for "what is"), then up to settings.open_points distinct points, each a short
verbatim quote of at most settings.point_chars characters with its own citation: the most relevant in-scope
sentences, headings never used, near-duplicates merged, grouped by report when several reports answer. Not found
only when no report speaks of the question's topic."""
from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from assistant.answer import Coverage, Draft, citation, not_found, source_label
from assistant.dictionary import STOPWORDS
from assistant.figures import contains_number
from assistant.question import YESNO_MARKER, Question, asks_yes_or_no
from assistant.ranker import bigram_overlap, bigrams
from assistant.rerank import Candidate, term_coverage
from assistant.settings import Settings
from index.bm25 import tokenize
from index.load import ReportMeta
from index.store import SentenceTable

# Words of how an open question is asked, not of what it is about.
_ASKING = {"概括", "一下", "总结", "介绍", "简述", "方面", "工作", "举措", "措施", "采取", "哪些", "情况", "做了", "什么",
           "开展", "主要", "有关", "相关", "内容", "做法", "是否", "有没有", "没有", "是不是", "开展了",
           "政数局", "数据局", "我局", "该局"}  # the last: a bureau's short names, which its sentences do not write
# "二是深化人工智能场景应用。", "民生诉求方面。": a short sentence without a clause break is a heading, not a point.
_CLAUSE_BREAK = re.compile(r"[，,；;：:]")
_HEADING_CHARS = 24
_CLAUSE = re.compile(r"[^，,；;。！？!?]+[，,；;。！？!?]?")
# a sentence that says what something is: "上线全国首个…AI政务助手“深小i”", "“i深圳”是…平台"
_DEFINING = re.compile(r"是|为|即|作为|打造|推出|上线|建成|建设|搭建|依托|首个|平台|系统|助手|机制|模式")
NEAR_DUPLICATE = 0.6
ENOUGH_POINTS = 3  # an English question's glossary words are its topic when they find this many sentences
SECTION_DEPTH = 3  # "六、… > (一)…举措和成效 > 1.聚焦“放管服”改革…": a heading this deep names one topic


def topic_words(question: Question, sentences: list[Candidate], glossary_only: bool = False) -> list[str]:
    """What the question is about, in the reports' words: its names and topic terms (not the words of asking), and
    for English its Latin words that the sentences write as they are ("AI", "APP"). glossary_only: of an English
    question's topic terms only those its glossary phrases give (the reports' own words), not a dictionary's senses
    of every word ("used" -> 业务, 材料, 用量); none when the glossary knows none of its words."""
    subject = [question.subject] if question.subject else []
    if glossary_only:
        known = [w for w in [t for z in question.expansions for t in tokenize(z)] + question.expansions
                 if w not in question.scope_terms]
        if question.lang != "en" or not known:
            return []
        words = question.names + known + subject
    else:
        words = question.names + question.topic_terms + subject
    if question.lang == "en":
        latin = {w.lower() for w in re.findall(r"[A-Za-z]{2,}", question.text)} - STOPWORDS
        words += [w for w in sorted(latin) if any(re.search(rf"(?<![a-z]){w}(?![a-z])", s.text, re.I) for s in sentences)]
    # lower case, as term_coverage matches
    words = [w for w in dict.fromkeys(x.lower() for x in words) if w and w not in _ASKING and not w.isdigit()]
    # the words of a bureau's name ("Government Services and Data Management Bureau" -> 政务, 服务, 管理局) say whose
    # report, not what about: every report's opening sentence names them
    bureaus = {s.meta.bureau for s in sentences}
    topic = [w for w in words if not any(w in bureau for bureau in bureaus)]
    return topic or words


_ORDINAL = re.compile(r"^[一二三四五六七八九十]+是")


def is_heading(text: str) -> bool:
    """"三是持续发挥12345热线…的作用。": one clause that is short or opens with an ordinal announces a section."""
    return (len(text) <= _HEADING_CHARS or bool(_ORDINAL.match(text))) and not _CLAUSE_BREAK.search(text.rstrip("。.；;"))


def _similar(a: str, b: str) -> bool:
    """Near-duplicates: one holds the other, or they share most of their character bigrams."""
    return a in b or b in a or bigram_overlap(a, b) >= NEAR_DUPLICATE


def trimmed(sentence: Candidate, words: list[str], limit: int) -> Candidate:
    """The sentence cut to its most relevant run of clauses within limit characters (offsets kept exact)."""
    if len(sentence.text) <= limit:
        return sentence
    clauses = [(m.start(), m.end()) for m in _CLAUSE.finditer(sentence.text)]
    if not clauses:
        return sentence
    best = max(range(len(clauses)), key=lambda i: (term_coverage(words, sentence.text[clauses[i][0]:clauses[i][1]]), -i))
    lo, hi = best, best
    while True:  # widen by whole clauses, following ones first, while the quote stays within limit
        if hi + 1 < len(clauses) and clauses[hi + 1][1] - clauses[lo][0] <= limit:
            hi += 1
        elif lo > 0 and clauses[hi][1] - clauses[lo - 1][0] <= limit:
            lo -= 1
        else:
            break
    start, end = clauses[lo][0], clauses[hi][1]
    if end - start > limit:  # a single clause longer than the limit: its first limit characters
        end = start + limit
    text = sentence.text[start:end].rstrip("，,；;")
    return replace(sentence, text=text, start=sentence.start + start, end=sentence.start + start + len(text))


def points(question: Question, ranked: list[Candidate], settings: Settings, each_report: bool = False) -> list[Candidate]:
    """The distinct, most relevant in-scope sentences that speak of the question's topic (headings and
    near-duplicates left out), best first; none when no sentence does, or when the topic cannot be told.
    each_report: the question sets several reports side by side ("compare 2022 and 2025", "did both …"), so each
    of them gets its share of the points, chosen against its own best sentence."""
    pool = [c for c in ranked if c.scope >= 0]
    if any(c.scope > 0 for c in pool):
        pool = [c for c in pool if c.scope > 0]  # the question names its reports: only theirs
    # an English question's glossary words when they find enough to say, else every topic word
    words, headed, about = [], set(), []
    for words in (topic_words(question, pool, glossary_only=True), topic_words(question, pool)):
        if not words:
            continue
        headed = {id(c) for c in pool if under_heading(c.section, words, question.names)}
        about = [c for c in pool if (term_coverage(words, c.text) > 0 or id(c) in headed) and not is_heading(c.text)]
        if len(about) >= ENOUGH_POINTS:
            break
    if not each_report:
        return [trimmed(c, words, settings.point_chars) for c in _distinct(about, settings.open_points, settings.open_window, headed)]
    groups = {rid: [c for c in about if c.meta.id == rid] for rid in dict.fromkeys(c.meta.id for c in about)}
    share = max(2, -(-settings.open_points // max(1, len(groups))))
    chosen = [c for group in groups.values() for c in _distinct(group, share, settings.open_window, headed)]
    return [trimmed(c, words, settings.point_chars) for c in chosen]


def under_heading(section: str, words: list[str], names: list[str]) -> bool:
    """Whether the sentence sits under a heading of the question's topic: the deepest heading of its section path, at
    SECTION_DEPTH or deeper, names one of the question's names or most of its topic words ("全市率先发布26项…清单" under
    "1.聚焦“放管服”改革…" is about 放管服 without saying so)."""
    path = section.split(" > ")
    if len(path) < SECTION_DEPTH:
        return False
    label = path[-1].lower()
    return any(n.lower() in label for n in names) or term_coverage(words, label) >= 0.5


def _distinct(about: list[Candidate], limit: int, window: float, headed: set[int]) -> list[Candidate]:
    """Up to limit sentences of about (best first) within window of the best or under a heading of the topic
    (headed: their ids), near-duplicates left out."""
    chosen: list[Candidate] = []
    for c in about:
        if len(chosen) == limit:
            break
        if (c.score >= about[0].score - window or id(c) in headed) and not any(_similar(c.text, p.text) for p in chosen):
            chosen.append(c)
    return chosen


def overview(question: Question, ranked: list[Candidate], settings: Settings, coverage: Coverage,
             each_report: bool = False) -> Draft:
    """A lead and the cited points, grouped by report (the report of the best point first; by year when each_report
    sets the named reports side by side, each with its share of the points); or not found."""
    found = points(question, ranked, settings, each_report)
    if not found or ranked[0].scope < 0:
        return not_found(question, ranked, settings, coverage)
    name = question.subject
    if name:  # the defining sentence leads: the best one that names the subject and says what it is
        defining = [p for p in found if name in p.text and _DEFINING.search(p.text)]
        if defining:
            found.remove(defining[0])
            found.insert(0, defining[0])
    order = list(dict.fromkeys(p.meta.id for p in found))
    if each_report:
        order.sort(key=lambda rid: next((p.meta.year, p.meta.region) for p in found if p.meta.id == rid))
    grouped = sorted(found, key=lambda p: order.index(p.meta.id))
    en = question.answer_lang == "en"
    firsts = [next(p for p in grouped if p.meta.id == rid) for rid in order]  # each report's most relevant statement
    yesno = question.kind == "yesno" or (each_report and asks_yes_or_no(question.text))
    words = topic_words(question, grouped) if yesno else []
    affirmed = yesno and all(affirms(question, p.text, words) for p in firsts)
    saying_no = denying(question, [p.text for p in grouped], words) if yesno and not affirmed and len(firsts) == 1 else None
    if saying_no:
        grouped.insert(0, grouped.pop(saying_no))  # the statement that says no leads ("any lawsuits?": a list came first)
    denied = saying_no is not None
    lines = [lead(question, grouped, name, en, yesno, affirmed, denied)]
    for n, p in enumerate(grouped, 1):
        if len(order) > 1 and (n == 1 or grouped[n - 2].meta.id != p.meta.id):
            lines.append(f"**{source_label(p.meta, question.answer_lang)}**")
        lines.append(f"- “{p.text}” [{n}]" if en else f"- “{p.text}”[{n}]")
    return Draft("answered", "\n".join(lines), [citation(n, p) for n, p in enumerate(grouped, 1)])


# a negation right before what a yes/no question asks about: "未发生行政诉讼案件" answers "是否发生了行政诉讼案件" with no
_NEGATION = re.compile(r"未(?!来)|没有|尚未|暂未|并未|不再|从未|无")
_NEGATION_EN = re.compile(r"\b(?:not|never|no longer|none)\b|n't\b", re.I)
AFFIRMING_COVERAGE = 0.5
DENYING_COVERAGE = 0.75  # of the topic words, in the one clause the negation opens
NEGATION_REACH = 3  # a topic word that starts at most this many characters after a negation is what it negates
_CLAUSE_END = re.compile(r"[，,；;。:：!！?？]")


def affirms(question: Question, text: str, words: list[str]) -> bool:
    """Whether the most relevant statement says yes to a yes/no question: it names at least AFFIRMING_COVERAGE of the
    question's topic words, and none of them within three characters after a negation (unless the question itself
    asks about the negated phrase: "未戴头盔"). A number the question states must be a figure of the statement
    ("上线了999个…对吗？" is not affirmed by "上线45个…"), and a premise the question negates ("没有上线…，对吗？",
    "Didn't Shenzhen …?") must be negated by the statement too: otherwise there is no yes to give."""
    if len(words) < 2 or term_coverage(words, text) < AFFIRMING_COVERAGE:  # one word ("add" -> 新增) is no topic
        return False
    lowered, asked = text.lower(), _asked(question)
    if any(not contains_number(lowered, n) for n in question.given):
        return False
    if question.lang == "en" and _NEGATION_EN.search(asked):
        return False
    if question.exists and not any(_attests(head, question.exists_verb, lowered) for head in question.exists):
        return False  # "有没有行政复议案件", "Did … have any reconsideration cases?": it names cases (案件), not only the topic
    # a negated clause of the statement about something else ("行政复议案件1例,…,未发生行政诉讼案件" for "有没有行政复议案件")
    # takes nothing back: only one naming most of what is asked does
    return not _negated_alone(asked, lowered, words) and not _negated_alone(lowered, asked, words, DENYING_COVERAGE)


def _attests(head: str, verb: str, text: str) -> bool:
    """Whether a statement says that the thing a yes/no question asks about exists: it counts it ("行政复议案件1例"), or
    it names it (its head: 案件) and the verb asked (发生, 收到) outside a negated clause. A statement that only names the
    topic ("搭建…行政复议等专题") or negates it ("未发生行政诉讼案件") attests nothing. text: lower case, as head is made."""
    head = head.lower()
    if re.search(rf"{re.escape(head)}[^，,；;。\d]{{0,3}}(?!0\D)\d", text):
        return True
    return all(any(not _NEGATION.search(_CLAUSE_END.split(text[:m.start()])[-1]) and not _listed(text, m)
                   for m in re.finditer(re.escape(w), text))
               for w in filter(None, (head, verb)))


# the end of a list of fields of work ("…、行政诉讼等工作"), not of things done ("上线A、B等应用" attests them)
_LISTED_AFTER = re.compile(r"[^，,；;。]{0,12}?等(?:各项)?(?:工作|专题|领域|方面|板块|栏目|专栏)")


def _listed(text: str, m: re.Match) -> bool:
    """Whether a word stands in a list of fields of work ("开展政务公开、行政复议、行政诉讼等工作"), which says nothing
    about whether any such thing happened."""
    before = _CLAUSE_END.split(text[:m.start()])[-1]
    after = _LISTED_AFTER.match(text, m.end())
    return bool(after) and ("、" in before[-12:] or "、" in after.group())


def denying(question: Question, texts: list[str], words: list[str]) -> int | None:
    """Which of a report's statements (most relevant first) says no to a yes/no question that asks without a negation
    and states no number; None when none does. The most relevant one does when a negation opens a clause naming at
    least DENYING_COVERAGE of the question's topic words ("有没有发生行政诉讼案件？" — "…,未发生行政诉讼案件,…"); any one does
    when it negates the very thing an existence question asks about and none of them attests it (negates_thing: "Were
    there any lawsuits…?", whose dictionary senses ("against" -> 针对, 防范) no clause names). A negated clause about
    something else ("未发生行政诉讼案件" for "是否发生行政复议") says nothing about it."""
    asked = _asked(question)
    if len(words) < 2 or question.given or (question.lang == "en" and _NEGATION_EN.search(asked)):
        return None

    def may_deny(text: str) -> bool:  # the question does not negate a topic word as a phrase the statement lacks
        return not _negated_alone(asked, text.lower(), words)

    first = texts[0].lower()
    names_most = any(term_coverage(words, clause) >= DENYING_COVERAGE and any(0 <= clause.find(w) <= NEGATION_REACH for w in words)
                     for clause in _negated_clauses(first))
    if may_deny(first) and (names_most or negates_thing(question, texts[:1]) == 0):
        return 0
    n = negates_thing(question, texts)
    return n if n is not None and may_deny(texts[n]) else None


def _negated_clauses(text: str):
    """What each negation of text opens: the rest of its clause ("未发生行政诉讼案件,…" -> "发生行政诉讼案件")."""
    for m in _NEGATION.finditer(text):
        yield _CLAUSE_END.split(text[m.end():], 1)[0]


def negates_thing(question: Question, texts: list[str]) -> int | None:
    """Which of a report's statements says that what an existence question asks about did not happen ("Were there any
    lawsuits…?" (诉讼) — "…,未发生行政诉讼案件,…": a negation right before it), when none of them attests it; None
    when none does."""
    things = [t.lower() for t in question.exists_thing]
    lowered = [t.lower() for t in texts]
    if not things or any(_attests(thing, "", text) for thing in things for text in lowered):
        return None
    return next((n for n, text in enumerate(lowered)
                 if any(0 <= clause.find(thing) <= NEGATION_REACH for clause in _negated_clauses(text) for thing in things)), None)


def _asked(question: Question) -> str:
    """The question without its yes/no markers: the 没有 of "有没有" negates nothing."""
    return YESNO_MARKER.sub(" ", question.text.lower())



def _negated_alone(text: str, other: str, words: list[str], share: float = 0.0) -> bool:
    """A topic word within three characters after a negation in text ("没有上线", "未发生…案件"), as a phrase other
    does not hold; share: the clause the negation opens must also name at least that share of the topic words."""
    for m in _NEGATION.finditer(text):
        rest = text[m.end():]
        if share and term_coverage(words, _CLAUSE_END.split(rest, 1)[0]) < share:
            continue
        for word in words:
            at = rest.find(word)
            if 0 <= at <= NEGATION_REACH and text[m.start():m.end() + at + len(word)] not in other:
                return True
    return False


def lead(question: Question, found: list[Candidate], name: str, en: bool, yesno: bool = False, affirmed: bool = False,
         denied: bool = False) -> str:
    """One sentence naming what is answered and where from (no figure of its own: every figure of an answer must
    be in a cited span); the quotes follow as points. A yes/no question gets "Yes" only when the most relevant
    statement affirms it (affirms), "No" only when it plainly says not (denying); otherwise the statements are given
    without either."""
    one = len({p.meta.id for p in found}) == 1
    where = (f"the {source_label(found[0].meta, 'en')}" if en else source_label(found[0].meta, "zh")) if one else \
        ("the reports below" if en else "以下报告")
    s = "s" if one else ""
    if name:
        return (f"{name}, as {where} describe{s} it (cited points, most relevant first):" if en
                else f"据{where}，{name}的相关表述如下（按相关度排序）：")
    if yesno and affirmed:
        return (f"Yes: {where} speak{s} to this (the relevant statements, most relevant first):" if en
                else f"是的，{where}中有相关表述（按相关度排序）：")
    if yesno and denied:
        return (f"No: {where} state{s} that it did not (the relevant statements, most relevant first):" if en
                else f"没有。{where}明确表述为否定（按相关度排序）：")
    if yesno:
        return (f"{where[0].upper() + where[1:]} do{'es' if one else ''} not say yes outright; the closest statements, most "
                "relevant first (check what they say):" if en else f"{where}未直接给出肯定的表述；最相关的表述如下（按相关度排序，请核对）：")
    return (f"What {where} say{s} on this, most relevant first:" if en else f"据{where}，要点如下（按相关度排序）：")


# --- a whole report in outline: "Summarize Longhua's 2025 report", "中山市2024年的报告主要讲了什么？" ---
_WHOLE = re.compile(r"概括|总结|综述|简述|介绍|主要(?:讲|说|写|内容)|讲了什么|说了什么|写了什么|要点|\bsummar|\boverview\b|"
                    r"\boutline\b|\bmain points\b|\bkey points\b|\bhighlights\b|\bgist\b", re.I)
# words that name the report itself, not a topic in it: its kind, a level, the points asked for
_REPORT_WORDS = {"报告", "年报", "年度", "年度报告", "要点", "重点", "讲", "说", "写", "区级", "市级", "区局", "市局"}
OUTLINE_REPORTS = 3  # reports one outline answer sets out, each with its share of the points
MAIN_SECTIONS = 4    # fewer top-level sections than this: their subsections are the main ones
_MIN_POINT_CHARS = 20


def whole_report(question: Question, metas: list[ReportMeta]) -> bool:
    """The question asks for a summary of the reports it names as a whole: it is asked as a summary, names no program,
    and every word of it is a word of asking or of those reports' titles and bureaus ("Summarize Longhua District's
    2025 report", "法治政府建设年度报告的主要内容") rather than a topic inside them ("… on AI", "政务公开工作")."""
    if not metas or len(metas) > OUTLINE_REPORTS or question.names or not _WHOLE.search(question.text):
        return False
    titles = "".join(m.title + m.bureau for m in metas)
    said = bigrams(titles)
    return all(t in _ASKING or t in _REPORT_WORDS or t in titles or bigrams(t) & said for t in question.topic_terms)


def main_sections(contents: list[tuple[int, int, str]]) -> list[int]:
    """Where a report's main sections start: its top-level sections, or, when it has fewer than MAIN_SECTIONS of them,
    their subsections (a top-level section without any counts itself)."""
    top = [start for depth, start, _ in contents if depth == min(d for d, _, _ in contents)] if contents else []
    if len(top) >= MAIN_SECTIONS:
        return top
    second = sorted({start for depth, start, _ in contents if depth == 2})
    bounds = top + [10 ** 9]
    return sorted({s for lo, hi in zip(bounds, bounds[1:]) for s in ([x for x in second if lo <= x < hi] or [lo])})


def outline(question: Question, table: SentenceTable, contents: dict[str, list[tuple[int, int, str]]],
            reports: dict[str, ReportMeta], report_ids: list[str], settings: Settings) -> Draft | None:
    """Each report's main sections in its own order, one point each: the section's most central sentence (closest to
    the mean of its sentences' vectors; headings left out), trimmed to settings.point_chars; with more sections than
    its share of settings.open_points, sections spread evenly over the report. A report without headings is cut into
    equal runs of sentences instead. None when no report has a sentence to quote."""
    share = max(3, settings.open_points // len(report_ids))
    points: list[Candidate] = []
    for rid in report_ids:
        rows = sorted((r for r, m in enumerate(table.metas) if m["report_id"] == rid), key=lambda r: table.metas[r]["start"])
        rows = [r for r in rows if len(table.texts[r]) >= _MIN_POINT_CHARS and not is_heading(table.texts[r])]
        starts = main_sections(contents.get(rid, []))
        if len(starts) < 2:  # no headings to go by: equal runs of sentences
            starts = [table.metas[r]["start"] for r in rows[:: max(1, -(-len(rows) // share))]]
        bounds = starts + [10 ** 9]
        runs = [[r for r in rows if lo <= table.metas[r]["start"] < hi] for lo, hi in zip(bounds, bounds[1:])]
        runs = [run for run in runs if run]
        if len(runs) > share:  # more sections than points: sections spread evenly over the report, first and last kept
            runs = [runs[round(i * (len(runs) - 1) / (share - 1))] for i in range(share)]
        chosen = [_central(run, table, reports[rid]) for run in runs]
        points += [trimmed(c, [], settings.point_chars) for c in chosen]
    if not points:
        return None
    en = question.answer_lang == "en"
    order = list(dict.fromkeys(p.meta.id for p in points))
    one = len(order) == 1
    where = (f"the {source_label(points[0].meta, 'en')}" if en else source_label(points[0].meta, "zh")) if one else \
        ("the reports below" if en else "以下报告")
    lines = [f"{where[0].upper() + where[1:]} in outline: the most central statement of each of "
             f"{'its' if one else 'their'} main sections, in the report's order:" if en
             else f"{where}概要：按报告顺序，各主要部分的核心表述如下："]
    for n, p in enumerate(points, 1):
        if not one and (n == 1 or points[n - 2].meta.id != p.meta.id):
            lines.append(f"**{source_label(p.meta, question.answer_lang)}**")
        lines.append(f"- “{p.text}” [{n}]" if en else f"- “{p.text}”[{n}]")
    return Draft("answered", "\n".join(lines), [citation(n, p) for n, p in enumerate(points, 1)])


def _central(rows: list[int], table: SentenceTable, meta: ReportMeta) -> Candidate:
    """Of a run of sentences, the one whose vector is closest to their mean."""
    vectors = table.embeddings[rows]
    scores = vectors @ vectors.mean(axis=0)
    best = rows[int(np.argmax(scores))]
    m = table.metas[best]
    return Candidate(table.texts[best], m["start"], m["end"], meta, "", m["chunk_id"], float(np.max(scores)), 1.0)
