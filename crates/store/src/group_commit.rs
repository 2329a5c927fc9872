//! Group commit for the audit rows of reads ([`Store::audit`]).
//!
//! Every view of personal data is audited before its answer goes out. One
//! transaction per view serialises fifty readers behind fifty commits; here
//! they hand their rows to one writer task, which appends every row waiting
//! into one transaction and answers each reader only once that transaction
//! has committed. Nothing is dropped or delayed past the response: a reader
//! whose batch fails, or that finds no writer (no runtime, or the writer's
//! runtime gone), writes its row in a transaction of its own and gets that
//! transaction's answer.
//!
//! The writer has a connection of its own, outside the shared pool: a
//! reader may hold a pooled connection while it waits for its row, and a
//! writer queuing for the same pool behind a full house of such readers
//! would wait for ever.

use crate::audit::{append, append_many};
use crate::{Pool, Result, Store};
use safetynet_domain::audit::AuditEvent;
use tokio::sync::{mpsc, oneshot};

/// Rows appended in one transaction, at most.
const MAX_BATCH: usize = 256;

/// One reader's row, and where to send its sequence number.
#[derive(Debug)]
pub(crate) struct Waiting {
    at_ms: i64,
    event: AuditEvent,
    done: oneshot::Sender<Option<i64>>,
}

/// The handle readers queue rows on, and the writer's own connection.
#[derive(Debug, Clone)]
pub(crate) struct Writer {
    queue: mpsc::UnboundedSender<Waiting>,
    pool: Pool,
}

impl Writer {
    /// Closes the writer's connection.
    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }
}

/// Starts the writer for `store` on the current runtime, with one
/// connection of its own (opened when first needed); `None` outside a
/// runtime.
pub(crate) fn start(store: &Store) -> Option<Writer> {
    let runtime = tokio::runtime::Handle::try_current().ok()?;
    let (queue, rx) = mpsc::unbounded_channel();
    let pool = store.pool.single_connection();
    let direct = Store { pool: pool.clone(), audit_writer: None, ..store.clone() };
    runtime.spawn(write_batches(direct, rx));
    Some(Writer { queue, pool })
}

impl Store {
    /// Records an event, committed before this returns (for reads: call
    /// before returning the data, so nothing is shown that was not
    /// audited). Concurrent callers share one transaction (this module's group commit).
    pub async fn audit(&self, at_ms: i64, event: &AuditEvent) -> Result<i64> {
        if let Some(writer) = &self.audit_writer {
            if let Some(seq) = queue(writer, at_ms, event).await {
                return Ok(seq);
            }
        }
        let mut tx = self.write().await?;
        let seq = append(&mut tx, at_ms, event).await?;
        tx.commit().await?;
        Ok(seq)
    }
}

/// Appends `event` through the writer; `None` when the caller must write
/// it itself (no writer, or its batch failed).
async fn queue(writer: &Writer, at_ms: i64, event: &AuditEvent) -> Option<i64> {
    let (done, answer) = oneshot::channel();
    writer.queue.send(Waiting { at_ms, event: event.clone(), done }).ok()?;
    answer.await.ok().flatten()
}

async fn write_batches(store: Store, mut rx: mpsc::UnboundedReceiver<Waiting>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        match append_all(&store, &batch).await {
            Ok(seqs) => {
                for (w, seq) in batch.drain(..).zip(seqs) {
                    // A reader that went away needs no answer.
                    let _ = w.done.send(Some(seq));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, rows = batch.len(), "audit group commit failed; each reader writes its own row");
                for w in batch.drain(..) {
                    let _ = w.done.send(None);
                }
            }
        }
    }
}

async fn append_all(store: &Store, batch: &[Waiting]) -> Result<Vec<i64>> {
    let mut tx = store.write().await?;
    let events: Vec<(i64, &AuditEvent)> = batch.iter().map(|w| (w.at_ms, &w.event)).collect();
    let seqs = append_many(&mut tx, &events).await?;
    tx.commit().await?;
    Ok(seqs)
}
