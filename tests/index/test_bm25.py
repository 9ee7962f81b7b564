"""The lexical index: jieba tokens, kept by content (TokenCache) so that a rebuild or an add tokenizes only new text."""
from __future__ import annotations

import sqlite3
from contextlib import closing

import numpy as np

from index.bm25 import BM25Index, TokenCache, build_bm25, tokenize

TEXTS = ["深圳市政务服务和数据管理局：上线45个高频“高效办成一件事”", "中山市12345热线服务总量267.3万件次，满意度99.63%",
         "龙华区新增17个“跨域通办”合作地区"]


def test_tokens_are_computed_once_and_the_same_index_is_built_from_the_cache(tmp_path):
    path = tmp_path / "cache.sqlite3"
    cache = TokenCache(path)
    assert cache.values(TEXTS + TEXTS[:1], lambda todo: [tokenize(t) for t in todo]) == [tokenize(t) for t in TEXTS + TEXTS[:1]]
    assert (cache.hits, cache.misses) == (0, 3)  # a text given twice is tokenized once
    build_bm25(["a", "b", "c"], TEXTS, tmp_path / "plain")
    again = TokenCache(path)
    build_bm25(["a", "b", "c"], TEXTS, tmp_path / "cached", again)
    assert (again.hits, again.misses) == (3, 0)
    query = tokenize("高效办成一件事上线多少个")
    assert np.array_equal(BM25Index(tmp_path / "plain").scores(query), BM25Index(tmp_path / "cached").scores(query))


def test_a_token_cache_that_cannot_be_trusted_is_passed_over(tmp_path):
    path = tmp_path / "cache.sqlite3"
    TokenCache(path).values(TEXTS, lambda todo: [tokenize(t) for t in todo])
    with closing(sqlite3.connect(path)) as db, db:  # values that are no token lists
        db.executemany("UPDATE tokens SET tokens = ? WHERE rowid = ?", [(b"not json", 1), (b'{"a": 1}', 2), (b"[1, 2]", 3)])
    cache = TokenCache(path)
    assert cache.values(TEXTS, lambda todo: [tokenize(t) for t in todo]) == [tokenize(t) for t in TEXTS]
    assert (cache.hits, cache.misses) == (0, 3)
    path.write_bytes(b"not a database " * 100)  # unreadable: everything tokenized, nothing raised
    cache = TokenCache(path)
    assert cache.values(TEXTS, lambda todo: [tokenize(t) for t in todo]) == [tokenize(t) for t in TEXTS]
    assert cache.misses == 3 and cache.warned
