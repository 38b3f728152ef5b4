//! Relay outputs: area, system and button triggers with delay, duration and
//! default state (contract §9.10).

use super::effect::Effect;
use super::model::{Millis, OutputId, OutputTrigger};
use super::Engine;

impl Engine {
    /// Whether an output's trigger holds now.
    fn output_wanted(&self, trigger: OutputTrigger) -> Option<bool> {
        match trigger {
            OutputTrigger::Area(area) => Some(
                self.state
                    .areas
                    .get(&area)
                    .is_some_and(|a| a.mode.is_some()),
            ),
            OutputTrigger::System => {
                let areas = self.config.system_areas();
                let armed = |a: &i32| self.state.areas.get(a).is_some_and(|r| r.mode.is_some());
                Some(!areas.is_empty() && areas.iter().all(armed))
            }
            OutputTrigger::Button => None,
        }
    }

    /// Starts or stops area and system outputs whose trigger changed.
    pub(super) fn refresh_outputs(&mut self, at: Millis, out: &mut Vec<Effect>) {
        let ids: Vec<OutputId> = self.config.outputs.keys().copied().collect();
        for id in ids {
            let trigger = self.config.outputs[&id].trigger;
            if let Some(wanted) = self.output_wanted(trigger) {
                self.set_output_active(id, wanted, at, out);
            }
        }
    }

    /// A button output pressed or released.
    pub(super) fn press(
        &mut self,
        output: OutputId,
        pressed: bool,
        at: Millis,
        out: &mut Vec<Effect>,
    ) {
        if self
            .config
            .outputs
            .get(&output)
            .is_some_and(|o| o.trigger == OutputTrigger::Button)
        {
            self.set_output_active(output, pressed, at, out);
        }
    }

    fn set_output_active(&mut self, id: OutputId, active: bool, at: Millis, out: &mut Vec<Effect>) {
        let Some(cfg) = self.config.outputs.get(&id).cloned() else {
            return;
        };
        let Some(runtime) = self.state.outputs.get_mut(&id) else {
            return;
        };
        if !cfg.enabled || runtime.active == active {
            return;
        }
        runtime.active = active;
        let target = if active {
            !cfg.default_state
        } else {
            cfg.default_state
        };
        runtime.next = Some((at + Millis::from(cfg.delay) * 1000, target));
        if cfg.delay == 0 {
            self.output_due(id, out);
        }
    }

    /// A scheduled switch is due.
    pub(super) fn output_due(&mut self, id: OutputId, out: &mut Vec<Effect>) {
        let Some(cfg) = self.config.outputs.get(&id).cloned() else {
            return;
        };
        let Some(runtime) = self.state.outputs.get_mut(&id) else {
            return;
        };
        let Some((at, state)) = runtime.next.take() else {
            return;
        };
        if runtime.state != state {
            runtime.state = state;
            out.push(Effect::Output { output: id, state });
        }
        let switched_on = state != cfg.default_state;
        if switched_on && cfg.duration > 0 {
            // Still triggered, but back at rest after `duration`.
            runtime.next = Some((at + Millis::from(cfg.duration) * 1000, cfg.default_state));
        }
    }
}
