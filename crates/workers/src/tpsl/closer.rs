//! Sends the close requests the index decides on: each through the API with the
//! Idempotency-Key `tpsl:{position}` (a retry gets the first answer back), retried with
//! backoff, a bounded number in flight; the outcome goes back to the monitor.

use std::sync::Arc;
use std::time::Duration;

use api_client::{ApiClient, ApiError};
use polymarket::Backoff;
use tokio::sync::{Semaphore, mpsc};
use tracing::Instrument;
use ts_core::position::ClosePositionRequest;

use super::index::{Armed, CloseOrder};

/// Attempts before the position is re-armed to fire on a later tick instead.
const ATTEMPTS: u32 = 6;

#[derive(Debug)]
pub(crate) enum Settled {
    /// Closed by us, or already closed or gone: forget it.
    Done(uuid::Uuid),
    /// Could not close it: back into the index.
    Failed(Armed),
}

/// Receives orders and runs them; ends when the order channel closes.
pub(crate) async fn run(
    api: ApiClient,
    concurrency: usize,
    mut orders: mpsc::UnboundedReceiver<CloseOrder>,
    settled: mpsc::UnboundedSender<Settled>,
) {
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    while let Some(order) = orders.recv().await {
        let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
            return;
        };
        let (api, settled) = (api.clone(), settled.clone());
        let span = tracing::info_span!("tpsl.close", position = %order.position.id,
            reason = %order.reason, price = %order.price);
        tokio::spawn(
            async move {
                let outcome = close(&api, order).await;
                let _ = settled.send(outcome);
                drop(permit);
            }
            .instrument(span),
        );
    }
}

async fn close(api: &ApiClient, order: CloseOrder) -> Settled {
    let id = order.position.id;
    let request = ClosePositionRequest {
        telegram_id: order.position.telegram_id,
        reason: order.reason,
    };
    let key = format!("tpsl:{id}");
    let mut backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(5));
    for attempt in 1..=ATTEMPTS {
        match api.close_position(id, &request, Some(&key)).await {
            Ok(p) => {
                tracing::info!(exit_price = ?p.exit_price, "position closed by TP/SL");
                return Settled::Done(id);
            }
            Err(e) if settled_elsewhere(&e) => {
                tracing::info!(error = %e, "position already closed or gone");
                return Settled::Done(id);
            }
            Err(e) => {
                tracing::warn!(attempt, error = %e, "TP/SL close failed");
                if attempt < ATTEMPTS {
                    tokio::time::sleep(backoff.next_delay()).await;
                }
            }
        }
    }
    Settled::Failed(order.position)
}

/// 409 `position_closed` (someone closed it first) or 404 (it is gone).
fn settled_elsewhere(e: &ApiError) -> bool {
    e.is_not_found() || e.code() == Some("position_closed")
}
