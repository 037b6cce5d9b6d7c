#!/usr/bin/env python3
"""Arrange the captures of the 6.1 cases taken on kernels the analysis was not
built on (issue 12, must-hold 1: "the same holds on captures from kernels you
have not seen") from $WORK/out/<kver>/{pairs,variants,variants2}/ into
DST/<kernel>/<case>/{ok,bad}.log, verify every file, and write DST/MANIFEST.md
and DST/GOLD.tsv (the true error origin per kernel and case, read from that
kernel's source; the test tests/it/unseen.rs reads it).

Usage: make-unseen-corpus.py WORK DST   (e.g. /tmp/qc-b tests/fixtures/captures-unseen)

Checks per file (exits non-zero if any fails): the bytes equal the raw length and
md5 the guest put in the ttyS1 frame header; the `bpfcase <case> begin` marker,
then the syscall enter and exit events; the exit event's value equals the
program's own result (console line `TC: <name>: pid=.. ret=.. errno=..`) and the
expectation (ok: >= 0; bad: the case's errno); the `end ret=.. errno=..` marker;
the options of the variant visible in the file (proc/abstime/tail columns, no irq
lines) where they show.
"""
import hashlib, os, re, sys

from corpus_files import put

WORK, DST = sys.argv[1], sys.argv[2]
OUT = os.path.join(WORK, 'out')

KERNELS = {
    '7.3': ('7.3.4+deb13-amd64',
            'Debian 7.3.4+deb13-amd64 (linux 7.3.4-1~bpo13+1, trixie-backports): stock image from '
            'linux-binary-7.3.4+deb13-amd64, config from linux-base-7.3.4+deb13-amd64 '
            '(`fetch-new.sh`); CONFIG_FUNCTION_GRAPH_RETVAL not set, so no return values'),
    '6.12': ('6.12.117+deb12-amd64',
             'Debian 6.12.117+deb12-amd64 (linux 6.12.117-1~deb12u1, bookworm-security): stock image '
             'from linux-image-6.12.117+deb12-amd64-unsigned (`fetch-new.sh`, K612); '
             'CONFIG_FUNCTION_GRAPH_RETVAL not set, so no return values'),
}

# case folder -> (ok capture, bad capture, syscall, bad errno)
PAIRS = {
    'bpf-array-zerokey': ('bpf_ok_array', 'bpf_bad_zerokey', 'bpf', -22),
    'bpf-array-zeroentries': ('bpf_ok_array', 'bpf_bad_zeroentries', 'bpf', -22),
    'bpf-map-create-unspec': ('bpf_ok_array', 'bpf_bad_unspec', 'bpf', -22),
    'bpf-map-create-type200': ('bpf_ok_array', 'bpf_bad_type200', 'bpf', -22),
    'bpf-xskmap-vs-unspec': ('bpf_ok_xsk', 'bpf_bad_unspec', 'bpf', -22),
    'openat-enoent': ('openat_ok', 'openat_bad_enoent', 'openat', -2),
    'mkdir-eexist': ('mkdir_ok', 'mkdir_bad_eexist', 'mkdir', -17),
}
# the pairs the `variants` part captures under each option set
VARIANT_PAIRS = ('bpf-array-zerokey', 'bpf-map-create-unspec', 'openat-enoent')

# (kernel, case) -> (true origin, where the error is made, from the kernel's source)
GOLD = {}
for k in KERNELS:
    GOLD[(k, 'bpf-array-zerokey')] = GOLD[(k, 'bpf-array-zeroentries')] = (
        'array_map_alloc_check',
        'kernel/bpf/arraymap.c array_map_alloc_check(): key_size != 4 / max_entries == 0 -> -EINVAL')
    GOLD[(k, 'bpf-map-create-unspec')] = GOLD[(k, 'bpf-xskmap-vs-unspec')] = (
        'map_create', 'kernel/bpf/syscall.c: bpf_map_types[0] is NULL -> -EINVAL in map_create()'
        + ('\'s inlined map_create_alloc()' if k == '7.3' else '\'s own code'))
    GOLD[(k, 'bpf-map-create-type200')] = (
        'map_create', 'kernel/bpf/syscall.c: map_type >= ARRAY_SIZE(bpf_map_types) -> -EINVAL in map_create()'
        + ('\'s inlined map_create_alloc() (after bpf_log "Invalid map_type.")' if k == '7.3' else '\'s own code'))
GOLD[('6.12', 'openat-enoent')] = (
    'step_into', 'fs/namei.c step_into() -> handle_mounts() -> traverse_mounts() (both inlined): '
    'd_flags_negative() -> -ENOENT')
GOLD[('7.3', 'openat-enoent')] = (
    'step_into_slowpath', 'fs/namei.c step_into() is __always_inline; its step_into_slowpath() -> '
    'handle_mounts() -> traverse_mounts() (inlined): d_flags_negative() -> -ENOENT, then dput()')
GOLD[('6.12', 'mkdir-eexist')] = (
    'filename_create', 'fs/namei.c filename_create(): error = -EEXIST; if (d_is_positive(dentry)) goto fail')
GOLD[('7.3', 'mkdir-eexist')] = (
    'lookup_one_qstr_excl', 'fs/namei.c lookup_one_qstr_excl(): d_is_positive(dentry) && (flags & LOOKUP_EXCL) '
    '-> dput(); ERR_PTR(-EEXIST) (moved there from filename_create() in 6.15)')

ENTER = re.compile(rb'sys_(bpf|openat|mkdir)\(')
EXIT = re.compile(rb'sys_(bpf|openat|mkdir) -> (0x[0-9a-f]+)')


def frames(path):
    """name -> (rawlen, rawmd5), complete frames only."""
    data = open(path, 'rb').read()
    hdr = re.compile(rb'=====BEGIN (\S+) (\d+) ([0-9a-f]{32}) (\d+) ([0-9a-f]{32})=====\n')
    out, pos = {}, 0
    while (m := hdr.search(data, pos)):
        if len(data) - m.end() >= int(m.group(2)):
            out[m.group(1).decode()] = (int(m.group(4)), m.group(5).decode())
        pos = m.end() + int(m.group(2))
    return out


def results(console):
    """capture name -> the program's own result line, from the guest console."""
    out = {}
    for line in open(console, encoding='utf-8', errors='replace'):
        m = re.match(r'TC: (\S+): (pid=\d+ case=\S+ ret=-?\d+ errno=\d+.*)$', line.rstrip())
        if m:
            out[m.group(1)] = m.group(2)
    return out


def signed(h):
    x = int(h, 16)
    return x - 2**64 if x >= 2**63 else x


def case_of(prog):
    return re.search(r'case=(\S+)', prog).group(1)


def check(raw, prog, lab, want, opts):
    """Failed checks (empty = ok) and a summary."""
    case = case_of(prog)
    lines = raw.split(b'\n')
    beg = [i for i, l in enumerate(lines) if b'bpfcase %s begin' % case.encode() in l]
    if not beg:
        return ['no begin marker'], ''
    ent = next((i for i in range(beg[0], len(lines)) if ENTER.search(lines[i])), None)
    ex = next((i for i in range(beg[0], len(lines)) if EXIT.search(lines[i])), None)
    bad = [] if ent is not None else ['no enter event']
    if ex is None:
        return bad + ['no exit event'], ''
    val = signed(EXIT.search(lines[ex]).group(2).decode())
    pm = re.search(r'ret=(-?\d+) errno=(\d+)', prog)
    pret, perr = int(pm.group(1)), int(pm.group(2))
    if lab == 'ok' and not (val >= 0 and pret == val and perr == 0):
        bad.append(f'ok: exit {val}, program ret={pret} errno={perr}')
    if lab == 'bad' and not (val == want and pret == -1 and perr == -want):
        bad.append(f'bad: exit {val}, program ret={pret} errno={perr}, want {want}')
    if b'bpfcase %s end ret=%d errno=%d' % (case.encode(), pret, perr) not in raw:
        bad.append('no matching end marker')
    body = b'\n'.join(l for l in lines if not l.startswith(b'#'))
    if 'funcgraph-proc' in opts and not re.search(rb'bpfcase-\d+', body):
        bad.append('funcgraph-proc: no task column')
    if 'funcgraph-abstime' in opts and not re.search(rb'^\s*\d+\.\d{6} \|', body, re.M):
        bad.append('funcgraph-abstime: no time column')
    if 'funcgraph-tail' in opts and not re.search(rb'} /\* \w+ \*/', body):
        bad.append('funcgraph-tail: no named closing brace')
    return bad, f'exit event = {val} (line {ex + 1}), enter event line {ent + 1 if ent is not None else "-"}'


def sources(kv):
    """Boot dirs of one kernel, later boots first (variants2 re-took some of variants)."""
    return [d for d in (os.path.join(OUT, kv, p) for p in ('variants2', 'variants', 'pairs'))
            if os.path.exists(os.path.join(d, 'data.bin'))]


def find(kv, name):
    """(dir, frame, program result) of the first boot that sent `name` whole."""
    for d in sources(kv):
        fr = frames(os.path.join(d, 'data.bin'))
        if name + '.log' in fr and os.path.exists(os.path.join(d, name + '.log')):
            return d, fr[name + '.log'], results(os.path.join(d, 'console.log')).get(name)
    return None


def wanted(kv):
    """(folder, ok name, bad name, syscall, errno, option set)."""
    out = [(c, o, b, sc, e, 'default') for c, (o, b, sc, e) in PAIRS.items()]
    names = set()
    for d in sources(kv):
        names |= {f[:-4] for f in os.listdir(d) if f.endswith('.log') and '__' in f}
    for vn in sorted({n.split('__', 1)[1] for n in names}):
        for c in VARIANT_PAIRS:
            o, b, sc, e = PAIRS[c]
            out.append((f'{c}--{vn}', f'{o}__{vn}', f'{b}__{vn}', sc, e, vn))
    return out


rows, checks, failed, gold = [], [], [], []
for ks, (kv, _) in KERNELS.items():
    for folder, okn, badn, sc, errno, vn in wanted(kv):
        got = {lab: find(kv, n) for lab, n in (('ok', okn), ('bad', badn))}
        if any(g is None or g[2] is None for g in got.values()):
            checks.append((f'{ks}/{folder}', 'not stored: a capture of the pair did not arrive whole', ''))
            continue
        case = folder.split('--')[0]
        for lab, (d, (rl, rm), prog) in got.items():
            name = okn if lab == 'ok' else badn
            raw = open(os.path.join(d, name + '.log'), 'rb').read()
            rel = f'{ks}/{folder}/{lab}.log'
            bad = [] if len(raw) == rl and hashlib.md5(raw).hexdigest() == rm else ['md5 differs from the guest frame']
            more, summ = check(raw, prog, lab, errno, vn)
            bad += more
            if bad:
                failed.append(f'{rel}: ' + '; '.join(bad))
            put(raw, os.path.join(DST, rel))
            checks.append((rel, 'ok' if not bad else 'FAILED: ' + '; '.join(bad), summ))
            opts = vn.replace('+', ',')
            gfn = f'__x64_sys_{sc}'
            rows.append((rel, ks, f'function_graph; set_graph_function={gfn}; events syscalls/sys_enter_{sc}+'
                         f'sys_exit_{sc}; set_ftrace_pid/set_event_pid = the test process; options: {opts}',
                         f'`run-kernel.sh` boot `{os.path.basename(d)}`: '
                         f'env TC_TRACE=1 /bin/bpfcase {case_of(prog)}',
                         prog, f'{len(raw)} bytes'))
        g = GOLD[(ks, case)]
        gold.append((ks, folder, g[0], g[1]))

for ks, (kv, _) in KERNELS.items():
    d = os.path.join(OUT, kv, 'pairs')
    aff = open(os.path.join(d, 'available_filter_functions.txt'), 'rb').read()
    if hashlib.md5(aff).hexdigest() != frames(os.path.join(d, 'data.bin'))['available_filter_functions.txt'][1]:
        failed.append(f'{ks}: available_filter_functions md5')
    put(aff, os.path.join(DST, f'kernel-{ks}', 'available_filter_functions.txt.gz'))
    put(open(os.path.join(WORK, 'boot', f'config-{kv}'), 'rb').read(), os.path.join(DST, f'kernel-{ks}', 'config.gz'))

for c in checks:
    print(c[0], '|', c[1], '|', c[2])
if failed:
    print('FAILED:\n  ' + '\n  '.join(failed))


def cell(s):
    return str(s).replace('|', '\\|').replace('\n', ' ')


here = os.path.dirname(os.path.abspath(__file__))
out = [open(os.path.join(here, 'MANIFEST.unseen.head.md')).read().rstrip('\n'), '', '## Kernels', '']
out += [f'- `{ks}`: {desc}' for ks, (_, desc) in KERNELS.items()]
out += ['', '`kernel-<k>/available_filter_functions.txt.gz` is that file as the guest read it (part `aff`, '
        'with `pairs`); `kernel-<k>/config.gz` the config shipped with the image.', '',
        '## True error origins (`GOLD.tsv`, read by `tests/it/unseen.rs`)', '',
        '| kernel | case | true origin | where the error is made |', '|---|---|---|---|']
out += [f'| {g[0]} | `{g[1]}` | `{g[2]}()` | {cell(g[3])} |' for g in gold]
out += ['', '## Files', '', '| file | kernel | tracer and options | command (in the guest) | observed (program output) | size |',
        '|---|---|---|---|---|---|']
out += [f'| `{r[0]}` | ' + ' | '.join(cell(x) for x in r[1:]) + ' |' for r in sorted(rows)]
out += ['', '## Verification (make-unseen-corpus.py)', '', '| file | result | detail |', '|---|---|---|']
out += [f'| `{cell(c[0])}` | {cell(c[1])} | {cell(c[2])} |' for c in sorted(checks)]
os.makedirs(DST, exist_ok=True)
open(os.path.join(DST, 'MANIFEST.md'), 'w').write('\n'.join(out) + '\n')
with open(os.path.join(DST, 'GOLD.tsv'), 'w') as f:
    f.write('# kernel\tcase folder\ttrue origin\twhere (from the kernel source)\n')
    for g in gold:
        f.write('\t'.join(g) + '\n')
sys.exit(1 if failed else 0)
