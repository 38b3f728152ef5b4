//! `argus_rockblock_message`: RockBLOCK MO deliveries as received. A retried
//! delivery (same imei, momsn and transmit time) is the same row.

use diesel::prelude::*;

use crate::schema::argus_rockblock_message;

/// A delivery to store.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = argus_rockblock_message)]
pub struct NewRockblockMessage {
    pub imei: String,
    pub momsn: i32,
    pub transmit_time: String,
    pub serial: Option<String>,
    pub data: String,
    pub iridium_latitude: Option<f64>,
    pub iridium_longitude: Option<f64>,
    pub iridium_cep: Option<f64>,
}

impl NewRockblockMessage {
    /// Stores it; its id when it was new, `None` for a repeat.
    pub fn store(&self, conn: &mut PgConnection) -> QueryResult<Option<i64>> {
        diesel::insert_into(argus_rockblock_message::table)
            .values(self)
            .on_conflict_do_nothing()
            .returning(argus_rockblock_message::id)
            .get_result(conn)
            .optional()
    }
}
