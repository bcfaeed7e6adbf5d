#!/usr/bin/env python3
"""Runs the reference implementations side by side from the same initial weights, the same z and
the same real batches, and checks that their metrics and final weights agree (float32 tolerance).
The hand-written numpy backprop is thereby checked against JAX's and PyTorch's autodiff.

  .venv/bin/python check_equivalence.py [--steps 5] [--batch-size 64]
"""

import argparse
import importlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import common  # noqa: E402


def weights(impl, state):
    """[(W [in, out], b)] of G then D, as numpy."""
    if impl == "jax":
        g, d = state[0], state[1]
        return [(np.asarray(w), np.asarray(b)) for w, b in list(g) + list(d)]
    if impl == "numpy":
        g, d = state
        return [(w.copy(), b.copy()) for w, b in g + d]
    g, d = state  # torch modules, weight [out, in]
    return [(lin.weight.detach().numpy().T.copy(), lin.bias.detach().numpy().copy())
            for lin in list(g.layers) + list(d.layers)]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=64)
    args = p.parse_args()
    b = args.batch_size
    images = common.load_mnist_uint8()
    zs = [np.random.default_rng(100 + i).uniform(-1, 1, (b, common.LATENT)).astype(np.float32)
          for i in range(args.steps)]
    batcher = common.Batcher(images, b, 7)
    reals = [batcher.next() for _ in range(args.steps)]

    runs = {}
    for impl in ("numpy", "jax", "torch"):
        try:
            mod = importlib.import_module(f"gan_{impl}")
        except ImportError as e:
            print(f"{impl}: not installed ({e}); skipped")
            continue
        it = iter(zs)
        step = mod.make_trainer(b, 1, z_source=lambda: next(it))
        metrics = [step(r) for r in reals]
        runs[impl] = (metrics, weights(impl, step.state))
        print(f"{impl:6s} step 1 {np.round(metrics[0], 5)}  step {args.steps} {np.round(metrics[-1], 5)}")

    ok = True
    base = "numpy"
    for impl, (metrics, w) in runs.items():
        if impl == base:
            continue
        dm = np.max(np.abs(np.array(metrics) - np.array(runs[base][0])))
        dw = max(float(np.max(np.abs(x - y))) for pair, bpair in zip(w, runs[base][1]) for x, y in zip(pair, bpair))
        good = dm < 1e-4 and dw < 1e-4
        ok &= good
        print(f"{impl} vs {base}: max |metric diff| {dm:.2e}, max |weight diff| {dw:.2e}  {'ok' if good else 'MISMATCH'}")
    print("equivalence:", "ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
