use std::process::ExitCode;

use ts_config::BotSettings;

#[tokio::main]
async fn main() -> ExitCode {
    // Rejects SKIP_DB=false (and any missing variable) with one line, exit code 2.
    let settings = ts_config::or_exit(BotSettings::from_env());
    let telemetry = match ts_telemetry::init(
        &settings.telemetry.service_name,
        settings.telemetry.otlp_endpoint.as_deref(),
    ) {
        Ok(guard) => guard,
        Err(e) => {
            eprintln!("telemetry error: {e}");
            return ExitCode::from(2);
        }
    };
    if std::env::var_os("DATABASE_URL").is_some() {
        tracing::warn!("DATABASE_URL is set but the bot never uses a database; remove it");
    }
    let result = bot::run(settings, shutdown_signal()).await;
    if let Err(e) = &result {
        tracing::error!(error = format!("{e:#}"), "bot stopped with an error");
    }
    // The span exporter flushes on its own thread; do not block the runtime on it.
    let _ = tokio::task::spawn_blocking(move || telemetry.shutdown()).await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bot: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM (what Kubernetes sends).
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
