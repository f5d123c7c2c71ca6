-- Users of the bot, keyed by their Telegram id. A wallet secret (for live trading) is
-- stored only as AES-256-GCM ciphertext: nonce (12 bytes) || ciphertext+tag.
CREATE TABLE users (
    telegram_id       BIGINT PRIMARY KEY CHECK (telegram_id > 0),
    username          TEXT,
    first_name        TEXT,
    wallet_address    TEXT,
    wallet_secret_enc BYTEA,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Markets as the Gamma poller sees them.
CREATE TABLE markets (
    id           TEXT PRIMARY KEY,
    question     TEXT NOT NULL,
    slug         TEXT NOT NULL,
    condition_id TEXT NOT NULL,
    active       BOOLEAN NOT NULL,
    closed       BOOLEAN NOT NULL,
    volume       NUMERIC NOT NULL DEFAULT 0,
    liquidity    NUMERIC NOT NULL DEFAULT 0,
    end_date     TIMESTAMPTZ,
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX markets_active_volume ON markets (active, closed, volume DESC, id);

-- Outcomes of a market, index-paired with their CLOB token ids.
CREATE TABLE market_outcomes (
    market_id TEXT NOT NULL REFERENCES markets (id) ON DELETE CASCADE,
    idx       INT NOT NULL,
    name      TEXT NOT NULL,
    token_id  TEXT NOT NULL UNIQUE,
    price     NUMERIC,
    PRIMARY KEY (market_id, idx)
);

-- Wallets whose trades can be copied.
CREATE TABLE leaders (
    address     TEXT PRIMARY KEY,
    name        TEXT,
    -- True once an indexer webhook delivered a trade for this leader, so the
    -- Data API poll is not needed for it.
    has_webhook BOOLEAN NOT NULL DEFAULT false,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE leader_trades (
    id               UUID PRIMARY KEY,
    leader_address   TEXT NOT NULL REFERENCES leaders (address),
    transaction_hash TEXT NOT NULL,
    asset            TEXT NOT NULL,
    condition_id     TEXT NOT NULL,
    side             TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')),
    size             NUMERIC NOT NULL,
    price            NUMERIC NOT NULL,
    usdc_size        NUMERIC NOT NULL,
    outcome          TEXT,
    outcome_index    INT,
    title            TEXT,
    source           TEXT NOT NULL CHECK (source IN ('webhook', 'data_api')),
    traded_at        TIMESTAMPTZ NOT NULL,
    received_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Set once the trade is on the Redis stream; a redelivery of a stored but not yet
    -- streamed trade (Redis was down) appends it then.
    streamed_at      TIMESTAMPTZ,
    -- The same trade reaches us by webhook and by the Data API poll: store it once.
    UNIQUE (transaction_hash, asset)
);
CREATE INDEX leader_trades_leader ON leader_trades (leader_address, traded_at DESC);

CREATE TABLE allocations (
    id              UUID PRIMARY KEY,
    telegram_id     BIGINT NOT NULL REFERENCES users (telegram_id),
    leader_address  TEXT NOT NULL REFERENCES leaders (address),
    mode            TEXT NOT NULL CHECK (mode IN ('fixed', 'percent')),
    amount          NUMERIC NOT NULL CHECK (amount > 0),
    max_per_trade   NUMERIC CHECK (max_per_trade > 0),
    slippage_bps    INT NOT NULL CHECK (slippage_bps BETWEEN 0 AND 5000),
    active          BOOLEAN NOT NULL DEFAULT true,
    idempotency_key TEXT UNIQUE,
    request_hash    TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    stopped_at      TIMESTAMPTZ
);
-- One active allocation per follower and leader.
CREATE UNIQUE INDEX allocations_one_active ON allocations (telegram_id, leader_address) WHERE active;
CREATE INDEX allocations_leader_active ON allocations (leader_address) WHERE active;

CREATE TABLE positions (
    id                    UUID PRIMARY KEY,
    telegram_id           BIGINT NOT NULL REFERENCES users (telegram_id),
    market_id             TEXT NOT NULL REFERENCES markets (id),
    outcome               TEXT NOT NULL,
    token_id              TEXT NOT NULL,
    amount                NUMERIC NOT NULL CHECK (amount > 0),
    size                  NUMERIC NOT NULL CHECK (size > 0),
    entry_price           NUMERIC NOT NULL,
    exit_price            NUMERIC,
    take_profit           NUMERIC,
    stop_loss             NUMERIC,
    status                TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    source                TEXT NOT NULL CHECK (source IN ('manual', 'smart', 'copy')),
    close_reason          TEXT CHECK (close_reason IN ('manual', 'take_profit', 'stop_loss', 'copy')),
    realized_pnl          NUMERIC,
    allocation_id         UUID REFERENCES allocations (id),
    leader_trade_id       UUID REFERENCES leader_trades (id),
    idempotency_key       TEXT UNIQUE,
    request_hash          TEXT,
    close_idempotency_key TEXT UNIQUE,
    opened_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    closed_at             TIMESTAMPTZ,
    -- A follower copies a leader's trade exactly once.
    UNIQUE (allocation_id, leader_trade_id)
);
CREATE INDEX positions_user ON positions (telegram_id, status, opened_at DESC);
CREATE INDEX positions_open_token ON positions (token_id) WHERE status = 'open';

-- Why a follower did not copy a trade (slippage guard, size below minimum, ...).
CREATE TABLE copy_skips (
    allocation_id   UUID NOT NULL REFERENCES allocations (id),
    leader_trade_id UUID NOT NULL REFERENCES leader_trades (id),
    reason          TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (allocation_id, leader_trade_id)
);
