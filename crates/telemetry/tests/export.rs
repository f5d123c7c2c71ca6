//! `init` against a tiny OTLP/HTTP receiver: spans reach `POST /v1/traces`
//! as protobuf once the guard shuts down. Its own test binary, because `init`
//! installs process-global state.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::Duration;

struct Request {
    method: String,
    path: String,
    content_type: String,
    body: Vec<u8>,
}

/// Accepts connections forever, answering 200 to every request and passing
/// each one on; keep-alive connections are served until the client closes.
fn start_receiver() -> (String, Receiver<Request>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let tx = tx.clone();
            thread::spawn(move || serve(stream, &tx));
        }
    });
    (url, rx)
}

fn serve(stream: TcpStream, tx: &Sender<Request>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = request_line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_owned();
        let path = parts.next().unwrap_or_default().to_owned();
        let (mut content_type, mut length) = (String::new(), 0);
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').unwrap_or((header, ""));
            match name.to_ascii_lowercase().as_str() {
                "content-type" => content_type = value.trim().to_owned(),
                "content-length" => length = value.trim().parse().unwrap_or(0),
                _ => {}
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let response =
            "HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n";
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
        let _ = tx.send(Request {
            method,
            path,
            content_type,
            body,
        });
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn spans_are_exported_when_the_guard_shuts_down() {
    // A first init without an exporter (another service in the same process)
    // must neither panic nor keep the later exporter from receiving spans.
    let local_only = ts_telemetry::init("first-service", None).unwrap();
    let (url, requests) = start_receiver();
    let guard = ts_telemetry::init("export-test-service", Some(&url)).unwrap();

    let trace_id = {
        let span = tracing::info_span!("exported-span");
        let _entered = span.enter();
        tracing::info!("work inside the exported span");
        ts_telemetry::current_trace_id().expect("span has a trace id")
    };
    guard.shutdown();
    local_only.shutdown();

    // A timer-driven export may come first; find the one with our span.
    let request = loop {
        let request = requests
            .recv_timeout(Duration::from_secs(10))
            .expect("the receiver got the export");
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, "/v1/traces");
        assert_eq!(request.content_type, "application/x-protobuf");
        assert!(!request.body.is_empty());
        if contains(&request.body, "exported-span") {
            break request;
        }
    };
    // Protobuf keeps strings as raw bytes: the span name and service name
    // are visible without decoding.
    assert!(contains(&request.body, "export-test-service"));
    let trace_id_bytes: Vec<u8> = (0..16)
        .map(|i| u8::from_str_radix(&trace_id[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    assert!(
        request
            .body
            .windows(16)
            .any(|w| w == trace_id_bytes.as_slice())
    );
}

#[test]
fn init_twice_returns_two_working_guards() {
    let a = ts_telemetry::init("api", None).unwrap();
    let b = ts_telemetry::init("bot", None).unwrap();
    let span = tracing::info_span!("after-two-inits");
    let _entered = span.enter();
    let mut headers = http::HeaderMap::new();
    ts_telemetry::inject_headers(&mut headers);
    assert!(headers.contains_key("traceparent"));
    drop(a);
    b.shutdown();
}
