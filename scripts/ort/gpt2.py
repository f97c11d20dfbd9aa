"""The PyTorch yardstick's GPT-2 (../pytorch_gpt2_yardstick.py) as a module, for
export.py and forward_torch.py. Same shapes, same random weights (torch.Generator seed 0, drawn in the yardstick's
order, so they are its weights), same ops. Two differences, neither changing a number: the sequence length comes
from the input (so the ONNX export can have a dynamic P), and blocks accept batch dims [..., P, D]. export.py checks this module against the yardstick itself."""
import math

import torch
import torch.nn.functional as F

SHAPES = {"small": (12, 12, 768), "medium": (24, 16, 1024), "large": (36, 20, 1280)}  # layers, heads, d_model
V, N_CTX = 50257, 1024


class Block(torch.nn.Module):
    def __init__(self, weights, n_heads):
        super().__init__()
        self.D, self.H = weights["ln1w"].shape[0], n_heads
        for name, t in weights.items():
            self.register_buffer(name, t)  # buffers, so the ONNX export names its initializers after them

    def forward(self, x, mask):  # x: resid_pre [..., P, D]; mask: [P, P] causal, -inf above the diagonal
        D, H = self.D, self.H
        dh = D // H
        heads = lambda t: t.reshape(t.shape[:-1] + (H, dh)).transpose(-3, -2)  # [..., P, D] -> [..., H, P, dh]
        h = F.layer_norm(x, (D,), self.ln1w, self.ln1b)
        q, k, v = (heads(t) for t in (h @ self.attn_w + self.attn_b).split(D, -1))
        z = ((q @ k.transpose(-1, -2)) / math.sqrt(dh) + mask).softmax(-1) @ v
        z = z.transpose(-3, -2)  # [..., P, H, dh]
        x = x + z.reshape(z.shape[:-2] + (D,)) @ self.proj_w + self.proj_b
        h = F.layer_norm(x, (D,), self.ln2w, self.ln2b)
        return x + F.gelu(h @ self.fc_w + self.fc_b, approximate="tanh") @ self.out_w + self.out_b


class GPT2(torch.nn.Module):
    def __init__(self, shape="small"):
        super().__init__()
        self.L, H, D = SHAPES[shape]
        self.D = D
        g = torch.Generator().manual_seed(0)
        r = lambda *s: torch.randn(*s, generator=g) * 0.02
        # Draw order is the yardstick's (Python evaluates the dict literals left to right).
        self.register_buffer("wte", r(V, D))
        self.register_buffer("wpe", r(N_CTX, D))
        self.blocks = torch.nn.ModuleList(
            Block(dict(ln1w=1 + r(D), ln1b=r(D), attn_w=r(D, 3 * D), attn_b=r(3 * D), proj_w=r(D, D), proj_b=r(D),
                       ln2w=1 + r(D), ln2b=r(D), fc_w=r(D, 4 * D), fc_b=r(4 * D), out_w=r(4 * D, D), out_b=r(D)), H)
            for _ in range(self.L))
        self.register_buffer("lnfw", 1 + r(D))
        self.register_buffer("lnfb", r(D))
        self.generator = g  # draws next what the yardstick draws next: its clean, then its corrupted tokens
        self.register_buffer("WU", self.wte.T.contiguous())
        self.register_buffer("mask", torch.full((N_CTX, N_CTX), float("-inf")).triu(1))

    def forward(self, ids, hook=None):
        """Token ids [1, P] -> logits [1, P, V] at every position. hook(layer, resid_pre) -> resid_pre, as in
        the yardstick."""
        # Unsqueezed before unembedding: an Unsqueeze of the logits would cost ONNX Runtime a copy of them.
        return self.unembed(self.blocks_from(0, self.embed(ids), hook).unsqueeze(0))

    def embed(self, ids):  # [1, P] -> resid_pre of block 0, [P, D]
        return self.wte[ids[0]] + self.wpe[: ids.shape[-1]]

    def blocks_from(self, start, x, hook=None):
        """Runs blocks start, start+1, ... on resid_pre x [..., P, D]; returns the final residual stream."""
        mask = self.mask[: x.shape[-2], : x.shape[-2]]
        for layer in range(start, self.L):
            if hook is not None:
                x = hook(layer, x)
            x = self.blocks[layer](x, mask)
        return x

    def unembed(self, x):  # final residual [..., D] -> logits [..., V]
        return F.layer_norm(x, (self.D,), self.lnfw, self.lnfb) @ self.WU
