//! SSH keys of the maintenance account (contract §5.1, admin): whether a
//! user has one, generating a pair, installing or removing a public key.
//! Keys are named as ArPI names them (`<name>_<id>@<host>`, the comment
//! field), so keys ArPI installed are found. No shell is ever invoked:
//! `ssh-keygen` gets argv, and `authorized_keys` is edited in-process and
//! replaced atomically.

use actix_web::{delete, get, post, put, web, HttpResponse};
use argus_db::schema::user;
use diesel::prelude::*;
use serde::Deserialize;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::auth::AdminToken;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::transact;

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(has_ssh_key)
        .service(generate_ssh_key)
        .service(set_public_key)
        .service(delete_ssh_key);
}

/// ArPI's key name: the user name with non-word characters as `_`, then
/// `_<id>@<hostname>`.
pub fn key_name(id: i32, name: &str, host: &str) -> String {
    let cleaned: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{cleaned}_{id}@{host}")
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "localhost".into())
}

async fn user_key_name(state: &AppState, id: i32) -> Result<String, ApiError> {
    let name = transact(&state.db, move |conn| {
        user::table
            .find(id)
            .select(user::name)
            .first::<String>(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound("User not found".into()))
    })
    .await?;
    Ok(key_name(id, &name, &hostname()))
}

/// The comment field of an `authorized_keys` line.
fn comment_of(line: &str) -> Option<&str> {
    line.split_whitespace().nth(2)
}

/// A public key line `<type> <base64> [comment]`, validated, with `name` as
/// its comment.
pub fn normalize_public_key(key: &str, name: &str) -> Result<String, ApiError> {
    let invalid = || ApiError::BadRequest("Invalid public key".into());
    if key.contains(['\n', '\r']) {
        return Err(invalid());
    }
    let mut parts = key.split_whitespace();
    let (Some(kind), Some(body)) = (parts.next(), parts.next()) else {
        return Err(invalid());
    };
    let known = kind == "ssh-ed25519" || kind == "ssh-rsa" || kind.starts_with("ecdsa-sha2-");
    let base64 = body
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=');
    if !known || !base64 || body.len() < 16 {
        return Err(invalid());
    }
    Ok(format!("{kind} {body} {name}"))
}

/// Rewrites `authorized_keys` without the lines named `name`, then with
/// `line` if given; atomically (temp file + rename), mode 0600.
fn rewrite_keys(path: &Path, name: &str, line: Option<&str>) -> std::io::Result<()> {
    let current = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let mut out: String = current
        .lines()
        .filter(|l| comment_of(l) != Some(name))
        .map(|l| format!("{l}\n"))
        .collect();
    if let Some(line) = line {
        out.push_str(line);
        out.push('\n');
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("argus-tmp");
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(out.as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

fn has_key(path: &Path, name: &str) -> bool {
    std::fs::read_to_string(path)
        .map(|t| t.lines().any(|l| comment_of(l) == Some(name)))
        .unwrap_or(false)
}

/// `GET /api/user/<id>/has_ssh_key` → bool.
#[get("/user/{id:\\d+}/has_ssh_key")]
async fn has_ssh_key(
    state: web::Data<AppState>,
    _: AdminToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let name = user_key_name(&state, id.into_inner()).await?;
    let path = state.config.authorized_keys.clone();
    let found = web::block(move || has_key(&path, &name)).await?;
    Ok(HttpResponse::Ok().json(found))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GenerateBody {
    key_type: String,
    #[serde(default)]
    passphrase: String,
}

/// Runs `ssh-keygen` (argv only) in a private temporary directory; returns
/// `(private key, public key line)`.
fn generate_pair(kind: &str, name: &str, passphrase: &str) -> Result<(String, String), String> {
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).map_err(|e| e.to_string())?;
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "argus-keygen-{}",
        random
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    ));
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .map_err(|e| e.to_string())?;
    }
    let key = dir.join("id");
    let mut cmd = std::process::Command::new("ssh-keygen");
    cmd.args(["-q", "-t", kind]);
    if kind == "rsa" {
        cmd.args(["-b", "4096"]);
    }
    cmd.arg("-f").arg(&key).args(["-C", name, "-N", passphrase]);
    let result = cmd
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("ssh-keygen: {e}"))
        .and_then(|out| {
            if !out.status.success() {
                return Err(format!("ssh-keygen exited with {}", out.status));
            }
            let private = std::fs::read_to_string(&key).map_err(|e| e.to_string())?;
            let public =
                std::fs::read_to_string(key.with_extension("pub")).map_err(|e| e.to_string())?;
            Ok((private, public.trim().to_owned()))
        });
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// `POST /api/user/<id>/ssh_key` `{"keyType","passphrase"}` → the private
/// key; the public half is installed.
#[post("/user/{id:\\d+}/ssh_key")]
async fn generate_ssh_key(
    state: web::Data<AppState>,
    _: AdminToken,
    id: web::Path<i32>,
    body: web::Json<GenerateBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    if body.key_type != "rsa" && body.key_type != "ed25519" {
        return Err(ApiError::BadRequest(format!(
            "Unknown key type ({}): rsa or ed25519",
            body.key_type
        )));
    }
    let name = user_key_name(&state, id.into_inner()).await?;
    let path = state.config.authorized_keys.clone();
    let private = web::block(move || -> Result<String, String> {
        let (private, public) = generate_pair(&body.key_type, &name, &body.passphrase)?;
        let line = normalize_public_key(&public, &name).map_err(|e| e.to_string())?;
        rewrite_keys(&path, &name, Some(&line)).map_err(|e| e.to_string())?;
        Ok(private)
    })
    .await?
    .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(private))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PublicKeyBody {
    public_key: String,
}

/// `PUT /api/user/<id>/ssh_key` `{"publicKey"}` → `true`.
#[put("/user/{id:\\d+}/ssh_key")]
async fn set_public_key(
    state: web::Data<AppState>,
    _: AdminToken,
    id: web::Path<i32>,
    body: web::Json<PublicKeyBody>,
) -> Result<HttpResponse, ApiError> {
    let name = user_key_name(&state, id.into_inner()).await?;
    let line = normalize_public_key(&body.public_key, &name)?;
    let path = state.config.authorized_keys.clone();
    web::block(move || rewrite_keys(&path, &name, Some(&line)))
        .await?
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(true))
}

/// `DELETE /api/user/<id>/ssh_key` → `true`.
#[delete("/user/{id:\\d+}/ssh_key")]
async fn delete_ssh_key(
    state: web::Data<AppState>,
    _: AdminToken,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let name = user_key_name(&state, id.into_inner()).await?;
    let path = state.config.authorized_keys.clone();
    web::block(move || rewrite_keys(&path, &name, None))
        .await?
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_match_arpi() {
        assert_eq!(key_name(7, " Ann Smith ", "arpi"), "Ann_Smith_7@arpi");
        assert_eq!(key_name(1, "a-b.c", "h"), "a_b_c_1@h");
    }

    #[test]
    fn public_keys_are_validated_and_renamed() {
        let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9v other@host";
        assert_eq!(
            normalize_public_key(key, "n_1@h").unwrap(),
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9v n_1@h"
        );
        assert!(normalize_public_key("ssh-ed25519 AAAA\nssh-rsa X", "n").is_err());
        assert!(normalize_public_key("rm -rf /", "n").is_err());
        assert!(normalize_public_key("ssh-rsa $(reboot)AAAAAAAAAAAAAAAA", "n").is_err());
    }

    #[test]
    fn authorized_keys_are_rewritten_by_comment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".ssh/authorized_keys");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "ssh-rsa AAAA keep@h\nssh-rsa BBBB a_1@h\n").unwrap();
        rewrite_keys(&path, "a_1@h", Some("ssh-ed25519 CCCC a_1@h")).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "ssh-rsa AAAA keep@h\nssh-ed25519 CCCC a_1@h\n"
        );
        assert!(has_key(&path, "a_1@h"));
        rewrite_keys(&path, "a_1@h", None).unwrap();
        assert!(!has_key(&path, "a_1@h"));
        assert!(has_key(&path, "keep@h"));
    }

    #[test]
    fn ssh_keygen_gets_the_passphrase_as_an_argument() {
        let (private, public) = generate_pair("ed25519", "n_1@h", "it's \"quoted\"; $(x)").unwrap();
        assert!(private.contains("OPENSSH PRIVATE KEY"));
        assert!(public.starts_with("ssh-ed25519 ") && public.ends_with(" n_1@h"));
    }
}
