//! Serving the router over HTTP/1.1 with limits no client can outlast: at most
//! [`Limits::max_connections`] connections at once (more wait in the listen backlog), a request
//! head that must arrive whole within [`Limits::header_timeout`] of its first byte (of the
//! accept, for a new connection), and a connection with no request in progress and no byte moving
//! either way for [`Limits::idle_timeout`] closed: an idle keep-alive connection, a client that
//! stopped reading its response. Request bodies have their own deadline where they are read
//! (`body.rs`). A stop closes idle connections at once and waits for requests in progress, for
//! at most the grace it is given.
//!
//! hyper drives each connection; a watchdog per connection reads what the connection's I/O and
//! its requests report (bytes moved, requests in progress, an upgrade) and drops a connection
//! past its limits. An upgraded connection (a WebSocket) is the handler's to time out.
//!
//! Knows nothing about routes or what requests mean.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

/// File descriptors kept free under the open-file limit for the database, outbound requests
/// (webhooks, credential tests) and logs.
pub const RESERVED_FILES: u64 = 128;

/// What no connection may outlast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections served at once.
    pub max_connections: usize,
    /// From a request head's first byte (a new connection: from the accept) to its end.
    pub header_timeout: Duration,
    /// No request in progress and no byte moving.
    pub idle_timeout: Duration,
}

impl Limits {
    /// `max_connections` lowered, if needed, to leave [`RESERVED_FILES`] descriptors free
    /// under `open_files` (the process's limit, when known).
    pub fn within_open_files(mut self, open_files: Option<u64>) -> Limits {
        if let Some(limit) = open_files {
            let room = usize::try_from(limit.saturating_sub(RESERVED_FILES)).unwrap_or(usize::MAX);
            if self.max_connections > room {
                tracing::warn!(
                    open_files = limit,
                    "--max-connections {} lowered to {} to stay under the open-file limit",
                    self.max_connections,
                    room.max(1)
                );
                self.max_connections = room.max(1);
            }
        }
        self
    }
}

/// The soft limit on open files of this process, where the system says (Linux).
pub fn open_file_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Serves `app` on `listener` within `limits` until `stop` resolves, then waits (at most
/// `grace`) for the requests in progress.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    stop: impl Future<Output = ()>,
    grace: Duration,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (stopping, stopped) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(stop);
    loop {
        // Reap finished connections as we go.
        while connections.try_join_next().is_some() {}
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot,
            () = &mut stop => break,
        };
        let Ok(slot) = slot else {
            break;
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut stop => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(err) => {
                // Out of descriptors and the like: wait instead of spinning.
                tracing::warn!("accept failed: {err}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        connections.spawn(connection(
            stream,
            slot,
            app.clone(),
            limits,
            stopped.clone(),
        ));
    }
    drop(listener);
    let _ = stopping.send(true);
    let waited = tokio::time::timeout(grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if waited.is_err() {
        tracing::warn!(
            open = connections.len(),
            "connections still busy at the end of the shutdown grace; closed"
        );
        connections.shutdown().await;
    }
}

/// What a connection's I/O and requests report to its watchdog. Times are milliseconds since
/// `born`; a head start of 0 means no head is arriving.
#[derive(Debug)]
struct Activity {
    born: Instant,
    last_io: AtomicU64,
    head_from: AtomicU64,
    in_flight: AtomicUsize,
    upgraded: AtomicBool,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            born: Instant::now(),
            last_io: AtomicU64::new(0),
            // A new connection owes its first head from the accept on.
            head_from: AtomicU64::new(1),
            in_flight: AtomicUsize::new(0),
            upgraded: AtomicBool::new(false),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.born.elapsed().as_millis())
            .unwrap_or(u64::MAX)
            .max(1)
    }

    fn moved(&self, read: bool) {
        let now = self.now();
        self.last_io.store(now, Ordering::Release);
        if read && self.in_flight.load(Ordering::Acquire) == 0 {
            let _ = self
                .head_from
                .compare_exchange(0, now, Ordering::AcqRel, Ordering::Acquire);
        }
    }

    /// Why the connection must close now, if it must.
    fn expired(&self, limits: &Limits) -> Option<&'static str> {
        if self.upgraded.load(Ordering::Acquire) || self.in_flight.load(Ordering::Acquire) > 0 {
            return None;
        }
        let now = self.now();
        let millis = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        match self.head_from.load(Ordering::Acquire) {
            0 => {
                let idle = now.saturating_sub(self.last_io.load(Ordering::Acquire));
                (idle >= millis(limits.idle_timeout)).then_some("idle")
            }
            from => (now.saturating_sub(from) >= millis(limits.header_timeout))
                .then_some("header timeout"),
        }
    }
}

/// A request in progress, from its complete head to its response head.
struct InFlight(Arc<Activity>);

impl InFlight {
    fn enter(activity: &Arc<Activity>) -> InFlight {
        activity.in_flight.fetch_add(1, Ordering::AcqRel);
        activity.head_from.store(0, Ordering::Release);
        InFlight(activity.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
        self.0.last_io.store(self.0.now(), Ordering::Release);
    }
}

/// Serves one connection until it ends, breaks a limit, or the stop's grace is over.
async fn connection(
    stream: TcpStream,
    slot: OwnedSemaphorePermit,
    app: Router,
    limits: Limits,
    mut stopped: watch::Receiver<bool>,
) {
    let activity = Arc::new(Activity::new());
    let io = Tracked {
        inner: stream,
        activity: activity.clone(),
        _slot: slot,
    };
    let requests = activity.clone();
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let app = app.clone();
        let in_flight = InFlight::enter(&requests);
        async move {
            let Ok(response) = app.oneshot(request.map(Body::new)).await;
            if response.status() == StatusCode::SWITCHING_PROTOCOLS {
                in_flight.0.upgraded.store(true, Ordering::Release);
            }
            drop(in_flight);
            Ok::<_, std::convert::Infallible>(response)
        }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(io), service)
        .with_upgrades();
    tokio::pin!(conn);
    let tick = limits
        .header_timeout
        .min(limits.idle_timeout)
        .checked_div(4)
        .unwrap_or(Duration::ZERO)
        .clamp(Duration::from_millis(10), Duration::from_secs(1));
    let mut watchdog = tokio::time::interval(tick);
    watchdog.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut stopping = *stopped.borrow();
    if stopping {
        conn.as_mut().graceful_shutdown();
    }
    loop {
        tokio::select! {
            _ = conn.as_mut() => return,
            _ = watchdog.tick() => {
                if let Some(why) = activity.expired(&limits) {
                    tracing::debug!(reason = why, "connection closed");
                    return;
                }
            }
            changed = stopped.changed(), if !stopping => {
                stopping = true;
                if changed.is_ok() {
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// A TCP stream that reports its traffic, and holds its connection slot while it lives (an
/// upgraded connection keeps its slot).
#[derive(Debug)]
struct Tracked {
    inner: TcpStream,
    activity: Arc<Activity>,
    _slot: OwnedSemaphorePermit,
}

impl AsyncRead for Tracked {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.activity.moved(true);
        }
        polled
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.moved(false);
        }
        polled
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.moved(false);
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
