//! `manage backup` then `manage restore` into an empty database gives back
//! every row, the monitor's state and the secrets; old backups are pruned.

use argus_db::backup::{backup, restore, Extras};
use argus_db::seed::{seed, Dataset};
use argus_db::test_db::TestDb;

/// `table|rows` for every table of the public schema, sorted.
fn contents(db: &TestDb) -> Vec<String> {
    let url = db.url();
    let out = std::process::Command::new("psql")
        .args(["-qtA", "-d", &url, "-c"])
        .arg(
            "SELECT string_agg(t || '|' || n, ',' ORDER BY t) FROM ( \
               SELECT table_name AS t, (xpath('/row/c/text()', query_to_xml( \
                 format('SELECT count(*) AS c FROM %I', table_name), false, true, '')))[1]::text AS n \
               FROM information_schema.tables WHERE table_schema = 'public') x",
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .split(',')
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_backup_restored_into_an_empty_database_reproduces_it_with_state_and_secrets() {
    let source = TestDb::new();
    seed(&mut source.conn(), Dataset::Demo, false).unwrap();
    let work = tempfile::tempdir().unwrap();
    let (state, secrets) = (work.path().join("state"), work.path().join("secrets.env"));
    std::fs::create_dir_all(&state).unwrap();
    std::fs::write(state.join("journal.json"), b"{\"generation\": 7}").unwrap();
    std::fs::write(&secrets, b"SECRET=abc\n").unwrap();
    let extras = Extras {
        state_dir: Some(state.clone()),
        secrets: Some(secrets.clone()),
    };
    let into = work.path().join("backups");
    let first = backup(&source.url(), &into, &extras, 2).unwrap();
    backup(&source.url(), &into, &extras, 2).unwrap();
    let newest = backup(&source.url(), &into, &extras, 2).unwrap();
    let kept: Vec<_> = std::fs::read_dir(&into).unwrap().flatten().collect();
    assert_eq!(kept.len(), 2, "the oldest beyond keep=2 went");
    assert!(!first.exists());

    // A new SD card: an empty database, no state, no secrets.
    std::fs::remove_dir_all(&state).unwrap();
    std::fs::remove_file(&secrets).unwrap();
    let target = TestDb::empty();
    restore(&target.url(), &newest, &extras).unwrap();
    assert_eq!(contents(&target), contents(&source));
    assert!(
        contents(&source).iter().any(|t| t == "sensor|7"),
        "{:?}",
        contents(&source)
    );
    assert_eq!(
        std::fs::read(state.join("journal.json")).unwrap(),
        b"{\"generation\": 7}"
    );
    assert_eq!(std::fs::read(&secrets).unwrap(), b"SECRET=abc\n");

    let not_one = restore(&target.url(), work.path(), &extras);
    assert!(not_one.is_err());
}
