"""Assemble the real dependencies of a turn from the settings (used by the API and the CLI)."""

from __future__ import annotations

import logging

from agent.errors import ModelFileError
from agent.intent import IntentClassifier
from agent.llm.factory import build_chat_model, build_claim_judge
from agent.llm.local import LocalChatModel
from agent.llm.protocol import ChatModel
from agent.tokens import seed_tiktoken_cache
from agent.turn import AgentDeps
from core.settings import Settings
from guardrails.claim_judge import ClaimJudge
from guardrails.policy import Policy, load_policy
from prompts import load_prompt
from records.db import make_engine, migrate, session_factory
from records.repository import list_products
from retrieval.aliases import alias_map
from retrieval.embeddings import embedder_for
from retrieval.search import Retriever
from retrieval.store import ChromaStore, VectorStore

logger = logging.getLogger(__name__)


def open_store(settings: Settings) -> VectorStore:
    if settings.chroma_host:
        return ChromaStore.remote(settings.chroma_host, settings.chroma_port, settings.resolved_collection)
    return ChromaStore.persistent(settings.resolved_chroma_path, settings.resolved_collection)


def claim_judge_for(settings: Settings, policy: Policy, chat: ChatModel | None = None) -> ClaimJudge | None:
    """The claim judge the policy names (sharing ``chat``'s weights when it is the same model), or
    None (the backstop then decides alone): switched off, no local model, or the judge's model not
    installed (logged)."""
    if not settings.claim_judge or settings.model_backend != "local" or policy.claim_judge is None:
        return None
    try:
        return build_claim_judge(settings, policy.claim_judge.model, policy.claim_judge.prompts, chat)
    except (ModelFileError, KeyError) as exc:
        logger.warning("claim judge %s unavailable, the backstops decide alone: %s", policy.claim_judge.model, exc)
        return None


def build_deps(settings: Settings) -> AgentDeps:
    """Load the model, the embedder, the store and the database (migrated) once per process."""
    seed_tiktoken_cache(settings.data_dir / "tiktoken")
    engine = make_engine(settings.resolved_database_url)
    migrate(engine)
    embedder = embedder_for(settings)
    sessions = session_factory(engine)
    with sessions() as session:
        aliases = alias_map(p.model_dump() for p in list_products(session))
    retriever = Retriever(embedder, open_store(settings), aliases=aliases)
    retriever.refresh()  # build the keyword index (and load jieba) now, not on the first question
    model = build_chat_model(settings)
    policy = load_policy()
    judge = None
    if isinstance(model, LocalChatModel):
        model.warm_up(load_prompt("system").render(canary=settings.prompt_canary))
        judge = claim_judge_for(settings, policy, model)
    return AgentDeps(
        model=model,
        retriever=retriever,
        sessions=sessions,
        policy=policy,
        settings=settings,
        intents=IntentClassifier(embedder),  # fitted on the seed examples at start-up (a few seconds)
        claim_judge=judge,
        claim_encoder=embedder,  # the semantic claim backstops read the same int8 e5 vectors
    )
