#!/usr/bin/env python3
"""The DCGAN references against each other and against gantop, step by step (issue #19).

1. gantop: Tests/Fixtures/dcgan/steps.safetensors holds PyTorch's losses for 2 three-phase steps
   (B = 16) from weights both sides derive from a hash, on stored z and batches;
   Tests/LayersTests/DCGANEquivalenceTests holds gantop's DCGANTrainer.step to them. Here
   dcgan_torch.py and dcgan_jax.py run the same steps from the same weights and are held to the
   same tolerance (2e-5 + 1e-4 relative at every step), so all three agree.
2. torch and jax on MNIST at --batch-size (64): the same weights (DCGAN's N(0, 0.02) from one numpy
   generator), the same z and the same real batches for --steps steps: the losses at every step and
   every final weight and running statistic.

  .venv/bin/python dcgan_check_equivalence.py [--steps 3] [--batch-size 64]
"""

import argparse
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import common  # noqa: E402
import dcgan_common as dc  # noqa: E402

# A bias that feeds a BatchNorm has a true gradient of exactly 0 (the mean is subtracted again):
# each side computes rounding noise, which Adam turns into steps of up to ~lr of either sign. Those
# biases and the running means they shift are compared to 2·lr a step (as DCGANEquivalenceTests does).
NOISE_ONLY = {"G.0.bias", "G.1.running_mean", "G.4.bias", "G.5.running_mean", "D.2.bias", "D.3.running_mean"}
FIXTURE = os.path.join(common.HERE, "..", "..", "Tests", "Fixtures", "dcgan", "steps.safetensors")


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    out = {}
    for name, v in header.items():
        if name == "__metadata__":
            continue
        start, end = v["data_offsets"]
        out[name] = np.frombuffer(data[8 + n + start:8 + n + end], dtype=np.float32).reshape(v["shape"])
    return out


def close(a, b, abs_tol, rel):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return bool(np.all(np.abs(a - b) <= abs_tol + rel * np.abs(b))), float(np.max(np.abs(a - b)))


def implementations():
    mods = {}
    for name in ("torch", "jax"):
        try:
            mods[name] = __import__(f"dcgan_{name}")
        except ImportError as e:
            print(f"{name}: not installed ({e}); skipped")
    return mods


def run(mod, batch, zs, reals, init, seed=1):
    it = iter(zs)
    step = mod.make_trainer(batch, seed, z_source=lambda: np.array(next(it)), init=init)
    metrics = [step(np.array(r)) for r in reals]
    return np.array(metrics), mod.state_dicts(step.state)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=64)
    args = p.parse_args()
    mods = implementations()
    ok = True

    f = read_safetensors(FIXTURE)
    stats = f["stats"].reshape(-1, 4)
    steps = len(stats)
    batch = f["z"].size // steps // dc.LATENT
    zs = f["z"].reshape(steps, batch, dc.LATENT)
    reals = f["real"].reshape(steps, batch, 784)
    for name, mod in mods.items():
        metrics, _ = run(mod, batch, zs, reals, "hash")
        good, diff = close(metrics, stats, 2e-5, 1e-4)
        ok &= good
        print(f"{name} vs the fixture gantop is tested against (B={batch}, {steps} steps): "
              f"max |metric diff| {diff:.2e}  {'ok' if good else 'MISMATCH'}")

    b = args.batch_size
    images = common.load_mnist_uint8()
    batcher = common.Batcher(images, b, 7)
    reals = [batcher.next() for _ in range(args.steps)]
    zs = [np.random.default_rng(100 + i).uniform(-1, 1, (b, dc.LATENT)).astype(np.float32) for i in range(args.steps)]
    runs = {name: run(mod, b, zs, reals, "dcgan") for name, mod in mods.items()}
    for name, (metrics, _) in runs.items():
        print(f"{name:6s} B={b} step 1 {np.round(metrics[0], 5)}  step {args.steps} {np.round(metrics[-1], 5)}")
    if len(runs) == 2:
        (mt, wt), (mj, wj) = runs["torch"], runs["jax"]
        good_m, dm = close(mj, mt, 2e-5, 1e-4)
        checked = [k for k in wj if k not in NOISE_ONLY]
        worst = max(((k, float(np.max(np.abs(wj[k] - wt[k].reshape(wj[k].shape))))) for k in checked), key=lambda kv: kv[1])
        noise = 2 * args.steps * dc.LR
        good_w = all(close(wj[k], wt[k].reshape(wj[k].shape), noise if k in NOISE_ONLY else 5e-5, 1e-3)[0] for k in wj)
        ok &= good_m and good_w
        print(f"jax vs torch (B={b}, {args.steps} steps, MNIST): max |metric diff| {dm:.2e}, "
              f"max |weight or statistic diff| {worst[1]:.2e} ({worst[0]}; BatchNorm-fed biases and their running means "
              f"within {noise:.1e})  {'ok' if good_m and good_w else 'MISMATCH'}")
    print("equivalence:", "ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
