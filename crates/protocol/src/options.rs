//! The static registry of option sections (contract §6; ArPI filled its
//! registry lazily): every `name/section` the API accepts, its fields with
//! types and defaults, which fields are secrets, and what a change must tell
//! the monitor. Pure: [`Section::read`] masks secrets for a GET,
//! [`Section::write`] validates a PUT body and merges it over the stored
//! value, keeping any secret sent back as the mask; [`Section::resolve`] and
//! [`typed`] give the monitor the value to act on. The server's option
//! routes and the monitor both read sections through this one registry.

use serde_json::{Map, Value};

/// What GETs show instead of a stored secret (ArPI's mask).
pub const MASK: &str = "******";

/// A field's type.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// `true`/`false`.
    Bool,
    /// `true`/`false`/`null`.
    OptBool,
    /// An integer.
    Int,
    /// An integer or `null`.
    OptInt,
    /// An integer from the first to the second bound (inclusive).
    IntIn(i64, i64),
    /// A string or `null`.
    Text,
    /// A string or `null`, never shown (masked on read, kept when the mask comes back).
    Secret,
    /// A number, a numeric string or `null` (coordinates).
    Number,
    /// One of these strings.
    Choice(&'static [&'static str]),
    /// A nested object with these fields.
    Group(&'static [Field]),
}

/// A field's default.
#[derive(Debug, Clone, Copy)]
pub enum Default {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A string.
    Text(&'static str),
    /// The group's own defaults.
    Group,
}

/// One field of a section.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// snake_case name.
    pub name: &'static str,
    /// Type.
    pub kind: Kind,
    /// Default.
    pub default: Default,
}

const fn f(name: &'static str, kind: Kind, default: Default) -> Field {
    Field {
        name,
        kind,
        default,
    }
}

/// What the monitor must do after a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Nothing (the value is read when used).
    None,
    /// `monitor_update_config`.
    Reload,
    /// `monitor_update_secure_connection` (only with `USE_SSH_CONNECTION`).
    SecureConnection,
    /// `update_ssh` (only with `USE_SSH_CONNECTION`).
    Ssh,
}

/// A registered section.
#[derive(Debug, Clone, Copy)]
pub struct Section {
    /// Option name.
    pub name: &'static str,
    /// Option section.
    pub section: &'static str,
    /// Its fields.
    pub fields: &'static [Field],
    /// What a PUT triggers.
    pub effect: Effect,
}

const SUBSCRIPTION: &[Field] = &[
    f("alert_started", Kind::Bool, Default::Bool(false)),
    f("alert_stopped", Kind::Bool, Default::Bool(false)),
    f("power_outage_started", Kind::Bool, Default::Bool(false)),
    f("power_outage_stopped", Kind::Bool, Default::Bool(false)),
    // argus addition: a duress code's silent alarm reaches only the rows
    // ticked here (never a keypad, the web app or the webhook).
    f("duress", Kind::Bool, Default::Bool(false)),
    // argus addition: a remote node silent past its timeout, and back.
    f("node_offline", Kind::Bool, Default::Bool(false)),
    f("node_online", Kind::Bool, Default::Bool(false)),
    // argus addition: a telemetry rule that notifies fired or cleared.
    f("telemetry", Kind::Bool, Default::Bool(false)),
];

/// Every section a client may read and write.
pub const SECTIONS: &[Section] = &[
    Section {
        name: "syren",
        section: "timing",
        fields: &[
            f("silent", Kind::OptBool, Default::Bool(false)),
            f("delay", Kind::Int, Default::Int(0)),
            f("duration", Kind::Int, Default::Int(0)),
        ],
        effect: Effect::Reload,
    },
    Section {
        name: "alert",
        section: "sensitivity",
        fields: &[
            f("monitor_period", Kind::OptInt, Default::Null),
            f("monitor_threshold", Kind::OptInt, Default::Null),
        ],
        effect: Effect::Reload,
    },
    Section {
        name: "notifications",
        section: "smtp",
        fields: &[
            f("enabled", Kind::Bool, Default::Bool(false)),
            f("smtp_hostname", Kind::Text, Default::Null),
            f("smtp_port", Kind::OptInt, Default::Null),
            f("smtp_username", Kind::Text, Default::Null),
            f("smtp_password", Kind::Secret, Default::Null),
            f("email_address_1", Kind::Text, Default::Null),
            f("email_address_2", Kind::Text, Default::Null),
        ],
        effect: Effect::Reload,
    },
    Section {
        name: "notifications",
        section: "gsm",
        fields: &[
            f("enabled", Kind::Bool, Default::Bool(false)),
            f("pin_code", Kind::Secret, Default::Null),
            f("phone_number_1", Kind::Text, Default::Null),
            f("phone_number_2", Kind::Text, Default::Null),
        ],
        effect: Effect::Reload,
    },
    Section {
        name: "notifications",
        section: "subscriptions",
        fields: &[
            f("call1", Kind::Group(SUBSCRIPTION), Default::Group),
            f("call2", Kind::Group(SUBSCRIPTION), Default::Group),
            f("sms1", Kind::Group(SUBSCRIPTION), Default::Group),
            f("sms2", Kind::Group(SUBSCRIPTION), Default::Group),
            f("email1", Kind::Group(SUBSCRIPTION), Default::Group),
            f("email2", Kind::Group(SUBSCRIPTION), Default::Group),
            // argus addition: a short message through Rock7 to a RockBLOCK
            // (`notifications/satellite`), for a cabin without a network.
            f("satellite", Kind::Group(SUBSCRIPTION), Default::Group),
        ],
        effect: Effect::Reload,
    },
    // argus addition: every notification as a signed JSON POST.
    Section {
        name: "notifications",
        section: "webhook",
        fields: &[
            f("enabled", Kind::Bool, Default::Bool(false)),
            f("url", Kind::Text, Default::Null),
            f("secret", Kind::Secret, Default::Null),
        ],
        effect: Effect::None,
    },
    // argus addition: notifications as RockBLOCK MT messages (Rock7's
    // credentials are `nodes/rockblock`'s).
    Section {
        name: "notifications",
        section: "satellite",
        fields: &[
            f("enabled", Kind::Bool, Default::Bool(false)),
            f("imei", Kind::Text, Default::Null),
        ],
        effect: Effect::None,
    },
    // argus addition: reports to an alarm receiving centre over SIA DC-09.
    Section {
        name: "notifications",
        section: "sia",
        fields: &[
            f("enabled", Kind::Bool, Default::Bool(false)),
            f("account", Kind::Text, Default::Null),
            f(
                "protocol",
                Kind::Choice(&["SIA-DCS", "ADM-CID"]),
                Default::Text("SIA-DCS"),
            ),
            f("receiver_host", Kind::Text, Default::Null),
            f("receiver_port", Kind::OptInt, Default::Null),
            f("backup_host", Kind::Text, Default::Null),
            f("backup_port", Kind::OptInt, Default::Null),
            f("key", Kind::Secret, Default::Null),
            f(
                "link_test_seconds",
                Kind::IntIn(0, 86_400),
                Default::Int(3600),
            ),
        ],
        effect: Effect::None,
    },
    // argus addition: how long mains must be gone (or back) before it is
    // reported, 1 minute to 1 hour (EN 50131).
    Section {
        name: "notifications",
        section: "power",
        fields: &[f(
            "report_delay_seconds",
            Kind::IntIn(60, 3600),
            Default::Int(60),
        )],
        effect: Effect::None,
    },
    Section {
        name: "network",
        section: "dyndns",
        fields: &[
            f("username", Kind::Text, Default::Null),
            f("password", Kind::Secret, Default::Null),
            f("hostname", Kind::Text, Default::Null),
            f("provider", Kind::Text, Default::Null),
            f("restrict_host", Kind::Bool, Default::Bool(false)),
            f("certbot_email", Kind::Text, Default::Null),
        ],
        effect: Effect::SecureConnection,
    },
    Section {
        name: "network",
        section: "access",
        fields: &[
            f("service_enabled", Kind::Bool, Default::Bool(true)),
            f("restrict_local_network", Kind::Bool, Default::Bool(false)),
            f(
                "password_authentication_enabled",
                Kind::Bool,
                Default::Bool(true),
            ),
        ],
        effect: Effect::Ssh,
    },
    Section {
        name: "mqtt",
        section: "connection",
        fields: &[
            f("enabled", Kind::Bool, Default::Bool(true)),
            f("external", Kind::Bool, Default::Bool(false)),
        ],
        effect: Effect::Reload,
    },
    Section {
        name: "mqtt",
        section: "external_publish",
        fields: &[
            f("hostname", Kind::Text, Default::Null),
            f("port", Kind::Int, Default::Int(8883)),
            f("username", Kind::Text, Default::Null),
            f("password", Kind::Secret, Default::Null),
            f("tls_enabled", Kind::Bool, Default::Bool(true)),
            // ArPI's default is true (it never verified a broker); a saved
            // `true` is honoured, a new installation verifies.
            f("tls_insecure", Kind::Bool, Default::Bool(false)),
            // A PEM file with the broker's certificate authority (argus).
            f("ca_file", Kind::Text, Default::Null),
        ],
        effect: Effect::Reload,
    },
    // argus addition: Home Assistant over MQTT (discovery, commands) and
    // ArPI's own `arpi/...` topics for installations that consume them.
    // argus addition: telemetry (issue 16). sensorhub's Redis channel, how
    // long readings are kept, and when a silent sensor is unavailable.
    Section {
        name: "telemetry",
        section: "redis",
        fields: &[
            f("enabled", Kind::Bool, Default::Bool(false)),
            // A secret: a Redis URL may carry its password.
            f("url", Kind::Secret, Default::Null),
            f("channel", Kind::Text, Default::Text("sensor_stream")),
        ],
        effect: Effect::Reload,
    },
    Section {
        name: "telemetry",
        section: "retention",
        fields: &[
            f("raw_days", Kind::IntIn(1, 3650), Default::Int(30)),
            f("rollup_days", Kind::IntIn(1, 36500), Default::Int(730)),
        ],
        effect: Effect::None,
    },
    Section {
        name: "telemetry",
        section: "availability",
        fields: &[f(
            "stale_seconds",
            Kind::IntIn(10, 604_800),
            Default::Int(900),
        )],
        effect: Effect::Reload,
    },
    Section {
        name: "nodes",
        section: "supervision",
        // A silent node's sensors read as cut: tamper when armed (argus).
        fields: &[f("tamper_when_armed", Kind::Bool, Default::Bool(true))],
        effect: Effect::Reload,
    },
    Section {
        name: "nodes",
        section: "rockblock",
        fields: &[
            // Rock7's RSA public key (PEM): set, every MO delivery needs its JWT.
            f("jwt_public_key", Kind::Text, Default::Null),
            f(
                "mt_url",
                Kind::Text,
                Default::Text("https://rockblock.rock7.com/rockblock/MT"),
            ),
            f("mt_username", Kind::Text, Default::Null),
            f("mt_password", Kind::Secret, Default::Null),
        ],
        effect: Effect::Reload,
    },
    Section {
        name: "mqtt",
        section: "homeassistant",
        fields: &[
            f(
                "discovery_prefix",
                Kind::Text,
                Default::Text("homeassistant"),
            ),
            f("arpi_topics", Kind::Bool, Default::Bool(false)),
            f("force_arm", Kind::Bool, Default::Bool(false)),
        ],
        effect: Effect::Reload,
    },
    Section {
        name: "system",
        section: "location",
        fields: &[
            f("name", Kind::Text, Default::Null),
            f("description", Kind::Text, Default::Null),
            f("latitude", Kind::Number, Default::Null),
            f("longitude", Kind::Number, Default::Null),
            f("country", Kind::Text, Default::Null),
            f("city", Kind::Text, Default::Null),
            f("state", Kind::Text, Default::Null),
            f("zip_code", Kind::Text, Default::Null),
            f("address", Kind::Text, Default::Null),
            f("contact_name", Kind::Text, Default::Null),
            f("contact_phone", Kind::Text, Default::Null),
            f("contact_email", Kind::Text, Default::Null),
        ],
        effect: Effect::None,
    },
    Section {
        name: "argus",
        section: "policy",
        fields: &[
            f(
                "open_sensors",
                Kind::Choice(&["refuse", "force"]),
                Default::Text("refuse"),
            ),
            f("swinger_limit", Kind::Int, Default::Int(3)),
        ],
        effect: Effect::Reload,
    },
];

/// The read-only section shown so Home Assistant can connect to the broker.
pub const INTERNAL_READ: (&str, &str) = ("mqtt", "internal_read");

/// The registered section `name/section`.
pub fn find(name: &str, section: &str) -> Option<&'static Section> {
    SECTIONS
        .iter()
        .find(|s| s.name == name && s.section == section)
}

/// A registered section's value as `T` (stored over defaults; see
/// [`Section::resolve`]); `None` for an unregistered section or a `T` that
/// does not fit it.
pub fn typed<T: serde::de::DeserializeOwned>(
    name: &str,
    section: &str,
    stored: Option<&Value>,
) -> Option<T> {
    serde_json::from_value(find(name, section)?.resolve(stored)).ok()
}

/// A PUT that cannot be stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OptionError {
    /// `Unknown option (<field>)`.
    #[error("Unknown option ({0})")]
    Unknown(String),
    /// A value of the wrong type.
    #[error("Invalid value of '{0}'")]
    Invalid(String),
    /// The body is not an object.
    #[error("Expected a JSON object")]
    NotObject,
}

fn default_of(field: &Field) -> Value {
    match (field.default, field.kind) {
        (Default::Null, _) => Value::Null,
        (Default::Bool(b), _) => b.into(),
        (Default::Int(i), _) => i.into(),
        (Default::Text(t), _) => t.into(),
        (Default::Group, Kind::Group(fields)) => defaults(fields),
        (Default::Group, _) => Value::Null,
    }
}

fn defaults(fields: &[Field]) -> Value {
    Value::Object(
        fields
            .iter()
            .map(|f| (f.name.to_owned(), default_of(f)))
            .collect(),
    )
}

fn valid(kind: Kind, v: &Value) -> bool {
    match kind {
        Kind::Bool => v.is_boolean(),
        Kind::OptBool => v.is_boolean() || v.is_null(),
        Kind::Int => v.is_i64(),
        Kind::OptInt => v.is_i64() || v.is_null(),
        Kind::IntIn(min, max) => v.as_i64().is_some_and(|i| (min..=max).contains(&i)),
        Kind::Text | Kind::Secret => v.is_string() || v.is_null(),
        Kind::Number => {
            v.is_number()
                || v.is_null()
                || v.as_str()
                    .is_some_and(|s| s.is_empty() || s.trim().parse::<f64>().is_ok())
        }
        Kind::Choice(options) => v.as_str().is_some_and(|s| options.contains(&s)),
        Kind::Group(_) => v.is_object(),
    }
}

/// `stored` (which may be partial or hold stray keys) laid over the
/// defaults, keeping only known fields of the right type.
fn complete(fields: &[Field], stored: Option<&Value>) -> Map<String, Value> {
    fields
        .iter()
        .map(|field| {
            let value = stored.and_then(|s| s.get(field.name));
            let value = match (field.kind, value) {
                (Kind::Group(inner), Some(v)) if v.is_object() => {
                    Value::Object(complete(inner, Some(v)))
                }
                (kind, Some(v)) if valid(kind, v) => v.clone(),
                _ => default_of(field),
            };
            (field.name.to_owned(), value)
        })
        .collect()
}

fn mask(fields: &[Field], value: &mut Map<String, Value>) {
    for field in fields {
        match (field.kind, value.get_mut(field.name)) {
            (Kind::Secret, Some(v)) if v.as_str().is_some_and(|s| !s.is_empty()) => {
                *v = MASK.into();
            }
            (Kind::Group(inner), Some(Value::Object(o))) => mask(inner, o),
            _ => {}
        }
    }
}

fn merge(
    fields: &[Field],
    base: &mut Map<String, Value>,
    body: &Value,
    path: &str,
) -> Result<(), OptionError> {
    let body = body.as_object().ok_or(OptionError::NotObject)?;
    for (key, v) in body {
        let name = format!("{path}{key}");
        let field = fields
            .iter()
            .find(|f| f.name == key)
            .ok_or_else(|| OptionError::Unknown(name.clone()))?;
        match field.kind {
            Kind::Group(inner) => {
                let slot = base.entry(key.clone()).or_insert_with(|| default_of(field));
                let Value::Object(slot) = slot else {
                    return Err(OptionError::Invalid(name));
                };
                merge(inner, slot, v, &format!("{name}.")).map_err(|e| match e {
                    OptionError::NotObject => OptionError::Invalid(name.clone()),
                    other => other,
                })?;
            }
            Kind::Secret if v.as_str() == Some(MASK) => {}
            kind if valid(kind, v) => {
                base.insert(key.clone(), v.clone());
            }
            _ => return Err(OptionError::Invalid(name)),
        }
    }
    Ok(())
}

/// A field's JSON Schema (OpenAPI 3.0: `nullable` rather than type lists).
fn field_schema(kind: Kind) -> Value {
    match kind {
        Kind::Bool => serde_json::json!({ "type": "boolean" }),
        Kind::OptBool => serde_json::json!({ "type": "boolean", "nullable": true }),
        Kind::Int => serde_json::json!({ "type": "integer" }),
        Kind::OptInt => serde_json::json!({ "type": "integer", "nullable": true }),
        Kind::IntIn(min, max) => {
            serde_json::json!({ "type": "integer", "minimum": min, "maximum": max })
        }
        Kind::Text | Kind::Secret => serde_json::json!({ "type": "string", "nullable": true }),
        Kind::Number => serde_json::json!({ "type": "number", "nullable": true }),
        Kind::Choice(options) => serde_json::json!({ "type": "string", "enum": options }),
        Kind::Group(fields) => object_schema(fields),
    }
}

fn object_schema(fields: &[Field]) -> Value {
    let properties: Map<String, Value> = fields
        .iter()
        .map(|f| (f.name.to_owned(), field_schema(f.kind)))
        .collect();
    serde_json::json!({ "type": "object", "properties": properties, "additionalProperties": false })
}

impl Section {
    /// The JSON Schema of a PUT body (any subset of the fields).
    pub fn json_schema(&self) -> Value {
        let mut schema = object_schema(self.fields);
        schema["title"] = format!("{}/{}", self.name, self.section).into();
        schema
    }

    /// The value a GET shows: stored over defaults, secrets masked.
    pub fn read(&self, stored: Option<&Value>) -> Value {
        let mut value = complete(self.fields, stored);
        mask(self.fields, &mut value);
        Value::Object(value)
    }

    /// The value the monitor acts on: stored over defaults, secrets in
    /// clear. Never sent to a client.
    pub fn resolve(&self, stored: Option<&Value>) -> Value {
        Value::Object(complete(self.fields, stored))
    }

    /// The value to store after a PUT of `body` (a partial object is merged
    /// over what is stored; a secret sent back as the mask is kept).
    pub fn write(&self, stored: Option<&Value>, body: &Value) -> Result<Value, OptionError> {
        let mut value = complete(self.fields, stored);
        merge(self.fields, &mut value, body, "")?;
        Ok(Value::Object(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn section(name: &str, s: &str) -> &'static Section {
        find(name, s).unwrap()
    }

    #[test]
    fn defaults_fill_what_was_never_stored() {
        assert_eq!(
            section("syren", "timing").read(None),
            json!({"silent": false, "delay": 0, "duration": 0})
        );
        let subs = section("notifications", "subscriptions")
            .read(Some(&json!({"sms1": {"alert_started": true}})));
        assert_eq!(subs["sms1"]["alert_started"], json!(true));
        assert_eq!(subs["call2"]["power_outage_stopped"], json!(false));
        assert_eq!(
            section("mqtt", "external_publish").read(None)["password"],
            Value::Null,
            "no default password (ArPI reused the internal one)"
        );
    }

    #[test]
    fn secrets_are_masked_and_kept_when_the_mask_comes_back() {
        let smtp = section("notifications", "smtp");
        let stored = smtp
            .write(
                None,
                &json!({"smtp_password": "hunter2", "smtp_hostname": "mail"}),
            )
            .unwrap();
        assert_eq!(stored["smtp_password"], json!("hunter2"));
        let shown = smtp.read(Some(&stored));
        assert_eq!(shown["smtp_password"], json!(MASK));
        assert!(!shown.to_string().contains("hunter2"));
        let again = smtp.write(Some(&stored), &shown).unwrap();
        assert_eq!(again["smtp_password"], json!("hunter2"));
        let changed = smtp
            .write(Some(&stored), &json!({"smtp_password": "new"}))
            .unwrap();
        assert_eq!(changed["smtp_password"], json!("new"));
        for (name, s, field) in [
            ("network", "dyndns", "password"),
            ("mqtt", "external_publish", "password"),
            ("notifications", "gsm", "pin_code"),
            ("notifications", "webhook", "secret"),
            ("notifications", "sia", "key"),
            ("nodes", "rockblock", "mt_password"),
        ] {
            let sec = section(name, s);
            let stored = sec.write(None, &json!({ field: "secret-value" })).unwrap();
            assert_eq!(sec.read(Some(&stored))[field], json!(MASK), "{name}/{s}");
        }
    }

    #[test]
    fn unknown_fields_and_wrong_types_are_refused() {
        let timing = section("syren", "timing");
        assert_eq!(
            timing.write(None, &json!({"volume": 3})),
            Err(OptionError::Unknown("volume".into()))
        );
        assert_eq!(
            timing.write(None, &json!({"delay": "soon"})),
            Err(OptionError::Invalid("delay".into()))
        );
        assert_eq!(timing.write(None, &json!([1])), Err(OptionError::NotObject));
        let subs = section("notifications", "subscriptions");
        assert_eq!(
            subs.write(None, &json!({"sms1": {"alert_begun": true}})),
            Err(OptionError::Unknown("sms1.alert_begun".into()))
        );
        assert_eq!(
            section("argus", "policy").write(None, &json!({"open_sensors": "ignore"})),
            Err(OptionError::Invalid("open_sensors".into()))
        );
        let power = section("notifications", "power");
        assert_eq!(power.read(None), json!({"report_delay_seconds": 60}));
        for bad in [59, 3601] {
            assert_eq!(
                power.write(None, &json!({ "report_delay_seconds": bad })),
                Err(OptionError::Invalid("report_delay_seconds".into())),
                "{bad}"
            );
        }
        assert!(power
            .write(None, &json!({"report_delay_seconds": 3600}))
            .is_ok());
    }

    #[test]
    fn the_registry_is_static_and_internal_sections_are_not_in_it() {
        assert!(find("mqtt", "internal_publish").is_none());
        assert!(find("mqtt", "internal_read").is_none());
        assert!(find("foo", "bar").is_none());
        let mut names: Vec<(&str, &str)> = SECTIONS.iter().map(|s| (s.name, s.section)).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), SECTIONS.len());
    }
}
