//! Arm sessions (`arm` rows) as the other tables' queries need them.

use diesel::prelude::*;

use crate::schema::argus_open_arm;

/// The open arm session (an `arm` row no `disarm` row points to).
pub fn open_arm(conn: &mut PgConnection) -> QueryResult<Option<i32>> {
    // `argus_open_arm` is kept by triggers (migration `argus_arm_history`).
    argus_open_arm::table
        .order(argus_open_arm::arm_id.desc())
        .select(argus_open_arm::arm_id)
        .first(conn)
        .optional()
}
