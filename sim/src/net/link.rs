//! Per-link network settings, resolved from `[network]` for every pair.

use super::latency::Latency;
use faultline_models::NodeId;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Settings of one directed link.
#[derive(Debug, Clone)]
pub struct LinkConfig {
    /// One-way latency.
    pub latency: Latency,
    /// Probability a message is lost.
    pub loss: f64,
    /// Probability a message is delivered twice.
    pub duplicate: f64,
}

/// The whole network's settings; clients use the default link.
#[derive(Debug, Clone)]
pub struct NetConfig {
    /// The link settings for pairs without an override, and for clients.
    pub default: LinkConfig,
    /// `links[from][to]`, for every pair of nodes.
    pub links: Vec<Vec<LinkConfig>>,
    /// Probability a message is held back (reordered).
    pub reorder: f64,
    /// Upper bound on the hold-back, microseconds.
    pub reorder_us: u64,
}

/// What the network decided for one message at send time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Lost.
    Dropped,
    /// Delivered once after this many microseconds...
    Deliver(u64),
    /// ...or twice.
    Twice(u64, u64),
}

impl NetConfig {
    /// The same settings for every pair of `n` nodes.
    pub fn uniform(default: LinkConfig, n: usize) -> NetConfig {
        let links = vec![vec![default.clone(); n]; n];
        NetConfig {
            default,
            links,
            reorder: 0.0,
            reorder_us: 0,
        }
    }

    /// Decides the fate of one message on `link` (None: a client link).
    pub fn fate(
        &self,
        link: Option<(NodeId, NodeId)>,
        extra_loss: f64,
        extra_dup: f64,
        rng: &mut ChaCha8Rng,
    ) -> Fate {
        let cfg = match link {
            Some((from, to)) => &self.links[from][to],
            None => &self.default,
        };
        if rng.gen_bool(combine(cfg.loss, extra_loss)) {
            return Fate::Dropped;
        }
        let first = self.delay_us(cfg, rng);
        if rng.gen_bool(combine(cfg.duplicate, extra_dup)) {
            return Fate::Twice(first, self.delay_us(cfg, rng));
        }
        Fate::Deliver(first)
    }

    fn delay_us(&self, cfg: &LinkConfig, rng: &mut ChaCha8Rng) -> u64 {
        let base = cfg.latency.sample_us(rng);
        if self.reorder > 0.0 && rng.gen_bool(self.reorder) {
            return base + rng.gen_range(0..=self.reorder_us);
        }
        base
    }
}

/// Probability that either of two independent events happens.
fn combine(a: f64, b: f64) -> f64 {
    (1.0 - (1.0 - a) * (1.0 - b)).clamp(0.0, 1.0)
}
