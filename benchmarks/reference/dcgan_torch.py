#!/usr/bin/env python3
"""Reference DCGAN (issue #19) in PyTorch eager mode, float32, torch.set_num_threads(2) (oneDNN
convolutions), torch.optim.Adam; the three-phase step of gantop's DCGANTrainer (dcgan_common.py).

  python dcgan_torch.py --batch-size 64 --seconds 5 --warmup-seconds 2 --json
  python dcgan_torch.py --check
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

import common  # noqa: E402
import dcgan_common as dc  # noqa: E402

THREADS = int(os.environ.get("GAN_BENCH_THREADS", "2"))
torch.set_num_threads(THREADS)


def generator():
    return nn.Sequential(
        nn.Linear(dc.LATENT, 128 * 7 * 7), nn.BatchNorm1d(128 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (128, 7, 7)),
        nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())


def discriminator():
    return nn.Sequential(
        nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(dc.LEAKY), nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128),
        nn.LeakyReLU(dc.LEAKY), nn.Flatten(), nn.Linear(128 * 7 * 7, 1))


def load(net, values):
    with torch.no_grad():
        for name, p in net.named_parameters():
            p.copy_(torch.from_numpy(values[name]))


def make_trainer(batch, seed, z_source=None, init="dcgan"):
    torch.manual_seed(seed)
    g, d = generator(), discriminator()
    g_init, d_init = dc.initial_weights(seed, init)
    load(g, g_init)
    load(d, d_init)
    g.train()
    d.train()
    g_opt = torch.optim.Adam(g.parameters(), lr=dc.LR, betas=(dc.BETA1, dc.BETA2), eps=dc.EPS)
    d_opt = torch.optim.Adam(d.parameters(), lr=dc.LR, betas=(dc.BETA1, dc.BETA2), eps=dc.EPS)
    d_params = list(d.parameters())
    ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)
    z = torch.empty(batch, dc.LATENT)

    def step(real_np):
        real = torch.from_numpy(real_np).view(-1, 1, 28, 28)  # real_np: a fresh, writable batch
        # (1) z, G forward once (its graph kept for phase 3).
        if z_source is None:
            z.uniform_(-1.0, 1.0)
        else:
            z.copy_(torch.from_numpy(z_source()))
        fakes = g(z)
        # (2) D on the real batch, then on the fakes: separate BatchNorm batches, one update.
        d_opt.zero_grad(set_to_none=True)
        out_real = d(real)
        loss_real = F.binary_cross_entropy_with_logits(out_real, ones)
        (0.5 * loss_real).backward()
        out_fake = d(fakes.detach())
        loss_fake = F.binary_cross_entropy_with_logits(out_fake, zeros)
        (0.5 * loss_fake).backward()
        d_opt.step()
        # (3) the same fakes through the updated, frozen D; non-saturating loss into G.
        for p in d_params:
            p.requires_grad_(False)
        g_opt.zero_grad(set_to_none=True)
        g_loss = F.binary_cross_entropy_with_logits(d(fakes), ones)
        g_loss.backward()
        g_opt.step()
        for p in d_params:
            p.requires_grad_(True)
        with torch.no_grad():
            m = torch.stack([0.5 * (loss_real + loss_fake), g_loss, torch.sigmoid(out_real).mean(),
                             torch.sigmoid(out_fake).mean()])
        return tuple(m.tolist())

    step.state = (g, d)
    return step


def state_dicts(state):
    """{"G.<name>": array, "D.<name>": array} of parameters and buffers (running statistics)."""
    g, d = state
    return {f"{prefix}{k}": v.detach().numpy().copy() for prefix, net in (("G.", g), ("D.", d))
            for k, v in net.state_dict().items()}


def info():
    return {"torch_version": torch.__version__, "torch_threads": torch.get_num_threads(),
            "mkldnn": torch.backends.mkldnn.is_available()}


if __name__ == "__main__":
    sys.exit(common.run("torch", make_trainer, info, flops=dc.flops_per_step, model="DCGAN"))
