use std::process::ExitCode;

use ts_config::WorkersSettings;

#[tokio::main]
async fn main() -> ExitCode {
    let settings = ts_config::or_exit(WorkersSettings::from_env());
    let telemetry = settings.telemetry.clone();
    ts_telemetry::run_service(
        "workers",
        &telemetry.service_name,
        telemetry.otlp_endpoint.as_deref(),
        |shutdown| workers::run(settings, shutdown),
    )
    .await
}
