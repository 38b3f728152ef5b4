//! What every configuration write shares: one transaction behind the "not
//! while armed" rule (409) with its `config_change` event, merging a partial
//! camelCase (or snake_case) body into an entity, the `uiOrder` reorder, and
//! telling the monitor to reload.

use argus_db::models::OptionRow;
use argus_protocol::Command;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::services::armed::ensure_disarmed;
use crate::state::AppState;
use crate::store::{query, transact};
use diesel::pg::PgConnection;

/// Tells the monitor to reload its configuration. The change is already
/// committed, and the monitor also loads it when it starts, so an unreachable
/// monitor is logged, not reported as a failed write.
pub async fn reload_monitor(state: &AppState) {
    if let Err(e) = state.monitor.call(Command::MonitorUpdateConfig).await {
        tracing::warn!(error = %e, "monitor not told to reload its configuration");
    }
}

/// Records a `config_change` event in the same transaction as the change.
/// `detail` names the object (`sensor 3 updated`), never a value.
pub fn record_change(
    conn: &mut diesel::pg::PgConnection,
    user_id: i64,
    detail: &str,
) -> Result<(), ApiError> {
    argus_db::records::record_event(
        conn,
        chrono::Utc::now(),
        "config_change",
        i32::try_from(user_id).ok(),
        None,
        Some("rest"),
        None,
        Some(detail),
    )?;
    Ok(())
}

/// `snake_case` → `camelCase` (ArPI accepts both on entity PUTs).
pub fn camel(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The request body as a JSON object, or 400.
pub fn object(body: &Value) -> Result<&Map<String, Value>, ApiError> {
    body.as_object()
        .ok_or_else(|| ApiError::BadRequest("Expected a JSON object".into()))
}

/// Applies the keys of `body` that name a field of `T` (camelCase or
/// snake_case) to `current`; other keys are ignored, as ArPI's
/// `update_record` does. A value of the wrong type is a 400.
pub fn merge<T: Serialize + DeserializeOwned>(current: &T, body: &Value) -> Result<T, ApiError> {
    let mut fields = match serde_json::to_value(current) {
        Ok(Value::Object(map)) => map,
        _ => return Err(ApiError::internal("entity is not an object")),
    };
    for (key, value) in object(body)? {
        let key = camel(key);
        if let Some(slot) = fields.get_mut(&key) {
            *slot = value.clone();
        }
    }
    serde_json::from_value(Value::Object(fields))
        .map_err(|e| ApiError::BadRequest(format!("Invalid field value: {e}")))
}

/// Parses a create body into `T`, naming the missing or invalid field.
pub fn parse<T: DeserializeOwned>(body: Value) -> Result<T, ApiError> {
    let body = match body {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (camel(&k), v))
                .collect::<Map<_, _>>(),
        ),
        _ => return Err(ApiError::BadRequest("Expected a JSON object".into())),
    };
    serde_json::from_value(body).map_err(|e| ApiError::BadRequest(format!("Invalid request: {e}")))
}

/// A configuration change: 409 while armed, `change` in one transaction,
/// then the monitor reloads. Every create, update and delete goes through it.
pub async fn configure<R: Send + 'static>(
    state: &AppState,
    not_allowed: &str,
    change: impl FnOnce(&mut PgConnection) -> Result<R, ApiError> + Send + 'static,
) -> Result<R, ApiError> {
    ensure_disarmed(state, not_allowed).await?;
    let done = transact(&state.db, change).await?;
    reload_monitor(state).await;
    Ok(done)
}

/// The shape of every entity PUT, a [`configure`]: read the editable fields
/// (`current`), merge the body into them, 204 when nothing changed, else
/// `write` the result (which validates, stores and records).
pub async fn edit_entity<E, R>(
    state: &AppState,
    not_allowed: &str,
    body: Value,
    current: impl FnOnce(&mut PgConnection) -> Result<E, ApiError> + Send + 'static,
    write: impl FnOnce(&mut PgConnection, E, &E) -> Result<R, ApiError> + Send + 'static,
) -> Result<R, ApiError>
where
    E: Serialize + DeserializeOwned + PartialEq + Send + 'static,
    R: Send + 'static,
{
    configure(state, not_allowed, move |conn| {
        let before = current(conn)?;
        let after = merge(&before, &body)?;
        if after == before {
            return Err(ApiError::NoChange);
        }
        write(conn, after, &before)
    })
    .await
}

/// ArPI's `return ""`: 200 with an empty text body.
pub fn empty_ok() -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .finish()
}

/// One element of a `PUT …/reorder` body.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// The object.
    pub id: i32,
    /// Its new position.
    pub ui_order: Option<i32>,
}

/// A name within `max` characters, as ArPI's validators word it.
pub fn check_name(name: &str, max: usize) -> Result<(), ApiError> {
    let len = name.chars().count();
    if len > max {
        return Err(ApiError::BadRequest(format!(
            "Incorrect 'name' field length ({len})"
        )));
    }
    Ok(())
}

/// The stored JSON of an option, if any (unparsable text counts as none).
pub async fn stored_option(
    state: &AppState,
    name: &'static str,
    section: &'static str,
) -> Result<Option<Value>, ApiError> {
    let row = query(&state.db, move |conn| OptionRow::find(conn, name, section)).await?;
    Ok(row
        .and_then(|r| r.value)
        .and_then(|v| serde_json::from_str(&v).ok()))
}

/// Writes the `ui_order` of each listed row of a table; unknown ids are
/// ignored. Shared by every `…/reorder` route.
macro_rules! reorder {
    ($state:expr, $body:expr, $table:ident) => {{
        let orders: Vec<$crate::services::changes::Order> =
            serde_json::from_value($body).map_err(|e| {
                $crate::error::ApiError::BadRequest(format!("Expected [{{id, uiOrder}}]: {e}"))
            })?;
        $crate::store::transact($state, move |conn| {
            for o in orders {
                diesel::update($table::table.find(o.id))
                    .set($table::ui_order.eq(o.ui_order))
                    .execute(conn)?;
            }
            Ok(())
        })
        .await?;
        Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .finish())
    }};
}
pub(crate) use reorder;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Thing {
        name: String,
        away_delay: Option<i32>,
    }

    #[test]
    fn merge_takes_both_cases_and_ignores_other_keys() {
        let t = Thing {
            name: "a".into(),
            away_delay: None,
        };
        let merged = merge(&t, &json!({"away_delay": 5, "id": 9, "alert": true})).unwrap();
        assert_eq!(merged.away_delay, Some(5));
        let merged = merge(&t, &json!({"name": "b"})).unwrap();
        assert_eq!(merged.name, "b");
        assert_eq!(merge(&t, &json!({})).unwrap(), t);
    }

    #[test]
    fn merge_refuses_wrong_types_and_non_objects() {
        let t = Thing {
            name: "a".into(),
            away_delay: None,
        };
        assert!(matches!(
            merge(&t, &json!({"awayDelay": "x"})),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(
            merge(&t, &json!([1])),
            Err(ApiError::BadRequest(_))
        ));
    }

    #[test]
    fn names_are_counted_in_characters() {
        assert!(check_name("ééééé", 5).is_ok());
        let Err(ApiError::BadRequest(m)) = check_name("abcdef", 5) else {
            panic!("accepted")
        };
        assert_eq!(m, "Incorrect 'name' field length (6)");
    }
}
