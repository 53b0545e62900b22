//! The one thread that writes reactions: it takes every reaction waiting, stores them in one transaction, and only
//! after the commit tells each request that its reaction is safe (group commit: one fsync for many participants).
//! It also notices when the workshop is closed from another process (`crosscase workshop close`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crosscase_store::{Reaction, Store};
use tokio::sync::oneshot;

/// A reaction waiting to be stored, and where to say that it was.
pub(crate) struct Job {
    pub reaction: Reaction,
    pub done: oneshot::Sender<Result<i64, String>>,
}

/// At most this many reactions go into one transaction.
const BATCH: usize = 512;

/// Writes until every sender is gone. `closed` is set once the workshop is closed in the database.
pub(crate) fn run(mut store: Store, workshop_id: i64, jobs: mpsc::Receiver<Job>, closed: Arc<AtomicBool>) {
    let mut checked = Instant::now();
    loop {
        let first = match jobs.recv_timeout(Duration::from_secs(1)) {
            Ok(job) => Some(job),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        };
        if let Some(first) = first {
            let mut batch = vec![first];
            while batch.len() < BATCH {
                match jobs.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            write(&mut store, batch);
        }
        if checked.elapsed() >= Duration::from_secs(1) {
            checked = Instant::now();
            if let Ok(Some(w)) = store.workshop(workshop_id)
                && w.closed_at.is_some()
            {
                closed.store(true, Ordering::SeqCst);
            }
        }
    }
}

fn write(store: &mut Store, batch: Vec<Job>) {
    let reactions: Vec<Reaction> = batch.iter().map(|j| j.reaction.clone()).collect();
    match store.add_reactions(&reactions) {
        Ok(ids) => {
            for (job, id) in batch.into_iter().zip(ids) {
                let _ = job.done.send(Ok(id));
            }
        }
        // One bad reaction must not cost the others theirs: on failure each is tried alone.
        Err(_) if batch.len() > 1 => {
            for job in batch {
                write(store, vec![job]);
            }
        }
        Err(e) => {
            for job in batch {
                let _ = job.done.send(Err(e.to_string()));
            }
        }
    }
}
