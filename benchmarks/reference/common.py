"""Shared pieces of the reference GAN benchmarks: the spec, MNIST loading, batching, the CLI and
the timing loop. Each gan_*.py supplies only `make_trainer(batch, seed)`.

The spec (must match Sources/GANTraining/GANConfiguration.swift):
  z ~ U(-1, 1)^100; G 100-256-512-1024-784, LeakyReLU(0.2) between, tanh out;
  D 784-512-256-1, LeakyReLU(0.2) between, logit out (BCE on logits);
  Glorot-uniform weights, zero biases, float32; Adam(2e-4, 0.5, 0.999, 1e-8) per network;
  step: fakes = G(z); D on [real(1); fakes(0)] (2B rows, fakes constant);
        G through the updated, frozen D on the same z, labels 1.
"""

import argparse
import gzip
import json
import math
import os
import struct
import sys
import time

import numpy as np

LATENT = 100
G_SIZES = [LATENT, 256, 512, 1024, 784]
D_SIZES = [784, 512, 256, 1]
LEAKY = 0.2
LR, BETA1, BETA2, EPS = 2e-4, 0.5, 0.999, 1e-8

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MNIST = os.path.join(HERE, "..", "..", "assets", "mnist", "train-images-idx3-ubyte.gz")


def flops_per_step(batch):
    """FLOPs of one step counted like GANConfiguration.flopsPerStep (1.0093e9 at B=64)."""
    def macs(sizes):
        return sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    g, d = macs(G_SIZES), macs(D_SIZES)
    g_first, d_first = G_SIZES[0] * G_SIZES[1], D_SIZES[0] * D_SIZES[1]
    b = float(batch)
    return 2 * (g * b + (2 * g - g_first) * b + d * 2 * b + (2 * d - d_first) * 2 * b + 2 * d * b)


def glorot_limit(fan_in, fan_out):
    return math.sqrt(6.0 / (fan_in + fan_out))


def init_params_numpy(sizes, rng):
    """[(W [in, out], b [out])] float32, Glorot-uniform W, zero b."""
    params = []
    for fi, fo in zip(sizes[:-1], sizes[1:]):
        lim = glorot_limit(fi, fo)
        w = rng.uniform(-lim, lim, size=(fi, fo)).astype(np.float32)
        params.append((w, np.zeros((fo,), np.float32)))
    return params


def load_mnist_uint8(path=DEFAULT_MNIST):
    """The IDX images as a (count, 784) uint8 array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count, rows, cols = struct.unpack(">IIII", data[:16])
    if magic != 0x803 or rows != 28 or cols != 28:
        raise ValueError(f"{path}: not an IDX image file (magic {magic:#x}, {rows}x{cols})")
    pixels = np.frombuffer(data, dtype=np.uint8, count=count * 784, offset=16)
    return pixels.reshape(count, 784)


class Batcher:
    """Real batches in a shuffled epoch order, from a preloaded float32 array in [-1, 1]."""

    def __init__(self, images_u8, batch, seed):
        self.images = images_u8.astype(np.float32) / np.float32(127.5) - np.float32(1.0)
        self.batch = batch
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(len(self.images))
        self.pos = 0
        self.epoch = 1

    def next(self):
        if self.pos + self.batch > len(self.order):  # drop the ragged tail, reshuffle
            self.order = self.rng.permutation(len(self.images))
            self.pos = 0
            self.epoch += 1
        idx = self.order[self.pos:self.pos + self.batch]
        self.pos += self.batch
        return self.images[idx]


def parse_args(impl, model="MLP GAN"):
    p = argparse.ArgumentParser(description=f"Reference {model} on MNIST ({impl}): steps/s of the training step.")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--seconds", type=float, default=5.0, help="timed seconds (after warm-up)")
    p.add_argument("--warmup-seconds", type=float, default=2.0, help="untimed seconds first (compile excluded too)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--check", action="store_true", help="train ~200 steps at B=64 and print losses")
    p.add_argument("--check-steps", type=int, default=200)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--stream", action="store_true",
                   help="train until killed, printing {\"step\": N} after every step (scripts/ab-speed reads it)")
    p.add_argument("--data", default=DEFAULT_MNIST, help="train-images-idx3-ubyte.gz")
    return p.parse_args()


def run(impl, make_trainer, info=None, flops=flops_per_step, model="MLP GAN"):
    """make_trainer(batch, seed) -> step(real_batch_f32) -> metrics (d_loss, g_loss, d_real, d_fake)
    as Python floats (forces the step to finish). `flops(batch)`: the FLOPs of one step."""
    args = parse_args(impl, model)
    images = load_mnist_uint8(args.data)
    if args.check:
        return check(impl, make_trainer, images, args)
    b = args.batch_size
    batcher = Batcher(images, b, args.seed)
    step = make_trainer(b, args.seed)

    t_first = time.perf_counter()
    m = step(batcher.next())  # compile / first call: excluded
    first_call = time.perf_counter() - t_first
    if args.stream:
        n = 1
        while True:
            m = step(batcher.next())
            n += 1
            print(f'{{"step":{n}}}', flush=True)
    warm_end = time.perf_counter() + args.warmup_seconds
    while time.perf_counter() < warm_end:
        m = step(batcher.next())
    steps = 0
    start = time.perf_counter()
    while True:
        m = step(batcher.next())
        steps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= args.seconds:
            break
    rate = steps / elapsed
    d_loss, g_loss, d_real, d_fake = m
    out = {
        "impl": impl, "batch": b, "steps_per_sec": round(rate, 3),
        "d_loss": round(d_loss, 5), "g_loss": round(g_loss, 5),
        "d_real": round(d_real, 5), "d_fake": round(d_fake, 5),
        "gflops": round(rate * flops(b) / 1e9, 2),
        "steps": steps, "seconds": round(elapsed, 3), "first_call_s": round(first_call, 3),
    }
    if info:
        out.update(info())
    if args.json:
        print(json.dumps(out))
    else:
        print(f"{impl}  B={b}  {rate:.1f} steps/s  {out['gflops']} GFLOP/s  "
              f"(d_loss {d_loss:.4f}, g_loss {g_loss:.4f}, first call {first_call:.2f} s)")
    return 0


def check(impl, make_trainer, images, args):
    b = 64
    batcher = Batcher(images, b, args.seed)
    step = make_trainer(b, args.seed)
    ok = True
    early = []
    for i in range(1, args.check_steps + 1):
        d_loss, g_loss, d_real, d_fake = step(batcher.next())
        if not all(math.isfinite(v) for v in (d_loss, g_loss, d_real, d_fake)):
            ok = False
        if i <= 50:
            early.append(d_real - d_fake)
        if i == 1 or i % 20 == 0:
            print(f"{impl} step {i:4d}  d_loss {d_loss:.4f}  g_loss {g_loss:.4f}  "
                  f"D(real) {d_real:.3f}  D(fake) {d_fake:.3f}")
    gap = float(np.mean(early))
    print(f"{impl} check: losses finite: {ok}; mean D(real)-D(fake) over steps 1-50: {gap:+.3f}")
    if not ok or gap <= 0:
        print(f"{impl} check: FAILED", file=sys.stderr)
        return 1
    print(f"{impl} check: ok")
    return 0
