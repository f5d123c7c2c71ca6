//! `tsdev`: the operations tool of the local stack. The scripts in scripts/dev are
//! thin wrappers around these subcommands, so the logic lives here, in Rust.

mod bot_api;
mod cache_check;
mod chat;
mod control;
mod demo;
mod e2e;
mod env;
mod fakes;
mod http;
mod play;
mod report;
mod skip_db;
mod verify;
mod workers_check;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "tsdev",
    about = "Operations tool of the TradingStack local stack"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve the Telegram and Polymarket fakes and their control server.
    Fakes(fakes::FakesArgs),
    /// Check settings files, each service's settings, Postgres and Redis, the scripts.
    VerifyConfig,
    /// Check the health of every running service.
    VerifyServices,
    /// Check caching through the running api: hits, TTLs, invalidation.
    CheckCache,
    /// Check the bot has no database code and holds no database credentials.
    CheckSkipDb,
    /// Check the workers: states, polled markets, streamed prices.
    CheckWorkers,
    /// Check the bot answers users through the API (start, markets, help, buttons).
    CheckBotApi,
    /// Run both seed scenarios end to end against the running stack.
    E2e,
    /// Be a Telegram user of the local bot from this terminal.
    Play(play::PlayArgs),
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()))
        .init();
    let result = match Cli::parse().command {
        Cmd::Fakes(args) => fakes::run(args).await,
        Cmd::VerifyConfig => verify::config().await,
        Cmd::VerifyServices => verify::services().await,
        Cmd::CheckCache => cache_check::run().await,
        Cmd::CheckSkipDb => skip_db::run().await,
        Cmd::CheckWorkers => workers_check::run().await,
        Cmd::CheckBotApi => bot_api::run().await,
        Cmd::E2e => e2e::run().await,
        Cmd::Play(args) => play::run(args).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tsdev: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
