//! A server connection before or after TLS: plain TCP, TLS over TCP
//! (after `STARTTLS`/`STLS`, or from the first byte on an implicit-TLS
//! port), or nothing while a handshake owns the socket.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// The connection, plain or under TLS.
#[derive(Debug)]
pub enum Stream {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS over TCP.
    Tls(Box<TlsStream<TcpStream>>),
    /// During a handshake, and after a failed one: reads end, writes fail.
    Gone,
}

impl Stream {
    /// True under TLS.
    pub fn is_tls(&self) -> bool {
        matches!(self, Self::Tls(_))
    }

    /// Runs the server side of a TLS handshake on the plain connection,
    /// bounded by `limit`, and continues under TLS. On failure the stream
    /// is [`Stream::Gone`].
    pub async fn upgrade(&mut self, acceptor: &TlsAcceptor, limit: Duration) -> io::Result<()> {
        let Self::Plain(tcp) = std::mem::replace(self, Self::Gone) else {
            return Err(io::Error::other(
                "TLS on a connection that is not plain TCP",
            ));
        };
        let tls = timeout(limit, acceptor.accept(tcp))
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "TLS handshake timed out"))??;
        *self = Self::Tls(Box::new(tls));
        Ok(())
    }

    /// Sends small replies at once (no Nagle delay) on plain TCP.
    pub fn no_delay(&self) {
        if let Self::Plain(tcp) = self {
            let _ = tcp.set_nodelay(true);
        }
    }

    /// Writes `bytes`, failing with `TimedOut` when the peer does not take
    /// them within `limit` (a client that stops reading is as idle as one
    /// that stops writing).
    pub async fn send(&mut self, bytes: &[u8], limit: Duration) -> io::Result<()> {
        timeout(limit, self.write_all(bytes))
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "write timed out"))?
    }

    /// Flushes what is written, within `limit`.
    pub async fn flush_within(&mut self, limit: Duration) -> io::Result<()> {
        timeout(limit, self.flush())
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "write timed out"))?
    }

    /// Shuts the connection down, giving up after `limit`.
    pub async fn close(&mut self, limit: Duration) {
        let _ = timeout(limit, self.shutdown()).await;
    }

    /// Runs the server side of a TLS handshake with `config` (see
    /// [`Stream::upgrade`]); without a configuration, an error naming
    /// `command` (`STARTTLS`, `STLS`).
    pub async fn upgrade_with(
        &mut self,
        config: Option<std::sync::Arc<rustls::ServerConfig>>,
        command: &str,
        limit: Duration,
    ) -> io::Result<()> {
        let Some(acceptor) = config.map(TlsAcceptor::from) else {
            return Err(io::Error::other(format!(
                "{command} without TLS configuration"
            )));
        };
        self.upgrade(&acceptor, limit).await
    }

    /// The TLS version and cipher suite, for the log.
    pub fn tls_summary(&self) -> Option<String> {
        let Self::Tls(tls) = self else {
            return None;
        };
        let (_, session) = tls.get_ref();
        Some(format!(
            "{:?} {:?}",
            session.protocol_version(),
            session.negotiated_cipher_suite().map(|s| s.suite())
        ))
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            Self::Gone => Poll::Ready(Ok(())),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            Self::Gone => Poll::Ready(Err(io::ErrorKind::NotConnected.into())),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_flush(cx),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
            Self::Gone => Poll::Ready(Ok(())),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            Self::Gone => Poll::Ready(Ok(())),
        }
    }
}
