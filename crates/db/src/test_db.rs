//! Throw-away databases for tests, cloned from a migrated template.
//!
//! The cluster comes from the libpq environment (`PGHOST`, `PGPORT`, `PGUSER`),
//! which `scripts/test.sh` points at its private cluster. The template's name
//! carries a hash of the migrations, so a changed migration builds a new one;
//! an advisory lock lets parallel test processes share it safely.

#![expect(
    clippy::expect_used,
    reason = "test support: a broken test cluster should fail the test loudly"
)]

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use crate::DbConfig;

static TEMPLATE: OnceLock<String> = OnceLock::new();
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The URL of a database on the test cluster.
pub fn url_of(database: &str) -> String {
    let base = std::env::var("ARGUS_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgresql:///postgres".to_owned());
    DbConfig::from_url(base)
        .with_database(database)
        .url()
        .to_owned()
}

fn connect(database: &str) -> PgConnection {
    let url = url_of(database);
    PgConnection::establish(&url).unwrap_or_else(|e| {
        panic!("cannot reach the test cluster ({e}); run the tests through scripts/test.sh, which starts it")
    })
}

fn migrations_fingerprint() -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    let mut files: Vec<_> = walk(&dir);
    files.sort();
    for f in files {
        f.hash(&mut hasher);
        std::fs::read(&f).unwrap_or_default().hash(&mut hasher);
    }
    hasher.finish()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn template() -> &'static str {
    TEMPLATE.get_or_init(|| {
        let name = format!("argus_template_{:016x}", migrations_fingerprint());
        let mut admin = connect("postgres");
        admin
            .batch_execute("SELECT pg_advisory_lock(4242)")
            .expect("advisory lock");
        let exists: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
            "EXISTS (SELECT 1 FROM pg_database WHERE datname = '{name}')"
        )))
        .get_result(&mut admin)
        .expect("query pg_database");
        if !exists {
            let building = format!("{name}_building");
            for sql in [
                format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"),
                format!("CREATE DATABASE {building}"),
            ] {
                admin.batch_execute(&sql).expect("create template");
            }
            {
                let mut conn = connect(&building);
                crate::migrate::run_pending(&mut conn).expect("migrate template");
            }
            admin
                .batch_execute(&format!("ALTER DATABASE {building} RENAME TO {name}"))
                .expect("rename template");
        }
        admin
            .batch_execute("SELECT pg_advisory_unlock(4242)")
            .expect("advisory unlock");
        name
    })
}

/// A fresh database that lives as long as this value.
pub struct TestDb {
    name: String,
}

impl TestDb {
    /// A migrated database, cloned from the template.
    pub fn new() -> Self {
        Self::create(Some(template()))
    }

    /// An empty database with no schema at all.
    pub fn empty() -> Self {
        Self::create(None)
    }

    fn create(template: Option<&str>) -> Self {
        let name = format!(
            "t_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let from = template
            .map(|t| format!(" TEMPLATE {t}"))
            .unwrap_or_default();
        connect("postgres")
            .batch_execute(&format!("CREATE DATABASE {name}{from}"))
            .expect("create test database");
        Self { name }
    }

    /// The database name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its connection URL.
    pub fn url(&self) -> String {
        url_of(&self.name)
    }

    /// Its settings, for code that takes a [`DbConfig`].
    pub fn config(&self) -> DbConfig {
        DbConfig::from_url(self.url())
    }

    /// A new connection to it.
    pub fn conn(&self) -> PgConnection {
        connect(&self.name)
    }
}

impl Default for TestDb {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = PgConnection::establish(&url_of("postgres")) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}
