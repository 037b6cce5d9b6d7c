//! The CPUs' events decoded on every core and merged in `trace-cmd
//! report`'s order. Each CPU's pages are cut into jobs ([`super::jobs`]);
//! decoding threads read, unpack and decode a job into a segment
//! ([`super::segment`]); this side keeps a few segments per CPU in flight,
//! and merges them as [`super::merge::Merger`] merges events (smallest
//! timestamp, ties to the CPU that comes first; an entry folded with its
//! exit when that is the very next event), so the records are those the
//! one-thread reader gives. Memory: at most `depth` segments per CPU
//! (jobs are cut smaller for files with many CPUs).

use std::{
    collections::VecDeque,
    io, panic,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
        mpsc,
    },
    thread,
};

use super::{
    cursor::Endian,
    events::Decoder,
    header::Meta,
    jobs::{JobPages, PageSource},
    segment::{Form, Pre, Segment, Worker, record_of},
    store::Store,
    typed::{self, DatBatch, DatItem, DatKind, Fields},
};

/// Pages in flight over all CPUs (a job is cut to this over the CPUs'
/// queues, at most [`MAX_JOB_PAGES`]).
const BUDGET_PAGES: usize = 1024;
const MAX_JOB_PAGES: usize = 64;

/// Files of more CPUs are read on one thread ([`super::merge::OneThread`]).
const MAX_CPUS: usize = 64;

/// How the work is cut and shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tuning {
    /// Pages per job.
    pub pages: usize,
    /// Segments per CPU decoded or in flight.
    pub depth: usize,
    /// Decoding threads (0: none, all on the reading thread).
    pub workers: usize,
}

impl Tuning {
    /// For a file of `cpus` CPUs on this machine.
    pub fn for_cpus(cpus: usize) -> Tuning {
        let workers = thread::available_parallelism().map_or(1, |n| n.get());
        let depth = 3;
        Tuning {
            pages: (BUDGET_PAGES / (cpus.max(1) * depth)).clamp(1, MAX_JOB_PAGES),
            depth,
            workers: if cpus > MAX_CPUS {
                0
            } else {
                workers.clamp(1, 8)
            },
        }
    }
}

struct Job {
    queue: usize,
    seq: u64,
    cpu: u32,
    pages: JobPages,
}

struct Done {
    queue: usize,
    seq: u64,
    seg: Segment,
}

/// One CPU: the pages not cut yet, the segments in flight (`None`: not
/// back yet), the one being merged.
struct Queue {
    cpu: u32,
    src: PageSource,
    /// The sequence number of `slots[0]`.
    front: u64,
    slots: VecDeque<Option<Segment>>,
    /// No job is left to cut.
    cut_all: bool,
    /// The error cutting met: the stream ends with it after the slots.
    end_err: Option<io::Error>,
    cur: Segment,
    pos: usize,
    live: bool,
}

/// The merge side: the queues, the threads, and a decoder for the events
/// the threads leave to it.
pub struct Parallel {
    queues: Vec<Queue>,
    jobs: Option<mpsc::Sender<Job>>,
    results: mpsc::Receiver<Done>,
    /// Merged segments back to the threads, to be filled again.
    spare: mpsc::Sender<Segment>,
    threads: Vec<thread::JoinHandle<()>>,
    stop: Arc<AtomicBool>,
    store: Store,
    e: Endian,
    job_bytes: u64,
    depth: usize,
    dec: Decoder,
    fields: Fields,
    /// An entry's data while its CPU moves on; texts of its two records.
    entry: Vec<u8>,
    hold: Vec<u8>,
    /// The first CPU stream that could not be read to its end, and why.
    damage: Option<String>,
}

impl Parallel {
    /// Start the threads and the first jobs of every CPU.
    pub fn new(store: Store, meta: &Meta, tuning: Tuning) -> io::Result<Parallel> {
        let dec = Decoder::new(meta);
        let e = meta.endian();
        let codec = meta.page_codec();
        let mut queues = Vec::with_capacity(meta.cpus.len());
        for c in &meta.cpus {
            queues.push(Queue {
                cpu: c.cpu,
                src: PageSource::new(&store, c, e, codec)?,
                front: 0,
                slots: VecDeque::new(),
                cut_all: false,
                end_err: None,
                cur: Segment::default(),
                pos: 0,
                live: true,
            });
        }
        let (jobs, job_rx) = mpsc::channel::<Job>();
        let (done_tx, results) = mpsc::channel::<Done>();
        let (spare, spare_rx) = mpsc::channel::<Segment>();
        let job_rx = Arc::new(Mutex::new((job_rx, spare_rx)));
        let stop = Arc::new(AtomicBool::new(false));
        let mut threads = Vec::new();
        for _ in 0..tuning.workers.max(1) {
            let w = Worker::new(dec.fork(), store.try_clone()?, meta.page_size as usize);
            let (rx, tx, stop) = (job_rx.clone(), done_tx.clone(), stop.clone());
            threads.push(
                thread::Builder::new()
                    .name("tracedat".into())
                    .spawn(move || work(w, &rx, &tx, &stop))?,
            );
        }
        let mut p = Parallel {
            queues,
            jobs: Some(jobs),
            results,
            spare,
            threads,
            stop,
            store,
            e,
            job_bytes: (tuning.pages.max(1) as u64) * u64::from(meta.page_size),
            depth: tuning.depth.max(1),
            fields: Fields::new(&dec),
            dec,
            entry: Vec::new(),
            hold: Vec::new(),
            damage: None,
        };
        for _ in 0..p.depth {
            for q in 0..p.queues.len() {
                p.cut(q);
            }
        }
        for q in 0..p.queues.len() {
            p.refresh(q);
        }
        Ok(p)
    }

    /// The names the records use.
    pub fn names(&self) -> typed::Names {
        self.dec.names()
    }

    /// The first CPU stream that could not be read to its end, and why.
    pub fn damage(&mut self) -> Option<String> {
        self.damage.take()
    }

    /// Cut one more job for queue `q` if it has room.
    fn cut(&mut self, q: usize) {
        let qu = &mut self.queues[q];
        if qu.cut_all || !qu.live || qu.slots.len() >= self.depth {
            return;
        }
        match qu.src.next_job(&self.store, self.e, self.job_bytes) {
            Ok(Some(pages)) => {
                let seq = qu.front + qu.slots.len() as u64;
                qu.slots.push_back(None);
                let job = Job {
                    queue: q,
                    seq,
                    cpu: qu.cpu,
                    pages,
                };
                if let Some(tx) = &self.jobs {
                    // A send fails only when every thread is gone: then
                    // `receive` says so.
                    let _ = tx.send(job);
                }
            }
            Ok(None) => qu.cut_all = true,
            Err(e) => {
                qu.end_err = Some(e);
                qu.cut_all = true;
            }
        }
    }

    /// Wait for one segment and put it in its slot; `false` when no thread
    /// is left to send one.
    fn receive(&mut self) -> bool {
        let Ok(d) = self.results.recv() else {
            return false;
        };
        let qu = &mut self.queues[d.queue];
        if qu.live && d.seq >= qu.front {
            if let Some(s) = qu.slots.get_mut((d.seq - qu.front) as usize) {
                *s = Some(d.seg);
            }
        }
        true
    }

    /// CPU `q`'s stream ends with `why`.
    fn end(&mut self, q: usize, why: &str) {
        let qu = &mut self.queues[q];
        if self.damage.is_none() {
            self.damage = Some(format!("CPU {}: {why}", qu.cpu));
        }
        qu.live = false;
        qu.slots.clear();
    }

    /// Make queue `q`'s next event its head (waiting for its segment), or
    /// end it.
    fn refresh(&mut self, q: usize) {
        loop {
            let qu = &mut self.queues[q];
            if !qu.live || qu.pos < qu.cur.items.len() {
                return;
            }
            if let Some(err) = qu.cur.err.take() {
                return self.end(q, &err);
            }
            if qu.slots.is_empty() {
                if !qu.cut_all {
                    self.cut(q);
                    continue;
                }
                match qu.end_err.take() {
                    Some(e) => self.end(q, &e.to_string()),
                    None => qu.live = false,
                }
                return;
            }
            while self.queues[q].slots[0].is_none() {
                if !self.receive() {
                    return self.end(q, "the decoding threads stopped");
                }
            }
            let qu = &mut self.queues[q];
            let next = qu.slots.pop_front().flatten().unwrap_or_default();
            let used = std::mem::replace(&mut qu.cur, next);
            let _ = self.spare.send(used);
            qu.front += 1;
            qu.pos = 0;
            self.cut(q);
        }
    }

    fn head(&self, q: usize) -> Option<&Pre> {
        let qu = &self.queues[q];
        qu.live.then(|| qu.cur.items.get(qu.pos)).flatten()
    }

    /// The CPU whose event comes next (as `Merger::pick`).
    fn pick(&self) -> Option<usize> {
        super::merge::earliest((0..self.queues.len()).map(|q| self.head(q).map(|p| p.ts)))
    }

    fn advance(&mut self, q: usize) {
        self.queues[q].pos += 1;
        self.refresh(q);
    }

    /// Put the next record in `b`; `false` at the end.
    pub fn step(&mut self, b: &mut DatBatch) -> bool {
        let Some(q) = self.pick() else {
            return false;
        };
        let qu = &self.queues[q];
        let p = qu.cur.items[qu.pos];
        let cpu = qu.cpu;
        match p.form {
            Form::Done(kind) => {
                let kind = rebase(kind, &qu.cur.text, &mut b.text);
                push(b, cpu, &p, kind, p.bytes);
                self.advance(q);
            }
            Form::Entry { alone, leaf } => {
                self.hold.clear();
                let alone = rebase(alone, &qu.cur.text, &mut self.hold);
                let leaf = leaf.map(|(k, n)| (rebase(k, &qu.cur.text, &mut self.hold), n));
                self.advance(q);
                let (kind, bytes) = match leaf.filter(|_| self.pick() == Some(q)) {
                    Some((k, n)) => {
                        self.advance(q);
                        (k, p.bytes + n)
                    }
                    None => (alone, p.bytes),
                };
                let kind = rebase(kind, &self.hold, &mut b.text);
                push(b, cpu, &p, kind, bytes);
            }
            Form::Raw => self.step_raw(b, q, cpu, &p),
        }
        true
    }

    /// An event the threads left undecoded: decode it here, in its CPU's
    /// order (and fold an entry with the first event of the next segment).
    fn step_raw(&mut self, b: &mut DatBatch, q: usize, cpu: u32, p: &Pre) {
        self.entry.clear();
        let cur = &self.queues[q].cur;
        self.entry.extend_from_slice(cur.raw_of(p).unwrap_or(&[]));
        let ev = (p.ts, p.missed);
        let (dec, fields) = (&mut self.dec, &mut self.fields);
        if !dec.is_entry(&self.entry) {
            let kind = record_of(dec, fields, &mut b.text, cpu, ev, &self.entry, None);
            push(b, cpu, p, kind, p.bytes);
            return self.advance(q);
        }
        self.advance(q);
        let head = (self.pick() == Some(q)).then(|| self.head(q)).flatten();
        let cur = &self.queues[q].cur;
        let exit = head
            .and_then(|h| cur.raw_of(h))
            .filter(|nd| self.dec.is_leaf_exit(&self.entry, nd));
        self.hold.clear();
        self.hold.extend_from_slice(exit.unwrap_or(&[]));
        let next = exit.is_some().then_some(&self.hold[..]);
        let (dec, fields) = (&mut self.dec, &mut self.fields);
        let kind = record_of(dec, fields, &mut b.text, cpu, ev, &self.entry, next);
        let bytes = p.bytes + next.map_or(0, |n| n.len() as u32);
        push(b, cpu, p, kind, bytes);
        if next.is_some() {
            self.advance(q);
        }
    }
}

/// A record pointing into `from` made to point into `to` (its text copied).
fn rebase(kind: DatKind, from: &[u8], to: &mut Vec<u8>) -> DatKind {
    let mut copy = |start: u32, end: u32| {
        let s = to.len() as u32;
        to.extend_from_slice(from.get(start as usize..end as usize).unwrap_or(&[]));
        (s, to.len() as u32)
    };
    match kind {
        DatKind::Event { id, start, end } => {
            let (start, end) = copy(start, end);
            DatKind::Event { id, start, end }
        }
        DatKind::Lines { start, end } => {
            let (start, end) = copy(start, end);
            DatKind::Lines { start, end }
        }
        k => k,
    }
}

fn push(b: &mut DatBatch, cpu: u32, p: &Pre, kind: DatKind, bytes: u32) {
    b.bytes += u64::from(bytes);
    b.items.push(DatItem {
        cpu,
        pid: p.pid,
        ts_ns: typed::printed_ts(p.ts),
        bytes,
        kind,
    });
}

/// A decoding thread's inbox: jobs, and merged segments to fill again.
type Inbox = (mpsc::Receiver<Job>, mpsc::Receiver<Segment>);

/// A decoding thread: jobs in, segments out, until either side is gone.
fn work(mut w: Worker, inbox: &Mutex<Inbox>, done: &mpsc::Sender<Done>, stop: &AtomicBool) {
    loop {
        let (job, seg) = {
            let rx = inbox.lock().unwrap_or_else(|p| p.into_inner());
            (rx.0.recv(), rx.1.try_recv().unwrap_or_default())
        };
        let Ok(job) = job else {
            return;
        };
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let seg = panic::catch_unwind(panic::AssertUnwindSafe(|| w.run(job.cpu, &job.pages, seg)))
            .unwrap_or_else(|_| Segment {
                err: Some("these pages could not be decoded".into()),
                ..Segment::default()
            });
        let d = Done {
            queue: job.queue,
            seq: job.seq,
            seg,
        };
        if done.send(d).is_err() {
            return;
        }
    }
}

impl Drop for Parallel {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.jobs = None;
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
