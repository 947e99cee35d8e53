#!/usr/bin/python3
"""Summarises bench/run.sh's results.jsonl: prints medians, spreads and ratios, and replaces the
results section of docs/PERFORMANCE.md (between the two `<!-- results -->` markers). A subset run
(--subset, from `bench/run.sh --only ...`) leaves the document alone: its report goes to RESULTS.md
in the run's raw-output folder, so a partial run never replaces the full run of record."""
import argparse
import json
import os
import platform
import statistics
import subprocess

BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"
TARGETS = {"epoch": 1.2, "spark": 0.95, "train": 1.3, "infer": 2.5, "dl4j": 1.5}


def med(v):
    return statistics.median(v) if v else float("nan")


def spread(v):
    return "%s-%s" % (fmt(min(v)), fmt(max(v))) if v else "-"


def fmt(x):
    return "%.0f" % x if abs(x) >= 100 else "%.2f" % x


def machine():
    model, cores = platform.processor(), os.cpu_count()
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    flags = open("/proc/cpuinfo").read()
    isa = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2"
    mem = ""
    with open("/proc/meminfo") as f:
        kb = int(f.readline().split()[1])
        mem = "%.0f GiB" % (kb / 2**20)
    return "%s, %d cores (%s), %s RAM, %s" % (model, cores, isa, mem, platform.platform())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--root", required=True)
    ap.add_argument("--command", required=True)
    ap.add_argument("--start-load", default="")
    ap.add_argument("--end-load", default="")
    ap.add_argument("--date", default="")
    ap.add_argument("--raw", default="")
    ap.add_argument("--subset", action="store_true",
                    help="a run of some contenders only: write RESULTS.md into --raw, not docs/PERFORMANCE.md")
    a = ap.parse_args()
    rows = [json.loads(l) for l in open(a.results) if l.strip()]
    lines, verdict = [], []

    step = {(r["impl"], r["rep"]): r for r in rows if r["bench"] == "step"}
    reps = sorted({rep for _, rep in step})
    if reps:
        lines += ["### Single step (synthetic batches, batch 64, 2 threads)", "",
                  "| rep | load (1/5/15 min) | Kindling train img/s | PyTorch train img/s | ratio | "
                  "Kindling inference img/s | PyTorch inference img/s | ratio |",
                  "|---|---|---|---|---|---|---|---|"]
        tr, inf = [], []
        for rep in reps:
            k, p = step.get(("kindling", rep)), step.get(("pytorch", rep))
            if not (k and p):
                continue
            kt, pt = k["result"]["train_img_s_median"], p["result"]["train_img_s_median"]
            ki, pi = k["result"]["infer_img_s_median"], p["result"]["infer_img_s_median"]
            tr.append(kt / pt)
            inf.append(ki / pi)
            lines.append("| %d | %s | %s %s | %s %s | %.2f | %s %s | %s %s | %.2f |" % (
                rep, k["load"], fmt(kt), k["result"]["train_img_s_all"], fmt(pt),
                p["result"]["train_img_s_all"], kt / pt, fmt(ki), k["result"]["infer_img_s_all"],
                fmt(pi), p["result"]["infer_img_s_all"], ki / pi))
        lines += ["", "Median ratio Kindling / PyTorch: **train %.2f** (spread %s), **inference %.2f** "
                  "(spread %s). Per cell: median of 5 timed runs of 50 iterations [the runs]; Kindling's JVM "
                  "with `bin/kindling`'s `-XX:TieredStopAtLevel=1 -XX:+UseTransparentHugePages -XX:MaxHeapFreeRatio=30 -XX:MinHeapFreeRatio=10` and `GLIBC_TUNABLES=glibc.malloc.hugetlb=1`." % (
                      med(tr), spread(tr), med(inf), spread(inf)), ""]
        verdict.append(("single step, training", med(tr), TARGETS["train"]))
        verdict.append(("single step, inference", med(inf), TARGETS["infer"]))

    ep = {(r["impl"], r["rep"]): r for r in rows if r["bench"] == "epoch"}
    reps = sorted({rep for _, rep in ep})
    if reps:
        lines += ["### Whole epoch incl. test evaluation (CIFAR-10, cifarnet, batch 64, SGD lr 0.01, 2 threads)", "",
                  "Kindling: `bin/kindling train --epochs 1` (Spark local mode, 1 worker, k = 4; the epoch "
                  "time it prints: 196 rounds plus the test set). PyTorch: `bench_train.py --data DIR "
                  "--epochs 1 --threads 2` (train_s + eval_s). Process wall time includes JVM/Python "
                  "start, Spark start and reading the data.", "",
                  "| rep | load | Kindling epoch s | PyTorch epoch s | speed ratio (PyTorch s / Kindling s) | "
                  "Kindling / PyTorch test acc. % | process wall s (Kindling / PyTorch) |",
                  "|---|---|---|---|---|---|---|"]
        ratios, ks, ps = [], [], []
        for rep in reps:
            k, p = ep.get(("kindling", rep)), ep.get(("pytorch", rep))
            if not (k and p):
                continue
            ratio = p["epoch_s"] / k["epoch_s"]
            ratios.append(ratio)
            ks.append(k["epoch_s"])
            ps.append(p["epoch_s"])
            lines.append("| %d | %s | %.1f | %.1f (train %.1f + eval %.1f) | %.2f | %.2f / %.2f | %.0f / %.0f |" % (
                rep, k["load"], k["epoch_s"], p["epoch_s"], p["train_s"], p["eval_s"], ratio,
                k["test_acc_pct"], p["test_acc_pct"], k["process_wall_s"], p["process_wall_s"]))
        lines += ["", "Median epoch: Kindling %.1f s (%s), PyTorch %.1f s (%s); median speed ratio "
                  "**%.2f** (spread %s)." % (med(ks), spread(ks), med(ps), spread(ps), med(ratios),
                                             spread(ratios)), ""]
        verdict.append(("whole epoch vs PyTorch", med(ratios), TARGETS["epoch"]))

    sp = [r for r in rows if r["bench"] == "spark"]
    if sp:
        s = sp[0]["result"]
        lines += ["### Spark overhead (parameter averaging at k = 4 vs the same learner without Spark)", "",
                  "`bench/SparkOverhead.java`: one epoch of the main job's training (%d images, no test set) "
                  "by `ParameterAveraging` in Spark local mode (1 worker, 2 threads; default `--exchange "
                  "auto`, and `--exchange shuffle` with one Spark job per round for comparison), and by "
                  "the same nn-core learner looping over the same records in the same `EpochPlan` order "
                  "with `Batch.of` (same start state, same mean loss: %.5f vs %.5f vs %.5f), alternating "
                  "(each rep starts with the next contender) in one JVM (with `bin/kindling`'s `-XX:TieredStopAtLevel=1 -XX:+UseTransparentHugePages -XX:MaxHeapFreeRatio=30 -XX:MinHeapFreeRatio=10` and `GLIBC_TUNABLES=glibc.malloc.hugetlb=1`) after a warm-up; load at start %s." % (
                      s["images"], s["plain_loss"], s["spark_loss"], s["shuffle_loss"], sp[0]["load"]), "",
                  "| rep | plain loop s | averaging s | ratio (plain s / averaging s) | averaging, one job per round s | ratio |",
                  "|---|---|---|---|---|---|"]
        for i, (p, q, r, u, v) in enumerate(zip(s["plain_s"], s["spark_s"], s["ratio_spark_speed_over_plain"],
                                                s["shuffle_s"], s["ratio_shuffle_speed_over_plain"])):
            lines.append("| %d | %.1f | %.1f | %.3f | %.1f | %.3f |" % (i + 1, p, q, r, u, v))
        rs = s["ratio_spark_speed_over_plain"]
        us = s["ratio_shuffle_speed_over_plain"]
        lines += ["", "Median ratio **%.3f** (spread %s); with one Spark job per round %.3f (spread %s)." % (
            med(rs), spread(rs), med(us), spread(us)), ""]
        verdict.append(("Spark averaging vs plain loop", med(rs), TARGETS["spark"]))

    dl = [r for r in rows if r["bench"] == "dl4j"]
    if dl:
        lines += ["### Against DL4J's own Spark trainer (same DL4J network, data, k = 4, batch 64, workers)", "",
                  "`bench/Dl4jSparkPeer.java`: the course net written with DL4J's builders, trained for one "
                  "epoch of CIFAR-10 from the same parameters by Kindling's `ParameterAveraging` (DL4J "
                  "backend) and by DL4J's `ParameterAveragingTrainingMaster` (dl4j-spark_2.12 1.0.0-M2, "
                  "`Direct` approach, no repartitioning, updater averaged), alternating (each rep starts "
                  "with the next of the three contenders, plain included) in one local-mode JVM after a warm-up. DL4J gets a cached RDD of normalised one-example `DataSet`s "
                  "(its documented input); Kindling builds its batches from the cached records inside "
                  "the tasks. Accuracy: test set after the epoch. *Plain* is the ceiling for any trainer "
                  "that runs DL4J's step: the same learners as Kindling's DL4J backend, one thread per "
                  "worker, stepping through the same batches (built before timing) with no Spark, "
                  "averaging or exchange; DL4J s / plain s is "
                  "the most such a trainer could reach here.", "",
                  "| workers | rep | Kindling s | DL4J s | speed ratio (DL4J s / Kindling s) | plain s | ceiling (DL4J s / plain s) | test acc. Kindling / DL4J % | load |",
                  "|---|---|---|---|---|---|---|---|---|"]
        notes = []
        for r in dl:
            s = r["result"]
            for i, (k, d, q, p, c) in enumerate(zip(s["kindling_s"], s["dl4j_s"], s["ratio_kindling_speed_over_dl4j"],
                                                     s["plain_s"], s["ceiling_ratio"])):
                lines.append("| %d | %d | %.1f | %.1f | %.2f | %.1f | %.2f | %.2f / %.2f | %s |" % (
                    s["workers"], i + 1, k, d, q, p, c, 100 * s["kindling_test_acc"], 100 * s["dl4j_test_acc"],
                    r["load"]))
            eff = [p / k for p, k in zip(s["plain_s"], s["kindling_s"])]
            notes.append("- %d worker(s): speed ratio **%.2f** (spread %s), ceiling %.2f (spread %s); Kindling ran "
                         "at %.0f %% of the plain loop's speed (spread %.0f-%.0f %%)." % (
                             s["workers"], s["median_ratio"], spread(s["ratio_kindling_speed_over_dl4j"]),
                             s["median_ceiling_ratio"], spread(s["ceiling_ratio"]), 100 * med(eff),
                             100 * min(eff), 100 * max(eff)))
            verdict.append(("vs DL4J's Spark trainer, %d worker(s)" % s["workers"], s["median_ratio"], TARGETS["dl4j"]))
        lines += [""] + notes + [""]

    tt = [r for r in rows if r["bench"] == "tta"]
    if tt:
        t = tt[0]["result"]
        ws = sorted(k for k in t if k.startswith("kindling_w"))
        lines += ["### Time to accuracy and memory (one run)", "",
                  "Target: the test accuracy PyTorch reaches after %d epochs (`bench_train.py --data DIR "
                  "--epochs %d --threads 2`): **%.2f %%**. Kindling: `bin/kindling train --workers W "
                  "--epochs %d` (k = 4, same recipe). Time = sum of the epoch times each prints "
                  "(training + test evaluation) up to the first epoch at or above the target. Peak "
                  "RSS = the largest resident set of the Kindling JVM (driver and executor in one "
                  "process in local mode) sampled every 0.5 s during the epoch; load at start %s." % (
                      t["torch_epochs"], t["torch_epochs"], 100 * t["target_acc"], t["kindling_epochs"],
                      tt[0]["load"]), ""]
        hdr = "| epoch | PyTorch acc. % / cumulative s |" + "".join(
            " Kindling %s worker(s) acc. %% / cumulative s / peak RSS MiB |" % w[len("kindling_w"):] for w in ws)
        lines += [hdr, "|---|---|" + "---|" * len(ws)]
        n = max([len(t["pytorch"]["epochs"])] + [len(t[w]["epochs"]) for w in ws])
        for i in range(n):
            pe = t["pytorch"]["epochs"]
            row = "| %d | %s |" % (i + 1, "%.2f / %.0f" % (100 * pe[i]["acc"], pe[i]["cum_s"]) if i < len(pe) else "")
            for w in ws:
                ke = t[w]["epochs"]
                row += " %s |" % ("%.2f / %.0f / %d" % (100 * ke[i]["acc"], ke[i]["cum_s"], ke[i]["peak_rss_mib"])
                                  if i < len(ke) else "")
            lines.append(row)
        lines.append("")
        tp = t["pytorch"]["time_to_target_s"]
        for w in ws:
            k = t[w]
            ke = k["epochs"]
            if k["time_to_target_s"] is None:
                lines.append("- %s worker(s): target not reached in %d epochs (last %.2f %%)." % (
                    w[len("kindling_w"):], len(ke), 100 * ke[-1]["acc"]))
            else:
                lines.append("- %s worker(s): target reached in %.0f s vs PyTorch %.0f s: **%.2fx** PyTorch's speed." % (
                    w[len("kindling_w"):], k["time_to_target_s"], tp, tp / k["time_to_target_s"]))
            if len(ke) >= 10:
                a2, a10 = ke[1]["peak_rss_mib"], ke[9]["peak_rss_mib"]
                lines.append("  Peak RSS epoch 2 %d MiB, epoch 10 %d MiB (%+.1f %%); whole run %d MiB." % (
                    a2, a10, 100.0 * (a10 - a2) / a2, k["process_peak_rss_mib"]))
        lines.append("")

    head = ["## Results of the last run", "",
            "Command: `%s` (KINDLING_DATA=%s)  " % (a.command, os.environ.get("KINDLING_DATA", "../shared/datasets")),
            "Date: %s  " % a.date,
            "Machine: %s  " % machine(),
            "Load average (1/5/15 min) at start: %s, at end: %s (the machine is shared; compare only "
            "the same-run ratios)  " % (a.start_load, a.end_load),
            "Raw output: `%s` (not kept)" % a.raw, "",
            "| target | measured (median ratio) | target | met |", "|---|---|---|---|"]
    for name, v, t in verdict:
        head.append("| %s | %.2f | >= %.2f | %s |" % (name, v, t, "yes" if v >= t else "**no**"))
    text = "\n".join(head + [""] + lines)
    print(text)

    if a.subset:
        if not a.raw:
            raise SystemExit("report.py: --subset needs --raw, the folder its RESULTS.md goes to")
        path = os.path.join(a.raw, "RESULTS.md")
        with open(path, "w") as f:
            f.write(text + "\n")
        print("\nwrote %s (a subset run: docs/PERFORMANCE.md keeps the full run of record)" % path)
        return
    doc = os.path.join(a.root, "docs", "PERFORMANCE.md")
    os.makedirs(os.path.dirname(doc), exist_ok=True)
    old = open(doc).read() if os.path.exists(doc) else "# Performance\n\n%s\n%s\n" % (BEGIN, END)
    if BEGIN not in old:
        old += "\n%s\n%s\n" % (BEGIN, END)
    pre, rest = old.split(BEGIN, 1)
    post = rest.split(END, 1)[1]
    with open(doc, "w") as f:
        f.write(pre + BEGIN + "\n" + text + "\n" + END + post)
    print("\nwrote %s" % doc)


if __name__ == "__main__":
    main()
