"""What a build computes from a text, kept by content so that a rebuild or an add computes it only for new text: the
embedding of each passage (index/embed.py EmbeddingCache) and the jieba tokens of each chunk (index/bm25.py
TokenCache). One SQLite file in the data dir, outside the index generations it outlives, one table per kind; builds
write it, under their lock. Hand-written (not llama-index's IngestionCache): that caches whole transformation runs,
not single texts, and pickles them."""
from __future__ import annotations

import hashlib
import logging
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Callable, Generic, TypeVar

log = logging.getLogger(__name__)
V = TypeVar("V")


class ContentCache(Generic[V]):
    """sha256 of a namespace (what computes the value: the embedding model's id, the tokenizer's) and the text ->
    the value as bytes, in one table of a SQLite file. A file that cannot be read or written is passed over with one
    warning (everything is computed), never trusted: a stored value that decode() rejects counts as missing and is
    computed again."""

    table, column = "", ""

    def __init__(self, path: Path, namespace: str) -> None:
        self.path, self.namespace, self.hits, self.misses = path, namespace, 0, 0
        self.warned = False

    def encode(self, value: V) -> bytes:
        raise NotImplementedError

    def decode(self, raw: bytes) -> V | None:
        raise NotImplementedError

    def key(self, text: str) -> str:
        return hashlib.sha256(f"{self.namespace}\0{text}".encode()).hexdigest()

    def values(self, texts: list[str], compute: Callable[[list[str]], list[V]]) -> list[V]:
        """The value of each text: from the cache, or compute()d (a text repeated in texts once) and kept."""
        keys = [self.key(t) for t in texts]
        found = {k: v for k, raw in self._read(keys).items() if (v := self.decode(raw)) is not None}
        hits = sum(k in found for k in keys)
        todo = {k: t for k, t in zip(keys, texts) if k not in found}
        if todo:
            found |= dict(zip(todo, compute(list(todo.values()))))
            self._write([(k, self.encode(found[k])) for k in todo])
        self.hits, self.misses = self.hits + hits, self.misses + len(todo)
        return [found[k] for k in keys]

    def warn(self, problem: str) -> None:
        if not self.warned:  # once per build, not once per pass
            self.warned = True
            log.warning("the cache %s %s", self.path, problem)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute(f"CREATE TABLE IF NOT EXISTS {self.table} (key TEXT PRIMARY KEY, {self.column} BLOB NOT NULL)")
        return db

    def _read(self, keys: list[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        try:
            with closing(self._connect()) as db:
                for start in range(0, len(keys), 500):
                    part = keys[start:start + 500]
                    rows = db.execute(f"SELECT key, {self.column} FROM {self.table} WHERE key IN "
                                      f"({','.join('?' * len(part))})", part)
                    found |= {k: v for k, v in rows if isinstance(v, bytes) and v}
        except sqlite3.Error as err:
            self.warn(f"cannot be read ({err}); computing everything")
            return {}
        return found

    def _write(self, rows: list[tuple[str, bytes]]) -> None:
        try:
            with closing(self._connect()) as db, db:
                db.executemany(f"INSERT OR REPLACE INTO {self.table} VALUES (?, ?)", rows)
        except sqlite3.Error as err:
            self.warn(f"cannot be written ({err}); the build goes on without it")
