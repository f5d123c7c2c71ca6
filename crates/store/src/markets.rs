use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::AssertSqlSafe;
use sqlx::{FromRow, PgPool};
use ts_core::market::{Market, MarketUpsert, Outcome};

use crate::{Result, StoreError};

pub struct Markets<'a> {
    pool: &'a PgPool,
}

/// Filters of `GET /markets`; the cursor is the opaque `next_cursor` of the previous page.
#[derive(Debug, Clone, Default)]
pub struct MarketFilter {
    pub search: Option<String>,
    pub active: Option<bool>,
    pub limit: u32,
    pub cursor: Option<String>,
}

#[derive(FromRow)]
struct MarketRow {
    id: String,
    question: String,
    slug: String,
    condition_id: String,
    active: bool,
    closed: bool,
    volume: Decimal,
    liquidity: Decimal,
    end_date: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct OutcomeRow {
    market_id: String,
    name: String,
    token_id: String,
    price: Option<Decimal>,
}

const MARKET_COLUMNS: &str =
    "id, question, slug, condition_id, active, closed, volume, liquidity, end_date, updated_at";

/// Keyset position (volume, id) of the last market of a page, hex-encoded.
fn encode_cursor(volume: Decimal, id: &str) -> String {
    hex::encode(format!("{volume}|{id}"))
}

pub fn decode_cursor(cursor: &str) -> Option<(Decimal, String)> {
    let raw = String::from_utf8(hex::decode(cursor).ok()?).ok()?;
    let (volume, id) = raw.split_once('|')?;
    Some((volume.parse().ok()?, id.to_string()))
}

impl<'a> Markets<'a> {
    pub(crate) fn new(pool: &'a PgPool) -> Self {
        Self { pool }
    }

    /// Inserts or updates markets and their outcomes in one transaction.
    pub async fn upsert_many(&self, markets: &[MarketUpsert]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for m in markets {
            sqlx::query(
                "INSERT INTO markets (id, question, slug, condition_id, active, closed, volume, liquidity, end_date, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
                 ON CONFLICT (id) DO UPDATE SET question = EXCLUDED.question, slug = EXCLUDED.slug,
                    condition_id = EXCLUDED.condition_id, active = EXCLUDED.active, closed = EXCLUDED.closed,
                    volume = EXCLUDED.volume, liquidity = EXCLUDED.liquidity, end_date = EXCLUDED.end_date,
                    updated_at = now()",
            )
            .bind(&m.id)
            .bind(&m.question)
            .bind(&m.slug)
            .bind(&m.condition_id)
            .bind(m.active)
            .bind(m.closed)
            .bind(m.volume)
            .bind(m.liquidity)
            .bind(m.end_date)
            .execute(&mut *tx)
            .await?;
            for (idx, o) in m.outcomes.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO market_outcomes (market_id, idx, name, token_id, price)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (market_id, idx) DO UPDATE SET name = EXCLUDED.name,
                        token_id = EXCLUDED.token_id, price = COALESCE(EXCLUDED.price, market_outcomes.price)",
                )
                .bind(&m.id)
                .bind(idx as i32)
                .bind(&o.name)
                .bind(&o.token_id)
                .bind(o.price)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn get(&self, id: &str) -> Result<Option<Market>> {
        let row: Option<MarketRow> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {MARKET_COLUMNS} FROM markets WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool)
        .await?;
        match row {
            Some(r) => Ok(self.with_outcomes(vec![r]).await?.pop()),
            None => Ok(None),
        }
    }

    /// One page ordered by volume (highest first), then id, with keyset paging.
    pub async fn list(&self, f: &MarketFilter) -> Result<(Vec<Market>, Option<String>)> {
        let cursor = match &f.cursor {
            Some(c) => Some(
                decode_cursor(c).ok_or_else(|| StoreError::Config("cursor is not valid".into()))?,
            ),
            None => None,
        };
        let pattern = f.search.as_deref().map(|s| {
            format!(
                "%{}%",
                s.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            )
        });
        let limit = i64::from(f.limit.max(1));
        let rows: Vec<MarketRow> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {MARKET_COLUMNS} FROM markets
             WHERE ($1::bool IS NULL OR (active = $1 AND closed = NOT $1))
               AND ($2::text IS NULL OR question ILIKE $2 OR slug ILIKE $2)
               AND ($3::numeric IS NULL OR (volume, id) < ($3, $4))
             ORDER BY volume DESC, id DESC
             LIMIT $5"
        )))
        .bind(f.active)
        .bind(pattern)
        .bind(cursor.as_ref().map(|c| c.0))
        .bind(cursor.as_ref().map(|c| c.1.clone()))
        .bind(limit + 1)
        .fetch_all(self.pool)
        .await?;
        let mut markets = self.with_outcomes(rows).await?;
        let next = if markets.len() as i64 > limit {
            markets.truncate(limit as usize);
            markets.last().map(|m| encode_cursor(m.volume, &m.id))
        } else {
            None
        };
        Ok((markets, next))
    }

    /// Active markets with the most volume, as candidates for recommendations.
    pub async fn top_active(&self, limit: u32) -> Result<Vec<Market>> {
        Ok(self
            .list(&MarketFilter {
                active: Some(true),
                limit,
                ..Default::default()
            })
            .await?
            .0)
    }

    /// The market an outcome token belongs to.
    pub async fn market_id_of_token(&self, token_id: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT market_id FROM market_outcomes WHERE token_id = $1")
                .bind(token_id)
                .fetch_optional(self.pool)
                .await?,
        )
    }

    /// Token ids of every outcome of active markets (what the price streamer follows).
    pub async fn active_token_ids(&self) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT o.token_id FROM market_outcomes o JOIN markets m ON m.id = o.market_id
             WHERE m.active AND NOT m.closed ORDER BY o.token_id",
        )
        .fetch_all(self.pool)
        .await?)
    }

    async fn with_outcomes(&self, rows: Vec<MarketRow>) -> Result<Vec<Market>> {
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let outcomes: Vec<OutcomeRow> = sqlx::query_as(
            "SELECT market_id, name, token_id, price FROM market_outcomes
             WHERE market_id = ANY($1) ORDER BY market_id, idx",
        )
        .bind(&ids)
        .fetch_all(self.pool)
        .await?;
        let mut by_market: HashMap<String, Vec<Outcome>> = HashMap::new();
        for o in outcomes {
            by_market.entry(o.market_id).or_default().push(Outcome {
                name: o.name,
                token_id: o.token_id,
                price: o.price.map(|p| p.normalize()),
            });
        }
        Ok(rows
            .into_iter()
            .map(|r| Market {
                outcomes: by_market.remove(&r.id).unwrap_or_default(),
                id: r.id,
                question: r.question,
                slug: r.slug,
                condition_id: r.condition_id,
                active: r.active,
                closed: r.closed,
                volume: r.volume.normalize(),
                liquidity: r.liquidity.normalize(),
                end_date: r.end_date,
                updated_at: r.updated_at,
            })
            .collect())
    }
}
