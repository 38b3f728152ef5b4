//! Arm history (contract §5.3): `GET /api/arms` and `/api/arms/count`, the
//! arm sessions as ArPI's FULL OUTER JOIN of `disarm` and `arm` gives them,
//! open sessions first, then by disarm time, newest first. Every filter
//! works (ArPI ignored `has_alert`, `keypad_id` and `arm_type=disarm`).
//!
//! Fast on large histories: open sessions come from `argus_open_arm` (kept
//! by triggers) and closed ones page through the disarm-time index, so a page
//! costs the same at 100 or 100 000 sessions.

use actix_web::{get, web, HttpResponse};
use argus_db::enums::ArmState;
use argus_db::models::{Alert, AlertSensorRow};
use argus_db::schema::{alert, alert_sensor, arm_sensor};
use chrono::{DateTime, Local, NaiveDate, TimeZone, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Int4, Nullable, Timestamptz};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

use crate::auth::UserToken;
use crate::error::ApiError;
use crate::prepared::{Statement, Value as Param};
use crate::services::shapes::{alert_json, local};
use crate::state::AppState;
use crate::store::query;

/// The largest page served.
pub const MAX_LIMIT: i64 = 1000;

/// Mounts the routes of this module.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(list_arms).service(count_arms);
}

/// The query string; every value may also be the string `null` (no filter),
/// as the web app sends.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ArmsQuery {
    has_alert: Option<String>,
    user_id: Option<String>,
    keypad_id: Option<String>,
    arm_type: Option<String>,
    start: Option<String>,
    end: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
}

/// Validated filters. Only integers, whitelisted labels and timestamps made
/// by chrono reach the SQL text.
#[derive(Debug, Default, Clone, PartialEq)]
struct Filters {
    has_alert: Option<bool>,
    user_id: Option<i32>,
    keypad_id: Option<i32>,
    /// `Some(None)` = `disarm`: disarms without an arm session.
    arm_type: Option<Option<ArmState>>,
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "null")
}

fn int(name: &str, v: &Option<String>) -> Result<Option<i64>, ApiError> {
    given(v)
        .map(|s| {
            s.parse::<i64>()
                .map_err(|_| ApiError::BadRequest(format!("Invalid {name} ({s})")))
        })
        .transpose()
}

fn id(name: &str, v: &Option<String>) -> Result<Option<i32>, ApiError> {
    int(name, v)?
        .map(|n| {
            i32::try_from(n).map_err(|_| ApiError::BadRequest(format!("Invalid {name} ({n})")))
        })
        .transpose()
}

/// Local midnight of `YYYY-MM-DD`, `days` later.
fn local_day(name: &str, v: &Option<String>, days: i64) -> Result<Option<DateTime<Utc>>, ApiError> {
    given(v)
        .map(|s| {
            let bad = || ApiError::BadRequest(format!("Invalid {name} ({s}): use YYYY-MM-DD"));
            let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| bad())?;
            let midnight = (date + chrono::Duration::days(days))
                .and_hms_opt(0, 0, 0)
                .ok_or_else(bad)?;
            Local
                .from_local_datetime(&midnight)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .ok_or_else(bad)
        })
        .transpose()
}

impl ArmsQuery {
    fn filters(&self) -> Result<Filters, ApiError> {
        let has_alert = match given(&self.has_alert) {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(other) => {
                return Err(ApiError::BadRequest(format!("Invalid has_alert ({other})")))
            }
        };
        let arm_type = match given(&self.arm_type) {
            None => None,
            Some("disarm") => Some(None),
            Some(s) => Some(Some(ArmState::from_api_str(s).ok_or_else(|| {
                ApiError::BadRequest(format!("Invalid arm_type ({s})"))
            })?)),
        };
        Ok(Filters {
            has_alert,
            user_id: id("user_id", &self.user_id)?,
            keypad_id: id("keypad_id", &self.keypad_id)?,
            arm_type,
            start: local_day("start", &self.start, 0)?,
            end: local_day("end", &self.end, 1)?,
        })
    }

    fn page(&self) -> Result<(i64, i64), ApiError> {
        let limit = int("limit", &self.limit)?.unwrap_or(10);
        let offset = int("offset", &self.offset)?.unwrap_or(0);
        if !(0..=MAX_LIMIT).contains(&limit) || offset < 0 {
            return Err(ApiError::BadRequest(format!(
                "limit must be 0..{MAX_LIMIT} and offset not negative"
            )));
        }
        Ok((limit, offset))
    }
}

impl Filters {
    /// The WHERE clause over `a` (arm, columns may be NULL) and `d`
    /// (disarm); every value is a bind parameter.
    fn sql(&self) -> Statement {
        let mut w = Statement::default();
        w.sql("TRUE");
        match self.has_alert {
            Some(true) => {
                w.sql(" AND (d.alert_id IS NOT NULL OR a.alert_id IS NOT NULL)");
            }
            Some(false) => {
                w.sql(" AND (d.alert_id IS NULL AND a.alert_id IS NULL)");
            }
            None => {}
        }
        for (column, value) in [("user_id", self.user_id), ("keypad_id", self.keypad_id)] {
            if let Some(v) = value {
                w.sql(&format!(" AND (d.{column} = "))
                    .bind(Param::Int(v))
                    .sql(&format!(" OR a.{column} = "))
                    .bind(Param::Int(v))
                    .sql(")");
            }
        }
        match self.arm_type {
            Some(None) => {
                w.sql(" AND a.id IS NULL");
            }
            Some(Some(t)) => {
                w.sql(" AND a.type = ").bind(Param::Arm(t));
            }
            None => {}
        }
        for (op, value) in [(">=", self.start), ("<", self.end)] {
            if let Some(t) = value {
                w.sql(&format!(" AND (a.time {op} "))
                    .bind(Param::Time(t))
                    .sql(&format!(" OR d.time {op} "))
                    .bind(Param::Time(t))
                    .sql(")");
            }
        }
        w
    }
}

/// Open sessions: an arm no disarm has closed (disarm columns all NULL).
const OPEN: &str = "FROM argus_open_arm o JOIN arm a ON a.id = o.arm_id \
     LEFT JOIN disarm d ON FALSE";
/// Closed sessions and disarms without an arm.
const CLOSED: &str = "FROM disarm d LEFT JOIN arm a ON a.id = d.arm_id";
/// The columns of [`Session`], selected from the union.
const SESSION_FIELDS: &str = "arm_id, arm_type, arm_time, arm_keypad, arm_user, arm_alert, \
     disarm_id, disarm_time, disarm_keypad, disarm_user, disarm_alert";
const COLUMNS: &str = "a.id AS arm_id, a.type AS arm_type, a.time AS arm_time, \
     a.keypad_id AS arm_keypad, a.user_id AS arm_user, a.alert_id AS arm_alert, \
     d.id AS disarm_id, d.time AS disarm_time, d.keypad_id AS disarm_keypad, \
     d.user_id AS disarm_user, d.alert_id AS disarm_alert";

/// One session: an arm, its disarm, or both.
#[derive(Debug, QueryableByName)]
struct Session {
    #[diesel(sql_type = Nullable<Int4>)]
    arm_id: Option<i32>,
    #[diesel(sql_type = Nullable<argus_db::schema::sql_types::Armstates>)]
    arm_type: Option<ArmState>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    arm_time: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Int4>)]
    arm_keypad: Option<i32>,
    #[diesel(sql_type = Nullable<Int4>)]
    arm_user: Option<i32>,
    #[diesel(sql_type = Nullable<Int4>)]
    arm_alert: Option<i32>,
    #[diesel(sql_type = Nullable<Int4>)]
    disarm_id: Option<i32>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    disarm_time: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Int4>)]
    disarm_keypad: Option<i32>,
    #[diesel(sql_type = Nullable<Int4>)]
    disarm_user: Option<i32>,
    #[diesel(sql_type = Nullable<Int4>)]
    disarm_alert: Option<i32>,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(conn: &mut PgConnection, from: &str, filters: &Filters) -> QueryResult<i64> {
    let mut q = Statement::default();
    q.sql(&format!("SELECT count(*) AS n {from} WHERE "))
        .extend(&filters.sql());
    Ok(q.get_result::<Count>(conn)?.n)
}

/// The page of sessions in ArPI's order, in one statement: each branch
/// (open sessions, closed ones) stops after `limit + offset` rows from its
/// index, so only a few rows are merged whatever the history's size.
fn sessions(
    conn: &mut PgConnection,
    filters: &Filters,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<Session>> {
    let wh = filters.sql();
    let each = Param::BigInt(limit.saturating_add(offset));
    let mut q = Statement::default();
    q.sql(&format!(
        "SELECT {SESSION_FIELDS} FROM ( \
           (SELECT 1 AS open_first, a.time AS t, a.id AS tie, {COLUMNS} {OPEN} WHERE "
    ))
    .extend(&wh)
    .sql(" ORDER BY a.time DESC, a.id DESC LIMIT ")
    .bind(each.clone())
    .sql(&format!(
        ") UNION ALL (SELECT 0, d.time, d.id, {COLUMNS} {CLOSED} WHERE "
    ))
    .extend(&wh)
    .sql(" ORDER BY d.time DESC NULLS FIRST, d.id DESC LIMIT ")
    .bind(each)
    .sql(") ) s ORDER BY open_first DESC, t DESC NULLS FIRST, tie DESC LIMIT ")
    .bind(Param::BigInt(limit))
    .sql(" OFFSET ")
    .bind(Param::BigInt(offset));
    q.load(conn)
}

/// `(arm_id, sensor_id, channel, type_id, name, description, timestamp,
/// delay, enabled)` of an `arm_sensor` row.
type SensorRow = (
    i32,
    Option<i32>,
    i32,
    i32,
    String,
    String,
    Option<DateTime<Utc>>,
    Option<i32>,
    bool,
);

/// The contract's session JSON for a page.
fn sessions_json(conn: &mut PgConnection, page: &[Session]) -> QueryResult<Vec<Value>> {
    let arm_ids: Vec<i32> = page.iter().filter_map(|s| s.arm_id).collect();
    let alert_ids: Vec<i32> = page
        .iter()
        .flat_map(|s| [s.disarm_alert, s.arm_alert])
        .flatten()
        .collect();
    let sensors: Vec<SensorRow> = arm_sensor::table
        .filter(arm_sensor::arm_id.eq_any(&arm_ids))
        .order((arm_sensor::arm_id, arm_sensor::timestamp, arm_sensor::id))
        .select((
            arm_sensor::arm_id.assume_not_null(),
            arm_sensor::sensor_id,
            arm_sensor::channel,
            arm_sensor::type_id,
            arm_sensor::name,
            arm_sensor::description,
            arm_sensor::timestamp,
            arm_sensor::delay,
            arm_sensor::enabled,
        ))
        .load(conn)?;
    let (alerts, alert_sensors) = if alert_ids.is_empty() {
        (HashMap::new(), Vec::new())
    } else {
        load_alerts(conn, &alert_ids)?
    };
    Ok(page
        .iter()
        .map(|s| session_json(s, &sensors, &alerts, &alert_sensors))
        .collect())
}

/// The alerts of a page, with their sensors.
fn load_alerts(
    conn: &mut PgConnection,
    alert_ids: &[i32],
) -> QueryResult<(HashMap<i32, Alert>, Vec<AlertSensorRow>)> {
    let alerts: HashMap<i32, Alert> = alert::table
        .filter(alert::id.eq_any(alert_ids))
        .select(Alert::as_select())
        .load(conn)?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let alert_sensors: Vec<AlertSensorRow> = alert_sensor::table
        .filter(alert_sensor::alert_id.eq_any(alert_ids))
        .order((alert_sensor::alert_id, alert_sensor::start_time))
        .select(AlertSensorRow::as_select())
        .load(conn)?;
    Ok((alerts, alert_sensors))
}

/// One session as the contract shows it.
fn session_json(
    s: &Session,
    sensors: &[SensorRow],
    alerts: &HashMap<i32, Alert>,
    alert_sensors: &[AlertSensorRow],
) -> Value {
    let mut event = Map::new();
    if let Some(arm_id) = s.arm_id {
        event.insert(
            "arm".into(),
            json!({"type": s.arm_type.map(ArmState::api_str), "time": local(s.arm_time),
                   "keypadId": s.arm_keypad, "userId": s.arm_user}),
        );
        let mut changes: Vec<(String, Vec<Value>)> = Vec::new();
        for row in sensors.iter().filter(|r| r.0 == arm_id) {
            let stamp = local(row.6).as_str().unwrap_or_default().to_owned();
            let description = if row.5.is_empty() { &row.4 } else { &row.5 };
            let sensor = json!({"sensorId": row.1, "channel": row.2, "typeId": row.3,
                "name": row.4, "description": description, "timestamp": local(row.6),
                "delay": row.7, "enabled": row.8});
            match changes.iter_mut().find(|(t, _)| *t == stamp) {
                Some((_, list)) => list.push(sensor),
                None => changes.push((stamp, vec![sensor])),
            }
        }
        event.insert(
            "sensorChanges".into(),
            changes
                .into_iter()
                .map(|(t, list)| json!({"timestamp": t, "sensors": list}))
                .collect(),
        );
    }
    if s.disarm_id.is_some() {
        event.insert(
            "disarm".into(),
            json!({"time": local(s.disarm_time), "keypadId": s.disarm_keypad,
                   "userId": s.disarm_user}),
        );
    }
    if let Some(a) = s
        .disarm_alert
        .or(s.arm_alert)
        .and_then(|id| alerts.get(&id))
    {
        event.insert(
            "alert".into(),
            serde_json::to_value(alert_json(a, s.arm_type, alert_sensors)).unwrap_or_default(),
        );
    }
    Value::Object(event)
}

/// `GET /api/arms?has_alert=&user_id=&keypad_id=&arm_type=&start=&end=&limit=10&offset=0`.
#[get("/arms")]
async fn list_arms(
    state: web::Data<AppState>,
    _: UserToken,
    q: web::Query<ArmsQuery>,
) -> Result<HttpResponse, ApiError> {
    let filters = q.filters()?;
    let (limit, offset) = q.page()?;
    let json = query(&state.db, move |conn| {
        let page = sessions(conn, &filters, limit, offset)?;
        sessions_json(conn, &page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json))
}

/// `GET /api/arms/count` with the same filters → integer.
#[get("/arms/count")]
async fn count_arms(
    state: web::Data<AppState>,
    _: UserToken,
    q: web::Query<ArmsQuery>,
) -> Result<HttpResponse, ApiError> {
    let filters = q.filters()?;
    let n = query(&state.db, move |conn| {
        Ok(count(conn, OPEN, &filters)? + count(conn, CLOSED, &filters)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> ArmsQuery {
        let s = serde_urlencoded_pairs(pairs);
        web::Query::<ArmsQuery>::from_query(&s)
            .unwrap()
            .into_inner()
    }

    fn serde_urlencoded_pairs(pairs: &[(&str, &str)]) -> String {
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    }

    #[test]
    fn the_string_null_means_no_filter() {
        let f = q(&[
            ("has_alert", "null"),
            ("user_id", "null"),
            ("arm_type", "null"),
        ])
        .filters()
        .unwrap();
        assert_eq!(f, Filters::default());
        assert_eq!(f.sql().text(), "TRUE");
    }

    #[test]
    fn filters_are_validated_before_reaching_sql() {
        for bad in [
            ("has_alert", "maybe"),
            ("user_id", "1;DROP"),
            ("keypad_id", "x"),
            ("arm_type", "arm_x"),
            ("start", "2024-13-01"),
            ("end", "'--"),
        ] {
            assert!(q(&[bad]).filters().is_err(), "{bad:?}");
        }
        assert!(q(&[("limit", "1001")]).page().is_err());
        assert!(q(&[("offset", "-1")]).page().is_err());
        assert_eq!(q(&[]).page().unwrap(), (10, 0));
    }

    #[test]
    fn every_filter_applies() {
        let f = q(&[
            ("has_alert", "true"),
            ("user_id", "3"),
            ("keypad_id", "1"),
            ("arm_type", "arm_stay"),
            ("start", "2024-01-01"),
            ("end", "2024-01-31"),
        ])
        .filters()
        .unwrap();
        let sql = f.sql().text();
        for part in [
            "d.alert_id IS NOT NULL",
            "d.user_id = ?",
            "a.keypad_id = ?",
            "a.type = ?",
            "a.time >= ?",
            "d.time < ?",
        ] {
            assert!(sql.contains(part), "{part} in {sql}");
        }
        assert!(q(&[("arm_type", "disarm")])
            .filters()
            .unwrap()
            .sql()
            .text()
            .contains("a.id IS NULL"));
    }
}
