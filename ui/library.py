"""The Library tab: the indexed reports with their metadata and chunk counts, a reader that opens a report at a
span (also from a link: ?report=002&start=1635&end=1709), and adding a report from an uploaded file."""
from __future__ import annotations

import time
from pathlib import Path
from typing import get_args

import gradio as gr
import pandas as pd

from assistant.service import Assistant
from index.ingest import UPLOAD_TYPES, SameReportError, UploadError, extract_text, propose_metadata
from index.load import ManifestError, ReportMeta
from ui.access import needs_password, refusal
from ui.i18n import columns, t, upload_error, value
from ui.labels import Labels
from ui.render import find_spans, reader_html

TABLE_HEADERS = ["id", "title", "bureau", "region", "level", "year", "published", "chunks", "file", "source"]
NARROW_HEADERS = ["id", "title", "year", "chunks"]  # a phone: what tells the reports apart; the title names the bureau
NARROW_WIDTHS = ["16%", "52%", "16%", "16%"]      # of the table's width: the title wraps instead of running off it
WIDE_WIDTHS = ["5%", "22%", "18%", "9%", "6%", "6%", "9%", "6%", "12%", "7%"]
FIELDS = ["title", "title_en", "bureau", "bureau_en", "region", "region_en", "level", "year", "published", "notes"]
PREVIEW_CHARS = 1500
LEVELS = list(get_args(ReportMeta.model_fields["level"].annotation))  # what the manifest accepts


def library_table(assistant: Assistant, lang: str, viewport: str = "") -> pd.DataFrame:
    """The reports, one row each, with column names and coded values (level, source) in the interface language, and
    in English each report's English title, bureau and region where its metadata gives them (the reader and the source
    cards keep the title as printed); on a narrow screen (viewport "narrow", set by the page's script) only the
    columns that fit it, never a sideways scroll."""
    headers = NARROW_HEADERS if viewport == "narrow" else TABLE_HEADERS
    en = lang == "en"
    rows = [[{"id": m.id, "title": en and m.title_en or m.title, "bureau": en and m.bureau_en or m.bureau,
              "region": en and m.region_en or m.region, "level": value(m.level, lang),
              "year": m.year, "published": m.published, "chunks": assistant.chunk_counts.get(m.id, 0), "file": m.file,
              "source": value(m.source, lang)}[h] for h in headers]
            for m in assistant.reports.values()]
    return pd.DataFrame(rows, columns=columns(headers, lang))


def library_view(assistant: Assistant, lang: str, viewport: str = "") -> dict:
    """The table as an update, with column widths that fit the screen."""
    return gr.update(value=library_table(assistant, lang, viewport),
                     column_widths=NARROW_WIDTHS if viewport == "narrow" else WIDE_WIDTHS)


def open_selected(assistant: Assistant, event: gr.SelectData) -> tuple:
    """A click on a Library row opens that report in the reader below (the row's first cell is its id)."""
    report_id = str((event.row_value or [None])[0])
    if report_id not in assistant.texts:
        return gr.update(), gr.update()
    return report_id, open_report(assistant, report_id)


def reader_choices(assistant: Assistant) -> list[tuple[str, str]]:
    return [(f"{m.id} · {m.title}", m.id) for m in assistant.reports.values()]


def open_report(assistant: Assistant, report_id: str | None, start: int | None = None, end: int | None = None,
                find: str = "") -> str:
    if not report_id or report_id not in assistant.texts:
        return ""
    return reader_html(assistant.texts[report_id], start, end, assistant.contents.get(report_id), find)


def find_in_report(assistant: Assistant, report_id: str | None, find: str, lang: str) -> tuple[str, str]:
    """The reader with every occurrence of find (its first 200 characters) marked, and how many there are."""
    find = find[:200]
    if not report_id or report_id not in assistant.texts:
        return gr.update(), t("reader_pick_first", lang) if find.strip() else ""
    found = len(find_spans(assistant.texts[report_id], find))
    status = "" if not find.strip() else t("reader_found", lang, n=found) if found else t("reader_none_found", lang)
    return open_report(assistant, report_id, find=find), status


def span_from_query(params: dict) -> tuple[str, int, int] | None:
    """?report=002&start=1635&end=1709 -> ("002", 1635, 1709); None when absent or malformed."""
    try:
        return str(params["report"]), int(params["start"]), int(params["end"])
    except (KeyError, ValueError):
        return None


class Uploads:
    """Reading an uploaded file, proposing its metadata, adding and indexing it, then reloading the assistant."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    def read(self, path: str | None, lang: str, password: str | None = None):
        """-> the proposed field values, the text preview, a status line and the pending upload."""
        if not path:
            return *[gr.update()] * len(FIELDS), "", "", None
        if refused := refusal(self.assistant.settings, password):
            return *[gr.update()] * len(FIELDS), "", "⚠️ " + t(refused, lang), None
        if self.assistant.read_only:
            return *[gr.update()] * len(FIELDS), "", "⚠️ " + t("read_only", lang), None
        try:
            text = extract_text(Path(path), self.assistant.settings.max_upload_bytes)
        except UploadError as err:
            return *[gr.update()] * len(FIELDS), "", f"⚠️ {upload_error(err, lang)}", None
        proposed = propose_metadata(text, Path(path).name, list(self.assistant.reports.values()))
        preview = text[:PREVIEW_CHARS] + ("…" if len(text) > PREVIEW_CHARS else "")
        status = t("upload_ready", lang, chars=len(text), name=Path(path).name)
        # no year found in the text: the box stays empty for the adder to fill in, not "0"
        shown = proposed | {"year": proposed["year"] or None}
        return *[shown[f] for f in FIELDS], preview, status, {"text": text, "path": path, "id": proposed["id"]}

    def add(self, pending: dict | None, lang: str, password: str | None, confirmed: bool, *values,
            progress=gr.Progress(track_tqdm=True)) -> str:
        """Adds and indexes the pending upload with the edited metadata; returns the status line. confirmed: add it
        even when a report of its bureau and year is in the library."""
        if refused := refusal(self.assistant.settings, password):
            return "⚠️ " + t(refused, lang)
        if not pending:
            return "⚠️ " + t("upload_first", lang)
        fields = dict(zip(FIELDS, values)) | {"id": pending["id"]}
        fields["year"] = int(fields["year"] or 0)
        started = time.perf_counter()
        progress(0, desc=t("indexing", lang))
        try:
            meta = self.assistant.add_report(fields, pending["text"], Path(pending["path"]), bool(confirmed))
        except SameReportError as err:
            return f"⚠️ {upload_error(err, lang)}\n\n" + t("confirm_same_hint", lang)
        except (UploadError, ManifestError) as err:
            return f"⚠️ {upload_error(err, lang)}"
        return t("added", lang, id=meta.id, title=meta.title, chunks=self.assistant.chunk_counts.get(meta.id, 0),
                 s=time.perf_counter() - started)


def build_library_tab(assistant: Assistant, labels: Labels, lang: gr.Radio, viewport: gr.Textbox) -> dict:
    uploads = Uploads(assistant)
    pending = gr.State(None)
    labels.add(gr.Markdown(), "library_md", attr="value")
    table = gr.Dataframe(library_table(assistant, "zh"), interactive=False, elem_id="library-table", wrap=True,
                         column_widths=WIDE_WIDTHS)
    labels.add(gr.Markdown(), "reader_md", attr="value")
    with gr.Row():
        picker = labels.add(gr.Dropdown(reader_choices(assistant), value=None, elem_id="reader-pick", scale=3), "reader_pick")
        find = labels.add(gr.Textbox(elem_id="reader-find-box", scale=2, max_length=200), "reader_find",
                          placeholder="reader_find_hint")
    find_status = gr.Markdown(elem_id="reader-find-status")
    reader = gr.HTML(f'<p class="hint">{t("reader_empty", "zh")} · {t("reader_empty", "en")}</p>', elem_id="reader")
    upload_md = gr.Markdown(elem_id="upload-md")
    with gr.Row():
        with gr.Column(scale=1):
            # asked before the file is read: reading a file is work a visitor may not make the server do
            admin = labels.add(gr.Textbox(type="password", elem_id="admin-password",
                                          visible=needs_password(assistant.settings)), "admin_password")
            upload = labels.add(gr.File(file_types=list(UPLOAD_TYPES), type="filepath", elem_id="upload"), "upload")
            upload_status = gr.Markdown(elem_id="upload-status")
            preview = labels.add(gr.Textbox(lines=10, max_lines=10, interactive=False, elem_id="upload-preview"), "preview")
        with gr.Column(scale=1):
            fields = []
            for name in FIELDS:
                if name == "level":  # shown in the interface language, stored as the manifest's value
                    fields.append(labels.add(gr.Dropdown(LEVELS, value=LEVELS[0], elem_id=f"meta-{name}"), f"m_{name}",
                                             choices=tuple(LEVELS)))
                    continue
                box = (gr.Number(None, precision=0, elem_id=f"meta-{name}") if name == "year"
                       else gr.Textbox(elem_id=f"meta-{name}"))
                fields.append(labels.add(box, f"m_{name}"))
            confirm = labels.add(gr.Checkbox(value=False, elem_id="confirm-same"), "confirm_same")
            add = labels.add(gr.Button(variant="primary", elem_id="add-report"), "add", attr="value")

    def show(report_id: str | None, text: str, lang_value: str) -> tuple[str, str]:
        return find_in_report(assistant, report_id, text or "", lang_value)
    picker.input(show, [picker, find, lang], [reader, find_status], api_name=False)  # user picks only: a link sets both
    find.change(show, [picker, find, lang], [reader, find_status], api_name=False, trigger_mode="always_last").then(
        None, js="() => document.getElementById('reader-find')?.scrollIntoView({block: 'center'})")

    def select(event: gr.SelectData) -> tuple:
        return open_selected(assistant, event)
    table.select(select, None, [picker, reader], api_name=False)
    viewport.change(lambda lang_value, size: library_view(assistant, lang_value, size), [lang, viewport], table,
                    api_name=False)
    upload.upload(uploads.read, [upload, lang, admin], [*fields, preview, upload_status, pending], api_name=False)
    upload.upload(lambda: False, None, confirm, api_name=False)  # a confirmation is for one upload, never the next
    added = add.click(uploads.add, [pending, lang, admin, confirm, *fields], upload_status, api_name="add_report")
    return {"table": table, "picker": picker, "reader": reader, "upload_md": upload_md, "added": added,
            "pending": pending, "upload": upload, "preview": preview}
