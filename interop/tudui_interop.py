#!/usr/bin/python3
"""Kindling <-> PyTorch state_dict interop for the course's Tudui network, in safetensors.

Reads and writes safetensors without the `safetensors` package (8-byte little-endian header
length, JSON header, raw little-endian data), so Debian's python3-torch is enough.

    tudui_interop.py --state kindling.safetensors --input input.safetensors --out DIR

loads the Kindling-written state_dict into PyTorch's Tudui (load_state_dict, strict), writes its
logits on the input to DIR/torch_logits.safetensors, then builds a fresh Tudui
(torch.manual_seed(7)), writes its state_dict to DIR/torch_state.safetensors and its logits on the
same input to DIR/torch_fresh_logits.safetensors, for Kindling to load and compare.
"""
import argparse
import json
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "shared", "reference", "pytorch"))
from tudui_model import Tudui  # noqa: E402

DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        body = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        a, b = t["data_offsets"]
        arr = np.frombuffer(body[a:b], dtype=np.dtype(DTYPES[t["dtype"]]).newbyteorder("<"))
        out[name] = torch.from_numpy(arr.reshape(t["shape"]).copy())
    return out


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        data = t.detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
    os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--state", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(1)
    x = read_safetensors(a.input)["input"]
    model = Tudui()
    model.load_state_dict(read_safetensors(a.state), strict=True)
    model.eval()
    with torch.no_grad():
        write_safetensors(os.path.join(a.out, "torch_logits.safetensors"), {"logits": model(x)})
        torch.manual_seed(7)
        fresh = Tudui().eval()
        write_safetensors(os.path.join(a.out, "torch_state.safetensors"), fresh.state_dict())
        write_safetensors(os.path.join(a.out, "torch_fresh_logits.safetensors"), {"logits": fresh(x)})
    print("ok")


if __name__ == "__main__":
    main()
