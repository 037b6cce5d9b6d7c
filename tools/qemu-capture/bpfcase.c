/* bpfcase: perform one syscall case, optionally bracketed by tracing_on=1/0.
 * Usage: bpfcase CASE [loops]
 * Env:   TC_TRACE=1  -> write "1" to tracing_on right before the traced call and
 *                       "0" right after it; a trace_marker line precedes/follows.
 *        TC_NOWARM=1 -> skip the untraced warm-up call.
 *        TC_MARK=1   -> write the trace_marker lines but leave tracing_on alone
 *                       (for runs driven by trace-cmd / perf ftrace, which own tracing_on).
 *        TC_OUT=FILE -> write the result line to FILE instead of stdout (keeps it out of
 *                       `perf ftrace` output, which the workload shares stdout with).
 *        TC_COMM_HEX=<hex bytes> -> first set the task's comm with prctl(PR_SET_NAME) to
 *                       those bytes (max 15), then sleep 20 ms so the scheduler switches
 *                       away and ftrace's saved_cmdlines records the new name; the output
 *                       line then also shows comm=<hex of PR_GET_NAME>.
 * Prints: "pid=<pid> case=<case> ret=<ret> errno=<errno> (<strerror>)".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/epoll.h>
#include <time.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define TR "/sys/kernel/tracing/"

static long map_create(unsigned type, unsigned ks, unsigned vs, unsigned n)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = ks;
	a.value_size = vs;
	a.max_entries = n;
	return syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof(a));
}

static int mkdir_seq;
static int rmdir_seq;
static int unlink_seq;
static int rename_seq;
static int exdev_seq;
static int creat_seq;

static long do_case(const char *c)
{
	char p[64];
	if (!strcmp(c, "map_array"))      return map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 16);
	if (!strcmp(c, "map_hash"))       return map_create(BPF_MAP_TYPE_HASH, 4, 8, 16);
	if (!strcmp(c, "map_xsk"))        return map_create(17 /* BPF_MAP_TYPE_XSKMAP */, 4, 4, 1);
	if (!strcmp(c, "map_unspec"))     return map_create(0 /* UNSPEC: bpf_map_types[0]==NULL */, 4, 8, 16);
	if (!strcmp(c, "map_badtype"))    return map_create(200 /* out of range */, 4, 8, 16);
	if (!strcmp(c, "map_zerokey"))    return map_create(BPF_MAP_TYPE_ARRAY, 0, 8, 16);
	if (!strcmp(c, "map_zeroentries"))return map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 0);
	/* socket(AF_PACKET): EAFNOSUPPORT on a kernel without CONFIG_PACKET (no module loading here) */
	if (!strcmp(c, "sock_packet"))    return socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (!strcmp(c, "open_ok"))        return syscall(SYS_openat, AT_FDCWD, "/etc/hostname", O_RDONLY);
	if (!strcmp(c, "open_missing"))   return syscall(SYS_openat, AT_FDCWD, "/etc/nonexistent", O_RDONLY);
	if (!strcmp(c, "open_notdir"))    return syscall(SYS_openat, AT_FDCWD, "/etc/hostname/x", O_RDONLY); /* ENOTDIR */
	if (!strcmp(c, "map_hash_e2big")) return map_create(BPF_MAP_TYPE_HASH, 4, 1u << 30, 16); /* value_size too big */
	if (!strcmp(c, "rmdir_empty")) {  /* init creates /tmp/empty0 (warm-up) and /tmp/empty1 (traced) */
		snprintf(p, sizeof(p), "/tmp/empty%d", rmdir_seq++);
		return syscall(SYS_rmdir, p);
	}
	if (!strcmp(c, "open_eisdir"))    return syscall(SYS_openat, AT_FDCWD, "/tmp", O_WRONLY); /* EISDIR */
	if (!strcmp(c, "unlink_ok")) {    /* init creates regular files /tmp/u0 (warm-up) and /tmp/u1 (traced) */
		snprintf(p, sizeof(p), "/tmp/u%d", unlink_seq++);
		return syscall(SYS_unlinkat, AT_FDCWD, p, 0);
	}
	if (!strcmp(c, "unlink_eisdir"))  return syscall(SYS_unlinkat, AT_FDCWD, "/tmp/exist", 0); /* directory: EISDIR */
	if (!strcmp(c, "rename_ok")) {    /* init creates /tmp/a0 (warm-up) and /tmp/a1 (traced); same tmpfs */
		char q[64];
		snprintf(p, sizeof(p), "/tmp/a%d", rename_seq);
		snprintf(q, sizeof(q), "/tmp/b%d", rename_seq++);
		return syscall(SYS_renameat2, AT_FDCWD, p, AT_FDCWD, q, 0);
	}
	if (!strcmp(c, "rename_exdev")) { /* init creates /tmp/r0, /tmp/r1; /tmp (tmpfs) -> / (initramfs root): EXDEV */
		char q[64];
		snprintf(p, sizeof(p), "/tmp/r%d", exdev_seq);
		snprintf(q, sizeof(q), "/r%d", exdev_seq++);
		return syscall(SYS_renameat2, AT_FDCWD, p, AT_FDCWD, q, 0);
	}
	if (!strcmp(c, "mkdir_enoent"))   return syscall(SYS_mkdir, "/tmp/nonexistent/d", 0755); /* parent missing: ENOENT */
	if (!strcmp(c, "open_creat")) {   /* /tmp/c0 (warm-up) and /tmp/c1 (traced) do not exist yet */
		snprintf(p, sizeof(p), "/tmp/c%d", creat_seq++);
		return syscall(SYS_openat, AT_FDCWD, p, O_WRONLY | O_CREAT | O_EXCL, 0644);
	}
	if (!strcmp(c, "open_eexist"))    return syscall(SYS_openat, AT_FDCWD, "/etc/hostname", O_WRONLY | O_CREAT | O_EXCL, 0644); /* EEXIST */
	if (!strcmp(c, "socket_unix"))    return syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
	if (!strcmp(c, "socket_eafnosupport")) return syscall(SYS_socket, 46 /* AF_MAX on 6.12 (include/linux/socket.h) */, SOCK_STREAM, 0);
	if (!strcmp(c, "truncate_ok"))    return syscall(SYS_truncate, "/tmp/t", 0L); /* init: echo x > /tmp/t */
	if (!strcmp(c, "truncate_eisdir"))return syscall(SYS_truncate, "/tmp/exist", 0L); /* directory: EISDIR */
	if (!strcmp(c, "rmdir_notempty")) return syscall(SYS_rmdir, "/tmp/full"); /* init creates /tmp/full/f */
	if (!strcmp(c, "mkdir_new")) {
		snprintf(p, sizeof(p), "/tmp/d%d_%d", getpid(), mkdir_seq++);
		return syscall(SYS_mkdir, p, 0755);
	}
	if (!strcmp(c, "mkdir_exist"))    return syscall(SYS_mkdir, "/tmp/exist", 0755); /* created by init */
	if (!strcmp(c, "dup3_ok") || !strcmp(c, "dup3_einval")) { /* newcases4: EINVAL from dup3(fd, fd, 0) */
		int fd = open("/etc/hostname", O_RDONLY);
		return syscall(SYS_dup3, fd, c[5] == 'o' ? 100 : fd, 0);
	}
	if (!strcmp(c, "socket_inet"))    return syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
	if (!strcmp(c, "socket_eprotonosupport")) return syscall(SYS_socket, AF_INET, SOCK_STREAM, 99); /* no such protocol */
	if (!strcmp(c, "memfd_ok"))       return syscall(SYS_memfd_create, "x", 0);
	if (!strcmp(c, "memfd_einval")) {  /* a name longer than MFD_NAME_MAX_LEN (249) */
		static char nm[301];
		memset(nm, 'a', 300);
		return syscall(SYS_memfd_create, nm, 0);
	}
	if (!strcmp(c, "opendir_ok"))     return syscall(SYS_openat, AT_FDCWD, "/etc", O_RDONLY | O_DIRECTORY);
	if (!strcmp(c, "opendir_enotdir"))return syscall(SYS_openat, AT_FDCWD, "/etc/hostname", O_RDONLY | O_DIRECTORY); /* ENOTDIR */
	if (!strcmp(c, "kill_self"))      return syscall(SYS_kill, getpid(), 0); /* newcases5 */
	if (!strcmp(c, "kill_esrch"))     return syscall(SYS_kill, 4000000, 0); /* above pid_max: no such process */
	if (!strcmp(c, "chdir_ok"))       return syscall(SYS_chdir, "/etc");
	if (!strcmp(c, "chdir_enotdir"))  return syscall(SYS_chdir, "/etc/hostname"); /* ENOTDIR */
	if (!strcmp(c, "creat_tmp")) {    /* /tmp/p0 (warm-up) and /tmp/p1 (traced) do not exist yet */
		snprintf(p, sizeof p, "/tmp/p%d", creat_seq++);
		return syscall(SYS_openat, AT_FDCWD, p, O_WRONLY | O_CREAT, 0644);
	}
	if (!strcmp(c, "creat_proc_eacces")) return syscall(SYS_openat, AT_FDCWD, "/proc/newfile", O_WRONLY | O_CREAT, 0644); /* expected EACCES (no ->create); 6.12 gives ENOENT: proc_lookup_de() finds no such entry first */
	if (!strcmp(c, "pipe2_ok") || !strcmp(c, "pipe2_einval")) {
		static int fds[2];
		return syscall(SYS_pipe2, fds, c[6] == 'o' ? 0 : 0x4 /* no such flag */);
	}
	if (!strcmp(c, "write_ok"))       return syscall(SYS_write, open("/dev/null", O_WRONLY), "x", 1); /* newcases6 */
	if (!strcmp(c, "write_ebadf"))    return syscall(SYS_write, open("/etc/hostname", O_RDONLY), "x", 1); /* not open for writing */
	if (!strcmp(c, "ftruncate_ok"))   return syscall(SYS_ftruncate, open("/tmp/t", O_WRONLY), 0L);
	if (!strcmp(c, "ftruncate_einval")) return syscall(SYS_ftruncate, open("/tmp/t", O_RDONLY), 0L); /* not open for writing */
	if (!strcmp(c, "mount_tmpfs"))    return syscall(SYS_mount, "none", "/tmp/m", "tmpfs", 0UL, NULL); /* init: mkdir /tmp/m */
	if (!strcmp(c, "mount_enodev"))   return syscall(SYS_mount, "none", "/tmp/m", "nosuchfs", 0UL, NULL); /* no such filesystem type */
	if (!strcmp(c, "epoll_add_pipe") || !strcmp(c, "epoll_add_self")) {
		int ep = epoll_create1(0), pf[2];
		struct epoll_event ev = { .events = EPOLLIN };
		if (pipe(pf) < 0) return -1;
		return syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, c[10] == 'p' ? pf[0] : ep, &ev); /* self: EINVAL */
	}
	if (!strcmp(c, "nanosleep")) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		return syscall(SYS_nanosleep, &ts, NULL);
	}
	fprintf(stderr, "unknown case %s\n", c);
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 2) { fprintf(stderr, "usage: bpfcase CASE [loops]\n"); return 2; }
	const char *c = argv[1];
	if (!strcmp(c, "busy")) {          /* short mixed workload, untraced control */
		int n = argc > 2 ? atoi(argv[2]) : 200;
		for (int i = 0; i < n; i++) {
			long fd = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 16); if (fd >= 0) close(fd);
			fd = map_create(0, 4, 8, 16);
			fd = syscall(SYS_openat, AT_FDCWD, "/etc/hostname", O_RDONLY);
			if (fd >= 0) { char b[64]; if (read(fd, b, sizeof b) < 0) {} close(fd); }
			syscall(SYS_openat, AT_FDCWD, "/etc/nonexistent", O_RDONLY);
			for (volatile int k = 0; k < 20000; k++) ;
			if (i % 50 == 0) sched_yield();
		}
		printf("pid=%d case=busy loops=%d done\n", getpid(), n);
		return 0;
	}
	const char *of = getenv("TC_OUT");
	if (of && *of && !freopen(of, "w", stdout)) { perror(of); return 2; }
	const char *hx = getenv("TC_COMM_HEX");
	char cm[17] = "";
	if (hx && *hx) {                   /* hostile comm: arbitrary bytes, set before any traced work */
		char nm[16] = {0};
		size_t n = 0;
		for (; n < 15 && hx[2 * n] && hx[2 * n + 1]; n++) {
			unsigned v;
			if (sscanf(hx + 2 * n, "%2x", &v) != 1) break;
			nm[n] = (char)v;
		}
		if (prctl(PR_SET_NAME, nm, 0, 0, 0) != 0) perror("prctl");
		usleep(20000);                 /* context switch: sched_switch saves the new comm */
		char got[17] = {0};
		prctl(PR_GET_NAME, got, 0, 0, 0);
		memcpy(cm, got, 16);
	}
	if (!getenv("TC_NOWARM")) {        /* untraced warm-up: same call once */
		long w = do_case(c);
		if (w >= 0 && strncmp(c, "mkdir", 5) && strncmp(c, "rmdir", 5) && strncmp(c, "unlink", 6) && strncmp(c, "rename", 6) && strncmp(c, "truncate", 8) && strcmp(c, "nanosleep") && strncmp(c, "write", 5)) close(w);
	}
	int tr = getenv("TC_TRACE") != NULL;
	int markonly = getenv("TC_MARK") != NULL;
	int on = -1, mk = -1;
	char m[128];
	if (tr) on = open(TR "tracing_on", O_WRONLY);
	if (tr || markonly) mk = open(TR "trace_marker", O_WRONLY);
	if (on >= 0) { if (write(on, "1", 1) < 0) {} }
	if (mk >= 0) { snprintf(m, sizeof m, "bpfcase %s begin", c); if (write(mk, m, strlen(m)) < 0) {} }
	errno = 0;
	long r = do_case(c);
	int e = r < 0 ? errno : 0;
	if (mk >= 0) { snprintf(m, sizeof m, "bpfcase %s end ret=%ld errno=%d", c, r, e); if (write(mk, m, strlen(m)) < 0) {} }
	if (on >= 0) { if (write(on, "0", 1) < 0) {} }
	printf("pid=%d case=%s ret=%ld errno=%d (%s)", getpid(), c, r, e, e ? strerror(e) : "OK");
	if (cm[0]) {
		printf(" comm=");
		for (size_t i = 0; cm[i]; i++) printf("%02x", (unsigned char)cm[i]);
	}
	printf("\n");
	return 0;
}
