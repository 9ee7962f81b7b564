"""The answer object of the CLI contract (`python -m assistant ask --json`). Fields may be added, never renamed."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field


class Citation(BaseModel):
    n: int
    report_id: str
    title: str
    bureau: str
    year: int
    text: str           # the cited span, verbatim from the stored report
    start: int          # offsets of text in the report as stored in corpus/
    end: int
    score: float
    section: str = ""
    uploaded: bool = False  # the report was uploaded (not a curated original): provenance shown beside the quote


class ReportFigure(BaseModel):
    """One report's answer to the question: a row of a comparison table or a candidate of a "clarify" answer."""
    report_id: str
    title: str
    bureau: str
    year: int
    figure: str | None = None    # as written in the report; None when the report does not state it
    citation: int | None = None  # the n of the citation it rests on
    followup: str = ""           # what to ask next to pick this report ("深圳市 2025年")


class Answer(BaseModel):
    id: str | int | None = None
    question: str
    # uncertain: the closest candidate statements are cited, but no figure is stated as the answer
    status: Literal["answered", "not_found", "clarify", "uncertain"]
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    lang: str = "zh"
    kind: str = "text"
    # --- added with grounded answering (issue 4) ---
    resolved_question: str = ""   # the question as understood after follow-up resolution
    scope: dict = Field(default_factory=dict)  # regions, level, years assumed, and what was carried from history
    rows: list[ReportFigure] = Field(default_factory=list)  # comparison rows or clarify candidates, in order
    related: list[Citation] = Field(default_factory=list)   # not_found: the closest passages, not evidence
    notes: list[str] = Field(default_factory=list)          # visible notes: assumptions, fallbacks, removed figures
    answerer: Literal["extractive", "llm"] = "extractive"
    verified_figures: list[str] = Field(default_factory=list)  # every figure of the answer, each found in a cited span
    # "uncertain": why no figure is stated — "low_confidence" (no statement clearly answers), "rival_figure" (another
    # figure of the statement may be the one asked), "other_scope" (a plan, baseline or other period), "other_thing"
    # (another thing of the kind asked), "several_figures" (several asked, not given together); "" otherwise
    doubt: str = ""


class RetrievedPassage(BaseModel):
    rank: int
    chunk_id: str
    report_id: str
    title: str
    bureau: str
    year: int
    section: str
    text: str
    start: int
    end: int
    score: float
    dense: float | None = None
    bm25: float | None = None
    best_sentence: str | None = None    # the passage's sentence that ranked highest for the question
    sentence_score: float | None = None


@dataclass
class Stage:
    """A step of answering, reported as soon as it is done (Assistant.ask's on_stage): "understood" (the answer's
    language, the question's kind and scope: regions, level, years, the reports they match, what was carried from
    the conversation, the user's filter), then "retrieved" (the passages being read, best first, as citations)."""
    name: str
    lang: str
    kind: str
    scope: dict
    passages: list[Citation] = field(default_factory=list)
