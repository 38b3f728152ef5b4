//! Where the database is (`DATABASE_URL`, or ArPI's `DB_USER`/`DB_SCHEMA`
//! pair), and the small environment-variable parsers every argus process uses.

use std::fmt;

/// Connection settings, read once in `main` and passed down.
///
/// Environment variables:
/// - `DATABASE_URL`: a full libpq URL; wins when set.
/// - `DB_USER` (optional) and `DB_SCHEMA` (default `argus`): ArPI's form,
///   `postgresql://[DB_USER]@/DB_SCHEMA`. There is no host in that URL, so libpq
///   takes `PGHOST`/`PGPORT` (a Unix socket directory by default), exactly as ArPI.
#[derive(Clone, PartialEq, Eq)]
pub struct DbConfig {
    url: String,
}

impl DbConfig {
    /// Builds the settings from the process environment.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the settings from any variable lookup (tests pass a map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let non_empty = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        if let Some(url) = non_empty("DATABASE_URL") {
            return Self { url };
        }
        let user = non_empty("DB_USER")
            .map(|u| format!("{u}@"))
            .unwrap_or_default();
        let database = non_empty("DB_SCHEMA").unwrap_or_else(|| "argus".to_owned());
        Self {
            url: format!("postgresql://{user}/{database}"),
        }
    }

    /// Wraps an explicit URL.
    pub fn from_url(url: impl Into<String>) -> Self {
        Self { url: url.into() }
    }

    /// The libpq connection URL. May hold a password: never log it.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database name in the URL's path, if any.
    pub fn database_name(&self) -> Option<&str> {
        let rest = self
            .url
            .split_once("://")
            .map_or(self.url.as_str(), |(_, r)| r);
        let path = rest.split_once('/')?.1;
        let name = path.split(['?', '#']).next().unwrap_or_default();
        (!name.is_empty()).then_some(name)
    }

    /// The same server and credentials with another database name.
    pub fn with_database(&self, database: &str) -> Self {
        let (scheme, rest) = self
            .url
            .split_once("://")
            .unwrap_or(("postgresql", &self.url));
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let query = path.find('?').map(|i| &path[i..]).unwrap_or_default();
        Self {
            url: format!("{scheme}://{authority}/{database}{query}"),
        }
    }
}

impl fmt::Debug for DbConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may carry a password; show only the database name.
        f.debug_struct("DbConfig")
            .field("database", &self.database_name())
            .finish_non_exhaustive()
    }
}

/// A variable that is set but cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("environment variable {name}: {problem}")]
pub struct EnvError {
    /// The variable.
    pub name: &'static str,
    /// What is wrong with its value.
    pub problem: String,
}

/// Parses `name` with `FromStr`; unset or blank gives `default`.
pub fn env_parse<T: std::str::FromStr>(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
) -> Result<T, EnvError>
where
    T::Err: std::fmt::Display,
{
    match lookup(name).filter(|v| !v.trim().is_empty()) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|e: T::Err| EnvError {
            name,
            problem: format!("{v:?}: {e}"),
        }),
    }
}

/// ArPI's booleans: `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`, any case.
pub fn env_bool(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: bool,
) -> Result<bool, EnvError> {
    match lookup(name).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) if v.is_empty() => Ok(default),
        Some(v) if ["true", "1", "yes", "on"].contains(&v.as_str()) => Ok(true),
        Some(v) if ["false", "0", "no", "off"].contains(&v.as_str()) => Ok(false),
        Some(v) => Err(EnvError {
            name,
            problem: format!("{v:?} is not a boolean"),
        }),
    }
}

/// A file mode in octal (`660`); unset gives `default`.
pub fn env_mode(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: u32,
) -> Result<u32, EnvError> {
    match lookup(name).filter(|v| !v.trim().is_empty()) {
        None => Ok(default),
        Some(v) => u32::from_str_radix(v.trim(), 8).map_err(|e| EnvError {
            name,
            problem: format!("{v:?}: {e}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> DbConfig {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        DbConfig::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn arpi_variables_build_a_hostless_url() {
        assert_eq!(config(&[]).url(), "postgresql:///argus");
        assert_eq!(
            config(&[("DB_USER", "argus"), ("DB_SCHEMA", "home")]).url(),
            "postgresql://argus@/home"
        );
    }

    #[test]
    fn database_url_wins() {
        let c = config(&[
            ("DATABASE_URL", "postgresql://a:pw@h/db?sslmode=disable"),
            ("DB_SCHEMA", "x"),
        ]);
        assert_eq!(c.database_name(), Some("db"));
        assert_eq!(
            c.with_database("postgres").url(),
            "postgresql://a:pw@h/postgres?sslmode=disable"
        );
    }

    #[test]
    fn env_parsers() {
        let vars = |k: &str| match k {
            "N" => Some("42".to_owned()),
            "B" => Some("Yes".to_owned()),
            "M" => Some("640".to_owned()),
            "BAD" => Some("x".to_owned()),
            _ => None,
        };
        assert_eq!(env_parse(&vars, "N", 0u8).unwrap(), 42);
        assert_eq!(env_parse(&vars, "UNSET", 7u8).unwrap(), 7);
        assert!(env_parse(&vars, "BAD", 0u8)
            .unwrap_err()
            .to_string()
            .contains("BAD"));
        assert!(env_bool(&vars, "B", false).unwrap());
        assert!(env_bool(&vars, "BAD", false).is_err());
        assert_eq!(env_mode(&vars, "M", 0o660).unwrap(), 0o640);
        assert_eq!(env_mode(&vars, "UNSET", 0o660).unwrap(), 0o660);
        assert!(env_mode(&vars, "BAD", 0).is_err());
    }

    #[test]
    fn debug_hides_credentials() {
        let c = DbConfig::from_url("postgresql://a:secretpw@h/db");
        assert!(!format!("{c:?}").contains("secretpw"));
    }
}
