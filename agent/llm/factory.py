"""Build the chat model the settings ask for."""

from __future__ import annotations

from agent.llm.claim_judge import LlamaClaimJudge, load_model
from agent.llm.model_files import MODELS, ensure_model
from agent.llm.protocol import ChatModel
from core.settings import Settings


def build_chat_model(settings: Settings) -> ChatModel:
    """The configured backend; the local one assembles its GGUF on first use."""
    if settings.model_backend == "openai":
        from agent.llm.remote import OpenAIChatModel

        return OpenAIChatModel(
            base_url=settings.openai_base_url,
            api_key=settings.openai_api_key,
            model=settings.openai_model,
            timeout_s=settings.generation_timeout_s,
        )
    if settings.model_backend == "fake":
        from agent.llm.fake import FakeChatModel

        return FakeChatModel()
    from agent.llm.local import LocalChatModel

    spec = MODELS[settings.local_model]
    path = ensure_model(spec, settings.models_dir)
    return LocalChatModel(
        path,
        name=spec.filename.removesuffix(".gguf"),
        n_ctx=settings.n_ctx,
        n_threads=settings.n_threads,
        n_threads_batch=settings.n_threads_batch,
        seed=settings.seed,
    )


def build_claim_judge(settings: Settings, model: str, prompts: dict[str, str], chat: ChatModel | None = None) -> LlamaClaimJudge:
    """The claim judge on the local ``model`` the policy names, with ``prompts`` (rule id to prompt
    name): contexts over ``chat``'s weights when the chat model is that model, else over the model
    loaded for the judge.
    ``ModelFileError`` when that model's parts are not installed, ``KeyError`` for a model this
    build does not know."""
    from agent.llm.local import LocalChatModel

    spec = MODELS[model]
    name = spec.filename.removesuffix(".gguf")
    if isinstance(chat, LocalChatModel) and chat.name == name:
        weights = chat.weights
    else:
        weights = load_model(ensure_model(spec, settings.models_dir))
    state_dir = settings.data_dir / "claim_judge"  # the prompts' evaluated examples, kept between starts
    threads = settings.n_threads_batch
    return LlamaClaimJudge(weights, name=name, prompts=prompts, n_threads=threads, state_dir=state_dir, model_key=spec.sha256)
