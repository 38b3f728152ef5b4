//! JSON bodies with strings PostgreSQL cannot store: a NUL character
//! (`\u0000`, which `text` columns refuse) would fail deep in a query as a
//! 500; it is refused up front with 400 naming the field. Bodies without the
//! escape are passed on untouched and unparsed, so this costs a byte search.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, ResponseError};
use serde_json::Value;

use crate::error::ApiError;

/// The first field (a dotted path) whose key or string value holds a NUL.
pub fn nul_field(value: &Value) -> Option<String> {
    fn walk(value: &Value, path: &str) -> Option<String> {
        let here = || (if path.is_empty() { "body" } else { path }).to_owned();
        match value {
            Value::String(s) if s.contains('\0') => Some(here()),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, v)| walk(v, &format!("{path}[{i}]"))),
            Value::Object(map) => map.iter().find_map(|(k, v)| {
                let field = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if k.contains('\0') {
                    Some(field.replace('\0', "\\u0000"))
                } else {
                    walk(v, &field)
                }
            }),
            _ => None,
        }
    }
    walk(value, "")
}

/// Middleware: 400 `{"error": "Invalid character (NUL) in '<field>'"}`.
pub async fn refuse_nul(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let bytes = match req.extract::<web::Bytes>().await {
        Ok(bytes) => bytes,
        Err(e) => {
            let response = ApiError::BadRequest(format!("Invalid body: {e}")).error_response();
            return Ok(req.into_response(response).map_into_right_body());
        }
    };
    let escaped = bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000"));
    if escaped {
        if let Some(field) = serde_json::from_slice::<Value>(&bytes)
            .ok()
            .as_ref()
            .and_then(nul_field)
        {
            let error = ApiError::BadRequest(format!("Invalid character (NUL) in '{field}'"));
            let response = error.error_response();
            return Ok(req.into_response(response).map_into_right_body());
        }
    }
    req.set_payload(bytes.into());
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_field_holding_a_nul_is_named() {
        assert_eq!(nul_field(&json!({"name": "ok"})), None);
        assert_eq!(nul_field(&json!({"name": "a\u{0}b"})), Some("name".into()));
        assert_eq!(
            nul_field(&json!({"sms1": {"x": 1, "y": "\u{0}"}})),
            Some("sms1.y".into())
        );
        assert_eq!(
            nul_field(&json!([{"id": 1}, {"n": "\u{0}"}])),
            Some("[1].n".into())
        );
        assert_eq!(nul_field(&json!("\u{0}")), Some("body".into()));
    }
}
