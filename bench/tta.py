#!/usr/bin/python3
"""Time to accuracy and memory over a long run (part of bench/run.sh; a benchmark, not a test).

PyTorch's bench_train.py trains the main job's recipe (cifarnet/Tudui, batch 64, SGD lr 0.01,
2 threads) for --torch-epochs epochs; its last test accuracy is the target. Kindling's main job
then trains with 1 and with 2 workers (bin/kindling train --workers W --epochs E). For each, the
time to the target is the sum of epoch times (training + test evaluation, as each prints them)
up to the first epoch whose test accuracy reaches it. The Kindling JVM's resident memory is
sampled every 0.5 s; the peak per epoch shows whether it stays flat. Prints one JSON line.

Usage: bench/tta.py --cifar DIR --kindling bin/kindling --out DIR [--torch-epochs 10]
                    [--kindling-epochs 12] [--workers 1,2]
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import time


def rss_mib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def run_sampled(cmd, env, log):
    """Runs cmd, sampling its resident memory; returns [(unix time, MiB)] and the exit code."""
    samples = []
    with open(log, "w") as out:
        p = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        while p.poll() is None:
            m = rss_mib(p.pid)
            if m is not None:
                samples.append((time.time(), m))
            time.sleep(0.5)
    return samples, p.returncode


def iso(t):
    return datetime.datetime.fromisoformat(t.replace("Z", "")[:26]).replace(
        tzinfo=datetime.timezone.utc).timestamp()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cifar", required=True)
    ap.add_argument("--data", required=True, help="KINDLING_DATA")
    ap.add_argument("--kindling", required=True)
    ap.add_argument("--peer", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--torch-epochs", type=int, default=10)
    ap.add_argument("--kindling-epochs", type=int, default=12)
    ap.add_argument("--workers", default="1,2")
    a = ap.parse_args()

    res = {"bench": "tta", "torch_epochs": a.torch_epochs, "kindling_epochs": a.kindling_epochs}
    p = subprocess.run(["/usr/bin/python3", a.peer, "--data", a.cifar, "--epochs", str(a.torch_epochs),
                        "--threads", "2", "--batch", "64", "--lr", "0.01"],
                       stdout=subprocess.PIPE, stderr=open(os.path.join(a.out, "tta-pytorch.log"), "w"),
                       text=True, check=True)
    per = json.loads(p.stdout.strip().splitlines()[-1])["per_epoch"]
    target = per[-1]["test_acc"]
    cum, torch_epochs = 0.0, []
    for e in per:
        cum += e["train_s"] + e["eval_s"]
        torch_epochs.append({"acc": e["test_acc"], "cum_s": round(cum, 1)})
    reached = next(x for x in torch_epochs if x["acc"] >= target)
    res["target_acc"] = target
    res["pytorch"] = {"epochs": torch_epochs, "time_to_target_s": reached["cum_s"]}

    for w in [int(x) for x in a.workers.split(",")]:
        model = os.path.join(a.out, "tta-w%d.kindling" % w)
        env = dict(os.environ, KINDLING_DATA=a.data)
        samples, rc = run_sampled([a.kindling, "train", "--workers", str(w), "--epochs", str(a.kindling_epochs),
                                   "--output", model, "--no-report"], env,
                                  os.path.join(a.out, "tta-kindling-w%d.log" % w))
        if rc != 0:
            raise SystemExit("bench/tta.py: bin/kindling train --workers %d exited with %d (see %s)"
                             % (w, rc, os.path.join(a.out, "tta-kindling-w%d.log" % w)))
        epochs = [json.loads(l) for l in open(model + ".metrics.jsonl")]
        epochs = [e for e in epochs if e["kind"] == "epoch"]
        cum, rows, start = 0.0, [], None
        for e in epochs:
            end = iso(e["time"])
            begin = end - e["seconds"]
            cum += e["seconds"]
            peak = max([m for t, m in samples if begin <= t <= end] or [0.0])
            rows.append({"acc": e["test_accuracy"], "cum_s": round(cum, 1), "peak_rss_mib": round(peak)})
        hit = next((x for x in rows if x["acc"] >= target), None)
        res["kindling_w%d" % w] = {
            "epochs": rows,
            "time_to_target_s": hit["cum_s"] if hit else None,
            "process_peak_rss_mib": round(max(m for _, m in samples)),
        }
    print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
