//! Rows of ArPI's tables: one module per table with its row (`Queryable`),
//! insert (`New…`) types and queries.

pub mod alert;
pub mod area;
pub mod card;
pub mod event;
pub mod keypad;
pub mod option;
pub mod output;
pub mod sensor;
pub mod sensor_type;
pub mod user;
pub mod zone;

pub use alert::{Alert, AlertSensorRow};
pub use area::{Area, NewArea};
pub use card::Card;
pub use event::{EventFilter, EventRow};
pub use keypad::{Keypad, KeypadType, NewKeypad, NewKeypadType};
pub use option::{NewOption, OptionRow};
pub use output::Output;
pub use sensor::{NewSensor, Sensor, DEFAULT_THRESHOLD};
pub use sensor_type::{NewSensorType, SensorType};
pub use user::{NewUser, User};
pub use zone::{NewZone, Zone};
