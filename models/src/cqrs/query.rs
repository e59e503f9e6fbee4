//! The query side: a projector answers reads from its read model.
//!
//! A read may be stale: it shows what the projector has applied. The reply
//! says how fresh it is: `seen` lists `[order, version]` for every relevant
//! order the read model reflects (missing = version 0), so the history
//! alone tells stale reads and read-your-writes violations.

use super::layout::ReadModel;
use super::node::Ctx;
use super::op::Op;
use super::projector::Projector;
use super::views::RowKey;
use crate::node::{Outcome, RequestId};
use serde_json::json;

impl Projector {
    /// A client read (or a rebuild request).
    pub fn on_client(&mut self, ctx: &mut Ctx<'_>, req: RequestId, op: Op) {
        let customers = self.layout.params.customers;
        let (model, key, orders): (_, Option<RowKey>, Vec<u64>) = match op {
            Op::Rebuild { .. } => return self.start_rebuild(ctx, req),
            Op::ReadOrder { key } => (ReadModel::Orders, Some(RowKey::Order(key)), vec![key]),
            Op::ReadCustomer { key } => {
                let mine = (0..self.layout.params.orders).filter(|o| o % customers == key);
                (
                    ReadModel::Customers,
                    Some(RowKey::Customer(key)),
                    mine.collect(),
                )
            }
            Op::ReadStatus => {
                let all = (0..self.layout.params.orders).collect();
                (ReadModel::Status, Some(RowKey::Status), all)
            }
            _ => (self.model, None, Vec::new()),
        };
        let Some(key) = key.filter(|_| model == self.model) else {
            ctx.reply(req, Outcome::Fail, &json!({"error": "not served here"}));
            return;
        };
        let seen: Vec<[u64; 2]> = orders
            .into_iter()
            .map(|o| [o, self.checkpoint_of(o)])
            .filter(|s| s[1] > 0)
            .collect();
        let row = self.rows.get(&key);
        ctx.reply(req, Outcome::Ok, &json!({ "row": row, "seen": seen }));
    }
}
