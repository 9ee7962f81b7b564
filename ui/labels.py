"""Which component shows which interface text, so the language switch can relabel them all in one event."""
from __future__ import annotations

import gradio as gr

from ui.i18n import t


class Labels:
    def __init__(self) -> None:
        self.entries: list[tuple[object, str, dict[str, str]]] = []  # (component, text key for attr, other attrs)

    def add(self, component, key: str, attr: str = "label", **more: str):
        """attr: the property that shows key's text ("label", "value" for Markdown and Buttons); more: other
        properties with their keys (placeholder="placeholder", info="filter_info"; choices=("city", "district"): a
        dropdown's coded values, each shown by its own key's text)."""
        self.entries.append((component, key, {attr: key, **more}))
        for name, text_key in {attr: key, **more}.items():  # first paint in Chinese; the page load then relabels
            setattr(component, name, _text(text_key, "zh"))
        return component

    @property
    def components(self) -> list:
        return [component for component, _, _ in self.entries]

    def updates(self, lang: str) -> list[dict]:
        return [gr.update(**{attr: _text(key, lang) for attr, key in attrs.items()}) for _, _, attrs in self.entries]


def _text(key: str | tuple, lang: str):
    """A text key's text, or for a tuple of coded values the (text, value) choices of a dropdown."""
    return [(t(value, lang), value) for value in key] if isinstance(key, tuple) else t(key, lang)
