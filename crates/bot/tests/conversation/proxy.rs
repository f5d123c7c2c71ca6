//! A TCP proxy in front of the api, so a test can take the API away (refuse and cut
//! every connection), bring another api back behind the same URL, cut the events
//! stream, and see the `traceparent` headers the bot sent.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct Proxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

struct Shared {
    upstream: Mutex<Option<SocketAddr>>,
    /// Bumped to cut every open connection.
    cut: watch::Sender<u64>,
    /// `traceparent` values seen in requests, in order.
    traceparents: Mutex<Vec<String>>,
}

impl Proxy {
    pub async fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            upstream: Mutex::new(Some(upstream)),
            cut: watch::channel(0).0,
            traceparents: Mutex::default(),
        });
        let accepting = Arc::clone(&shared);
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let shared = Arc::clone(&accepting);
                tokio::spawn(async move { relay(shared, client).await });
            }
        });
        Proxy { addr, shared }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The API is gone: open connections are cut and new ones closed at once.
    pub fn take_down(&self) {
        *self.shared.upstream.lock().unwrap() = None;
        self.cut_connections();
    }

    /// Serves `upstream` from now on.
    pub fn bring_up(&self, upstream: SocketAddr) {
        *self.shared.upstream.lock().unwrap() = Some(upstream);
    }

    /// Cuts the open connections (e.g. the events stream); new ones still work.
    pub fn cut_connections(&self) {
        self.shared.cut.send_modify(|g| *g += 1);
    }

    pub fn traceparents(&self) -> Vec<String> {
        self.shared.traceparents.lock().unwrap().clone()
    }
}

pub fn addr_of(url: &str) -> SocketAddr {
    url.trim_start_matches("http://").parse().unwrap()
}

async fn relay(shared: Arc<Shared>, mut client: TcpStream) {
    let Some(upstream) = *shared.upstream.lock().unwrap() else {
        return;
    };
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        return;
    };
    let mut cut = shared.cut.subscribe();
    let (mut client_read, mut client_write) = client.split();
    let (mut server_read, mut server_write) = server.split();
    let to_server = async {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = client_read.read(&mut buf).await.unwrap_or(0);
            if n == 0 {
                return;
            }
            record_traceparents(&shared, &buf[..n]);
            if server_write.write_all(&buf[..n]).await.is_err() {
                return;
            }
        }
    };
    let to_client = tokio::io::copy(&mut server_read, &mut client_write);
    tokio::select! {
        _ = to_server => {}
        _ = to_client => {}
        _ = cut.changed() => {}
    }
}

/// Header lines are ASCII; requests from the bot are small enough to arrive whole.
fn record_traceparents(shared: &Shared, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for line in text.lines() {
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("traceparent")
        {
            shared
                .traceparents
                .lock()
                .unwrap()
                .push(value.trim().to_string());
        }
    }
}
