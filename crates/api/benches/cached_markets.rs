//! Load benchmark of the hot read: cached `GET /api/v1/markets` under concurrent
//! keep-alive connections, against the real api on Postgres and Redis. Prints req/s
//! and latency percentiles. Run with `cargo bench -p api --bench cached_markets`
//! (needs TEST_DATABASE_URL / TEST_REDIS_URL like the tests; scripts/bench.sh sets them).
//! BENCH_SECS (default 10) and BENCH_CONNECTIONS (default 32) tune the run.
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use rust_decimal::Decimal;
use testkit::TestApi;
use testkit::api::{TEST_API_TOKEN, binary_market};
use tokio::net::TcpStream;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> anyhow::Result<()> {
    let secs = env_or("BENCH_SECS", 10);
    let connections = env_or("BENCH_CONNECTIONS", 32) as usize;
    // The api gets its own runtime and worker threads, like the real process; the
    // load generator runs on a separate single-threaded runtime.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let api = server_rt.block_on(async {
        let api = TestApi::spawn().await?;
        let markets: Vec<_> = (0..200)
            .map(|i| {
                binary_market(
                    &format!("bench{i}"),
                    &format!("Benchmark market {i}?"),
                    Decimal::from(i * 10),
                )
            })
            .collect();
        api.seed_markets(&markets).await?;
        anyhow::Ok(api)
    })?;
    let addr = api.base_url.trim_start_matches("http://").to_string();
    let path = "/api/v1/markets?limit=20&active=true";

    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (latencies, elapsed) = client_rt.block_on(async {
        // Warm the cache once, then every request below is a Redis hit.
        one_request(&addr, path).await?;
        let deadline = Instant::now() + Duration::from_secs(secs);
        let start = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..connections {
            let addr = addr.clone();
            tasks.spawn(async move { worker(&addr, path, deadline).await });
        }
        let mut all = Vec::new();
        while let Some(r) = tasks.join_next().await {
            all.extend(r??);
        }
        anyhow::Ok((all, start.elapsed()))
    })?;
    let hits = api.state.cache.stats();
    report(latencies, elapsed, connections, hits.hits, hits.misses);
    drop(api);
    Ok(())
}

/// One keep-alive connection sending requests back to back until the deadline.
async fn worker(addr: &str, path: &str, deadline: Instant) -> anyhow::Result<Vec<u32>> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let mut latencies = Vec::with_capacity(100_000);
    while Instant::now() < deadline {
        let req = Request::get(path)
            .header("host", addr)
            .header("authorization", format!("Bearer {TEST_API_TOKEN}"))
            .body(Empty::<Bytes>::new())?;
        let t = Instant::now();
        let resp = sender.send_request(req).await?;
        anyhow::ensure!(resp.status() == 200, "status {}", resp.status());
        resp.into_body().collect().await?;
        latencies.push(t.elapsed().as_micros() as u32);
    }
    Ok(latencies)
}

async fn one_request(addr: &str, path: &str) -> anyhow::Result<()> {
    worker(addr, path, Instant::now() + Duration::from_millis(1))
        .await
        .map(drop)
}

fn report(mut lat: Vec<u32>, elapsed: Duration, connections: usize, hits: u64, misses: u64) {
    lat.sort_unstable();
    let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)] as f64 / 1000.0;
    println!(
        "cached GET /api/v1/markets: {connections} connections, {:.1} s",
        elapsed.as_secs_f64()
    );
    println!("  requests      {}", lat.len());
    println!(
        "  throughput    {:.0} req/s",
        lat.len() as f64 / elapsed.as_secs_f64()
    );
    println!("  latency p50   {:.3} ms", pct(0.50));
    println!("  latency p90   {:.3} ms", pct(0.90));
    println!("  latency p99   {:.3} ms", pct(0.99));
    println!(
        "  latency max   {:.3} ms",
        *lat.last().unwrap() as f64 / 1000.0
    );
    println!("  cache         {hits} hits, {misses} misses");
}
