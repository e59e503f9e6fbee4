//! Half of `order-lifecycle`: every refusal a client got was true of its
//! order at some instant while the command was in flight.
//!
//! The event store is one node and every command loads the order from it,
//! so a command invoked at `s` and answered at `e` decided on the stream
//! as it stood at some instant in `[s, e]`. Items only grow and a closed
//! order stays closed, so each refusal reduces to the stream before `s`
//! and the stream by `e`:
//!
//! - "no such order": not created before `s`;
//! - "order exists": created by `e`;
//! - "nothing to pay": created by `e`, and before `s` still open with
//!   nothing in it;
//! - "order is closed": paid or cancelled by `e`.
//!
//! A handler whose aggregate forgets its items refuses every `pay` with
//! "nothing to pay" and never writes a wrong event: the stream checks
//! alone pass it.

use super::domain::Body;
use super::event::Event;
use super::lifecycle::Life;
use super::progress::{command_calls, key_of};
use super::timeline;
use crate::check::Violation;
use crate::history::{History, OpType};
use serde_json::Value;
use std::collections::BTreeMap;

/// Every store append of each order, as (time, body), in log order.
fn streams(history: &History<Event>) -> BTreeMap<u64, Vec<(u64, Body)>> {
    let mut out: BTreeMap<u64, Vec<(u64, Body)>> = BTreeMap::new();
    for a in timeline::appended(history) {
        out.entry(a.data.order)
            .or_default()
            .push((a.time_us, a.data.body));
    }
    out
}

/// The order's life over the appends for which `counts(time)`.
fn life(stream: &[(u64, Body)], counts: impl Fn(u64) -> bool) -> Life {
    let mut life = Life::default();
    for (_, body) in stream.iter().filter(|(t, _)| counts(*t)) {
        life.apply(body);
    }
    life
}

/// Why `error` could not have been true in `[s, e]`, if it could not.
fn untrue(error: &str, before: Life, by_end: Life) -> Option<&'static str> {
    match error {
        "no such order" if before.created => Some("it was created before the command was invoked"),
        "order exists" if !by_end.created => Some("it was not created before the answer"),
        "nothing to pay" if !by_end.created || before.closed || before.total > 0 => {
            Some("it held items (or was closed, or never created) all along")
        }
        "order is closed" if !by_end.closed => {
            Some("it was neither paid nor cancelled before the answer")
        }
        _ => None,
    }
}

/// Refusals no instant of their command's span makes true (at most `max`).
pub fn untrue_refusals(history: &History<Event>, max: usize) -> Vec<Violation> {
    let streams = streams(history);
    let none = Vec::new();
    let mut out = Vec::new();
    for call in command_calls(history) {
        let Some(done) = call.done.filter(|d| d.kind == OpType::Fail) else {
            continue;
        };
        let Some(error) = done.value().get("error").and_then(Value::as_str) else {
            continue;
        };
        let Some(order) = key_of(call.invoke) else {
            continue;
        };
        let stream = streams.get(&order).unwrap_or(&none);
        let (s, e) = (call.invoke.time_us, done.time_us);
        let before = life(stream, |t| t < s);
        let by_end = life(stream, |t| t <= e);
        if let Some(why) = untrue(error, before, by_end) {
            if out.len() == max {
                break;
            }
            out.push(Violation {
                message: format!(
                    "{} on order {order} was refused \"{error}\", but {why}",
                    call.invoke.f()
                ),
                time_us: Some(e),
                entries: Vec::new(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(created: bool, closed: bool, total: u64) -> Life {
        Life {
            created,
            closed,
            total,
        }
    }

    #[test]
    fn each_refusal_is_judged_by_the_span_it_could_have_seen() {
        let (none, open0, open5, closed) = (
            st(false, false, 0),
            st(true, false, 0),
            st(true, false, 5),
            st(true, true, 5),
        );
        assert!(untrue("no such order", none, open5).is_none());
        assert!(untrue("no such order", open0, open0).is_some());
        assert!(untrue("order exists", none, open0).is_none());
        assert!(untrue("order exists", none, none).is_some());
        assert!(untrue("nothing to pay", none, open5).is_none());
        assert!(untrue("nothing to pay", open0, open5).is_none());
        assert!(untrue("nothing to pay", open5, open5).is_some());
        assert!(untrue("nothing to pay", closed, closed).is_some());
        assert!(untrue("order is closed", open5, closed).is_none());
        assert!(untrue("order is closed", open5, open5).is_some());
        assert!(untrue("conflict", open5, open5).is_none());
    }
}
