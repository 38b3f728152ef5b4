//! Telemetry tables: raw readings keyed by (sensor, time), the latest value
//! per sensor, hourly roll-ups, threshold rules. A batch of readings is one
//! statement that stores the new ones, folds them into their hours and
//! moves each sensor's latest value forward only (an older reading arriving
//! late never replaces a newer one).

use argus_protocol::telemetry::Reading;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Double, Nullable, Text, Timestamptz};
use serde::{Deserialize, Serialize};

use crate::schema::{argus_telemetry_latest, argus_telemetry_rule};

/// A row of `argus_telemetry_latest`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, QueryableByName, Serialize)]
#[diesel(table_name = argus_telemetry_latest, check_for_backend(diesel::pg::Pg))]
pub struct Latest {
    pub sensor: String,
    pub value: f64,
    pub unit: Option<String>,
    pub time: DateTime<Utc>,
    pub received: DateTime<Utc>,
}

/// One bucket of a sensor's history.
#[derive(Debug, Clone, PartialEq, QueryableByName, Serialize)]
pub struct Bucket {
    #[diesel(sql_type = Timestamptz)]
    pub start: DateTime<Utc>,
    #[diesel(sql_type = Double)]
    pub min: f64,
    #[diesel(sql_type = Double)]
    pub max: f64,
    #[diesel(sql_type = Double)]
    pub avg: f64,
    #[diesel(sql_type = BigInt)]
    pub count: i64,
}

/// What a stored batch did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stored {
    /// Readings new to the table (a repeat of a stored one is not).
    pub inserted: usize,
    /// The latest values this batch moved forward.
    pub latest: Vec<Latest>,
}

/// Stores a batch in one statement (see the module's doc).
pub fn store(conn: &mut PgConnection, readings: &[Reading]) -> QueryResult<Stored> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        inserted: i64,
        #[diesel(sql_type = Nullable<Text>)]
        sensor: Option<String>,
        #[diesel(sql_type = Nullable<Double>)]
        value: Option<f64>,
        #[diesel(sql_type = Nullable<Text>)]
        unit: Option<String>,
        #[diesel(sql_type = Nullable<Timestamptz>)]
        time: Option<DateTime<Utc>>,
        #[diesel(sql_type = Nullable<Timestamptz>)]
        received: Option<DateTime<Utc>>,
    }
    if readings.is_empty() {
        return Ok(Stored::default());
    }
    let rows: Vec<Row> = diesel::sql_query(
        "WITH input AS ( \
             SELECT * FROM unnest($1::varchar[], $2::timestamptz[], $3::float8[], $4::varchar[]) \
                 AS x(sensor, time, value, unit)), \
         ins AS ( \
             INSERT INTO argus_telemetry_reading (sensor, time, value) \
             SELECT DISTINCT ON (sensor, time) sensor, time, value FROM input \
             ORDER BY sensor, time \
             ON CONFLICT DO NOTHING RETURNING sensor, time, value), \
         hourly AS ( \
             INSERT INTO argus_telemetry_hourly AS h (sensor, hour, min, max, sum, count) \
             SELECT sensor, date_trunc('hour', time, 'UTC'), min(value), max(value), sum(value), count(*) \
             FROM ins GROUP BY 1, 2 \
             ON CONFLICT (sensor, hour) DO UPDATE SET min = least(h.min, excluded.min), \
                 max = greatest(h.max, excluded.max), sum = h.sum + excluded.sum, \
                 count = h.count + excluded.count), \
         latest AS ( \
             INSERT INTO argus_telemetry_latest AS l (sensor, value, unit, time) \
             SELECT DISTINCT ON (i.sensor) i.sensor, i.value, input.unit, i.time \
             FROM ins i JOIN input USING (sensor, time) ORDER BY i.sensor, i.time DESC \
             ON CONFLICT (sensor) DO UPDATE SET value = excluded.value, \
                 unit = coalesce(excluded.unit, l.unit), time = excluded.time, received = now() \
             WHERE l.time < excluded.time \
             RETURNING l.sensor, l.value, l.unit, l.time, l.received) \
         SELECT (SELECT count(*) FROM ins) AS inserted, latest.* \
         FROM (SELECT 1) one LEFT JOIN latest ON true",
    )
    .bind::<Array<Text>, _>(readings.iter().map(|r| r.sensor.clone()).collect::<Vec<_>>())
    .bind::<Array<Timestamptz>, _>(readings.iter().map(|r| r.time).collect::<Vec<_>>())
    .bind::<Array<Double>, _>(readings.iter().map(|r| r.value).collect::<Vec<_>>())
    .bind::<Array<Nullable<Text>>, _>(readings.iter().map(|r| r.unit.clone()).collect::<Vec<_>>())
    .load(conn)?;
    let inserted = rows
        .first()
        .map_or(0, |r| usize::try_from(r.inserted).unwrap_or(0));
    let latest = rows
        .into_iter()
        .filter_map(|r| {
            Some(Latest {
                sensor: r.sensor?,
                value: r.value?,
                unit: r.unit,
                time: r.time?,
                received: r.received?,
            })
        })
        .collect();
    Ok(Stored { inserted, latest })
}

/// Every sensor's latest value, by name.
pub fn latest(conn: &mut PgConnection) -> QueryResult<Vec<Latest>> {
    argus_telemetry_latest::table
        .order(argus_telemetry_latest::sensor)
        .select(Latest::as_select())
        .load(conn)
}

/// A sensor's readings from `from` to `to` in buckets of `step` seconds
/// (min, max, average). Steps of whole hours read the hourly roll-ups, so a
/// year's plot reads 8 760 rows and works after the raw readings are gone.
pub fn history(
    conn: &mut PgConnection,
    sensor: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    step: i64,
) -> QueryResult<Vec<Bucket>> {
    let query = if step % 3600 == 0 {
        "SELECT to_timestamp(floor(extract(epoch FROM hour) / $4) * $4) AS start, \
             min(min) AS min, max(max) AS max, sum(sum) / sum(count) AS avg, sum(count)::int8 AS count \
         FROM argus_telemetry_hourly WHERE sensor = $1 AND hour >= $2 AND hour < $3 \
         GROUP BY 1 ORDER BY 1"
    } else {
        "SELECT to_timestamp(floor(extract(epoch FROM time) / $4) * $4) AS start, \
             min(value) AS min, max(value) AS max, avg(value) AS avg, count(*) AS count \
         FROM argus_telemetry_reading WHERE sensor = $1 AND time >= $2 AND time < $3 \
         GROUP BY 1 ORDER BY 1"
    };
    diesel::sql_query(query)
        .bind::<Text, _>(sensor)
        .bind::<Timestamptz, _>(from)
        .bind::<Timestamptz, _>(to)
        .bind::<Double, _>(step as f64)
        .load(conn)
}

/// Forgets raw readings measured before `raw_before` and roll-ups of hours
/// before `hourly_before`; how many rows went.
pub fn prune(
    conn: &mut PgConnection,
    raw_before: DateTime<Utc>,
    hourly_before: DateTime<Utc>,
) -> QueryResult<usize> {
    use crate::schema::{argus_telemetry_hourly as h, argus_telemetry_reading as r};
    let raw = diesel::delete(r::table.filter(r::time.lt(raw_before))).execute(conn)?;
    let hourly = diesel::delete(h::table.filter(h::hour.lt(hourly_before))).execute(conn)?;
    Ok(raw + hourly)
}

/// A row of `argus_telemetry_rule` (also the API's shape).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, Serialize, Deserialize)]
#[diesel(table_name = argus_telemetry_rule, check_for_backend(diesel::pg::Pg))]
pub struct Rule {
    pub id: i32,
    pub name: String,
    pub sensor: String,
    pub above: Option<f64>,
    pub below: Option<f64>,
    pub hold_seconds: i32,
    pub hysteresis: f64,
    pub action: String,
    pub alarm_sensor_id: Option<i32>,
    pub enabled: bool,
}

/// A rule to create or the new values of one.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset, Deserialize)]
#[diesel(table_name = argus_telemetry_rule, treat_none_as_null = true)]
pub struct NewRule {
    pub name: String,
    pub sensor: String,
    pub above: Option<f64>,
    pub below: Option<f64>,
    pub hold_seconds: i32,
    pub hysteresis: f64,
    pub action: String,
    pub alarm_sensor_id: Option<i32>,
    pub enabled: bool,
}

impl Rule {
    /// Every rule, by id.
    pub fn all(conn: &mut PgConnection) -> QueryResult<Vec<Self>> {
        argus_telemetry_rule::table
            .order(argus_telemetry_rule::id)
            .select(Self::as_select())
            .load(conn)
    }

    /// Creates a rule.
    pub fn create(conn: &mut PgConnection, rule: &NewRule) -> QueryResult<Self> {
        diesel::insert_into(argus_telemetry_rule::table)
            .values(rule)
            .returning(Self::as_returning())
            .get_result(conn)
    }

    /// Replaces rule `id`; `None` when there is none.
    pub fn update(conn: &mut PgConnection, id: i32, rule: &NewRule) -> QueryResult<Option<Self>> {
        diesel::update(argus_telemetry_rule::table.find(id))
            .set(rule)
            .returning(Self::as_returning())
            .get_result(conn)
            .optional()
    }

    /// Deletes rule `id`; whether there was one.
    pub fn delete(conn: &mut PgConnection, id: i32) -> QueryResult<bool> {
        diesel::delete(argus_telemetry_rule::table.find(id))
            .execute(conn)
            .map(|n| n > 0)
    }
}
