//! Open positions with a take-profit or stop-loss, indexed by token and by threshold,
//! so a tick touches only the positions it crosses: per token, TPs in ascending order
//! (a price crosses every TP at or below it, a prefix) and SLs likewise (a price
//! crosses every SL at or above it, a suffix). A crossed position leaves the index and
//! is held as "closing" until its close is settled, so one crossing is one request.

use std::collections::{BTreeSet, HashMap, HashSet};

use rust_decimal::Decimal;
use ts_core::position::{CloseReason, Position, PositionStatus, tpsl_trigger};
use uuid::Uuid;

/// What the index keeps of a position.
#[derive(Debug, Clone, PartialEq)]
pub struct Armed {
    pub id: Uuid,
    pub telegram_id: i64,
    pub token_id: String,
    pub take_profit: Option<Decimal>,
    pub stop_loss: Option<Decimal>,
}

/// A close to request.
#[derive(Debug, Clone, PartialEq)]
pub struct CloseOrder {
    pub position: Armed,
    pub reason: CloseReason,
    /// The price that crossed the threshold.
    pub price: Decimal,
}

#[derive(Debug, Default)]
struct Thresholds {
    take_profit: BTreeSet<(Decimal, Uuid)>,
    stop_loss: BTreeSet<(Decimal, Uuid)>,
}

#[derive(Debug, Default)]
pub struct TpSlIndex {
    by_token: HashMap<String, Thresholds>,
    armed: HashMap<Uuid, Armed>,
    closing: HashSet<Uuid>,
    last_price: HashMap<String, Decimal>,
}

impl TpSlIndex {
    /// Positions armed.
    pub fn len(&self) -> usize {
        self.armed.len()
    }

    pub fn is_empty(&self) -> bool {
        self.armed.is_empty()
    }

    /// Tokens with at least one armed position.
    pub fn tokens(&self) -> Vec<String> {
        self.by_token.keys().cloned().collect()
    }

    /// Adds, replaces or (closed, no thresholds) removes a position. A position whose
    /// close is already requested is left alone. Returns the close at once when the
    /// last known price already crosses a threshold.
    pub fn upsert(&mut self, p: &Position) -> Option<CloseOrder> {
        if self.closing.contains(&p.id) {
            return None;
        }
        self.disarm(p.id);
        if p.status != PositionStatus::Open || (p.take_profit.is_none() && p.stop_loss.is_none()) {
            return None;
        }
        let armed = Armed {
            id: p.id,
            telegram_id: p.telegram_id,
            token_id: p.token_id.clone(),
            take_profit: p.take_profit,
            stop_loss: p.stop_loss,
        };
        if let Some(&price) = self.last_price.get(&p.token_id)
            && let Some(reason) = tpsl_trigger(armed.take_profit, armed.stop_loss, price)
        {
            self.closing.insert(p.id);
            return Some(CloseOrder {
                position: armed,
                reason,
                price,
            });
        }
        self.arm(armed);
        None
    }

    /// Forgets a position (closed elsewhere, or its close is settled).
    pub fn remove(&mut self, id: Uuid) {
        self.disarm(id);
        self.closing.remove(&id);
    }

    /// A close that could not be done goes back into the index, to fire on a later tick.
    pub fn rearm(&mut self, position: Armed) {
        if self.closing.remove(&position.id) {
            self.arm(position);
        }
    }

    /// The closes a new price of `token_id` triggers.
    pub fn on_tick(&mut self, token_id: &str, price: Decimal) -> Vec<CloseOrder> {
        match self.last_price.get_mut(token_id) {
            Some(last) => *last = price,
            None => {
                self.last_price.insert(token_id.to_owned(), price);
            }
        }
        let Some(t) = self.by_token.get(token_id) else {
            return Vec::new();
        };
        let take: Vec<Uuid> = t
            .take_profit
            .range(..=(price, Uuid::max()))
            .map(|(_, id)| *id)
            .collect();
        let stop: Vec<Uuid> = t
            .stop_loss
            .range((price, Uuid::nil())..)
            .map(|(_, id)| *id)
            .collect();
        let crossed = take
            .into_iter()
            .map(|id| (id, CloseReason::TakeProfit))
            .chain(stop.into_iter().map(|id| (id, CloseReason::StopLoss)));
        let mut orders = Vec::new();
        for (id, reason) in crossed {
            // A position crossing both (only if SL >= TP) is closed once, as take-profit.
            if let Some(position) = self.disarm(id) {
                self.closing.insert(id);
                orders.push(CloseOrder {
                    position,
                    reason,
                    price,
                });
            }
        }
        orders
    }

    fn arm(&mut self, a: Armed) {
        let t = self.by_token.entry(a.token_id.clone()).or_default();
        if let Some(tp) = a.take_profit {
            t.take_profit.insert((tp, a.id));
        }
        if let Some(sl) = a.stop_loss {
            t.stop_loss.insert((sl, a.id));
        }
        self.armed.insert(a.id, a);
    }

    fn disarm(&mut self, id: Uuid) -> Option<Armed> {
        let a = self.armed.remove(&id)?;
        if let Some(t) = self.by_token.get_mut(&a.token_id) {
            if let Some(tp) = a.take_profit {
                t.take_profit.remove(&(tp, id));
            }
            if let Some(sl) = a.stop_loss {
                t.stop_loss.remove(&(sl, id));
            }
            if t.take_profit.is_empty() && t.stop_loss.is_empty() {
                self.by_token.remove(&a.token_id);
            }
        }
        Some(a)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use rust_decimal_macros::dec;
    use ts_core::position::PositionSource;

    use super::*;

    fn position(token: &str, tp: Option<Decimal>, sl: Option<Decimal>) -> Position {
        Position {
            id: Uuid::new_v4(),
            telegram_id: 1,
            market_id: "m".into(),
            market_question: "q".into(),
            outcome: "Yes".into(),
            token_id: token.into(),
            amount: dec!(10),
            size: dec!(20),
            entry_price: dec!(0.5),
            exit_price: None,
            take_profit: tp,
            stop_loss: sl,
            status: PositionStatus::Open,
            source: PositionSource::Manual,
            close_reason: None,
            realized_pnl: None,
            current_price: None,
            unrealized_pnl: None,
            allocation_id: None,
            leader_trade_id: None,
            opened_at: Utc::now(),
            closed_at: None,
        }
    }

    fn ids(orders: &[CloseOrder]) -> Vec<(Uuid, CloseReason)> {
        orders.iter().map(|o| (o.position.id, o.reason)).collect()
    }

    #[test]
    fn a_tick_closes_exactly_the_crossed_positions_once() {
        let mut index = TpSlIndex::default();
        let low_tp = position("t", Some(dec!(0.6)), None);
        let high_tp = position("t", Some(dec!(0.8)), Some(dec!(0.3)));
        let sl = position("t", None, Some(dec!(0.4)));
        let other = position("u", Some(dec!(0.6)), None);
        for p in [&low_tp, &high_tp, &sl, &other] {
            assert!(index.upsert(p).is_none());
        }
        assert!(index.on_tick("t", dec!(0.5)).is_empty());
        assert_eq!(
            ids(&index.on_tick("t", dec!(0.6))),
            [(low_tp.id, CloseReason::TakeProfit)]
        );
        assert!(
            index.on_tick("t", dec!(0.65)).is_empty(),
            "closing: not again"
        );
        assert_eq!(
            ids(&index.on_tick("t", dec!(0.4))),
            [(sl.id, CloseReason::StopLoss)]
        );
        assert_eq!(
            ids(&index.on_tick("t", dec!(0.2))),
            [(high_tp.id, CloseReason::StopLoss)]
        );
        assert_eq!(index.len(), 1);
        assert_eq!(index.tokens(), ["u"]);
    }

    #[test]
    fn events_keep_the_index_current() {
        let mut index = TpSlIndex::default();
        let mut p = position("t", Some(dec!(0.7)), None);
        index.upsert(&p);
        p.take_profit = Some(dec!(0.9));
        index.upsert(&p); // PATCH: the old threshold is gone
        assert!(index.on_tick("t", dec!(0.8)).is_empty());
        // A new threshold the current price already crosses fires at once.
        p.take_profit = Some(dec!(0.75));
        let order = index.upsert(&p).expect("crossed already");
        assert_eq!(
            (order.reason, order.price),
            (CloseReason::TakeProfit, dec!(0.8))
        );
        // While closing, updates are ignored; a failed close is re-armed.
        assert!(index.upsert(&p).is_none());
        index.rearm(order.position);
        assert_eq!(index.on_tick("t", dec!(0.76)).len(), 1);
        // Closed elsewhere: forgotten.
        let q = position("t", None, Some(dec!(0.1)));
        index.upsert(&q);
        index.remove(q.id);
        assert!(index.on_tick("t", dec!(0.05)).is_empty());
        p.status = PositionStatus::Closed;
        index.remove(p.id);
        assert!(index.upsert(&p).is_none());
        assert!(index.is_empty());
    }
}
