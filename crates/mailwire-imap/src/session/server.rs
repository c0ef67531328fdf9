//! The server side of an IMAP session.

use std::collections::VecDeque;

use bytes::{BufMut, Bytes, BytesMut};
use mailwire_sasl as sasl;

use super::{CommandKind, State, has_capability};
use crate::Limits;
use crate::decode::{CommandDecoder, CommandEvent, CommandFrame, DecodeError, DecodeErrorKind};
use crate::encode::Encode;
use crate::types::{
    Atom, AuthenticateData, Capability, ClientMessage, Code, Command, CommandBody, Data, Expect,
    LiteralMode, Response, Secret, Status, StatusKind, Tag, Text,
};

/// How a [`Server`] greets, what it offers and what it accepts.
///
/// The defaults: the greeting `* OK [CAPABILITY …] IMAP4rev2 server ready`;
/// the capabilities `IMAP4rev1 IMAP4rev2 IDLE ENABLE` plus what the session
/// itself implements and adds (`LITERAL+`, `SASL-IR`, `AUTH=PLAIN`); the
/// SASL mechanism `PLAIN`; password logins allowed without TLS; no
/// STARTTLS, no COMPRESS; `ENABLE` accepts `CONDSTORE`, `QRESYNC`,
/// `UTF8=ACCEPT` and `IMAP4rev2`; literals before login up to 8192 octets;
/// [`Limits::default`] and [`mailwire_sasl::Limits::default`].
///
/// ```
/// use mailwire_imap::session::ServerConfig;
/// use mailwire_imap::types::LiteralMode;
/// let mut config = ServerConfig::default();
/// config.starttls = true;          // offer STARTTLS …
/// config.plaintext_login = false;  // … and LOGIN/AUTHENTICATE only after it
/// config.literal_mode = LiteralMode::Minus;
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerConfig {
    /// The text of the greeting.
    pub greeting: Text<'static>,
    /// Greet with `PREAUTH` (the connection starts authenticated, RFC 9051
    /// §7.1.4) instead of `OK`.
    pub preauth: bool,
    /// What `CAPABILITY` lists besides what the session manages itself:
    /// `STARTTLS`, `LOGINDISABLED`, `AUTH=…`, `SASL-IR`, `LITERAL+`,
    /// `LITERAL-` and `COMPRESS=DEFLATE` are added (or left out) from the
    /// other fields and are dropped from this list.
    pub capabilities: Vec<Capability<'static>>,
    /// Which non-synchronizing literals are accepted, and advertised
    /// (`LITERAL+`, `LITERAL-`, or neither; RFC 7888).
    pub literal_mode: LiteralMode,
    /// Offer `STARTTLS` while TLS is not active.
    pub starttls: bool,
    /// Offer `COMPRESS=DEFLATE` (RFC 4978).
    pub compress: bool,
    /// The SASL mechanisms offered to `AUTHENTICATE`, run by
    /// [`mailwire_sasl::Server`]. Mechanisms that crate does not implement,
    /// and `CRAM-MD5` without a `cram_md5_challenge`, are left out.
    pub mechanisms: Vec<sasl::Mechanism>,
    /// The challenge of `CRAM-MD5` (`<…@host>`, unique per connection): the
    /// session has no clock or randomness, the application makes it.
    pub cram_md5_challenge: Option<Vec<u8>>,
    /// Whether `LOGIN` and `AUTHENTICATE` are accepted before TLS is active;
    /// when not, `LOGINDISABLED` is advertised (RFC 9051 §6.2.3).
    pub plaintext_login: bool,
    /// TLS is active from the start (port 993, RFC 8314).
    pub tls_active: bool,
    /// The extensions `ENABLE` turns on (RFC 5161); others are ignored.
    pub enable: Vec<Capability<'static>>,
    /// The largest literal accepted before the client has logged in (a
    /// password needs few octets; an anonymous peer gets no large buffer).
    pub unauthenticated_literal_size: u64,
    /// Limits on what the client sends.
    pub limits: Limits,
    /// Limits on SASL responses.
    pub sasl_limits: sasl::Limits,
}

/// A capability from its name (for defaults and tests).
pub(crate) fn capability(name: &'static str) -> Option<Capability<'static>> {
    Atom::new(name).ok().map(Capability::new)
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            greeting: Text::new(&b"IMAP4rev2 server ready"[..]).unwrap_or(Text::empty()),
            preauth: false,
            capabilities: ["IMAP4rev1", "IMAP4rev2", "IDLE", "ENABLE"]
                .into_iter()
                .filter_map(capability)
                .collect(),
            literal_mode: LiteralMode::Plus,
            starttls: false,
            compress: false,
            mechanisms: vec![sasl::Mechanism::PLAIN],
            cram_md5_challenge: None,
            plaintext_login: true,
            tls_active: false,
            enable: ["CONDSTORE", "QRESYNC", "UTF8=ACCEPT", "IMAP4rev2"]
                .into_iter()
                .filter_map(capability)
                .collect(),
            unauthenticated_literal_size: 8192,
            limits: Limits::default(),
            sasl_limits: sasl::Limits::default(),
        }
    }
}

/// A command the application answers: data with
/// [`Server::send_data`], then the tagged status with
/// [`Server::complete`].
///
/// The command's bytes are kept (shared, not copied);
/// [`command`](Self::command) reads them again, borrowing, so that an
/// `APPEND` message is never copied.
#[derive(Debug, Clone)]
pub struct Request {
    tag: Tag<'static>,
    kind: CommandKind,
    frame: CommandFrame,
}

impl Request {
    /// The command's tag.
    pub fn tag(&self) -> &Tag<'static> {
        &self.tag
    }

    /// Which command it is.
    pub fn kind(&self) -> CommandKind {
        self.kind
    }

    /// The command, read from its bytes. It decoded when the session read
    /// it, so this does not fail for a request the session handed out.
    pub fn command(&self) -> Result<Command<'_>, DecodeError> {
        self.frame.decode_command()
    }

    /// The command's bytes and where it started in the stream; slice
    /// literal data out of [`CommandFrame::bytes`] to keep it.
    pub fn frame(&self) -> &CommandFrame {
        &self.frame
    }
}

impl PartialEq for Request {
    fn eq(&self, other: &Self) -> bool {
        self.tag == other.tag
            && self.kind == other.kind
            && self.frame.offset() == other.frame.offset()
            && self.frame.as_bytes() == other.frame.as_bytes()
    }
}

impl Eq for Request {}

/// What the client did that the application acts on.
///
/// The requests ([`Command`](Self::Command), [`Login`](Self::Login),
/// [`Authenticate`](Self::Authenticate)) wait for
/// [`Server::complete`]; until it comes the session reads no further
/// command, so pipelined commands are answered in order. The others say
/// what the session did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerEvent {
    /// A command for the mailbox backend (anything but the commands the
    /// session handles itself: `CAPABILITY`, `LOGOUT`, `STARTTLS`,
    /// `AUTHENTICATE`, `LOGIN`, `ENABLE`, `IDLE`, `COMPRESS`). The session
    /// has checked that it is valid in the current state.
    Command(Request),
    /// `LOGIN` (RFC 9051 §6.2.3): check the password, then
    /// [`Server::complete`] with `OK` (the client is authenticated) or `NO`
    /// (`[AUTHENTICATIONFAILED]`).
    Login {
        /// The command's tag.
        tag: Tag<'static>,
        /// The user name, as sent.
        username: Vec<u8>,
        /// The password.
        password: Secret<Vec<u8>>,
    },
    /// An `AUTHENTICATE` exchange ended with credentials to check (RFC
    /// 9051 §6.2.2); answer as for [`Login`](Self::Login).
    Authenticate {
        /// The command's tag.
        tag: Tag<'static>,
        /// The SASL mechanism.
        mechanism: sasl::Mechanism,
        /// What the client proved.
        credentials: sasl::Credentials,
    },
    /// `ENABLE` turned these extensions on (RFC 5161); the session
    /// answered. Empty lists are not reported.
    Enabled(Vec<Capability<'static>>),
    /// The client is idling (RFC 2177): the session sent `+ idling`;
    /// send mailbox changes with [`Server::send_data`] as they happen.
    Idle {
        /// The `IDLE` command's tag.
        tag: Tag<'static>,
    },
    /// The client sent `DONE`; the session completed `IDLE`.
    IdleDone {
        /// The `IDLE` command's tag.
        tag: Tag<'static>,
    },
    /// The session accepted `STARTTLS` (RFC 9051 §6.2.1): write out
    /// [`Server::poll_transmit`] (the `OK`), start TLS, and give what comes
    /// through TLS to [`Server::handle_input`]. The capabilities now leave
    /// out `STARTTLS` and `LOGINDISABLED`.
    StartTls {
        /// What the client sent after `STARTTLS`, before the handshake. It
        /// was never processed; a well-behaved client sends nothing there.
        leftover: BytesMut,
    },
    /// The session accepted `COMPRESS DEFLATE` (RFC 4978): write out
    /// [`Server::poll_transmit`] (the `OK`), then compress everything
    /// written and decompress everything read from now on.
    Compress {
        /// What the client sent after the command: already compressed,
        /// never processed. Decompress it and give it to
        /// [`Server::handle_input`].
        leftover: BytesMut,
    },
    /// The client logged out; the session sent `BYE` and `OK` and is
    /// closed.
    Logout,
    /// The client sent something that does not decode; the session
    /// answered `BAD` (or `NO [TOOBIG]`) and goes on.
    Error(DecodeError),
}

/// What the application cannot do now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// No request waits for an answer.
    #[error("no request waits for an answer")]
    NotExpected,
    /// A tagged status is `OK`, `NO` or `BAD`.
    #[error("a command completes with OK, NO or BAD")]
    InvalidStatus,
    /// Untagged data cannot be sent during an `AUTHENTICATE` exchange, and
    /// [`Server::send_untagged`] sends only untagged data and statuses.
    #[error("this response cannot be sent now")]
    NotNow,
    /// The session is over.
    #[error("the session is closed")]
    Closed,
}

/// What the session is doing.
#[derive(Debug)]
enum Phase {
    /// Reading commands.
    Ready,
    /// A request waits for the application.
    Request {
        tag: Tag<'static>,
        kind: CommandKind,
    },
    /// Reading the client's lines of an `AUTHENTICATE` exchange.
    Sasl {
        tag: Tag<'static>,
        server: Box<sasl::Server>,
    },
    /// Reading `DONE`.
    Idle { tag: Tag<'static> },
}

/// An IMAP server session: reads the client's commands, answers what the
/// protocol itself decides (capabilities, state errors, literals,
/// SASL, `IDLE`, `ENABLE`, `LOGOUT`), and hands the rest to the
/// application as [`ServerEvent`]s.
///
/// The greeting is written at once. Each synchronizing literal is answered
/// with `+` when the command may be given in the current state and the
/// literal fits the limits, and refused with a tagged `BAD` or
/// `NO [TOOBIG]` otherwise, without reading its octets.
#[derive(Debug)]
pub struct Server {
    config: ServerConfig,
    decoder: CommandDecoder,
    out: BytesMut,
    events: VecDeque<ServerEvent>,
    phase: Phase,
    state: State,
    read_only: bool,
    enabled: Vec<Capability<'static>>,
    compressing: bool,
    closed: bool,
    /// The last message read was an error: the decoder may be skipping,
    /// so the start of its buffer is not a command's tag.
    after_error: bool,
}

/// The tag at the start of a client's line, when it is one.
fn leading_tag(bytes: &[u8]) -> Option<Tag<'static>> {
    let head = bytes.get(..bytes.len().min(256)).unwrap_or(bytes);
    let end = memchr::memchr(b' ', head)?;
    let word = std::str::from_utf8(head.get(..end)?).ok()?;
    Tag::new(word.to_owned()).ok()
}

/// `text` as response text: line breaks and NUL become spaces, and it
/// neither starts with a space nor (without a code) with `[`.
fn clean_text(text: &str, code: bool) -> Text<'static> {
    let mut bytes: Vec<u8> = text
        .bytes()
        .map(|b| {
            if matches!(b, b'\r' | b'\n' | 0) {
                b' '
            } else {
                b
            }
        })
        .collect();
    let start = bytes.iter().position(|&b| b != b' ').unwrap_or(bytes.len());
    bytes.drain(..start);
    if !code && bytes.first() == Some(&b'[') {
        bytes.insert(0, b'-');
    }
    if bytes.is_empty() {
        bytes.extend_from_slice(b"done");
    }
    Text::new(bytes).unwrap_or(Text::empty())
}

impl Server {
    /// A session for a new connection; the greeting is ready in
    /// [`poll_transmit`](Self::poll_transmit).
    pub fn new(config: ServerConfig) -> Self {
        let decoder = CommandDecoder::new(config.limits);
        let state = if config.preauth {
            State::Authenticated
        } else {
            State::NotAuthenticated
        };
        let mut server = Self {
            config,
            decoder,
            out: BytesMut::new(),
            events: VecDeque::new(),
            phase: Phase::Ready,
            state,
            read_only: false,
            enabled: Vec::new(),
            compressing: false,
            closed: false,
            after_error: false,
        };
        server.decoder.set_literal_mode(server.accepted_literals());
        let kind = if server.config.preauth {
            StatusKind::PreAuth
        } else {
            StatusKind::Ok
        };
        let code = Code::Capability(server.capabilities());
        let text = server.config.greeting.clone();
        server.write_status(None, kind, Some(code), text);
        server
    }

    /// The connection state.
    pub fn state(&self) -> State {
        self.state
    }

    /// True when the selected mailbox was opened read-only (`EXAMINE`, or
    /// `SELECT` completed with `[READ-ONLY]`).
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The extensions the client turned on with `ENABLE`.
    pub fn enabled(&self) -> &[Capability<'static>] {
        &self.enabled
    }

    /// True when the client enabled the extension named `name`
    /// (`UTF8=ACCEPT`, `QRESYNC`, …).
    pub fn is_enabled(&self, name: &str) -> bool {
        has_capability(&self.enabled, name)
    }

    /// True once TLS is active (from the start, or after `STARTTLS`).
    pub fn tls_active(&self) -> bool {
        self.config.tls_active
    }

    /// True once `COMPRESS` was accepted.
    pub fn is_compressing(&self) -> bool {
        self.compressing
    }

    /// True once the session is over (`LOGOUT`, or [`bye`](Self::bye)).
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// True while a request waits for [`complete`](Self::complete); until
    /// it comes, input is buffered, not read.
    pub fn is_waiting(&self) -> bool {
        matches!(self.phase, Phase::Request { .. })
    }

    /// Bytes received and not yet processed. Stop reading from the
    /// connection while this is large and memory stays bounded.
    pub fn buffered_input(&self) -> usize {
        self.decoder.buffered().len()
    }

    /// What `CAPABILITY` lists now.
    pub fn capabilities(&self) -> Vec<Capability<'static>> {
        const MANAGED: [&str; 6] = [
            "STARTTLS",
            "LOGINDISABLED",
            "SASL-IR",
            "LITERAL+",
            "LITERAL-",
            "COMPRESS=DEFLATE",
        ];
        let mut caps: Vec<Capability<'static>> = self
            .config
            .capabilities
            .iter()
            .filter(|c| {
                !matches!(c, Capability::Auth(_))
                    && !MANAGED
                        .iter()
                        .any(|m| has_capability(std::slice::from_ref(c), m))
            })
            .cloned()
            .collect();
        match self.config.literal_mode {
            LiteralMode::Plus => caps.push(Capability::LiteralPlus),
            LiteralMode::Minus => caps.push(Capability::LiteralMinus),
            LiteralMode::Sync => {}
        }
        if self.state == State::NotAuthenticated {
            if self.config.starttls && !self.config.tls_active {
                caps.push(Capability::StartTls);
            }
            if !self.login_allowed() {
                caps.push(Capability::LoginDisabled);
            }
            let offered = self.offered();
            if !offered.is_empty() {
                caps.extend(capability("SASL-IR"));
            }
            for m in offered {
                if let Ok(atom) = Atom::new(m.as_str().to_owned()) {
                    caps.push(Capability::Auth(atom));
                }
            }
        }
        if self.config.compress && !self.compressing {
            caps.extend(capability("COMPRESS=DEFLATE"));
        }
        caps
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

    /// Sends untagged data (`* …`): the answer to the pending request, or
    /// mailbox changes at any time (while idling, say). Refused during an
    /// `AUTHENTICATE` exchange and once the session is closed.
    pub fn send_data(&mut self, data: &Data<'_>) -> Result<(), SessionError> {
        self.untagged_allowed()?;
        data.encode(&mut self.out);
        Ok(())
    }

    /// Sends an untagged response: data, or an untagged `OK`, `NO` or
    /// `BAD` (with a code such as `[UIDVALIDITY …]` or `[ALERT]`).
    /// Tagged statuses go through [`complete`](Self::complete), `BYE`
    /// through [`bye`](Self::bye); continuation requests are the session's.
    pub fn send_untagged(&mut self, response: &Response<'_>) -> Result<(), SessionError> {
        self.untagged_allowed()?;
        match response {
            Response::Data(d) => d.encode(&mut self.out),
            Response::Status(s)
                if s.tag().is_none()
                    && matches!(s.kind(), StatusKind::Ok | StatusKind::No | StatusKind::Bad) =>
            {
                s.encode(&mut self.out);
            }
            _ => return Err(SessionError::NotNow),
        }
        Ok(())
    }

    fn untagged_allowed(&self) -> Result<(), SessionError> {
        if self.closed {
            return Err(SessionError::Closed);
        }
        if matches!(self.phase, Phase::Sasl { .. }) {
            return Err(SessionError::NotNow);
        }
        Ok(())
    }

    /// Completes the pending request with `tag OK|NO|BAD [code] text`,
    /// and moves the connection state as the command says: a `LOGIN` or
    /// `AUTHENTICATE` completed `OK` authenticates; `SELECT`/`EXAMINE`
    /// completed `OK` selects (read-only for `EXAMINE` or `[READ-ONLY]`),
    /// otherwise leaves no mailbox selected (RFC 9051 §6.3.2); `CLOSE` and
    /// `UNSELECT` completed `OK` deselect. Then the commands that were
    /// waiting are read.
    pub fn complete(
        &mut self,
        kind: StatusKind,
        code: Option<Code<'_>>,
        text: &str,
    ) -> Result<(), SessionError> {
        if !matches!(kind, StatusKind::Ok | StatusKind::No | StatusKind::Bad) {
            return Err(SessionError::InvalidStatus);
        }
        let Phase::Request { tag, kind: command } =
            std::mem::replace(&mut self.phase, Phase::Ready)
        else {
            return Err(if self.closed {
                SessionError::Closed
            } else {
                SessionError::NotExpected
            });
        };
        let ok = kind == StatusKind::Ok;
        match command {
            CommandKind::Login | CommandKind::Authenticate if ok => {
                self.state = State::Authenticated;
            }
            CommandKind::Select | CommandKind::Examine => {
                if ok {
                    self.state = State::Selected;
                    self.read_only =
                        command == CommandKind::Examine || code == Some(Code::ReadOnly);
                } else {
                    self.state = State::Authenticated;
                    self.read_only = false;
                }
            }
            CommandKind::Close | CommandKind::Unselect if ok => {
                self.state = State::Authenticated;
                self.read_only = false;
            }
            _ => {}
        }
        let text = clean_text(text, code.is_some());
        self.write_status(Some(&tag), kind, code, text);
        self.process();
        Ok(())
    }

    /// Ends the session from the server's side: `* BYE text` (RFC 9051
    /// §7.1.5), for a shutdown or an idle timeout the application keeps.
    pub fn bye(&mut self, text: &str) {
        if self.closed {
            return;
        }
        self.write_status(None, StatusKind::Bye, None, clean_text(text, false));
        self.state = State::Logout;
        self.closed = true;
    }

    fn write_status(
        &mut self,
        tag: Option<&Tag<'_>>,
        kind: StatusKind,
        code: Option<Code<'_>>,
        text: Text<'_>,
    ) {
        let status = Status::new(tag.cloned(), kind, code, text);
        if let Ok(status) = status {
            status.encode(&mut self.out);
        }
    }

    /// A tagged (or, without a tag, untagged) status with plain text.
    fn reply(
        &mut self,
        tag: Option<&Tag<'_>>,
        kind: StatusKind,
        code: Option<Code<'_>>,
        text: &str,
    ) {
        let text = clean_text(text, code.is_some());
        self.write_status(tag, kind, code, text);
    }

    /// The non-synchronizing literals accepted: what the capabilities
    /// promise (`IMAP4rev2` includes `LITERAL-`).
    fn accepted_literals(&self) -> LiteralMode {
        super::literal_mode(&self.capabilities())
    }

    fn login_allowed(&self) -> bool {
        self.config.tls_active || self.config.plaintext_login
    }

    /// The SASL mechanisms offered now.
    fn offered(&self) -> Vec<sasl::Mechanism> {
        if !self.login_allowed() {
            return Vec::new();
        }
        let mut seen = Vec::new();
        for &m in &self.config.mechanisms {
            let runnable = sasl::ServerMechanism::from_name(m, Vec::new).is_some();
            let has_challenge =
                m != sasl::Mechanism::CRAM_MD5 || self.config.cram_md5_challenge.is_some();
            if runnable && has_challenge && !seen.contains(&m) {
                seen.push(m);
            }
        }
        seen
    }

    /// Reads messages until input runs out, a request waits for the
    /// application, or the session ends.
    fn process(&mut self) {
        while !self.closed && !matches!(self.phase, Phase::Request { .. }) {
            let hint = if self.after_error {
                None
            } else {
                leading_tag(self.decoder.buffered())
            };
            let Some(next) = self.decoder.next_frame() else {
                return;
            };
            match next {
                Ok(CommandEvent::NeedsContinuation {
                    literal_len,
                    offset,
                }) => self.literal(literal_len, offset),
                Ok(CommandEvent::Frame(frame)) => {
                    self.after_error = false;
                    self.message(frame);
                }
                Err(e) => {
                    self.after_error = true;
                    // Only a literal's announcement is sure to be on a
                    // complete line, whose tag is then the same however
                    // the input was split; other framing errors are
                    // answered untagged.
                    let tag = match e.kind {
                        DecodeErrorKind::LiteralTooLarge { .. }
                        | DecodeErrorKind::NonSyncLiteralTooLarge { .. }
                        | DecodeErrorKind::NonSyncLiteralRefused => hint,
                        _ => None,
                    };
                    self.error(tag.as_ref(), e);
                }
            }
        }
    }

    /// A synchronizing literal was announced: `+`, or a refusal without
    /// reading it.
    fn literal(&mut self, len: u64, offset: usize) {
        let line_len = offset.saturating_sub(self.decoder.offset());
        let line = self.decoder.buffered();
        let line = line.get(..line_len).unwrap_or(line);
        let tag = leading_tag(line);
        let kind = CommandKind::from_line(line).unwrap_or(CommandKind::Other);
        let refusal: Option<(StatusKind, Option<Code<'static>>, &str)> =
            if !matches!(self.phase, Phase::Ready) {
                Some((StatusKind::Bad, None, "literal not expected here"))
            } else if kind == CommandKind::Other {
                Some((StatusKind::Bad, None, "unknown command"))
            } else if !self.state.allows(kind) {
                Some((StatusKind::Bad, None, "command not valid in this state"))
            } else if kind == CommandKind::Login && !self.login_allowed() {
                Some((
                    StatusKind::No,
                    Some(Code::PrivacyRequired),
                    "LOGIN needs TLS",
                ))
            } else if self.state == State::NotAuthenticated
                && len > self.config.unauthenticated_literal_size
            {
                Some((StatusKind::No, Some(Code::TooBig), "literal too large"))
            } else {
                None
            };
        match refusal {
            None => self.out.put_slice(b"+ Ready for literal data\r\n"),
            Some((status, code, text)) => {
                self.decoder.reject_literal();
                self.reply(tag.as_ref(), status, code, text);
            }
        }
    }

    /// Answers what does not decode.
    fn error(&mut self, tag: Option<&Tag<'_>>, e: DecodeError) {
        let (kind, code) = match e.kind {
            DecodeErrorKind::LiteralTooLarge { .. } => (StatusKind::No, Some(Code::TooBig)),
            DecodeErrorKind::MessageTooLarge { .. }
            | DecodeErrorKind::NonSyncLiteralTooLarge { .. } => {
                (StatusKind::Bad, Some(Code::TooBig))
            }
            _ => (StatusKind::Bad, None),
        };
        let text = e.kind.to_string();
        // An error inside an exchange ends it.
        let phase_tag = match std::mem::replace(&mut self.phase, Phase::Ready) {
            Phase::Sasl { tag, .. } | Phase::Idle { tag } => Some(tag),
            _ => None,
        };
        self.decoder.set_expect(Expect::Command);
        let tag = phase_tag.as_ref().or(tag);
        self.reply(tag, kind, code, &text);
        self.events.push_back(ServerEvent::Error(e));
    }

    /// A complete message from the client.
    fn message(&mut self, frame: CommandFrame) {
        let message = match frame.decode() {
            Ok(m) => m,
            Err(e) => {
                let tag = match frame.expect() {
                    Expect::Command => leading_tag(frame.as_bytes()),
                    _ => None,
                };
                self.error(tag.as_ref(), e);
                return;
            }
        };
        let action = match message {
            ClientMessage::Command(command) => Action::of(command),
            ClientMessage::AuthenticateData(data) => {
                let data = match data {
                    AuthenticateData::Cancel => None,
                    AuthenticateData::Response(d) => Some(d.as_bytes().to_vec()),
                };
                self.sasl_line(data);
                return;
            }
            ClientMessage::Done => {
                if let Phase::Idle { tag } = std::mem::replace(&mut self.phase, Phase::Ready) {
                    self.decoder.set_expect(Expect::Command);
                    self.reply(Some(&tag), StatusKind::Ok, None, "IDLE terminated");
                    self.events.push_back(ServerEvent::IdleDone { tag });
                }
                return;
            }
        };
        let (tag, kind, action) = action;
        if kind == CommandKind::Other {
            self.reply(Some(&tag), StatusKind::Bad, None, "unknown command");
            return;
        }
        if !self.state.allows(kind) {
            self.reply(
                Some(&tag),
                StatusKind::Bad,
                None,
                "command not valid in this state",
            );
            return;
        }
        match action {
            Action::Capability => {
                Data::Capability(self.capabilities()).encode(&mut self.out);
                self.reply(Some(&tag), StatusKind::Ok, None, "CAPABILITY completed");
            }
            Action::Logout => {
                self.reply(None, StatusKind::Bye, None, "logging out");
                self.reply(Some(&tag), StatusKind::Ok, None, "LOGOUT completed");
                self.state = State::Logout;
                self.closed = true;
                self.events.push_back(ServerEvent::Logout);
            }
            Action::StartTls => {
                if !self.config.starttls || self.config.tls_active {
                    self.reply(Some(&tag), StatusKind::Bad, None, "STARTTLS not available");
                    return;
                }
                self.reply(
                    Some(&tag),
                    StatusKind::Ok,
                    None,
                    "Begin TLS negotiation now",
                );
                self.config.tls_active = true;
                let leftover = self.take_buffered();
                self.events.push_back(ServerEvent::StartTls { leftover });
            }
            Action::Compress(algorithm) => {
                if !self.config.compress || self.compressing {
                    let code = self
                        .compressing
                        .then(|| Atom::new("COMPRESSIONACTIVE").ok())
                        .flatten()
                        .map(|a| Code::from_parts(a, None));
                    self.reply(Some(&tag), StatusKind::No, code, "COMPRESS not available");
                } else if !algorithm.eq_ignore_ascii_case("DEFLATE") {
                    self.reply(Some(&tag), StatusKind::Bad, None, "unknown compression");
                } else {
                    self.reply(Some(&tag), StatusKind::Ok, None, "DEFLATE active");
                    self.compressing = true;
                    let leftover = self.take_buffered();
                    self.events.push_back(ServerEvent::Compress { leftover });
                }
            }
            Action::Login { username, password } => {
                if !self.login_allowed() {
                    self.reply(
                        Some(&tag),
                        StatusKind::No,
                        Some(Code::PrivacyRequired),
                        "LOGIN needs TLS",
                    );
                    return;
                }
                self.phase = Phase::Request {
                    tag: tag.clone(),
                    kind,
                };
                self.events.push_back(ServerEvent::Login {
                    tag,
                    username,
                    password,
                });
            }
            Action::Authenticate { mechanism, initial } => {
                self.authenticate(tag, &mechanism, initial)
            }
            Action::Enable(caps) => {
                let mut newly = Vec::new();
                for cap in caps {
                    let name = cap.to_bytes();
                    let same = |c: &&Capability<'static>| c.to_bytes().eq_ignore_ascii_case(&name);
                    let Some(known) = self.config.enable.iter().find(same) else {
                        continue;
                    };
                    if !self.enabled.iter().any(|c| same(&c)) && !newly.iter().any(|c| same(&c)) {
                        newly.push(known.clone());
                    }
                }
                self.enabled.extend(newly.iter().cloned());
                Data::Enabled(newly.clone()).encode(&mut self.out);
                self.reply(Some(&tag), StatusKind::Ok, None, "ENABLE completed");
                if !newly.is_empty() {
                    self.events.push_back(ServerEvent::Enabled(newly));
                }
            }
            Action::Idle => {
                self.out.put_slice(b"+ idling\r\n");
                self.decoder.set_expect(Expect::IdleDone);
                self.phase = Phase::Idle { tag: tag.clone() };
                self.events.push_back(ServerEvent::Idle { tag });
            }
            Action::Forward => {
                self.phase = Phase::Request {
                    tag: tag.clone(),
                    kind,
                };
                self.events
                    .push_back(ServerEvent::Command(Request { tag, kind, frame }));
            }
        }
    }

    /// The bytes received after a command that changes the transport; the
    /// decoder starts afresh after them.
    fn take_buffered(&mut self) -> BytesMut {
        let leftover = BytesMut::from(self.decoder.buffered());
        // Offsets go on from the last byte read: the leftover, if it is
        // given back after the switch, is counted then.
        let offset = self.decoder.offset();
        let mut decoder = CommandDecoder::with_offset(self.config.limits, offset);
        decoder.set_literal_mode(self.accepted_literals());
        self.decoder = decoder;
        leftover
    }

    fn authenticate(&mut self, tag: Tag<'static>, mechanism: &str, initial: Option<Vec<u8>>) {
        if !self.login_allowed() {
            self.reply(
                Some(&tag),
                StatusKind::No,
                Some(Code::PrivacyRequired),
                "AUTHENTICATE needs TLS",
            );
            return;
        }
        let Some(name) = self
            .offered()
            .into_iter()
            .find(|m| m.matches(mechanism.as_bytes()))
        else {
            self.reply(
                Some(&tag),
                StatusKind::No,
                None,
                "unsupported SASL mechanism",
            );
            return;
        };
        let challenge = self.config.cram_md5_challenge.clone().unwrap_or_default();
        let server = sasl::ServerMechanism::from_name(name, || challenge)
            .and_then(|m| sasl::Server::new(m, self.config.sasl_limits).ok());
        let Some(mut server) = server else {
            self.reply(
                Some(&tag),
                StatusKind::No,
                None,
                "unsupported SASL mechanism",
            );
            return;
        };
        let initial = match initial {
            None => None,
            Some(b) if b.is_empty() => Some(Vec::new()),
            Some(b) => match sasl::wire::decode(&b) {
                Ok(data) => Some(data),
                Err(_) => {
                    self.reply(Some(&tag), StatusKind::Bad, None, "invalid base64");
                    return;
                }
            },
        };
        let step = server.start(initial.as_deref());
        self.sasl_step(tag, Box::new(server), step);
    }

    fn sasl_step(&mut self, tag: Tag<'static>, server: Box<sasl::Server>, step: sasl::ServerStep) {
        match step {
            sasl::ServerStep::Challenge(data) => {
                self.out.put_slice(b"+ ");
                self.out.put_slice(sasl::wire::encode(&data).as_bytes());
                self.out.put_slice(b"\r\n");
                self.decoder.set_expect(Expect::AuthenticateData);
                self.phase = Phase::Sasl { tag, server };
            }
            sasl::ServerStep::Verify(credentials) => {
                self.decoder.set_expect(Expect::Command);
                self.phase = Phase::Request {
                    tag: tag.clone(),
                    kind: CommandKind::Authenticate,
                };
                self.events.push_back(ServerEvent::Authenticate {
                    tag,
                    mechanism: server.name(),
                    credentials,
                });
            }
            sasl::ServerStep::Failure(failure) => {
                self.decoder.set_expect(Expect::Command);
                self.phase = Phase::Ready;
                let (kind, code, text) = match failure {
                    sasl::Failure::Cancelled => (StatusKind::Bad, None, "authentication cancelled"),
                    sasl::Failure::TooLong { .. } => (
                        StatusKind::Bad,
                        Some(Code::TooBig),
                        "SASL response too long",
                    ),
                    sasl::Failure::Malformed { .. } => {
                        (StatusKind::Bad, None, "malformed SASL response")
                    }
                    _ => (
                        StatusKind::No,
                        Some(Code::AuthenticationFailed),
                        "authentication failed",
                    ),
                };
                self.reply(Some(&tag), kind, code, text);
            }
            _ => {
                self.decoder.set_expect(Expect::Command);
                self.phase = Phase::Ready;
                self.reply(
                    Some(&tag),
                    StatusKind::No,
                    Some(Code::AuthenticationFailed),
                    "authentication failed",
                );
            }
        }
    }

    /// A client line of the `AUTHENTICATE` exchange: base64, or `None` for
    /// `*`.
    fn sasl_line(&mut self, data: Option<Vec<u8>>) {
        let Phase::Sasl { tag, mut server } = std::mem::replace(&mut self.phase, Phase::Ready)
        else {
            return;
        };
        let step = match data {
            None => server.cancel(),
            Some(b64) => match sasl::wire::decode(&b64) {
                Ok(bytes) => server.step(&bytes),
                Err(_) => {
                    self.decoder.set_expect(Expect::Command);
                    self.reply(Some(&tag), StatusKind::Bad, None, "invalid base64");
                    return;
                }
            },
        };
        self.sasl_step(tag, server, step);
    }
}

/// What the session does with a command, taken out of its borrowed form.
enum Action {
    Capability,
    Logout,
    StartTls,
    Compress(String),
    Login {
        username: Vec<u8>,
        password: Secret<Vec<u8>>,
    },
    Authenticate {
        mechanism: String,
        initial: Option<Vec<u8>>,
    },
    Enable(Vec<Capability<'static>>),
    Idle,
    Forward,
}

impl Action {
    fn of(command: Command<'_>) -> (Tag<'static>, CommandKind, Self) {
        let kind = CommandKind::of(&command.body);
        let action = match command.body {
            CommandBody::Capability => Self::Capability,
            CommandBody::Logout => Self::Logout,
            CommandBody::StartTls => Self::StartTls,
            CommandBody::Compress(a) => Self::Compress(a.as_str().to_owned()),
            CommandBody::Login { username, password } => Self::Login {
                username: username.into_owned(),
                password: Secret::new(password.into_inner().into_owned()),
            },
            CommandBody::Authenticate { mechanism, initial } => Self::Authenticate {
                mechanism: mechanism.as_str().to_owned(),
                initial: initial.map(|d| d.as_bytes().to_vec()),
            },
            CommandBody::Enable(caps) => {
                Self::Enable(caps.into_iter().map(Capability::into_owned).collect())
            }
            CommandBody::Idle => Self::Idle,
            _ => Self::Forward,
        };
        (command.tag.into_owned(), kind, action)
    }
}
