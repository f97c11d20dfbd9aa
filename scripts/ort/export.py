"""Exports the PyTorch yardstick's GPT-2 (gpt2.py) to ONNX for bench.mjs, checking two things on the way:
  1. gpt2.py has the yardstick's weights and logits: the yardstick's own definitions (its code before it draws
     tokens and times anything) run here and are compared with gpt2.py;
  2. the ONNX model, run by onnxruntime-node with bench.mjs's session options, gives PyTorch's logits within 1e-3
     on a random 38-token input (the export is traced at 7 tokens, so a length baked into the graph shows here).
Usage: /usr/bin/python3 export.py SHAPE OUT.onnx NODE_DIR    (NODE_DIR: bench.mjs with onnxruntime-node installed)
Writes OUT.onnx: input input_ids int64 [1, P], P dynamic up to 1024; output logits float32 [1, P, 50257] at every
position. Large passes protobuf's 2 GB limit, so give it a path inside a folder of its own: its tensors are
written one file each beside it. Written under a temporary name and renamed when whole."""
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

from gpt2 import GPT2, SHAPES, V

HERE = os.path.dirname(os.path.abspath(__file__))
YARDSTICK = os.path.join(HERE, "..", "pytorch_gpt2_yardstick.py")
P_CHECK, TOL = 38, 1e-3


def check_against_yardstick(model, shape):
    head, found, _ = open(YARDSTICK).read().partition("\ntokens = torch.randint(")
    if not found:
        sys.exit(f"{YARDSTICK}: no 'tokens = torch.randint(' line to stop at; the yardstick changed, update this check")
    argv, sys.argv = sys.argv, [YARDSTICK, shape, str(P_CHECK)]  # the yardstick reads shape and P from argv
    ns = {}
    try:
        exec(compile(head, YARDSTICK, "exec"), ns)
    finally:
        sys.argv = argv
    theirs = [ns["W"]["wte"], ns["W"]["wpe"], *(t for b in ns["blocks"] for t in b.values()), ns["lnfw"], ns["lnfb"]]
    ours = [model.wte, model.wpe, *(t for b in model.blocks for t in b.buffers()), model.lnfw, model.lnfb]
    if len(theirs) != len(ours) or not all(torch.equal(a, b) for a, b in zip(theirs, ours)):
        sys.exit("gpt2.py's weights differ from the yardstick's")
    ids = torch.randint(0, V, (1, P_CHECK), generator=torch.Generator().manual_seed(1))
    diff = (ns["forward"](ids) - model(ids)[0]).abs().max().item()
    print(f"check gpt2.py vs yardstick: weights equal, logits max_abs_diff {diff:.2e}", file=sys.stderr)
    if diff > 1e-5:
        sys.exit("gpt2.py's logits differ from the yardstick's")


def export(model, path):
    part = path + ".part"  # renamed when whole, so a crash never leaves a file that looks finished
    ids = torch.zeros(1, 7, dtype=torch.long)
    torch.onnx.export(model, (ids,), part, opset_version=17, input_names=["input_ids"], output_names=["logits"],
                      dynamic_axes={"input_ids": {1: "P"}, "logits": {1: "P"}}, do_constant_folding=True)
    return part


def check_onnx(model, path, node_dir):
    ids = torch.randint(0, V, (1, P_CHECK), generator=torch.Generator().manual_seed(2))
    want = model(ids)[0].numpy()
    with tempfile.TemporaryDirectory() as tmp:
        ids_file, logits_file = os.path.join(tmp, "ids.bin"), os.path.join(tmp, "logits.bin")
        ids.numpy().astype("<i8").tofile(ids_file)
        subprocess.run(["node", os.path.join(node_dir, "bench.mjs"), "--logits", path, ids_file, logits_file], check=True)
        got = np.fromfile(logits_file, dtype="<f4").reshape(want.shape)
    diff = float(np.abs(got - want).max())
    print(f"check onnxruntime-node vs PyTorch: logits max_abs_diff {diff:.2e} ({P_CHECK} tokens, tolerance {TOL})",
          file=sys.stderr)
    if not diff <= TOL:
        sys.exit(f"{path}: ONNX Runtime's logits differ from PyTorch's by {diff}")


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in SHAPES:
        sys.exit(f"usage: export.py {{{','.join(SHAPES)}}} OUT.onnx NODE_DIR")
    shape, path, node_dir = sys.argv[1:]
    torch.set_grad_enabled(False)
    model = GPT2(shape)
    check_against_yardstick(model, shape)
    part = export(model, path)
    check_onnx(model, part, node_dir)
    os.replace(part, path)
