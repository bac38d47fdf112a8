#!/usr/bin/env python3
"""Export a PyTorch GAN generator to ganfactor's TorchScript generator contract.

The contract (java/src/main/java/ganfactor/generator/Generator.java): a scripted module with
  synthesis(wp: Tensor[B, L, d]) -> Tensor[B, C, H, W], values in [-1, 1]
  mapping(z: Tensor[B, d]) -> Tensor[B, d]        (identity when the source has none)
  int attributes num_layers (L) and latent_dim (d)
  optional tensor attribute w_avg [d] (truncation)
  optional style_affines() -> List[Tensor]         (one [C_l, d] style affine per W+ entry, for SeFa)

Sources (--arch):
  nvlabs      NVlabs stylegan2-ada-pytorch / stylegan3 network .pkl (the NVlabs repository on
              PYTHONPATH); synthesis(ws, noise_mode='const'), no truncation; --class for
              conditional models.
  rosinality  rosinality/stylegan2-pytorch checkpoint (its repository on PYTHONPATH for
              model.Generator); --size, --channel-multiplier, --style-dim, --n-mlp as trained;
              the fixed noise buffers noises.noise_*; w_avg from the checkpoint's latent_avg.
  biggan      pytorch-pretrained-biggan (pip install pytorch-pretrained-biggan): --model
              biggan-deep-256, --class 207, --truncation 0.4; z and a fixed one-hot class, L = 1.
  wrapper     your own class: --wrapper my_module:MyGen [--wrapper-args '{"ckpt": "x.pt"}'], an
              nn.Module with synthesis(wp), int num_layers and latent_dim, and optionally
              mapping(z), a w_avg tensor and style_affines() -> list of [C, d] tensors.

    python tools/export_torchscript.py --arch nvlabs --checkpoint ffhq.pkl --out ffhq.pt
    python tools/export_torchscript.py --arch rosinality --checkpoint 550000.pt --size 1024 --out ffhq.pt

Synthesis and mapping are traced (torch.jit.trace, checked on a second batch size so that a
batch size frozen into the trace is caught), wrapped in a scripted contract module, saved,
reloaded and compared with the source on two random codes (the max abs difference is printed).
Trace on the device you will run on (--device cuda for GPU use): traces can record devices.
"""
import argparse
import importlib
import json
import math
import os
import sys
from typing import List

import torch
from torch import nn


# ---------------------------------------------------------------- the contract module

class Contract(nn.Module):
    def __init__(self, syn, mapping, num_layers, latent_dim, w_avg, affines):
        super().__init__()
        self.syn = syn
        self.map = mapping
        self.num_layers = int(num_layers)
        self.latent_dim = int(latent_dim)
        if w_avg is not None:
            self.register_buffer("w_avg", w_avg.detach().reshape(-1).clone())
        if affines is not None:
            self.affines = [a.detach().clone() for a in affines]

    def forward(self, wp: torch.Tensor) -> torch.Tensor:
        return self.syn(wp)


def _synthesis(self, wp: torch.Tensor) -> torch.Tensor:
    return self.syn(wp)


def _mapping(self, z: torch.Tensor) -> torch.Tensor:
    return self.map(z)


def _identity_mapping(self, z: torch.Tensor) -> torch.Tensor:
    return z


def _style_affines(self) -> List[torch.Tensor]:
    return self.affines


def contract_class(has_mapping, has_affines):
    ns = {"synthesis": torch.jit.export(_synthesis),
          "mapping": torch.jit.export(_mapping if has_mapping else _identity_mapping)}
    if has_affines:
        ns["style_affines"] = torch.jit.export(_style_affines)
    return type("GanfactorGenerator", (Contract,), ns)


class _Call(nn.Module):
    """nn.Module around one method of the source, for tracing."""

    def __init__(self, src, method):
        super().__init__()
        self.src = src
        self.method = method

    def forward(self, x):
        return getattr(self.src, self.method)(x)


# ---------------------------------------------------------------- sources

def affines_per_layer(module, num_ws, is_rgb, gain):
    """One [C, d] effective style affine per W+ entry: the conv affines in order, then the last
    ToRGB affine for the final entry (ToRGB layers share their w with the next conv)."""
    found = [(name, m) for name, m in module.named_modules() if name.endswith(("affine", "modulation"))]
    convs = [m for name, m in found if not is_rgb(name)]
    rgbs = [m for name, m in found if is_rgb(name)]
    chosen = convs + rgbs[-1:] if len(convs) < num_ws and rgbs else convs
    if len(chosen) != num_ws:
        print("note: found %d style affines for %d W+ entries; style_affines() not exported" % (len(chosen), num_ws))
        return None
    return [(m.weight * gain(m)).detach().float() for m in chosen]


class NVlabs(nn.Module):
    def __init__(self, checkpoint, class_index=None):
        super().__init__()
        try:
            import legacy  # noqa: F401  (NVlabs repository)
            import dnnlib  # noqa: F401
        except ImportError as e:
            sys.exit("export_torchscript: --arch nvlabs needs the stylegan2-ada-pytorch or stylegan3 repository on PYTHONPATH (%s)" % e)
        import legacy
        with open(checkpoint, "rb") as f:
            G = legacy.load_network_pkl(f)["G_ema"]
        self.G = G.float().eval()
        self.num_layers = int(G.num_ws)
        self.latent_dim = int(G.w_dim)
        self.z_dim = int(G.z_dim)
        if self.z_dim != self.latent_dim:
            sys.exit("export_torchscript: z_dim %d != w_dim %d; the contract's mapping needs equal sizes (use --arch wrapper)"
                     % (self.z_dim, self.latent_dim))
        c = torch.zeros(1, G.c_dim)
        if G.c_dim:
            if class_index is None:
                sys.exit("export_torchscript: conditional model (c_dim %d): give --class" % G.c_dim)
            c[0, class_index] = 1
        self.register_buffer("c", c)
        self.w_avg = G.mapping.w_avg.detach().clone() if hasattr(G.mapping, "w_avg") else None
        # stylegan2-ada: b*.conv0/conv1/torgb.affine; stylegan3: input.affine and L*.affine (one per w)
        self.affines = affines_per_layer(G.synthesis, self.num_layers, lambda n: "torgb" in n,
                                         lambda m: getattr(m, "weight_gain", 1.0))

    def mapping(self, z):
        return self.G.mapping(z, self.c.expand(z.shape[0], -1), truncation_psi=1)[:, 0]

    def synthesis(self, wp):
        return self.G.synthesis(wp, noise_mode="const", force_fp32=True)


class Rosinality(nn.Module):
    def __init__(self, checkpoint, size, style_dim, n_mlp, channel_multiplier, key):
        super().__init__()
        try:
            from model import Generator  # rosinality/stylegan2-pytorch
        except ImportError as e:
            sys.exit("export_torchscript: --arch rosinality needs the stylegan2-pytorch repository on PYTHONPATH (%s)" % e)
        ckpt = torch.load(checkpoint, map_location="cpu", weights_only=False)
        g = Generator(size, style_dim, n_mlp, channel_multiplier=channel_multiplier)
        g.load_state_dict(ckpt[key] if key in ckpt else ckpt)
        self.g = g.float().eval()
        self.num_layers = int(g.n_latent)
        self.latent_dim = int(style_dim)
        if isinstance(ckpt, dict) and isinstance(ckpt.get("latent_avg"), torch.Tensor):
            self.w_avg = ckpt["latent_avg"].detach().reshape(-1).float()
        else:
            torch.manual_seed(0)
            with torch.no_grad():
                self.w_avg = g.mean_latent(4096).reshape(-1)
            print("note: no latent_avg in the checkpoint; w_avg is the mean of 4096 mapped samples (seed 0)")
        self.affines = affines_per_layer(g, self.num_layers, lambda n: "to_rgb" in n,
                                         lambda m: getattr(m, "scale", 1.0))

    def mapping(self, z):
        return self.g.style(z)

    def synthesis(self, wp):
        return self.g([wp], input_is_latent=True, randomize_noise=False)[0]


class BigGAN(nn.Module):
    def __init__(self, model, class_index, truncation):
        super().__init__()
        try:
            from pytorch_pretrained_biggan import BigGAN as Pretrained
        except ImportError as e:
            sys.exit("export_torchscript: --arch biggan needs pytorch-pretrained-biggan (%s)" % e)
        if class_index is None:
            sys.exit("export_torchscript: --arch biggan needs --class (an ImageNet class index)")
        self.g = Pretrained.from_pretrained(model).float().eval()
        self.truncation = float(truncation)
        n = int(self.g.config.num_classes)
        one_hot = torch.zeros(1, n)
        one_hot[0, class_index] = 1
        self.register_buffer("one_hot", one_hot)
        self.num_layers = 1
        self.latent_dim = int(self.g.config.z_dim)
        self.w_avg = None
        self.affines = None

    def synthesis(self, wp):
        return self.g(wp[:, 0], self.one_hot.expand(wp.shape[0], -1), self.truncation)


def user_wrapper(spec, args_json):
    if ":" not in spec:
        sys.exit("export_torchscript: --wrapper must be module:Class")
    mod, cls = spec.split(":", 1)
    sys.path.insert(0, os.getcwd())
    obj = getattr(importlib.import_module(mod), cls)(**(json.loads(args_json) if args_json else {}))
    if not isinstance(obj, nn.Module) or not hasattr(obj, "synthesis"):
        sys.exit("export_torchscript: %s must be an nn.Module with synthesis(wp)" % spec)
    for attr in ("num_layers", "latent_dim"):
        if not isinstance(getattr(obj, attr, None), int):
            sys.exit("export_torchscript: %s needs an int attribute %s" % (spec, attr))
    affines = obj.style_affines() if hasattr(obj, "style_affines") else None
    obj.affines = [a.detach().float() for a in affines] if affines is not None else None
    obj.w_avg = getattr(obj, "w_avg", None)
    return obj


# ---------------------------------------------------------------- export and verification

def trace(module, x, x_other_batch):
    """torch.jit.trace, checked against a second batch size; if the checker objects (it also flags
    harmless graph differences) the trace is kept and the numeric checks in export() decide."""
    try:
        return torch.jit.trace(module, (x,), check_trace=True, check_inputs=[(x_other_batch,)], strict=False)
    except torch.jit.TracingCheckError as e:
        print("note: the trace checker reported differences between batch sizes 2 and 3 (%s); "
              "relying on the numeric checks" % str(e).strip().splitlines()[0])
        return torch.jit.trace(module, (x,), check_trace=False, strict=False)


def export(src, out, device, seed=0):
    src = src.to(device).eval()
    L, d = src.num_layers, src.latent_dim
    has_mapping = hasattr(src, "mapping")
    gen = torch.Generator().manual_seed(seed)
    wp2 = torch.randn(2, L, d, generator=gen).to(device)
    wp3 = torch.randn(3, L, d, generator=gen).to(device)
    with torch.no_grad():
        syn = trace(_Call(src, "synthesis"), wp2, wp3)
        mapping = None
        if has_mapping:
            z2 = torch.randn(2, d, generator=gen).to(device)
            z3 = torch.randn(3, d, generator=gen).to(device)
            mapping = trace(_Call(src, "mapping"), z2, z3)
    w_avg = getattr(src, "w_avg", None)
    affines = getattr(src, "affines", None)
    cls = contract_class(has_mapping, affines is not None)
    scripted = torch.jit.script(cls(syn, mapping, L, d, w_avg, affines))
    scripted.save(out)

    # reload and compare with the source on two random codes
    m = torch.jit.load(out, map_location=device)
    with torch.no_grad():
        z = torch.randn(2, d, generator=gen).to(device)
        w_src = src.mapping(z) if has_mapping else z
        wp = w_src.unsqueeze(1).repeat(1, L, 1)
        img_src = src.synthesis(wp)
        try:
            w_ts = m.mapping(z)
            img_ts = m.synthesis(wp)
            one = m.synthesis(wp[:1])
        except RuntimeError as e:
            sys.exit("export_torchscript: the saved module fails on the check codes (%s); a shape or device may be "
                     "frozen into the trace" % str(e).strip().splitlines()[0])
    if tuple(img_ts.shape[:2]) not in ((2, 3), (2, 1)) or img_ts.dim() != 4:
        sys.exit("export_torchscript: synthesis returned shape %s, the contract needs [B, 3, H, W]" % (tuple(img_ts.shape),))
    dm = (w_src - w_ts).abs().max().item()
    ds = (img_src - img_ts).abs().max().item()
    db = (one - img_ts[:1]).abs().max().item()
    print("wrote %s: L = %d, d = %d, image %s, mapping %s, w_avg %s, style_affines %s" % (
        out, L, d, "x".join(map(str, img_ts.shape[1:])), "traced" if has_mapping else "identity",
        "yes" if w_avg is not None else "no", len(affines) if affines is not None else "no"))
    print("check on 2 random codes: max |mapping diff| %.3g, max |synthesis diff| %.3g, batch-1 vs batch-2 %.3g; "
          "image range [%.3f, %.3f]" % (dm, ds, db, img_ts.min().item(), img_ts.max().item()))
    scale = max(1.0, img_src.abs().max().item())
    if not (ds <= 1e-3 * scale and dm <= 1e-3 * max(1.0, w_src.abs().max().item()) and db <= 1e-3 * scale) or math.isnan(ds):
        sys.exit("export_torchscript: the saved module does not reproduce the source (differences above); "
                 "the trace may have frozen a shape or a random op: check noise/dropout settings")
    if img_ts.min().item() < -1.5 or img_ts.max().item() > 1.5:
        print("warning: images reach beyond [-1, 1]; the contract expects values in [-1, 1]")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", required=True, choices=["nvlabs", "rosinality", "biggan", "wrapper"])
    ap.add_argument("--out", required=True)
    ap.add_argument("--checkpoint")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--class", dest="class_index", type=int, help="class index for conditional models")
    ap.add_argument("--size", type=int, default=1024, help="rosinality: output resolution")
    ap.add_argument("--style-dim", type=int, default=512)
    ap.add_argument("--n-mlp", type=int, default=8)
    ap.add_argument("--channel-multiplier", type=int, default=2)
    ap.add_argument("--key", default="g_ema", help="rosinality: generator entry in the checkpoint")
    ap.add_argument("--model", default="biggan-deep-256", help="biggan: pretrained model name")
    ap.add_argument("--truncation", type=float, default=0.4, help="biggan: truncation (0, 1]")
    ap.add_argument("--wrapper", help="module:Class of your own generator wrapper")
    ap.add_argument("--wrapper-args", help="JSON object of keyword arguments for the wrapper")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    if a.arch in ("nvlabs", "rosinality") and not a.checkpoint:
        ap.error("--checkpoint is required for --arch " + a.arch)
    if a.arch == "nvlabs":
        src = NVlabs(a.checkpoint, a.class_index)
    elif a.arch == "rosinality":
        src = Rosinality(a.checkpoint, a.size, a.style_dim, a.n_mlp, a.channel_multiplier, a.key)
    elif a.arch == "biggan":
        src = BigGAN(a.model, a.class_index, a.truncation)
    else:
        if not a.wrapper:
            ap.error("--wrapper module:Class is required for --arch wrapper")
        src = user_wrapper(a.wrapper, a.wrapper_args)
    export(src, a.out, torch.device(a.device), a.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
