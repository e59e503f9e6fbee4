//! Retry delays: capped exponential backoff with jitter.
//!
//! After Brooker, "Exponential Backoff And Jitter" (AWS Architecture Blog,
//! 2015): the n-th retry waits `min(cap, base × 2^(n-1))`, randomised so
//! that many clients retrying together spread out. "Full" draws uniformly
//! below the capped delay, "equal" keeps half of it and draws the other
//! half, "decorrelated" draws in `[base, 3 × previous]` and caps.

use super::params::Jitter;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// The retry policy of one kind of call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Delay before the first retry, before jitter.
    pub base_us: u64,
    /// Cap on any delay.
    pub cap_us: u64,
    /// How it is randomised.
    pub jitter: Jitter,
}

impl Backoff {
    /// The delay before retry number `retry` (1 = first retry); `prev_us`
    /// is the previous delay (used by decorrelated jitter; 0 at first).
    pub fn delay_us(&self, retry: u32, prev_us: u64, rng: &mut ChaCha8Rng) -> u64 {
        assert!(retry >= 1, "retries count from 1");
        assert!(0 < self.base_us && self.base_us <= self.cap_us, "{self:?}");
        let doublings = retry.saturating_sub(1).min(40);
        let capped = self.base_us.saturating_mul(1 << doublings).min(self.cap_us);
        let delay = match self.jitter {
            Jitter::None => capped,
            Jitter::Full => rng.gen_range(0..=capped),
            Jitter::Equal => capped / 2 + rng.gen_range(0..=capped / 2),
            Jitter::Decorrelated => {
                let high = prev_us.max(self.base_us).saturating_mul(3);
                rng.gen_range(self.base_us..=high).min(self.cap_us)
            }
        };
        assert!(delay <= self.cap_us, "delay {delay} above cap");
        delay
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn policy(jitter: Jitter) -> Backoff {
        Backoff {
            base_us: 100,
            cap_us: 1_000,
            jitter,
        }
    }

    #[test]
    fn no_jitter_doubles_up_to_the_cap() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let d: Vec<u64> = (1..=6)
            .map(|n| policy(Jitter::None).delay_us(n, 0, &mut rng))
            .collect();
        assert_eq!(d, vec![100, 200, 400, 800, 1_000, 1_000]);
    }

    #[test]
    fn jitters_stay_in_their_ranges() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        for _ in 0..1_000 {
            let full = policy(Jitter::Full).delay_us(3, 0, &mut rng);
            assert!(full <= 400);
            let equal = policy(Jitter::Equal).delay_us(3, 0, &mut rng);
            assert!((200..=400).contains(&equal));
            let dec = policy(Jitter::Decorrelated).delay_us(3, 250, &mut rng);
            assert!((100..=750).contains(&dec));
        }
    }
}
