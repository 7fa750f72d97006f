"""The TF.js-to-ONNX rebuild against a numpy reference, on a small graph with NanoDet's ops."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import onnxruntime
import pytest

from interview_monitor.model_files.tfjs_onnx import ConversionError, convert_graph_model

RNG = np.random.default_rng(7)
KERNEL = RNG.normal(size=(3, 3, 2, 4)).astype(np.float16)  # stored as fp16 like NanoDet's
BIAS = RNG.normal(size=4).astype(np.float32)


def _text(value: str) -> dict[str, str]:
    return {"s": base64.b64encode(value.encode()).decode()}


def _ints(*values: int) -> dict[str, Any]:
    return {"list": {"i": [str(value) for value in values]}}


def _write_model(folder: Path, conv_padding: str = "VALID") -> Path:
    constants: list[tuple[str, np.ndarray[Any, Any], bool]] = [
        ("to_nhwc", np.array([0, 2, 3, 1], np.int32), False),
        ("kernel", KERNEL, True),
        ("bias", BIAS, False),
        ("size", np.array([8, 8], np.int32), False),
        ("to_nchw", np.array([0, 3, 1, 2], np.int32), False),
        ("pool_pads", np.array([[0, 0], [0, 0], [1, 1], [1, 1]], np.int32), False),
        ("conv_pads", np.array([[0, 0], [0, 0], [1, 0], [0, 1]], np.int32), False),
        ("pool_fill", np.array(-30.0, np.float32), False),
    ]
    nodes: list[dict[str, Any]] = [
        {"name": name, "op": "Const", "attr": {}} for name, _, _ in constants
    ] + [
        {
            "name": "input_1",
            "op": "Placeholder",
            "attr": {
                "shape": {
                    "shape": {"dim": [{"size": "1"}, {"size": "2"}, {"size": "6"}, {"size": "6"}]}
                }
            },
        },
        {"name": "padded_input", "op": "Pad", "input": ["input_1", "conv_pads"]},
        {"name": "nhwc", "op": "Transpose", "input": ["padded_input", "to_nhwc"]},
        {
            "name": "conv",
            "op": "Conv2D",
            "input": ["nhwc", "kernel"],
            "attr": {
                "padding": _text(conv_padding),
                "data_format": _text("NHWC"),
                "strides": _ints(1, 1, 1, 1),
                "dilations": _ints(1, 1, 1, 1),
            },
        },
        {"name": "biased", "op": "Add", "input": ["conv", "bias"]},
        {"name": "leaky", "op": "LeakyRelu", "input": ["biased"], "attr": {"alpha": {"f": 0.1}}},
        {
            "name": "resized",
            "op": "ResizeBilinear",
            "input": ["leaky", "size"],
            "attr": {"half_pixel_centers": {"b": True}, "align_corners": {"b": False}},
        },
        {"name": "nchw", "op": "Transpose", "input": ["resized", "to_nchw"]},
        {"name": "padded", "op": "PadV2", "input": ["nchw", "pool_pads", "pool_fill"]},
        {"name": "squashed", "op": "Sigmoid", "input": ["padded"]},
        {"name": "Identity", "op": "Identity", "input": ["squashed"]},
    ]
    weights, blob = [], b""
    for name, array, as_fp16 in constants:
        spec: dict[str, Any] = {"name": name, "shape": list(array.shape), "dtype": str(array.dtype)}
        if as_fp16:
            spec |= {
                "dtype": "float32",
                "quantization": {"dtype": "float16", "original_dtype": "float32"},
            }
        weights.append(spec)
        blob += array.tobytes()
    (folder / "model.bin").write_bytes(blob)
    model = {
        "format": "graph-model",
        "modelTopology": {"node": nodes},
        "weightsManifest": [{"paths": ["model.bin"], "weights": weights}],
        "signature": {
            "outputs": {
                "Identity:0": {
                    "name": "Identity:0",
                    "dtype": "DT_FLOAT",
                    "tensorShape": {
                        "dim": [{"size": "1"}, {"size": "4"}, {"size": "10"}, {"size": "10"}]
                    },
                }
            }
        },
    }
    path = folder / "model.json"
    path.write_text(json.dumps(model))
    return path


def _reference(image: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    nhwc = np.pad(image.transpose(0, 2, 3, 1)[0], ((1, 0), (0, 1), (0, 0)))
    kernel = KERNEL.astype(np.float32)
    conv = np.zeros((5, 5, 4), np.float32)
    for row in range(5):
        for col in range(5):
            conv[row, col] = np.einsum("hwc,hwco->o", nhwc[row : row + 3, col : col + 3], kernel)
    activated = conv + BIAS
    activated = np.where(activated > 0, activated, 0.1 * activated)
    resized = cv2.resize(activated, (8, 8), interpolation=cv2.INTER_LINEAR)  # half-pixel bilinear
    padded = np.pad(resized.transpose(2, 0, 1), ((0, 0), (1, 1), (1, 1)), constant_values=-30.0)
    return np.asarray(1 / (1 + np.exp(-padded)))[np.newaxis]


def test_the_rebuilt_graph_computes_what_tensorflow_would(tmp_path: Path) -> None:
    model = convert_graph_model(_write_model(tmp_path))
    ops = [node.op_type for node in model.graph.node]
    assert ops.count("Pad") == 1  # the zero padding went into the Conv; PadV2 (-30) stays
    session = onnxruntime.InferenceSession(
        model.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    image = RNG.normal(size=(1, 2, 6, 6)).astype(np.float32)
    (output,) = session.run(["Identity"], {"input_1": image})
    assert output.shape == (1, 4, 10, 10)
    np.testing.assert_allclose(output, _reference(image), atol=1e-5)


def test_the_rebuild_is_reproducible(tmp_path: Path) -> None:
    path = _write_model(tmp_path)
    assert (
        convert_graph_model(path).SerializeToString()
        == convert_graph_model(path).SerializeToString()
    )


def test_unsupported_layouts_are_refused_not_guessed(tmp_path: Path) -> None:
    with pytest.raises(ConversionError, match="VALID"):
        convert_graph_model(_write_model(tmp_path, conv_padding="SAME"))
