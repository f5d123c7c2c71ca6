use std::process::ExitCode;

use ts_config::BotSettings;

#[tokio::main]
async fn main() -> ExitCode {
    // Rejects SKIP_DB=false (and any missing variable) with one line, exit code 2.
    let settings = ts_config::or_exit(BotSettings::from_env());
    let telemetry = settings.telemetry.clone();
    ts_telemetry::run_service(
        "bot",
        &telemetry.service_name,
        telemetry.otlp_endpoint.as_deref(),
        |shutdown| async move {
            if std::env::var_os("DATABASE_URL").is_some() {
                tracing::warn!("DATABASE_URL is set but the bot never uses a database; remove it");
            }
            bot::run(settings, shutdown).await
        },
    )
    .await
}
