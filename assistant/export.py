"""Answers and saved conversations as Markdown (to paste or keep: the answer, its quotes with report, bureau, year,
character span and a reader link) and as JSON (the full answer objects, for tools)."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from urllib.parse import urlencode

from assistant.conversations import Conversation
from assistant.schema import Answer, Citation

LABELS = {  # key: (English, Chinese); the answer's own language picks
    "question": ("Question", "问题"),
    "sources": ("Sources", "出处"),
    "related": ("Related passages (not an answer)", "相关段落（并非答案）"),
    "chars": ("characters {a}–{b}", "第 {a}–{b} 字"),
    "reader": ("open in reader", "在阅读器中打开"),
    "not_found": ("Not found in the reports", "报告中未找到"),
    "clarify": ("Which report do you mean?", "请指明报告"),
    "uncertain": ("Not sure — the closest candidates, no figure stated", "不确定：以下为最接近的内容，未给出数字"),
    "feedback": ("Feedback", "反馈"),
    "exported": ("Exported {when} · {n} turns", "导出时间 {when} · 共 {n} 轮"),
}
_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def reader_query(report_id: str, start: int, end: int) -> str:
    """The app's address of a span in its reader (?report=…&start=…&end=…), relative to the app's base URL."""
    return "?" + urlencode({"report": report_id, "start": start, "end": end})


def answer_markdown(answer: Answer, base_url: str | None = None, heading: bool = True) -> str:
    """One answer: the question, a status line unless answered, the answer, notes, and every quote with its source.
    base_url: reader links relative to it ("" for links relative to the app's page); None for none."""
    lang = 0 if answer.lang == "en" else 1
    lines = [f"**{LABELS['question'][lang]}:** {escape(answer.question)}", ""] if heading else []
    if answer.status != "answered":
        lines += [f"*{LABELS[answer.status][lang]}*", ""]
    # the answer is Markdown already (tables, [n] markers); only raw HTML a quoted upload may hold is escaped
    lines += [answer.answer.strip().replace("<", "\\<"), ""]
    lines += [f"- {escape(note)}" for note in answer.notes] + ([""] if answer.notes else [])
    cited = answer.citations or answer.related
    if cited:
        lines.append(f"**{LABELS['sources' if answer.citations else 'related'][lang]}**")
        lines.append("")
        for c in cited:
            lines += [_source_line(c, lang, base_url), "", *(f"> {escape(part)}" for part in c.text.splitlines() or [""]), ""]
    return "\n".join(lines).rstrip() + "\n"


def _source_line(c: Citation, lang: int, base_url: str | None) -> str:
    chars = LABELS["chars"][lang].format(a=c.start, b=c.end)
    link = "" if base_url is None else f" — [{LABELS['reader'][lang]}]({base_url}{reader_query(c.report_id, c.start, c.end)})"
    return f"[{c.n}] {escape(c.title)} · {escape(c.bureau)} · {c.year} · {chars}{link}"


def conversation_markdown(conversation: Conversation, base_url: str | None = None, lang: str = "en") -> str:
    """The whole conversation; its header in lang (the interface's), each answer in its own language."""
    header = LABELS["exported"][0 if lang == "en" else 1].format(when=_when(), n=len(conversation.turns))
    parts = [f"# {escape(conversation.title)}", "", f"*{header}*", ""]
    for turn in conversation.turns:
        parts += ["---", "", answer_markdown(turn.answer.model_copy(update={"question": turn.question}), base_url)]
        if turn.rating:
            lang = 0 if turn.answer.lang == "en" else 1
            parts += [f"*{LABELS['feedback'][lang]}: {'👍' if turn.rating > 0 else '👎'}"
                      f"{' ' + escape(turn.comment) if turn.comment else ''}*", ""]
    return "\n".join(parts).rstrip() + "\n"


def conversation_json(conversation: Conversation) -> str:
    return json.dumps({
        "id": conversation.id, "title": conversation.title, "created": _iso(conversation.created),
        "updated": _iso(conversation.updated),
        "turns": [{"question": t.question, "reports": t.reports, "asked": _iso(t.created),
                   "answer": t.answer.model_dump(mode="json"),
                   "feedback": {"rating": t.rating, "comment": t.comment} if t.rating else None}
                  for t in conversation.turns],
    }, ensure_ascii=False, indent=2)


def escape(text: str) -> str:
    """Report and user text as literal Markdown: no markup, no raw HTML where the file is rendered."""
    return _SPECIAL.sub(r"\\\1", str(text))


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat(timespec="seconds")


def _when() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
