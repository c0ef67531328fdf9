//! The client side: commands in, bytes out; the server's bytes in, replies
//! matched to their commands out.

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};
use mailwire_sasl as sasl;

use crate::Limits;
use crate::decode::{DecodeError, ReplyDecoder};
use crate::encode::{DataEncodeError, DataEncoder, DataOptions, Encode};
use crate::types::{
    Capabilities, Command, ForwardPath, Host, InitialResponse, Mechanism, Reply, ReplyCode, Secret,
};

/// How a [`Client`] behaves.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// The name given in `EHLO`/`LHLO` by [`Client::hello`].
    pub hostname: Host<'static>,
    /// Refuse to send mail or credentials outside TLS: the session fails
    /// (with [`ClientError::TlsNotOffered`] or [`ClientError::TlsRefused`])
    /// rather than go on in plaintext.
    pub require_tls: bool,
    /// Limits on the server's replies.
    pub limits: Limits,
    /// Speak LMTP (RFC 2033): expect one reply per accepted recipient
    /// after the data.
    pub lmtp: bool,
    /// The connection is already under TLS (implicit TLS, RFC 8314).
    pub tls_active: bool,
    /// How message bodies are written after `DATA`.
    pub data_options: DataOptions,
}

impl ClientConfig {
    /// A configuration with default limits, SMTP, no TLS required.
    pub fn new(hostname: Host<'static>) -> Self {
        Self {
            hostname,
            require_tls: false,
            limits: Limits::default(),
            lmtp: false,
            tls_active: false,
            data_options: DataOptions::default(),
        }
    }
}

/// What the server said, matched to what the client sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// The server's greeting (`220`, or `554` when it refuses service).
    Greeting(Reply<'static>),
    /// The reply to a command (for `AUTH`: the final one, after the
    /// challenges; for `DATA`: the `354` or the refusal).
    Reply {
        /// The command it answers.
        command: Command<'static>,
        /// The reply.
        reply: Reply<'static>,
    },
    /// The extensions of a `250` reply to `EHLO`/`LHLO`.
    Capabilities(Capabilities<'static>),
    /// The recipients of the transaction, once all `RCPT` replies are in
    /// (when `DATA` or the first `BDAT` is answered). Some may be
    /// refused while others are accepted: that is normal.
    RecipientResults {
        /// Accepted recipients, in order.
        accepted: Vec<ForwardPath<'static>>,
        /// Refused recipients and their replies, in order.
        rejected: Vec<(ForwardPath<'static>, Reply<'static>)>,
    },
    /// The server's answer to the message, after the end of the data
    /// (or the last `BDAT` chunk).
    DataResult {
        /// The reply (in LMTP, the first recipient's).
        reply: Reply<'static>,
        /// Each accepted recipient with the reply that concerns it: the
        /// same reply for all in SMTP, one each in LMTP (RFC 2033 §4.2).
        recipients: Vec<(ForwardPath<'static>, Reply<'static>)>,
    },
    /// The server answered `STARTTLS` with `220`: run the TLS handshake,
    /// then call [`Client::tls_established`]. `leftover` holds bytes that
    /// came after the `220` in plaintext: they were not processed and must
    /// not be (RFC 3207 §4).
    StartTls {
        /// Bytes received after the `220` reply.
        leftover: Bytes,
    },
    /// A reply with no command waiting for one (a `421` before closing).
    Unsolicited(Reply<'static>),
    /// Something went wrong; see [`ClientError`].
    Error(ClientError),
}

/// Why the client cannot go on, or cannot do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// TLS is required and the server does not offer `STARTTLS`.
    #[error("TLS is required and the server does not offer STARTTLS")]
    TlsNotOffered,
    /// TLS is required and the server refused `STARTTLS`.
    #[error("TLS is required and STARTTLS was refused with {0}")]
    TlsRefused(ReplyCode),
    /// TLS is required: this command may not go out in plaintext.
    #[error("TLS is required: {0} is not sent in plaintext")]
    TlsRequired(String),
    /// The server did not announce the extension this needs.
    #[error("the server did not announce {0}")]
    NotAnnounced(String),
    /// `QUIT` was sent, or the session failed.
    #[error("the session has ended")]
    Closed,
    /// The message body after `DATA` is not finished: call
    /// [`Client::end_data`] first.
    #[error("the message body is not finished")]
    BodyOpen,
    /// Body octets with no `DATA` command before them.
    #[error("no message body is expected")]
    NoBody,
    /// The server refused `DATA`: the body was dropped.
    #[error("the server refused DATA")]
    DataRefused,
    /// This command has its own method ([`Client::send_bdat`],
    /// [`Client::authenticate`]).
    #[error("{0} is sent with its own method")]
    UseMethod(&'static str),
    /// The body cannot be written under the data options.
    #[error(transparent)]
    Data(DataEncodeError),
    /// The SASL mechanism could not go on; the exchange was cancelled.
    #[error("SASL: {0}")]
    Sasl(sasl::SaslError),
    /// A `334` challenge that is not Base64; the exchange was cancelled.
    #[error("a SASL challenge that is not Base64")]
    BadChallenge,
    /// Bytes from the server that are not a reply.
    #[error("bad reply: {0}")]
    Decode(DecodeError),
}

/// What waits in the queue to be written.
#[derive(Debug)]
enum Outgoing {
    Command(Command<'static>),
    Auth(Command<'static>, Box<sasl::Client>),
    Body(Bytes),
    EndData(Bytes),
    Bdat(u64, bool, Bytes),
}

/// What has been written and waits for its reply.
#[derive(Debug)]
enum InFlight {
    Command(Command<'static>),
    Auth(Command<'static>, Box<sasl::Client>),
    /// The end of the data: one reply, or one per recipient in LMTP.
    DataEnd(Vec<Reply<'static>>),
    Bdat {
        size: u64,
        last: bool,
        replies: Vec<Reply<'static>>,
    },
}

impl InFlight {
    /// RFC 2920 §3.1: commands after which the client waits for the reply
    /// before sending more, even with `PIPELINING`.
    fn ends_group(&self) -> bool {
        match self {
            Self::Command(c) => !matches!(
                c,
                Command::Mail { .. } | Command::Rcpt { .. } | Command::Rset
            ),
            Self::Auth(..) => true,
            Self::DataEnd(_) | Self::Bdat { .. } => false,
        }
    }
}

/// Where the message body after `DATA` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    /// No body expected.
    None,
    /// `DATA` queued: body octets may be given until `end_data`.
    Open,
    /// The server refused `DATA` before the body was finished.
    Refused,
}

/// The recipients of the transaction so far.
#[derive(Debug, Default)]
struct Transaction {
    accepted: Vec<ForwardPath<'static>>,
    rejected: Vec<(ForwardPath<'static>, Reply<'static>)>,
    reported: bool,
}

/// An SMTP or LMTP client session (RFC 5321, RFC 2033), sans-IO.
///
/// [`send`](Self::send) queues commands; the session writes them when the
/// protocol allows: after the greeting, one at a time, or in groups when
/// the server announced `PIPELINING` (RFC 2920). Replies come back from
/// [`poll_event`](Self::poll_event) matched to the command that caused
/// them.
///
/// ```
/// use mailwire_smtp::session::{Client, ClientConfig, ClientEvent};
/// use mailwire_smtp::types::{Command, Host};
///
/// let mut client = Client::new(ClientConfig::new(Host::parse("client.example")?));
/// client.hello()?;
/// assert!(client.poll_transmit().is_none()); // waits for the greeting
/// client.handle_input(b"220 mx.example.org ready\r\n");
/// assert!(matches!(client.poll_event(), Some(ClientEvent::Greeting(_))));
/// assert_eq!(&client.poll_transmit().unwrap()[..], b"EHLO client.example\r\n");
/// client.handle_input(b"250-mx.example.org\r\n250 PIPELINING\r\n");
/// assert!(matches!(client.poll_event(), Some(ClientEvent::Reply { command: Command::Ehlo { .. }, .. })));
/// let Some(ClientEvent::Capabilities(caps)) = client.poll_event() else { panic!() };
/// assert!(caps.contains("PIPELINING"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Client {
    config: ClientConfig,
    decoder: ReplyDecoder,
    encoder: DataEncoder,
    queue: VecDeque<Outgoing>,
    in_flight: VecDeque<InFlight>,
    events: VecDeque<ClientEvent>,
    out: BytesMut,
    capabilities: Option<Capabilities<'static>>,
    transaction: Transaction,
    body: Body,
    /// `354` received: body octets go out.
    data_open: bool,
    greeted: bool,
    tls: bool,
    awaiting_tls: bool,
    authenticated: bool,
    /// `QUIT` queued, or the session failed.
    ended: bool,
    /// `QUIT` answered.
    closed: bool,
}

impl Client {
    /// A session for one connection; it waits for the server's greeting.
    pub fn new(config: ClientConfig) -> Self {
        Self {
            decoder: ReplyDecoder::new(config.limits),
            encoder: DataEncoder::new(config.data_options),
            tls: config.tls_active,
            config,
            queue: VecDeque::new(),
            in_flight: VecDeque::new(),
            events: VecDeque::new(),
            out: BytesMut::new(),
            capabilities: None,
            transaction: Transaction::default(),
            body: Body::None,
            data_open: false,
            greeted: false,
            awaiting_tls: false,
            authenticated: false,
            ended: false,
            closed: false,
        }
    }

    /// Queues `EHLO` (or `LHLO` in LMTP) with the configured name.
    pub fn hello(&mut self) -> Result<(), ClientError> {
        let host = self.config.hostname.clone();
        self.send(if self.config.lmtp {
            Command::Lhlo { host }
        } else {
            Command::Ehlo { host }
        })
    }

    /// Queues a command. `DATA` opens a body: give it with
    /// [`send_data`](Self::send_data) and [`end_data`](Self::end_data)
    /// (at once, or after the `354`). `BDAT` and `AUTH` have their own
    /// methods. With `require_tls`, only `EHLO`, `HELO`, `LHLO`,
    /// `STARTTLS`, `NOOP`, `RSET` and `QUIT` are sent before TLS.
    pub fn send(&mut self, command: Command<'_>) -> Result<(), ClientError> {
        self.check_open()?;
        match command {
            Command::Bdat { .. } => return Err(ClientError::UseMethod("BDAT")),
            Command::Auth { .. } => return Err(ClientError::UseMethod("AUTH")),
            _ => {}
        }
        let plaintext_ok = matches!(
            command,
            Command::Ehlo { .. }
                | Command::Helo { .. }
                | Command::Lhlo { .. }
                | Command::StartTls
                | Command::Noop { .. }
                | Command::Rset
                | Command::Quit
        );
        self.check_tls(plaintext_ok, command.verb())?;
        match command {
            Command::Data => self.body = Body::Open,
            Command::Quit => self.ended = true,
            _ => {}
        }
        self.queue
            .push_back(Outgoing::Command(command.into_owned()));
        self.flush();
        Ok(())
    }

    /// Queues `AUTH` with the SASL client `mechanism` (RFC 4954 §4). The
    /// initial response goes on the command line when the line fits in
    /// 512 octets; otherwise it answers the server's empty challenge.
    /// The `334` challenges are answered by the session; the final reply
    /// comes as a [`ClientEvent::Reply`].
    pub fn authenticate(&mut self, mut mechanism: sasl::Client) -> Result<(), ClientError> {
        self.check_open()?;
        self.check_tls(false, "AUTH")?;
        let name = mechanism.name();
        if let Some(caps) = &self.capabilities
            && !caps
                .auth_mechanisms()
                .any(|m| name.matches(m.as_str().as_bytes()))
        {
            return Err(ClientError::NotAnnounced(format!("AUTH {}", name.as_str())));
        }
        let mech = Mechanism::new(name.as_str().to_owned())
            .map_err(|_| ClientError::NotAnnounced(format!("AUTH {}", name.as_str())))?;
        // "AUTH " mechanism SP response CRLF must fit in 512 octets.
        let initial = mechanism
            .clone()
            .initial_response()
            .map(|r| sasl::wire::encode_initial(&r))
            .filter(|r| 5 + mech.as_str().len() + 1 + r.len() + 2 <= 512);
        let initial_response = match initial {
            None => None,
            Some(text) => {
                let _ = mechanism.initial_response();
                if text == "=" {
                    Some(InitialResponse::Empty)
                } else {
                    Secret::new(text).ok().map(InitialResponse::Base64)
                }
            }
        };
        let command = Command::Auth {
            mechanism: mech,
            initial_response,
        };
        self.queue
            .push_back(Outgoing::Auth(command, Box::new(mechanism)));
        self.flush();
        Ok(())
    }

    /// Gives the next octets of the message body after `DATA`, in chunks
    /// of any size: dot-stuffed and with bare line ends made CRLF by the
    /// [`DataEncoder`] (under [`ClientConfig::data_options`]). They are
    /// written once the server has answered `354`.
    pub fn send_data(&mut self, chunk: &[u8]) -> Result<(), ClientError> {
        match self.body {
            Body::Open => {}
            Body::Refused => return Err(ClientError::DataRefused),
            Body::None => return Err(ClientError::NoBody),
        }
        let mut out = BytesMut::new();
        if let Err(e) = self.encoder.push(chunk, &mut out) {
            // The data cannot be ended cleanly: the connection is lost.
            self.fail(ClientError::Data(e));
            return Err(ClientError::Data(e));
        }
        if !out.is_empty() {
            self.queue.push_back(Outgoing::Body(out.freeze()));
        }
        self.flush();
        Ok(())
    }

    /// Ends the message body: `<CRLF>.<CRLF>`.
    pub fn end_data(&mut self) -> Result<(), ClientError> {
        match self.body {
            Body::Open => {}
            Body::Refused => {
                self.body = Body::None;
                return Err(ClientError::DataRefused);
            }
            Body::None => return Err(ClientError::NoBody),
        }
        let mut out = BytesMut::new();
        if let Err(e) = self.encoder.finish(&mut out) {
            self.fail(ClientError::Data(e));
            return Err(ClientError::Data(e));
        }
        self.body = Body::None;
        self.queue.push_back(Outgoing::EndData(out.freeze()));
        self.flush();
        Ok(())
    }

    /// Queues a `BDAT` chunk (RFC 3030 §2) with its octets, sent as they
    /// are. The server must have announced `CHUNKING`.
    pub fn send_bdat(&mut self, chunk: impl Into<Bytes>, last: bool) -> Result<(), ClientError> {
        self.check_open()?;
        self.check_tls(false, "BDAT")?;
        if !self
            .capabilities
            .as_ref()
            .is_some_and(|c| c.contains("CHUNKING"))
        {
            return Err(ClientError::NotAnnounced("CHUNKING".into()));
        }
        let chunk = chunk.into();
        self.queue
            .push_back(Outgoing::Bdat(chunk.len() as u64, last, chunk));
        self.flush();
        Ok(())
    }

    /// Takes bytes received from the server, in chunks of any size. Bytes
    /// given after the `STARTTLS` event and before
    /// [`tls_established`](Self::tls_established) are dropped unread.
    pub fn handle_input(&mut self, bytes: &[u8]) {
        if !self.awaiting_tls {
            self.decoder.push(bytes);
        }
    }

    /// The next event, `None` when more input is needed.
    pub fn poll_event(&mut self) -> Option<ClientEvent> {
        loop {
            if let Some(event) = self.events.pop_front() {
                return Some(event);
            }
            if self.awaiting_tls {
                return None;
            }
            match self.decoder.next_reply()? {
                Ok(reply) => self.on_reply(reply),
                Err(error) => self
                    .events
                    .push_back(ClientEvent::Error(ClientError::Decode(error))),
            }
        }
    }

    /// Bytes to send to the server, all queued so far in one buffer.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        (!self.out.is_empty()).then(|| self.out.split().freeze())
    }

    /// Call when the TLS handshake after [`ClientEvent::StartTls`] has
    /// completed: the capabilities are forgotten (send `EHLO` again) and
    /// queued commands go out.
    pub fn tls_established(&mut self) {
        self.tls = true;
        self.awaiting_tls = false;
        self.capabilities = None;
        self.authenticated = false;
        self.flush();
    }

    /// The extensions of the last `EHLO`/`LHLO` reply, since the last TLS
    /// upgrade.
    pub fn capabilities(&self) -> Option<&Capabilities<'static>> {
        self.capabilities.as_ref()
    }

    /// True when the connection is under TLS.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// True after a `235` reply to `AUTH`.
    pub fn is_authenticated(&self) -> bool {
        self.authenticated
    }

    /// True once `QUIT` has been answered.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    fn check_open(&self) -> Result<(), ClientError> {
        if self.ended {
            return Err(ClientError::Closed);
        }
        if self.body == Body::Open {
            return Err(ClientError::BodyOpen);
        }
        Ok(())
    }

    fn check_tls(&mut self, plaintext_ok: bool, verb: &str) -> Result<(), ClientError> {
        if self.body == Body::Refused {
            self.body = Body::None;
        }
        if self.config.require_tls && !self.tls && !plaintext_ok {
            return Err(ClientError::TlsRequired(verb.to_owned()));
        }
        Ok(())
    }

    fn pipelining(&self) -> bool {
        self.capabilities
            .as_ref()
            .is_some_and(|c| c.contains("PIPELINING"))
    }

    /// Writes what the protocol allows now.
    fn flush(&mut self) {
        if !self.greeted || self.awaiting_tls {
            return;
        }
        while let Some(front) = self.queue.front() {
            let body = matches!(front, Outgoing::Body(_) | Outgoing::EndData(_));
            if body != self.data_open {
                // Body octets wait for the 354; commands wait for the body.
                break;
            }
            if !body
                && self
                    .in_flight
                    .back()
                    .is_some_and(|last| !self.pipelining() || last.ends_group())
            {
                break;
            }
            let Some(item) = self.queue.pop_front() else {
                break;
            };
            match item {
                Outgoing::Command(command) => {
                    command.encode(&mut self.out);
                    self.in_flight.push_back(InFlight::Command(command));
                }
                Outgoing::Auth(command, client) => {
                    command.encode(&mut self.out);
                    self.in_flight.push_back(InFlight::Auth(command, client));
                }
                Outgoing::Body(bytes) => self.out.extend_from_slice(&bytes),
                Outgoing::EndData(bytes) => {
                    self.out.extend_from_slice(&bytes);
                    self.data_open = false;
                    self.in_flight.push_back(InFlight::DataEnd(Vec::new()));
                }
                Outgoing::Bdat(size, last, bytes) => {
                    Command::Bdat { size, last }.encode(&mut self.out);
                    self.out.extend_from_slice(&bytes);
                    self.in_flight.push_back(InFlight::Bdat {
                        size,
                        last,
                        replies: Vec::new(),
                    });
                }
            }
        }
    }

    /// The session cannot go on: nothing more is sent but `QUIT`.
    fn fail(&mut self, error: ClientError) {
        self.queue.clear();
        self.body = Body::None;
        if !self.ended && !self.data_open && self.greeted {
            Command::Quit.encode(&mut self.out);
            self.in_flight.push_back(InFlight::Command(Command::Quit));
        }
        self.ended = true;
        self.events.push_back(ClientEvent::Error(error));
    }

    /// How many replies the end of a message gets.
    fn data_replies(&self) -> usize {
        if self.config.lmtp {
            self.transaction.accepted.len().max(1)
        } else {
            1
        }
    }

    fn report_recipients(&mut self) {
        if !self.transaction.reported {
            self.transaction.reported = true;
            self.events.push_back(ClientEvent::RecipientResults {
                accepted: self.transaction.accepted.clone(),
                rejected: self.transaction.rejected.clone(),
            });
        }
    }

    fn data_result(&mut self, replies: Vec<Reply<'static>>) {
        let transaction = std::mem::take(&mut self.transaction);
        let Some(first) = replies.first().cloned() else {
            return;
        };
        let recipients = transaction
            .accepted
            .into_iter()
            .enumerate()
            .map(|(i, to)| {
                let reply = if self.config.lmtp {
                    replies.get(i).cloned().unwrap_or_else(|| first.clone())
                } else {
                    first.clone()
                };
                (to, reply)
            })
            .collect();
        self.events.push_back(ClientEvent::DataResult {
            reply: first,
            recipients,
        });
    }

    fn on_reply(&mut self, reply: Reply<'static>) {
        if !self.greeted {
            self.greeted = true;
            self.events.push_back(ClientEvent::Greeting(reply));
            self.flush();
            return;
        }
        let Some(front) = self.in_flight.pop_front() else {
            self.events.push_back(ClientEvent::Unsolicited(reply));
            return;
        };
        let code = reply.code();
        let positive = code.get() / 100 == 2;
        match front {
            InFlight::Command(command) => self.command_reply(command, reply),
            InFlight::Auth(command, mut client) => {
                if code == ReplyCode::AUTH_CHALLENGE {
                    let line = match sasl::wire::decode(reply.text().as_bytes()) {
                        Err(_) => Err(ClientError::BadChallenge),
                        Ok(challenge) => client.step(&challenge).map_err(ClientError::Sasl),
                    };
                    match line {
                        Ok(sasl::Step::Respond(response))
                        | Ok(sasl::Step::Failed { response, .. }) => {
                            self.out
                                .extend_from_slice(sasl::wire::encode(&response).as_bytes());
                        }
                        Ok(_) => self.out.extend_from_slice(sasl::wire::CANCEL),
                        Err(error) => {
                            self.out.extend_from_slice(sasl::wire::CANCEL);
                            self.events.push_back(ClientEvent::Error(error));
                        }
                    }
                    self.out.extend_from_slice(b"\r\n");
                    self.in_flight.push_front(InFlight::Auth(command, client));
                } else {
                    self.authenticated |= code == ReplyCode::AUTH_SUCCEEDED;
                    self.events.push_back(ClientEvent::Reply { command, reply });
                }
            }
            InFlight::DataEnd(mut replies) => {
                replies.push(reply);
                if replies.len() < self.data_replies() {
                    self.in_flight.push_front(InFlight::DataEnd(replies));
                } else {
                    self.data_result(replies);
                }
            }
            InFlight::Bdat {
                size,
                last,
                mut replies,
            } => {
                self.report_recipients();
                if !last {
                    self.events.push_back(ClientEvent::Reply {
                        command: Command::Bdat { size, last },
                        reply,
                    });
                } else {
                    // A refused BDAT LAST gets one reply, even in LMTP.
                    let expected = if positive || !replies.is_empty() {
                        self.data_replies()
                    } else {
                        1
                    };
                    replies.push(reply);
                    if replies.len() < expected {
                        self.in_flight.push_front(InFlight::Bdat {
                            size,
                            last,
                            replies,
                        });
                    } else {
                        self.data_result(replies);
                    }
                }
            }
        }
        self.flush();
    }

    fn command_reply(&mut self, command: Command<'static>, reply: Reply<'static>) {
        let code = reply.code();
        let positive = code.get() / 100 == 2;
        let mut extra = None;
        match &command {
            Command::Ehlo { .. } | Command::Lhlo { .. } if positive => {
                let caps = Capabilities::from_reply(&reply).map(Capabilities::into_owned);
                let starttls = caps.as_ref().is_some_and(|c| c.contains("STARTTLS"));
                self.capabilities = caps.clone();
                extra = caps.map(ClientEvent::Capabilities);
                if self.config.require_tls && !self.tls && !starttls {
                    self.events.push_back(ClientEvent::Reply { command, reply });
                    self.events.extend(extra);
                    self.fail(ClientError::TlsNotOffered);
                    return;
                }
            }
            Command::Helo { .. } if positive => {
                self.capabilities = None;
                if self.config.require_tls && !self.tls {
                    self.events.push_back(ClientEvent::Reply { command, reply });
                    self.fail(ClientError::TlsNotOffered);
                    return;
                }
            }
            Command::Mail { .. } | Command::Rset => self.transaction = Transaction::default(),
            Command::Rcpt { to, .. } => {
                if positive {
                    self.transaction.accepted.push(to.clone());
                } else {
                    self.transaction.rejected.push((to.clone(), reply.clone()));
                }
            }
            Command::Data => {
                if code == ReplyCode::START_MAIL_INPUT {
                    self.data_open = true;
                } else {
                    // The body is not sent: drop what was queued of it.
                    let mut ended = false;
                    while let Some(Outgoing::Body(_) | Outgoing::EndData(_)) = self.queue.front() {
                        ended = matches!(self.queue.pop_front(), Some(Outgoing::EndData(_)));
                    }
                    if !ended && self.body == Body::Open {
                        self.body = Body::Refused;
                    }
                    self.encoder = DataEncoder::new(self.config.data_options);
                }
                self.events.push_back(ClientEvent::Reply { command, reply });
                self.report_recipients();
                return;
            }
            Command::StartTls => {
                if code == ReplyCode::SERVICE_READY {
                    let leftover = self.decoder.take_buffered().freeze();
                    self.capabilities = None;
                    self.awaiting_tls = true;
                    self.events.push_back(ClientEvent::Reply { command, reply });
                    self.events.push_back(ClientEvent::StartTls { leftover });
                    return;
                }
                if self.config.require_tls && !self.tls {
                    self.events.push_back(ClientEvent::Reply { command, reply });
                    self.fail(ClientError::TlsRefused(code));
                    return;
                }
            }
            Command::Quit => self.closed = true,
            _ => {}
        }
        self.events.push_back(ClientEvent::Reply { command, reply });
        self.events.extend(extra);
    }
}
