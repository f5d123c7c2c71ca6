//! The watched-addresses sync: reads from the API the leaders that active allocations
//! follow, and for those no indexer webhook covers, polls their Data API activity and
//! feeds new trades into `POST /api/v1/trades`, the webhook's own ingest path (stored
//! once per transaction hash + asset, whichever path sees a trade first).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use polymarket::data::{ActivityQuery, MAX_LIMIT, MAX_OFFSET};
use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;
use ts_core::LeaderAddress;
use ts_core::copy::IncomingTrade;

use crate::context::Ctx;
use crate::status::WATCHED_SYNC;

/// Where the Data API poll of one leader stands.
#[derive(Debug)]
struct Cursor {
    /// Seconds since the epoch: trades from this second on are still of interest.
    since: i64,
    /// Trades of second `since` already sent (several can share a second).
    sent_at_since: HashSet<(String, String)>,
}

pub(crate) async fn run(ctx: Arc<Ctx>, cancel: CancellationToken) {
    let t = ctx.tunables();
    let mut refresh = tokio::time::interval(t.watched_refresh);
    let mut poll = tokio::time::interval(t.activity_poll);
    refresh.set_missed_tick_behavior(MissedTickBehavior::Delay);
    poll.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut polled: HashMap<LeaderAddress, Cursor> = HashMap::new();
    let mut watched = 0;
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            _ = refresh.tick() => match ctx.api.watched_addresses().await {
                Ok(addresses) => {
                    watched = addresses.len();
                    // A leader first seen now is polled from one refresh period back, which
                    // covers trades made between the follow and this refresh.
                    let since = chrono::Utc::now().timestamp() - t.watched_refresh.as_secs() as i64;
                    let without_webhook: HashSet<LeaderAddress> = addresses
                        .into_iter()
                        .filter(|a| !a.has_webhook)
                        .map(|a| a.address)
                        .collect();
                    polled.retain(|leader, _| without_webhook.contains(leader));
                    for leader in without_webhook {
                        polled.entry(leader).or_insert_with(|| Cursor { since, sent_at_since: HashSet::new() });
                    }
                    ctx.status.ok_with(WATCHED_SYNC, detail(watched, polled.len()));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "could not read the watched addresses");
                    ctx.status.degraded(WATCHED_SYNC, format!("api: {e}"));
                }
            },
            _ = poll.tick() => {
                let mut failed = None;
                for (leader, cursor) in &mut polled {
                    if let Err(e) = poll_leader(&ctx, leader, cursor).await {
                        tracing::warn!(%leader, error = format!("{e:#}"), "Data API poll failed");
                        failed = Some(format!("{leader}: {e:#}"));
                    }
                }
                match failed {
                    Some(e) => ctx.status.degraded(WATCHED_SYNC, e),
                    None if !polled.is_empty() => ctx.status.ok_with(WATCHED_SYNC, detail(watched, polled.len())),
                    None => {}
                }
            }
        }
    }
}

fn detail(watched: usize, polled: usize) -> String {
    format!("{watched} leaders watched, {polled} polled on the Data API")
}

/// New trades of one leader since its cursor, sent to the API; returns how many.
async fn poll_leader(
    ctx: &Ctx,
    leader: &LeaderAddress,
    cursor: &mut Cursor,
) -> anyhow::Result<usize> {
    let mut fresh: Vec<IncomingTrade> = Vec::new();
    let mut offset = 0;
    loop {
        let query = ActivityQuery {
            start: Some(cursor.since),
            limit: MAX_LIMIT,
            offset,
        };
        let page = ctx.data.trades(leader, &query).await?;
        let full = page.len() == MAX_LIMIT as usize;
        fresh.extend(page.into_iter().filter(|t| {
            t.timestamp > cursor.since
                || (t.timestamp == cursor.since
                    && !cursor
                        .sent_at_since
                        .contains(&(t.transaction_hash.clone(), t.asset.clone())))
        }));
        offset += MAX_LIMIT;
        if !full || offset > MAX_OFFSET {
            break;
        }
    }
    if fresh.is_empty() {
        return Ok(0);
    }
    for chunk in fresh.chunks(MAX_LIMIT as usize) {
        let receipt = ctx.api.ingest_trades(chunk).await?;
        tracing::info!(%leader, stored = receipt.stored, duplicates = receipt.duplicates, "Data API trades ingested");
    }
    // Advance only after the API took them: a failed send is retried next poll.
    let newest = fresh
        .iter()
        .map(|t| t.timestamp)
        .max()
        .unwrap_or(cursor.since);
    if newest > cursor.since {
        cursor.since = newest;
        cursor.sent_at_since.clear();
    }
    cursor.sent_at_since.extend(
        fresh
            .iter()
            .filter(|t| t.timestamp == newest)
            .map(|t| (t.transaction_hash.clone(), t.asset.clone())),
    );
    Ok(fresh.len())
}
