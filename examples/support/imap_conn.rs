//! One IMAP connection: a socket (plain, then maybe TLS) wired to a sans-IO
//! `mailwire::imap::session::Server`, and the answers only a mailbox store
//! can give, from [`super::imap_store`].
//!
//! The session handles the protocol (states, tags, literals, `CAPABILITY`,
//! SASL, `IDLE`/`DONE`, `STARTTLS`, `LOGOUT`); this module checks
//! passwords against a list of users, each with their own [`Store`], and
//! answers the mailbox commands: `SELECT`/`EXAMINE`, `LIST`/`LSUB`,
//! `STATUS`, `CREATE`/`DELETE`/`RENAME`, `APPEND`, `FETCH`, `STORE`,
//! `COPY`, `MOVE`, `EXPUNGE`, `SEARCH` and their `UID` forms.
//! `ENVELOPE`, `BODYSTRUCTURE` and `BODY[…]` come from
//! `mailwire::imap::mime` over a message parsed by `mailwire::mime`.
//!
//! Changes to the selected mailbox (new messages, flags changed or
//! messages removed by another session or program) are announced at
//! `NOOP`, `CHECK`, after `APPEND`, `COPY`, `MOVE`, `EXPUNGE`, and while
//! idling, when the store's notifier fires or at each poll.

use std::io;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mailwire::imap::mime as imap_mime;
use mailwire::imap::session::{Request, Server, ServerConfig, ServerEvent};
use mailwire::imap::types::{
    Atom, Capability, Code, CommandBody, Data, Date, DateTime, FetchAttribute, FetchItem,
    FetchItems, Flag, ListAttribute, ListData, Mailbox, Namespace, Response, SearchKey, SeqItem,
    SeqNumber, SequenceSet, Status, StatusAttribute, StatusItem, StatusKind, StoreAction,
    StoreTarget, Text,
};
use mailwire::mime::Message;
use mailwire::sasl;
use tokio::io::AsyncReadExt;
use tokio::sync::watch;
use tokio::time::timeout;
use tracing::{info, warn};

use super::imap_store::{DELIMITER, Entry, Flags, Store, list_matches};
use super::maildir::Maildir;
use super::shutdown::Shutdown;
use super::stream::Stream;

/// A user and their mailboxes.
#[derive(Debug, Clone)]
pub struct User {
    /// The login name.
    pub name: String,
    /// The password.
    pub password: String,
    /// Their mailboxes.
    pub store: Store,
}

/// What every IMAP connection shares.
#[derive(Debug)]
pub struct Shared {
    /// Who may log in.
    pub users: Vec<User>,
    /// TLS for `STARTTLS`; `None` to not offer it.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Password logins only after `STARTTLS`.
    pub require_tls: bool,
    /// How long a connection may stay silent (RFC 9051 §5.4: at least 30
    /// minutes).
    pub idle_timeout: Duration,
    /// How often an idling session looks for changes made by other
    /// programs.
    pub poll: Duration,
    /// The largest message `APPEND` takes: announced as `APPENDLIMIT`
    /// (RFC 7889), a larger literal refused with `[TOOBIG]` before it
    /// is sent.
    pub max_append: u64,
    /// Raised when the server stops: sessions say `BYE` and close.
    pub shutdown: Shutdown,
}

/// Bound on the TLS handshake after `STARTTLS`.
const HANDSHAKE: Duration = Duration::from_secs(30);

/// While mail streams in, an idling session looks at its mailbox at most
/// this often (one look reports every change since the last); the first
/// change after a quiet spell is reported at once.
const IDLE_SYNC_INTERVAL: Duration = Duration::from_millis(200);

/// The selected mailbox.
struct Selected {
    name: String,
    folder: Maildir,
    read_only: bool,
    validity: u32,
    next: u32,
    entries: Vec<Entry>,
}

/// A connection and its session.
pub struct Conn {
    id: u64,
    stream: Stream,
    server: Server,
    shared: Arc<Shared>,
    user: Option<usize>,
    selected: Option<Selected>,
    idling: bool,
    changes: Option<watch::Receiver<u64>>,
    /// When a change notification last made an idling session look at
    /// its mailbox.
    last_wake: Option<tokio::time::Instant>,
}

fn text(s: &str) -> Text<'static> {
    Text::new(s.as_bytes().to_vec()).unwrap_or(Text::empty())
}

fn cap(name: &'static str) -> Option<Capability<'static>> {
    Atom::new(name).ok().map(Capability::new)
}

fn flag_list(flags: Flags, recent: bool) -> Vec<Flag<'static>> {
    let mut out = Vec::new();
    for (on, flag) in [
        (flags.seen, Flag::Seen),
        (flags.answered, Flag::Answered),
        (flags.flagged, Flag::Flagged),
        (flags.deleted, Flag::Deleted),
        (flags.draft, Flag::Draft),
        (recent, Flag::Recent),
    ] {
        if on {
            out.push(flag);
        }
    }
    out
}

fn flags_of(list: &[Flag<'_>]) -> Flags {
    let mut f = Flags::default();
    for flag in list {
        match flag {
            Flag::Seen => f.seen = true,
            Flag::Answered => f.answered = true,
            Flag::Flagged => f.flagged = true,
            Flag::Deleted => f.deleted = true,
            Flag::Draft => f.draft = true,
            _ => {}
        }
    }
    f
}

/// A mailbox name as the store knows it: `INBOX`, or the modified UTF-7
/// name as sent.
fn mailbox_name(mailbox: &Mailbox<'_>) -> Option<String> {
    if mailbox.is_inbox() {
        return Some("INBOX".to_owned());
    }
    let name = std::str::from_utf8(mailbox.as_bytes()).ok()?;
    Some(name.trim_end_matches(DELIMITER).to_owned())
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Seconds since the epoch of a file's modification time (the internal
/// date).
fn mtime(entry: &Entry) -> i64 {
    std::fs::metadata(&entry.file.path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

/// An internal date as IMAP writes it, in UTC.
fn internal_date(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    let date = Date::new(
        u16::try_from(y).unwrap_or(1970),
        u8::try_from(m).unwrap_or(1),
        u8::try_from(d).unwrap_or(1),
    );
    let time = (
        u8::try_from(rem / 3600).unwrap_or(0),
        u8::try_from(rem % 3600 / 60).unwrap_or(0),
        u8::try_from(rem % 60).unwrap_or(0),
    );
    date.and_then(|date| DateTime::new(date, time, 0))
        .map_or_else(
            || "01-Jan-1970 00:00:00 +0000".to_owned(),
            |dt| dt.to_string(),
        )
}

/// The calendar day (UTC) of an internal date.
fn day_of(secs: i64) -> (i64, i64, i64) {
    civil_from_days(secs.div_euclid(86_400))
}

fn date_key(d: Date) -> (i64, i64, i64) {
    (
        i64::from(d.year()),
        i64::from(d.month()),
        i64::from(d.day()),
    )
}

/// A set of UIDs for a response code, runs written as ranges.
fn uid_set(uids: &[u32]) -> Option<SequenceSet> {
    let mut items = Vec::new();
    let mut i = 0;
    while i < uids.len() {
        let start = uids[i];
        let mut end = start;
        while i + 1 < uids.len() && uids[i + 1] == end.wrapping_add(1) {
            i += 1;
            end = uids[i];
        }
        let s = SeqNumber::Value(NonZeroU32::new(start)?);
        items.push(if end == start {
            SeqItem::Single(s)
        } else {
            SeqItem::Range(s, SeqNumber::Value(NonZeroU32::new(end)?))
        });
        i += 1;
    }
    SequenceSet::from_items(items).ok()
}

/// Case-insensitive (ASCII) substring search.
fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || (hay.len() >= needle.len()
            && hay
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle)))
}

/// What a `SEARCH` key needs of one message, loaded when first asked.
struct Candidate<'e> {
    seq: u32,
    entry: &'e Entry,
    largest_seq: u32,
    largest_uid: u32,
    bytes: Option<Vec<u8>>,
    folder: &'e Maildir,
    store: &'e Store,
}

impl Candidate<'_> {
    fn bytes(&mut self) -> &[u8] {
        if self.bytes.is_none() {
            self.bytes = Some(self.store.read(self.folder, self.entry).unwrap_or_default());
        }
        self.bytes.as_deref().unwrap_or_default()
    }

    /// Whether a header field `name` of the message contains `needle`
    /// (encoded words decoded).
    fn header(&mut self, name: &[u8], needle: &[u8]) -> bool {
        let limits = mailwire::mime::Limits::default();
        let headers = mailwire::mime::decode::headers(self.bytes(), &limits);
        let name = String::from_utf8_lossy(name).into_owned();
        headers.get_all(&name).any(|f| {
            contains_ci(f.unstructured().as_bytes(), needle) || contains_ci(f.raw_value(), needle)
        })
    }

    fn sent_day(&mut self) -> Option<(i64, i64, i64)> {
        let limits = mailwire::mime::Limits::default();
        let headers = mailwire::mime::decode::headers(self.bytes(), &limits);
        let d = headers.get("date")?.date_time().ok()?;
        Some((
            i64::from(d.year()),
            i64::from(d.month()),
            i64::from(d.day()),
        ))
    }

    fn matches(&mut self, key: &SearchKey<'_>) -> bool {
        let f = self.entry.flags;
        match key {
            SearchKey::All => true,
            SearchKey::Answered => f.answered,
            SearchKey::Unanswered => !f.answered,
            SearchKey::Deleted => f.deleted,
            SearchKey::Undeleted => !f.deleted,
            SearchKey::Draft => f.draft,
            SearchKey::Undraft => !f.draft,
            SearchKey::Flagged => f.flagged,
            SearchKey::Unflagged => !f.flagged,
            SearchKey::Seen => f.seen,
            SearchKey::Unseen => !f.seen,
            SearchKey::Recent => self.entry.recent,
            SearchKey::Old => !self.entry.recent,
            SearchKey::New => self.entry.recent && !f.seen,
            SearchKey::Keyword(_) => false,
            SearchKey::Unkeyword(_) => true,
            SearchKey::Larger(n) => self.store.size(self.folder, self.entry) > *n,
            SearchKey::Smaller(n) => self.store.size(self.folder, self.entry) < *n,
            SearchKey::Before(d) => day_of(mtime(self.entry)) < date_key(*d),
            SearchKey::On(d) => day_of(mtime(self.entry)) == date_key(*d),
            SearchKey::Since(d) => day_of(mtime(self.entry)) >= date_key(*d),
            SearchKey::SentBefore(d) => self.sent_day().is_some_and(|s| s < date_key(*d)),
            SearchKey::SentOn(d) => self.sent_day().is_some_and(|s| s == date_key(*d)),
            SearchKey::SentSince(d) => self.sent_day().is_some_and(|s| s >= date_key(*d)),
            SearchKey::From(s) => self.header(b"from", s),
            SearchKey::To(s) => self.header(b"to", s),
            SearchKey::Cc(s) => self.header(b"cc", s),
            SearchKey::Bcc(s) => self.header(b"bcc", s),
            SearchKey::Subject(s) => self.header(b"subject", s),
            SearchKey::Header(name, s) => self.header(name, s),
            SearchKey::Body(s) => {
                let bytes = self.bytes();
                let limits = mailwire::mime::Limits::default();
                let start = mailwire::mime::decode::headers(bytes, &limits).body_start();
                contains_ci(bytes.get(start..).unwrap_or_default(), s)
            }
            SearchKey::Text(s) => {
                let s = s.clone();
                contains_ci(self.bytes(), &s)
            }
            SearchKey::Uid(set) => set.contains(self.entry.uid, self.largest_uid),
            SearchKey::SequenceSet(set) => set.contains(self.seq, self.largest_seq),
            SearchKey::Not(k) => !self.matches(k),
            SearchKey::Or(a, b) => self.matches(a) || self.matches(b),
            SearchKey::And(keys) => keys.iter().all(|k| self.matches(k)),
            SearchKey::Older(secs) => {
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
                now - mtime(self.entry) >= i64::from(*secs)
            }
            SearchKey::Younger(secs) => {
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
                now - mtime(self.entry) <= i64::from(*secs)
            }
            _ => false,
        }
    }
}

impl Conn {
    /// Serves one connection until it closes; logs how it ended. `stream`
    /// is plain, or already under TLS on an implicit-TLS port (993).
    pub async fn run(id: u64, peer: SocketAddr, stream: Stream, shared: Arc<Shared>) {
        let mut config = ServerConfig::default();
        config.greeting = text("mailwire IMAP example ready");
        config.capabilities = [
            "IMAP4rev1",
            "IDLE",
            "UIDPLUS",
            "MOVE",
            "UNSELECT",
            "NAMESPACE",
            "CHILDREN",
        ]
        .into_iter()
        .filter_map(cap)
        .collect();
        config.capabilities.extend(
            Atom::new(format!("APPENDLIMIT={}", shared.max_append))
                .ok()
                .map(Capability::new),
        );
        config.limits.literal_size = shared.max_append;
        config.enable = Vec::new();
        config.tls_active = stream.is_tls();
        config.starttls = shared.tls.is_some() && !stream.is_tls();
        config.plaintext_login = !shared.require_tls;
        config.mechanisms = vec![sasl::Mechanism::PLAIN, sasl::Mechanism::LOGIN];
        let server = Server::new(config);
        info!(conn = id, %peer, tls = stream.is_tls(), "connected");
        stream.no_delay();
        let mut conn = Conn {
            id,
            stream,
            server,
            shared,
            user: None,
            selected: None,
            idling: false,
            changes: None,
            last_wake: None,
        };
        match conn.serve().await {
            Ok(reason) => info!(conn = id, reason, "disconnected"),
            Err(e) => warn!(conn = id, error = %e, "connection failed"),
        }
        conn.stream.close(HANDSHAKE).await;
    }

    async fn flush(&mut self) -> io::Result<()> {
        while let Some(bytes) = self.server.poll_transmit() {
            self.stream.send(&bytes, self.shared.idle_timeout).await?;
        }
        self.stream.flush_within(self.shared.idle_timeout).await
    }

    async fn serve(&mut self) -> io::Result<&'static str> {
        let mut buf = vec![0u8; 64 * 1024];
        let mut shutdown = self.shared.shutdown.clone();
        loop {
            self.flush().await?;
            while let Some(event) = self.server.poll_event() {
                self.event(event).await?;
                self.flush().await?;
            }
            if self.server.is_closed() {
                return Ok("LOGOUT");
            }
            // Stopping: a command still arriving (an APPEND's literal) is
            // read to its end and answered first; the server waits for
            // its sessions a bounded time.
            let mid_command = self.server.buffered_input() > 0;
            if shutdown.is_set() && !mid_command {
                self.server.bye("server shutting down");
                self.flush().await?;
                return Ok("server stopping");
            }
            let read = if self.idling {
                let poll = self.shared.poll;
                let next_sync = self.last_wake.map(|t| t + IDLE_SYNC_INTERVAL);
                let changed = async {
                    match self.changes.as_mut() {
                        Some(rx) => {
                            if rx.changed().await.is_err() {
                                std::future::pending::<()>().await;
                            }
                        }
                        None => std::future::pending::<()>().await,
                    }
                    if let Some(next) = next_sync {
                        tokio::time::sleep_until(next).await;
                    }
                };
                let mut woke = false;
                let read = tokio::select! {
                    r = timeout(self.shared.idle_timeout, self.stream.read(&mut buf)) => Some(r),
                    _ = tokio::time::sleep(poll) => None,
                    _ = changed => {
                        woke = true;
                        None
                    }
                    () = shutdown.wait() => continue,
                };
                if woke {
                    self.last_wake = Some(tokio::time::Instant::now());
                }
                read
            } else {
                tokio::select! {
                    r = timeout(self.shared.idle_timeout, self.stream.read(&mut buf)) => Some(r),
                    () = shutdown.wait(), if !mid_command => continue,
                }
            };
            let Some(read) = read else {
                self.sync(true);
                continue;
            };
            let n = match read {
                Err(_) => {
                    self.server.bye("autologout; idle for too long");
                    self.flush().await?;
                    return Ok("idle timeout");
                }
                Ok(r) => r?,
            };
            if n == 0 {
                return Ok("closed by the client");
            }
            self.server.handle_input(buf.get(..n).unwrap_or_default());
        }
    }

    fn store(&self) -> Option<&Store> {
        self.user
            .and_then(|u| self.shared.users.get(u))
            .map(|u| &u.store)
    }

    async fn event(&mut self, event: ServerEvent) -> io::Result<()> {
        let id = self.id;
        match event {
            ServerEvent::Login {
                username, password, ..
            } => {
                let name = String::from_utf8_lossy(&username).into_owned();
                let user = self
                    .shared
                    .users
                    .iter()
                    .position(|u| u.name == name && u.password.as_bytes() == password.expose());
                self.login(name, "LOGIN", user);
            }
            ServerEvent::Authenticate {
                mechanism,
                credentials,
                ..
            } => {
                let name = credentials.username().unwrap_or_default().to_owned();
                let authzid_ok = match &credentials {
                    sasl::Credentials::Password { authzid, .. } => {
                        authzid.as_ref().is_none_or(|z| z.is_empty() || *z == name)
                    }
                    _ => true,
                };
                let user = self.shared.users.iter().position(|u| {
                    authzid_ok
                        && u.name == name
                        && credentials.verify_password(u.password.as_bytes())
                });
                self.login(name, &format!("AUTHENTICATE {mechanism}"), user);
            }
            ServerEvent::Command(request) => self.command(&request),
            ServerEvent::Idle { .. } => {
                self.idling = true;
                self.changes = self.store().map(|s| s.notifier().subscribe());
                // The IDLE command's own look; the first change after it is
                // reported at once.
                self.sync(true);
                self.last_wake = None;
            }
            ServerEvent::IdleDone { .. } => {
                self.idling = false;
                self.changes = None;
            }
            ServerEvent::StartTls { leftover } => {
                if !leftover.is_empty() {
                    warn!(
                        conn = id,
                        octets = leftover.len(),
                        "dropping bytes pipelined after STARTTLS"
                    );
                }
                self.flush().await?;
                self.start_tls().await?;
                info!(conn = id, "TLS established");
            }
            ServerEvent::Logout => info!(conn = id, "LOGOUT"),
            ServerEvent::Error(e) => warn!(conn = id, error = %e, "bad command"),
            other => info!(conn = id, event = ?other, "event"),
        }
        Ok(())
    }

    async fn start_tls(&mut self) -> io::Result<()> {
        self.stream
            .upgrade_with(self.shared.tls.clone(), "STARTTLS", HANDSHAKE)
            .await
    }

    fn login(&mut self, name: String, how: &str, user: Option<usize>) {
        match user {
            Some(u) => {
                info!(conn = self.id, user = %name, how, "logged in");
                self.user = Some(u);
                let _ = self.server.complete(StatusKind::Ok, None, "logged in");
            }
            None => {
                info!(conn = self.id, user = %name, how, "login refused");
                let _ = self.server.complete(
                    StatusKind::No,
                    Some(Code::AuthenticationFailed),
                    "authentication failed",
                );
            }
        }
    }

    fn ok(&mut self, code: Option<Code<'_>>, t: &str) {
        let _ = self.server.complete(StatusKind::Ok, code, t);
    }

    fn no(&mut self, code: Option<Code<'_>>, t: &str) {
        let _ = self.server.complete(StatusKind::No, code, t);
    }

    fn untagged_ok(&mut self, code: Code<'_>, t: &str) {
        if let Ok(s) = Status::new(None, StatusKind::Ok, Some(code), text(t)) {
            let _ = self.server.send_untagged(&Response::Status(s));
        }
    }

    fn command(&mut self, request: &Request) {
        let Ok(command) = request.command() else {
            let _ = self
                .server
                .complete(StatusKind::Bad, None, "cannot read the command");
            return;
        };
        let Some(store) = self.store().cloned() else {
            self.no(None, "not logged in");
            return;
        };
        let id = self.id;
        match command.body {
            CommandBody::Noop | CommandBody::Check => {
                self.sync(true);
                self.ok(None, "done");
            }
            CommandBody::Select { mailbox, .. } => self.select(&store, &mailbox, false),
            CommandBody::Examine { mailbox, .. } => self.select(&store, &mailbox, true),
            CommandBody::Create { mailbox, .. } => {
                let result = mailbox_name(&mailbox)
                    .ok_or_else(|| io::Error::other("bad name"))
                    .and_then(|n| store.create(&n));
                match result {
                    Ok(()) => self.ok(None, "CREATE completed"),
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                        self.no(Some(Code::AlreadyExists), "mailbox exists")
                    }
                    Err(e) => self.no(Some(Code::Cannot), &e.to_string()),
                }
            }
            CommandBody::Delete(mailbox) => {
                let name = mailbox_name(&mailbox).unwrap_or_default();
                if self.selected.as_ref().is_some_and(|s| s.name == name) {
                    self.selected = None;
                }
                match store.delete(&name) {
                    Ok(()) => self.ok(None, "DELETE completed"),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {
                        self.no(Some(Code::NonExistent), "no such mailbox")
                    }
                    Err(e) => self.no(Some(Code::Cannot), &e.to_string()),
                }
            }
            CommandBody::Rename { from, to } => {
                let (from, to) = (
                    mailbox_name(&from).unwrap_or_default(),
                    mailbox_name(&to).unwrap_or_default(),
                );
                match store.rename(&from, &to) {
                    Ok(()) => self.ok(None, "RENAME completed"),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {
                        self.no(Some(Code::NonExistent), "no such mailbox")
                    }
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                        self.no(Some(Code::AlreadyExists), "mailbox exists")
                    }
                    Err(e) => self.no(Some(Code::Cannot), &e.to_string()),
                }
            }
            CommandBody::Subscribe(_) | CommandBody::Unsubscribe(_) => {
                // Every mailbox counts as subscribed.
                self.ok(None, "done")
            }
            CommandBody::List {
                reference,
                patterns,
                ..
            } => {
                for pattern in &patterns {
                    self.list(&store, reference.as_bytes(), pattern, false);
                }
                self.ok(None, "LIST completed");
            }
            CommandBody::Lsub { reference, pattern } => {
                self.list(&store, reference.as_bytes(), &pattern, true);
                self.ok(None, "LSUB completed");
            }
            CommandBody::Namespace => {
                let _ = self.server.send_data(&Data::Namespace {
                    personal: vec![Namespace {
                        prefix: b""[..].into(),
                        delimiter: Some(DELIMITER),
                        extensions: Vec::new(),
                    }],
                    other: Vec::new(),
                    shared: Vec::new(),
                });
                self.ok(None, "NAMESPACE completed");
            }
            CommandBody::Status { mailbox, items } => self.status(&store, &mailbox, &items),
            CommandBody::Append {
                mailbox,
                flags,
                date,
                message,
            } => {
                let name = mailbox_name(&mailbox).unwrap_or_default();
                let Ok(folder) = store.folder(&name) else {
                    self.no(Some(Code::TryCreate), "no such mailbox");
                    return;
                };
                let secs = date.map(|d| {
                    let (y, m, day) = date_key(d.date());
                    let (h, mi, s) = d.time();
                    days_from_civil(y, m, day) * 86_400
                        + i64::from(h) * 3600
                        + i64::from(mi) * 60
                        + i64::from(s)
                        - i64::from(d.zone()) * 60
                });
                match store.append(&folder, &message.data, flags_of(&flags), secs) {
                    Ok((validity, uid)) => {
                        info!(conn = id, mailbox = %name, uid, octets = message.data.len(), "APPEND");
                        self.sync(true);
                        let code = uid_set(&[uid]).map(|uids| Code::AppendUid {
                            uid_validity: validity,
                            uids,
                        });
                        self.ok(code, "APPEND completed");
                    }
                    Err(e) => self.no(Some(Code::Cannot), &e.to_string()),
                }
            }
            CommandBody::Close | CommandBody::Unselect => {
                let close = matches!(command.body, CommandBody::Close);
                if let Some(sel) = self.selected.take()
                    && close
                    && !sel.read_only
                {
                    for e in sel.entries.iter().filter(|e| e.flags.deleted) {
                        let _ = store.remove(&sel.folder, e);
                    }
                }
                self.ok(None, "done");
            }
            CommandBody::Expunge => {
                self.expunge(&store, None);
                self.ok(None, "EXPUNGE completed");
            }
            CommandBody::UidExpunge(set) => {
                self.expunge(&store, Some(&set));
                self.ok(None, "UID EXPUNGE completed");
            }
            CommandBody::Search { uid, criteria, .. } => {
                let numbers = self.search(&store, &criteria, uid);
                let _ = self.server.send_data(&Data::Search {
                    numbers,
                    modseq: None,
                });
                self.ok(None, "SEARCH completed");
            }
            CommandBody::Fetch {
                uid, set, items, ..
            } => {
                self.fetch(&store, &set, uid, &items);
                self.ok(None, "FETCH completed");
            }
            CommandBody::Store {
                uid,
                set,
                action,
                silent,
                target,
                ..
            } => {
                let StoreTarget::Flags(flags) = target else {
                    self.no(None, "only flags can be stored");
                    return;
                };
                if self.selected.as_ref().is_some_and(|s| s.read_only) {
                    self.no(Some(Code::ReadOnly), "mailbox is read-only");
                    return;
                }
                self.store_flags(&store, &set, uid, action, silent, flags_of(&flags));
                self.ok(None, "STORE completed");
            }
            CommandBody::Copy { uid, set, mailbox } => {
                self.copy(&store, &set, uid, &mailbox, false);
            }
            CommandBody::Move { uid, set, mailbox } => {
                self.copy(&store, &set, uid, &mailbox, true);
            }
            other => {
                info!(conn = id, command = ?std::mem::discriminant(&other), "unsupported command");
                self.no(None, "command not supported");
            }
        }
    }

    fn select(&mut self, store: &Store, mailbox: &Mailbox<'_>, read_only: bool) {
        self.selected = None;
        let name = mailbox_name(mailbox).unwrap_or_default();
        let folder = match store.folder(&name) {
            Ok(f) => f,
            Err(_) => {
                self.no(Some(Code::NonExistent), "no such mailbox");
                return;
            }
        };
        let listing = match store.list(&folder) {
            Ok(l) => l,
            Err(e) => {
                self.no(Some(Code::ServerBug), &e.to_string());
                return;
            }
        };
        let mut entries = listing.entries;
        if !read_only {
            store.take_recent(&folder, &mut entries);
        }
        let recent = entries.iter().filter(|e| e.recent).count();
        let system = flag_list(
            Flags {
                seen: true,
                answered: true,
                flagged: true,
                deleted: true,
                draft: true,
            },
            false,
        );
        let _ = self.server.send_data(&Data::Flags(system.clone()));
        let _ = self.server.send_data(&Data::Exists(
            u32::try_from(entries.len()).unwrap_or(u32::MAX),
        ));
        let _ = self
            .server
            .send_data(&Data::Recent(u32::try_from(recent).unwrap_or(u32::MAX)));
        if let Some(first) = entries.iter().position(|e| !e.flags.seen) {
            self.untagged_ok(
                Code::Unseen(u32::try_from(first + 1).unwrap_or(u32::MAX)),
                "first unseen",
            );
        }
        self.untagged_ok(Code::UidValidity(listing.validity), "UIDs valid");
        self.untagged_ok(Code::UidNext(listing.next), "predicted next UID");
        self.untagged_ok(
            Code::PermanentFlags(if read_only { Vec::new() } else { system }),
            "flags kept",
        );
        info!(conn = self.id, mailbox = %name, messages = entries.len(), read_only, "selected");
        self.selected = Some(Selected {
            name,
            folder,
            read_only,
            validity: listing.validity,
            next: listing.next,
            entries,
        });
        let (code, t) = if read_only {
            (Code::ReadOnly, "EXAMINE completed")
        } else {
            (Code::ReadWrite, "SELECT completed")
        };
        self.ok(Some(code), t);
    }

    fn list(&mut self, store: &Store, reference: &[u8], pattern: &[u8], lsub: bool) {
        let wrap = |attributes, name: &str| {
            let data = ListData {
                attributes,
                delimiter: Some(DELIMITER),
                mailbox: Mailbox::from_bytes(name.as_bytes().to_vec()).unwrap_or(Mailbox::Inbox),
                extended: Vec::new(),
            };
            if lsub {
                Data::Lsub(data)
            } else {
                Data::List(data)
            }
        };
        if pattern.is_empty() && !lsub {
            let _ = self
                .server
                .send_data(&wrap(vec![ListAttribute::NoSelect], ""));
            return;
        }
        let mut full = reference.to_vec();
        full.extend_from_slice(pattern);
        let names = store.mailboxes().unwrap_or_default();
        // Parents implied by a folder's name are listed as \Noselect.
        let mut all: Vec<(String, bool)> = names.iter().map(|n| (n.clone(), true)).collect();
        for n in &names {
            let mut at = 0;
            while let Some(p) = n[at..].find(DELIMITER) {
                let parent = &n[..at + p];
                if !all.iter().any(|(a, _)| a == parent) {
                    all.push((parent.to_owned(), false));
                }
                at += p + 1;
            }
        }
        all.sort();
        for (name, exists) in &all {
            let matched = if name == "INBOX" {
                let upper: Vec<u8> = full
                    .iter()
                    .enumerate()
                    .map(|(i, b)| if i < 5 { b.to_ascii_uppercase() } else { *b })
                    .collect();
                list_matches(&upper, name.as_bytes())
            } else {
                list_matches(&full, name.as_bytes())
            };
            if !matched {
                continue;
            }
            let prefix = format!("{name}{DELIMITER}");
            let children = all.iter().any(|(a, _)| a.starts_with(&prefix));
            let mut attributes = vec![if children {
                ListAttribute::HasChildren
            } else {
                ListAttribute::HasNoChildren
            }];
            if !exists {
                attributes.push(ListAttribute::NoSelect);
            }
            let _ = self.server.send_data(&wrap(attributes, name));
        }
    }

    fn status(&mut self, store: &Store, mailbox: &Mailbox<'_>, items: &[StatusAttribute<'_>]) {
        let name = mailbox_name(mailbox).unwrap_or_default();
        let listing = match store.folder(&name).and_then(|f| Ok((store.list(&f)?, f))) {
            Ok(l) => l,
            Err(_) => {
                self.no(Some(Code::NonExistent), "no such mailbox");
                return;
            }
        };
        let (listing, folder) = listing;
        let count = |f: &dyn Fn(&Entry) -> bool| {
            u32::try_from(listing.entries.iter().filter(|e| f(e)).count()).unwrap_or(u32::MAX)
        };
        let values = items
            .iter()
            .filter_map(|item| {
                Some(match item {
                    StatusAttribute::Messages => StatusItem::Messages(count(&|_| true)),
                    StatusAttribute::UidNext => StatusItem::UidNext(listing.next),
                    StatusAttribute::UidValidity => StatusItem::UidValidity(listing.validity),
                    StatusAttribute::Unseen => StatusItem::Unseen(count(&|e| !e.flags.seen)),
                    StatusAttribute::Deleted => StatusItem::Deleted(count(&|e| e.flags.deleted)),
                    StatusAttribute::Recent => StatusItem::Recent(count(&|e| e.recent)),
                    StatusAttribute::Size => StatusItem::Size(
                        listing.entries.iter().map(|e| store.size(&folder, e)).sum(),
                    ),
                    _ => return None,
                })
            })
            .collect();
        let _ = self.server.send_data(&Data::Status {
            mailbox: mailbox.clone(),
            items: values,
        });
        self.ok(None, "STATUS completed");
    }

    /// Indexes of the messages a set names.
    fn resolve(&self, set: &SequenceSet, uid: bool) -> Vec<usize> {
        let Some(sel) = &self.selected else {
            return Vec::new();
        };
        if uid {
            let largest = sel.entries.last().map_or(0, |e| e.uid);
            (0..sel.entries.len())
                .filter(|&i| set.contains(sel.entries[i].uid, largest))
                .collect()
        } else {
            let largest = u32::try_from(sel.entries.len()).unwrap_or(u32::MAX);
            (0..sel.entries.len())
                .filter(|&i| set.contains(u32::try_from(i + 1).unwrap_or(u32::MAX), largest))
                .collect()
        }
    }

    fn search(&mut self, store: &Store, criteria: &[SearchKey<'_>], uid: bool) -> Vec<u32> {
        let Some(sel) = &self.selected else {
            return Vec::new();
        };
        let largest_seq = u32::try_from(sel.entries.len()).unwrap_or(u32::MAX);
        let largest_uid = sel.entries.last().map_or(0, |e| e.uid);
        let mut out = Vec::new();
        for (i, entry) in sel.entries.iter().enumerate() {
            let seq = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let mut c = Candidate {
                seq,
                entry,
                largest_seq,
                largest_uid,
                bytes: None,
                folder: &sel.folder,
                store,
            };
            if criteria.iter().all(|k| c.matches(k)) {
                out.push(if uid { entry.uid } else { seq });
            }
        }
        out
    }

    fn fetch(&mut self, store: &Store, set: &SequenceSet, uid: bool, items: &FetchItems<'_>) {
        use FetchAttribute as A;
        let attrs: Vec<FetchAttribute<'_>> = match items {
            FetchItems::All => vec![A::Flags, A::InternalDate, A::Rfc822Size, A::Envelope],
            FetchItems::Fast => vec![A::Flags, A::InternalDate, A::Rfc822Size],
            FetchItems::Full => vec![
                A::Flags,
                A::InternalDate,
                A::Rfc822Size,
                A::Envelope,
                A::Body,
            ],
            FetchItems::List(list) => list.clone(),
        };
        let needs_content = attrs.iter().any(|a| {
            matches!(
                a,
                A::Envelope
                    | A::Body
                    | A::BodyStructure
                    | A::BodySection { .. }
                    | A::Rfc822
                    | A::Rfc822Header
                    | A::Rfc822Text
            )
        });
        let sets_seen = attrs.iter().any(|a| {
            matches!(
                a,
                A::BodySection { peek: false, .. } | A::Rfc822 | A::Rfc822Text
            )
        });
        for index in self.resolve(set, uid) {
            let Some(sel) = self.selected.as_mut() else {
                return;
            };
            let mut flags_changed = false;
            if sets_seen && !sel.read_only && !sel.entries[index].flags.seen {
                let entry = sel.entries[index].clone();
                let flags = Flags {
                    seen: true,
                    ..entry.flags
                };
                if let Ok(e) = store.set_flags(&sel.folder, &entry, flags) {
                    sel.entries[index] = e;
                    flags_changed = true;
                }
            }
            let entry = sel.entries[index].clone();
            let bytes = if needs_content {
                store.read(&sel.folder, &entry).unwrap_or_default()
            } else {
                Vec::new()
            };
            let message = Message::parse(&bytes);
            let mut out: Vec<FetchItem<'_>> = Vec::new();
            if uid && !attrs.contains(&A::Uid) {
                out.push(FetchItem::Uid(entry.uid));
            }
            for attr in &attrs {
                let item = match attr {
                    A::Uid => FetchItem::Uid(entry.uid),
                    A::Flags => FetchItem::Flags(flag_list(entry.flags, entry.recent)),
                    A::InternalDate => {
                        FetchItem::InternalDate(internal_date(mtime(&entry)).into_bytes().into())
                    }
                    A::Rfc822Size => FetchItem::Rfc822Size(if bytes.is_empty() {
                        store.size(&sel.folder, &entry)
                    } else {
                        bytes.len() as u64
                    }),
                    A::Envelope => FetchItem::Envelope(Box::new(imap_mime::envelope(&message))),
                    A::Body => {
                        FetchItem::Body(Box::new(imap_mime::body_structure(&message, false)))
                    }
                    A::BodyStructure => FetchItem::BodyStructure(Box::new(
                        imap_mime::body_structure(&message, true),
                    )),
                    A::BodySection {
                        section, partial, ..
                    } => {
                        let data = imap_mime::section(&message, section).unwrap_or_default();
                        let (origin, data) = match partial {
                            Some(p) => (
                                Some(u32::try_from(p.offset).unwrap_or(u32::MAX)),
                                imap_mime::partial(&data, p.offset, p.count.get()).to_vec(),
                            ),
                            None => (None, data.into_owned()),
                        };
                        FetchItem::BodySection {
                            section: section.clone(),
                            origin,
                            data: Some(data.into()),
                        }
                    }
                    A::Rfc822 => FetchItem::Rfc822(Some(bytes.as_slice().into())),
                    A::Rfc822Header => {
                        FetchItem::Rfc822Header(Some(message.root().header_raw().into()))
                    }
                    A::Rfc822Text => FetchItem::Rfc822Text(Some(message.root().body_raw().into())),
                    _ => continue,
                };
                out.push(item);
            }
            if flags_changed && !attrs.contains(&A::Flags) {
                out.push(FetchItem::Flags(flag_list(entry.flags, entry.recent)));
            }
            let seq = u32::try_from(index + 1).unwrap_or(u32::MAX);
            let _ = self.server.send_data(&Data::Fetch { seq, items: out });
        }
    }

    fn store_flags(
        &mut self,
        store: &Store,
        set: &SequenceSet,
        uid: bool,
        action: StoreAction,
        silent: bool,
        flags: Flags,
    ) {
        for index in self.resolve(set, uid) {
            let Some(sel) = self.selected.as_mut() else {
                return;
            };
            let entry = sel.entries[index].clone();
            let old = entry.flags;
            let new = match action {
                StoreAction::Replace => flags,
                StoreAction::Add => Flags {
                    seen: old.seen || flags.seen,
                    answered: old.answered || flags.answered,
                    flagged: old.flagged || flags.flagged,
                    deleted: old.deleted || flags.deleted,
                    draft: old.draft || flags.draft,
                },
                StoreAction::Remove => Flags {
                    seen: old.seen && !flags.seen,
                    answered: old.answered && !flags.answered,
                    flagged: old.flagged && !flags.flagged,
                    deleted: old.deleted && !flags.deleted,
                    draft: old.draft && !flags.draft,
                },
            };
            if new != old {
                match store.set_flags(&sel.folder, &entry, new) {
                    Ok(e) => sel.entries[index] = e,
                    Err(e) => warn!(conn = self.id, error = %e, "cannot store flags"),
                }
            }
            if !silent {
                let e = &sel.entries[index];
                let mut items = vec![FetchItem::Flags(flag_list(e.flags, e.recent))];
                if uid {
                    items.insert(0, FetchItem::Uid(e.uid));
                }
                let seq = u32::try_from(index + 1).unwrap_or(u32::MAX);
                let _ = self.server.send_data(&Data::Fetch { seq, items });
            }
        }
    }

    /// Removes the `\Deleted` messages (those of `uids` only, if given),
    /// sending `EXPUNGE` for each.
    fn expunge(&mut self, store: &Store, uids: Option<&SequenceSet>) {
        let Some(sel) = self.selected.as_mut() else {
            return;
        };
        if sel.read_only {
            return;
        }
        let largest = sel.entries.last().map_or(0, |e| e.uid);
        let mut index = sel.entries.len();
        while index > 0 {
            index -= 1;
            let e = &sel.entries[index];
            if e.flags.deleted && uids.is_none_or(|set| set.contains(e.uid, largest)) {
                if let Err(err) = store.remove(&sel.folder, e) {
                    warn!(conn = self.id, error = %err, "cannot remove");
                    continue;
                }
                sel.entries.remove(index);
                let seq = u32::try_from(index + 1).unwrap_or(u32::MAX);
                let _ = self.server.send_data(&Data::Expunge(seq));
            }
        }
        store.notifier().notify();
    }

    fn copy(
        &mut self,
        store: &Store,
        set: &SequenceSet,
        uid: bool,
        mailbox: &Mailbox<'_>,
        mv: bool,
    ) {
        let name = mailbox_name(mailbox).unwrap_or_default();
        let Ok(target) = store.folder(&name) else {
            self.no(Some(Code::TryCreate), "no such mailbox");
            return;
        };
        let indexes = self.resolve(set, uid);
        let Some(sel) = self.selected.as_mut() else {
            return;
        };
        if mv && sel.read_only {
            self.no(Some(Code::ReadOnly), "mailbox is read-only");
            return;
        }
        let entries: Vec<Entry> = indexes.iter().map(|&i| sel.entries[i].clone()).collect();
        let (validity, new_uids) = match store.copy(&sel.folder, &entries, &target) {
            Ok(r) => r,
            Err(e) => {
                self.no(Some(Code::Cannot), &e.to_string());
                return;
            }
        };
        let source: Vec<u32> = entries.iter().map(|e| e.uid).collect();
        let code = match (uid_set(&source), uid_set(&new_uids)) {
            (Some(source), Some(destination)) => Some(Code::CopyUid {
                uid_validity: validity,
                source,
                destination,
            }),
            _ => None,
        };
        info!(conn = self.id, to = %name, messages = entries.len(), moved = mv, "COPY");
        if !mv {
            self.sync(true);
            self.ok(code, "COPY completed");
            return;
        }
        if let Some(code) = code {
            self.untagged_ok(code, "moved");
        }
        if let Some(sel) = self.selected.as_mut() {
            for &index in indexes.iter().rev() {
                let _ = store.remove(&sel.folder, &sel.entries[index]);
                sel.entries.remove(index);
                let seq = u32::try_from(index + 1).unwrap_or(u32::MAX);
                let _ = self.server.send_data(&Data::Expunge(seq));
            }
        }
        self.sync(true);
        self.ok(None, "MOVE completed");
    }

    /// Brings the selected mailbox up to date with the disk, telling the
    /// client what changed.
    fn sync(&mut self, expunges: bool) {
        let Some(store) = self.store().cloned() else {
            return;
        };
        let Some(sel) = self.selected.as_mut() else {
            return;
        };
        let Ok(listing) = store.list(&sel.folder) else {
            return;
        };
        sel.validity = listing.validity;
        sel.next = listing.next;
        let mut fresh = listing.entries;
        // The listing by unique name: a sync costs one pass over the
        // mailbox, not one per message.
        let by_unique: std::collections::HashMap<&str, &Entry> =
            fresh.iter().map(|f| (f.file.unique.as_str(), f)).collect();
        if expunges {
            let mut index = sel.entries.len();
            while index > 0 {
                index -= 1;
                let unique = sel.entries[index].file.unique.as_str();
                if !by_unique.contains_key(unique) {
                    sel.entries.remove(index);
                    let seq = u32::try_from(index + 1).unwrap_or(u32::MAX);
                    let _ = self.server.send_data(&Data::Expunge(seq));
                }
            }
        }
        for (index, e) in sel.entries.iter_mut().enumerate() {
            if let Some(f) = by_unique.get(e.file.unique.as_str()) {
                e.file = f.file.clone();
                if f.flags != e.flags {
                    e.flags = f.flags;
                    let seq = u32::try_from(index + 1).unwrap_or(u32::MAX);
                    let _ = self.server.send_data(&Data::Fetch {
                        seq,
                        items: vec![
                            FetchItem::Uid(e.uid),
                            FetchItem::Flags(flag_list(e.flags, e.recent)),
                        ],
                    });
                }
            }
        }
        let last = sel.entries.last().map_or(0, |e| e.uid);
        fresh.retain(|f| f.uid > last);
        if !fresh.is_empty() {
            if !sel.read_only {
                store.take_recent(&sel.folder, &mut fresh);
            }
            sel.entries.extend(fresh);
            let _ = self.server.send_data(&Data::Exists(
                u32::try_from(sel.entries.len()).unwrap_or(u32::MAX),
            ));
            let recent = sel.entries.iter().filter(|e| e.recent).count();
            let _ = self
                .server
                .send_data(&Data::Recent(u32::try_from(recent).unwrap_or(u32::MAX)));
        }
    }
}
