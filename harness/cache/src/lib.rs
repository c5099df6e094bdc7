//! Where scpcheck keeps the tools it provisions (the emulator's virtual environment, the
//! oracle's node packages), and how concurrent processes share one install: the first takes a
//! lock file beside the install, installs, and marks the install complete; the others wait for
//! the lock and then find the mark.

use std::ffi::OsString;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The file in an install directory whose presence marks the install complete.
pub const MARKER: &str = ".scpcheck-installed";

/// How long a process waits for another one's install before it takes the lock anyway.
pub const DEFAULT_PATIENCE: Duration = Duration::from_secs(600);

/// How often a waiting process looks at the lock again.
const POLL: Duration = Duration::from_millis(250);

/// Where provisioned tools are kept: `$SCPCHECK_CACHE_DIR`, else `$XDG_CACHE_HOME/scpcheck`,
/// else `$HOME/.cache/scpcheck`, else a directory under the system's temporary directory. An
/// empty variable counts as unset.
pub fn cache_dir() -> PathBuf {
    cache_dir_from(|name| std::env::var_os(name))
}

/// [`cache_dir`] with the environment read through `variable`.
pub fn cache_dir_from(variable: impl Fn(&str) -> Option<OsString>) -> PathBuf {
    let set = |name: &str| variable(name).filter(|value| !value.is_empty());
    if let Some(dir) = set("SCPCHECK_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = set("XDG_CACHE_HOME") {
        return PathBuf::from(dir).join("scpcheck");
    }
    if let Some(home) = set("HOME") {
        return PathBuf::from(home).join(".cache").join("scpcheck");
    }
    std::env::temp_dir().join("scpcheck-cache")
}

/// Whether the install in `dir` was completed: its [`MARKER`] exists.
pub fn is_installed(dir: &Path) -> bool {
    dir.join(MARKER).is_file()
}

/// Marks the install in `dir` complete, writing `version` into the marker.
pub fn mark_installed(dir: &Path, version: &str) -> io::Result<()> {
    std::fs::write(dir.join(MARKER), version)
}

/// A lock file held while one process installs into the cache; dropping it releases the lock.
#[derive(Debug)]
pub struct InstallLock {
    path: PathBuf,
}

impl InstallLock {
    /// Takes the lock file `path`, creating its directory if needed, and waits while another
    /// process holds it. A lock whose holder no longer runs, or that was held for longer than
    /// `patience`, is taken over. Blocks the calling thread.
    pub fn acquire(path: &Path, patience: Duration) -> io::Result<InstallLock> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let deadline = Instant::now() + patience;
        loop {
            let created = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path);
            match created {
                Ok(mut file) => {
                    // The holder's process id lets a waiter see that the holder is gone.
                    write!(file, "{}", std::process::id())?;
                    return Ok(InstallLock {
                        path: path.to_owned(),
                    });
                }
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
                    if holder_is_gone(path) || Instant::now() > deadline {
                        let _ = std::fs::remove_file(path);
                        continue;
                    }
                    std::thread::sleep(POLL);
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for InstallLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Whether the process that wrote the lock file no longer runs (Linux: no `/proc/PID`).
// Limitation: on systems without `/proc` a lock left by a crashed install is only taken over
// after the patience has passed.
fn holder_is_gone(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    let proc = Path::new("/proc");
    match text.trim().parse::<u32>() {
        Ok(pid) => proc.exists() && !proc.join(pid.to_string()).exists(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory under the system's temporary directory, removed at the end.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Scratch {
            let dir = std::env::temp_dir()
                .join(format!("scpcheck-cache-test-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            Scratch(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn the_cache_dir_follows_the_environment_and_skips_empty_values() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| OsString::from(value))
            }
        };
        assert_eq!(
            cache_dir_from(env(&[("SCPCHECK_CACHE_DIR", "/c"), ("HOME", "/h")])),
            PathBuf::from("/c")
        );
        assert_eq!(
            cache_dir_from(env(&[("SCPCHECK_CACHE_DIR", ""), ("XDG_CACHE_HOME", "/x")])),
            PathBuf::from("/x/scpcheck")
        );
        assert_eq!(
            cache_dir_from(env(&[("XDG_CACHE_HOME", ""), ("HOME", "/h")])),
            PathBuf::from("/h/.cache/scpcheck")
        );
        assert_eq!(
            cache_dir_from(env(&[])),
            std::env::temp_dir().join("scpcheck-cache")
        );
    }

    #[test]
    fn the_marker_tells_a_complete_install() {
        let scratch = Scratch::new("marker");
        std::fs::create_dir_all(&scratch.0).unwrap();
        assert!(!is_installed(&scratch.0));
        mark_installed(&scratch.0, "1.2.3").unwrap();
        assert!(is_installed(&scratch.0));
        assert_eq!(
            std::fs::read_to_string(scratch.0.join(MARKER)).unwrap(),
            "1.2.3"
        );
    }

    #[test]
    fn a_second_taker_waits_until_the_first_lets_go() {
        let scratch = Scratch::new("wait");
        let path = scratch.0.join("tool.lock");
        let first = InstallLock::acquire(&path, DEFAULT_PATIENCE).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            std::process::id().to_string()
        );
        let (sender, receiver) = std::sync::mpsc::channel();
        let waiter = {
            let path = path.clone();
            std::thread::spawn(move || {
                let lock = InstallLock::acquire(&path, DEFAULT_PATIENCE).unwrap();
                sender.send(()).unwrap();
                drop(lock);
            })
        };
        // The waiter cannot have the lock while the first holds it.
        assert!(receiver.recv_timeout(POLL * 3).is_err());
        drop(first);
        receiver.recv_timeout(Duration::from_secs(10)).unwrap();
        waiter.join().unwrap();
        assert!(!path.exists());
    }

    #[test]
    fn a_lock_left_by_a_process_that_is_gone_is_taken_over() {
        let scratch = Scratch::new("stale");
        std::fs::create_dir_all(&scratch.0).unwrap();
        let path = scratch.0.join("tool.lock");
        // Process ids are below 2^22 on Linux: this one runs nowhere.
        std::fs::write(&path, "4294967295").unwrap();
        let lock = InstallLock::acquire(&path, DEFAULT_PATIENCE).unwrap();
        assert_eq!(lock.path(), path);
    }

    #[test]
    fn a_lock_held_past_the_patience_is_taken_over() {
        let scratch = Scratch::new("patience");
        std::fs::create_dir_all(&scratch.0).unwrap();
        let path = scratch.0.join("tool.lock");
        // This process holds it, so only the patience can end the wait.
        std::fs::write(&path, std::process::id().to_string()).unwrap();
        let lock = InstallLock::acquire(&path, Duration::from_millis(300)).unwrap();
        assert_eq!(lock.path(), path);
    }
}
