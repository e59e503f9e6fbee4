//! Output folders replaced whole: a report, sweep or comparison folder is
//! written into a hidden sibling (`.NAME.tmp-PID`) and renamed into place
//! only when every file is in it. The old folder is moved aside first
//! (`.NAME.old-PID`) and removed after, so a reader sees the old folder,
//! briefly none, or the new one: never one that mixes two runs (each file
//! written atomically was not enough: a run killed while rewriting a
//! folder left the old run's `summary.json` beside the new `history.jsonl`).
//!
//! A killed process leaves its hidden sibling behind; the next one to
//! write the same folder removes every such sibling whose process is gone,
//! and [`clean_stale_files`] does the same for the `.FILE.tmpPID` files of
//! [`crate::report::write_atomic`].

use crate::error::Error;
use std::path::{Path, PathBuf};

/// Where a process is considered gone when the system cannot tell (no
/// `/proc`): its temp entry is older than this.
const STALE_AFTER_S: u64 = 3600;

/// A folder being written; [`Staging::commit`] puts it in place.
#[derive(Debug)]
pub struct Staging {
    target: PathBuf,
    tmp: PathBuf,
    committed: bool,
}

impl Staging {
    /// Starts writing `target` (its parent is created; stale temp siblings
    /// of `target` from killed runs are removed).
    pub fn begin(target: &Path) -> Result<Staging, Error> {
        let (parent, name) = split(target)?;
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        clean_stale(&parent, &name, &[TMP, OLD])?;
        let tmp = parent.join(format!(".{name}{TMP}{}", std::process::id()));
        remove_dir(&tmp)?;
        std::fs::create_dir(&tmp).map_err(|e| Error::io(&tmp, e))?;
        Ok(Staging {
            target: target.to_path_buf(),
            tmp,
            committed: false,
        })
    }

    /// Where to write the folder's files now.
    pub fn dir(&self) -> &Path {
        &self.tmp
    }

    /// The folder's final place.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Renames the finished folder into place (replacing an old one whole).
    pub fn commit(mut self) -> Result<PathBuf, Error> {
        let (parent, name) = split(&self.target)?;
        let old = parent.join(format!(".{name}{OLD}{}", std::process::id()));
        let had_old = match std::fs::rename(&self.target, &old) {
            Ok(()) => true,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) => return Err(Error::io(&self.target, e)),
        };
        if let Err(e) = std::fs::rename(&self.tmp, &self.target) {
            if had_old {
                let _ = std::fs::rename(&old, &self.target);
            }
            return Err(Error::io(&self.target, e));
        }
        self.committed = true;
        if had_old {
            remove_dir(&old)?;
        }
        Ok(self.target.clone())
    }
}

impl Drop for Staging {
    /// An error on the way leaves the old folder as it was.
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

const TMP: &str = ".tmp-";
const OLD: &str = ".old-";

fn split(target: &Path) -> Result<(PathBuf, String), Error> {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned());
    let Some(name) = name.filter(|n| n != "." && n != "..") else {
        return Err(Error::Usage(format!(
            "{}: expected a folder path that ends in a name",
            target.display()
        )));
    };
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((parent, name))
}

fn remove_dir(dir: &Path) -> Result<(), Error> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(dir, e)),
        _ => Ok(()),
    }
}

/// Removes `.NAME<marker>PID` entries in `dir` whose process is gone.
fn clean_stale(dir: &Path, name: &str, markers: &[&str]) -> Result<(), Error> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(dir, e)),
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix('.').and_then(|f| f.strip_prefix(name)) else {
            continue;
        };
        let pid = markers.iter().find_map(|m| rest.strip_prefix(m));
        let Some(pid) = pid.and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid != std::process::id() && gone(pid, &entry.path()) {
            let path = entry.path();
            let removed = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            if let Err(e) = removed.filter_not_found() {
                return Err(Error::io(path, e));
            }
        }
    }
    Ok(())
}

/// Removes the `.FILE.tmpPID` siblings of `file` that killed processes left
/// (see [`crate::report::write_atomic`]).
pub fn clean_stale_files(file: &Path) -> Result<(), Error> {
    let (parent, name) = split(file)?;
    clean_stale(&parent, &name, &[".tmp"])
}

/// Whether process `pid` has ended (its temp entry at `path` is stale).
fn gone(pid: u32, path: &Path) -> bool {
    let proc = Path::new("/proc");
    if proc.join("self").exists() {
        return !proc.join(pid.to_string()).exists();
    }
    let age = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok());
    age.is_some_and(|a| a.as_secs() > STALE_AFTER_S)
}

trait FilterNotFound {
    fn filter_not_found(self) -> Result<(), std::io::Error>;
}

impl FilterNotFound for std::io::Result<()> {
    /// A concurrent cleaner removing it first is fine.
    fn filter_not_found(self) -> Result<(), std::io::Error> {
        match self {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("faultline-staging-{name}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_folder_is_replaced_whole_and_a_failed_one_leaves_the_old() {
        let root = tmp("replace");
        let target = root.join("7");
        std::fs::create_dir_all(&target).unwrap();
        std::fs::write(target.join("old.txt"), "old").unwrap();
        let s = Staging::begin(&target).unwrap();
        std::fs::write(s.dir().join("new.txt"), "new").unwrap();
        drop(s);
        assert!(
            target.join("old.txt").exists(),
            "an abandoned write keeps the old folder"
        );
        let s = Staging::begin(&target).unwrap();
        std::fs::write(s.dir().join("new.txt"), "new").unwrap();
        assert_eq!(s.commit().unwrap(), target);
        assert!(!target.join("old.txt").exists());
        assert!(target.join("new.txt").exists());
        let left: Vec<_> = std::fs::read_dir(&root).unwrap().flatten().collect();
        assert_eq!(left.len(), 1, "no temp folders left: {left:?}");
    }

    #[test]
    fn stale_temp_entries_of_dead_processes_are_removed() {
        if !Path::new("/proc/self").exists() {
            return; // without /proc only entries an hour old count as stale
        }
        let root = tmp("stale");
        // No process has pid u32::MAX - 1; this process's own entry stays.
        let dead = root.join(format!(".7{TMP}{}", u32::MAX - 1));
        let mine = root.join(format!(".7.tmp{}", std::process::id()));
        let other = root.join(format!(".70{TMP}{}", u32::MAX - 1));
        std::fs::create_dir_all(dead.join("x")).unwrap();
        std::fs::create_dir_all(&other).unwrap();
        std::fs::write(&mine, "half").unwrap();
        let stale_file = root.join(format!(".7.tmp{}", u32::MAX - 1));
        std::fs::write(&stale_file, "half").unwrap();
        Staging::begin(&root.join("7")).unwrap().commit().unwrap();
        assert!(!dead.exists());
        assert!(
            other.exists(),
            "another folder's temp entries are not this one's"
        );
        clean_stale_files(&root.join("7")).unwrap();
        assert!(!stale_file.exists());
        assert!(mine.exists(), "a live process's temp file stays");
    }
}
