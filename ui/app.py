"""A chat over the reports: the answer, then the cited passages with their report and year."""
from __future__ import annotations

import html

import gradio as gr

from assistant.question import QuestionError
from assistant.schema import Answer
from assistant.service import Assistant
from assistant.settings import Settings

EXAMPLES = [
    "深圳市2025年上线了多少个“高效办成一件事”？",
    "2024年中山市12345热线服务总量是多少？",
    "“深小i”是哪一天上线的？",
    "How many cross-region partner areas did Longhua add in 2025?",
    "What was the satisfaction rate of Zhongshan's 12345 hotline in 2024?",
]
STATUS_LABEL = {"answered": "", "not_found": "🔍 ", "clarify": "❓ "}
# System fonts only: the default theme would fetch web fonts.
THEME = gr.themes.Default(font=["system-ui", "Noto Sans CJK SC", "sans-serif"], font_mono=["ui-monospace", "monospace"])


def sources_markdown(answer: Answer) -> str:
    if not answer.citations and not answer.related:
        return "_No cited passages._"
    cards = []
    if answer.related:
        cards.append("_Related passages — not an answer / 相关段落，并非答案_")
    for c in answer.citations or answer.related:
        cards.append(
            f"**[{c.n}] {html.escape(c.title)}** · {html.escape(c.bureau)} · {c.year}  \n"
            f"<small>report {c.report_id}, characters {c.start}–{c.end} · {html.escape(c.section)}</small>\n\n"
            f"> {html.escape(c.text)}"
        )
    return "\n\n---\n\n".join(cards)


def build_app(assistant: Assistant) -> gr.Blocks:
    def respond(message: str, history: list[dict]):
        history = list(history or [])
        try:
            answer = assistant.ask(message, history=[{"role": t["role"], "content": _text(t)} for t in history])
        except QuestionError as err:
            return history + [{"role": "user", "content": message or ""}, {"role": "assistant", "content": f"⚠️ {err}"}], "", ""
        reply = STATUS_LABEL[answer.status] + answer.answer + "".join(f"\n\n_{html.escape(note)}_" for note in answer.notes)
        if answer.status == "clarify":
            reply += "\n\n" + " · ".join(f"`{r.followup}`" for r in answer.rows)
        history += [{"role": "user", "content": message}, {"role": "assistant", "content": reply}]
        return history, sources_markdown(answer), ""

    with gr.Blocks(title="Government work reports — cited answers") as app:
        gr.Markdown("## 政务报告问答 · Government work report Q&A\n"
                    "Ask in Chinese or English. Every answer quotes the passage it rests on, with its report and year.")
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="Chat", height=460)
                question = gr.Textbox(label="Question / 问题", placeholder="例如：深圳市2025年上线了多少个“高效办成一件事”？")
                with gr.Row():
                    send = gr.Button("Ask / 提问", variant="primary")
                    gr.ClearButton([chat, question], value="New chat / 新对话")
                gr.Examples(examples=EXAMPLES, inputs=question, label="Examples / 示例")
            with gr.Column(scale=2):
                gr.Markdown("### Sources / 出处")
                sources = gr.Markdown("_Cited passages appear here._")
        send.click(respond, [question, chat], [chat, sources, question], api_name="ask")
        question.submit(respond, [question, chat], [chat, sources, question], api_name=False)
    return app


def _text(turn: dict) -> str:
    content = turn.get("content", "")
    if isinstance(content, list):  # gradio may hand back structured content
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


def launch(settings: Settings, **kwargs) -> gr.Blocks:
    app = build_app(Assistant(settings))
    app.launch(server_name=settings.host, server_port=settings.port, theme=THEME, **kwargs)
    return app
