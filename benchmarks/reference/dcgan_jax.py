#!/usr/bin/env python3
"""Reference DCGAN (issue #19) in JAX: the whole three-phase step of gantop's DCGANTrainer (noise,
G forward, D on the real and on the fake batch as separate BatchNorm batches, D's Adam, G through
the updated D, G's Adam, every running statistic) is one jax.jit-compiled function, float32, NCHW,
XLA's CPU convolutions. Spec: dcgan_common.py. Adam and the BCE are gan_jax.py's.

  python dcgan_jax.py --batch-size 64 --seconds 5 --warmup-seconds 2 --json
  python dcgan_jax.py --check
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
from jax import lax  # noqa: E402

import common  # noqa: E402
import dcgan_common as dc  # noqa: E402
from gan_jax import adam, adam_init, bce_logits  # noqa: E402

jax.config.update("jax_enable_x64", False)
NCHW = ("NCHW", "OIHW", "NCHW")


def linear(p, i, x):
    return x @ p[f"{i}.weight"].T + p[f"{i}.bias"]


def conv(p, i, x):
    """nn.Conv2d(k=4, stride 2, padding 1), weight [out, in, 4, 4]."""
    y = lax.conv_general_dilated(x, p[f"{i}.weight"], (2, 2), ((1, 1), (1, 1)), dimension_numbers=NCHW)
    return y + p[f"{i}.bias"][None, :, None, None]


def conv_transpose(p, i, x):
    """nn.ConvTranspose2d(k=4, stride 2, padding 1), weight [in, out, 4, 4]: a stride-1 convolution
    of the 2-dilated input, padded by k - 1 - p = 2, with the kernel flipped and in/out swapped."""
    w = jnp.flip(p[f"{i}.weight"].transpose(1, 0, 2, 3), (2, 3))
    y = lax.conv_general_dilated(x, w, (1, 1), ((2, 2), (2, 2)), lhs_dilation=(2, 2), dimension_numbers=NCHW)
    return y + p[f"{i}.bias"][None, :, None, None]


def batch_norm(p, s, i, x, axes):
    """Training-mode BatchNorm: batch mean and biased variance; running statistics moved by momentum
    towards the mean and the unbiased variance. Returns (y, new running statistics of layer i)."""
    shape = [1] * x.ndim
    shape[1] = x.shape[1]
    mean = jnp.mean(x, axis=axes)
    var = jnp.mean(jnp.square(x - mean.reshape(shape)), axis=axes)
    n = x.size // x.shape[1]
    y = (x - mean.reshape(shape)) * lax.rsqrt(var.reshape(shape) + dc.BN_EPS)
    y = y * p[f"{i}.weight"].reshape(shape) + p[f"{i}.bias"].reshape(shape)
    m = dc.BN_MOMENTUM
    stats = {f"{i}.running_mean": (1 - m) * s[f"{i}.running_mean"] + m * lax.stop_gradient(mean),
             f"{i}.running_var": (1 - m) * s[f"{i}.running_var"] + m * lax.stop_gradient(var) * (n / (n - 1))}
    return y, stats


def generator(p, s, z):
    x = linear(p, 0, z)
    x, s1 = batch_norm(p, s, 1, x, (0,))
    x = jax.nn.relu(x).reshape(-1, 128, 7, 7)
    x = conv_transpose(p, 4, x)
    x, s5 = batch_norm(p, s, 5, x, (0, 2, 3))
    x = conv_transpose(p, 7, jax.nn.relu(x))
    return jnp.tanh(x).reshape(-1, 784), {**s1, **s5}


def discriminator(p, s, images):
    x = conv(p, 0, images.reshape(-1, 1, 28, 28))
    x = jnp.where(x > 0, x, dc.LEAKY * x)
    x = conv(p, 2, x)
    x, s3 = batch_norm(p, s, 3, x, (0, 2, 3))
    x = jnp.where(x > 0, x, dc.LEAKY * x).reshape(x.shape[0], -1)
    return linear(p, 6, x)[:, 0], s3


def make_train_step(batch, external_z=False):
    def core(g_params, d_params, g_stats, d_stats, g_opt, d_opt, z, real):
        # (1) G forward once; its VJP is kept for phase 3. G's running statistics move once.
        fakes, g_vjp, g_stats = jax.vjp(lambda gp: generator(gp, g_stats, z), g_params, has_aux=True)
        constant = lax.stop_gradient(fakes)

        # (2) D on the real batch, then on the fakes: separate BatchNorm batches, half of each mean BCE.
        def d_loss_fn(dp):
            real_logits, s = discriminator(dp, d_stats, real)
            fake_logits, s = discriminator(dp, s, constant)
            loss = 0.5 * bce_logits(real_logits, 1.0) + 0.5 * bce_logits(fake_logits, 0.0)
            return loss, (s, real_logits, fake_logits)

        (d_loss, (d_stats, real_logits, fake_logits)), d_grads = jax.value_and_grad(d_loss_fn, has_aux=True)(d_params)
        d_params, d_opt = adam(d_params, d_grads, d_opt)

        # (3) the same fakes through the updated D (input gradient only; its statistics move again).
        def g_loss_fn(f):
            logits, s = discriminator(d_params, d_stats, f)
            return bce_logits(logits, 1.0), s

        (g_loss, d_stats), d_fakes = jax.value_and_grad(g_loss_fn, has_aux=True)(fakes)
        (g_grads,) = g_vjp(d_fakes)
        g_params, g_opt = adam(g_params, g_grads, g_opt)
        metrics = jnp.stack([d_loss, g_loss, jnp.mean(jax.nn.sigmoid(real_logits)), jnp.mean(jax.nn.sigmoid(fake_logits))])
        return g_params, d_params, g_stats, d_stats, g_opt, d_opt, metrics

    if external_z:  # tests: z supplied by the caller
        return jax.jit(core)

    @jax.jit
    def train_step(g_params, d_params, g_stats, d_stats, g_opt, d_opt, key, real):
        key, sub = jax.random.split(key)
        z = jax.random.uniform(sub, (batch, dc.LATENT), jnp.float32, -1.0, 1.0)
        *state, metrics = core(g_params, d_params, g_stats, d_stats, g_opt, d_opt, z, real)
        return (*state, key, metrics)

    return train_step


def initial_stats(norms):
    out = {}
    for i, channels in norms:
        out[f"{i}.running_mean"] = jnp.zeros((channels,), jnp.float32)
        out[f"{i}.running_var"] = jnp.ones((channels,), jnp.float32)
    return out


def make_trainer(batch, seed, z_source=None, init="dcgan"):
    """step(real) -> (d_loss, g_loss, d_real, d_fake). z_source (tests only): callable giving the
    step's z as a numpy array, instead of drawing it inside the compiled step."""
    g_init, d_init = dc.initial_weights(seed, init)
    g_params = {k: jnp.asarray(v) for k, v in g_init.items()}
    d_params = {k: jnp.asarray(v) for k, v in d_init.items()}
    state = [g_params, d_params, initial_stats(dc.G_NORMS), initial_stats(dc.D_NORMS),
             adam_init(g_params), adam_init(d_params)]
    if z_source is None:
        state.append(jax.random.PRNGKey(seed))
    train_step = make_train_step(batch, external_z=z_source is not None)

    def step(real):
        if z_source is None:
            *new_state, metrics = train_step(*state, real)
        else:
            *new_state, metrics = train_step(*state, z_source(), real)
        state[:] = new_state
        return tuple(float(v) for v in np.asarray(metrics))  # one device->host copy; syncs the step

    step.state = state
    return step


def state_dicts(state):
    """{"G.<name>": array, "D.<name>": array} of parameters and running statistics."""
    g, d, gs, ds = state[:4]
    return {f"{prefix}{k}": np.asarray(v) for prefix, tree in (("G.", {**g, **gs}), ("D.", {**d, **ds}))
            for k, v in tree.items()}


def info():
    return {"jax_version": jax.__version__, "backend": jax.default_backend(),
            "xla_flags": os.environ.get("XLA_FLAGS", "")}


if __name__ == "__main__":
    sys.exit(common.run("jax", make_trainer, info, flops=dc.flops_per_step, model="DCGAN"))
