"""Question understanding: language, kind of answer wanted, report scope (region/year) and search terms."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import jieba.posseg as pseg

from index.bm25 import normalize, tokenize
from index.load import ReportMeta


class QuestionError(ValueError):
    """The question cannot be asked as given; the message says why."""


def validate_question(text: object, max_chars: int) -> str:
    if not isinstance(text, str) or not text.strip():
        raise QuestionError("the question is empty")
    text = text.strip()
    if len(text) > max_chars:
        raise QuestionError(f"the question is {len(text)} characters long; the limit is {max_chars}")
    return text


_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")

# --- what kind of answer the question wants ---
_DATE_ZH = re.compile(r"何时|什么时候|哪一?天|哪一?年|几月|什么日期|哪个月|具体日期")
_DATE_EN = re.compile(r"\bwhen\b|what date|which date|which year|what year|which month|what day", re.I)
_FIGURE_ZH = re.compile(r"多少|几[个项件次份天家条名种万亿%]|比例|百分之|率|满意度|数量|总量|金额|排名|第几")
_FIGURE_EN = re.compile(r"how many|how much|number of|percentage|what share|percent|\brate\b|amount|\btotal\b|how long|rank", re.I)

# Measure word the question asks for -> the unit a matching figure carries.
_UNIT_ZH = re.compile(r"(?:多少|几)(万件次|件次|人次|个|项|件|次|份|天|宗|条|家|张|期|名|台|路|篇|场|批|元|人|种|倍|万|亿)")
_UNIT_EN = [
    (re.compile(r"percent|percentage|\brate\b|share|proportion|ratio", re.I), "%"),
    (re.compile(r"\btimes\b|how often", re.I), "次"),
    (re.compile(r"\bdays?\b|how long", re.I), "天"),
    (re.compile(r"yuan|\bRMB\b|money|funds", re.I), "元"),
    (re.compile(r"people|persons|residents", re.I), "人"),
]
_PERCENT_ZH = re.compile(r"率|比例|百分")
_MONEY_ZH = re.compile(r"金额|资金|多少钱|多少元")
_PLAN = re.compile(r"计划|目标|下一步|安排|将要|预计|打算|明年|\bplan|\btarget|\bgoal|next year|\baim|\bwill\b", re.I)
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


@dataclass
class Question:
    text: str
    lang: str                    # "zh" | "en"
    kind: str                    # "figure" | "date" | "text"
    unit: str | None             # e.g. "个", "%" — the unit a figure answer should carry
    years: list[int]             # years named in the question
    regions: list[str]           # manifest regions named in the question (most specific only)
    terms: list[str]             # lexical search terms (Chinese tokens + glossary expansions)
    expansions: list[str] = field(default_factory=list)  # Chinese terms added from the glossary
    other_places: list[str] = field(default_factory=list)  # place names that match no indexed region
    asks_plan: bool = False      # about plans/targets rather than what was done
    scope_terms: list[str] = field(default_factory=list)  # tokens naming the region/year, not the topic

    @property
    def topic_terms(self) -> list[str]:
        """Search terms about the topic: the region and year words are left to the scope check."""
        return [t for t in self.terms if t not in self.scope_terms and not re.fullmatch(r"20\d\d", t)]


def detect_lang(text: str) -> str:
    return "zh" if len(_CJK.findall(text)) * 3 >= len(_LATIN.findall(text)) else "en"


def detect_kind(text: str) -> str:
    if _DATE_ZH.search(text) or _DATE_EN.search(text):
        return "date"
    if _FIGURE_ZH.search(text) or _FIGURE_EN.search(text):
        return "figure"
    return "text"


def detect_unit(text: str) -> str | None:
    if (m := _UNIT_ZH.search(text)):
        return m.group(1)
    if _PERCENT_ZH.search(text):
        return "%"
    if _MONEY_ZH.search(text):
        return "元"
    for pattern, unit in _UNIT_EN:
        if pattern.search(text):
            return unit
    return None


class Glossary:
    """English domain terms -> the Chinese terms the reports use (corpus/glossary.tsv)."""

    def __init__(self, pairs: list[tuple[list[str], list[str]]]) -> None:
        self.pairs = pairs
        self._patterns = [
            (re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(e.lower()) for e in en) + r")(?![a-z])"), zh)
            for en, zh in pairs
        ]

    @classmethod
    def load(cls, path: Path) -> "Glossary":
        pairs = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            en, zh = line.split("\t")
            pairs.append(([e.strip() for e in en.split("|") if e.strip()], [z.strip() for z in zh.split("|") if z.strip()]))
        return cls(pairs)

    def expand(self, text: str) -> list[str]:
        lowered = text.lower()
        found: list[str] = []
        for pattern, zh in self._patterns:
            if pattern.search(lowered):
                found.extend(z for z in zh if z not in found)
        return found


class RegionIndex:
    """Names of the manifest's regions in Chinese and English, derived from the manifest itself."""

    _SUFFIXES = ("市", "区", "县")

    def __init__(self, metas: list[ReportMeta]) -> None:
        self.aliases: dict[str, set[str]] = {}
        for meta in metas:
            names = self.aliases.setdefault(meta.region, set())
            names.add(meta.region)
            local = meta.region
            for parent in {m.region for m in metas if m.region != meta.region and meta.region.startswith(m.region)}:
                local = meta.region[len(parent):]  # 深圳市龙华区 -> 龙华区
            names.add(local)
            names.add(local.rstrip("".join(self._SUFFIXES)))  # 龙华区 -> 龙华
            if meta.region_en:
                names.add(meta.region_en.split(",")[0].split()[0].lower())  # "Longhua District, Shenzhen" -> longhua

    def is_known(self, place: str) -> bool:
        return any(place in names or any(place in n or n in place for n in names if len(n) >= 2)
                   for names in self.aliases.values())

    def find(self, text: str) -> list[str]:
        lowered = normalize(text)
        hits = [region for region, names in self.aliases.items() if any(n.lower() in lowered for n in names if len(n) >= 2)]
        # "深圳市龙华区" mentions 深圳 too: keep only the most specific regions named
        return [r for r in hits if not any(o != r and o.startswith(r) for o in hits)]


def parse_question(text: str, glossary: Glossary, regions: RegionIndex) -> Question:
    lang = detect_lang(text)
    expansions = glossary.expand(text) if lang == "en" or _LATIN.search(text) else []
    terms = tokenize(text) + [t for z in expansions for t in tokenize(z)]
    return Question(
        text=text,
        lang=lang,
        kind=detect_kind(text),
        unit=detect_unit(text),
        years=sorted({int(y) for y in _YEAR.findall(text)}),
        regions=regions.find(text),
        terms=list(dict.fromkeys(terms)),
        expansions=expansions,
        other_places=unknown_places(text, regions),
        asks_plan=bool(_PLAN.search(text)),
        scope_terms=[t for t in terms if regions.is_known(t)],
    )


# Places the reports name in passing or that contain every region; never a question's scope of its own.
_BROAD_PLACES = {"中国", "全国", "城市", "地区", "广东", "广东省", "全省", "全市", "全区", "粤港澳", "大湾区", "国家", "省", "市", "区"}


def unknown_places(text: str, regions: RegionIndex) -> list[str]:
    """City/district names (jieba's ns tag) in the question that no indexed report covers."""
    return [w.word for w in pseg.cut(text) if w.flag == "ns" and w.word not in _BROAD_PLACES and not regions.is_known(w.word)]
