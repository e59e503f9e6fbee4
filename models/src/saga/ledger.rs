//! A service's local transactions, made idempotent by the idempotency key
//! (saga id, action), against the service's durable storage.
//!
//! Per saga a service keeps one [`Entry`] under `saga/<id>`: whether the
//! forward step ran and with what result, whether it was compensated, and
//! (order service) whether the order was confirmed. A repeated forward step
//! returns the recorded result without a second effect; a repeated
//! compensation does nothing. A compensation that arrives before its step
//! (the step's request was delayed, or never arrived) leaves a tombstone, so
//! the late step is refused instead of applied after the saga was undone.
//! Stock lives under `stock/<sku>`. Every effect is recorded as a protocol
//! event (`reserved`, `charged`, ...) that the checkers fold.

use super::event::Event;
use super::layout::Layout;
use super::msg::{Action, Order};
use super::node::Ctx;
use crate::storage::numbered_key;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// What a service remembers about one saga.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The forward step's result: applied (true) or rejected (false).
    pub forward: Option<bool>,
    /// Compensated (or tombstoned, if the step never ran).
    pub compensated: bool,
    /// Order service: the order was confirmed.
    pub confirmed: bool,
}

/// Runs `action` for `order` at this service; true if applied, false if
/// rejected. In the `non-idempotent-charge` variant the payment service
/// ignores the key on charges, in `non-idempotent-release` the inventory on
/// releases.
pub fn run(ctx: &mut Ctx<'_>, layout: &Layout, action: Action, order: &Order) -> bool {
    let key = numbered_key("saga/", order.id);
    let mut entry: Entry = ctx.storage.get(&key).unwrap_or_default();
    let applied = match action {
        Action::Confirm => confirm(ctx, &mut entry, order),
        a if a.is_compensation() => compensate(ctx, layout, &mut entry, a, order),
        a => forward(ctx, layout, &mut entry, a, order),
    };
    ctx.persist(&key, &entry);
    applied
}

fn forward(
    ctx: &mut Ctx<'_>,
    layout: &Layout,
    entry: &mut Entry,
    action: Action,
    order: &Order,
) -> bool {
    let saga = order.id;
    if entry.compensated {
        ctx.event(Event::RefusedLate { saga, action });
        return false;
    }
    let naive =
        action == Action::Charge && layout.variant == super::variant::Variant::NonIdempotentCharge;
    if let (Some(result), false) = (entry.forward, naive) {
        ctx.event(Event::Deduplicated { saga, action });
        return result;
    }
    let rate = layout.service(action.service()).reject_rate;
    let ruled = ctx.rng.gen_bool(rate);
    let sold_out = !in_stock(ctx, layout, action, order);
    let reject = ruled || sold_out;
    if reject {
        ctx.event(Event::Rejected {
            saga,
            action,
            sold_out,
        });
    } else {
        effect(ctx, layout, action, order);
    }
    entry.forward = Some(!reject);
    !reject
}

fn compensate(
    ctx: &mut Ctx<'_>,
    layout: &Layout,
    entry: &mut Entry,
    action: Action,
    order: &Order,
) -> bool {
    let naive = action == Action::Release
        && layout.variant == super::variant::Variant::NonIdempotentRelease;
    if entry.compensated && !naive {
        return true;
    }
    entry.compensated = true;
    if entry.forward == Some(true) {
        effect_of_compensation(ctx, action, order);
    } else {
        ctx.event(Event::Tombstone {
            saga: order.id,
            action,
        });
    }
    true
}

fn confirm(ctx: &mut Ctx<'_>, entry: &mut Entry, order: &Order) -> bool {
    if entry.compensated || entry.forward != Some(true) {
        ctx.event(Event::ConfirmRefused { saga: order.id });
        return false;
    }
    if !entry.confirmed {
        entry.confirmed = true;
        ctx.event(Event::OrderConfirmed { saga: order.id });
    }
    true
}

fn stock_key(sku: u32) -> String {
    numbered_key("stock/", u64::from(sku))
}

fn stock(ctx: &Ctx<'_>, layout: &Layout, sku: u32) -> i64 {
    ctx.storage
        .get(&stock_key(sku))
        .unwrap_or(layout.params.stock_per_sku)
}

fn in_stock(ctx: &Ctx<'_>, layout: &Layout, action: Action, order: &Order) -> bool {
    action != Action::Reserve || stock(ctx, layout, order.sku) >= i64::from(order.qty)
}

fn effect(ctx: &mut Ctx<'_>, layout: &Layout, action: Action, order: &Order) {
    let saga = order.id;
    match action {
        Action::CreateOrder => ctx.event(Event::OrderCreated { saga }),
        Action::Reserve => reserve(ctx, layout, order),
        Action::Charge => ctx.event(Event::charged(order)),
        Action::Ship => ctx.event(Event::Shipped { saga }),
        other => panic!("{other:?} is not a compensatable forward step"),
    }
}

fn effect_of_compensation(ctx: &mut Ctx<'_>, action: Action, order: &Order) {
    let saga = order.id;
    match action {
        Action::CancelOrder => ctx.event(Event::OrderCancelled { saga }),
        Action::Release => release(ctx, order),
        Action::Refund => ctx.event(Event::refunded(order)),
        Action::CancelShipment => ctx.event(Event::ShipmentCancelled { saga }),
        other => panic!("{other:?} is not a compensation"),
    }
}

fn release(ctx: &mut Ctx<'_>, order: &Order) {
    let have: i64 = ctx
        .storage
        .get(&stock_key(order.sku))
        .expect("a release follows a reservation, which wrote the stock");
    let now = have + i64::from(order.qty);
    ctx.persist(&stock_key(order.sku), &now);
    ctx.event(Event::released(order, now));
}

fn reserve(ctx: &mut Ctx<'_>, layout: &Layout, order: &Order) {
    let now = stock(ctx, layout, order.sku) - i64::from(order.qty);
    assert!(
        now >= 0,
        "stock of sku {} would go negative: {now}",
        order.sku
    );
    ctx.persist(&stock_key(order.sku), &now);
    ctx.event(Event::reserved(order, now));
}
