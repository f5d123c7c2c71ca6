//! `operator`: the TradingStack controller with its HTTP endpoints, or `operator render`.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use futures::FutureExt;
use kube::Client;
use kube::api::{Api, ListParams};
use tracing::{error, info};

use tradingstack_operator::controller::{self, Context};
use tradingstack_operator::server::{self, ServerState};
use tradingstack_operator::{Metrics, TradingStack, render, telemetry};

#[derive(Parser)]
#[command(
    name = "operator",
    version,
    about = "Reconciles TradingStack resources into Redis, api, bot and workers"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(clap::Args)]
struct RunArgs {
    /// Address of /healthz, /readyz and /metrics.
    #[arg(long, env = "LISTEN_ADDR", default_value = "0.0.0.0:8080")]
    listen: SocketAddr,
    /// Watch only this namespace (default: every namespace).
    #[arg(long, env = "WATCH_NAMESPACE")]
    namespace: Option<String>,
    /// How many stacks are reconciled at once (0: no limit).
    #[arg(long, env = "RECONCILE_CONCURRENCY", default_value_t = controller::DEFAULT_CONCURRENCY)]
    concurrency: u16,
    /// OTLP/HTTP endpoint for the operator's own traces.
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT")]
    otlp_endpoint: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Print what the operator would apply, and the status it would write, in a given state;
    /// needs no cluster.
    Render {
        /// The TradingStack YAML file.
        #[arg(long)]
        stack: PathBuf,
        /// The Secret YAML file; without it every key is assumed present.
        #[arg(long)]
        secret: Option<PathBuf>,
        /// Components that count as ready: a comma-separated subset of redis,api,bot,workers.
        #[arg(long, default_value = "")]
        ready: String,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Render {
            stack,
            secret,
            ready,
        }) => run_render(&stack, secret.as_deref(), &ready),
        None => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(run(cli.run)),
    }
}

fn run_render(
    stack: &std::path::Path,
    secret: Option<&std::path::Path>,
    ready: &str,
) -> anyhow::Result<()> {
    let stack_yaml =
        std::fs::read_to_string(stack).with_context(|| format!("reading {}", stack.display()))?;
    let secret_yaml = secret
        .map(|p| std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display())))
        .transpose()?;
    let ready: BTreeSet<_> = render::parse_ready(ready)?;
    print!(
        "{}",
        render::render(&stack_yaml, secret_yaml.as_deref(), &ready)?
    );
    Ok(())
}

/// Resolves on the first SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing the SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    info!("shutdown requested");
}

async fn run(args: RunArgs) -> anyhow::Result<()> {
    let telemetry = telemetry::init(args.otlp_endpoint.as_deref())?;
    let result = serve(args).await;
    if let Err(e) = &result {
        error!(error = format!("{e:#}"), "operator stopped");
    }
    telemetry.shutdown().await;
    result
}

async fn serve(args: RunArgs) -> anyhow::Result<()> {
    let client = Client::try_default()
        .await
        .context("connecting to Kubernetes")?;
    let stacks: Api<TradingStack> = match &args.namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    };
    stacks
        .list(&ListParams::default().limit(1))
        .await
        .context("listing TradingStacks; is the CRD installed? (crdgen | kubectl apply -f -)")?;

    let metrics = Arc::new(Metrics::default());
    let ready = Arc::new(AtomicBool::new(false));
    let shutdown = shutdown_signal().boxed().shared();

    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    info!(addr = %args.listen, "serving /healthz, /readyz, /metrics");
    let app = server::router(ServerState {
        metrics: metrics.clone(),
        ready: ready.clone(),
    });
    let http = tokio::spawn(
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown.clone())
            .into_future(),
    );

    let ctx = Arc::new(Context::new(client.clone(), metrics));
    controller::run(
        client,
        args.namespace,
        args.concurrency,
        ctx,
        ready,
        shutdown,
    )
    .await;
    http.await
        .context("HTTP server task")?
        .context("HTTP server")?;
    info!("stopped");
    Ok(())
}
