#!/usr/bin/env python3
"""gantop's quality meter in numpy (a tool for scripts and benchmarks, not the product).

Computes what `gantop sample --score` prints, the same way Sources/GANTraining does it:
the digit classifier (assets/classifier.safetensors: MLP 784-512-256-10, ReLU, inputs x/127.5-1),
the MNIST score exp(E_x KL(p(y|x) || p(y))), the arg-max class histogram ("all ten digits" = each
class >= 2 % of the samples), the mean confidence, and the Fréchet distance between the
classifier's 256 penultimate features of the samples and of the 10,000 MNIST test digits.

    python3 scripts/quality_meter.py samples.npy          # (N, 28, 28) u8 or f32 in [-1, 1]
    python3 scripts/quality_meter.py --test-set            # the MNIST test digits themselves
    python3 scripts/quality_meter.py --json samples.npy    # one JSON object

As a module: `Meter().measure(images)` with images (N, 784) float32 in [-1, 1].
"""

import argparse
import gzip
import json
import os
import struct
import sys

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CLASSIFIER = os.path.join(ROOT, "assets", "classifier.safetensors")
TEST_IMAGES = os.path.join(ROOT, "assets", "mnist", "t10k-images-idx3-ubyte.gz")
MINIMUM_SHARE = 0.02  # ModeCollapse.minimumShare


def read_safetensors(path):
    """{name: float32 array} and the metadata of a plain safetensors file."""
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    base = 8 + length
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise ValueError(f"{path}: {name} is {info['dtype']}, expected F32")
        start, end = info["data_offsets"]
        tensors[name] = np.frombuffer(data, "<f4", count=(end - start) // 4, offset=base + start).reshape(info["shape"])
    return tensors, header.get("__metadata__", {})


def load_idx_images(path=TEST_IMAGES):
    """IDX images as (count, 784) float32 in [-1, 1], scaled as gantop scales them."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count, rows, cols = struct.unpack(">IIII", data[:16])
    if magic != 0x803 or rows * cols != 784:
        raise ValueError(f"{path}: not a 28x28 IDX image file")
    pixels = np.frombuffer(data, np.uint8, count=count * 784, offset=16).reshape(count, 784)
    return to_unit_range(pixels)


def to_unit_range(images):
    """u8 pixels -> x/127.5 - 1 (float32); float input is taken as already in [-1, 1]."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return images.reshape(len(images), 784).astype(np.float32) / np.float32(127.5) - np.float32(1)
    return images.reshape(len(images), 784).astype(np.float32)


class Meter:
    def __init__(self, classifier=CLASSIFIER, test_images=TEST_IMAGES):
        tensors, meta = read_safetensors(classifier)
        if meta.get("format") != "gantop-classifier":
            raise ValueError(f"{classifier}: not a gantop classifier")
        self.layers = []
        i = 1
        while f"clf.fc{i}.weight" in tensors:
            self.layers.append((tensors[f"clf.fc{i}.weight"].T.copy(), tensors[f"clf.fc{i}.bias"].copy()))
            i += 1
        self.test_images = test_images
        self._reference = None

    def classify(self, images, chunk=1000):
        """(probabilities (N, 10) float32, features (N, 256) float32) of images (N, 784) in [-1, 1]."""
        probs, feats = [], []
        for start in range(0, len(images), chunk):
            h = images[start:start + chunk]
            for w, b in self.layers[:-1]:
                h = np.maximum(h @ w + b, 0)
            feats.append(h)
            logits = h @ self.layers[-1][0] + self.layers[-1][1]
            e = np.exp(logits - logits.max(axis=1, keepdims=True))
            probs.append(e / e.sum(axis=1, keepdims=True))
        return np.concatenate(probs), np.concatenate(feats)

    def reference(self):
        """The test set's feature mean, covariance and covariance square root (computed once)."""
        if self._reference is None:
            _, f = self.classify(load_idx_images(self.test_images))
            mean, cov = fit(f)
            w, v = np.linalg.eigh(cov)
            self._reference = (mean, cov, (v * np.sqrt(np.maximum(w, 0))) @ v.T)
        return self._reference

    def measure(self, images, frechet=True):
        """A dict: score, classes (>= 2 %), histogram, confidence, and the Fréchet distance."""
        images = to_unit_range(images)
        p, f = self.classify(images)
        hist = np.bincount(p.argmax(axis=1), minlength=10)
        out = {
            "count": len(images),
            "score": mnist_score(p),
            "classes": int((hist >= MINIMUM_SHARE * len(images)).sum()),
            "class_hist": hist.tolist(),
            "confidence": float(p.max(axis=1).astype(np.float64).mean()),
        }
        if frechet:
            out["fd"] = frechet_distance(self.reference(), f)
        return out


def mnist_score(p):
    """exp(E_x KL(p(y|x) || p(y))) in double precision (QualityMetrics.mnistScore)."""
    p = p.astype(np.float64)
    marginal = p.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * (np.log(p) - np.log(marginal)), 0.0)
    return float(np.exp(max(terms.sum() / len(p), 0.0)))


def fit(features):
    """Mean and unbiased covariance (GaussianFit), float64."""
    f = features.astype(np.float64)
    mean = f.mean(axis=0)
    x = f - mean
    return mean, (x.T @ x) / (len(f) - 1)


def frechet_distance(reference, features):
    """|mu1 - mu2|^2 + Tr(C1 + C2 - 2 (C1^1/2 C2 C1^1/2)^1/2) (FrechetDistance.Reference)."""
    mean_r, cov_r, root_r = reference
    mean, cov = fit(features)
    eig = np.linalg.eigvalsh(root_r @ cov @ root_r)
    d = float(((mean_r - mean) ** 2).sum() + np.trace(cov_r) + np.trace(cov) - 2 * np.sqrt(np.maximum(eig, 0)).sum())
    return max(d, 0.0)


def describe(m):
    line = (f"MNIST score {m['score']:.2f} on {m['count']} samples; confidence {m['confidence']:.3f}; "
            f"{m['classes']}/10 digits at >= 2 %")
    if "fd" in m:
        line += f"; Fréchet distance {m['fd']:.2f}"
    return line + "\nshare  " + " ".join(f"{100 * c / m['count']:5.1f}%" for c in m["class_hist"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("samples", nargs="?", help=".npy of shape (N, 28, 28) or (N, 784), u8 or f32 in [-1, 1]")
    ap.add_argument("--test-set", action="store_true", help="score the MNIST test digits")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--classifier", default=CLASSIFIER)
    args = ap.parse_args()
    if not args.samples and not args.test_set:
        ap.error("give a samples .npy or --test-set")
    meter = Meter(args.classifier)
    try:
        images = load_idx_images() if args.test_set else np.load(args.samples)
    except (OSError, ValueError) as e:
        print(f"quality_meter: {e}", file=sys.stderr)
        return 1
    m = meter.measure(images)
    print(json.dumps(m) if args.json else describe(m))
    return 0


if __name__ == "__main__":
    sys.exit(main())
