//! Rows of ArPI's tables and of argus's own (`argus_*`): one module per table with its row (`Queryable`),
//! insert (`New…`) types and queries.

/// `Row::find(conn, id)`, and for a table with a `deleted` flag also
/// `Row::find_live(conn, id)`, which does not see deleted rows (the API's 404).
macro_rules! finders {
    ($row:ty, $table:ident) => {
        impl $row {
            /// The row with this id, if any.
            pub fn find(conn: &mut PgConnection, id: i32) -> QueryResult<Option<Self>> {
                $table::table
                    .find(id)
                    .select(Self::as_select())
                    .first(conn)
                    .optional()
            }
        }
    };
    ($row:ty, $table:ident, soft_deleted) => {
        finders!($row, $table);
        impl $row {
            /// The row with this id unless it is deleted.
            pub fn find_live(conn: &mut PgConnection, id: i32) -> QueryResult<Option<Self>> {
                $table::table
                    .find(id)
                    .filter($table::deleted.is_distinct_from(true))
                    .select(Self::as_select())
                    .first(conn)
                    .optional()
            }
        }
    };
}

pub mod alert;
pub mod area;
pub mod arm;
pub mod card;
pub mod event;
pub mod firmware;
pub mod job;
pub mod keypad;
pub mod node;
pub mod option;
pub mod outbox;
pub mod output;
pub mod rockblock;
pub mod sensor;
pub mod sensor_type;
pub mod telemetry;
pub mod user;
pub mod zone;

pub use alert::{Alert, AlertSensorRow};
pub use area::{Area, NewArea};
pub use card::Card;
pub use event::{EventFilter, EventRow};
pub use firmware::{FirmwareFile, FirmwareRow, OtaJob};
pub use job::{JobErrorRow, JobRow};
pub use keypad::{Keypad, KeypadType, NewKeypad, NewKeypadType};
pub use node::{NewNode, NewNodeEvent, NodeEventRow, NodeInput, NodeRow};
pub use option::{NewOption, OptionRow};
pub use outbox::{NewOutbox, OutboxRow};
pub use output::Output;
pub use rockblock::NewRockblockMessage;
pub use sensor::{NewSensor, Sensor, DEFAULT_THRESHOLD};
pub use sensor_type::{NewSensorType, SensorType};
pub use user::{NewUser, User};
pub use zone::{NewZone, Zone};
