#!/usr/bin/env python3
"""A small MNIST GAN in PyTorch that logs the standard way, for `gantop watch`.

It reads gantop's own copy of MNIST (assets/mnist/train-images-idx3-ubyte.gz), so nothing is
downloaded, and logs with torch.utils.tensorboard.SummaryWriter exactly as a real training
script does: add_scalar('Loss/D', ...), add_scalar('Loss/G', ...) and, every --image-every
steps, add_image('samples', make_grid(...)) of 64 digits from fixed latent vectors, 8 wide.

    python3 examples/pytorch-gan/train.py --logdir runs/torch-gan
    gantop watch runs/torch-gan          # in another terminal (or over SSH)
"""
import argparse
import gzip
import os

import numpy as np
import torch
from torch import nn
from torch.utils.tensorboard import SummaryWriter

try:
    from torchvision.utils import make_grid
except ImportError:  # torchvision is optional: the same grid, by hand
    def make_grid(images, nrow=8, padding=2, normalize=False, value_range=None):
        if normalize:
            lo, hi = value_range if value_range else (images.min().item(), images.max().item())
            images = (images.clamp(lo, hi) - lo) / max(hi - lo, 1e-5)
        n, c, h, w = images.shape
        if c == 1:
            images = images.repeat(1, 3, 1, 1)  # torchvision makes single-channel grids RGB too
        rows = (n + nrow - 1) // nrow
        grid = torch.zeros(3, rows * (h + padding) + padding, nrow * (w + padding) + padding)
        for i in range(n):
            y, x = padding + (i // nrow) * (h + padding), padding + (i % nrow) * (w + padding)
            grid[:, y:y + h, x:x + w] = images[i]
        return grid


def load_mnist(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    count = int.from_bytes(data[4:8], "big")
    pixels = np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, 784)
    return torch.from_numpy(pixels.astype(np.float32) / 127.5 - 1)  # [-1, 1], as tanh makes them


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--logdir", default="runs/torch-gan")
    p.add_argument("--data", default=os.path.join(here, "..", "..", "assets", "mnist", "train-images-idx3-ubyte.gz"))
    p.add_argument("--steps", type=int, default=5000)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--log-every", type=int, default=10)
    p.add_argument("--image-every", type=int, default=250)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()

    torch.manual_seed(args.seed)
    images = load_mnist(args.data)
    z_dim = 64
    G = nn.Sequential(nn.Linear(z_dim, 256), nn.LeakyReLU(0.2), nn.Linear(256, 512), nn.LeakyReLU(0.2),
                      nn.Linear(512, 784), nn.Tanh())
    D = nn.Sequential(nn.Linear(784, 512), nn.LeakyReLU(0.2), nn.Linear(512, 256), nn.LeakyReLU(0.2),
                      nn.Linear(256, 1))
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    fixed_z = torch.randn(64, z_dim)
    ones, zeros = torch.ones(args.batch, 1), torch.zeros(args.batch, 1)

    writer = SummaryWriter(args.logdir)  # the default: flushed every 120 s or every 10 events
    for step in range(1, args.steps + 1):
        real = images[torch.randint(0, len(images), (args.batch,))]
        fake = G(torch.randn(args.batch, z_dim))
        d_real, d_fake = D(real), D(fake.detach())
        loss_d = bce(d_real, ones) + bce(d_fake, zeros)
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = bce(D(fake), ones)  # non-saturating G loss
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()

        if step % args.log_every == 0:
            writer.add_scalar("Loss/D", loss_d.item(), step)
            writer.add_scalar("Loss/G", loss_g.item(), step)
            writer.add_scalar("D(x)", torch.sigmoid(d_real).mean().item(), step)
            writer.add_scalar("D(G(z))", torch.sigmoid(d_fake).mean().item(), step)
        if step % args.image_every == 0 or step == 1:
            with torch.no_grad():
                samples = G(fixed_z).view(64, 1, 28, 28)
            writer.add_image("samples", make_grid(samples, nrow=8, padding=2, normalize=True, value_range=(-1, 1)), step)
            print(f"step {step}  loss_D {loss_d.item():.3f}  loss_G {loss_g.item():.3f}", flush=True)
    writer.close()


if __name__ == "__main__":
    main()
