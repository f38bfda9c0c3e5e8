//! A per-address brake on sign-in attempts, above the per-account lockout.
//!
//! An address may have a few attempts in flight at once and a number of
//! failures (the security policy's `address_failures`) within the lockout
//! window, whatever usernames it tries; past either it is answered 429 at
//! once, before any password is hashed. The counters live in memory: a
//! restart forgets them, the per-account lockout (in the database) does not.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use xianfeng_core::rules::SecurityPolicy;

use crate::error::AppError;

/// Attempts one address may have in flight at once.
pub const IN_FLIGHT: u32 = 4;
/// Addresses remembered before old windows are swept.
const SWEEP_AT: usize = 10_000;

#[derive(Debug, Default)]
struct Entry {
    window_start: i64,
    failures: i64,
    in_flight: u32,
}

#[derive(Debug, Default)]
pub struct LoginThrottle {
    inner: Mutex<HashMap<String, Entry>>,
}

/// One admitted attempt; dropping it frees its place.
pub struct Attempt {
    throttle: Arc<LoginThrottle>,
    ip: String,
}

impl LoginThrottle {
    /// Admits an attempt from `ip` at `now_ms`, or refuses it with the wait.
    pub fn admit(self: &Arc<Self>, ip: &str, now_ms: i64, policy: &SecurityPolicy) -> Result<Attempt, AppError> {
        let window = policy.lock_minutes.max(1) * 60_000;
        let mut map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= SWEEP_AT {
            map.retain(|_, e| e.in_flight > 0 || now_ms - e.window_start < window);
        }
        let e = map.entry(ip.to_string()).or_default();
        if now_ms - e.window_start >= window {
            e.window_start = now_ms;
            e.failures = 0;
        }
        if e.failures >= policy.address_failures {
            let wait = ((e.window_start + window - now_ms + 59_999) / 60_000).max(1);
            return Err(AppError::Throttled(format!("登录失败次数过多，请{wait}分钟后再试")));
        }
        if e.in_flight >= IN_FLIGHT {
            return Err(AppError::Throttled("登录请求过于频繁，请稍后再试".into()));
        }
        e.in_flight += 1;
        Ok(Attempt { throttle: self.clone(), ip: ip.to_string() })
    }
}

impl Attempt {
    /// Counts this attempt as a failure of its address.
    pub fn failed(&self) {
        let mut map = self.throttle.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = map.get_mut(&self.ip) {
            e.failures += 1;
        }
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        let mut map = self.throttle.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = map.get_mut(&self.ip) {
            e.in_flight = e.in_flight.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_waits_after_its_failures_and_others_do_not() {
        let t = Arc::new(LoginThrottle::default());
        let p = SecurityPolicy { address_failures: 3, lock_minutes: 15, ..Default::default() };
        for _ in 0..3 {
            t.admit("10.0.0.1", 1_000, &p).unwrap().failed();
        }
        assert!(matches!(t.admit("10.0.0.1", 2_000, &p), Err(AppError::Throttled(m)) if m.contains("15分钟")));
        assert!(t.admit("10.0.0.2", 2_000, &p).is_ok(), "another address is not held back");
        assert!(t.admit("10.0.0.1", 1_000 + 15 * 60_000, &p).is_ok(), "a new window starts afresh");
    }

    #[test]
    fn only_a_few_attempts_of_one_address_run_at_once() {
        let t = Arc::new(LoginThrottle::default());
        let p = SecurityPolicy::default();
        let held: Vec<_> = (0..IN_FLIGHT).map(|_| t.admit("a", 0, &p).unwrap()).collect();
        assert!(t.admit("a", 0, &p).is_err());
        drop(held);
        assert!(t.admit("a", 0, &p).is_ok(), "places come back when attempts end");
    }
}
