"""Shared pieces of the reference DCGAN benchmarks (issue #19): the spec, the two initialisation
rules, the FLOP count and the CLI; MNIST loading, batching and the timing loop come from common.py.
Each dcgan_*.py supplies only `make_trainer(batch, seed, z_source=None, init="dcgan")`.

The spec (must match Sources/Layers/DCGAN.swift):
  G: Linear(100, 6272) -> BatchNorm1d(6272) -> ReLU -> 128x7x7 -> ConvT(128, 64, 4, 2, 1) -> BN2d(64)
     -> ReLU -> ConvT(64, 1, 4, 2, 1) -> tanh
  D: Conv(1, 64, 4, 2, 1) -> LeakyReLU(0.2) -> Conv(64, 128, 4, 2, 1) -> BN2d(128) -> LeakyReLU(0.2)
     -> flatten -> Linear(6272, 1) (a logit; BCE on logits)
  BatchNorm: training mode throughout, eps 1e-5, momentum 0.1 (running var unbiased).
  Adam(2e-4, 0.5, 0.999, 1e-8) per network. The three-phase step of DCGANTrainer.step:
  (1) z ~ U(-1, 1)^100, fakes = G(z); (2) D on the real batch and on the fakes (constant) as two
  separate BatchNorm batches, loss = half of each batch's mean BCE, one Adam step; (3) the same
  fakes through the updated D (weights frozen, running statistics moving), -log sigmoid(D(G(z))),
  one Adam step for G.
"""

import numpy as np

import common

LATENT = 100
LEAKY = 0.2
BN_EPS, BN_MOMENTUM = 1e-5, 0.1
LR, BETA1, BETA2, EPS = common.LR, common.BETA1, common.BETA2, common.EPS

# (name, shape) of every trainable tensor in nn.Sequential state-dict order, and the layer kind.
G_PARAMS = [("0.weight", (6272, 100), "linear"), ("0.bias", (6272,), "linear"),
            ("1.weight", (6272,), "bn"), ("1.bias", (6272,), "bn"),
            ("4.weight", (128, 64, 4, 4), "convt"), ("4.bias", (64,), "convt"),
            ("5.weight", (64,), "bn"), ("5.bias", (64,), "bn"),
            ("7.weight", (64, 1, 4, 4), "convt"), ("7.bias", (1,), "convt")]
D_PARAMS = [("0.weight", (64, 1, 4, 4), "conv"), ("0.bias", (64,), "conv"),
            ("2.weight", (128, 64, 4, 4), "conv"), ("2.bias", (128,), "conv"),
            ("3.weight", (128,), "bn"), ("3.bias", (128,), "bn"),
            ("6.weight", (1, 6272), "linear"), ("6.bias", (1,), "linear")]
# BatchNorm layers (index, channels) whose running statistics are state.
G_NORMS = [("1", 6272), ("5", 64)]
D_NORMS = [("3", 128)]


def hash_uniform(tensor_index, count):
    """u in [0, 1) per element: splitmix64's finaliser of (tensor_index << 40 | i), top 53 bits,
    as scripts/dcgan-fixtures.py and Tests/LayersTests/DCGANEquivalenceTests compute it."""
    x = (np.uint64(tensor_index) << np.uint64(40)) | np.arange(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0 ** -53


def hash_init(specs, first_index):
    """{name: float32 array} by scripts/dcgan-fixtures.py's rule: weights and biases of linear/conv
    layers +-1/sqrt(fan in), BatchNorm gamma 1 +- 0.1, beta +- 0.1, from hash_uniform(index, n)."""
    out, index = {}, first_index
    weights = {name.split(".")[0]: shape for name, shape, _ in specs if name.endswith("weight")}
    for name, shape, kind in specs:
        if kind == "bn":
            offset, scale = (1.0, 0.1) if name.endswith("weight") else (0.0, 0.1)
        else:
            w = weights[name.split(".")[0]]
            fan_in = w[1] * int(np.prod(w[2:])) if kind != "linear" else w[1]
            offset, scale = 0.0, 1.0 / np.sqrt(fan_in)
        n = int(np.prod(shape))
        out[name] = (offset + scale * (2.0 * hash_uniform(index, n) - 1.0)).astype(np.float32).reshape(shape)
        index += 1
    return out, index


def dcgan_init(specs, rng):
    """DCGAN.initialise's rule (Radford et al.): conv, transposed-conv and linear weights N(0, 0.02),
    their biases 0; BatchNorm gamma N(1, 0.02), beta 0. Drawn from a numpy generator."""
    out = {}
    for name, shape, kind in specs:
        if name.endswith("bias"):
            out[name] = np.zeros(shape, np.float32)
        else:
            out[name] = ((1.0 if kind == "bn" else 0.0) + 0.02 * rng.standard_normal(shape)).astype(np.float32)
    return out


def initial_weights(seed, init):
    """(G's, D's) {name: array}: init "dcgan" (numpy generator of `seed`) or "hash" (the fixtures')."""
    if init == "hash":
        g, index = hash_init(G_PARAMS, 0)
        d, _ = hash_init(D_PARAMS, index)
        return g, d
    rng = np.random.default_rng(seed)
    return dcgan_init(G_PARAMS, rng), dcgan_init(D_PARAMS, rng)


def flops_per_step(batch):
    """Multiply-adds x 2 of one step: G forward; D forward three times (real, fake, phase 3); D's
    weight gradients twice (phase 2) and its input gradients three times, except the first layer's;
    G's weight gradients and its input gradients above its first layer. 9.415e9 at B = 64."""
    # per-sample MACs of each product
    g_lin, g_ct1, g_ct2 = 100 * 6272, 128 * 64 * 16 * 49, 64 * 1 * 16 * 196
    d_c1, d_c2, d_lin = 1 * 64 * 16 * 196, 64 * 128 * 16 * 49, 6272
    g_fwd = g_lin + g_ct1 + g_ct2
    d_fwd = d_c1 + d_c2 + d_lin
    d_wgrad = d_c1 + d_c2 + d_lin
    d_xgrad = d_c2 + d_lin          # no input gradient for D's first layer
    g_bwd = (g_lin + g_ct1 + g_ct2) + (g_ct1 + g_ct2)   # weight gradients + input gradients above layer 0
    macs = g_fwd + 3 * d_fwd + 2 * d_wgrad + 3 * d_xgrad + g_bwd
    return 2.0 * macs * batch

