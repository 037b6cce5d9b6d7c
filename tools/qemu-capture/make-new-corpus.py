#!/usr/bin/env python3
"""Arrange the captures of the new parts (tcfn, perf, lat, comm, args) from
$WORK/out/<kver>/<part>/ into DST/<folder>/{ok,bad}.log[.gz], verify every file
and write DST/MANIFEST.md.
Usage: make-new-corpus.py WORK_OUT_DIR DST   (e.g. /tmp/qemu-capture/out tests/fixtures/captures-new)

Checks per file (the script exits non-zero if any fails):
  * md5: the file's bytes equal the raw md5/length the guest put in the ttyS1 frame
    header (data.bin), i.e. exactly what the kernel / trace-cmd / perf wrote;
  * the marker line `bpfcase <case> begin` and, after it, the syscall enter event and
    the exit event are present (tracefs `sys_bpf(...)`/`sys_bpf -> 0x..`, trace-cmd
    `sys_enter_bpf:`/`sys_exit_bpf:`);
  * the exit event's value matches the program's own result line (ret, errno) and the
    expectation (ok: ret >= 0; bad: -EINVAL / -ENOENT);
  * format-specific: latency header, no flags column, hostile comm bytes, args.
"""
import gzip, hashlib, io, os, re, shutil, sys

from corpus_files import put

SRC, DST = sys.argv[1], sys.argv[2]
BIG = 1_000_000
KSHORT = {'6.1.0-56-amd64': '6.1', '7.3.4+deb13-amd64': '7.3'}
KDESC = {
    '6.1': 'Debian 6.1.0-56-amd64 (linux 6.1.192-2), stock image from package '
           'linux-image-6.1.0-56-amd64-unsigned 6.1.192-2 (bookworm-security)',
    '7.3': 'Debian 7.3.4+deb13-amd64 (linux 7.3.4-1~bpo13+1, trixie-backports), stock image from package '
           'linux-binary-7.3.4+deb13-amd64 7.3.4-1~bpo13+1 (source linux-signed-amd64; config from '
           'linux-base-7.3.4+deb13-amd64). CONFIG_FUNCTION_TRACE_ARGS=y (options/funcgraph-args, '
           'options/func-args), CONFIG_FUNCTION_GRAPH_RETVAL not set (no funcgraph-retval)',
}
HOSTILE = bytes.fromhex('3c623effe222783c2f623e')   # <b> 0xff 0xfe " x</b>

EXP = {
    'bpf': ('ok: fd (>=0), ARRAY map created',
            'bad: -1 EINVAL (-22), map_type 0 = BPF_MAP_TYPE_UNSPEC (bpf_map_types[0]==NULL)', -22),
    'openat': ('ok: fd for /etc/hostname', 'bad: -1 ENOENT (-2) for /etc/nonexistent', -2),
}

# folder, kernel, part, ok capture, bad capture, syscall, kind, description
SETS = []
def add(folder, kv, part, okn, badn, sc, kind, desc):
    SETS.append((folder, kv, part, okn, badn, sc, kind, desc))

K61, K73 = '6.1.0-56-amd64', '7.3.4+deb13-amd64'
add('tracecmd-fn-bpf-map-create-unspec-6.1', K61, 'tcfn', 'tcfn_bpf_ok_array', 'tcfn_bpf_bad_unspec', 'bpf', 'tracecmd',
    'trace-cmd report text of a function-tracer run')
add('tracecmd-fn-openat-enoent-6.1', K61, 'tcfn', 'tcfn_openat_ok', 'tcfn_openat_bad_enoent', 'openat', 'tracecmd',
    'trace-cmd report text of a function-tracer run')
add('perf-ftrace-graph-bpf-map-create-unspec-6.1', K61, 'perf', 'perf_graph_bpf_ok_array', 'perf_graph_bpf_bad_unspec', 'bpf', 'perf',
    'perf ftrace, function_graph (default tracer), -G __x64_sys_bpf')
add('perf-ftrace-graph-verbose-bpf-map-create-unspec-6.1', K61, 'perf', 'perf_graphv_bpf_ok_array', 'perf_graphv_bpf_bad_unspec', 'bpf', 'perf',
    'perf ftrace, function_graph, -G __x64_sys_bpf --graph-opts verbose')
add('perf-ftrace-fn-bpf-map-create-unspec-6.1', K61, 'perf', 'perf_fn_bpf_ok_array', 'perf_fn_bpf_bad_unspec', 'bpf', 'perf',
    'perf ftrace -t function (no function filter: the whole workload from exec to exit)')
for kv, ks, part in ((K61, '6.1', 'latcomm'), (K73, '7.3', 'argslatcomm')):
    add(f'latency-format-graph-bpf-map-create-unspec-{ks}', kv, part, 'lat_graph_bpf_ok_array', 'lat_graph_bpf_bad_unspec', 'bpf', 'lat_graph',
        'kernel trace file, function_graph, options/latency-format=1')
    add(f'latency-format-fn-bpf-map-create-unspec-{ks}', kv, part, 'lat_fn_bpf_ok_array', 'lat_fn_bpf_bad_unspec', 'bpf', 'lat_fn',
        'kernel trace file, function tracer, options/latency-format=1')
    add(f'noirqinfo-fn-bpf-map-create-unspec-{ks}', kv, part, 'noirqinfo_fn_bpf_ok_array', 'noirqinfo_fn_bpf_bad_unspec', 'bpf', 'noirqinfo',
        'kernel trace file, function tracer, options/irq-info=0 (no flags column)')
    add(f'hostile-comm-graph-bpf-map-create-unspec-{ks}', kv, part, 'comm_graph_bpf_ok_array', 'comm_graph_bpf_bad_unspec', 'bpf', 'comm_graph',
        'kernel trace file, function_graph + funcgraph-proc, comm set by prctl(PR_SET_NAME) to bytes 3c623effe222783c2f623e')
    add(f'hostile-comm-fn-bpf-map-create-unspec-{ks}', kv, part, 'comm_fn_bpf_ok_array', 'comm_fn_bpf_bad_unspec', 'bpf', 'comm_fn',
        'kernel trace file, function tracer, comm set by prctl(PR_SET_NAME) to bytes 3c623effe222783c2f623e')
add('bpf-map-create-unspec-7.3', K73, 'argslatcomm', 'args_bpf_ok_array__default', 'args_bpf_bad_unspec__default', 'bpf', 'graph',
    'kernel trace file, function_graph, default options (baseline for the args captures)')
add('bpf-map-create-unspec--funcgraph-args-7.3', K73, 'argslatcomm', 'args_bpf_ok_array__funcgraph-args', 'args_bpf_bad_unspec__funcgraph-args', 'bpf', 'args',
    'kernel trace file, function_graph, options/funcgraph-args=1')
add('bpf-map-create-unspec--funcgraph-args+funcgraph-proc+funcgraph-abstime+funcgraph-tail-7.3', K73, 'argslatcomm',
    'args_bpf_ok_array__funcgraph-args+funcgraph-proc+funcgraph-abstime+funcgraph-tail',
    'args_bpf_bad_unspec__funcgraph-args+funcgraph-proc+funcgraph-abstime+funcgraph-tail', 'bpf', 'args',
    'kernel trace file, function_graph, funcgraph-args + funcgraph-proc + funcgraph-abstime + funcgraph-tail')
add('fn-bpf-map-create-unspec-7.3', K73, 'argslatcomm', 'args_fn_bpf_ok_array__default', 'args_fn_bpf_bad_unspec__default', 'bpf', 'fn',
    'kernel trace file, function tracer, default options')
add('fn-bpf-map-create-unspec--func-args-7.3', K73, 'argslatcomm', 'args_fn_bpf_ok_array__func-args', 'args_fn_bpf_bad_unspec__func-args', 'bpf', 'fnargs',
    'kernel trace file, function tracer, options/func-args=1')


def frames(path):
    """name -> (rawlen, rawmd5) from the framed ttyS1 stream."""
    data = open(path, 'rb').read()
    hdr = re.compile(rb'=====BEGIN (\S+) (\d+) ([0-9a-f]{32}) (\d+) ([0-9a-f]{32})=====\n')
    out, pos = {}, 0
    while True:
        m = hdr.search(data, pos)
        if not m:
            return out
        out[m.group(1).decode()] = (int(m.group(4)), m.group(5).decode())
        pos = m.end() + int(m.group(2))


def runs(path):
    r = {}
    for line in open(path, encoding='utf-8', errors='surrogateescape'):
        f = line.rstrip('\n').split('|')
        r[f[0]] = f
    return r


def signed(h):
    x = int(h, 16)
    return x - 2**64 if x >= 2**63 else x


ENTER = re.compile(rb'sys_(bpf|openat)\(|sys_enter_(bpf|openat):')
EXIT = re.compile(rb'sys_(bpf|openat) -> (0x[0-9a-f]+)|sys_exit_(bpf|openat):\s+(0x[0-9a-f]+)')


def check(raw, case, prog, kind, lab, sc):
    """Return list of failed checks (empty = ok) and a short summary."""
    bad = []
    lines = raw.split(b'\n')
    beg = [i for i, l in enumerate(lines) if (b'bpfcase %s begin' % case.encode()) in l]
    if not beg:
        return ['no begin marker'], ''
    i0 = beg[0]
    ent = next((i for i in range(i0, len(lines)) if ENTER.search(lines[i])), None)
    ex = next((i for i in range(i0, len(lines)) if EXIT.search(lines[i])), None)
    if ent is None:
        bad.append('no enter event after marker')
    if ex is None:
        bad.append('no exit event after marker')
        return bad, ''
    m = EXIT.search(lines[ex])
    val = signed((m.group(2) or m.group(4)).decode())
    pm = re.search(r'ret=(-?\d+) errno=(\d+)', prog)
    pret, perr = int(pm.group(1)), int(pm.group(2))
    if lab == 'ok':
        if not (val >= 0 and pret == val and perr == 0):
            bad.append(f'ok: exit event {val}, program ret={pret} errno={perr}')
    else:
        want = EXP[sc][2]
        if not (val == want and pret == -1 and perr == -want):
            bad.append(f'bad: exit event {val}, program ret={pret} errno={perr}, want {want}')
    if (b'bpfcase %s end ret=%d errno=%d' % (case.encode(), pret, perr)) not in raw:
        bad.append('no matching end marker')
    head = raw[:3000]
    if kind.startswith('lat') and b'latency trace v1.1.5' not in head:
        bad.append('no latency header')
    if kind == 'noirqinfo' and (b'irqs-off' in head or not re.search(rb'\[000\]\s+\d+\.\d+: ', raw)):
        bad.append('flags column present')
    if kind == 'comm_graph' and HOSTILE[:7] + b'-' not in raw:
        bad.append('hostile comm (7-byte funcgraph-proc cut) missing')
    if kind == 'comm_fn' and HOSTILE + b'-' not in raw:
        bad.append('hostile comm missing')
    if kind == 'args' and b'cmd=0 [BPF_MAP_CREATE]' not in raw:
        bad.append('no function arguments')
    if kind == 'fnargs' and b'__sys_bpf(cmd=0 [BPF_MAP_CREATE]' not in raw:
        bad.append('no function arguments')
    summ = f'exit event = {val} (line {ex + 1}); enter event line {ent + 1 if ent is not None else "-"}'
    return bad, summ


def cell(s):
    return str(s).replace('|', '\\|').replace('\n', ' ')


rows, failed, checks = [], [], []
for folder, kv, part, okn, badn, sc, kind, desc in SETS:
    d = os.path.join(SRC, kv, part)
    fr = frames(os.path.join(d, 'data.bin'))
    rr = runs(os.path.join(d, '_runs.txt'))
    ks = KSHORT[kv]
    raws = {}
    for lab, name in (('ok', okn), ('bad', badn)):
        raw = open(os.path.join(d, name + '.log'), 'rb').read()
        rl, rm = fr[name + '.log']
        if len(raw) != rl or hashlib.md5(raw).hexdigest() != rm:
            failed.append(f'{folder}/{lab}: md5 mismatch with the guest frame')
        raws[lab] = raw
    gz = any(len(r) > BIG for r in raws.values())
    for lab, name in (('ok', okn), ('bad', badn)):
        raw, f = raws[lab], rr[name]
        case = f[5].split()[-1]
        prog = f[6]
        bad, summ = check(raw, case, prog, kind, lab, sc)
        rel = f'{folder}/{lab}.log' + ('.gz' if gz else '')
        if bad:
            failed.append(f'{rel}: ' + '; '.join(bad))
        put(raw, os.path.join(DST, rel))
        checks.append((rel, 'ok' if not bad else 'FAILED: ' + '; '.join(bad), summ))
        exp = EXP[sc][0] if lab == 'ok' else EXP[sc][1]
        if kind in ('tracecmd', 'perf'):
            tracer = f'{f[2]} (in the guest); {desc}'
            cmd = f[4]
        else:
            tr, gfn, opts = f[2], f[3], f[4]
            filt = f'set_graph_function={gfn}' if tr == 'function_graph' else 'no function filter'
            tracer = (f'{tr}; {filt}; events syscalls/sys_enter_{sc}+sys_exit_{sc}; set_ftrace_pid/set_event_pid = the test process; '
                      f'options: {opts}')
            env = f[5].rsplit('bpfcase', 1)[0].strip()
            cmd = f'env TC_TRACE=1 {env + " " if env else ""}/bin/bpfcase {case} (warm-up call untraced, tracing_on 1/0 around the traced call); then cat trace'
        size = f'{len(raw)} bytes' + (f', stored gzip' if gz else '')
        rows.append((rel, ks, tracer, cmd, exp, prog, size))
    if kind == 'tracecmd':
        for lab, name in (('ok', okn), ('bad', badn)):
            dat = os.path.join(d, name + '.dat')
            checks.append((f'({folder}/{lab}.dat not stored)', f'{os.path.getsize(dat)} bytes, already compressed by trace-cmd 3.x (gzip gains <1%), over the 1 MB limit for a fixture pair', ''))

# kernel info for 7.3
kd = os.path.join(DST, 'kernel-7.3')
os.makedirs(kd, exist_ok=True)
opt = open(os.path.join(SRC, K73, 'argslatcomm', 'options.txt'), 'rb').read()
fr = frames(os.path.join(SRC, K73, 'argslatcomm', 'data.bin'))
assert hashlib.md5(opt).hexdigest() == fr['options.txt'][1]
put(opt, os.path.join(kd, 'options.txt'))
rows.append(('kernel-7.3/options.txt', '7.3', 'ls /sys/kernel/tracing/options (in the guest)', 'ls options', 'funcgraph-args and func-args present, funcgraph-retval absent', '', f'{len(opt)} bytes'))
cfg = os.path.join(SRC, '..', 'boot', 'config-' + K73)
if os.path.exists(cfg):
    put(open(cfg, 'rb').read(), os.path.join(kd, 'config.gz'))
    rows.append(('kernel-7.3/config.gz', '7.3', 'kernel build config from linux-base-7.3.4+deb13-amd64 (usr/lib/modules/7.3.4+deb13-amd64/config), gzip', '-', 'CONFIG_FUNCTION_TRACE_ARGS=y, # CONFIG_FUNCTION_GRAPH_RETVAL is not set', '', ''))

for c in checks:
    print(c[0], '|', c[1], '|', c[2])
if failed:
    print('FAILED:\n  ' + '\n  '.join(failed))

here = os.path.dirname(os.path.abspath(__file__))
out = [open(os.path.join(here, 'MANIFEST.new.head.md')).read().rstrip('\n'), '', '## Kernels', '']
for ks, desc in KDESC.items():
    out.append(f'- `{ks}`: {desc}')
out += ['', '## Files', '',
        '| file | kernel | tracer and options | command that ran (in the guest) | expected result | observed (program output) | size |',
        '|---|---|---|---|---|---|---|']
for r in sorted(rows):
    out.append(f'| `{r[0]}` | ' + ' | '.join(cell(x) for x in r[1:]) + ' |')
out += ['', '## Verification (tools/qemu-capture/make-new-corpus.py)', '',
        'Each file: md5 equal to the guest-side md5 in the ttyS1 frame; `bpfcase <case> begin` marker, then the '
        'syscall enter and exit events; the exit event value equals the program\'s own result '
        '(ok: fd >= 0, bad: -22 / -2) and the `end ret=.. errno=..` marker matches; plus the format check of the folder '
        '(latency header, no flags column, hostile comm bytes, argument lists). Line numbers count from 1 in the '
        'decompressed file.', '',
        '| file | result | detail |', '|---|---|---|']
for c in sorted(checks):
    out.append(f'| `{cell(c[0])}` | {cell(c[1])} | {cell(c[2])} |')
tail = os.path.join(here, 'MANIFEST.new.tail.md')
if os.path.exists(tail):
    out += ['', open(tail).read().rstrip('\n')]
open(os.path.join(DST, 'MANIFEST.md'), 'w').write('\n'.join(out) + '\n')
sys.exit(1 if failed else 0)
