//! Test helpers: stacks and secrets, and an `ApiServerVerifier` that plays the API server for
//! kube's mocked client — each expected request in turn (method, path), answered as the API
//! server would, with the request bodies handed back to the test.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use http::{Method, Request, Response, StatusCode};
use k8s_openapi::ByteString;
use k8s_openapi::api::apps::v1::{Deployment, DeploymentStatus};
use k8s_openapi::api::core::v1::{Secret, Service};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::client::Body;
use kube::{Client, ResourceExt};
use serde::Serialize;
use serde_json::{Value, json};

use crate::builders::{self, Child, Role};
use crate::controller::Context;
use crate::crd::{
    ImageSpec, RedisSpec, SecretRef, TradingStack, TradingStackSpec, TradingStackStatus,
};
use crate::gates::{self, Observed, Workload};
use crate::secrets::{self, SecretState};
use crate::{FIELD_MANAGER, Metrics};

pub const NS: &str = "default";

/// A valid stack `name` in `default`: image `tradingstack:dev`, Secret `demo-secrets`, managed Redis.
pub fn stack(name: &str) -> TradingStack {
    let mut s = TradingStack::new(
        name,
        TradingStackSpec {
            image: ImageSpec {
                repository: "tradingstack".into(),
                tag: Some("dev".into()),
                pull_policy: None,
            },
            secret_ref: SecretRef {
                name: "demo-secrets".into(),
            },
            redis: RedisSpec {
                managed: Some(true),
                ..RedisSpec::default()
            },
            api: Default::default(),
            bot: Default::default(),
            workers: Default::default(),
            telemetry: None,
            market_data: None,
            trading_mode: None,
        },
    );
    s.metadata.namespace = Some(NS.into());
    s.metadata.uid = Some(format!("uid-{name}"));
    s.metadata.generation = Some(1);
    s
}

/// Every required key of the environment table, with well-formed values.
pub fn full_secret_data() -> BTreeMap<String, Vec<u8>> {
    [
        (secrets::DATABASE_URL, "postgres://ts:pw@db:5432/ts"),
        (secrets::API_TOKEN, "api-token"),
        (secrets::WEBHOOK_SECRET, "webhook-secret"),
        (secrets::ENCRYPTION_KEY, "0123456789abcdef0123456789abcdef"),
        (secrets::TELEGRAM_BOT_TOKEN, "123:telegram"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
    .collect()
}

pub fn secret(name: &str, data: BTreeMap<String, Vec<u8>>) -> Secret {
    Secret {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some(NS.into()),
            ..ObjectMeta::default()
        },
        data: Some(data.into_iter().map(|(k, v)| (k, ByteString(v))).collect()),
        ..Secret::default()
    }
}

/// A Deployment as the cluster would hold it: generation 1, and available when `ready`.
pub fn in_cluster(mut d: Deployment, ready: bool) -> Deployment {
    let replicas = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    d.metadata.generation = Some(1);
    d.metadata.resource_version = Some("1".into());
    d.status = Some(DeploymentStatus {
        observed_generation: Some(1),
        replicas: Some(replicas),
        updated_replicas: Some(replicas),
        ready_replicas: Some(if ready { replicas } else { 0 }),
        available_replicas: Some(if ready { replicas } else { 0 }),
        ..DeploymentStatus::default()
    });
    d
}

/// The children of `roles` as the operator would have applied them with `secret`, Deployments
/// available when their role is in `ready`.
pub fn cluster_children(
    stack: &TradingStack,
    secret: &SecretState,
    roles: &[Role],
    ready: &[Role],
) -> (Vec<Deployment>, Vec<Service>) {
    let mut deployments = Vec::new();
    let mut services = Vec::new();
    for role in roles {
        for child in builders::children(stack, *role, secret) {
            match child {
                Child::Deployment(r, d) => deployments.push(in_cluster(*d, ready.contains(&r))),
                Child::Service(_, s) => services.push(*s),
            }
        }
    }
    (deployments, services)
}

/// The status the operator writes for a fully available stack.
pub fn ready_status(stack: &TradingStack) -> TradingStackStatus {
    let all: Observed = Role::ALL
        .into_iter()
        .map(|r| (r, Workload::ready(1)))
        .collect();
    gates::compute_status(stack, &Ok(()), &all, None, &gates::now())
}

type ApiServerHandle = tower_test::mock::Handle<Request<Body>, Response<Body>>;

/// Plays the API server: each `expect_*` awaits the next request, asserts what it is and
/// answers it. Finish with [`ApiServerVerifier::done`], which fails on any further request.
pub struct ApiServerVerifier {
    handle: ApiServerHandle,
}

/// A request the verifier received.
struct Received {
    query: String,
    body: Value,
}

impl Context {
    /// A context whose client talks to an [`ApiServerVerifier`].
    pub fn test() -> (Arc<Context>, ApiServerVerifier) {
        let (service, handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
        let client = Client::new(service, NS);
        let ctx = Context::new(client, Arc::new(Metrics::default()));
        (Arc::new(ctx), ApiServerVerifier { handle })
    }
}

fn json_response(status: StatusCode, body: &impl Serialize) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(serde_json::to_vec(body).unwrap()))
        .unwrap()
}

fn list<T: Serialize>(kind: &str, api_version: &str, items: &[T]) -> Value {
    json!({
        "apiVersion": api_version,
        "kind": kind,
        "metadata": { "resourceVersion": "1" },
        "items": items,
    })
}

impl ApiServerVerifier {
    async fn next(
        &mut self,
        method: Method,
        path: &str,
    ) -> (Received, tower_test::mock::SendResponse<Response<Body>>) {
        let (request, send) =
            tokio::time::timeout(Duration::from_secs(5), self.handle.next_request())
                .await
                .unwrap_or_else(|_| panic!("timed out waiting for {method} {path}"))
                .unwrap_or_else(|| panic!("the client went away before {method} {path}"));
        let got_method = request.method().clone();
        let got_path = request.uri().path().to_string();
        let query = request.uri().query().unwrap_or_default().to_string();
        assert_eq!(
            (got_method.as_str(), got_path.as_str()),
            (method.as_str(), path),
            "unexpected request {got_method} {got_path}?{query}"
        );
        let bytes = request.into_body().collect_bytes().await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).expect("request bodies are JSON")
        };
        (Received { query, body }, send)
    }

    pub async fn expect_get_secret(&mut self, secret: Option<&Secret>) {
        let path = format!("/api/v1/namespaces/{NS}/secrets/demo-secrets");
        let (_, send) = self.next(Method::GET, &path).await;
        match secret {
            Some(s) => send.send_response(json_response(StatusCode::OK, s)),
            None => send.send_response(json_response(
                StatusCode::NOT_FOUND,
                &json!({
                    "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                    "message": "secrets \"demo-secrets\" not found", "reason": "NotFound", "code": 404
                }),
            )),
        }
    }

    /// Answers the next request, whatever it is, with an internal server error.
    pub async fn fail_get_secret(&mut self) {
        let path = format!("/api/v1/namespaces/{NS}/secrets/demo-secrets");
        let (_, send) = self.next(Method::GET, &path).await;
        send.send_response(json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &json!({
                "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": "etcd is on fire", "reason": "InternalError", "code": 500
            }),
        ));
    }

    pub async fn expect_list_deployments(&mut self, stack: &str, items: &[Deployment]) {
        let path = format!("/apis/apps/v1/namespaces/{NS}/deployments");
        let (req, send) = self.next(Method::GET, &path).await;
        assert!(
            req.query.contains(&format!("instance%3D{stack}"))
                || req.query.contains(&format!("instance={stack}")),
            "the list is narrowed to the stack's children: {}",
            req.query
        );
        send.send_response(json_response(
            StatusCode::OK,
            &list("DeploymentList", "apps/v1", items),
        ));
    }

    pub async fn expect_list_services(&mut self, items: &[Service]) {
        let path = format!("/api/v1/namespaces/{NS}/services");
        let (_, send) = self.next(Method::GET, &path).await;
        send.send_response(json_response(
            StatusCode::OK,
            &list("ServiceList", "v1", items),
        ));
    }

    async fn expect_apply<K: Serialize + serde::de::DeserializeOwned + ResourceExt>(
        &mut self,
        collection: &str,
        name: &str,
        answer: impl FnOnce(&mut K),
    ) -> K {
        let path = format!("{collection}/{name}");
        let (req, send) = self.next(Method::PATCH, &path).await;
        assert!(
            req.query.contains(&format!("fieldManager={FIELD_MANAGER}")),
            "{}",
            req.query
        );
        assert!(req.query.contains("force=true"), "{}", req.query);
        let applied: K = serde_json::from_value(req.body.clone()).expect("an applied object");
        let mut obj: K = serde_json::from_value(req.body).expect("an applied object");
        obj.meta_mut().uid = Some(format!("uid-{name}"));
        answer(&mut obj);
        send.send_response(json_response(StatusCode::OK, &obj));
        applied
    }

    /// A server-side apply of Deployment `name`; the applied object is returned. The answer
    /// is what the API server returns: a new object at generation 1, or `existing` with the
    /// applied spec at the next generation and its status (not yet observed).
    pub async fn expect_apply_deployment(
        &mut self,
        name: &str,
        existing: Option<&Deployment>,
    ) -> Deployment {
        let collection = format!("/apis/apps/v1/namespaces/{NS}/deployments");
        let existing = existing.cloned();
        self.expect_apply(
            &collection,
            name,
            move |d: &mut Deployment| match existing {
                None => d.metadata.generation = Some(1),
                Some(old) => {
                    d.metadata.generation = Some(old.metadata.generation.unwrap_or(1) + 1);
                    d.status = old.status;
                }
            },
        )
        .await
    }

    /// A server-side apply of Service `name`; the applied object is returned.
    pub async fn expect_apply_service(&mut self, name: &str) -> Service {
        let collection = format!("/api/v1/namespaces/{NS}/services");
        self.expect_apply(&collection, name, |_: &mut Service| {})
            .await
    }

    /// A server-side apply of the stack's status; the status is returned.
    pub async fn expect_status_patch(&mut self, stack: &TradingStack) -> TradingStackStatus {
        let path = format!(
            "/apis/tradingstack.io/v1alpha1/namespaces/{NS}/tradingstacks/{}/status",
            stack.name_any()
        );
        let (req, send) = self.next(Method::PATCH, &path).await;
        assert!(
            req.query.contains(&format!("fieldManager={FIELD_MANAGER}")),
            "{}",
            req.query
        );
        assert_eq!(req.body["apiVersion"], "tradingstack.io/v1alpha1");
        assert_eq!(req.body["kind"], "TradingStack");
        let status: TradingStackStatus =
            serde_json::from_value(req.body["status"].clone()).expect("a TradingStack status");
        let mut answer = stack.clone();
        answer.status = Some(status.clone());
        send.send_response(json_response(StatusCode::OK, &answer));
        status
    }

    /// An Event about the stack; its (type, reason) are returned.
    pub async fn expect_event(&mut self) -> (String, String) {
        let path = format!("/apis/events.k8s.io/v1/namespaces/{NS}/events");
        let (req, send) = self.next(Method::POST, &path).await;
        assert_eq!(req.body["regarding"]["kind"], "TradingStack");
        let out = (
            req.body["type"].as_str().unwrap_or_default().to_string(),
            req.body["reason"].as_str().unwrap_or_default().to_string(),
        );
        send.send_response(json_response(StatusCode::CREATED, &req.body));
        out
    }

    /// The Events of a reconcile, in order, as (type, reason).
    pub async fn expect_events(&mut self, n: usize) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for _ in 0..n {
            out.push(self.expect_event().await);
        }
        out
    }

    /// Fails if a request is waiting for an answer. When the test dropped its context the
    /// mocked service closes and this returns at once.
    pub async fn done(mut self) {
        if let Ok(Some((req, _))) =
            tokio::time::timeout(Duration::from_millis(100), self.handle.next_request()).await
        {
            panic!("unexpected request {} {}", req.method(), req.uri());
        }
    }
}
