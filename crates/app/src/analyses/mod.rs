//! The analyses: hotspots, density, trends and predictive accuracy of
//! recorded crime ([`crime`]), near repeats, space-time clusters and weekly
//! trends of an agency's incidents ([`incidents`]), and operation
//! evaluation ([`evaluate`]).
//!
//! Every option has a bound ([`limits`]), checked when the request is made.
//! Every heavy analysis goes through [`Analyst::budgeted`]: it waits for one
//! of the [`AnalysisLimits::concurrency`] slots, runs on a blocking thread,
//! and is interrupted when its time budget has elapsed (refused with the
//! rule `analysis_budget`) or when the caller's future is dropped (the
//! client went away).

pub mod crime;
pub mod evaluate;
pub mod incidents;
pub mod limits;
pub mod options;
pub mod output;
pub mod plain;

use crate::Error;
use safetynet_analysis::interrupt::Interrupt;
use safetynet_analysis::AnalysisError;
use safetynet_store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Limits on analyses (`[analysis]` in the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnalysisLimits {
    /// How long one analysis may run before it is stopped (default 10 s);
    /// also how long it may wait for a free slot.
    pub time_budget: Duration,
    /// Heavy analyses running at once (default: the number of cores).
    pub concurrency: usize,
    /// Bytes of recent analysis answers kept (default 64 MiB; 0 keeps none).
    pub cache_bytes: usize,
}

impl AnalysisLimits {
    /// The default time budget.
    pub const DEFAULT_TIME_BUDGET_SECS: u64 = 10;
    /// The default cache size.
    pub const DEFAULT_CACHE_MIB: usize = 64;

    /// The number of cores (at least 1), the default concurrency.
    pub fn cores() -> usize {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }
}

impl Default for AnalysisLimits {
    fn default() -> Self {
        Self {
            time_budget: Duration::from_secs(Self::DEFAULT_TIME_BUDGET_SECS),
            concurrency: Self::cores(),
            cache_bytes: Self::DEFAULT_CACHE_MIB << 20,
        }
    }
}

/// Runs analyses against the store within the limits (cheap to clone).
#[derive(Debug, Clone)]
pub struct Analyst {
    store: Store,
    slots: Arc<Semaphore>,
    budget: Duration,
    /// The newest month's hot cells, kept per data version (see
    /// [`Analyst::current_hot_cells`]).
    hot_cells: Arc<std::sync::Mutex<Option<crime::HotCells>>>,
}

impl Analyst {
    /// An analyst with `limits.concurrency` slots and its time budget.
    pub fn new(store: Store, limits: AnalysisLimits) -> Self {
        Self {
            store,
            slots: Arc::new(Semaphore::new(limits.concurrency.clamp(1, Semaphore::MAX_PERMITS))),
            budget: limits.time_budget,
            hot_cells: Arc::default(),
        }
    }

    /// Slots free now (for monitoring).
    pub fn slots_free(&self) -> usize {
        self.slots.available_permits()
    }

    /// The store analyses read.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Runs `work` within the limits: see [`budgeted`].
    pub async fn budgeted<T, F>(&self, work: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&Interrupt) -> Result<T, AnalysisError> + Send + 'static,
    {
        budgeted(&self.slots, self.budget, work).await
    }
}

fn seconds(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}

/// Waits up to `budget` for a slot of `slots` (else [`Error::Busy`]), then
/// runs `work` on a blocking thread holding the slot. The interrupt `work`
/// is given is raised when `budget` has elapsed (the answer is then the
/// `analysis_budget` refusal) and when this future is dropped. The timer is
/// tokio's: elapsed time only, never the wall clock.
pub async fn budgeted<T, F>(slots: &Arc<Semaphore>, budget: Duration, work: F) -> Result<T, Error>
where
    T: Send + 'static,
    F: FnOnce(&Interrupt) -> Result<T, AnalysisError> + Send + 'static,
{
    let permit = match tokio::time::timeout(budget, slots.clone().acquire_owned()).await {
        Ok(Ok(permit)) => permit,
        Ok(Err(closed)) => return Err(Error::Internal(closed.to_string())),
        Err(_) => {
            return Err(Error::Busy(format!(
                "every analysis slot stayed busy for {}: try again in a moment",
                seconds(budget)
            )))
        }
    };
    let interrupt = Interrupt::new();
    let _raise_on_drop = RaiseOnDrop(interrupt.clone());
    let worker = interrupt.clone();
    let mut task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work(&worker)
    });
    let joined = tokio::select! {
        joined = &mut task => joined,
        () = tokio::time::sleep(budget) => {
            interrupt.raise();
            task.await
        }
    };
    match joined {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(AnalysisError::Interrupted)) => Err(Error::Refused {
            rule: "analysis_budget",
            message: format!(
                "the analysis was stopped after {}, its time budget: narrow the dates, the area or the category, \
                 or ask for fewer permutations or replications",
                seconds(budget)
            ),
        }),
        Ok(Err(e)) => Err(e.into()),
        Err(e) => Err(Error::Internal(e.to_string())),
    }
}

/// Raises the interrupt when dropped (the caller's future went away).
struct RaiseOnDrop(Interrupt);

impl Drop for RaiseOnDrop {
    fn drop(&mut self) {
        self.0.raise();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// Work that runs until it is interrupted, saying when it starts and stops.
    fn until_interrupted(
        started: mpsc::Sender<()>,
        stopped: mpsc::Sender<()>,
    ) -> impl FnOnce(&Interrupt) -> Result<(), AnalysisError> + Send + 'static {
        move |interrupt| {
            let _ = started.send(());
            while interrupt.check().is_ok() {
                std::thread::sleep(Duration::from_millis(1));
            }
            let _ = stopped.send(());
            Err(AnalysisError::Interrupted)
        }
    }

    #[tokio::test]
    async fn dropping_the_request_raises_the_interrupt_and_frees_the_slot() {
        let slots = Arc::new(Semaphore::new(1));
        let (started_tx, started) = mpsc::channel();
        let (stopped_tx, stopped) = mpsc::channel();
        let request = tokio::spawn({
            let slots = slots.clone();
            async move { budgeted(&slots, Duration::from_secs(600), until_interrupted(started_tx, stopped_tx)).await }
        });
        let waited = tokio::task::spawn_blocking(move || started.recv_timeout(Duration::from_secs(30))).await;
        assert!(matches!(waited, Ok(Ok(()))), "the work started");
        assert_eq!(slots.available_permits(), 0, "the work holds the slot");
        request.abort(); // the client went away: the request future is dropped
        assert!(request.await.is_err_and(|e| e.is_cancelled()));
        let stop = tokio::task::spawn_blocking(move || stopped.recv_timeout(Duration::from_secs(30))).await;
        assert!(matches!(stop, Ok(Ok(()))), "the work saw the interrupt and stopped");
        let slot = tokio::time::timeout(Duration::from_secs(30), slots.acquire()).await;
        assert!(matches!(slot, Ok(Ok(_))), "the slot is free again");
    }

    #[tokio::test]
    async fn an_analysis_over_its_budget_stops_and_says_so() {
        let slots = Arc::new(Semaphore::new(1));
        let (started_tx, _started) = mpsc::channel();
        let (stopped_tx, stopped) = mpsc::channel();
        let r = budgeted(&slots, Duration::from_millis(50), until_interrupted(started_tx, stopped_tx)).await;
        match r {
            Err(Error::Refused { rule, message }) => {
                assert_eq!(rule, "analysis_budget");
                assert!(message.contains("stopped after 0.05 s") && message.contains("narrow"), "{message}");
            }
            other => panic!("expected the budget refusal, got {other:?}"),
        }
        assert!(stopped.try_recv().is_ok(), "the work had stopped before the answer");
        let quick = budgeted(&slots, Duration::from_secs(60), |_| Ok(42)).await;
        assert_eq!(quick.ok(), Some(42), "work within its budget is answered");
        let limited = budgeted(&slots, Duration::from_secs(60), |_| -> Result<(), _> {
            Err(AnalysisError::TooLarge("too many".into()))
        })
        .await;
        assert!(matches!(limited, Err(Error::Refused { rule: "analysis_limit", .. })));
        let none = Arc::new(Semaphore::new(0));
        let busy = budgeted(&none, Duration::from_millis(20), |_| Ok(())).await;
        assert!(matches!(busy, Err(Error::Busy(_))), "no slot within the budget: {busy:?}");
    }
}
