#!/usr/bin/env python3
"""Loads a gantop DCGAN checkpoint into PyTorch modules of the spec and reproduces gantop's samples.

    python3 scripts/dcgan-pytorch-check.py CHECKPOINT LATENTS.npy SAMPLES.npy [--state G|G_ema] [--bn running|batch]

CHECKPOINT is a `gantop train --model dcgan` checkpoint; LATENTS.npy and SAMPLES.npy are what
`gantop sample --checkpoint CHECKPOINT --dtype f32 --latents-out LATENTS.npy --out SAMPLES.npy` wrote.
The checkpoint is read with plain Python (8-byte header length, JSON header, raw little-endian data),
its `G.*` and `D.*` tensors are loaded with `load_state_dict(strict=True)` into

    G = nn.Sequential(Linear(100, 6272), BatchNorm1d(6272), ReLU(), Unflatten(1, (128, 7, 7)),
                      ConvTranspose2d(128, 64, 4, 2, 1), BatchNorm2d(64), ReLU(),
                      ConvTranspose2d(64, 1, 4, 2, 1), Tanh())
    D = nn.Sequential(Conv2d(1, 64, 4, 2, 1), LeakyReLU(0.2), Conv2d(64, 128, 4, 2, 1), BatchNorm2d(128),
                      LeakyReLU(0.2), Flatten(), Linear(6272, 1))      # (--d-norm none: Identity() at 3)

or, with the checkpoint's `g_hidden` N > 0, G with Linear(100, N), BatchNorm1d(N), ReLU() in front and
Linear(N, 6272) (the rest shifted by 3), and with `d_hidden` M > 0, D's last Linear(6272, M),
BatchNorm1d(M) (Identity() under --d-norm none), LeakyReLU(0.2), Linear(M, 1). With `info_categories`
K > 0 (InfoGAN's code), `Q.*` loads strictly into Q = nn.Sequential(Linear(M, 128), BatchNorm1d(128),
LeakyReLU(0.2), Linear(128, K)), and the last K of every latent must be one-hot.

and G(z) (`--state G_ema`: the weight average's state dict; `--bn running`: eval mode, `batch`: each
chunk of 100 latents normalised by itself, as gantop samples) must equal gantop's samples to 1e-4.
Without torch, numpy stands in: the same key set and shapes are checked against the spec and the
forward pass is recomputed in float64 (`--require-torch` refuses the fallback). Exit 0 when they agree.
"""
import argparse
import json
import struct
import sys

import numpy as np

LATENT = 100


def batch_norm_spec(i, n):
    return [(f"{i}.weight", (n,)), (f"{i}.bias", (n,)), (f"{i}.running_mean", (n,)), (f"{i}.running_var", (n,)),
            (f"{i}.num_batches_tracked", ())]


def g_spec(hidden):
    """(name, shape) of every tensor of G's state dict, in nn.Sequential's order."""
    head = [("0.weight", (hidden, LATENT)), ("0.bias", (hidden,))] + batch_norm_spec(1, hidden) if hidden else []
    o = 3 if hidden else 0
    return head + [(f"{o}.weight", (6272, hidden or LATENT)), (f"{o}.bias", (6272,))] + batch_norm_spec(o + 1, 6272) \
        + [(f"{o + 4}.weight", (128, 64, 4, 4)), (f"{o + 4}.bias", (64,))] + batch_norm_spec(o + 5, 64) \
        + [(f"{o + 7}.weight", (64, 1, 4, 4)), (f"{o + 7}.bias", (1,))]


def q_spec(hidden, categories):
    return [("0.weight", (128, hidden)), ("0.bias", (128,))] + batch_norm_spec(1, 128) \
        + [("3.weight", (categories, 128)), ("3.bias", (categories,))]


def d_spec(d_norm, hidden):
    norm = d_norm == "batch"
    tail = [("6.weight", (hidden, 6272)), ("6.bias", (hidden,))] + (batch_norm_spec(7, hidden) if norm else []) \
        + [("9.weight", (1, hidden)), ("9.bias", (1,))] if hidden else [("6.weight", (1, 6272)), ("6.bias", (1,))]
    return [("0.weight", (64, 1, 4, 4)), ("0.bias", (64,)), ("2.weight", (128, 64, 4, 4)), ("2.bias", (128,))] \
        + (batch_norm_spec(3, 128) if norm else []) + tail


DTYPES = {"F32": "<f4", "I64": "<i8", "U8": "u1"}


def read_safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    body = raw[8 + n:]
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, t in header.items():
        b, e = t["data_offsets"]
        tensors[name] = np.frombuffer(body[b:e], dtype=DTYPES[t["dtype"]]).reshape(t["shape"])
    return metadata, tensors


def state_dict(tensors, prefix, spec):
    """The tensors under `prefix`, checked against the spec: the same keys, shapes and dtypes."""
    keys = sorted(k[len(prefix):] for k in tensors if k.startswith(prefix))
    expected = sorted(name for name, _ in spec)
    if keys != expected:
        sys.exit(f"{prefix}* keys differ from the spec's: extra {sorted(set(keys) - set(expected))}, "
                 f"missing {sorted(set(expected) - set(keys))}")
    out = {}
    for name, shape in spec:
        t = tensors[prefix + name]
        if t.shape != shape:
            sys.exit(f"{prefix}{name} has shape {t.shape}, the spec's is {shape}")
        want = np.int64 if name.endswith("num_batches_tracked") else np.float32
        if t.dtype != want:
            sys.exit(f"{prefix}{name} has dtype {t.dtype}, PyTorch's is {np.dtype(want)}")
        out[name] = t
    return out


def torch_load_q(q_state, d_hidden, categories):
    import torch
    from torch import nn
    Q = nn.Sequential(nn.Linear(d_hidden, 128), nn.BatchNorm1d(128), nn.LeakyReLU(0.2), nn.Linear(128, categories))
    Q.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in q_state.items()}, strict=True)


def torch_generator(g_state, d_state, d_norm, g_hidden, d_hidden):
    import torch
    from torch import nn
    head = [nn.Linear(100, g_hidden), nn.BatchNorm1d(g_hidden), nn.ReLU()] if g_hidden else []
    G = nn.Sequential(*head, nn.Linear(g_hidden or 100, 6272), nn.BatchNorm1d(6272), nn.ReLU(), nn.Unflatten(1, (128, 7, 7)),
                      nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),
                      nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())
    norm = (lambda n: nn.BatchNorm2d(n)) if d_norm == "batch" else (lambda n: nn.Identity())
    norm1d = (lambda n: nn.BatchNorm1d(n)) if d_norm == "batch" else (lambda n: nn.Identity())
    tail = [nn.Linear(6272, d_hidden), norm1d(d_hidden), nn.LeakyReLU(0.2), nn.Linear(d_hidden, 1)] if d_hidden \
        else [nn.Linear(6272, 1)]
    D = nn.Sequential(nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(64, 128, 4, 2, 1), norm(128),
                      nn.LeakyReLU(0.2), nn.Flatten(), *tail)
    G.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in g_state.items()}, strict=True)
    D.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in d_state.items()}, strict=True)

    def generate(z, batch_statistics):
        G.train(batch_statistics)
        with torch.no_grad():
            return G(torch.from_numpy(z)).numpy().astype(np.float64)
    return generate


def numpy_generator(g_state, _d_state, _d_norm, g_hidden, _d_hidden):
    p = {k: v.astype(np.float64) for k, v in g_state.items()}

    def batch_norm(x, i, batch_statistics):
        axes = (0,) if x.ndim == 2 else (0, 2, 3)
        shape = (1, -1) if x.ndim == 2 else (1, -1, 1, 1)
        if batch_statistics:
            mean, var = x.mean(axis=axes), x.var(axis=axes)          # the biased variance, as in training
        else:
            mean, var = p[f"{i}.running_mean"], p[f"{i}.running_var"]
        return (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + 1e-5) * p[f"{i}.weight"].reshape(shape) \
            + p[f"{i}.bias"].reshape(shape)

    def conv_transpose(x, i):
        """ConvTranspose2d(k 4, stride 2, padding 1), weight [in, out, kh, kw]: each input pixel
        scatters its kernel at (2y + ky − 1, 2x + kx − 1)."""
        w, b = p[f"{i}.weight"], p[f"{i}.bias"]
        n, _, h, wd = x.shape
        out = np.zeros((n, w.shape[1], 2 * h + 2, 2 * wd + 2))
        for ky in range(4):
            for kx in range(4):
                out[:, :, ky:ky + 2 * h:2, kx:kx + 2 * wd:2] += np.einsum("niyx,io->noyx", x, w[:, :, ky, kx])
        return out[:, :, 1:2 * h + 1, 1:2 * wd + 1] + b.reshape(1, -1, 1, 1)

    o = 3 if g_hidden else 0

    def generate(z, batch_statistics):
        h = z.astype(np.float64)
        if g_hidden:
            h = np.maximum(batch_norm(h @ p["0.weight"].T + p["0.bias"], 1, batch_statistics), 0)
        h = h @ p[f"{o}.weight"].T + p[f"{o}.bias"]
        h = np.maximum(batch_norm(h, o + 1, batch_statistics), 0).reshape(-1, 128, 7, 7)
        h = np.maximum(batch_norm(conv_transpose(h, o + 4), o + 5, batch_statistics), 0)
        return np.tanh(conv_transpose(h, o + 7))
    return generate


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("checkpoint")
    parser.add_argument("latents")
    parser.add_argument("samples")
    parser.add_argument("--state", choices=["G", "G_ema"], default=None,
                        help="which state dict G loads (default: G_ema when the checkpoint has one, as gantop sample)")
    parser.add_argument("--bn", choices=["running", "batch"], default=None,
                        help="BatchNorm statistics (default: the checkpoint's sampling_statistics)")
    parser.add_argument("--require-torch", action="store_true")
    args = parser.parse_args()

    metadata, tensors = read_safetensors(args.checkpoint)
    if metadata.get("model") != "dcgan":
        sys.exit(f"{args.checkpoint}: not a DCGAN checkpoint (metadata model is {metadata.get('model')!r})")
    state = args.state or ("G_ema" if "G_ema.0.weight" in tensors else "G")
    bn = args.bn or metadata.get("sampling_statistics", "running")
    if bn not in ("running", "batch"):
        sys.exit(f"sampling statistics '{bn}' are not reproduced by this check")
    d_norm = metadata.get("d_norm", "batch")   # none: nn.Identity in place of D.3, no D.3.* tensors
    g_hidden, d_hidden = int(metadata.get("g_hidden", "0")), int(metadata.get("d_hidden", "0"))
    g_state = state_dict(tensors, state + ".", g_spec(g_hidden))
    d_state = state_dict(tensors, "D.", d_spec(d_norm, d_hidden))
    categories = int(metadata.get("info_categories", "0"))
    if categories and not d_hidden:
        sys.exit(f"{args.checkpoint}: info_categories {categories} without D's hidden layer (d_hidden 0)")
    q_state = state_dict(tensors, "Q.", q_spec(d_hidden, categories)) if categories else None
    if not categories and any(k.startswith("Q.") for k in tensors):
        sys.exit(f"{args.checkpoint}: Q.* tensors without info_categories")
    try:
        import torch  # noqa: F401
        backend, make = "torch", torch_generator
    except ImportError:
        if args.require_torch:
            sys.exit("torch is not importable (--require-torch)")
        backend, make = "numpy", numpy_generator
    generate = make(g_state, d_state, d_norm, g_hidden, d_hidden)
    if q_state is not None and backend == "torch":
        torch_load_q(q_state, d_hidden, categories)

    z, x = np.load(args.latents), np.load(args.samples)
    if z.dtype != np.float32 or z.ndim != 2 or z.shape[1] != LATENT:
        sys.exit(f"{args.latents}: expected float32 (N, {LATENT}), got {z.dtype} {z.shape}")
    if x.dtype != np.float32 or x.shape != (z.shape[0], 28, 28):
        sys.exit(f"{args.samples}: expected float32 ({z.shape[0]}, 28, 28), got {x.dtype} {x.shape}")
    if categories:
        code = z[:, LATENT - categories:]
        if not (np.all((code == 0) | (code == 1)) and np.all(code.sum(axis=1) == 1)):
            sys.exit(f"{args.latents}: the last {categories} latents are not one-hot in every row")
    # gantop samples in chunks of up to 100 latents (each a BatchNorm batch with --bn batch).
    out = np.concatenate([generate(z[i:i + 100], bn == "batch") for i in range(0, len(z), 100)])
    err = float(np.abs(out.reshape(-1, 28, 28) - x).max())
    q = f", Q with {categories} categories loaded" if categories else ""
    print(f"{backend}: {state}(z) with {bn} BatchNorm statistics, {len(z)} samples, max abs difference {err:.2e}{q}")
    sys.exit(0 if err < 1e-4 else 1)


if __name__ == "__main__":
    main()
