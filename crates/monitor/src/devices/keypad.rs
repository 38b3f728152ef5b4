//! The keypad's logic, whatever the keypad: keys become arm commands or a PIN
//! to check (`access` checks it, under the shared lock-out). `#1` arms away
//! and `#2` arms stay (both with the exit delay); digits ended by `#` are a
//! PIN of 4–12 digits. Keys older than 10 s are forgotten.

use std::time::{Duration, Instant};

use crate::engine::model::ArmMode;

/// Idle time after which typed keys are dropped.
pub const KEY_TIMEOUT: Duration = Duration::from_secs(10);

/// What a key press asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyAction {
    /// Nothing yet.
    Pending,
    /// Arm in this mode, with the exit delay.
    Arm(ArmMode),
    /// Check this PIN (and disarm on a match).
    CheckPin(String),
    /// Not a valid entry; the buffer was cleared.
    Invalid,
}

/// One keypad's input state.
#[derive(Debug, Default)]
pub struct Keypad {
    buffer: String,
    last_key: Option<Instant>,
}

impl Keypad {
    /// Handles one key (`0`–`9`, `#`, `*`).
    pub fn key(&mut self, key: char, now: Instant) -> KeyAction {
        if self
            .last_key
            .is_some_and(|t| now.duration_since(t) > KEY_TIMEOUT)
        {
            self.buffer.clear();
        }
        self.last_key = Some(now);
        match key {
            '*' => {
                self.buffer.clear();
                KeyAction::Pending
            }
            '#' if self.buffer.is_empty() => {
                self.buffer.push('#');
                KeyAction::Pending
            }
            '#' => {
                let entry = std::mem::take(&mut self.buffer);
                if entry.starts_with('#') {
                    return KeyAction::Invalid;
                }
                if (4..=12).contains(&entry.len()) {
                    KeyAction::CheckPin(entry)
                } else {
                    KeyAction::Invalid
                }
            }
            d if d.is_ascii_digit() => {
                if self.buffer == "#" {
                    self.buffer.clear();
                    return match d {
                        '1' => KeyAction::Arm(ArmMode::Away),
                        '2' => KeyAction::Arm(ArmMode::Stay),
                        _ => KeyAction::Invalid,
                    };
                }
                if self.buffer.len() >= 12 {
                    self.buffer.clear();
                    return KeyAction::Invalid;
                }
                self.buffer.push(d);
                KeyAction::Pending
            }
            _ => {
                self.buffer.clear();
                KeyAction::Invalid
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(k: &mut Keypad, keys: &str, now: Instant) -> Vec<KeyAction> {
        keys.chars()
            .map(|c| k.key(c, now))
            .filter(|a| *a != KeyAction::Pending)
            .collect()
    }

    #[test]
    fn arm_codes_and_pins() {
        let now = Instant::now();
        let mut k = Keypad::default();
        assert_eq!(typed(&mut k, "#1", now), [KeyAction::Arm(ArmMode::Away)]);
        assert_eq!(typed(&mut k, "#2", now), [KeyAction::Arm(ArmMode::Stay)]);
        assert_eq!(
            typed(&mut k, "1234#", now),
            [KeyAction::CheckPin("1234".into())]
        );
        assert_eq!(
            typed(&mut k, "123456789012#", now),
            [KeyAction::CheckPin("123456789012".into())],
            "12-digit PINs work"
        );
        assert_eq!(
            typed(&mut k, "123#", now),
            [KeyAction::Invalid],
            "too short"
        );
        assert_eq!(
            typed(&mut k, "12*1111#", now),
            [KeyAction::CheckPin("1111".into())],
            "* clears"
        );
        assert_eq!(typed(&mut k, "#9", now), [KeyAction::Invalid]);
    }

    #[test]
    fn a_key_that_is_not_on_the_keypad_ends_the_entry_and_joins_no_pin() {
        let now = Instant::now();
        let mut k = Keypad::default();
        assert_eq!(typed(&mut k, "12A", now), [KeyAction::Invalid]);
        assert_eq!(
            typed(&mut k, "34A56#", now),
            [KeyAction::Invalid, KeyAction::Invalid],
            "34 was dropped with the A, 56 alone is too short"
        );
    }

    #[test]
    fn a_key_at_exactly_the_timeout_still_belongs_to_the_entry() {
        let t0 = Instant::now();
        let mut k = Keypad::default();
        typed(&mut k, "12", t0);
        assert_eq!(
            typed(&mut k, "34#", t0 + KEY_TIMEOUT),
            [KeyAction::CheckPin("1234".into())]
        );
    }

    #[test]
    fn old_keys_are_forgotten() {
        let t0 = Instant::now();
        let mut k = Keypad::default();
        typed(&mut k, "12", t0);
        assert_eq!(
            typed(&mut k, "34#", t0 + Duration::from_secs(11)),
            [KeyAction::Invalid],
            "only 34 is left"
        );
    }
}
