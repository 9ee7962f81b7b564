"""The conversations sidebar: saved conversations (newest first, searchable), opening one, rename, delete, export as
Markdown and JSON, a read-only share link, and 👍/👎 with a comment per answer. Who owns a conversation: the signed-in
user when the chat has a password, otherwise this browser (a random id kept in its local storage)."""
from __future__ import annotations

import re
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

import gradio as gr

from assistant.conversations import ConversationError, ConversationStore, title_line
from assistant.export import conversation_json, conversation_markdown
from assistant.service import Assistant
from ui.i18n import t
from ui.labels import Labels

BROWSER_ID = re.compile(r"^[0-9a-f]{32}$")  # what this app stores in a browser; anything else is replaced
SHARED = "shared:"                          # prefix of the current-conversation state while a shared one is shown


def owner_of(browser_id: object, request: gr.Request | None) -> str | None:
    """"user:NAME" behind the chat password, "browser:ID" otherwise; None for a client with neither (the HTTP API)."""
    user = getattr(request, "username", None) if request is not None else None
    if user:
        return f"user:{user}"
    return f"browser:{browser_id}" if isinstance(browser_id, str) and BROWSER_ID.match(browser_id) else None


def base_url(request: gr.Request | None) -> str:
    """The app's own address, for reader links in exported Markdown."""
    try:
        return f"{request.url.scheme}://{request.url.netloc}/"
    except AttributeError:
        return ""


# how long an exported file stays on the server for its download (Gradio serves a copy from its own cache)
EXPORT_KEEP_S = 3600


def file_stem(title: str, limit: int = 40) -> str:
    """An exported file's name from the conversation's title: its letters and digits (Chinese kept), the rest as
    single hyphens, cut at limit characters; "conversation" when nothing is left."""
    stem = re.sub(r"[\W_]+", "-", str(title or "")).strip("-")[:limit].strip("-")
    return stem or "conversation"


class Conversations:
    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        # every export of this app in one temporary folder, removed when the app stops
        self._exports = tempfile.TemporaryDirectory(prefix="govqa-export-")

    def store(self) -> ConversationStore:
        return self.assistant.conversations  # opened on first use; ConversationError for a newer file

    def choices(self, owner: str | None, search: str = "") -> list[tuple[str, str]]:
        if not owner:
            return []
        try:
            summaries = self.store().summaries(owner, search)
        except (ConversationError, sqlite3.Error):
            return []
        return [(f"{s.title} · {time.strftime('%m-%d %H:%M', time.localtime(s.updated))}", s.id) for s in summaries]

    def note(self, choices: list, lang: str, search: str = "") -> str:
        """What the list cannot show: the store unavailable or temporary, or nothing (matching) in it."""
        try:
            store = self.store()
        except (ConversationError, sqlite3.Error) as err:
            return "⚠️ " + t("conv_unavailable", lang, e=err)
        if not store.persistent:
            return "⚠️ " + t("conv_temporary", lang)
        if not choices:
            return t("conv_no_match" if search else "conv_empty", lang)
        return ""

    def listing(self, owner: str | None, current: str | None, lang: str, search: str = "") -> tuple:
        """The list (the open conversation selected) and the note under it."""
        selected = current if current and not current.startswith(SHARED) else None
        choices = self.choices(owner, search)
        return gr.update(choices=choices, value=selected), self.note(choices, lang, search)

    def title_of(self, owner: str | None, current: str | None) -> str:
        """The open conversation's title ("" for none, or a shared one)."""
        if not self._own(owner, current):
            return ""
        try:
            return self.store().title(owner, current)
        except (ConversationError, sqlite3.Error):
            return ""

    # --- actions on the open conversation ---

    def rename(self, owner, current, title, search, lang):
        if not self._own(owner, current):
            gr.Warning(t("conv_none_open", lang))
            return gr.update(), gr.update(), gr.update()
        if not title_line(title):  # an empty title is refused, and the box shows the title kept
            gr.Warning(t("conv_title_needed", lang))
            return gr.update(), gr.update(), self.title_of(owner, current)
        try:
            self.store().rename(owner, current, title)
        except (ConversationError, sqlite3.Error) as err:
            gr.Warning(str(err))
            return gr.update(), gr.update(), gr.update()
        listed, note = self.listing(owner, current, lang, search)
        return listed, note, self.title_of(owner, current)

    def export(self, owner, current, lang, request: gr.Request):
        """The open conversation as a Markdown and a JSON file, offered for download."""
        conversation = self._conversation(owner, current, lang)
        if conversation is None:
            return gr.update(value=None, visible=False)
        folder = Path(tempfile.mkdtemp(dir=self._exports.name))
        self._prune_exports(keep=folder)
        stem = file_stem(conversation.title) + "-" + time.strftime("%Y%m%d-%H%M", time.localtime(conversation.updated))
        (folder / f"{stem}.md").write_text(conversation_markdown(conversation, base_url(request), lang), encoding="utf-8")
        (folder / f"{stem}.json").write_text(conversation_json(conversation), encoding="utf-8")
        return gr.update(value=[str(folder / f"{stem}.md"), str(folder / f"{stem}.json")], visible=True)

    def _prune_exports(self, keep: Path) -> None:
        """Exports older than EXPORT_KEEP_S are removed: a long-running app does not fill its disk with them."""
        cutoff = time.time() - EXPORT_KEEP_S
        for folder in Path(self._exports.name).iterdir():
            if folder != keep and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)

    def share(self, owner, current, lang, request: gr.Request):
        if not self._own(owner, current):
            gr.Warning(t("conv_none_open", lang))
            return gr.update()
        try:
            token = self.store().share(owner, current)
        except (ConversationError, sqlite3.Error) as err:
            gr.Warning(str(err))
            return gr.update()
        link = f"{base_url(request)}?conversation={token}"
        return gr.update(value=t("conv_link", lang, link=link), visible=True)

    def delete(self, owner, current, search, lang):
        """-> list, note, and whether the chat must be emptied (the open conversation is gone)."""
        if not self._own(owner, current):
            gr.Warning(t("conv_none_open", lang))
            return *self.listing(owner, current, lang, search), False
        try:
            self.store().delete(owner, current)
        except (ConversationError, sqlite3.Error) as err:
            gr.Warning(str(err))
            return *self.listing(owner, current, lang, search), False
        return *self.listing(owner, None, lang, search), True

    # --- feedback ---

    def like(self, owner, turn_ids: dict, lang, data: gr.LikeData):
        """-> the turn rated (for a comment) and the comment row's visibility."""
        index = data.index if isinstance(data.index, int) else data.index[0]
        turn_id = (turn_ids or {}).get(index)
        if owner is None or turn_id is None:
            gr.Warning(t("feedback_unsaved", lang))
            return None, gr.update(visible=False)
        try:
            if data.liked in ("", None):
                self.store().unrate(owner, turn_id)
                return None, gr.update(visible=False)
            self.store().rate(owner, turn_id, 1 if data.liked is True else -1)
        except (ConversationError, sqlite3.Error) as err:
            gr.Warning(str(err))
            return None, gr.update(visible=False)
        return turn_id, gr.update(visible=True)

    def comment(self, owner, turn_id, text, lang):
        if owner is None or turn_id is None:
            return gr.update(), gr.update(visible=False)
        try:
            self.store().comment(owner, turn_id, text or "")
        except (ConversationError, sqlite3.Error) as err:
            gr.Warning(str(err))
            return gr.update(), gr.update()
        gr.Info(t("feedback_thanks", lang))
        return "", gr.update(visible=False)

    # --- helpers ---

    def _own(self, owner, current) -> bool:
        return bool(owner and current and not current.startswith(SHARED))

    def stored(self, owner, current):
        """The open conversation as saved (a shared one too), or None, without a word: for showing it again."""
        try:
            return self._find(owner, current)
        except (ConversationError, sqlite3.Error):
            return None

    def _find(self, owner, current):
        if current and current.startswith(SHARED):
            return self.assistant.shared_conversation(current[len(SHARED):])
        return self.assistant.conversation(owner, current) if self._own(owner, current) else None

    def _conversation(self, owner, current, lang):
        try:
            found = self._find(owner, current)
        except (ConversationError, sqlite3.Error) as err:
            gr.Warning(str(err))
            return None
        if found is None:
            gr.Warning(t("conv_none_open", lang))
        return found


def build_sidebar(labels: Labels) -> dict:
    """The sidebar's components (its events are wired by the chat tab, which owns the conversation)."""
    with gr.Sidebar(elem_id="conversations", open=True, width=300):
        labels.add(gr.Markdown(), "conversations", attr="value")
        search = labels.add(gr.Textbox(show_label=False, elem_id="conv-search", max_lines=1, container=False),
                            "conv_search", attr="placeholder")
        listing = gr.Radio([], show_label=False, elem_id="conv-list", container=False)
        note = gr.Markdown(elem_id="conv-note")
        with gr.Group(elem_id="conv-actions"):
            title = labels.add(gr.Textbox(max_lines=1, elem_id="conv-title"), "conv_title")
            with gr.Row():
                rename = labels.add(gr.Button(size="sm", elem_id="conv-rename"), "conv_rename", attr="value")
                delete = labels.add(gr.Button(size="sm", elem_id="conv-delete"), "conv_delete", attr="value")
            confirm = labels.add(gr.Button(size="sm", variant="stop", visible=False, elem_id="conv-delete-confirm"),
                                 "conv_delete_confirm", attr="value")
            with gr.Row():
                export = labels.add(gr.Button(size="sm", elem_id="conv-export"), "conv_export", attr="value")
                share = labels.add(gr.Button(size="sm", elem_id="conv-share"), "conv_share", attr="value")
            files = gr.File(file_count="multiple", visible=False, interactive=False, show_label=False, elem_id="conv-files")
            link = gr.Markdown(visible=False, elem_id="conv-link")
    return {"search": search, "list": listing, "note": note, "title": title, "rename": rename, "delete": delete,
            "confirm": confirm, "export": export, "share": share, "files": files, "link": link}
