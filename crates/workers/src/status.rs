//! Each worker's state as `/health/ready` shows it: starting until its first success,
//! running while things work, degraded with the last error when they do not.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use serde::Serialize;

pub const POLLER: &str = "poller";
pub const PRICE_STREAMER: &str = "price_streamer";
pub const TPSL_MONITOR: &str = "tpsl_monitor";
pub const COPY_LISTENER: &str = "copy_listener";
pub const WATCHED_SYNC: &str = "watched_sync";

pub const ALL: [&str; 5] = [
    POLLER,
    PRICE_STREAMER,
    TPSL_MONITOR,
    COPY_LISTENER,
    WATCHED_SYNC,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerState {
    Starting,
    Running,
    Degraded,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkerStatus {
    pub state: WorkerState,
    pub last_error: Option<String>,
    pub last_success: Option<DateTime<Utc>>,
    /// A line about what the worker holds (markets stored, tokens followed...).
    pub detail: Option<String>,
}

/// Shared by the workers (who write) and the health endpoint (which reads).
#[derive(Debug, Clone)]
pub struct Status(Arc<Mutex<BTreeMap<&'static str, WorkerStatus>>>);

impl Default for Status {
    fn default() -> Self {
        let starting = WorkerStatus {
            state: WorkerState::Starting,
            last_error: None,
            last_success: None,
            detail: None,
        };
        Self(Arc::new(Mutex::new(
            ALL.iter().map(|name| (*name, starting.clone())).collect(),
        )))
    }
}

impl Status {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<&'static str, WorkerStatus>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A success: running, and the last error stays visible until the next one.
    pub fn ok(&self, worker: &'static str) {
        self.set_running(worker, None);
    }

    /// A success, with a new line about what the worker holds.
    pub fn ok_with(&self, worker: &'static str, detail: String) {
        self.set_running(worker, Some(detail));
    }

    fn set_running(&self, worker: &'static str, detail: Option<String>) {
        if let Some(s) = self.lock().get_mut(worker) {
            s.state = WorkerState::Running;
            s.last_success = Some(Utc::now());
            if detail.is_some() {
                s.detail = detail;
            }
        }
    }

    pub fn degraded(&self, worker: &'static str, error: impl std::fmt::Display) {
        if let Some(s) = self.lock().get_mut(worker) {
            s.state = WorkerState::Degraded;
            s.last_error = Some(error.to_string());
        }
    }

    pub fn snapshot(&self) -> BTreeMap<&'static str, WorkerStatus> {
        self.lock().clone()
    }

    pub fn all_running(&self) -> bool {
        self.lock()
            .values()
            .all(|s| s.state == WorkerState::Running)
    }
}
