"""PyTorch eager yardstick for GPT-2 (the ops TransformerLens runs, without its hook overhead),
written on 2-D [pos, d_model] activations so every product is one plain GEMM: the best case
for PyTorch on this machine.

Usage: python3 scripts/pytorch_gpt2_yardstick.py [small|medium|large] [positions] [threads]
Needs Debian's python3-torch and libopenblas0-pthread (apt-get install -y ...), run with
/usr/bin/python3, with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset for that command alone. The fastest thread
split depends on the CPU: try OPENBLAS_NUM_THREADS=1 with 2 torch threads (best seen on an AMD EPYC box) and
OPENBLAS_NUM_THREADS=2 with 1 torch thread (1.5x faster than that on an Intel Xeon box), and keep the faster:
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/pytorch_gpt2_yardstick.py small 38 2
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=2 /usr/bin/python3 scripts/pytorch_gpt2_yardstick.py small 38 1
Prints forward_ms (median of 7, all-position logits) and sweep_s (12 x 38 resid_pre patches for small). Random weights of a real GPT-2 shape; times a forward pass,
and a resid_pre patching sweep done the usual way (a full forward per layer and position)."""
import math, sys, time
import torch, torch.nn.functional as F

torch.set_grad_enabled(False)
torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 2)
SHAPES = {"small": (12, 12, 768), "medium": (24, 16, 1024), "large": (36, 20, 1280)}
L, H, D = SHAPES[sys.argv[1] if len(sys.argv) > 1 else "small"]
P = int(sys.argv[2]) if len(sys.argv) > 2 else 38
V, dh = 50257, D // H
g = torch.Generator().manual_seed(0)
r = lambda *s: torch.randn(*s, generator=g) * 0.02
W = dict(wte=r(V, D), wpe=r(1024, D))
blocks = [dict(ln1w=1 + r(D), ln1b=r(D), attn_w=r(D, 3 * D), attn_b=r(3 * D), proj_w=r(D, D), proj_b=r(D),
               ln2w=1 + r(D), ln2b=r(D), fc_w=r(D, 4 * D), fc_b=r(4 * D), out_w=r(4 * D, D), out_b=r(D)) for _ in range(L)]
lnfw, lnfb = 1 + r(D), r(D)
WU = W["wte"].T.contiguous()
mask = torch.full((P, P), float("-inf")).triu(1)


def forward(tokens, hook=None):
    x = W["wte"][tokens[0]] + W["wpe"][: tokens.shape[-1]]
    for l, b in enumerate(blocks):
        if hook is not None:
            x = hook(l, x)
        h = F.layer_norm(x, (D,), b["ln1w"], b["ln1b"])
        qkv = h @ b["attn_w"] + b["attn_b"]
        q, k, v = qkv.split(D, -1)
        q, k, v = (t.view(P, H, dh).transpose(0, 1) for t in (q, k, v))
        att = (q @ k.transpose(-1, -2)) / math.sqrt(dh) + mask
        z = att.softmax(-1) @ v
        x = x + z.transpose(0, 1).reshape(P, D) @ b["proj_w"] + b["proj_b"]
        h = F.layer_norm(x, (D,), b["ln2w"], b["ln2b"])
        x = x + F.gelu(h @ b["fc_w"] + b["fc_b"], approximate="tanh") @ b["out_w"] + b["out_b"]
    x = F.layer_norm(x, (D,), lnfw, lnfb)
    return x @ WU


tokens = torch.randint(0, V, (1, P), generator=g)
forward(tokens)
ts = []
for _ in range(7):
    t0 = time.perf_counter(); forward(tokens); ts.append(time.perf_counter() - t0)
ts.sort()
print(f"forward_ms {1000 * ts[len(ts) // 2]:.2f}")
# resid_pre patching sweep, done the usual way: one full forward per (layer, position)
clean = {}
forward(tokens, hook=lambda l, x: clean.setdefault(l, x.clone()) if False else (clean.__setitem__(l, x.clone()) or x))
corrupted = torch.randint(0, V, (1, P), generator=g)
t0 = time.perf_counter()
n = 0
for layer in range(L):
    for pos in range(P):
        def hook(l, x, layer=layer, pos=pos):
            if l == layer:
                x = x.clone(); x[pos] = clean[l][pos]
            return x
        forward(corrupted, hook)
        n += 1
print(f"sweep_s {time.perf_counter() - t0:.2f} runs {n}")
