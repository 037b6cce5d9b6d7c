//! `trace_pipe` to the capture file while the command runs: non-blocking
//! reads with a poll timeout, so the child's exit and a signal are noticed
//! within 100 ms; counts bytes, events and `[LOST N EVENTS]` for the
//! progress line.

use std::{
    fs::File,
    io::{self, Read, Write},
    os::{fd::AsFd, unix::fs::OpenOptionsExt},
    path::Path,
    time::Duration,
};

use super::child::{Exit, Running};

/// What was streamed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Bytes written to the capture.
    pub bytes: u64,
    /// Event lines.
    pub events: u64,
    /// Events the kernel reported lost.
    pub lost: u64,
}

impl Counts {
    /// Count the complete lines of `chunk` (the kernel hands out whole
    /// lines per read; a partial one would be counted on its newline).
    pub fn add(&mut self, chunk: &[u8]) {
        self.bytes += chunk.len() as u64;
        for line in chunk.split(|&b| b == b'\n') {
            if line.is_empty() || line.starts_with(b"#") {
                continue;
            }
            match lost_in(line) {
                Some(n) => self.lost += n,
                None => self.events += 1,
            }
        }
    }

    /// The progress text.
    pub fn line(&self) -> String {
        format!(
            "{}, {} events, {} lost",
            indicatif::HumanBytes(self.bytes),
            self.events,
            self.lost
        )
    }
}

/// `CPU:1 [LOST 71400 EVENTS]` → 71400.
fn lost_in(line: &[u8]) -> Option<u64> {
    let at = memchr::memmem::find(line, b"[LOST ")?;
    let rest = &line[at + 6..];
    let end = rest.iter().position(|b| !b.is_ascii_digit())?;
    std::str::from_utf8(&rest[..end]).ok()?.parse().ok()
}

/// How the streaming ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The command exited.
    Exited(Exit),
    /// A signal asked us to stop (the command was sent SIGTERM).
    Signal(&'static str, Exit),
}

/// Stream `pipe` into `out` until the command exits or `stop` says a
/// signal came; then read what is left.
pub fn stream(
    pipe: &Path,
    out: &mut impl Write,
    child: &mut Running,
    stop: &mut dyn FnMut() -> Option<&'static str>,
    progress: &indicatif::ProgressBar,
) -> io::Result<(Counts, Ended)> {
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(pipe)?;
    let mut buf = vec![0u8; 1 << 16];
    let mut counts = Counts::default();
    loop {
        drain(&mut f, &mut buf, out, &mut counts)?;
        progress.set_message(counts.line());
        let ended = if let Some(sig) = stop() {
            child.terminate();
            Some(Ended::Signal(sig, child.wait()))
        } else {
            child.try_wait().map(Ended::Exited)
        };
        if let Some(e) = ended {
            // What the last CPU wrote as the command exited.
            std::thread::sleep(Duration::from_millis(20));
            drain(&mut f, &mut buf, out, &mut counts)?;
            progress.set_message(counts.line());
            return Ok((counts, e));
        }
        wait_readable(&f, Duration::from_millis(100));
    }
}

/// Read until the pipe is empty.
fn drain(f: &mut File, buf: &mut [u8], out: &mut impl Write, c: &mut Counts) -> io::Result<()> {
    loop {
        match f.read(buf) {
            Ok(0) => return Ok(()),
            Ok(n) => {
                out.write_all(&buf[..n])?;
                c.add(&buf[..n]);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

/// poll() for data, at most `t` (the kernel may wake a poller only once a
/// page fills, so the timeout is what bounds the delay).
fn wait_readable(f: &File, t: Duration) {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    let fd = f.as_fd();
    let mut fds = [PollFd::new(&fd, PollFlags::IN)];
    let ts = Timespec {
        tv_sec: 0,
        tv_nsec: t.as_nanos() as _,
    };
    let _ = poll(&mut fds, Some(&ts));
}

#[cfg(test)]
mod tests {
    use super::Counts;

    #[test]
    fn counts_events_and_lost() {
        let mut c = Counts::default();
        let chunk: &[u8] = b"  cat-1 [000] ..... 1.0: sys_openat(dfd: 0)\nCPU:1 [LOST 71400 EVENTS]\n  cat-1 [000] ..... 1.1: sys_openat -> 0x3\n";
        c.add(chunk);
        c.add(b"# a header line\n");
        assert_eq!(c.events, 2);
        assert_eq!(c.lost, 71400);
        assert_eq!(c.bytes, chunk.len() as u64 + 16);
    }
}
