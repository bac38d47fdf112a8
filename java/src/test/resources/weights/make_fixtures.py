"""Makes the tiny weight-file fixtures of WeightFilesTest with the standard library and numpy only.

torchsave_like.pt imitates what `torch.save(obj, path)` writes (PyTorch >= 1.6 zip format):
a zip of <archive>/data.pkl (pickle protocol 2; tensors as torch._utils._rebuild_tensor_v2
calls on persistent ('storage', torch.FloatStorage, key, 'cpu', numel) ids; state dicts as
collections.OrderedDict carrying a `_metadata` attribute), <archive>/data/<key> raw
little-endian storages, <archive>/byteorder and <archive>/version. `torch` is not imported:
stand-in classes named like torch's are pickled by reference, exactly as torch's are.

golden.safetensors is written field by field from the safetensors spec.

Run from this folder: python3 make_fixtures.py  (output is deterministic).
"""
import collections
import io
import json
import pickle
import struct
import sys
import types
import zipfile

import numpy as np

# --- stand-ins pickled by reference as torch.FloatStorage, torch._utils._rebuild_tensor_v2 ---
torch = types.ModuleType("torch")
torch_utils = types.ModuleType("torch._utils")
sys.modules["torch"] = torch
sys.modules["torch._utils"] = torch_utils
torch._utils = torch_utils


def _rebuild_tensor_v2(*args):  # never called here; pickled by name only
    raise NotImplementedError


_rebuild_tensor_v2.__module__ = "torch._utils"
torch_utils._rebuild_tensor_v2 = _rebuild_tensor_v2

STORAGE_TYPES = {np.dtype("<f4"): "FloatStorage", np.dtype("<f8"): "DoubleStorage", np.dtype("<i8"): "LongStorage",
                 np.dtype("<f2"): "HalfStorage", np.dtype("u1"): "ByteStorage", np.dtype("bool"): "BoolStorage"}
for name in STORAGE_TYPES.values():
    cls = type(name, (), {"__module__": "torch"})
    setattr(torch, name, cls)


class Storage:
    def __init__(self, key, array):
        self.key, self.array = key, array


class Tensor:
    """Reduces like torch.Tensor: _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)."""

    def __init__(self, storage, offset, shape, stride):
        self.storage, self.offset, self.shape, self.stride = storage, offset, shape, stride

    def __reduce_ex__(self, protocol):
        return (_rebuild_tensor_v2, (self.storage, self.offset, tuple(self.shape), tuple(self.stride), False,
                                     collections.OrderedDict()))


def state_dict(tensors, modules):
    sd = collections.OrderedDict(tensors)
    sd._metadata = collections.OrderedDict((m, {"version": 1}) for m in modules)
    return sd


class Saver(pickle.Pickler):
    def __init__(self, f):
        super().__init__(f, protocol=2)
        self.storages = collections.OrderedDict()

    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            self.storages[obj.key] = obj.array
            return ("storage", getattr(torch, STORAGE_TYPES[obj.array.dtype]), obj.key, "cpu", obj.array.size)
        return None


def tensor(key, array):
    a = np.array(array, order="C", copy=True)  # (ascontiguousarray would make 0-d arrays 1-d)
    stride = [s // a.itemsize for s in a.strides] if a.ndim else []
    return Tensor(Storage(key, a.reshape(-1)), 0, list(a.shape), stride)


def write_torch_save(path, obj, archive, drop=()):
    buf = io.BytesIO()
    saver = Saver(buf)
    saver.dump(obj)
    records = [("data.pkl", buf.getvalue()), ("byteorder", b"little")]
    records += [("data/" + k, v.astype(v.dtype.newbyteorder("<")).tobytes()) for k, v in saver.storages.items() if k not in drop]
    records += [("version", b"3\n")]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        for name, data in records:
            info = zipfile.ZipInfo(archive + "/" + name, date_time=(1980, 1, 1, 0, 0, 0))
            z.writestr(info, data)


def main():
    rng = np.random.RandomState(7)
    g_ema = state_dict([
        ("style.1.weight", (rng.randn(4, 3) * 0.5).astype("<f4")),
        ("style.1.bias", np.array([0.0, -1.5, 2.25, 1e-8], dtype="<f4")),
        ("noises.noise_0", rng.randn(1, 1, 2, 2).astype("<f4")),
        ("conv.scale", np.array(0.125, dtype="<f8")),
        ("steps", np.array([3, -4, 2 ** 40], dtype="<i8")),
    ], ["", "style", "style.1", "noises", "conv"])
    g = state_dict([("style.1.weight", np.zeros((4, 3), dtype="<f4"))], ["", "style", "style.1"])
    # distinct storage keys across the whole object, as torch.save assigns them
    key = iter(range(100))

    def convert(sd):
        out = collections.OrderedDict()
        out.update((k, tensor(str(next(key)), v)) for k, v in sd.items())
        out._metadata = sd._metadata
        return out

    ckpt = {"g": convert(g), "g_ema": convert(g_ema), "latent_avg": tensor(str(next(key)), np.arange(3, dtype="<f4"))}
    write_torch_save("torchsave_like.pt", ckpt, "torchsave_like")
    # expected values for the Java test, as text
    with open("torchsave_like.expected.json", "w") as f:
        json.dump({k: {"shape": list(v.shape), "values": v.reshape(-1).tolist()} for k, v in g_ema.items()}, f, indent=1)

    # a training checkpoint: Python objects (argparse.Namespace, NEWOBJ + BUILD), optimizer state with
    # int keys and lists, two tensors viewing one storage (one transposed, one at an offset)
    import argparse
    shared = Storage("s", np.arange(12, dtype="<f4"))
    g_ema2 = collections.OrderedDict([
        ("w", Tensor(shared, 0, [3, 4], [4, 1])),
        ("w_t", Tensor(shared, 0, [4, 3], [1, 4])),
        ("tail", Tensor(shared, 8, [2, 2], [2, 1])),
    ])
    g_ema2._metadata = collections.OrderedDict([("", {"version": 1})])
    optim = {"state": {0: {"step": 10, "exp_avg": tensor("m", np.ones(3, dtype="<f4"))}},
             "param_groups": [{"lr": 0.002, "betas": (0.0, 0.99), "params": [0]}]}
    train = {"g_ema": g_ema2, "g_optim": optim, "args": argparse.Namespace(size=256, lr=0.002), "iter": 800000}
    write_torch_save("train_like.pt", train, "train_like")
    bad = {"g_ema": collections.OrderedDict([("w", Tensor(Storage("0", np.zeros(4, dtype="<f4")), 1, [2, 2], [2, 1]))])}
    write_torch_save("view_out_of_bounds.pt", bad, "view_out_of_bounds")

    # the discriminator's storage record is missing: reading g_ema must not touch it
    lazy = {"g_ema": collections.OrderedDict([("a", tensor("0", np.array([1.5, 2.5], dtype="<f4")))]),
            "d": collections.OrderedDict([("b", tensor("gone", np.zeros(3, dtype="<f4")))])}
    write_torch_save("lazy.pt", lazy, "lazy", drop=("gone",))

    # golden safetensors, field by field from the spec
    a = np.array([[1.0, -2.0, 0.5], [3.25, 0.0, -0.0]], dtype="<f4")
    b = np.array([1, 2 ** 40, -3], dtype="<i8")
    c = np.array([1.5, -65504.0], dtype="<f2")
    d = np.array(True)
    data = [("a", "F32", a), ("b", "I64", b), ("c", "F16", c), ("d", "BOOL", d)]
    header, off, blobs = {"__metadata__": {"format": "pt", "note": "golden"}}, 0, []
    for name, dt, arr in data:
        raw = arr.tobytes()
        header[name] = {"dtype": dt, "shape": list(arr.shape), "data_offsets": [off, off + len(raw)]}
        off += len(raw)
        blobs.append(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open("golden.safetensors", "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


if __name__ == "__main__":
    main()
