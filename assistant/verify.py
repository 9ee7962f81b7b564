"""Grounding check: every figure in an answer must appear verbatim in a cited span.

The one exception is the attribution itself: a cited report's year (e.g. "2025年度报告") is grounded by
the citation's metadata, not by its text.
"""
from __future__ import annotations

from assistant.figures import contains_number, numbers_in


def ungrounded_figures(answer: dict) -> list[str]:
    """Numbers in the answer text found neither in a cited span nor as a cited report's year."""
    citations = answer.get("citations", [])
    spans = [c["text"] for c in citations]
    years = {str(c["year"]) for c in citations}
    text = _without_markers(answer.get("answer", ""), len(citations))
    return [n for n in numbers_in(text) if n not in years and not any(contains_number(s, n) for s in spans)]


def _without_markers(text: str, count: int) -> str:
    for n in range(1, count + 1):
        text = text.replace(f"[{n}]", " ")
    return text
