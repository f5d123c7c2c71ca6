//! The bot service: health endpoints, start-up waits, command registration, the
//! events follower and the teloxide dispatcher, until shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use api_client::{ApiClient, ClientConfig};
use teloxide::dispatching::dialogue::InMemStorage;
use teloxide::prelude::*;
use teloxide::update_listeners::Polling;
use teloxide::utils::command::BotCommands;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use ts_config::BotSettings;

use crate::access::Access;
use crate::commands::Command;
use crate::context::Ctx;
use crate::dialogue::State;
use crate::health::{self, Readiness};
use crate::menus::Menus;
use crate::options::Options;
use crate::{notify, schema, startup, telegram};

/// Long-polling timeout of `getUpdates`.
const POLL_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs the bot until `shutdown` resolves.
pub async fn run(
    settings: BotSettings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    run_with(settings, Options::default(), shutdown).await
}

/// [`run`] with non-default [`Options`].
pub async fn run_with(
    settings: BotSettings,
    options: Options,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let stop = CancellationToken::new();
    let on_signal = stop.clone();
    tokio::spawn(async move {
        shutdown.await;
        on_signal.cancel();
    });
    run_until(settings, options, stop).await
}

pub(crate) async fn run_until(
    settings: BotSettings,
    mut options: Options,
    stop: CancellationToken,
) -> anyhow::Result<()> {
    let readiness = Readiness::default();
    let listener = match options.health_listener.take() {
        Some(listener) => listener,
        None => TcpListener::bind(("0.0.0.0", settings.health_port))
            .await
            .with_context(|| format!("binding HEALTH_PORT {}", settings.health_port))?,
    };
    tracing::info!(addr = %listener.local_addr()?, "health endpoints listening");
    let health = tokio::spawn(health::serve(listener, readiness.clone(), stop.clone()));

    let result = serve(&settings, &options, readiness, stop.clone()).await;
    stop.cancel();
    match health.await {
        Ok(Err(e)) => tracing::warn!(error = %e, "the health server failed"),
        Err(e) => tracing::warn!(error = %e, "the health server panicked"),
        Ok(Ok(())) => {}
    }
    result
}

async fn serve(
    settings: &BotSettings,
    options: &Options,
    readiness: Readiness,
    stop: CancellationToken,
) -> anyhow::Result<()> {
    let api = ApiClient::new(ClientConfig {
        base_url: settings.api_url.clone(),
        token: settings.api_token.expose().to_string(),
        timeout: options.api_timeout,
        max_retries: options.api_retries,
        initial_backoff: Duration::from_millis(100),
    })
    .context("API_URL / API_TOKEN")?;
    if startup::wait_for_api(&api, options.startup_backoff, &stop)
        .await
        .is_none()
    {
        return Ok(());
    }
    readiness.api_answered();

    let bot = bot(settings)?;
    if startup::wait_for_telegram(&bot, options.startup_backoff, &stop)
        .await?
        .is_none()
    {
        return Ok(());
    }
    readiness.telegram_answered();
    if let Err(e) = telegram::retrying(bot.set_my_commands(Command::bot_commands())).await {
        // The commands still work when typed; only the client's menu would be missing.
        tracing::warn!(error = %e, "setMyCommands failed");
    }

    let ctx = Ctx::new(api.clone(), Menus::new(options.menu_ttl));
    let notifier = tokio::spawn(notify::follow(
        api,
        bot.clone(),
        ctx.own_events.clone(),
        options.events_backoff,
        stop.clone(),
    ));
    let access = Arc::new(Access::new(
        settings.allowed_telegram_ids.clone(),
        settings.rate_limit_per_minute,
    ));
    let dispatched = dispatch(bot, ctx, access, stop.clone()).await;
    stop.cancel();
    let _ = notifier.await;
    dispatched
}

/// The Bot API client, pointed at `TELEGRAM_API_URL` when set.
fn bot(settings: &BotSettings) -> anyhow::Result<Bot> {
    let bot = Bot::new(settings.telegram_bot_token.expose());
    Ok(match &settings.telegram_api_url {
        Some(url) => bot.set_api_url(url.parse().context("TELEGRAM_API_URL")?),
        None => bot,
    })
}

/// Long polling until `stop`; updates of one chat are handled in order.
async fn dispatch(
    bot: Bot,
    ctx: Ctx,
    access: Arc<Access>,
    stop: CancellationToken,
) -> anyhow::Result<()> {
    let mut dispatcher = Dispatcher::builder(bot.clone(), schema::schema())
        .dependencies(dptree::deps![ctx, access, InMemStorage::<State>::new()])
        .default_handler(|update| async move {
            tracing::debug!(update_id = update.id.0, "update of a kind the bot ignores");
        })
        .error_handler(LoggingErrorHandler::with_custom_text(
            "handling an update failed",
        ))
        .build();
    let token = dispatcher.shutdown_token();
    let stopper = tokio::spawn(async move {
        stop.cancelled().await;
        // Until the dispatcher runs, shutdown() reports it idle: try again shortly.
        loop {
            match token.shutdown() {
                Ok(done) => return done.await,
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    });
    let polling = Polling::builder(bot)
        .timeout(POLL_TIMEOUT)
        .delete_webhook()
        .await
        .build();
    tracing::info!("the bot is polling for updates");
    let result = dispatcher
        .try_dispatch_with_listener(
            polling,
            LoggingErrorHandler::with_custom_text("getUpdates failed"),
        )
        .await;
    stopper.abort();
    result.context("starting the dispatcher (getMe)")
}
