"""The Library tab: the indexed reports with their metadata and chunk counts, a reader that opens a report at a
span (also from a link: ?report=002&start=1635&end=1709), and adding a report from an uploaded file."""
from __future__ import annotations

import time
from pathlib import Path
from typing import get_args

import gradio as gr

from assistant.service import Assistant
from index.ingest import UPLOAD_TYPES, SameReportError, UploadError, extract_text, propose_metadata
from index.load import ManifestError, ReportMeta
from ui.access import needs_password, refusal
from ui.i18n import t
from ui.labels import Labels
from ui.render import reader_html

TABLE_HEADERS = ["id", "title", "bureau", "region", "level", "year", "published", "chunks", "file", "source"]
FIELDS = ["title", "title_en", "bureau", "bureau_en", "region", "region_en", "level", "year", "published", "notes"]
PREVIEW_CHARS = 1500
LEVELS = list(get_args(ReportMeta.model_fields["level"].annotation))  # what the manifest accepts


def library_rows(assistant: Assistant) -> list[list]:
    return [[m.id, m.title, m.bureau, m.region, m.level, m.year, m.published, assistant.chunk_counts.get(m.id, 0), m.file,
             m.source]
            for m in assistant.reports.values()]


def reader_choices(assistant: Assistant) -> list[tuple[str, str]]:
    return [(f"{m.id} · {m.title}", m.id) for m in assistant.reports.values()]


def open_report(assistant: Assistant, report_id: str | None, start: int | None = None, end: int | None = None) -> str:
    if not report_id or report_id not in assistant.texts:
        return ""
    return reader_html(assistant.texts[report_id], start, end)


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
            return *[gr.update()] * len(FIELDS), "", f"⚠️ {err}", None
        proposed = propose_metadata(text, Path(path).name, list(self.assistant.reports.values()))
        preview = text[:PREVIEW_CHARS] + ("…" if len(text) > PREVIEW_CHARS else "")
        status = t("upload_ready", lang, chars=len(text), name=Path(path).name)
        return *[proposed[f] for f in FIELDS], preview, status, {"text": text, "path": path, "id": proposed["id"]}

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
            return f"⚠️ {err}\n\n" + t("confirm_same_hint", lang)
        except (UploadError, ManifestError) as err:
            return f"⚠️ {err}"
        return t("added", lang, id=meta.id, title=meta.title, chunks=self.assistant.chunk_counts.get(meta.id, 0),
                 s=time.perf_counter() - started)


def build_library_tab(assistant: Assistant, labels: Labels, lang: gr.Radio) -> dict:
    uploads = Uploads(assistant)
    pending = gr.State(None)
    labels.add(gr.Markdown(), "library_md", attr="value")
    table = gr.Dataframe(library_rows(assistant), headers=TABLE_HEADERS, interactive=False, elem_id="library-table",
                         wrap=True)
    labels.add(gr.Markdown(), "reader_md", attr="value")
    picker = labels.add(gr.Dropdown(reader_choices(assistant), value=None, elem_id="reader-pick"), "reader_pick")
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
                if name == "level":
                    box = gr.Dropdown(LEVELS, value=LEVELS[0], elem_id=f"meta-{name}")
                elif name == "year":
                    box = gr.Number(precision=0, elem_id=f"meta-{name}")
                else:
                    box = gr.Textbox(elem_id=f"meta-{name}")
                fields.append(labels.add(box, f"m_{name}"))
            confirm = labels.add(gr.Checkbox(value=False, elem_id="confirm-same"), "confirm_same")
            add = labels.add(gr.Button(variant="primary", elem_id="add-report"), "add", attr="value")

    picker.input(lambda rid: open_report(assistant, rid), picker, reader, api_name=False)  # user picks only: a link sets both
    upload.upload(uploads.read, [upload, lang, admin], [*fields, preview, upload_status, pending], api_name=False)
    upload.upload(lambda: False, None, confirm, api_name=False)  # a confirmation is for one upload, never the next
    added = add.click(uploads.add, [pending, lang, admin, confirm, *fields], upload_status, api_name="add_report")
    return {"table": table, "picker": picker, "reader": reader, "upload_md": upload_md, "added": added,
            "pending": pending, "upload": upload, "preview": preview}
