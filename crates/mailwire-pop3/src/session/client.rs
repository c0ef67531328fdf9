//! The client side of a POP3 session.

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};
use mailwire_sasl as sasl;

use super::{State, apop_digest};
use crate::Limits;
use crate::decode::{DecodeError, Event, Expect, ResponseDecoder};
use crate::encode::Encode;
use crate::types::{
    Argument, Capability, Challenge, Command, CommandKind, Greeting, Language, Mechanism, Response,
    SaslData, SaslResponse, ScanListing, UniqueIdListing,
};

/// How a [`Client`] behaves.
///
/// The defaults: [`Limits::default`], TLS not required, not active.
///
/// ```
/// use mailwire_pop3::session::ClientConfig;
/// let mut config = ClientConfig::default();
/// config.require_tls = true; // never send a password in the clear
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ClientConfig {
    /// Limits on what the server sends.
    pub limits: Limits,
    /// Refuse to log in (`USER`, `PASS`, `APOP`, `AUTH`) before TLS is
    /// active, and report [`ClientError::TlsRequired`] when the server's
    /// capabilities lack `STLS` or it refuses `STLS`.
    pub require_tls: bool,
    /// TLS is active from the start (port 995, RFC 8314).
    pub tls_active: bool,
}

/// What a client cannot do, or what went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The command is not valid in the state the session will be in when
    /// it is sent (RFC 1939 §3).
    #[error("{command:?} is not valid in the {state:?} state")]
    WrongState {
        /// The command.
        command: CommandKind,
        /// The state it would be sent in.
        state: State,
    },
    /// The command needs a capability the server did not list in its
    /// latest reply to `CAPA` (`STLS`: RFC 2595 §4; `UTF8`: RFC 6856 §2).
    #[error("the server did not advertise {0}")]
    NotAdvertised(&'static str),
    /// TLS is required ([`ClientConfig::require_tls`]) and not active: the
    /// command was refused, or the server cannot start TLS.
    #[error("TLS is required and not active")]
    TlsRequired,
    /// The session is over (`QUIT` sent, or a `-ERR` greeting).
    #[error("the session is closed")]
    Closed,
    /// `AUTH` with a mechanism runs a SASL exchange: use
    /// [`Client::authenticate`].
    #[error("AUTH with a mechanism goes through Client::authenticate")]
    UseAuthenticate,
    /// `APOP` needs the timestamp of the greeting, which had none (or has
    /// not arrived).
    #[error("the greeting has no APOP timestamp")]
    NoTimestamp,
    /// What the server sent does not decode.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The SASL mechanism cannot answer the server's challenge; the
    /// exchange was cancelled with `*`.
    #[error("SASL: {0}")]
    Sasl(sasl::SaslError),
}

/// What the server said, matched to the command that asked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// The greeting (RFC 1939 §4); its
    /// [`timestamp`](Greeting::timestamp) is what `APOP` needs.
    Greeting(Greeting<'static>),
    /// The status line answering `command`. When it is `+OK` and the
    /// command's success is multi-line, the lines follow: listing entries
    /// or message chunks, then [`End`](Self::End) (for `CAPA`:
    /// [`Capabilities`](Self::Capabilities)).
    Reply {
        /// The command, as sent.
        command: Command<'static>,
        /// The status line.
        response: Response<'static>,
    },
    /// The whole reply to `CAPA` (RFC 2449 §5), which ends it. The client
    /// now pipelines when `PIPELINING` is listed and allows `STLS` and
    /// `UTF8` when listed.
    Capabilities(Vec<Capability<'static>>),
    /// A line of the reply to `LIST`.
    Scan(ScanListing),
    /// A line of the reply to `UIDL`.
    UniqueId(UniqueIdListing<'static>),
    /// A line of the reply to `LANG`.
    Language(Language<'static>),
    /// A line of the reply to `AUTH` without a mechanism.
    Mechanism(Mechanism<'static>),
    /// The next octets of the message (`RETR`, `TOP`), dot-stuffing
    /// removed, shared with the input buffer.
    MessageChunk(Bytes),
    /// The end of a multi-line response.
    End,
    /// The server accepted `STLS` (RFC 2595 §4): start TLS on the
    /// connection, then call [`Client::tls_established`]. Until then no
    /// command is written. Capabilities are forgotten: send `CAPA` again.
    StartTls {
        /// What the server sent after its `+OK`, before the handshake. It
        /// was never processed.
        leftover: BytesMut,
    },
    /// Something went wrong; the session goes on with the next response.
    /// After an error inside a multi-line response no
    /// [`End`](Self::End) follows.
    Error(ClientError),
}

/// A command waiting to be written.
#[derive(Debug)]
struct Queued {
    command: Command<'static>,
    sasl: Option<sasl::Client>,
}

/// The multi-line response being read.
#[derive(Debug)]
enum Current {
    Capa(Vec<Capability<'static>>),
    Other,
}

/// Commands after which nothing is sent until their reply has come:
/// `STLS` (the connection changes), `AUTH` (the lines after it are the
/// SASL exchange's) and `QUIT`.
fn barrier(command: &Command<'_>) -> bool {
    matches!(
        command,
        Command::Stls | Command::Auth { .. } | Command::Quit
    )
}

/// The state after `command` succeeds.
fn after(state: State, command: &Command<'_>) -> State {
    match command {
        Command::Pass(_) | Command::Apop { .. } | Command::Auth { .. } => State::Transaction,
        Command::Quit => State::Update,
        _ => state,
    }
}

/// A POP3 client session: queues commands, writes them when the protocol
/// allows, and reads the server's responses in the context of the commands
/// they answer.
///
/// Commands are written one at a time, each after the reply to the one
/// before, unless the server listed `PIPELINING` in its reply to `CAPA`
/// (RFC 2449 §6.6); then they are written as they come, except that
/// nothing follows `STLS`, `AUTH` or `QUIT` until its reply. Replies come
/// back as [`ClientEvent::Reply`] with the command they answer.
#[derive(Debug)]
pub struct Client {
    config: ClientConfig,
    decoder: ResponseDecoder,
    out: BytesMut,
    events: VecDeque<ClientEvent>,
    queue: VecDeque<Queued>,
    in_flight: VecDeque<Command<'static>>,
    sasl: Option<sasl::Client>,
    current: Option<Current>,
    greeting: Option<Greeting<'static>>,
    greeted: bool,
    state: State,
    projected: State,
    capabilities: Option<Vec<Capability<'static>>>,
    tls_pending: bool,
    utf8: bool,
    closed: bool,
}

impl Client {
    /// A session for a new connection, waiting for the greeting.
    pub fn new(config: ClientConfig) -> Self {
        Self {
            decoder: ResponseDecoder::new(config.limits),
            config,
            out: BytesMut::new(),
            events: VecDeque::new(),
            queue: VecDeque::new(),
            in_flight: VecDeque::new(),
            sasl: None,
            current: None,
            greeting: None,
            greeted: false,
            state: State::Authorization,
            projected: State::Authorization,
            capabilities: None,
            tls_pending: false,
            utf8: false,
            closed: false,
        }
    }

    /// The state, as confirmed by the server's replies so far.
    pub fn state(&self) -> State {
        self.state
    }

    /// The greeting, once it has come.
    pub fn greeting(&self) -> Option<&Greeting<'static>> {
        self.greeting.as_ref()
    }

    /// The capabilities of the latest reply to `CAPA` (forgotten after
    /// `STLS`).
    pub fn capabilities(&self) -> Option<&[Capability<'static>]> {
        self.capabilities.as_deref()
    }

    /// True once TLS is active (from the start, or after `STLS`).
    pub fn tls_active(&self) -> bool {
        self.config.tls_active
    }

    /// True once the server accepted `UTF8` (RFC 6856 §2).
    pub fn utf8_enabled(&self) -> bool {
        self.utf8
    }

    /// True once the session is over.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Commands sent or queued whose reply has not come.
    pub fn outstanding(&self) -> usize {
        self.in_flight.len() + self.queue.len()
    }

    fn advertised(&self, matches: impl Fn(&Capability<'_>) -> bool) -> bool {
        self.capabilities
            .as_ref()
            .is_some_and(|caps| caps.iter().any(matches))
    }

    /// Queues `command`. It is refused when it is not valid in the state
    /// the session will be in once the commands before it succeed; `STLS`
    /// and `UTF8` when the server did not list them; a login before TLS
    /// when TLS is required; `AUTH` with a mechanism, which goes through
    /// [`authenticate`](Self::authenticate).
    pub fn send(&mut self, command: Command<'_>) -> Result<(), ClientError> {
        if matches!(command, Command::Auth { .. }) {
            return Err(ClientError::UseAuthenticate);
        }
        let command = command.into_owned();
        self.check(&command)?;
        self.enqueue(command, None);
        Ok(())
    }

    /// Queues `APOP name digest` (RFC 1939 §7), the digest made from the
    /// greeting's timestamp and `secret`.
    pub fn apop(&mut self, name: Argument<'_>, secret: &[u8]) -> Result<(), ClientError> {
        let timestamp = self
            .greeting
            .as_ref()
            .and_then(Greeting::timestamp)
            .ok_or(ClientError::NoTimestamp)?;
        let digest = apop_digest(timestamp, secret);
        self.send(Command::Apop { name, digest })
    }

    /// Queues `AUTH` for the SASL mechanism `mechanism` (RFC 5034 §4) and
    /// runs the exchange: its initial response goes on the command line
    /// when it fits [`Limits::command_line`], otherwise it answers the
    /// server's first (empty) challenge; challenges are answered as the
    /// mechanism says, and a challenge it cannot answer cancels with `*`.
    /// The outcome is the [`ClientEvent::Reply`] to the `AUTH` command.
    pub fn authenticate(&mut self, mechanism: sasl::Client) -> Result<(), ClientError> {
        let name = Mechanism::new(mechanism.name().as_bytes().to_vec())
            .map_err(|_| ClientError::UseAuthenticate)?;
        let bare = Command::Auth {
            mechanism: name.clone(),
            initial_response: None,
        };
        self.check(&bare)?;
        let mut probe = mechanism.clone();
        let with_initial = probe.initial_response().map(|ir| Command::Auth {
            mechanism: name,
            initial_response: Some(SaslData::encode(&ir)),
        });
        match with_initial {
            Some(command) if command.to_bytes().len() <= self.config.limits.command_line => {
                self.enqueue(command, Some(probe));
            }
            _ => self.enqueue(bare, Some(mechanism)),
        }
        Ok(())
    }

    fn check(&self, command: &Command<'_>) -> Result<(), ClientError> {
        if self.closed || self.projected == State::Update {
            return Err(ClientError::Closed);
        }
        let kind = command.kind();
        if kind != CommandKind::Unknown && !self.projected.allows(command) {
            return Err(ClientError::WrongState {
                command: kind,
                state: self.projected,
            });
        }
        let tls = self.config.tls_active;
        match command {
            Command::Stls if tls || !self.advertised(|c| *c == Capability::Stls) => {
                Err(ClientError::NotAdvertised("STLS"))
            }
            Command::Utf8 if !self.advertised(|c| matches!(c, Capability::Utf8 { .. })) => {
                Err(ClientError::NotAdvertised("UTF8"))
            }
            Command::User(_) | Command::Pass(_) | Command::Apop { .. } | Command::Auth { .. }
                if self.config.require_tls && !tls =>
            {
                Err(ClientError::TlsRequired)
            }
            _ => Ok(()),
        }
    }

    fn enqueue(&mut self, command: Command<'static>, sasl: Option<sasl::Client>) {
        self.projected = after(self.projected, &command);
        self.queue.push_back(Queued { command, sasl });
        self.flush();
    }

    /// Writes the queued commands the protocol allows now.
    fn flush(&mut self) {
        if !self.greeted || self.tls_pending || self.closed {
            return;
        }
        let pipelining = self.advertised(|c| *c == Capability::Pipelining);
        while let Some(front) = self.queue.front() {
            if !self.in_flight.is_empty()
                && (!pipelining
                    || barrier(&front.command)
                    || self.in_flight.front().is_some_and(|c| barrier(c)))
            {
                break;
            }
            let Some(next) = self.queue.pop_front() else {
                break;
            };
            next.command.encode(&mut self.out);
            self.decoder.sent(&next.command);
            if next.sasl.is_some() {
                self.sasl = next.sasl;
            }
            self.in_flight.push_back(next.command);
        }
    }

    /// After [`ClientEvent::StartTls`], once TLS is up: commands are
    /// written again, and every byte given to
    /// [`handle_input`](Self::handle_input) is taken as having come through
    /// TLS.
    pub fn tls_established(&mut self) {
        self.tls_pending = false;
        self.flush();
    }

    /// Takes bytes received from the server, of any size.
    pub fn handle_input(&mut self, bytes: &[u8]) {
        self.decoder.push(bytes);
        loop {
            let before = self.decoder.pending().len();
            let Some(result) = self.decoder.next_event() else {
                break;
            };
            let popped = self.decoder.pending().len() < before;
            match result {
                Ok(event) => self.on_event(event),
                Err(e) => self.on_error(e, popped),
            }
            // Commands freed by this reply are sent (and expected) before
            // the next response is read, so that responses are matched the
            // same way however the input was split.
            self.flush();
        }
    }

    /// The next event, `None` when there is none until more input.
    pub fn poll_event(&mut self) -> Option<ClientEvent> {
        self.events.pop_front()
    }

    /// The bytes to write to the server, `None` when there are none.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        (!self.out.is_empty()).then(|| self.out.split().freeze())
    }

    fn on_event(&mut self, event: Event) {
        match event {
            Event::Greeting(greeting) => {
                if !greeting.response().is_ok() {
                    self.closed = true;
                }
                self.greeted = true;
                self.greeting = Some(greeting.clone());
                self.events.push_back(ClientEvent::Greeting(greeting));
            }
            Event::Response(response) => {
                if let Some(command) = self.in_flight.pop_front() {
                    self.reply(command, response);
                }
            }
            Event::Begin { response, expect } => {
                if let Some(command) = self.in_flight.pop_front() {
                    self.current = Some(if expect == Expect::Capa {
                        Current::Capa(Vec::new())
                    } else {
                        Current::Other
                    });
                    self.events
                        .push_back(ClientEvent::Reply { command, response });
                }
            }
            Event::Capability(c) => {
                if let Some(Current::Capa(caps)) = &mut self.current {
                    caps.push(c);
                }
            }
            Event::Scan(s) => self.events.push_back(ClientEvent::Scan(s)),
            Event::UniqueId(u) => self.events.push_back(ClientEvent::UniqueId(u)),
            Event::Language(l) => self.events.push_back(ClientEvent::Language(l)),
            Event::Mechanism(m) => self.events.push_back(ClientEvent::Mechanism(m)),
            Event::Chunk(bytes) => self.events.push_back(ClientEvent::MessageChunk(bytes)),
            Event::End => match self.current.take() {
                Some(Current::Capa(caps)) => self.capabilities_received(caps),
                _ => self.events.push_back(ClientEvent::End),
            },
            Event::Challenge(challenge) => self.challenge(&challenge),
        }
    }

    fn capabilities_received(&mut self, caps: Vec<Capability<'static>>) {
        let stls = caps.contains(&Capability::Stls);
        self.capabilities = Some(caps.clone());
        self.events.push_back(ClientEvent::Capabilities(caps));
        if self.config.require_tls && !self.config.tls_active && !stls {
            self.events
                .push_back(ClientEvent::Error(ClientError::TlsRequired));
        }
    }

    /// The state the session will be in once the commands sent and queued
    /// succeed, recomputed after one failed.
    fn reproject(&mut self) {
        let queued = self.queue.iter().map(|q| &q.command);
        self.projected = self
            .in_flight
            .iter()
            .chain(queued)
            .fold(self.state, |s, c| after(s, c));
    }

    fn reply(&mut self, command: Command<'static>, response: Response<'static>) {
        let ok = response.is_ok();
        match &command {
            Command::Pass(_) | Command::Apop { .. } | Command::Auth { .. } => {
                if matches!(command, Command::Auth { .. }) {
                    self.sasl = None;
                }
                if ok {
                    self.state = State::Transaction;
                } else {
                    self.reproject();
                }
            }
            Command::Quit => {
                self.state = State::Update;
                self.closed = true;
            }
            Command::Stls if ok => {
                let leftover = self.decoder.take_buffered();
                self.tls_pending = true;
                self.config.tls_active = true;
                self.capabilities = None;
                self.events
                    .push_back(ClientEvent::Reply { command, response });
                self.events.push_back(ClientEvent::StartTls { leftover });
                return;
            }
            Command::Stls if self.config.require_tls => {
                self.events
                    .push_back(ClientEvent::Reply { command, response });
                self.events
                    .push_back(ClientEvent::Error(ClientError::TlsRequired));
                return;
            }
            Command::Utf8 if ok => self.utf8 = true,
            _ => {}
        }
        self.events
            .push_back(ClientEvent::Reply { command, response });
    }

    /// Answers a SASL challenge with the mechanism in use.
    fn challenge(&mut self, challenge: &Challenge<'_>) {
        let answer = match &mut self.sasl {
            None => SaslResponse::Cancel,
            Some(mechanism) => match mechanism.step(&challenge.data().decode()) {
                Ok(sasl::Step::Respond(data)) => SaslResponse::Data(SaslData::encode(&data)),
                Ok(sasl::Step::Failed { response, .. }) => {
                    SaslResponse::Data(SaslData::encode(&response))
                }
                Ok(_) => SaslResponse::Cancel,
                Err(e) => {
                    self.events
                        .push_back(ClientEvent::Error(ClientError::Sasl(e)));
                    SaslResponse::Cancel
                }
            },
        };
        answer.encode(&mut self.out);
    }

    fn on_error(&mut self, error: DecodeError, popped: bool) {
        if popped {
            if !self.greeted {
                // The greeting did not decode: go on as if it had come.
                self.greeted = true;
            } else if let Some(command) = self.in_flight.pop_front() {
                if matches!(command, Command::Auth { .. }) {
                    self.sasl = None;
                }
                if after(State::Authorization, &command) == State::Transaction {
                    self.reproject();
                }
            }
        } else if self.current.is_some() {
            self.current = None;
        } else if self
            .in_flight
            .front()
            .is_some_and(|c| matches!(c, Command::Auth { .. }))
        {
            // A challenge that does not decode: cancel the exchange.
            SaslResponse::Cancel.encode(&mut self.out);
        }
        self.events
            .push_back(ClientEvent::Error(ClientError::Decode(error)));
    }
}
