//! Wiegand decoding: bits arrive as pulses on D0 (a 0) and D1 (a 1); a pause
//! ends a frame. 4-bit frames are keys (0–9, 11 = `#`, 12 = `*`, as ArPI's
//! keypads send them), 26- and 34-bit frames are cards with even parity on
//! the first half and odd parity on the second.

/// A pause this long (in nanoseconds, kernel timestamps) ends a frame.
pub const FRAME_GAP_NS: u64 = 25_000_000;

/// What a frame carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A key.
    Key(char),
    /// A card number (decimal).
    Card(String),
}

/// Collects bits into frames.
#[derive(Debug, Default)]
pub struct Decoder {
    bits: Vec<bool>,
    last_ns: Option<u64>,
}

impl Decoder {
    /// Adds a bit seen at `at_ns`; returns the previous frame if this bit
    /// starts a new one.
    pub fn bit(&mut self, bit: bool, at_ns: u64) -> Option<Frame> {
        let finished = match self.last_ns {
            Some(last) if at_ns.saturating_sub(last) >= FRAME_GAP_NS => self.finish(),
            _ => None,
        };
        self.bits.push(bit);
        self.last_ns = Some(at_ns);
        finished
    }

    /// Ends the current frame (call when the pause has passed).
    pub fn finish(&mut self) -> Option<Frame> {
        let bits = std::mem::take(&mut self.bits);
        self.last_ns = None;
        decode(&bits)
    }
}

fn value(bits: &[bool]) -> u64 {
    // `+`, not `|`: the same here (the low bit is free), and a test can tell
    // every mutation of it apart.
    bits.iter().fold(0, |v, &b| (v << 1) + u64::from(b))
}

/// Decodes one frame; `None` for noise or a parity error.
pub fn decode(bits: &[bool]) -> Option<Frame> {
    match bits.len() {
        4 => match value(bits) {
            d @ 0..=9 => char::from_digit(u32::try_from(d).ok()?, 10).map(Frame::Key),
            11 => Some(Frame::Key('#')),
            12 => Some(Frame::Key('*')),
            _ => None,
        },
        26 | 34 => {
            let half = bits.len() / 2;
            let even = bits[..half].iter().filter(|&&b| b).count() % 2 == 0;
            let odd = bits[half..].iter().filter(|&&b| b).count() % 2 == 1;
            (even && odd).then(|| Frame::Card(value(&bits[1..bits.len() - 1]).to_string()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(v: u64, n: usize) -> Vec<bool> {
        (0..n).rev().map(|i| v & (1 << i) != 0).collect()
    }

    /// A 26-bit frame for a 24-bit number with correct parity.
    fn card26(number: u64) -> Vec<bool> {
        let data = bits(number, 24);
        let even = data[..12].iter().filter(|&&b| b).count() % 2 == 1;
        let odd = data[12..].iter().filter(|&&b| b).count() % 2 == 0;
        std::iter::once(even)
            .chain(data)
            .chain(std::iter::once(odd))
            .collect()
    }

    #[test]
    fn keys() {
        assert_eq!(decode(&bits(7, 4)), Some(Frame::Key('7')));
        assert_eq!(decode(&bits(11, 4)), Some(Frame::Key('#')));
        assert_eq!(decode(&bits(12, 4)), Some(Frame::Key('*')));
        assert_eq!(decode(&bits(15, 4)), None);
    }

    #[test]
    fn cards_with_parity() {
        assert_eq!(
            decode(&card26(1_234_567)),
            Some(Frame::Card("1234567".into()))
        );
        let mut broken = card26(1_234_567);
        broken[5] = !broken[5];
        assert_eq!(decode(&broken), None, "a flipped bit fails parity");
        let mut both = card26(1_234_567);
        both[0] = !both[0];
        both[25] = !both[25];
        assert_eq!(
            decode(&both),
            None,
            "each half is checked on its own: two wrong halves are no right whole"
        );
        assert_eq!(decode(&bits(0, 13)), None, "noise");
    }

    #[test]
    fn a_pause_splits_frames() {
        let mut d = Decoder::default();
        let mut frames = Vec::new();
        let mut t = 0;
        for &b in bits(1, 4).iter().chain(bits(2, 4).iter()) {
            t += 2_000_000;
            if frames.is_empty() && t == 10_000_000 {
                t += FRAME_GAP_NS; // the pause between the two key presses
            }
            frames.extend(d.bit(b, t));
        }
        frames.extend(d.finish());
        assert_eq!(frames, [Frame::Key('1'), Frame::Key('2')]);
    }
}
