//! Last prices of outcome tokens, written by the price streamer (no TTL: a price
//! stays valid until the next tick) and announced on the `ticks` channel.

use ts_core::market::PriceTick;

use crate::{Cache, CacheError};

impl Cache {
    /// `{prefix}:price:{token_id}`.
    pub fn price_key(&self, token_id: &str) -> String {
        self.key(&format!("price:{token_id}"))
    }

    /// The pub/sub channel carrying every tick as JSON.
    pub fn ticks_channel(&self) -> String {
        self.key("ticks")
    }

    /// Stores the tick and publishes it, in one round trip.
    pub async fn set_price(&self, tick: &PriceTick) -> Result<(), CacheError> {
        let json = serde_json::to_string(tick)?;
        let mut conn = self.conn.clone();
        redis::pipe()
            .cmd("SET")
            .arg(self.price_key(&tick.token_id))
            .arg(&json)
            .ignore()
            .cmd("PUBLISH")
            .arg(self.ticks_channel())
            .arg(&json)
            .ignore()
            .exec_async(&mut conn)
            .await?;
        Ok(())
    }

    /// Not counted in the cache stats: prices are data, not cached reads.
    pub async fn get_price(&self, token_id: &str) -> Result<Option<PriceTick>, CacheError> {
        let mut conn = self.conn.clone();
        let raw: Option<String> = redis::cmd("GET")
            .arg(self.price_key(token_id))
            .query_async(&mut conn)
            .await?;
        Ok(raw.and_then(|raw| decode(token_id, &raw)))
    }

    /// Prices of many tokens with one MGET, in the order asked.
    pub async fn get_prices(
        &self,
        token_ids: &[String],
    ) -> Result<Vec<Option<PriceTick>>, CacheError> {
        if token_ids.is_empty() {
            return Ok(Vec::new()); // MGET without keys is a syntax error
        }
        let keys: Vec<String> = token_ids.iter().map(|t| self.price_key(t)).collect();
        let mut conn = self.conn.clone();
        let raws: Vec<Option<String>> =
            redis::cmd("MGET").arg(&keys).query_async(&mut conn).await?;
        Ok(token_ids
            .iter()
            .zip(raws)
            .map(|(token, raw)| raw.and_then(|raw| decode(token, &raw)))
            .collect())
    }
}

/// A price that no longer decodes reads as unknown; the next tick overwrites it.
fn decode(token_id: &str, raw: &str) -> Option<PriceTick> {
    serde_json::from_str(raw)
        .inspect_err(|err| tracing::warn!(token_id, error = %err, "undecodable price"))
        .ok()
}
