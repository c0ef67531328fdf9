//! One connection: the socket's bytes through a `session::Server`, the
//! session's questions answered, the messages delivered.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use mailwire::sasl::Credentials;
use mailwire::smtp::session::{HelloKind, Server, ServerEvent};
use mailwire::smtp::types::{EnhancedStatusCode, Reply, ReplyCode, ReplyText};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::Shared;
use crate::received;

/// Why [`drive`] returned.
enum Outcome {
    /// The connection is over.
    Closed,
    /// `STARTTLS` was answered `220`: run the handshake.
    StartTls,
}

/// The connection's state beside the session.
struct Conn {
    id: u64,
    peer: SocketAddr,
    shared: Arc<Shared>,
    server: Server,
    /// The name from `EHLO`/`HELO`, and which it was.
    helo: String,
    hello: Option<HelloKind>,
    /// The transaction: reverse-path, recipients, message so far.
    from: String,
    smtputf8: bool,
    recipients: Vec<String>,
    body: Vec<u8>,
    user: Option<String>,
    tls: bool,
    messages: u64,
}

/// Serves one connection to its end.
pub(crate) async fn run(tcp: TcpStream, peer: SocketAddr, id: u64, shared: Arc<Shared>) {
    let _ = tcp.set_nodelay(true);
    let mut conn = Conn {
        id,
        peer,
        server: Server::new(shared.config.clone()),
        shared,
        helo: String::new(),
        hello: None,
        from: String::new(),
        smtputf8: false,
        recipients: Vec::new(),
        body: Vec::new(),
        user: None,
        tls: false,
        messages: 0,
    };
    tracing::info!(session = id, %peer, "connected");
    conn.server.greeting();
    let mut tcp = tcp;
    let outcome = drive(&mut tcp, &mut conn).await;
    let outcome = match outcome {
        Ok(Outcome::StartTls) => starttls(tcp, &mut conn).await,
        other => other,
    };
    match outcome {
        Ok(_) => tracing::info!(session = id, messages = conn.messages, "disconnected"),
        Err(e) => tracing::warn!(session = id, error = %e, "connection failed"),
    }
}

/// The TLS handshake after `STARTTLS`, then the rest of the session
/// through TLS.
async fn starttls(tcp: TcpStream, conn: &mut Conn) -> io::Result<Outcome> {
    let Some(acceptor) = conn.shared.tls.clone() else {
        return Ok(Outcome::Closed);
    };
    let mut tls = match timeout(conn.shared.idle, acceptor.accept(tcp)).await {
        Err(_) => return Err(io::Error::new(io::ErrorKind::TimedOut, "TLS handshake")),
        Ok(result) => result?,
    };
    let (_, session) = tls.get_ref();
    tracing::info!(
        session = conn.id,
        version = ?session.protocol_version(),
        cipher = ?session.negotiated_cipher_suite().map(|s| s.suite()),
        "TLS established"
    );
    conn.tls = true;
    conn.hello = None;
    conn.user = None;
    conn.server.tls_established();
    match drive(&mut tls, conn).await? {
        Outcome::Closed => Ok(Outcome::Closed),
        Outcome::StartTls => Err(io::Error::other("STARTTLS inside TLS")),
    }
}

/// Reads, hands the bytes to the session, answers its events and writes
/// its replies, until the connection ends or TLS starts.
async fn drive<S: AsyncRead + AsyncWrite + Unpin>(
    io: &mut S,
    conn: &mut Conn,
) -> io::Result<Outcome> {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let mut starttls = false;
        while let Some(event) = conn.server.poll_event() {
            starttls |= conn.event(event).await;
        }
        flush(io, &mut conn.server).await?;
        if starttls {
            return Ok(Outcome::StartTls);
        }
        if conn.server.is_closed() {
            let _ = io.shutdown().await;
            return Ok(Outcome::Closed);
        }
        let n = match timeout(conn.shared.idle, io.read(&mut buf)).await {
            Ok(read) => read?,
            Err(_) => {
                tracing::info!(session = conn.id, "idle timeout");
                conn.server.shutdown(&reply(
                    421,
                    (4, 4, 2),
                    "Idle timeout, closing transmission channel",
                ));
                flush(io, &mut conn.server).await?;
                let _ = io.shutdown().await;
                return Ok(Outcome::Closed);
            }
        };
        if n == 0 {
            tracing::info!(session = conn.id, "client closed the connection");
            return Ok(Outcome::Closed);
        }
        conn.server.handle_input(buf.get(..n).unwrap_or_default());
    }
}

async fn flush<S: AsyncWrite + Unpin>(io: &mut S, server: &mut Server) -> io::Result<()> {
    while let Some(bytes) = server.poll_transmit() {
        io.write_all(&bytes).await?;
    }
    io.flush().await
}

/// A reply with an enhanced status code.
fn reply(code: u16, (c, s, d): (u8, u16, u16), text: &str) -> Reply<'static> {
    let code = ReplyCode::new(code).unwrap_or(ReplyCode::TRANSACTION_FAILED);
    let text = ReplyText::new(text.as_bytes().to_vec()).unwrap_or(ReplyText::empty());
    let plain = Reply::from_lines(code, text, Vec::new());
    match EnhancedStatusCode::new(c, s, d) {
        Some(esc) => plain.clone().with_enhanced(esc).unwrap_or(plain),
        None => plain,
    }
}

impl Conn {
    /// Answers one event; true for `STARTTLS`.
    async fn event(&mut self, event: ServerEvent) -> bool {
        let id = self.id;
        match event {
            ServerEvent::Hello { kind, host } => {
                tracing::info!(session = id, ?kind, %host, "hello");
                self.helo = host.to_string();
                self.hello = Some(kind);
                self.accept();
            }
            ServerEvent::Mail { from, params } => {
                tracing::info!(
                    session = id,
                    %from,
                    size = ?params.size,
                    body = ?params.body,
                    smtputf8 = params.smtputf8,
                    "mail"
                );
                self.from = from.to_string();
                self.smtputf8 = params.smtputf8;
                self.recipients.clear();
                self.body.clear();
                self.accept();
            }
            ServerEvent::Rcpt { to, .. } => {
                tracing::info!(session = id, %to, "rcpt");
                self.recipients.push(to.to_string());
                self.accept();
            }
            ServerEvent::DataStart => {
                tracing::info!(session = id, "data");
                self.body.clear();
                self.accept();
            }
            ServerEvent::BdatStart { size, last } => {
                tracing::info!(session = id, size, last, "bdat");
            }
            ServerEvent::DataChunk(bytes) => self.body.extend_from_slice(&bytes),
            ServerEvent::DataEnd {
                size,
                refused: Some(refusal),
            } => {
                tracing::info!(session = id, size, ?refusal, "message refused");
                self.body.clear();
            }
            ServerEvent::DataEnd {
                size,
                refused: None,
            } => self.deliver(size).await,
            ServerEvent::Auth {
                mechanism,
                credentials,
            } => self.auth(mechanism.as_str(), &credentials),
            ServerEvent::StartTls { leftover } => {
                if leftover.is_empty() {
                    tracing::info!(session = id, "starttls");
                } else {
                    // RFC 3207 §4: never read as if it came through TLS.
                    tracing::warn!(
                        session = id,
                        discarded = leftover.len(),
                        "starttls: octets pipelined after STARTTLS discarded"
                    );
                }
                return true;
            }
            ServerEvent::Reset => tracing::info!(session = id, "rset"),
            ServerEvent::Quit => tracing::info!(session = id, "quit"),
            ServerEvent::Other(command) => {
                tracing::info!(session = id, verb = command.verb(), "other command");
                self.accept();
            }
            ServerEvent::Error(error) => tracing::info!(session = id, %error, "refused"),
            other => {
                tracing::info!(session = id, event = ?other, "event");
                self.accept();
            }
        }
        false
    }

    fn accept(&mut self) {
        if self.server.is_pending() {
            let _ = self.server.accept();
        }
    }

    fn send(&mut self, reply: &Reply<'_>) {
        let _ = self.server.send(reply);
    }

    fn auth(&mut self, mechanism: &str, credentials: &Credentials) {
        let ok = match credentials {
            Credentials::Password {
                authzid, authcid, ..
            } => {
                authzid
                    .as_ref()
                    .is_none_or(|z| z.is_empty() || z == authcid)
                    && self.shared.users.iter().any(|(name, pass)| {
                        name == authcid && credentials.verify_password(pass.as_bytes())
                    })
            }
            _ => false,
        };
        let user = credentials.username().unwrap_or_default().to_owned();
        if ok {
            tracing::info!(session = self.id, mechanism, %user, "authenticated");
            self.user = Some(user);
            self.accept();
        } else {
            tracing::warn!(session = self.id, mechanism, %user, "authentication failed");
            self.send(&reply(535, (5, 7, 8), "Authentication credentials invalid"));
        }
    }

    /// The message has ended and the session accepted its framing: store
    /// it with the trace headers, and answer.
    async fn deliver(&mut self, size: u64) {
        self.messages += 1;
        let queue_id = format!("{}.{}", self.id, self.messages);
        let trace = received::Trace {
            from: &self.from,
            helo: &self.helo,
            peer: self.peer.ip(),
            by: self.shared.config.hostname.as_str(),
            protocol: received::protocol(
                self.hello == Some(HelloKind::Ehlo),
                self.smtputf8,
                self.tls,
                self.user.is_some(),
            ),
            id: &queue_id,
            recipients: &self.recipients,
        };
        let mut message = trace.headers(std::time::SystemTime::now()).into_bytes();
        message.extend_from_slice(&self.body);
        self.body.clear();
        let maildir = self.shared.maildir.clone();
        let stored = tokio::task::spawn_blocking(move || maildir.deliver(&message)).await;
        match stored {
            Ok(Ok(unique)) => {
                tracing::info!(
                    session = self.id,
                    size,
                    recipients = self.recipients.len(),
                    file = %unique,
                    "delivered"
                );
                self.send(&reply(250, (2, 0, 0), &format!("OK queued as {unique}")));
            }
            Ok(Err(e)) => {
                tracing::error!(session = self.id, error = %e, "delivery failed");
                self.send(&reply(451, (4, 3, 0), "Local error in processing"));
            }
            Err(e) => {
                tracing::error!(session = self.id, error = %e, "delivery task failed");
                self.send(&reply(451, (4, 3, 0), "Local error in processing"));
            }
        }
    }
}
