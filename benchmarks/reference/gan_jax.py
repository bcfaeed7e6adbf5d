#!/usr/bin/env python3
"""Reference MLP GAN in JAX: the whole training step (noise, G forward, D update, G update) is one
jax.jit-compiled function, float32, with a hand-written PyTorch-style Adam.

  python gan_jax.py --batch-size 64 --seconds 5 --warmup-seconds 2 --json
  python gan_jax.py --check
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

import common  # noqa: E402
from common import BETA1, BETA2, EPS, LATENT, LEAKY, LR  # noqa: E402

jax.config.update("jax_enable_x64", False)


def mlp(params, x, out):
    """Dense layers with LeakyReLU(0.2) between; `out` applied to the last layer's output."""
    for i, (w, b) in enumerate(params):
        x = x @ w + b
        x = out(x) if i == len(params) - 1 else jnp.where(x >= 0, x, LEAKY * x)
    return x


def generator(params, z):
    return mlp(params, z, jnp.tanh)


def discriminator(params, x):
    return mlp(params, x, lambda v: v)[:, 0]  # logits


def bce_logits(logits, target):
    """Mean BCE on logits, the stable form max(z,0) - z*y + log1p(exp(-|z|))."""
    return jnp.mean(jnp.maximum(logits, 0) - logits * target + jnp.log1p(jnp.exp(-jnp.abs(logits))))


def adam(params, grads, state):
    """PyTorch-style bias-corrected Adam; state = (t, m, v)."""
    t, m, v = state
    t = t + 1
    tf = t.astype(jnp.float32)
    c1 = 1 - BETA1 ** tf
    c2 = 1 - BETA2 ** tf
    m = jax.tree.map(lambda m_, g: BETA1 * m_ + (1 - BETA1) * g, m, grads)
    v = jax.tree.map(lambda v_, g: BETA2 * v_ + (1 - BETA2) * g * g, v, grads)
    params = jax.tree.map(lambda p, m_, v_: p - LR * (m_ / c1) / (jnp.sqrt(v_ / c2) + EPS), params, m, v)
    return params, (t, m, v)


def adam_init(params):
    zeros = jax.tree.map(jnp.zeros_like, params)
    return (jnp.zeros((), jnp.int32), zeros, jax.tree.map(jnp.zeros_like, params))


def make_train_step(batch, external_z=False):
    def core(g_params, d_params, g_opt, d_opt, z, real):
        # (1) G forward once on the step's z, keeping its VJP for phase 3.
        fakes, g_vjp = jax.vjp(lambda gp: generator(gp, z), g_params)

        # (2) D on 2B rows [real; fakes], fakes constant, gradient wrt D's parameters only.
        x = jnp.concatenate([real, jax.lax.stop_gradient(fakes)], axis=0)
        y = jnp.concatenate([jnp.ones((batch,), jnp.float32), jnp.zeros((batch,), jnp.float32)])

        def d_loss_fn(dp):
            logits = discriminator(dp, x)
            return bce_logits(logits, y), logits

        (d_loss, logits), d_grads = jax.value_and_grad(d_loss_fn, has_aux=True)(d_params)
        d_params, d_opt = adam(d_params, d_grads, d_opt)
        probs = jax.nn.sigmoid(logits)
        d_real, d_fake = jnp.mean(probs[:batch]), jnp.mean(probs[batch:])

        # (3) G through the updated, frozen D (input gradient only), same z, labels 1.
        def g_loss_fn(f):
            return bce_logits(discriminator(d_params, f), jnp.ones((batch,), jnp.float32))

        g_loss, d_fakes = jax.value_and_grad(g_loss_fn)(fakes)
        (g_grads,) = g_vjp(d_fakes)
        g_params, g_opt = adam(g_params, g_grads, g_opt)

        metrics = jnp.stack([d_loss, g_loss, d_real, d_fake])
        return g_params, d_params, g_opt, d_opt, metrics

    if external_z:  # tests: z supplied by the caller
        return jax.jit(core)

    @jax.jit
    def train_step(g_params, d_params, g_opt, d_opt, key, real):
        key, sub = jax.random.split(key)
        z = jax.random.uniform(sub, (batch, LATENT), jnp.float32, -1.0, 1.0)  # B uniform z
        g_params, d_params, g_opt, d_opt, metrics = core(g_params, d_params, g_opt, d_opt, z, real)
        return g_params, d_params, g_opt, d_opt, key, metrics

    return train_step


def make_trainer(batch, seed, z_source=None):
    """step(real) -> (d_loss, g_loss, d_real, d_fake). z_source (tests only): callable giving the
    step's z as a numpy array, instead of drawing it inside the compiled step."""
    rng = np.random.default_rng(seed)
    g_params = [tuple(map(jnp.asarray, p)) for p in common.init_params_numpy(common.G_SIZES, rng)]
    d_params = [tuple(map(jnp.asarray, p)) for p in common.init_params_numpy(common.D_SIZES, rng)]
    state = [g_params, d_params, adam_init(g_params), adam_init(d_params)]
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


def info():
    return {"jax_version": jax.__version__, "backend": jax.default_backend(),
            "xla_flags": os.environ.get("XLA_FLAGS", "")}


if __name__ == "__main__":
    sys.exit(common.run("jax", make_trainer, info))
