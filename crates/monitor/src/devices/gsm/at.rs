//! Parsing of modem responses.

use serde::Serialize;

/// A stored SMS, as `GET /api/config/sms` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sms {
    /// The modem's storage index.
    pub idx: u32,
    /// The sender.
    pub number: String,
    /// `%Y-%m-%dT%H:%M:%S.%fZ` (ArPI's format).
    pub time: String,
    /// The text.
    pub text: String,
}

/// How a response ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Final {
    /// `OK`.
    Ok,
    /// `ERROR`, `+CME ERROR: n`, `+CMS ERROR: n`, `NO CARRIER`, `BUSY`, `NO ANSWER`.
    Error(String),
}

/// Whether a line ends a command's response.
pub fn final_line(line: &str) -> Option<Final> {
    let line = line.trim();
    if line == "OK" {
        return Some(Final::Ok);
    }
    let errors = ["ERROR", "NO CARRIER", "BUSY", "NO ANSWER", "NO DIALTONE"];
    if errors.contains(&line) || line.starts_with("+CME ERROR") || line.starts_with("+CMS ERROR") {
        return Some(Final::Error(line.to_owned()));
    }
    None
}

/// Splits a CSV field list that may quote values.
fn fields(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// `yy/MM/dd,hh:mm:ss±zz` (zz in quarter hours) → `%Y-%m-%dT%H:%M:%S.%fZ` in UTC.
pub fn sms_time(scts: &str) -> Option<String> {
    let (date, time) = scts.split_once(',')?;
    let d: Vec<u32> = date
        .split('/')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let sign_at = time.find(['+', '-'])?;
    let (clock, zone) = time.split_at(sign_at);
    let t: Vec<u32> = clock
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let quarters: i64 = zone.parse().ok()?;
    let (&[yy, mm, dd], &[h, mi, s]) = (d.as_slice(), t.as_slice()) else {
        return None;
    };
    let local = chrono::NaiveDate::from_ymd_opt(2000 + i32::try_from(yy).ok()?, mm, dd)?
        .and_hms_opt(h, mi, s)?;
    let utc = local - chrono::Duration::minutes(quarters * 15);
    Some(utc.format("%Y-%m-%dT%H:%M:%S.%6fZ").to_string())
}

/// Parses `AT+CMGL` output: a `+CMGL:` header line followed by the text.
pub fn parse_cmgl(lines: &[String]) -> Vec<Sms> {
    let mut out = Vec::new();
    let mut iter = lines.iter().peekable();
    while let Some(line) = iter.next() {
        let Some(rest) = line.trim().strip_prefix("+CMGL:") else {
            continue;
        };
        let f = fields(rest.trim());
        let (Some(idx), Some(number)) = (f.first().and_then(|i| i.trim().parse().ok()), f.get(2))
        else {
            continue;
        };
        // The timestamp is one quoted field ("yy/MM/dd,hh:mm:ss+zz"); some
        // firmware leaves it unquoted, which splits it in two.
        let scts = match (f.get(4), f.get(5)) {
            (Some(stamp), _) if stamp.contains(',') => stamp.clone(),
            (Some(date), Some(time)) => format!("{date},{time}"),
            _ => String::new(),
        };
        let mut text = Vec::new();
        while let Some(next) = iter.peek() {
            if next.trim().starts_with("+CMGL:") {
                break;
            }
            text.push(iter.next().map(|s| s.as_str()).unwrap_or_default());
        }
        out.push(Sms {
            idx,
            number: number.clone(),
            time: sms_time(&scts).unwrap_or_default(),
            text: text.join("\n").trim_end().to_owned(),
        });
    }
    out
}

/// Parses a `+DTMF: d` unsolicited result code.
pub fn parse_dtmf(line: &str) -> Option<char> {
    line.trim().strip_prefix("+DTMF:")?.trim().chars().next()
}

/// Network registration from `+CREG: n,stat` (27.007 §7.2).
pub fn parse_creg(line: &str) -> Option<&'static str> {
    let f = fields(line.trim().strip_prefix("+CREG:")?.trim());
    let stat = if f.len() >= 2 { f.get(1)? } else { f.first()? };
    Some(match stat.trim().parse::<u8>().ok()? {
        0 => "not_registered",
        1 => "home",
        2 => "searching",
        3 => "denied",
        5 => "roaming",
        _ => "unknown",
    })
}

/// Signal quality from `+CSQ: rssi,ber`: 0–31, `None` for 99 (unknown).
pub fn parse_csq(line: &str) -> Option<u8> {
    let f = fields(line.trim().strip_prefix("+CSQ:")?.trim());
    f.first()?.trim().parse::<u8>().ok().filter(|&r| r <= 31)
}

/// Call state from `+CLCC: id,dir,stat,...` (0 = active, 2 = dialling, 3 = alerting).
pub fn parse_clcc_state(line: &str) -> Option<u8> {
    let f = fields(line.trim().strip_prefix("+CLCC:")?.trim());
    f.get(2)?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &[&str]) -> Vec<String> {
        s.iter().map(|l| (*l).to_owned()).collect()
    }

    #[test]
    fn final_lines() {
        assert_eq!(final_line("OK\r"), Some(Final::Ok));
        assert_eq!(
            final_line("+CMS ERROR: 500"),
            Some(Final::Error("+CMS ERROR: 500".into()))
        );
        assert_eq!(
            final_line("NO CARRIER"),
            Some(Final::Error("NO CARRIER".into()))
        );
        assert_eq!(final_line("+CMGS: 12"), None);
    }

    #[test]
    fn stored_messages() {
        let out = parse_cmgl(&lines(&[
            "+CMGL: 1,\"REC READ\",\"+36301234567\",\"\",\"26/11/24,10:00:00+04\"",
            "Hello, argus",
            "+CMGL: 4,\"REC UNREAD\",\"+36209876543\",\"\",\"26/11/24,11:30:15-08\"",
            "two",
            "lines",
        ]));
        assert_eq!(out.len(), 2);
        assert_eq!(
            out[0],
            Sms {
                idx: 1,
                number: "+36301234567".into(),
                time: "2026-11-24T09:00:00.000000Z".into(),
                text: "Hello, argus".into()
            }
        );
        assert_eq!(out[1].time, "2026-11-24T13:30:15.000000Z");
        assert_eq!(out[1].text, "two\nlines");
    }

    #[test]
    fn a_comma_inside_quotes_does_not_shift_the_fields() {
        let out = parse_cmgl(&lines(&[
            "+CMGL: 2,\"REC READ\",\"+36301234567\",\"Smith, John\",\"26/11/24,10:00:00+04\"",
            "hi",
        ]));
        assert_eq!(out[0].number, "+36301234567");
        assert_eq!(out[0].time, "2026-11-24T09:00:00.000000Z");
    }

    #[test]
    fn an_unquoted_timestamp_is_read_from_its_two_halves() {
        let out = parse_cmgl(&lines(&[
            "+CMGL: 3,\"REC READ\",\"+36301234567\",,26/11/24,10:00:00+04",
            "hi",
        ]));
        assert_eq!(out[0].time, "2026-11-24T09:00:00.000000Z");
    }

    #[test]
    fn dtmf_and_call_state() {
        assert_eq!(parse_dtmf("+DTMF: 1"), Some('1'));
        assert_eq!(parse_dtmf("RING"), None);
        assert_eq!(parse_clcc_state("+CLCC: 1,0,0,0,0,\"+3630\",145"), Some(0));
        assert_eq!(parse_clcc_state("+CLCC: 1,0,3,0,0,\"+3630\",145"), Some(3));
    }

    #[test]
    fn registration_and_signal_are_read_and_nonsense_is_unknown() {
        assert_eq!(parse_creg("+CREG: 0,1"), Some("home"));
        assert_eq!(parse_creg("+CREG: 0,5"), Some("roaming"));
        assert_eq!(parse_creg("+CREG: 2"), Some("searching"));
        assert_eq!(parse_creg("+CREG: 0,9"), Some("unknown"));
        assert_eq!(parse_creg("+CREG: x"), None);
        assert_eq!(parse_csq("+CSQ: 18,0"), Some(18));
        assert_eq!(parse_csq("+CSQ: 99,99"), None);
        assert_eq!(parse_csq("+CMGS: 3"), None);
    }

    #[test]
    fn bad_times_are_empty_not_panics() {
        assert_eq!(sms_time("garbage"), None);
        assert_eq!(sms_time("26/13/40,25:00:00+00"), None);
    }
}
