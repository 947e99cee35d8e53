"""Splits an async-profiler profile (collapsed stacks, one thread per stack root) of a
`bin/kindling train` run by Kindling call site: the learner threads' samples grouped by the last
two Kindling frames on the stack (the call that led into ND4J), as shares and as ms of CPU per
training step. The number of steps comes from the job's own log (partition sizes, batch size,
epochs). Used by bench/profile.sh; fails on input it does not recognise."""
import collections
import math
import re
import sys


def steps_from_log(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    sizes = re.search(r"^\s*partitions\s+\d+ of sizes \[([0-9, ]+)\]", text, re.M)
    batch = re.search(r"^\s*batch_size\s+(\d+)", text, re.M)
    epochs = re.search(r"^\s*epochs\s+(\d+)", text, re.M)
    if not (sizes and batch and epochs):
        sys.exit("profile_sites: %s has no 'partitions ... of sizes [...]', 'batch_size' and "
                 "'epochs' lines (not a bin/kindling train log?)" % path)
    b = int(batch.group(1))
    per_epoch = sum(math.ceil(int(s) / b) for s in sizes.group(1).split(","))
    return per_epoch * int(epochs.group(1))


def site(frames):
    kindling = [f.rsplit("/", 1)[-1] for f in frames if f.startswith("org/kindling/")]
    # lambdas and the op-runner helpers (libnd4j's F.exec, oneDNN's argument and kernel
    # plumbing) say nothing about the call site
    kindling = [f for f in kindling if "$$Lambda" not in f and f != "F.exec"
                and not f.startswith(("OneDnn$Kernel.", "OneDnn$Args.", "OneDnn.runReorder"))]
    return " > ".join(kindling[-2:]) if kindling else "(no Kindling frame: native threads)"


def main(profile, log):
    steps = steps_from_log(log)
    sites = collections.Counter()
    threads = set()
    lines = 0
    for line in open(profile, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if not line:
            continue
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            sys.exit("profile_sites: %s: not a collapsed-stack line: %r" % (profile, line[:120]))
        lines += 1
        frames = stack.split(";")
        if "kindling-learner" not in frames[0]:
            continue
        threads.add(frames[0])
        sites[site(frames)] += int(count)
    total = sum(sites.values())
    if total == 0:
        sys.exit("profile_sites: no samples of a kindling-learner thread among %d stacks in %s"
                 % (lines, profile))
    print("Learner threads: %d (%s); %d samples of 1 ms = %.1f ms of CPU per training step "
          "(%d steps)\n" % (len(threads), ", ".join(sorted(threads)), total, total / steps, steps))
    print("| call site (last two Kindling frames) | share | ms per step |")
    print("|---|---|---|")
    shown = 0
    for name, n in sites.most_common():
        if n / total < 0.005:
            break
        shown += n
        print("| %s | %.1f %% | %.2f |" % (name, 100.0 * n / total, n / steps))
    rest = total - shown
    print("| (the rest, each under 0.5 %%) | %.1f %% | %.2f |" % (100.0 * rest / total, rest / steps))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: profile_sites.py PROFILE.collapsed TRAIN.log")
    main(sys.argv[1], sys.argv[2])
