//! One POP3 connection, for every example server that serves mail: a
//! socket (plain, then maybe TLS) wired to a sans-IO `session::Server`,
//! and the answers only the server can give (passwords, the maildrop,
//! message contents, removals).
//!
//! Which Maildir a user reads is the server's choice, behind [`Maildrops`]:
//! one shared Maildir (`pop3-server`) or one per user (`mailserver`).

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mailwire::pop3::session::{Server, ServerConfig, ServerEvent, verify_apop};
use mailwire::pop3::types::{Capability, MessageNumber, Response, ResponseCode, Status, Text};
use mailwire::sasl;
use tokio::io::AsyncReadExt;
use tokio::time::timeout;
use tracing::{info, warn};

use super::maildir::{Maildir, MessageFile};
use super::pop3_store::{CrlfFilter, Entry, LockGuard, Locks, Snapshot, TopFilter};
use super::shutdown::Shutdown;
use super::stream::Stream;

/// Which Maildir a user's maildrop is.
pub trait Maildrops: Send + Sync {
    /// The maildrop of `user`, who has just proved their password.
    fn maildrop(&self, user: &str) -> Option<Maildir>;
}

/// Every user shares one Maildir (and so one lock).
#[derive(Debug)]
pub struct OneMaildrop(pub Maildir);

impl Maildrops for OneMaildrop {
    fn maildrop(&self, _user: &str) -> Option<Maildir> {
        Some(self.0.clone())
    }
}

/// What every POP3 connection of a server shares.
pub struct Pop3Shared {
    /// `(name, password)` pairs.
    pub users: Vec<(String, String)>,
    /// Where each user's mail is.
    pub maildrops: Arc<dyn Maildrops>,
    /// Open maildrops.
    pub locks: Locks,
    /// TLS for `STLS` (and implicit TLS), `None` without.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Offer `STLS`.
    pub stls: bool,
    /// Put an APOP timestamp in the greeting.
    pub apop: bool,
    /// How long a connection may stay silent.
    pub idle: Duration,
    /// The host name in APOP timestamps.
    pub host: String,
    /// The `IMPLEMENTATION` capability.
    pub implementation: &'static str,
    /// Raised when the server stops.
    pub shutdown: Shutdown,
}

/// Bound on the TLS handshake after `STLS`.
const HANDSHAKE: Duration = Duration::from_secs(30);
/// Size of the pieces a message is read and sent in.
const PIECE: usize = 64 * 1024;

/// A connection and its session.
pub struct Conn {
    id: u64,
    stream: Stream,
    server: Server,
    shared: Arc<Pop3Shared>,
    user: Option<String>,
    maildir: Option<Maildir>,
    snapshot: Option<Snapshot>,
    _lock: Option<LockGuard>,
}

fn text(s: &str) -> Text<'static> {
    Text::new(s.as_bytes().to_vec()).unwrap_or_default()
}

fn err(code: Option<ResponseCode<'static>>, s: &str) -> Response<'static> {
    Response::new(Status::Err, code, text(s)).expect("these texts never start with '['")
}

impl Conn {
    /// Serves one connection until it closes; logs how it ended. `stream`
    /// is plain, or already under TLS on an implicit-TLS port.
    /// `plaintext_login`: passwords accepted before `STLS`.
    pub async fn run(
        id: u64,
        peer: SocketAddr,
        stream: Stream,
        shared: Arc<Pop3Shared>,
        plaintext_login: bool,
    ) {
        let mut config = ServerConfig::default();
        config.greeting = text("mailwire POP3 example ready");
        if shared.apop {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            config.timestamp = Some(
                format!(
                    "<{}.{}.{}@{}>",
                    std::process::id(),
                    id,
                    now.as_nanos(),
                    shared.host
                )
                .into_bytes(),
            );
        }
        config
            .capabilities
            .push(Capability::Implementation(text(shared.implementation)));
        config.tls_active = stream.is_tls();
        if shared.stls && shared.tls.is_some() && !stream.is_tls() {
            config.capabilities.push(Capability::Stls);
        }
        config.mechanisms = vec![
            sasl::Mechanism::PLAIN,
            sasl::Mechanism::LOGIN,
            sasl::Mechanism::CRAM_MD5,
        ];
        config.plaintext_login = plaintext_login;
        let server = match Server::new(config) {
            Ok(s) => s,
            Err(e) => {
                warn!(conn = id, error = %e, "cannot make the session");
                return;
            }
        };
        info!(conn = id, %peer, tls = stream.is_tls(), "connected");
        // Replies are small and answer a client that waits for them.
        stream.no_delay();
        let mut conn = Conn {
            id,
            stream,
            server,
            shared,
            user: None,
            maildir: None,
            snapshot: None,
            _lock: None,
        };
        match conn.serve().await {
            Ok(reason) => info!(conn = id, reason, "disconnected"),
            Err(e) => warn!(conn = id, error = %e, "connection failed"),
        }
        conn.stream.close(HANDSHAKE).await;
    }

    /// Writes what the session has to send.
    async fn flush(&mut self) -> io::Result<()> {
        while let Some(bytes) = self.server.poll_transmit() {
            self.stream.send(&bytes, self.shared.idle).await?;
        }
        self.stream.flush_within(self.shared.idle).await
    }

    async fn serve(&mut self) -> io::Result<&'static str> {
        let mut buf = vec![0u8; 16 * 1024];
        let mut shutdown = self.shared.shutdown.clone();
        loop {
            self.flush().await?;
            while let Some(event) = self.server.poll_event() {
                self.event(event).await?;
                self.flush().await?;
            }
            if self.server.is_closed() {
                return Ok("QUIT");
            }
            if shutdown.is_set() {
                // Like a dropped connection: no UPDATE, nothing removed.
                return Ok("server stopping");
            }
            let read = tokio::select! {
                read = timeout(self.shared.idle, self.stream.read(&mut buf)) => read,
                () = shutdown.wait() => continue,
            };
            let n = match read {
                Err(_) => {
                    // RFC 1939 §3: no response, no UPDATE.
                    info!(conn = self.id, "idle timeout: closing without UPDATE");
                    return Ok("idle timeout");
                }
                Ok(read) => read?,
            };
            if n == 0 {
                return Ok("closed by the client");
            }
            self.server.handle_input(buf.get(..n).unwrap_or_default());
        }
    }

    async fn event(&mut self, event: ServerEvent) -> io::Result<()> {
        let id = self.id;
        match event {
            ServerEvent::Login { user, password } => {
                let name = String::from_utf8_lossy(user.as_bytes()).into_owned();
                let ok = self
                    .shared
                    .users
                    .iter()
                    .any(|(u, p)| *u == name && p.as_bytes() == password.expose());
                self.login(name, "USER/PASS", ok).await;
            }
            ServerEvent::Apop { name, digest } => {
                let name = String::from_utf8_lossy(name.as_bytes()).into_owned();
                let ts = self.server.timestamp().unwrap_or_default().to_vec();
                let ok = self
                    .shared
                    .users
                    .iter()
                    .any(|(u, p)| *u == name && verify_apop(&ts, p.as_bytes(), &digest));
                self.login(name, "APOP", ok).await;
            }
            ServerEvent::Auth {
                mechanism,
                credentials,
            } => {
                let name = credentials.username().unwrap_or_default().to_owned();
                let authzid_ok = match &credentials {
                    sasl::Credentials::Password { authzid, .. } => {
                        authzid.as_ref().is_none_or(|z| z.is_empty() || *z == name)
                    }
                    _ => true,
                };
                let ok = authzid_ok
                    && self.shared.users.iter().any(|(u, p)| {
                        *u == name
                            && (credentials.verify_password(p.as_bytes())
                                || credentials.verify_cram_md5(p.as_bytes()))
                    });
                let how = format!("AUTH {mechanism}");
                self.login(name, &how, ok).await;
            }
            ServerEvent::Retr { msg, size } => {
                info!(conn = id, msg = msg.get(), size, "RETR");
                self.message(msg, None).await?;
            }
            ServerEvent::Top { msg, lines } => {
                info!(conn = id, msg = msg.get(), lines, "TOP");
                self.message(msg, Some(lines)).await?;
            }
            ServerEvent::Update { deleted } => {
                let (removed, failed) = self.update(&deleted).await;
                info!(conn = id, removed, failed, "UPDATE");
                let response = if failed == 0 {
                    let left = self.snapshot.as_ref().map_or(0, |s| s.entries.len()) - removed;
                    let t = text(&format!("bye ({left} messages left)"));
                    Response::new(Status::Ok, None, t).expect("the text starts with 'bye'")
                } else {
                    err(
                        Some(ResponseCode::SysTemp),
                        &format!("{failed} messages could not be removed"),
                    )
                };
                let _ = self.server.send(response);
            }
            ServerEvent::Command(command) => {
                info!(conn = id, command = %String::from_utf8_lossy(command.keyword()), "unsupported command");
                let _ = self.server.send(err(None, "command not supported"));
            }
            ServerEvent::StartTls { leftover } => {
                if !leftover.is_empty() {
                    warn!(
                        conn = id,
                        octets = leftover.len(),
                        "dropping bytes pipelined after STLS"
                    );
                }
                self.flush().await?;
                self.start_tls().await?;
                info!(conn = id, "TLS established");
            }
            ServerEvent::Error(e) => {
                warn!(conn = id, error = %e, "bad command line");
            }
            ServerEvent::Closed => {
                info!(
                    conn = id,
                    user = self.user.as_deref().unwrap_or(""),
                    "session closed"
                );
            }
            other => {
                info!(conn = id, event = ?other, "event");
            }
        }
        Ok(())
    }

    async fn start_tls(&mut self) -> io::Result<()> {
        self.stream
            .upgrade_with(self.shared.tls.clone(), "STLS", HANDSHAKE)
            .await
    }

    /// Answers a login the session asked about.
    async fn login(&mut self, name: String, how: &str, ok: bool) {
        let id = self.id;
        if !ok {
            info!(conn = id, user = %name, how, "login refused");
            let _ = self
                .server
                .send(err(Some(ResponseCode::Auth), "authentication failed"));
            return;
        }
        let Some(maildir) = self.shared.maildrops.maildrop(&name) else {
            warn!(conn = id, user = %name, how, "no maildrop for the user");
            let _ = self
                .server
                .send(err(Some(ResponseCode::SysTemp), "cannot open the maildrop"));
            return;
        };
        let Some(lock) = self.shared.locks.try_lock(maildir.root().to_path_buf()) else {
            info!(conn = id, user = %name, how, "login refused: maildrop in use");
            let _ = self.server.send(err(
                Some(ResponseCode::InUse),
                "maildrop already locked by another session",
            ));
            return;
        };
        let listed = maildir.clone();
        let snapshot = tokio::task::spawn_blocking(move || Snapshot::take(&listed)).await;
        match snapshot {
            Ok(Ok(snapshot)) => {
                let t = text(&format!(
                    "{name}'s maildrop has {} messages ({} octets)",
                    snapshot.entries.len(),
                    snapshot.size()
                ));
                info!(conn = id, user = %name, how, messages = snapshot.entries.len(), octets = snapshot.size(), "logged in");
                if self.server.accept_login(snapshot.maildrop(), t).is_ok() {
                    self.snapshot = Some(snapshot);
                    self._lock = Some(lock);
                    self.maildir = Some(maildir);
                    self.user = Some(name);
                }
            }
            Ok(Err(e)) => {
                warn!(conn = id, user = %name, error = %e, "cannot list the maildrop");
                let _ = self
                    .server
                    .send(err(Some(ResponseCode::SysTemp), "cannot open the maildrop"));
            }
            Err(e) => {
                warn!(conn = id, error = %e, "listing task failed");
                let _ = self
                    .server
                    .send(err(Some(ResponseCode::SysTemp), "cannot open the maildrop"));
            }
        }
    }

    fn entry(&self, msg: MessageNumber) -> Option<Entry> {
        let index = usize::try_from(msg.get()).ok()?.checked_sub(1)?;
        self.snapshot.as_ref()?.entries.get(index).cloned()
    }

    /// Where the message's file is now: where it was at login, or, if
    /// another program moved it (`new/` to `cur/`, flags changed), found
    /// again by its unique name.
    async fn locate(&self, entry: &Entry) -> Option<MessageFile> {
        if tokio::fs::metadata(&entry.file.path).await.is_ok() {
            return Some(entry.file.clone());
        }
        let maildir = self.maildir.clone()?;
        let unique = entry.file.unique.clone();
        tokio::task::spawn_blocking(move || {
            maildir
                .messages()
                .ok()?
                .into_iter()
                .find(|m| m.unique == unique)
        })
        .await
        .ok()
        .flatten()
    }

    /// Opens the message's file, found again if another program (an IMAP
    /// session of the same server) moves it between the look and the open.
    async fn open(&self, entry: &Entry) -> io::Result<tokio::fs::File> {
        for _ in 0..4 {
            let Some(file) = self.locate(entry).await else {
                break;
            };
            match tokio::fs::File::open(&file.path).await {
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                other => return other,
            }
        }
        Err(io::ErrorKind::NotFound.into())
    }

    /// Sends message `msg` (all of it, or `TOP`'s part), read from its file
    /// in pieces, each written out before the next is read.
    async fn message(&mut self, msg: MessageNumber, top: Option<u32>) -> io::Result<()> {
        let Some(entry) = self.entry(msg) else {
            let _ = self.server.send(err(None, "no such message"));
            return Ok(());
        };
        let mut file = match self.open(&entry).await {
            Ok(f) => f,
            Err(e) => {
                warn!(conn = self.id, msg = msg.get(), error = %e, "cannot open the message");
                let _ = self
                    .server
                    .send(err(Some(ResponseCode::SysTemp), "message unavailable"));
                return Ok(());
            }
        };
        let head = match top {
            None => format!("{} octets", entry.wire_size),
            Some(_) => "top of message follows".to_owned(),
        };
        if self.server.begin_message(text(&head)).is_err() {
            return Ok(());
        }
        let mut crlf = entry.bare_lf.then(CrlfFilter::default);
        let mut top = top.map(TopFilter::new);
        let mut buf = vec![0u8; PIECE];
        let mut converted = Vec::new();
        loop {
            if top.as_ref().is_some_and(TopFilter::is_done) {
                break;
            }
            let n = file.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            let mut piece = buf.get(..n).unwrap_or_default();
            if let Some(filter) = &mut crlf {
                converted.clear();
                filter.push(piece, &mut converted);
                piece = &converted;
            }
            if let Some(filter) = &mut top {
                piece = filter.take(piece);
            }
            let _ = self.server.send_message_chunk(piece);
            self.flush().await?;
        }
        let _ = self.server.finish_message();
        Ok(())
    }

    /// Removes the messages marked deleted; gives (removed, failed).
    async fn update(&mut self, deleted: &[MessageNumber]) -> (usize, usize) {
        let mut removed = 0;
        let mut failed = 0;
        'messages: for &msg in deleted {
            let Some(entry) = self.entry(msg) else {
                continue;
            };
            // Found again if it is moved (new/ to cur/, flags changed)
            // between the look and the removal.
            for _ in 0..4 {
                let Some(file) = self.locate(&entry).await else {
                    // Already gone: what the client asked for.
                    removed += 1;
                    continue 'messages;
                };
                match std::fs::remove_file(&file.path) {
                    Ok(()) => {
                        removed += 1;
                        continue 'messages;
                    }
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => {
                        warn!(conn = self.id, msg = msg.get(), error = %e, "cannot remove");
                        failed += 1;
                        continue 'messages;
                    }
                }
            }
            warn!(
                conn = self.id,
                msg = msg.get(),
                "cannot remove: moved while removed"
            );
            failed += 1;
        }
        (removed, failed)
    }
}
