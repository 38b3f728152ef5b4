//! `argus_node` and its satellites: remote nodes, their tokens (kept as
//! SHA-256), the mapping of their inputs to sensors, and every input change
//! they reported, stored once per (node, sequence number).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::schema::{argus_node, argus_node_event, argus_node_input, argus_node_token};

/// A row of `argus_node`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = argus_node, check_for_backend(diesel::pg::Pg))]
pub struct NodeRow {
    pub id: i32,
    pub name: String,
    pub description: Option<String>,
    pub imei: Option<String>,
    pub heartbeat_seconds: i32,
    pub timeout_seconds: i32,
    pub last_seen: Option<DateTime<Utc>>,
    pub last_address: Option<String>,
    pub firmware: Option<String>,
    pub enabled: bool,
    pub created: DateTime<Utc>,
    pub mqtt_availability: Option<String>,
}

/// A node to register.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = argus_node)]
pub struct NewNode<'a> {
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub imei: Option<&'a str>,
    pub heartbeat_seconds: i32,
    pub timeout_seconds: i32,
    pub mqtt_availability: Option<&'a str>,
}

/// An input mapped to a sensor.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = argus_node_input, check_for_backend(diesel::pg::Pg))]
pub struct NodeInput {
    pub node_id: i32,
    pub input: String,
    pub sensor_id: i32,
    /// The MQTT topic this input is read from, if it comes by MQTT.
    pub mqtt_topic: Option<String>,
    /// Where the state is in a JSON payload (`/contact`).
    pub json_pointer: Option<String>,
    /// The payload (or pointed value) that means active; other values idle.
    pub active_value: Option<String>,
}

/// One reported input change.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = argus_node_event, check_for_backend(diesel::pg::Pg))]
pub struct NodeEventRow {
    pub id: i64,
    pub node_id: i32,
    pub seq: i64,
    pub input: String,
    pub state: String,
    pub time: DateTime<Utc>,
    pub received: DateTime<Utc>,
    pub source: String,
}

/// A change to store.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = argus_node_event)]
pub struct NewNodeEvent<'a> {
    pub node_id: i32,
    pub seq: i64,
    pub input: &'a str,
    pub state: &'a str,
    pub time: DateTime<Utc>,
    pub source: &'a str,
}

/// The hex SHA-256 a token is stored as.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl NodeRow {
    /// Every node, by id.
    pub fn all(conn: &mut PgConnection) -> QueryResult<Vec<Self>> {
        argus_node::table
            .order(argus_node::id)
            .select(Self::as_select())
            .load(conn)
    }

    /// The node with this id.
    pub fn find(conn: &mut PgConnection, id: i32) -> QueryResult<Option<Self>> {
        argus_node::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// The node a RockBLOCK modem speaks for.
    pub fn by_imei(conn: &mut PgConnection, imei: &str) -> QueryResult<Option<Self>> {
        argus_node::table
            .filter(argus_node::imei.eq(imei))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// Registers a node.
    pub fn create(conn: &mut PgConnection, node: &NewNode<'_>) -> QueryResult<Self> {
        diesel::insert_into(argus_node::table)
            .values(node)
            .returning(Self::as_returning())
            .get_result(conn)
    }

    /// Issues a token (stored hashed) valid until `expires`.
    pub fn add_token(
        conn: &mut PgConnection,
        node: i32,
        token: &str,
        expires: DateTime<Utc>,
    ) -> QueryResult<()> {
        diesel::insert_into(argus_node_token::table)
            .values((
                argus_node_token::node_id.eq(node),
                argus_node_token::token_hash.eq(token_hash(token)),
                argus_node_token::expires.eq(expires),
            ))
            .execute(conn)
            .map(drop)
    }

    /// Revokes every token of `node`; how many were live.
    pub fn revoke_tokens(
        conn: &mut PgConnection,
        node: i32,
        now: DateTime<Utc>,
    ) -> QueryResult<usize> {
        diesel::update(
            argus_node_token::table
                .filter(argus_node_token::node_id.eq(node))
                .filter(argus_node_token::revoked.is_null()),
        )
        .set(argus_node_token::revoked.eq(now))
        .execute(conn)
    }

    /// The enabled node `token` is a live token of, at `now`.
    pub fn by_token(
        conn: &mut PgConnection,
        token: &str,
        now: DateTime<Utc>,
    ) -> QueryResult<Option<Self>> {
        argus_node::table
            .inner_join(argus_node_token::table)
            .filter(argus_node_token::token_hash.eq(token_hash(token)))
            .filter(argus_node_token::revoked.is_null())
            .filter(argus_node_token::expires.gt(now))
            .filter(argus_node::enabled)
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// Every live token's hash and expiry, by node (the monitor checks
    /// WebSocket logins against these without the database).
    pub fn live_tokens(
        conn: &mut PgConnection,
        now: DateTime<Utc>,
    ) -> QueryResult<Vec<(i32, String, DateTime<Utc>)>> {
        argus_node_token::table
            .filter(argus_node_token::revoked.is_null())
            .filter(argus_node_token::expires.gt(now))
            .select((
                argus_node_token::node_id,
                argus_node_token::token_hash,
                argus_node_token::expires,
            ))
            .load(conn)
    }

    /// Notes a sign of life.
    pub fn seen(
        conn: &mut PgConnection,
        node: i32,
        at: DateTime<Utc>,
        address: Option<&str>,
    ) -> QueryResult<()> {
        diesel::update(argus_node::table.find(node))
            .set((
                argus_node::last_seen.eq(at),
                argus_node::last_address.eq(address),
            ))
            .execute(conn)
            .map(drop)
    }

    /// Replaces the node's input map.
    pub fn set_inputs(conn: &mut PgConnection, node: i32, inputs: &[NodeInput]) -> QueryResult<()> {
        diesel::delete(argus_node_input::table.filter(argus_node_input::node_id.eq(node)))
            .execute(conn)?;
        diesel::insert_into(argus_node_input::table)
            .values(inputs)
            .execute(conn)
            .map(drop)
    }

    /// Every node's inputs.
    pub fn inputs(conn: &mut PgConnection) -> QueryResult<Vec<NodeInput>> {
        argus_node_input::table
            .order((argus_node_input::node_id, argus_node_input::input))
            .select(NodeInput::as_select())
            .load(conn)
    }
}

impl NodeEventRow {
    /// Stores `events`; a (node, seq) already stored is left alone. Returns
    /// the ids and sequence numbers of those that were new.
    pub fn store(
        conn: &mut PgConnection,
        events: &[NewNodeEvent<'_>],
    ) -> QueryResult<Vec<(i64, i64)>> {
        diesel::insert_into(argus_node_event::table)
            .values(events)
            .on_conflict_do_nothing()
            .returning((argus_node_event::id, argus_node_event::seq))
            .get_results(conn)
    }

    /// Stores `events` of one node and, when any was new, queues one job of
    /// `kind` naming them (`{"events": [ids]}`), in one statement: one
    /// round trip and one commit per delivery. Returns the ids and sequence
    /// numbers of those that were new; a (node, seq) already stored is left
    /// alone.
    pub fn store_queued(
        conn: &mut PgConnection,
        events: &[NewNodeEvent<'_>],
        kind: &str,
    ) -> QueryResult<Vec<(i64, i64)>> {
        use diesel::sql_types::{Array, BigInt, Integer, Text, Timestamptz};
        #[derive(QueryableByName)]
        struct Stored {
            #[diesel(sql_type = BigInt)]
            id: i64,
            #[diesel(sql_type = BigInt)]
            seq: i64,
        }
        let column = |f: fn(&NewNodeEvent<'_>) -> String| events.iter().map(f).collect::<Vec<_>>();
        let stored: Vec<Stored> = diesel::sql_query(
            "WITH e AS ( \
                 INSERT INTO argus_node_event (node_id, seq, input, state, time, source) \
                 SELECT n, s, i, st, t, src FROM unnest($1::int4[], $2::int8[], $3::text[], \
                     $4::text[], $5::timestamptz[], $6::text[]) AS x(n, s, i, st, t, src) \
                 ON CONFLICT DO NOTHING RETURNING id, seq), \
             j AS ( \
                 INSERT INTO argus_job (kind, payload) \
                 SELECT $7, json_build_object('events', json_agg(id ORDER BY id))::text \
                 FROM e HAVING count(*) > 0) \
             SELECT id, seq FROM e",
        )
        .bind::<Array<Integer>, _>(events.iter().map(|e| e.node_id).collect::<Vec<_>>())
        .bind::<Array<BigInt>, _>(events.iter().map(|e| e.seq).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(column(|e| e.input.to_owned()))
        .bind::<Array<Text>, _>(column(|e| e.state.to_owned()))
        .bind::<Array<Timestamptz>, _>(events.iter().map(|e| e.time).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(column(|e| e.source.to_owned()))
        .bind::<Text, _>(kind)
        .load(conn)?;
        Ok(stored.into_iter().map(|s| (s.id, s.seq)).collect())
    }

    /// Forgets changes received before `before`; how many went.
    pub fn prune(conn: &mut PgConnection, before: DateTime<Utc>) -> QueryResult<usize> {
        diesel::delete(argus_node_event::table.filter(argus_node_event::received.lt(before)))
            .execute(conn)
    }

    /// The events with these ids, in sequence order.
    pub fn by_ids(conn: &mut PgConnection, ids: &[i64]) -> QueryResult<Vec<Self>> {
        argus_node_event::table
            .filter(argus_node_event::id.eq_any(ids))
            .order((argus_node_event::node_id, argus_node_event::seq))
            .select(Self::as_select())
            .load(conn)
    }
}
