//! Declared chunk sizes of chunked request bodies, seen as the bytes arrive.
//!
//! hyper decodes chunked bodies without telling its caller the size a chunk announces, so
//! a body announcing `FFFFFFFFFFFFFFFF` bytes and then stalling looks like a slow client
//! until the deadline. [`Watch`] wraps a connection's decrypted stream and follows the
//! HTTP/1 framing beside hyper (request heads and chunk-size lines parsed with `httparse`,
//! the parser hyper itself uses), flagging the request whose chunks announce more than the
//! body limit so it is answered 413 at once. It only observes: hyper still parses and
//! validates everything, and when the two disagree (a malformed head) watching stops.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Longest request head followed (hyper's own limit is larger; beyond this we stop
/// watching, and hyper answers 431 or closes).
const MAX_HEAD: usize = 64 * 1024;
/// Longest chunk-size line (with extensions) or trailer line followed.
const MAX_LINE: usize = 4096;

/// Shared between the stream wrapper and the requests of one connection.
#[derive(Default)]
pub struct Oversize {
    /// 1 + the index (0-based, in order of arrival) of the first request whose chunks
    /// announced more than the limit; 0 while none did.
    request: AtomicU64,
    notify: tokio::sync::Notify,
}

impl Oversize {
    /// Resolves when request `index` of the connection is known to be oversized.
    pub async fn wait(&self, index: u64) {
        loop {
            let notified = self.notify.notified();
            if self.request.load(Ordering::Acquire) == index + 1 {
                return;
            }
            notified.await;
        }
    }

    fn flag(&self, index: u64) {
        if self
            .request
            .compare_exchange(0, index + 1, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            self.notify.notify_waiters();
        }
    }
}

#[derive(Debug)]
enum State {
    Head(Vec<u8>),
    Fixed(u64),
    SizeLine(Vec<u8>),
    Data(u64),
    DataEnd(u8),
    Trailer(Vec<u8>),
    /// Framing not understood: stop watching this connection.
    Off,
}

/// Follows the framing of the requests of one connection.
pub struct Framing {
    state: State,
    limit: u64,
    /// Index of the request being read.
    request: u64,
    /// Bytes announced so far by the current chunked body.
    announced: u64,
    oversize: Arc<Oversize>,
}

impl Framing {
    pub fn new(limit: u64, oversize: Arc<Oversize>) -> Framing {
        Framing {
            state: State::Head(Vec::new()),
            limit,
            request: 0,
            announced: 0,
            oversize,
        }
    }

    pub fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            match &mut self.state {
                State::Off => return,
                State::Fixed(left) => {
                    let n = (*left).min(bytes.len() as u64);
                    *left -= n;
                    bytes = &bytes[n as usize..];
                    if *left == 0 {
                        self.next_request();
                    }
                }
                State::Data(left) => {
                    let n = (*left).min(bytes.len() as u64);
                    *left -= n;
                    bytes = &bytes[n as usize..];
                    if *left == 0 {
                        self.state = State::DataEnd(2);
                    }
                }
                State::DataEnd(left) => {
                    *left -= 1;
                    bytes = &bytes[1..];
                    if *left == 0 {
                        self.state = State::SizeLine(Vec::new());
                    }
                }
                State::Head(_) | State::SizeLine(_) | State::Trailer(_) => {
                    let max = if matches!(self.state, State::Head(_)) {
                        MAX_HEAD
                    } else {
                        MAX_LINE
                    };
                    let (State::Head(buf) | State::SizeLine(buf) | State::Trailer(buf)) =
                        &mut self.state
                    else {
                        return;
                    };
                    // Up to and including the next LF.
                    let take = bytes
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(bytes.len(), |i| i + 1);
                    buf.extend_from_slice(&bytes[..take]);
                    bytes = &bytes[take..];
                    if buf.len() > max {
                        self.state = State::Off;
                    } else if buf.ends_with(b"\n") {
                        self.line_done();
                    }
                }
            }
        }
    }

    fn next_request(&mut self) {
        self.request += 1;
        self.announced = 0;
        self.state = State::Head(Vec::new());
    }

    /// A line (of a head, a chunk size or a trailer) has ended.
    fn line_done(&mut self) {
        match std::mem::replace(&mut self.state, State::Off) {
            State::Head(buf) => {
                // Empty lines before a request line are skipped (RFC 9112 §2.2).
                if buf == b"\r\n" || buf == b"\n" {
                    self.state = State::Head(Vec::new());
                } else if buf.ends_with(b"\r\n\r\n") || buf.ends_with(b"\n\n") {
                    self.head_done(&buf);
                } else {
                    self.state = State::Head(buf);
                }
            }
            State::SizeLine(buf) => match httparse::parse_chunk_size(&buf) {
                Ok(httparse::Status::Complete((_, size))) => {
                    self.announced = self.announced.saturating_add(size);
                    if self.announced > self.limit {
                        self.oversize.flag(self.request);
                        // Nothing after it matters for this connection: hyper's answer
                        // closes it.
                        self.state = State::Off;
                    } else if size == 0 {
                        self.state = State::Trailer(Vec::new());
                    } else {
                        self.state = State::Data(size);
                    }
                }
                _ => self.state = State::Off,
            },
            State::Trailer(buf) => {
                if buf == b"\r\n" || buf == b"\n" {
                    self.next_request();
                } else {
                    self.state = State::Trailer(Vec::new());
                }
            }
            other => self.state = other,
        }
    }

    fn head_done(&mut self, head: &[u8]) {
        let mut headers = [httparse::EMPTY_HEADER; 128];
        let mut req = httparse::Request::new(&mut headers);
        if !matches!(req.parse(head), Ok(httparse::Status::Complete(_))) {
            self.state = State::Off;
            return;
        }
        let mut chunked = false;
        let mut length = None;
        for h in req.headers.iter() {
            if h.name.eq_ignore_ascii_case("transfer-encoding") {
                // The last coding decides (RFC 9112 §6.3); hyper refuses other codings.
                chunked = h
                    .value
                    .rsplit(|&b| b == b',')
                    .next()
                    .is_some_and(|c| c.trim_ascii().eq_ignore_ascii_case(b"chunked"));
            } else if h.name.eq_ignore_ascii_case("content-length") {
                length = std::str::from_utf8(h.value)
                    .ok()
                    .and_then(|v| v.trim().parse::<u64>().ok());
            }
        }
        self.state = if chunked {
            State::SizeLine(Vec::new())
        } else {
            match length {
                Some(n) if n > 0 => State::Fixed(n),
                _ => {
                    self.next_request();
                    return;
                }
            }
        };
    }
}

/// A stream whose reads are fed to a [`Framing`].
pub struct Watch<S> {
    inner: S,
    framing: Framing,
}

impl<S> Watch<S> {
    pub fn new(inner: S, framing: Framing) -> Self {
        Watch { inner, framing }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Watch<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let poll = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = &poll {
            this.framing.feed(&buf.filled()[before..]);
        }
        poll
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watch<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flagged(limit: u64, parts: &[&[u8]]) -> u64 {
        let oversize = Arc::new(Oversize::default());
        let mut framing = Framing::new(limit, oversize.clone());
        for p in parts {
            framing.feed(p);
        }
        oversize.request.load(Ordering::Acquire)
    }

    #[test]
    fn an_absurd_chunk_size_flags_its_request() {
        let head = b"POST /validate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert_eq!(flagged(100, &[head, b"FFFFFFFFFFFFFFFF\r\n{"]), 1);
        // Split anywhere, with an extension.
        assert_eq!(
            flagged(
                100,
                &[&head[..10], &head[10..], b"FFFF", b"FFFF;x=y\r", b"\n"]
            ),
            1
        );
        // Small chunks adding up past the limit.
        assert_eq!(
            flagged(100, &[head, b"40\r\n", &[b'a'; 64], b"\r\n40\r\n"]),
            1
        );
        // Within the limit: nothing.
        assert_eq!(
            flagged(100, &[head, b"5\r\nhello\r\n0\r\n\r\n"]),
            0,
            "a small chunked body"
        );
    }

    #[test]
    fn the_framing_follows_keep_alive_requests() {
        let fixed = b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n0\r\n\r\n";
        let get = b"\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
        let chunked = b"POST /validate HTTP/1.1\r\ntransfer-encoding: gzip, Chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n";
        let huge = b"POST /validate HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1000000\r\n";
        // The Content-Length body looks like a chunk end, and must not be read as one.
        assert_eq!(flagged(100, &[fixed, get, chunked, huge]), 4);
        assert_eq!(flagged(100, &[fixed, get, chunked]), 0);
        // A head we cannot parse stops the watching (hyper answers it).
        assert_eq!(flagged(100, &[b"\x00\x01 nonsense\r\n\r\n", huge]), 0);
    }
}
