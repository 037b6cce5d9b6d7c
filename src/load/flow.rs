//! Chunks handed to parser threads one at a time and taken by the sink in
//! input order, the sink parsing too whenever its next chunk is not ready.
//!
//! The builder is busy for most of a read, not all of it: on two cores,
//! parsers on both took the builder's core by turns, and one parser beside
//! it left that core idle whenever the builder waited. So there is one
//! parser thread fewer than cores (rayon's thread count), and the sink,
//! instead of waiting for the next chunk in order, parses one of the chunks
//! after it. Counting
//! lines (`--parse-only`) is so light a sink that it parses nearly all the
//! time: every thread parses there.
//!
//! Memory in flight is bounded: at most [`window`] chunks are taken from
//! the reader and not yet given to the sink.

use std::{
    collections::{BTreeMap, VecDeque},
    io,
    sync::{Condvar, Mutex, MutexGuard, mpsc},
};

use crate::read::chunks::Chunk;

/// Chunks handed out and not yet given to the sink, at most.
fn window(parsers: usize) -> usize {
    2 * (parsers + 1)
}

/// Where parsers take their next chunk.
struct Input {
    rx: mpsc::Receiver<io::Result<Chunk>>,
    /// Chunks read before the parsers started (while sniffing the format).
    held: VecDeque<Chunk>,
    /// The number the next chunk gets.
    next: u64,
    /// The reader ended (or failed): no chunk comes after `next`.
    ended: bool,
}

/// What [`Input::next`] found.
enum Next {
    Chunk(u64, Chunk),
    /// None read yet (only when asked not to wait).
    NotYet,
    /// The input ended after this many chunks (with this error).
    Ended(u64, Option<io::Error>),
}

impl Input {
    /// The next chunk and its number; waits for the reader unless `now`.
    fn next(&mut self, now: bool) -> Next {
        if self.ended {
            return Next::Ended(self.next, None);
        }
        let chunk = match self.held.pop_front() {
            Some(c) => Some(Ok(c)),
            None if now => match self.rx.try_recv() {
                Ok(c) => Some(c),
                Err(mpsc::TryRecvError::Empty) => return Next::NotYet,
                Err(mpsc::TryRecvError::Disconnected) => None,
            },
            None => self.rx.recv().ok(),
        };
        match chunk {
            Some(Ok(c)) => {
                self.next += 1;
                Next::Chunk(self.next - 1, c)
            }
            Some(Err(e)) => {
                self.ended = true;
                Next::Ended(self.next, Some(e))
            }
            None => {
                self.ended = true;
                Next::Ended(self.next, None)
            }
        }
    }
}

/// What parsers and the sink share.
struct State<T> {
    /// Parsed chunks waiting for the sink, by number.
    parsed: BTreeMap<u64, T>,
    /// The number of the chunk the sink takes next.
    taken: u64,
    /// Chunks handed out and not yet taken.
    in_flight: usize,
    /// How many chunks there are, once the input ended.
    total: Option<u64>,
    error: Option<io::Error>,
    /// A thread panicked: the others stop.
    stop: bool,
}

struct Flow<T> {
    input: Mutex<Input>,
    state: Mutex<State<T>>,
    changed: Condvar,
    window: usize,
}

/// Sets `stop` when the thread holding it unwinds, so the others do not
/// wait for it forever.
struct StopOnPanic<'a, T>(&'a Flow<T>);

impl<T> Drop for StopOnPanic<'_, T> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.lock().stop = true;
            self.0.changed.notify_all();
        }
    }
}

impl<T> Flow<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn lock_input(&self) -> MutexGuard<'_, Input> {
        self.input.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Take the next chunk (`now`: only one at hand) and parse it with
    /// `work`; false when there was none. The caller counted it in flight.
    fn parse_next(&self, now: bool, work: &impl Fn(Chunk) -> T) -> bool {
        let next = if now {
            match self.input.try_lock() {
                Ok(mut input) => input.next(true),
                Err(_) => Next::NotYet,
            }
        } else {
            self.lock_input().next(false)
        };
        let (seq, chunk) = match next {
            Next::Chunk(seq, chunk) => (seq, chunk),
            Next::NotYet | Next::Ended(..) => {
                let mut st = self.lock();
                st.in_flight -= 1;
                if let Next::Ended(total, error) = next {
                    st.total = Some(total);
                    if let Some(e) = error {
                        st.error.get_or_insert(e);
                    }
                }
                drop(st);
                self.changed.notify_all();
                return false;
            }
        };
        let t = work(chunk);
        self.lock().parsed.insert(seq, t);
        self.changed.notify_all();
        true
    }

    /// Wait for room in the window and count one chunk in flight; false
    /// when the input ended or a thread panicked.
    fn reserve(&self) -> bool {
        let mut st = self.lock();
        while !st.stop && st.total.is_none() && st.in_flight >= self.window {
            st = self.changed.wait(st).unwrap_or_else(|e| e.into_inner());
        }
        if st.stop || st.total.is_some() {
            return false;
        }
        st.in_flight += 1;
        true
    }

    /// A parser thread: chunks until the input ends.
    fn parse_all(&self, work: &impl Fn(Chunk) -> T) {
        let _guard = StopOnPanic(self);
        while self.reserve() {
            if !self.parse_next(false, work) {
                return;
            }
        }
    }

    /// The sink: every chunk, in order, through `take`; parsing one itself
    /// whenever the next is not ready.
    fn sink(&self, work: &impl Fn(Chunk) -> T, mut take: impl FnMut(T)) {
        let _guard = StopOnPanic(self);
        loop {
            let mut st = self.lock();
            let next = st.taken;
            if let Some(t) = st.parsed.remove(&next) {
                st.taken += 1;
                st.in_flight -= 1;
                drop(st);
                self.changed.notify_all();
                take(t);
                continue;
            }
            if st.stop || st.total.is_some_and(|n| n <= next) {
                return;
            }
            // Help: parse a chunk already read, if the window has room;
            // else (or when none is at hand) wait for a change.
            if st.in_flight < self.window {
                st.in_flight += 1;
                drop(st);
                if self.parse_next(true, work) {
                    continue;
                }
                st = self.lock();
                let done = st.total.is_some_and(|n| n <= next);
                if st.parsed.contains_key(&next) || st.stop || done {
                    continue;
                }
            }
            drop(self.changed.wait(st).unwrap_or_else(|e| e.into_inner()));
        }
    }
}

/// Parse every chunk from `held` (chunks read while sniffing) and `rx` on
/// `parsers` threads (at least one, this one among them) and the sink's,
/// and give them to `take` in input order on the sink's thread; the sink,
/// as `take` left it.
pub(super) fn run<S: Send, T: Send>(
    rx: mpsc::Receiver<io::Result<Chunk>>,
    held: Vec<Chunk>,
    parsers: usize,
    work: impl Fn(Chunk) -> T + Sync,
    (mut sink, mut take): (S, impl FnMut(&mut S, T) + Send),
) -> io::Result<S> {
    let parsers = parsers.max(1);
    let flow = Flow {
        input: Mutex::new(Input {
            rx,
            held: held.into(),
            next: 0,
            ended: false,
        }),
        state: Mutex::new(State {
            parsed: BTreeMap::new(),
            taken: 0,
            in_flight: 0,
            total: None,
            error: None,
            stop: false,
        }),
        changed: Condvar::new(),
        window: window(parsers),
    };
    let (flow, work) = (&flow, &work);
    let sink = std::thread::scope(|s| {
        let sinking = s.spawn(move || {
            flow.sink(work, |t| take(&mut sink, t));
            sink
        });
        for _ in 1..parsers {
            s.spawn(move || flow.parse_all(work));
        }
        flow.parse_all(work);
        sinking
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
    });
    match flow.lock().error.take() {
        Some(e) => Err(e),
        None => Ok(sink),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(
        n: usize,
    ) -> (
        mpsc::Receiver<io::Result<Chunk>>,
        std::thread::JoinHandle<()>,
    ) {
        let (tx, rx) = mpsc::sync_channel(2);
        let feeder = std::thread::spawn(move || {
            for i in 0..n {
                let c = Chunk {
                    data: i.to_string().into_bytes(),
                    overlong: None,
                };
                if tx.send(Ok(c)).is_err() {
                    return;
                }
            }
        });
        (rx, feeder)
    }

    fn number(c: Chunk) -> usize {
        std::str::from_utf8(&c.data)
            .ok()
            .and_then(|s| s.parse().ok())
            .expect("a number")
    }

    /// Whatever the number of parsers and however slow the sink, every
    /// chunk reaches it once, in order.
    #[test]
    fn every_chunk_reaches_the_sink_in_order() {
        for parsers in [1, 2, 3, 8] {
            for slow_sink in [false, true] {
                let held = (0..3)
                    .map(|_| Chunk {
                        data: b"held".to_vec(),
                        overlong: None,
                    })
                    .collect();
                let (rx, feeder) = chunks(500);
                let work = |c: Chunk| {
                    if c.data == b"held" {
                        None
                    } else {
                        Some(number(c))
                    }
                };
                let take = |seen: &mut Vec<Option<usize>>, n| {
                    if slow_sink {
                        std::thread::sleep(std::time::Duration::from_micros(50));
                    }
                    seen.push(n);
                };
                let seen = run(rx, held, parsers, work, (Vec::new(), take)).expect("no error");
                feeder.join().expect("feeder");
                let want: Vec<Option<usize>> =
                    [None; 3].into_iter().chain((0..500).map(Some)).collect();
                assert_eq!(seen, want, "{parsers} parsers, slow sink {slow_sink}");
            }
        }
    }

    /// A read error ends the flow with that error.
    #[test]
    fn a_read_error_is_returned() {
        let (tx, rx) = mpsc::sync_channel(2);
        let feeder = std::thread::spawn(move || {
            let _ = tx.send(Ok(Chunk::default()));
            let _ = tx.send(Err(io::Error::other("disk on fire")));
        });
        let got = run(
            rx,
            Vec::new(),
            2,
            |c: Chunk| c.data.len(),
            (0, |n: &mut usize, _| *n += 1),
        );
        feeder.join().expect("feeder");
        let err = got.expect_err("the error");
        assert_eq!(err.to_string(), "disk on fire");
    }

    /// A panicking sink stops the parsers and the panic reaches the caller
    /// (no thread waits forever).
    #[test]
    fn a_panicking_sink_stops_everything() {
        let (rx, feeder) = chunks(100);
        let got = std::panic::catch_unwind(|| {
            run(
                rx,
                Vec::new(),
                2,
                number,
                ((), |_: &mut (), n| {
                    assert!(n < 10, "sink gives up");
                }),
            )
        });
        assert!(got.is_err());
        feeder.join().expect("feeder");
    }

    /// A panicking parser stops the sink and the other parsers.
    #[test]
    fn a_panicking_parser_stops_everything() {
        for parsers in [1, 3] {
            let (rx, feeder) = chunks(100);
            let got = std::panic::catch_unwind(|| {
                run(
                    rx,
                    Vec::new(),
                    parsers,
                    |c: Chunk| {
                        let n = number(c);
                        assert!(n != 40, "parser gives up");
                        n
                    },
                    ((), |_: &mut (), _| {}),
                )
            });
            assert!(got.is_err());
            feeder.join().expect("feeder");
        }
    }
}
