"""The int8 ONNX embedder must embed like the float32 model it is built from."""

from pathlib import Path

import numpy as np
import pytest

from retrieval.e5_export import export_e5
from retrieval.embeddings import E5_FOLDER, E5_ONNX_FOLDER, OnnxEmbedder, SentenceTransformerEmbedder
from retrieval.errors import EmbedderSetupError
from retrieval.onnx_export import export_onnx_int8, is_current

REPO = Path(__file__).resolve().parents[2]
MODELS = REPO / "data" / "models"
PASSAGES = [
    "货币基金风险较低，流动性好，适合存放短期闲置资金。",
    "瑞和价值成长混合A（016801）申购费率1.2%，持有满7天后赎回费率0.5%。",
    "An ETF is an exchange-traded fund that tracks an index.",
    "贵州茅台：维持“买入”评级，目标价2100元，风险提示：消费需求不及预期。",
    "科创板权限开通要求：前20个交易日日均资产不低于50万元，且参与证券交易满24个月。",
]


@pytest.fixture(scope="module")
def pair() -> tuple[OnnxEmbedder, SentenceTransformerEmbedder]:
    st_folder = export_e5(MODELS / E5_FOLDER)
    folder = export_onnx_int8(MODELS / E5_ONNX_FOLDER, st_folder)
    return OnnxEmbedder(folder), SentenceTransformerEmbedder(st_folder)


@pytest.mark.e2e
def test_int8_vectors_stay_close_to_float32(pair: tuple[OnnxEmbedder, SentenceTransformerEmbedder]) -> None:
    int8, float32 = pair
    a, b = int8.embed_passages(PASSAGES), float32.embed_passages(PASSAGES)
    assert a.shape == b.shape == (len(PASSAGES), 384)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)
    assert float(np.sum(a * b, axis=1).min()) > 0.99
    assert float(int8.embed_query("茅台评级") @ float32.embed_query("茅台评级")) > 0.99


@pytest.mark.e2e
def test_int8_ranks_the_answering_passage_first(pair: tuple[OnnxEmbedder, SentenceTransformerEmbedder]) -> None:
    int8, _ = pair
    vectors = int8.embed_passages(PASSAGES)
    for question, expected in (("茅台的目标价是多少", 3), ("开通科创板需要多少资产", 4), ("what is an ETF", 2), ("016801赎回费", 1)):
        assert int(np.argmax(vectors @ int8.embed_query(question))) == expected, question


@pytest.mark.e2e
def test_batching_and_order_do_not_change_vectors(pair: tuple[OnnxEmbedder, SentenceTransformerEmbedder]) -> None:
    int8, _ = pair
    together = int8.embed_passages(PASSAGES)
    alone = np.stack([int8.embed_passages([p])[0] for p in PASSAGES])
    assert np.allclose(together, alone, atol=2e-2)  # activations are quantised per batch
    assert int8.embed_passages([]).shape == (0, 384)


@pytest.mark.e2e
def test_export_is_reused_while_its_source_is_unchanged() -> None:
    st_folder = export_e5(MODELS / E5_FOLDER)
    folder = export_onnx_int8(MODELS / E5_ONNX_FOLDER, st_folder)
    stamp = (folder / "model.onnx").stat().st_mtime_ns
    assert is_current(folder, st_folder)
    export_onnx_int8(folder, st_folder)
    assert (folder / "model.onnx").stat().st_mtime_ns == stamp


def test_an_incomplete_source_folder_is_a_clear_setup_error(tmp_path: Path) -> None:
    (tmp_path / "st").mkdir()
    with pytest.raises(EmbedderSetupError, match="incomplete"):
        export_onnx_int8(tmp_path / "onnx", tmp_path / "st")


def test_a_missing_model_file_is_a_clear_setup_error(tmp_path: Path) -> None:
    with pytest.raises(EmbedderSetupError, match="advisor setup"):
        OnnxEmbedder(tmp_path)


def test_each_embedder_backend_keeps_its_own_collection() -> None:
    from core.settings import Settings

    int8 = Settings(embedder_backend="onnx-int8").resolved_collection
    float32 = Settings(embedder_backend="torch").resolved_collection
    assert int8 != float32 and int8.startswith("knowledge_base") and float32.startswith("knowledge_base")
