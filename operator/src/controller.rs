//! The reconciler: read the Secret and the children, apply what the gates allow, write the
//! status, announce each gate transition with an Event.
//!
//! A converged stack costs three reads (the Secret, the Deployments, the Services) and no
//! write: a child is applied only when its applied-hash annotation (or its replica count)
//! differs from what the builders produce, and the status only when it changed.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Secret, Service};
use kube::api::{Api, ListParams, Patch, PatchParams};
use kube::runtime::controller::{Action, Controller};
use kube::runtime::events::{Event, EventType, Recorder, Reporter};
use kube::runtime::reflector::{ObjectRef, Store};
use kube::runtime::watcher;
use kube::{Client, Resource, ResourceExt};
use serde_json::json;
use tracing::{debug, info, instrument, warn};

use crate::builders::{self, Child, Role};
use crate::crd::{TradingStack, TradingStackStatus};
use crate::gates::{self, Observed, Workload};
use crate::metrics::Metrics;
use crate::secrets::{self, SecretState};
use crate::{Error, FIELD_MANAGER, Result, validate};

/// A converged stack is looked at again after this long even without a watch event.
pub const RESYNC: Duration = Duration::from_secs(5 * 60);
/// The first retry after an error; each further error doubles it up to [`BACKOFF_MAX`].
pub const BACKOFF_START: Duration = Duration::from_secs(5);
pub const BACKOFF_MAX: Duration = Duration::from_secs(5 * 60);
/// Events notes are limited to 1 kB by the API server.
const NOTE_MAX: usize = 1024;

/// What `reconcile` and `error_policy` share.
pub struct Context {
    pub client: Client,
    pub recorder: Recorder,
    pub metrics: Arc<Metrics>,
    /// The next retry delay per stack (by UID), reset by a successful reconcile.
    backoff: Mutex<HashMap<String, Duration>>,
}

impl Context {
    pub fn new(client: Client, metrics: Arc<Metrics>) -> Self {
        let reporter = Reporter {
            controller: FIELD_MANAGER.into(),
            instance: std::env::var("POD_NAME").ok(),
        };
        Context {
            recorder: Recorder::new(client.clone(), reporter),
            client,
            metrics,
            backoff: Mutex::default(),
        }
    }

    /// The delay before the next retry of `key`: 5 s, doubling to 5 min.
    pub fn next_backoff(&self, key: &str) -> Duration {
        let mut backoff = self.backoff.lock().unwrap_or_else(|e| e.into_inner());
        let delay = backoff
            .get(key)
            .map(|d| (*d * 2).min(BACKOFF_MAX))
            .unwrap_or(BACKOFF_START);
        backoff.insert(key.to_string(), delay);
        delay
    }

    pub fn reset_backoff(&self, key: &str) {
        let mut backoff = self.backoff.lock().unwrap_or_else(|e| e.into_inner());
        backoff.remove(key);
    }
}

fn backoff_key(stack: &TradingStack) -> String {
    stack.metadata.uid.clone().unwrap_or_else(|| {
        format!(
            "{}/{}",
            stack.namespace().unwrap_or_default(),
            stack.name_any()
        )
    })
}

/// One reconcile of one stack: a span named `reconcile` with the stack's name and namespace,
/// counted and timed in the metrics.
#[instrument(
    name = "reconcile",
    skip_all,
    fields(
        stack.name = %stack.name_any(),
        stack.namespace = %stack.namespace().unwrap_or_default(),
    )
)]
pub async fn reconcile(stack: Arc<TradingStack>, ctx: Arc<Context>) -> Result<Action> {
    let _timer = ctx.metrics.start_reconcile();
    let result = reconcile_stack(&stack, &ctx).await;
    match &result {
        Ok(_) => ctx.reset_backoff(&backoff_key(&stack)),
        Err(e) => ctx.metrics.record_failure(e.metric_label()),
    }
    result
}

/// Errors retry with a per-stack exponential backoff.
pub fn error_policy(stack: Arc<TradingStack>, error: &Error, ctx: Arc<Context>) -> Action {
    let delay = ctx.next_backoff(&backoff_key(&stack));
    warn!(
        stack.name = %stack.name_any(),
        error = %error,
        retry_in_secs = delay.as_secs(),
        "reconcile failed"
    );
    Action::requeue(delay)
}

async fn reconcile_stack(stack: &TradingStack, ctx: &Context) -> Result<Action> {
    if stack.metadata.deletion_timestamp.is_some() {
        // Every child has an owner reference to the stack: the garbage collector removes them.
        debug!("stack is being deleted; its children follow through their owner references");
        return Ok(Action::await_change());
    }
    let name = stack.name_any();
    let ns = stack
        .namespace()
        .ok_or_else(|| Error::MissingNamespace(name.clone()))?;
    let prev = stack.status.as_ref();

    let problems = validate::problems(&stack.spec);
    if !problems.is_empty() {
        warn!(problems = %problems.join("; "), "invalid spec; waiting for a change");
        let status = gates::invalid_spec_status(stack, &problems, prev, &gates::now());
        write_status(ctx, stack, &ns, status).await?;
        return Ok(Action::await_change());
    }

    let secret = read_secret(ctx, &ns, &stack.spec.secret_ref.name).await?;
    let verdict = secrets::check(&stack.spec, &secret);
    let (deployments, services) = list_children(ctx, &ns, &name).await?;
    let mut observed: Observed = Role::ALL
        .into_iter()
        .filter_map(|role| {
            let d = deployments.get(&role.child_name(&name))?;
            Some((role, Workload::from_deployment(d)))
        })
        .collect();

    for child in gates::desired_children(stack, &secret, &verdict, &observed) {
        match child {
            Child::Deployment(role, desired) => {
                if let Some(applied) = apply_if_changed(ctx, &ns, &deployments, *desired).await? {
                    observed.insert(role, Workload::from_deployment(&applied));
                }
            }
            Child::Service(_, desired) => {
                apply_if_changed(ctx, &ns, &services, *desired).await?;
            }
        }
    }

    let status = gates::compute_status(stack, &verdict, &observed, prev, &gates::now());
    write_status(ctx, stack, &ns, status).await?;
    Ok(Action::requeue(RESYNC))
}

async fn read_secret(ctx: &Context, ns: &str, name: &str) -> Result<SecretState> {
    let api: Api<Secret> = Api::namespaced(ctx.client.clone(), ns);
    let secret = api
        .get_opt(name)
        .await
        .map_err(|source| Error::ReadSecret {
            name: name.to_string(),
            source,
        })?;
    Ok(secret.map_or(SecretState::NotFound, |s| SecretState::from_secret(&s)))
}

type ByName<K> = BTreeMap<String, K>;

async fn list_children(
    ctx: &Context,
    ns: &str,
    stack: &str,
) -> Result<(ByName<Deployment>, ByName<Service>)> {
    let lp = ListParams::default().labels(&builders::stack_selector(stack));
    let err = |source| Error::ListChildren {
        stack: stack.to_string(),
        source,
    };
    let deployments = Api::<Deployment>::namespaced(ctx.client.clone(), ns)
        .list(&lp)
        .await
        .map_err(err)?;
    let services = Api::<Service>::namespaced(ctx.client.clone(), ns)
        .list(&lp)
        .await
        .map_err(err)?;
    Ok((
        deployments.into_iter().map(|d| (d.name_any(), d)).collect(),
        services.into_iter().map(|s| (s.name_any(), s)).collect(),
    ))
}

/// A child the cluster must change: absent, built differently (applied-hash), or scaled by
/// someone else.
pub trait Applicable:
    Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
    + Clone
    + std::fmt::Debug
    + serde::Serialize
    + serde::de::DeserializeOwned
{
    const KIND: &'static str;
    fn replicas(&self) -> Option<i32>;
}

impl Applicable for Deployment {
    const KIND: &'static str = "Deployment";
    fn replicas(&self) -> Option<i32> {
        self.spec.as_ref().and_then(|s| s.replicas)
    }
}

impl Applicable for Service {
    const KIND: &'static str = "Service";
    fn replicas(&self) -> Option<i32> {
        None
    }
}

pub fn needs_apply<K: Applicable>(existing: Option<&K>, desired: &K) -> bool {
    let Some(existing) = existing else {
        return true;
    };
    builders::applied_hash_of(existing.meta()) != builders::applied_hash_of(desired.meta())
        || existing.replicas() != desired.replicas()
}

async fn apply_if_changed<K: Applicable>(
    ctx: &Context,
    ns: &str,
    existing: &ByName<K>,
    desired: K,
) -> Result<Option<K>> {
    let name = desired.name_any();
    if !needs_apply(existing.get(&name), &desired) {
        return Ok(None);
    }
    info!(kind = <K as Applicable>::KIND, child = %name, "applying");
    let api: Api<K> = Api::namespaced(ctx.client.clone(), ns);
    let params = PatchParams::apply(FIELD_MANAGER).force();
    let applied = api
        .patch(&name, &params, &Patch::Apply(&desired))
        .await
        .map_err(|source| Error::ApplyChild {
            kind: <K as Applicable>::KIND,
            name: name.clone(),
            source,
        })?;
    Ok(Some(applied))
}

/// Writes the status if it changed, then publishes the Events of its gate transitions.
async fn write_status(
    ctx: &Context,
    stack: &TradingStack,
    ns: &str,
    status: TradingStackStatus,
) -> Result<()> {
    let prev = stack.status.as_ref();
    if prev == Some(&status) {
        return Ok(());
    }
    let name = stack.name_any();
    let api: Api<TradingStack> = Api::namespaced(ctx.client.clone(), ns);
    let patch = json!({
        "apiVersion": TradingStack::api_version(&()),
        "kind": TradingStack::kind(&()),
        "status": status,
    });
    api.patch_status(
        &name,
        &PatchParams::apply(FIELD_MANAGER).force(),
        &Patch::Apply(&patch),
    )
    .await
    .map_err(|source| Error::PatchStatus {
        stack: name.clone(),
        source,
    })?;
    info!(phase = ?status.phase, "status written");

    let reference = stack.object_ref(&());
    for ev in gates::gate_events(prev, &status) {
        let mut note = ev.note;
        if note.len() > NOTE_MAX {
            let mut cut = NOTE_MAX;
            while !note.is_char_boundary(cut) {
                cut -= 1;
            }
            note.truncate(cut);
        }
        let event = Event {
            type_: if ev.warning {
                EventType::Warning
            } else {
                EventType::Normal
            },
            reason: ev.reason,
            note: Some(note),
            action: "Reconcile".into(),
            secondary: None,
        };
        // Events are informative: a failure to publish one does not fail the reconcile.
        if let Err(e) = ctx.recorder.publish(&event, &reference).await {
            warn!(error = %e, reason = %event.reason, "publishing an event failed");
        }
    }
    Ok(())
}

/// The stacks in the store that reference a Secret.
pub fn stacks_for_secret(
    store: &Store<TradingStack>,
    secret: &Secret,
) -> Vec<ObjectRef<TradingStack>> {
    let ns = secret.namespace();
    let name = secret.name_any();
    store
        .state()
        .iter()
        .filter(|s| s.namespace() == ns && s.spec.secret_ref.name == name)
        .map(|s| ObjectRef::from_obj(s.as_ref()))
        .collect()
}

/// How many stacks are reconciled at once by default.
pub const DEFAULT_CONCURRENCY: u16 = 4;

/// The controller: TradingStacks, the Deployments and Services they own (a watch narrowed to
/// the operator's label), and the Secrets they reference. `namespace` limits every watch to
/// one namespace; at most `concurrency` stacks are reconciled at once (0: no limit), and a
/// stack is never reconciled twice at the same time.
pub fn controller(
    client: Client,
    namespace: Option<&str>,
    concurrency: u16,
) -> Controller<TradingStack> {
    fn api<K>(client: &Client, namespace: Option<&str>) -> Api<K>
    where
        K: Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>,
    {
        match namespace {
            Some(ns) => Api::namespaced(client.clone(), ns),
            None => Api::all(client.clone()),
        }
    }
    let children = watcher::Config::default().labels(&builders::managed_by_selector());
    let controller = Controller::new(
        api::<TradingStack>(&client, namespace),
        watcher::Config::default(),
    )
    .with_config(kube::runtime::controller::Config::default().concurrency(concurrency));
    let store = controller.store();
    controller
        .owns(api::<Deployment>(&client, namespace), children.clone())
        .owns(api::<Service>(&client, namespace), children)
        .watches(
            api::<Secret>(&client, namespace),
            watcher::Config::default(),
            move |secret| stacks_for_secret(&store, &secret),
        )
}

/// Runs the controller until `shutdown` resolves, then lets running reconciles finish.
/// `ready` turns true once the TradingStack cache has its first full list.
pub async fn run(
    client: Client,
    namespace: Option<String>,
    concurrency: u16,
    ctx: Arc<Context>,
    ready: Arc<AtomicBool>,
    shutdown: impl Future<Output = ()> + Send + Sync + 'static,
) {
    let controller = controller(client, namespace.as_deref(), concurrency);
    let store = controller.store();
    tokio::spawn(async move {
        // The store's readiness is a one-shot that wakes only its last waiter (the
        // controller's own runner also waits on it), so poll it again until it resolves.
        loop {
            match tokio::time::timeout(Duration::from_millis(250), store.wait_until_ready()).await {
                Ok(Ok(())) => {
                    ready.store(true, Ordering::SeqCst);
                    info!("TradingStack cache synced");
                    break;
                }
                Ok(Err(_)) => break,
                Err(_elapsed) => continue,
            }
        }
    });
    controller
        .graceful_shutdown_on(shutdown)
        .run(reconcile, error_policy, ctx)
        .for_each(|res| async move {
            match res {
                Ok((obj, _)) => debug!(stack = %obj.name, "reconciled"),
                // A child event after its stack was deleted: nothing left to do.
                Err(kube::runtime::controller::Error::ObjectNotFound(obj)) => {
                    debug!(stack = %obj.name, "stack gone")
                }
                Err(e) => warn!(error = %e, "controller"),
            }
        })
        .await;
    info!("controller stopped");
}

#[cfg(test)]
mod tests;
