//! Stopping a long analysis from outside: a cheap, cloneable flag the
//! caller raises (its time budget ran out, or nobody is waiting for the
//! answer any more) and the analyses' long loops check. Raising it makes the
//! analysis return [`AnalysisError::Interrupted`] soon after; an analysis that
//! is never interrupted gives exactly the answer it gives without the flag.
//!
//! The crate has no clock: deciding *when* to raise the flag is the caller's
//! business.

use crate::AnalysisError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A shared stop flag. Clones share the flag.
#[derive(Debug, Clone, Default)]
pub struct Interrupt(Arc<AtomicBool>);

impl Interrupt {
    /// A new, lowered flag; raise it through this value or any clone.
    pub fn new() -> Self {
        Self::default()
    }

    /// A flag nobody else holds, so it is never raised (tests, benchmarks,
    /// and callers without a budget).
    pub fn never() -> Self {
        Self::default()
    }

    /// Asks every analysis checking this flag to stop.
    pub fn raise(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether the flag has been raised.
    pub fn is_raised(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// `Err(Interrupted)` once the flag is raised; the long loops call this.
    pub fn check(&self) -> Result<(), AnalysisError> {
        if self.is_raised() {
            Err(AnalysisError::Interrupted)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_flag_and_never_stays_lowered() {
        let a = Interrupt::new();
        let b = a.clone();
        assert!(a.check().is_ok() && !b.is_raised());
        b.raise();
        assert!(a.is_raised());
        assert_eq!(a.check(), Err(AnalysisError::Interrupted));
        let other = Interrupt::never();
        assert!(other.check().is_ok(), "raising one flag leaves the others alone");
    }

    #[test]
    fn a_raised_flag_stops_a_thread_that_checks_it() {
        let flag = Interrupt::new();
        let worker = flag.clone();
        let handle = std::thread::spawn(move || {
            let mut spins = 0u64;
            while worker.check().is_ok() {
                spins = spins.wrapping_add(1);
                std::thread::yield_now();
            }
            spins
        });
        flag.raise();
        assert!(handle.join().is_ok(), "the worker saw the flag and returned");
    }
}
