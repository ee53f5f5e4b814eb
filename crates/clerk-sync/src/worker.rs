//! The outbox worker: a timer that fires by itself (never only on a new
//! local write or a reconnect event), with exponential backoff and jitter
//! between 1 s and 5 min, honouring Retry-After; a poke (new case, network
//! up, login) runs it at once.

use std::sync::Arc;
use std::time::Duration;

use crate::{SyncClient, SyncError};

/// What the window shows about sync.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkerState {
    pub online: bool,
    pub last_error: Option<String>,
    pub last_error_zh: Option<String>,
    /// Consecutive failures (the backoff exponent).
    pub failures: u32,
    pub paused_for_login: bool,
}

#[derive(Debug, Clone)]
pub struct Backoff {
    pub min: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            min: Duration::from_secs(1),
            max: Duration::from_secs(300),
        }
    }
}

impl Backoff {
    /// `min · 2^failures`, capped, with ±25 % jitter from `seed`; at least
    /// what the server asked for.
    pub fn delay(&self, failures: u32, retry_after: Option<u64>, seed: u64) -> Duration {
        let base = self
            .min
            .saturating_mul(1u32 << failures.min(16))
            .min(self.max);
        let jitter = (seed % 500) as f64 / 1000.0 - 0.25; // −25 % … +25 %
        let d = base.mul_f64(1.0 + jitter).min(self.max);
        d.max(Duration::from_secs(retry_after.unwrap_or(0)))
    }
}

pub struct Worker {
    pub poke: Arc<tokio::sync::Notify>,
    /// Wakes the attachment lane (a new scan was attached).
    pub upload_poke: Arc<tokio::sync::Notify>,
    pub state: Arc<std::sync::Mutex<WorkerState>>,
    /// The attachment lane's last outcome (the sync panel shows it).
    pub uploads: Arc<std::sync::Mutex<Option<Result<crate::UploadReport, String>>>>,
    handle: tokio::task::JoinHandle<()>,
    upload_handle: tokio::task::JoinHandle<()>,
}

impl Worker {
    /// Start the loop: sync, then wait `poll` (or the backoff after a
    /// failure), or until poked.
    pub fn spawn(client: Arc<SyncClient>, poll: Duration, backoff: Backoff) -> Worker {
        let poke = Arc::new(tokio::sync::Notify::new());
        let state = Arc::new(std::sync::Mutex::new(WorkerState::default()));
        let upload_poke = Arc::new(tokio::sync::Notify::new());
        let (p, st, wake_uploads) = (poke.clone(), state.clone(), upload_poke.clone());
        let (client2, backoff2) = (client.clone(), backoff.clone());
        let handle = tokio::spawn(async move {
            let mut n: u64 = 0;
            loop {
                n = n
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let r = client.sync_now().await;
                if r.is_ok() {
                    // The platform is reachable: the attachment lane need
                    // not wait out its own backoff.
                    wake_uploads.notify_one();
                }
                let wait = match note(&st, r.as_ref().err()) {
                    None => poll,
                    Some(s) if s.paused_for_login => backoff.max,
                    Some(s) => backoff.delay(
                        s.failures - 1,
                        r.as_ref().err().and_then(SyncError::retry_after),
                        n >> 33,
                    ),
                };
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = p.notified() => {}
                }
            }
        });
        // The attachment lane: its own loop, so a stalled upload never
        // holds up the ordered queue (sync-protocol §11.2).
        let uploads = Arc::new(std::sync::Mutex::new(None));
        let (up, ur) = (upload_poke.clone(), uploads.clone());
        let (client, backoff) = (client2, backoff2);
        let upload_handle = tokio::spawn(async move {
            let mut failures = 0u32;
            let mut n: u64 = 7;
            loop {
                n = n
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let wait = if !client.enrolled() {
                    poll
                } else {
                    let r = client.upload_pending().await;
                    let wait = match &r {
                        Ok(rep) if rep.failed == 0 => {
                            failures = 0;
                            poll
                        }
                        Ok(_) | Err(_) => {
                            failures = failures.saturating_add(1);
                            backoff.delay(failures - 1, None, n >> 33)
                        }
                    };
                    *ur.lock().unwrap() = Some(r.map_err(|e| e.zh()));
                    wait
                };
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = up.notified() => {}
                }
            }
        });
        Worker {
            poke,
            upload_poke,
            state,
            uploads,
            handle,
            upload_handle,
        }
    }

    /// Wake both loops (network back, login, a new case or scan).
    pub fn poke_all(&self) {
        self.poke.notify_one();
        self.upload_poke.notify_one();
    }

    pub fn state(&self) -> WorkerState {
        self.state.lock().unwrap().clone()
    }

    /// A sync run outside the loop (the clerk's "sync now") updates the
    /// same state the status bar reads.
    pub fn note(&self, r: Result<(), &SyncError>) {
        note(&self.state, r.err());
    }
}

/// Record one sync's outcome; returns the state after a failure.
fn note(st: &std::sync::Mutex<WorkerState>, e: Option<&SyncError>) -> Option<WorkerState> {
    let mut s = st.lock().unwrap();
    match e {
        None => {
            *s = WorkerState {
                online: true,
                ..Default::default()
            };
            None
        }
        Some(e) => {
            // Online only when the platform answered: not enrolled or not
            // logged in says nothing of the network.
            s.online = e.reached_server();
            // What the clerk is told; the error's own text is logged below.
            s.last_error = Some(e.en());
            s.last_error_zh = Some(e.zh());
            s.paused_for_login = matches!(e, SyncError::LoginNeeded(_) | SyncError::NotEnrolled);
            s.failures = s.failures.saturating_add(1);
            tracing::warn!(error = %e, failures = s.failures, "sync failed; will retry");
            Some(s.clone())
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.handle.abort();
        self.upload_handle.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_caps_jitters_and_honours_retry_after() {
        let b = Backoff::default();
        let d0 = b.delay(0, None, 250);
        assert_eq!(d0, Duration::from_secs(1), "no jitter at the middle seed");
        assert!(b.delay(3, None, 250) == Duration::from_secs(8));
        assert!(b.delay(30, None, 499) <= Duration::from_secs(300));
        let lo = b.delay(4, None, 0);
        let hi = b.delay(4, None, 499);
        assert!(
            lo < Duration::from_secs(16) && hi > Duration::from_secs(16),
            "{lo:?} {hi:?}"
        );
        assert_eq!(b.delay(0, Some(30), 250), Duration::from_secs(30));
    }
}
