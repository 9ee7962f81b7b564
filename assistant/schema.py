"""The answer object of the CLI contract (`python -m assistant ask --json`). Fields may be added, never renamed."""
from __future__ import annotations

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


class Answer(BaseModel):
    id: str | int | None = None
    question: str
    status: Literal["answered", "not_found", "clarify"]
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    lang: str = "zh"
    kind: str = "text"


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
