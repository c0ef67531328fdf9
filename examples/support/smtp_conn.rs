//! One SMTP connection, for every example server that receives mail: the
//! socket's bytes through a `session::Server`, the session's questions
//! answered, each message delivered atomically into the Maildir of each
//! of its recipients before the `250`.
//!
//! Where mail goes is the server's choice, behind [`Mailboxes`]: one
//! Maildir for everything (`smtp-server`), or one per local user
//! (`mailserver`).

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use mailwire::sasl::Credentials;
use mailwire::smtp::session::{HelloKind, Server, ServerConfig, ServerEvent};
use mailwire::smtp::types::{
    EnhancedStatusCode, ForwardPath, MailParams, Notify, RcptParams, Reply, ReplyCode, ReplyText,
    ReversePath,
};
use tokio::io::AsyncReadExt;
use tokio::time::timeout;

use super::maildir::Maildir;
use super::received;
use super::shutdown::Shutdown;
use super::stream::Stream;

/// Where the mail for a recipient goes.
#[derive(Debug, Clone)]
pub enum Route {
    /// Into this Maildir, here.
    Local(Maildir),
    /// To another server: the message is queued with
    /// [`Mailboxes::queue`] and relayed.
    Remote,
}

/// Who is sending, for the choice of [`Mailboxes::route`].
#[derive(Debug, Clone, Copy)]
pub struct Submitter<'a> {
    /// The authenticated user, if any.
    pub user: Option<&'a str>,
    /// The client's address.
    pub peer: IpAddr,
}

/// A message for the recipients that go to another server, with its
/// trace header, as [`Mailboxes::queue`] receives it.
#[derive(Debug)]
pub struct Outbound<'a> {
    /// The reverse-path.
    pub from: &'a ReversePath<'static>,
    /// The `MAIL` parameters as the client gave them.
    pub params: &'a MailParams<'static>,
    /// The remote recipients with their `RCPT` parameters.
    pub recipients: &'a [(ForwardPath<'static>, RcptParams<'static>)],
    /// The message, beginning with this server's `Received:` field.
    pub message: &'a [u8],
}

/// Where the mail for a recipient goes.
pub trait Mailboxes: Send + Sync {
    /// Where `to` goes, or the reply that refuses it (`550 5.1.1`,
    /// `550 5.7.1`…).
    fn route(&self, to: &ForwardPath<'_>, by: &Submitter<'_>) -> Result<Route, Reply<'static>>;

    /// Stores `message` for relaying, durably, before the `250`; gives
    /// the queue id. Only called for recipients [`Self::route`] sent to
    /// [`Route::Remote`].
    fn queue(&self, message: &Outbound<'_>) -> io::Result<String> {
        let _ = message;
        Err(io::Error::other("this server does not relay"))
    }

    /// Called after a local delivery with the recipients that asked for
    /// a notice of it (`NOTIFY=SUCCESS`, RFC 3461), and the message as
    /// delivered: where a server that announces `DSN` sends its
    /// "delivered" notice. Blocks on the file system.
    fn notify_delivered(&self, message: &Outbound<'_>) {
        let _ = message;
    }

    /// Called once a message is safely in `maildir` as `unique`, before
    /// the `250`: where a server tells its readers (IMAP `IDLE`).
    fn delivered(&self, maildir: &Maildir, unique: &str) {
        let _ = (maildir, unique);
    }
}

/// Every recipient into one Maildir.
#[derive(Debug)]
pub struct OneMaildir(pub Maildir);

impl Mailboxes for OneMaildir {
    fn route(&self, _to: &ForwardPath<'_>, _by: &Submitter<'_>) -> Result<Route, Reply<'static>> {
        Ok(Route::Local(self.0.clone()))
    }
}

/// What every SMTP connection of a server shares.
pub struct SmtpShared {
    /// Users and passwords for `AUTH`.
    pub users: Vec<(String, String)>,
    /// TLS for `STARTTLS`.
    pub tls: Option<tokio_rustls::TlsAcceptor>,
    /// How long a client may stay silent (and a write may take).
    pub idle: Duration,
    /// Where mail goes.
    pub mailboxes: Arc<dyn Mailboxes>,
    /// The software named in the `Received:` header.
    pub software: &'static str,
    /// The most `Received:` fields a message may arrive with; more is a
    /// loop (RFC 5321 §6.3), refused with `554 5.4.6`.
    pub max_hops: usize,
    /// Raised when the server stops.
    pub shutdown: Shutdown,
}

/// The connection's state beside the session.
struct Conn {
    id: u64,
    peer: SocketAddr,
    shared: Arc<SmtpShared>,
    server: Server,
    hostname: String,
    /// The name from `EHLO`/`HELO`, and which it was.
    helo: String,
    hello: Option<HelloKind>,
    /// The transaction: reverse-path, recipients and their Maildirs,
    /// message so far.
    from: String,
    smtputf8: bool,
    recipients: Vec<String>,
    maildirs: Vec<Maildir>,
    /// The reverse-path and `MAIL` parameters as given, and the
    /// recipients that go to another server, with their parameters.
    mail: Option<(ReversePath<'static>, MailParams<'static>)>,
    remote: Vec<(ForwardPath<'static>, RcptParams<'static>)>,
    /// Local recipients that asked for a notice of delivery.
    notify_success: Vec<(ForwardPath<'static>, RcptParams<'static>)>,
    body: Vec<u8>,
    /// Between `354` (or the first `BDAT`) and the end of the message.
    in_message: bool,
    user: Option<String>,
    messages: u64,
}

/// Serves one connection to its end. `stream` is plain, or already under
/// TLS on an implicit-TLS port (then `config.tls_active` is set).
pub async fn run(
    stream: Stream,
    peer: SocketAddr,
    id: u64,
    shared: Arc<SmtpShared>,
    config: ServerConfig,
) {
    let mut stream = stream;
    stream.no_delay();
    let hostname = config.hostname.as_str().to_owned();
    let mut conn = Conn {
        id,
        peer,
        server: Server::new(config),
        shared,
        hostname,
        helo: String::new(),
        hello: None,
        from: String::new(),
        smtputf8: false,
        recipients: Vec::new(),
        maildirs: Vec::new(),
        mail: None,
        remote: Vec::new(),
        notify_success: Vec::new(),
        body: Vec::new(),
        in_message: false,
        user: None,
        messages: 0,
    };
    tracing::info!(session = id, %peer, tls = stream.is_tls(), "connected");
    conn.server.greeting();
    match conn.drive(&mut stream).await {
        Ok(()) => tracing::info!(session = id, messages = conn.messages, "disconnected"),
        Err(e) => tracing::warn!(session = id, error = %e, "connection failed"),
    }
    stream.close(Duration::from_secs(5)).await;
}

/// A reply with an enhanced status code.
pub fn reply(code: u16, (c, s, d): (u8, u16, u16), text: &str) -> Reply<'static> {
    let code = ReplyCode::new(code).unwrap_or(ReplyCode::TRANSACTION_FAILED);
    let text = ReplyText::new(text.as_bytes().to_vec()).unwrap_or(ReplyText::empty());
    let plain = Reply::from_lines(code, text, Vec::new());
    match EnhancedStatusCode::new(c, s, d) {
        Some(esc) => plain.clone().with_enhanced(esc).unwrap_or(plain),
        None => plain,
    }
}

impl Conn {
    /// Reads, hands the bytes to the session, answers its events and
    /// writes its replies, until the connection ends.
    async fn drive(&mut self, io: &mut Stream) -> io::Result<()> {
        let mut buf = vec![0u8; 64 * 1024];
        let mut shutdown = self.shared.shutdown.clone();
        loop {
            let mut starttls = false;
            while let Some(event) = self.server.poll_event() {
                starttls |= self.event(event).await;
            }
            self.flush(io).await?;
            if starttls {
                self.starttls(io).await?;
                continue;
            }
            if self.server.is_closed() {
                return Ok(());
            }
            // Stopping: a message being received is read to its end and
            // delivered first; otherwise the client is told now.
            if shutdown.is_set() && !self.in_message {
                tracing::info!(session = self.id, "server stopping: closing");
                self.server.shutdown(&reply(
                    421,
                    (4, 3, 2),
                    "Server shutting down, try again later",
                ));
                return self.flush(io).await;
            }
            let read = tokio::select! {
                read = timeout(self.shared.idle, io.read(&mut buf)) => read,
                () = shutdown.wait(), if !self.in_message => continue,
            };
            let n = match read {
                Ok(read) => read?,
                Err(_) => {
                    tracing::info!(session = self.id, "idle timeout");
                    self.server.shutdown(&reply(
                        421,
                        (4, 4, 2),
                        "Idle timeout, closing transmission channel",
                    ));
                    return self.flush(io).await;
                }
            };
            if n == 0 {
                tracing::info!(session = self.id, "client closed the connection");
                if self.in_message {
                    tracing::info!(session = self.id, "message abandoned before its end");
                }
                return Ok(());
            }
            self.server.handle_input(buf.get(..n).unwrap_or_default());
        }
    }

    /// Writes what the session has to send; a client that stops reading
    /// is as idle as one that stops writing.
    async fn flush(&mut self, io: &mut Stream) -> io::Result<()> {
        while let Some(bytes) = self.server.poll_transmit() {
            io.send(&bytes, self.shared.idle).await?;
        }
        io.flush_within(self.shared.idle).await
    }

    /// The TLS handshake after `STARTTLS`; the session goes on through TLS.
    async fn starttls(&mut self, io: &mut Stream) -> io::Result<()> {
        let Some(acceptor) = self.shared.tls.clone() else {
            return Err(io::Error::other("STARTTLS without TLS configuration"));
        };
        io.upgrade(&acceptor, self.shared.idle).await?;
        tracing::info!(
            session = self.id,
            tls = io.tls_summary().unwrap_or_default(),
            "TLS established"
        );
        self.hello = None;
        self.user = None;
        self.server.tls_established();
        Ok(())
    }

    /// Answers one event; true for `STARTTLS`.
    async fn event(&mut self, event: ServerEvent) -> bool {
        let id = self.id;
        match event {
            ServerEvent::Hello { kind, host } => {
                tracing::info!(session = id, ?kind, %host, "hello");
                self.helo = host.to_string();
                self.hello = Some(kind);
                self.reset();
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
                self.reset();
                self.from = from.to_string();
                self.smtputf8 = params.smtputf8;
                self.mail = Some((from, params));
                self.accept();
            }
            ServerEvent::Rcpt { to, params } => {
                let by = Submitter {
                    user: self.user.as_deref(),
                    peer: self.peer.ip(),
                };
                match self.shared.mailboxes.route(&to, &by) {
                    Ok(Route::Local(maildir)) => {
                        tracing::info!(session = id, %to, "rcpt");
                        self.recipients.push(to.to_string());
                        if matches!(params.notify, Some(Notify::On(on)) if on.success()) {
                            self.notify_success.push((to, params));
                        }
                        if !self.maildirs.iter().any(|m| m.root() == maildir.root()) {
                            self.maildirs.push(maildir);
                        }
                        self.accept();
                    }
                    Ok(Route::Remote) => {
                        tracing::info!(session = id, %to, "rcpt (relay)");
                        self.recipients.push(to.to_string());
                        self.remote.push((to, params));
                        self.accept();
                    }
                    Err(refusal) => {
                        tracing::info!(session = id, %to, code = %refusal.code(), "rcpt refused");
                        self.send(&refusal);
                    }
                }
            }
            ServerEvent::DataStart => {
                tracing::info!(session = id, "data");
                self.body.clear();
                self.in_message = true;
                self.accept();
            }
            ServerEvent::BdatStart { size, last } => {
                tracing::info!(session = id, size, last, "bdat");
                self.in_message = true;
            }
            ServerEvent::DataChunk(bytes) => self.body.extend_from_slice(&bytes),
            ServerEvent::DataEnd {
                size,
                refused: Some(refusal),
            } => {
                tracing::info!(session = id, size, ?refusal, "message refused");
                self.in_message = false;
                self.body.clear();
            }
            ServerEvent::DataEnd {
                size,
                refused: None,
            } => {
                self.deliver(size).await;
                self.in_message = false;
            }
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
            ServerEvent::Reset => {
                tracing::info!(session = id, "rset");
                self.reset();
            }
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

    /// Forgets the transaction.
    fn reset(&mut self) {
        self.from.clear();
        self.smtputf8 = false;
        self.recipients.clear();
        self.maildirs.clear();
        self.mail = None;
        self.remote.clear();
        self.notify_success.clear();
        self.body.clear();
        self.in_message = false;
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
    /// it with the trace headers in each local recipient's Maildir and,
    /// for the remote ones, in the relay queue; then answer. A message
    /// that has made too many hops is refused (a loop).
    async fn deliver(&mut self, size: u64) {
        self.messages += 1;
        let hops = received::hops(&self.body);
        if hops > self.shared.max_hops {
            tracing::warn!(session = self.id, hops, "mail loop: message refused");
            self.body.clear();
            self.send(&reply(
                554,
                (5, 4, 6),
                "Too many hops: routing loop detected",
            ));
            return;
        }
        let queue_id = format!("{}.{}", self.id, self.messages);
        let trace = received::Trace {
            from: &self.from,
            helo: &self.helo,
            peer: self.peer.ip(),
            by: &self.hostname,
            software: self.shared.software,
            protocol: received::protocol(
                self.hello == Some(HelloKind::Ehlo),
                self.smtputf8,
                self.server.is_tls(),
                self.user.is_some(),
            ),
            id: &queue_id,
            recipients: &self.recipients,
        };
        let received = trace.received(std::time::SystemTime::now());
        let return_path = format!("Return-Path: {}\r\n", self.from);
        let body = std::mem::take(&mut self.body);
        let maildirs = self.maildirs.clone();
        let remote = std::mem::take(&mut self.remote);
        let notify_success = std::mem::take(&mut self.notify_success);
        let mail = self.mail.clone();
        let shared = Arc::clone(&self.shared);
        // Written and synced under tmp/, renamed into new/ (and into the
        // queue), before the 250.
        let stored =
            tokio::task::spawn_blocking(move || -> io::Result<(Vec<String>, Option<String>)> {
                let mut files = Vec::new();
                if !maildirs.is_empty() {
                    let mut message =
                        Vec::with_capacity(return_path.len() + received.len() + body.len());
                    message.extend_from_slice(return_path.as_bytes());
                    message.extend_from_slice(received.as_bytes());
                    message.extend_from_slice(&body);
                    for maildir in &maildirs {
                        files.push(maildir.deliver(&message)?);
                    }
                    if let (false, Some((from, params))) = (notify_success.is_empty(), &mail) {
                        shared.mailboxes.notify_delivered(&Outbound {
                            from,
                            params,
                            recipients: &notify_success,
                            message: &message,
                        });
                    }
                }
                let mut queued = None;
                if let (false, Some((from, params))) = (remote.is_empty(), &mail) {
                    let mut message = Vec::with_capacity(received.len() + body.len());
                    message.extend_from_slice(received.as_bytes());
                    message.extend_from_slice(&body);
                    queued = Some(shared.mailboxes.queue(&Outbound {
                        from,
                        params,
                        recipients: &remote,
                        message: &message,
                    })?);
                }
                Ok((files, queued))
            })
            .await;
        if let Ok(Ok((files, _))) = &stored {
            for (maildir, unique) in self.maildirs.iter().zip(files) {
                self.shared.mailboxes.delivered(maildir, unique);
            }
        }
        match stored {
            Ok(Ok((files, queued))) => {
                let first = files.first().cloned().unwrap_or_default();
                let id = queued.clone().unwrap_or_else(|| first.clone());
                tracing::info!(
                    session = self.id,
                    size,
                    recipients = self.recipients.len(),
                    files = files.len(),
                    file = %first,
                    queued = queued.as_deref().unwrap_or("-"),
                    "delivered"
                );
                self.send(&reply(250, (2, 0, 0), &format!("OK queued as {id}")));
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
