//! `manage backup` / `manage restore`: one directory per backup,
//! `<into>/argus-<UTC time>/`, holding the database as a PostgreSQL
//! custom-format dump (`pg_dump -Fc`: compressed, restorable table by
//! table), a copy of the monitor's state directory (the journal that lets it
//! restart without false alarms) and the secrets file, so `SECRET` and with
//! it every device token survives a new SD card. Older backups beyond
//! `keep` are deleted. Restoring loads the dump into the configured
//! database (cleaning what it replaces) and puts the state and secrets back
//! where they were taken from.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// A file or directory operation.
    #[error("{0}: {1}")]
    Io(PathBuf, #[source] std::io::Error),
    /// `pg_dump` or `pg_restore` failed (its message; never the URL).
    #[error("{0} failed: {1}")]
    Tool(&'static str, String),
    /// Not a backup made by `manage backup`.
    #[error("{0}: no database.dump in it")]
    NotABackup(PathBuf),
}

/// What to take besides the database.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// The monitor's state directory (`ARGUS_STATE_DIR`), if any.
    pub state_dir: Option<PathBuf>,
    /// The secrets file (`/etc/argus/secrets.env`), if any.
    pub secrets: Option<PathBuf>,
}

const DUMP: &str = "database.dump";
const STATE: &str = "state";
const SECRETS: &str = "secrets.env";

/// A PostgreSQL client program: on `PATH`, else the newest
/// `/usr/lib/postgresql/<version>/bin` (Debian keeps them there).
fn tool(name: &str) -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|p| p.is_file());
    on_path.unwrap_or_else(|| {
        let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        versions.sort();
        versions
            .pop()
            .map_or_else(|| PathBuf::from(name), |v| v.join("bin").join(name))
    })
}

fn run(name: &'static str, args: &[&std::ffi::OsStr]) -> Result<(), BackupError> {
    let out = Command::new(tool(name))
        .args(args)
        .output()
        .map_err(|e| BackupError::Io(PathBuf::from(name), e))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(BackupError::Tool(
            name,
            String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        ))
    }
}

fn io<T>(path: &Path, r: std::io::Result<T>) -> Result<T, BackupError> {
    r.map_err(|e| BackupError::Io(path.to_owned(), e))
}

/// Copies the files of `from` into `to` (one level of subdirectories, as
/// the state directory has), creating `to`.
fn copy_dir(from: &Path, to: &Path) -> Result<(), BackupError> {
    io(to, std::fs::create_dir_all(to))?;
    for entry in io(from, std::fs::read_dir(from))?.flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target)?;
        } else {
            io(&path, std::fs::copy(&path, &target))?;
        }
    }
    Ok(())
}

/// Makes a backup of `url`'s database (and `extras`) under `into`, then
/// keeps only the newest `keep` backups there; the new backup's directory.
pub fn backup(
    url: &str,
    into: &Path,
    extras: &Extras,
    keep: usize,
) -> Result<PathBuf, BackupError> {
    let name = format!("argus-{}", chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"));
    let dir = into.join(name);
    io(&dir, std::fs::create_dir_all(&dir))?;
    let dump = dir.join(DUMP);
    run(
        "pg_dump",
        &[
            "--format=custom".as_ref(),
            "--no-owner".as_ref(),
            "--file".as_ref(),
            dump.as_os_str(),
            "--dbname".as_ref(),
            url.as_ref(),
        ],
    )?;
    if let Some(state) = extras.state_dir.as_deref().filter(|p| p.is_dir()) {
        copy_dir(state, &dir.join(STATE))?;
    }
    if let Some(secrets) = extras.secrets.as_deref().filter(|p| p.is_file()) {
        let target = dir.join(SECRETS);
        io(&target, std::fs::copy(secrets, &target))?;
        use std::os::unix::fs::PermissionsExt;
        io(
            &target,
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)),
        )?;
    }
    prune(into, keep)?;
    Ok(dir)
}

/// Deletes all but the newest `keep` backups in `into` (at least the newest).
fn prune(into: &Path, keep: usize) -> Result<(), BackupError> {
    let mut backups: Vec<PathBuf> = io(into, std::fs::read_dir(into))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("argus-"))
                && p.join(DUMP).is_file()
        })
        .collect();
    backups.sort();
    let excess = backups.len().saturating_sub(keep.max(1));
    for old in backups.into_iter().take(excess) {
        io(&old, std::fs::remove_dir_all(&old))?;
    }
    Ok(())
}

/// Restores the backup in `from` into `url`'s database, and its state and
/// secrets to `extras`' paths (where given and present in the backup).
pub fn restore(url: &str, from: &Path, extras: &Extras) -> Result<(), BackupError> {
    let dump = from.join(DUMP);
    if !dump.is_file() {
        return Err(BackupError::NotABackup(from.to_owned()));
    }
    run(
        "pg_restore",
        &[
            "--clean".as_ref(),
            "--if-exists".as_ref(),
            "--no-owner".as_ref(),
            "--single-transaction".as_ref(),
            "--exit-on-error".as_ref(),
            "--dbname".as_ref(),
            url.as_ref(),
            dump.as_os_str(),
        ],
    )?;
    if let (Some(state), true) = (extras.state_dir.as_deref(), from.join(STATE).is_dir()) {
        copy_dir(&from.join(STATE), state)?;
    }
    if let (Some(secrets), true) = (extras.secrets.as_deref(), from.join(SECRETS).is_file()) {
        io(secrets, std::fs::copy(from.join(SECRETS), secrets))?;
    }
    Ok(())
}
