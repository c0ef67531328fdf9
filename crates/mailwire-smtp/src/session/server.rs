//! The server side: the client's bytes in, events and replies out.

use bytes::{Bytes, BytesMut};
use mailwire_sasl as sasl;

use super::NoDecision;
use crate::Limits;
use crate::decode::{BdatChunk, CommandDecoder, DataChunk, DataDecoder, DataRefusal, DecodeError};
use crate::encode::Encode;
use crate::frame::{self, Line};
use crate::types::{
    Body, Command, Domain, EnhancedStatusCode, ForwardPath, Host, InitialResponse, MailParams,
    RcptParams, Reply, ReplyCode, ReplyText, ReversePath, Stop,
};

/// The service extensions a [`Server`] announces in its `EHLO`/`LHLO`
/// reply, and enforces.
///
/// `Default` announces nothing; [`ServerConfig::new`] starts from
/// `PIPELINING`, `SIZE`, `8BITMIME`, `ENHANCEDSTATUSCODES` and `CHUNKING`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Extensions {
    /// `PIPELINING` (RFC 2920).
    pub pipelining: bool,
    /// `SIZE` (RFC 1870), announcing [`Limits::message_size`]; a `MAIL`
    /// whose `SIZE=` is larger is answered `552` by the session.
    pub size: bool,
    /// `8BITMIME` (RFC 6152).
    pub eight_bit_mime: bool,
    /// `SMTPUTF8` (RFC 6531).
    pub smtputf8: bool,
    /// `STARTTLS` (RFC 3207), announced only while TLS is not active.
    pub starttls: bool,
    /// `AUTH` (RFC 4954) with these mechanisms, run by `mailwire-sasl`.
    /// Announced only over TLS unless [`ServerConfig::auth_without_tls`].
    pub auth: Vec<sasl::Mechanism>,
    /// `CHUNKING` (RFC 3030): `BDAT`.
    pub chunking: bool,
    /// `ENHANCEDSTATUSCODES` (RFC 2034): the session's own replies carry
    /// enhanced status codes (RFC 3463).
    pub enhanced_status_codes: bool,
    /// `DSN` (RFC 3461).
    pub dsn: bool,
    /// Further `ehlo-line`s, written as given after the others.
    pub other: Vec<ReplyText<'static>>,
}

/// How a [`Server`] behaves: its name, limits, extensions and policies.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerConfig {
    /// The server's name, first on the greeting and the `EHLO` reply.
    pub hostname: Domain<'static>,
    /// The greeting's text after the name. Default `Service ready`.
    pub greeting: ReplyText<'static>,
    /// Limits on what the client sends.
    pub limits: Limits,
    /// What to announce.
    pub extensions: Extensions,
    /// Speak LMTP (RFC 2033): `LHLO` instead of `EHLO`/`HELO`, and one
    /// reply per accepted recipient after the data.
    pub lmtp: bool,
    /// The connection is already under TLS (implicit TLS, RFC 8314).
    pub tls_active: bool,
    /// `MAIL` is refused with `530` until the client has authenticated.
    pub auth_required: bool,
    /// Allow `AUTH` without TLS. Default `false`: `AUTH` is then neither
    /// announced nor accepted (`538`) before `STARTTLS`.
    pub auth_without_tls: bool,
    /// Most accepted recipients in one transaction; more are answered
    /// `452` (RFC 5321 §4.5.3.1.8: at least 100 must be accepted).
    pub max_recipients: usize,
    /// Accept command lines that end in a bare LF. Default `false`: such a
    /// line is answered `500 5.5.2` whatever its command (RFC 5321 §2.3.8:
    /// lines end in CRLF; a server that reads a bare LF as a line end
    /// can be made to see commands a relay did not).
    pub allow_bare_lf: bool,
    /// Limits on SASL responses.
    pub sasl_limits: sasl::Limits,
    /// The challenge for `CRAM-MD5`, a unique message id the application
    /// makes (the session has no clock or randomness). Without one,
    /// `CRAM-MD5` is refused with `504`.
    pub cram_md5_challenge: Option<Vec<u8>>,
}

impl ServerConfig {
    /// A configuration with default limits, the extensions listed on
    /// [`Extensions`], SMTP (not LMTP), no TLS and no authentication.
    pub fn new(hostname: Domain<'static>) -> Self {
        Self {
            hostname,
            greeting: ReplyText::new(&b"Service ready"[..]).unwrap_or(ReplyText::empty()),
            limits: Limits::default(),
            extensions: Extensions {
                pipelining: true,
                size: true,
                eight_bit_mime: true,
                enhanced_status_codes: true,
                chunking: true,
                ..Extensions::default()
            },
            lmtp: false,
            tls_active: false,
            auth_required: false,
            auth_without_tls: false,
            max_recipients: 100,
            allow_bare_lf: false,
            sasl_limits: sasl::Limits::default(),
            cram_md5_challenge: None,
        }
    }
}

/// Which greeting command the client used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HelloKind {
    /// `EHLO` (RFC 5321 §4.1.1.1).
    Ehlo,
    /// `HELO`: no service extensions.
    Helo,
    /// `LHLO` (RFC 2033 §4.1).
    Lhlo,
}

/// What happened on the client's side of the connection.
///
/// Events marked *decision* wait for the application's answer
/// ([`Server::accept`] or [`Server::send`]); until it comes,
/// [`Server::poll_event`] gives nothing more, so pipelined commands are
/// answered in order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerEvent {
    /// *Decision*: `EHLO`, `HELO` or `LHLO`. [`Server::accept`] answers
    /// with the capabilities. The transaction was reset.
    Hello {
        /// The command.
        kind: HelloKind,
        /// The name the client gave.
        host: Host<'static>,
    },
    /// *Decision*: `MAIL FROM`, in order (after the greeting, outside a
    /// transaction, authenticated when required, `SIZE` within the limit).
    Mail {
        /// The reverse-path.
        from: ReversePath<'static>,
        /// Its parameters.
        params: MailParams<'static>,
    },
    /// *Decision*: `RCPT TO`, inside a transaction, below the recipient
    /// limit.
    Rcpt {
        /// The forward-path.
        to: ForwardPath<'static>,
        /// Its parameters.
        params: RcptParams<'static>,
    },
    /// *Decision*: `DATA`, with at least one accepted recipient. A `354`
    /// reply (what [`Server::accept`] sends) starts the message.
    DataStart,
    /// A `BDAT` chunk starts, with at least one accepted recipient; its
    /// octets follow as [`ServerEvent::DataChunk`]s. The session answers
    /// chunks but the last itself.
    BdatStart {
        /// Octets in the chunk.
        size: u64,
        /// The final chunk.
        last: bool,
    },
    /// Message octets (dot-unstuffed after `DATA`; as sent after `BDAT`).
    /// Nothing past [`Limits::message_size`] is handed out.
    DataChunk(Bytes),
    /// The message has ended. When `refused` is set the session has
    /// answered (`552`, `500` or `554`, once per accepted recipient in
    /// LMTP); otherwise it is a *decision*: one reply in SMTP, one per
    /// accepted recipient, in order, in LMTP.
    DataEnd {
        /// Octets of message.
        size: u64,
        /// Why the session refused it.
        refused: Option<DataRefusal>,
    },
    /// *Decision*: a SASL exchange is complete; check the credentials and
    /// answer `235` ([`Server::accept`]) or, say, `535`.
    Auth {
        /// The mechanism used.
        mechanism: sasl::Mechanism,
        /// What the client proved.
        credentials: sasl::Credentials,
    },
    /// `STARTTLS` was accepted: send the `220` from
    /// [`Server::poll_transmit`], run the TLS handshake, then call
    /// [`Server::tls_established`]. `leftover` holds the bytes that came
    /// after the command in plaintext: they were not processed and must
    /// not be (RFC 3207 §4).
    StartTls {
        /// Bytes received after the `STARTTLS` line.
        leftover: Bytes,
    },
    /// `RSET`: the transaction was reset and answered.
    Reset,
    /// `QUIT` was answered; close the connection after transmitting.
    Quit,
    /// *Decision*: `VRFY`, `EXPN`, `HELP` or a command this crate does
    /// not know. [`Server::accept`] answers `252`, `502`, `214` and
    /// `500` respectively.
    Other(Command<'static>),
    /// The session answered a command itself with an error.
    Error(ServerError),
}

/// Why the session answered a command with an error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// A line that is not a command (`500`/`501`).
    #[error("bad command line: {0}")]
    Decode(DecodeError),
    /// A command out of order (`503`) or against a policy (`502`, `504`,
    /// `530`, `538`, `552`, `452`, `554`).
    #[error("{verb} refused with {code}")]
    Refused {
        /// The command's verb.
        verb: String,
        /// The reply code sent.
        code: ReplyCode,
    },
    /// A SASL exchange failed (`501`, `500` or `535`).
    #[error("authentication failed: {0}")]
    Auth(sasl::Failure),
    /// A SASL response that is not Base64 (`501`).
    #[error("SASL response is not Base64")]
    AuthEncoding,
}

/// What the application's answer decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    Hello(HelloKind),
    Mail,
    Rcpt,
    Data,
    DataEnd { remaining: usize },
    Auth,
    Other(Other),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Other {
    Vrfy,
    Expn,
    Help,
    Unknown,
}

/// What the client's bytes are, past the command decoder.
#[derive(Debug)]
enum Mode {
    Commands,
    Data,
    Bdat {
        chunk: BdatChunk,
        /// False for a refused chunk, read and dropped.
        deliver: bool,
    },
    /// Reading SASL response lines.
    Auth(Box<sasl::Server>),
    /// Dropping the rest of an over-long SASL response line.
    AuthSkip,
}

/// An SMTP or LMTP server session (RFC 5321, RFC 2033), sans-IO.
///
/// Bytes from the client go to [`handle_input`](Self::handle_input);
/// [`poll_event`](Self::poll_event) gives what they mean, and events that
/// need the application's decision wait for [`accept`](Self::accept) or
/// [`send`](Self::send); replies come out of
/// [`poll_transmit`](Self::poll_transmit) in command order, however the
/// client pipelined. The session answers by itself where the protocol
/// decides: `503` for commands out of order, `500`/`501` for bad lines,
/// `552` for a message over the size limit (after reading it to its end),
/// `RSET`, `NOOP`, `QUIT`, `STARTTLS` and the SASL challenges.
///
/// ```
/// use mailwire_smtp::session::{Server, ServerConfig, ServerEvent};
/// use mailwire_smtp::types::Domain;
///
/// let mut server = Server::new(ServerConfig::new(Domain::new("mx.example.org")?));
/// server.greeting();
/// server.handle_input(b"EHLO client.example\r\nMAIL FROM:<a@example.org>\r\n");
/// let mut events = Vec::new();
/// while let Some(event) = server.poll_event() {
///     events.push(event);
///     server.accept()?; // every decision accepted with the default reply
/// }
/// assert!(matches!(events[0], ServerEvent::Hello { .. }));
/// assert!(matches!(events[1], ServerEvent::Mail { .. }));
/// let out = server.poll_transmit().unwrap();
/// assert!(out.starts_with(b"220 mx.example.org Service ready\r\n250-mx.example.org greets client.example\r\n"));
/// assert!(out.ends_with(b"250 2.1.0 OK\r\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Server {
    config: ServerConfig,
    decoder: CommandDecoder,
    data: DataDecoder,
    mode: Mode,
    pending: Option<Decision>,
    /// The client name of the pending `EHLO`, for the reply.
    hello_name: String,
    hello: Option<HelloKind>,
    /// `MAIL` accepted: a transaction is open.
    mail: bool,
    /// Recipients accepted in the transaction.
    accepted: usize,
    /// The transaction's `MAIL` carried `SMTPUTF8`.
    smtputf8: bool,
    /// Octets at the front of the decoder's buffer already searched for
    /// an LF without finding one, so a command line arriving in small
    /// chunks is searched once.
    lf_searched: usize,
    /// `BDAT` used in the transaction, and the octets it carried.
    bdat: Option<u64>,
    authenticated: bool,
    tls: bool,
    greeted: bool,
    closed: bool,
    awaiting_tls: bool,
    out: BytesMut,
}

impl Server {
    /// A session for one connection.
    pub fn new(config: ServerConfig) -> Self {
        let limits = config.limits;
        Self {
            tls: config.tls_active,
            config,
            decoder: CommandDecoder::new(limits),
            data: DataDecoder::new(limits),
            mode: Mode::Commands,
            pending: None,
            hello_name: String::new(),
            hello: None,
            mail: false,
            accepted: 0,
            smtputf8: false,
            lf_searched: 0,
            bdat: None,
            authenticated: false,
            greeted: false,
            closed: false,
            awaiting_tls: false,
            out: BytesMut::new(),
        }
    }

    /// Queues the `220` greeting (RFC 5321 §4.2, §3.1); call once, when
    /// the connection opens.
    pub fn greeting(&mut self) {
        if self.greeted {
            return;
        }
        self.greeted = true;
        let mut text = self.config.hostname.as_str().as_bytes().to_vec();
        if !self.config.greeting.as_bytes().is_empty() {
            text.push(b' ');
            text.extend_from_slice(self.config.greeting.as_bytes());
        }
        let first = ReplyText::new(text).unwrap_or(ReplyText::empty());
        Reply::from_lines(ReplyCode::SERVICE_READY, first, Vec::new()).encode(&mut self.out);
    }

    /// Takes bytes received from the client, in chunks of any size. They
    /// are decoded as [`poll_event`](Self::poll_event) is called. Bytes
    /// given after `QUIT`, or after `STARTTLS` and before
    /// [`tls_established`](Self::tls_established), are dropped unread.
    pub fn handle_input(&mut self, bytes: &[u8]) {
        if !self.closed && !self.awaiting_tls {
            self.decoder.push(bytes);
        }
    }

    /// Bytes received and not processed yet. While a decision is pending
    /// they wait here: a server can stop reading from the socket when it
    /// grows.
    pub fn buffered_len(&self) -> usize {
        self.decoder.buffered().len()
    }

    /// Replies to send to the client, all queued so far in one buffer.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        (!self.out.is_empty()).then(|| self.out.split().freeze())
    }

    /// True once `QUIT` has been answered (or after
    /// [`shutdown`](Self::shutdown)).
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// True when the connection is under TLS.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// True after a successful `AUTH`.
    pub fn is_authenticated(&self) -> bool {
        self.authenticated
    }

    /// The greeting command the client has used, if any.
    pub fn hello(&self) -> Option<HelloKind> {
        self.hello
    }

    /// True while an event waits for [`accept`](Self::accept) or
    /// [`send`](Self::send).
    pub fn is_pending(&self) -> bool {
        self.pending.is_some()
    }

    /// Call when the TLS handshake after [`ServerEvent::StartTls`] has
    /// completed (RFC 3207 §4.2): the session forgets the client's name,
    /// its authentication and any transaction, and announces its
    /// capabilities again (without `STARTTLS`) at the next `EHLO`.
    pub fn tls_established(&mut self) {
        self.tls = true;
        self.awaiting_tls = false;
        self.hello = None;
        self.authenticated = false;
        self.pending = None;
        self.mode = Mode::Commands;
        self.reset_transaction();
        self.lf_searched = 0;
        self.decoder.resume();
    }

    /// Sends `reply` (usually `421`) and ends the session: nothing more is
    /// read.
    pub fn shutdown(&mut self, reply: &Reply<'_>) {
        reply.encode(&mut self.out);
        self.closed = true;
        self.pending = None;
    }

    /// Answers the pending decision with the default reply: the
    /// capabilities for `EHLO`/`LHLO`, `250` for `MAIL`, `RCPT` and the
    /// end of data, `354` for `DATA`, `235` for `AUTH` (see
    /// [`ServerEvent::Other`] for the rest).
    pub fn accept(&mut self) -> Result<(), NoDecision> {
        let decision = self.pending.take().ok_or(NoDecision)?;
        let reply = self.default_reply(decision);
        self.answer(decision, &reply);
        Ok(())
    }

    /// Answers the pending decision with `reply`. A `2yz` reply accepts
    /// (`354` for `DATA`); any other refuses. In LMTP the end of data
    /// takes one reply per accepted recipient: call once for each.
    pub fn send(&mut self, reply: &Reply<'_>) -> Result<(), NoDecision> {
        let decision = self.pending.take().ok_or(NoDecision)?;
        self.answer(decision, reply);
        Ok(())
    }

    /// The next event, `None` when more input is needed or a decision is
    /// pending.
    pub fn poll_event(&mut self) -> Option<ServerEvent> {
        loop {
            if self.pending.is_some() || self.closed || self.awaiting_tls {
                return None;
            }
            match std::mem::replace(&mut self.mode, Mode::Commands) {
                Mode::Commands => {
                    let bare_lf = self.line_ends_in_bare_lf();
                    let next = self.decoder.next_command();
                    if next.is_some() {
                        self.lf_searched = 0;
                    }
                    match next? {
                        Err(error) => return Some(self.bad_line(error)),
                        Ok(command) if bare_lf => return self.bare_lf(command),
                        Ok(command) => {
                            if let Some(event) = self.command(command) {
                                return Some(event);
                            }
                        }
                    }
                }
                Mode::Data => match self.decoder.next_data(&mut self.data) {
                    None => {
                        self.mode = Mode::Data;
                        return None;
                    }
                    Some(DataChunk::Body(bytes)) => {
                        self.mode = Mode::Data;
                        return Some(ServerEvent::DataChunk(bytes));
                    }
                    Some(DataChunk::End(end)) => {
                        return Some(self.end_of_data(end.size, end.refusal));
                    }
                },
                Mode::Bdat { mut chunk, deliver } => match self.decoder.next_bdat(&mut chunk) {
                    Some(part) => {
                        self.mode = Mode::Bdat { chunk, deliver };
                        if let Some(event) = self.bdat_part(part, deliver) {
                            return Some(event);
                        }
                    }
                    None if chunk.is_complete() => {
                        if let Some(event) = self.bdat_end(chunk, deliver) {
                            return Some(event);
                        }
                    }
                    None => {
                        self.mode = Mode::Bdat { chunk, deliver };
                        return None;
                    }
                },
                Mode::Auth(server) => match self.auth_line(server) {
                    None => return None,
                    Some(Some(event)) => return Some(event),
                    Some(None) => {}
                },
                Mode::AuthSkip => match memchr::memchr(b'\n', self.decoder.buffered()) {
                    Some(i) => {
                        let _ = self.decoder.take(i + 1);
                        self.decoder.resume();
                    }
                    None => {
                        let n = self.decoder.buffered().len();
                        let _ = self.decoder.take(n);
                        self.mode = Mode::AuthSkip;
                        return None;
                    }
                },
            }
        }
    }

    fn queue(&mut self, reply: &Reply<'_>) {
        reply.encode(&mut self.out);
    }

    /// One of the session's own replies, with an enhanced status code
    /// when `ENHANCEDSTATUSCODES` is announced.
    fn reply(&self, code: u16, esc: Option<(u8, u16, u16)>, text: &str) -> Reply<'static> {
        let code = ReplyCode::new(code).unwrap_or(ReplyCode::TRANSACTION_FAILED);
        let text = ReplyText::new(text.as_bytes().to_vec()).unwrap_or(ReplyText::empty());
        let reply = Reply::from_lines(code, text, Vec::new());
        let esc = esc
            .filter(|_| self.config.extensions.enhanced_status_codes)
            .and_then(|(c, s, d)| EnhancedStatusCode::new(c, s, d));
        match esc {
            Some(esc) => reply.clone().with_enhanced(esc).unwrap_or(reply),
            None => reply,
        }
    }

    /// Answers a command with an error reply and reports it.
    fn refuse(
        &mut self,
        verb: &str,
        code: u16,
        esc: (u8, u16, u16),
        text: &str,
    ) -> Option<ServerEvent> {
        let reply = self.reply(code, Some(esc), text);
        self.queue(&reply);
        if matches!(
            self.decoder.stopped(),
            Some(Stop::Data | Stop::Auth | Stop::StartTls)
        ) {
            self.decoder.resume();
        }
        Some(ServerEvent::Error(ServerError::Refused {
            verb: verb.to_owned(),
            code: reply.code(),
        }))
    }

    fn bad_line(&mut self, error: DecodeError) -> ServerEvent {
        let code = error.kind.reply_code().unwrap_or(ReplyCode::SYNTAX_ERROR);
        let reply = if code == ReplyCode::SYNTAX_ERROR {
            self.reply(500, Some((5, 5, 2)), "Syntax error, command unrecognized")
        } else {
            self.reply(
                code.get(),
                Some((5, 5, 4)),
                "Syntax error in parameters or arguments",
            )
        };
        self.queue(&reply);
        ServerEvent::Error(ServerError::Decode(error))
    }

    /// Whether the command line at the front of the buffer is complete and
    /// ends in a bare LF. Only the octets not searched before are searched,
    /// and no further than the command line limit.
    fn line_ends_in_bare_lf(&mut self) -> bool {
        if self.config.allow_bare_lf {
            return false;
        }
        let buffered = self.decoder.buffered();
        let window = buffered
            .get(..buffered.len().min(self.config.limits.command_line))
            .unwrap_or_default();
        let from = self.lf_searched.min(window.len());
        match memchr::memchr(b'\n', window.get(from..).unwrap_or_default()) {
            Some(i) => {
                let lf = from + i;
                lf == 0 || window.get(lf - 1) != Some(&b'\r')
            }
            None => {
                self.lf_searched = window.len();
                false
            }
        }
    }

    /// A command line that ended in a bare LF: refused, whatever it was.
    /// A `BDAT` chunk is still read (and dropped) by its size, as after
    /// any refused `BDAT`.
    fn bare_lf(&mut self, command: Command<'static>) -> Option<ServerEvent> {
        let verb = command.verb().to_owned();
        if let Command::Bdat { size, last } = command {
            self.mode = Mode::Bdat {
                chunk: BdatChunk::new(size, last),
                deliver: false,
            };
        }
        self.refuse(
            &verb,
            500,
            (5, 5, 2),
            "Bare LF in command line; lines end in CRLF",
        )
    }

    /// Whether the `EHLO` reply announces `keyword` among the extra
    /// lines of [`Extensions::other`].
    fn announces_other(&self, keyword: &str) -> bool {
        self.config.extensions.other.iter().any(|line| {
            let bytes = line.as_bytes();
            let word = bytes.split(|&b| b == b' ').next().unwrap_or_default();
            word.eq_ignore_ascii_case(keyword.as_bytes())
        })
    }

    /// The first `MAIL` parameter whose extension was not announced
    /// (RFC 5321 §4.1.1.11: a server refuses parameters it does not
    /// implement with 555).
    fn unannounced_mail_param(&self, params: &MailParams<'_>) -> Option<String> {
        let ext = &self.config.extensions;
        let auth_announced = !ext.auth.is_empty() && (self.tls || self.config.auth_without_tls);
        let body_ok = match params.body {
            None => true,
            Some(Body::SevenBit | Body::EightBitMime) => ext.eight_bit_mime,
            Some(Body::BinaryMime) => ext.chunking && self.announces_other("BINARYMIME"),
        };
        let checks: [(&str, bool); 10] = [
            ("SIZE", params.size.is_none() || ext.size),
            ("BODY", body_ok),
            ("SMTPUTF8", !params.smtputf8 || ext.smtputf8),
            ("RET", params.ret.is_none() || ext.dsn),
            ("ENVID", params.envid.is_none() || ext.dsn),
            ("AUTH", params.auth().is_none() || auth_announced),
            (
                "REQUIRETLS",
                !params.requiretls || (self.tls && self.announces_other("REQUIRETLS")),
            ),
            (
                "MT-PRIORITY",
                params.mt_priority().is_none() || self.announces_other("MT-PRIORITY"),
            ),
            (
                "HOLDFOR",
                params.hold().is_none() || self.announces_other("FUTURERELEASE"),
            ),
            (
                "BY",
                params.by().is_none() || self.announces_other("DELIVERBY"),
            ),
        ];
        if let Some((name, _)) = checks.iter().find(|(_, ok)| !ok) {
            return Some((*name).to_owned());
        }
        params
            .other()
            .iter()
            .find(|p| !self.announces_other(p.keyword()))
            .map(|p| p.keyword().to_owned())
    }

    /// The first `RCPT` parameter whose extension was not announced.
    fn unannounced_rcpt_param(&self, params: &RcptParams<'_>) -> Option<String> {
        let dsn = self.config.extensions.dsn;
        if params.notify.is_some() && !dsn {
            return Some("NOTIFY".into());
        }
        if params.orcpt.is_some() && !dsn {
            return Some("ORCPT".into());
        }
        params
            .other()
            .iter()
            .find(|p| !self.announces_other(p.keyword()))
            .map(|p| p.keyword().to_owned())
    }

    fn reset_transaction(&mut self) {
        self.mail = false;
        self.smtputf8 = false;
        self.accepted = 0;
        self.bdat = None;
    }

    fn bad_sequence(&mut self, verb: &str) -> Option<ServerEvent> {
        self.refuse(verb, 503, (5, 5, 1), "Bad sequence of commands")
    }

    /// Checks a command's order and policy; the event to hand out, or
    /// `None` when the session answered it silently.
    fn command(&mut self, command: Command<'static>) -> Option<ServerEvent> {
        let verb = command.verb().to_owned();
        match command {
            Command::Ehlo { host } | Command::Helo { host } | Command::Lhlo { host } => {
                let kind = match verb.as_str() {
                    "EHLO" => HelloKind::Ehlo,
                    "HELO" => HelloKind::Helo,
                    _ => HelloKind::Lhlo,
                };
                if (kind == HelloKind::Lhlo) != self.config.lmtp {
                    let text = if self.config.lmtp {
                        "Use LHLO"
                    } else {
                        "Command unrecognized"
                    };
                    return self.refuse(&verb, 500, (5, 5, 1), text);
                }
                self.reset_transaction();
                self.hello_name = host.to_string();
                self.pending = Some(Decision::Hello(kind));
                Some(ServerEvent::Hello { kind, host })
            }
            Command::Mail { from, params, .. } => {
                if self.hello.is_none() || self.mail {
                    return self.bad_sequence(&verb);
                }
                if self.config.auth_required && !self.authenticated {
                    return self.refuse(&verb, 530, (5, 7, 0), "Authentication required");
                }
                if let Some(keyword) = self.unannounced_mail_param(&params) {
                    let text = format!("{keyword} parameter not recognized or not implemented");
                    return self.refuse(&verb, 555, (5, 5, 4), &text);
                }
                if !params.smtputf8 && matches!(&from, ReversePath::Mailbox(m) if !m.is_ascii()) {
                    // RFC 6531 §3.5.
                    return self.refuse(
                        &verb,
                        550,
                        (5, 6, 7),
                        "Non-ASCII addresses not permitted for that sender",
                    );
                }
                if self.config.extensions.size
                    && params
                        .size
                        .is_some_and(|s| s > self.config.limits.message_size)
                {
                    return self.refuse(
                        &verb,
                        552,
                        (5, 3, 4),
                        "Message size exceeds fixed maximum message size",
                    );
                }
                self.smtputf8 = params.smtputf8;
                self.pending = Some(Decision::Mail);
                Some(ServerEvent::Mail { from, params })
            }
            Command::Rcpt { to, params, .. } => {
                if !self.mail {
                    return self.bad_sequence(&verb);
                }
                if let Some(keyword) = self.unannounced_rcpt_param(&params) {
                    let text = format!("{keyword} parameter not recognized or not implemented");
                    return self.refuse(&verb, 555, (5, 5, 4), &text);
                }
                if !self.smtputf8 && matches!(&to, ForwardPath::Mailbox(m) if !m.is_ascii()) {
                    return self.refuse(
                        &verb,
                        553,
                        (5, 6, 7),
                        "Non-ASCII addresses not permitted for that recipient",
                    );
                }
                if self.accepted >= self.config.max_recipients {
                    return self.refuse(&verb, 452, (4, 5, 3), "Too many recipients");
                }
                self.pending = Some(Decision::Rcpt);
                Some(ServerEvent::Rcpt { to, params })
            }
            Command::Data => {
                if !self.mail || self.bdat.is_some() {
                    return self.bad_sequence(&verb);
                }
                if self.accepted == 0 {
                    // RFC 2033 §4.2 asks for 503; RFC 5321 §3.3 allows 554.
                    return if self.config.lmtp {
                        self.bad_sequence(&verb)
                    } else {
                        self.refuse(&verb, 554, (5, 5, 1), "No valid recipients")
                    };
                }
                self.pending = Some(Decision::Data);
                Some(ServerEvent::DataStart)
            }
            Command::Bdat { size, last } => {
                let chunk = BdatChunk::new(size, last);
                // The chunk is read whatever the answer (RFC 3030 §2).
                self.mode = Mode::Bdat {
                    chunk,
                    deliver: false,
                };
                if !self.config.extensions.chunking {
                    return self.refuse(&verb, 502, (5, 5, 1), "Command not implemented");
                }
                if !self.mail || self.accepted == 0 {
                    return self.bad_sequence(&verb);
                }
                self.bdat.get_or_insert(0);
                self.mode = Mode::Bdat {
                    chunk,
                    deliver: true,
                };
                Some(ServerEvent::BdatStart { size, last })
            }
            Command::Rset => {
                self.reset_transaction();
                let reply = self.reply(250, Some((2, 0, 0)), "OK");
                self.queue(&reply);
                Some(ServerEvent::Reset)
            }
            Command::Noop { .. } => {
                let reply = self.reply(250, Some((2, 0, 0)), "OK");
                self.queue(&reply);
                None
            }
            Command::Quit => {
                let text = format!(
                    "{} Service closing transmission channel",
                    self.config.hostname
                );
                let reply = self.reply(221, Some((2, 0, 0)), &text);
                self.queue(&reply);
                self.closed = true;
                Some(ServerEvent::Quit)
            }
            Command::StartTls => {
                if !self.config.extensions.starttls {
                    return self.refuse(&verb, 502, (5, 5, 1), "Command not implemented");
                }
                if self.tls || self.hello.is_none() || self.mail {
                    return self.bad_sequence(&verb);
                }
                let reply = self.reply(220, Some((2, 0, 0)), "Ready to start TLS");
                self.queue(&reply);
                let leftover = self.decoder.take_buffered().freeze();
                self.awaiting_tls = true;
                Some(ServerEvent::StartTls { leftover })
            }
            Command::Auth {
                mechanism,
                initial_response,
            } => self.auth(&verb, mechanism.as_str(), initial_response),
            other => {
                let kind = match other {
                    Command::Vrfy { .. } => Other::Vrfy,
                    Command::Expn { .. } => Other::Expn,
                    Command::Help { .. } => Other::Help,
                    _ => Other::Unknown,
                };
                self.pending = Some(Decision::Other(kind));
                Some(ServerEvent::Other(other))
            }
        }
    }

    /// `AUTH` (RFC 4954 §4): checks, then starts the SASL exchange.
    fn auth(
        &mut self,
        verb: &str,
        name: &str,
        initial: Option<InitialResponse<'static>>,
    ) -> Option<ServerEvent> {
        if self.config.extensions.auth.is_empty() {
            return self.refuse(verb, 502, (5, 5, 1), "Command not implemented");
        }
        if self.hello.is_none() || self.authenticated || self.mail {
            return self.bad_sequence(verb);
        }
        if !self.tls && !self.config.auth_without_tls {
            return self.refuse(
                verb,
                538,
                (5, 7, 11),
                "Encryption required for requested authentication mechanism",
            );
        }
        let offered = self
            .config
            .extensions
            .auth
            .iter()
            .find(|m| m.matches(name.as_bytes()))
            .copied();
        let challenge = self.config.cram_md5_challenge.clone();
        let mechanism = offered.and_then(|m| {
            if m == sasl::Mechanism::CRAM_MD5 && challenge.is_none() {
                return None;
            }
            sasl::ServerMechanism::from_name(m, || challenge.unwrap_or_default())
        });
        let Some(mechanism) = mechanism else {
            return self.refuse(verb, 504, (5, 5, 4), "Unrecognized authentication type");
        };
        let initial = match initial {
            None => None,
            Some(InitialResponse::Empty) => Some(Vec::new()),
            Some(InitialResponse::Base64(data)) => {
                match sasl::wire::decode_initial(data.expose().as_bytes()) {
                    Ok(bytes) => Some(bytes),
                    Err(_) => {
                        self.refuse(verb, 501, (5, 5, 2), "Cannot decode response");
                        return Some(ServerEvent::Error(ServerError::AuthEncoding));
                    }
                }
            }
        };
        let Ok(mut server) = sasl::Server::new(mechanism, self.config.sasl_limits) else {
            return self.refuse(verb, 454, (4, 7, 0), "Temporary authentication failure");
        };
        let step = server.start(initial.as_deref());
        self.sasl_step(server, step)
    }

    fn sasl_step(&mut self, server: sasl::Server, step: sasl::ServerStep) -> Option<ServerEvent> {
        match step {
            sasl::ServerStep::Challenge(challenge) => {
                let text = sasl::wire::encode(&challenge).into_bytes();
                let text = ReplyText::new(text).unwrap_or(ReplyText::empty());
                self.queue(&Reply::from_lines(
                    ReplyCode::AUTH_CHALLENGE,
                    text,
                    Vec::new(),
                ));
                self.mode = Mode::Auth(Box::new(server));
                None
            }
            sasl::ServerStep::Verify(credentials) => {
                self.decoder.resume();
                self.pending = Some(Decision::Auth);
                Some(ServerEvent::Auth {
                    mechanism: server.name(),
                    credentials,
                })
            }
            sasl::ServerStep::Failure(failure) => {
                self.decoder.resume();
                let reply = match failure {
                    sasl::Failure::Cancelled => {
                        self.reply(501, Some((5, 0, 0)), "Authentication cancelled")
                    }
                    sasl::Failure::TooLong { .. } => self.reply(
                        500,
                        Some((5, 5, 6)),
                        "Authentication exchange line is too long",
                    ),
                    sasl::Failure::Malformed { .. }
                    | sasl::Failure::UnexpectedInitialResponse(_) => {
                        self.reply(501, Some((5, 5, 2)), "Malformed authentication response")
                    }
                    _ => self.reply(535, Some((5, 7, 8)), "Authentication credentials invalid"),
                };
                self.queue(&reply);
                Some(ServerEvent::Error(ServerError::Auth(failure)))
            }
            _ => {
                self.decoder.resume();
                let reply = self.reply(454, Some((4, 7, 0)), "Temporary authentication failure");
                self.queue(&reply);
                None
            }
        }
    }

    /// The longest SASL response line: the Base64 of the longest response
    /// the SASL limits allow, and CRLF.
    fn auth_line_limit(&self) -> usize {
        self.config
            .sasl_limits
            .response
            .saturating_add(2)
            .saturating_div(3)
            .saturating_mul(4)
            .saturating_add(2)
    }

    /// One SASL response line (RFC 4954 §4): Base64, or `*` to cancel.
    /// `None` while the line is incomplete.
    fn auth_line(&mut self, mut server: Box<sasl::Server>) -> Option<Option<ServerEvent>> {
        let limit = self.auth_line_limit();
        match frame::line(self.decoder.buffered(), 0, limit) {
            Line::Partial => {
                self.mode = Mode::Auth(server);
                None
            }
            Line::TooLong => {
                let n = self.decoder.buffered().len();
                let _ = self.decoder.take(n);
                self.mode = Mode::AuthSkip;
                let reply = self.reply(
                    500,
                    Some((5, 5, 6)),
                    "Authentication exchange line is too long",
                );
                self.queue(&reply);
                Some(Some(ServerEvent::Error(ServerError::Auth(
                    sasl::Failure::TooLong {
                        len: n,
                        max: self.config.sasl_limits.response,
                    },
                ))))
            }
            Line::Complete { end, content_end } => {
                let line = self.decoder.take(end);
                let content = line.get(..content_end).unwrap_or_default();
                let step = if sasl::wire::is_cancel(content) {
                    server.cancel()
                } else {
                    match sasl::wire::decode(content) {
                        Ok(response) => server.step(&response),
                        Err(_) => {
                            self.decoder.resume();
                            let reply = self.reply(501, Some((5, 5, 2)), "Cannot decode response");
                            self.queue(&reply);
                            return Some(Some(ServerEvent::Error(ServerError::AuthEncoding)));
                        }
                    }
                };
                Some(self.sasl_step(*server, step))
            }
        }
    }

    /// A part of a `BDAT` chunk: handed out up to the size limit.
    fn bdat_part(&mut self, part: Bytes, deliver: bool) -> Option<ServerEvent> {
        if !deliver {
            return None;
        }
        let limit = self.config.limits.message_size;
        let before = self.bdat.unwrap_or(0);
        let after = before.saturating_add(part.len() as u64);
        self.bdat = Some(after);
        let room = usize::try_from(limit.saturating_sub(before)).unwrap_or(usize::MAX);
        let part = part.slice(..part.len().min(room));
        (!part.is_empty()).then_some(ServerEvent::DataChunk(part))
    }

    /// A `BDAT` chunk has been read.
    fn bdat_end(&mut self, chunk: BdatChunk, deliver: bool) -> Option<ServerEvent> {
        if !deliver {
            return None;
        }
        let size = self.bdat.unwrap_or(0);
        if chunk.is_last() {
            let refused = (size > self.config.limits.message_size).then_some(DataRefusal::TooBig);
            return Some(self.end_of_data(size, refused));
        }
        let text = format!("{} octets received", chunk.size());
        let reply = self.reply(250, Some((2, 0, 0)), &text);
        self.queue(&reply);
        None
    }

    fn end_of_data(&mut self, size: u64, refused: Option<DataRefusal>) -> ServerEvent {
        self.mode = Mode::Commands;
        let replies = if self.config.lmtp {
            self.accepted.max(1)
        } else {
            1
        };
        match refused {
            Some(refusal) => {
                let reply = self.refusal_reply(refusal);
                for _ in 0..replies {
                    self.queue(&reply);
                }
                self.reset_transaction();
            }
            None => {
                self.pending = Some(Decision::DataEnd { remaining: replies });
            }
        }
        ServerEvent::DataEnd { size, refused }
    }

    fn refusal_reply(&self, refusal: DataRefusal) -> Reply<'static> {
        let code = refusal.reply_code().get();
        match refusal {
            DataRefusal::TooBig => self.reply(
                code,
                Some((5, 3, 4)),
                "Message size exceeds fixed maximum message size",
            ),
            DataRefusal::LineTooLong => self.reply(code, Some((5, 5, 2)), "Line too long"),
            DataRefusal::BareLineEnd => {
                self.reply(code, Some((5, 6, 0)), "Message contains a bare CR or LF")
            }
            _ => self.reply(code, Some((5, 6, 0)), "Message contains a NUL octet"),
        }
    }

    fn default_reply(&self, decision: Decision) -> Reply<'static> {
        match decision {
            Decision::Hello(HelloKind::Helo) => {
                self.reply(250, None, self.config.hostname.as_str())
            }
            Decision::Hello(_) => self.capabilities_reply(),
            Decision::Mail => self.reply(250, Some((2, 1, 0)), "OK"),
            Decision::Rcpt => self.reply(250, Some((2, 1, 5)), "OK"),
            Decision::Data => self.reply(354, None, "Start mail input; end with <CRLF>.<CRLF>"),
            Decision::DataEnd { .. } => self.reply(250, Some((2, 0, 0)), "OK"),
            Decision::Auth => self.reply(235, Some((2, 7, 0)), "Authentication successful"),
            Decision::Other(Other::Vrfy) => self.reply(
                252,
                Some((2, 1, 5)),
                "Cannot VRFY user, but will accept message and attempt delivery",
            ),
            Decision::Other(Other::Expn) => {
                self.reply(502, Some((5, 5, 1)), "Command not implemented")
            }
            Decision::Other(Other::Help) => {
                self.reply(214, Some((2, 0, 0)), "See RFC 5321 and RFC 1869")
            }
            Decision::Other(Other::Unknown) => {
                self.reply(500, Some((5, 5, 1)), "Command unrecognized")
            }
        }
    }

    /// The `EHLO`/`LHLO` reply: the server's name, then one line per
    /// extension (RFC 5321 §4.1.1.1).
    fn capabilities_reply(&self) -> Reply<'static> {
        let ext = &self.config.extensions;
        let mut lines: Vec<String> = Vec::new();
        if ext.pipelining {
            lines.push("PIPELINING".into());
        }
        if ext.size {
            lines.push(format!("SIZE {}", self.config.limits.message_size));
        }
        if ext.eight_bit_mime {
            lines.push("8BITMIME".into());
        }
        if ext.smtputf8 {
            lines.push("SMTPUTF8".into());
        }
        if ext.dsn {
            lines.push("DSN".into());
        }
        if ext.enhanced_status_codes {
            lines.push("ENHANCEDSTATUSCODES".into());
        }
        if ext.chunking {
            lines.push("CHUNKING".into());
        }
        if ext.starttls && !self.tls {
            lines.push("STARTTLS".into());
        }
        if !ext.auth.is_empty() && (self.tls || self.config.auth_without_tls) {
            let names: Vec<&str> = ext.auth.iter().map(sasl::Mechanism::as_str).collect();
            lines.push(format!("AUTH {}", names.join(" ")));
        }
        let first = format!("{} greets {}", self.config.hostname, self.hello_name);
        let first = ReplyText::new(first.into_bytes()).unwrap_or(ReplyText::empty());
        let mut rest: Vec<ReplyText<'static>> = lines
            .into_iter()
            .filter_map(|l| ReplyText::new(l.into_bytes()).ok())
            .collect();
        rest.extend(ext.other.iter().cloned());
        Reply::from_lines(ReplyCode::OK, first, rest)
    }

    fn answer(&mut self, decision: Decision, reply: &Reply<'_>) {
        let positive = reply.code().get() / 100 == 2;
        match decision {
            Decision::Hello(kind) => {
                if positive {
                    self.hello = Some(kind);
                }
            }
            Decision::Mail => self.mail |= positive,
            Decision::Rcpt => {
                if positive {
                    self.accepted += 1;
                }
            }
            Decision::Data => {
                if reply.code() == ReplyCode::START_MAIL_INPUT {
                    self.data.reset();
                    self.mode = Mode::Data;
                } else {
                    self.decoder.resume();
                }
            }
            Decision::DataEnd { remaining } => {
                if remaining > 1 {
                    self.pending = Some(Decision::DataEnd {
                        remaining: remaining - 1,
                    });
                } else {
                    self.reset_transaction();
                }
            }
            Decision::Auth => self.authenticated |= positive,
            Decision::Other(_) => {}
        }
        self.queue(reply);
    }
}
