//! ArPI's PostgreSQL enum types, with their stored labels and API strings.
//!
//! SQLAlchemy stores enum member *names* (`AWAY`), while the API shows values
//! (`arm_away`); both mappings are pinned by tests.

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use std::io::Write;

use crate::schema::sql_types;

/// Defines a Rust enum mapped to a PostgreSQL enum type by its labels.
macro_rules! pg_enum {
    ($(#[$meta:meta])* $name:ident, $sql:ty, { $($variant:ident => $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, AsExpression, FromSqlRow)]
        #[diesel(sql_type = $sql)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every variant, in the type's label order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The label stored in PostgreSQL.
            pub fn db_label(self) -> &'static str {
                match self { $(Self::$variant => $label),+ }
            }

            /// The variant for a stored label.
            pub fn from_db_label(label: &str) -> Option<Self> {
                match label { $($label => Some(Self::$variant),)+ _ => None }
            }
        }

        /// JSON carries the stored label (ArPI's API shows it for these types).
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.db_label())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let label = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::from_db_label(&label).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        concat!("unknown ", stringify!($name), " ({})"),
                        label
                    ))
                })
            }
        }

        impl ToSql<$sql, Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                out.write_all(self.db_label().as_bytes())?;
                Ok(IsNull::No)
            }
        }

        impl FromSql<$sql, Pg> for $name {
            fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
                let label = std::str::from_utf8(value.as_bytes())?;
                Self::from_db_label(label).ok_or_else(|| {
                    format!(concat!("unknown ", stringify!($name), " label {:?}"), label).into()
                })
            }
        }
    };
}

pg_enum!(
    /// `armstates`: the arm state of an area and the type of an arm record.
    ArmState, sql_types::Armstates, {
    Away => "AWAY", Stay => "STAY", Mixed => "MIXED", Disarm => "DISARM",
});

pg_enum!(
    /// `channel_types`: how a sensor uses its input channel.
    ChannelType, sql_types::ChannelTypes, {
    Basic => "basic", Normal => "normal", ChannelA => "channel_a", ChannelB => "channel_b",
});

pg_enum!(
    /// `sensor_contact_types`: normally open or normally closed.
    ContactType, sql_types::SensorContactTypes, { No => "NO", Nc => "NC" });

pg_enum!(
    /// `sensor_eol_count`: one or two end-of-line resistors.
    EolCount, sql_types::SensorEolCount, { Single => "single", Double => "double" });

pg_enum!(
    /// `output_trigger_type`: what switches an output.
    OutputTrigger, sql_types::OutputTriggerType, {
    Area => "area", System => "system", Button => "button",
});

impl ArmState {
    /// The string the API and Socket.IO use (`arm_away`, …, `disarm`).
    pub fn api_str(self) -> &'static str {
        match self {
            Self::Away => "arm_away",
            Self::Stay => "arm_stay",
            Self::Mixed => "arm_mixed",
            Self::Disarm => "disarm",
        }
    }

    /// The variant for an API string.
    pub fn from_api_str(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.api_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_state_labels_and_api_strings() {
        let pairs: Vec<(&str, &str)> = ArmState::ALL
            .iter()
            .map(|s| (s.db_label(), s.api_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("AWAY", "arm_away"),
                ("STAY", "arm_stay"),
                ("MIXED", "arm_mixed"),
                ("DISARM", "disarm")
            ]
        );
        for s in ArmState::ALL {
            assert_eq!(ArmState::from_api_str(s.api_str()), Some(*s));
            assert_eq!(ArmState::from_db_label(s.db_label()), Some(*s));
        }
        assert_eq!(ArmState::from_db_label("arm_away"), None);
    }

    #[test]
    fn other_enum_labels() {
        let labels = |l: &[&'static str]| l.join(",");
        assert_eq!(
            labels(
                &ChannelType::ALL
                    .iter()
                    .map(|v| v.db_label())
                    .collect::<Vec<_>>()
            ),
            "basic,normal,channel_a,channel_b"
        );
        assert_eq!(
            labels(
                &ContactType::ALL
                    .iter()
                    .map(|v| v.db_label())
                    .collect::<Vec<_>>()
            ),
            "NO,NC"
        );
        assert_eq!(
            labels(
                &EolCount::ALL
                    .iter()
                    .map(|v| v.db_label())
                    .collect::<Vec<_>>()
            ),
            "single,double"
        );
        assert_eq!(
            labels(
                &OutputTrigger::ALL
                    .iter()
                    .map(|v| v.db_label())
                    .collect::<Vec<_>>()
            ),
            "area,system,button"
        );
    }
}
