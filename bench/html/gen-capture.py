#!/usr/bin/env python3
"""A capture of about N traced calls, made from a real pair of captures.

Takes the real QEMU 6.1 `bpf(BPF_MAP_CREATE)` captures
(tests/fixtures/captures/qemu-6.1/bpf-map-create-unspec/{ok,bad}.log): the ok
run's syscall gets the body of its `__x64_sys_bpf()` (every line between the
root's `{` and `}`, as the kernel printed them) repeated until the tree holds
N calls; the bad run's failing syscall follows it. One capture, one
million-call tree, and a comparison (failing vs ok call): the worst case for
index.html.

In each copy the last three digits of every printed duration are redrawn
(seeded, so the file is always the same; the layout is unchanged): identical
copies would compress far better than any real capture, and index.html
embeds big reports gzipped. Names, depths, line layout are the real ones.
The root's printed duration stays the real one, so its self time is 0.

Usage: gen-capture.py [N] > capture.log   (default N = 1000000)
"""
import math
import random
import re
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "tests/fixtures/captures/qemu-6.1/bpf-map-create-unspec"


def body(line):
    """The function column of a function_graph line, or None."""
    parts = line.split("|", 1)
    return parts[1].rstrip("\n") if len(parts) == 2 and not line.startswith("#") else None


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    ok = (SRC / "ok.log").read_text().splitlines(keepends=True)
    bad = (SRC / "bad.log").read_text().splitlines(keepends=True)
    start = next(i for i, l in enumerate(ok) if (body(l) or "").strip() == "__x64_sys_bpf() {")
    indent = len(body(ok[start])) - len(body(ok[start]).lstrip())
    end = next(
        i for i in range(start + 1, len(ok))
        if (b := body(ok[i])) is not None and b.strip().startswith("}")
        and len(b) - len(b.lstrip()) == indent
    )
    inner = ok[start + 1:end]
    calls = sum(1 for l in inner if (b := (body(l) or "").strip()) and b[-1] in "{;" and not b.startswith("/*"))
    reps = math.ceil((n - 1) / calls)
    rng = random.Random(1)
    dur = re.compile(r"(\d+)\.(\d{3}) us")

    def redraw(line):
        head, sep, rest = line.partition("|")
        head = dur.sub(lambda m: f"{m.group(1)}.{rng.randrange(1000):03d} us", head)
        return head + sep + rest

    out = sys.stdout
    out.writelines(ok[:start + 1])
    for _ in range(reps):
        out.writelines(redraw(l) for l in inner)
    out.writelines(ok[end:])
    out.writelines(l for l in bad if not l.startswith("#"))
    print(f"{1 + reps * calls} calls in the ok syscall's tree ({reps} x {calls}), "
          f"then the failing call", file=sys.stderr)


main()
