//! The real boards on the GPIO character device (`/dev/gpiochip0`, through
//! `gpio-cdev`).
//!
//! - Board v2: 15 digital inputs read as line events on both edges (the
//!   kernel timestamps them; nothing is polled), power sense on GPIO8.
//! - Board v3: two MCP3008 ADCs bit-banged over SPI lines, sampled
//!   `SAMPLE_RATE` times a second; a level change beyond the classifier's
//!   resolution is reported. AD2 channel 0 senses power.
//! - Both: eight outputs (channel 0 = siren) through a DRV8860.
//!
//! The protocols are in [`mcp3008`] and [`drv8860`], written against the
//! [`Pins`] trait so tests run them against models of the chips.

pub mod drv8860;
pub mod mcp3008;

use argus_protocol::constants::PowerState;
use gpio_cdev::{Chip, EventRequestFlags, EventType, LineHandle, LineRequestFlags};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::mpsc;

use super::{BoardCommand, BoardEvent, BoardHandle, OutputStates};

/// The GPIO chip of the Raspberry Pi header.
pub const CHIP: &str = "/dev/gpiochip0";
/// Board v2 inputs CH01..CH15 (BCM numbers, contract §9.4).
pub const V2_INPUTS: [u32; 15] = [19, 20, 26, 21, 12, 6, 13, 16, 7, 1, 0, 5, 23, 24, 25];
/// Board v2 power sense (0 = mains).
pub const V2_POWER: u32 = 8;
/// Board v3 SPI lines to the ADCs: clock, MOSI, MISO, chip selects AD1, AD2.
pub const V3_SPI: Spi = Spi {
    clock: 11,
    mosi: 10,
    miso: 9,
    cs: [8, 7],
};
/// DRV8860 lines on board v2.
pub const V2_DRV: drv8860::Lines = drv8860::Lines {
    latch: 27,
    enable: 22,
    clock: 11,
    data_in: 10,
    data_out: 9,
};
/// DRV8860 lines on board v3.
pub const V3_DRV: drv8860::Lines = drv8860::Lines {
    latch: 16,
    enable: 26,
    clock: 21,
    data_in: 19,
    data_out: 20,
};
/// Wiegand keypad lines (D0, D1) on board v2 and v3 (contract §9.12).
pub const V2_WIEGAND: (u32, u32) = (18, 17);
/// See [`V2_WIEGAND`].
pub const V3_WIEGAND: (u32, u32) = (12, 6);
/// A level change smaller than this is noise (the classifier's tolerance is 0.05).
pub const LEVEL_RESOLUTION: f64 = 0.01;

/// SPI lines of the ADCs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spi {
    /// Clock.
    pub clock: u32,
    /// Controller out.
    pub mosi: u32,
    /// Controller in.
    pub miso: u32,
    /// Chip selects of AD1 and AD2.
    pub cs: [u32; 2],
}

/// Where a v3 input channel is read: `(adc 0|1, adc channel)`.
/// CH01..CH08 = AD1 ch7..ch0, CH09..CH15 = AD2 ch7..ch1 (contract §9.4).
pub fn v3_channel(channel: u8) -> Option<(usize, u8)> {
    match channel {
        0..=7 => Some((0, 7 - channel)),
        8..=14 => Some((1, 15 - channel)),
        _ => None,
    }
}

/// Bit-banged lines, by BCM number.
pub trait Pins {
    /// Drives an output line.
    fn set(&mut self, line: u32, high: bool);
    /// Reads an input line.
    fn get(&mut self, line: u32) -> bool;
}

/// The board could not start.
#[derive(Debug, thiserror::Error)]
#[error("board v{version}: {problem}")]
pub struct GpioError {
    version: u8,
    problem: String,
}

/// Lines requested from the chip.
struct CdevPins {
    outputs: BTreeMap<u32, LineHandle>,
    inputs: BTreeMap<u32, LineHandle>,
}

impl CdevPins {
    fn open(chip: &mut Chip, outputs: &[u32], inputs: &[u32]) -> Result<Self, gpio_cdev::Error> {
        let mut pins = Self {
            outputs: BTreeMap::new(),
            inputs: BTreeMap::new(),
        };
        for &line in outputs {
            pins.outputs.insert(
                line,
                chip.get_line(line)?
                    .request(LineRequestFlags::OUTPUT, 0, "argus")?,
            );
        }
        for &line in inputs {
            pins.inputs.insert(
                line,
                chip.get_line(line)?
                    .request(LineRequestFlags::INPUT, 0, "argus")?,
            );
        }
        Ok(pins)
    }
}

impl Pins for CdevPins {
    fn set(&mut self, line: u32, high: bool) {
        if let Some(h) = self.outputs.get(&line) {
            if let Err(e) = h.set_value(u8::from(high)) {
                tracing::error!(gpio.line = line, error = %e, "cannot drive a GPIO line");
            }
        }
    }

    fn get(&mut self, line: u32) -> bool {
        self.inputs
            .get(&line)
            .and_then(|h| h.get_value().ok())
            .is_some_and(|v| v != 0)
    }
}

/// Starts the real board `version` (2 or 3).
pub fn spawn(
    version: u8,
    sample_rate: u32,
    events: mpsc::UnboundedSender<BoardEvent>,
) -> Result<BoardHandle, GpioError> {
    let fail = |problem: String| GpioError { version, problem };
    let mut chip = Chip::new(CHIP).map_err(|e| fail(format!("cannot open {CHIP}: {e}")))?;
    let (tx, rx) = mpsc::unbounded_channel();
    let wiegand = if version == 2 { V2_WIEGAND } else { V3_WIEGAND };
    watch_wiegand(&mut chip, wiegand, events.clone())
        .map_err(|e| fail(format!("Wiegand lines: {e}")))?;
    match version {
        2 => {
            let lines = V2_DRV;
            let pins = CdevPins::open(
                &mut chip,
                &[lines.latch, lines.enable, lines.clock, lines.data_out],
                &[lines.data_in],
            )
            .map_err(|e| fail(format!("DRV8860 lines: {e}")))?;
            for (channel, &line) in V2_INPUTS.iter().enumerate() {
                let channel = u8::try_from(channel).unwrap_or(u8::MAX);
                watch_line(&mut chip, line, events.clone(), move |high| {
                    BoardEvent::Level {
                        channel,
                        level: f64::from(u8::from(high)),
                    }
                })
                .map_err(|e| fail(format!("input line {line}: {e}")))?;
            }
            watch_line(&mut chip, V2_POWER, events.clone(), |high| {
                BoardEvent::Power(if high {
                    PowerState::Battery
                } else {
                    PowerState::Network
                })
            })
            .map_err(|e| fail(format!("power line {V2_POWER}: {e}")))?;
            std::thread::Builder::new()
                .name("argus-outputs".into())
                .spawn(move || run_outputs(pins, lines, rx, None))
                .map_err(|e| fail(e.to_string()))?;
        }
        3 => {
            let lines = V3_DRV;
            let spi = V3_SPI;
            let pins = CdevPins::open(
                &mut chip,
                &[
                    lines.latch,
                    lines.enable,
                    lines.clock,
                    lines.data_out,
                    spi.clock,
                    spi.mosi,
                    spi.cs[0],
                    spi.cs[1],
                ],
                &[lines.data_in, spi.miso],
            )
            .map_err(|e| fail(format!("SPI/DRV8860 lines: {e}")))?;
            let period = Duration::from_secs(1) / sample_rate.max(1);
            std::thread::Builder::new()
                .name("argus-board-v3".into())
                .spawn(move || run_outputs(pins, lines, rx, Some((spi, period, events))))
                .map_err(|e| fail(e.to_string()))?;
        }
        other => return Err(fail(format!("unknown board version {other}"))),
    }
    Ok(BoardHandle::new(tx, false))
}

/// Reports a line's edges from a dedicated thread (blocking reads, no polling).
fn watch_line(
    chip: &mut Chip,
    line: u32,
    events: mpsc::UnboundedSender<BoardEvent>,
    event: impl Fn(bool) -> BoardEvent + Send + 'static,
) -> Result<(), gpio_cdev::Error> {
    let handle = chip.get_line(line)?.events(
        LineRequestFlags::INPUT,
        EventRequestFlags::BOTH_EDGES,
        "argus",
    )?;
    let initial = handle.get_value()? != 0;
    let _ = events.send(event(initial));
    std::thread::Builder::new()
        .name(format!("argus-gpio{line}"))
        .stack_size(64 * 1024)
        .spawn(move || {
            for e in handle {
                match e {
                    Ok(e) => {
                        if events
                            .send(event(e.event_type() == EventType::RisingEdge))
                            .is_err()
                        {
                            return;
                        }
                    }
                    Err(err) => {
                        tracing::error!(gpio.line = line, error = %err, "GPIO event read failed");
                        return;
                    }
                }
            }
        })
        .map_err(|e| gpio_cdev::Error::from(std::io::Error::other(e)))?;
    Ok(())
}

/// Decodes the Wiegand keypad: a thread per data line sends falling edges
/// (with kernel timestamps) to a decoder thread that ends a frame after a pause.
fn watch_wiegand(
    chip: &mut Chip,
    (d0, d1): (u32, u32),
    events: mpsc::UnboundedSender<BoardEvent>,
) -> Result<(), gpio_cdev::Error> {
    let (bits_tx, bits_rx) = std::sync::mpsc::channel::<(bool, u64)>();
    for (line, bit) in [(d0, false), (d1, true)] {
        let handle = chip.get_line(line)?.events(
            LineRequestFlags::INPUT,
            EventRequestFlags::FALLING_EDGE,
            "argus",
        )?;
        let bits_tx = bits_tx.clone();
        std::thread::Builder::new()
            .name(format!("argus-wiegand{line}"))
            .stack_size(64 * 1024)
            .spawn(move || {
                for event in handle.flatten() {
                    if bits_tx.send((bit, event.timestamp())).is_err() {
                        return;
                    }
                }
            })
            .map_err(|e| gpio_cdev::Error::from(std::io::Error::other(e)))?;
    }
    std::thread::Builder::new()
        .name("argus-wiegand".into())
        .spawn(move || {
            let mut decoder = super::wiegand::Decoder::default();
            let gap = Duration::from_nanos(super::wiegand::FRAME_GAP_NS);
            loop {
                let frame = match bits_rx.recv_timeout(gap) {
                    Ok((bit, at)) => decoder.bit(bit, at),
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => decoder.finish(),
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
                };
                let event = match frame {
                    Some(super::wiegand::Frame::Key(k)) => BoardEvent::Key(k),
                    Some(super::wiegand::Frame::Card(c)) => BoardEvent::Card(c),
                    None => continue,
                };
                if events.send(event).is_err() {
                    return;
                }
            }
        })
        .map_err(|e| gpio_cdev::Error::from(std::io::Error::other(e)))?;
    Ok(())
}

/// Samples every v3 input (and power) once; the levels by channel.
pub fn sample_v3(pins: &mut impl Pins, spi: Spi) -> ([f64; 15], f64) {
    let mut levels = [0.0; 15];
    for (channel, level) in (0u8..).zip(levels.iter_mut()) {
        if let Some((adc, ch)) = v3_channel(channel) {
            *level = f64::from(mcp3008::read(pins, spi, adc, ch)) / 1023.0;
        }
    }
    let power = f64::from(mcp3008::read(pins, spi, 1, 0)) / 1023.0;
    (levels, power)
}

/// Applies one board command to the driver.
fn apply(
    pins: &mut impl Pins,
    lines: drv8860::Lines,
    outputs: &mut OutputStates,
    command: BoardCommand,
) {
    match command {
        BoardCommand::SetOutput { channel, on } => {
            if let Some(c) = outputs.channels.get_mut(usize::from(channel)) {
                *c = on;
                drv8860::write(pins, lines, outputs.channels);
            }
        }
        BoardCommand::Outputs(reply) => {
            let _ = reply.send(*outputs);
        }
        BoardCommand::SimulateLevel { .. } | BoardCommand::SimulatePower(_) => {}
    }
}

/// The outputs thread; on board v3 it also samples the ADCs.
fn run_outputs(
    mut pins: CdevPins,
    lines: drv8860::Lines,
    mut commands: mpsc::UnboundedReceiver<BoardCommand>,
    sampling: Option<(Spi, Duration, mpsc::UnboundedSender<BoardEvent>)>,
) {
    let mut outputs = OutputStates::default();
    drv8860::init(&mut pins, lines);
    drv8860::write(&mut pins, lines, outputs.channels);
    let Some((spi, period, events)) = sampling else {
        // Board v2: inputs are line events elsewhere; this thread only drives outputs.
        while let Some(command) = commands.blocking_recv() {
            apply(&mut pins, lines, &mut outputs, command);
        }
        return;
    };
    let mut last: [Option<f64>; 15] = [None; 15];
    let mut last_power = None;
    loop {
        loop {
            match commands.try_recv() {
                Ok(command) => apply(&mut pins, lines, &mut outputs, command),
                Err(mpsc::error::TryRecvError::Empty) => break,
                Err(mpsc::error::TryRecvError::Disconnected) => return,
            }
        }
        let (levels, power) = sample_v3(&mut pins, spi);
        for (channel, (&level, previous)) in (0u8..).zip(levels.iter().zip(last.iter_mut())) {
            if previous.is_none_or(|p| (p - level).abs() >= LEVEL_RESOLUTION) {
                *previous = Some(level);
                let _ = events.send(BoardEvent::Level { channel, level });
            }
        }
        let source = if power < 0.5 {
            PowerState::Network
        } else {
            PowerState::Battery
        };
        if last_power != Some(source) {
            last_power = Some(source);
            let _ = events.send(BoardEvent::Power(source));
        }
        std::thread::sleep(period);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_channel_map_matches_the_contract() {
        assert_eq!(v3_channel(0), Some((0, 7)));
        assert_eq!(v3_channel(7), Some((0, 0)));
        assert_eq!(v3_channel(8), Some((1, 7)));
        assert_eq!(v3_channel(14), Some((1, 1)));
        assert_eq!(v3_channel(15), None);
        let used: std::collections::BTreeSet<_> = (0..15).filter_map(v3_channel).collect();
        assert_eq!(used.len(), 15);
        assert!(!used.contains(&(1, 0)), "AD2 ch0 is the power sense");
    }

    #[test]
    fn sampling_reads_every_channel_through_the_adc_models() {
        let mut board = mcp3008::tests::Adcs::new(V3_SPI);
        for ch in 0..8 {
            board.chips[0].values[ch] = 100 * ch as u16;
        }
        board.chips[1].values[0] = 1023; // battery
        board.chips[1].values[7] = 512;
        let (levels, power) = sample_v3(&mut board, V3_SPI);
        assert_eq!(levels[0], 700.0 / 1023.0, "CH01 = AD1 ch7");
        assert_eq!(levels[7], 0.0, "CH08 = AD1 ch0");
        assert_eq!(levels[8], 512.0 / 1023.0, "CH09 = AD2 ch7");
        assert_eq!(power, 1.0);
    }
}
