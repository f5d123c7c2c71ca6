//! Reconcile duration and resident memory of the operator with 100 TradingStacks.
//!
//! `cargo bench -p tradingstack-operator --bench reconcile`
//!
//! The bench runs two processes so that the memory figure is the operator's alone:
//!
//! * a fake API server (this binary re-executed with `TS_FAKE_APISERVER=1`): an in-memory
//!   store serving list, watch (streamed), get, server-side apply, status patches and events
//!   over HTTP on 127.0.0.1, with a stand-in for the Deployment controller that marks each
//!   applied Deployment available 20 ms later; it starts with 100 stacks and their Secrets;
//! * the operator: the library's own `controller()` wiring and `reconcile`, talking to the
//!   fake server through a real kube `Client` over HTTP.
//!
//! It reports the duration of every reconcile while the 100 stacks roll out (Redis, then the
//! API, then bot and workers), then of a forced reconcile of all 100 converged stacks (which
//! must make no write), and the operator process's VmRSS / VmHWM from /proc/self/status.

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::io::{BufRead, BufReader, Read};

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::Response;
use axum::serve::ListenerExt;
use futures::{StreamExt, stream};
use kube::runtime::controller::Action;
use serde_json::{Value, json};
use tokio::sync::broadcast;

use tradingstack_operator::controller::{self, Context};
use tradingstack_operator::crd::{ImageSpec, RedisSpec, SecretRef, TelemetrySpec};
use tradingstack_operator::{Metrics, TradingStack, TradingStackSpec};

const STACKS: usize = 100;
const NS: &str = "default";

fn main() {
    if std::env::var_os("TS_FAKE_APISERVER").is_some() {
        fake_apiserver::main();
    } else {
        operator_side();
    }
}

// ---------------------------------------------------------------------------------------
// The operator process
// ---------------------------------------------------------------------------------------

fn rss() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn summary(label: &str, durations: &[Duration]) {
    let mut sorted = durations.to_vec();
    sorted.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{label}: {} reconciles, p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        sorted.len(),
        ms(percentile(&sorted, 50.0)),
        ms(percentile(&sorted, 90.0)),
        ms(percentile(&sorted, 99.0)),
        ms(sorted.last().copied().unwrap_or_default()),
    );
}

fn operator_side() {
    let mut server = Command::new(std::env::current_exe().expect("own path"))
        .env("TS_FAKE_APISERVER", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("starting the fake API server");
    let mut first_line = String::new();
    BufReader::new(server.stdout.as_mut().unwrap())
        .read_line(&mut first_line)
        .expect("the fake API server prints its port");
    let port: u16 = first_line.trim().parse().expect("a port");
    let url = format!("http://127.0.0.1:{port}");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(url));
    drop(server.stdin.take());
    let _ = server.wait();
}

/// The fake server's request counters.
async fn stats(client: &kube::Client) -> Value {
    let request = http::Request::get("/_stats").body(Vec::new()).unwrap();
    client
        .request(request)
        .await
        .expect("the fake server's stats")
}

async fn run(url: String) {
    println!(
        "TradingStack operator benchmark: {STACKS} stacks, fake API server over HTTP on loopback"
    );
    let (rss_start, _) = rss();
    let config = kube::Config::new(url.parse().unwrap());
    let client = kube::Client::try_from(config).expect("a client");
    let metrics = Arc::new(Metrics::default());
    let ctx = Arc::new(Context::new(client.clone(), metrics.clone()));
    let stats_client = client.clone();

    let (resync_tx, resync_rx) = futures::channel::mpsc::unbounded::<()>();
    let controller = controller::controller(client, None, controller::DEFAULT_CONCURRENCY)
        .reconcile_all_on(resync_rx);
    let store = controller.store();
    let durations: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let timed = {
        let durations = durations.clone();
        move |stack: Arc<TradingStack>, ctx: Arc<Context>| {
            let durations = durations.clone();
            async move {
                let start = Instant::now();
                let result: Result<Action, _> = controller::reconcile(stack, ctx).await;
                durations.lock().unwrap().push(start.elapsed());
                result
            }
        }
    };
    let started = Instant::now();
    tokio::spawn(
        controller
            .run(timed, controller::error_policy, ctx)
            .for_each(|_| async {}),
    );

    // Rollout: every stack Ready in the operator's own cache.
    let ready = |store: &kube::runtime::reflector::Store<TradingStack>| {
        store
            .state()
            .iter()
            .filter(|s| {
                s.status.as_ref().and_then(|st| st.phase)
                    == Some(tradingstack_operator::crd::Phase::Ready)
            })
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    while ready(&store) < STACKS {
        assert!(
            Instant::now() < deadline,
            "stacks did not converge: {} ready",
            ready(&store)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let converged_in = started.elapsed();
    // Let the last watch events drain: no reconcile for 1 s.
    let mut last = durations.lock().unwrap().len();
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = durations.lock().unwrap().len();
        if now == last {
            break;
        }
        last = now;
    }
    let rollout: Vec<Duration> = durations.lock().unwrap().clone();
    let (rss_converged, hwm_converged) = rss();

    // Converged: reconcile all 100 again; none may write.
    // The round trip of one request to the fake server, for scale.
    let secrets: kube::Api<Secret> = kube::Api::namespaced(stats_client.clone(), NS);
    let mut round_trips = Vec::new();
    for _ in 0..100 {
        let start = Instant::now();
        secrets.get("stack-000-secrets").await.unwrap();
        round_trips.push(start.elapsed());
    }
    round_trips.sort();
    println!(
        "one GET round trip to the fake server: p50 {:.2} ms, p99 {:.2} ms",
        percentile(&round_trips, 50.0).as_secs_f64() * 1e3,
        percentile(&round_trips, 99.0).as_secs_f64() * 1e3
    );
    let before = stats(&stats_client).await;
    let from = durations.lock().unwrap().len();
    let resync_started = Instant::now();
    resync_tx.unbounded_send(()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while durations.lock().unwrap().len() < from + STACKS {
        assert!(Instant::now() < deadline, "the resync did not finish");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let resync_took = resync_started.elapsed();
    println!(
        "converged reconcile of all {STACKS} stacks took {:.2} s",
        resync_took.as_secs_f64()
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = stats(&stats_client).await;
    let converged: Vec<Duration> = durations.lock().unwrap()[from..].to_vec();
    let (rss_end, hwm_end) = rss();

    let writes = |s: &Value| s["writes"].as_u64().unwrap_or(0);
    println!(
        "TradingStack operator benchmark: {STACKS} stacks, fake API server over HTTP on loopback"
    );
    println!(
        "rollout: all {STACKS} stacks Ready in {:.2} s; {} writes ({} reads) to the API server",
        converged_in.as_secs_f64(),
        writes(&before),
        before["reads"]
    );
    summary("reconcile duration during rollout", &rollout);
    summary("reconcile duration, converged stacks", &converged);
    println!(
        "writes during the converged reconcile of {STACKS} stacks: {}",
        writes(&after) - writes(&before)
    );
    println!(
        "metrics: {} reconciles counted, {} failures",
        metrics.runs(),
        metrics
            .render()
            .lines()
            .filter(|l| l.starts_with("tradingstack_operator_reconcile_errors_total{"))
            .count()
    );
    let mib = |kb: u64| kb as f64 / 1024.0;
    println!(
        "operator resident memory: {:.1} MiB at start, {:.1} MiB with {STACKS} stacks converged (peak {:.1} MiB), {:.1} MiB after the resync (peak {:.1} MiB)",
        mib(rss_start),
        mib(rss_converged),
        mib(hwm_converged),
        mib(rss_end),
        mib(hwm_end)
    );
    let p99 = {
        let mut all = rollout.clone();
        all.extend(&converged);
        all.sort();
        percentile(&all, 99.0)
    };
    println!(
        "targets: p99 {:.2} ms (<= 50 ms: {}), RSS {:.1} MiB (<= 30 MiB: {})",
        p99.as_secs_f64() * 1e3,
        if p99 <= Duration::from_millis(50) {
            "met"
        } else {
            "MISSED"
        },
        mib(hwm_end),
        if hwm_end <= 30 * 1024 {
            "met"
        } else {
            "MISSED"
        }
    );
}

// ---------------------------------------------------------------------------------------
// The fake API server process
// ---------------------------------------------------------------------------------------

mod fake_apiserver {
    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
    enum Kind {
        Stack,
        Deployment,
        Service,
        Secret,
        Event,
    }

    impl Kind {
        fn from_plural(p: &str) -> Option<Kind> {
            Some(match p {
                "tradingstacks" => Kind::Stack,
                "deployments" => Kind::Deployment,
                "services" => Kind::Service,
                "secrets" => Kind::Secret,
                "events" => Kind::Event,
                _ => return None,
            })
        }

        fn list_kind(self) -> (&'static str, &'static str) {
            match self {
                Kind::Stack => ("tradingstack.io/v1alpha1", "TradingStackList"),
                Kind::Deployment => ("apps/v1", "DeploymentList"),
                Kind::Service => ("v1", "ServiceList"),
                Kind::Secret => ("v1", "SecretList"),
                Kind::Event => ("events.k8s.io/v1", "EventList"),
            }
        }
    }

    #[derive(Clone)]
    struct WatchEvent {
        rv: u64,
        kind: Kind,
        ns: String,
        labels: BTreeMap<String, String>,
        line: Bytes,
    }

    #[derive(Default)]
    struct Inner {
        rv: u64,
        objects: BTreeMap<(Kind, String, String), Value>,
        log: Vec<WatchEvent>,
    }

    struct Server {
        inner: Mutex<Inner>,
        tx: broadcast::Sender<WatchEvent>,
        reads: AtomicU64,
        writes: AtomicU64,
    }

    fn labels_of(obj: &Value) -> BTreeMap<String, String> {
        obj["metadata"]["labels"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect()
            })
            .unwrap_or_default()
    }

    impl Server {
        /// Stores `obj` at a new resourceVersion and tells the watchers.
        fn put(
            &self,
            inner: &mut Inner,
            kind: Kind,
            ns: &str,
            name: &str,
            mut obj: Value,
            event: &str,
        ) -> Value {
            inner.rv += 1;
            obj["metadata"]["resourceVersion"] = json!(inner.rv.to_string());
            inner
                .objects
                .insert((kind, ns.to_string(), name.to_string()), obj.clone());
            let line = serde_json::to_vec(&json!({ "type": event, "object": obj })).unwrap();
            let mut line = line;
            line.push(b'\n');
            let ev = WatchEvent {
                rv: inner.rv,
                kind,
                ns: ns.to_string(),
                labels: labels_of(&obj),
                line: Bytes::from(line),
            };
            inner.log.push(ev.clone());
            let _ = self.tx.send(ev);
            obj
        }
    }

    fn percent_decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'%' if i + 2 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                    match u8::from_str_radix(hex, 16) {
                        Ok(b) => out.push(b),
                        Err(_) => out.extend_from_slice(&bytes[i..i + 3]),
                    }
                    i += 3;
                }
                b'+' => {
                    out.push(b' ');
                    i += 1;
                }
                b => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    fn query(uri: &Uri) -> HashMap<String, String> {
        uri.query()
            .unwrap_or_default()
            .split('&')
            .filter(|kv| !kv.is_empty())
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                (percent_decode(k), percent_decode(v))
            })
            .collect()
    }

    /// `a=b,c=d` equality selectors.
    fn selector(q: &HashMap<String, String>) -> Vec<(String, String)> {
        q.get("labelSelector")
            .map(|s| {
                s.split(',')
                    .filter_map(|t| t.split_once('='))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn matches(sel: &[(String, String)], labels: &BTreeMap<String, String>) -> bool {
        sel.iter().all(|(k, v)| labels.get(k) == Some(v))
    }

    struct Route {
        kind: Kind,
        ns: Option<String>,
        name: Option<String>,
        status: bool,
    }

    fn route(path: &str) -> Option<Route> {
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        let rest = match segs.as_slice() {
            ["api", "v1", rest @ ..] => rest,
            ["apis", _, _, rest @ ..] => rest,
            _ => return None,
        };
        let (ns, rest) = match rest {
            ["namespaces", ns, rest @ ..] => (Some(ns.to_string()), rest),
            rest => (None, rest),
        };
        match rest {
            [plural] => Some(Route {
                kind: Kind::from_plural(plural)?,
                ns,
                name: None,
                status: false,
            }),
            [plural, name] => Some(Route {
                kind: Kind::from_plural(plural)?,
                ns,
                name: Some(name.to_string()),
                status: false,
            }),
            [plural, name, "status"] => Some(Route {
                kind: Kind::from_plural(plural)?,
                ns,
                name: Some(name.to_string()),
                status: true,
            }),
            _ => None,
        }
    }

    fn json_response(status: StatusCode, body: &Value) -> Response {
        Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(Body::from(serde_json::to_vec(body).unwrap()))
            .unwrap()
    }

    fn not_found(name: &str) -> Response {
        json_response(
            StatusCode::NOT_FOUND,
            &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                    "message": format!("{name} not found"), "reason": "NotFound", "code": 404}),
        )
    }

    async fn handle(
        State(srv): State<Arc<Server>>,
        method: Method,
        uri: Uri,
        body: Bytes,
    ) -> Response {
        if uri.path() == "/_stats" {
            return json_response(
                StatusCode::OK,
                &json!({ "reads": srv.reads.load(Ordering::SeqCst), "writes": srv.writes.load(Ordering::SeqCst) }),
            );
        }
        let Some(r) = route(uri.path()) else {
            return not_found(uri.path());
        };
        let q = query(&uri);
        if method == Method::GET {
            srv.reads.fetch_add(1, Ordering::SeqCst);
        } else {
            srv.writes.fetch_add(1, Ordering::SeqCst);
        }
        match (method, r.name.as_deref()) {
            (Method::GET, None) if q.get("watch").map(String::as_str) == Some("true") => {
                watch(&srv, &r, &q)
            }
            (Method::GET, None) => list(&srv, &r, &q),
            (Method::GET, Some(name)) => {
                let inner = srv.inner.lock().unwrap();
                let key = (r.kind, r.ns.clone().unwrap_or_default(), name.to_string());
                match inner.objects.get(&key) {
                    Some(obj) => json_response(StatusCode::OK, obj),
                    None => not_found(name),
                }
            }
            (Method::PATCH, Some(name)) if r.status => patch_status(&srv, &r, name, &body),
            // An event series update: accepted as sent.
            (Method::PATCH, Some(_)) if r.kind == Kind::Event => json_response(
                StatusCode::OK,
                &serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null),
            ),
            (Method::PATCH, Some(name)) => apply(&srv, &r, name, &body),
            (Method::POST, None) => {
                let obj: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                json_response(StatusCode::CREATED, &obj)
            }
            _ => json_response(StatusCode::METHOD_NOT_ALLOWED, &json!({})),
        }
    }

    fn list(srv: &Server, r: &Route, q: &HashMap<String, String>) -> Response {
        let sel = selector(q);
        let inner = srv.inner.lock().unwrap();
        let items: Vec<&Value> = inner
            .objects
            .iter()
            .filter(|((k, ns, _), obj)| {
                *k == r.kind
                    && r.ns.as_ref().is_none_or(|want| want == ns)
                    && matches(&sel, &labels_of(obj))
            })
            .map(|(_, v)| v)
            .collect();
        let (api_version, kind) = r.kind.list_kind();
        json_response(
            StatusCode::OK,
            &json!({
                "apiVersion": api_version,
                "kind": kind,
                "metadata": { "resourceVersion": inner.rv.to_string() },
                "items": items,
            }),
        )
    }

    fn watch(srv: &Arc<Server>, r: &Route, q: &HashMap<String, String>) -> Response {
        let from: u64 = q
            .get("resourceVersion")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let sel = selector(q);
        let kind = r.kind;
        let ns = r.ns.clone();
        let wanted = move |ev: &WatchEvent| {
            ev.kind == kind && ns.as_ref().is_none_or(|n| *n == ev.ns) && matches(&sel, &ev.labels)
        };
        let (backlog, rx) = {
            let inner = srv.inner.lock().unwrap();
            let rx = srv.tx.subscribe();
            let backlog: Vec<WatchEvent> =
                inner.log.iter().filter(|e| e.rv > from).cloned().collect();
            (backlog, rx)
        };
        let wanted2 = wanted.clone();
        let backlog = stream::iter(backlog.into_iter().filter(move |e| wanted(e)));
        let last = Arc::new(AtomicU64::new(from));
        let last2 = last.clone();
        let backlog = backlog.inspect(move |e| last2.store(e.rv, Ordering::SeqCst));
        let live = stream::unfold(rx, |mut rx| async move {
            match rx.recv().await {
                Ok(ev) => Some((ev, rx)),
                // A watcher that fell behind ends its watch; kube relists.
                Err(_) => None,
            }
        })
        .filter(move |e| {
            let keep = wanted2(e) && e.rv > last.load(Ordering::SeqCst);
            async move { keep }
        });
        let body = backlog.chain(live).map(|e| Ok::<_, Infallible>(e.line));
        Response::builder()
            .status(StatusCode::OK)
            .header("content-type", "application/json")
            .body(Body::from_stream(body))
            .unwrap()
    }

    fn apply(srv: &Arc<Server>, r: &Route, name: &str, body: &Bytes) -> Response {
        let ns = r.ns.clone().unwrap_or_default();
        let mut desired: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => {
                return json_response(StatusCode::BAD_REQUEST, &json!({"message": e.to_string()}));
            }
        };
        let mut inner = srv.inner.lock().unwrap();
        let key = (r.kind, ns.clone(), name.to_string());
        let existing = inner.objects.get(&key).cloned();
        let (generation, uid, status, created) = match &existing {
            Some(old) => {
                let same_spec = old["spec"] == desired["spec"];
                let unchanged = same_spec
                    && old["metadata"]["labels"] == desired["metadata"]["labels"]
                    && old["metadata"]["annotations"] == desired["metadata"]["annotations"];
                if unchanged {
                    // A no-op apply: nothing changes, no watch event.
                    return json_response(StatusCode::OK, old);
                }
                let generation =
                    old["metadata"]["generation"].as_i64().unwrap_or(1) + i64::from(!same_spec);
                (
                    generation,
                    old["metadata"]["uid"].clone(),
                    old["status"].clone(),
                    false,
                )
            }
            None => (1, json!(format!("uid-{ns}-{name}")), Value::Null, true),
        };
        desired["metadata"]["generation"] = json!(generation);
        desired["metadata"]["uid"] = uid;
        desired["metadata"]["namespace"] = json!(ns);
        if !status.is_null() {
            desired["status"] = status;
        }
        let obj = srv.put(
            &mut inner,
            r.kind,
            &ns,
            name,
            desired,
            if created { "ADDED" } else { "MODIFIED" },
        );
        drop(inner);
        if r.kind == Kind::Deployment {
            // The Deployment controller: every replica available shortly after.
            let srv = srv.clone();
            let name = name.to_string();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                let mut inner = srv.inner.lock().unwrap();
                let key = (Kind::Deployment, ns.clone(), name.clone());
                let Some(mut d) = inner.objects.get(&key).cloned() else {
                    return;
                };
                let replicas = d["spec"]["replicas"].as_i64().unwrap_or(1);
                d["status"] = json!({
                    "observedGeneration": d["metadata"]["generation"],
                    "replicas": replicas, "updatedReplicas": replicas,
                    "readyReplicas": replicas, "availableReplicas": replicas,
                });
                srv.put(&mut inner, Kind::Deployment, &ns, &name, d, "MODIFIED");
            });
        }
        json_response(
            if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            },
            &obj,
        )
    }

    fn patch_status(srv: &Server, r: &Route, name: &str, body: &Bytes) -> Response {
        let ns = r.ns.clone().unwrap_or_default();
        let patch: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let mut inner = srv.inner.lock().unwrap();
        let key = (r.kind, ns.clone(), name.to_string());
        let Some(mut obj) = inner.objects.get(&key).cloned() else {
            return not_found(name);
        };
        if obj["status"] == patch["status"] {
            return json_response(StatusCode::OK, &obj);
        }
        obj["status"] = patch["status"].clone();
        let obj = srv.put(&mut inner, r.kind, &ns, name, obj, "MODIFIED");
        json_response(StatusCode::OK, &obj)
    }

    fn seed(srv: &Server) {
        let mut inner = srv.inner.lock().unwrap();
        for i in 0..STACKS {
            let name = format!("stack-{i:03}");
            let secret_name = format!("{name}-secrets");
            let mut stack = TradingStack::new(
                &name,
                TradingStackSpec {
                    image: ImageSpec {
                        repository: "tradingstack".into(),
                        tag: Some("dev".into()),
                        pull_policy: None,
                    },
                    secret_ref: SecretRef {
                        name: secret_name.clone(),
                    },
                    redis: RedisSpec {
                        managed: Some(true),
                        ..RedisSpec::default()
                    },
                    api: Default::default(),
                    bot: Default::default(),
                    workers: Default::default(),
                    telemetry: Some(TelemetrySpec {
                        otlp_endpoint: Some("http://jaeger-collector:4318".into()),
                    }),
                    market_data: None,
                    trading_mode: None,
                },
            );
            stack.metadata.namespace = Some(NS.into());
            stack.metadata.uid = Some(format!("uid-{name}"));
            stack.metadata.generation = Some(1);
            let stack = serde_json::to_value(&stack).unwrap();
            srv.put(&mut inner, Kind::Stack, NS, &name, stack, "ADDED");
            let data = [
                ("DATABASE_URL", "postgres://ts:pw@db:5432/ts"),
                ("API_TOKEN", "api-token"),
                ("WEBHOOK_SECRET", "webhook-secret"),
                ("ENCRYPTION_KEY", "0123456789abcdef0123456789abcdef"),
                ("TELEGRAM_BOT_TOKEN", "123:telegram"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), ByteString(v.as_bytes().to_vec())))
            .collect();
            let secret = Secret {
                metadata: ObjectMeta {
                    name: Some(secret_name.clone()),
                    namespace: Some(NS.into()),
                    ..ObjectMeta::default()
                },
                data: Some(data),
                ..Secret::default()
            };
            let secret = serde_json::to_value(&secret).unwrap();
            srv.put(&mut inner, Kind::Secret, NS, &secret_name, secret, "ADDED");
        }
    }

    pub fn main() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let (tx, _) = broadcast::channel(1 << 16);
            let srv = Arc::new(Server {
                inner: Mutex::new(Inner::default()),
                tx,
                reads: AtomicU64::new(0),
                writes: AtomicU64::new(0),
            });
            seed(&srv);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            println!("{}", listener.local_addr().unwrap().port());
            // Answer at once: no Nagle delay on the small responses.
            let listener = listener.tap_io(|tcp| {
                let _ = tcp.set_nodelay(true);
            });
            // Stop when the operator side closes our stdin.
            std::thread::spawn(|| {
                let mut sink = Vec::new();
                let _ = std::io::stdin().read_to_end(&mut sink);
                std::process::exit(0);
            });
            let app = axum::Router::new().fallback(handle).with_state(srv);
            axum::serve(listener, app).await.unwrap();
        });
    }
}
