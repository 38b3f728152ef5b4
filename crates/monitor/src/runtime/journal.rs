//! The local state journal: the installation (with the PIN and card hashes)
//! and the engine snapshot in one small JSON file, mode 0600, rewritten
//! atomically (temporary file, fsync, rename) only when it changes, so a
//! restart with PostgreSQL down still comes back armed and obeys its users,
//! and an SD card sees no writes at idle.

use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use tokio::sync::watch;

use crate::engine::Snapshot;
use crate::installation::Installation;
use crate::runtime::notify::notice::Notice;

/// The journal's contents.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JournalState {
    /// The installation the snapshot belongs to.
    pub installation: Installation,
    /// The engine state (debounce histories left out).
    pub snapshot: Snapshot,
    /// Notifications not yet in the outbox (PostgreSQL was down, or the
    /// monitor stopped before writing them).
    #[serde(default)]
    pub notices: Vec<Notice>,
}

/// A journal file.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    last: Option<Vec<u8>>,
}

impl Journal {
    /// The journal at `dir/monitor-state.json`.
    pub fn new(dir: &Path) -> Self {
        Self {
            path: dir.join("monitor-state.json"),
            last: None,
        }
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the journal; `None` when there is none or it is unreadable.
    pub fn load(&mut self) -> Option<JournalState> {
        let bytes = std::fs::read(&self.path).ok()?;
        match serde_json::from_slice(&bytes) {
            Ok(state) => {
                self.last = Some(bytes);
                Some(state)
            }
            Err(e) => {
                tracing::warn!(journal = %self.path.display(), error = %e, "unreadable state journal ignored");
                None
            }
        }
    }

    /// Writes `state` if it differs from what was last written; returns
    /// whether it wrote.
    pub fn save(&mut self, state: &JournalState) -> std::io::Result<bool> {
        let mut state = state.clone();
        for sensor in state.snapshot.sensors.values_mut() {
            sensor.window = Default::default();
        }
        let bytes = serde_json::to_vec(&state).map_err(std::io::Error::other)?;
        if self.last.as_ref() == Some(&bytes) {
            return Ok(false);
        }
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = self.path.with_extension("json.tmp");
        {
            // Owner only: it holds the PIN and card hashes.
            use std::os::unix::fs::OpenOptionsExt;
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&tmp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
        }
        std::fs::rename(&tmp, &self.path)?;
        if let Some(dir) = self.path.parent() {
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
        }
        self.last = Some(bytes);
        Ok(true)
    }
}

/// Saves the latest journal state whenever it changes, off the engine's task;
/// publishes the generation saved.
pub fn spawn_writer(
    mut journal: Journal,
    mut rx: watch::Receiver<Option<(u64, JournalState)>>,
) -> watch::Receiver<u64> {
    let (saved_tx, saved) = watch::channel(0);
    tokio::spawn(async move {
        while rx.changed().await.is_ok() {
            let Some((generation, state)) = rx.borrow_and_update().clone() else {
                continue;
            };
            let done = tokio::task::spawn_blocking(move || {
                let result = journal.save(&state);
                (journal, result)
            })
            .await;
            match done {
                Ok((j, result)) => {
                    journal = j;
                    match result {
                        Ok(_) => {
                            saved_tx.send_replace(generation);
                        }
                        Err(e) => {
                            tracing::error!(journal = %journal.path().display(), error = %e, "cannot write the state journal");
                        }
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "the journal writer failed");
                    return;
                }
            }
        }
    });
    saved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_only_on_change_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::new(dir.path());
        assert!(j.load().is_none());
        let mut state = JournalState::default();
        assert!(j.save(&state).unwrap());
        assert!(!j.save(&state).unwrap(), "unchanged: no write");
        state.snapshot.now = 42;
        assert!(j.save(&state).unwrap());
        let mut again = Journal::new(dir.path());
        assert_eq!(again.load().unwrap().snapshot.now, 42);
        assert!(!dir.path().join("monitor-state.json.tmp").exists());
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(j.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "it holds PIN hashes");
    }

    #[test]
    fn a_corrupt_journal_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("monitor-state.json"), b"{broken").unwrap();
        assert!(Journal::new(dir.path()).load().is_none());
    }
}
