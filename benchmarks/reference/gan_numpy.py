#!/usr/bin/env python3
"""Reference MLP GAN in plain numpy (matrix products through numpy's OpenBLAS), float32,
hand-written backprop and PyTorch-style Adam, in-place updates.

  python gan_numpy.py --batch-size 64 --seconds 5 --warmup-seconds 2 --json
  python gan_numpy.py --check
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import common  # noqa: E402
from common import BETA1, BETA2, EPS, LATENT, LEAKY, LR  # noqa: E402

F32 = np.float32


def forward(params, x, out):
    """Returns (output, cache); cache = [(layer input, pre-activation)]."""
    cache = []
    last = len(params) - 1
    for i, (w, b) in enumerate(params):
        h = x @ w
        h += b
        cache.append((x, h))
        if i == last:
            x = np.tanh(h) if out == "tanh" else h
        else:
            x = np.maximum(h, LEAKY * h)  # LeakyReLU for slope < 1
    return x, cache


def backward(params, cache, y, dout, out, weight_grads=True, input_grad=False):
    """Backprop dL/d(output) through the layers; returns (grads or None, dL/d(input) or None)."""
    grads = [None] * len(params)
    last = len(params) - 1
    d = dout * (1 - y * y) if out == "tanh" else dout
    dx = None
    for i in range(last, -1, -1):
        x, h = cache[i]
        if i != last:
            d = d * np.where(h >= 0, F32(1), F32(LEAKY))
        if weight_grads:
            grads[i] = (x.T @ d, d.sum(axis=0))
        if i > 0 or input_grad:
            dx = d @ params[i][0].T
        d = dx
    return (grads if weight_grads else None), (dx if input_grad else None)


def bce_logits(z, target):
    """Mean loss, and its gradient wrt the logits."""
    loss = float(np.mean(np.maximum(z, 0) - z * target + np.log1p(np.exp(-np.abs(z)))))
    p = 1 / (1 + np.exp(-z))
    return loss, (p - target) / F32(z.size), p


class Adam:
    def __init__(self, params):
        self.t = 0
        self.m = [(np.zeros_like(w), np.zeros_like(b)) for w, b in params]
        self.v = [(np.zeros_like(w), np.zeros_like(b)) for w, b in params]

    def update(self, params, grads):
        self.t += 1
        c1 = 1 - BETA1 ** self.t
        c2 = 1 - BETA2 ** self.t
        step_size = F32(LR / c1)
        sqrt_c2 = F32(np.sqrt(c2))
        for (pw, pb), (gw, gb), (mw, mb), (vw, vb) in zip(params, grads, self.m, self.v):
            for p, g, m, v in ((pw, gw, mw, vw), (pb, gb, mb, vb)):
                m *= BETA1
                m += (1 - BETA1) * g
                v *= BETA2
                v += (1 - BETA2) * (g * g)
                denom = np.sqrt(v)
                denom /= sqrt_c2
                denom += EPS
                p -= step_size * (m / denom)


def make_trainer(batch, seed, z_source=None):
    rng = np.random.default_rng(seed)
    g = common.init_params_numpy(common.G_SIZES, rng)
    d = common.init_params_numpy(common.D_SIZES, rng)
    g_opt, d_opt = Adam(g), Adam(d)
    noise = np.random.default_rng(seed + 0x5EED)
    y_d = np.concatenate([np.ones((batch, 1), F32), np.zeros((batch, 1), F32)])
    y_g = np.ones((batch, 1), F32)

    def step(real):
        # (1) B uniform z, G forward once.
        z = noise.random((batch, LATENT), dtype=F32) * 2 - 1 if z_source is None else z_source()
        fakes, g_cache = forward(g, z, "tanh")
        # (2) D on [real; fakes] (2B rows); no input gradient at D's first layer.
        x = np.concatenate([real, fakes])
        logits, d_cache = forward(d, x, "id")
        d_loss, dlogits, probs = bce_logits(logits, y_d)
        d_grads, _ = backward(d, d_cache, logits, dlogits, "id")
        d_opt.update(d, d_grads)
        # (3) G through the updated, frozen D: input gradient only, same fakes, labels 1.
        f_logits, f_cache = forward(d, fakes, "id")
        g_loss, df_logits, _ = bce_logits(f_logits, y_g)
        _, dfakes = backward(d, f_cache, f_logits, df_logits, "id", weight_grads=False, input_grad=True)
        g_grads, _ = backward(g, g_cache, fakes, dfakes, "tanh")
        g_opt.update(g, g_grads)
        return d_loss, g_loss, float(probs[:batch].mean()), float(probs[batch:].mean())

    step.state = (g, d)
    return step


def info():
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg["Build Dependencies"]["blas"]
        return {"numpy_version": np.__version__, "blas": f"{blas.get('name')} {blas.get('version', '')}".strip()}
    except Exception:  # noqa: BLE001 - informational only
        return {"numpy_version": np.__version__}


if __name__ == "__main__":
    sys.exit(common.run("numpy", make_trainer, info))
