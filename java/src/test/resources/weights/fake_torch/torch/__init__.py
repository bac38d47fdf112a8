"""A numpy-backed stand-in for the few torch pieces tools/save_safetensors.py touches, so that its
logic (key choice, layout detection, buffers, latent_avg, --trust-pickle, metadata) can be run
where PyTorch is not installed. It is NOT torch: real checkpoints are not readable with it."""
import collections
import io
import pickle
import zipfile

import numpy as np

from . import nn  # noqa: F401


class dtype:
    def __init__(self, name, np_dtype):
        self.name, self.np = name, np.dtype(np_dtype) if np_dtype else None

    def __repr__(self):
        return "torch." + self.name

    __str__ = __repr__


float32 = dtype("float32", "<f4")
float64 = dtype("float64", "<f8")
int64 = dtype("int64", "<i8")
int16 = dtype("int16", "<i2")
bfloat16 = dtype("bfloat16", None)
_BY_NP = {d.np: d for d in (float32, float64, int64, int16)}


class Tensor:
    def __init__(self, array):
        self.a = np.asarray(array)

    @property
    def dtype(self):
        return _BY_NP[self.a.dtype]

    @property
    def shape(self):
        return self.a.shape

    def numel(self):
        return int(self.a.size)

    def detach(self):
        return self

    def cpu(self):
        return self

    def contiguous(self):
        return Tensor(np.array(self.a, order="C"))

    def numpy(self):
        return self.a

    def view(self, d):
        return Tensor(self.a.view(d.np))


def tensor(array, dtype=None):
    return Tensor(np.asarray(array, dtype=dtype.np if dtype else None))


_ALLOWED = {("collections", "OrderedDict"), ("torch", "Tensor"), ("numpy", "ndarray"), ("numpy", "dtype"),
            ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
            ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"), ("builtins", "dict"),
            ("_codecs", "encode")}


class _WeightsOnly(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError("Weights only load failed: unsupported global %s.%s" % (module, name))
        return super().find_class(module, name)


def save(obj, path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", pickle.dumps(obj, protocol=2))


def load(path, map_location=None, weights_only=True):
    with zipfile.ZipFile(path) as z:
        data = z.read("archive/data.pkl")
    return _WeightsOnly(io.BytesIO(data)).load() if weights_only else pickle.loads(data)
