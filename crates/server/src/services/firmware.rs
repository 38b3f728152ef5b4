//! Firmware bundles on disk: a file's path inside a bundle is checked before
//! it is ever joined to a directory (relative, no `..`, no hidden or empty
//! parts, a small alphabet), and the file found must still be under the
//! bundle's directory once links are resolved. Files are written whole (a
//! temporary name, then renamed) with their size and SHA-256.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use argus_db::models::FirmwareFile;

/// The longest path inside a bundle.
pub const MAX_PATH: usize = 255;

/// `path` as a relative path inside a bundle, or why it is not one.
pub fn checked_path(path: &str) -> Result<PathBuf, String> {
    let refuse = |why: &str| {
        Err(format!(
            "path '{}': {why}",
            path.chars().take(80).collect::<String>()
        ))
    };
    if path.is_empty() || path.len() > MAX_PATH {
        return refuse("1 to 255 characters");
    }
    if !path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/'))
    {
        return refuse("letters, digits, '.', '_', '-' and '/' only");
    }
    let candidate = Path::new(path);
    for part in candidate.components() {
        match part {
            Component::Normal(p) if !p.to_string_lossy().starts_with('.') => {}
            _ => return refuse("no absolute path, '..', '.' or hidden part"),
        }
    }
    if path.ends_with('/') || path.contains("//") {
        return refuse("no empty part");
    }
    Ok(candidate.to_path_buf())
}

/// A bundle's directory.
pub fn bundle_dir(root: &Path, firmware: i32) -> PathBuf {
    root.join(firmware.to_string())
}

/// The file `path` of a bundle, if it exists under the bundle's directory.
pub fn existing(root: &Path, firmware: i32, path: &str) -> Result<PathBuf, String> {
    let relative = checked_path(path)?;
    let dir = bundle_dir(root, firmware)
        .canonicalize()
        .map_err(|_| "no such bundle".to_owned())?;
    let file = dir
        .join(relative)
        .canonicalize()
        .map_err(|_| "no such file".to_owned())?;
    if !file.starts_with(&dir) || !file.is_file() {
        return Err("no such file".into());
    }
    Ok(file)
}

/// Writes `bytes` as `path` of a bundle; its row.
pub fn store(root: &Path, firmware: i32, path: &str, bytes: &[u8]) -> Result<FirmwareFile, String> {
    let relative = checked_path(path)?;
    let target = bundle_dir(root, firmware).join(&relative);
    let parent = target.parent().ok_or("no directory")?;
    std::fs::create_dir_all(parent).map_err(|e| format!("firmware directory: {e}"))?;
    let temporary = parent.join(format!(".upload-{}", std::process::id()));
    let mut out = std::fs::File::create(&temporary).map_err(|e| format!("firmware file: {e}"))?;
    out.write_all(bytes)
        .and_then(|()| out.sync_all())
        .map_err(|e| format!("firmware file: {e}"))?;
    std::fs::rename(&temporary, &target).map_err(|e| format!("firmware file: {e}"))?;
    Ok(FirmwareFile {
        firmware_id: firmware,
        path: relative.to_string_lossy().into_owned(),
        size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        sha256: Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    })
}

/// What a node checks before and after downloading: the total size and each
/// file's size and SHA-256.
pub fn manifest(files: &[FirmwareFile]) -> Value {
    let total: i64 = files.iter().map(|f| f.size).sum();
    let listed: serde_json::Map<String, Value> = files
        .iter()
        .map(|f| {
            (
                f.path.clone(),
                json!({ "size": f.size, "sha256": f.sha256 }),
            )
        })
        .collect();
    json!({ "size": total, "files": listed })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_and_odd_paths_are_refused() {
        for bad in [
            "../etc/passwd",
            "lib/../../x",
            "/etc/passwd",
            "./main.py",
            ".git/config",
            "lib//x",
            "lib/",
            "a\\\\b",
            "%2e%2e/x",
            "",
            "a b",
        ] {
            assert!(checked_path(bad).is_err(), "{bad}");
        }
        assert_eq!(
            checked_path("lib/umqtt/simple.py").unwrap(),
            PathBuf::from("lib/umqtt/simple.py")
        );
    }

    #[test]
    fn a_stored_file_is_found_and_hashed_and_a_link_out_of_the_bundle_is_not_followed() {
        let root = tempfile::tempdir().unwrap();
        let f = store(root.path(), 3, "lib/main.py", b"print('hi')\n").unwrap();
        assert_eq!(f.size, 12);
        assert_eq!(f.sha256, format!("{:x}", Sha256::digest(b"print('hi')\n")));
        assert!(existing(root.path(), 3, "lib/main.py").is_ok());
        assert!(existing(root.path(), 3, "lib/none.py").is_err());
        assert!(
            existing(root.path(), 4, "lib/main.py").is_err(),
            "another bundle"
        );
        let outside = root.path().join("secret");
        std::fs::write(&outside, "x").unwrap();
        std::os::unix::fs::symlink(&outside, bundle_dir(root.path(), 3).join("link")).unwrap();
        assert!(existing(root.path(), 3, "link").is_err());
        let m = manifest(&[f]);
        assert_eq!(m["size"], 12);
        assert_eq!(m["files"]["lib/main.py"]["size"], 12);
    }
}
