"""One settings class for the whole advisor, read from ``ADVISOR_*`` environment variables.

Nothing is built at import time: callers reach the settings through :func:`get_settings`,
which caches one instance per process. Tests build their own ``Settings(...)`` directly.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

EMBEDDER_SUFFIX = {"onnx-int8": "e5s-int8", "torch": "e5s"}
ModelBackend = Literal["local", "openai", "fake"]
LocalModelName = Literal["qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b"]


class Settings(BaseSettings):
    """Runtime configuration. Every field can be set as ``ADVISOR_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="ADVISOR_", env_file=None, extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    """Development enables the sample dev tokens; production refuses them."""

    data_dir: Path = Path("data")
    """Root of everything the advisor writes: database, Chroma index, model cache."""

    database_url: str | None = None
    """SQLAlchemy URL; defaults to SQLite in WAL mode under ``data_dir``."""

    chroma_path: Path | None = None
    """Folder of the embedded Chroma ``PersistentClient``; defaults to ``data_dir/chroma``."""
    chroma_host: str | None = None
    """When set, talk to a Chroma server (``chroma run``) instead of the embedded store."""
    chroma_port: int = 8001
    collection: str = "knowledge_base"

    model_dir: Path | None = None
    """Where assembled models live; defaults to data_dir/models. Shared by test runs."""

    model_backend: ModelBackend = "local"
    """``local`` runs a GGUF model in process; ``openai`` calls any OpenAI-compatible endpoint."""
    local_model: LocalModelName = "qwen2.5-coder-1.5b"
    n_ctx: int = 4096
    n_threads: int = 1
    """Generation threads; 1 degrades gracefully on a busy 2-core machine (measured)."""
    n_threads_batch: int = 2
    claim_judge: bool = True
    """With the local backend, the policy's judge model also reviews the claim backstops' grey
    bands (``guardrails.claim_judge``); off, or with another backend, the backstops decide alone."""
    openai_base_url: str = "http://127.0.0.1:8080/v1"
    openai_api_key: str = "not-needed"
    openai_model: str = "qwen2.5"

    temperature: float = 0.0
    seed: int = 42
    max_answer_tokens: int = 320
    generation_timeout_s: float = 90.0
    """A draft still unfinished after this long is abandoned for the safe answer."""

    max_input_chars: int = 2000
    """Hard cap on a message before it is even tokenised."""
    max_input_tokens: int = 512
    """Token budget of one client message (tiktoken cl100k_base)."""
    context_token_budget: int = 700
    history_token_budget: int = Field(default=300, ge=0, description="tokens of earlier turns (older ones summarised) in the prompt")
    """Tokens of retrieved passages placed in the prompt."""
    retrieval_top_k: int = 3
    min_relevance: float = 0.88
    """Below this cosine similarity of the best passage, a question naming terms the corpus
    never uses counts as unanswered (set on the evaluation set; see README)."""
    prompt_canary: str = "CANARY-7f3a9c"
    """A marker inside the system prompt; a reply that contains it is leaking the prompt."""

    embedder_device: str = "cpu"
    embedder_backend: Literal["onnx-int8", "torch"] = "onnx-int8"
    """``onnx-int8``: e5-small quantised to int8, run by onnxruntime (faster on CPU; see README);
    ``torch``: the float32 model through sentence-transformers. Each keeps its own collection."""

    host: str = "127.0.0.1"
    port: int = 8000

    dev_token_prefix: str = Field(default="dev-", min_length=1)

    roster_max_age_s: float = Field(default=300.0, gt=0)
    """How old the roster of client identifiers (rule privacy.other_client) may get before a turn
    rebuilds it; a client added meanwhile is unknown to that check until then."""

    pii_key: SecretStr | None = None
    """Fernet key(s) encrypting the originals of masked personal data that the retention policy
    keeps; comma-separated for rotation, the first encrypts new entries. Required in production;
    in development and test a key file ``data_dir/pii.key`` (mode 0600) is created when unset."""

    metrics_token: SecretStr | None = Field(default=None, min_length=16)
    """Bearer token that Prometheus (or any scraper) sends to ``/metrics``; unset, ``/metrics``
    refuses every request. A secret of its own, not a role: it reads no client data."""

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment == "production" and self.model_backend == "fake":
            raise ValueError("the fake model backend is for tests only")
        if self.environment == "production" and self.pii_key is None:
            raise ValueError("ADVISOR_PII_KEY is required in production: personal data originals are kept encrypted")
        return self

    @property
    def resolved_collection(self) -> str:
        """The collection for this embedder's vectors (vectors of two embedders never mix)."""
        return f"{self.collection}--{EMBEDDER_SUFFIX[self.embedder_backend]}"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'advisor.db').resolve()}"

    @property
    def resolved_chroma_path(self) -> Path:
        return self.chroma_path or self.data_dir / "chroma"

    @property
    def models_dir(self) -> Path:
        return self.model_dir or self.data_dir / "models"

    @property
    def pii_key_file(self) -> Path:
        """The development key file, used only when ``pii_key`` is unset outside production."""
        return self.data_dir / "pii.key"

    @property
    def dev_tokens_enabled(self) -> bool:
        return self.environment in ("development", "test")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
