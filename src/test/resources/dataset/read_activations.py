"""Reads a `jlens activations` folder with json and numpy only (the safetensors layout: an 8-byte little-endian
header length, the JSON header, then the tensors' bytes) and prints, for one row, its tokens and each hook's
activations as JSON: {"tokens": [...], "<hook>": {"shape": [...], "values": [...]}}."""
import json
import struct
import sys

import numpy as np


def read_shard(path):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", info
        start, end = info["data_offsets"]
        tensors[name] = np.frombuffer(data[start:end], dtype="<f4").reshape(info["shape"])
    return header.get("__metadata__", {}), tensors


def main(folder, row):
    with open(f"{folder}/manifest.json") as f:
        manifest = json.load(f)
    for shard in manifest["shards"]:
        first = shard["first_row"]
        if first <= row < first + shard["rows"]:
            metadata, tensors = read_shard(f"{folder}/{shard['file']}")
            assert json.loads(metadata["tokens"]) == shard["tokens"]
            out = {"tokens": shard["tokens"][row - first]}
            for hook, info in manifest["hooks"].items():
                values = tensors[hook][row - first]
                assert list(values.shape) == info["shape"], (hook, values.shape, info["shape"])
                out[hook] = {"shape": list(values.shape), "values": [float(v) for v in values.reshape(-1)]}
            print(json.dumps(out))
            return
    sys.exit(f"row {row} is in no shard")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
