from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from interview_monitor.detectors.answers import AnswerModels
from interview_monitor.detectors.answers.embedding import (
    EMBEDDING_DIM,
    SentenceEncoder,
    limit_blas_threads,
    read_safetensors,
)
from interview_monitor.model_files.files import ModelFileError


def test_similarities_match_the_values_sentence_transformers_publishes(
    answer_models: AnswerModels,
) -> None:
    # The sentence-transformers quickstart prints these cosines for all-MiniLM-L6-v2.
    vectors = answer_models.encoder.encode(
        ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]
    )
    similarities = vectors @ vectors.T
    assert similarities[0, 1] == pytest.approx(0.6660, abs=1e-3)
    assert similarities[0, 2] == pytest.approx(0.1046, abs=1e-3)
    assert similarities[1, 2] == pytest.approx(0.1411, abs=1e-3)


def test_vectors_are_unit_length_and_do_not_depend_on_batching(answer_models: AnswerModels) -> None:
    texts = [
        "short",
        "a much longer sentence about compilers and linkers and loaders",
        "mid length text",
    ]
    together = answer_models.encoder.encode(texts, batch_size=3)
    alone = np.stack([answer_models.encoder.encode([text])[0] for text in texts])
    assert together.shape == (3, EMBEDDING_DIM)
    assert np.linalg.norm(together, axis=1) == pytest.approx(np.ones(3), abs=1e-5)
    assert np.abs(together - alone).max() < 1e-4


def test_detailed_encoding_keeps_word_pieces_and_their_spans(answer_models: AnswerModels) -> None:
    text = "Encapsulation hides data"
    (encoded,) = answer_models.encoder.encode_detailed([text])
    assert encoded.tokens[0] == "en"
    assert len(encoded.tokens) == len(encoded.offsets) == len(encoded.token_vectors)
    words = {text[start:end].lower() for start, end in encoded.offsets}
    assert {"hides", "data"} <= words


def test_empty_input_gives_an_empty_matrix(answer_models: AnswerModels) -> None:
    assert answer_models.encoder.encode([]).shape == (0, EMBEDDING_DIM)


def test_safetensors_reader_returns_the_written_tensors(tmp_path: Path) -> None:
    first = np.arange(6, dtype=np.float32).reshape(2, 3)
    second = np.array([7, -1], dtype=np.int64)
    header = {
        "__metadata__": {"format": "pt"},
        "first": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
        "second": {"dtype": "I64", "shape": [2], "data_offsets": [24, 40]},
    }
    encoded = json.dumps(header).encode()
    path = tmp_path / "tiny.safetensors"
    path.write_bytes(struct.pack("<Q", len(encoded)) + encoded + first.tobytes() + second.tobytes())
    tensors = read_safetensors(path)
    assert set(tensors) == {"first", "second"}
    np.testing.assert_array_equal(tensors["first"], first)
    np.testing.assert_array_equal(tensors["second"], second)


def test_a_model_folder_without_the_checked_weights_is_refused(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"not the weights")
    with pytest.raises(ModelFileError, match="sha256"):
        SentenceEncoder(tmp_path)


def test_blas_threads_can_be_limited() -> None:
    assert limit_blas_threads(1)
