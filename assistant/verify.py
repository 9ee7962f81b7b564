"""Grounding check, run on every answer before it is returned (extractive or LLM): every figure in the answer
text — a number with its 万/亿 multiplier or % sign as written — must appear verbatim in a cited span. A figure
in English notation, with a scale word or grouped thousands ("4.3 million", "81,000": how an English answer reads
430万 and 8.1余万), must have the value of a figure of a cited span.

The one exception is attribution: a report's year ("2025年度报告", "2025 report") is grounded by the metadata of
a report the answer cites or lists, not by its text. Citation markers [n] must name a citation that exists.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.figures import contains_number, value_of, values_in
from index.bm25 import normalize

# A figure as the answer writes it: 267.3万, 99.63%, 1,001, 45. Written by hand: no library checks numbers
# against sources; the extractive answerer copies figures, an LLM may not.
_FIGURE_TOKEN = re.compile(r"(?<![\d.])\d+(?:[.,]\d+)*(?:万|亿)?[%％]?")
MARKER = re.compile(r"\[(\d{1,3})\]")  # [n]; also linked by the UI, counted by the LLM fallback
_YEAR = re.compile(r"20\d\d")
_ENGLISH_FIGURE = re.compile(r"(?<![\d.,])(\d+(?:\.\d+)?) (thousand|million|billion)\b|(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,])")
# Sentence ends for dropping an unsupported sentence; "99.63%" keeps its dot (a dot ends a sentence only before space).
_SENTENCE_END = re.compile(r"(?<=[。！？!?\n])|(?<=\.)(?=\s)")


@dataclass
class FigureCheck:
    figures: list[str] = field(default_factory=list)      # figures found in a cited span (or attribution years)
    unsupported: list[str] = field(default_factory=list)  # figures found in no cited span
    bad_markers: list[str] = field(default_factory=list)  # [n] markers naming no citation

    @property
    def ok(self) -> bool:
        return not self.unsupported and not self.bad_markers


def check_figures(text: str, spans: list[str], years: set[int]) -> FigureCheck:
    """spans: the cited texts, numbered from 1; years: years of the reports the answer cites or lists."""
    check = FigureCheck()
    check.bad_markers = [m.group() for m in MARKER.finditer(text) if not 1 <= int(m.group(1)) <= len(spans)]
    bare = MARKER.sub(" ", text)
    normalized_spans = [normalize(s) for s in spans]
    values = set().union(*map(values_in, normalized_spans)) if spans else set()
    for match in _ENGLISH_FIGURE.finditer(bare):
        number, scale = (match.group(1), match.group(2)) if match.group(1) else (match.group(), "")
        supported = value_of(number, scale) in values or any(contains_number(s, match.group()) for s in normalized_spans)
        (check.figures if supported else check.unsupported).append(match.group())
    bare = _ENGLISH_FIGURE.sub(" ", bare)
    for match in _FIGURE_TOKEN.finditer(bare):
        token = normalize(match.group())
        if (_YEAR.fullmatch(token) and int(token) in years) or any(contains_number(s, token) for s in normalized_spans):
            check.figures.append(match.group())
        else:
            check.unsupported.append(match.group())
    return check


def drop_unsupported(text: str, check: FigureCheck) -> str:
    """The text without the sentences that hold an unsupported figure or a marker naming no citation."""
    bad = set(check.unsupported) | set(check.bad_markers)
    kept = [s for s in _SENTENCE_END.split(text) if not _sentence_has(s, bad)]
    return "".join(kept).strip()


def ungrounded_figures(answer: dict) -> list[str]:
    """For answer objects as dicts (the CLI contract): figures that no cited span holds."""
    citations = answer.get("citations", [])
    years = {c["year"] for c in citations} | {r["year"] for r in answer.get("rows", [])}
    check = check_figures(answer.get("answer", ""), [c["text"] for c in citations], years)
    return check.unsupported + check.bad_markers


def _sentence_has(sentence: str, bad: set[str]) -> bool:
    markers = {m.group() for m in MARKER.finditer(sentence)}
    bare = MARKER.sub(" ", sentence)
    figures = {m.group() for pattern in (_ENGLISH_FIGURE, _FIGURE_TOKEN) for m in pattern.finditer(bare)}
    return bool((markers | figures) & bad)
