//! `ApiError`: every failure a handler or guard can return, each mapped to an
//! explicit status and the contract's body. The one path from diesel's,
//! the monitor client's and the token guards' errors to a response; internal
//! causes are logged once, here, and never sent to the client.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use argus_protocol::constants::MONITOR_UNAVAILABLE;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde_json::json;

/// The cause behind a 500, kept for the log.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

/// A failed request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 404 `Invalid route` (text), as ArPI answers unknown routes.
    #[error("invalid route")]
    InvalidRoute,
    /// 400 `{"error": "…"}`: the request is invalid.
    #[error("{0}")]
    BadRequest(String),
    /// 401 `{"error":"Unauthorized"}`: a user acting on another user.
    #[error("Unauthorized")]
    Unauthorized,
    /// 403 `{"error": "…"}`: allowed to call, not to do this.
    #[error("{0}")]
    Forbidden(String),
    /// 404 `{"error": "…"}`: the object does not exist.
    #[error("{0}")]
    NotFound(String),
    /// 409 `{"error": "…"}`: the request conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// 204: nothing changed (ArPI's `No changes made`, which a 204 cannot carry).
    #[error("No changes made")]
    NoChange,
    /// 503 `{"message":"No response from monitoring service"}`.
    #[error("the monitor did not answer: {0}")]
    MonitorUnavailable(String),
    /// 503 `{"error":"database unavailable"}`: PostgreSQL is down or busy.
    #[error("database unavailable: {0}")]
    DatabaseUnavailable(String),
    /// A refusal whose contract body is not `{"error"}` (ArPI's shapes:
    /// `{"error", "reason"}` for a failed registration, `{"result",
    /// "message"}` for a test while armed, `null` for an unknown section).
    #[error("{0}: {1}")]
    Refused(StatusCode, serde_json::Value),
    /// A token guard refused the caller (403, or 401 for an expired token).
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// 500 `Error: internal error` (text); the cause is logged.
    #[error("internal error: {0}")]
    Internal(#[source] Cause),
}

impl ApiError {
    /// A real fault: 500, its cause logged and never sent.
    pub fn internal(cause: impl Into<Cause>) -> Self {
        Self::Internal(cause.into())
    }
}

/// Why a token guard refused a request (contract §4: ArPI's texts).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    /// 403 `missing device token`.
    #[error("missing device token")]
    MissingDevice,
    /// 403 `invalid device token`.
    #[error("invalid device token")]
    InvalidDevice,
    /// 403 `operation not permitted (missing token)`.
    #[error("operation not permitted (missing token)")]
    MissingUser,
    /// 403 `operation not permitted (wrong token)`.
    #[error("operation not permitted (wrong token)")]
    WrongToken,
    /// 401 `token expired`.
    #[error("token expired")]
    Expired,
    /// 403 `operation not permitted (role)`.
    #[error("operation not permitted (role)")]
    Role,
    /// 503: the server has no `SECRET`.
    #[error("authentication is not configured")]
    NoSecret,
    /// 401 `missing node token` (argus: remote nodes).
    #[error("missing node token")]
    MissingNode,
    /// 401 `invalid node token`: unknown, expired, revoked, or its node disabled.
    #[error("invalid node token")]
    InvalidNode,
    /// 403 `token of another node`: a node acting for another.
    #[error("token of another node")]
    OtherNode,
}

impl AuthError {
    fn status(&self) -> StatusCode {
        match self {
            Self::Expired | Self::MissingNode | Self::InvalidNode => StatusCode::UNAUTHORIZED,
            Self::NoSecret => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::FORBIDDEN,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::InvalidRoute => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::NoChange => StatusCode::NO_CONTENT,
            Self::MonitorUnavailable(_) | Self::DatabaseUnavailable(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::Auth(e) => e.status(),
            Self::Refused(status, _) => *status,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        match self {
            Self::InvalidRoute => response
                .content_type("text/html; charset=utf-8")
                .body("Invalid route"),
            Self::BadRequest(message)
            | Self::Forbidden(message)
            | Self::NotFound(message)
            | Self::Conflict(message) => response.json(json!({ "error": message })),
            Self::Unauthorized => response.json(json!({ "error": "Unauthorized" })),
            Self::Auth(e) => response.json(json!({ "error": e.to_string() })),
            Self::Refused(_, body) => response.json(body),
            Self::NoChange => response.finish(),
            Self::MonitorUnavailable(cause) => {
                tracing::warn!(error = %cause, "monitor unavailable");
                response.json(json!({ "message": MONITOR_UNAVAILABLE }))
            }
            Self::DatabaseUnavailable(cause) => {
                DATABASE_UNAVAILABLE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tracing::warn!(error = %cause, "database unavailable");
                response.json(json!({ "error": "database unavailable" }))
            }
            Self::Internal(cause) => {
                tracing::error!(error = %cause, source = ?cause.source(), "internal error");
                response
                    .content_type("text/html; charset=utf-8")
                    .body("Error: internal error")
            }
        }
    }
}

/// Answers refused with 503 because PostgreSQL did not answer (`/metrics`).
pub static DATABASE_UNAVAILABLE: std::sync::atomic::AtomicU64 =
    std::sync::atomic::AtomicU64::new(0);

impl From<DieselError> for ApiError {
    /// Constraint violations are the client's fault (409), never a 500; a lost
    /// connection is the database being unavailable (503).
    fn from(e: DieselError) -> Self {
        match &e {
            DieselError::NotFound => Self::NotFound("Not found".into()),
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                Self::Conflict(format!(
                    "Referenced by or referring to another object ({})",
                    info.constraint_name().unwrap_or("constraint")
                ))
            }
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                Self::Conflict(format!(
                    "Already exists ({})",
                    info.constraint_name().unwrap_or("constraint")
                ))
            }
            DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _,
            ) => Self::DatabaseUnavailable(e.to_string()),
            _ => Self::internal(e),
        }
    }
}

impl From<crate::ipc_client::IpcError> for ApiError {
    fn from(e: crate::ipc_client::IpcError) -> Self {
        Self::MonitorUnavailable(e.to_string())
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::internal(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    fn parts(e: ApiError) -> (u16, String) {
        let r = e.error_response();
        let status = r.status().as_u16();
        let body = r.into_body().try_into_bytes().unwrap_or_default();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    #[test]
    fn every_variant_has_its_status_and_body() {
        assert_eq!(parts(ApiError::InvalidRoute), (404, "Invalid route".into()));
        assert_eq!(
            parts(ApiError::BadRequest("Unknown arm type (x)".into())),
            (400, r#"{"error":"Unknown arm type (x)"}"#.into())
        );
        assert_eq!(
            parts(ApiError::MonitorUnavailable("refused".into())),
            (
                503,
                r#"{"message":"No response from monitoring service"}"#.into()
            )
        );
        assert_eq!(
            parts(ApiError::DatabaseUnavailable("x".into())),
            (503, r#"{"error":"database unavailable"}"#.into())
        );
        assert_eq!(
            parts(ApiError::Unauthorized),
            (401, r#"{"error":"Unauthorized"}"#.into())
        );
        assert_eq!(
            parts(ApiError::Forbidden("Not authorized".into())),
            (403, r#"{"error":"Not authorized"}"#.into())
        );
        assert_eq!(
            parts(ApiError::NotFound("Card not found".into())),
            (404, r#"{"error":"Card not found"}"#.into())
        );
        assert_eq!(
            parts(ApiError::Conflict(
                "Channel conflict with existing sensors".into()
            )),
            (
                409,
                r#"{"error":"Channel conflict with existing sensors"}"#.into()
            )
        );
        assert_eq!(parts(ApiError::NoChange), (204, String::new()));
        assert_eq!(
            parts(ApiError::Refused(
                StatusCode::FORBIDDEN,
                json!({"result": false, "message": "Testing is not allowed currently."})
            )),
            (
                403,
                r#"{"message":"Testing is not allowed currently.","result":false}"#.into()
            )
        );
        assert_eq!(
            parts(ApiError::Auth(AuthError::Expired)),
            (401, r#"{"error":"token expired"}"#.into())
        );
        assert_eq!(
            parts(ApiError::Auth(AuthError::Role)),
            (403, r#"{"error":"operation not permitted (role)"}"#.into())
        );
        let (status, body) = parts(ApiError::internal("secret detail"));
        assert_eq!((status, body.as_str()), (500, "Error: internal error"));
    }
}
