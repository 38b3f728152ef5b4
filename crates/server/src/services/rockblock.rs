//! RockBLOCK's MO webhook, pure: a delivery in either of its formats
//! (`application/x-www-form-urlencoded`, properly URL-decoded, or JSON;
//! extra fields accepted), its hex payload, argus's satellite message
//! format, and the RS256 JWT Rock7 signs deliveries with.
//!
//! The payload, after hex decoding, is ASCII: `AR1` then `;seq:input=state`
//! per change, e.g. `AR1;41:gate=open;42:pir=idle`. A bare `AR1` is a
//! heartbeat. Each change carries its own sequence number (the modem's
//! `momsn` wraps at 65535, so it cannot number changes for long).

use std::collections::BTreeMap;

use argus_db::models::NewRockblockMessage;
use argus_protocol::nodes::{EventBatch, InputState, NodeEvent, MAX_BATCH};
use base64::Engine as _;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use serde_json::Value;
use sha2::Sha256;

/// The most bytes an MO message carries.
pub const MO_LIMIT: usize = 340;

/// A delivery, as RockBLOCK sent it.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The row to store.
    pub message: NewRockblockMessage,
    /// The `JWT` field, if any.
    pub jwt: Option<String>,
}

fn fields_of_form(body: &[u8]) -> Result<BTreeMap<String, String>, String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .map(|pairs| pairs.into_iter().collect())
        .map_err(|e| format!("form body: {e}"))
}

fn fields_of_json(body: &[u8]) -> Result<BTreeMap<String, String>, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("JSON body: {e}"))?;
    let Value::Object(object) = value else {
        return Err("JSON body: an object is expected".into());
    };
    Ok(object
        .into_iter()
        .filter_map(|(k, v)| match v {
            Value::String(s) => Some((k, s)),
            Value::Number(n) => Some((k, n.to_string())),
            _ => None,
        })
        .collect())
}

/// A delivery from its body; `json` when the content type says so.
pub fn parse(body: &[u8], json: bool) -> Result<Delivery, String> {
    let fields = if json {
        fields_of_json(body)?
    } else {
        fields_of_form(body)?
    };
    let field = |name: &str| {
        fields
            .get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let required = |name: &str| field(name).ok_or_else(|| format!("{name} is required"));
    let imei = required("imei")?;
    if imei.len() != 15 || !imei.bytes().all(|b| b.is_ascii_digit()) {
        return Err("imei: 15 digits".into());
    }
    let momsn: i32 = required("momsn")?
        .parse()
        .ok()
        .filter(|m| (0..=65_535).contains(m))
        .ok_or("momsn: 0 to 65535")?;
    let transmit_time = required("transmit_time")?;
    if transmit_time.len() > 32 {
        return Err("transmit_time: too long".into());
    }
    let data = field("data").unwrap_or_default();
    if data.len() > 2 * MO_LIMIT {
        return Err(format!("data: at most {MO_LIMIT} bytes"));
    }
    let number = |name: &str| {
        field(name)
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| v.is_finite())
    };
    Ok(Delivery {
        message: NewRockblockMessage {
            imei,
            momsn,
            transmit_time,
            serial: field("serial").filter(|s| s.len() <= 32),
            data,
            iridium_latitude: number("iridium_latitude"),
            iridium_longitude: number("iridium_longitude"),
            iridium_cep: number("iridium_cep"),
        },
        jwt: field("JWT").or_else(|| field("jwt")),
    })
}

/// Hex (either case) as bytes.
pub fn decode_hex(hex: &str) -> Result<Vec<u8>, String> {
    if !hex.len().is_multiple_of(2) {
        return Err("data: an odd number of hex digits".into());
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(|| "data: not hex".to_owned())
        })
        .collect()
}

/// argus's satellite message as node events (none: a heartbeat).
pub fn events(payload: &[u8]) -> Result<EventBatch, String> {
    let text = std::str::from_utf8(payload).map_err(|_| "payload: not text")?;
    let mut parts = text.trim().split(';');
    if parts.next() != Some("AR1") {
        return Err("payload: not an argus message (AR1;…)".into());
    }
    let mut events = Vec::new();
    for part in parts.filter(|p| !p.is_empty()) {
        let (seq, change) = part
            .split_once(':')
            .ok_or("payload: seq:input=state expected")?;
        let (input, state) = change
            .split_once('=')
            .ok_or("payload: input=state expected")?;
        events.push(NodeEvent {
            seq: seq.parse().map_err(|_| format!("payload: seq '{seq}'"))?,
            input: input.to_owned(),
            state: InputState::parse(state).ok_or_else(|| format!("payload: state '{state}'"))?,
            time: None,
        });
        if events.len() > MAX_BATCH {
            return Err("payload: too many changes".into());
        }
    }
    let batch = EventBatch { events };
    if !batch.events.is_empty() {
        batch.check()?;
    }
    Ok(batch)
}

fn segment(part: &str) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| "JWT: not base64url".to_owned())
}

/// Checks `jwt` against Rock7's RSA public key (PEM): an RS256 signature,
/// issuer `Rock 7`, and the same imei and momsn as the delivery it came with.
pub fn verify_jwt(
    jwt: &str,
    public_key_pem: &str,
    delivery: &NewRockblockMessage,
) -> Result<(), String> {
    let key = rsa::RsaPublicKey::from_public_key_pem(public_key_pem.trim())
        .map_err(|e| format!("the configured RockBLOCK key: {e}"))?;
    let mut parts = jwt.split('.');
    let (Some(header), Some(claims), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("JWT: three parts expected".into());
    };
    let head: Value = serde_json::from_slice(&segment(header)?).map_err(|_| "JWT: header")?;
    if head.get("alg").and_then(Value::as_str) != Some("RS256") {
        return Err("JWT: RS256 expected".into());
    }
    let signature =
        Signature::try_from(segment(signature)?.as_slice()).map_err(|_| "JWT: signature")?;
    VerifyingKey::<Sha256>::new(key)
        .verify(format!("{header}.{claims}").as_bytes(), &signature)
        .map_err(|_| "JWT: the signature does not verify")?;
    let claims: Value = serde_json::from_slice(&segment(claims)?).map_err(|_| "JWT: claims")?;
    let text = |name: &str| match claims.get(name) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    if text("iss").as_deref() != Some("Rock 7") {
        return Err("JWT: issuer is not Rock 7".into());
    }
    if text("imei").as_deref() != Some(delivery.imei.as_str())
        || text("momsn") != Some(delivery.momsn.to_string())
    {
        return Err("JWT: signed for another message".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // RockBLOCK's documented example fields, the transmit time URL-encoded as Paikea saw it.
    const FORM: &[u8] = b"imei=300234010753370&momsn=12345&transmit_time=21-10-31%2010%3A41%3A50\
        &iridium_latitude=52.3867&iridium_longitude=0.2938&iridium_cep=9.0&serial=12345\
        &device_type=ROCKBLOCK&data=4152313b343a646f6f723d6f70656e";

    #[test]
    fn a_form_delivery_is_url_decoded_and_extra_fields_are_accepted() {
        let d = parse(FORM, false).unwrap();
        assert_eq!(d.message.imei, "300234010753370");
        assert_eq!(d.message.momsn, 12345);
        assert_eq!(
            d.message.transmit_time, "21-10-31 10:41:50",
            "decoded, once"
        );
        assert_eq!(d.message.iridium_cep, Some(9.0));
        assert_eq!(d.message.serial.as_deref(), Some("12345"));
        let events = events(&decode_hex(&d.message.data).unwrap()).unwrap();
        assert_eq!(events.events.len(), 1);
        assert_eq!(
            (events.events[0].seq, events.events[0].input.as_str()),
            (4, "door")
        );
        assert_eq!(events.events[0].state, InputState::Active);
    }

    #[test]
    fn a_json_delivery_with_numbers_reads_the_same() {
        let json = br#"{"imei":"300234010753370","momsn":12345,"transmit_time":"21-10-31 10:41:50",
            "iridium_latitude":52.3867,"iridium_longitude":0.2938,"iridium_cep":9,"serial":12345,
            "data":"4152313b343a646f6f723d6f70656e","JWT":"a.b.c"}"#;
        let d = parse(json, true).unwrap();
        assert_eq!(d.message, parse(FORM, false).unwrap().message);
        assert_eq!(d.jwt.as_deref(), Some("a.b.c"));
    }

    #[test]
    fn deliveries_and_payloads_that_cannot_be_read_say_why() {
        assert!(parse(b"momsn=1&transmit_time=x", false)
            .unwrap_err()
            .contains("imei"));
        assert!(parse(b"imei=12&momsn=1&transmit_time=x", false)
            .unwrap_err()
            .contains("15 digits"));
        assert!(parse(b"imei=300234010753370&momsn=70000&transmit_time=x", false).is_err());
        assert!(parse(b"[1]", true).is_err());
        assert!(decode_hex("4").is_err());
        assert!(decode_hex("zz").is_err());
        assert_eq!(decode_hex("41Ff").unwrap(), [0x41, 0xff]);
        assert!(
            events(b"PK001;lat:1").is_err(),
            "Paikea's own format is not argus's"
        );
        assert!(events(b"AR1;x:door=open").is_err());
        assert!(events(b"AR1;1:door=ajar").is_err());
        assert!(events(b"AR1").unwrap().events.is_empty(), "a heartbeat");
        let long = format!("data={}", "00".repeat(MO_LIMIT + 1));
        assert!(parse(
            format!("imei=300234010753370&momsn=1&transmit_time=x&{long}").as_bytes(),
            false
        )
        .unwrap_err()
        .contains("340"));
    }

    fn signed(key: &rsa::RsaPrivateKey, header: &str, claims: &Value) -> String {
        use rsa::signature::{SignatureEncoding, Signer};
        let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
        let input = format!(
            "{}.{}",
            b64(header.as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let signature =
            rsa::pkcs1v15::SigningKey::<Sha256>::new(key.clone()).sign(input.as_bytes());
        format!("{input}.{}", b64(&signature.to_bytes()))
    }

    #[test]
    fn the_jwt_must_be_rock7s_and_for_this_message() {
        use rsa::pkcs8::{EncodePublicKey, LineEnding};
        let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 1024).unwrap();
        let pem = key
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap();
        let d = parse(FORM, false).unwrap().message;
        let claims = serde_json::json!({"iss": "Rock 7", "imei": d.imei, "momsn": 12345});
        let good = signed(&key, r#"{"alg":"RS256","typ":"JWT"}"#, &claims);
        assert_eq!(verify_jwt(&good, &pem, &d), Ok(()));

        let mut tampered = good.clone();
        tampered.insert(good.find('.').unwrap() + 2, 'x');
        assert!(verify_jwt(&tampered, &pem, &d).is_err());
        let other = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 1024).unwrap();
        assert!(verify_jwt(&signed(&other, r#"{"alg":"RS256"}"#, &claims), &pem, &d).is_err());
        let none = signed(&key, r#"{"alg":"none"}"#, &claims);
        assert!(verify_jwt(&none, &pem, &d).unwrap_err().contains("RS256"));
        let replay = signed(
            &key,
            r#"{"alg":"RS256"}"#,
            &serde_json::json!({"iss": "Rock 7", "imei": d.imei, "momsn": 1}),
        );
        assert!(verify_jwt(&replay, &pem, &d)
            .unwrap_err()
            .contains("another message"));
        let issuer = signed(
            &key,
            r#"{"alg":"RS256"}"#,
            &serde_json::json!({"iss": "me", "imei": d.imei, "momsn": 12345}),
        );
        assert!(verify_jwt(&issuer, &pem, &d).is_err());
    }
}
