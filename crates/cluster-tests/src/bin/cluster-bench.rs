//! The operator against the real control plane: N TradingStacks (default 100) applied at once
//! in one namespace, the time until every one is Ready, the operator's reconcile p50/p99 (from
//! its own histogram and, exactly, from its reconcile spans in Jaeger) and its resident memory.
//!
//! `scripts/cluster/bench.sh` builds the tools, starts the control plane and Jaeger, runs this
//! and stops them. Targets: all Ready within 60 s, reconcile p99 at most 50 ms, at most 30 MiB;
//! `--check` exits non-zero when one is missed.

use std::time::{Duration, Instant};

use futures::{StreamExt, stream};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};

use cluster_tests::{
    OPERATOR_SERVICE, OperatorProcess, TestNamespace, bucket_quantile, cluster, histogram_buckets,
    histogram_delta, histogram_quantile, jaeger_traces, phase, sample_secret, sample_stack,
};
use tradingstack_operator::TradingStack;

const TARGET_READY: Duration = Duration::from_secs(60);
const TARGET_P99_MS: f64 = 50.0;
const TARGET_RSS_MIB: f64 = 30.0;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = args.iter().any(|a| a == "--check");
    let stacks_n: usize = args
        .iter()
        .find_map(|a| a.strip_prefix("--stacks="))
        .map(|n| n.parse().expect("--stacks=N"))
        .unwrap_or(100);

    let c = cluster();
    let client = c.admin_client().await;
    let ns = TestNamespace::create(&client, "ts-bench").await;
    let operator = OperatorProcess::start(c, Some(&ns.name)).await;
    let (rss_idle, _) = operator.memory_kib();

    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns.name);
    let stacks: Api<TradingStack> = Api::namespaced(client.clone(), &ns.name);
    let objects: Vec<(Secret, TradingStack)> = (0..stacks_n)
        .map(|i| {
            let secret = sample_secret(&format!("bench-{i}-secrets"), &[], &[]);
            let stack = sample_stack(&format!("bench-{i}"), &format!("bench-{i}-secrets"));
            (
                serde_yaml::from_str(&secret).expect("a Secret"),
                serde_yaml::from_str(&stack).expect("a TradingStack"),
            )
        })
        .collect();

    println!(
        "cluster-bench: {stacks_n} TradingStacks in {} against {}",
        ns.name,
        c.server_and_ca().0
    );
    let start = Instant::now();
    stream::iter(objects)
        .map(|(secret, stack)| {
            let (secrets, stacks) = (secrets.clone(), stacks.clone());
            async move {
                secrets
                    .create(&PostParams::default(), &secret)
                    .await
                    .expect("creating a Secret");
                stacks
                    .create(&PostParams::default(), &stack)
                    .await
                    .expect("creating a TradingStack");
            }
        })
        .buffer_unordered(32)
        .collect::<Vec<()>>()
        .await;
    let applied = start.elapsed();

    let mut peak_rss = 0;
    let ready_after = loop {
        let list = stacks
            .list(&ListParams::default())
            .await
            .expect("listing stacks");
        let ready = list.iter().filter(|s| phase(s) == Some("Ready")).count();
        peak_rss = peak_rss.max(operator.memory_kib().0);
        if ready == stacks_n {
            break start.elapsed();
        }
        if start.elapsed() > Duration::from_secs(300) {
            panic!(
                "only {ready}/{stacks_n} Ready after 300 s; operator log:\n{}",
                operator.log_tail(30)
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let metrics = operator.metrics().await;
    let (rss, hwm) = operator.memory_kib();

    // Converged: touch every stack (an annotation, no spec change) so each is reconciled once
    // more with nothing to do: three reads, no write.
    let touched_at = Instant::now();
    // Spans starting before this are the rollout's (Jaeger's startTime is in µs since the epoch).
    let touched_us = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_micros() as f64);
    stream::iter(0..stacks_n)
        .map(|i| {
            let stacks = stacks.clone();
            async move {
                stacks
                    .patch(
                        &format!("bench-{i}"),
                        &PatchParams::default(),
                        &Patch::Merge(serde_json::json!({
                            "metadata": {"annotations": {"bench.tradingstack.io/touch": "1"}}
                        })),
                    )
                    .await
                    .expect("annotating a stack");
            }
        })
        .buffer_unordered(32)
        .collect::<Vec<()>>()
        .await;
    let runs_before =
        cluster_tests::metric_value(&metrics, "tradingstack_operator_reconcile_total")
            .unwrap_or(0.0);
    let converged_metrics = loop {
        let m = operator.metrics().await;
        let runs =
            cluster_tests::metric_value(&m, "tradingstack_operator_reconcile_total").unwrap_or(0.0);
        if runs >= runs_before + stacks_n as f64 || touched_at.elapsed() > Duration::from_secs(60) {
            break m;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let converged = histogram_delta(
        &histogram_buckets(&metrics),
        &histogram_buckets(&converged_metrics),
    );
    let (c50, _) = bucket_quantile(&converged, 0.50).unwrap_or((f64::NAN, f64::NAN));
    let (c99, c99_bound) = bucket_quantile(&converged, 0.99).unwrap_or((f64::NAN, f64::NAN));
    let converged_runs = converged.last().map_or(0.0, |b| b.1);
    let reconciles = cluster_tests::metric_value(&metrics, "tradingstack_operator_reconcile_total")
        .unwrap_or(0.0);
    let (h50, _) = histogram_quantile(&metrics, 0.50).unwrap_or((f64::NAN, f64::NAN));
    let (h99, h99_bound) = histogram_quantile(&metrics, 0.99).unwrap_or((f64::NAN, f64::NAN));

    // Exact durations from the spans: stop the operator cleanly so its exporter flushes.
    drop(operator);
    let mut span_ms: Vec<f64> = Vec::new();
    let mut traces = Vec::new();
    for _ in 0..40 {
        traces = jaeger_traces(
            &c.jaeger_query,
            OPERATOR_SERVICE,
            Some("reconcile"),
            &[("stack.namespace", ns.name.as_str())],
            10_000,
        )
        .await
        .unwrap_or_default();
        span_ms = traces
            .iter()
            .flat_map(|t| t["spans"].as_array().cloned().unwrap_or_default())
            .filter(|s| s["operationName"] == "reconcile")
            .filter(|s| s["startTime"].as_f64().unwrap_or(0.0) < touched_us)
            .filter_map(|s| s["duration"].as_f64().map(|us| us / 1000.0))
            .collect();
        if span_ms.len() as f64 >= reconciles {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    span_ms.sort_by(f64::total_cmp);
    // Where a reconcile's time goes: the kube client's HTTP spans under it (present when the
    // operator logs kube_client at debug, as scripts/cluster/bench.sh runs it).
    let mut http_ms: Vec<f64> = Vec::new();
    let mut http_by_method: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    for t in &traces {
        for s in t["spans"].as_array().into_iter().flatten() {
            let tag = |key: &str| {
                s["tags"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|t| t["key"] == key)
                    .and_then(|t| t["value"].as_str())
                    .map(str::to_string)
            };
            // kube's HTTP spans are client spans named after the verb (get, list, patch, ...).
            if tag("span.kind").as_deref() != Some("client")
                || s["startTime"].as_f64().unwrap_or(0.0) >= touched_us
            {
                continue;
            }
            let ms = s["duration"].as_f64().unwrap_or(0.0) / 1000.0;
            let method = format!(
                "{} {}",
                s["operationName"].as_str().unwrap_or("?"),
                tag("http.method").unwrap_or_default()
            );
            http_ms.push(ms);
            http_by_method.entry(method).or_default().push(ms);
        }
    }
    http_ms.sort_by(f64::total_cmp);

    let mib = |kib: u64| kib as f64 / 1024.0;
    println!(
        "applied {stacks_n} Secrets + stacks in {:.2} s",
        applied.as_secs_f64()
    );
    println!(
        "all {stacks_n} Ready after {:.2} s (target {} s)",
        ready_after.as_secs_f64(),
        TARGET_READY.as_secs()
    );
    println!(
        "reconciles: {reconciles}; histogram p50 {:.1} ms, p99 {:.1} ms (bucket <= {:.0} ms)",
        h50 * 1e3,
        h99 * 1e3,
        h99_bound * 1e3
    );
    println!(
        "converged stacks, each touched once: {converged_runs} reconciles, histogram p50 {:.1} ms, p99 {:.1} ms (bucket <= {:.0} ms)",
        c50 * 1e3,
        c99 * 1e3,
        c99_bound * 1e3
    );
    println!(
        "reconcile spans of the rollout in Jaeger: {} (of the latest traces); p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (target p99 <= {TARGET_P99_MS} ms)",
        span_ms.len(),
        percentile(&span_ms, 50.0),
        percentile(&span_ms, 99.0),
        span_ms.last().copied().unwrap_or(f64::NAN),
    );
    if !http_ms.is_empty() {
        let total_reconcile: f64 = span_ms.iter().sum();
        let total_http: f64 = http_ms.iter().sum();
        println!(
            "API calls under the rollout's reconciles: {} ({:.1} per reconcile), {:.0}% of reconcile time; call p50 {:.1} ms, p99 {:.1} ms",
            http_ms.len(),
            http_ms.len() as f64 / span_ms.len().max(1) as f64,
            100.0 * total_http / total_reconcile.max(f64::MIN_POSITIVE),
            percentile(&http_ms, 50.0),
            percentile(&http_ms, 99.0),
        );
        for (method, calls) in &mut http_by_method {
            calls.sort_by(f64::total_cmp);
            println!(
                "  {method:<16} {:>5} calls, p50 {:.1} ms, p99 {:.1} ms",
                calls.len(),
                percentile(calls, 50.0),
                percentile(calls, 99.0)
            );
        }
    }
    println!(
        "operator memory: RSS {:.1} MiB idle, {:.1} MiB at the end, peak sampled {:.1} MiB, VmHWM {:.1} MiB (target <= {TARGET_RSS_MIB} MiB)",
        mib(rss_idle),
        mib(rss),
        mib(peak_rss),
        mib(hwm)
    );

    let p99_ms = if span_ms.is_empty() {
        h99 * 1e3
    } else {
        percentile(&span_ms, 99.0)
    };
    let misses: Vec<String> = [
        (ready_after > TARGET_READY)
            .then(|| format!("Ready after {:.1} s", ready_after.as_secs_f64())),
        (p99_ms > TARGET_P99_MS).then(|| format!("reconcile p99 {p99_ms:.1} ms")),
        (mib(hwm) > TARGET_RSS_MIB).then(|| format!("VmHWM {:.1} MiB", mib(hwm))),
    ]
    .into_iter()
    .flatten()
    .collect();
    if misses.is_empty() {
        println!("cluster-bench: every target met");
    } else {
        println!("cluster-bench: targets missed: {}", misses.join(", "));
        if check {
            std::process::exit(1);
        }
    }
}
