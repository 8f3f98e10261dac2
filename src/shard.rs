//! `--shard K/N`: which charts of a directory one of N machines lints.
//!
//! A chart belongs to shard `1 + (sha256(key) mod N)`, its key being the chart's path
//! relative to the directory given (forward slashes). Every chart is in exactly one shard,
//! whatever the other charts are: adding or removing a chart moves no other chart, so a
//! shard's report (and a cache keyed on it) only changes with its own charts. The price is
//! balance: shards are even on average, not exactly (a greedy split by size would move
//! charts whenever one is added).

use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// Shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}` is not K/N (e.g. 2/4: the second of four shards)"))?;
        let parse = |x: &str, what: &str| {
            x.trim()
                .parse::<u32>()
                .map_err(|_| format!("`{s}`: {what} `{x}` is not a whole number"))
        };
        let (index, count) = (parse(k, "K")?, parse(n, "N")?);
        if count == 0 {
            return Err(format!("`{s}`: N must be at least 1"));
        }
        if index == 0 || index > count {
            return Err(format!(
                "`{s}`: K counts from 1 to N (a Kubernetes Indexed Job's JOB_COMPLETION_INDEX counts from 0: pass $((JOB_COMPLETION_INDEX + 1))/{count})"
            ));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// The shard (1-based) a chart with this key belongs to.
    pub fn of(key: &str, count: u32) -> u32 {
        let digest = Sha256::digest(key.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        (u64::from_be_bytes(first) % u64::from(count)) as u32 + 1
    }

    /// Is the chart with this key in this shard?
    pub fn has(&self, key: &str) -> bool {
        Shard::of(key, self.count) == self.index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_k_of_n() {
        assert_eq!("2/4".parse(), Ok(Shard { index: 2, count: 4 }));
        assert!("0/4"
            .parse::<Shard>()
            .unwrap_err()
            .contains("JOB_COMPLETION_INDEX"));
        assert!("5/4".parse::<Shard>().is_err());
        assert!("1/0".parse::<Shard>().is_err());
        assert!("2".parse::<Shard>().is_err());
        assert!("a/b".parse::<Shard>().is_err());
    }

    #[test]
    fn every_key_is_in_exactly_one_shard_and_stays_there() {
        let keys: Vec<String> = (0..200).map(|i| format!("charts/app-{i}")).collect();
        for n in 1..6 {
            for k in &keys {
                let owners = (1..=n)
                    .filter(|&i| Shard { index: i, count: n }.has(k))
                    .count();
                assert_eq!(owners, 1, "{k} in {owners} of {n} shards");
            }
        }
        // The shard depends on the key alone: the same on every machine and every run.
        assert_eq!(Shard::of("charts/app-0", 4), Shard::of("charts/app-0", 4));
    }
}
