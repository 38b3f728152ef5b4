//! Talking to the monitor: the IPC command a request names, and the monitor's
//! reply as the contract's response.

use actix_web::HttpResponse;
use argus_protocol::ipc::ArmRequest;
use argus_protocol::{Command, Reply};
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::state::AppState;

/// ArPI's `process_ipc_response`: `message`, `value` and `other` merged into
/// one object; 200 on success. A refusal of what the request asked for
/// ([`Reply::invalid`]) is 400 `{"error"}`, one the system's state refuses
/// ([`Reply::conflict`], e.g. notifications not enabled) 409 `{"error"}`. An arm refused for open sensors is 409 with
/// their list; any other refusal 500 with the merged body, as ArPI.
pub fn ipc_response(reply: Reply) -> Result<HttpResponse, ApiError> {
    if reply.is_invalid() {
        return Err(ApiError::BadRequest(reply.message.unwrap_or_default()));
    }
    if reply.is_conflict() {
        return Err(ApiError::Conflict(reply.message.unwrap_or_default()));
    }
    let message = reply.message.filter(|m| !m.is_empty());
    let mut body = Map::new();
    if let Some(m) = &message {
        body.insert("message".into(), m.clone().into());
    }
    for part in [reply.value, reply.other].into_iter().flatten() {
        match part {
            Value::Object(o) => body.extend(o),
            other => {
                body.insert("value".into(), other);
            }
        }
    }
    Ok(if reply.result {
        HttpResponse::Ok().json(Value::Object(body))
    } else if body.contains_key("open_sensors") {
        // The monitor's message names the first open sensors.
        let error = message.unwrap_or_else(|| "Sensors are open".into());
        body.insert("error".into(), error.into());
        HttpResponse::Conflict().json(Value::Object(body))
    } else {
        HttpResponse::InternalServerError().json(Value::Object(body))
    })
}

/// The monitoring state a `monitor_get_state` reply names (`""` if none).
pub fn monitoring_state(reply: &Reply) -> &str {
    reply
        .value
        .as_ref()
        .and_then(|v| v.get("state"))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// Sends `command` to the monitor and answers with its reply
/// ([`ipc_response`]); 503 when the monitor does not answer.
pub async fn ask(state: &AppState, command: Command) -> Result<HttpResponse, ApiError> {
    ipc_response(state.monitor.call(command).await?)
}

/// The IPC command for `type=arm_away|arm_stay`, or 400 (ArPI: 503).
pub fn arm_command(arm_type: Option<&str>, request: ArmRequest) -> Result<Command, ApiError> {
    match arm_type {
        Some("arm_away") => Ok(Command::MonitorArmAway(request)),
        Some("arm_stay") => Ok(Command::MonitorArmStay(request)),
        Some(other) => Err(ApiError::BadRequest(format!(
            "Unknown arm type ({other}): use type=arm_away or type=arm_stay"
        ))),
        None => Err(ApiError::BadRequest(
            "Missing arm type: use type=arm_away or type=arm_stay".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;
    use serde_json::json;

    fn body(r: Result<HttpResponse, ApiError>) -> (u16, Value) {
        let r = r.unwrap_or_else(|e| actix_web::ResponseError::error_response(&e));
        let status = r.status().as_u16();
        let bytes = r.into_body().try_into_bytes().unwrap_or_default();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    #[test]
    fn replies_are_merged_as_arpi_does() {
        assert_eq!(body(ipc_response(Reply::ok())), (200, json!({})));
        assert_eq!(
            body(ipc_response(Reply::invalid("unknown time zone"))),
            (400, json!({"error": "unknown time zone"}))
        );
        assert_eq!(
            body(ipc_response(Reply::conflict(
                "GSM notifications are not enabled"
            ))),
            (409, json!({"error": "GSM notifications are not enabled"}))
        );
        assert_eq!(
            body(ipc_response(Reply::ok_value(
                json!({"state": "monitoring_ready"})
            ))),
            (200, json!({"state": "monitoring_ready"}))
        );
        let open = json!([{"id": 3, "name": "Kitchen", "channel": 3}]);
        let refused = Reply {
            result: false,
            message: Some("Arming refused: sensors are open: Kitchen (CH04)".into()),
            value: Some(json!({ "open_sensors": open })),
            other: None,
        };
        assert_eq!(
            body(ipc_response(refused)),
            (
                409,
                json!({"message": "Arming refused: sensors are open: Kitchen (CH04)",
                       "open_sensors": open,
                       "error": "Arming refused: sensors are open: Kitchen (CH04)"})
            )
        );
        let test = Reply {
            result: false,
            message: Some("Error in SMS sending!".into()),
            value: None,
            other: Some(json!({"phone1": false})),
        };
        assert_eq!(
            body(ipc_response(test)),
            (
                500,
                json!({"message": "Error in SMS sending!", "phone1": false})
            )
        );
    }
}
