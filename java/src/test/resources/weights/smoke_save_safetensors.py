"""Runs tools/save_safetensors.py on a rosinality-like training checkpoint and an NVlabs-like .pkl,
using the numpy stand-in for torch in fake_torch/ (PYTHONPATH=fake_torch:tools). Writes
OUT/rosinality.safetensors and OUT/nvlabs.safetensors for the Java test to check.

    PYTHONPATH=fake_torch:../../../../../tools python3 smoke_save_safetensors.py OUT
"""
import argparse
import collections
import os
import pickle
import sys

import numpy as np
import torch

import save_safetensors


class FakeNVlabsG(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self._state["mapping.fc0.weight"] = torch.tensor(np.arange(6, dtype="<f4").reshape(2, 3))
        self._state["mapping.w_avg"] = torch.tensor(np.array([0.25, -0.5], dtype="<f4"))
        self._state["synthesis.b4.const"] = torch.tensor(np.ones((2, 2, 2), dtype="<f4"))
        self._state["synthesis.b4.conv1.noise_const"] = torch.tensor(np.full((2, 2), 3.0, dtype="<f4"))
        self._params = [self._state["mapping.fc0.weight"], self._state["synthesis.b4.const"]]
        self.init_kwargs = {"z_dim": 2, "w_dim": 2, "img_resolution": 4}


def expect_exit(argv, words):
    try:
        save_safetensors.main(argv)
    except SystemExit as e:
        msg = str(e.code)
        assert all(w in msg for w in words), msg
        print("refused as expected: " + msg)
        return
    raise AssertionError("expected a refusal for %s" % argv)


def main(out):
    os.makedirs(out, exist_ok=True)
    g_ema = collections.OrderedDict([
        ("style.1.weight", torch.tensor(np.array([[1.0, 2.0], [3.0, 4.0]], dtype="<f4"))),
        ("convs.0.conv.weight", torch.tensor(np.arange(8, dtype="<f4").reshape(1, 2, 2, 2))),
        ("noises.noise_0", torch.tensor(np.array([[[[0.5]]]], dtype="<f4"))),
        ("steps", torch.tensor(np.array([7, -8], dtype="<i8"))),
    ])
    ckpt = {"g": collections.OrderedDict([("style.1.weight", torch.tensor(np.zeros((2, 2), dtype="<f4")))]),
            "g_ema": g_ema, "latent_avg": torch.tensor(np.array([9.0, 10.0], dtype="<f4")),
            "args": argparse.Namespace(size=4)}
    pt = os.path.join(out, "train.pt")
    torch.save(ckpt, pt)
    expect_exit([pt, os.path.join(out, "x.safetensors")], ["--trust-pickle", "weights_only"])
    save_safetensors.main([pt, os.path.join(out, "rosinality.safetensors"), "--trust-pickle"])
    expect_exit([pt, os.path.join(out, "x.safetensors"), "--key", "nope", "--trust-pickle"], ["'nope'", "g_ema"])

    pkl = os.path.join(out, "network.pkl")
    with open(pkl, "wb") as f:
        pickle.dump({"G": FakeNVlabsG(), "G_ema": FakeNVlabsG(), "D": None}, f)
    expect_exit([pkl, os.path.join(out, "x.safetensors")], ["plain Python pickle", "--trust-pickle"])
    save_safetensors.main([pkl, os.path.join(out, "nvlabs.safetensors"), "--trust-pickle"])


if __name__ == "__main__":
    main(sys.argv[1])
