//! The command, started held back: forked, then waiting on a pipe until
//! its pid is in the filters and tracing is on, then exec'd. No patching
//! of the program to print its pid and sleep.

use std::{
    ffi::{CString, OsStr, OsString},
    os::unix::ffi::OsStrExt,
    path::{Path, PathBuf},
};

use super::error::RecordError;

/// A forked child waiting for the go.
#[derive(Debug)]
pub struct Held {
    pid: libc::pid_t,
    go: libc::c_int,
    err: libc::c_int,
    name: String,
}

/// A child that runs (or ran) the command.
#[derive(Debug)]
pub struct Running {
    pid: libc::pid_t,
    status: Option<i32>,
}

/// How the command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// `exit(code)`.
    Code(i32),
    /// Killed by a signal.
    Signal(i32),
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exit::Code(c) => write!(f, "exit status {c}"),
            Exit::Signal(s) => write!(f, "killed by signal {s}"),
        }
    }
}

/// `PATH` search, as the shell does, done before the fork.
fn resolve(prog: &OsStr) -> Option<PathBuf> {
    if prog.as_bytes().contains(&b'/') {
        return Some(PathBuf::from(prog));
    }
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into());
    std::env::split_paths(&path)
        .map(|d| d.join(prog))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn cstring(s: &OsStr, name: &str) -> Result<CString, RecordError> {
    CString::new(s.as_bytes()).map_err(|_| RecordError::Command {
        cmd: name.into(),
        message: "an argument contains a NUL byte".into(),
    })
}

/// Two pipe ends, close-on-exec.
fn pipe() -> std::io::Result<[libc::c_int; 2]> {
    let mut fds = [0; 2];
    // SAFETY: fds has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(fds)
}

/// Fork the command; it waits until [`Held::release`].
pub fn spawn_held(argv: &[OsString]) -> Result<Held, RecordError> {
    let name = argv
        .first()
        .map(|a| a.to_string_lossy().into_owned())
        .ok_or_else(|| RecordError::Usage("no command given after `--`".into()))?;
    let err = |message: String| RecordError::Command {
        cmd: name.clone(),
        message,
    };
    let prog = resolve(&argv[0]).ok_or_else(|| err("not found in PATH".into()))?;
    let c_prog = cstring(prog.as_os_str(), &name)?;
    let c_args = argv
        .iter()
        .map(|a| cstring(a, &name))
        .collect::<Result<Vec<_>, _>>()?;
    let mut ptrs: Vec<*const libc::c_char> = c_args.iter().map(|c| c.as_ptr()).collect();
    ptrs.push(std::ptr::null());
    let go = pipe().map_err(|e| err(e.to_string()))?;
    let report = pipe().map_err(|e| err(e.to_string()))?;
    // SAFETY: the child calls only async-signal-safe functions (close,
    // read, execv, write, _exit) on memory prepared before the fork.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(err(std::io::Error::last_os_error().to_string()));
    }
    if pid == 0 {
        // SAFETY: see above; never returns.
        unsafe { child(go, report, &c_prog, &ptrs) }
    }
    // SAFETY: closing the child's ends, which this process no longer uses.
    unsafe {
        libc::close(go[0]);
        libc::close(report[1]);
    }
    Ok(Held {
        pid,
        go: go[1],
        err: report[0],
        name,
    })
}

/// The child between fork and exec: wait for one byte, exec, or report errno.
unsafe fn child(
    go: [libc::c_int; 2],
    report: [libc::c_int; 2],
    prog: &CString,
    argv: &[*const libc::c_char],
) -> ! {
    // SAFETY: plain system calls on descriptors and memory we own.
    unsafe {
        libc::close(go[1]);
        libc::close(report[0]);
        let mut b = [0u8; 1];
        loop {
            let n = libc::read(go[0], b.as_mut_ptr().cast(), 1);
            if n == 1 {
                break;
            }
            if n == 0 || *libc::__errno_location() != libc::EINTR {
                libc::_exit(126); // the parent gave up
            }
        }
        libc::execv(prog.as_ptr(), argv.as_ptr());
        let e = (*libc::__errno_location()).to_ne_bytes();
        libc::write(report[1], e.as_ptr().cast(), e.len());
        libc::_exit(127)
    }
}

impl Held {
    /// The child's pid, for the filters.
    pub fn pid(&self) -> u32 {
        self.pid as u32
    }

    /// Let it exec; fails when exec did.
    pub fn release(self) -> Result<Running, RecordError> {
        let (pid, go, errfd) = (self.pid, self.go, self.err);
        let name = self.name.clone();
        std::mem::forget(self);
        let mut e = [0u8; 4];
        // SAFETY: our own pipe ends; closing `go` after the byte is sent.
        let n = unsafe {
            libc::write(go, [1u8].as_ptr().cast(), 1);
            libc::close(go);
            let n = read_full(errfd, &mut e);
            libc::close(errfd);
            n
        };
        let mut running = Running { pid, status: None };
        if n == 4 {
            running.wait();
            return Err(RecordError::Command {
                cmd: name,
                message: std::io::Error::from_raw_os_error(i32::from_ne_bytes(e)).to_string(),
            });
        }
        Ok(running)
    }
}

/// Read until `buf` is full or EOF (EOF at once: exec succeeded).
unsafe fn read_full(fd: libc::c_int, buf: &mut [u8]) -> usize {
    let mut got = 0;
    while got < buf.len() {
        // SAFETY: the rest of `buf` is writable.
        let n = unsafe { libc::read(fd, buf[got..].as_mut_ptr().cast(), buf.len() - got) };
        if n > 0 {
            got += n as usize;
        } else if n == 0
            || std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted
        {
            break;
        }
    }
    got
}

impl Drop for Held {
    /// Never released (setup failed or a signal came): it must not run.
    fn drop(&mut self) {
        // SAFETY: our child and our pipe ends.
        unsafe {
            libc::kill(self.pid, libc::SIGKILL);
            libc::close(self.go);
            libc::close(self.err);
        }
        Running {
            pid: self.pid,
            status: None,
        }
        .wait();
    }
}

impl Running {
    /// Has it exited? (Non-blocking.)
    pub fn try_wait(&mut self) -> Option<Exit> {
        if self.status.is_none() {
            let mut st = 0;
            // SAFETY: waitpid on our own child.
            let r = unsafe { libc::waitpid(self.pid, &mut st, libc::WNOHANG) };
            if r == self.pid {
                self.status = Some(st);
            }
        }
        self.status.map(decode)
    }

    /// Wait for it.
    pub fn wait(&mut self) -> Exit {
        while self.status.is_none() {
            let mut st = 0;
            // SAFETY: waitpid on our own child.
            let r = unsafe { libc::waitpid(self.pid, &mut st, 0) };
            if r == self.pid {
                self.status = Some(st);
            } else if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
                self.status = Some(0);
            }
        }
        self.status.map(decode).unwrap_or(Exit::Code(0))
    }

    /// Ask it to stop (SIGTERM), as Ctrl-C asked us.
    pub fn terminate(&self) {
        if self.status.is_none() {
            // SAFETY: signalling our own child.
            unsafe { libc::kill(self.pid, libc::SIGTERM) };
        }
    }
}

fn decode(st: i32) -> Exit {
    if libc::WIFSIGNALED(st) {
        Exit::Signal(libc::WTERMSIG(st))
    } else {
        Exit::Code(libc::WEXITSTATUS(st))
    }
}

impl Drop for Running {
    /// The recording ended first (an error): the command does not outlive it.
    fn drop(&mut self) {
        if self.status.is_none() {
            self.terminate();
            self.wait();
        }
    }
}
