"""The Ask tab: the conversation, the scope filters (as chips) and the follow-up context the assistant assumes."""
from __future__ import annotations

import html
import time
from dataclasses import dataclass

import gradio as gr

from assistant.compare import followup_for
from assistant.question import QuestionError
from assistant.schema import Answer
from assistant.service import Assistant
from ui.i18n import t
from ui.labels import Labels
from ui.render import answer_html, context_markdown, streamed_pieces

EXAMPLES = [
    "深圳市2025年上线了多少个“高效办成一件事”？",
    "2024年中山市12345热线服务总量是多少？",
    "深圳市2024年和2025年分别上线了多少个“高效办成一件事”？",
    "How many cross-region partner areas did Longhua add in 2025?",
    "What was the satisfaction rate of Zhongshan's 12345 hotline in 2024?",
    "How many one-matter items were launched?",
]


def fresh_context() -> dict:
    """The per-session conversation the assistant sees: plain-text turns and the last answer's scope."""
    return {"history": [], "scope": {}}


# --- scope filters: report / bureau / year, each a multi-select shown as chips ---

def filter_choices(assistant: Assistant) -> tuple[list, list, list]:
    metas = list(assistant.reports.values())
    reports = [(f"{m.region} {m.year} · {m.title}", m.id) for m in metas]
    bureaus = sorted({m.bureau for m in metas})
    years = sorted({str(m.year) for m in metas})  # strings: what the browser sends back
    return reports, bureaus, years


def allowed_reports(assistant: Assistant, reports: list, bureaus: list, years: list) -> list[str] | None:
    """The report ids all three filters allow; None when no filter is set (every report)."""
    if not (reports or bureaus or years):
        return None
    return [rid for rid, m in assistant.reports.items()
            if (not reports or rid in reports) and (not bureaus or m.bureau in bureaus)
            and (not years or m.year in {int(y) for y in years})]


def filter_status(assistant: Assistant, reports: list, bureaus: list, years: list, lang: str) -> str:
    allowed = allowed_reports(assistant, reports, bureaus, years)
    if allowed is None:
        return t("filter_all", lang, n=len(assistant.reports))
    if not allowed:
        return "⚠️ " + t("filter_none", lang)
    names = ", ".join(f"{assistant.reports[r].region} {assistant.reports[r].year}" for r in allowed)
    return t("filter_some", lang, k=len(allowed), n=len(assistant.reports), names=names)


# --- one turn: validate, show the question at once, answer, stream the text, then the final message ---

@dataclass
class Turn:
    assistant: Assistant

    def respond(self, message, chat, context, reports, bureaus, years, lang):
        chat, context = list(chat or []), dict(context or fresh_context())
        text = (message if isinstance(message, str) else "").strip()
        allowed = allowed_reports(self.assistant, reports, bureaus, years)
        limit = self.assistant.settings.max_question_chars
        shown = text if len(text) <= limit else text[:limit] + f"… (+{len(text) - limit})"  # an oversized paste is not echoed whole
        chat.append({"role": "user", "content": html.escape(shown) or "…"})
        if allowed == []:
            yield chat + [_error(t("filter_none", lang), lang)], message, context, gr.skip()
            return
        yield chat + [{"role": "assistant", "content": t("thinking", lang)}], "", context, gr.skip()
        try:
            answer = self.assistant.ask(text, history=context["history"], reports=allowed)
        except QuestionError as err:
            yield chat + [_error(str(err), lang)], message, context, gr.skip()
            return
        for piece in streamed_pieces(answer.answer):
            yield chat + [{"role": "assistant", "content": html.escape(piece)}], "", context, gr.skip()
            time.sleep(self.assistant.settings.ui_stream_delay_s)
        turn = sum(1 for m in chat if m["role"] == "assistant") + 1
        chat.append(self.message(answer, turn, lang))
        context = {"history": context["history"] + [{"role": "user", "content": text},
                                                    {"role": "assistant", "content": answer.answer}],
                   "scope": answer.scope}
        yield chat, "", context, self.context_text(context, lang)

    def message(self, answer: Answer, turn: int, lang: str) -> dict:
        """The chat message of an answer; "clarify" and "not found" offer the candidate reports as buttons."""
        message = {"role": "assistant", "content": answer_html(answer, turn, lang, self.assistant.texts)}
        options = self.candidates(answer)
        if options:
            message["options"] = options
        return message

    def candidates(self, answer: Answer) -> list[dict]:
        """clarify: each candidate report's follow-up ("深圳市2025年"); not_found: the reports of the related passages."""
        if answer.status == "clarify":
            return [{"label": f"{r.followup} · {r.figure}" if r.figure else r.followup, "value": r.followup}
                    for r in answer.rows]
        if answer.status == "not_found" and not answer.scope.get("filter"):
            metas = [self.assistant.reports[c.report_id] for c in answer.related if c.report_id in self.assistant.reports]
            followups = dict.fromkeys(followup_for(m, answer.lang) for m in metas)
            return [{"label": f, "value": f} for f in followups]
        return []

    def context_text(self, context: dict, lang: str) -> str:
        names = {m.region: (m.region_short_en if lang == "en" else m.region) for m in self.assistant.reports.values()}
        return context_markdown(context.get("scope") or {}, lang, names)


def _error(message: str, lang: str) -> dict:
    return {"role": "assistant", "content": f'<div class="govqa-answer status-error">{html.escape(t("error", lang, e=message))}</div>'}


# --- the tab ---

def build_chat_tab(assistant: Assistant, labels: Labels, lang: gr.Radio) -> dict:
    turn = Turn(assistant)
    report_choices, bureau_choices, year_choices = filter_choices(assistant)
    context = gr.State(fresh_context())
    with gr.Row():
        with gr.Column(scale=3):
            chat = labels.add(gr.Chatbot(height=520, sanitize_html=False, elem_id="chat", buttons=[],
                                         feedback_options=None), "chat",
                              placeholder="chat_placeholder")
            question = labels.add(gr.Textbox(lines=1, max_lines=4, elem_id="question"), "question", placeholder="placeholder")
            with gr.Row():
                ask = labels.add(gr.Button(variant="primary", elem_id="ask"), "ask", attr="value")
                new_chat = labels.add(gr.Button(elem_id="new-chat"), "new_chat", attr="value")
            gr.Examples(examples=EXAMPLES, inputs=question, label="示例 · Examples", elem_id="examples")  # fixed once built
        with gr.Column(scale=2, elem_id="scope-panel"):
            labels.add(gr.Markdown(), "scope", attr="value")
            reports = labels.add(gr.Dropdown(report_choices, multiselect=True, elem_id="filter-reports"), "filter_reports",
                                 info="filter_info")
            bureaus = labels.add(gr.Dropdown(bureau_choices, multiselect=True, elem_id="filter-bureaus"), "filter_bureaus")
            years = labels.add(gr.Dropdown(year_choices, multiselect=True, elem_id="filter-years"), "filter_years")
            status = gr.Markdown(elem_id="filter-status")
            clear_filters = labels.add(gr.Button(size="sm", elem_id="clear-filters"), "clear_filters", attr="value")
            context_box = gr.Markdown(elem_id="context")
            reset = labels.add(gr.Button(size="sm", elem_id="reset-context"), "reset_context", attr="value")

    filters = [reports, bureaus, years]
    ask_inputs = [question, chat, context, *filters, lang]
    ask_outputs = [chat, question, context, context_box]
    ask.click(turn.respond, ask_inputs, ask_outputs, api_name="ask")
    question.submit(turn.respond, ask_inputs, ask_outputs, api_name=False)

    def pick(chat_value, context_value, reports_value, bureaus_value, years_value, lang_value, evt: gr.SelectData):
        yield from turn.respond(evt.value, chat_value, context_value, reports_value, bureaus_value, years_value, lang_value)
    chat.option_select(pick, [chat, context, *filters, lang], ask_outputs, api_name=False)

    def show_status(reports_value, bureaus_value, years_value, lang_value):
        return filter_status(assistant, reports_value, bureaus_value, years_value, lang_value)
    for control in filters:
        control.change(show_status, [*filters, lang], status, api_name=False)
    clear_filters.click(lambda: ([], [], []), None, filters, api_name=False)
    reset.click(lambda lang_value: (fresh_context(), t("ctx_reset", lang_value)), lang, [context, context_box], api_name=False)
    new_chat.click(lambda lang_value: ([], "", fresh_context(), t("context_none", lang_value)), lang,
                   [chat, question, context, context_box], api_name=False)
    # the chat's own clear (trash) icon is the same reset: an emptied chat carries no follow-up context
    chat.clear(lambda lang_value: (fresh_context(), t("context_none", lang_value)), lang, [context, context_box],
               api_name=False)

    def refresh(lang_value, context_value, *filter_values):  # after a language switch
        return show_status(*filter_values, lang_value), turn.context_text(context_value, lang_value)
    return {"chat": chat, "filters": filters, "status": status, "context": context, "context_box": context_box,
            "refresh": (refresh, [lang, context, *filters], [status, context_box])}
