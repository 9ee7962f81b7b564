"""Stage 2: find the content lines of a report, dropping web-page boilerplate.

The text itself is never rewritten: cleaning yields (start, end) spans into the stored text,
so every later offset still points at the report as it lies in corpus/.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Lines that belong to the web page around a report, not to the report.
BOILERPLATE_PATTERNS = [
    r"【字体",                      # font-size widget
    r"视力保护色",                  # eye-care colour widget
    r"触碰右侧展开",                # mobile menu hint
    r"您现在的位置",                # breadcrumb
    r"^首页\s*>",                   # breadcrumb
    r"^(信息)?来源[:：].*(日期|时间)",  # source/date line
    r"^文件已失效$",                # status badge (kept in the manifest's notes)
    r"^(落实情况公开|结果公开|五公开专栏)$",  # section names of the hosting page
    r"^特此报告[。.]?$",            # closing formula
]
_BOILERPLATE = [re.compile(p) for p in BOILERPLATE_PATTERNS]
_SPACES = " \t\u3000\xa0\r"


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    text: str


def is_boilerplate(line: str, title: str) -> bool:
    if line == title:
        return True  # the title is metadata, not a passage
    return any(p.search(line) for p in _BOILERPLATE)


def content_lines(text: str, title: str = "") -> list[Line]:
    """Non-empty, non-boilerplate lines with leading/trailing spaces trimmed off their spans."""
    lines, offset = [], 0
    for raw in text.split("\n"):
        start = offset + len(raw) - len(raw.lstrip(_SPACES))
        end = offset + len(raw.rstrip(_SPACES))
        offset += len(raw) + 1
        if end <= start or is_boilerplate(text[start:end], title):
            continue
        lines.append(Line(start, end, text[start:end]))
    return lines
