"""Answers as HTML for the chat: a status banner, the answer (tables included) with [n] linked to its source card,
the notes, and one collapsible card per cited passage showing the span highlighted inside its paragraph."""
from __future__ import annotations

import html
import re

from markdown_it import MarkdownIt

from assistant.export import answer_markdown, reader_query
from assistant.schema import Answer, Citation, Stage
from assistant.verify import MARKER
from ui.i18n import TEXT, t

# The answer's own Markdown is paragraphs, tables, "- " lists and **labels**: commonmark with tables, and with raw
# HTML, links, images, code and headings off, since the answer also holds words from outside (a question's subject,
# a place the reports do not cover) that must show as written (the "commonmark" preset turns html on)
_MARKDOWN = (MarkdownIt("commonmark", {"breaks": True, "html": False}).enable("table")
             .disable(["link", "image", "autolink", "html_inline", "html_block", "backticks", "code", "fence",
                       "heading", "lheading", "blockquote", "hr", "reference"]))
CONTEXT_CHARS = 260  # of the paragraph shown on each side of a cited span
_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")  # ASCII punctuation


def literal(text: str) -> str:
    """Text from outside (a question, a conversation's title) for a place the chat renders as Markdown: each ASCII
    punctuation character as a character reference, so it shows as written and never becomes markup (a link, an
    image, emphasis, a table, LaTeX) or HTML. html.unescape gives the text back."""
    return _PUNCTUATION.sub(lambda m: f"&#{ord(m.group())};", text)


def _shielded(answer: Answer) -> tuple[str, dict[str, str]]:
    """The answer's Markdown with each quoted span (report text, uploads included) replaced by a placeholder, and
    placeholder -> the span escaped: a quote is shown verbatim, whatever Markdown its report text holds."""
    text, slots = answer.answer, {}
    spans = sorted({c.text for c in [*answer.citations, *answer.related] if c.text.strip()}, key=len, reverse=True)
    for i, span in enumerate(spans):
        token = f"GOVQASPAN{i}Z"
        if span in text:
            text, slots[token] = text.replace(span, token), html.escape(span)
    return text, slots


def answer_html(answer: Answer, turn: int, lang: str, texts: dict[str, str], names: dict[str, str] | None = None) -> str:
    """One chat message. turn numbers the cards' anchors; texts: report id -> stored text (for paragraphs); names:
    region -> shown name, for the line saying what was understood (kept from the work in progress, under the notes).
    Everything is on one line: the chat's markdown renderer must pass it through as a single HTML block."""
    cited = answer.citations or answer.related
    parts = [f'<div class="govqa-answer status-{answer.status}" data-status="{answer.status}">']
    if answer.status != "answered":
        icon = {"not_found": "∅", "uncertain": "~"}.get(answer.status, "?")  # text glyphs: no emoji font needed
        parts.append(f'<div class="banner"><span class="icon" aria-hidden="true">{icon}</span>{t(answer.status, lang)}</div>')
    markdown, slots = _shielded(answer)
    body = _MARKDOWN.render(markdown)
    if answer.citations:
        body = MARKER.sub(lambda m: _cite_link(m, turn, len(answer.citations)), body)
    for token, span in slots.items():
        body = body.replace(token, span)
    parts.append(f'<div class="answer-text">{body}</div>')
    if answer.notes:
        parts.append('<ul class="notes">' + "".join(f"<li>{html.escape(n)}</li>" for n in answer.notes) + "</ul>")
    if answer.scope and names is not None:  # a damaged saved answer has no scope: nothing was understood
        parts.append(understood_html(Stage("understood", answer.lang, answer.kind, answer.scope), lang, names))
    if cited:
        heading = t("sources", lang) if answer.citations else t("related", lang)
        cards = "".join(source_card(c, turn, lang, texts.get(c.report_id, ""), related=not answer.citations) for c in cited)
        parts.append(f'<div class="sources"><div class="sources-title">{heading} ({len(cited)})</div>{cards}</div>')
    # copied by the page's script (ui/app.py), reader links made absolute there
    markdown = html.escape(answer_markdown(answer, ""), quote=True).replace("\n", "&#10;")  # kept by the join below
    parts.append(f'<button class="copy-md" type="button" data-md="{markdown}" data-done="{t("copied", lang)}">'
                 f'{t("copy_md", lang)}</button>')
    parts.append("</div>")
    return "".join(parts).replace("\n", "")


def _cite_link(match: re.Match, turn: int, count: int) -> str:
    n = int(match.group(1))
    if not 1 <= n <= count:
        return match.group(0)
    return f'<a class="cite" href="#src-{turn}-{n}" data-target="src-{turn}-{n}">[{n}]</a>'


def source_card(c: Citation, turn: int, lang: str, report_text: str, related: bool = False) -> str:
    section = f' · {t("section", lang)}: {html.escape(c.section)}' if c.section else ""
    uploaded = f' <span class="uploaded" title="{t("uploaded_hint", lang)}">{t("uploaded", lang)}</span>' if c.uploaded else ""
    link = reader_query(c.report_id, c.start, c.end)
    return (f'<details class="source-card{" related" if related else ""}" id="src-{turn}-{c.n}">'
            f'<summary><span class="n">[{c.n}]</span> {html.escape(c.title)} <span class="meta">· {html.escape(c.bureau)} · '
            f'{c.year}</span>{uploaded}</summary>'
            f'<div class="card-meta">{t("chars", lang, a=c.start, b=c.end)}{section} · '
            f'<a class="open-reader" href="{html.escape(link)}" target="_blank" rel="noopener">{t("open_reader", lang)} ↗</a></div>'
            f'<blockquote class="paragraph">{highlighted_paragraph(report_text, c.start, c.end, c.text)}</blockquote>'
            f"</details>")


def highlighted_paragraph(text: str, start: int, end: int, span: str) -> str:
    """The line (paragraph) around text[start:end], the span marked; trimmed to CONTEXT_CHARS each side."""
    if not text or text[start:end] != span:  # no stored text to show: the span alone
        return f"<mark>{html.escape(span)}</mark>"
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    left, right = max(line_start, start - CONTEXT_CHARS), min(line_end, end + CONTEXT_CHARS)
    before = ("…" if left > line_start else "") + html.escape(text[left:start])
    after = html.escape(text[end:right]) + ("…" if right < line_end else "")
    return f"{before}<mark>{html.escape(span)}</mark>{after}"


def reader_html(text: str, start: int | None = None, end: int | None = None, contents: list | None = None,
                find: str = "") -> str:
    """A whole report, one <p> per line: text[start:end] marked (id="reader-hit") when given, every occurrence of
    find marked (the first id="reader-find"; case-insensitive, taken literally), and a table of contents of
    contents' (depth, offset, heading) above it, each entry scrolling to its paragraph."""
    hit = (start, end) if start is not None and end is not None and 0 <= start < end <= len(text) else None
    finds = find_spans(text, find)
    paragraphs, offset, anchors = [], 0, sorted({o for _, o, _ in contents or []})
    for line in text.split("\n"):
        line_end = offset + len(line)
        marks = [(*hit, ' id="reader-hit"')] if hit and hit[0] <= line_end and offset <= hit[1] else []
        marks += [(a, b, ' class="find"') for a, b in finds if offset <= a and b <= line_end and not any(
            a < m_b and m_a < b for m_a, m_b, _ in marks)]
        if line.strip():
            here = [o for o in anchors if offset <= o <= line_end]
            anchor = f' id="reader-at-{here[0]}"' if here else ""
            paragraphs.append(f'<p data-start="{offset}"{anchor}>{_marked(line, offset, marks)}</p>')
        offset = line_end + 1
    body = "".join(paragraphs).replace(' class="find"', ' class="find" id="reader-find"', 1)
    toc = "".join(f'<li class="depth-{depth}"><a class="toc" href="#" data-target="reader-at-{o}">{html.escape(label)}</a></li>'
                  for depth, o, label in contents or [])
    toc = f'<details class="reader-toc"><summary>目录 · Contents</summary><ul>{toc}</ul></details>' if toc else ""
    return f'<div class="reader">{toc}{body}</div>'


def find_spans(text: str, find: str) -> list[tuple[int, int]]:
    """Where find occurs in text: case-insensitive, taken literally (a regex character is a character)."""
    needle = find.strip()
    return [m.span() for m in re.finditer(re.escape(needle), text, flags=re.I)] if needle else []


def _marked(line: str, offset: int, marks: list[tuple[int, int, str]]) -> str:
    """line escaped, with each (start, end, attributes) range of the report (clipped to the line) in a <mark>."""
    out, at = [], 0
    for a, b, attrs in sorted(marks):
        a, b = max(a, offset) - offset, min(b, offset + len(line)) - offset
        out += [html.escape(line[at:a]), f"<mark{attrs}>", html.escape(line[a:b]), "</mark>"]
        at = b
    return "".join(out) + html.escape(line[at:])


def context_markdown(scope: dict, lang: str, names: dict[str, str]) -> str:
    """What a follow-up will assume: the bureau, level and years of the last answer. names: region -> shown name."""
    parts = []
    if scope.get("regions"):
        parts.append(t("ctx_bureau", lang, v=" / ".join(names.get(r, r) for r in scope["regions"])))
    if scope.get("level") and not scope.get("regions"):
        parts.append(t("ctx_level", lang, v=scope["level"]))
    if scope.get("years"):
        parts.append(t("ctx_year", lang, v=", ".join(map(str, scope["years"]))))
    if not parts:
        return t("context_none", lang)
    carried = [t(f"part_{p}", lang) for p in scope.get("carried", []) if p not in scope.get("dropped", [])]
    if carried:
        parts.append(t("ctx_carried", lang, v=(", " if lang == "en" else "、").join(carried)))
    return t("context", lang, parts=" · ".join(parts))


def working_html(stages: list[Stage], turn: int, lang: str, names: dict[str, str], texts: dict[str, str]) -> str:
    """The chat message while a question is answered: what was understood (kind, bureau, level, years, the answer's
    language, the filter) as soon as it is known, then the passages being read as source cards. names: region ->
    shown name."""
    parts = ['<div class="govqa-answer status-working" data-status="working">',
             f'<div class="banner"><span class="icon" aria-hidden="true">…</span>'
             f'{t("composing" if len(stages) > 1 else "thinking", lang)}</div>']
    for stage in stages:
        if stage.name == "understood":
            parts.append(understood_html(stage, lang, names))
        elif stage.name == "retrieved" and stage.passages:
            cards = "".join(source_card(c, turn, lang, texts.get(c.report_id, ""), related=True) for c in stage.passages)
            parts.append(f'<div class="sources"><div class="sources-title">{t("reading", lang)} ({len(stage.passages)})</div>'
                         f"{cards}</div>")
    return "".join(parts + ["</div>"]).replace("\n", "")


def understood_html(stage: Stage, lang: str, names: dict[str, str]) -> str:
    return f'<div class="understood">{html.escape(t("understood", lang, parts=understood_parts(stage, lang, names)))}</div>'


def understood_parts(stage: Stage, lang: str, names: dict[str, str]) -> str:
    scope = stage.scope
    parts = [t(f"kind_{stage.kind}", lang) if f"kind_{stage.kind}" in TEXT else stage.kind]
    if scope.get("regions"):
        parts.append(" / ".join(names.get(r, r) for r in scope["regions"]))
    elif scope.get("level"):
        parts.append(t(scope["level"], lang) if scope["level"] in TEXT else scope["level"])
    if scope.get("years"):
        parts.append(", ".join(map(str, scope["years"])))
    reports = scope.get("reports")
    parts.append(t("u_all", lang) if reports is None else t("u_report", lang) if len(reports) == 1
                 else t("u_reports", lang, n=len(reports)))
    if scope.get("filter") is not None:
        parts.append(t("u_filter", lang, n=len(scope["filter"])))
    if stage.lang != lang:  # the interface says it only when the answer's language differs from its own
        parts.append(t(f"u_in_{stage.lang}", lang))
    return " · ".join(parts)
