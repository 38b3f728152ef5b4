//! Every migration runs down and up again to the same schema.

use argus_db::migrate;
use argus_db::test_db::TestDb;

use crate::catalog;

#[test]
fn all_migrations_down_and_up_again() {
    let db = TestDb::empty();
    let mut conn = db.conn();
    let applied = migrate::run_pending(&mut conn).unwrap();
    assert_eq!(applied, migrate::all_versions().unwrap());
    assert!(migrate::pending(&mut conn).unwrap().is_empty());
    let before = catalog::fingerprint(&mut conn);
    assert!(before.len() > 100);

    let reverted = migrate::revert_all(&mut conn).unwrap();
    assert_eq!(reverted.len(), applied.len());
    assert!(
        catalog::columns(&mut conn).is_empty(),
        "down.sql left tables behind"
    );
    assert!(
        catalog::enums(&mut conn).is_empty(),
        "down.sql left enum types behind"
    );

    migrate::run_pending(&mut conn).unwrap();
    assert_eq!(catalog::fingerprint(&mut conn), before);
}

#[test]
fn baseline_comes_first() {
    let versions = migrate::all_versions().unwrap();
    assert_eq!(migrate::baseline_version().unwrap(), versions[0]);
    assert!(
        versions.len() >= 2,
        "argus's own migrations follow the baseline"
    );
}
