"""Figures as the reports write them: counts with measure words, amounts with 万/亿, percentages, dates."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

_UNITS = (
    "万件次|件次|人次|亿条次|条次|平方公里|小时|分钟|亿元|万元|元|次|个|项|件|份|天|宗|条|家|张|期|名|台|路|栋|篇|场|批|"
    "倍|类|套|款|人|位|户|单|年|秒|万|亿|%|％|余|多|种|所|部|本|千|枚|级|届|轮|余万|余人|省|市区县|市|区|县|"
)
# "12大核心模块": twelve major modules; 大于, 大型, 大规模 … are no measure word (question.py asks "几大" by it too)
BIG_COUNTER = r"大(?![于型规幅小量])"
_UNITS += BIG_COUNTER
_DATE = r"\d{4}年\d{1,2}月\d{1,2}日|\d{4}年\d{1,2}月|\d{1,2}月\d{1,2}日|\d{4}-\d{2}-\d{2}"
_NUMBER = r"\d+(?:[.,]\d+)*(?:余|多)?(?:万|亿|千)?(?:余|多)?"
FIGURE = re.compile(rf"(?<![\d.])(?:{_DATE}|{_NUMBER}(?:{_UNITS})?)(?![\d])")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class Figure:
    text: str  # exactly as written, e.g. 267.3万件次
    start: int
    end: int

    @property
    def is_date(self) -> bool:
        return bool(re.fullmatch(_DATE, self.text)) or bool(re.fullmatch(r"\d{4}年", self.text))

    @property
    def unit(self) -> str:
        return _DIGITS.sub("", self.text)


# Chinese counters that count the same things (45项事项, 45个事项, 45件服务): one asked is met by any.
GENERIC_COUNTERS = ("个", "项", "件")


def unit_matches(asked: str | None, unit: str) -> bool:
    """The figure's unit is the one the question asks for (counters 个/项/件 interchangeable)."""
    if not asked:
        return False
    if asked in GENERIC_COUNTERS:
        return any(c in unit for c in GENERIC_COUNTERS)
    return asked in unit


# Measure words that say what kind of thing a figure is. A figure of one kind never answers a question asking for
# another ("多少名律师" is not answered by "超150份"); counters outside these kinds (个, 项, 家, 次, 人次 …) can count
# many things and contradict nothing.
UNIT_KINDS = {"percent": ("%", "％", "百分点"), "money": ("元",), "duration": ("天", "小时", "分钟", "工作日"),
              "size": ("TB", "GB", "PB"), "people": ("名", "人", "位"), "documents": ("份", "篇", "册")}
# kinds that are measured, not counted: a question asking for one is not answered by a count of anything ("how much
# did it pay": not "28亿条")
MEASURES = ("percent", "money", "duration", "size")


def unit_kind(unit: str | None) -> str | None:
    if not unit or "人次" in unit:  # person-times count visits, not people
        return None
    return next((kind for kind, words in UNIT_KINDS.items() if any(w in unit for w in words)), None)


def unit_contradicts(asked: str | None, unit: str) -> bool:
    """The question asks for one kind of figure (a count of people, an amount of money …) and this one is another, or
    it asks for a measure (money, a share, a duration, a data size) and this one counts things."""
    want, have = unit_kind(asked), unit_kind(unit)
    return bool(want and want != have and (have or want in MEASURES))


def find_figures(text: str) -> list[Figure]:
    return [Figure(m.group(), m.start(), m.end()) for m in FIGURE.finditer(text)]


def number_of(figure: str) -> str | None:
    """The number a figure starts with, without thousands commas: "1,200项" -> "1200", "267.3万件次" -> "267.3"."""
    m = _DIGITS.match(figure)
    return m.group().replace(",", "") if m else None


def contains_number(text: str, number: str) -> bool:
    """True if number occurs in text as a whole figure, not as part of a longer one: 45 is not in 145, 4.5 or
    1,045; 267.3万 is in 267.3万件次."""
    return re.search(rf"(?<![\d.])(?<!\d,){re.escape(number)}(?![\d]|[.,]\d)", text) is not None


# --- figures read in English: 万 and 亿 as thousands, millions and billions, the report's qualifiers in words ---
# the qualifiers written before a figure that an answer states with it (index/claims.py), and how English says them
STATED_QUALIFIERS = {"超过": "over", "超出": "over", "超": "over", "逾": "over", "将近": "nearly", "接近": "nearly",
                     "近": "nearly", "约": "about"}
_EN_AFTER = {"以上": "or more", "以下": "or less", "左右": "or so"}
_SCALES = {"千": 3, "万": 4, "亿": 8}  # powers of ten
_STATED = re.compile(rf"({'|'.join(sorted(STATED_QUALIFIERS, key=len, reverse=True))})?(\d+(?:[.,]\d+)*)(余|多)?(千|万|亿)?"
                     rf"(余|多)?(.*?)({'|'.join(_EN_AFTER)})?")
# a figure as it stands in a report's text, its multiplier included ("8.1余万", "267.3万"): what value_of reads
_VALUE = re.compile(r"(?<![\d.])(\d+(?:[.,]\d+)*)(?:余|多)?(千|万|亿)?")


def value_of(number: str, scale: str = "") -> Decimal:
    """The value of a number written with a Chinese multiplier (千 万 亿) or an English scale word."""
    power = _SCALES.get(scale) or {"thousand": 3, "million": 6, "billion": 9}.get(scale, 0)
    return Decimal(number.replace(",", "")).scaleb(power).normalize()


def figure_value(figure: str) -> Decimal:
    """The value of a figure as written, its multiplier included: "267.3万件次" -> 2673000, "8.1余万路" -> 81000."""
    m = _VALUE.match(figure)
    return value_of(m.group(1), m.group(2) or "")


def values_in(text: str) -> set[Decimal]:
    """The values of the figures a text writes: "8.1余万路" -> 81000."""
    return {value_of(m.group(1), m.group(2) or "") for m in _VALUE.finditer(text)}


def in_english(stated: str) -> str | None:
    """A report's figure as an English reader reads it: "超430万次" -> "over 4.3 million", "8.1余万路" -> "more than
    81,000", "超23亿元" -> "over 2.3 billion yuan", "95%以上" -> "95% or more"; None when it reads the same in both
    (45项, 99.63%) or is a date. Measure words other than 元 are left to the figure beside it. Written by hand: no
    library reads 万 and 亿 with the reports' qualifiers."""
    m = _STATED.fullmatch(stated)
    if not m or re.search(r"\d年|\d月|\d日", stated):
        return None
    before, number, more, scale, more_after, unit, after = m.groups()
    if not (before or more or more_after or scale or after or unit.endswith("元")):
        return None
    value = value_of(number, scale or "")
    if value >= 10 ** 9:
        said = f"{_plain(value.scaleb(-9))} billion"
    elif value >= 10 ** 6:
        said = f"{_plain(value.scaleb(-6))} million"
    else:
        said = f"{int(value):,}" if value == value.to_integral_value() else _plain(value)
    words = [STATED_QUALIFIERS[before] if before else "more than" if (more or more_after) else "",
             said + ("%" if unit.startswith(("%", "％")) else ""), "yuan" if unit.endswith("元") else "",
             _EN_AFTER.get(after or "", "")]
    return " ".join(w for w in words if w)


def with_english(stated: str, lang: str) -> str:
    """The figure as the report writes it, and for an English answer how it reads in English: "超430万次 (over 4.3
    million)". Several figures ("12份；60%") are read one by one."""
    if lang != "en":
        return stated
    parts = []
    for part in stated.split("；"):
        english = in_english(part)
        parts.append(f"{part} ({english})" if english else part)
    return "；".join(parts)


def _plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 2.6730 -> 2.673, 21 -> 21."""
    text = f"{value.normalize():f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
