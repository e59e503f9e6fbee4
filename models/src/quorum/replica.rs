//! One server's share of the data: the newest version of each key it replicates.
//!
//! A store only moves a key forward (a newer version replaces an older
//! one), is persisted before it is acknowledged (fsynced unless
//! `fsync = false`), and is recorded as a `stored` event ([`Event`]) so the convergence
//! checker can follow every replica; a restart records `restored` with what
//! survived on disk.

use super::event::{Event, Via};
use super::msg::Ack;
use super::version::Versioned;
use super::Ctx;
use crate::storage::Storage;
use std::collections::BTreeMap;

/// The storage key of `key`'s item.
fn storage_key(key: u32) -> String {
    format!("kv/{key}")
}

/// A replica's items.
#[derive(Debug, Clone, Default)]
pub struct Replica {
    items: BTreeMap<u32, Versioned>,
    fsync: bool,
    rules: Rules,
}

/// How a replica compares what it is sent with what it holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rules {
    /// Apply a read repair even over a newer version (`repair-overwrites-newer`).
    pub repair_overwrites: bool,
    /// Versions may tie between different values (`tied-versions`): the
    /// replica then keeps its own and answers that it holds the version.
    pub ties: bool,
}

impl Replica {
    /// The items of `keys` found in `storage`.
    pub fn restore(
        storage: &Storage,
        keys: impl Iterator<Item = u32>,
        fsync: bool,
        rules: Rules,
    ) -> Replica {
        let items = keys
            .filter_map(|k| storage.get::<Versioned>(&storage_key(k)).map(|i| (k, i)))
            .collect();
        Replica {
            items,
            fsync,
            rules,
        }
    }

    /// What the replica holds for `key`.
    pub fn get(&self, key: u32) -> Option<&Versioned> {
        self.items.get(&key)
    }

    /// Every item, by key.
    pub fn items(&self) -> &BTreeMap<u32, Versioned> {
        &self.items
    }

    /// Records what survived a restart.
    pub fn announce(&self, ctx: &mut Ctx<'_>) {
        let items = self.items.iter().map(|(&k, &i)| (k, i)).collect();
        ctx.event(Event::Restored { items });
    }

    /// Stores `item` if it is newer (or, a read repair in
    /// `repair-overwrites-newer`, unconditionally) and says what is held:
    /// exactly `item`'s version, or the newer item kept.
    pub fn apply(&mut self, ctx: &mut Ctx<'_>, key: u32, item: Versioned, via: Via) -> Ack {
        if let Some(h) = self.items.get(&key).copied() {
            let same = h.version == item.version;
            assert!(
                !same || h.value == item.value || self.rules.ties,
                "two values {} and {} share version {:?} of key {key}",
                h.value,
                item.value,
                h.version
            );
            let force = self.rules.repair_overwrites && via == Via::Repair;
            if same {
                return Ack::Stored(h.version);
            }
            if h.version > item.version && !force {
                return Ack::Newer(h);
            }
        }
        self.items.insert(key, item);
        if self.fsync {
            ctx.persist(&storage_key(key), &item);
        } else {
            ctx.persist_unsynced(&storage_key(key), &item);
        }
        ctx.event(Event::Stored { key, item, via });
        Ack::Stored(item.version)
    }
}
