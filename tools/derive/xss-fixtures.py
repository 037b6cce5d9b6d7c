#!/usr/bin/env python3
"""Derive the XSS fixtures in tests/fixtures/derived/ from real captures.

The real hostile-comm captures (tests/fixtures/captures-new/hostile-comm-*)
have a task name with `<b>`, `"` and non-UTF-8 bytes, but no kernel function
is named like markup. These copies substitute, byte for byte, some function
names, the task name and a trace marker with the strings a report must show
as text: `<script>alert(1)</script>`, `"onmouseover=` and `</script>`. Every
other byte (timestamps, durations, layout) is the real capture's.

The function_graph grammar takes a name up to its `(`, and a body starting
with `<` is an interrupt arrow, so there a name cannot be
`<script>alert(1)</script>`; the graph copy's names contain `<script>alert`
and `</script>` after a real name, and the task name and the trace marker
carry the full string.

Run from the repository root: python3 tools/derive/xss-fixtures.py
"""
from pathlib import Path

SRC = Path("tests/fixtures/captures-new")
DST = Path("tests/fixtures/derived")

# The real comm, as the kernel printed it (function tracer: whole; graph: 7 bytes).
COMM_FN = b'<b>\xff\xe2"x</b>'
COMM_GRAPH = b'<b>\xff\xe2"x'

FN = [
    (COMM_FN + b"-", b'<script>alert(1)</script>\xff"onmouseover=</script>-'),
    (b" security_bpf", b" <script>alert(1)</script>"),
    (b"<-security_bpf", b"<-<script>alert(1)</script>"),
    (b" bpf_check_uarg_tail_zero", b' "onmouseover=alert(1)'),
    (b" __check_object_size", b" </script>"),
    (b"<-__check_object_size", b"<-</script>"),
]

GRAPH = [
    (COMM_GRAPH + b"-", b'<script>alert(1)</script>\xff"onmouseover=</script>-'),
    (b" security_bpf()", b" security_bpf<script>alert()"),
    (b" bpf_check_uarg_tail_zero()", b' "onmouseover=alert()'),
    (b" __check_object_size()", b" __check_object_size</script>()"),
    (b"bpfcase map_", b"<script>alert(1)</script> map_"),
]


def derive(src, dst, subs):
    data = (SRC / src).read_bytes()
    for old, new in subs:
        if old not in data:
            raise SystemExit(f"{src}: {old!r} not found")
        data = data.replace(old, new)
    out = DST / dst
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"{out}: {len(data)} bytes")


for side in ("ok", "bad"):
    derive(f"hostile-comm-fn-bpf-map-create-unspec-6.1/{side}.log", f"xss-fn-6.1/{side}.log", FN)
    derive(f"hostile-comm-graph-bpf-map-create-unspec-6.1/{side}.log", f"xss-graph-6.1/{side}.log", GRAPH)
