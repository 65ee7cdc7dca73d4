//! Time, injected: the core never reads the system clock directly.
//!
//! Contract: every timestamp the core records or compares comes from a [`Clock`] handed in by
//! the caller, so tests (lockout expiry, overdue items) and printed forms are deterministic.
//! Timestamps are UTC with second precision, stored as RFC 3339 text.

use chrono::{DateTime, SubsecRound, Utc};
use std::sync::{Arc, Mutex};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The real wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(0)
    }
}

/// A clock that stands still until moved; for tests and for `BAOMI_NOW` in test builds.
#[derive(Debug, Clone)]
pub struct FixedClock(Arc<Mutex<DateTime<Utc>>>);

impl FixedClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        FixedClock(Arc::new(Mutex::new(at)))
    }
    pub fn set(&self, at: DateTime<Utc>) {
        if let Ok(mut t) = self.0.lock() {
            *t = at;
        }
    }
    pub fn advance(&self, by: chrono::Duration) {
        if let Ok(mut t) = self.0.lock() {
            *t += by;
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        match self.0.lock() {
            Ok(t) => *t,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }
}

/// Formats a timestamp the way the vault stores it.
pub fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A clock read from a file holding an RFC 3339 time, re-read at every call; the system
/// clock when the file is missing or unreadable. Only the test build of the desktop app uses
/// it (`BAOMI_TEST_CLOCK_FILE`), so end-to-end tests can move time (overdue items, lockout).
#[derive(Debug, Clone)]
pub struct FileClock(pub std::path::PathBuf);

impl Clock for FileClock {
    fn now(&self) -> DateTime<Utc> {
        std::fs::read_to_string(&self.0)
            .ok()
            .and_then(|s| DateTime::parse_from_rfc3339(s.trim()).ok())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| SystemClock.now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_clock_follows_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("now");
        let clock = FileClock(path.clone());
        let before = clock.now();
        assert!(
            (SystemClock.now() - before).num_seconds().abs() < 5,
            "no file: system time"
        );
        std::fs::write(&path, "2030-01-02T03:04:05Z\n").unwrap();
        assert_eq!(stamp(clock.now()), "2030-01-02T03:04:05Z");
    }
}
