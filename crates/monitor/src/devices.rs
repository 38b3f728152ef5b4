//! The hardware: the alarm board (inputs, outputs, siren, power, Wiegand),
//! the GSM modem, the keypad's logic and the clock. Each runs behind a
//! handle and knows nothing of the others.
//!
//! - [`board`]: GPIO boards and the simulated one, wiring and Wiegand.
//! - [`gsm`]: the modem: AT parsing, the session, SMS and calls.
//! - [`keypad`]: keys to arm commands and PINs.
//! - [`clock`]: time zone, date, NTP and the RTC.

pub mod board;
pub mod clock;
pub mod gsm;
pub mod keypad;
