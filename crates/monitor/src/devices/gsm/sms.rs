//! How much text one SMS holds (3GPP TS 23.038): 160 characters when every
//! character is in the GSM 7-bit default alphabet (those of its extension
//! table, such as `€` or `[`, count twice), else 70 in UCS-2. The modem
//! session speaks text mode, which cannot concatenate messages, so a long
//! text is sent as several numbered messages, split at spaces where one is
//! near, and cut after `max_parts`.

/// The GSM 7-bit default alphabet (one septet each).
const BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// Its extension table (an escape and a septet each).
const EXTENSION: &str = "^{}\\[~]|€\u{c}";

/// Septets a character takes in the 7-bit alphabet, `None` outside it.
fn septets(c: char) -> Option<usize> {
    if BASIC.contains(c) {
        Some(1)
    } else if EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Whether `text` goes out as UCS-2. The modem session writes text mode in
/// its IRA (ASCII) character set, which it converts to GSM 7-bit itself; so
/// a text is 7-bit only when every character is ASCII and in the GSM
/// alphabet. Anything else (`é`, `ő`, `€`) is sent as UCS-2.
pub fn needs_ucs2(text: &str) -> bool {
    !text.chars().all(|c| c.is_ascii() && septets(c).is_some())
}

/// The units of one message and each character's cost in them: septets
/// (160) for GSM 7-bit text, UTF-16 code units (70) otherwise.
fn budget(text: &str) -> (usize, fn(char) -> usize) {
    if !needs_ucs2(text) {
        (160, |c| septets(c).unwrap_or(1))
    } else {
        (70, char::len_utf16)
    }
}

/// `text` as at most `max_parts` messages; more than one are numbered
/// `(1/3) …`, and what does not fit in `max_parts` is cut.
pub fn parts(text: &str, max_parts: usize) -> Vec<String> {
    let (room, cost) = budget(text);
    let total: usize = text.chars().map(cost).sum();
    if total <= room || max_parts <= 1 {
        return vec![take(text, room, cost).0.to_owned()];
    }
    // "(n/m) " costs at most 8 units for up to 9 parts.
    let mut rest = text;
    let mut chunks = Vec::new();
    while !rest.is_empty() && chunks.len() < max_parts.min(9) {
        let (chunk, tail) = take(rest, room - 8, cost);
        chunks.push(chunk.trim_end());
        rest = tail.trim_start();
    }
    let count = chunks.len();
    chunks
        .iter()
        .enumerate()
        .map(|(i, c)| format!("({}/{count}) {c}", i + 1))
        .collect()
}

/// The longest head of `text` within `room` units, ending at a space when
/// one is in its last quarter; and the rest.
fn take(text: &str, room: usize, cost: fn(char) -> usize) -> (&str, &str) {
    let mut used = 0;
    let mut end = text.len();
    for (i, c) in text.char_indices() {
        if used + cost(c) > room {
            end = i;
            break;
        }
        used += cost(c);
    }
    if end < text.len() {
        if let Some(space) = text[..end].rfind(' ').filter(|&s| s >= end * 3 / 4) {
            end = space;
        }
    }
    text.split_at(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gsm_text_holds_160_characters_and_extension_characters_count_twice() {
        let plain = "a".repeat(160);
        assert_eq!(parts(&plain, 3), [plain]);
        let bracket = format!("{}[", "a".repeat(158));
        assert_eq!(parts(&bracket, 3).len(), 1, "158 + 2 = 160 septets");
        let over = format!("{}[", "a".repeat(159));
        assert_eq!(parts(&over, 3).len(), 2);
        assert!(!needs_ucs2("Alarm at Home: 50% {x} @ 10:00"));
        for other in ["Ház", "€5", "tab\tstop", "`"] {
            assert!(needs_ucs2(other), "{other}");
        }
    }

    #[test]
    fn other_characters_switch_to_ucs2_and_70() {
        let text = "ő".repeat(70);
        assert_eq!(parts(&text, 1), [text]);
        assert_eq!(
            parts(&"ő".repeat(71), 1)[0].chars().count(),
            70,
            "cut to one"
        );
    }

    #[test]
    fn a_long_text_is_numbered_split_at_spaces_and_cut_after_the_last_part() {
        let text = "Alarm at Home: Kitchen door, Hall motion, Garage window. ".repeat(8);
        let sent = parts(&text, 3);
        assert_eq!(sent.len(), 3);
        for (i, part) in sent.iter().enumerate() {
            assert!(part.starts_with(&format!("({}/3) ", i + 1)), "{part}");
            assert!(part.chars().count() <= 160, "{}", part.len());
            assert!(!part.ends_with(' '));
        }
        let first = sent[0].trim_start_matches("(1/3) ");
        assert!(
            text.starts_with(first) && text[first.len()..].starts_with(' '),
            "split at a space: {first}"
        );
    }
}
