//! The orchestrator's protection of its calls to each service: one circuit
//! breaker and one bulkhead per service, configured per service.
//!
//! A call is admitted only if the breaker allows it and the bulkhead has a
//! permit; its end (reply or timeout) returns the permit and feeds the
//! breaker. Business rejections are successful calls: the service answered.
//! Breaker state changes are recorded as `breaker` events
//! (`{service, from, to}`), which the metrics turn into a time series.

use super::breaker::{Breaker, Transition};
use super::bulkhead::Bulkhead;
use super::event::Event;
use super::layout::Layout;
use super::msg::Service;
use super::node::Ctx;

/// Why a call was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The circuit is open (or half-open with its trials used).
    Open,
    /// The bulkhead is full.
    Full,
}

/// Breakers and bulkheads of every service, indexed by `Service::index`.
#[derive(Debug, Clone)]
pub struct Guards {
    breakers: Vec<Breaker>,
    bulkheads: Vec<Bulkhead>,
}

impl Guards {
    /// Closed breakers and empty bulkheads, per `layout`'s settings.
    pub fn new(layout: &Layout) -> Guards {
        let breakers = Service::ALL
            .iter()
            .map(|&s| {
                let unit_us = layout.variant.breaker_open_unit_us();
                Breaker::with_open_unit(layout.service(s), unit_us)
            })
            .collect();
        let bulkheads = Service::ALL
            .iter()
            .map(|&s| Bulkhead::new(layout.service(s).bulkhead_calls_max))
            .collect();
        Guards {
            breakers,
            bulkheads,
        }
    }

    /// Admits `saga`'s call to `service`, or says why not.
    pub fn admit(&mut self, ctx: &mut Ctx<'_>, saga: u64, service: Service) -> Result<(), Refusal> {
        let (allowed, change) = self.breakers[service.index()].allow(ctx.now_us);
        note(ctx, service, change);
        if !allowed {
            ctx.event(Event::BreakerRefused { saga, service });
            return Err(Refusal::Open);
        }
        if !self.bulkheads[service.index()].try_acquire(saga) {
            ctx.event(Event::BulkheadFull { saga, service });
            return Err(Refusal::Full);
        }
        Ok(())
    }

    /// `saga`'s call to `service` ended: answered (`success`) or timed out.
    pub fn done(&mut self, ctx: &mut Ctx<'_>, saga: u64, service: Service, success: bool) {
        self.bulkheads[service.index()].release(saga);
        let change = self.breakers[service.index()].record(ctx.now_us, success);
        note(ctx, service, change);
    }
}

fn note(ctx: &mut Ctx<'_>, service: Service, change: Option<Transition>) {
    if let Some((from, to)) = change {
        ctx.event(Event::Breaker { service, from, to });
    }
}
