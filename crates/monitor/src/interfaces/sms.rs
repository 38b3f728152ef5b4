//! SMS commands: `<PIN> ARM`, `<PIN> STAY`, `<PIN> DISARM`, `<PIN> STATUS`
//! from the numbers in `notifications/gsm`, answered by SMS. The PIN is
//! checked like the keypad's, under the same lock-out (the sender's number,
//! as a digest, is the counter's device). A message from any other number,
//! or one that is not a command, is recorded once and left in the inbox for
//! the web app; a command is deleted once it has been answered. The inbox
//! is polled, so a modem that misses an unsolicited `+CMTI` loses nothing.
//! Numbers, PINs and texts are never logged.

use argus_protocol::constants::MonitoringState;
use argus_protocol::lockout::Attempt;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::time::Duration;
use tokio::sync::watch;

use super::access::{self, Refusal};
use super::running::{Running, DURABLE_WAIT};
use crate::devices::gsm::at::Sms;
use crate::devices::gsm::commands::GsmOption;
use crate::engine::model::ArmMode;
use crate::engine::{Effect, Input, Origin};

/// What a command asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// Arm away.
    Arm,
    /// Arm stay.
    Stay,
    /// Disarm.
    Disarm,
    /// Say the state.
    Status,
}

/// `<PIN> <VERB>` (any case, any spacing), `None` for anything else.
pub fn parse(text: &str) -> Option<(String, Verb)> {
    let mut words = text.split_whitespace();
    let pin = words.next()?;
    let verb = match words.next()?.to_ascii_uppercase().as_str() {
        "ARM" => Verb::Arm,
        "STAY" => Verb::Stay,
        "DISARM" => Verb::Disarm,
        "STATUS" => Verb::Status,
        _ => return None,
    };
    let digits = (4..=12).contains(&pin.len()) && pin.chars().all(|c| c.is_ascii_digit());
    (digits && words.next().is_none()).then(|| (pin.to_owned(), verb))
}

/// Whether two phone numbers are the same line: equal digits, or, when both
/// have at least nine, equal last nine (`+36 30 111 2222` is `06301112222`).
pub fn same_number(a: &str, b: &str) -> bool {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    let (a, b) = (digits(a), digits(b));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    a == b || (a.len() >= 9 && b.len() >= 9 && a[a.len() - 9..] == b[b.len() - 9..])
}

fn known(option: &GsmOption, sender: &str) -> bool {
    [&option.phone_number_1, &option.phone_number_2]
        .into_iter()
        .flatten()
        .any(|n| same_number(n, sender))
}

/// Polls the inbox every `every` while GSM is enabled.
pub fn spawn(r: Running, state: watch::Receiver<MonitoringState>, every: Duration) {
    tokio::spawn(async move {
        let mut seen = HashSet::new();
        loop {
            tokio::time::sleep(every).await;
            poll(&r, &state, &mut seen).await;
        }
    });
}

async fn poll(
    r: &Running,
    state: &watch::Receiver<MonitoringState>,
    seen: &mut HashSet<(u32, String)>,
) {
    let option = match crate::db::option::<GsmOption>(&r.db, "notifications", "gsm").await {
        Ok(Some(o)) if o.enabled => o,
        _ => return,
    };
    let Ok(inbox) = r.gsm.list_sms().await else {
        return;
    };
    for sms in inbox {
        let command = parse(&sms.text).filter(|_| known(&option, &sms.number));
        let Some((pin, verb)) = command else {
            if seen.insert((sms.idx, sms.time.clone())) {
                let why = if known(&option, &sms.number) {
                    "not a command"
                } else {
                    "unknown sender"
                };
                record(r, "sms_ignored", None, why.to_owned());
            }
            continue;
        };
        let answer = run(r, state, &sms, &pin, verb).await;
        if let Err(e) = r.gsm.send_sms(&sms.number, &answer).await {
            tracing::warn!(error = %e, "cannot answer an SMS command");
        }
        if let Err(e) = r.gsm.delete_sms(sms.idx).await {
            tracing::warn!(error = %e, "cannot delete an answered SMS command");
        }
    }
}

/// The PIN's owner under the lock-out, or the answer that refuses.
async fn owner(r: &Running, sms: &Sms, pin: &str) -> Result<i32, String> {
    let digest: String = Sha256::digest(sms.number.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    let attempt = Attempt {
        device: Some(format!("sms:{digest}")),
        ..Attempt::default()
    };
    access::owner_under_lockout(r, &attempt, pin)
        .await
        .map_err(|refusal| match refusal {
            Refusal::Locked => "Too many wrong PINs; try again later".into(),
            Refusal::Wrong => {
                record(r, "sms_command", None, "wrong PIN".into());
                "Wrong PIN".into()
            }
            Refusal::Unavailable => "Cannot check the PIN now; try again later".into(),
        })
}

/// Checks the PIN and does what the command asks; returns the answer.
async fn run(
    r: &Running,
    state: &watch::Receiver<MonitoringState>,
    sms: &Sms,
    pin: &str,
    verb: Verb,
) -> String {
    let user = match owner(r, sms, pin).await {
        Ok(user) => user,
        Err(answer) => return answer,
    };
    let origin = Origin::Sms { user };
    let answer = match verb {
        Verb::Status => format!("Status: {}", spoken(*state.borrow())),
        Verb::Disarm => {
            let input = Input::Disarm {
                area: None,
                origin,
                duress: false,
            };
            match r
                .engine
                .input_durable(input, &r.journal_saved, DURABLE_WAIT)
                .await
            {
                Some(_) => "Disarmed".into(),
                None => "The alarm is not answering".into(),
            }
        }
        Verb::Arm | Verb::Stay => {
            let mode = if verb == Verb::Stay {
                ArmMode::Stay
            } else {
                ArmMode::Away
            };
            let input = Input::Arm {
                mode,
                area: None,
                origin,
                use_delay: true,
                force: false,
            };
            let effects = r
                .engine
                .input_durable(input, &r.journal_saved, DURABLE_WAIT)
                .await;
            arm_answer(r, mode, effects.as_deref())
        }
    };
    record(r, "sms_command", Some(user), answer.clone());
    answer
}

/// The state as a person reads it on a phone.
fn spoken(state: MonitoringState) -> &'static str {
    match state {
        MonitoringState::MonitoringReady => "disarmed",
        MonitoringState::MonitoringArmDelay => "arming",
        MonitoringState::MonitoringArmed => "armed",
        MonitoringState::MonitoringAlertDelay => "entry delay",
        MonitoringState::MonitoringAlert => "ALARM",
        other => other.as_str(),
    }
}

fn arm_answer(r: &Running, mode: ArmMode, effects: Option<&[Effect]>) -> String {
    let Some(effects) = effects else {
        return "The alarm is not answering".into();
    };
    let open = effects.iter().find_map(|e| match e {
        Effect::ArmRefused { open } => Some(open.clone()),
        _ => None,
    });
    match open {
        Some(open) => {
            let installation = r.installation.borrow();
            let names: Vec<&str> = open
                .iter()
                .filter_map(|s| installation.sensors.get(s).map(|i| i.name.as_str()))
                .collect();
            format!("Not armed: open sensors: {}", names.join(", "))
        }
        None if mode == ArmMode::Stay => "Armed stay".into(),
        None => "Armed away".into(),
    }
}

/// An event-log row (best effort, off the command's path).
fn record(r: &Running, kind: &'static str, user: Option<i32>, detail: String) {
    crate::db::record_event(&r.db, kind, user, None, "sms", Some(detail));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_pin_and_one_known_verb_are_a_command() {
        assert_eq!(parse("1234 ARM"), Some(("1234".into(), Verb::Arm)));
        assert_eq!(parse("  1234   stay\n"), Some(("1234".into(), Verb::Stay)));
        assert_eq!(parse("1234 Disarm"), Some(("1234".into(), Verb::Disarm)));
        assert_eq!(
            parse("000000 STATUS"),
            Some(("000000".into(), Verb::Status))
        );
        for not in [
            "ARM 1234",
            "1234",
            "1234 OPEN",
            "12a4 ARM",
            "123 ARM",
            "1234 ARM now",
            "",
        ] {
            assert_eq!(parse(not), None, "{not:?}");
        }
    }

    #[test]
    fn numbers_match_in_any_format_of_the_same_line() {
        assert!(same_number("+36 30 111 2222", "+36301112222"));
        assert!(same_number("06301112222", "+36301112222"));
        assert!(same_number("0036-30-111-2222", "+36301112222"));
        assert!(!same_number("+36301112223", "+36301112222"));
        assert!(!same_number("", "+36301112222"));
        assert!(
            !same_number("1222", "+36301112222"),
            "short codes match only exactly"
        );
    }
}
