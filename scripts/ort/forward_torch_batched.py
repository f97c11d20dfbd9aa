"""PyTorch eager forward of the yardstick's GPT-2 on a batch of sequences, for the dataset jobs' throughput.
Usage: python3 forward_torch_batched.py SHAPE BATCH P THREADS
Prints `torch SHAPE batch BATCH P tokens_per_s X` (BATCH x P tokens over the median of 7 forward passes after 3
warm-ups, all-position logits). Run with the yardstick's environment (see scripts/pytorch_gpt2_yardstick.py)."""
import sys
import time

import torch

from gpt2 import GPT2, V

shape, B, P, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
model = GPT2(shape)
ids = torch.randint(0, V, (B, P), generator=model.generator)


def forward():
    x = model.wte[ids] + model.wpe[:P]  # [B, P, D]: the blocks take any leading dimensions
    return model.unembed(model.blocks_from(0, x))


with torch.no_grad():
    for _ in range(3):
        forward()
    ts = []
    for _ in range(7):
        t0 = time.perf_counter(); forward(); ts.append(time.perf_counter() - t0)
print(f"torch {shape} batch {B} {P} tokens_per_s {B * P / sorted(ts)[3]:.0f}", flush=True)
