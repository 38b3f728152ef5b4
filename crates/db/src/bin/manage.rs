//! `manage`: database administration for argus (ArPI's `argus-data`,
//! `argus-user` and `argus-hash`, plus `init-db`, `migrate` and `adopt-arpi`).

use anyhow::{bail, Context, Result};
use argus_db::hash::{fourkey_of, hash_secret, is_bcrypt, is_legacy, normalize_registration_code};
use argus_db::migrate::{self, Adoption};
use argus_db::models::User;
use argus_db::seed::{self, Dataset};
use argus_db::{admin, DbConfig};
use clap::{Parser, Subcommand};
use diesel::pg::PgConnection;
use diesel::Connection;
use std::path::PathBuf;

/// argus database administration.
///
/// The database comes from DATABASE_URL, or from DB_USER/DB_SCHEMA as in ArPI
/// (postgresql://[DB_USER]@/DB_SCHEMA, with PGHOST/PGPORT for the server).
#[derive(Debug, Parser)]
#[command(name = "manage", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create the database (and the DB_USER role) when missing. Idempotent.
    InitDb {
        /// A connection allowed to create roles and databases (libpq's PGUSER/PGHOST apply).
        #[arg(
            long,
            env = "ARGUS_ADMIN_DATABASE_URL",
            default_value = "postgresql:///postgres"
        )]
        admin_url: String,
    },
    /// Apply every pending migration.
    Migrate,
    /// List applied and pending migrations.
    MigrationStatus,
    /// Mark argus's baseline as applied on a database ArPI created (Alembic head 4df9df54d928);
    /// with --arpi-home, first carry ArPI's config.env and secrets.env (SECRET, so every token
    /// stays valid) into argus's.
    AdoptArpi {
        /// ArPI's home directory (`.local/etc/arpi-server/config.env`, `secrets.env`).
        #[arg(long)]
        arpi_home: Option<PathBuf>,
        /// argus's configuration directory.
        #[arg(long, default_value = "/etc/argus")]
        etc: PathBuf,
        /// Carry the files only and leave the database (install.sh writes /etc/argus as root,
        /// then adopts the database as the argus role).
        #[arg(long, requires = "arpi_home")]
        files_only: bool,
    },
    /// Delete every row of every table (ArPI's `argus-data -d`).
    Wipe,
    /// Load a dataset: prod, demo, live_01, test_with_v3, test_with_v2, admin_registration.
    Seed {
        /// Dataset name.
        dataset: Dataset,
        /// Empty every table first.
        #[arg(long)]
        wipe: bool,
        /// Do nothing (and succeed) when the database already holds data.
        #[arg(long, conflicts_with = "wipe")]
        if_empty: bool,
    },
    /// Both services, the database and its migrations, and what the server and the monitor
    /// say of themselves (monitoring state, modem, MQTT, nodes). Exits 3 when something is wrong.
    Status {
        /// The server's listener (its /metrics).
        #[arg(
            long,
            env = "ARGUS_BIND",
            default_value = "unix:/run/argus/argus_server.sock"
        )]
        server: String,
        /// The monitor's live listener (its /metrics).
        #[arg(long, env = "ARGUS_LIVE_BIND", default_value = "127.0.0.1:8081")]
        monitor: String,
    },
    /// Back up the database (pg_dump custom format), the monitor's state
    /// and the secrets into a new directory under INTO; keep the newest KEEP.
    Backup {
        /// Where backups are kept.
        into: std::path::PathBuf,
        /// How many backups to keep.
        #[arg(long, default_value_t = 7)]
        keep: usize,
    },
    /// Restore a backup directory made by `manage backup` (stop both services first).
    Restore {
        /// The backup's directory (`<into>/argus-<time>`).
        from: std::path::PathBuf,
    },
    /// Users: list, set a PIN, set a registration code.
    #[command(subcommand)]
    User(UserCommand),
    /// Hashes: report any stored secret that is not bcrypt.
    #[command(subcommand)]
    Hash(HashCommand),
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// List users (id, role, name, whether a registration code is set).
    List,
    /// Set a user's PIN (4–12 digits). Read from --pin or from standard input.
    SetPin {
        /// User id.
        id: i32,
        /// The new PIN; omit to read it from standard input (keeps it out of shell history).
        #[arg(long)]
        pin: Option<String>,
    },
    /// Set a user's registration code (used once by a device to register).
    RegistrationCode {
        /// User id.
        id: i32,
        /// The code; upper-cased, dashes ignored.
        code: String,
        /// Seconds until it expires; none = no expiry.
        #[arg(long)]
        expiry: Option<i64>,
    },
}

#[derive(Debug, Subcommand)]
enum HashCommand {
    /// Exit non-zero when any PIN, registration code or card is not bcrypt.
    Check,
}

fn connect(config: &DbConfig) -> Result<PgConnection> {
    PgConnection::establish(config.url()).with_context(|| {
        format!(
            "cannot connect to database {:?}",
            config.database_name().unwrap_or("?")
        )
    })
}

fn read_pin(pin: Option<String>) -> Result<String> {
    let pin = match pin {
        Some(p) => p,
        None => {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .context("reading the PIN from standard input")?;
            line.trim().to_owned()
        }
    };
    if !(4..=12).contains(&pin.len()) {
        bail!("Access code length (>=4, <=12)");
    }
    if !pin.bytes().all(|b| b.is_ascii_digit()) {
        bail!("Access code only number");
    }
    Ok(pin)
}

/// The database of a `scripts/dev.sh` cluster when nothing names another:
/// neither `DATABASE_URL` nor `PGHOST` is set and `$ARGUS_DATA_DIR` (default
/// `./var`) holds the cluster's socket.
fn dev_cluster() -> Option<DbConfig> {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if set("DATABASE_URL") || set("PGHOST") {
        return None;
    }
    let data = std::env::var_os("ARGUS_DATA_DIR").map_or_else(|| "var".into(), PathBuf::from);
    let socket = data.join("pg/sock");
    if !socket.join(".s.PGSQL.5432").exists() {
        return None;
    }
    let socket = std::fs::canonicalize(&socket).ok()?;
    let user = std::env::var("DB_USER").unwrap_or_else(|_| "argus".into());
    let database = std::env::var("DB_SCHEMA").unwrap_or_else(|_| "argus".into());
    eprintln!(
        "manage: using the development cluster in {}",
        data.display()
    );
    Some(DbConfig::from_url(format!(
        "postgresql://{user}@/{database}?host={}&port=5432",
        socket.display()
    )))
}

/// The state directory and secrets file of this installation: the units'
/// `ARGUS_STATE_DIR` and `/etc/argus/secrets.env` unless set otherwise.
fn extras() -> argus_db::backup::Extras {
    let path = |var: &str, default: &str| {
        Some(std::path::PathBuf::from(
            std::env::var(var).unwrap_or_else(|_| default.to_owned()),
        ))
    };
    argus_db::backup::Extras {
        state_dir: path("ARGUS_STATE_DIR", "/var/lib/argus"),
        secrets: path("ARGUS_SECRETS_FILE", "/etc/argus/secrets.env"),
    }
}

/// Carries ArPI's environment files into `etc` and says which names
/// changed (never a value); returns the database settings of the adopted
/// configuration (the process's own `DATABASE_URL`, `DB_USER` and
/// `DB_SCHEMA` still win).
fn adopt_files(home: &std::path::Path, etc: &std::path::Path) -> Result<DbConfig> {
    for change in argus_db::adopt_env::adopt(home, etc)? {
        let names = if change.changed.is_empty() {
            "nothing changed".to_owned()
        } else {
            change.changed.join(", ")
        };
        println!("{}: {names}", change.path.display());
    }
    let adopted = argus_db::adopt_env::parse(
        &std::fs::read_to_string(etc.join("config.env")).unwrap_or_default(),
    );
    Ok(DbConfig::from_lookup(|name| {
        std::env::var(name).ok().or_else(|| {
            adopted
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }))
}

fn run(cli: Cli) -> Result<()> {
    let config = dev_cluster().unwrap_or_else(DbConfig::from_env);
    match cli.command {
        Command::InitDb { admin_url } => {
            let database = config
                .database_name()
                .context("the database URL names no database")?
                .to_owned();
            let owner = std::env::var("DB_USER").ok().filter(|u| !u.is_empty());
            let mut admin_conn = connect(&DbConfig::from_url(admin_url))?;
            let report = admin::init_db(&mut admin_conn, &database, owner.as_deref())?;
            println!(
                "database {database}: {}; role: {}",
                if report.database_created {
                    "created"
                } else {
                    "exists"
                },
                match (&owner, report.role_created) {
                    (None, _) => "not managed (no DB_USER)".to_owned(),
                    (Some(o), true) => format!("{o} created"),
                    (Some(o), false) => format!("{o} exists"),
                }
            );
        }
        Command::Migrate => {
            let applied = migrate::run_pending(&mut connect(&config)?)?;
            if applied.is_empty() {
                println!("no pending migrations");
            }
            for v in applied {
                println!("applied {v}");
            }
        }
        Command::MigrationStatus => {
            let pending = migrate::pending(&mut connect(&config)?)?;
            for v in migrate::all_versions()? {
                println!(
                    "{v} {}",
                    if pending.contains(&v) {
                        "pending"
                    } else {
                        "applied"
                    }
                );
            }
        }
        Command::AdoptArpi {
            arpi_home,
            etc,
            files_only,
        } => {
            let config = match arpi_home {
                Some(home) => adopt_files(&home, &etc)?,
                None => config,
            };
            if files_only {
                return Ok(());
            }
            match migrate::adopt_arpi(&mut connect(&config)?)? {
                Adoption::Adopted => println!("adopted: the ArPI schema is recorded as argus's baseline; run `manage migrate` next"),
                Adoption::AlreadyAdopted => println!("database already adopted; nothing changed"),
            }
        }
        Command::Status { server, monitor } => {
            use argus_db::status;
            let database = connect(&config)
                .and_then(|mut c| Ok(migrate::pending(&mut c)?.len()))
                .map_err(|e| format!("{e:#}"));
            let gathered = status::Gathered {
                services: status::services(&["argus-monitor", "argus-server"]),
                database,
                server: status::scrape(&server, "/metrics"),
                monitor: status::scrape(&monitor, "/metrics"),
            };
            let (lines, well) = status::report(&gathered);
            for (what, says) in lines {
                println!("{what:<22} {says}");
            }
            if !well {
                std::process::exit(3);
            }
        }
        Command::Backup { into, keep } => {
            let dir = argus_db::backup::backup(config.url(), &into, &extras(), keep)?;
            println!("backed up to {}", dir.display());
        }
        Command::Restore { from } => {
            argus_db::backup::restore(config.url(), &from, &extras())?;
            println!(
                "restored from {}; run `manage migrate` if the backup is older than this version",
                from.display()
            );
        }
        Command::Wipe => {
            admin::wipe(&mut connect(&config)?)?;
            println!("every table emptied");
        }
        Command::Seed {
            dataset,
            wipe,
            if_empty,
        } => {
            let mut conn = connect(&config)?;
            if if_empty && admin::has_data(&mut conn)? {
                println!("the database already holds data; not seeded");
                return Ok(());
            }
            seed::seed(&mut conn, dataset, wipe)?;
            println!("seeded {dataset:?}");
        }
        Command::User(UserCommand::List) => {
            for u in User::all(&mut connect(&config)?)? {
                let code = if u.registration_code.is_some() {
                    "registration code set"
                } else {
                    "-"
                };
                println!("{:>8}  {:<5}  {:<32}  {code}", u.id, u.role, u.name);
            }
        }
        Command::User(UserCommand::SetPin { id, pin }) => {
            let pin = read_pin(pin)?;
            let (access, fourkey) = (hash_secret(&pin)?, hash_secret(fourkey_of(&pin))?);
            if User::set_access_code(&mut connect(&config)?, id, &access, &fourkey)? == 0 {
                bail!("no user with id {id}");
            }
            println!("PIN of user {id} changed");
        }
        Command::User(UserCommand::RegistrationCode { id, code, expiry }) => {
            let hash = hash_secret(&normalize_registration_code(&code))?;
            let expiry = expiry.map(|s| chrono::Utc::now() + chrono::Duration::seconds(s));
            if User::set_registration_code(&mut connect(&config)?, id, &hash, expiry)? == 0 {
                bail!("no user with id {id}");
            }
            println!("registration code of user {id} set");
        }
        Command::Hash(HashCommand::Check) => {
            let mut weak = 0;
            for u in User::all(&mut connect(&config)?)? {
                let stored = [Some(&u.access_code), u.registration_code.as_ref()];
                for s in stored.into_iter().flatten() {
                    if !is_bcrypt(s) {
                        weak += 1;
                        let kind = if is_legacy(s) {
                            "legacy sha256"
                        } else {
                            "unknown"
                        };
                        println!("user {}: {kind} hash", u.id);
                    }
                }
            }
            if weak > 0 {
                bail!("{weak} stored secret(s) are not bcrypt");
            }
            println!("every stored secret is bcrypt");
        }
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    match run(Cli::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("manage: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_dataset_name_parses() {
        for name in Dataset::NAMES {
            assert!(name.parse::<Dataset>().is_ok(), "{name}");
        }
    }

    #[test]
    fn pins_are_validated() {
        assert!(read_pin(Some("123".into())).is_err());
        assert!(read_pin(Some("12a4".into())).is_err());
        assert_eq!(read_pin(Some("123456".into())).unwrap(), "123456");
    }
}
