#!/usr/bin/env python3
"""A small pure-Python safetensors writer (numpy arrays in), so that the tools need no
`safetensors` package.

Layout (https://huggingface.co/docs/safetensors): 8-byte little-endian header length N, N bytes
of JSON {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}
padded with spaces to a multiple of 8, then the tensors' bytes, little-endian, C order, in the
order given.

bfloat16 has no numpy dtype: pass `Raw("BF16", shape, data_bytes)` (tools/save_safetensors.py
does so with `tensor.view(torch.int16).numpy().tobytes()`).

    python3 tools/gf_safetensors.py --selftest OUT.safetensors   # writes a known small file
"""
import json
import os
import struct
import sys
import tempfile

import numpy as np

DTYPES = {
    np.dtype("float64"): "F64", np.dtype("float32"): "F32", np.dtype("float16"): "F16",
    np.dtype("int64"): "I64", np.dtype("int32"): "I32", np.dtype("int16"): "I16", np.dtype("int8"): "I8",
    np.dtype("uint8"): "U8", np.dtype("bool"): "BOOL",
}
SIZES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}


class Raw:
    """Bytes with a safetensors dtype name, for dtypes numpy lacks (BF16)."""

    def __init__(self, dtype, shape, data):
        if dtype not in SIZES:
            raise ValueError("unknown safetensors dtype %r" % dtype)
        n = 1
        for s in shape:
            n *= int(s)
        if len(data) != n * SIZES[dtype]:
            raise ValueError("%s %s needs %d bytes, got %d" % (dtype, list(shape), n * SIZES[dtype], len(data)))
        self.dtype, self.shape, self.data = dtype, [int(s) for s in shape], bytes(data)


def _entry(name, value):
    if isinstance(value, Raw):
        return value.dtype, value.shape, value.data
    a = np.asarray(value)
    dt = DTYPES.get(a.dtype.newbyteorder("="))
    if dt is None:
        raise ValueError("tensor %r: dtype %s has no safetensors equivalent here" % (name, a.dtype))
    return dt, list(a.shape), a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes(order="C")


def header_and_blobs(tensors, metadata=None):
    """The header bytes (length prefix included) and the data blobs, in order."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, value in tensors.items():
        if name == "__metadata__":
            raise ValueError("'__metadata__' is reserved")
        dt, shape, data = _entry(name, value)
        header[name] = {"dtype": dt, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    h = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h, blobs


def write(path, tensors, metadata=None):
    """Writes {name: numpy array or Raw} atomically (a temporary file beside `path`, then a rename)."""
    head, blobs = header_and_blobs(tensors, metadata)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(head)
            for b in blobs:
                f.write(b)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would otherwise stay with the result
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read(path):
    """Reads a safetensors file into {name: numpy array} (BF16 as Raw) and the metadata; for checks."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    names = {v: k for k, v in DTYPES.items()}
    out, base = {}, 8 + n
    for name, e in header.items():
        b, end = e["data_offsets"]
        data = raw[base + b:base + end]
        if e["dtype"] == "BF16":
            out[name] = Raw("BF16", e["shape"], data)
        else:
            out[name] = np.frombuffer(data, dtype=names[e["dtype"]].newbyteorder("<")).reshape(e["shape"])
    return out, meta


def selftest_tensors():
    """The tensors the Java test expects from --selftest (keep both in step)."""
    return {
        "f32": np.array([[0.5, -1.25, 3.0], [1e-3, 65504.0, -0.0]], dtype=np.float32),
        "f64": np.array([np.pi, -np.e], dtype=np.float64),
        "f16": np.array([1.0, -2.5, 0.0009765625], dtype=np.float16),
        "bf16": Raw("BF16", [2], struct.pack("<2H", 0x3FC0, 0xC120)),  # 1.5, -10.0
        "i64": np.array([-(2 ** 62), 7], dtype=np.int64),
        "i32": np.array([[-5], [2 ** 30]], dtype=np.int32),
        "u8": np.array([0, 255, 17], dtype=np.uint8),
        "bool": np.array([True, False, True]),
        "scalar": np.float32(2.75),
        "empty": np.zeros((0, 4), dtype=np.float32),
        "fortran": np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)),
    }


def main(argv):
    if len(argv) == 2 and argv[0] == "--selftest":
        write(argv[1], selftest_tensors(), {"written_by": "gf_safetensors.py --selftest"})
        back, meta = read(argv[1])
        for k, v in selftest_tensors().items():
            b = back[k]
            same = (b.data == v.data) if isinstance(v, Raw) else np.array_equal(np.asarray(v), b)
            if not same:
                raise SystemExit("selftest: %s did not read back" % k)
        print("wrote %s: %d tensors" % (argv[1], len(back)))
        return 0
    print(__doc__.strip().splitlines()[0])
    print("usage: python3 tools/gf_safetensors.py --selftest OUT.safetensors")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
