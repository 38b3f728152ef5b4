//! The modem's part of the REST API's tools: a test SMS or call to both
//! configured numbers and the SMS inbox, in ArPI's reply shapes.

use argus_protocol::Reply;
use serde_json::json;

use super::service::GsmHandle;

/// `notifications/gsm` (contract §6). Never logged: it holds the PIN and numbers.
#[derive(Clone, Default, serde::Deserialize)]
pub struct GsmOption {
    /// Notifications through the modem are on.
    pub enabled: bool,
    /// The SIM's PIN.
    pub pin_code: Option<String>,
    /// The first number.
    pub phone_number_1: Option<String>,
    /// The second number.
    pub phone_number_2: Option<String>,
}

/// ArPI's test SMS text.
pub const TEST_SMS: &str = "ArPI Test Message";
/// DTMF tones played in a test call.
pub const TEST_CALL_TONES: &str = "5";

/// A test SMS (or call) to each number: whether each went out (`None`
/// where no number is set). A test call counts when it was answered.
pub async fn test(
    gsm: &GsmHandle,
    option: &GsmOption,
    call: bool,
) -> Vec<(&'static str, Option<bool>)> {
    let mut sent = Vec::new();
    for (key, number) in [
        ("phone1", &option.phone_number_1),
        ("phone2", &option.phone_number_2),
    ] {
        let ok = match number.as_deref().filter(|n| !n.trim().is_empty()) {
            None => None,
            Some(number) if call => Some(gsm.call(number, TEST_CALL_TONES).await.is_ok()),
            Some(number) => Some(gsm.send_sms(number, TEST_SMS).await.is_ok()),
        };
        sent.push((key, ok));
    }
    sent
}

/// The messages on the SIM.
pub async fn list_sms(gsm: &GsmHandle) -> Reply {
    match gsm.list_sms().await {
        Ok(list) => Reply::ok_value(json!(list)),
        Err(e) => Reply::error(format!("Cannot read the SMS messages: {e}")),
    }
}

/// Deletes one message from the SIM.
pub async fn delete_sms(gsm: &GsmHandle, message_id: i64) -> Reply {
    let Ok(idx) = u32::try_from(message_id) else {
        return Reply::error("invalid message id");
    };
    match gsm.delete_sms(idx).await {
        Ok(()) => Reply::ok(),
        Err(e) => Reply::error(format!("Cannot delete the SMS message: {e}")),
    }
}
