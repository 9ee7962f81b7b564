"""Follow-up questions: a turn is resolved against the conversation so far, so "那中山市呢？", "And in 2024?" or
"what about its satisfaction rate" mean the previous question with the bureau, year or topic replaced.

The context yields to what the turn says: a bureau (or a place no report covers), level or year it names replaces
the carried one, and only what it leaves out is carried. A turn that is complete on its own is a fresh question:
one that names no bureau is read in the conversation's scope only when it leans on it ("呢", "and …", "its …") or
when the conversation's reports mention what it names ("“出生一件事”…" after a Longhua turn, but not "What is
深小i?"); a comparison across years carries no year, one across bureaus no bureau.
The resolved question is re-parsed from a rewritten text, so retrieval sees one ordinary question."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Callable

from assistant.places import RegionIndex
from assistant.question import CJK, LESS, MORE, Question, elliptic_focus
from index.bm25 import tokenize

# Words that make a turn a follow-up without naming a topic of its own ("那…呢", "what about …").
_FILLER = frozenset(
    "那 那么 呢 吗 又 还有 怎么样 如何 情况 是 多少 年度 报告 里 中 在 了 呀 啊 怎样 这个 数字 数据 方面 那边 的话 呐 它 它的 "
    "and what about how then its it is was were year years report reports bureau one same there case "
    "in for of the with according to number figure "
    # words that only say "at that time": "2022年的时候呢？", "And back in 2022?"
    "的 时候 那时 当时 那年 当年 back earlier during at time".split())
_LEVEL = re.compile(r"区级|区局|市级|市局|district|municipal|city|level", re.I)
MAX_TURNS = 8  # user turns looked back at
SUBJECT_WORDS = 3  # words of the previous question's subject a leaning turn carries


# a turn that leans on the previous one for what it asks: "…呢？", "And …?", "What about …?"
_ELLIPTIC = re.compile(r"呢[？?]?$|^(?:and|what about|how about)\b", re.I)
# a comparison turn that points back at what the previous one asked: "How does that compare …", "跟这个数比呢"
_BACK = re.compile(r"\b(?:that|this|it|those|these|the year before|the previous year)\b|相比呢|比呢|[这那]个?数|上一年|前一年|"
                   r"^(?:比|和|跟|与)", re.I)
# a turn that points back at what the conversation is about: "its rate", "该平台", "同期"
_REFERS = re.compile(r"^(?:那|那么|另外|还有|此外|其中)|[它其该此]|这[个些项一]|同期|同一?年|上述|\b(?:its?|their|they|them|"
                     r"th(?:is|at|ese|ose) (?:year|bureau|report|city|district|platform|program|service)s?|same|also|"
                     r"there|then)\b|\bany(?: of (?:them|these|those))?\s*[?？.]?\s*$", re.I)  # "Did Zhongshan add any?"


@dataclass
class Resolved:
    question: Question
    # of "bureau", "year", "topic" (the whole question), "subject" (what it was about): taken from the previous turn
    carried: list[str] = field(default_factory=list)


def resolve(text: str, history: list[dict], parse: Callable[[str], Question], regions: RegionIndex,
            english: dict[str, str], mentions: Callable[[Question, Question], bool] = lambda scope, question: True) -> Resolved:
    """The question of this turn with what the conversation implies. english: region -> English name; mentions:
    whether the reports in the scope of the first question speak of what the second one names."""
    previous = None
    for content in _user_turns(history)[-MAX_TURNS:]:
        previous = _resolve_turn(parse(content), previous, parse, regions, english, mentions).question
    return _resolve_turn(parse(text), previous, parse, regions, english, mentions)


def is_scope_only(question: Question, previous: Question | None = None) -> bool:
    """The turn names a bureau or year and nothing else ("那中山市呢？", "And in 2024?"), or nothing else the previous
    question did not say ("2025年又新增了多少个？" after "2022年新增了多少个“跨域通办”合作地区？")."""
    if not (question.regions or question.years or question.level or question.other_places):
        return False
    places = {t for p in question.other_places for t in tokenize(p)}
    said = set(tokenize(previous.text)) if previous is not None and previous.lang == question.lang else set()
    rest = [t for t in tokenize(question.text) if t not in question.scope_terms and not re.fullmatch(r"20\d\d", t)
            and t not in _FILLER and not _LEVEL.fullmatch(t) and t not in places and t not in said]
    return not rest


def _resolve_turn(current: Question, previous: Question | None, parse: Callable[[str], Question],
                  regions: RegionIndex, english: dict[str, str], mentions: Callable[[Question, Question], bool]) -> Resolved:
    if previous is None:
        return Resolved(current)
    scope_only = is_scope_only(current, previous)
    names_bureau = bool(current.regions or current.level or current.other_places)
    if compares_back(current, previous, scope_only):
        return _compared_with_previous(current, previous, parse, regions, english)
    if _asks_which_of(current, previous):  # "哪一年更多？" right after a comparison: the same one, and which is more
        text = f"{previous.text}{current.text}" if previous.lang == "zh" else f"{previous.text} {current.text}"
        turn_lang = current.lang if current.lang != previous.lang else None
        carried = ["topic"] + (["bureau"] if previous.regions else []) + (["year"] if previous.years else [])
        return Resolved(replace(parse(text), regions=previous.regions, level=previous.level, years=previous.years,
                                turn_lang=turn_lang), carried)
    if names_bureau and current.years and not scope_only:
        return Resolved(current)  # a question of its own
    leans = scope_only or bool(_ELLIPTIC.search(current.text.strip()) or _REFERS.search(current.text))
    if names_bureau and not leans and (current.regions, current.level) != (previous.regions, previous.level):
        return Resolved(current)  # another bureau, with a topic of its own: a fresh question, the year included
    # the reports the turn would be read in: the carried bureau, with the year the turn names
    carried_scope = replace(previous, years=current.years) if current.years and not names_bureau else previous
    if not leans and ((previous.other_places and not previous.regions) or not mentions(carried_scope, current)):
        # complete on its own, after a turn about a place no report covers or about something else entirely
        return Resolved(current)
    carry_bureau, carry_year = not names_bureau, not current.years
    if current.kind == "comparison" and not scope_only:  # "which year … more" compares years: no year is carried
        carry_bureau, carry_year = carry_bureau and len(current.years) > 1, carry_year and len(current.regions) > 1
    carried = []
    region_list, level = (previous.regions, previous.level) if carry_bureau else (current.regions, current.level)
    if carry_bureau and (region_list or level):
        carried.append("bureau")
    years = previous.years if carry_year else current.years
    if carry_year and years:
        carried.append("year")
    subject = _subject(previous, current) if leans and not scope_only else []
    if subject:
        carried.append("subject")
    if scope_only:
        carried.append("topic")
        places = [_name(r, previous.lang, english) for r in region_list] + current.other_places
        text = _rewrite(previous, region_list, places, years, regions, english, _level_word(current))
    else:
        text = _with_scope(current, region_list if "bureau" in carried else [], years if "year" in carried else [], english,
                           subject)
    resolved = parse(text)
    if resolved.wants == "text" and previous.wants != "text" and _ELLIPTIC.search(current.text.strip()):
        # "第二批呢？" / "What about proposals from CPPCC members?" after a figure question asks for that figure
        resolved = replace(resolved, wants=previous.wants, kind=previous.kind if previous.kind != "comparison" else previous.wants)
    turn_lang = current.lang if current.lang != resolved.lang else None  # answered in the language it was asked in
    return Resolved(replace(resolved, regions=region_list, level=level, years=years, turn_lang=turn_lang), carried)


# the words of "which is more?" alone, with nothing of its own to compare
_WHICH_WORDS = frozenset("哪 哪个 哪一个 一年 哪一年 哪年 谁 更 较 多 少 高 低 大 小 更多 更少 更高 更低 较多 较少 "
                         "which one ones is was were had has have did year years report bureau the more less fewer "
                         "higher lower larger smaller bigger greater".split())


def _asks_which_of(current: Question, previous: Question) -> bool:
    """"哪一年更多？", "Which one is larger?" right after a comparison: it names no year, bureau or topic of its own."""
    return (previous.kind == "comparison" and (current.kind == "comparison" or bool(MORE.search(current.text))
                                               or bool(LESS.search(current.text))) and not current.years
            and not current.regions and not current.other_places
            and all(t in _WHICH_WORDS for t in tokenize(current.text.lower())))


def compares_back(current: Question, previous: Question, scope_only: bool = False) -> bool:
    """The turn compares what the previous question asked with another year or bureau it names, and names at most one
    of each: "和2022年相比呢？", "How does that compare with 2024?", "Was that more or less than in 2024?"."""
    if current.kind != "comparison" or len(current.years) > 1 or len(current.regions) > 1:
        return False
    new = set(current.years) - set(previous.years) or set(current.regions) - set(previous.regions)
    leans = scope_only or _ELLIPTIC.search(current.text.strip()) or _REFERS.search(current.text) \
        or _BACK.search(current.text)
    return bool(new and leans and (previous.years or previous.regions) and previous.kind != "comparison")


def _compared_with_previous(current: Question, previous: Question, parse: Callable[[str], Question],
                            regions: RegionIndex, english: dict[str, str]) -> Resolved:
    """The previous question asked of its own reports and of those the turn names: 2025 -> 2025 and 2022."""
    region_list = list(dict.fromkeys(previous.regions + current.regions))
    years = list(dict.fromkeys(previous.years + current.years))
    carried = ["topic"] + (["bureau"] if previous.regions and set(previous.regions) - set(current.regions) else []) \
        + (["year"] if previous.years and set(previous.years) - set(current.years) else [])
    places = [_name(r, previous.lang, english) for r in region_list]
    resolved = parse(_rewrite(previous, region_list, places, years, regions, english, ""))
    turn_lang = current.lang if current.lang != resolved.lang else None
    return Resolved(replace(resolved, regions=region_list, level=previous.level, years=years, turn_lang=turn_lang,
                            kind="comparison"), carried)


def _rewrite(previous: Question, new_regions: list[str], new_places: list[str], new_years: list[int], regions: RegionIndex,
             english: dict[str, str], level_word: str) -> str:
    """The previous question with its region and year words replaced by the new ones: the names of new_places
    (regions or places no report covers), or the level the follow-up names ("区级的呢？")."""
    text, prefix = previous.text, []
    if new_places and not new_regions or new_regions != previous.regions:
        new_name = _joined(new_places, previous.lang) or level_word
        if previous.lang == "zh" and new_name.isascii():  # "Beijing" inside Chinese text stays a word of its own
            new_name = f" {new_name} "
        aliases = sorted({a for r in previous.regions for a in regions.aliases.get(r, ()) if len(a) >= 2}
                         | set(previous.other_places), key=len, reverse=True)  # "北京市…" -> "深圳市…", not "深圳市北京市…"
        found = next((a for a in aliases if re.search(re.escape(a), text, re.I)), None)
        if found:
            text = re.sub(re.escape(found), lambda _: new_name, text, count=1, flags=re.I)
        elif new_name:
            prefix.append(new_name)
    if new_years != previous.years:
        new_year = _joined([str(y) for y in new_years], previous.lang)
        years = "|".join(str(y) for y in previous.years)
        if previous.years and str(previous.years[0]) in text:
            # all the years it named, as written ("2025 and 2024", "2025和2024"): "And 2024?" is not "2024 and 2024"
            text = re.sub(rf"(?:{years})(?:\s*(?:and|和|与|及|、|,|，)\s*(?:{years}))*", lambda _: new_year, text, count=1)
        else:
            prefix.append(f"{new_year}年" if previous.lang == "zh" else new_year)
    return _prefixed(prefix, text.strip(), previous.lang)


def _level_word(current: Question) -> str:
    found = _LEVEL.search(current.text)
    return found.group() if found and current.level else ""


def _subject(previous: Question, current: Question) -> list[str]:
    """What the previous question was about, beside what it asked of it: its topic words that are not what it counted
    ("12345", "hotline" of "What was the satisfaction rate of Zhongshan's 12345 hotline in 2024?"). A turn that leans on
    it and asks what it counts in words of its own ("And how many calls did it handle?") is about it too: "calls"
    alone was read as API calls (调用量)."""
    if current.names or not current.focus or set(current.topic_terms) & set(previous.topic_terms):
        return []  # a program of its own, nothing it counts ("And the year before?"), or it restates the topic itself
    # what it counted: its counted phrase, or all a "满意度呢？" names
    asked = set(previous.focus + previous.focus_head + previous.head_senses + tokenize(elliptic_focus(previous)))
    words = [w for w in dict.fromkeys(previous.names + previous.topic_terms)
             if w not in asked and len(w) >= 2 and (CJK.search(w) or w.isdigit())]
    words = [w for w in words if not any(w != other and w in other for other in words)]  # 一件事 inside 高效办成一件事
    return words[:SUBJECT_WORDS]


def _with_scope(current: Question, carried_regions: list[str], carried_years: list[int], english: dict[str, str],
                subject: list[str] = ()) -> str:
    """A topic follow-up with the carried subject, bureau and year written into it: "its satisfaction rate" ->
    "… (Zhongshan 2024)", "And how many calls did it handle?" -> "… (12345 热线; Zhongshan 2024)"."""
    scope = [_name(r, current.lang, english) for r in carried_regions]
    scope += [f"{y}年" if current.lang == "zh" else str(y) for y in carried_years]
    if current.lang == "zh":
        parts = ["".join(subject), "".join(scope)]
        return f"{current.text}（{'；'.join(p for p in parts if p)}）" if subject or scope else current.text
    parts = [" ".join(subject), " ".join(scope)]
    return f"{current.text} ({'; '.join(p for p in parts if p)})" if subject or scope else current.text


def _prefixed(prefix: list[str], text: str, lang: str) -> str:
    if not prefix:
        return text
    return "".join(prefix) + text if lang == "zh" else f"{' '.join(prefix)}: {text}"


def _name(region: str, lang: str, english: dict[str, str]) -> str:
    return region if lang == "zh" else english.get(region, region)


def _joined(parts: list[str], lang: str) -> str:
    return ("和" if lang == "zh" else " and ").join(parts)


def _user_turns(history: list[dict]) -> list[str]:
    return [t["content"] for t in history if isinstance(t, dict) and t.get("role") == "user" and isinstance(t.get("content"), str)]
