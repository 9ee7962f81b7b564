"""The Evaluation tab: run a question set from the browser, with a progress bar, then the metrics table and plot."""
from __future__ import annotations

import time

import gradio as gr
import pandas as pd

from assistant.service import Assistant
from eval.runner import COLUMNS, EVAL_DIR, load_questions, run, summarize_groups, write_outputs
from ui.access import needs_password, refusal
from ui.i18n import columns, t
from ui.labels import Labels


def question_sets() -> list[str]:
    return sorted(path.name for path in EVAL_DIR.glob("*.jsonl"))


class EvalRun:
    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    def __call__(self, name: str, lang: str, password: str | None = None, viewport: str = "", progress=gr.Progress()):
        """-> status line, the metrics table (one row per group), the plot's path, the table's rows (kept to name its
        columns again when the language changes)."""
        if refused := refusal(self.assistant.settings, password):
            return "⚠️ " + t(refused, lang), gr.update(), gr.update(), gr.update()
        if name not in question_sets():
            return f"⚠️ {name}?", gr.update(), gr.update(), gr.update()
        questions = load_questions(EVAL_DIR / name)
        started = time.perf_counter()
        rows = run(self.assistant.settings, questions, self.assistant,
                   progress=lambda i, n: progress((i, n), desc=t("running", lang, i=i + 1, n=n)))
        summaries = summarize_groups(rows)
        paths = write_outputs(rows, summaries, self.assistant.settings.data_dir / "eval")
        table = [[group] + [summary[c] for c in COLUMNS] for group, summary in summaries.items()]
        overall = summaries["all"]
        status = t("eval_done", lang, n=len(rows), s=time.perf_counter() - started, acc=overall["accuracy"],
                   sup=overall["citation_support"], path=paths["summary"])
        # the value alone (the API's output stays a table): the widths for this screen are already set (metrics_view)
        return status, metrics_table(table, lang, viewport), str(paths["plot"]), table


NARROW_COLUMNS = ["group", "n", "accuracy", "wrong_answer", "uncertain"]  # a phone: the answer metrics only
NARROW_WIDTHS = ["32%", "11%", "19%", "19%", "19%"]
WIDE_WIDTHS = ["12%"] + [f"{88 / len(COLUMNS):.2f}%"] * len(COLUMNS)  # every column within the page's width


def metrics_table(rows: list[list], lang: str, viewport: str = "") -> pd.DataFrame:
    """One row per group, with column names in the interface language; on a narrow screen the answer metrics only."""
    table = pd.DataFrame(rows, columns=["group", *COLUMNS])
    if viewport == "narrow":
        table = table[NARROW_COLUMNS]
    return table.set_axis(columns(list(table.columns), lang), axis=1)


def metrics_view(rows: list[list], lang: str, viewport: str = "") -> dict:
    """The table as an update, with column widths that fit the screen."""
    return gr.update(value=metrics_table(rows, lang, viewport),
                     column_widths=NARROW_WIDTHS if viewport == "narrow" else WIDE_WIDTHS)


def build_eval_tab(assistant: Assistant, labels: Labels, lang: gr.Radio, viewport: gr.Textbox) -> dict:
    labels.add(gr.Markdown(), "eval_md", attr="value")
    with gr.Row():
        sets = question_sets()
        default = "questions.jsonl" if "questions.jsonl" in sets else (sets[0] if sets else None)
        chosen = labels.add(gr.Dropdown(sets, value=default, elem_id="eval-set"), "eval_set")
        admin = labels.add(gr.Textbox(type="password", elem_id="eval-admin-password",
                                      visible=needs_password(assistant.settings)), "admin_password")
        start = labels.add(gr.Button(variant="primary", elem_id="eval-run"), "eval_run", attr="value")
    status = gr.Markdown(elem_id="eval-status")
    table = labels.add(gr.Dataframe(metrics_table([], "zh"), interactive=False, elem_id="eval-table", wrap=True,
                                    column_widths=WIDE_WIDTHS), "eval_table")
    plot = labels.add(gr.Image(type="filepath", interactive=False, elem_id="eval-plot"), "eval_plot")
    rows = gr.State([])
    start.click(EvalRun(assistant), [chosen, lang, admin, viewport], [status, table, plot, rows], api_name="evaluate")
    viewport.change(lambda values, lang_value, size: metrics_view(values, lang_value, size), [rows, lang, viewport], table,
                    api_name=False)
    return {"table": table, "rows": rows}
