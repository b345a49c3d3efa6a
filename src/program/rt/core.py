# The runtime of the emitted program.py, part 1: dtypes, constants, small helpers. The numpy twin of rt/core.ts.
# The rt/*.py files are the single source of what program.py runs for opaque parts: rt-bundle.ts copies the
# definitions a program needs into the emitted file. ONNX ops are functions named like the op (Add, MatMul) taking
# the node's inputs in order (None for an omitted optional one) and then `at`, a dict of its attributes.
import base64
import math

import numpy as np

NP_TYPES = {
    "float32": np.float32, "float64": np.float64, "float16": np.float16, "int8": np.int8, "int16": np.int16,
    "int32": np.int32, "int64": np.int64, "uint8": np.uint8, "uint16": np.uint16, "uint32": np.uint32,
    "uint64": np.uint64, "bool": np.bool_,
}

ONNX_TYPES = {
    1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64", 9: "bool", 11: "float64",
    12: "uint32", 13: "uint64", "FLOAT": "float32", "UINT8": "uint8", "INT8": "int8", "UINT16": "uint16",
    "INT16": "int16", "INT32": "int32", "INT64": "int64", "BOOL": "bool", "DOUBLE": "float64", "UINT32": "uint32",
    "UINT64": "uint64",
}


def constant(dtype, shape, b64):
    """A constant from base64 little-endian bytes of its dtype."""
    return constant_bytes(dtype, shape, base64.b64decode(b64))


def constant_bytes(dtype, shape, raw):
    """A constant from the little-endian bytes of its dtype (base64-decoded, or a slice of weights.safetensors)."""
    return np.frombuffer(raw, dtype=np.dtype(NP_TYPES[dtype]).newbyteorder("<")).astype(NP_TYPES[dtype]).reshape(shape)


def as_dtype(x, dtype):
    """x converted to a dtype as ONNX Cast does (no copy when it already has it)."""
    x = np.asarray(x)
    t = NP_TYPES[dtype]
    return x if x.dtype == t else x.astype(t)


def ints_of(t):
    """The values of a small integer tensor (shape, axes, indices) as a list of ints, or None."""
    return None if t is None else [int(v) for v in np.asarray(t).reshape(-1)]


def norm_axis(axis, rank):
    """An axis in [0, rank) from a possibly negative one."""
    a = axis + rank if axis < 0 else axis
    if a < 0 or a >= max(rank, 1):
        raise ValueError("axis %d is out of range for rank %d" % (axis, rank))
    return a


def dtype_of_code(code):
    """The dtype named by a TensorProto.DataType code (Cast's `to`) or by a type name (opset 1)."""
    d = ONNX_TYPES.get(code.upper() if isinstance(code, str) else code)
    if d is None:
        raise ValueError("the program runtime cannot hold tensors of ONNX type %s" % code)
    return d


def is_float(x):
    """True for float arrays (whose arithmetic does not truncate)."""
    return np.issubdtype(x.dtype, np.floating)
