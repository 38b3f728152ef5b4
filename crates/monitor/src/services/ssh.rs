//! Remote shell access (`update_ssh`, option `network/access`): the SSH
//! service on or off, password logins allowed or not, and logins restricted
//! to local networks. Rendered as an sshd drop-in file and applied with
//! `systemctl` (argument vectors, never a shell); only with
//! `USE_SSH_CONNECTION=true` and never on the simulated board.

use serde::Deserialize;
use std::path::Path;
use std::process::Command;

/// The drop-in argus owns.
pub const DROP_IN: &str = "/etc/ssh/sshd_config.d/argus.conf";

/// `network/access` (contract §6; its defaults are the registry's).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AccessOption {
    /// Run the SSH service.
    pub service_enabled: bool,
    /// Accept logins from private networks only.
    pub restrict_local_network: bool,
    /// Allow password logins (else keys only).
    pub password_authentication_enabled: bool,
}

/// The sshd drop-in for `option`.
pub fn render(option: &AccessOption) -> String {
    let mut text = String::from(
        "# Written by argus-monitor from the option network/access; edits are overwritten.\n",
    );
    text.push_str(&format!(
        "PasswordAuthentication {}\n",
        if option.password_authentication_enabled {
            "yes"
        } else {
            "no"
        }
    ));
    if option.restrict_local_network {
        text.push_str("AllowUsers *@127.0.0.0/8 *@10.0.0.0/8 *@172.16.0.0/12 *@192.168.0.0/16 *@::1 *@fe80::/10 *@fc00::/7\n");
    }
    text
}

/// Runs `systemctl` with `args`.
pub fn systemctl(args: &[&str]) -> Result<(), String> {
    let out = Command::new("systemctl")
        .args(args)
        .output()
        .map_err(|e| format!("systemctl: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "systemctl {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Writes the drop-in atomically and switches the service with `run`
/// ([`systemctl`] in production).
pub fn apply(
    option: &AccessOption,
    drop_in: &Path,
    run: impl Fn(&[&str]) -> Result<(), String>,
) -> Result<(), String> {
    if let Some(dir) = drop_in.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    let tmp = drop_in.with_extension("conf.tmp");
    std::fs::write(&tmp, render(option)).map_err(|e| e.to_string())?;
    std::fs::rename(&tmp, drop_in).map_err(|e| e.to_string())?;
    if option.service_enabled {
        run(&["enable", "--now", "ssh"])?;
        run(&["reload", "ssh"])
    } else {
        run(&["disable", "--now", "ssh"])
    }
}

/// `update_ssh` on the blocking pool, on the real system's drop-in.
pub async fn update(option: AccessOption) -> argus_protocol::Reply {
    use argus_protocol::Reply;
    let done =
        tokio::task::spawn_blocking(move || apply(&option, Path::new(DROP_IN), systemctl)).await;
    match done {
        Ok(Ok(())) => Reply::ok(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "SSH update failed");
            Reply::error("Failed to update the SSH service")
        }
        Err(e) => Reply::error(format!("Failed to update the SSH service: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ArPI's defaults.
    fn arpi() -> AccessOption {
        AccessOption {
            service_enabled: true,
            restrict_local_network: false,
            password_authentication_enabled: true,
        }
    }

    #[test]
    fn defaults_match_arpi() {
        let o: AccessOption = argus_protocol::options::typed("network", "access", None).unwrap();
        assert_eq!(o, arpi());
        assert!(
            o.service_enabled && o.password_authentication_enabled && !o.restrict_local_network
        );
    }

    #[test]
    fn renders_the_drop_in() {
        let open = render(&arpi());
        assert!(open.contains("PasswordAuthentication yes\n"));
        assert!(!open.contains("AllowUsers"));
        let strict = render(&AccessOption {
            service_enabled: true,
            restrict_local_network: true,
            password_authentication_enabled: false,
        });
        assert!(strict.contains("PasswordAuthentication no\n"));
        assert!(strict
            .contains("AllowUsers *@127.0.0.0/8 *@10.0.0.0/8 *@172.16.0.0/12 *@192.168.0.0/16"));
    }

    #[test]
    fn the_file_is_replaced_atomically_then_the_service_switched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sshd_config.d/argus.conf");
        let calls = std::cell::RefCell::new(Vec::new());
        let record = |args: &[&str]| {
            calls.borrow_mut().push(args.join(" "));
            Ok(())
        };
        apply(&arpi(), &path, record).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), render(&arpi()));
        assert!(!path.with_extension("conf.tmp").exists());
        let off = AccessOption {
            service_enabled: false,
            ..arpi()
        };
        apply(&off, &path, record).unwrap();
        assert_eq!(
            *calls.borrow(),
            ["enable --now ssh", "reload ssh", "disable --now ssh"]
        );
    }
}
