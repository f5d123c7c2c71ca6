//! The harness of the cluster tests: the local control plane of `scripts/cluster/up.sh`, the
//! operator chart installed once with helm, the operator run as a local process with a token
//! of the chart's ServiceAccount, and Jaeger's query API.
//!
//! Everything comes from the environment that `scripts/test.sh` (`check_cluster`) exports;
//! when something is missing the test fails and says what, it never skips:
//!
//! | variable | what |
//! | --- | --- |
//! | `KUBECONFIG` | the admin kubeconfig written by `scripts/cluster/up.sh` |
//! | `TS_OPERATOR_BIN` | the `operator` binary (`cargo build -p tradingstack-operator --bin operator`) |
//! | `TS_KUBECTL`, `TS_HELM` | kubectl and helm (default: found on `PATH`) |
//! | `TS_JAEGER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_ENDPOINT`) | Jaeger's OTLP/HTTP base URL |
//! | `TS_JAEGER_QUERY_URL` | Jaeger's query API base URL |

use std::collections::BTreeMap;
use std::future::Future;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ListParams, PostParams};
use kube::{Client, ResourceExt};
use serde_json::Value;
use tradingstack_operator::TradingStack;

/// The namespace and release of the operator chart.
pub const OPERATOR_NAMESPACE: &str = "tradingstack-system";
pub const OPERATOR_RELEASE: &str = "tradingstack-operator";
/// The service name of the operator's spans.
pub const OPERATOR_SERVICE: &str = tradingstack_operator::telemetry::SERVICE_NAME;

/// What every test shares: paths, the cluster's address and the operator's token.
#[derive(Debug)]
pub struct Cluster {
    pub repo: PathBuf,
    pub kubeconfig: PathBuf,
    pub kubectl: PathBuf,
    pub helm: PathBuf,
    pub operator_bin: PathBuf,
    pub otlp_endpoint: String,
    pub jaeger_query: String,
    /// A kubeconfig whose user is the chart's ServiceAccount (a `kubectl create token`).
    pub operator_kubeconfig: PathBuf,
    /// `system:serviceaccount:NS:NAME` of the chart's ServiceAccount.
    pub operator_user: String,
    /// A folder for this test process's files (kubeconfigs, logs).
    pub work_dir: PathBuf,
}

fn env_path(var: &str, missing: &mut Vec<String>) -> PathBuf {
    match std::env::var_os(var) {
        Some(v) if !v.is_empty() => {
            let p = PathBuf::from(v);
            if !p.exists() {
                missing.push(format!("{var}={} does not exist", p.display()));
            }
            p
        }
        _ => {
            missing.push(format!("{var} is not set"));
            PathBuf::new()
        }
    }
}

fn env_string(vars: &[&str], missing: &mut Vec<String>) -> String {
    for var in vars {
        if let Ok(v) = std::env::var(var)
            && !v.is_empty()
        {
            return v.trim_end_matches('/').to_string();
        }
    }
    missing.push(format!("{} is not set", vars.join(" or ")));
    String::new()
}

/// A program named by `var`, else found on `PATH`.
fn program(var: &str, name: &str, missing: &mut Vec<String>) -> PathBuf {
    if std::env::var_os(var).is_some() {
        return env_path(var, missing);
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        missing.push(format!("{name} is not on PATH and {var} is not set"));
        PathBuf::new()
    })
}

/// The shared set-up, done once per test process: read the environment, install the operator
/// chart with helm (CRD, RBAC, ServiceAccount), and make a kubeconfig with a token of the
/// chart's ServiceAccount. Panics (failing the test) naming whatever is missing.
pub fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        let mut missing = Vec::new();
        let kubeconfig = env_path("KUBECONFIG", &mut missing);
        let operator_bin = env_path("TS_OPERATOR_BIN", &mut missing);
        let kubectl = program("TS_KUBECTL", "kubectl", &mut missing);
        let helm = program("TS_HELM", "helm", &mut missing);
        let otlp_endpoint = env_string(
            &["TS_JAEGER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"],
            &mut missing,
        );
        let jaeger_query = env_string(&["TS_JAEGER_QUERY_URL"], &mut missing);
        assert!(
            missing.is_empty(),
            "the cluster tests need the local control plane, its tools and Jaeger, which \
             scripts/test.sh (check_cluster) starts; missing: {}",
            missing.join("; ")
        );
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .canonicalize()
            .expect("the repository root");
        // Beside the control plane's state when there is one, so down.sh removes it too.
        let base = std::env::var_os("TS_CLUSTER_DIR")
            .map(PathBuf::from)
            .filter(|p| p.is_dir())
            .unwrap_or_else(std::env::temp_dir);
        let work_dir = base.join(format!("cluster-tests-{}", std::process::id()));
        std::fs::create_dir_all(&work_dir).expect("creating the work folder");

        let mut cluster = Cluster {
            repo,
            kubeconfig,
            kubectl,
            helm,
            operator_bin,
            otlp_endpoint,
            jaeger_query,
            operator_kubeconfig: PathBuf::new(),
            operator_user: String::new(),
            work_dir,
        };
        cluster.install_operator_chart();
        cluster
    })
}

impl Cluster {
    fn command(&self, program: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(program);
        // kubectl waits forever for an API server that does not answer; a test must not.
        if program == self.kubectl {
            cmd.arg("--request-timeout=60s");
        }
        cmd.args(args)
            .current_dir(&self.repo)
            .env("KUBECONFIG", &self.kubeconfig);
        cmd
    }

    /// Runs kubectl (as the admin) and returns its output, whatever its exit status.
    pub fn kubectl_output(&self, args: &[&str], stdin: Option<&str>) -> Output {
        run(self.command(&self.kubectl, args), stdin)
    }

    /// Runs kubectl and returns its stdout; panics with its stderr when it fails.
    pub fn kubectl(&self, args: &[&str]) -> String {
        checked("kubectl", args, self.kubectl_output(args, None))
    }

    /// `kubectl apply -f -` of a manifest in a namespace.
    pub fn kubectl_apply(&self, ns: &str, manifest: &str) -> String {
        let args = ["apply", "-n", ns, "-f", "-"];
        checked("kubectl", &args, self.kubectl_output(&args, Some(manifest)))
    }

    /// Runs helm and returns its stdout; panics with its stderr when it fails.
    pub fn helm(&self, args: &[&str]) -> String {
        checked("helm", args, run(self.command(&self.helm, args), None))
    }

    /// `helm upgrade --install` of charts/tradingstack-operator (idempotent, so a rerun against
    /// the same control plane works), then a token of its ServiceAccount.
    fn install_operator_chart(&mut self) {
        let chart = self.repo.join("charts/tradingstack-operator");
        assert!(
            chart.join("Chart.yaml").is_file(),
            "{} is missing",
            chart.display()
        );
        self.helm(&[
            "upgrade",
            "--install",
            OPERATOR_RELEASE,
            chart.to_str().expect("a UTF-8 path"),
            "--namespace",
            OPERATOR_NAMESPACE,
            "--create-namespace",
            "--wait",
            "--timeout",
            "120s",
        ]);
        let sa = self.operator_service_account();
        let token = self.kubectl(&[
            "create",
            "token",
            &sa,
            "-n",
            OPERATOR_NAMESPACE,
            "--duration=2h",
        ]);
        let token = token.trim();
        assert!(!token.is_empty(), "kubectl create token printed nothing");
        self.operator_user = format!("system:serviceaccount:{OPERATOR_NAMESPACE}:{sa}");
        self.operator_kubeconfig = self.work_dir.join("operator.kubeconfig");
        let (server, ca) = self.server_and_ca();
        let config = format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: local\n  cluster:\n    server: {server}\n    \
             certificate-authority-data: {ca}\nusers:\n- name: {sa}\n  user:\n    token: {token}\n\
             contexts:\n- name: operator\n  context:\n    cluster: local\n    user: {sa}\n\
             current-context: operator\n"
        );
        std::fs::write(&self.operator_kubeconfig, config).expect("writing the operator kubeconfig");
    }

    /// The ServiceAccount the chart's operator Deployment runs as.
    fn operator_service_account(&self) -> String {
        let out = self.kubectl(&[
            "get",
            "deployments",
            "-n",
            OPERATOR_NAMESPACE,
            "-l",
            &format!("app.kubernetes.io/instance={OPERATOR_RELEASE}"),
            "-o",
            "jsonpath={.items[*].spec.template.spec.serviceAccountName}",
        ]);
        let names: Vec<&str> = out.split_whitespace().collect();
        assert_eq!(
            names.len(),
            1,
            "expected one operator Deployment of release {OPERATOR_RELEASE} in {OPERATOR_NAMESPACE} naming its ServiceAccount, got {out:?}"
        );
        names[0].to_string()
    }

    /// The API server URL and CA (base64) of the admin kubeconfig.
    pub fn server_and_ca(&self) -> (String, String) {
        let text = std::fs::read_to_string(&self.kubeconfig).expect("reading KUBECONFIG");
        let config: Value = serde_yaml::from_str(&text).expect("KUBECONFIG is YAML");
        let cluster = &config["clusters"][0]["cluster"];
        (
            cluster["server"]
                .as_str()
                .expect("a server in KUBECONFIG")
                .to_string(),
            cluster["certificate-authority-data"]
                .as_str()
                .expect("certificate-authority-data in KUBECONFIG")
                .to_string(),
        )
    }

    /// A client with the admin identity.
    pub async fn admin_client(&self) -> Client {
        let config = kube::Config::from_custom_kubeconfig(
            kube::config::Kubeconfig::read_from(&self.kubeconfig).expect("reading KUBECONFIG"),
            &kube::config::KubeConfigOptions::default(),
        )
        .await
        .expect("a client config from KUBECONFIG");
        Client::try_from(config).expect("a kube client")
    }
}

fn run(mut cmd: Command, stdin: Option<&str>) -> Output {
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("starting {cmd:?}: {e}"));
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("piped stdin")
            .write_all(input.as_bytes())
            .expect("writing stdin");
    }
    child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("running {cmd:?}: {e}"))
}

fn checked(program: &str, args: &[&str], out: Output) -> String {
    assert!(
        out.status.success(),
        "{program} {} failed ({}):\n{}{}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A namespace of its own for one test, deleted when dropped.
pub struct TestNamespace {
    pub name: String,
}

impl TestNamespace {
    pub async fn create(client: &Client, prefix: &str) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "{prefix}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let ns: Namespace =
            serde_json::from_value(serde_json::json!({"metadata": {"name": name}})).unwrap();
        Api::<Namespace>::all(client.clone())
            .create(&PostParams::default(), &ns)
            .await
            .unwrap_or_else(|e| panic!("creating namespace {name}: {e}"));
        // Pods are admitted once the service-account controller made `default`.
        let sa: Api<k8s_openapi::api::core::v1::ServiceAccount> =
            Api::namespaced(client.clone(), &name);
        eventually(
            &format!("ServiceAccount {name}/default"),
            Duration::from_secs(30),
            || async {
                sa.get_opt("default")
                    .await
                    .map_err(|e| e.to_string())?
                    .ok_or_else(|| "not yet".to_string())
            },
        )
        .await;
        TestNamespace { name }
    }
}

impl Drop for TestNamespace {
    fn drop(&mut self) {
        // Not awaited: the namespace controller removes what is left.
        let _ =
            cluster().kubectl_output(&["delete", "namespace", &self.name, "--wait=false"], None);
    }
}

/// Records the changes of `api`'s objects in the order of its watch stream (the order the API
/// server committed them in) until `done` holds for one of them. Returns once the watch has
/// its initial list, so nothing made afterwards is missed or reordered into that list.
pub async fn record_changes<K>(
    api: Api<K>,
    done: impl Fn(&K) -> bool + Send + 'static,
) -> tokio::task::JoinHandle<Vec<K>>
where
    K: kube::Resource + Clone + std::fmt::Debug + serde::de::DeserializeOwned + Send + 'static,
    K::DynamicType: Default,
{
    use futures::StreamExt;
    use kube::runtime::watcher::{self, Event};
    let (synced_tx, synced_rx) = tokio::sync::oneshot::channel();
    let handle = tokio::spawn(async move {
        let mut synced_tx = Some(synced_tx);
        let mut seen = Vec::new();
        let mut stream = std::pin::pin!(watcher::watcher(api, watcher::Config::default()));
        while let Some(event) = stream.next().await {
            match event {
                Ok(Event::InitDone) => {
                    if let Some(tx) = synced_tx.take() {
                        let _ = tx.send(());
                    }
                }
                Ok(Event::Apply(obj) | Event::InitApply(obj)) => {
                    let stop = done(&obj);
                    seen.push(obj);
                    if stop {
                        break;
                    }
                }
                Ok(_) | Err(_) => {}
            }
        }
        seen
    });
    let _ = tokio::time::timeout(Duration::from_secs(30), synced_rx).await;
    handle
}

/// Polls `check` every 250 ms until it returns `Ok`, or panics after `timeout` with its last
/// error.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let start = Instant::now();
    loop {
        match check().await {
            Ok(v) => return v,
            Err(e) if start.elapsed() >= timeout => {
                panic!("{what}: not within {} s; last: {e}", timeout.as_secs())
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
        }
    }
}

/// `(status, reason, message)` of a condition of a stack.
pub fn condition<'a>(stack: &'a TradingStack, type_: &str) -> Option<(&'a str, &'a str, &'a str)> {
    stack
        .status
        .as_ref()?
        .condition(type_)
        .map(|c| (c.status.as_str(), c.reason.as_str(), c.message.as_str()))
}

pub fn phase(stack: &TradingStack) -> Option<&'static str> {
    stack.status.as_ref()?.phase.map(|p| p.as_str())
}

/// Waits until the stack's phase is Ready with its status describing the latest generation.
pub async fn wait_ready(client: &Client, ns: &str, name: &str, timeout: Duration) -> TradingStack {
    let api: Api<TradingStack> = Api::namespaced(client.clone(), ns);
    eventually(
        &format!("TradingStack {ns}/{name} Ready"),
        timeout,
        || async {
            let stack = api.get(name).await.map_err(|e| e.to_string())?;
            let observed = stack
                .status
                .as_ref()
                .and_then(|s| s.observed_generation)
                .unwrap_or(0);
            if phase(&stack) == Some("Ready")
                && observed == stack.metadata.generation.unwrap_or(-1)
                && condition(&stack, "Ready").map(|c| c.0) == Some("True")
            {
                Ok(stack)
            } else {
                Err(format!("status {:?}", stack.status))
            }
        },
    )
    .await
}

/// The Deployments of a stack, by name.
pub async fn stack_deployments(
    client: &Client,
    ns: &str,
    stack: &str,
) -> BTreeMap<String, Deployment> {
    let api: Api<Deployment> = Api::namespaced(client.clone(), ns);
    api.list(&ListParams::default().labels(&format!("app.kubernetes.io/instance={stack}")))
        .await
        .expect("listing Deployments")
        .into_iter()
        .map(|d| (d.name_any(), d))
        .collect()
}

/// The operator binary running as a local process with the chart's ServiceAccount token,
/// watching one namespace, exporting its spans to Jaeger. Stopped when dropped; its log is
/// printed when the test is failing.
pub struct OperatorProcess {
    child: Child,
    pub namespace: Option<String>,
    pub http: String,
    pub log: PathBuf,
}

impl OperatorProcess {
    /// Starts an operator watching `namespace` (or every namespace) and waits until its cache
    /// synced (`/readyz`).
    pub async fn start(cluster: &Cluster, namespace: Option<&str>) -> Self {
        Self::start_with(cluster, namespace, &[]).await
    }

    pub async fn start_with(
        cluster: &Cluster,
        namespace: Option<&str>,
        extra_args: &[&str],
    ) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let port = free_port();
        let log = cluster.work_dir.join(format!(
            "operator-{}-{}.log",
            namespace.unwrap_or("all"),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let log_file = std::fs::File::create(&log).expect("creating the operator log");
        let mut cmd = Command::new(&cluster.operator_bin);
        cmd.arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .args(extra_args)
            .env("KUBECONFIG", &cluster.operator_kubeconfig)
            .env("OTEL_EXPORTER_OTLP_ENDPOINT", &cluster.otlp_endpoint)
            .env(
                "RUST_LOG",
                std::env::var("TS_OPERATOR_LOG").unwrap_or_else(|_| "info".into()),
            )
            .env_remove("WATCH_NAMESPACE")
            .env_remove("POD_NAME")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("log handle"))
            .stderr(log_file);
        if let Some(ns) = namespace {
            cmd.arg("--namespace").arg(ns);
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", cluster.operator_bin.display()));
        let mut op = OperatorProcess {
            child,
            namespace: namespace.map(str::to_string),
            http: format!("http://127.0.0.1:{port}"),
            log,
        };
        op.wait_ready().await;
        op
    }

    async fn wait_ready(&mut self) {
        let url = format!("{}/readyz", self.http);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("polling the operator") {
                panic!(
                    "the operator exited during start-up ({status}):\n{}",
                    self.log_tail(40)
                );
            }
            if let Ok(r) = reqwest::get(&url).await
                && r.status().is_success()
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the operator's /readyz did not answer 200 within 30 s:\n{}",
                self.log_tail(40)
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The operator's Prometheus metrics.
    pub async fn metrics(&self) -> String {
        reqwest::get(format!("{}/metrics", self.http))
            .await
            .expect("GET /metrics")
            .text()
            .await
            .expect("the metrics body")
    }

    /// `tradingstack_operator_reconcile_total`.
    pub async fn reconciles(&self) -> u64 {
        metric_value(
            &self.metrics().await,
            "tradingstack_operator_reconcile_total",
        )
        .unwrap_or(0.0) as u64
    }

    /// VmRSS and VmHWM of the process, in KiB.
    pub fn memory_kib(&self) -> (u64, u64) {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }

    /// SIGKILL: the operator dies mid-whatever, as on a node failure.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits for a clean exit (spans flushed).
    pub fn stop(&mut self) {
        if self.child.try_wait().ok().flatten().is_some() {
            return;
        }
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.kill();
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn log_tail(&self, lines: usize) -> String {
        let text = self.log_text();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }
}

impl Drop for OperatorProcess {
    fn drop(&mut self) {
        self.stop();
        if std::thread::panicking() {
            eprintln!(
                "--- operator log ({}) ---\n{}\n---",
                self.log.display(),
                self.log_tail(60)
            );
        }
    }
}

/// The value of an unlabelled metric (or the first sample whose name and labels match).
pub fn metric_value(text: &str, name: &str) -> Option<f64> {
    text.lines().filter(|l| !l.starts_with('#')).find_map(|l| {
        let (key, value) = l.rsplit_once(' ')?;
        (key == name).then(|| value.parse().ok()).flatten()
    })
}

/// The cumulative buckets `(le, count)` of the reconcile-duration histogram, `+Inf` last.
pub fn histogram_buckets(text: &str) -> Vec<(f64, f64)> {
    let prefix = "tradingstack_operator_reconcile_duration_seconds_bucket{le=\"";
    let mut buckets: Vec<(f64, f64)> = text
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix(prefix)?;
            let (le, count) = rest.split_once("\"} ")?;
            let le = if le == "+Inf" {
                f64::INFINITY
            } else {
                le.parse().ok()?
            };
            Some((le, count.trim().parse().ok()?))
        })
        .collect();
    buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
    buckets
}

/// The buckets of `after` minus those of `before`: the reconciles in between.
pub fn histogram_delta(before: &[(f64, f64)], after: &[(f64, f64)]) -> Vec<(f64, f64)> {
    after
        .iter()
        .map(|&(le, count)| {
            let prev = before
                .iter()
                .find(|(b, _)| *b == le)
                .map_or(0.0, |(_, c)| *c);
            (le, count - prev)
        })
        .collect()
}

/// A quantile of cumulative buckets, interpolated linearly inside its bucket (as Prometheus's
/// `histogram_quantile` does), in seconds; with the upper bound of its bucket.
pub fn bucket_quantile(buckets: &[(f64, f64)], q: f64) -> Option<(f64, f64)> {
    let total = buckets.last()?.1;
    if total <= 0.0 {
        return None;
    }
    let rank = q * total;
    let mut prev = (0.0, 0.0);
    for &(le, count) in buckets {
        if count >= rank {
            if le.is_infinite() {
                return Some((prev.0, le));
            }
            let in_bucket = count - prev.1;
            let frac = if in_bucket > 0.0 {
                (rank - prev.1) / in_bucket
            } else {
                1.0
            };
            return Some((prev.0 + (le - prev.0) * frac, le));
        }
        prev = (le, count);
    }
    None
}

/// A quantile of the operator's reconcile-duration histogram (see [`bucket_quantile`]).
pub fn histogram_quantile(text: &str, q: f64) -> Option<(f64, f64)> {
    bucket_quantile(&histogram_buckets(text), q)
}

/// Jaeger's query API (`GET /api/traces`): the traces of a service, optionally of one
/// operation and with tags (`{"key":"value"}`), at most `limit` traces.
pub async fn jaeger_traces(
    query_url: &str,
    service: &str,
    operation: Option<&str>,
    tags: &[(&str, &str)],
    limit: usize,
) -> Result<Vec<Value>, String> {
    let mut params: Vec<(&str, String)> = vec![
        ("service", service.to_string()),
        ("limit", limit.to_string()),
        ("lookback", "1h".into()),
    ];
    if let Some(op) = operation {
        params.push(("operation", op.to_string()));
    }
    if !tags.is_empty() {
        let map: serde_json::Map<String, Value> = tags
            .iter()
            .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
            .collect();
        params.push(("tags", Value::Object(map).to_string()));
    }
    let url = reqwest::Url::parse_with_params(&format!("{query_url}/api/traces"), &params)
        .map_err(|e| e.to_string())?;
    let body: Value = reqwest::get(url)
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    Ok(body["data"].as_array().cloned().unwrap_or_default())
}

/// The deploy/samples manifests with the Secret's keys edited: `drop` removed, `set` added or
/// changed.
pub fn sample_secret(name: &str, drop: &[&str], set: &[(&str, &str)]) -> String {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/samples/secret.yaml"),
    )
    .expect("reading deploy/samples/secret.yaml");
    let mut secret: Value = serde_yaml::from_str(&text).expect("the sample Secret is YAML");
    secret["metadata"]["name"] = Value::String(name.to_string());
    let data = secret["stringData"]
        .as_object_mut()
        .expect("the sample Secret has stringData");
    for key in drop {
        data.remove(*key);
    }
    for (k, v) in set {
        data.insert(k.to_string(), Value::String(v.to_string()));
    }
    serde_yaml::to_string(&secret).expect("YAML")
}

/// The sample TradingStack renamed, referencing `secret`.
pub fn sample_stack(name: &str, secret: &str) -> String {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/samples/tradingstack.yaml"),
    )
    .expect("reading deploy/samples/tradingstack.yaml");
    let mut stack: Value = serde_yaml::from_str(&text).expect("the sample stack is YAML");
    stack["metadata"]["name"] = Value::String(name.to_string());
    stack["spec"]["secretRef"]["name"] = Value::String(secret.to_string());
    serde_yaml::to_string(&stack).expect("YAML")
}

#[cfg(test)]
mod tests {
    use super::*;

    const METRICS: &str = "\
tradingstack_operator_reconcile_total 10
tradingstack_operator_reconcile_duration_seconds_bucket{le=\"0.001\"} 0
tradingstack_operator_reconcile_duration_seconds_bucket{le=\"0.005\"} 5
tradingstack_operator_reconcile_duration_seconds_bucket{le=\"0.01\"} 9
tradingstack_operator_reconcile_duration_seconds_bucket{le=\"0.05\"} 10
tradingstack_operator_reconcile_duration_seconds_bucket{le=\"+Inf\"} 10
";

    #[test]
    fn reads_counters_and_histogram_quantiles() {
        assert_eq!(
            metric_value(METRICS, "tradingstack_operator_reconcile_total"),
            Some(10.0)
        );
        let (p50, bound) = histogram_quantile(METRICS, 0.5).unwrap();
        assert!((p50 - 0.005).abs() < 1e-9 && bound == 0.005, "{p50}");
        let (p99, bound) = histogram_quantile(METRICS, 0.99).unwrap();
        assert!(p99 > 0.01 && p99 <= 0.05 && bound == 0.05, "{p99}");
        let before = histogram_buckets(METRICS);
        let after: Vec<(f64, f64)> = before.iter().map(|&(le, c)| (le, c + 10.0)).collect();
        let delta = histogram_delta(&before, &after);
        assert_eq!(delta.first(), Some(&(0.001, 10.0)));
        let (p99, bound) = bucket_quantile(&delta, 0.99).unwrap();
        assert!(p99 <= 0.001 && bound == 0.001, "{p99}");
    }

    #[test]
    fn sample_manifests_are_renamed() {
        let secret = sample_secret("s1", &["WEBHOOK_SECRET"], &[("EXTRA", "x")]);
        assert!(secret.contains("name: s1") && !secret.contains("WEBHOOK_SECRET"));
        assert!(secret.contains("EXTRA: x"));
        let stack = sample_stack("st", "s1");
        assert!(stack.contains("name: st") && stack.contains("name: s1"));
    }
}
