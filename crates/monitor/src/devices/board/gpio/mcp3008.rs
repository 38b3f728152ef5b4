//! MCP3008 over bit-banged SPI (mode 0): chip select low, send the start bit,
//! single-ended mode and the channel (D2 D1 D0) on rising clock edges, then
//! clock in a null bit and ten data bits, most significant first.

use super::{Pins, Spi};

/// The five command bits for a single-ended read of `channel` (0–7).
pub fn command(channel: u8) -> [bool; 5] {
    [
        true,
        true,
        channel & 4 != 0,
        channel & 2 != 0,
        channel & 1 != 0,
    ]
}

/// Reads one conversion (0–1023) from ADC `adc` (0 or 1), input `channel`.
pub fn read(pins: &mut impl Pins, spi: Spi, adc: usize, channel: u8) -> u16 {
    let cs = spi.cs[adc.min(1)];
    pins.set(spi.clock, false);
    pins.set(cs, false);
    for bit in command(channel) {
        pins.set(spi.mosi, bit);
        pins.set(spi.clock, true);
        pins.set(spi.clock, false);
    }
    let mut value = 0u16;
    // One null bit, then ten data bits.
    for i in 0..11 {
        pins.set(spi.clock, true);
        pins.set(spi.clock, false);
        let bit = pins.get(spi.miso);
        if i > 0 {
            value = (value << 1) | u16::from(bit);
        }
    }
    pins.set(cs, true);
    value
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A model of one MCP3008 following the datasheet's timing.
    #[derive(Default)]
    pub struct Chip {
        pub values: [u16; 8],
        selected: bool,
        bits_in: Vec<bool>,
        out: Vec<bool>,
        /// Falling edges left before the null bit (the sample-and-hold clocks).
        sampling: u8,
    }

    /// Two chips on one bus.
    pub struct Adcs {
        pub chips: [Chip; 2],
        spi: Spi,
        clock: bool,
        mosi: bool,
        miso: bool,
    }

    impl Adcs {
        pub fn new(spi: Spi) -> Self {
            Self {
                chips: Default::default(),
                spi,
                clock: false,
                mosi: false,
                miso: false,
            }
        }
    }

    impl Pins for Adcs {
        fn set(&mut self, line: u32, high: bool) {
            if let Some(i) = self.spi.cs.iter().position(|&c| c == line) {
                let chip = &mut self.chips[i];
                chip.selected = !high;
                chip.bits_in.clear();
                chip.out.clear();
                chip.sampling = 0;
            } else if line == self.spi.mosi {
                self.mosi = high;
            } else if line == self.spi.clock {
                let rising = high && !self.clock;
                let falling = !high && self.clock;
                self.clock = high;
                for chip in self.chips.iter_mut().filter(|c| c.selected) {
                    if rising && chip.bits_in.len() < 5 {
                        chip.bits_in.push(self.mosi);
                        if chip.bits_in.len() == 5 {
                            let ch = usize::from(chip.bits_in[2]) << 2
                                | usize::from(chip.bits_in[3]) << 1
                                | usize::from(chip.bits_in[4]);
                            let v = chip.values[ch];
                            // Null bit, then B9..B0, shifted out on falling edges.
                            chip.out = std::iter::once(false)
                                .chain((0..10).rev().map(|b| v & (1 << b) != 0))
                                .collect();
                            chip.out.reverse();
                            // The falling edge of the D0 clock still samples; the
                            // null bit comes out on the falling edge of the next one.
                            chip.sampling = 1;
                        }
                    } else if falling && chip.bits_in.len() == 5 {
                        if chip.sampling > 0 {
                            chip.sampling -= 1;
                        } else if let Some(b) = chip.out.pop() {
                            self.miso = b;
                        }
                    }
                }
            }
        }

        fn get(&mut self, line: u32) -> bool {
            line == self.spi.miso && self.miso
        }
    }

    #[test]
    fn command_bits() {
        assert_eq!(command(0), [true, true, false, false, false]);
        assert_eq!(command(5), [true, true, true, false, true]);
        assert_eq!(command(7), [true, true, true, true, true]);
    }

    #[test]
    fn reads_every_channel_of_both_chips() {
        let spi = Spi {
            clock: 11,
            mosi: 10,
            miso: 9,
            cs: [8, 7],
        };
        let mut adcs = Adcs::new(spi);
        for ch in 0..8 {
            adcs.chips[0].values[ch] = [0, 1, 512, 1023, 341, 682, 7, 999][ch];
            adcs.chips[1].values[ch] = 1023 - adcs.chips[0].values[ch];
        }
        for ch in 0..8u8 {
            assert_eq!(
                read(&mut adcs, spi, 0, ch),
                adcs.chips[0].values[usize::from(ch)],
                "AD1 ch{ch}"
            );
            assert_eq!(
                read(&mut adcs, spi, 1, ch),
                adcs.chips[1].values[usize::from(ch)],
                "AD2 ch{ch}"
            );
        }
    }
}
