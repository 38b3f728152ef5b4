//! AT commands over a byte stream (a serial port, or a pseudo-terminal in
//! tests). Reads use the stream's own short timeout and a deadline per
//! command, so nothing waits forever on a silent modem.

use std::io::{ErrorKind, Read, Write};
use std::time::{Duration, Instant};

use super::at::{self, Final, Sms};

/// `text` as UCS-2 hex (UTF-16 big-endian, four digits per unit).
fn ucs2_hex(text: &str) -> String {
    text.encode_utf16().map(|u| format!("{u:04X}")).collect()
}

/// A modem operation failed.
#[derive(Debug, thiserror::Error)]
pub enum GsmError {
    /// The port failed.
    #[error("modem i/o: {0}")]
    Io(#[from] std::io::Error),
    /// No complete answer in time.
    #[error("the modem did not answer {0} in time")]
    Timeout(&'static str),
    /// The modem answered with an error.
    #[error("the modem refused {command}: {answer}")]
    Refused {
        /// Which command (never its arguments).
        command: &'static str,
        /// The final result code.
        answer: String,
    },
    /// The SIM needs a PIN and none is configured (or it was wrong).
    #[error("the SIM card needs a PIN")]
    SimPin,
}

/// A modem session.
pub struct Modem<P: Read + Write> {
    port: P,
    pending: Vec<u8>,
    /// Unsolicited lines seen while waiting for something else.
    pub unsolicited: Vec<String>,
}

impl<P: Read + Write> Modem<P> {
    /// Wraps an open port (its read timeout should be short, e.g. 100 ms).
    pub fn new(port: P) -> Self {
        Self {
            port,
            pending: Vec::new(),
            unsolicited: Vec::new(),
        }
    }

    /// The next line, or `None` when `deadline` passes first.
    fn line(&mut self, deadline: Instant) -> Result<Option<String>, GsmError> {
        loop {
            if let Some(i) = self.pending.iter().position(|&b| b == b'\n' || b == b'\r') {
                let raw: Vec<u8> = self.pending.drain(..=i).collect();
                let line = String::from_utf8_lossy(&raw).trim().to_owned();
                if line.is_empty() {
                    continue;
                }
                return Ok(Some(line));
            }
            if self.pending.starts_with(b"> ") || self.pending == b">" {
                self.pending.clear();
                return Ok(Some(">".into()));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            let mut buf = [0u8; 256];
            match self.port.read(&mut buf) {
                Ok(0) => std::thread::sleep(Duration::from_millis(5)),
                Ok(n) => self.pending.extend_from_slice(&buf[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::TimedOut | ErrorKind::WouldBlock | ErrorKind::Interrupted
                    ) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Reads lines until a final result code; returns the lines before it.
    fn response(&mut self, name: &'static str, timeout: Duration) -> Result<Vec<String>, GsmError> {
        let deadline = Instant::now() + timeout;
        let mut lines = Vec::new();
        while let Some(line) = self.line(deadline)? {
            match at::final_line(&line) {
                Some(Final::Ok) => return Ok(lines),
                Some(Final::Error(answer)) => {
                    return Err(GsmError::Refused {
                        command: name,
                        answer,
                    })
                }
                None if line.starts_with("+DTMF:") || line == "RING" => self.unsolicited.push(line),
                None => lines.push(line),
            }
        }
        Err(GsmError::Timeout(name))
    }

    /// Sends `command` (without `\r`) and waits for its final result.
    pub fn command(
        &mut self,
        name: &'static str,
        command: &str,
        timeout: Duration,
    ) -> Result<Vec<String>, GsmError> {
        self.port.write_all(command.as_bytes())?;
        self.port.write_all(b"\r")?;
        self.port.flush()?;
        self.response(name, timeout)
    }

    /// Brings the modem to a known state: echo off, numeric errors, SIM PIN
    /// if asked, text-mode SMS, DTMF detection.
    pub fn init(&mut self, pin: Option<&str>) -> Result<(), GsmError> {
        let t = Duration::from_secs(5);
        self.command("AT", "AT", t)?;
        self.command("ATE0", "ATE0", t)?;
        self.command("AT+CMEE", "AT+CMEE=1", t)?;
        let status = self.command("AT+CPIN?", "AT+CPIN?", t)?;
        if status.iter().any(|l| l.contains("SIM PIN")) {
            let pin = pin.filter(|p| !p.is_empty()).ok_or(GsmError::SimPin)?;
            self.command(
                "AT+CPIN",
                &format!("AT+CPIN={pin}"),
                Duration::from_secs(10),
            )
            .map_err(|_| GsmError::SimPin)?;
        }
        self.command("AT+CMGF", "AT+CMGF=1", t)?;
        // Text in ASCII, which the modem converts to GSM 7-bit itself.
        let _ = self.command("AT+CSCS", "AT+CSCS=\"IRA\"", t);
        // DTMF detection is optional on some modules.
        let _ = self.command("AT+DDET", "AT+DDET=1", t);
        Ok(())
    }

    /// Sends a text message; returns the modem's message reference. A text
    /// that is not plain GSM 7-bit goes out as UCS-2 (3GPP TS 27.005: the
    /// character set `UCS2`, data coding scheme 8, number and text as hex
    /// UTF-16), and the session returns to `IRA` afterwards.
    pub fn send_sms(&mut self, number: &str, text: &str) -> Result<Option<u32>, GsmError> {
        let number: String = number
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect();
        let clean: String = text
            .chars()
            .filter(|c| *c != '\u{1a}' && *c != '\u{1b}')
            .collect();
        if !super::sms::needs_ucs2(&clean) {
            return self.submit(&number, &clean);
        }
        let t = Duration::from_secs(5);
        self.command("AT+CSCS", "AT+CSCS=\"UCS2\"", t)?;
        self.command("AT+CSMP", "AT+CSMP=17,167,0,8", t)?;
        let sent = self.submit(&ucs2_hex(&number), &ucs2_hex(&clean));
        let back = self
            .command("AT+CSCS", "AT+CSCS=\"IRA\"", t)
            .and_then(|_| self.command("AT+CSMP", "AT+CSMP=17,167,0,0", t));
        let reference = sent?;
        back?;
        Ok(reference)
    }

    /// `AT+CMGS`: the number, the prompt, the text and Ctrl-Z.
    fn submit(&mut self, number: &str, text: &str) -> Result<Option<u32>, GsmError> {
        self.port
            .write_all(format!("AT+CMGS=\"{number}\"\r").as_bytes())?;
        self.port.flush()?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.line(deadline)? {
                Some(l) if l == ">" => break,
                Some(l) => {
                    if let Some(Final::Error(answer)) = at::final_line(&l) {
                        return Err(GsmError::Refused {
                            command: "AT+CMGS",
                            answer,
                        });
                    }
                }
                None => return Err(GsmError::Timeout("AT+CMGS")),
            }
        }
        self.port.write_all(text.as_bytes())?;
        self.port.write_all(&[0x1a])?;
        self.port.flush()?;
        let lines = self.response("AT+CMGS", Duration::from_secs(60))?;
        Ok(lines
            .iter()
            .find_map(|l| l.strip_prefix("+CMGS:").and_then(|r| r.trim().parse().ok())))
    }

    /// Network registration and signal quality.
    pub fn health(&mut self) -> Result<(Option<&'static str>, Option<u8>), GsmError> {
        let t = Duration::from_secs(5);
        let creg = self.command("AT+CREG?", "AT+CREG?", t)?;
        let csq = self.command("AT+CSQ", "AT+CSQ", t)?;
        Ok((
            creg.iter().find_map(|l| at::parse_creg(l)),
            csq.iter().find_map(|l| at::parse_csq(l)),
        ))
    }

    /// Every stored message.
    pub fn list_sms(&mut self) -> Result<Vec<Sms>, GsmError> {
        let lines = self.command("AT+CMGL", "AT+CMGL=\"ALL\"", Duration::from_secs(20))?;
        Ok(at::parse_cmgl(&lines))
    }

    /// Deletes a stored message.
    pub fn delete_sms(&mut self, idx: u32) -> Result<(), GsmError> {
        self.command(
            "AT+CMGD",
            &format!("AT+CMGD={idx}"),
            Duration::from_secs(10),
        )
        .map(|_| ())
    }

    /// Calls `number`, plays `tones` when answered, then listens `listen` for
    /// the callee's DTMF; returns the digits pressed. Always hangs up.
    pub fn call(
        &mut self,
        number: &str,
        tones: &str,
        answer_timeout: Duration,
        listen: Duration,
    ) -> Result<String, GsmError> {
        let number: String = number
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect();
        let result = self.call_inner(&number, tones, answer_timeout, listen);
        let _ = self.command("ATH", "ATH", Duration::from_secs(5));
        result
    }

    fn call_inner(
        &mut self,
        number: &str,
        tones: &str,
        answer_timeout: Duration,
        listen: Duration,
    ) -> Result<String, GsmError> {
        // Digits left from an earlier call (read while hanging up) are not this callee's.
        self.unsolicited.retain(|l| at::parse_dtmf(l).is_none());
        self.command("ATD", &format!("ATD{number};"), Duration::from_secs(10))?;
        let deadline = Instant::now() + answer_timeout;
        loop {
            let lines = self.command("AT+CLCC", "AT+CLCC", Duration::from_secs(5))?;
            match lines.iter().find_map(|l| at::parse_clcc_state(l)) {
                Some(0) => break,
                Some(_) => {}
                None => {
                    return Err(GsmError::Refused {
                        command: "ATD",
                        answer: "call ended".into(),
                    })
                }
            }
            if Instant::now() >= deadline {
                return Err(GsmError::Timeout("ATD"));
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        for tone in tones.chars() {
            self.command("AT+VTS", &format!("AT+VTS={tone}"), Duration::from_secs(5))?;
        }
        let deadline = Instant::now() + listen;
        let mut digits: String = self
            .unsolicited
            .drain(..)
            .filter_map(|l| at::parse_dtmf(&l))
            .collect();
        while digits.is_empty() {
            match self.line(deadline)? {
                Some(l) => {
                    if let Some(d) = at::parse_dtmf(&l) {
                        digits.push(d);
                    }
                }
                None => break,
            }
        }
        Ok(digits)
    }
}
