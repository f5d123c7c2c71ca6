//! The operator and the charts against a real control plane (scripts/cluster/up.sh: etcd,
//! kube-apiserver, kube-controller-manager, kube-scheduler, kwok) and a real Jaeger.
//!
//! Every test is `#[ignore]`d so that `cargo test --workspace` lists it as ignored instead of
//! failing where no control plane runs; `scripts/test.sh` (check_cluster) starts one and runs
//! `cargo test -p cluster-tests -- --ignored`, and there a missing tool fails the test.
//!
//! The operator runs as a local process (kwok's pods run no containers) with a token of the
//! operator chart's ServiceAccount, so a verb missing from the chart's ClusterRole fails the
//! reconcile and the test. Each test has its own namespace and its own operator watching it.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Pod, Secret, Service};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams};
use kube::{Client, Resource, ResourceExt};
use serde_json::json;
use tradingstack_operator::TradingStack;

use cluster_tests::{
    OPERATOR_SERVICE, OperatorProcess, TestNamespace, cluster, condition, eventually,
    jaeger_traces, phase, record_changes, sample_secret, sample_stack, stack_deployments,
    wait_ready,
};

const ROLLOUT: Duration = Duration::from_secs(90);
const ROLES: [&str; 4] = ["redis", "api", "bot", "workers"];

async fn admin() -> Client {
    cluster().admin_client().await
}

fn available(d: &Deployment) -> bool {
    let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let status = d.status.as_ref();
    want > 0
        && status.and_then(|s| s.available_replicas).unwrap_or(0) == want
        && status.and_then(|s| s.observed_generation).unwrap_or(0)
            >= d.metadata.generation.unwrap_or(0)
}

#[tokio::test]
#[ignore = "needs the local control plane: scripts/test.sh runs it (check_cluster)"]
async fn operator_chart_installs_a_crd_the_api_server_accepts_and_a_least_privilege_role() {
    let c = cluster();
    let client = admin().await;
    // helm installed the chart (in `cluster()`); the real API server accepted its CRD.
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    let crd = crds
        .get("tradingstacks.tradingstack.io")
        .await
        .expect("the CRD from the chart is installed");
    let established = crd
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .into_iter()
        .flatten()
        .any(|c| c.type_ == "Established" && c.status == "True");
    assert!(established, "the CRD is not Established: {:?}", crd.status);
    // The chart's CRD is the one crdgen generates (deploy/crds), as the API server stores it.
    let generated = tradingstack_operator::crd::crd();
    assert_eq!(
        serde_json::to_value(&crd.spec.versions[0].schema).unwrap(),
        serde_json::to_value(&generated.spec.versions[0].schema).unwrap(),
        "the installed CRD schema differs from crdgen's"
    );

    // Least privilege, as the API server's RBAC sees the ServiceAccount: what the operator uses
    // is allowed, what it does not use is refused.
    let user = &c.operator_user;
    // `kubectl auth can-i` (a SubjectAccessReview); "resource/sub" asks about a subresource.
    let can = |verb: &str, resource: &str| {
        let (resource, sub) = resource.split_once('/').unwrap_or((resource, ""));
        let sub = format!("--subresource={sub}");
        let mut args = vec![
            "auth", "can-i", verb, resource, "--as", user, "-n", "default",
        ];
        if sub != "--subresource=" {
            args.push(&sub);
        }
        let out = c.kubectl_output(&args, None);
        String::from_utf8_lossy(&out.stdout).trim() == "yes"
    };
    for (verb, resource) in [
        ("list", "tradingstacks.tradingstack.io"),
        ("watch", "tradingstacks.tradingstack.io"),
        ("patch", "tradingstacks.tradingstack.io/status"),
        ("update", "tradingstacks.tradingstack.io/finalizers"),
        ("create", "deployments.apps"),
        ("patch", "deployments.apps"),
        ("list", "deployments.apps"),
        ("watch", "services"),
        ("create", "services"),
        ("patch", "services"),
        ("get", "secrets"),
        ("watch", "secrets"),
        ("create", "events.events.k8s.io"),
    ] {
        assert!(can(verb, resource), "{user} may not {verb} {resource}");
    }
    for (verb, resource) in [
        ("delete", "deployments.apps"),
        ("update", "deployments.apps"),
        ("delete", "services"),
        ("create", "secrets"),
        ("patch", "secrets"),
        ("delete", "tradingstacks.tradingstack.io"),
        ("patch", "tradingstacks.tradingstack.io"),
        ("create", "pods"),
        ("get", "configmaps"),
        ("create", "clusterrolebindings.rbac.authorization.k8s.io"),
    ] {
        assert!(
            !can(verb, resource),
            "{user} may {verb} {resource}, which the operator never does"
        );
    }
}

#[tokio::test]
#[ignore = "needs the local control plane: scripts/test.sh runs it (check_cluster)"]
async fn samples_roll_out_gate_by_gate_to_ready_and_kubectl_shows_the_columns() {
    let c = cluster();
    let client = admin().await;
    let ns = TestNamespace::create(&client, "ts-samples").await;
    let _operator = OperatorProcess::start(c, Some(&ns.name)).await;

    // Record every change of the Deployments and of the stack, each in one watch stream,
    // whose order is the order the API server committed them in.
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &ns.name);
    let stacks: Api<TradingStack> = Api::namespaced(client.clone(), &ns.name);
    let deploy_events = record_changes(deployments, |d: &Deployment| {
        d.name_any() == "demo-workers" && available(d)
    })
    .await;
    let stack_events = record_changes(stacks, |s: &TradingStack| phase(s) == Some("Ready")).await;

    // The README's path: kubectl apply of deploy/samples/.
    c.kubectl(&["apply", "-n", &ns.name, "-f", "deploy/samples/"]);
    let stack = wait_ready(&client, &ns.name, "demo", ROLLOUT).await;
    let deploy_events = tokio::time::timeout(Duration::from_secs(30), deploy_events)
        .await
        .expect("the Deployment watch saw the workers available")
        .unwrap();
    let stack_events = tokio::time::timeout(Duration::from_secs(30), stack_events)
        .await
        .expect("the stack watch saw Ready")
        .unwrap();

    // Each child is created only after its gate opened: its first appearance in the stream
    // comes after the gating Deployment was seen available.
    let first_seen = |name: &str| {
        deploy_events
            .iter()
            .position(|d| d.name_any() == name)
            .unwrap_or_else(|| panic!("{name} never appeared"))
    };
    let first_available = |name: &str| {
        deploy_events
            .iter()
            .position(|d| d.name_any() == name && available(d))
            .unwrap_or_else(|| panic!("{name} never became available"))
    };
    assert_eq!(first_seen("demo-redis"), 0, "Redis is created first");
    assert!(
        first_available("demo-redis") < first_seen("demo-api"),
        "the API Deployment was created before Redis was available"
    );
    for gated in ["demo-bot", "demo-workers"] {
        assert!(
            first_available("demo-api") < first_seen(gated),
            "{gated} was created before the API was available"
        );
    }

    // The status told the same story: RedisReady, then ApiReady, then Ready.
    let first_true = |type_: &str| {
        stack_events
            .iter()
            .position(|s| condition(s, type_).map(|c| c.0) == Some("True"))
    };
    let gated_on_api = stack_events.iter().any(|s| {
        condition(s, "BotReady").map(|c| c.1) == Some("GatedOnApi")
            && condition(s, "WorkersReady").map(|c| c.1) == Some("GatedOnApi")
    });
    assert!(
        gated_on_api,
        "no status showed bot and workers GatedOnApi: {stack_events:#?}"
    );
    let redis = first_true("RedisReady").expect("RedisReady was True before Ready");
    if let Some(api) = first_true("ApiReady") {
        assert!(redis <= api, "ApiReady turned True before RedisReady");
    }
    // The phase only moves forward: (none) -> Pending -> Progressing -> Ready, Ready last.
    let order = |p: Option<&str>| match p {
        None => 0,
        Some("Pending") => 1,
        Some("Progressing") => 2,
        Some("Ready") => 3,
        Some(other) => panic!("unexpected phase {other} during the first rollout"),
    };
    let phases: Vec<Option<&str>> = stack_events.iter().map(phase).collect();
    assert!(
        phases.windows(2).all(|w| order(w[0]) <= order(w[1]))
            && phases.last() == Some(&Some("Ready")),
        "phases during the rollout: {phases:?}"
    );
    assert!(phases.contains(&Some("Progressing")), "{phases:?}");
    // The final status: every condition True for the current generation.
    let status = stack.status.as_ref().unwrap();
    assert_eq!(status.observed_generation, stack.metadata.generation);
    for type_ in [
        "SecretsValid",
        "RedisReady",
        "ApiReady",
        "BotReady",
        "WorkersReady",
        "Ready",
    ] {
        let c = status
            .condition(type_)
            .unwrap_or_else(|| panic!("no {type_}"));
        assert_eq!(c.status, "True", "{type_}: {c:?}");
        assert_eq!(c.observed_generation, stack.metadata.generation, "{type_}");
    }
    let deploys = stack_deployments(&client, &ns.name, "demo").await;
    assert_eq!(
        deploys.keys().cloned().collect::<BTreeSet<_>>(),
        ROLES.iter().map(|r| format!("demo-{r}")).collect(),
    );
    // The bot never receives DATABASE_URL; the api does.
    let env_names = |d: &Deployment| -> BTreeSet<String> {
        d.spec
            .as_ref()
            .unwrap()
            .template
            .spec
            .as_ref()
            .unwrap()
            .containers[0]
            .env
            .iter()
            .flatten()
            .map(|e| e.name.clone())
            .collect()
    };
    assert!(!env_names(&deploys["demo-bot"]).contains("DATABASE_URL"));
    assert!(env_names(&deploys["demo-api"]).contains("DATABASE_URL"));

    // kubectl get ts: the printer columns.
    let table = c.kubectl(&["get", "ts", "-n", &ns.name]);
    let mut lines = table.lines();
    let header: Vec<&str> = lines
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    assert_eq!(header, ["NAME", "PHASE", "READY", "AGE"], "{table}");
    let row: Vec<&str> = lines
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    assert_eq!(&row[..3], ["demo", "Ready", "True"], "{table}");
}

#[tokio::test]
#[ignore = "needs the local control plane: scripts/test.sh runs it (check_cluster)"]
async fn invalid_stacks_are_rejected_by_the_api_server_naming_the_field() {
    let c = cluster();
    let client = admin().await;
    let ns = TestNamespace::create(&client, "ts-invalid").await;
    let cases = [
        (
            "negative replicas",
            r#"{"apiVersion":"tradingstack.io/v1alpha1","kind":"TradingStack","metadata":{"name":"neg"},
               "spec":{"image":{"repository":"tradingstack"},"secretRef":{"name":"s"},
                       "redis":{"managed":true},"api":{"replicas":-1}}}"#,
            vec!["spec.api.replicas", "greater than or equal to 0"],
        ),
        (
            "no secretRef",
            r#"{"apiVersion":"tradingstack.io/v1alpha1","kind":"TradingStack","metadata":{"name":"nosecret"},
               "spec":{"image":{"repository":"tradingstack"},"redis":{"managed":true}}}"#,
            vec!["spec.secretRef", "Required value"],
        ),
        (
            "two Redis modes",
            r#"{"apiVersion":"tradingstack.io/v1alpha1","kind":"TradingStack","metadata":{"name":"tworedis"},
               "spec":{"image":{"repository":"tradingstack"},"secretRef":{"name":"s"},
                       "redis":{"managed":true,"url":"redis://elsewhere:6379"}}}"#,
            vec!["spec.redis", tradingstack_operator::crd::REDIS_MODE_MESSAGE],
        ),
    ];
    for (what, manifest, expected) in cases {
        let out = c.kubectl_output(&["apply", "-n", &ns.name, "-f", "-"], Some(manifest));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success(),
            "{what}: the API server accepted it: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        for needle in expected {
            assert!(
                stderr.contains(needle),
                "{what}: the rejection does not say {needle:?}: {stderr}"
            );
        }
    }
    let stacks: Api<TradingStack> = Api::namespaced(client, &ns.name);
    assert!(
        stacks
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

#[tokio::test]
#[ignore = "needs the local control plane: scripts/test.sh runs it (check_cluster)"]
async fn a_missing_secret_key_holds_everything_but_redis_until_it_is_added() {
    let c = cluster();
    let client = admin().await;
    let ns = TestNamespace::create(&client, "ts-secret").await;
    let _operator = OperatorProcess::start(c, Some(&ns.name)).await;
    c.kubectl_apply(
        &ns.name,
        &sample_secret("demo-secrets", &["WEBHOOK_SECRET"], &[]),
    );
    c.kubectl_apply(&ns.name, &sample_stack("demo", "demo-secrets"));

    let stacks: Api<TradingStack> = Api::namespaced(client.clone(), &ns.name);
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &ns.name);
    // Wait until Redis is available and the status says so: the API gate would be open but
    // for the Secret.
    let stack = eventually(
        "SecretsValid=False naming WEBHOOK_SECRET with Redis ready",
        ROLLOUT,
        || async {
            let s = stacks.get("demo").await.map_err(|e| e.to_string())?;
            match (condition(&s, "SecretsValid"), condition(&s, "RedisReady")) {
                (Some(("False", _, msg)), Some(("True", _, _)))
                    if msg.contains("WEBHOOK_SECRET") =>
                {
                    Ok(s)
                }
                _ => Err(format!("{:?}", s.status)),
            }
        },
    )
    .await;
    assert_eq!(
        condition(&stack, "ApiReady").map(|c| c.1),
        Some("GatedOnSecrets")
    );
    assert_ne!(phase(&stack), Some("Ready"));
    // Give the operator every chance to (wrongly) go further, then look at what exists.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let names: BTreeSet<String> = deployments
        .list(&ListParams::default())
        .await
        .unwrap()
        .iter()
        .map(|d| d.name_any())
        .collect();
    assert_eq!(names, BTreeSet::from(["demo-redis".to_string()]));
    let services: Api<Service> = Api::namespaced(client.clone(), &ns.name);
    let names: BTreeSet<String> = services
        .list(&ListParams::default())
        .await
        .unwrap()
        .iter()
        .map(|s| s.name_any())
        .collect();
    assert_eq!(names, BTreeSet::from(["demo-redis".to_string()]));

    // Adding the key lets the stack proceed.
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns.name);
    secrets
        .patch(
            "demo-secrets",
            &PatchParams::default(),
            &Patch::Merge(json!({"stringData": {"WEBHOOK_SECRET": "now-present"}})),
        )
        .await
        .unwrap();
    let stack = wait_ready(&client, &ns.name, "demo", ROLLOUT).await;
    assert_eq!(condition(&stack, "SecretsValid").map(|c| c.0), Some("True"));
}

#[tokio::test]
#[ignore = "needs the local control plane: scripts/test.sh runs it (check_cluster)"]
async fn changing_a_key_only_the_api_uses_rolls_the_api_pods_and_not_the_bots() {
    let c = cluster();
    let client = admin().await;
    let ns = TestNamespace::create(&client, "ts-roll").await;
    let _operator = OperatorProcess::start(c, Some(&ns.name)).await;
    c.kubectl_apply(&ns.name, &sample_secret("demo-secrets", &[], &[]));
    c.kubectl_apply(&ns.name, &sample_stack("demo", "demo-secrets"));
    wait_ready(&client, &ns.name, "demo", ROLLOUT).await;

    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns.name);
    let pod_uids = |component: &'static str| {
        let pods = pods.clone();
        async move {
            pods.list(&ListParams::default().labels(&format!(
                "app.kubernetes.io/instance=demo,app.kubernetes.io/component={component}"
            )))
            .await
            .unwrap()
            .iter()
            .filter(|p| p.metadata.deletion_timestamp.is_none())
            .map(|p| p.uid().unwrap())
            .collect::<BTreeSet<_>>()
        }
    };
    let before = stack_deployments(&client, &ns.name, "demo").await;
    let api_pods = pod_uids("api").await;
    let bot_pods = pod_uids("bot").await;
    let workers_pods = pod_uids("workers").await;
    assert_eq!((api_pods.len(), bot_pods.len()), (1, 1));

    // WEBHOOK_SECRET is the api's alone.
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns.name);
    secrets
        .patch(
            "demo-secrets",
            &PatchParams::default(),
            &Patch::Merge(json!({"stringData": {"WEBHOOK_SECRET": "rotated-webhook-secret"}})),
        )
        .await
        .unwrap();

    let generation = |d: &Deployment| d.metadata.generation.unwrap_or(0);
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &ns.name);
    eventually("the api Deployment rolled", ROLLOUT, || async {
        let d = deployments
            .get("demo-api")
            .await
            .map_err(|e| e.to_string())?;
        if generation(&d) > generation(&before["demo-api"]) && available(&d) {
            Ok(())
        } else {
            Err(format!(
                "generation {:?}, {:?}",
                d.metadata.generation, d.status
            ))
        }
    })
    .await;
    eventually("new api pods replaced the old ones", ROLLOUT, || async {
        let now = pod_uids("api").await;
        if now.len() == 1 && now.is_disjoint(&api_pods) {
            Ok(())
        } else {
            Err(format!("api pods {now:?}, before {api_pods:?}"))
        }
    })
    .await;
    wait_ready(&client, &ns.name, "demo", ROLLOUT).await;
    let after = stack_deployments(&client, &ns.name, "demo").await;
    for unchanged in ["demo-bot", "demo-workers", "demo-redis"] {
        assert_eq!(
            generation(&after[unchanged]),
            generation(&before[unchanged]),
            "{unchanged} was changed by a key it does not use"
        );
    }
    assert_eq!(
        pod_uids("bot").await,
        bot_pods,
        "the bot's pod was replaced"
    );
    assert_eq!(pod_uids("workers").await, workers_pods);
}

#[tokio::test]
#[ignore = "needs the local control plane: scripts/test.sh runs it (check_cluster)"]
async fn deleting_the_stack_removes_every_child_through_the_garbage_collector() {
    let c = cluster();
    let client = admin().await;
    let ns = TestNamespace::create(&client, "ts-delete").await;
    let operator = OperatorProcess::start(c, Some(&ns.name)).await;
    c.kubectl_apply(&ns.name, &sample_secret("demo-secrets", &[], &[]));
    c.kubectl_apply(&ns.name, &sample_stack("demo", "demo-secrets"));
    wait_ready(&client, &ns.name, "demo", ROLLOUT).await;
    // The operator is stopped first: what removes the children is the garbage collector
    // following their owner references, not the operator.
    drop(operator);

    let stacks: Api<TradingStack> = Api::namespaced(client.clone(), &ns.name);
    stacks
        .delete("demo", &DeleteParams::background())
        .await
        .unwrap();
    let selector = ListParams::default().labels("app.kubernetes.io/instance=demo");
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &ns.name);
    let replicasets: Api<ReplicaSet> = Api::namespaced(client.clone(), &ns.name);
    let services: Api<Service> = Api::namespaced(client.clone(), &ns.name);
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns.name);
    eventually("every child of demo removed", ROLLOUT, || async {
        let left = [
            deployments.list(&selector).await.map(|l| l.items.len()),
            replicasets.list(&selector).await.map(|l| l.items.len()),
            services.list(&selector).await.map(|l| l.items.len()),
            pods.list(&selector).await.map(|l| l.items.len()),
            stacks
                .list(&ListParams::default())
                .await
                .map(|l| l.items.len()),
        ];
        let left: Vec<usize> = left
            .into_iter()
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?;
        if left.iter().all(|n| *n == 0) {
            Ok(())
        } else {
            Err(format!(
                "left (deployments, replicasets, services, pods, stacks): {left:?}"
            ))
        }
    })
    .await;
}

/// Resource versions of the stack and everything under it, by kind/name.
async fn resource_versions(client: &Client, ns: &str) -> BTreeMap<String, String> {
    async fn of<K>(client: &Client, ns: &str, out: &mut BTreeMap<String, String>)
    where
        K: Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
            + Clone
            + std::fmt::Debug
            + serde::de::DeserializeOwned,
    {
        let api: Api<K> = Api::namespaced(client.clone(), ns);
        for o in api.list(&ListParams::default()).await.unwrap() {
            out.insert(
                format!("{}/{}", K::kind(&()), o.name_any()),
                o.resource_version().unwrap_or_default(),
            );
        }
    }
    let mut out = BTreeMap::new();
    of::<TradingStack>(client, ns, &mut out).await;
    of::<Deployment>(client, ns, &mut out).await;
    of::<Service>(client, ns, &mut out).await;
    of::<ReplicaSet>(client, ns, &mut out).await;
    of::<Pod>(client, ns, &mut out).await;
    out
}

#[tokio::test]
#[ignore = "needs the local control plane: scripts/test.sh runs it (check_cluster)"]
async fn an_operator_killed_mid_rollout_converges_without_duplicates_and_then_writes_nothing() {
    let c = cluster();
    let client = admin().await;
    let ns = TestNamespace::create(&client, "ts-restart").await;
    let mut operator = OperatorProcess::start(c, Some(&ns.name)).await;
    c.kubectl_apply(&ns.name, &sample_secret("demo-secrets", &[], &[]));
    c.kubectl_apply(&ns.name, &sample_stack("demo", "demo-secrets"));

    // Mid-rollout: the API Deployment exists, bot and workers do not yet.
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &ns.name);
    eventually("the API Deployment created", ROLLOUT, || async {
        deployments
            .get_opt("demo-api")
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| "not yet".to_string())
    })
    .await;
    operator.kill();
    drop(operator);
    let operator = OperatorProcess::start(c, Some(&ns.name)).await;
    let stack = wait_ready(&client, &ns.name, "demo", ROLLOUT).await;
    let stack_uid = stack.uid().unwrap();

    // No duplicate, no orphan: four Deployments and two Services, each owned by the stack
    // once, each rolled out once (generation 1, one ReplicaSet), every pod owned by one of
    // those ReplicaSets.
    let deploys = stack_deployments(&client, &ns.name, "demo").await;
    let all: Vec<Deployment> = deployments
        .list(&ListParams::default())
        .await
        .unwrap()
        .items;
    assert_eq!(
        all.len(),
        4,
        "Deployments: {:?}",
        all.iter().map(|d| d.name_any()).collect::<Vec<_>>()
    );
    let owned_by_stack =
        |refs: &[k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference]| {
            refs.len() == 1 && refs[0].uid == stack_uid && refs[0].controller == Some(true)
        };
    for (name, d) in &deploys {
        assert!(
            owned_by_stack(d.owner_references()),
            "{name}: {:?}",
            d.owner_references()
        );
        assert_eq!(
            d.metadata.generation,
            Some(1),
            "{name} was rolled more than once"
        );
    }
    let services: Api<Service> = Api::namespaced(client.clone(), &ns.name);
    let svcs = services.list(&ListParams::default()).await.unwrap().items;
    assert_eq!(
        svcs.iter().map(|s| s.name_any()).collect::<BTreeSet<_>>(),
        BTreeSet::from(["demo-api".to_string(), "demo-redis".to_string()])
    );
    for s in &svcs {
        assert!(owned_by_stack(s.owner_references()), "{}", s.name_any());
    }
    let replicasets: Api<ReplicaSet> = Api::namespaced(client.clone(), &ns.name);
    let rss = replicasets
        .list(&ListParams::default())
        .await
        .unwrap()
        .items;
    assert_eq!(rss.len(), 4, "one ReplicaSet per Deployment");
    let rs_uids: BTreeSet<String> = rss.iter().filter_map(|r| r.uid()).collect();
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns.name);
    let pod_list = pods.list(&ListParams::default()).await.unwrap().items;
    assert_eq!(pod_list.len(), 4, "one pod per component");
    for p in &pod_list {
        let refs = p.owner_references();
        assert!(
            refs.len() == 1 && rs_uids.contains(&refs[0].uid),
            "pod {} is not owned by a ReplicaSet of the stack",
            p.name_any()
        );
    }

    // A converged stack causes no writes: restart the operator (its first list reconciles
    // every stack), wait for that reconcile, and compare every resourceVersion.
    let before = resource_versions(&client, &ns.name).await;
    drop(operator);
    let operator = OperatorProcess::start(c, Some(&ns.name)).await;
    eventually(
        "the restarted operator reconciled",
        Duration::from_secs(30),
        || async {
            let n = operator.reconciles().await;
            if n >= 1 {
                Ok(())
            } else {
                Err("no reconcile yet".to_string())
            }
        },
    )
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = resource_versions(&client, &ns.name).await;
    assert_eq!(before, after, "a converged stack was written to");
    assert!(
        !operator.log_text().contains("applying"),
        "the operator applied something to a converged stack:\n{}",
        operator.log_tail(30)
    );
}

#[tokio::test]
#[ignore = "needs the local control plane: scripts/test.sh runs it (check_cluster)"]
async fn the_stack_chart_renders_a_stack_that_reaches_ready() {
    let c = cluster();
    let client = admin().await;
    let ns = TestNamespace::create(&client, "ts-chart").await;
    let _operator = OperatorProcess::start(c, Some(&ns.name)).await;
    let chart = c.repo.join("charts/tradingstack");
    let values = c.work_dir.join(format!("{}-values.yaml", ns.name));
    std::fs::write(&values, STACK_CHART_VALUES).unwrap();
    c.helm(&[
        "install",
        "chart-demo",
        chart.to_str().unwrap(),
        "--namespace",
        &ns.name,
        "-f",
        values.to_str().unwrap(),
    ]);
    let stacks: Api<TradingStack> = Api::namespaced(client.clone(), &ns.name);
    let names: Vec<String> = stacks
        .list(&ListParams::default())
        .await
        .unwrap()
        .iter()
        .map(|s| s.name_any())
        .collect();
    assert_eq!(
        names.len(),
        1,
        "the chart renders one TradingStack: {names:?}"
    );
    wait_ready(&client, &ns.name, &names[0], ROLLOUT).await;
    c.helm(&["uninstall", "chart-demo", "--namespace", &ns.name, "--wait"]);
}

/// Values for charts/tradingstack: a Secret with every required key, the stack's managed
/// Redis, and no in-cluster Postgres or Jaeger (kwok runs no container, the stack only needs
/// its Deployments to become available).
const STACK_CHART_VALUES: &str = include_str!("stack-chart-values.yaml");

#[tokio::test]
#[ignore = "needs the local control plane: scripts/test.sh runs it (check_cluster)"]
async fn the_operators_reconcile_spans_are_in_jaeger() {
    let c = cluster();
    let client = admin().await;
    let ns = TestNamespace::create(&client, "ts-traces").await;
    let mut operator = OperatorProcess::start(c, Some(&ns.name)).await;
    c.kubectl_apply(&ns.name, &sample_secret("demo-secrets", &[], &[]));
    c.kubectl_apply(&ns.name, &sample_stack("demo", "demo-secrets"));
    wait_ready(&client, &ns.name, "demo", ROLLOUT).await;
    // A clean stop flushes the batch exporter.
    operator.stop();

    let traces = eventually(
        "reconcile spans of this namespace in Jaeger",
        Duration::from_secs(30),
        || async {
            let traces = jaeger_traces(
                &c.jaeger_query,
                OPERATOR_SERVICE,
                Some("reconcile"),
                &[("stack.namespace", ns.name.as_str())],
                200,
            )
            .await?;
            if traces.is_empty() {
                Err("no trace yet".into())
            } else {
                Ok(traces)
            }
        },
    )
    .await;
    let spans: Vec<&serde_json::Value> = traces
        .iter()
        .flat_map(|t| t["spans"].as_array().into_iter().flatten())
        .filter(|s| s["operationName"] == "reconcile")
        .collect();
    assert!(!spans.is_empty());
    for span in &spans {
        let tag = |key: &str| {
            span["tags"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|t| t["key"] == key)
                .and_then(|t| t["value"].as_str())
                .map(str::to_string)
        };
        assert_eq!(tag("stack.name").as_deref(), Some("demo"), "{span}");
        assert_eq!(tag("stack.namespace").as_deref(), Some(ns.name.as_str()));
    }
    // Every reconcile of the rollout is there (redis, api, bot+workers, ready: several).
    assert!(spans.len() >= 3, "only {} reconcile spans", spans.len());
    let process = &traces[0]["processes"];
    assert!(
        process.to_string().contains(OPERATOR_SERVICE),
        "the spans' service: {process}"
    );
}
