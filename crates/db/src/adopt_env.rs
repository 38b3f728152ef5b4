//! `manage adopt-arpi --arpi-home`: ArPI's `config.env` and `secrets.env`
//! carried into argus's, so `SECRET` (and with it every device and user
//! token already issued) and the board's settings stay what they were.
//! Only the variables argus reads are carried; argus's own lines and
//! comments stay; both files keep their group and are never readable by
//! others (mode 640). The secrets argus had before are kept beside, once,
//! as `secrets.env.before-adopt` (mode 600), so adoption can be undone.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// ArPI's variables argus reads from `config.env` (contract §10).
pub const CONFIG_KEYS: &[&str] = &[
    "DB_SCHEMA",
    "DB_USER",
    "PGHOST",
    "PGPORT",
    "BOARD_VERSION",
    "USE_SIMULATOR",
    "INPUT_NUMBER",
    "OUTPUT_NUMBER",
    "SAMPLE_RATE",
    "GSM_PORT",
    "GSM_PORT_BAUD",
    "USE_SSH_CONNECTION",
];

/// ArPI's secrets argus reads from `secrets.env`.
pub const SECRET_KEYS: &[&str] = &[
    "SECRET",
    "MCP_SECRET",
    "SALT",
    "ARGUS_MQTT_PASSWORD",
    "ARGUS_READER_MQTT_PASSWORD",
];

/// Where ArPI keeps its files under its home directory (contract §10, §14).
pub fn arpi_files(home: &Path) -> (PathBuf, PathBuf) {
    (
        home.join(".local/etc/arpi-server/config.env"),
        home.join("secrets.env"),
    )
}

/// `KEY=VALUE` lines of an environment file as systemd and a shell read
/// them: comments, blank lines and an `export ` prefix skipped, one level
/// of matching quotes removed. The last of a repeated key wins.
pub fn parse(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            continue;
        }
        let value = value.trim();
        let unquoted = ['"', '\'']
            .iter()
            .find_map(|q| value.strip_prefix(*q)?.strip_suffix(*q))
            .unwrap_or(value);
        out.retain(|(k, _)| k != key);
        out.push((key.to_owned(), unquoted.to_owned()));
    }
    out
}

/// `existing` with each of `updates` set: a key's line is rewritten where
/// it is (its later repeats dropped), a missing key appended; every other
/// line is kept as it was.
pub fn merge(existing: &str, updates: &[(String, String)]) -> String {
    let mut written: Vec<&str> = Vec::new();
    let mut out = String::new();
    for line in existing.lines() {
        let key = line
            .trim()
            .strip_prefix("export ")
            .unwrap_or(line.trim())
            .split_once('=')
            .map(|(k, _)| k.trim());
        match key.and_then(|k| updates.iter().find(|(u, _)| u == k)) {
            Some((k, _)) if written.contains(&k.as_str()) => {}
            Some((k, v)) => {
                out.push_str(&line_of(k, v));
                written.push(k);
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    for (k, v) in updates {
        if !written.contains(&k.as_str()) {
            out.push_str(&line_of(k, v));
        }
    }
    out
}

/// `KEY=VALUE`, the value single-quoted unless plain, so both systemd and a
/// shell that sources the file read it back as it was.
fn line_of(key: &str, value: &str) -> String {
    let plain = value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"_./:,@+-=*".contains(&b));
    if plain {
        format!("{key}={value}\n")
    } else if !value.contains('\'') {
        format!("{key}='{value}'\n")
    } else {
        let mut quoted = String::with_capacity(value.len() + 2);
        for c in value.chars() {
            if matches!(c, '\\' | '"' | '$' | '`') {
                quoted.push('\\');
            }
            quoted.push(c);
        }
        format!("{key}=\"{quoted}\"\n")
    }
}

/// What adoption did to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// argus's file.
    pub path: PathBuf,
    /// The variables whose value changed or that were added (names only:
    /// these may be secrets).
    pub changed: Vec<String>,
}

/// Why ArPI's files could not be carried over.
#[derive(Debug, thiserror::Error)]
pub enum AdoptError {
    /// ArPI's secrets name no `SECRET`: there is nothing to keep tokens valid with.
    #[error("{0} has no SECRET; is this ArPI's secrets.env?")]
    NoSecret(PathBuf),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> AdoptError + '_ {
    move |source| AdoptError::Io {
        path: path.to_owned(),
        source,
    }
}

fn read_or_empty(path: &Path) -> Result<String, AdoptError> {
    match std::fs::read_to_string(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        other => other.map_err(io(path)),
    }
}

/// Writes `text` to `path` with `mode` through a temporary file, so a crash
/// never leaves half a file. The file keeps its group (install.sh gives
/// argus's files to group `argus`).
fn write_file(path: &Path, text: &str, mode: u32) -> Result<(), AdoptError> {
    use std::os::unix::fs::MetadataExt;
    let group = std::fs::metadata(path).ok().map(|m| m.gid());
    let tmp = path.with_extension("adopt-tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(&tmp)
        .map_err(io(&tmp))?;
    f.write_all(text.as_bytes()).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(mode)).map_err(io(&tmp))?;
    if let Some(gid) = group {
        std::os::unix::fs::chown(&tmp, None, Some(gid)).map_err(io(&tmp))?;
    }
    std::fs::rename(&tmp, path).map_err(io(path))
}

/// Carries `keys` of `from` into `into`; returns the names that changed.
fn carry(from: &Path, into: &Path, keys: &[&str], mode: u32) -> Result<FileChange, AdoptError> {
    let theirs = parse(&read_or_empty(from)?);
    let existing = read_or_empty(into)?;
    let ours = parse(&existing);
    let updates: Vec<(String, String)> = theirs
        .into_iter()
        .filter(|(k, _)| keys.contains(&k.as_str()))
        .filter(|(k, v)| !ours.iter().any(|(o, ov)| o == k && ov == v))
        .collect();
    if !updates.is_empty() {
        write_file(into, &merge(&existing, &updates), mode)?;
    }
    Ok(FileChange {
        path: into.to_owned(),
        changed: updates.into_iter().map(|(k, _)| k).collect(),
    })
}

/// Carries ArPI's files under `arpi_home` into `etc/config.env` and
/// `etc/secrets.env` (see the module's doc). Running it again changes
/// nothing.
pub fn adopt(arpi_home: &Path, etc: &Path) -> Result<[FileChange; 2], AdoptError> {
    let (config, secrets) = arpi_files(arpi_home);
    let theirs = read_or_empty(&secrets)?;
    if !parse(&theirs)
        .iter()
        .any(|(k, v)| k == "SECRET" && !v.is_empty())
    {
        return Err(AdoptError::NoSecret(secrets));
    }
    std::fs::create_dir_all(etc).map_err(io(etc))?;
    let ours = etc.join("secrets.env");
    let before = etc.join("secrets.env.before-adopt");
    let current = read_or_empty(&ours)?;
    if !current.is_empty() && !before.exists() {
        write_file(&before, &current, 0o600)?;
    }
    let secrets = carry(&secrets, &ours, SECRET_KEYS, 0o640)?;
    let config = carry(&config, &etc.join("config.env"), CONFIG_KEYS, 0o640)?;
    Ok([config, secrets])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn parse_reads_what_systemd_and_a_shell_read() {
        let text = "# comment\n\nexport SECRET=\"a b\"\nDB_USER='argus'\nBAD LINE\n=x\nSAMPLE_RATE = 10\nSAMPLE_RATE=1\n";
        assert_eq!(
            parse(text),
            pairs(&[
                ("SECRET", "a b"),
                ("DB_USER", "argus"),
                ("SAMPLE_RATE", "1")
            ])
        );
    }

    #[test]
    fn merge_rewrites_in_place_appends_the_rest_and_keeps_every_other_line() {
        let existing = "# argus\nSECRET=old\nARGUS_CORS_ORIGINS=localhost\nSECRET=older\n";
        let merged = merge(existing, &pairs(&[("SECRET", "new"), ("SALT", "s p")]));
        assert_eq!(
            merged,
            "# argus\nSECRET=new\nARGUS_CORS_ORIGINS=localhost\nSALT='s p'\n"
        );
        assert_eq!(
            parse(&merged),
            pairs(&[
                ("SECRET", "new"),
                ("ARGUS_CORS_ORIGINS", "localhost"),
                ("SALT", "s p")
            ])
        );
        assert_eq!(merge(&merged, &pairs(&[("SECRET", "new")])), merged);
    }
}
