#!/usr/bin/env python3
"""Screens DCGAN recipes in PyTorch (CPU) with gantop's quality meter (scripts/quality_meter.py).

A tool for choosing gantop's default DCGAN recipe, not part of the product. It trains the
reference DCGAN of issue #19 exactly as gantop's DCGANTrainer does (Sources/Layers/DCGAN.swift:
N(0, 0.02) init, z ~ U(-1, 1)^100, the three-phase step with D on the real and the fake batch as
separate BatchNorm batches and D's loss the mean over the 2B rows, G through the updated D in
training mode, non-saturating loss), with one knob at a time changed, and at chosen steps scores
10,000 fresh samples of several *sampling* variants at once (they do not change training):

  raw-batch    G's weights, BatchNorm on the statistics of each sampling batch of 64 (train mode)
  raw-running  G's weights, BatchNorm on its running statistics (eval mode)
  raw-recomp   G's weights, BatchNorm statistics recomputed over 2,048 fresh latents, then eval
  ema-batch    G's weight average (gantop's warm-up: d = min(DECAY, (1+t)/(10+t))), batch stats
  ema-running  the average, eval mode on its running statistics (averaged like the weights)
  ema-recomp   the average, statistics recomputed for it, then eval

One JSON line per (step, variant) goes to --log: recipe, seed, step, variant, score, classes,
histogram, confidence, FD, training wall time so far.

    nice -n 10 benchmarks/reference/.venv/bin/python scripts/dcgan-recipe.py --seed 1 \
        --steps 5000 --eval-at 1000,2000,5000 --name reference --log runs/q/reference.jsonl
    ... --name ls09 --real-label 0.9     (or --lr-d, --lr-g, --beta1, --d-steps, --d-channels,
                                          --d-norm separate|mixed|none, --lr-anneal, --batch)
"""

import argparse
import copy
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quality_meter  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
TRAIN_IMAGES = os.path.join(ROOT, "assets", "mnist", "train-images-idx3-ubyte.gz")
LATENT = 100


def generator(width=64, hidden=0):
    """The spec's G; `hidden` > 0 puts InfoGAN's MNIST layer in front: Linear(100, hidden) → BatchNorm → ReLU."""
    head = [nn.Linear(LATENT, hidden), nn.BatchNorm1d(hidden), nn.ReLU()] if hidden else []
    return nn.Sequential(
        *head, nn.Linear(hidden or LATENT, 2 * width * 49), nn.BatchNorm1d(2 * width * 49), nn.ReLU(), nn.Unflatten(1, (2 * width, 7, 7)),
        nn.ConvTranspose2d(2 * width, width, 4, 2, 1), nn.BatchNorm2d(width), nn.ReLU(),
        nn.ConvTranspose2d(width, 1, 4, 2, 1), nn.Tanh())


class MinibatchStd(nn.Module):
    """ProGAN's minibatch standard deviation (Karras et al. 2018): one more channel holding the mean
    over features of the batch's per-feature standard deviation, so that D sees how varied a batch
    is (a push against G's uneven digit mix)."""

    def forward(self, x):
        s = x.std(dim=0, unbiased=False).mean()
        return torch.cat([x, s.expand(x.shape[0], 1, *x.shape[2:])], dim=1)


def discriminator(width=64, norm=True, spectral=False, dropout=0.0, mbstd=False, hidden=0):
    """The spec's D; `spectral` wraps its three weights in PyTorch's spectral normalisation (one power
    iteration per training-mode forward), `dropout` follows each LeakyReLU (the TF DCGAN tutorial's 0.3);
    `hidden` > 0 reads the features through InfoGAN's MNIST layer, Linear(6272, hidden) → BatchNorm (if
    `norm`) → LeakyReLU, instead of one linear logit of them."""
    sn = nn.utils.parametrizations.spectral_norm if spectral else (lambda m: m)
    drop = (lambda: nn.Dropout(dropout)) if dropout > 0 else nn.Identity
    return nn.Sequential(
        sn(nn.Conv2d(1, width, 4, 2, 1)), nn.LeakyReLU(0.2), drop(),
        sn(nn.Conv2d(width, 2 * width, 4, 2, 1)), nn.BatchNorm2d(2 * width) if norm else nn.Identity(), nn.LeakyReLU(0.2), drop(),
        *([MinibatchStd()] if mbstd else []),
        nn.Flatten(), *dense_head((2 * width + (1 if mbstd else 0)) * 49, hidden, norm, sn))


def dense_head(features, hidden, norm, sn):
    if not hidden:
        return [sn(nn.Linear(features, 1))]
    return [sn(nn.Linear(features, hidden)), nn.BatchNorm1d(hidden) if norm else nn.Identity(), nn.LeakyReLU(0.2),
            sn(nn.Linear(hidden, 1))]


def initialise(net):
    """DCGAN.initialise: conv, transposed-conv and linear weights N(0, 0.02), biases 0; BN γ N(1, 0.02), β 0."""
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            # under spectral normalisation `weight` is computed; initialise what it is computed from
            w = m.parametrizations.weight.original if hasattr(m, "parametrizations") else m.weight
            with torch.no_grad():
                nn.init.normal_(w, 0, 0.02)
            nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            nn.init.normal_(m.weight, 1, 0.02)
            nn.init.zeros_(m.bias)


class Average:
    """gantop's G weight average: avg <- d avg + (1-d) G after every G update, d = min(decay, (1+t)/(10+t)).
    BatchNorm buffers are averaged the same way (used only by the running-statistics variant)."""

    def __init__(self, net, decay):
        self.net = copy.deepcopy(net)
        self.decay = decay
        self.updates = 0

    @torch.no_grad()
    def update(self, net):
        d = min(self.decay, (1 + self.updates) / (10 + self.updates))
        self.updates += 1
        for a, p in zip(self.net.state_dict().values(), net.state_dict().values()):
            if a.dtype.is_floating_point:
                a.mul_(d).add_(p, alpha=1 - d)
            else:
                a.copy_(p)


def latents(count, categories=0, gen=None, z_scale=1.0):
    """z: U(-1, 1) noise, and with `categories` > 0 InfoGAN's categorical code in its last columns
    (one-hot, uniform over the categories), so that G's input stays the spec's 100 wide."""
    z = (torch.rand(count, LATENT - categories, generator=gen) * 2 - 1) * z_scale
    if not categories:
        return z, None
    c = torch.randint(categories, (count,), generator=gen)
    return torch.cat([z, F.one_hot(c, categories).float()], dim=1), c


def info_head(hidden, categories):
    """InfoGAN's Q on D's hidden features: Linear(hidden, 128) → BatchNorm → LeakyReLU → logits of the code."""
    return nn.Sequential(nn.Linear(hidden, 128), nn.BatchNorm1d(128), nn.LeakyReLU(0.2), nn.Linear(128, categories))


@torch.no_grad()
def samples(net, mode, count, gen, chunk=64, z_scale=1.0, categories=0):
    """`count` images (count, 784) from `net` with BatchNorm in `mode`: batch | running | recompute."""
    net = copy.deepcopy(net)
    if mode == "recompute":
        for m in net.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.reset_running_stats()
                m.momentum = None  # a cumulative average over the batches below
        net.train()
        for _ in range(2048 // chunk):
            net(latents(chunk, categories, gen)[0])
    net.train(mode == "batch")
    out = [net(latents(min(chunk, count - s), categories, gen, z_scale)[0]) for s in range(0, count, chunk)]
    return torch.cat(out).reshape(count, 784).numpy()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--name", required=True, help="the recipe's name in the log")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--steps", type=int, default=5000)
    ap.add_argument("--eval-at", default="1000,2000,5000", help="steps to score at (comma-separated)")
    ap.add_argument("--samples", type=int, default=10000)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr-d", type=float, default=2e-4)
    ap.add_argument("--lr-g", type=float, default=2e-4)
    ap.add_argument("--beta1", type=float, default=0.5)
    ap.add_argument("--real-label", type=float, default=1.0, help="D's target on real images (0.9: one-sided smoothing)")
    ap.add_argument("--d-steps", type=int, default=1, help="D updates per G update")
    ap.add_argument("--d-channels", type=int, default=64, help="D's first conv width (the second is twice)")
    ap.add_argument("--g-channels", type=int, default=64, help="G's last hidden width (the first is twice)")
    ap.add_argument("--lr-anneal", default="none", help="START:END:FACTOR: both rates fall linearly from x1 at START to xFACTOR at END (gantop's --lr-anneal)")
    ap.add_argument("--d-norm", choices=["separate", "mixed", "none"], default="separate",
                    help="D's BatchNorm: separate real and fake batches (the spec), one batch of both (phase 2), or no BatchNorm in D")
    ap.add_argument("--spectral-norm", action="store_true", help="spectral normalisation of D's weights (Miyato et al. 2018)")
    ap.add_argument("--d-dropout", type=float, default=0.0, help="dropout after each of D's LeakyReLUs")
    ap.add_argument("--loss", choices=["bce", "hinge"], default="bce", help="bce: the spec (non-saturating G); hinge: SNGAN's D hinge, G -D(G(z))")
    ap.add_argument("--beta2", type=float, default=0.999)
    ap.add_argument("--d-hidden", type=int, default=0, help="InfoGAN's Linear(6272, N) + BatchNorm + LeakyReLU before D's logit")
    ap.add_argument("--g-hidden", type=int, default=0, help="InfoGAN's Linear(100, N) + BatchNorm + ReLU at G's input")
    ap.add_argument("--minibatch-std", action="store_true", help="ProGAN's minibatch standard deviation channel before D's Linear")
    ap.add_argument("--z-scales", default="1", help="sampling only: z ~ U(-s, s) for each s (truncation); variants get @s")
    ap.add_argument("--save-grids", help="directory for 100 samples (.npy) of each variant at each mark")
    ap.add_argument("--ema", type=float, default=0.999, help="cap of G's weight average decay")
    ap.add_argument("--variants", default="raw-batch,raw-running,ema-running,ema-recomp")
    ap.add_argument("--log", required=True, help="JSON lines are appended here")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--info-categories", type=int, default=0,
                    help="InfoGAN's categorical code: the last K of the 100 latents one-hot, Q on D's hidden layer (needs --d-hidden)")
    ap.add_argument("--info-weight", type=float, default=1.0, help="λ of InfoGAN's code loss, in D's (with Q) and G's loss")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    data = torch.from_numpy(quality_meter.load_idx_images(TRAIN_IMAGES).reshape(-1, 1, 28, 28))
    G = generator(args.g_channels, args.g_hidden)
    D = discriminator(args.d_channels, args.d_norm != "none", args.spectral_norm, args.d_dropout, args.minibatch_std, args.d_hidden)
    K = args.info_categories
    if K and (not args.d_hidden or args.d_norm == "mixed" or args.loss != "bce" or args.minibatch_std):
        sys.exit("dcgan-recipe: --info-categories needs --d-hidden, the bce loss, separate BatchNorm batches and no minibatch std")
    Q = info_head(args.d_hidden, K) if K else nn.Sequential()
    initialise(G)
    initialise(D)
    initialise(Q)
    opt_g = torch.optim.Adam(G.parameters(), lr=args.lr_g, betas=(args.beta1, args.beta2), eps=1e-8)
    opt_d = torch.optim.Adam(list(D.parameters()) + list(Q.parameters()), lr=args.lr_d, betas=(args.beta1, args.beta2), eps=1e-8)
    trunk, logit = (D[:-1], D[-1]) if K else (D, None)
    average = Average(G, args.ema)
    meter = quality_meter.Meter()
    marks = sorted(int(s) for s in args.eval_at.split(",") if s)
    variants = args.variants.split(",")
    recipe = {k: v for k, v in vars(args).items() if k not in ("log", "eval_at", "variants", "threads", "samples", "steps", "z_scales")}

    order, pos = rng.permutation(len(data)), 0
    B = args.batch
    ones, smooth, zeros = torch.ones(B, 1), torch.full((B, 1), args.real_label), torch.zeros(B, 1)
    trained = 0.0
    anneal = None if args.lr_anneal == "none" else [float(x) for x in args.lr_anneal.split(":")]
    for step in range(1, args.steps + 1):
        t0 = time.perf_counter()
        if anneal:
            start, end, factor = anneal
            scale = 1 if step <= start else factor if step >= end else 1 + (factor - 1) * (step - start) / (end - start)
            for opt, lr in ((opt_d, args.lr_d), (opt_g, args.lr_g)):
                for group in opt.param_groups:
                    group["lr"] = lr * scale
        for _ in range(args.d_steps):
            if pos + B > len(order):
                order, pos = rng.permutation(len(data)), 0
            real = data[order[pos:pos + B]]
            pos += B
            z, code = latents(B, K)
            fake = G(z)                                                # (1)
            opt_d.zero_grad(set_to_none=True)                          # (2) two BatchNorm batches
            if K:  # D's loss and Q's code loss on the fake batch's one pass through D's trunk
                h = trunk(fake.detach())
                d_loss = 0.5 * (F.binary_cross_entropy_with_logits(D(real), smooth)
                                + F.binary_cross_entropy_with_logits(logit(h), zeros))
                (d_loss + args.info_weight * F.cross_entropy(Q(h), code)).backward()
            elif args.d_norm == "mixed":
                logits = D(torch.cat([real, fake.detach()]))
                d_loss = 0.5 * (F.binary_cross_entropy_with_logits(logits[:B], smooth)
                                + F.binary_cross_entropy_with_logits(logits[B:], zeros))
            elif args.loss == "hinge":
                d_loss = 0.5 * (F.relu(1 - D(real)).mean() + F.relu(1 + D(fake.detach())).mean())
            else:
                d_loss = 0.5 * (F.binary_cross_entropy_with_logits(D(real), smooth)
                                + F.binary_cross_entropy_with_logits(D(fake.detach()), zeros))
            if not K:
                d_loss.backward()
            opt_d.step()
        opt_g.zero_grad(set_to_none=True)                              # (3) through the updated D
        for p in list(D.parameters()) + list(Q.parameters()):
            p.requires_grad_(False)
        if K:
            h = trunk(fake)
            g_loss = F.binary_cross_entropy_with_logits(logit(h), ones)
            (g_loss + args.info_weight * F.cross_entropy(Q(h), code)).backward()
        else:
            g_loss = -D(fake).mean() if args.loss == "hinge" else F.binary_cross_entropy_with_logits(D(fake), ones)
            g_loss.backward()
        for p in list(D.parameters()) + list(Q.parameters()):
            p.requires_grad_(True)
        opt_g.step()
        average.update(G)
        trained += time.perf_counter() - t0
        if step % 500 == 0:
            print(f"{args.name} seed {args.seed} step {step} d_loss {d_loss.item():.3f} g_loss {g_loss.item():.3f} "
                  f"({trained:.0f} s)", flush=True)
        if not (np.isfinite(d_loss.item()) and np.isfinite(g_loss.item())):
            print(f"{args.name} seed {args.seed}: non-finite loss at step {step}", file=sys.stderr)
            return 1
        if step in marks:
            gen = torch.Generator().manual_seed(1000 + args.seed)
            with open(args.log, "a") as log:
                for v in [f"{v}@{z}" if z != "1" else v for v in variants for z in args.z_scales.split(",")]:
                    which, mode = v.split("@")[0].split("-")
                    net = G if which == "raw" else average.net
                    z_scale = float(v.split("@")[1]) if "@" in v else 1.0
                    images = samples(net, {"recomp": "recompute"}.get(mode, mode), args.samples, gen, z_scale=z_scale, categories=K)
                    m = meter.measure(images)
                    if args.save_grids:
                        os.makedirs(args.save_grids, exist_ok=True)
                        np.save(os.path.join(args.save_grids, f"{args.name}-seed{args.seed}-step{step}-{v}.npy"), images[:100])
                    line = dict(recipe=args.name, seed=args.seed, step=step, variant=v, train_seconds=round(trained, 1),
                                d_loss=round(d_loss.item(), 4), g_loss=round(g_loss.item(), 4), **m, options=recipe)
                    log.write(json.dumps(line) + "\n")
                    print(f"{args.name} seed {args.seed} step {step} {v:<12} score {m['score']:.2f} "
                          f"classes {m['classes']} FD {m['fd']:.1f} ({trained:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
