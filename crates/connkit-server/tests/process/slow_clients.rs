//! Slow and idle clients cannot hold the server: a request head trickled a byte at a time is
//! cut off, a body trickled is answered 408, an idle keep-alive connection and a client that
//! stops reading its answer are closed, and more idle connections than the connection cap and
//! the open-file limit allow still leave the server answering new requests in bounded time.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use crate::support::{Server, Start, data_dir};

fn connect(server: &Server) -> TcpStream {
    let stream = TcpStream::connect(server.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

/// Reads until the server closes the connection (or 10 s pass); what was read.
fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return out,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
}

/// Writes `bytes` one at a time, `gap` apart, until the server closes; when it did (if it did).
fn trickle(stream: &mut TcpStream, bytes: &[u8], gap: Duration) -> Option<Instant> {
    for b in bytes {
        if stream.write_all(&[*b]).is_err() {
            return Some(Instant::now());
        }
        thread::sleep(gap);
    }
    None
}

/// One `GET /health` on a new connection, answered within `limit`.
fn health_within(server: &Server, limit: Duration) -> bool {
    let started = Instant::now();
    let addr: std::net::SocketAddr = server.addr().parse().unwrap();
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, limit) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(limit));
    let request = format!(
        "GET /health HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        server.addr()
    );
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let answer = read_to_close(&mut stream);
    answer.starts_with(b"HTTP/1.1 200") && started.elapsed() < limit
}

#[test]
fn a_trickled_request_head_is_cut_off() {
    let (_tmp, dir) = data_dir();
    let server = Start::new(&dir)
        .with_key()
        .args(&["--header-timeout", "1"])
        .spawn()
        .unwrap();
    let mut stream = connect(&server);
    let started = Instant::now();
    let head = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
    let cut = trickle(&mut stream, head, Duration::from_millis(100));
    let closed = cut.unwrap_or_else(|| {
        read_to_close(&mut stream);
        Instant::now()
    });
    let took = closed.duration_since(started);
    assert!(took < Duration::from_secs(4), "cut after {took:?}");
    // A new connection that sends nothing at all is closed as well.
    let mut silent = connect(&server);
    let started = Instant::now();
    assert!(read_to_close(&mut silent).is_empty());
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[test]
fn a_trickled_body_is_answered_408() {
    let (_tmp, dir) = data_dir();
    let server = Start::new(&dir)
        .with_key()
        .args(&["--body-timeout", "1"])
        .spawn()
        .unwrap();
    let mut stream = connect(&server);
    let head = format!(
        "POST /connect/sessions HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n",
        server.addr(),
        crate::support::KEY
    );
    stream.write_all(head.as_bytes()).unwrap();
    let started = Instant::now();
    let writer = stream.try_clone().unwrap();
    let feeder = thread::spawn(move || {
        let mut writer = writer;
        trickle(&mut writer, &[b' '; 100], Duration::from_millis(100))
    });
    let answer = read_to_close(&mut stream);
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("request_timeout"), "{text}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    drop(stream);
    let _ = feeder.join();
}

#[test]
fn an_idle_keep_alive_connection_is_closed() {
    let (_tmp, dir) = data_dir();
    let server = Start::new(&dir)
        .with_key()
        .args(&["--idle-timeout", "1"])
        .spawn()
        .unwrap();
    let mut stream = connect(&server);
    let request = format!("GET /health HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr());
    stream.write_all(request.as_bytes()).unwrap();
    let mut buf = [0u8; 4096];
    let n = stream.read(&mut buf).unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    let started = Instant::now();
    assert!(read_to_close(&mut stream).is_empty());
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(4),
        "{took:?}"
    );
}

#[test]
fn a_client_that_stops_reading_is_dropped() {
    let (tmp, dir) = data_dir();
    let www = tmp.path().join("www");
    std::fs::create_dir_all(&www).unwrap();
    let size = 32 * 1024 * 1024;
    std::fs::write(www.join("big.bin"), vec![b'x'; size]).unwrap();
    let server = Start::new(&dir)
        .with_key()
        .args(&["--idle-timeout", "1", "--static-dir", www.to_str().unwrap()])
        .spawn()
        .unwrap();
    let mut stream = connect(&server);
    let request = format!("GET /big.bin HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr());
    stream.write_all(request.as_bytes()).unwrap();
    // Read nothing while the server's writes stall, then read what is left.
    thread::sleep(Duration::from_secs(3));
    let read = read_to_close(&mut stream);
    assert!(
        read.len() < size,
        "the stalled answer was cut off ({} bytes)",
        read.len()
    );
}

#[test]
fn idle_connections_beyond_the_cap_and_the_open_file_limit_do_not_lock_others_out() {
    let (_tmp, dir) = data_dir();
    // 256 descriptors for the whole process: 128 kept for the database and outbound requests.
    let mut start = Start::new(&dir).with_key().args(&["--header-timeout", "1"]);
    start.wrapper = Some(vec!["prlimit".to_owned(), "--nofile=256:256".to_owned()]);
    let server = start.spawn().unwrap();
    assert!(
        server.printed("lowered to 128", Duration::from_secs(2)),
        "{}",
        server.output()
    );
    // Far more idle connections than descriptors.
    let addr: std::net::SocketAddr = server.addr().parse().unwrap();
    let idle: Vec<TcpStream> = (0..400)
        .filter_map(|_| TcpStream::connect_timeout(&addr, Duration::from_millis(500)).ok())
        .collect();
    assert!(idle.len() >= 300);
    assert!(
        health_within(&server, Duration::from_secs(9)),
        "no answer while idle connections held the server: {}",
        server.output()
    );
    drop(idle);
    assert!(health_within(&server, Duration::from_secs(3)));
}
