"""Extractive answering without an LLM. A figure question is answered by the figure claim the learned ranker
(assistant/ranker.py) scores highest among the claims of the best-ranked sentences; its probability decides:
answer it (stating the figure with its qualifier as the report writes it), say "not sure" and show the closest
candidates with their citations, or say not found. Open questions are answered by assistant/overview.py."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from itertools import permutations
from typing import Callable

from assistant.figures import unit_contradicts, unit_kind, unit_matches, with_english
from assistant.question import CJK, EACH_ZH, Question, counted_after_ask, elliptic_focus
from assistant.ranker import (Ranker, Scored, counted_in_label, generic_head, measure_noun, names_what_is_counted,
                             other_time_scope)
from assistant.rerank import Candidate, term_coverage
from assistant.schema import Citation, ReportFigure
from assistant.settings import Settings
from index.claims import FIRST_PERIOD, QUALIFIER_AFTER, TIME_SCOPE
from index.load import ReportMeta

UNCERTAIN_CANDIDATES = 3


# --- picking the claim ----------------------------------------------------------------------------

@dataclass
class Found:
    """What the ranked claims support: "answered" (the claims to state), "uncertain" (the closest candidates, none
    stated as the answer) or "none"."""
    status: str
    claims: list[Scored] = field(default_factory=list)
    pool: list[Scored] = field(default_factory=list)  # every claim the ranker scored, most likely first
    doubt: str = ""  # "uncertain": why (the name of the first of DOUBTS that holds, or "low_confidence")
    rival: str = ""  # the first of DOUBTS that holds of the top claim, checked whatever the confidence ("" when none)

    @property
    def p(self) -> float:
        return self.claims[0].p if self.claims else 0.0


def find_answer(question: Question, ranked: list[Candidate], settings: Settings, ranker: Ranker) -> Found:
    """The claim(s) that answer a figure or date question, by the ranker's probability: at least answer_threshold,
    or at least named_answer_threshold when the claim's label names what the question counts, or for an English
    question at least english_clear_threshold when nothing rivals the claim (clear_in_english). Nothing answers about a
    bureau or year no report covers (the best sentence is out of scope), no figure of another kind than asked is a
    candidate, and a claim another figure of its report counts more exactly (label_rival, dominant) is only "not
    sure", as is one whose sentence gives what the question counts to another number (counted_rival, bare_rival,
    clause_rival, name_rival, sibling_name). A question asking for several figures ("多少个…、多少家…") is answered part
    by part (question.parts); one that asks them in one ask ("A和B分别是多少") is never answered with one (asks_each)."""
    if not ranked or ranked[0].scope < 0:
        return Found("none")
    if question.parts:
        return _find_each(question.parts, ranked, settings, ranker)
    # a figure of another kind than asked ("多少名律师", "超150份") is no candidate at all, not even a "not sure" one
    unnamed = unnamed_kinds(question)
    scored = [s for s in ranker.score(question, ranked)
              if s.claim.is_date or not (unit_contradicts(question.unit, s.claim.unit) or unit_kind(s.claim.unit) in unnamed)]

    def set_aside(s: Scored) -> bool:  # claims below uncertain_threshold are no candidates either
        return unasked(question, s) or s.p < settings.uncertain_threshold

    scored.sort(key=set_aside)  # stable: the candidates first, each group still most likely first
    if not scored or scored[0].p < settings.uncertain_threshold:
        return Found("none", pool=scored)
    top = scored[0]
    if not set_aside(top) and (run := joined(question, top, scored, settings)):
        return Found("answered", run, scored)
    sure = ((top.p >= settings.answer_threshold or alone(question, top, scored, settings))
            and names_what_is_counted(question, top.sentence) and names_which(question, top.sentence))
    # a claim whose own label names what the question counts needs less of the ranker's confidence
    named = top.p >= settings.named_answer_threshold and counted_in_label(question, top.claim)
    confident = sure or named or clear_in_english(question, top, scored, settings)
    rival = next((name for name, holds in DOUBTS if holds(question, top, scored)), "")
    if not confident or rival:
        distinct, seen = [], set()
        for s in scored:
            if (s.sentence.meta.id, s.sentence.start) not in seen and s.p >= settings.uncertain_threshold:
                seen.add((s.sentence.meta.id, s.sentence.start))
                distinct.append(s)
        return Found("uncertain", distinct[:UNCERTAIN_CANDIDATES], scored, "low_confidence" if not confident else rival, rival)
    return Found("answered", [top], scored)


JOINED_GAP = re.compile(r"[、和及与,，]?")  # what may stand between one figure and the next part of a joined word


def joined(question: Question, top: Scored, scored: list[Scored], settings: Settings) -> list[Scored] | None:
    """A question whose counted word joins what adjacent figures of the top claim's sentence count ("明察暗访" asked,
    "共计明察1455次、暗访204次" written): the sentence never writes the word, each of its parts stands right before its
    figure, in order, one figure after the other, and the ranker rates them together at least answer_threshold. Then
    the question asks them all (one of them alone would be half the answer), each stated with its part ("明察1455次"),
    a span of the sentence as it stands. None when no word of the question is so written."""
    text = top.sentence.text
    own = {s.claim.index: s for s in scored if s.sentence is top.sentence and not unasked(question, s)}
    for word in (t for t in question.focus if len(t) >= 4 and t not in text):
        for first in sorted(own):
            run = _spelled(word, [own[i] for i in range(first, first + len(word) // 2) if i in own], text)
            if not run or not any(s is top for s, _ in run):
                continue
            p = sum(s.p for s, _ in run)  # the ranker's probability that the answer is one of them
            # "surprise inspections (明察)": a question that writes one part itself, not the word, asks for that part
            one_part = word not in question.text and any(part in question.text for _, part in run)
            if p >= settings.answer_threshold and not one_part:
                return [Scored(s.sentence, replace(s.claim, stated=part + s.claim.stated), p) for s, part in run]
    return None


def _spelled(word: str, claims: list[Scored], text: str, end: int = -1) -> list[tuple[Scored, str]] | None:
    """The claims, from the first, whose parts (the text right before each one's figure, its qualifier included) spell
    word in order, each part after the previous figure with at most a separator between (end: where it ended)."""
    if not word:
        return []
    if not claims:
        return None
    s, rest = claims[0], claims[1:]
    before, _, after = s.claim.stated.partition(s.claim.figure)  # the qualifier: 超 before, 以上 after
    begins = s.claim.start - len(before)
    for k in range(len(word), 1, -1):
        part, start = word[:k], begins - k
        if start >= 0 and text[start:begins] == part and (end < 0 or JOINED_GAP.fullmatch(text[end:start])):
            if (more := _spelled(word[k:], rest, text, s.claim.end + len(after))) is not None:
                return [(s, part), *more]
    return None


# what an English "how many …" counts, up to its verb or preposition ("how many legal-training sessions did …")
_HOW_MANY_EN = re.compile(r"\bhow many\s+(.+?)(?=\s+(?:did|does|do|were|was|are|is|have|has|had|will|would|can|could|"
                          r"in|on|at|for|from|by|to|under|per|through|across|with|that|which)\b|[?,.;]|$)", re.I)
# the nouns that a figure of a kind with its own measure word can count (figures.UNIT_KINDS): people, documents
_KIND_NOUNS = {
    "people": re.compile(r"\b(?:people|persons?|residents?|staff|employees?|officials?|civil servants?|cadres?|lawyers?|"
                         r"users?|applicants?|citizens?|workers?|volunteers?|experts?|members?|participants?|trainees?|"
                         r"attendees?|students?|talents?|visitors?|individuals?|personnel|teachers?|officers?|"
                         r"mediators?|judges?|leaders?|graduates?|migrants?|elderly|seniors?|patients?|farmers?)\b", re.I),
    "documents": re.compile(r"\b(?:documents?|materials?|papers?|copies|copy|forms?|certificates?|files?|reports?|"
                            r"articles?|opinions?|letters?|records?|submissions?|proofs?|paperwork|licen[cs]es?|permits?|contracts?|"
                            r"agreements?|notices?|decisions?|statements?|applications?|questionnaires?|surveys?|"
                            r"credentials?|IDs?|cards?|e-?licen[cs]es?)\b", re.I)}


def unnamed_kinds(question: Question) -> set[str]:
    """The kinds of figure (people, documents) an English "how many …" question does not count: a figure whose measure
    word counts one of them is of another kind than asked ("How many legal-training sessions …" and "100多名干部职工",
    "How many lawsuits …" and "申请材料12份"). Read once per question, not per claim. Chinese questions say their measure
    word themselves (unit_contradicts)."""
    asked = [m.group(1) for m in _HOW_MANY_EN.finditer(question.text)] if question.lang == "en" else []
    # "how many of those were contracts …": what is counted was named before
    if not asked or any(a.lower().startswith("of ") for a in asked):
        return set()
    return {kind for kind, nouns in _KIND_NOUNS.items() if not any(nouns.search(a) for a in asked)}


def names_which(question: Question, sentence: Candidate) -> bool:
    """A Chinese question that says which of its head noun's kind it counts (澳门用户, 活跃用户) is answered only by a
    sentence that says so too: "港澳注册用户超5万" counts the users of Hong Kong and Macao together, "注册用户超200万" the
    registered ones; such a figure is a candidate, never the answer."""
    return not question.head_modifier or question.head_modifier in sentence.text


def has_part(total: Scored, scored: list[Scored]) -> bool:
    """Another figure of the same unit follows total after "其中", in its sentence ("共汇集政策补贴事项775项,其中“免申即享”
    事项169项") or in the next one ("…共48项…。通过数据共享,…,其中涉及产业和人才领域事项多达35项"): for a question about a part, the
    total and its part are both candidates, and stating either would be a guess."""
    own, end = total.sentence, total.claim.end

    def part(s: Scored) -> bool:
        if s.sentence is own:
            return s.claim.start > end and "其中" in own.text[end:s.claim.start]
        return (s.sentence.meta.id == own.meta.id and 0 <= s.sentence.start - own.end <= 2
                and "其中" in s.sentence.text[:s.claim.start])

    return any(s.claim.unit == total.claim.unit and part(s) for s in scored)


def lacking(top: Scored, terms) -> list[str]:
    """The question's words (two characters or more) that the top claim's label does not name: a rival whose label
    names one of them counts more exactly what is asked (later_rival, label_rival)."""
    return [t for t in terms if len(t) >= 2 and t not in top.claim.label]


RIVAL_GAP = 12  # characters between two figures of one sentence that read as one phrase ("22项整改任务已完成14项")


def later_rival(question: Question, top: Scored, scored: list[Scored]) -> bool:
    """A figure of the same unit follows the top claim closely in its sentence, and what the question asks for ("已经完成了
    多少项") is named by that figure's label, not by the top claim's: "涉及的22项整改任务已完成14项" answers a question about the
    completed tasks with 14, not 22. Then both are candidates, and stating either would be a guess."""
    asked = lacking(top, dict.fromkeys(question.focus + question.topic_terms))
    own = top.sentence

    def rival(s: Scored) -> bool:
        between = own.text[top.claim.end:s.claim.start]
        return (0 < len(between) <= RIVAL_GAP and "其中" not in between  # 其中: a part (has_part)
                and s.claim.unit == top.claim.unit and any(t in s.claim.label for t in asked))

    return any(rival(s) for s in scored if s.sentence is own)


_CLAUSE_END = re.compile(r"[\d,，。；;:：（(、]")
# jieba tags of a word that names what a figure counts ("99路摄像头"), not what is done with it ("4年获评…")
_COUNTED_NOUN = {"n", "nz", "vn", "nt", "j", "l"}
_ORDINAL = re.compile(r"^(?:第[一二三四五六七八九十\d]+|首)[批轮次期]")


def counted_after(s: Scored) -> str:
    """The words right after a figure (a trailing 以上 / 左右 skipped, as the claim reads it), up to the next figure, "、" or clause break: what
    its measure word counts ("11个部门68项…" -> 部门), or the predicate that follows it ("连续4年获评…" -> 获评…)."""
    rest = QUALIFIER_AFTER.sub("", s.sentence.text[s.claim.end:])
    end = _CLAUSE_END.search(rest)
    return rest[: end.start() if end else len(rest)]


def _heads(question: Question) -> list[str]:
    """The question's head terms that name a thing counted: not a time or batch word (累计, 第二批)."""
    return [h for h in question.focus_head if len(h) >= 2 and not TIME_SCOPE.search(h) and not _ORDINAL.search(h)]


def counted_rival(question: Question, top: Scored, scored: list[Scored]) -> bool:
    """The top claim's figure counts another noun than the question's head, and a figure of the same sentence among
    the ranker's first candidates counts the head: "香港特别行政区11个部门68项政务服务" asked how many services, "61家单位
    90个AI场景" asked how many scenarios; "1433个用户提供服务调用累计超20亿次" asked how many users, where the top figure
    ends its clause and an earlier figure of that clause stands right before the head. Then both are candidates, and
    stating the first would be the classic wrong answer."""
    heads, own = _heads(question), counted_after(top)
    if not heads or any(h in own for h in heads):
        return False

    def counts_head(s: Scored) -> bool:
        after = counted_after(s)
        if own:
            return any(h in after for h in heads)
        # a top figure that ends its clause: a rival earlier in that clause, right before the head noun
        return (s.claim.clause == top.claim.clause and s.claim.end <= top.claim.start
                and any(after.startswith(h) for h in heads))
    return any(s.sentence is top.sentence and s.claim.stated != top.claim.stated and counts_head(s)
               for s in scored[1:RIVALS + 1])


# measure words and units: never what a question counts on their own
_MEASURES = re.compile(r"[个家项次人件名条种所座批类份天年月万亿元%路宗场户张篇台套期]+")


def counted_now(question: Question) -> list[str]:
    """What a question counts, as a word a report may write right after a bare number: the first word after 多少 / 几 +
    measure word ("多少个省达成…" -> 省), or an English head noun's senses ("provinces" -> 省)."""
    if question.lang == "zh":
        import jieba  # in memory with the tokenizer's dictionary

        first = next(iter(jieba.cut(counted_after_ask(question.text))), "")
        words = [first] if re.fullmatch(r"[\u4e00-\u9fff]+", first) else []
    else:
        words = question.head_senses or question.focus_head
    return [w for w in words if not _MEASURES.fullmatch(w)]


def bare_rival(question: Question, top: Scored) -> bool:
    """A number of the top claim's clause stands right before what the question counts with no measure word between
    them ("共计8省115个市区县" asked how many provinces): that number counts it, and it is no claim, so the top figure,
    which counts something else, would be the classic wrong answer."""
    if not question.counts:  # "how many" / 多少个: a number the question does not count by is a name ("12345热线")
        return False
    own, text = counted_after(top), top.sentence.text
    start = text.find(top.claim.clause)
    end = start + len(top.claim.clause)
    return start >= 0 and any(start <= m.start() < end and (m.end() <= top.claim.start or m.start() >= top.claim.end)
                              and m.group(1) not in question.text
                              for w in counted_now(question) if not own.startswith(w)
                              for m in re.finditer(rf"(?<![\d.])(\d+){re.escape(w)}", text))


def clause_rival(question: Question, top: Scored, scored: list[Scored]) -> bool:
    """English: what the top figure counts names none of the question's words, and another figure of its clause among
    the ranker's first candidates counts one of them: "累计支撑61家单位90个AI场景建设" asked how many AI use cases (the
    dictionary has no sense of "use case" that the report writes, only its "AI"). Two figures of one clause, each
    counting its own noun, and the question names the second's: stating the first would be the classic wrong answer.
    Chinese questions are left to counted_rival, whose head noun is the report's own word."""
    words = [t for t in dict.fromkeys(question.focus + question.head_senses) if len(t) >= 2]
    own = counted_after(top)
    if question.lang != "en" or not own or any(t in own for t in words):
        return False
    return any(s.claim.clause == top.claim.clause and s.claim.stated != top.claim.stated
               and any(t in counted_after(s) for t in words) for s in scored[1:RIVALS + 1])


# "A和B分别是多少", "分别上收了多少项" (question.EACH_ZH) / "各有多少" (各 right before its ask: 各 is also "every", 各部门) /
# "… respectively": one ask for several figures
_EACH = re.compile(EACH_ZH.pattern + r"|各(?:是|为|有|达到?)?(?:多少|几)|respectively", re.I)
_EACH_JOINT = re.compile(r"[和与及、]|\band\b")


def asks_each(question: Question) -> bool:
    """A question that asks for the figures of several things in one ask ("系统浏览量和业务办理量分别是多少"): it was not
    split into parts, so one claim would answer only one of them; its figures are candidates, never the answer. A
    question naming several years or places asks each report for its own figure ("深圳市2024年和2025年分别上线了多少个"):
    a comparison, one figure per report."""
    each = _EACH.search(question.text)
    return (not question.parts and len(question.years) <= 1 and len(question.regions) <= 1 and each is not None
            and _EACH_JOINT.search(question.text, 0, each.start()) is not None)


_QUOTED = re.compile(r"“([^”]{2,30})”")


def sibling_name(question: Question, top: Scored) -> bool:
    """A Chinese question quotes a name ("“水电网联合报装一件事”累计办理业务多少宗") that the top claim's sentence does not
    hold, and the sentence quotes another name of the same family instead, one ending in the same three characters
    ("做好“企业职工退休一件事”试点服务工作,累计办理业务超5000宗"): the figure is the sibling's, not the one asked about.
    A shorter name inside the question's ("人才引进入户“一件事”" for “人才引进入户一件事”) is the same one, written apart; a name
    quoted after the figure, outside its clause, is not what it counts ("上线…9件国办文件要求落实的一件事,推动“水电网联合报装
    一件事”…服务上线" still answers how many “高效办成一件事”)."""
    if question.lang != "zh":
        return False
    quoted = _QUOTED.findall(top.sentence.text[:top.claim.end]) + _QUOTED.findall(top.claim.clause)
    return any(n[-3:] == m[-3:] and m not in n and n not in m
               for n in question.names if len(n) >= 5 and n not in top.sentence.text for m in quoted)


def name_rival(question: Question, top: Scored, scored: list[Scored]) -> bool:
    """A name the question quotes ("多少项政务服务实现“视频办”") is neither in the top claim's clause nor before it in its
    sentence, but in the clause of a later figure of that sentence among the ranker's first candidates
    ("…1923项政务服务“指尖可办”,…,918项“视频办”"): the name belongs to that later figure (a name before the figure is the
    sentence's subject, shared by all its figures), and stating the top one would be the classic wrong answer."""
    missing = [n for n in question.names if n not in top.sentence.text[:top.claim.end] and n not in top.claim.clause]
    return any(s.sentence is top.sentence and s.claim.start > top.claim.end and any(n in s.claim.clause for n in missing)
               for s in scored[1:RIVALS + 1])


def counts_other(question: Question, top: Scored) -> bool:
    """An English question's head noun is named before the top figure and another noun right after it, which is what
    the figure counts: "试点学校接入99路摄像头" counts cameras, not the schools asked about. Chinese questions are left
    out: there the sentence's noun after a figure is as often the same thing in the report's words, and on the spent
    blind sets the check cost five right Chinese answers for one wrong one (English: two for seven)."""
    import jieba.posseg  # in memory with the tokenizer's dictionary

    heads, after = _heads(question), counted_after(top)
    if (question.lang != "en" or not heads or any(h in after for h in heads)
            or not any(h in top.sentence.text[: top.claim.start] for h in heads)):
        return False
    first = next(iter(jieba.posseg.cut(after)), None)
    return first is not None and first.flag in _COUNTED_NOUN and len(first.word) >= 2


ENUMERATION_SPAN = 80  # characters between two sentences of one list cut at "；" (a member may lie between them)


def enumerated_rival(question: Question, top: Scored, scored: list[Scored]) -> bool:
    """A Chinese question about one member of a list the report cuts into sentences at "；" ("减少办理环节7个,压减比例64%;
    减少办理时限12天,压减比例56%;减少跑动4次,压减比例80%"): another figure of the same unit among the ranker's first candidates
    stands in a sentence next to the top claim's, and that sentence names a word of the question the top claim's does
    not (办理时限). Then the members are all candidates, and stating the first would be the classic wrong answer.
    English questions are left out: their words are the dictionary's guesses, named by unrelated sentences too."""
    if question.lang != "zh":
        return False
    missing = [t for t in question.focus if len(t) >= 2 and t not in top.sentence.text]
    return any(list_rival(top, s) and any(t in s.sentence.text for t in missing) for s in scored[1:RIVALS + 1])


def list_rival(top: Scored, s: Scored) -> bool:
    """s is another figure of top's unit in another sentence of the same list (same_list)."""
    return s.claim.unit == top.claim.unit and s.claim.stated != top.claim.stated and same_list(top.sentence, s.sentence)


def same_list(own: Candidate, other: Candidate) -> bool:
    """Two sentences of one list the report cuts at "；": of one report, near, the earlier ending in "；"."""
    first = own if own.start < other.start else other
    return (other is not own and other.meta.id == own.meta.id and first.text.rstrip().endswith((";", "；"))
            and (0 <= other.start - own.end <= ENUMERATION_SPAN or 0 <= own.start - other.end <= ENUMERATION_SPAN))


def unasked(question: Question, s: Scored) -> bool:
    """A planned figure ("预计…将新增15个"), a baseline ("在12个合作地区的基础上") or a figure of another time scope (the
    running total for "不算累计") when the question does not ask for one: shown as "not sure" when nothing else is a
    candidate, never stated as the answer."""
    return ((s.claim.planned and not question.asks_plan) or (s.claim.baseline and not question.asks_baseline)
            or other_time_scope(question, s.claim) or first_period(question, s) or best_case(question, s))


_ASKS_FIRST = re.compile(r"首月|首周|首日|首年|第一(?:个)?[月周天年]|\bfirst (?:full )?(?:month|week|day|year)|opening (?:month|week|day)", re.I)


def first_period(question: Question, s: Scored) -> bool:
    """The figure counts the first month (week, day, year) only ("上线首月为企业群众提供超67万次咨询服务"), and the question does
    not ask about that first period: it asks the whole, which a report of a later year may state ("上线以来…超430万次");
    or the other way round: the question asks about the first period and the figure counts more than it."""
    return bool(FIRST_PERIOD.search(s.claim.clause)) != asks_first(question)


def asks_first(question: Question) -> bool:
    """The question asks about a first month (week, day, year): "上线首月", "in its first month"."""
    return bool(_ASKS_FIRST.search(question.text))


# a figure written as the best case ("最快0.5天办结", "最高补贴…"), and a question asking for the usual or average one
_BEST_CASE = re.compile(r"最(?:快|短|长|多|少|高|低)(?:可|能|仅|只)?(?:需|要|达|为)?$")
_ASKS_AVERAGE = re.compile(r"平均|通常|\b(?:average|on average|typically|usually|normally|mean)\b", re.I)


def best_case(question: Question, s: Scored) -> bool:
    """The figure is a best case ("最快0.5天办结企业开办全流程业务") and the question asks for the average ("平均多长时间",
    "on average, how long"), which the report does not state."""
    return bool(_ASKS_AVERAGE.search(question.text) and _BEST_CASE.search(s.sentence.text[:s.claim.start]))


def alone(question: Question, top: Scored, scored: list[Scored], settings: Settings) -> bool:
    """A Chinese question's top claim is at least alone_threshold likely and every claim stating another figure is at
    most alone_share as likely as it: the ranker doubts it, but has nothing else to offer ("截至上半年实际抽查了多少宗案卷"
    -> 785宗 at 0.68, the next figure at 0.01). English questions name too little of a sentence for the ranker's
    doubts to mean this (their own band: clear_in_english), and a comparison's rows have their own
    (compare.corroborated): alone, a row is one report's figure however many the question names."""
    runner_up = max((s.p for s in scored[1:] if s.claim.stated != top.claim.stated), default=0.0)
    return (question.lang == "zh" and question.kind != "comparison" and top.p >= settings.alone_threshold
            and runner_up <= settings.alone_share * top.p)


def clear_in_english(question: Question, top: Scored, scored: list[Scored], settings: Settings) -> bool:
    """An English question about a bureau it names (not a comparison) is answered at english_clear_threshold when its
    top claim's sentence names what it counts (its head noun, in any of the dictionary's senses: "events" is read
    as 项目 and the sentence says 事件) or, when no head noun could be read ("How fast can a
    company be set up …?"), the claim's unit is the one asked and the claim is not one of a list of figures of that
    unit ("…压减比例64%;减少办理时限12天,压减比例56%;…": the unit cannot say which), and no rival figure of that report
    names more of it (label_rival). Its words reach the Chinese text through the glossary and the dictionary and cover only part of a
    claim's label, so the ranker, trained on full glosses, rates right English answers lower than Chinese ones."""
    return (question.lang == "en" and question.kind != "comparison" and bool(question.regions)
            and top.p >= settings.english_clear_threshold
            and (term_coverage(question.head_senses or question.focus_head, top.sentence.text) > 0
                 or not question.focus_head and unit_matches(question.unit, top.claim.unit)
                 and not any(list_rival(top, s) for s in scored[1:RIVALS + 1]))
            and not label_rival(question, top, scored))


RIVALS = 5  # the ranker's first candidates that label_rival looks at


def label_rival(question: Question, top: Scored, scored: list[Scored], dominant: bool = False) -> bool:
    """Another figure among the ranker's first candidates, from the top claim's report, names in its label a word of
    what the question counts that the top claim's label lacks: "how many were in the industry and talent fields" is
    answered by "其中涉及产业和人才领域事项多达35项", not by the 48 of the sentence before, whatever the ranker prefers.
    dominant: only a rival whose label also names every such word the top claim's label names counts ("how many public
    datasets": "开放公共数据集4323个" over "数据28.4亿条"); this one holds whatever the ranker's confidence."""
    missing = lacking(top, question.focus)
    named = [t for t in question.focus if len(t) >= 2 and t in top.claim.label] if dominant else []
    return any(s.claim.stated != top.claim.stated and s.sentence.meta.id == top.sentence.meta.id
               and any(t in s.claim.label for t in missing) and (not dominant or all(t in s.claim.label for t in named))
               for s in scored[1:RIVALS + 1])


# a question about what was added ("新增注册用户", "how many new users") ...
_ASKS_ADDED = re.compile(r"新增|净增|增加了|新注册|\bnew(?:ly)?\b|\badd(?:ed|s)?\b", re.I)
_STOCK = re.compile(r"目前|现有|当前|截至|至今")  # ... and a figure of how many there are now
_ADDED = re.compile(r"新|增")


def stock(question: Question, top: Scored) -> bool:
    """The question asks how many were added and the top figure is how many there are: its sentence says now (目前,
    现有, 截至…) before it, and its clause nothing of new or added ("目前,“i深圳”注册用户超2100万" for "新增注册用户")."""
    return (bool(_ASKS_ADDED.search(question.text)) and not _ADDED.search(top.claim.clause)
            and bool(_STOCK.search(top.sentence.text[:top.claim.start])))


def twin_rival(question: Question, top: Scored, scored: list[Scored]) -> bool:
    """Another figure among the ranker's first candidates, from the top claim's report, counts the same thing (the
    same label) in a sentence that names a word of the question which the top claim's sentence lacks: "减少跑动4次,压减
    比例80%" beside "减少办理环节7个,压减比例64%" for "跑动次数的压减比例" — parallel statements of one list, told apart only
    by that word. (A noun the figure's unit says, 次数, tells nothing apart; a question without a counted phrase, "哪一
    年更高", is told by its topic words.)"""
    words = question.focus or [t for t in question.topic_terms if CJK.search(t)]
    missing = [t for t in words if len(t) >= 2 and t not in top.sentence.text and not measure_noun(t)]
    return any(s.claim.label == top.claim.label and s.claim.stated != top.claim.stated
               and s.sentence.meta.id == top.sentence.meta.id and any(t in s.sentence.text for t in missing)
               for s in scored[1:RIVALS + 1])


def unsaid_which(question: Question, top: Scored, scored: list[Scored]) -> bool:
    """The top claim's sentence writes the head of what a Chinese question counts after words of its own (two
    characters the question never writes), and none of the question's words that say which of it ("电子证照调用量"
    asked, "数据交换和应用调用量…超120亿条次" written): a figure of another thing of that kind. (A head right after its
    figure, "省外7个城市", after the question's own words, "转派工单" for "转派出去的工单", or after a clause of 的, "落实的
    一件事", is not so qualified; nor is the end of a name the question gives, "“高效办成一件事”", nor a head the
    figure's unit says, 金额 in "补贴金额" and "兑现金额".)"""
    head = [h for h in question.focus_head if len(h) >= 2 and not generic_head(h)]  # 金额, 次数: said by the unit
    said = top.sentence.text + top.claim.lead
    if question.lang != "zh" or not head:
        return False  # English focus words are a dictionary's senses, most of them unsaid by any sentence
    # the words of a name the head ends ("高效办成一件事") name the program, not which of its kind
    which = [t for t in question.focus if len(t) >= 2 and CJK.search(t) and not any(t in h or h in t for h in head)
             and not TIME_SCOPE.search(t) and not generic_head(t) and t not in question.scope_terms
             and not any(t in name and any(h in name for h in head) for name in question.names)]
    if not which or any(t in said for t in which):
        return False
    text = top.sentence.text
    own = {text[max(0, m.start() - 2):m.start()] for h in head for m in re.finditer(re.escape(h), text)}
    return any(len(words) == 2 and all(CJK.match(c) and c != "的" for c in words) and words not in question.text
               for words in own)


# English words that say which of a kind a question counts, with what the reports write for each: a statement that
# writes none of them counts the whole kind or another part of it ("monthly active users" against "注册用户超2100万",
# "second prizes" against "共获得6项国家级奖项,其中一等奖2项"). Written by hand: a closed class of selectors, whose
# dictionary senses are too broad to check (active -> 积极, second -> 秒).
_SELECTORS_EN = {
    "first": ("第一", "首", "一等", "一次", "头"), "second": ("第二", "二等", "二次", "两批"), "third": ("第三", "三等", "三次"),
    "daily": ("日均", "每日", "每天", "日活", "当日"), "weekly": ("每周", "周均", "周报"),
    "monthly": ("月均", "每月", "月活", "月度", "月报"),
    "active": ("活跃", "月活", "日活"), "foreign": ("外籍", "外国", "境外", "外语", "外贸", "外资", "外商", "国际"),
}
_SELECTOR_EN = re.compile(rf"\b({'|'.join(_SELECTORS_EN)})\b", re.I)


def unsaid_selector(question: Question, top: Scored) -> bool:
    """An English question says which of a kind it counts with a selector word (_SELECTORS_EN) that the top claim's
    sentence never writes: the figure counts another part of the kind, or all of it."""
    if question.lang != "en":
        return False
    said = top.sentence.text + top.claim.lead
    return any(not any(form in said for form in _SELECTORS_EN[m.group(1).lower()])
               for m in _SELECTOR_EN.finditer(question.text))


# Why a confident top claim is still only "not sure", in the order they are checked (the first that holds names the
# doubt): it is not what is asked (a plan, a baseline, another period), or its sentence or report gives what is asked
# to another figure. Their groups are what an answer tells the user (DOUBT_GROUPS).
DOUBTS: list[tuple[str, Callable[[Question, Scored, list[Scored]], bool]]] = [
    ("unasked", lambda q, top, scored: unasked(q, top)),
    ("stock", lambda q, top, scored: stock(q, top)),
    ("has_part", lambda q, top, scored: q.asks_part and has_part(top, scored)),
    ("asks_each", lambda q, top, scored: asks_each(q)),
    ("later_rival", later_rival),
    ("label_rival", lambda q, top, scored: label_rival(q, top, scored, dominant=True)),
    ("twin_rival", twin_rival),
    ("counted_rival", counted_rival),
    ("counts_other", lambda q, top, scored: counts_other(q, top)),
    ("name_rival", name_rival),
    ("clause_rival", clause_rival),
    ("bare_rival", lambda q, top, scored: bare_rival(q, top)),
    ("sibling_name", lambda q, top, scored: sibling_name(q, top)),
    ("enumerated_rival", enumerated_rival),
    ("unsaid_which", unsaid_which),
    ("unsaid_selector", lambda q, top, scored: unsaid_selector(q, top)),
]
# what the answer's `doubt` field says: the ranker is not sure; the figure is of another scope than asked; another
# figure may be the one asked; the question asks several figures that no statement gives together
DOUBT_GROUPS = {"low_confidence": "low_confidence", "unasked": "other_scope", "stock": "other_scope",
                "asks_each": "several_figures", "unsaid_which": "other_thing",
                "unsaid_selector": "other_thing"}


def doubt_group(doubt: str) -> str:
    return DOUBT_GROUPS.get(doubt, "rival_figure") if doubt else ""


def _find_each(parts: list[Question], ranked: list[Candidate], settings: Settings, ranker: Ranker) -> Found:
    """A question asking for several figures: each part's own claim, all from one report, answered when every part
    is, or when one sentence states them all (joint_claims); otherwise as sure as its least sure part."""
    found = [find_answer(part, ranked, settings, ranker) for part in parts]
    claims = [f.claims[0] for f in found if f.claims]
    same_report = len({c.sentence.meta.id for c in claims}) == 1
    distinct = len({(c.sentence.start, c.claim.start) for c in claims}) == len(claims) == len(parts)
    if all(f.status == "answered" for f in found) and same_report and distinct:
        return Found("answered", claims)
    if joint := joint_claims(parts, found, settings):
        return Found("answered", joint)
    if any(f.status == "none" for f in found):
        return Found("none")
    doubts = [f.doubt for f in found if f.doubt]
    # one of several figures asked is no answer to the question, however likely: a rival doubt whatever its parts say
    return Found("uncertain", [c for f in found for c in f.claims][:UNCERTAIN_CANDIDATES],
                 doubt=doubts[0] if doubts else "asks_each", rival="asks_each")


def joint_claims(parts: list[Question], found: list[Found], settings: Settings) -> list[Scored] | None:
    """The figures of a several-figure question read off one sentence together: the sentence of a part answered on
    its own, else of the surest claim of any part (at least answer_threshold), and of its claims the distinct ones,
    one per part, that the parts rate most likely in sum, each at least joint_floor. The parts of "how many
    departments and how many services" often rate the same claim highest each ("11个部门68项政务服务": 11 for both);
    read together, the second takes the 68. A part the ranker rates low on its own ("how many in the second batch":
    29项 at 0.12, below uncertain_threshold), or a sentence whose part was answered below answer_threshold, is read
    only in order (in_order). None when no sentence is that sure or its claims cannot give every part its own."""
    asked = [[s for s in f.pool if not unasked(part, s)] for part, f in zip(parts, found)]
    answered = [f.claims[0] for f in found if f.status == "answered"]
    anchor = max(answered or [s for pool in asked for s in pool if s.p >= settings.answer_threshold],
                 key=lambda s: s.p, default=None)
    if anchor is None:
        return None
    # each part's probability for each claim of the anchor's sentence (the parts share the ranked candidates)
    rated = [{s.claim.start: s for s in pool if s.sentence is anchor.sentence} for pool in asked]
    # a claim counting another noun than its part's, where a figure of the sentence counts that part's noun, is no pick
    rated = [{start: s for start, s in part_rated.items()
              if not counted_rival(part, s, [s, *part_rated.values()]) and not bare_rival(part, s)}
             for part, part_rated in zip(parts, rated)]
    sure = anchor.p >= settings.answer_threshold
    best, best_p = None, 0.0
    for pick in permutations(sorted({start for part in rated for start in part}), len(parts)):
        chosen = [part.get(start) for part, start in zip(rated, pick)]
        if any(s is None for s in chosen) or sum(s.p for s in chosen) <= best_p:
            continue
        if sure and all(s.p >= settings.uncertain_threshold for s in chosen) or in_order(pick, chosen, rated, settings):
            best, best_p = chosen, sum(s.p for s in chosen)
    return best


JOINT_LEAD = 2.0  # how much likelier than any figure of the sentence left unpicked a pick read in order must be


def in_order(pick: tuple[int, ...], chosen: list[Scored], rated: list[dict[int, Scored]], settings: Settings) -> bool:
    """The sentence states the picked figures in the order the question asks them, and each part rates its pick at
    least joint_floor and JOINT_LEAD times any figure of the sentence that no part picks ("635项事项2300余份材料…超15万…
    超194万": "how many documents" rating 超194万 and 超15万 alike is no reading of the sentence)."""
    def left(part: dict[int, Scored]) -> float:
        return max((s.p for start, s in part.items() if start not in pick), default=0.0)
    return list(pick) == sorted(pick) and all(s.p >= settings.joint_floor and s.p >= JOINT_LEAD * left(part)
                                              for s, part in zip(chosen, rated))


# --- composing the answer ----------------------------------------------------------------------

@dataclass
class Draft:
    """An answer before verification: what the answerer says and what it rests on."""
    status: str                       # "answered" | "not_found" | "clarify" | "uncertain"
    text: str
    citations: list[Citation] = field(default_factory=list)
    rows: list[ReportFigure] = field(default_factory=list)
    related: list[Citation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    doubt: str = ""                   # "uncertain": why (doubt_group)


def compose(question: Question, ranked: list[Candidate], settings: Settings, coverage: Coverage, ranker: Ranker,
            unsaid: Callable[[], bool] = lambda: False) -> Draft:
    """A single-report answer to a figure or date question: the ranker's claim(s), "not sure", or "not found".
    unsaid() (asked only of a "not sure"): what the question counts is a word other reports use and the reports it
    names never do ("深圳市2025年的群众满意度" where only Zhongshan's report speaks of 满意度), or no report is of the bureau
    and year it names: then the closest candidates count something else or are of another report, and the answer is
    "not found", not "not sure"."""
    found = find_answer(question, ranked, settings, ranker)
    # a "X呢？" turn has no counted phrase the ranker could check its answer against: unsaid() is asked of it too
    if found.status == "none" or ((found.status == "uncertain" or elliptic_focus(question)) and question.wants != "date"
                                  and unsaid()):
        return not_found(question, ranked, settings, coverage)
    if found.status == "uncertain":
        return uncertain(question, found.claims, doubt_group(found.doubt))
    cited = list({id(s.sentence): s.sentence for s in found.claims}.values())
    return Draft("answered", answer_text(question, cited, [s.claim.stated for s in found.claims]),
                 [citation(n, c) for n, c in enumerate(cited, 1)])


# what a "not sure" answer says first, by its doubt group: why no figure is stated
_UNSURE_LEAD = {
    "low_confidence": ("no statement in the reports clearly answers this.", "报告中没有明确回答这个问题的表述。"),
    "other_scope": ("the closest figure is a plan, a starting point, a best case or of another period than the question asks.",
                    "最接近的数字是计划、基数、最好情形或其他时段的数字，并非所问。"),
    "other_thing": ("the closest figure counts another thing of the kind asked, not the one the question names.",
                    "最接近的数字统计的是同类的其他事物，并非问题所指。"),
    "rival_figure": ("the closest statement gives more than one figure, and which one counts what is asked is not clear.",
                     "最接近的表述中有不止一个数字，无法确定哪一个对应所问内容。"),
    "several_figures": ("the question asks for several figures, and no statement clearly gives them all.",
                        "问题问的是几个数字，报告中没有同时明确给出它们的表述。"),
}


def uncertain(question: Question, closest: list[Scored], doubt: str = "low_confidence") -> Draft:
    """"Not sure": why (the doubt group), the closest candidate statements, each cited, and no figure stated as the
    answer."""
    cited = [s.sentence for s in closest]
    en = question.answer_lang == "en"
    why = _UNSURE_LEAD.get(doubt, _UNSURE_LEAD["low_confidence"])
    lead = (f"Not sure: {why[0]} The closest candidates are quoted below; check them against the question." if en
            else f"不确定：{why[1]}以下是最接近的内容，请对照问题核实：")
    lines = [f"[{n}] {source_label(c.meta, question.answer_lang)}: “{c.text}”" for n, c in enumerate(cited, 1)]
    return Draft("uncertain", lead + "\n" + "\n".join(lines), [citation(n, c) for n, c in enumerate(cited, 1)],
                 doubt=doubt)


def citation(n: int, c: Candidate) -> Citation:
    return Citation(n=n, report_id=c.meta.id, title=c.meta.title, bureau=c.meta.bureau, year=c.meta.year,
                    text=c.text, start=c.start, end=c.end, score=round(c.score, 4), section=c.section,
                    uploaded=c.meta.source == "uploaded")


def source_label(meta: ReportMeta, lang: str) -> str:
    """"深圳市政务服务和数据管理局2025年度报告" / "Shenzhen Municipal …, 2025 report"."""
    return f"{meta.bureau_en or meta.bureau}, {meta.year} report" if lang == "en" else f"{meta.bureau}{meta.year}年度报告"


def answer_text(question: Question, cited: list[Candidate], figures: list[str]) -> str:
    """The stated figure(s) as the report writes them (qualifiers kept: 超430万次; read in English too in an English
    answer: "超430万次 (over 4.3 million)"), then the source and the quotes."""
    best = cited[0].meta
    if question.answer_lang == "en":
        quotes = " ".join(f"“{c.text}” [{n}]" for n, c in enumerate(cited, 1))
        return f"{'; '.join(with_english(f, 'en') for f in figures)} — according to the {source_label(best, 'en')} ({best.bureau}): {quotes}"
    quotes = "".join(f"“{c.text}”[{n}]" for n, c in enumerate(cited, 1))
    return f"{'；'.join(figures)}。据{source_label(best, 'zh')}：{quotes}"


# --- not found ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Coverage:
    """What the index covers, to say so when nothing answers."""
    years: dict[str, list[int]]   # region -> years of its reports
    english: dict[str, str]       # region -> English name
    filtered: bool = False        # the reports a user's filter allows, not the whole library

    @classmethod
    def of(cls, metas: list[ReportMeta], filtered: bool = False) -> "Coverage":
        return cls({m.region: sorted(x.year for x in metas if x.region == m.region) for m in metas},
                   {m.region: m.region_short_en for m in metas}, filtered)


RELATED_PASSAGES = 3
COVERAGE_LISTED = 8  # bureaus a "not found" answer names as covered


def not_found(question: Question, ranked: list[Candidate], settings: Settings, coverage: Coverage) -> Draft:
    """Says plainly that the reports do not answer and what they cover; the closest passages come as "related"."""
    related = passage_citations(ranked, RELATED_PASSAGES, lambda c: c.score >= settings.min_related_score)
    return Draft("not_found", not_found_text(question, coverage, bool(related)), related=related)


def passage_citations(ranked: list[Candidate], k: int, keep: Callable[[Candidate], bool]) -> list[Citation]:
    """Citations (numbered from 1) of the first k sentences that keep accepts, one per passage, best first."""
    cited, seen = [], set()
    for c in ranked:
        if c.chunk_id not in seen and keep(c):
            seen.add(c.chunk_id)
            cited.append(citation(len(cited) + 1, c))
        if len(cited) == k:
            break
    return cited


def missing_reports(question: Question, coverage: Coverage) -> str:
    """The years the question names for a bureau that has no report of them ("没有深圳市2030年的报告。"), or "". A question
    naming several bureaus and several years pairs them ("Longhua in 2022 and Zhongshan in 2024"): only a year that
    none of its bureaus has a report of is missing."""
    en = question.answer_lang == "en"
    asked = {r: coverage.years[r] for r in question.regions if r in coverage.years}
    paired = len(asked) > 1 and len(question.years) > 1
    covered = {y for years in asked.values() for y in years} if paired else set()
    gaps = [(r, missing) for r, years in asked.items()
            if (missing := [y for y in question.years if y not in years and y not in covered])]
    if not gaps:
        return ""
    if en:
        return "; ".join(f"There is no {_years_en(ys)} report for {coverage.english.get(r, r)}" for r, ys in gaps) + "."
    return "；".join(f"没有{r}{_years_zh(ys)}的报告" for r, ys in gaps) + "。"


def _years_en(years: list[int]) -> str:
    return "/".join(map(str, years))


def _years_zh(years: list[int]) -> str:
    return "、".join(f"{y}年" for y in years)


def not_found_text(question: Question, coverage: Coverage, has_related: bool = False) -> str:
    """Why nothing answers (a place no report covers, a year missing for the asked bureau, or a fact the reports
    do not state) and which bureaus and years the reports do cover."""
    en = question.answer_lang == "en"
    asked = {r: coverage.years[r] for r in question.regions if r in coverage.years}
    if question.other_places and not question.regions:
        reason = (f"No indexed report covers {', '.join(question.other_places)}." if en
                  else f"已收录的报告不涉及{'、'.join(question.other_places)}。")
    elif not coverage.filtered and (gap := missing_reports(question, coverage)):
        reason = gap
    else:
        reason = _unstated(question, asked, coverage)
    shown = asked | coverage.years  # the bureaus asked about first
    listed = dict(list(shown.items())[:COVERAGE_LISTED])  # at hundreds of reports: a few, and how many more
    more = len(shown) - len(listed)
    if en:
        covered = "; ".join(f"{coverage.english.get(r, r)}: {', '.join(map(str, years))}" for r, years in listed.items())
        covered += " and more" if more else ""  # no count: a figure the answer states must be in a cited span
        related = " The closest passages are listed as related reading, not as an answer." if has_related else ""
        which = "The reports in the filter" if coverage.filtered else "The reports"
        return f"Not found: {reason} {which} cover {covered}.{related}"
    covered = "；".join(f"{region}（{_years_zh(years)}）" for region, years in listed.items())
    covered += "等" if more else ""
    related = "下列相关段落仅供参考，并非答案。" if has_related else ""
    return f"未找到：{reason}{'筛选内的' if coverage.filtered else '已收录的'}报告范围：{covered}。{related}"


def _unstated(question: Question, asked: dict[str, list[int]], coverage: Coverage) -> str:
    """Which reports were found silent: those of the bureau and year the question names (a follow-up's carried ones
    included), those of a year, those a user's filter allows, or the whole library."""
    en = question.answer_lang == "en"
    years = sorted(set(question.years))
    if asked:
        if en:
            which = " and ".join(coverage.english.get(r, r) for r in asked) + (f" {_years_en(years)}" if years else "")
            several = sum(len([y for y in ys if not years or y in years]) for ys in asked.values()) > 1
            return f"The {which} {'reports do' if several else 'report does'} not state this."
        return f"{'、'.join(asked)}{_years_zh(years)}的报告中没有回答这个问题的内容。"
    if years:
        return (f"No {_years_en(years)} report {'in the filter ' if coverage.filtered else ''}states this." if en
                else f"{'筛选内' if coverage.filtered else '已收录'}的{_years_zh(years)}报告中没有回答这个问题的内容。")
    if coverage.filtered:
        return "None of the reports in the filter states this." if en else "筛选内的报告中没有回答这个问题的内容。"
    return "None of the indexed reports states this." if en else "已收录的报告中没有回答这个问题的内容。"
