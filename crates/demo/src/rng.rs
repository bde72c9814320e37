//! The deterministic random source and small sampling helpers.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A seeded ChaCha8 stream. ChaCha output is stable across `rand_chacha` releases, so a seed
/// keeps giving the same street.
pub(crate) struct DemoRng(ChaCha8Rng);

impl DemoRng {
    /// A stream derived from `seed` and a purpose label, so independent parts of the street do
    /// not shift when another part draws more numbers.
    pub(crate) fn new(seed: u64, stream: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        Self(rng)
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        self.0.random_range(lo..=hi)
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn range_u32(&mut self, lo: u32, hi: u32) -> u32 {
        self.0.random_range(lo..=hi)
    }

    /// Uniform index below `n` (`n > 0`).
    pub(crate) fn index(&mut self, n: usize) -> usize {
        self.0.random_range(0..n)
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.0.random_bool(p.clamp(0.0, 1.0))
    }

    /// A uniformly chosen element (`items` non-empty).
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// A uniformly chosen string (`items` non-empty).
    pub(crate) fn pick_str(&mut self, items: &[&'static str]) -> &'static str {
        items[self.index(items.len())]
    }

    /// An element chosen by integer weight (`items` non-empty, total weight > 0).
    pub(crate) fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u32 = items.iter().map(|(_, w)| *w).sum();
        let mut x = self.0.random_range(0..total);
        for (item, w) in items {
            if x < *w {
                return item;
            }
            x -= w;
        }
        &items[items.len() - 1].0
    }

    /// A decimal digit character.
    pub(crate) fn digit(&mut self) -> char {
        char::from(b'0' + self.0.random_range(0..10u8))
    }

    /// `n` decimal digits.
    pub(crate) fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| self.digit()).collect()
    }
}
