"""Stage 3: split content lines into sentences and pack them into chunks that keep their section path.

Written by hand because llama-index's SentenceSplitter neither knows Chinese section markers
(一、 / （一） / 1. / 一是) nor keeps offsets into the uncleaned report text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.clean import Line

# A sentence ends at 。！？；(and their half-width forms); closing quotes/brackets stay with it.
# "." is never a sentence end here, so 5.2% and 267.3万 cannot be split.
_SENTENCE_END = re.compile(r"[。！？；;!?][”’」』）)]*")
# Where an over-long sentence may be cut: a clause comma that is not a thousands separator.
_CLAUSE_BREAK = re.compile(r"(?<!\d)[,，、]|[,，、](?!\d)")

_CN_NUM = "一二三四五六七八九十"
HEADING_PATTERNS = [
    (1, re.compile(rf"^[{_CN_NUM}]+、")),                 # 一、
    (2, re.compile(rf"^[(（][{_CN_NUM}]+[)）]")),          # （一） / (一)
    (3, re.compile(r"^\d{1,2}[.．、](?!\d)")),             # 1.  (but not 5.2)
]
ITEM_MARKER = re.compile(rf"^[{_CN_NUM}]+是")                # 一是 / 二是 … at a sentence start
ITEM_LEVEL = 4
LABEL_CHARS = 40


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass
class Chunk:
    report_id: str
    start: int
    end: int
    text: str
    section_path: list[str]
    sentences: list[Span] = field(default_factory=list)

    @property
    def chunk_id(self) -> str:
        return f"{self.report_id}:{self.start}-{self.end}"


def split_sentences(text: str, start: int, end: int, max_chars: int) -> list[Span]:
    """Sentence spans of text[start:end]; a sentence longer than max_chars is cut at clause commas."""
    spans, cursor = [], start
    for match in _SENTENCE_END.finditer(text, start, end):
        spans.append(Span(cursor, match.end()))
        cursor = match.end()
    if cursor < end:
        spans.append(Span(cursor, end))
    return [piece for span in spans for piece in _cut_long(text, span, max_chars)]


def _cut_long(text: str, span: Span, max_chars: int) -> list[Span]:
    if span.end - span.start <= max_chars:
        return [span]
    pieces, piece_start, last_break = [], span.start, None
    for match in _CLAUSE_BREAK.finditer(text, span.start, span.end):
        if match.end() - piece_start > max_chars and last_break:
            pieces.append(Span(piece_start, last_break))
            piece_start = last_break
        last_break = match.end()
    pieces.append(Span(piece_start, span.end))
    return pieces


def heading_of(line: str) -> tuple[int, str, bool] | None:
    """(level, label, heading_only) when the line opens a section, else None."""
    for level, pattern in HEADING_PATTERNS:
        if pattern.match(line):
            first_end = _SENTENCE_END.search(line)
            heading_only = first_end is None or first_end.end() == len(line)
            label = line[: first_end.start()] if first_end else line
            return level, _short(label), heading_only
    return None


def _short(label: str) -> str:
    label = label.strip()
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


class _SectionPath:
    """The current heading at each level; opening a level closes the deeper ones."""

    def __init__(self) -> None:
        self.levels: dict[int, str] = {}

    def open(self, level: int, label: str) -> None:
        self.levels = {k: v for k, v in self.levels.items() if k < level}
        self.levels[level] = label

    def close_items(self) -> None:
        self.levels.pop(ITEM_LEVEL, None)

    def current(self) -> list[str]:
        return [self.levels[k] for k in sorted(self.levels)]


def chunk_report(report_id: str, text: str, lines: list[Line], chunk_chars: int) -> list[Chunk]:
    """Pack each line's sentences into chunks of at most chunk_chars that share one section path."""
    path, chunks = _SectionPath(), []
    for line in lines:
        path.close_items()  # 一是/二是 items never run past their paragraph
        heading = heading_of(line.text)
        body = line
        if heading:
            level, label, heading_only = heading
            path.open(level, label)
            if heading_only:
                continue
            body = _after_heading_sentence(text, line)
        chunks.extend(_chunk_line(report_id, text, body, chunk_chars, path))
    return chunks


def _after_heading_sentence(text: str, line: Line) -> Line:
    """The rest of a line once its heading sentence is taken off: the heading lives on in the path."""
    first_end = _SENTENCE_END.search(text, line.start, line.end)
    if first_end is None or first_end.end() - line.start > LABEL_CHARS:
        return line
    return Line(first_end.end(), line.end, text[first_end.end() : line.end])


def _chunk_line(report_id: str, text: str, line: Line, chunk_chars: int, path: _SectionPath) -> list[Chunk]:
    chunks: list[Chunk] = []
    for sentence in split_sentences(text, line.start, line.end, chunk_chars):
        sentence_text = text[sentence.start : sentence.end]
        opens_item = ITEM_MARKER.match(sentence_text)
        if opens_item:
            path.open(ITEM_LEVEL, _short(sentence_text.rstrip("。;；")))
        current = chunks[-1] if chunks else None
        fits = current and sentence.end - current.start <= chunk_chars
        if current and fits and not opens_item:
            current.end = sentence.end
            current.text = text[current.start : current.end]
            current.sentences.append(sentence)
        else:
            chunks.append(Chunk(report_id, sentence.start, sentence.end, sentence_text, path.current(), [sentence]))
    return chunks
