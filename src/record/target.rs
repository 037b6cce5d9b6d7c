//! Where the settings go: a private instance (`instances/tracereport-PID`)
//! leaves the global tracer untouched, so it is used whenever it can run
//! what the plan needs; otherwise the global files, locked against another
//! `record`, and only when no other tracer is active (unless `--force`).

use std::{
    fs::File,
    path::{Path, PathBuf},
};

use super::{error::RecordError, setup::Plan, tracefs, tracefs::Tracefs};

/// The directory settings are written under.
#[derive(Debug)]
pub struct Target {
    /// The tracefs root or the instance.
    pub dir: PathBuf,
    /// The instance we created (removed at the end), if any.
    pub instance: Option<PathBuf>,
    /// Held while the global files are ours (flock on the tracefs root).
    _lock: Option<File>,
    /// Why the global files are used, when they are.
    pub note: Option<String>,
}

/// The prefix of our instance names; the rest is our pid.
pub const INSTANCE_PREFIX: &str = "tracereport-";

impl Target {
    /// Pick and prepare the target for `plan`.
    pub fn open(fs: &Tracefs, plan: &Plan, force: bool, global: bool) -> Result<Self, RecordError> {
        let instances = fs.path("instances");
        let why_global = if global {
            "--global given".to_string()
        } else if instances.is_dir() {
            remove_stale(&instances);
            let dir = instances.join(format!("{INSTANCE_PREFIX}{}", std::process::id()));
            match std::fs::create_dir(&dir) {
                Ok(()) => match instance_lacks(fs, &dir, plan) {
                    None => {
                        return Ok(Target {
                            dir: dir.clone(),
                            instance: Some(dir),
                            _lock: None,
                            note: None,
                        });
                    }
                    Some(why) => {
                        let _ = std::fs::remove_dir(&dir);
                        why
                    }
                },
                Err(e) => format!("cannot create an instance ({e})"),
            }
        } else {
            "this kernel has no tracefs instances".to_string()
        };
        let lock = lock_global(&fs.root)?;
        if !force {
            refuse_if_busy(&fs.root)?;
        }
        Ok(Target {
            dir: fs.root.clone(),
            instance: None,
            _lock: Some(lock),
            note: Some(format!(
                "recorded in the global tracefs ({why_global}); every file changed was restored afterwards"
            )),
        })
    }

    /// Remove our instance (after its settings were restored and every
    /// file in it closed). Returns what could not be removed.
    pub fn remove(&mut self) -> Option<String> {
        let dir = self.instance.take()?;
        std::fs::remove_dir(&dir)
            .err()
            .map(|e| format!("{}: {e}", dir.display()))
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Some(msg) = self.remove() {
            eprintln!("warning: could not remove the tracefs instance {msg}");
        }
    }
}

/// Why the instance cannot run the plan, or `None` when it can.
fn instance_lacks(fs: &Tracefs, dir: &Path, plan: &Plan) -> Option<String> {
    let global = tracefs::read_text(&fs.path("available_tracers")).unwrap_or_default();
    let here = tracefs::read_text(&dir.join("available_tracers")).unwrap_or_default();
    for t in plan.tracer.chain() {
        let listed = |s: &str| s.split_ascii_whitespace().any(|x| x == *t);
        if listed(&global) && !listed(&here) {
            return Some(format!(
                "the {t} tracer cannot run in an instance on this kernel"
            ));
        }
    }
    let wants = [
        (!plan.graph_functions.is_empty(), "set_graph_function"),
        (plan.depth.is_some(), "max_graph_depth"),
    ];
    for (wanted, file) in wants {
        if wanted && !dir.join(file).exists() && fs.path(file).exists() {
            return Some(format!("instances have no {file} on this kernel"));
        }
    }
    None
}

/// Remove `tracereport-PID` instances whose process is gone (a run killed
/// with SIGKILL cannot clean up; the next one does).
fn remove_stale(instances: &Path) {
    let Ok(rd) = std::fs::read_dir(instances) else {
        return;
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix(INSTANCE_PREFIX) else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir(e.path());
        }
    }
}

/// An exclusive lock on the tracefs root: two `record`s on the global
/// files would restore each other's values.
fn lock_global(root: &Path) -> Result<File, RecordError> {
    let f = File::open(root).map_err(|e| RecordError::tracefs(root, e))?;
    use rustix::fs::{FlockOperation, flock};
    flock(&f, FlockOperation::NonBlockingLockExclusive).map_err(|_| {
        RecordError::Busy(format!(
            "another `tracereport record` is using the global tracefs at {}",
            root.display()
        ))
    })?;
    Ok(f)
}

/// Refuse when someone else's tracer or events are active.
fn refuse_if_busy(root: &Path) -> Result<(), RecordError> {
    let tracer = tracefs::read_text(&root.join("current_tracer")).unwrap_or_default();
    let events = tracefs::read_text(&root.join("set_event")).unwrap_or_default();
    let mut busy = Vec::new();
    if !tracer.is_empty() && tracer != "nop" {
        busy.push(format!("current_tracer is {tracer}"));
    }
    if !events.is_empty() {
        let n = events.lines().count();
        busy.push(format!("{n} event(s) enabled (set_event)"));
    }
    if busy.is_empty() {
        return Ok(());
    }
    Err(RecordError::Busy(format!(
        "another tracer is active in {} ({}); recording would disturb it. Give --force to record anyway (its settings are restored afterwards, but its buffer is cleared)",
        root.display(),
        busy.join(", ")
    )))
}
