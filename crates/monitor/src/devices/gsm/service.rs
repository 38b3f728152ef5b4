//! The modem service: one thread owns the serial port and handles requests
//! in order; the port is (re)opened and initialised on demand, so an unplugged
//! or crashed modem costs one failed request, not the monitor.

use std::path::PathBuf;
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

use super::at::Sms;
use super::modem::{GsmError, Modem};

/// Where the modem is (`GSM_PORT`, `GSM_PORT_BAUD`) and its SIM PIN.
#[derive(Clone, PartialEq, Eq)]
pub struct GsmSettings {
    /// Serial device.
    pub port: PathBuf,
    /// Baud rate.
    pub baud: u32,
    /// SIM PIN (`notifications/gsm.pin_code`).
    pub pin: Option<String>,
}

impl std::fmt::Debug for GsmSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GsmSettings")
            .field("port", &self.port)
            .field("baud", &self.baud)
            .finish_non_exhaustive()
    }
}

type Reply<T> = oneshot::Sender<Result<T, String>>;

enum Request {
    SendSms(String, String, Reply<()>),
    ListSms(Reply<Vec<Sms>>),
    DeleteSms(u32, Reply<()>),
    Call(String, String, Reply<String>),
    Health(Reply<(Option<&'static str>, Option<u8>)>),
    SetPin(Option<String>),
}

/// A handle to the modem thread.
#[derive(Debug, Clone)]
pub struct GsmHandle {
    tx: mpsc::Sender<Request>,
    last_error: Arc<Mutex<Option<String>>>,
}

fn open(settings: &GsmSettings) -> Result<Modem<Box<dyn serialport::SerialPort>>, GsmError> {
    let port = serialport::new(settings.port.to_string_lossy(), settings.baud)
        .timeout(Duration::from_millis(100))
        .open()
        .map_err(|e| GsmError::Io(std::io::Error::other(e.to_string())))?;
    let mut modem = Modem::new(port);
    modem.init(settings.pin.as_deref())?;
    Ok(modem)
}

/// Starts the modem thread.
pub fn spawn(mut settings: GsmSettings) -> GsmHandle {
    let (tx, rx) = mpsc::channel::<Request>();
    let last_error = Arc::new(Mutex::new(None));
    let failed = Arc::clone(&last_error);
    let spawned = std::thread::Builder::new().name("argus-gsm".into()).spawn(move || {
        let note = |e: &GsmError| {
            if let Ok(mut last) = failed.lock() {
                *last = Some(e.to_string());
            }
        };
        let mut modem = None;
        for request in rx {
            if let Request::SetPin(pin) = request {
                if settings.pin != pin {
                    settings.pin = pin;
                    modem = None;
                }
                continue;
            }
            if modem.is_none() {
                match open(&settings) {
                    Ok(m) => modem = Some(m),
                    Err(e) => {
                        tracing::warn!(gsm.port = %settings.port.display(), error = %e, "cannot open the modem");
                        note(&e);
                    }
                }
            }
            let Some(m) = modem.as_mut() else {
                fail(request, "the modem is not available");
                continue;
            };
            let ok = match request {
                Request::SendSms(number, text, reply) => answer(reply, m.send_sms(&number, &text).map(|_| ()), &note),
                Request::ListSms(reply) => answer(reply, m.list_sms(), &note),
                Request::DeleteSms(idx, reply) => answer(reply, m.delete_sms(idx), &note),
                Request::Call(number, tones, reply) => answer(
                    reply,
                    m.call(&number, &tones, Duration::from_secs(30), Duration::from_secs(20)),
                    &note,
                ),
                Request::Health(reply) => answer(reply, m.health(), &note),
                Request::SetPin(_) => true,
            };
            if !ok {
                modem = None; // reopen and re-initialise next time
            }
        }
    });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the modem thread");
    }
    GsmHandle { tx, last_error }
}

/// Sends a result; returns whether the modem is still usable.
fn answer<T>(reply: Reply<T>, result: Result<T, GsmError>, note: &impl Fn(&GsmError)) -> bool {
    let usable = !matches!(result, Err(GsmError::Io(_) | GsmError::Timeout(_)));
    if let Err(e) = &result {
        tracing::warn!(error = %e, "modem request failed");
        note(e);
    }
    let _ = reply.send(result.map_err(|e| e.to_string()));
    usable
}

fn fail(request: Request, why: &str) {
    let why = why.to_owned();
    match request {
        Request::SendSms(_, _, r) | Request::DeleteSms(_, r) => {
            let _ = r.send(Err(why));
        }
        Request::ListSms(r) => {
            let _ = r.send(Err(why));
        }
        Request::Call(_, _, r) => {
            let _ = r.send(Err(why));
        }
        Request::Health(r) => {
            let _ = r.send(Err(why));
        }
        Request::SetPin(_) => {}
    }
}

impl GsmHandle {
    async fn ask<T>(&self, make: impl FnOnce(Reply<T>) -> Request) -> Result<T, String> {
        let (tx, rx) = oneshot::channel();
        self.tx
            .send(make(tx))
            .map_err(|_| "the modem thread has stopped".to_owned())?;
        rx.await
            .map_err(|_| "the modem thread has stopped".to_owned())?
    }

    /// Uses `pin` from now on (re-initialises the modem when it changed).
    pub fn set_pin(&self, pin: Option<String>) {
        let _ = self.tx.send(Request::SetPin(pin));
    }

    /// Sends an SMS.
    pub async fn send_sms(&self, number: &str, text: &str) -> Result<(), String> {
        self.ask(|r| Request::SendSms(number.to_owned(), text.to_owned(), r))
            .await
    }

    /// Lists stored SMS.
    pub async fn list_sms(&self) -> Result<Vec<Sms>, String> {
        self.ask(Request::ListSms).await
    }

    /// Deletes a stored SMS.
    pub async fn delete_sms(&self, idx: u32) -> Result<(), String> {
        self.ask(|r| Request::DeleteSms(idx, r)).await
    }

    /// Network registration and signal quality.
    pub async fn health(&self) -> Result<(Option<&'static str>, Option<u8>), String> {
        self.ask(Request::Health).await
    }

    /// The last error any request met (never a number or a text: errors name
    /// the command only).
    pub fn last_error(&self) -> Option<String> {
        self.last_error.lock().ok().and_then(|l| l.clone())
    }

    /// Calls and plays `tones`; returns the DTMF digits the callee pressed.
    pub async fn call(&self, number: &str, tones: &str) -> Result<String, String> {
        self.ask(|r| Request::Call(number.to_owned(), tones.to_owned(), r))
            .await
    }
}
