//! The server side of a POP3 session.

use std::collections::VecDeque;

use bytes::{BufMut, Bytes, BytesMut};
use mailwire_sasl as sasl;

use super::State;
use crate::Limits;
use crate::decode::{CommandDecoder, DecodeError};
use crate::encode::{BodyEncoder, Encode};
use crate::types::{
    Argument, Body, Capability, Challenge, Command, CommandKind, Digest, Greeting, Mechanism,
    MessageNumber, MultiLine, Password, Response, SaslData, SaslResponse, ScanListing, Status,
    Text, UniqueId, UniqueIdListing, ValueError,
};

/// How a [`Server`] greets, what it offers and what it accepts.
///
/// The defaults: the greeting `POP3 server ready` with no APOP timestamp;
/// the capabilities `TOP`, `USER`, `UIDL`, `PIPELINING` and `RESP-CODES`;
/// the SASL mechanism `PLAIN`; password logins allowed without TLS; TLS not
/// active; [`Limits::default`] and [`mailwire_sasl::Limits::default`].
///
/// ```
/// use mailwire_pop3::session::ServerConfig;
/// use mailwire_pop3::types::Capability;
/// let mut config = ServerConfig::default();
/// config.timestamp = Some(b"<1896.697170952@dbc.mtview.ca.us>".to_vec());
/// config.capabilities.push(Capability::Stls);
/// config.plaintext_login = false; // USER/PASS and AUTH only after STLS
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerConfig {
    /// The text of the `+OK` greeting (RFC 1939 §4), before the timestamp.
    pub greeting: Text<'static>,
    /// A timestamp unique to this connection, `<` visible characters `>`,
    /// such as `<1896.697170952@dbc.mtview.ca.us>` (RFC 1939 §7). When set
    /// it ends the greeting, `APOP` is accepted, and it is the challenge of
    /// `CRAM-MD5` (RFC 2195 §2). The session has no clock or randomness:
    /// the application makes it.
    pub timestamp: Option<Vec<u8>>,
    /// What `CAPA` lists (RFC 2449 §5). The session enforces what it
    /// implements: `USER`/`PASS` are accepted only when [`Capability::User`]
    /// is here, `STLS` only when [`Capability::Stls`] is, `UTF8` only when
    /// [`Capability::Utf8`] is. `STLS` is not listed once TLS is active; a
    /// `SASL` entry is replaced by the one made from `mechanisms`.
    pub capabilities: Vec<Capability<'static>>,
    /// The SASL mechanisms offered to `AUTH` (RFC 5034), run by
    /// [`mailwire_sasl::Server`]. Mechanisms that crate does not implement,
    /// and `CRAM-MD5` without a `timestamp`, are left out.
    pub mechanisms: Vec<sasl::Mechanism>,
    /// Whether `USER`/`PASS` and `AUTH` are accepted (and listed) before
    /// TLS is active. `APOP` never shows the secret and is not affected.
    pub plaintext_login: bool,
    /// TLS is active from the start (port 995, RFC 8314).
    pub tls_active: bool,
    /// Limits on what the client sends.
    pub limits: Limits,
    /// Limits on SASL responses.
    pub sasl_limits: sasl::Limits,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            greeting: Text::new(&b"POP3 server ready"[..]).unwrap_or_default(),
            timestamp: None,
            capabilities: vec![
                Capability::Top,
                Capability::User,
                Capability::Uidl,
                Capability::Pipelining,
                Capability::RespCodes,
            ],
            mechanisms: vec![sasl::Mechanism::PLAIN],
            plaintext_login: true,
            tls_active: false,
            limits: Limits::default(),
            sasl_limits: sasl::Limits::default(),
        }
    }
}

/// What the server knows about one message of the maildrop.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MessageInfo {
    /// Its exact size in octets, as it will be sent (CRLF line ends, before
    /// dot-stuffing; RFC 1939 §11).
    pub size: u64,
    /// Its unique-id (RFC 1939 §7), for `UIDL`.
    pub uid: Option<UniqueId<'static>>,
}

impl MessageInfo {
    /// A message of `size` octets without a unique-id.
    pub const fn new(size: u64) -> Self {
        Self { size, uid: None }
    }

    /// The same message with the unique-id `uid`.
    pub fn with_uid(mut self, uid: UniqueId<'static>) -> Self {
        self.uid = Some(uid);
        self
    }
}

/// The maildrop as the session sees it from login to `QUIT`: sizes and
/// unique-ids, message 1 first. The session answers `STAT`, `LIST`,
/// `UIDL`, `DELE`, `RSET` and `NOOP` from it, and checks message numbers
/// before asking the application for `RETR` or `TOP`.
///
/// ```
/// use mailwire_pop3::session::{Maildrop, MessageInfo};
/// let drop = Maildrop::new(vec![MessageInfo::new(120), MessageInfo::new(200)]).unwrap();
/// assert_eq!((drop.len(), drop.size()), (2, 320));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Maildrop {
    messages: Vec<MessageInfo>,
}

impl Maildrop {
    /// A maildrop of these messages; refused when there are more than a
    /// message number can count (`u32::MAX`).
    pub fn new(messages: Vec<MessageInfo>) -> Result<Self, ValueError> {
        if u32::try_from(messages.len()).is_err() {
            return Err(ValueError::OutOfRange {
                what: "number of messages",
            });
        }
        Ok(Self { messages })
    }

    /// The number of messages.
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// True when there is no message.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// The total size of the messages.
    pub fn size(&self) -> u64 {
        self.messages.iter().map(|m| m.size).sum()
    }

    /// Message `msg`, if there is one.
    pub fn get(&self, msg: MessageNumber) -> Option<&MessageInfo> {
        usize::try_from(msg.get() - 1)
            .ok()
            .and_then(|i| self.messages.get(i))
    }
}

/// What the client did that the application acts on.
///
/// The requests ([`Login`](Self::Login), [`Apop`](Self::Apop),
/// [`Auth`](Self::Auth), [`Retr`](Self::Retr), [`Top`](Self::Top),
/// [`Update`](Self::Update), [`Command`](Self::Command)) wait for the
/// application's answer; until it comes, the session reads no further
/// command, so pipelined commands are answered in order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerEvent {
    /// `USER` then `PASS` (RFC 1939 §7). Answer with
    /// [`Server::accept_login`] or a `-ERR` through [`Server::send`].
    Login {
        /// The mailbox named by `USER`.
        user: Argument<'static>,
        /// The password (its `Debug` is redacted).
        password: Password<'static>,
    },
    /// `APOP` (RFC 1939 §7): check the digest with
    /// [`verify_apop`](super::verify_apop) and [`Server::timestamp`], then
    /// answer as for [`Login`](Self::Login).
    Apop {
        /// The mailbox.
        name: Argument<'static>,
        /// The client's digest.
        digest: Digest,
    },
    /// A SASL exchange (RFC 5034) completed: check the credentials, then
    /// answer as for [`Login`](Self::Login).
    Auth {
        /// The mechanism used.
        mechanism: sasl::Mechanism,
        /// What the client proved.
        credentials: sasl::Credentials,
    },
    /// `RETR` of a message that exists and is not deleted. Answer with
    /// [`Server::begin_message`], [`Server::send_message_chunk`]s and
    /// [`Server::finish_message`], or a `-ERR` through [`Server::send`].
    Retr {
        /// The message.
        msg: MessageNumber,
        /// Its size, from the maildrop.
        size: u64,
    },
    /// `TOP` (RFC 1939 §7) of a message that exists and is not deleted:
    /// send its header, the blank line and the first `lines` lines of its
    /// body, as for [`Retr`](Self::Retr).
    Top {
        /// The message.
        msg: MessageNumber,
        /// How many body lines.
        lines: u32,
    },
    /// `QUIT` in the TRANSACTION state (RFC 1939 §6): remove these
    /// messages, then answer with [`Server::send`] (`+OK`, or `-ERR` when
    /// some could not be removed). The session then closes. A connection
    /// that ends without this event removes nothing.
    Update {
        /// The messages marked deleted, in increasing order.
        deleted: Vec<MessageNumber>,
    },
    /// A command the session leaves to the application: `LANG`
    /// (RFC 6856 §3) and any unknown command. Answer with
    /// [`Server::send`] or [`Server::send_multi`].
    Command(Command<'static>),
    /// `STLS` was accepted (RFC 2595 §4): write out what
    /// [`Server::poll_transmit`] gives, then start TLS on the connection.
    /// Every byte given to [`Server::handle_input`] from now on is taken as
    /// having come through TLS.
    StartTls {
        /// What the client sent after `STLS` before the handshake. It was
        /// never processed; a client that sends it is broken or an
        /// attacker, and the usual course is to drop it.
        leftover: BytesMut,
    },
    /// A line that is not a valid command (or SASL response); the session
    /// has answered `-ERR`.
    Error(DecodeError),
    /// The session is over (after `QUIT`): write out what is left, then
    /// close the connection.
    Closed,
}

/// An answer the session cannot take now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// No request is waiting for this kind of answer.
    #[error("no request is waiting for this answer")]
    NotExpected,
    /// A message is being sent: [`Server::finish_message`] comes first.
    #[error("a message is being sent; finish it first")]
    InMessage,
    /// A login is accepted with [`Server::accept_login`], which opens the
    /// maildrop; [`Server::send`] takes only `-ERR` for it.
    #[error("a login is accepted with accept_login")]
    UseAcceptLogin,
    /// A message is sent with [`Server::begin_message`]; [`Server::send`]
    /// takes only `-ERR` for it.
    #[error("a message is sent with begin_message")]
    UseBeginMessage,
}

/// Where the session is.
#[derive(Debug)]
enum Phase {
    /// AUTHORIZATION; `user` is the name given by `USER`, if any.
    Authorization { user: Option<Argument<'static>> },
    /// AUTHORIZATION, a SASL exchange under way: the client's lines are
    /// SASL responses.
    Sasl(Box<sasl::Server>),
    /// TRANSACTION.
    Transaction,
    /// UPDATE: after `QUIT` in TRANSACTION.
    Update,
}

/// What the session waits for from the application.
#[derive(Debug)]
enum Pending {
    Nothing,
    Login,
    Message,
    InMessage(BodyEncoder),
    Update,
    Command,
}

/// A POP3 server session: reads the client's commands, answers what it
/// can itself (state errors, `CAPA`, `STAT`, `LIST`, `UIDL`, `DELE`,
/// `RSET`, `NOOP`, `STLS`, `UTF8`, SASL challenges) and hands the rest to
/// the application as [`ServerEvent`]s.
///
/// Deletion marks live in the session: `DELE` marks, `RSET` unmarks,
/// commands naming a marked message are refused, and the marks reach the
/// application only with [`ServerEvent::Update`], after `QUIT` in the
/// TRANSACTION state (RFC 1939 §6). Dropping the session removes nothing.
///
/// Input is processed as it arrives, in [`handle_input`](Self::handle_input),
/// and after each answer of the application; processing stops at each
/// request until it is answered, so answers leave in the order of the
/// commands, whatever the pipelining (RFC 2449 §6.6). The events and the
/// bytes written do not depend on how the input was split.
#[derive(Debug)]
pub struct Server {
    config: ServerConfig,
    greeting: Greeting<'static>,
    decoder: CommandDecoder,
    out: BytesMut,
    events: VecDeque<ServerEvent>,
    phase: Phase,
    pending: Pending,
    maildrop: Maildrop,
    deleted: Vec<bool>,
    utf8: bool,
    closed: bool,
}

/// Checks an APOP timestamp: `<`, visible characters but `<` and `>`, `>`.
fn check_timestamp(ts: &[u8]) -> Result<(), ValueError> {
    let bad = |offset| ValueError::Syntax {
        what: "APOP timestamp",
        offset,
    };
    let inner = ts
        .strip_prefix(b"<")
        .and_then(|t| t.strip_suffix(b">"))
        .ok_or(bad(0))?;
    match inner
        .iter()
        .position(|&b| !(0x21..=0x7e).contains(&b) || b == b'<' || b == b'>')
    {
        Some(i) => Err(bad(i + 1)),
        None => Ok(()),
    }
}

impl Server {
    /// A session for a new connection, its greeting ready in
    /// [`poll_transmit`](Self::poll_transmit). Refused when the timestamp
    /// is not `<` visible characters `>`, or the greeting text starts like
    /// a response code.
    pub fn new(config: ServerConfig) -> Result<Self, ValueError> {
        let mut text = config.greeting.as_bytes().to_vec();
        if let Some(ts) = &config.timestamp {
            check_timestamp(ts)?;
            if !text.is_empty() {
                text.push(b' ');
            }
            text.extend_from_slice(ts);
        }
        let greeting = Greeting::new(Response::new(Status::Ok, None, Text::new(text)?)?);
        let mut out = BytesMut::new();
        greeting.encode(&mut out);
        Ok(Self {
            decoder: CommandDecoder::new(config.limits),
            config,
            greeting,
            out,
            events: VecDeque::new(),
            phase: Phase::Authorization { user: None },
            pending: Pending::Nothing,
            maildrop: Maildrop::default(),
            deleted: Vec::new(),
            utf8: false,
            closed: false,
        })
    }

    /// The greeting sent on connection.
    pub fn greeting(&self) -> &Greeting<'static> {
        &self.greeting
    }

    /// The APOP timestamp of the greeting, if any.
    pub fn timestamp(&self) -> Option<&[u8]> {
        self.config.timestamp.as_deref()
    }

    /// The session's state (RFC 1939 §3).
    pub fn state(&self) -> State {
        match self.phase {
            Phase::Authorization { .. } | Phase::Sasl(_) => State::Authorization,
            Phase::Transaction => State::Transaction,
            Phase::Update => State::Update,
        }
    }

    /// True once TLS is active (from the start, or after `STLS`).
    pub fn tls_active(&self) -> bool {
        self.config.tls_active
    }

    /// True once the client enabled UTF-8 mode (RFC 6856 §2).
    pub fn utf8_enabled(&self) -> bool {
        self.utf8
    }

    /// True once the session is over (after `QUIT`).
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// The maildrop given to [`accept_login`](Self::accept_login) (empty
    /// before).
    pub fn maildrop(&self) -> &Maildrop {
        &self.maildrop
    }

    /// True when message `msg` is marked deleted.
    pub fn is_deleted(&self, msg: MessageNumber) -> bool {
        self.index(msg)
            .and_then(|i| self.deleted.get(i).copied())
            .unwrap_or(false)
    }

    /// True while a request waits for the application's answer; until it
    /// comes, input is buffered, not read.
    pub fn is_waiting(&self) -> bool {
        !matches!(self.pending, Pending::Nothing)
    }

    /// Bytes received and not yet processed. A client may pipeline any
    /// amount while a request waits: stop reading from the connection
    /// while this is large, and memory stays bounded.
    pub fn buffered_input(&self) -> usize {
        self.decoder.buffered().len()
    }

    /// Takes bytes received from the client, of any size, and processes
    /// the commands they complete. Ignored once the session is closed.
    pub fn handle_input(&mut self, bytes: &[u8]) {
        if self.closed {
            return;
        }
        self.decoder.push(bytes);
        self.process();
    }

    /// The next event, `None` when there is none until more input or an
    /// answer.
    pub fn poll_event(&mut self) -> Option<ServerEvent> {
        self.events.pop_front()
    }

    /// The bytes to write to the client, `None` when there are none.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        (!self.out.is_empty()).then(|| self.out.split().freeze())
    }

    /// Accepts the login of the pending [`ServerEvent::Login`],
    /// [`ServerEvent::Apop`] or [`ServerEvent::Auth`]: the maildrop is open
    /// (TRANSACTION state) and the client gets `+OK text`.
    pub fn accept_login(&mut self, maildrop: Maildrop, text: Text<'_>) -> Result<(), SessionError> {
        if !matches!(self.pending, Pending::Login) {
            return Err(self.wrong_answer());
        }
        self.deleted = vec![false; maildrop.len()];
        self.maildrop = maildrop;
        self.phase = Phase::Transaction;
        self.write_line(Status::Ok, text.as_bytes());
        self.answered();
        Ok(())
    }

    /// Answers the pending request with one line: `-ERR` to a login,
    /// `RETR` or `TOP`; anything to `QUIT` (after which the session
    /// closes) and to a [`ServerEvent::Command`].
    pub fn send(&mut self, response: Response<'_>) -> Result<(), SessionError> {
        match self.pending {
            Pending::Login if response.is_ok() => return Err(SessionError::UseAcceptLogin),
            Pending::Message if response.is_ok() => return Err(SessionError::UseBeginMessage),
            Pending::Login | Pending::Message | Pending::Command => {}
            Pending::Update => {
                self.phase = Phase::Update;
                self.closed = true;
                self.events.push_back(ServerEvent::Closed);
            }
            Pending::Nothing | Pending::InMessage(_) => return Err(self.wrong_answer()),
        }
        response.encode(&mut self.out);
        self.answered();
        Ok(())
    }

    /// Answers the pending [`ServerEvent::Command`] with a multi-line
    /// response (such as the language listing of `LANG`).
    pub fn send_multi(&mut self, response: &MultiLine<'_>) -> Result<(), SessionError> {
        if !matches!(self.pending, Pending::Command) {
            return Err(self.wrong_answer());
        }
        response.encode(&mut self.out);
        self.answered();
        Ok(())
    }

    /// Starts the answer to the pending [`ServerEvent::Retr`] or
    /// [`ServerEvent::Top`]: `+OK text`. The message follows in
    /// [`send_message_chunk`](Self::send_message_chunk)s; write out
    /// [`poll_transmit`](Self::poll_transmit) between them and a large
    /// message is never in memory at once.
    pub fn begin_message(&mut self, text: Text<'_>) -> Result<(), SessionError> {
        if !matches!(self.pending, Pending::Message) {
            return Err(self.wrong_answer());
        }
        self.write_line(Status::Ok, text.as_bytes());
        self.pending = Pending::InMessage(BodyEncoder::new());
        Ok(())
    }

    /// The next octets of the message, as stored (CRLF line ends); they
    /// are dot-stuffed (RFC 1939 §3) on the way out.
    pub fn send_message_chunk(&mut self, chunk: &[u8]) -> Result<(), SessionError> {
        let Pending::InMessage(body) = &mut self.pending else {
            return Err(SessionError::NotExpected);
        };
        body.push(chunk, &mut self.out);
        Ok(())
    }

    /// Ends the message: a line end if the last line has none, then the
    /// terminating `.` line. Commands that were waiting are processed.
    pub fn finish_message(&mut self) -> Result<(), SessionError> {
        let Pending::InMessage(body) = self.pending else {
            return Err(SessionError::NotExpected);
        };
        body.finish(&mut self.out);
        self.answered();
        Ok(())
    }

    fn wrong_answer(&self) -> SessionError {
        match self.pending {
            Pending::InMessage(_) => SessionError::InMessage,
            _ => SessionError::NotExpected,
        }
    }

    /// The pending request is answered: go on with the input.
    fn answered(&mut self) {
        self.pending = Pending::Nothing;
        self.process();
    }

    fn index(&self, msg: MessageNumber) -> Option<usize> {
        usize::try_from(msg.get() - 1).ok()
    }

    /// `status [SP text] CRLF`, the text cleaned of anything that would
    /// break the line.
    fn write_line(&mut self, status: Status, text: &[u8]) {
        self.out.put_slice(status.as_str().as_bytes());
        if !text.is_empty() {
            self.out.put_u8(b' ');
            for &b in text {
                self.out.put_u8(if matches!(b, b'\r' | b'\n' | 0) {
                    b' '
                } else {
                    b
                });
            }
        }
        self.out.put_slice(b"\r\n");
    }

    fn ok(&mut self, text: &str) {
        self.write_line(Status::Ok, text.as_bytes());
    }

    fn err(&mut self, text: &str) {
        self.write_line(Status::Err, text.as_bytes());
    }

    /// Reads commands (or SASL lines) until input runs out, a request waits
    /// for the application, or the session ends.
    fn process(&mut self) {
        while !self.closed && matches!(self.pending, Pending::Nothing) {
            if matches!(self.phase, Phase::Sasl(_)) {
                let Some(line) = self.decoder.next_sasl_response() else {
                    return;
                };
                self.sasl_line(line);
                continue;
            }
            let Some(next) = self.decoder.next_command() else {
                return;
            };
            match next {
                Ok(command) => self.command(command),
                Err(e) => {
                    self.err(&e.kind.to_string());
                    self.events.push_back(ServerEvent::Error(e));
                }
            }
        }
    }

    /// May the client log in with a password now?
    fn login_allowed(&self) -> bool {
        self.config.tls_active || self.config.plaintext_login
    }

    fn user_allowed(&self) -> bool {
        self.login_allowed() && self.config.capabilities.contains(&Capability::User)
    }

    /// The SASL mechanisms offered now.
    fn offered(&self) -> Vec<sasl::Mechanism> {
        if !self.login_allowed() {
            return Vec::new();
        }
        let mut seen = Vec::new();
        for &m in &self.config.mechanisms {
            let runnable = sasl::ServerMechanism::from_name(m, Vec::new).is_some();
            let has_challenge = m != sasl::Mechanism::CRAM_MD5 || self.config.timestamp.is_some();
            if runnable && has_challenge && !seen.contains(&m) {
                seen.push(m);
            }
        }
        seen
    }

    /// The mechanisms offered, as POP3 values.
    fn offered_names(&self) -> Vec<Mechanism<'static>> {
        self.offered()
            .iter()
            .filter_map(|m| Mechanism::new(m.as_bytes().to_vec()).ok())
            .collect()
    }

    /// What `CAPA` lists now.
    fn capabilities(&self) -> Vec<Capability<'static>> {
        let login = self.login_allowed();
        let tls = self.config.tls_active;
        let mut caps: Vec<Capability<'static>> = self
            .config
            .capabilities
            .iter()
            .filter(|c| match c {
                Capability::Stls => !tls,
                Capability::User => login,
                Capability::Sasl(_) => false,
                _ => true,
            })
            .cloned()
            .collect();
        let mechs = self.offered_names();
        if !mechs.is_empty() {
            caps.push(Capability::Sasl(mechs));
        }
        caps
    }

    fn command(&mut self, command: Command<'static>) {
        let kind = command.kind();
        if kind == CommandKind::Unknown {
            self.pending = Pending::Command;
            self.events.push_back(ServerEvent::Command(command));
            return;
        }
        if !self.state().allows(&command) {
            self.err("command not valid in this state");
            return;
        }
        match command {
            Command::Capa => {
                let caps = self.capabilities();
                if let Ok(head) = Response::ok("Capability list follows")
                    && let Ok(multi) = MultiLine::new(head, Body::Capa(caps))
                {
                    multi.encode(&mut self.out);
                }
            }
            Command::Quit => self.quit(),
            Command::Stls => self.stls(),
            Command::Utf8 => {
                let offered = self
                    .config
                    .capabilities
                    .iter()
                    .any(|c| matches!(c, Capability::Utf8 { .. }));
                if offered {
                    self.utf8 = true;
                    self.ok("UTF8 enabled");
                } else {
                    self.err("UTF8 not supported");
                }
            }
            Command::Lang(_) => {
                self.pending = Pending::Command;
                self.events.push_back(ServerEvent::Command(command));
            }
            Command::User(name) => {
                if self.user_allowed() {
                    self.phase = Phase::Authorization { user: Some(name) };
                    self.ok("send PASS");
                } else {
                    self.phase = Phase::Authorization { user: None };
                    self.err("USER not available");
                }
            }
            Command::Pass(password) => {
                let user = match &mut self.phase {
                    Phase::Authorization { user } => user.take(),
                    _ => None,
                };
                match user {
                    Some(user) if self.user_allowed() => {
                        self.pending = Pending::Login;
                        self.events.push_back(ServerEvent::Login { user, password });
                    }
                    _ => self.err("USER first"),
                }
            }
            Command::Apop { name, digest } => {
                self.phase = Phase::Authorization { user: None };
                if self.config.timestamp.is_some() {
                    self.pending = Pending::Login;
                    self.events.push_back(ServerEvent::Apop { name, digest });
                } else {
                    self.err("APOP not available");
                }
            }
            Command::AuthList => {
                let mechs = self.offered_names();
                if let Ok(head) = Response::ok("SASL mechanisms follow")
                    && let Ok(multi) = MultiLine::new(head, Body::Mechanisms(mechs))
                {
                    multi.encode(&mut self.out);
                }
            }
            Command::Auth {
                mechanism,
                initial_response,
            } => self.auth(&mechanism, initial_response.as_ref()),
            Command::Stat => {
                let (count, size) = self.live();
                self.ok(&format!("{count} {size}"));
            }
            Command::List(None) => {
                let (count, size) = self.live();
                self.ok(&format!("{count} messages ({size} octets)"));
                let mut out = BytesMut::new();
                for (msg, info) in self.live_messages() {
                    let line = ScanListing {
                        msg,
                        size: info.size,
                    };
                    out.put_slice(format!("{} {}\r\n", line.msg, line.size).as_bytes());
                }
                self.out.put_slice(&out);
                self.out.put_slice(b".\r\n");
            }
            Command::List(Some(msg)) => {
                if let Some(info) = self.message(msg) {
                    let size = info.size;
                    self.ok(&format!("{msg} {size}"));
                }
            }
            Command::Uidl(None) => {
                self.ok("unique-id listing follows");
                let mut out = BytesMut::new();
                for (msg, info) in self.live_messages() {
                    if let Some(uid) = &info.uid {
                        let listing = UniqueIdListing {
                            msg,
                            uid: uid.clone(),
                        };
                        out.put_slice(format!("{} ", listing.msg).as_bytes());
                        out.put_slice(listing.uid.as_bytes());
                        out.put_slice(b"\r\n");
                    }
                }
                self.out.put_slice(&out);
                self.out.put_slice(b".\r\n");
            }
            Command::Uidl(Some(msg)) => {
                if let Some(info) = self.message(msg) {
                    match info.uid.clone() {
                        Some(uid) => {
                            let mut text = format!("{msg} ").into_bytes();
                            text.extend_from_slice(uid.as_bytes());
                            self.write_line(Status::Ok, &text);
                        }
                        None => self.err("no unique-id for this message"),
                    }
                }
            }
            Command::Retr(msg) => {
                if let Some(info) = self.message(msg) {
                    let size = info.size;
                    self.pending = Pending::Message;
                    self.events.push_back(ServerEvent::Retr { msg, size });
                }
            }
            Command::Top { msg, lines } => {
                if self.message(msg).is_some() {
                    self.pending = Pending::Message;
                    self.events.push_back(ServerEvent::Top { msg, lines });
                }
            }
            Command::Dele(msg) => {
                if self.message(msg).is_some() {
                    if let Some(mark) = self.index(msg).and_then(|i| self.deleted.get_mut(i)) {
                        *mark = true;
                    }
                    self.ok(&format!("message {msg} deleted"));
                }
            }
            Command::Noop => self.ok(""),
            Command::Rset => {
                self.deleted.iter_mut().for_each(|d| *d = false);
                let (count, size) = self.live();
                self.ok(&format!("maildrop has {count} messages ({size} octets)"));
            }
            // Command is non-exhaustive in spirit: anything new is left to
            // the application.
            other => {
                self.pending = Pending::Command;
                self.events.push_back(ServerEvent::Command(other));
            }
        }
    }

    /// The messages not marked deleted, with their numbers.
    fn live_messages(&self) -> impl Iterator<Item = (MessageNumber, &MessageInfo)> {
        self.maildrop
            .messages
            .iter()
            .zip(&self.deleted)
            .zip(1u32..)
            .filter(|((_, deleted), _)| !**deleted)
            .filter_map(|((info, _), n)| MessageNumber::new(n).map(|m| (m, info)))
    }

    /// Count and total size of the messages not marked deleted (RFC 1939
    /// §5: "messages marked as deleted are not counted").
    fn live(&self) -> (usize, u64) {
        self.live_messages()
            .fold((0, 0), |(n, s), (_, info)| (n + 1, s + info.size))
    }

    /// Message `msg` when it exists and is not deleted; otherwise answers
    /// `-ERR` and gives `None`.
    fn message(&mut self, msg: MessageNumber) -> Option<&MessageInfo> {
        let index = self.index(msg);
        let exists = self.maildrop.get(msg).is_some();
        let deleted = index
            .and_then(|i| self.deleted.get(i).copied())
            .unwrap_or(false);
        if !exists {
            self.err("no such message");
            return None;
        }
        if deleted {
            self.err(&format!("message {msg} already deleted"));
            return None;
        }
        self.maildrop.get(msg)
    }

    fn quit(&mut self) {
        match self.phase {
            Phase::Transaction => {
                let deleted = self
                    .deleted
                    .iter()
                    .zip(1u32..)
                    .filter(|(d, _)| **d)
                    .filter_map(|(_, n)| MessageNumber::new(n))
                    .collect();
                self.phase = Phase::Update;
                self.pending = Pending::Update;
                self.events.push_back(ServerEvent::Update { deleted });
            }
            _ => {
                self.ok("POP3 server signing off");
                self.closed = true;
                self.events.push_back(ServerEvent::Closed);
            }
        }
    }

    fn stls(&mut self) {
        if self.config.tls_active || !self.config.capabilities.contains(&Capability::Stls) {
            self.err("STLS not available");
            return;
        }
        self.ok("Begin TLS negotiation now");
        let leftover = self.decoder.take_buffered();
        self.config.tls_active = true;
        self.phase = Phase::Authorization { user: None };
        self.events.push_back(ServerEvent::StartTls { leftover });
    }

    fn auth(&mut self, mechanism: &Mechanism<'_>, initial: Option<&SaslData<'_>>) {
        self.phase = Phase::Authorization { user: None };
        let offered = self.offered();
        let Some(name) = offered
            .into_iter()
            .find(|m| m.matches(mechanism.as_str().as_bytes()))
        else {
            self.err("unsupported SASL mechanism");
            return;
        };
        let challenge = self.config.timestamp.clone().unwrap_or_default();
        let server = sasl::ServerMechanism::from_name(name, || challenge)
            .and_then(|m| sasl::Server::new(m, self.config.sasl_limits).ok());
        let Some(mut server) = server else {
            self.err("unsupported SASL mechanism");
            return;
        };
        let initial = initial.map(SaslData::decode);
        let step = server.start(initial.as_deref());
        self.sasl_step(server, step);
    }

    fn sasl_step(&mut self, server: sasl::Server, step: sasl::ServerStep) {
        match step {
            sasl::ServerStep::Challenge(data) => {
                Challenge::new(SaslData::encode(&data)).encode(&mut self.out);
                self.phase = Phase::Sasl(Box::new(server));
            }
            sasl::ServerStep::Verify(credentials) => {
                self.phase = Phase::Authorization { user: None };
                self.pending = Pending::Login;
                self.events.push_back(ServerEvent::Auth {
                    mechanism: server.name(),
                    credentials,
                });
            }
            sasl::ServerStep::Failure(failure) => {
                self.phase = Phase::Authorization { user: None };
                let text = match failure {
                    sasl::Failure::Cancelled => "authentication cancelled",
                    sasl::Failure::TooLong { .. } => "SASL response too long",
                    sasl::Failure::TooManySteps { .. } => "too many SASL responses",
                    sasl::Failure::Malformed { .. } => "malformed SASL response",
                    _ => "authentication failed",
                };
                self.err(text);
            }
            _ => {
                self.phase = Phase::Authorization { user: None };
                self.err("authentication failed");
            }
        }
    }

    fn sasl_line(&mut self, line: Result<SaslResponse<'static>, DecodeError>) {
        let phase = std::mem::replace(&mut self.phase, Phase::Authorization { user: None });
        let Phase::Sasl(mut server) = phase else {
            self.phase = phase;
            return;
        };
        match line {
            Ok(SaslResponse::Cancel) => {
                let step = server.cancel();
                self.sasl_step(*server, step);
            }
            Ok(SaslResponse::Data(data)) => {
                let step = server.step(&data.decode());
                self.sasl_step(*server, step);
            }
            Err(e) => {
                self.err("invalid SASL response; authentication ended");
                self.events.push_back(ServerEvent::Error(e));
            }
        }
    }
}
