//! Ctrl-C, SIGTERM and SIGHUP set a flag instead of killing the process, so
//! the settings are restored on the way out (checked between setup steps
//! and every 100 ms while streaming). The handlers go when this is dropped.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

const SIGNALS: [(i32, &str); 3] = [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM"), (SIGHUP, "SIGHUP")];

/// The signals that ask `record` to stop.
#[derive(Debug)]
pub struct Stop {
    got: Arc<AtomicUsize>,
    ids: Vec<signal_hook::SigId>,
}

impl Stop {
    /// Catch the signals from now on.
    pub fn register() -> std::io::Result<Self> {
        let got = Arc::new(AtomicUsize::new(0));
        let mut ids = Vec::new();
        for (sig, _) in SIGNALS {
            let g = Arc::clone(&got);
            // SAFETY: the action only stores into an atomic (async-signal-safe).
            let id = unsafe {
                signal_hook::low_level::register(sig, move || {
                    g.store(sig as usize, Ordering::SeqCst);
                })
            }?;
            ids.push(id);
        }
        Ok(Stop { got, ids })
    }

    /// The signal that came, if one did.
    pub fn check(&self) -> Option<&'static str> {
        let n = self.got.load(Ordering::SeqCst);
        SIGNALS
            .iter()
            .find(|(s, _)| *s as usize == n)
            .map(|(_, name)| *name)
    }

    /// The exit code for that signal (128 + its number).
    pub fn exit_code(&self) -> Option<u8> {
        let n = self.got.load(Ordering::SeqCst);
        (n != 0).then(|| (128 + n) as u8)
    }
}

impl Drop for Stop {
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}
