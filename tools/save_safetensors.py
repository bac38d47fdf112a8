#!/usr/bin/env python3
"""Save a GAN checkpoint's generator weights as safetensors for ganfactor.

    python tools/save_safetensors.py CHECKPOINT OUT.safetensors [--key g_ema] [--trust-pickle]

CHECKPOINT is
  * a rosinality/stylegan2-pytorch .pt (torch.save of {'g_ema': state_dict, 'latent_avg': ...}
    or a training checkpoint {'g', 'd', 'g_ema', 'g_optim', ..., 'args'}), or any torch.save
    file holding a state dict or an nn.Module;
  * an NVlabs stylegan2-ada-pytorch / stylegan3 network .pkl. Unpickling it needs the NVlabs
    repository on PYTHONPATH (dnnlib, torch_utils, legacy.py), e.g.
        PYTHONPATH=/path/to/stylegan3 python tools/save_safetensors.py ffhq.pkl ffhq.safetensors

--key picks the generator inside the file ('/'-separated for nested dicts); by default the
first of g_ema, G_ema, state_dict that exists, else the whole file. Every tensor of the
generator's state dict is written, buffers included (NVlabs mapping.w_avg and
synthesis.*.noise_const, rosinality noises.noise_*), plus rosinality's top-level latent_avg.

Only torch and numpy are needed (the safetensors file is written by tools/gf_safetensors.py).
Full unpickling runs code from the file: it is used only for .pkl files and for checkpoints that
torch.load(weights_only=True) refuses, and only with --trust-pickle.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gf_safetensors  # noqa: E402

AUTO_KEYS = ("g_ema", "G_ema", "state_dict")


def fail(msg):
    sys.exit("save_safetensors: " + msg)


def load(path, trust):
    import torch
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic == b"PK\x03\x04":
        try:
            return torch.load(path, map_location="cpu", weights_only=True)
        except Exception as e:  # e.g. argparse.Namespace in a training checkpoint
            if not trust:
                fail("%s: torch.load(weights_only=True) refused it (%s). If you trust where the file comes from, "
                     "re-run with --trust-pickle" % (path, str(e).splitlines()[0] if str(e) else type(e).__name__))
            return torch.load(path, map_location="cpu", weights_only=False)
    if magic[:1] == b"\x80":
        if not trust:
            fail("%s is a plain Python pickle (an NVlabs network .pkl?); unpickling runs code from it. If you trust "
                 "where it comes from, re-run with --trust-pickle (with the NVlabs repository on PYTHONPATH)" % path)
        try:
            import legacy  # NVlabs stylegan2-ada-pytorch / stylegan3
            with open(path, "rb") as f:
                return legacy.load_network_pkl(f)
        except ImportError:
            import pickle
            with open(path, "rb") as f:
                try:
                    return pickle.load(f)
                except ModuleNotFoundError as e:
                    fail("%s: unpickling needs the NVlabs code (%s): put the stylegan2-ada-pytorch or stylegan3 "
                         "repository on PYTHONPATH" % (path, e))
    fail("%s: neither a torch.save zip archive nor a pickle (first bytes %s)" % (path, magic.hex()))


def pick(obj, key):
    """The generator (a state dict or a module) at key, and the key used."""
    if not key:
        if isinstance(obj, dict):
            for k in AUTO_KEYS:
                if k in obj:
                    return obj[k], k
        return obj, ""
    node = obj
    for part in key.split("/"):
        if not isinstance(node, dict) or part not in node:
            have = ", ".join(map(str, node.keys())) if isinstance(node, dict) else type(node).__name__
            fail("no key %r in the checkpoint (keys there: %s)" % (part, have))
        node = node[part]
    return node, key


def state_dict(gen):
    import torch
    if isinstance(gen, torch.nn.Module):
        return gen.state_dict(), getattr(gen, "init_kwargs", None)
    if isinstance(gen, dict):
        return gen, None
    fail("the chosen entry is a %s, not a state dict or a module; choose another with --key" % type(gen).__name__)


def layout(names):
    if "style.1.weight" in names and any(n.startswith("convs.") for n in names):
        return "rosinality"
    if "mapping.fc0.weight" in names and any(n.startswith("synthesis.") for n in names):
        return "nvlabs"
    return "unknown"


def to_entry(name, t):
    import torch
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.bfloat16:
        return gf_safetensors.Raw("BF16", list(t.shape), t.view(torch.int16).numpy().tobytes())
    return t.numpy()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("checkpoint")
    ap.add_argument("out")
    ap.add_argument("--key", default="", help="sub-dict holding the generator, e.g. g_ema (default: automatic)")
    ap.add_argument("--trust-pickle", action="store_true", help="allow full unpickling (runs code from the file)")
    a = ap.parse_args(argv)
    import torch

    obj = load(a.checkpoint, a.trust_pickle)
    gen, key = pick(obj, a.key)
    sd, init_kwargs = state_dict(gen)
    tensors, skipped = {}, []
    for name, v in sd.items():
        if isinstance(v, torch.Tensor):
            tensors[name] = v
        else:
            skipped.append(name)
    if not tensors:
        fail("%s%s holds no tensors" % (a.checkpoint, " at " + key if key else ""))
    kind = layout(tensors)
    if isinstance(obj, dict) and key and "/" not in key:
        for extra in ("latent_avg",):  # rosinality keeps the mean w beside g_ema
            if isinstance(obj.get(extra), torch.Tensor) and extra not in tensors:
                tensors[extra] = obj[extra]
    meta = {"source": os.path.basename(a.checkpoint), "key": key, "layout": kind,
            "written_by": "ganfactor tools/save_safetensors.py"}
    if init_kwargs is not None:
        try:
            meta["init_kwargs"] = json.dumps(dict(init_kwargs), default=str, sort_keys=True)
        except (TypeError, ValueError):
            pass
    gf_safetensors.write(a.out, {n: to_entry(n, t) for n, t in tensors.items()}, meta)
    total = sum(int(t.numel()) for t in tensors.values())
    print("wrote %s: %d tensors, %s values (%s), layout %s%s" % (
        a.out, len(tensors), format(total, ","), ", ".join(sorted({str(t.dtype).replace("torch.", "") for t in tensors.values()})),
        kind, " (key %s)" % key if key else ""))
    if isinstance(gen, torch.nn.Module):
        print("module parameters: %s (the rest are buffers)" % format(sum(int(p.numel()) for p in gen.parameters()), ","))
    if skipped:
        print("skipped non-tensor entries: " + ", ".join(skipped))
    return 0


if __name__ == "__main__":
    sys.exit(main())
