//! The create / read / update skeleton every configuration object's routes
//! share (areas, zones, sensors, outputs): a create parses its body, is
//! checked, inserted and recorded inside [`configure`]; a read finds the
//! live row or 404s; an update merges the body into the editable fields, 204s
//! when nothing changed, else writes and records. Each object says only what
//! differs: its body types, its checks and its writes.

use diesel::pg::PgConnection;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::config::ServerConfig;
use crate::error::ApiError;
use crate::services::armed::NOT_ALLOWED;
use crate::services::changes::{configure, edit_entity, parse, record_change};
use crate::state::AppState;
use crate::store::transact;

/// A configuration object with create, read and update routes.
pub(crate) trait Entity: Sized + Send + 'static {
    /// The body of a create.
    type New: DeserializeOwned + Send + 'static;
    /// What an update may change; the body is merged into it.
    type Edit: Serialize + DeserializeOwned + PartialEq + Send + 'static;
    /// How events name it (`zone 3 updated`).
    const KIND: &'static str;
    /// How a 404 names it (`Zone not found`).
    const LABEL: &'static str;
    /// The 409 body while armed.
    const NOT_ALLOWED: &'static str = NOT_ALLOWED;

    /// The row, unless it is missing or deleted.
    fn lookup(conn: &mut PgConnection, id: i32) -> diesel::QueryResult<Option<Self>>;
    /// Its id.
    fn id(&self) -> i32;
    /// Its editable fields.
    fn edit_of(&self) -> Self::Edit;
    /// What a create body must pass before the armed check (a 400 wins
    /// over a 409).
    fn check_new(_new: &Self::New) -> Result<(), ApiError> {
        Ok(())
    }
    /// Checks and inserts a new row.
    fn insert(
        conn: &mut PgConnection,
        config: &ServerConfig,
        new: Self::New,
    ) -> Result<Self, ApiError>;
    /// Checks and writes a changed row; `before` is what it was.
    fn update(
        conn: &mut PgConnection,
        config: &ServerConfig,
        id: i32,
        edit: Self::Edit,
        before: &Self::Edit,
    ) -> Result<Self, ApiError>;
}

/// The live row, or 404 naming the object.
pub(crate) fn find<E: Entity>(conn: &mut PgConnection, id: i32) -> Result<E, ApiError> {
    E::lookup(conn, id)?.ok_or_else(|| ApiError::NotFound(format!("{} not found", E::LABEL)))
}

/// `POST …/`: the new row (the route answers 201 with its JSON).
pub(crate) async fn create<E: Entity>(
    state: &AppState,
    user_id: i64,
    body: Value,
) -> Result<E, ApiError> {
    let new: E::New = parse(body)?;
    E::check_new(&new)?;
    let config = state.config.clone();
    configure(state, E::NOT_ALLOWED, move |conn| {
        let row = E::insert(conn, &config, new)?;
        record_change(conn, user_id, &format!("{} {} created", E::KIND, row.id()))?;
        Ok(row)
    })
    .await
}

/// `GET …/<id>`.
pub(crate) async fn get<E: Entity>(state: &AppState, id: i32) -> Result<E, ApiError> {
    transact(&state.db, move |conn| find::<E>(conn, id)).await
}

/// `PUT …/<id>`: the updated row, or [`ApiError::NoChange`] (204).
pub(crate) async fn update<E: Entity>(
    state: &AppState,
    user_id: i64,
    id: i32,
    body: Value,
) -> Result<E, ApiError> {
    let config = state.config.clone();
    edit_entity(
        state,
        E::NOT_ALLOWED,
        body,
        move |conn| Ok(find::<E>(conn, id)?.edit_of()),
        move |conn, edit, before| {
            let row = E::update(conn, &config, id, edit, before)?;
            record_change(conn, user_id, &format!("{} {id} updated", E::KIND))?;
            Ok(row)
        },
    )
    .await
}
