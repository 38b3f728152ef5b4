//! Classifies an input level into sensor readings, by the wiring table of
//! board v3 (contract §9.5): a 2k2 pull-up, 22k pull-down and end-of-line
//! resistors of 5k6 (A) and 3k6 (B) put each state at a known ratio of the
//! ADC reference; a level within ±0.05 of one matches it.

use crate::engine::Reading;

/// Tolerance around each nominal level.
pub const TOLERANCE: f64 = 0.05;
/// Open circuit (wire cut).
pub const OPEN: f64 = 0.909;
/// Short circuit.
pub const SHORT: f64 = 0.0;

/// How a sensor is wired to its input (kept in the journal as it is).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Wiring {
    /// `basic`: compared with a calibrated reference (±0.01), no fault detection.
    Basic,
    /// `normal`: one sensor, NC or NO, one or two EOL resistors.
    Single {
        /// Normally closed.
        nc: bool,
        /// Two EOL resistors.
        double_eol: bool,
    },
    /// `channel_a` / `channel_b`: two sensors share the input (zone doubling).
    Dual {
        /// Normally closed.
        nc: bool,
        /// This sensor is B (else A).
        b: bool,
    },
}

/// Nominal levels of a wiring: idle, active, and (dual) the both-active level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Levels {
    /// Nothing active.
    pub idle: f64,
    /// This sensor active (alone).
    pub active: f64,
    /// Both sensors of a dual input active.
    pub both: Option<f64>,
}

impl Wiring {
    /// The nominal levels (`Basic` has none: it uses its reference).
    pub fn levels(self) -> Option<Levels> {
        Some(match self {
            Self::Basic => return None,
            Self::Single {
                nc: true,
                double_eol: false,
            } => Levels {
                idle: 0.670,
                active: 0.909,
                both: None,
            },
            Self::Single {
                nc: false,
                double_eol: false,
            } => Levels {
                idle: 0.670,
                active: 0.0,
                both: None,
            },
            Self::Single {
                nc: true,
                double_eol: true,
            } => Levels {
                idle: 0.670,
                active: 0.475,
                both: None,
            },
            Self::Single {
                nc: false,
                double_eol: true,
            } => Levels {
                idle: 0.475,
                active: 0.584,
                both: None,
            },
            Self::Dual { nc: true, b } => Levels {
                idle: 0.475,
                active: if b { 0.670 } else { 0.584 },
                both: Some(0.909),
            },
            Self::Dual { nc: false, b } => Levels {
                idle: 0.747,
                active: if b { 0.670 } else { 0.584 },
                both: Some(0.0),
            },
        })
    }

    /// Reads a level. `reference` is the calibrated idle level (`Basic` only).
    pub fn classify(self, level: f64, reference: Option<f64>) -> Reading {
        let near = |nominal: f64| (level - nominal).abs() <= TOLERANCE;
        let Some(l) = self.levels() else {
            let reference = reference.unwrap_or(level);
            return if (level - reference).abs() >= 0.01 {
                Reading::Active
            } else {
                Reading::Idle
            };
        };
        if near(l.active) || l.both.is_some_and(near) {
            return Reading::Active;
        }
        if near(SHORT) {
            return Reading::Short;
        }
        if near(OPEN) {
            return Reading::Cut;
        }
        Reading::Idle
    }

    /// The level that produces `reading` (for the simulated board).
    pub fn level_for(self, reading: Reading, reference: Option<f64>) -> f64 {
        match (self.levels(), reading) {
            (_, Reading::Cut) => OPEN,
            (_, Reading::Short) => SHORT,
            (Some(l), Reading::Idle) => l.idle,
            (Some(l), Reading::Active) => l.active,
            (None, Reading::Idle) => reference.unwrap_or(0.5),
            (None, Reading::Active) => reference.map_or(1.0, |r| if r > 0.5 { 0.0 } else { 1.0 }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Wiring; 6] = [
        Wiring::Single {
            nc: true,
            double_eol: false,
        },
        Wiring::Single {
            nc: false,
            double_eol: false,
        },
        Wiring::Single {
            nc: true,
            double_eol: true,
        },
        Wiring::Single {
            nc: false,
            double_eol: true,
        },
        Wiring::Dual { nc: true, b: false },
        Wiring::Dual { nc: false, b: true },
    ];

    #[test]
    fn the_contract_table() {
        use Reading::*;
        let cases = [
            (
                Wiring::Single {
                    nc: true,
                    double_eol: false,
                },
                [(0.670, Idle), (0.909, Active), (0.0, Short)],
            ),
            (
                Wiring::Single {
                    nc: false,
                    double_eol: false,
                },
                [(0.670, Idle), (0.0, Active), (0.909, Cut)],
            ),
            (
                Wiring::Single {
                    nc: true,
                    double_eol: true,
                },
                [(0.670, Idle), (0.475, Active), (0.909, Cut)],
            ),
            (
                Wiring::Single {
                    nc: false,
                    double_eol: true,
                },
                [(0.475, Idle), (0.584, Active), (0.0, Short)],
            ),
            (
                Wiring::Dual { nc: true, b: false },
                [(0.475, Idle), (0.584, Active), (0.909, Active)],
            ),
            (
                Wiring::Dual { nc: false, b: true },
                [(0.747, Idle), (0.670, Active), (0.0, Active)],
            ),
        ];
        for (wiring, levels) in cases {
            for (level, expected) in levels {
                assert_eq!(
                    wiring.classify(level, None),
                    expected,
                    "{wiring:?} at {level}"
                );
            }
        }
        assert_eq!(
            Wiring::Dual { nc: true, b: true }.classify(0.584, None),
            Idle,
            "A active is not B"
        );
        assert_eq!(
            Wiring::Dual {
                nc: false,
                b: false
            }
            .classify(0.909, None),
            Cut
        );
    }

    #[test]
    fn tolerance_is_five_hundredths() {
        let w = Wiring::Single {
            nc: true,
            double_eol: true,
        };
        assert_eq!(w.classify(0.475 + 0.049, None), Reading::Active);
        assert_eq!(w.classify(0.475 + 0.051, None), Reading::Idle);
    }

    #[test]
    fn simulated_levels_classify_back() {
        for w in ALL {
            for r in [Reading::Idle, Reading::Active] {
                assert_eq!(w.classify(w.level_for(r, None), None), r, "{w:?} {r:?}");
            }
        }
        let basic = Wiring::Basic;
        assert_eq!(
            basic.classify(basic.level_for(Reading::Active, Some(0.0)), Some(0.0)),
            Reading::Active
        );
        assert_eq!(basic.classify(0.005, Some(0.0)), Reading::Idle);
    }

    #[test]
    fn basic_wiring_is_idle_at_its_reference_and_active_away_from_it() {
        let basic = Wiring::Basic;
        assert_eq!(basic.classify(0.8, Some(0.8)), Reading::Idle);
        assert_eq!(basic.classify(0.805, Some(0.8)), Reading::Idle);
        assert_eq!(basic.classify(0.82, Some(0.8)), Reading::Active);
        assert_eq!(
            basic.classify(0.6, None),
            Reading::Idle,
            "uncalibrated: idle"
        );
    }

    #[test]
    fn the_simulated_active_level_is_the_rail_farthest_from_the_reference() {
        let basic = Wiring::Basic;
        assert_eq!(basic.level_for(Reading::Active, Some(0.8)), 0.0);
        assert_eq!(basic.level_for(Reading::Active, Some(0.2)), 1.0);
    }
}
