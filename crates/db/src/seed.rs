//! ArPI's seed datasets (`argus-data -c <name>`), reproduced row for row.
//!
//! `demo` is `test_with_v3` under a friendlier name. Secrets are hashed with
//! bcrypt exactly as ArPI does (registration codes normalised first).

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use std::collections::HashMap;
use std::str::FromStr;

use crate::enums::{ArmState, ChannelType, ContactType, EolCount};
use crate::hash::{fourkey_of, hash_secret, normalize_registration_code, HashError};
use crate::models::{
    NewArea, NewKeypad, NewKeypadType, NewOption, NewSensor, NewSensorType, NewUser, NewZone,
    DEFAULT_THRESHOLD,
};
use crate::schema;

/// A dataset name accepted by `manage seed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dataset {
    /// One administrator, one area, no zones or sensors.
    Prod,
    /// `test_with_v3` (the dataset `scripts/dev.sh` loads).
    Demo,
    /// ArPI's `live_01`.
    Live01,
    /// ArPI's `test_with_v3` (formerly `test_01`).
    TestWithV3,
    /// ArPI's `test_with_v2`.
    TestWithV2,
    /// Resets the first administrator: registration code `ABCD`, PIN `1234`.
    AdminRegistration,
}

impl Dataset {
    /// Every dataset name, as typed on the command line.
    pub const NAMES: &'static [&'static str] = &[
        "prod",
        "demo",
        "live_01",
        "test_with_v3",
        "test_with_v2",
        "admin_registration",
    ];
}

/// An unknown dataset name.
#[derive(Debug, thiserror::Error)]
#[error("unknown dataset {0:?}; expected one of: prod, demo, live_01, test_with_v3, test_with_v2, admin_registration")]
pub struct UnknownDataset(String);

impl FromStr for Dataset {
    type Err = UnknownDataset;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "prod" => Self::Prod,
            "demo" => Self::Demo,
            "live_01" => Self::Live01,
            "test_with_v3" | "test_01" => Self::TestWithV3,
            "test_with_v2" => Self::TestWithV2,
            "admin_registration" => Self::AdminRegistration,
            other => return Err(UnknownDataset(other.to_owned())),
        })
    }
}

/// Seeding failed; the transaction was rolled back.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The database refused a statement.
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    /// Hashing a secret failed.
    #[error(transparent)]
    Hash(#[from] HashError),
    /// Wiping or inspecting the database failed.
    #[error(transparent)]
    Admin(#[from] crate::admin::AdminError),
    /// The database already holds users or areas.
    #[error("the database already holds data; run `manage wipe` first or pass --wipe")]
    NotEmpty,
    /// `admin_registration` needs an administrator to reset.
    #[error("there is no administrator to reset")]
    NoAdmin,
}

struct UserSpec {
    id: i32,
    name: &'static str,
    role: &'static str,
    pin: &'static str,
    registration_code: Option<&'static str>,
}

struct ZoneSpec {
    name: &'static str,
    description: &'static str,
    disarmed: Option<i32>,
    away_alert: Option<i32>,
    stay_alert: Option<i32>,
}

struct SensorSpec {
    channel: i32,
    channel_type: ChannelType,
    contact: ContactType,
    eol: EolCount,
    name: &'static str,
    description: Option<&'static str>,
    type_id: i32,
    zone: &'static str,
    silent: bool,
}

struct DatasetSpec {
    users: Vec<UserSpec>,
    keypad_types: &'static [i32],
    keypad_type: i32,
    zones: Vec<ZoneSpec>,
    sensors: Vec<SensorSpec>,
    options: &'static [(&'static str, &'static str, &'static str)],
}

/// Sensor type ids.
const MOTION: i32 = 1;
const TAMPER: i32 = 2;
const OPEN: i32 = 3;
/// Keypad type ids.
const DSC: i32 = 1;
const WIEGAND: i32 = 2;

const SENSOR_TYPES: [(i32, &str, &str); 4] = [
    (1, "Motion", "Detect motion"),
    (2, "Tamper", "Detect sabotage"),
    (3, "Open", "Detect opening"),
    (4, "Break", "Detect glass break"),
];
const KEYPAD_TYPES: [(i32, &str, &str); 2] = [
    (DSC, "DSC", "DSC keybus (DSC PC-1555RKZ)"),
    (WIEGAND, "WIEGAND", "Wiegand keypad"),
];
const NETWORK_ACCESS_DEFAULT: &str = r#"{"service_enabled": true, "restrict_local_network": false, "password_authentication_enabled": true}"#;

fn zone(
    name: &'static str,
    description: &'static str,
    disarmed: Option<i32>,
    away: Option<i32>,
    stay: Option<i32>,
) -> ZoneSpec {
    ZoneSpec {
        name,
        description,
        disarmed,
        away_alert: away,
        stay_alert: stay,
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "one argument per field of the command"
)]
fn sensor(
    channel: i32,
    channel_type: ChannelType,
    contact: ContactType,
    eol: EolCount,
    name: &'static str,
    description: Option<&'static str>,
    type_id: i32,
    zone: &'static str,
) -> SensorSpec {
    SensorSpec {
        channel,
        channel_type,
        contact,
        eol,
        name,
        description,
        type_id,
        zone,
        silent: false,
    }
}

fn test_users() -> Vec<UserSpec> {
    vec![
        UserSpec {
            id: 1,
            name: "Administrator",
            role: "admin",
            pin: "1234",
            registration_code: Some("ABCD1234"),
        },
        UserSpec {
            id: 2,
            name: "Chuck Norris",
            role: "user",
            pin: "1111",
            registration_code: None,
        },
    ]
}

/// The zones of `test_with_v3` (delay 5) and `test_with_v2` (delay 10).
fn test_zones(delay: i32) -> Vec<ZoneSpec> {
    vec![
        zone("No delay", "Alert with no delay", None, Some(0), Some(0)),
        zone("Tamper", "Sabotage alert", Some(0), Some(0), Some(0)),
        zone(
            "Away/stay delayed",
            "Alert delayed when armed AWAY or STAY",
            None,
            Some(delay),
            Some(delay),
        ),
        zone(
            "Stay delayed",
            "Alert delayed when armed STAY",
            None,
            Some(0),
            Some(delay),
        ),
        zone("Stay", "No alert when armed STAY", None, Some(0), None),
    ]
}

fn spec(dataset: Dataset) -> DatasetSpec {
    use ChannelType::{Basic, ChannelA, ChannelB, Normal};
    use ContactType::{Nc, No};
    use EolCount::{Double, Single};
    match dataset {
        Dataset::Prod | Dataset::AdminRegistration => DatasetSpec {
            users: vec![UserSpec {
                id: 1,
                name: "Administrator",
                role: "admin",
                pin: "1234",
                registration_code: Some("ABCD1234"),
            }],
            keypad_types: &[DSC, WIEGAND],
            keypad_type: WIEGAND,
            zones: vec![],
            sensors: vec![],
            options: &[("network", "access", NETWORK_ACCESS_DEFAULT)],
        },
        Dataset::Live01 => DatasetSpec {
            users: vec![
                UserSpec {
                    id: 1,
                    name: "Administrator",
                    role: "admin",
                    pin: "1234",
                    registration_code: None,
                },
                UserSpec {
                    id: 2,
                    name: "Chuck.Norris",
                    role: "user",
                    pin: "1111",
                    registration_code: None,
                },
            ],
            keypad_types: &[DSC],
            keypad_type: DSC,
            zones: vec![
                zone("No delay", "Alert with no delay", None, Some(0), Some(0)),
                zone(
                    "Away delayed",
                    "Alert delayed when armed AWAY",
                    None,
                    Some(20),
                    Some(0),
                ),
                zone(
                    "Stay delayed",
                    "Alert delayed when armed STAY",
                    None,
                    Some(0),
                    Some(20),
                ),
                zone("Stay", "No alert when armed STAY", None, Some(0), None),
                zone(
                    "Away/Stay delayed",
                    "Alert delayed when armed AWAY/STAY",
                    None,
                    Some(40),
                    Some(20),
                ),
                zone("Tamper", "Sabotage alert", Some(0), Some(0), Some(0)),
            ],
            sensors: [
                (0, "Garage", MOTION, "Away/Stay delayed"),
                (1, "Hall", MOTION, "Away/Stay delayed"),
                (2, "Front door", OPEN, "Away/Stay delayed"),
                (3, "Kitchen", MOTION, "Stay delayed"),
                (4, "Living room", MOTION, "No delay"),
                (5, "Children's room", MOTION, "Stay"),
                (6, "Bedroom", MOTION, "Stay"),
                (7, "Tamper", TAMPER, "Tamper"),
            ]
            .into_iter()
            .map(|(ch, name, type_id, zone)| {
                sensor(ch, Normal, Nc, Single, name, None, type_id, zone)
            })
            .collect(),
            options: &[],
        },
        Dataset::TestWithV3 | Dataset::Demo => DatasetSpec {
            users: test_users(),
            keypad_types: &[DSC, WIEGAND],
            keypad_type: WIEGAND,
            zones: test_zones(5),
            sensors: vec![
                SensorSpec {
                    silent: true,
                    ..sensor(
                        0,
                        ChannelA,
                        Nc,
                        Single,
                        "Test room",
                        Some("Test room movement sensor"),
                        MOTION,
                        "Away/stay delayed",
                    )
                },
                sensor(
                    0,
                    ChannelB,
                    Nc,
                    Single,
                    "Test room 0",
                    Some("Test room 0 door sensor"),
                    OPEN,
                    "Stay",
                ),
                sensor(
                    1,
                    Basic,
                    Nc,
                    Single,
                    "Test room 1",
                    Some("Test room 1 movement sensor"),
                    MOTION,
                    "No delay",
                ),
                sensor(
                    2,
                    Normal,
                    Nc,
                    Single,
                    "Test room 2",
                    Some("Test room 2 movement sensor"),
                    MOTION,
                    "No delay",
                ),
                sensor(
                    3,
                    Normal,
                    No,
                    Single,
                    "Test room 3",
                    Some("Test room 3 movement sensor"),
                    MOTION,
                    "No delay",
                ),
                sensor(
                    4,
                    Normal,
                    Nc,
                    Double,
                    "Test room 4",
                    Some("Test room 4 movement sensor"),
                    MOTION,
                    "No delay",
                ),
                sensor(
                    5,
                    Normal,
                    Nc,
                    Single,
                    "Tamper",
                    Some("Sabotage wire"),
                    TAMPER,
                    "Tamper",
                ),
            ],
            options: &[],
        },
        Dataset::TestWithV2 => DatasetSpec {
            users: test_users(),
            keypad_types: &[DSC, WIEGAND],
            keypad_type: WIEGAND,
            zones: test_zones(10),
            sensors: vec![
                SensorSpec {
                    silent: true,
                    ..sensor(
                        0,
                        ChannelA,
                        Nc,
                        Single,
                        "Test room",
                        Some("Test room movement sensor"),
                        MOTION,
                        "Away/stay delayed",
                    )
                },
                sensor(
                    1,
                    ChannelB,
                    Nc,
                    Single,
                    "Test room 0",
                    Some("Test room 0 door sensor"),
                    OPEN,
                    "Away/stay delayed",
                ),
                sensor(
                    2,
                    Basic,
                    Nc,
                    Single,
                    "Tamper",
                    Some("Sabotage wire"),
                    TAMPER,
                    "Tamper",
                ),
            ],
            options: &[],
        },
    }
}

/// Hashes of one user's secrets.
struct UserHashes {
    access_code: String,
    fourkey_code: String,
    registration_code: Option<String>,
}

/// Hashes every user's secrets on parallel threads (bcrypt cost 12 is slow by design).
fn hash_users(users: &[UserSpec]) -> Result<Vec<UserHashes>, HashError> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = users
            .iter()
            .map(|u| {
                scope.spawn(move || {
                    Ok(UserHashes {
                        access_code: hash_secret(u.pin)?,
                        fourkey_code: hash_secret(fourkey_of(u.pin))?,
                        registration_code: u
                            .registration_code
                            .map(|c| hash_secret(&normalize_registration_code(c)))
                            .transpose()?,
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

/// Loads a dataset into an empty database, in one transaction. With `wipe`,
/// every table is emptied first. `admin_registration` changes the existing
/// first administrator instead.
pub fn seed(conn: &mut PgConnection, dataset: Dataset, wipe: bool) -> Result<(), SeedError> {
    if dataset == Dataset::AdminRegistration {
        return reset_first_admin(conn);
    }
    let spec = spec(dataset);
    let hashes = hash_users(&spec.users)?;
    conn.transaction(|conn| {
        if wipe {
            crate::admin::wipe(conn)?;
        } else if crate::admin::has_data(conn)? {
            return Err(SeedError::NotEmpty);
        }
        insert_spec(conn, &spec, hashes)
    })
}

fn insert_spec(
    conn: &mut PgConnection,
    spec: &DatasetSpec,
    hashes: Vec<UserHashes>,
) -> Result<(), SeedError> {
    use schema::{area, keypad, keypad_type, option, sensor_type, user, zone};

    for (u, h) in spec.users.iter().zip(hashes) {
        diesel::insert_into(user::table)
            .values(NewUser {
                id: u.id,
                name: u.name,
                email: Some(""),
                role: u.role,
                registration_code: h.registration_code,
                registration_expiry: None,
                access_code: h.access_code,
                fourkey_code: h.fourkey_code,
                comment: None,
            })
            .execute(conn)?;
    }
    let types: Vec<NewSensorType> = SENSOR_TYPES
        .iter()
        .map(|&(id, name, description)| NewSensorType {
            id,
            name,
            description,
        })
        .collect();
    diesel::insert_into(sensor_type::table)
        .values(&types)
        .execute(conn)?;
    let keypad_types: Vec<NewKeypadType> = KEYPAD_TYPES
        .iter()
        .filter(|(id, _, _)| spec.keypad_types.contains(id))
        .map(|&(id, name, description)| NewKeypadType {
            id,
            name,
            description,
        })
        .collect();
    diesel::insert_into(keypad_type::table)
        .values(&keypad_types)
        .execute(conn)?;
    diesel::insert_into(keypad::table)
        .values(NewKeypad {
            enabled: Some(true),
            type_id: spec.keypad_type,
        })
        .execute(conn)?;
    let area_id: i32 = diesel::insert_into(area::table)
        .values(NewArea {
            name: "House",
            arm_state: ArmState::Disarm,
            deleted: Some(false),
            ui_order: None,
        })
        .returning(area::id)
        .get_result(conn)?;
    let mut zone_ids = HashMap::new();
    for z in &spec.zones {
        let id: i32 = diesel::insert_into(zone::table)
            .values(NewZone {
                name: z.name,
                description: z.description,
                disarmed_delay: z.disarmed,
                away_alert_delay: z.away_alert,
                stay_alert_delay: z.stay_alert,
                away_arm_delay: Some(0),
                stay_arm_delay: Some(0),
                deleted: Some(false),
                ui_order: None,
            })
            .returning(zone::id)
            .get_result(conn)?;
        zone_ids.insert(z.name, id);
    }
    for s in &spec.sensors {
        let zone_id = *zone_ids
            .get(s.zone)
            .ok_or(diesel::result::Error::NotFound)?;
        NewSensor {
            channel: Some(s.channel),
            channel_type: s.channel_type,
            sensor_contact_type: s.contact,
            sensor_eol_count: s.eol,
            reference_value: None,
            alert: false,
            error: false,
            enabled: true,
            deleted: false,
            name: s.name,
            description: s.description,
            silent_alert: Some(s.silent),
            monitor_period: None,
            monitor_threshold: Some(DEFAULT_THRESHOLD),
            zone_id,
            area_id,
            type_id: s.type_id,
            ui_order: None,
            ui_hidden: false,
        }
        .insert(conn)?;
    }
    for &(name, section, value) in spec.options {
        diesel::insert_into(option::table)
            .values(NewOption {
                name,
                section,
                value: Some(value.to_owned()),
            })
            .execute(conn)?;
    }
    // Rows above were given explicit ids; move the sequences past them.
    conn.batch_execute(
        "SELECT setval('user_id_seq', (SELECT max(id) FROM \"user\")); \
         SELECT setval('sensor_type_id_seq', (SELECT max(id) FROM sensor_type)); \
         SELECT setval('keypad_type_id_seq', (SELECT max(id) FROM keypad_type));",
    )?;
    Ok(())
}

/// ArPI's `admin_registration`, done right: the first administrator gets the
/// registration code `ABCD` and really gets PIN `1234` back.
fn reset_first_admin(conn: &mut PgConnection) -> Result<(), SeedError> {
    use schema::user;
    let admin_id: Option<i32> = user::table
        .filter(user::role.eq("admin"))
        .order(user::id)
        .select(user::id)
        .first(conn)
        .optional()?;
    let admin_id = admin_id.ok_or(SeedError::NoAdmin)?;
    let code = hash_secret(&normalize_registration_code("ABCD"))?;
    let pin = hash_secret("1234")?;
    let fourkey = hash_secret("1234")?;
    diesel::update(user::table.find(admin_id))
        .set((
            user::registration_code.eq(code),
            user::registration_expiry.eq(None::<chrono::DateTime<chrono::Utc>>),
            user::access_code.eq(pin),
            user::fourkey_code.eq(fourkey),
        ))
        .execute(conn)?;
    Ok(())
}
