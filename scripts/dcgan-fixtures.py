#!/usr/bin/env python3
"""Writes the PyTorch fixtures of Tests/LayersTests (Tests/Fixtures/dcgan/*.safetensors).

Run once by hand; the tests read the committed files and never need torch:
  python3 -m venv /tmp/torchvenv && /tmp/torchvenv/bin/pip install torch numpy
  /tmp/torchvenv/bin/python scripts/dcgan-fixtures.py

layers.safetensors: Conv2d, ConvTranspose2d, BatchNorm1d/2d forward and backward on fixed inputs.
steps.safetensors: the reference DCGAN (same spec as Sources/Layers/DCGAN.swift) trained for a few
three-phase steps from weights both sides derive from a hash (see hash_uniform), on stored z and
batches; the losses per step and a sample of the final tensors.
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "dcgan")


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name], dtype=np.float32)
        b = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def hash_uniform(tensor_index, count):
    """u in [0, 1) per element: splitmix64's finaliser of (tensor_index << 40 | i), top 53 bits.
    The Swift test (HashInitialisation) computes the same bits."""
    x = (np.uint64(tensor_index) << np.uint64(40)) | np.arange(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0 ** -53


def t(a):
    return a.detach().numpy().copy()


def layer_fixtures():
    torch.manual_seed(1)
    out = {}
    # Conv2d(3, 5, 4, 2, 1) on 2×3×8×8 and a stride-1 one with padding 1 on 2×2×5×6.
    for tag, (cin, cout, k, s, p, h, w) in {"conv": (3, 5, 4, 2, 1, 8, 8), "conv_s1": (2, 3, 3, 1, 1, 5, 6)}.items():
        layer = nn.Conv2d(cin, cout, k, s, p)
        x = torch.randn(2, cin, h, w, requires_grad=True)
        y = layer(x)
        dy = torch.randn_like(y)
        y.backward(dy)
        out.update({f"{tag}.x": t(x), f"{tag}.weight": t(layer.weight), f"{tag}.bias": t(layer.bias),
                    f"{tag}.y": t(y), f"{tag}.dy": t(dy), f"{tag}.dx": t(x.grad),
                    f"{tag}.dweight": t(layer.weight.grad), f"{tag}.dbias": t(layer.bias.grad)})
    # ConvTranspose2d(5, 3, 4, 2, 1) on 2×5×4×4 and (2, 3, 3, 1, 1) on 2×2×5×6.
    for tag, (cin, cout, k, s, p, h, w) in {"convt": (5, 3, 4, 2, 1, 4, 4), "convt_s1": (2, 3, 3, 1, 1, 5, 6)}.items():
        layer = nn.ConvTranspose2d(cin, cout, k, s, p)
        x = torch.randn(2, cin, h, w, requires_grad=True)
        y = layer(x)
        dy = torch.randn_like(y)
        y.backward(dy)
        out.update({f"{tag}.x": t(x), f"{tag}.weight": t(layer.weight), f"{tag}.bias": t(layer.bias),
                    f"{tag}.y": t(y), f"{tag}.dy": t(dy), f"{tag}.dx": t(x.grad),
                    f"{tag}.dweight": t(layer.weight.grad), f"{tag}.dbias": t(layer.bias.grad)})
    # BatchNorm2d(3) on 4×3×5×5 and BatchNorm1d(6) on 5×6: two training forwards (running stats
    # move twice), backward of the second, then an eval forward.
    for tag, (layer, shape) in {"bn2d": (nn.BatchNorm2d(3), (4, 3, 5, 5)), "bn1d": (nn.BatchNorm1d(6), (5, 6))}.items():
        with torch.no_grad():
            layer.weight.copy_(torch.rand(layer.num_features) + 0.5)
            layer.bias.copy_(torch.randn(layer.num_features))
        weight0, bias0 = t(layer.weight), t(layer.bias)
        layer.train()
        x1 = torch.randn(*shape) * 2 + 0.5
        layer(x1)
        x = (torch.randn(*shape) * 1.5 - 0.3).requires_grad_(True)
        y = layer(x)
        dy = torch.randn_like(y)
        y.backward(dy)
        layer.eval()
        xe = torch.randn(*shape)
        ye = layer(xe)
        out.update({f"{tag}.weight": weight0, f"{tag}.bias": bias0, f"{tag}.x1": t(x1), f"{tag}.x": t(x),
                    f"{tag}.y": t(y), f"{tag}.dy": t(dy), f"{tag}.dx": t(x.grad),
                    f"{tag}.dweight": t(layer.weight.grad), f"{tag}.dbias": t(layer.bias.grad),
                    f"{tag}.running_mean": t(layer.running_mean), f"{tag}.running_var": t(layer.running_var),
                    f"{tag}.num_batches_tracked": np.array(float(layer.num_batches_tracked)),
                    f"{tag}.eval_x": t(xe), f"{tag}.eval_y": t(ye)})
    return out


def generator():
    return nn.Sequential(
        nn.Linear(100, 128 * 7 * 7), nn.BatchNorm1d(128 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (128, 7, 7)),
        nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())


def discriminator():
    return nn.Sequential(
        nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128),
        nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(128 * 7 * 7, 1))


def hash_initialise(net, prefix, first_index, out):
    """Every trainable tensor: offset + scale·(2u − 1), u = hash_uniform(index, n); weights and
    biases of linear/conv layers ±1/√(fan in), BatchNorm γ 1 ± 0.1, β ± 0.1. The index, offset and
    scale are stored (init.<name>) so the Swift side applies the same rule without knowing it."""
    index = first_index
    for name, param in net.named_parameters():
        layer = net[int(name.split(".")[0])]
        if isinstance(layer, nn.BatchNorm1d | nn.BatchNorm2d):
            offset, scale = (1.0, 0.1) if name.endswith("weight") else (0.0, 0.1)
        else:
            w = layer.weight
            fan_in = w.shape[1] * w[0, 0].numel() if not isinstance(layer, nn.Linear) else w.shape[1]
            offset, scale = 0.0, 1.0 / np.sqrt(fan_in)
        u = hash_uniform(index, param.numel())
        value = (offset + scale * (2.0 * u - 1.0)).astype(np.float32).reshape(param.shape)
        with torch.no_grad():
            param.copy_(torch.from_numpy(value))
        out[f"init.{prefix}{name}"] = np.array([index, offset, scale], dtype=np.float32)
        out[f"init_sum.{prefix}{name}"] = np.array(value.astype(np.float64).sum())
        index += 1
    return index


def step_fixtures(batch=16, steps=2, samples=24):
    # 2 steps, not more: from the 3rd, float32 rounding alone moves the losses by ~1e-4. The weights
    # of the layers that feed a BatchNorm are the cause: a relative 1e-6 of noise added to their
    # gradients (float64, every step) changes step 3's losses by 7e-6 and step 4's by 1.2-1.7e-4
    # (the gradients of all other tensors: < 1e-9); gantop itself, with OpenBLAS's Cooperlake
    # kernels against its Haswell ones, differs by 1.7e-4 in G's loss at step 3, and PyTorch, 1 thread
    # against 2, by 3e-5 / 6e-5 at step 4. At 2 steps every variant agrees to ~1e-7.
    out = {}
    g, d = generator(), discriminator()
    index = hash_initialise(g, "G.", 0, out)
    hash_initialise(d, "D.", index, out)
    g.train()
    d.train()
    g_opt = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999), eps=1e-8)
    d_opt = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999), eps=1e-8)
    rng = np.random.default_rng(19)
    zs = rng.uniform(-1, 1, (steps, batch, 100)).astype(np.float32)
    reals = np.tanh(rng.normal(0, 1.5, (steps, batch, 784))).astype(np.float32)
    ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)
    stats = []
    for s in range(steps):
        real = torch.from_numpy(reals[s]).view(batch, 1, 28, 28)
        fakes = g(torch.from_numpy(zs[s]))
        d_opt.zero_grad()
        out_real = d(real)
        loss_real = F.binary_cross_entropy_with_logits(out_real, ones)
        (0.5 * loss_real).backward()
        out_fake = d(fakes.detach())
        loss_fake = F.binary_cross_entropy_with_logits(out_fake, zeros)
        (0.5 * loss_fake).backward()
        d_opt.step()
        for p in d.parameters():
            p.requires_grad_(False)
        g_opt.zero_grad()
        g_loss = F.binary_cross_entropy_with_logits(d(fakes), ones)
        g_loss.backward()
        g_opt.step()
        for p in d.parameters():
            p.requires_grad_(True)
        stats.append([(0.5 * (loss_real + loss_fake)).item(), g_loss.item(),
                      torch.sigmoid(out_real).mean().item(), torch.sigmoid(out_fake).mean().item()])
    out["z"], out["real"], out["stats"] = zs, reals, np.array(stats, dtype=np.float32)
    pick = np.random.default_rng(5)
    for prefix, net in (("G.", g), ("D.", d)):
        for name, tensor in net.state_dict().items():
            flat = tensor.detach().double().numpy().reshape(-1)
            idx = pick.choice(flat.size, size=min(samples, flat.size), replace=False)
            out[f"final_index.{prefix}{name}"] = idx.astype(np.float32)
            out[f"final_value.{prefix}{name}"] = flat[idx].astype(np.float32)
            out[f"final_sum.{prefix}{name}"] = np.array(flat.sum())
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    write_safetensors(os.path.join(OUT, "layers.safetensors"), layer_fixtures())
    write_safetensors(os.path.join(OUT, "steps.safetensors"), step_fixtures())
    print("wrote", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
