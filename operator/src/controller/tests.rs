//! The reconcile loop against kube's mocked client: every request is expected in turn and
//! answered by the `ApiServerVerifier`; a request the scenario does not expect fails the test.

use std::future::Future;
use std::sync::{Arc, Mutex};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::EnvVar;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::runtime::controller::Action;
use kube::runtime::reflector::store::Writer;
use kube::runtime::watcher;

use super::*;
use crate::crd::Phase;
use crate::fixtures::{
    ApiServerVerifier, cluster_children, full_secret_data, ready_status, secret, stack,
};
use crate::gates::{READY, REASON_GATED_ON_API, REASON_GATED_ON_REDIS, SECRETS_VALID};

/// Runs one reconcile of `stack` against `scenario`, then checks the client sent nothing more.
///
/// A request the scenario does not expect either fails its assertion (the scenario panics,
/// the panic is raised here) or, sent after the scenario ended, is never answered: the
/// reconcile then waits for it and times out.
async fn run<T: Send + 'static>(
    stack: TradingStack,
    ctx: Arc<Context>,
    api: ApiServerVerifier,
    scenario: impl FnOnce(
        ApiServerVerifier,
    ) -> std::pin::Pin<Box<dyn Future<Output = (ApiServerVerifier, T)> + Send>>,
) -> (Result<Action>, T) {
    let handle = tokio::spawn(scenario(api));
    let result =
        tokio::time::timeout(Duration::from_secs(5), reconcile(Arc::new(stack), ctx)).await;
    let (api, out) = match handle.await {
        Ok(v) => v,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    };
    let result = result
        .expect("the reconcile waited for an answer to a request the scenario did not expect");
    api.done().await;
    (result, out)
}

fn env(d: &Deployment) -> Vec<EnvVar> {
    d.spec
        .as_ref()
        .unwrap()
        .template
        .spec
        .as_ref()
        .unwrap()
        .containers[0]
        .env
        .clone()
        .unwrap_or_default()
}

fn env_value(d: &Deployment, name: &str) -> Option<String> {
    env(d)
        .into_iter()
        .find(|e| e.name == name)
        .and_then(|e| e.value)
}

fn cond<'a>(s: &'a TradingStackStatus, t: &str) -> (&'a str, &'a str) {
    let c = s.condition(t).unwrap_or_else(|| panic!("no condition {t}"));
    (c.status.as_str(), c.reason.as_str())
}

fn full() -> SecretState {
    SecretState::Found(full_secret_data())
}

#[tokio::test]
async fn first_reconcile_creates_only_redis() {
    let (ctx, api) = Context::test();
    let s = stack("demo");
    let sec = secret("demo-secrets", full_secret_data());
    let s2 = s.clone();
    let (result, (status, events)) = run(s, ctx.clone(), api, move |mut api| {
        Box::pin(async move {
            api.expect_get_secret(Some(&sec)).await;
            api.expect_list_deployments("demo", &[]).await;
            api.expect_list_services(&[]).await;
            let d = api.expect_apply_deployment("demo-redis", None).await;
            assert_eq!(
                d.metadata.owner_references.as_ref().unwrap()[0].uid,
                "uid-demo"
            );
            api.expect_apply_service("demo-redis").await;
            let status = api.expect_status_patch(&s2).await;
            let events = api.expect_events(1).await;
            (api, (status, events))
        })
    })
    .await;
    assert_eq!(result.unwrap(), Action::requeue(RESYNC));
    assert_eq!(cond(&status, SECRETS_VALID), ("True", "AllKeysPresent"));
    assert_eq!(cond(&status, "RedisReady"), ("False", "WaitingForReplicas"));
    assert_eq!(cond(&status, "ApiReady"), ("False", REASON_GATED_ON_REDIS));
    assert_eq!(cond(&status, "BotReady"), ("False", REASON_GATED_ON_API));
    assert_eq!(
        cond(&status, "WorkersReady"),
        ("False", REASON_GATED_ON_API)
    );
    assert_eq!(status.phase, Some(Phase::Pending));
    assert_eq!(status.observed_generation, Some(1));
    assert_eq!(
        events,
        vec![("Normal".to_string(), "SecretsValid".to_string())]
    );
    assert_eq!(ctx.metrics.runs(), 1);
}

#[tokio::test]
async fn redis_not_ready_means_no_api_deployment() {
    let (ctx, api) = Context::test();
    let mut s = stack("demo");
    let sec = secret("demo-secrets", full_secret_data());
    // Redis exists (as applied before) but is not available yet.
    let (deps, svcs) = cluster_children(&s, &full(), &[Role::Redis], &[]);
    let now = gates::now();
    let obs: gates::Observed = [(Role::Redis, Workload::starting(1))].into();
    s.status = Some(gates::compute_status(&s, &Ok(()), &obs, None, &now));
    let (result, ()) = run(s, ctx, api, move |mut api| {
        Box::pin(async move {
            api.expect_get_secret(Some(&sec)).await;
            api.expect_list_deployments("demo", &deps).await;
            api.expect_list_services(&svcs).await;
            // Nothing to apply and nothing changed: no further request.
            (api, ())
        })
    })
    .await;
    assert!(result.is_ok());
}

#[tokio::test]
async fn redis_ready_creates_the_api_and_gates_bot_and_workers() {
    let (ctx, api) = Context::test();
    let s = stack("demo");
    let sec = secret("demo-secrets", full_secret_data());
    let (deps, svcs) = cluster_children(&s, &full(), &[Role::Redis], &[Role::Redis]);
    let s2 = s.clone();
    let (result, (api_dep, status, events)) = run(s, ctx, api, move |mut api| {
        Box::pin(async move {
            api.expect_get_secret(Some(&sec)).await;
            api.expect_list_deployments("demo", &deps).await;
            api.expect_list_services(&svcs).await;
            let d = api.expect_apply_deployment("demo-api", None).await;
            let svc = api.expect_apply_service("demo-api").await;
            assert_eq!(svc.spec.unwrap().ports.unwrap()[0].port, 8000);
            let status = api.expect_status_patch(&s2).await;
            let events = api.expect_events(2).await;
            (api, (d, status, events))
        })
    })
    .await;
    result.unwrap();
    assert_eq!(env_value(&api_dep, "SKIP_DB").as_deref(), Some("false"));
    assert_eq!(cond(&status, "RedisReady"), ("True", "Available"));
    assert_eq!(cond(&status, "ApiReady"), ("False", "WaitingForReplicas"));
    assert_eq!(cond(&status, "BotReady"), ("False", REASON_GATED_ON_API));
    assert_eq!(
        cond(&status, "WorkersReady"),
        ("False", REASON_GATED_ON_API)
    );
    assert_eq!(status.phase, Some(Phase::Progressing));
    let reasons: Vec<_> = events.into_iter().map(|e| e.1).collect();
    assert_eq!(reasons, vec!["SecretsValid", "RedisReady"]);
}

#[tokio::test]
async fn api_not_ready_means_no_bot_or_workers_and_they_say_gated_on_api() {
    let (ctx, api) = Context::test();
    let s = stack("demo");
    let sec = secret("demo-secrets", full_secret_data());
    let (deps, svcs) = cluster_children(&s, &full(), &[Role::Redis, Role::Api], &[Role::Redis]);
    let s2 = s.clone();
    let (result, status) = run(s, ctx, api, move |mut api| {
        Box::pin(async move {
            api.expect_get_secret(Some(&sec)).await;
            api.expect_list_deployments("demo", &deps).await;
            api.expect_list_services(&svcs).await;
            // Redis and the API are as built: no apply, and no bot or workers.
            let status = api.expect_status_patch(&s2).await;
            api.expect_events(2).await;
            (api, status)
        })
    })
    .await;
    result.unwrap();
    assert_eq!(cond(&status, "ApiReady"), ("False", "WaitingForReplicas"));
    assert_eq!(cond(&status, "BotReady"), ("False", REASON_GATED_ON_API));
    assert_eq!(
        cond(&status, "WorkersReady"),
        ("False", REASON_GATED_ON_API)
    );
}

#[tokio::test]
async fn api_ready_creates_bot_and_workers_with_their_roles() {
    let (ctx, api) = Context::test();
    let s = stack("demo");
    let sec = secret("demo-secrets", full_secret_data());
    let ready = [Role::Redis, Role::Api];
    let (deps, svcs) = cluster_children(&s, &full(), &ready, &ready);
    let s2 = s.clone();
    let (result, (bot, workers, status, events)) = run(s, ctx, api, move |mut api| {
        Box::pin(async move {
            api.expect_get_secret(Some(&sec)).await;
            api.expect_list_deployments("demo", &deps).await;
            api.expect_list_services(&svcs).await;
            let bot = api.expect_apply_deployment("demo-bot", None).await;
            let workers = api.expect_apply_deployment("demo-workers", None).await;
            let status = api.expect_status_patch(&s2).await;
            let events = api.expect_events(3).await;
            (api, (bot, workers, status, events))
        })
    })
    .await;
    result.unwrap();
    assert_eq!(env_value(&bot, "SKIP_DB").as_deref(), Some("true"));
    assert!(env(&bot).iter().all(|e| e.name != "DATABASE_URL"));
    assert_eq!(env_value(&workers, "SKIP_DB").as_deref(), Some("false"));
    assert!(env(&workers).iter().any(|e| e.name == "DATABASE_URL"));
    assert_eq!(cond(&status, "ApiReady"), ("True", "Available"));
    assert_eq!(cond(&status, "BotReady"), ("False", "WaitingForReplicas"));
    assert_eq!(status.phase, Some(Phase::Progressing));
    let reasons: Vec<_> = events.into_iter().map(|e| e.1).collect();
    assert_eq!(reasons, vec!["SecretsValid", "RedisReady", "ApiReady"]);
}

#[tokio::test]
async fn missing_secret_keys_are_named_and_only_redis_is_created() {
    let (ctx, api) = Context::test();
    let s = stack("demo");
    let mut data = full_secret_data();
    data.remove("WEBHOOK_SECRET");
    data.remove("TELEGRAM_BOT_TOKEN");
    let sec = secret("demo-secrets", data);
    // Redis is even ready: the API must still wait for the Secret.
    let (deps, svcs) = cluster_children(&s, &full(), &[Role::Redis], &[Role::Redis]);
    let s2 = s.clone();
    let (result, (status, events)) = run(s, ctx, api, move |mut api| {
        Box::pin(async move {
            api.expect_get_secret(Some(&sec)).await;
            api.expect_list_deployments("demo", &deps).await;
            api.expect_list_services(&svcs).await;
            let status = api.expect_status_patch(&s2).await;
            let events = api.expect_events(2).await;
            (api, (status, events))
        })
    })
    .await;
    result.unwrap();
    let sv = status.condition(SECRETS_VALID).unwrap();
    assert_eq!(
        (sv.status.as_str(), sv.reason.as_str()),
        ("False", "MissingKeys")
    );
    assert_eq!(
        sv.message,
        "Secret demo-secrets: missing keys: TELEGRAM_BOT_TOKEN, WEBHOOK_SECRET"
    );
    assert_eq!(cond(&status, "ApiReady"), ("False", "GatedOnSecrets"));
    assert_eq!(cond(&status, READY), ("False", "SecretsInvalid"));
    assert_eq!(status.phase, Some(Phase::Pending));
    assert_eq!(
        events,
        vec![
            ("Warning".to_string(), "SecretsInvalid".to_string()),
            ("Normal".to_string(), "RedisReady".to_string())
        ]
    );
}

#[tokio::test]
async fn a_missing_secret_is_reported_not_retried() {
    let (ctx, api) = Context::test();
    let s = stack("demo");
    let s2 = s.clone();
    let (result, status) = run(s, ctx, api, move |mut api| {
        Box::pin(async move {
            api.expect_get_secret(None).await;
            api.expect_list_deployments("demo", &[]).await;
            api.expect_list_services(&[]).await;
            api.expect_apply_deployment("demo-redis", None).await;
            api.expect_apply_service("demo-redis").await;
            let status = api.expect_status_patch(&s2).await;
            api.expect_events(1).await;
            (api, status)
        })
    })
    .await;
    assert_eq!(result.unwrap(), Action::requeue(RESYNC));
    assert_eq!(cond(&status, SECRETS_VALID), ("False", "SecretNotFound"));
}

#[tokio::test]
async fn a_converged_stack_reconciles_with_reads_only() {
    let (ctx, api) = Context::test();
    let mut s = stack("demo");
    let sec = secret("demo-secrets", full_secret_data());
    let (deps, svcs) = cluster_children(&s, &full(), &Role::ALL, &Role::ALL);
    assert_eq!((deps.len(), svcs.len()), (4, 2));
    s.status = Some(ready_status(&s));
    let (result, ()) = run(s, ctx, api, move |mut api| {
        Box::pin(async move {
            // GET, LIST, LIST — and `done` fails on any PATCH, POST, PUT or DELETE after them.
            api.expect_get_secret(Some(&sec)).await;
            api.expect_list_deployments("demo", &deps).await;
            api.expect_list_services(&svcs).await;
            (api, ())
        })
    })
    .await;
    assert_eq!(result.unwrap(), Action::requeue(RESYNC));
}

#[tokio::test]
async fn a_converged_stack_scaled_by_hand_is_scaled_back() {
    let (ctx, api) = Context::test();
    let mut s = stack("demo");
    let sec = secret("demo-secrets", full_secret_data());
    let (mut deps, svcs) = cluster_children(&s, &full(), &Role::ALL, &Role::ALL);
    let api_index = deps
        .iter()
        .position(|d| d.name_any() == "demo-api")
        .unwrap();
    deps[api_index].spec.as_mut().unwrap().replicas = Some(5);
    s.status = Some(ready_status(&s));
    let s2 = s.clone();
    let (result, (applied, status, events)) = run(s, ctx, api, move |mut api| {
        Box::pin(async move {
            api.expect_get_secret(Some(&sec)).await;
            api.expect_list_deployments("demo", &deps).await;
            api.expect_list_services(&svcs).await;
            let d = api
                .expect_apply_deployment("demo-api", Some(&deps[api_index]))
                .await;
            let status = api.expect_status_patch(&s2).await;
            let events = api.expect_events(2).await;
            (api, (d, status, events))
        })
    })
    .await;
    result.unwrap();
    assert_eq!(applied.spec.unwrap().replicas, Some(1));
    // The API server has not observed the new generation yet: a rollout, not a degradation.
    assert_eq!(cond(&status, "ApiReady"), ("False", "RollingOut"));
    assert_eq!(cond(&status, READY), ("False", "RollingOut"));
    assert_eq!(status.phase, Some(Phase::Progressing));
    assert_eq!(
        events,
        vec![
            ("Normal".to_string(), "ApiRollingOut".to_string()),
            ("Normal".to_string(), "RollingOut".to_string())
        ]
    );
}

#[tokio::test]
async fn a_changed_secret_key_rolls_exactly_the_pods_that_read_it() {
    let (ctx, api) = Context::test();
    let mut s = stack("demo");
    let (deps, svcs) = cluster_children(&s, &full(), &Role::ALL, &Role::ALL);
    s.status = Some(ready_status(&s));
    let mut rotated = full_secret_data();
    rotated.insert("WEBHOOK_SECRET".into(), b"rotated".to_vec());
    let sec = secret("demo-secrets", rotated.clone());
    let s2 = s.clone();
    let (result, (applied, status)) = run(s, ctx, api, move |mut api| {
        Box::pin(async move {
            api.expect_get_secret(Some(&sec)).await;
            api.expect_list_deployments("demo", &deps).await;
            api.expect_list_services(&svcs).await;
            // Only the api reads WEBHOOK_SECRET: only its Deployment is applied.
            let old = deps.iter().find(|d| d.name_any() == "demo-api");
            let d = api.expect_apply_deployment("demo-api", old).await;
            let status = api.expect_status_patch(&s2).await;
            api.expect_events(2).await;
            (api, (d, status))
        })
    })
    .await;
    result.unwrap();
    let template = applied.spec.unwrap().template.metadata.unwrap();
    assert_eq!(
        template.annotations.unwrap()[builders::SECRET_HASH_ANNOTATION],
        secrets::role_hash(Role::Api, &stack("demo").spec, &SecretState::Found(rotated))
    );
    assert_eq!(cond(&status, "ApiReady"), ("False", "RollingOut"));
    assert_eq!(cond(&status, "BotReady"), ("True", "Available"));
}

#[tokio::test]
async fn a_deleted_stack_makes_no_request() {
    let (ctx, api) = Context::test();
    let mut s = stack("demo");
    s.metadata.deletion_timestamp = Some(Time(
        k8s_openapi::jiff::Timestamp::from_second(1_700_000_000).unwrap(),
    ));
    let (result, ()) = run(s, ctx, api, |api| Box::pin(async move { (api, ()) })).await;
    assert_eq!(result.unwrap(), Action::await_change());
}

#[tokio::test]
async fn an_invalid_spec_waits_for_a_change_and_says_why() {
    let (ctx, api) = Context::test();
    let mut s = stack("demo");
    s.spec.redis.url = Some("redis://elsewhere:6379".into());
    let s2 = s.clone();
    let (result, (status, events)) = run(s, ctx, api, move |mut api| {
        Box::pin(async move {
            let status = api.expect_status_patch(&s2).await;
            let events = api.expect_events(1).await;
            (api, (status, events))
        })
    })
    .await;
    assert_eq!(result.unwrap(), Action::await_change());
    let ready = status.condition(READY).unwrap();
    assert_eq!(ready.reason, "InvalidSpec");
    assert_eq!(ready.message, crate::crd::REDIS_MODE_MESSAGE);
    assert_eq!(
        events,
        vec![("Warning".to_string(), "InvalidSpec".to_string())]
    );
}

#[tokio::test]
async fn errors_count_and_back_off_exponentially_per_stack() {
    let (ctx, api) = Context::test();
    let s = stack("demo");
    let (result, ()) = run(s.clone(), ctx.clone(), api, |mut api| {
        Box::pin(async move {
            api.fail_get_secret().await;
            (api, ())
        })
    })
    .await;
    let err = result.unwrap_err();
    assert!(matches!(err, Error::ReadSecret { .. }), "{err}");
    assert_eq!(ctx.metrics.failures("read_secret"), 1);
    let stack = Arc::new(s);
    let delays: Vec<u64> = (0..8)
        .map(|_| match error_policy(stack.clone(), &err, ctx.clone()) {
            a if a == Action::requeue(Duration::from_secs(5)) => 5,
            a if a == Action::requeue(Duration::from_secs(10)) => 10,
            a if a == Action::requeue(Duration::from_secs(20)) => 20,
            a if a == Action::requeue(Duration::from_secs(40)) => 40,
            a if a == Action::requeue(Duration::from_secs(80)) => 80,
            a if a == Action::requeue(Duration::from_secs(160)) => 160,
            a if a == Action::requeue(Duration::from_secs(300)) => 300,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(delays, vec![5, 10, 20, 40, 80, 160, 300, 300]);
    // Another stack has its own backoff.
    assert_eq!(ctx.next_backoff("another"), Duration::from_secs(5));
    // A success resets it.
    ctx.reset_backoff("uid-demo");
    assert_eq!(ctx.next_backoff("uid-demo"), Duration::from_secs(5));
}

#[tokio::test]
async fn a_reconcile_is_one_span_carrying_the_stack_name() {
    use tracing::field::{Field, Visit};
    use tracing_subscriber::layer::{Context as LayerContext, SubscriberExt};

    /// A span's name and its fields.
    type SpanRecord = (String, Vec<(String, String)>);
    #[derive(Clone, Default)]
    struct Spans(Arc<Mutex<Vec<SpanRecord>>>);
    struct Fields(Vec<(String, String)>);
    impl Visit for Fields {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            self.0
                .push((field.name().to_string(), format!("{value:?}")));
        }
    }
    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Spans {
        fn on_new_span(
            &self,
            attrs: &tracing::span::Attributes<'_>,
            _: &tracing::span::Id,
            _: LayerContext<'_, S>,
        ) {
            let mut fields = Fields(Vec::new());
            attrs.record(&mut fields);
            self.0
                .lock()
                .unwrap()
                .push((attrs.metadata().name().to_string(), fields.0));
        }
    }

    let spans = Spans::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(spans.clone()));
    let (ctx, api) = Context::test();
    let mut s = stack("span-stack");
    s.metadata.deletion_timestamp =
        Some(Time(k8s_openapi::jiff::Timestamp::from_second(1).unwrap()));
    let (result, ()) = run(s, ctx, api, |api| Box::pin(async move { (api, ()) })).await;
    result.unwrap();
    let spans = spans.0.lock().unwrap();
    let reconciles: Vec<_> = spans
        .iter()
        .filter(|(name, _)| name == "reconcile")
        .collect();
    assert_eq!(reconciles.len(), 1, "{spans:?}");
    assert!(
        reconciles[0]
            .1
            .contains(&("stack.name".to_string(), "span-stack".to_string())),
        "{:?}",
        reconciles[0].1
    );
    assert!(
        reconciles[0]
            .1
            .contains(&("stack.namespace".to_string(), "default".to_string()))
    );
}

#[test]
fn a_secret_maps_to_the_stacks_that_reference_it() {
    let mut writer: Writer<TradingStack> = Writer::default();
    let a = stack("a");
    let mut b = stack("b");
    b.spec.secret_ref.name = "other".into();
    let mut c = stack("c");
    c.metadata.namespace = Some("elsewhere".into());
    for s in [a, b, c] {
        writer.apply_watcher_event(&watcher::Event::Apply(s));
    }
    let store = writer.as_reader();
    let refs = stacks_for_secret(&store, &secret("demo-secrets", full_secret_data()));
    let names: Vec<_> = refs.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, vec!["a"]);
}

#[test]
fn needs_apply_compares_the_hash_and_the_replicas() {
    let s = stack("demo");
    let built = match builders::children(&s, Role::Api, &full()).remove(0) {
        Child::Deployment(_, d) => *d,
        Child::Service(..) => unreachable!(),
    };
    assert!(needs_apply(None, &built));
    let existing = crate::fixtures::in_cluster(built.clone(), true);
    assert!(!needs_apply(Some(&existing), &built));
    let mut scaled = existing.clone();
    scaled.spec.as_mut().unwrap().replicas = Some(3);
    assert!(needs_apply(Some(&scaled), &built));
    let mut stale = existing;
    stale
        .metadata
        .annotations
        .as_mut()
        .unwrap()
        .insert(builders::APPLIED_HASH_ANNOTATION.into(), "old".into());
    assert!(needs_apply(Some(&stale), &built));
}

#[test]
fn the_cluster_role_grants_exactly_the_verbs_the_operator_uses() {
    use k8s_openapi::api::rbac::v1::ClusterRole;
    let role: ClusterRole =
        serde_yaml::from_str(include_str!("../../../deploy/rbac/clusterrole.yaml")).unwrap();
    let mut granted: Vec<(String, String, Vec<String>)> = role
        .rules
        .unwrap()
        .into_iter()
        .flat_map(|rule| {
            let groups = rule.api_groups.unwrap_or_default();
            let resources = rule.resources.unwrap_or_default();
            let verbs = rule.verbs;
            groups.into_iter().flat_map(move |g| {
                let verbs = verbs.clone();
                resources
                    .clone()
                    .into_iter()
                    .map(move |r| (g.clone(), r, verbs.clone()))
            })
        })
        .collect();
    granted.sort();
    let used = |g: &str, r: &str, v: &[&str]| {
        (
            g.to_string(),
            r.to_string(),
            v.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        )
    };
    let mut expected = vec![
        // Controller::new (list + watch); main's CRD check (list).
        used("tradingstack.io", "tradingstacks", &["list", "watch"]),
        // write_status: server-side apply of the status subresource.
        used("tradingstack.io", "tradingstacks/status", &["patch"]),
        // owner references with blockOwnerDeletion.
        used("tradingstack.io", "tradingstacks/finalizers", &["update"]),
        // owns() watch, list_children, apply_if_changed (an apply that creates is a create).
        used("apps", "deployments", &["list", "watch", "create", "patch"]),
        used("", "services", &["list", "watch", "create", "patch"]),
        // read_secret (get) and the watches() trigger (list + watch).
        used("", "secrets", &["get", "list", "watch"]),
        // Recorder::publish: create, then patch for a series.
        used("events.k8s.io", "events", &["create", "patch"]),
    ];
    expected.sort();
    assert_eq!(granted, expected);
    let binding: k8s_openapi::api::rbac::v1::ClusterRoleBinding =
        serde_yaml::from_str(include_str!("../../../deploy/rbac/clusterrolebinding.yaml")).unwrap();
    assert_eq!(binding.role_ref.name, "tradingstack-operator");
    let subject = &binding.subjects.unwrap()[0];
    assert_eq!(
        (
            subject.kind.as_str(),
            subject.name.as_str(),
            subject.namespace.as_deref()
        ),
        (
            "ServiceAccount",
            "tradingstack-operator",
            Some("tradingstack-system")
        )
    );
}

#[tokio::test]
async fn a_tls_client_can_be_built() {
    // kube is pinned without default features; the operator must bring a rustls crypto
    // provider or building a client for an https API server panics.
    let config = kube::Config::new("https://127.0.0.1:6443".parse().unwrap());
    assert!(kube::Client::try_from(config).is_ok());
}
