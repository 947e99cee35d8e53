#!/usr/bin/env python3
"""Lists the GPU code in a CUDA shared library: the compute capabilities of its embedded cubins (ELF) and
whether it carries PTX (which a newer GPU could JIT-compile). No CUDA toolkit needed: reads the fatbin
containers (magic 0xBA55ED50) in the file directly.

Usage: cuda-archs.py LIB.so   prints e.g. "cubin: sm_37 sm_50 ... sm_86; PTX: none"
"""
import mmap
import struct
import sys

FATBIN_MAGIC = struct.pack("<I", 0xBA55ED50)
KINDS = {1: "PTX", 2: "ELF"}


def archs(path):
    found = {"PTX": set(), "ELF": set()}
    containers = 0
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        pos = 0
        while True:
            i = m.find(FATBIN_MAGIC, pos)
            if i < 0:
                break
            _version, header_size, fat_size = struct.unpack_from("<HHQ", m, i + 4)
            if header_size != 16 or i + 16 + fat_size > len(m):
                pos = i + 4  # the magic bytes inside other data
                continue
            containers += 1
            p, end = i + header_size, i + header_size + fat_size
            while p + 32 <= end:
                kind, _v, entry_header, payload = struct.unpack_from("<HHII", m, p)
                if kind not in KINDS or entry_header == 0:
                    break
                found[KINDS[kind]].add(struct.unpack_from("<I", m, p + 28)[0])
                p += entry_header + payload
            pos = end
    return containers, found


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: cuda-archs.py LIB.so")
    containers, found = archs(sys.argv[1])
    if containers == 0:
        sys.exit("cuda-archs.py: no CUDA fatbin in " + sys.argv[1])
    fmt = lambda s: " ".join("sm_%d" % a for a in sorted(s)) or "none"
    print("cubin: %s; PTX: %s" % (fmt(found["ELF"]), fmt(found["PTX"])))


if __name__ == "__main__":
    main()
