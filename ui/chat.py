"""The Ask tab: the conversation (saved as it goes: ui/conversations.py), the scope filters (as chips) and the
follow-up context the assistant assumes."""
from __future__ import annotations

import html
import logging
import queue
import secrets
import sqlite3
import threading
from dataclasses import dataclass

import gradio as gr

from assistant.compare import followup_for
from assistant.conversations import Conversation, ConversationError
from assistant.question import QuestionError, error_line, visible
from assistant.schema import Answer, Stage
from assistant.service import Assistant
from ui.conversations import SHARED, BROWSER_ID, Conversations, owner_of
from ui.i18n import t
from ui.labels import Labels
from ui.render import answer_html, context_markdown, literal, working_html

log = logging.getLogger(__name__)

EXAMPLES = [
    "深圳市2025年上线了多少个“高效办成一件事”？",
    "2024年中山市12345热线服务总量是多少？",
    "深圳市2024年和2025年分别上线了多少个“高效办成一件事”？",
    "How many cross-region partner areas did Longhua add in 2025?",
    "What was the satisfaction rate of Zhongshan's 12345 hotline in 2024?",
    "How many one-matter items were launched?",
]


def ratings(conversation: Conversation, read_only: bool) -> list[str | None]:
    """The 👍/👎 given to each turn, as the chat shows them (none on a shared, read-only conversation)."""
    return [None if read_only else {1: "Like", -1: "Dislike"}.get(s.rating) for s in conversation.turns]


DROP_SHARED = """() => { const url = new URL(window.location.href);
  if (url.searchParams.has('conversation')) { url.searchParams.delete('conversation'); history.replaceState(null, '', url); } }"""


def fresh_context() -> dict:
    """The per-session conversation the assistant sees: plain-text turns and the last answer's scope."""
    return {"history": [], "scope": {}}


# --- scope filters: report / bureau / year, each a multi-select shown as chips ---

def filter_choices(assistant: Assistant, reports: list | None = None, bureaus: list | None = None,
                   years: list | None = None) -> tuple[list, list, list]:
    """The choices of the report, bureau and year filters, each narrowed by what the other two are set to (a bureau
    picked lists only its years and reports; a year, only the bureaus with a report of that year); what a filter
    already holds stays among its choices."""
    reports, bureaus, years = reports or [], bureaus or [], years or []
    names = bureau_names(assistant)

    def metas(r: list, b: list, y: list) -> list:
        allowed = allowed_reports(assistant, r, b, y)
        return [m for rid, m in assistant.reports.items() if allowed is None or rid in allowed]

    listed = metas([], bureaus, years)
    shown = {m.id for m in listed}
    held = [m for rid, m in assistant.reports.items() if rid in reports and rid not in shown]  # kept, though ruled out
    report_choices = [(f"{m.region} {m.year} · {m.title}", m.id) for m in listed + held]
    bureau_choices = sorted({names[m.id] for m in metas(reports, [], years)} | set(bureaus))
    year_choices = sorted({str(m.year) for m in metas(reports, bureaus, [])} | {str(y) for y in years})  # strings: what the browser sends back
    return report_choices, bureau_choices, year_choices


def bureau_names(assistant: Assistant) -> dict[str, str]:
    """Report id -> its bureau as the bureau filter lists it: one name per region and level, its newest report's
    spelling. A bureau that wrote its name differently over the years (龙华区政务服务数据管理局 in 2022, 政务服务和数据管理局
    in 2025) is one bureau, listed once."""
    newest = {(m.region, m.level): m.bureau for m in sorted(assistant.reports.values(), key=lambda m: m.year)}
    return {rid: newest[(m.region, m.level)] for rid, m in assistant.reports.items()}


def allowed_reports(assistant: Assistant, reports: list, bureaus: list, years: list) -> list[str] | None:
    """The report ids all three filters allow; None when no filter is set (every report). A bureau is matched by
    the name the filter lists or by any report's own spelling of it (an API client may send either)."""
    if not (reports or bureaus or years):
        return None
    names = bureau_names(assistant)
    wanted = set(bureaus) | {names[rid] for rid, m in assistant.reports.items() if m.bureau in bureaus}
    return [rid for rid, m in assistant.reports.items()
            if (not reports or rid in reports) and (not bureaus or names[rid] in wanted)
            and (not years or m.year in {int(y) for y in years})]


def filter_status(assistant: Assistant, reports: list, bureaus: list, years: list, lang: str) -> str:
    allowed = allowed_reports(assistant, reports, bureaus, years)
    if allowed is None:
        return t("filter_all", lang, n=len(assistant.reports))
    if not allowed:
        return "⚠️ " + t("filter_none", lang)
    names = ", ".join(f"{assistant.reports[r].region} {assistant.reports[r].year}" for r in allowed)
    return t("filter_some", lang, k=len(allowed), n=len(assistant.reports), names=names)


# --- one turn: validate, show the question at once, then what the assistant understood, the passages it reads, the answer ---

@dataclass
class Turn:
    assistant: Assistant

    def respond(self, message, chat, context, reports, bureaus, years, lang, owner=None, current=None, turn_ids=None,
                request: gr.Request = None):
        """-> chat, question box, context, context line, open conversation id, {chat message index: saved turn id}."""
        yield from self.turn(message, chat, context, reports, bureaus, years, lang, owner, current, turn_ids, request)

    def example(self, message, chat, context, reports, bureaus, years, lang, owner=None, current=None, turn_ids=None,
                request: gr.Request = None):
        """A clicked example is a question of its own, asked as written: mid-conversation it is not read as a
        follow-up ("How many one-matter items were launched?" after a Zhongshan turn still asks which bureau). It
        joins the conversation like any turn, so a typed follow-up after it is read against it."""
        yield from self.turn(message, chat, context, reports, bureaus, years, lang, owner, current, turn_ids, request,
                             resolve_against=[])

    def regenerate(self, chat, context, reports, bureaus, years, lang, owner=None, current=None, turn_ids=None,
                   request: gr.Request = None):
        """The chat's retry: asks the last question again with the filters as they are now, read against the
        conversation as it was before it; the new answer is added as a turn of its own (the earlier one is kept).
        A last turn that failed is asked again in its place."""
        history, chat = list((context or {}).get("history") or []), list(chat or [])
        if (current or "").startswith(SHARED):
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        if len(chat) >= 2 and chat[-2]["role"] == "user" and "status-error" in message_text(chat[-1]):
            # the last turn failed (nothing of it was saved or kept in the context): it is asked again in its place
            yield from self.turn(html.unescape(message_text(chat[-2])), chat[:-2], context, reports, bureaus, years,
                                 lang, owner, current, turn_ids, request)
            return
        if len(history) < 2 or history[-2].get("role") != "user":
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        yield from self.turn(history[-2]["content"], chat, context, reports, bureaus, years, lang, owner, current,
                             turn_ids, request, resolve_against=history[:-2])

    def turn(self, message, chat, context, reports, bureaus, years, lang, owner, current, turn_ids, request,
             resolve_against: list | None = None):
        chat, context, turn_ids = list(chat or []), dict(context or fresh_context()), dict(turn_ids or {})
        if current and current.startswith(SHARED):  # a shared conversation is read-only: asking continues a copy of it
            current, turn_ids = self.continue_shared(owner or owner_of(None, request), current[len(SHARED):], chat, lang)
        text = visible(message if isinstance(message, str) else "").strip()  # shown, saved and asked as it reads
        allowed = allowed_reports(self.assistant, reports, bureaus, years)
        limit = self.assistant.settings.max_question_chars
        shown = text if len(text) <= limit else text[:limit] + f"… (+{len(text) - limit})"  # an oversized paste is not echoed whole
        keep = (current, turn_ids)
        refused = ("filter_none" if allowed == [] else "q_empty" if not text else None)
        if refused or len(text) > limit:
            error = t(refused, lang) if refused else t("q_too_long", lang, n=len(text), limit=limit)
            said = [{"role": "user", "content": literal(shown) or "…"}, _error(error, lang)]
            # the same refusal again (Enter pressed on an empty box, twice): said once. By role and text: the browser
            # sends the chat back in Gradio's own form (message_text)
            again = [(m.get("role"), message_text(m)) for m in chat[-2:]] == [(m["role"], m["content"]) for m in said]
            yield (chat if again else chat + said), message, context, gr.skip(), *keep
            return
        chat.append({"role": "user", "content": literal(shown)})
        number = sum(1 for m in chat if m["role"] == "assistant") + 1
        stages: list[Stage] = []
        yield chat + [self.working(stages, number, lang)], "", context, gr.skip(), *keep
        history = context["history"] if resolve_against is None else resolve_against
        for event in self.asked(text, history, allowed):
            if isinstance(event, Stage):
                stages.append(event)
                yield chat + [self.working(stages, number, lang)], "", context, gr.skip(), *keep
            elif isinstance(event, Exception):  # a refused question, or answering failed: a message, nothing saved
                shown = str(event) if isinstance(event, QuestionError) else t("failed", lang, e=error_line(event))
                yield chat + [_error(shown, lang)], message, context, gr.skip(), *keep
                return
            else:
                answer = event
        chat.append(self.message(answer, number, lang))
        context = {"history": context["history"] + [{"role": "user", "content": text},
                                                    {"role": "assistant", "content": answer.answer}],
                   "scope": answer.scope}
        current, turn_id = self.save(owner or owner_of(None, request), current, text, answer, allowed, lang)
        if turn_id is not None:
            turn_ids[len(chat) - 1] = turn_id
        yield chat, "", context, self.context_text(context, lang), current, turn_ids

    def asked(self, text: str, history: list, allowed: list | None):
        """Asks in a worker thread and yields each Stage as the assistant reports it, then the Answer, or the error
        that ended it: a QuestionError (the question refused), or anything else (a vector store that stopped
        answering, say), which is logged with its traceback here and shown to the user as one line."""
        events: queue.Queue = queue.Queue()

        def work() -> None:
            try:
                events.put(self.assistant.ask(text, history=history, reports=allowed, on_stage=events.put))
            except Exception as err:  # handed to the caller, who shows it in the chat
                if not isinstance(err, QuestionError):
                    log.error("answering %r failed", text[:80], exc_info=err)
                events.put(err)
        threading.Thread(target=work, name="ask", daemon=True).start()
        while True:
            event = events.get()
            yield event
            if not isinstance(event, Stage):
                return

    def working(self, stages: list[Stage], number: int, lang: str) -> dict:
        return {"role": "assistant", "content": working_html(stages, number, lang, self.names(lang), self.assistant.texts)}

    def names(self, lang: str) -> dict[str, str]:
        return {m.region: (m.region_short_en if lang == "en" else m.region) for m in self.assistant.reports.values()}

    def save(self, owner: str | None, current: str | None, text: str, answer: Answer, allowed: list | None,
             lang: str) -> tuple[str | None, int | None]:
        """Saves the turn (starting a conversation on the first); -> the conversation id and the turn id."""
        if owner is None:  # an HTTP API client: nothing to keep it under
            return current, None
        try:
            store = self.assistant.conversations
            if current:
                try:
                    return current, store.add_turn(owner, current, text, answer, allowed)
                except ConversationError:  # deleted meanwhile (in another tab): this turn starts a new one
                    pass
            current = store.start(owner, text)
            return current, store.add_turn(owner, current, text, answer, allowed)
        except (ConversationError, sqlite3.Error) as err:
            gr.Warning(t("conv_not_saved", lang, e=err))
            return current, None

    def continue_shared(self, owner: str | None, token: str, chat: list, lang: str) -> tuple[str | None, dict]:
        """The shared conversation shown, copied into the asker's own (its context is kept for the follow-up);
        -> the copy's id and {chat message index: turn id}. Not saved for an API client or when the copy fails."""
        if owner is None:
            return None, {}
        try:
            copy_id, ids = self.assistant.continue_shared(owner, token)
        except (ConversationError, sqlite3.Error) as err:
            gr.Warning(t("conv_not_saved", lang, e=err))
            return None, {}
        answers = [i for i, m in enumerate(chat) if isinstance(m, dict) and m.get("role") == "assistant"]
        return copy_id, dict(zip(answers, ids))

    def restore(self, conversation: Conversation, lang: str) -> tuple[list, dict, dict]:
        """A saved conversation back in the chat: messages, the follow-up context, and message index -> turn id."""
        chat, turn_ids = [], {}
        for number, saved in enumerate(conversation.turns, start=1):
            chat.append({"role": "user", "content": literal(saved.question)})
            chat.append(self.message(saved.answer, number, lang))
            turn_ids[len(chat) - 1] = saved.id
        scope = conversation.turns[-1].answer.scope if conversation.turns else {}
        return chat, {"history": conversation.history(), "scope": scope}, turn_ids

    def message(self, answer: Answer, turn: int, lang: str) -> dict:
        """The chat message of an answer; "clarify" and "not found" offer the candidate reports as buttons."""
        message = {"role": "assistant", "content": answer_html(answer, turn, lang, self.assistant.texts, self.names(lang))}
        options = self.candidates(answer)
        if options:
            message["options"] = options
        return message

    def candidates(self, answer: Answer) -> list[dict]:
        """clarify: each candidate report's follow-up ("深圳市2025年"); not_found: the reports of the related passages."""
        if answer.status == "clarify":
            return [{"label": f"{r.followup} · {r.figure}" if r.figure else r.followup, "value": r.followup}
                    for r in answer.rows]
        # not found: the related passages' reports, unless the question named a place no report covers ("北京市…":
        # "中山市2024年" would be read into it as "中山市北京市2024年…")
        if answer.status == "not_found" and not answer.scope.get("filter") and not answer.scope.get("other_places"):
            metas = [self.assistant.reports[c.report_id] for c in answer.related if c.report_id in self.assistant.reports]
            followups = dict.fromkeys(followup_for(m, answer.lang) for m in metas)
            return [{"label": f, "value": f} for f in followups]
        return []

    def context_text(self, context: dict, lang: str) -> str:
        return context_markdown(context.get("scope") or {}, lang, self.names(lang))


def message_text(message: dict) -> str:
    """A chat message's text: as a turn wrote it (a string), or as the browser sends the chat back (Gradio's list of
    {"text": …, "type": "text"} parts)."""
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, list):
        return "".join(part.get("text") or "" for part in content if isinstance(part, dict))
    return content if isinstance(content, str) else ""


def _error(message: str, lang: str) -> dict:
    return {"role": "assistant", "content": f'<div class="govqa-answer status-error">{html.escape(t("error", lang, e=message))}</div>'}


# --- the tab ---

def build_chat_tab(assistant: Assistant, labels: Labels, lang: gr.Radio, sidebar: dict, tabs: gr.Tabs) -> dict:
    turn, saved = Turn(assistant), Conversations(assistant)
    report_choices, bureau_choices, year_choices = filter_choices(assistant)
    context = gr.State(fresh_context())
    owner = gr.State(None)        # "browser:ID" or "user:NAME", set on load
    current = gr.State(None)      # the open conversation's id ("shared:TOKEN" while a shared one is shown)
    turn_ids = gr.State({})       # chat message index -> saved turn id (for feedback)
    rated = gr.State(None)        # the turn a comment would go to
    # kept in the browser's local storage; the values are checked on load, never trusted
    browser_id = gr.BrowserState(None, storage_key="govqa-browser", secret="govqa")
    browser_open = gr.BrowserState(None, storage_key="govqa-open", secret="govqa")
    with gr.Row():
        with gr.Column(scale=3):
            shared_note = gr.Markdown(visible=False, elem_id="shared-note")
            chat = labels.add(gr.Chatbot(height="60vh", min_height=360, sanitize_html=False, elem_id="chat", buttons=[],
                                         feedback_options=("Like", "Dislike")), "chat",
                              placeholder="chat_placeholder")
            with gr.Row(visible=False, elem_id="feedback-row") as feedback_row:
                comment = labels.add(gr.Textbox(max_lines=3, scale=4, elem_id="feedback-comment", container=False),
                                     "feedback_comment", attr="placeholder")
                send_comment = labels.add(gr.Button(size="sm", scale=1, elem_id="feedback-send"), "feedback_send",
                                          attr="value")
            question = labels.add(gr.Textbox(lines=1, max_lines=4, elem_id="question"), "question", placeholder="placeholder")
            with gr.Row():
                ask = labels.add(gr.Button(variant="primary", interactive=False, elem_id="ask"), "ask", attr="value")
                new_chat = labels.add(gr.Button(elem_id="new-chat"), "new_chat", attr="value")
            # a Dataset, not gr.Examples: filling the box through gr.Examples resets its label to the first paint's
            examples = gr.Dataset(components=[question], samples=[[e] for e in EXAMPLES], label="示例 · Examples",
                                  elem_id="examples", type="values")
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
    search, listing, note, title = sidebar["search"], sidebar["list"], sidebar["note"], sidebar["title"]

    # --- asking: answer (the /ask API keeps its inputs and outputs), then the sidebar and the browser follow ---
    ask_inputs = [question, chat, context, *filters, lang, owner, current, turn_ids]
    ask_outputs = [chat, question, context, context_box, current, turn_ids]

    def after_turn(owner_value, current_value, lang_value, search_value):
        listed, note_value = saved.listing(owner_value, current_value, lang_value, search_value)
        return listed, note_value, saved.title_of(owner_value, current_value), current_value, gr.update(visible=False)
    after_outputs = [listing, note, title, browser_open, shared_note]

    def pick(chat_value, context_value, reports_value, bureaus_value, years_value, lang_value, owner_value,
             current_value, turn_ids_value, evt: gr.SelectData, request: gr.Request):
        yield from turn.respond(evt.value, chat_value, context_value, reports_value, bureaus_value, years_value,
                                lang_value, owner_value, current_value, turn_ids_value, request)
    for event in (ask.click(turn.respond, ask_inputs, ask_outputs, api_name="ask"),
                  question.submit(turn.respond, ask_inputs, ask_outputs, api_name=False),
                  examples.click(lambda sample: sample[0], examples, question, api_name=False).then(  # sent on click
                      turn.example, ask_inputs, ask_outputs, api_name=False),
                  chat.option_select(pick, ask_inputs[1:], ask_outputs, api_name=False),
                  chat.retry(turn.regenerate, ask_inputs[1:], ask_outputs, api_name=False)):
        # a turn asked from a shared link continues one's own copy: the address no longer opens the shared original,
        # so a reload shows the copy (with the new turn), not the read-only conversation without it
        event.then(after_turn, [owner, current, lang, search], after_outputs, api_name=False).then(None, js=DROP_SHARED)
    question.change(lambda text: gr.update(interactive=bool((text or "").strip())), question, ask, api_name=False)

    # --- scope filters and the follow-up context ---
    def show_status(reports_value, bureaus_value, years_value, lang_value):
        return filter_status(assistant, reports_value, bureaus_value, years_value, lang_value)

    def narrow(changed: int):
        """A filter changed: the status, and the other two filters' choices narrowed to what it allows (its own are
        left as they are, so its open list is not redrawn under the pointer)."""
        def handler(reports_value, bureaus_value, years_value, lang_value):
            choices = filter_choices(assistant, reports_value, bureaus_value, years_value)
            return (show_status(reports_value, bureaus_value, years_value, lang_value),
                    *[gr.update(choices=c) for i, c in enumerate(choices) if i != changed])
        return handler
    for i, control in enumerate(filters):
        control.change(narrow(i), [*filters, lang], [status, *[f for j, f in enumerate(filters) if j != i]], api_name=False)
    clear_filters.click(lambda: ([], [], []), None, filters, api_name=False)
    reset.click(lambda lang_value: (fresh_context(), t("ctx_reset", lang_value)), lang, [context, context_box], api_name=False)

    # --- conversations: new, open, load (this browser's list; a shared link), rename, delete, export, share ---
    opened = [chat, context, context_box, current, turn_ids, title, browser_open, shared_note, sidebar["files"],
              sidebar["link"], feedback_row]

    def empty(lang_value, notice=None):
        """A fresh chat; notice: what the shared-conversation note says instead of hiding (a link that opens nothing)."""
        return (gr.update(value=[], feedback_value=[]), fresh_context(), t("context_none", lang_value), None, {}, "", None,
                gr.update(value=notice, visible=True) if notice else gr.update(visible=False),
                gr.update(value=None, visible=False), gr.update(visible=False), gr.update(visible=False))

    def show(conversation, lang_value, read_only: bool = False):
        chat_value, context_value, ids = turn.restore(conversation, lang_value)
        chat_value = gr.update(value=chat_value, feedback_value=ratings(conversation, read_only))  # 👍/👎 shown again
        shown = (SHARED + conversation.share_token) if read_only else conversation.id
        notice = gr.update(value=t("conv_shared", lang_value, title=literal(conversation.title)), visible=True) if read_only \
            else gr.update(visible=False)
        return (chat_value, context_value, turn.context_text(context_value, lang_value), shown, {} if read_only else ids,
                "" if read_only else conversation.title, None if read_only else conversation.id, notice,
                gr.update(value=None, visible=False), gr.update(visible=False), gr.update(visible=False))

    def start_new(owner_value, lang_value, search_value):
        return *empty(lang_value), "", *saved.listing(owner_value, None, lang_value, search_value)
    new_chat.click(start_new, [owner, lang, search], [*opened, question, listing, note], api_name=False)
    # the chat's own clear (trash) icon is the same as a new conversation: the saved one stays in the list
    chat.clear(start_new, [owner, lang, search], [*opened, question, listing, note], api_name=False)

    def open_saved(conversation_id, owner_value, lang_value):
        try:
            return *show(assistant.conversation(owner_value, conversation_id), lang_value), gr.Tabs(selected="chat")
        except (ConversationError, sqlite3.Error, TypeError) as err:
            gr.Warning(str(err))
            return *[gr.update()] * len(opened), gr.update()
    listing.input(open_saved, [listing, owner, lang], [*opened, tabs], api_name=False)
    search.change(lambda owner_value, current_value, lang_value, search_value:
                  saved.listing(owner_value, current_value, lang_value, search_value),
                  [owner, current, lang, search], [listing, note], api_name=False)

    def on_load(browser_value, open_value, lang_value, request: gr.Request):
        """This browser's id (a new one on its first visit), its list, and what it had open; or a shared link."""
        browser_value = browser_value if isinstance(browser_value, str) and BROWSER_ID.match(browser_value) \
            else secrets.token_hex(16)
        owner_value = owner_of(browser_value, request)
        token = dict(request.query_params).get("conversation") if request else None
        shown = empty(lang_value)
        try:
            if token:
                shown = show(assistant.shared_conversation(token), lang_value, read_only=True)
            elif isinstance(open_value, str) and open_value:
                shown = show(assistant.conversation(owner_value, open_value), lang_value)
        except (ConversationError, sqlite3.Error):
            if token:  # said where the shared conversation would be: a toast at load time is easily missed
                shown = empty(lang_value, t("conv_shared_gone", lang_value))
        current_value = shown[3]
        return (owner_value, browser_value, *shown, *saved.listing(owner_value, current_value, lang_value))
    load_inputs = [browser_id, browser_open, lang]
    load_outputs = [owner, browser_id, *opened, listing, note]

    sidebar["rename"].click(saved.rename, [owner, current, title, search, lang], [listing, note, title], api_name=False)
    title.submit(saved.rename, [owner, current, title, search, lang], [listing, note, title], api_name=False)
    sidebar["delete"].click(lambda current_value: gr.update(visible=bool(current_value)), current, sidebar["confirm"],
                            api_name=False)

    def delete(owner_value, current_value, search_value, lang_value):
        listed, note_value, gone = saved.delete(owner_value, current_value, search_value, lang_value)
        return *(empty(lang_value) if gone else [gr.update()] * len(opened)), listed, note_value, gr.update(visible=False)
    sidebar["confirm"].click(delete, [owner, current, search, lang], [*opened, listing, note, sidebar["confirm"]],
                             api_name=False)
    sidebar["export"].click(saved.export, [owner, current, lang], sidebar["files"], api_name=False)
    sidebar["share"].click(saved.share, [owner, current, lang], sidebar["link"], api_name=False)

    # --- feedback: 👍/👎 on an answer, then an optional comment ---
    chat.like(saved.like, [owner, turn_ids, lang], [rated, feedback_row], api_name=False)
    send_comment.click(saved.comment, [owner, rated, comment, lang], [comment, feedback_row], api_name=False)
    comment.submit(saved.comment, [owner, rated, comment, lang], [comment, feedback_row], api_name=False)

    def in_language(chat_value, owner_value, current_value, lang_value):
        """The open conversation's answers again, their banners, notes and source cards in the interface's language
        (each answer's own text stays in the language it was asked in); only when the chat shows exactly the saved
        turns, so a message that was never saved (a refused empty question) is not lost from view."""
        conversation = saved.stored(owner_value, current_value)
        if conversation is None or not conversation.turns:
            return gr.update()
        roles = [m.get("role") if isinstance(m, dict) else getattr(m, "role", None) for m in chat_value or []]
        if roles != ["user", "assistant"] * len(conversation.turns):
            return gr.update()
        chat_value, _, _ = turn.restore(conversation, lang_value)
        return gr.update(value=chat_value, feedback_value=ratings(conversation, current_value.startswith(SHARED)))

    def refresh(lang_value, context_value, owner_value, current_value, search_value, chat_value,
                *filter_values):  # language switch
        return (show_status(*filter_values, lang_value), turn.context_text(context_value, lang_value),
                saved.listing(owner_value, current_value, lang_value, search_value)[1],
                in_language(chat_value, owner_value, current_value, lang_value))
    return {"chat": chat, "filters": filters, "status": status, "context": context, "context_box": context_box,
            "load": (on_load, load_inputs, load_outputs),
            "refresh": (refresh, [lang, context, owner, current, search, chat, *filters], [status, context_box, note, chat])}

