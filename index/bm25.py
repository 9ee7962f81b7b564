"""The lexical side of the index: jieba tokens scored with bm25s (llama-index's BM25Retriever cannot tokenize Chinese)."""
from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from pathlib import Path

import bm25s
import jieba
import numpy as np

from index.cache import ContentCache

jieba.setLogLevel(logging.WARNING)

_WORD = re.compile(r"[\w%]", re.UNICODE)
# Function words that carry no topic in these reports' questions and passages.
STOPWORDS = frozenset(
    "的 了 和 与 及 等 在 是 为 对 将 把 被 有 个 中 上 下 年 月 日 我 我局 其 并 也 都 而 或 之 以 于 "
    "多少 几 什么 哪些 哪个 哪 吗 呢 请问 怎么 如何 是否 the a an of in on for to and or is are was were "
    "what which how many much did does do by with from at".split()
)


def normalize(text: str) -> str:
    """Full-width to half-width and lower case, for matching only (stored text is never changed)."""
    return unicodedata.normalize("NFKC", text).lower()


def tokenize(text: str) -> list[str]:
    """jieba search-mode tokens, without punctuation and stop words."""
    tokens = jieba.lcut_for_search(normalize(text))
    return [t for t in (tok.strip() for tok in tokens) if t and _WORD.search(t) and t not in STOPWORDS]


class TokenCache(ContentCache[list[str]]):
    """The tokens of each chunk by content (index/cache.py), for the tokenizer as this file and jieba's version
    define it: every build indexes every chunk, and tokenizing them was its largest step after the store's writes
    (13 s of a 65 s rebuild at 300 reports, and of every add to them)."""

    table, column = "tokens", "tokens"

    def __init__(self, path: Path) -> None:
        super().__init__(path, f"jieba {jieba.__version__} " + hashlib.sha256(Path(__file__).read_bytes()).hexdigest())

    def encode(self, value: list[str]) -> bytes:
        return json.dumps(value, ensure_ascii=False).encode()

    def decode(self, raw: bytes) -> list[str] | None:
        try:
            tokens = json.loads(raw)
        except ValueError:
            return None
        return tokens if isinstance(tokens, list) and all(isinstance(t, str) for t in tokens) else None


def build_bm25(chunk_ids: list[str], texts: list[str], out_dir: Path, cache: TokenCache | None = None) -> None:
    """A bm25s index over the texts (tokens from cache when given)."""
    tokens = cache.values(texts, lambda todo: [tokenize(t) for t in todo]) if cache else [tokenize(t) for t in texts]
    retriever = bm25s.BM25()
    retriever.index(tokens, show_progress=False)
    out_dir.mkdir(parents=True, exist_ok=True)
    retriever.save(str(out_dir), show_progress=False)
    (out_dir / "chunk_ids.json").write_text(json.dumps(chunk_ids), encoding="utf-8")


class BM25Index:
    """A saved bm25s index and the chunk id of each of its rows."""

    def __init__(self, in_dir: Path) -> None:
        self.bm25 = bm25s.BM25.load(str(in_dir))
        self.chunk_ids: list[str] = json.loads((in_dir / "chunk_ids.json").read_text(encoding="utf-8"))

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every chunk, in the order of chunk_ids (all 0 when no token is in the vocabulary)."""
        known = [t for t in query_tokens if t in self.bm25.vocab_dict]
        if not known:
            return np.zeros(len(self.chunk_ids), dtype=np.float32)
        return np.asarray(self.bm25.get_scores(known))
