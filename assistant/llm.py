"""Optional fluent answers: an OpenAI-compatible chat endpoint (Ollama, vLLM, Qwen or DeepSeek APIs), through
llama-index's OpenAILike, rewrites a single-report answer from the same cited spans with [n] markers.

Selected by settings (llm_mode="openai_like"); with the default llm_mode="none" nothing is built and nothing
touches the network. The caller verifies the reply's figures against the spans and falls back to the extractive
answer when the endpoint fails, times out, or invents a figure (see Assistant.write_with_llm)."""
from __future__ import annotations

from llama_index.core.llms import ChatMessage, MessageRole
from llama_index.llms.openai_like import OpenAILike

from assistant.schema import Citation
from assistant.settings import Settings

SYSTEM_PROMPT = (
    "You answer questions about Chinese government work reports using ONLY the numbered passages given. "
    "Copy every number exactly as the passage writes it (digits, 万/亿 and % included); never compute, convert "
    "or round a number, and never use a number that is not in a passage. Put the passage's marker, e.g. [1], "
    "after each statement it supports. Name the bureau and year the answer comes from. Answer in {language}, "
    "in at most three sentences."
)
LANGUAGES = {"zh": "Simplified Chinese", "en": "English"}


class LLMWriter:
    def __init__(self, settings: Settings) -> None:
        self.llm = OpenAILike(
            model=settings.llm_model, api_base=settings.llm_api_base, api_key=settings.llm_api_key or "none",
            is_chat_model=True, context_window=settings.llm_context_window, max_tokens=settings.llm_max_tokens,
            temperature=0.0, timeout=settings.llm_timeout_s, max_retries=0)

    def write(self, question: str, lang: str, citations: list[Citation]) -> str:
        """The endpoint's answer text; raises whatever the client raises on failure or timeout."""
        passages = "\n".join(f"[{c.n}] ({c.bureau}, {c.year} report) {c.text}" for c in citations)
        messages = [
            ChatMessage(role=MessageRole.SYSTEM, content=SYSTEM_PROMPT.format(language=LANGUAGES.get(lang, "Chinese"))),
            ChatMessage(role=MessageRole.USER, content=f"Passages:\n{passages}\n\nQuestion: {question}"),
        ]
        return (self.llm.chat(messages).message.content or "").strip()


def build_writer(settings: Settings) -> LLMWriter | None:
    return LLMWriter(settings) if settings.llm_mode == "openai_like" else None
