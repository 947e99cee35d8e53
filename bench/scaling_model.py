#!/usr/bin/env python3
"""Predicts per-round time, speedup and efficiency of Kindling's synchronous parameter averaging.

Inputs (measured on the development machine; see docs/SCALING.md): per-step compute time of one
worker, the parameter/state/buffer counts, the Spark overhead per round. Usage:
    python3 bench/scaling_model.py            # prints the tables of docs/SCALING.md
"""

# model: (parameters P, optimizer state S (SGD keeps a momentum buffer + step), buffers B)
MODELS = {
    "cifarnet": (145_578, 145_579, 0),
    "resnet18": (11_181_642, 11_181_643, 9_620),
    "vgg16": (134_301_514, 134_301_515, 0),
}
LINKS = {"10 GbE": 1.25e9, "100 GbE": 12.5e9}  # bytes/s per node, full duplex


def bytes_per_worker(model, with_state=True):
    p, s, b = MODELS[model]
    return 4 * (p + (s if with_state else 0) + b)


def round_time(t_compute, overhead, m_bytes, link, workers):
    """T_round = compute + Spark overhead + communication.

    Communication, per round, with sharded averaging (W >= 2): every executor sends its M bytes
    of shards to the reducers and receives about M (the shards it reduces), the driver gathers the
    M bytes of averaged shards and broadcasts M to every executor (TorrentBroadcast: each executor
    receives M, peers share the blocks). On one link these are ~3 M / bandwidth in sequence, not
    growing with W. One worker without Spark has neither overhead nor communication.
    """
    if workers == 1:
        return t_compute
    return t_compute + overhead + 3 * m_bytes / link


def table(model, t_compute, overhead, k_batch, workers=(2, 4, 8, 16, 32, 64)):
    m = bytes_per_worker(model)
    rows = []
    for link_name, link in LINKS.items():
        for w in workers:
            t = round_time(t_compute, overhead, m, link, w)
            speedup = w * t_compute / t
            rows.append((link_name, w, t, speedup, speedup / w, w * k_batch / t))
    return m, rows


if __name__ == "__main__":
    import json, sys
    measured = json.load(open(sys.argv[1])) if len(sys.argv) > 1 else None
    print(json.dumps(measured, indent=1))
