//! The two pools: the monitor's tests each connection when borrowed; the
//! REST server's does not, and makes PostgreSQL keep generic plans.

use argus_db::pool::{build_pool, build_untested_pool};
use argus_db::test_db::TestDb;
use diesel::prelude::*;
use diesel::sql_types::Text;

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = Text)]
    plan_cache_mode: String,
}

fn plan_cache_mode(pool: &argus_db::DbPool) -> String {
    let mut conn = pool.get().unwrap();
    diesel::sql_query("SHOW plan_cache_mode")
        .get_result::<Setting>(&mut conn)
        .unwrap()
        .plan_cache_mode
}

#[test]
fn the_rest_pool_keeps_generic_plans_and_the_other_does_not_care() {
    let db = TestDb::empty();
    assert_eq!(
        plan_cache_mode(&build_untested_pool(&db.config(), 1)),
        "force_generic_plan"
    );
    assert_eq!(plan_cache_mode(&build_pool(&db.config(), 1)), "auto");
}
