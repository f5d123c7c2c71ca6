use std::process::ExitCode;

use ts_config::ApiSettings;

#[tokio::main]
async fn main() -> ExitCode {
    let settings = ts_config::or_exit(ApiSettings::from_env());
    let telemetry = settings.telemetry.clone();
    ts_telemetry::run_service(
        "api",
        &telemetry.service_name,
        telemetry.otlp_endpoint.as_deref(),
        |shutdown| api::run(settings, shutdown),
    )
    .await
}
