//! The life of a service process, shared by the api, bot and workers `main`s: telemetry
//! up, run until Ctrl-C or SIGTERM (what Kubernetes sends), spans flushed, exit code.
use std::fmt::Display;
use std::future::Future;
use std::process::ExitCode;

/// Runs `run(shutdown)` with telemetry for `service_name`; a telemetry set-up error
/// exits with 2 (like a config error), a failed run with 1.
pub async fn run_service<F, Fut, E>(
    role: &str,
    service_name: &str,
    otlp_endpoint: Option<&str>,
    run: F,
) -> ExitCode
where
    F: FnOnce(std::pin::Pin<Box<dyn Future<Output = ()> + Send>>) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: Display,
{
    let telemetry = match crate::init(service_name, otlp_endpoint) {
        Ok(guard) => guard,
        Err(e) => {
            eprintln!("telemetry error: {e}");
            return ExitCode::from(2);
        }
    };
    let result = run(Box::pin(shutdown_signal())).await;
    if let Err(e) = &result {
        tracing::error!(error = format!("{e:#}"), "{role} stopped with an error");
    }
    // The span exporter flushes on its own thread; do not block the runtime on it.
    let _ = tokio::task::spawn_blocking(move || telemetry.shutdown()).await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{role}: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
