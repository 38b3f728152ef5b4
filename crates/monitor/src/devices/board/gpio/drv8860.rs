//! TI DRV8860 eight-channel low-side driver over its serial interface: with
//! LATCH low, the output states are shifted in on rising clock edges, OUT8
//! first, and take effect when LATCH goes high.

use super::Pins;

/// The driver's lines (BCM numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lines {
    /// LATCH.
    pub latch: u32,
    /// ENABLE.
    pub enable: u32,
    /// CLK.
    pub clock: u32,
    /// SDO of the driver, read by us.
    pub data_in: u32,
    /// SDI of the driver, driven by us.
    pub data_out: u32,
}

/// The bit sequence for `states` (channel 0..7): channel 7 first.
pub fn frame(states: [bool; 8]) -> [bool; 8] {
    let mut bits = states;
    bits.reverse();
    bits
}

/// Puts the driver in a known state and enables its outputs.
pub fn init(pins: &mut impl Pins, lines: Lines) {
    pins.set(lines.latch, true);
    pins.set(lines.enable, false);
    pins.set(lines.clock, false);
    pins.set(lines.enable, true);
}

/// Writes all eight output states.
pub fn write(pins: &mut impl Pins, lines: Lines, states: [bool; 8]) {
    pins.set(lines.latch, false);
    pins.set(lines.clock, false);
    for bit in frame(states) {
        pins.set(lines.clock, false);
        pins.set(lines.data_out, bit);
        pins.set(lines.clock, true);
    }
    pins.set(lines.clock, false);
    pins.set(lines.latch, true);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A model of the driver's shift register and latch.
    #[derive(Default)]
    struct Drv {
        shift: Vec<bool>,
        outputs: [bool; 8],
        latch: bool,
        clock: bool,
        sdi: bool,
        enabled: bool,
    }

    const LINES: Lines = Lines {
        latch: 16,
        enable: 26,
        clock: 21,
        data_in: 19,
        data_out: 20,
    };

    impl Pins for Drv {
        fn set(&mut self, line: u32, high: bool) {
            match line {
                l if l == LINES.latch => {
                    if high && !self.latch {
                        // OUT8 was shifted first, so it sits deepest.
                        let n = self.shift.len();
                        for (i, bit) in self.shift.iter().enumerate() {
                            let channel = n - 1 - i;
                            if channel < 8 {
                                self.outputs[channel] = *bit;
                            }
                        }
                        self.shift.clear();
                    }
                    self.latch = high;
                }
                l if l == LINES.enable => self.enabled = high,
                l if l == LINES.data_out => self.sdi = high,
                l if l == LINES.clock => {
                    if high && !self.clock && !self.latch {
                        self.shift.push(self.sdi);
                    }
                    self.clock = high;
                }
                _ => {}
            }
        }

        fn get(&mut self, _line: u32) -> bool {
            false
        }
    }

    #[test]
    fn frames_send_channel_7_first() {
        let mut states = [false; 8];
        states[0] = true;
        assert_eq!(
            frame(states),
            [false, false, false, false, false, false, false, true]
        );
    }

    #[test]
    fn the_driver_model_ends_with_the_states_written() {
        let mut drv = Drv::default();
        init(&mut drv, LINES);
        assert!(drv.enabled);
        for states in [
            [true, false, false, false, false, false, false, false],
            [false, true, true, false, true, false, false, true],
            [false; 8],
        ] {
            write(&mut drv, LINES, states);
            assert_eq!(drv.outputs, states);
        }
    }
}
