#!/usr/bin/env python3
"""Reference MLP GAN in Keras 3 on the JAX backend, written the way the classic Keras GAN recipe
does it (what a user would write): G and D are keras.Sequential models, D is compiled on its own,
the stacked model G -> D (D frozen) is compiled with its own Adam, and one step is
G.predict_on_batch(z), D.train_on_batch([real; fakes]), gan.train_on_batch(z, ones).
Keras's default on JAX is kept: jit_compile="auto" resolves to True, so every
train_on_batch / predict_on_batch runs one jax.jit-compiled (XLA) function.

  python gan_keras.py --batch-size 64 --seconds 5 --warmup-seconds 2 --json
  python gan_keras.py --check

Differences from the spec in common.py, all inherent in the recipe (see README.md):
  * G's forward pass runs twice per step (predict_on_batch for D's fakes, then again inside
    gan.train_on_batch), i.e. ~19 % more FLOPs than flops_per_step() counts (the reported
    GFLOP/s uses the spec's count, so it is "useful" GFLOP/s); the fakes go device -> host
    (numpy) -> device between the calls, and every train_on_batch syncs to return its losses.
  * Keras's Adam adds epsilon to the *uncorrected* sqrt(v) (lr_t = lr*sqrt(1-b2^t)/(1-b1^t);
    w -= lr_t * m / (sqrt(v) + eps)), i.e. PyTorch's form with eps / sqrt(1 - b2^t): 3.2e-7
    instead of 1e-8 at step 1, ~1.3e-8 by step 1000. Negligible unless a gradient is ~1e-7.
"""

import os
import sys

os.environ["KERAS_BACKEND"] = "jax"  # before keras is imported

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import keras  # noqa: E402
from keras import layers, ops  # noqa: E402

import common  # noqa: E402
from common import BETA1, BETA2, EPS, LATENT, LEAKY, LR  # noqa: E402


def mlp(sizes, out_activation, name):
    """Dense layers, LeakyReLU(0.2) between, `out_activation` on the last (None: linear)."""
    model = keras.Sequential(name=name)
    model.add(keras.Input(shape=(sizes[0],)))
    for i, units in enumerate(sizes[1:]):
        last = i == len(sizes) - 2
        model.add(layers.Dense(units, activation=out_activation if last else None,
                               kernel_initializer="glorot_uniform", bias_initializer="zeros"))
        if not last:
            model.add(layers.LeakyReLU(negative_slope=LEAKY))
    return model


def adam():
    return keras.optimizers.Adam(learning_rate=LR, beta_1=BETA1, beta_2=BETA2, epsilon=EPS)


# D's metrics, computed inside its compiled train step from the same logits as its loss
# (the rows labelled 1 are the real ones).
def d_real(y_true, y_pred):
    return ops.sum(ops.sigmoid(y_pred) * y_true) / ops.sum(y_true)


def d_fake(y_true, y_pred):
    return ops.sum(ops.sigmoid(y_pred) * (1 - y_true)) / ops.sum(1 - y_true)


def make_trainer(batch, seed, z_source=None):
    """step(real) -> (d_loss, g_loss, d_real, d_fake). z_source (tests only): callable giving the
    step's z as a numpy array."""
    keras.utils.set_random_seed(seed)
    generator = mlp(common.G_SIZES, "tanh", "generator")
    discriminator = mlp(common.D_SIZES, None, "discriminator")  # logit out
    # Keras's own Glorot-uniform draw is replaced by the numpy draw every reference uses, so that
    # all of them start from identical weights (same distribution; check_equivalence.py needs it).
    rng = np.random.default_rng(seed)
    for model, sizes in ((generator, common.G_SIZES), (discriminator, common.D_SIZES)):
        model.set_weights([a for wb in common.init_params_numpy(sizes, rng) for a in wb])

    discriminator.compile(optimizer=adam(), loss=keras.losses.BinaryCrossentropy(from_logits=True),
                          metrics=[d_real, d_fake])
    discriminator.trainable = False
    gan = keras.Sequential([generator, discriminator], name="gan")
    gan.compile(optimizer=adam(), loss=keras.losses.BinaryCrossentropy(from_logits=True))
    # Keras 3 (3.15 checked) reads `trainable` at every train_on_batch, not at compile time as
    # Keras 2 did: left False, D.train_on_batch would silently update nothing. So D is made
    # trainable for its own step and frozen again for the stacked model's, each model always
    # seeing the same trainable set (no retracing; each Adam is built on its own variables).

    noise = np.random.default_rng(seed + 0x5EED)
    y_d = np.concatenate([np.ones((batch, 1), np.float32), np.zeros((batch, 1), np.float32)])
    y_g = np.ones((batch, 1), np.float32)

    def step(real):
        z = (noise.uniform(-1.0, 1.0, (batch, LATENT)).astype(np.float32)
             if z_source is None else z_source())
        fakes = generator.predict_on_batch(z)
        discriminator.trainable = True
        d_logs = discriminator.train_on_batch(np.concatenate([real, fakes]), y_d, return_dict=True)
        discriminator.trainable = False
        g_loss = gan.train_on_batch(z, y_g)
        return (float(d_logs["loss"]), float(g_loss), float(d_logs["d_real"]), float(d_logs["d_fake"]))

    step.state = (generator, discriminator, gan)
    _compiled["jit_compile"] = bool(discriminator.jit_compile and gan.jit_compile)
    return step


_compiled = {}


def info():
    import jax

    return {"keras_version": keras.__version__, "jax_version": jax.__version__,
            "backend": f"keras-{keras.backend.backend()} on {jax.default_backend()}",
            "jit_compile": _compiled.get("jit_compile"), "xla_flags": os.environ.get("XLA_FLAGS", "")}


if __name__ == "__main__":
    sys.exit(common.run("keras", make_trainer, info))
