//! Seed ranges and how a range is split into shards.
//!
//! `A..B` is the half-open range (as in Rust), `A..=B` includes `B`, and a
//! bare `N` is the first N seeds, `1..=N` (as `compare --seeds` has always
//! read it); every command that takes seeds parses them here, and an empty
//! range is an error (a sweep of nothing would pass). Shard
//! `I/N` (0 ≤ I < N) takes every seed whose offset from `A` is `I` modulo
//! `N`: the shards are disjoint, together they are the range, each gets an
//! even share of early and late seeds, and which shard runs a seed depends
//! on nothing but `A`, the seed and `N`.

use crate::error::Error;
use std::fmt;
use std::str::FromStr;

/// Seeds `start..end` (end exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedRange {
    /// First seed.
    pub start: u64,
    /// One past the last seed.
    pub end: u64,
}

/// Shard `index` of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 0-based shard number.
    pub index: u64,
    /// Number of shards.
    pub count: u64,
}

/// Bound on the seeds one sweep runs (a typo like `0..1e18` is an error,
/// not a sweep that never ends).
pub const SEEDS_MAX: u64 = 1 << 32;

impl SeedRange {
    /// Number of seeds.
    pub fn len(&self) -> u64 {
        self.end - self.start
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }

    /// The `i`-th seed of `shard` (of the whole range when None), if any.
    pub fn nth(&self, shard: Option<Shard>, i: u64) -> Option<u64> {
        let (skip, step) = shard.map_or((0, 1), |s| (s.index, s.count));
        let seed = i
            .checked_mul(step)?
            .checked_add(skip)?
            .checked_add(self.start)?;
        (seed < self.end).then_some(seed)
    }

    /// How many seeds `shard` has.
    pub fn count(&self, shard: Option<Shard>) -> u64 {
        let (skip, step) = shard.map_or((0, 1), |s| (s.index, s.count));
        self.len().saturating_sub(skip).div_ceil(step.max(1))
    }

    /// The seeds of `shard` (all seeds when None), ascending.
    pub fn seeds(&self, shard: Option<Shard>) -> impl Iterator<Item = u64> {
        let (skip, step) = shard.map_or((0, 1), |s| (s.index, s.count));
        (self.start.saturating_add(skip)..self.end).step_by(step.max(1) as usize)
    }
}

impl FromStr for SeedRange {
    type Err = Error;
    fn from_str(s: &str) -> Result<SeedRange, Error> {
        let bad = || {
            Error::Usage(format!(
                "--seeds {s:?}: expected N (seeds 1..=N), A..B (B excluded) or A..=B, e.g. 0..1000"
            ))
        };
        let (a, b, inclusive) = match s.split_once("..=") {
            Some((a, b)) => (a, b, true),
            None => match s.split_once("..") {
                Some((a, b)) => (a, b, false),
                None => ("1", s, true),
            },
        };
        let start: u64 = a.trim().parse().map_err(|_| bad())?;
        let last: u64 = b.trim().parse().map_err(|_| bad())?;
        let end = if inclusive {
            last.checked_add(1).ok_or_else(bad)?
        } else {
            last
        };
        if end <= start {
            return Err(Error::Usage(format!(
                "--seeds {s:?}: the range is empty; expected at least one seed (e.g. 1..=10)"
            )));
        }
        if end - start > SEEDS_MAX {
            return Err(Error::Usage(format!(
                "--seeds {s:?}: expected a range of at most {SEEDS_MAX} seeds"
            )));
        }
        Ok(SeedRange { start, end })
    }
}

impl fmt::Display for SeedRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl FromStr for Shard {
    type Err = Error;
    fn from_str(s: &str) -> Result<Shard, Error> {
        let bad = || {
            Error::Usage(format!(
                "--shard {s:?}: expected I/N with 0 <= I < N, e.g. 3/10"
            ))
        };
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = i.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_shards_parse() {
        let r: SeedRange = "5..10".parse().unwrap();
        assert_eq!((r.start, r.end, r.len()), (5, 10, 5));
        assert_eq!("5..=10".parse::<SeedRange>().unwrap().end, 11);
        assert!("10..5".parse::<SeedRange>().is_err());
        assert!("ten".parse::<SeedRange>().is_err());
        let n: SeedRange = "40".parse().unwrap();
        assert_eq!((n.start, n.end), (1, 41));
        for empty in ["5..5", "0", "6..=5"] {
            let e = empty.parse::<SeedRange>().unwrap_err().to_string();
            assert!(e.contains("empty"), "{empty}: {e}");
        }
        assert_eq!(
            "2/3".parse::<Shard>().unwrap(),
            Shard { index: 2, count: 3 }
        );
        assert!("3/3".parse::<Shard>().is_err());
        assert_eq!(r.to_string(), "5..10");
    }

    #[test]
    fn shards_partition_the_range() {
        let r = SeedRange { start: 7, end: 30 };
        let mut all: Vec<u64> = (0..4)
            .flat_map(|index| r.seeds(Some(Shard { index, count: 4 })))
            .collect();
        all.sort_unstable();
        assert_eq!(all, r.seeds(None).collect::<Vec<_>>());
        let s = Some(Shard { index: 3, count: 4 });
        let listed: Vec<u64> = (0..).map_while(|i| r.nth(s, i)).collect();
        assert_eq!(listed, r.seeds(s).collect::<Vec<_>>());
        assert_eq!(r.count(s), listed.len() as u64);
    }
}
