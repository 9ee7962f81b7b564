"""The browser app, one more consumer of the assistant library: Ask (chat, scope filters, follow-up context),
Library (reports, reader, upload) and Evaluation tabs, in Chinese or English."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl

import gradio as gr

from assistant.service import Assistant
from assistant.settings import Settings
from ui.access import chat_login
from ui.chat import build_chat_tab, filter_choices, filter_status
from ui.conversations import build_sidebar
from ui.evaluate import build_eval_tab, metrics_view
from ui.i18n import LANGS, browser_lang, t
from ui.labels import Labels
from ui.library import build_library_tab, library_view, open_report, reader_choices, span_from_query

# System fonts only: the default theme would fetch web fonts.
THEME = gr.themes.Default(font=["system-ui", "Noto Sans CJK SC", "sans-serif"], font_mono=["ui-monospace", "monospace"])
CSS = (Path(__file__).parent / "style.css").read_text(encoding="utf-8")
# The page's script (the chat's HTML has none of its own): the theme follows the ◐ switch; on a phone the sidebar
# starts closed; [n] in an answer opens and shows its source card; "Open in reader" opens this page's reader; "Copy
# as Markdown" copies the answer with its quotes and reader links made absolute (outside a secure context the
# clipboard API is missing, so a selected textarea is copied instead)
JS = """() => {
  // theme: system (the OS's), dark or light, cycled by the ◐ button and kept in this browser
  const applyTheme = () => {
    const mode = localStorage.getItem('govqa-theme') || 'system';
    const dark = mode === 'dark' || (mode === 'system' && matchMedia('(prefers-color-scheme: dark)').matches);
    document.body.classList.toggle('dark', dark);
    const button = document.getElementById('theme');
    if (button) {  // the glyph says which mode is on: ◐ the system's, ☾ dark, ☀ light
      button.dataset.mode = mode; button.title = button.ariaLabel = 'Theme 主题: ' + mode;
      button.textContent = {system: '◐', dark: '☾', light: '☀'}[mode] || '◐';
    }
  };
  window.govqaCycleTheme = () => {
    const order = ['system', 'dark', 'light'];
    const mode = localStorage.getItem('govqa-theme') || 'system';
    localStorage.setItem('govqa-theme', order[(order.indexOf(mode) + 1) % order.length]);
    applyTheme();
  };
  applyTheme();
  setTimeout(applyTheme, 500);  // once the button is on the page
  // the screen's width for the server ("narrow" below 768 px: the Library's and Evaluation's columns), now and when it changes
  const narrow = window.matchMedia('(max-width: 768px)');
  const sendViewport = () => {
    const box = document.querySelector('#viewport textarea, #viewport input');
    if (!box) { setTimeout(sendViewport, 100); return; }
    const size = narrow.matches ? 'narrow' : 'wide';
    if (box.value !== size) { box.value = size; box.dispatchEvent(new Event('input', {bubbles: true})); }
  };
  sendViewport();
  narrow.addEventListener('change', sendViewport);
  // on a phone the conversations sidebar starts closed: the chat comes first
  if (narrow.matches) {
    const closeSidebar = () => {
      const toggle = document.querySelector('#conversations.open .toggle-button');
      if (toggle) toggle.click(); else if (!document.querySelector('#conversations')) setTimeout(closeSidebar, 100);
    };
    closeSidebar();
  }
  const copyText = async (text) => {
    try { await navigator.clipboard.writeText(text); return; } catch (error) { /* not a secure context */ }
    const area = document.createElement('textarea');
    area.value = text; document.body.appendChild(area); area.select(); document.execCommand('copy'); area.remove();
  };
  document.addEventListener('click', async (event) => {
    const copy = event.target.closest('button.copy-md');
    if (copy) {
      const here = location.origin + location.pathname;
      await copyText(copy.dataset.md.replaceAll('](?report=', '](' + here + '?report='));
      const label = copy.textContent;
      copy.textContent = '✓ ' + copy.dataset.done;
      setTimeout(() => { copy.textContent = label; }, 1500);
      return;
    }
    // "Open in reader": the reader of this page (a modified click still opens a new tab, as a link does)
    const open = event.target.closest('a.open-reader');
    const box = document.querySelector('#reader-link textarea, #reader-link input');
    if (open && box && event.button === 0 && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      box.value = new URL(open.href).search.slice(1) + '&at=' + Date.now();  // always a new value: the same link twice
      box.dispatchEvent(new Event('input', {bubbles: true}));
      return;
    }
    const entry = event.target.closest('a.toc');  // the reader's table of contents
    if (entry) {
      event.preventDefault();
      document.getElementById(entry.dataset.target)?.scrollIntoView({block: 'start', behavior: 'smooth'});
      return;
    }
    const link = event.target.closest('a.cite');
    if (!link) return;
    event.preventDefault();
    const card = document.getElementById(link.dataset.target);
    if (!card) return;
    card.open = true;
    card.scrollIntoView({block: 'nearest', behavior: 'smooth'});
    card.classList.add('flash');
    setTimeout(() => card.classList.remove('flash'), 1500);
  });
}"""
SCROLL_TO_HIT = "() => { setTimeout(() => document.getElementById('reader-hit')?.scrollIntoView({block: 'center'}), 300); }"


def build_app(assistant: Assistant) -> gr.Blocks:
    settings = assistant.settings
    labels = Labels()
    # delete_cache: Gradio's copies of uploads and exports older than a day go, checked hourly (a long-running app's disk)
    with gr.Blocks(title="政务报告问答 · Government work report Q&A", delete_cache=(3600, 86400)) as app:
        with gr.Row(equal_height=True, elem_id="top"):
            header = gr.Markdown(elem_id="header")
            lang = gr.Radio(LANGS, value="zh", show_label=False, container=False, elem_id="lang", scale=0, min_width=220)
            # the language chosen with the switch, kept in this browser (checked on load, never trusted)
            chosen_lang = gr.BrowserState(None, storage_key="govqa-lang", secret="govqa")
            theme = gr.Button("◐", size="sm", elem_id="theme", scale=0, min_width=44)
        theme.click(None, js="() => window.govqaCycleTheme()")
        labels.add(header, "title", attr="value")
        sidebar = build_sidebar(labels)
        # where the chat's "Open in reader" links land (set by the page's script): the reader of this same app, not a
        # new copy of it in another tab; in the page but never shown, and outside the tabs (Gradio mounts a tab's
        # components only once it is opened)
        reader_link = gr.Textbox(elem_id="reader-link", elem_classes=["govqa-offscreen"], show_label=False, container=False)
        # "narrow" or "wide", set by the page's script from the screen's width: the columns the tables show
        viewport = gr.Textbox("wide", elem_id="viewport", elem_classes=["govqa-offscreen"], show_label=False, container=False)
        with gr.Tabs(elem_id="tabs") as tabs:
            with gr.Tab(id="chat", elem_id="tab-chat") as chat_tab:
                chat = build_chat_tab(assistant, labels, lang, sidebar, tabs)
            with gr.Tab(id="library", elem_id="tab-library") as library_tab:
                library = build_library_tab(assistant, labels, lang, viewport)
            with gr.Tab(id="eval", elem_id="tab-eval") as eval_tab:
                evaluation = build_eval_tab(assistant, labels, lang, viewport)
        for tab, key in ((chat_tab, "tab_chat"), (library_tab, "tab_library"), (eval_tab, "tab_eval")):
            labels.add(tab, key)

        # --- language: the browser's on load, then the switch; every label, status and context line follows ---
        refresh_chat, refresh_inputs, refresh_outputs = chat["refresh"]

        def relabel(lang_value, *values):
            *refresh_values, metrics, size = values
            upload_md = t("upload_md", lang_value, mb=f"{settings.max_upload_mb:g}")
            return (*labels.updates(lang_value), upload_md, library_view(assistant, lang_value, size),
                    metrics_view(metrics, lang_value, size), *refresh_chat(lang_value, *refresh_values))
        relabel_inputs = [*refresh_inputs, evaluation["rows"], viewport]
        relabel_outputs = [*labels.components, library["upload_md"], library["table"], evaluation["table"], *refresh_outputs]
        lang.change(relabel, relabel_inputs, relabel_outputs, api_name=False)
        lang.input(lambda lang_value: lang_value, lang, chosen_lang, api_name=False)  # the user's choice only


        # --- on load: the language chosen before (else the browser's), and a reader link (?report=&start=&end=) opens
        # the Library at a span ---
        def on_load(chosen_value, request: gr.Request):
            codes = [code for _, code in LANGS]
            lang_value = chosen_value if chosen_value in codes else browser_lang(request.headers.get("accept-language"))
            params = dict(request.query_params)
            span = span_from_query(params)
            if "report" in params and (not span or span[0] not in assistant.texts):  # a reader link that opens nothing
                return lang_value, gr.Tabs(selected="library"), gr.update(), f'<p class="hint">{t("reader_link_gone", lang_value)}</p>'
            if not span:
                return lang_value, gr.update(), gr.update(), gr.update()
            return lang_value, gr.Tabs(selected="library"), span[0], open_report(assistant, *span)
        load_chat, load_inputs, load_outputs = chat["load"]  # this browser's conversations, or a shared one
        app.load(on_load, chosen_lang, [lang, tabs, library["picker"], library["reader"]], api_name=False).then(
            load_chat, load_inputs, load_outputs, api_name=False).then(
            relabel, relabel_inputs, relabel_outputs, api_name=False).then(None, js=SCROLL_TO_HIT)

        # --- "Open in reader" in an answer: the Library tab of this same page, at the span ---
        def open_link(query: str):
            span = span_from_query(dict(parse_qsl(query or "")))
            if not span or span[0] not in assistant.texts:
                return gr.update(), gr.update(), gr.update()
            return gr.Tabs(selected="library"), span[0], open_report(assistant, *span)
        reader_link.change(open_link, reader_link, [tabs, library["picker"], library["reader"]],
                          api_name=False).then(None, js=SCROLL_TO_HIT)

        # --- after a report is added: the table, the reader's list and the filters show it ---
        def after_add(lang_value, size, pending, *filter_values):
            reports, bureaus, years = filter_choices(assistant, *filter_values)
            # a refused add ("required: bureau, region") keeps the upload, its preview and its metadata to mend
            added = bool(pending) and pending.get("id") in assistant.reports
            kept = [None, None, ""] if added else [gr.update()] * 3
            return (library_view(assistant, lang_value, size), gr.update(choices=reader_choices(assistant)), gr.update(choices=reports),
                    gr.update(choices=bureaus), gr.update(choices=years), *kept,
                    filter_status(assistant, *filter_values, lang_value))
        library["added"].then(after_add, [lang, viewport, library["pending"], *chat["filters"]],
                              [library["table"], library["picker"], *chat["filters"], library["pending"], library["upload"],
                               library["preview"], chat["status"]], api_name=False)
    return app


def launch_options(settings: Settings) -> dict:
    # max_file_size caps Gradio's raw upload route too, not only the Library's upload button
    options = {"theme": THEME, "css": CSS, "js": JS, "max_file_size": f"{settings.max_upload_mb:g}mb"}
    if login := chat_login(settings):
        options |= {"auth": login, "auth_message": f"{t('login', 'en')} · {t('login', 'zh')}"}
    return options


def serve(app: gr.Blocks, settings: Settings, **kwargs) -> gr.Blocks:
    """Serves the built app on GOVQA_HOST:GOVQA_PORT (python -m ui builds it behind its first-start page)."""
    app.queue(default_concurrency_limit=4)
    app.launch(server_name=settings.host, server_port=settings.port, **launch_options(settings), **kwargs)
    return app
