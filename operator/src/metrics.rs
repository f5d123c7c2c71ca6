//! Reconcile metrics in the Prometheus text format: how many reconciles ran, how many failed
//! (by error), and how long they took.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Upper bounds (seconds) of the reconcile duration histogram.
pub const DURATION_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

const PREFIX: &str = "tradingstack_operator";

#[derive(Debug, Default)]
pub struct Metrics {
    runs: AtomicU64,
    failures: Mutex<BTreeMap<&'static str, u64>>,
    /// Observations per bucket (not cumulative); the last slot is `+Inf`.
    buckets: [AtomicU64; DURATION_BUCKETS.len() + 1],
    duration_sum_nanos: AtomicU64,
}

impl Metrics {
    /// Counts a reconcile and measures it until the returned guard drops.
    pub fn start_reconcile(&self) -> ReconcileTimer<'_> {
        self.runs.fetch_add(1, Ordering::Relaxed);
        ReconcileTimer {
            metrics: self,
            start: Instant::now(),
        }
    }

    pub fn observe_duration(&self, d: Duration) {
        let secs = d.as_secs_f64();
        let slot = DURATION_BUCKETS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(DURATION_BUCKETS.len());
        self.buckets[slot].fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.duration_sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    pub fn record_failure(&self, label: &'static str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        *failures.entry(label).or_default() += 1;
    }

    pub fn runs(&self) -> u64 {
        self.runs.load(Ordering::Relaxed)
    }

    pub fn failures(&self, label: &str) -> u64 {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.get(label).copied().unwrap_or(0)
    }

    /// The metrics in the Prometheus text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP {PREFIX}_reconcile_total Reconciles of TradingStack objects.\n\
             # TYPE {PREFIX}_reconcile_total counter\n\
             {PREFIX}_reconcile_total {}",
            self.runs()
        );
        let _ = writeln!(
            out,
            "# HELP {PREFIX}_reconcile_errors_total Reconciles that failed, by error.\n\
             # TYPE {PREFIX}_reconcile_errors_total counter"
        );
        {
            let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
            for (label, count) in failures.iter() {
                let _ = writeln!(
                    out,
                    "{PREFIX}_reconcile_errors_total{{error=\"{label}\"}} {count}"
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP {PREFIX}_reconcile_duration_seconds Duration of reconciles.\n\
             # TYPE {PREFIX}_reconcile_duration_seconds histogram"
        );
        let mut cumulative = 0;
        for (i, bound) in DURATION_BUCKETS.iter().enumerate() {
            cumulative += self.buckets[i].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "{PREFIX}_reconcile_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
            );
        }
        cumulative += self.buckets[DURATION_BUCKETS.len()].load(Ordering::Relaxed);
        let sum = self.duration_sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
        let _ = write!(
            out,
            "{PREFIX}_reconcile_duration_seconds_bucket{{le=\"+Inf\"}} {cumulative}\n\
             {PREFIX}_reconcile_duration_seconds_sum {sum}\n\
             {PREFIX}_reconcile_duration_seconds_count {cumulative}\n"
        );
        out
    }
}

/// Records the duration of a reconcile when dropped.
pub struct ReconcileTimer<'a> {
    metrics: &'a Metrics,
    start: Instant,
}

impl Drop for ReconcileTimer<'_> {
    fn drop(&mut self) {
        self.metrics.observe_duration(self.start.elapsed());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_errors_and_a_cumulative_histogram() {
        let m = Metrics::default();
        drop(m.start_reconcile());
        m.observe_duration(Duration::from_millis(3));
        m.observe_duration(Duration::from_secs(20));
        m.record_failure("read_secret");
        m.record_failure("read_secret");
        m.record_failure("patch_status");
        let text = m.render();
        assert!(
            text.contains("tradingstack_operator_reconcile_total 1\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "tradingstack_operator_reconcile_errors_total{error=\"read_secret\"} 2\n"
            )
        );
        assert!(
            text.contains(
                "tradingstack_operator_reconcile_errors_total{error=\"patch_status\"} 1\n"
            )
        );
        assert!(
            text.contains(
                "tradingstack_operator_reconcile_duration_seconds_bucket{le=\"0.005\"} 2\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("tradingstack_operator_reconcile_duration_seconds_bucket{le=\"10\"} 2\n")
        );
        assert!(
            text.contains(
                "tradingstack_operator_reconcile_duration_seconds_bucket{le=\"+Inf\"} 3\n"
            )
        );
        assert!(text.contains("tradingstack_operator_reconcile_duration_seconds_count 3\n"));
        assert_eq!(m.failures("read_secret"), 2);
    }
}
