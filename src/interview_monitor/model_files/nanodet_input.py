"""NanoDet at another square input size, rewritten from the verified 416x416 ONNX graph.

The graph is fully convolutional except for the four PAN `Resize` nodes, whose output sizes
are constants (26x26, 52x52, ... for a 416 input). Replacing those constants with the sizes of
the same strides at the new input, and the input's dims, gives the same network at that size:
the 320x320 variant runs on hand crops. The rewrite is deterministic, so its result is pinned
by sha256 like the 416 file it starts from.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import numpy_helper

SOURCE_SIZE = 416


def with_input_size(model: onnx.ModelProto, size: int) -> onnx.ModelProto:
    """A copy of the 416x416 NanoDet `model` taking `size` x `size` input (a multiple of 32)."""
    if size % 32:
        raise ValueError(f"NanoDet input sides must be multiples of 32, not {size}")
    rewritten = onnx.ModelProto()
    rewritten.CopyFrom(model)
    graph = rewritten.graph
    dims = graph.input[0].type.tensor_type.shape.dim
    dims[2].dim_value = dims[3].dim_value = size
    initializers = {initializer.name: initializer for initializer in graph.initializer}
    for node in graph.node:
        if node.op_type != "Resize":
            continue
        # Resize(X, roi, scales, sizes): only `sizes` depends on the input's size.
        old_sizes = numpy_helper.to_array(initializers[node.input[3]])
        stride = SOURCE_SIZE // int(old_sizes[-1])
        name = f"{node.input[3]}__for_{size}"
        new_sizes = old_sizes.copy()
        new_sizes[-2:] = size // stride
        graph.initializer.append(numpy_helper.from_array(new_sizes.astype(np.int64), name))
        node.input[3] = name
    # Each output has one row per cell, which changes with the input: leave it to the runtime.
    for output in graph.output:
        output.type.tensor_type.shape.dim[1].dim_param = "cells"
    return rewritten
