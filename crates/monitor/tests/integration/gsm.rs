//! The modem driver against a SIM900-like modem on a pseudo-terminal.

use argus_monitor::devices::gsm::service::{spawn, GsmSettings};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

struct FakeModem {
    child: Child,
    path: String,
    events: mpsc::Receiver<serde_json::Value>,
}

impl FakeModem {
    fn start(args: &[&str]) -> Self {
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/modem/fake_modem.py");
        let mut child = Command::new("python3")
            .arg(script)
            .args(args)
            // Its control input: it stops when this closes.
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut path = String::new();
        out.read_line(&mut path).unwrap();
        let (tx, events) = mpsc::channel();
        std::thread::spawn(move || {
            for line in out.lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str(&line) {
                    if tx.send(v).is_err() {
                        break;
                    }
                }
            }
        });
        Self {
            child,
            path: path.trim().to_owned(),
            events,
        }
    }

    fn next(&self) -> serde_json::Value {
        self.events
            .recv_timeout(Duration::from_secs(10))
            .expect("the fake modem reported nothing")
    }
}

impl Drop for FakeModem {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn settings(modem: &FakeModem, pin: Option<&str>) -> GsmSettings {
    GsmSettings {
        port: modem.path.clone().into(),
        baud: 9600,
        pin: pin.map(str::to_owned),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sends_lists_deletes_and_calls() {
    let modem = FakeModem::start(&[]);
    let gsm = spawn(settings(&modem, None));
    gsm.send_sms("+36 30 111 2222", "ArPI Test Message")
        .await
        .unwrap();
    assert_eq!(
        modem.next(),
        serde_json::json!({"sms": {"number": "+36301112222", "text": "ArPI Test Message"}})
    );

    let stored = gsm.list_sms().await.unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0].number, "+36301234567");
    assert_eq!(stored[0].text, "Hello argus");
    assert_eq!(stored[0].time, "2026-11-24T09:00:00.000000Z");

    gsm.delete_sms(2).await.unwrap();
    assert_eq!(modem.next(), serde_json::json!({"delete": 2}));
    assert!(
        gsm.delete_sms(9).await.is_err(),
        "an unknown index is an error, not a panic"
    );

    let digits = gsm.call("+36301112222", "5").await.unwrap();
    assert_eq!(digits, "1", "the callee acknowledged");
    assert_eq!(modem.next(), serde_json::json!({"tone": "5"}));
    assert_eq!(modem.next(), serde_json::json!({"call": "+36301112222"}));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_text_beyond_gsm_7_bit_goes_out_as_ucs2_and_the_next_as_text_again() {
    let modem = FakeModem::start(&[]);
    let gsm = spawn(settings(&modem, None));
    gsm.send_sms("+36301112222", "Riasztás: Ház €")
        .await
        .unwrap();
    assert_eq!(
        modem.next(),
        serde_json::json!({"sms": {"number": "+36301112222", "text": "Riasztás: Ház €"}})
    );
    gsm.send_sms("+36301112222", "Alarm at Home").await.unwrap();
    assert_eq!(
        modem.next(),
        serde_json::json!({"sms": {"number": "+36301112222", "text": "Alarm at Home"}}),
        "back in the ASCII character set"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_digit_left_from_one_call_never_answers_the_next() {
    let modem = FakeModem::start(&["--dtmf", "+36301112222=5"]);
    let gsm = spawn(settings(&modem, None));
    let first = gsm.call("+36301112222", "99").await.unwrap();
    assert!(first.chars().all(|d| d == '5'), "{first}");
    let second = gsm.call("+36203334444", "99").await.unwrap();
    assert!(
        second.chars().all(|d| d == '1'),
        "the first callee's last 5 (read while hanging up) is not the second's: {second}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unlocks_the_sim_with_its_pin_and_fails_cleanly_without() {
    let modem = FakeModem::start(&["--pin", "4321"]);
    let without = spawn(settings(&modem, None));
    let err = without.send_sms("+3630", "x").await.unwrap_err();
    assert!(err.contains("not available"), "{err}");
    drop(without);
    let with = spawn(settings(&modem, Some("4321")));
    with.send_sms("+3630", "x").await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_modem_is_an_error() {
    let gsm = spawn(GsmSettings {
        port: "/nonexistent/tty".into(),
        baud: 9600,
        pin: None,
    });
    assert!(gsm.send_sms("+3630", "x").await.is_err());
}
