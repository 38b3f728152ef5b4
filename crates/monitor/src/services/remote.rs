//! Remote access (`monitor_update_secure_connection`, option `network/dyndns`):
//! update the dynamic DNS name, then obtain or renew the TLS certificate with
//! certbot and restart nginx and mosquitto (contract §9.17). Only with
//! `USE_SSH_CONNECTION=true` on a real board. Credentials go to curl on its
//! standard input, never on a command line; everything else is an argument
//! vector (no shell).

use serde::Deserialize;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Where certbot's certificate lives (`GET /api/config/public_access` checks it).
pub const CERTIFICATE: &str = "/etc/letsencrypt/live/arpi/fullchain.pem";
/// The web root certbot answers its challenge from.
pub const WEBROOT: &str = "/home/argus/webapplication";

/// `network/dyndns` (contract §6). Never logged.
#[derive(Clone, Default, Deserialize)]
pub struct DyndnsOption {
    /// Provider login.
    pub username: Option<String>,
    /// Provider password.
    pub password: Option<String>,
    /// The public host name.
    pub hostname: Option<String>,
    /// `noip` (the only provider ArPI supports).
    pub provider: Option<String>,
    /// Check the Referer host on REST calls (used by the server).
    pub restrict_host: bool,
    /// Contact address for Let's Encrypt.
    pub certbot_email: Option<String>,
}

/// Setting up remote access failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RemoteError {
    /// A required field is empty or malformed.
    #[error("network/dyndns: {0}")]
    Option(&'static str),
    /// The DNS provider refused the update.
    #[error("dynamic DNS update refused: {0}")]
    Dns(String),
    /// A tool failed.
    #[error("{0}")]
    Tool(String),
}

fn valid_hostname(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 253
        && h.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
        })
}

fn valid_email(e: &str) -> bool {
    let Some((user, domain)) = e.split_once('@') else {
        return false;
    };
    !user.is_empty()
        && valid_hostname(domain)
        && !e
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '\\')
}

/// The curl configuration (read from standard input) for a No-IP update.
pub fn curl_config(option: &DyndnsOption) -> Result<String, RemoteError> {
    let host = option
        .hostname
        .as_deref()
        .filter(|h| valid_hostname(h))
        .ok_or(RemoteError::Option("hostname"))?;
    let user = option
        .username
        .as_deref()
        .filter(|u| !u.is_empty())
        .ok_or(RemoteError::Option("username"))?;
    let password = option.password.as_deref().unwrap_or_default();
    if !matches!(option.provider.as_deref(), None | Some("") | Some("noip")) {
        return Err(RemoteError::Option("provider (only noip is supported)"));
    }
    let quote = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    Ok(format!(
        "url = \"https://dynupdate.no-ip.com/nic/update?hostname={host}\"\nuser = \"{}:{}\"\nuser-agent = \"argus/{} alarm system\"\nsilent\nshow-error\nmax-time = 30\n",
        quote(user),
        quote(password),
        env!("CARGO_PKG_VERSION")
    ))
}

/// Reads No-IP's answer: `good <ip>` and `nochg <ip>` are success.
pub fn check_dns_answer(body: &str) -> Result<(), RemoteError> {
    let word = body.split_whitespace().next().unwrap_or_default();
    match word {
        "good" | "nochg" => Ok(()),
        other => Err(RemoteError::Dns(if other.is_empty() {
            "empty answer".into()
        } else {
            other.into()
        })),
    }
}

/// certbot's arguments for `hostname` and `email`.
pub fn certbot_args(option: &DyndnsOption) -> Result<Vec<String>, RemoteError> {
    let host = option
        .hostname
        .as_deref()
        .filter(|h| valid_hostname(h))
        .ok_or(RemoteError::Option("hostname"))?;
    let email = option
        .certbot_email
        .as_deref()
        .filter(|e| valid_email(e))
        .ok_or(RemoteError::Option("certbot_email"))?;
    Ok([
        "certonly",
        "--webroot",
        "-w",
        WEBROOT,
        "--cert-name",
        "arpi",
        "-d",
        host,
        "-m",
        email,
    ]
    .into_iter()
    .map(str::to_owned)
    .chain(["--agree-tos", "--non-interactive", "--keep-until-expiring"].map(str::to_owned))
    .collect())
}

fn run(program: &str, args: &[String]) -> Result<(), RemoteError> {
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| RemoteError::Tool(format!("{program}: {e}")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(RemoteError::Tool(format!(
            "{program} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// [`update`] in the background (DNS and certbot take seconds to minutes, as
/// in ArPI); `done` hears whether the certificate is in place.
pub fn update_in_background(option: DyndnsOption, done: impl FnOnce(bool) + Send + 'static) {
    tokio::spawn(async move {
        match tokio::task::spawn_blocking(move || update(&option)).await {
            Ok(Ok(public)) => done(public),
            Ok(Err(e)) => tracing::warn!(error = %e, "remote access setup failed"),
            Err(e) => tracing::warn!(error = %e, "remote access task failed"),
        }
    });
}

/// Updates DNS, obtains the certificate, restarts nginx and mosquitto;
/// returns whether the certificate is in place. Blocking; minutes at worst.
pub fn update(option: &DyndnsOption) -> Result<bool, RemoteError> {
    let config = curl_config(option)?;
    let mut curl = Command::new("curl")
        .args(["--config", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| RemoteError::Tool(format!("curl: {e}")))?;
    if let Some(mut stdin) = curl.stdin.take() {
        stdin
            .write_all(config.as_bytes())
            .map_err(|e| RemoteError::Tool(format!("curl: {e}")))?;
    }
    let out = curl
        .wait_with_output()
        .map_err(|e| RemoteError::Tool(format!("curl: {e}")))?;
    if !out.status.success() {
        return Err(RemoteError::Tool(format!(
            "curl failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    check_dns_answer(&String::from_utf8_lossy(&out.stdout))?;
    run("certbot", &certbot_args(option)?)?;
    run(
        "systemctl",
        &["restart".into(), "nginx".into(), "mosquitto".into()],
    )?;
    Ok(Path::new(CERTIFICATE).exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn option() -> DyndnsOption {
        DyndnsOption {
            username: Some("me@example.org".into()),
            password: Some("p\"a\\ss".into()),
            hostname: Some("home.ddns.net".into()),
            provider: Some("noip".into()),
            restrict_host: false,
            certbot_email: Some("me@example.org".into()),
        }
    }

    #[test]
    fn credentials_are_quoted_for_curl_and_never_in_argv() {
        let config = curl_config(&option()).unwrap();
        assert!(config
            .contains("url = \"https://dynupdate.no-ip.com/nic/update?hostname=home.ddns.net\""));
        assert!(config.contains("user = \"me@example.org:p\\\"a\\\\ss\""));
        let args = certbot_args(&option()).unwrap();
        assert!(
            !args.iter().any(|a| a.contains("p\"a")),
            "no password on a command line"
        );
        assert_eq!(&args[..2], ["certonly", "--webroot"]);
        assert!(args.contains(&"home.ddns.net".to_owned()));
    }

    #[test]
    fn bad_options_are_refused_before_anything_runs() {
        let mut o = option();
        o.hostname = Some("home.ddns.net; reboot".into());
        assert_eq!(curl_config(&o), Err(RemoteError::Option("hostname")));
        let mut o = option();
        o.certbot_email = Some("-d evil.example".into());
        assert_eq!(certbot_args(&o), Err(RemoteError::Option("certbot_email")));
        let mut o = option();
        o.provider = Some("dyndns".into());
        assert!(curl_config(&o).is_err());
    }

    #[test]
    fn provider_answers() {
        assert_eq!(check_dns_answer("good 1.2.3.4\n"), Ok(()));
        assert_eq!(check_dns_answer("nochg 1.2.3.4"), Ok(()));
        assert_eq!(
            check_dns_answer("badauth"),
            Err(RemoteError::Dns("badauth".into()))
        );
        assert!(check_dns_answer("").is_err());
    }
}
