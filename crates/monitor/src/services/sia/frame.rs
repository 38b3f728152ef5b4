//! SIA DC-09 framing (ANSI/SIA DC-09): `LF CRC 0LLL "ID" seq R0 L0 #acct [data] _time CR`,
//! where the CRC (CRC-16/ARC) and the length cover everything from the
//! first quote to the end of the timestamp. With a key, the ID gets a `*`
//! and everything after `[` is AES-CBC (zero IV) over `pad|data]_time`,
//! hex-encoded; the key is its 16, 24 or 32 characters as bytes (AES-128,
//! -192, -256), as pysiaalarm and Home Assistant's SIA integration read it.
//! Pure: the caller passes the time, the sequence number and the padding.

use aes::cipher::{block_padding::NoPadding, BlockEncryptMut, KeyIvInit};
use chrono::{DateTime, Utc};

/// A key or a message that cannot be framed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Not 16, 24 or 32 hexadecimal characters.
    #[error("the SIA key must be 16, 24 or 32 hexadecimal characters")]
    Key,
    /// The account is not 3 to 16 hexadecimal characters.
    #[error("the SIA account must be 3 to 16 hexadecimal characters")]
    Account,
}

/// One message to send.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    /// `ADM-CID` instead of `SIA-DCS`.
    pub contact_id: bool,
    /// The account (hex).
    pub account: &'a str,
    /// 1–9999.
    pub sequence: u16,
    /// The data block without its brackets.
    pub data: &'a str,
    /// Transmission time (the receiver checks it against its clock).
    pub time: DateTime<Utc>,
    /// The AES key, if the account is encrypted.
    pub key: Option<&'a [u8]>,
    /// Random bytes for the encryption padding (at least 16).
    pub pad: &'a [u8],
}

/// CRC-16/ARC (polynomial 0x8005 reflected, initial 0), as DC-09 asks.
pub fn crc16(bytes: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &b in bytes {
        crc ^= u16::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xA001
            } else {
                crc >> 1
            };
        }
    }
    crc
}

/// `_HH:MM:SS,MM-DD-YYYY` in UTC.
pub fn timestamp(time: DateTime<Utc>) -> String {
    time.format("_%H:%M:%S,%m-%d-%Y").to_string()
}

/// The key's bytes after checking its form.
pub fn key_bytes(key: &str) -> Result<Vec<u8>, FrameError> {
    let key = key.trim();
    if ![16, 24, 32].contains(&key.len()) || !key.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(FrameError::Key);
    }
    Ok(key.as_bytes().to_vec())
}

/// Checks an account number.
pub fn check_account(account: &str) -> Result<(), FrameError> {
    if (3..=16).contains(&account.len()) && account.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(FrameError::Account)
    }
}

fn encrypt(key: &[u8], plain: &[u8]) -> Result<Vec<u8>, FrameError> {
    let iv = [0u8; 16];
    let out = match key.len() {
        16 => cbc::Encryptor::<aes::Aes128>::new_from_slices(key, &iv)
            .map_err(|_| FrameError::Key)?
            .encrypt_padded_vec_mut::<NoPadding>(plain),
        24 => cbc::Encryptor::<aes::Aes192>::new_from_slices(key, &iv)
            .map_err(|_| FrameError::Key)?
            .encrypt_padded_vec_mut::<NoPadding>(plain),
        32 => cbc::Encryptor::<aes::Aes256>::new_from_slices(key, &iv)
            .map_err(|_| FrameError::Key)?
            .encrypt_padded_vec_mut::<NoPadding>(plain),
        _ => return Err(FrameError::Key),
    };
    Ok(out)
}

/// The bytes on the wire.
pub fn encode(frame: &Frame<'_>) -> Result<Vec<u8>, FrameError> {
    check_account(frame.account)?;
    let id = if frame.contact_id {
        "ADM-CID"
    } else {
        "SIA-DCS"
    };
    let head = format!(
        "\"{}{id}\"{:04}L0#{}[",
        if frame.key.is_some() { "*" } else { "" },
        frame.sequence % 10_000,
        frame.account
    );
    let tail = format!("{}]{}", frame.data, timestamp(frame.time));
    let body = match frame.key {
        None => format!("{head}{tail}"),
        Some(key) => {
            // Padding never holds `|`, `[` or `]`, so the receiver finds where it ends.
            let pad_len = (16 - (tail.len() + 1) % 16) % 16;
            let pad: String = frame
                .pad
                .iter()
                .cycle()
                .take(pad_len)
                .map(|b| char::from(b'A' + b % 26))
                .collect();
            let plain = format!("{pad}|{tail}");
            let sealed = encrypt(key, plain.as_bytes())?;
            let hex: String = sealed.iter().map(|b| format!("{b:02X}")).collect();
            format!("{head}{hex}")
        }
    };
    Ok(format!("\n{:04X}{:04X}{body}\r", crc16(body.as_bytes()), body.len()).into_bytes())
}

/// What the receiver answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Accepted.
    Ack,
    /// Refused (bad CRC, unknown account, stale time): send again.
    Nak,
    /// Not understood (an event the receiver does not know).
    Duh,
    /// Anything else.
    Garbled,
}

/// Reads the receiver's reply.
pub fn answer(reply: &[u8]) -> Answer {
    let text = String::from_utf8_lossy(reply);
    if text.contains("\"ACK\"") || text.contains("\"*ACK\"") {
        Answer::Ack
    } else if text.contains("\"NAK\"") || text.contains("\"*NAK\"") {
        Answer::Nak
    } else if text.contains("\"DUH\"") || text.contains("\"*DUH\"") {
        Answer::Duh
    } else {
        Answer::Garbled
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::cipher::BlockDecryptMut;

    fn at_noon() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-02T12:00:05Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn crc16_is_arc() {
        // The CRC catalogue's check value for CRC-16/ARC.
        assert_eq!(crc16(b"123456789"), 0xBB3D);
    }

    #[test]
    fn a_plain_frame_has_crc_length_id_sequence_account_data_and_time() {
        let frame = Frame {
            contact_id: false,
            account: "1234",
            sequence: 7,
            data: "#1234|Nri1/BA003",
            time: at_noon(),
            key: None,
            pad: &[],
        };
        let wire = String::from_utf8(encode(&frame).unwrap()).unwrap();
        let body = "\"SIA-DCS\"0007L0#1234[#1234|Nri1/BA003]_12:00:05,12-02-2026";
        assert_eq!(
            wire,
            format!("\n{:04X}{:04X}{body}\r", crc16(body.as_bytes()), body.len())
        );
        assert!(encode(&Frame {
            account: "12",
            ..frame
        })
        .is_err());
    }

    #[test]
    fn an_encrypted_frame_decrypts_to_padding_bar_data_and_time() {
        let key = key_bytes("0123456789ABCDEF").unwrap();
        let frame = Frame {
            contact_id: true,
            account: "ABC",
            sequence: 12,
            data: "#ABC|1130 01 003",
            time: at_noon(),
            key: Some(&key),
            pad: &[3, 200, 17],
        };
        let wire = String::from_utf8(encode(&frame).unwrap()).unwrap();
        let body = wire.trim();
        assert!(body[8..].starts_with("\"*ADM-CID\"0012L0#ABC["), "{body}");
        let hex = &body[body.find('[').unwrap() + 1..];
        let mut sealed: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        let plain = cbc::Decryptor::<aes::Aes128>::new_from_slices(&key, &[0; 16])
            .unwrap()
            .decrypt_padded_mut::<NoPadding>(&mut sealed)
            .unwrap();
        let plain = std::str::from_utf8(plain).unwrap();
        assert_eq!(plain.len() % 16, 0);
        let (pad, rest) = plain.split_once('|').unwrap();
        assert!(!pad.contains(['[', ']']));
        assert_eq!(rest, "#ABC|1130 01 003]_12:00:05,12-02-2026");
        for bad in ["0123", "0123456789ABCDEG", ""] {
            assert_eq!(key_bytes(bad), Err(FrameError::Key), "{bad}");
        }
        assert_eq!(key_bytes("0123456789ABCDEF01234567").unwrap().len(), 24);
    }

    #[test]
    fn replies_are_read_by_their_id_token() {
        assert_eq!(answer(b"\n85B10013\"ACK\"0007L0#1234[]\r"), Answer::Ack);
        assert_eq!(answer(b"\nC5F9003E\"*ACK\"0012L0#ABC[1F2E]\r"), Answer::Ack);
        assert_eq!(
            answer(b"\n0000\"NAK\"0000R0L0A0[]_12:00:00,12-02-2026\r"),
            Answer::Nak
        );
        assert_eq!(answer(b"\"DUH\""), Answer::Duh);
        assert_eq!(answer(b"\x00\xffnoise"), Answer::Garbled);
    }
}
