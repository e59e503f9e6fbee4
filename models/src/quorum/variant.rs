//! The correct store and its named mistakes.

use crate::model::VariantInfo;

/// Which version of the protocol runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Versions from a quorum version query; repairs only move versions forward.
    Correct,
    /// Versions are the coordinator's (skewed) wall clock, as in Cassandra's
    /// client timestamps: a later write from a slower clock loses.
    LwwWallClock,
    /// A replica applies a read repair even over a newer version it holds.
    RepairOverwritesNewer,
    /// A write is acknowledged after the first replica stored it, not W.
    SloppyAck,
}

/// The variants, correct first.
pub const VARIANTS: &[VariantInfo] = &[
    VariantInfo {
        name: "correct",
        description: "logical versions from a version query; repairs never move a replica backwards; writes wait for W acks",
        correct: true,
    },
    VariantInfo {
        name: "lww-wall-clock",
        description: "versions are the coordinator's skewed wall clock: a later write can lose to an earlier one",
        correct: false,
    },
    VariantInfo {
        name: "repair-overwrites-newer",
        description: "a replica applies a read repair even when it holds a newer version",
        correct: false,
    },
    VariantInfo {
        name: "sloppy-ack",
        description: "a write is acknowledged as soon as one replica stored it, before W did",
        correct: false,
    },
];

impl Variant {
    /// The variant named `name` (one of [`VARIANTS`]).
    pub fn parse(name: &str) -> Option<Variant> {
        Some(match name {
            "correct" => Variant::Correct,
            "lww-wall-clock" => Variant::LwwWallClock,
            "repair-overwrites-newer" => Variant::RepairOverwritesNewer,
            "sloppy-ack" => Variant::SloppyAck,
            _ => return None,
        })
    }
}
