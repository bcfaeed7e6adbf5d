#!/usr/bin/env python3
"""Reference MLP GAN in PyTorch eager mode, float32, torch.set_num_threads(2), torch.optim.Adam.

  python gan_torch.py --batch-size 64 --seconds 5 --warmup-seconds 2 --json
  python gan_torch.py --check
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

import common  # noqa: E402
from common import BETA1, BETA2, EPS, LATENT, LEAKY, LR  # noqa: E402

THREADS = int(os.environ.get("GAN_BENCH_THREADS", "2"))
torch.set_num_threads(THREADS)


class MLP(nn.Module):
    def __init__(self, init, out):
        super().__init__()
        self.layers = nn.ModuleList()
        for w, b in init:  # numpy W is [in, out]; nn.Linear stores [out, in]
            lin = nn.Linear(w.shape[0], w.shape[1])
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(w.T)))
                lin.bias.copy_(torch.from_numpy(b))
            self.layers.append(lin)
        self.out = out

    def forward(self, x):
        last = len(self.layers) - 1
        for i, lin in enumerate(self.layers):
            x = lin(x)
            x = self.out(x) if i == last else F.leaky_relu(x, LEAKY)
        return x


def make_trainer(batch, seed, z_source=None):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    g = MLP(common.init_params_numpy(common.G_SIZES, rng), torch.tanh)
    d = MLP(common.init_params_numpy(common.D_SIZES, rng), lambda v: v)
    g_opt = torch.optim.Adam(g.parameters(), lr=LR, betas=(BETA1, BETA2), eps=EPS)
    d_opt = torch.optim.Adam(d.parameters(), lr=LR, betas=(BETA1, BETA2), eps=EPS)
    d_params = list(d.parameters())
    y_d = torch.cat([torch.ones(batch, 1), torch.zeros(batch, 1)])
    y_g = torch.ones(batch, 1)
    z = torch.empty(batch, LATENT)

    def step(real_np):
        real = torch.from_numpy(real_np)
        # (1) B uniform z, G forward once (its graph kept for phase 3).
        if z_source is None:
            z.uniform_(-1.0, 1.0)
        else:
            z.copy_(torch.from_numpy(z_source()))
        fakes = g(z)
        # (2) D on [real; fakes] (2B rows), fakes constant.
        logits = d(torch.cat([real, fakes.detach()]))
        d_loss = F.binary_cross_entropy_with_logits(logits, y_d)
        d_opt.zero_grad(set_to_none=True)
        d_loss.backward()
        d_opt.step()
        # (3) G through the updated D, D frozen (no weight grads), same fakes/z, labels 1.
        for p in d_params:
            p.requires_grad_(False)
        g_loss = F.binary_cross_entropy_with_logits(d(fakes), y_g)
        g_opt.zero_grad(set_to_none=True)
        g_loss.backward()
        g_opt.step()
        for p in d_params:
            p.requires_grad_(True)
        with torch.no_grad():
            probs = torch.sigmoid(logits.detach())
            m = torch.stack([d_loss.detach(), g_loss.detach(), probs[:batch].mean(), probs[batch:].mean()])
        return tuple(m.tolist())

    step.state = (g, d)
    return step


def info():
    return {"torch_version": torch.__version__, "torch_threads": torch.get_num_threads()}


if __name__ == "__main__":
    sys.exit(common.run("torch", make_trainer, info))
