//! A circuit breaker: closed → open → half-open, by failure rate over a
//! count-based sliding window (Nygard, "Release It!", 2007; the states and
//! settings of Resilience4j's `CircuitBreaker`).
//!
//! Closed: calls pass; the last `window` outcomes are kept, and once at
//! least `calls_min` are in, a failure rate at or above the threshold opens
//! the circuit. Open: calls fail fast for `open_us`. Half-open: up to
//! `half_open_calls` trial calls pass; once they have all answered, a
//! failure rate at or above the threshold opens the circuit again, else it
//! closes. Time is the owner's clock, passed in.

use super::params::ServiceParams;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// The breaker's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Calls pass.
    Closed,
    /// Calls fail fast.
    Open,
    /// A few trial calls pass.
    HalfOpen,
}

impl State {
    /// The value plotted for this state: 0 closed, 1 half-open, 2 open.
    pub fn level(self) -> f64 {
        match self {
            State::Closed => 0.0,
            State::HalfOpen => 1.0,
            State::Open => 2.0,
        }
    }
}

/// A state change: (from, to).
pub type Transition = (State, State);

/// One service's circuit breaker.
#[derive(Debug, Clone)]
pub struct Breaker {
    window: usize,
    calls_min: usize,
    failure_rate: f64,
    open_us: u64,
    half_open_calls: u32,
    state: State,
    outcomes: VecDeque<bool>,
    opened_us: u64,
    trials: u32,
    results: u32,
    failures: u32,
}

impl Breaker {
    /// A closed breaker with `p`'s settings.
    #[cfg(test)]
    pub fn new(p: &ServiceParams) -> Breaker {
        Breaker::with_open_unit(p, 1_000)
    }

    /// As [`Breaker::new`], with `breaker_open_ms` counted in units of
    /// `open_unit_us` (1000: milliseconds, as it should be).
    pub fn with_open_unit(p: &ServiceParams, open_unit_us: u64) -> Breaker {
        Breaker {
            window: p.breaker_window as usize,
            calls_min: p.breaker_calls_min as usize,
            failure_rate: p.breaker_failure_rate,
            open_us: p.breaker_open_ms.saturating_mul(open_unit_us),
            half_open_calls: p.breaker_half_open_calls,
            state: State::Closed,
            outcomes: VecDeque::new(),
            opened_us: 0,
            trials: 0,
            results: 0,
            failures: 0,
        }
    }

    /// The current state.
    #[cfg(test)]
    pub fn state(&self) -> State {
        self.state
    }

    /// May a call go out at `now_us`? Also reports an open → half-open change.
    pub fn allow(&mut self, now_us: u64) -> (bool, Option<Transition>) {
        let mut change = None;
        if self.state == State::Open && now_us >= self.opened_us + self.open_us {
            change = self.go(State::HalfOpen, now_us);
        }
        let allowed = match self.state {
            State::Closed => true,
            State::Open => false,
            State::HalfOpen if self.trials < self.half_open_calls => {
                self.trials += 1;
                true
            }
            State::HalfOpen => false,
        };
        (allowed, change)
    }

    /// Records a call's outcome; reports a state change.
    pub fn record(&mut self, now_us: u64, success: bool) -> Option<Transition> {
        match self.state {
            State::Open => None,
            State::HalfOpen => {
                self.results += 1;
                self.failures += u32::from(!success);
                if self.results < self.half_open_calls {
                    return None;
                }
                let rate = f64::from(self.failures) / f64::from(self.results);
                let to = if rate >= self.failure_rate {
                    State::Open
                } else {
                    State::Closed
                };
                self.go(to, now_us)
            }
            State::Closed => {
                self.outcomes.push_back(success);
                while self.outcomes.len() > self.window {
                    self.outcomes.pop_front();
                }
                self.tripped()
                    .then(|| self.go(State::Open, now_us))
                    .flatten()
            }
        }
    }

    fn tripped(&self) -> bool {
        let n = self.outcomes.len();
        let failures = self.outcomes.iter().filter(|ok| !**ok).count();
        n >= self.calls_min && failures as f64 >= self.failure_rate * n as f64
    }

    fn go(&mut self, to: State, now_us: u64) -> Option<Transition> {
        let from = self.state;
        assert_ne!(from, to, "a transition changes the state");
        self.state = to;
        self.trials = 0;
        self.results = 0;
        self.failures = 0;
        self.outcomes.clear();
        if to == State::Open {
            self.opened_us = now_us;
        }
        Some((from, to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker() -> Breaker {
        Breaker::new(&ServiceParams {
            breaker_window: 4,
            breaker_calls_min: 2,
            breaker_failure_rate: 0.5,
            breaker_open_ms: 10,
            breaker_half_open_calls: 2,
            ..ServiceParams::default()
        })
    }

    #[test]
    fn opens_on_failure_rate_then_half_opens_and_closes() {
        let mut b = breaker();
        assert_eq!(b.record(0, true), None);
        assert_eq!(b.record(1, false), Some((State::Closed, State::Open)));
        assert_eq!(b.allow(5_000), (false, None));
        assert_eq!(
            b.allow(11_000),
            (true, Some((State::Open, State::HalfOpen)))
        );
        assert_eq!(b.allow(11_000), (true, None));
        assert_eq!(b.allow(11_000), (false, None), "only two trial calls");
        assert_eq!(b.record(12_000, true), None);
        assert_eq!(
            b.record(12_000, true),
            Some((State::HalfOpen, State::Closed))
        );
    }

    #[test]
    fn failing_trials_reopen() {
        let mut b = breaker();
        b.record(0, false);
        b.record(0, false);
        assert_eq!(b.state(), State::Open);
        b.allow(20_000);
        b.allow(20_000);
        assert_eq!(b.record(20_000, true), None, "judged after all trials");
        let reopened = Some((State::HalfOpen, State::Open));
        assert_eq!(b.record(20_000, false), reopened);
        assert_eq!(b.allow(25_000), (false, None));
    }
}
