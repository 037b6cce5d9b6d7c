#!/bin/busybox sh
# Guest /init: sets up tracefs, runs every capture scenario, and streams each
# result over the 2nd serial port (ttyS1, raw mode: no \r insertion) framed as
#   =====BEGIN <name> <gz-bytes> <gz-md5> <raw-bytes> <raw-md5>=====\n<gzip data>\n=====END <name>=====\n
# Kernel cmdline param "tcs=<scenario,...>" limits the scenarios (default: all).
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mkdir /tmp/exist
mkdir /tmp/empty0 /tmp/empty1 /tmp/full   # newcases: rmdir_empty (warm-up + traced), rmdir_notempty
echo x > /tmp/full/f
echo x > /tmp/u0; echo x > /tmp/u1; echo x > /tmp/r0; echo x > /tmp/r1; echo x > /tmp/a0; echo x > /tmp/a1   # newcases2
echo x > /tmp/t   # newcases3: truncate_ok
mkdir /tmp/m      # newcases6: mount_tmpfs, mount_enodev
mount -t tracefs nodev /sys/kernel/tracing
T=/sys/kernel/tracing
D=/dev/ttyS1
exec 3>$D
stty -F $D raw -echo
KV=$(uname -r)
DEFBUF=$(cat $T/buffer_size_kb)   # never resized at run time (shrinking hung the guest); size comes from trace_buf_size= on the cmdline
mkdir -p /out
echo "TC: kernel $KV nproc $(nproc) defbuf $DEFBUF"

send() { # name file
    gzip -c "$2" > /tmp/send.gz
    rs=$(wc -c < "$2"); rm5=$(md5sum < "$2" | cut -d' ' -f1)
    gs=$(wc -c < /tmp/send.gz); gm5=$(md5sum < /tmp/send.gz | cut -d' ' -f1)
    printf '=====BEGIN %s %s %s %s %s=====\n' "$1" "$gs" "$gm5" "$rs" "$rm5" >&3
    cat /tmp/send.gz >&3
    printf '\n=====END %s=====\n' "$1" >&3
    echo "TC: sent $1 raw=$rs gz=$gs"
}

reset_tr() {
    echo 0 > $T/tracing_on
    echo nop > $T/current_tracer
    echo > $T/set_ftrace_pid
    echo > $T/set_event_pid
    echo > $T/set_graph_function
    echo > $T/set_graph_notrace
    echo > $T/set_ftrace_filter
    echo 0 > $T/max_graph_depth
    echo 0 > $T/events/enable
    for o in funcgraph-proc funcgraph-abstime funcgraph-tail funcgraph-retval funcgraph-retval-hex funcgraph-args \
             latency-format func-args func_stack_trace; do
        [ -e $T/options/$o ] && echo 0 > $T/options/$o
    done
    for o in funcgraph-irqs funcgraph-duration funcgraph-cpu funcgraph-overhead sleep-time graph-time overwrite irq-info; do
        [ -e $T/options/$o ] && echo 1 > $T/options/$o
    done
    echo > $T/trace
}

has_opt() { [ -e $T/options/$1 ]; }

# capture NAME TRACER GRAPHFN OPTS CASE [syscall-event]
#   OPTS: comma list of options to set to 1 (prefix no to clear), depth=N, buf=N, pipe
capture() {
    name=$1 tracer=$2 gfn=$3 opts=$4 case=$5 ev=$6
    reset_tr
    pipe=0
    for o in $(echo "$opts" | tr ',' ' '); do
        case $o in
            default) ;;
            depth=*) echo ${o#depth=} > $T/max_graph_depth ;;
            pipe) pipe=1 ;;
            no*) if has_opt ${o#no}; then echo 0 > $T/options/${o#no}; else echo "TC: SKIP $name (no option ${o#no})"; return; fi ;;
            *) if has_opt $o; then echo 1 > $T/options/$o; else echo "TC: SKIP $name (no option $o)"; return; fi ;;
        esac
    done
    if [ -n "$ev" ]; then
        echo 1 > $T/events/syscalls/sys_enter_$ev/enable
        echo 1 > $T/events/syscalls/sys_exit_$ev/enable
    fi
    echo $tracer > $T/current_tracer
    if [ "$tracer" = function_graph ]; then
        [ "$gfn" != - ] && echo $gfn > $T/set_graph_function
    else
        [ "$gfn" != - ] && echo "$gfn" > $T/set_ftrace_filter
    fi
    echo > $T/trace
    # the child writes its own pid (classic recipe), then execs the test program,
    # which itself flips tracing_on 1/0 around the single traced call.
    # CAPENV (optional, e.g. TC_COMM_HEX=...) is passed to the test program.
    sh -c "echo \$\$ > $T/set_ftrace_pid; echo \$\$ > $T/set_event_pid; exec env TC_TRACE=1 $CAPENV /bin/bpfcase $case" > /tmp/prog.out 2>&1
    echo "TC: $name: $(cat /tmp/prog.out)"
    echo 0 > $T/tracing_on
    if [ $pipe = 1 ]; then
        cat $T/trace_pipe > /out/$name.log &
        cp=$!; sleep 1; kill $cp; wait $cp 2>/dev/null
    else
        cat $T/trace > /out/$name.log
    fi
    # record what ran, for the manifest
    echo "$name|$KV|$tracer|$gfn|$opts,buffer_size_kb=$(cat $T/buffer_size_kb | tr ' ' _)|${CAPENV:+$CAPENV }bpfcase $case|$(cat /tmp/prog.out)" >> /out/_runs.txt
    send $name.log /out/$name.log
}

# busy workload on 2 CPUs, no pid filter
busy() { # NAME GFN OPTS READMODE
    name=$1 gfn=$2 opts=$3 mode=$4
    reset_tr
    for o in $(echo "$opts" | tr ',' ' '); do
        case $o in
            default) ;;
            depth=*) echo ${o#depth=} > $T/max_graph_depth ;;
            no*) echo 0 > $T/options/${o#no} ;;
            *) echo 1 > $T/options/$o ;;
        esac
    done
    echo function_graph > $T/current_tracer
    [ "$gfn" != - ] && echo "$gfn" > $T/set_graph_function
    echo > $T/trace
    if [ "$mode" = pipe ]; then
        cat $T/trace_pipe > /out/$name.log & cp=$!
    fi
    echo 1 > $T/tracing_on
    /bin/bpfcase busy 100 > /tmp/b1 & p1=$!
    /bin/bpfcase busy 100 > /tmp/b2 & p2=$!
    ls -R /sys/kernel/tracing/events > /dev/null
    wait $p1 $p2
    echo 0 > $T/tracing_on
    if [ "$mode" = pipe ]; then
        sleep 1; kill $cp; wait $cp 2>/dev/null
    else
        cat $T/trace > /out/$name.log
    fi
    echo "$name|$KV|function_graph|$gfn|$opts,nopidfilter,read=$mode,buffer_size_kb=$(cat $T/buffer_size_kb | tr ' ' _)|2x bpfcase busy 100 + ls -R|$(cat /tmp/b1 /tmp/b2 | tr '\n' ' ')" >> /out/_runs.txt
    send $name.log /out/$name.log
}

tracecmd() {
    [ -x /usr/bin/trace-cmd ] || { echo "TC: no trace-cmd"; return; }
    reset_tr
    cd /tmp
    TC_NOWARM= trace-cmd record -q -p function_graph -g __x64_sys_bpf \
        -e syscalls:sys_enter_bpf -e syscalls:sys_exit_bpf -o /tmp/tc.dat \
        -F /bin/bpfcase map_unspec > /tmp/tcrec.out 2>&1
    echo "TC: trace-cmd record rc=$? $(tail -3 /tmp/tcrec.out | tr '\n' ' ')"
    trace-cmd report -i /tmp/tc.dat > /out/tracecmd-report.log 2>/tmp/tcrep.err
    echo "TC: trace-cmd report rc=$? $(head -3 /tmp/tcrep.err | tr '\n' ' ')"
    echo "tracecmd-report|$KV|function_graph (trace-cmd record -p function_graph -g __x64_sys_bpf -e syscalls:sys_enter_bpf -e syscalls:sys_exit_bpf -F)|__x64_sys_bpf|trace-cmd|bpfcase map_unspec|$(cat /tmp/tcrec.out | grep pid= )" >> /out/_runs.txt
    send tracecmd-report.log /out/tracecmd-report.log
    send tracecmd.dat /tmp/tc.dat
    reset_tr
    cd /
}

# ---- additions (tools/qemu-capture in the tracereport repo) ----
# tcrun NAME EV CASE TRACE-CMD-RECORD-ARGS...: one trace-cmd record -F run of the test
# program (no warm-up, markers on, result line to /tmp/prog.out), then trace-cmd report.
tcrun() {
    [ -x /usr/bin/trace-cmd ] || { echo "TC: SKIP $1 (no trace-cmd)"; return; }
    name=$1 ev=$2 case=$3; shift 3
    reset_tr
    cd /tmp; rm -f /tmp/tc.dat /tmp/prog.out
    TC_NOWARM=1 TC_MARK=1 TC_OUT=/tmp/prog.out timeout 300 trace-cmd record -q "$@" \
        -e syscalls:sys_enter_$ev -e syscalls:sys_exit_$ev -o /tmp/tc.dat \
        -F /bin/bpfcase $case > /tmp/tcrec.out 2>&1
    rc=$?
    echo "TC: $name: trace-cmd record rc=$rc $(tail -3 /tmp/tcrec.out | tr '\n' ' ') prog: $(cat /tmp/prog.out)"
    trace-cmd report -i /tmp/tc.dat > /out/$name.log 2>/tmp/tcrep.err
    echo "TC: $name: trace-cmd report rc=$? $(head -3 /tmp/tcrep.err | tr '\n' ' ')"
    echo "$name|$KV|trace-cmd $(trace-cmd 2>&1 | grep -o 'version [0-9.]*' | head -1)|-|trace-cmd record -q $* -e syscalls:sys_enter_$ev -e syscalls:sys_exit_$ev -o tc.dat -F /bin/bpfcase $case (env TC_NOWARM=1 TC_MARK=1) rc=$rc; trace-cmd report -i tc.dat|bpfcase $case|$(cat /tmp/prog.out)" >> /out/_runs.txt
    send $name.log /out/$name.log
    send $name.dat /tmp/tc.dat
    cp /tmp/tcrec.out /out/$name.record-stderr.txt; cat /tmp/tcrep.err >> /out/$name.record-stderr.txt
    send $name.record-stderr.txt /out/$name.record-stderr.txt
    reset_tr
    cd /
}

# perfrun NAME EV CASE PERF-FTRACE-ARGS...: `perf ftrace ARGS -- /bin/bpfcase CASE`, stdout
# (the trace text perf prints) to the capture file; syscall events EV enabled in tracefs
# beforehand (perf ftrace has no event option; it leaves events/ alone).
perfrun() {
    [ -x /usr/bin/perf ] || { echo "TC: SKIP $1 (no perf)"; return; }
    name=$1 ev=$2 case=$3; shift 3
    reset_tr
    if [ -n "$ev" ]; then
        echo 1 > $T/events/syscalls/sys_enter_$ev/enable
        echo 1 > $T/events/syscalls/sys_exit_$ev/enable
    fi
    cd /tmp; rm -f /tmp/prog.out
    TC_NOWARM=1 TC_MARK=1 TC_OUT=/tmp/prog.out timeout 300 perf ftrace "$@" -- /bin/bpfcase $case > /out/$name.log 2> /tmp/perf.err
    rc=$?
    echo "TC: $name: perf ftrace rc=$rc $(head -3 /tmp/perf.err | tr '\n' ' ') prog: $(cat /tmp/prog.out)"
    echo "$name|$KV|$(perf version 2>/dev/null)|-|perf ftrace $* -- /bin/bpfcase $case (env TC_NOWARM=1 TC_MARK=1; events syscalls/sys_enter_$ev+sys_exit_$ev enabled in tracefs first) rc=$rc|bpfcase $case|$(cat /tmp/prog.out)" >> /out/_runs.txt
    send $name.log /out/$name.log
    cp /tmp/perf.err /out/$name.stderr.txt
    send $name.stderr.txt /out/$name.stderr.txt
    reset_tr
    cd /
}

want() { [ -z "$tcs" ] && return 0; case ",$tcs," in *,$1,*) return 0;; esac; return 1; }

# ---------------- scenarios ----------------
BPF=__x64_sys_bpf
if want xsk; then
    for v in default funcgraph-retval funcgraph-retval,funcgraph-tail funcgraph-proc,funcgraph-abstime,funcgraph-tail; do
        vn=$(echo $v | tr ',=' '+-')
        capture bpf_xsk__$vn   function_graph $BPF $v map_xsk bpf
        capture bpf_array__$vn function_graph $BPF $v map_array bpf
    done
    cat $T/available_filter_functions > /out/aff.txt
    send available_filter_functions.txt /out/aff.txt
fi
if want pkt; then       # socket(AF_PACKET): ok with CONFIG_PACKET, EAFNOSUPPORT without (packet variant)
    for v in default funcgraph-retval; do
        vn=$(echo $v | tr ',=' '+-')
        capture sock_packet__$vn function_graph __x64_sys_socket $v sock_packet socket
    done
    cat $T/available_filter_functions > /out/aff.txt
    send available_filter_functions.txt /out/aff.txt
fi
if want rec; then       # `tracereport record` itself (record-e2e.sh puts the binary in /usr/bin)
    reset_tr
    snap() { for f in current_tracer tracing_on buffer_size_kb set_graph_function max_graph_depth \
                      set_event_pid options/* events/syscalls/sys_*_bpf/enable; do
                 printf '%s=%s\n' "$f" "$(cat $T/$f 2>&1 | tr '\n' ' ')"; done; }
    (cd $T && snap) > /out/rec-before.txt
    cd /tmp
    # the seed case on this kernel (map_xsk fails with EINVAL without CONFIG_XDP_SOCKETS);
    # each run bounded (SIGINT: record's own orderly stop) so a hang still sends its files.
    echo "TC: rec: record map_xsk ($(date +%T))"
    timeout -s INT 900 tracereport record -q -g $BPF --retval --syscall bpf -o /out/rec-xsk.log \
        -- /bin/bpfcase map_xsk > /out/rec.stderr.txt 2>&1; echo "xsk rc=$?" >> /out/rec.stderr.txt
    # --good/--bad on one kernel: ARRAY create vs UNSPEC (EINVAL)
    echo "TC: rec: record --good map_array --bad map_unspec --report ($(date +%T))"
    timeout -s INT 1200 tracereport record -q -g $BPF --retval --syscall bpf -o /out/rec.log \
        --good '/bin/bpfcase map_array' --bad '/bin/bpfcase map_unspec' --report /out/rec-report \
        >> /out/rec.stderr.txt 2>&1; echo "pair rc=$?" >> /out/rec.stderr.txt
    echo "TC: rec: done ($(date +%T)): $(tr '\n' ' ' < /out/rec.stderr.txt | tail -c 300)"
    (cd $T && snap) > /out/rec-after.txt
    cd /
    for f in rec-xsk.log rec-good.log rec-bad.log rec-xsk.available_filter_functions rec-xsk.config \
             rec-before.txt rec-after.txt rec.stderr.txt; do
        [ -e /out/$f ] && send $f /out/$f
    done
    [ -e /out/rec-report/report.md ] && send rec-report.md /out/rec-report/report.md
fi
if want pairs; then
    capture bpf_ok_array            function_graph $BPF default map_array bpf
    capture bpf_bad_unspec          function_graph $BPF default map_unspec bpf
    capture bpf_bad_type200         function_graph $BPF default map_badtype bpf
    capture bpf_bad_zerokey         function_graph $BPF default map_zerokey bpf
    capture bpf_bad_zeroentries     function_graph $BPF default map_zeroentries bpf
    capture bpf_ok_xsk              function_graph $BPF default map_xsk bpf
    capture bpf_ok_hash             function_graph $BPF default map_hash bpf
    capture openat_ok               function_graph __x64_sys_openat default open_ok openat
    capture openat_bad_enoent       function_graph __x64_sys_openat default open_missing openat
    capture mkdir_ok                function_graph __x64_sys_mkdir default mkdir_new mkdir
    capture mkdir_bad_eexist        function_graph __x64_sys_mkdir default mkdir_exist mkdir
fi
# tcv= on the kernel command line picks some option sets of `variants` (":" between sets,
# "+" between the options of one set; run-kernel.sh passes $TCV), e.g.
# tcv=funcgraph-tail:funcgraph-proc+funcgraph-abstime+funcgraph-tail
VARSETS="funcgraph-proc funcgraph-abstime funcgraph-tail funcgraph-retval nofuncgraph-irqs
         funcgraph-proc,funcgraph-abstime,funcgraph-tail depth=3 pipe"
[ -n "$tcv" ] && VARSETS=$(echo "$tcv" | tr ':+' ' ,')
if want newcases; then   # ENOTDIR, ENOTEMPTY, E2BIG, each with its good twin; recipe as 'pairs'
    capture open_ok                 function_graph __x64_sys_openat default open_ok openat
    capture open_notdir             function_graph __x64_sys_openat default open_notdir openat
    capture rmdir_empty             function_graph __x64_sys_rmdir default rmdir_empty rmdir
    capture rmdir_notempty          function_graph __x64_sys_rmdir default rmdir_notempty rmdir
    capture map_hash                function_graph $BPF default map_hash bpf
    capture map_hash_e2big          function_graph $BPF default map_hash_e2big bpf
fi
if want newcases2; then  # EISDIR (open, unlink), EXDEV, each with its good twin; recipe as 'pairs'
    capture open_ok                 function_graph __x64_sys_openat default open_ok openat
    capture open_eisdir             function_graph __x64_sys_openat default open_eisdir openat
    capture unlink_ok               function_graph __x64_sys_unlinkat default unlink_ok unlinkat
    capture unlink_eisdir           function_graph __x64_sys_unlinkat default unlink_eisdir unlinkat
    capture rename_ok               function_graph __x64_sys_renameat2 default rename_ok renameat2
    capture rename_exdev            function_graph __x64_sys_renameat2 default rename_exdev renameat2
fi
if want newcases3; then  # ENOENT (parent), EEXIST, EAFNOSUPPORT, EISDIR (truncate); recipe as 'pairs'
    capture mkdir_ok                function_graph __x64_sys_mkdir default mkdir_new mkdir
    capture mkdir_enoent            function_graph __x64_sys_mkdir default mkdir_enoent mkdir
    capture open_creat              function_graph __x64_sys_openat default open_creat openat
    capture open_eexist             function_graph __x64_sys_openat default open_eexist openat
    capture socket_unix             function_graph __x64_sys_socket default socket_unix socket
    capture socket_eafnosupport     function_graph __x64_sys_socket default socket_eafnosupport socket
    capture truncate_ok             function_graph __x64_sys_truncate default truncate_ok truncate
    capture truncate_eisdir         function_graph __x64_sys_truncate default truncate_eisdir truncate
fi
if want newcases4; then  # EINVAL (own code only), EPROTONOSUPPORT, EINVAL (long name), ENOTDIR (O_DIRECTORY); recipe as 'pairs'
    capture dup3_ok                 function_graph __x64_sys_dup3 default dup3_ok dup3
    capture dup3_einval             function_graph __x64_sys_dup3 default dup3_einval dup3
    capture socket_inet             function_graph __x64_sys_socket default socket_inet socket
    capture socket_eprotonosupport  function_graph __x64_sys_socket default socket_eprotonosupport socket
    capture memfd_ok                function_graph __x64_sys_memfd_create default memfd_ok memfd_create
    capture memfd_einval            function_graph __x64_sys_memfd_create default memfd_einval memfd_create
    capture opendir_ok              function_graph __x64_sys_openat default opendir_ok openat
    capture opendir_enotdir         function_graph __x64_sys_openat default opendir_enotdir openat
fi
if want newcases5; then  # ESRCH, ENOTDIR (chdir), EACCES (create in /proc), EINVAL (pipe2 flags); recipe as 'pairs'
    capture kill_self               function_graph __x64_sys_kill default kill_self kill
    capture kill_esrch              function_graph __x64_sys_kill default kill_esrch kill
    capture chdir_ok                function_graph __x64_sys_chdir default chdir_ok chdir
    capture chdir_enotdir           function_graph __x64_sys_chdir default chdir_enotdir chdir
    capture creat_tmp               function_graph __x64_sys_openat default creat_tmp openat
    capture creat_proc_eacces       function_graph __x64_sys_openat default creat_proc_eacces openat
    capture pipe2_ok                function_graph __x64_sys_pipe2 default pipe2_ok pipe2
    capture pipe2_einval            function_graph __x64_sys_pipe2 default pipe2_einval pipe2
fi
if want newcases6; then  # EBADF (write), EINVAL (ftruncate, epoll_ctl), ENODEV (mount); recipe as 'pairs'
    capture write_ok                function_graph __x64_sys_write default write_ok write
    capture write_ebadf             function_graph __x64_sys_write default write_ebadf write
    capture ftruncate_ok            function_graph __x64_sys_ftruncate default ftruncate_ok ftruncate
    capture ftruncate_einval        function_graph __x64_sys_ftruncate default ftruncate_einval ftruncate
    capture mount_tmpfs             function_graph __x64_sys_mount default mount_tmpfs mount
    capture mount_enodev            function_graph __x64_sys_mount default mount_enodev mount
    capture epoll_add_pipe          function_graph __x64_sys_epoll_ctl default epoll_add_pipe epoll_ctl
    capture epoll_add_self          function_graph __x64_sys_epoll_ctl default epoll_add_self epoll_ctl
fi
if want variants; then
    for v in $VARSETS; do
        vn=$(echo $v | tr ',=' '+-')
        [ $v = funcgraph-retval ] && ! has_opt funcgraph-retval && { echo "TC: SKIP funcgraph-retval (option absent)"; continue; }
        capture bpf_ok_array__$vn    function_graph $BPF $v map_array bpf
        capture bpf_bad_unspec__$vn  function_graph $BPF $v map_unspec bpf
        capture bpf_bad_zerokey__$vn function_graph $BPF $v map_zerokey bpf
        capture openat_ok__$vn         function_graph __x64_sys_openat $v open_ok openat
        capture openat_bad_enoent__$vn function_graph __x64_sys_openat $v open_missing openat
    done
    if has_opt funcgraph-retval; then
        for v in funcgraph-retval,funcgraph-retval-hex funcgraph-retval,funcgraph-proc,funcgraph-abstime,funcgraph-tail; do
            vn=$(echo $v | tr ',=' '+-')
            capture bpf_ok_array__$vn    function_graph $BPF $v map_array bpf
            capture bpf_bad_unspec__$vn  function_graph $BPF $v map_unspec bpf
            capture bpf_bad_zerokey__$vn function_graph $BPF $v map_zerokey bpf
        done
    fi
  if [ -z "$tcv" ]; then   # the rest only in a full `variants` run
    # sleep-time on/off on a sleeping syscall
    capture nanosleep__sleep-time   function_graph __x64_sys_nanosleep sleep-time nanosleep nanosleep
    capture nanosleep__nosleep-time function_graph __x64_sys_nanosleep nosleep-time nanosleep nanosleep
    # plain function tracer, same calls (pid-filtered, tracing_on bracketed)
    capture fn_bpf_ok_array   function - default map_array bpf
    capture fn_bpf_bad_unspec function - default map_unspec bpf
    capture fn_openat_ok      function - default open_ok openat
    capture fn_openat_bad_enoent function - default open_missing openat
  fi
fi
if want busy; then
    busy busy2cpu_graph_syscalls "__x64_sys_bpf __x64_sys_openat" default trace
    busy busy2cpu_all_depth2 - depth=2 trace
    busy busy2cpu_all_depth2_noirqs - depth=2,nofuncgraph-irqs trace
    busy busy2cpu_proc_abstime "__x64_sys_bpf __x64_sys_openat" funcgraph-proc,funcgraph-abstime trace
fi
if want lost; then   # booted with trace_buf_size=4K (see run-kernel.sh)
    busy lost_tinybuf_pipe - default pipe
    busy lost_tinybuf_trace - default trace
fi
# hostile comm: "<b>" 0xff 0xfe '"' "x</b>" (11 bytes, not UTF-8)
HOSTILE=3c623effe222783c2f623e
if want tcfn; then      # trace-cmd report text of a function-tracer run
    tcrun tcfn_bpf_ok_array      bpf    map_array    -p function
    tcrun tcfn_bpf_bad_unspec    bpf    map_unspec   -p function
    tcrun tcfn_openat_ok         openat open_ok      -p function
    tcrun tcfn_openat_bad_enoent openat open_missing -p function
fi
if want perf; then      # perf ftrace text
    perfrun perf_graph_bpf_ok_array   bpf map_array  -G __x64_sys_bpf
    perfrun perf_graph_bpf_bad_unspec bpf map_unspec -G __x64_sys_bpf
    perfrun perf_fn_bpf_ok_array      bpf map_array  -t function
    perfrun perf_fn_bpf_bad_unspec    bpf map_unspec -t function
    perfrun perf_graphv_bpf_ok_array   bpf map_array  -G __x64_sys_bpf --graph-opts verbose
    perfrun perf_graphv_bpf_bad_unspec bpf map_unspec -G __x64_sys_bpf --graph-opts verbose
fi
if want lat; then       # latency-format and irq-info=0
    capture lat_graph_bpf_ok_array   function_graph $BPF latency-format map_array bpf
    capture lat_graph_bpf_bad_unspec function_graph $BPF latency-format map_unspec bpf
    capture lat_fn_bpf_ok_array      function - latency-format map_array bpf
    capture lat_fn_bpf_bad_unspec    function - latency-format map_unspec bpf
    capture noirqinfo_fn_bpf_ok_array   function - noirq-info map_array bpf
    capture noirqinfo_fn_bpf_bad_unspec function - noirq-info map_unspec bpf
fi
if want comm; then      # comm set with prctl(PR_SET_NAME) to hostile bytes
    CAPENV="TC_COMM_HEX=$HOSTILE"
    capture comm_graph_bpf_ok_array   function_graph $BPF funcgraph-proc map_array bpf
    capture comm_graph_bpf_bad_unspec function_graph $BPF funcgraph-proc map_unspec bpf
    capture comm_fn_bpf_ok_array      function - default map_array bpf
    capture comm_fn_bpf_bad_unspec    function - default map_unspec bpf
    CAPENV=
fi
if want args; then      # funcgraph-args (6.16+ kernels with CONFIG_FUNCTION_TRACE_ARGS)
    ls $T/options > /out/options.txt; send options.txt /out/options.txt
    capture args_bpf_ok_array__default   function_graph $BPF default map_array bpf
    capture args_bpf_bad_unspec__default function_graph $BPF default map_unspec bpf
    for v in funcgraph-args funcgraph-args,funcgraph-retval funcgraph-args,funcgraph-proc,funcgraph-abstime,funcgraph-tail; do
        vn=$(echo $v | tr ',=' '+-')
        capture args_bpf_ok_array__$vn   function_graph $BPF $v map_array bpf
        capture args_bpf_bad_unspec__$vn function_graph $BPF $v map_unspec bpf
    done
    capture args_fn_bpf_ok_array__default   function - default map_array bpf
    capture args_fn_bpf_bad_unspec__default function - default map_unspec bpf
    capture args_fn_bpf_ok_array__func-args   function - func-args map_array bpf
    capture args_fn_bpf_bad_unspec__func-args function - func-args map_unspec bpf
fi
if want tracecmd; then
    tracecmd
fi
if want aff; then
    cat $T/available_filter_functions > /out/aff.txt
    send available_filter_functions.txt /out/aff.txt
    [ -e /proc/config.gz ] && zcat /proc/config.gz > /out/config.txt && send config.txt /out/config.txt
fi
send _runs.txt /out/_runs.txt
echo "TC: ALL DONE"
sync
reboot -f   # with -no-reboot QEMU exits (poweroff needs ACPI, absent in the small kernel)
