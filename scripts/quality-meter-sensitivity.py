#!/usr/bin/env python3
"""How gantop's quality meter (scripts/quality_meter.py) reads the MNIST test set under small,
known distortions: pixel noise, a grey background, strokes one pixel thinner or thicker, a blur.

A diagnostic for the recipe study (docs/dcgan.md), not part of the product: it says which defects of
generated digits the score and the Fréchet distance punish, and by how much, without training anything.

    benchmarks/reference/.venv/bin/python scripts/quality-meter-sensitivity.py
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quality_meter  # noqa: E402


def shifted(img, dy, dx):
    return np.roll(np.roll(img, dy, 1), dx, 2)


def main():
    meter = quality_meter.Meter()
    x = quality_meter.load_idx_images()[:10000]
    img = x.reshape(-1, 28, 28)
    rng = np.random.default_rng(0)
    cases = [("test set", x)]
    for s in (0.02, 0.05, 0.1):
        cases.append((f"Gaussian noise σ {s}", np.clip(x + rng.normal(0, s, x.shape), -1, 1)))
    cases.append(("background −0.95 (not −1)", np.where(x < -0.9, -0.95, x)))
    cases.append(("strokes 1 px thinner (erode)", np.minimum(img, np.minimum(shifted(img, 1, 0), shifted(img, 0, 1)))))
    cases.append(("strokes 1 px thicker (dilate)", np.maximum(img, np.maximum(shifted(img, 1, 0), shifted(img, 0, 1)))))
    blur = (img + shifted(img, 1, 0) + shifted(img, -1, 0) + shifted(img, 0, 1) + shifted(img, 0, -1)) / 5
    cases.append(("blur (5-point cross)", blur))
    for name, y in cases:
        m = meter.measure(np.asarray(y, np.float32).reshape(-1, 784))
        print(f"{name:32s} score {m['score']:.2f}  confidence {m['confidence']:.3f}  FD {m['fd']:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
