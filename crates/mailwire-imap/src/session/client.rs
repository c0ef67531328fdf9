//! The client side of an IMAP session.

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};
use mailwire_sasl as sasl;

use super::body::{BodyStreamer, Step};
use super::{CommandKind, State, has_capability, literal_mode};
use crate::Limits;
use crate::decode::{DecodeError, GreetingDecoder, ResponseDecoder, ResponseFrame};
use crate::encode::{self, Fragment};
use crate::types::{
    Atom, Capability, Code, Command, CommandBody, Data, FetchItem, Flag, Greeting, LiteralMode,
    Mailbox, Response, SaslData, SequenceSet, Status, StatusKind, Tag,
};

/// How a [`Client`] behaves.
///
/// The defaults: [`Limits::default`], TLS not active, tags `A0001`,
/// `A0002`, ….
///
/// ```
/// use mailwire_imap::session::ClientConfig;
/// let mut config = ClientConfig::default();
/// config.tls_active = true; // port 993
/// config.tag_prefix = "x".into();
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// Limits on what the server sends.
    pub limits: Limits,
    /// TLS is active from the start (port 993, RFC 8314).
    pub tls_active: bool,
    /// What the tags start with; a counter of at least four digits
    /// follows. Characters a tag may not hold are dropped (and an empty
    /// prefix is `A`).
    pub tag_prefix: String,
    /// Ask for the capabilities again when they become unknown: after
    /// `LOGIN` or `AUTHENTICATE` succeed without a `[CAPABILITY]` code
    /// (RFC 9051 §6.2.2, §6.2.3, §7.1) and after `STARTTLS` (RFC 9051
    /// §6.2.1), the client queues a `CAPABILITY` command of its own ahead
    /// of the commands waiting. Its tag is not one [`Client::send`] gave:
    /// its answer comes as [`ClientEvent::Capabilities`] and a
    /// [`ClientEvent::Completed`] for [`CommandKind::Capability`]. Off by
    /// default: the application checks [`Client::capabilities_known`] and
    /// sends `CAPABILITY` when it needs them.
    pub refresh_capabilities: bool,
    /// Stream the literals of `FETCH` body sections (`BODY[…]`,
    /// `BINARY[…]`, `RFC822`, `RFC822.HEADER`, `RFC822.TEXT`) that a
    /// command in flight asked for: each comes as a
    /// [`ClientEvent::BodyStart`] and [`ClientEvent::BodyChunk`]s as its
    /// octets arrive (never held whole), and the `FETCH` response then
    /// comes as usual, with the other items, the section's literal empty
    /// (`{0}`). Memory stays bounded by the line limit and the chunks
    /// given to [`Client::handle_input`], whatever the size of the
    /// message: the literal and message size [`Limits`] do not apply to a
    /// streamed literal (count its octets if you want a bound). Off by
    /// default.
    pub stream_bodies: bool,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            tls_active: false,
            tag_prefix: "A".into(),
            refresh_capabilities: false,
            stream_bodies: false,
        }
    }
}

/// What a client cannot do, or what went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The command is not valid in the state the session will be in when
    /// it is sent (RFC 9051 §3, §6).
    #[error("{command:?} is not valid in the {state:?} state")]
    WrongState {
        /// The command.
        command: CommandKind,
        /// The state it would be sent in.
        state: State,
    },
    /// The server advertised `LOGINDISABLED` (RFC 9051 §6.2.3).
    #[error("the server disabled LOGIN")]
    LoginDisabled,
    /// The command needs a capability the server did not advertise (or TLS
    /// is already active, for `STARTTLS`).
    #[error("the server did not advertise {0}")]
    NotAdvertised(&'static str),
    /// `AUTHENTICATE` runs a SASL exchange: use [`Client::authenticate`].
    #[error("AUTHENTICATE goes through Client::authenticate")]
    UseAuthenticate,
    /// [`Client::done`] without an `IDLE` command.
    #[error("not idling")]
    NotIdling,
    /// The session is over (`LOGOUT`, `BYE`).
    #[error("the session is closed")]
    Closed,
    /// The server sent a tagged response for no command in flight, or a
    /// continuation request nothing waits for.
    #[error("unexpected response from the server")]
    Unexpected,
    /// What the server sent does not decode.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The SASL mechanism cannot answer the server's challenge; the
    /// exchange was cancelled with `*`.
    #[error("SASL: {0}")]
    Sasl(sasl::SaslError),
}

/// A response as received: its bytes, shared with the input buffer.
/// [`decode`](Self::decode) reads it, borrowing (literal data is never
/// copied).
#[derive(Debug, Clone)]
pub struct Received(ResponseFrame);

impl Received {
    /// Reads the response.
    pub fn decode(&self) -> Result<Response<'_>, DecodeError> {
        self.0.decode()
    }

    /// The response's bytes, its last CRLF included.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// The frame, with its offset in the stream and its shared buffer.
    pub fn frame(&self) -> &ResponseFrame {
        &self.0
    }
}

impl PartialEq for Received {
    fn eq(&self, other: &Self) -> bool {
        self.0.offset() == other.0.offset() && self.0.as_bytes() == other.0.as_bytes()
    }
}

impl Eq for Received {}

/// Untagged data no command in flight asked for: mailbox changes the
/// server reports when it likes (RFC 9051 §7.4, §5.2), warnings, and the
/// server's goodbye.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unsolicited {
    /// `n EXISTS`: the mailbox now has `n` messages.
    Exists(u32),
    /// `n RECENT` (IMAP4rev1).
    Recent(u32),
    /// `n EXPUNGE`: message `n` is gone; the ones after it move down.
    Expunge(u32),
    /// `VANISHED` (RFC 7162 §3.2.10): these UIDs are gone.
    Vanished {
        /// `(EARLIER)`.
        earlier: bool,
        /// The UIDs.
        uids: SequenceSet,
    },
    /// A `FETCH` with new flags for a message (another client changed
    /// them).
    FetchFlags {
        /// The message sequence number.
        seq: u32,
        /// Its UID, when sent.
        uid: Option<u32>,
        /// Its flags now.
        flags: Vec<Flag<'static>>,
        /// Its mod-sequence, when sent (CONDSTORE).
        modseq: Option<u64>,
    },
    /// A `FETCH` without `FLAGS` that no command in flight asked for
    /// (RFC 9051 §7.5.2: the server may send `FETCH` data at any time; a
    /// `MODSEQ` change, RFC 7162 §3.1.4.1, or items of its own).
    Fetch {
        /// The message sequence number.
        seq: u32,
        /// Its UID, when sent.
        uid: Option<u32>,
        /// Its mod-sequence, when sent (CONDSTORE).
        modseq: Option<u64>,
        /// The response, to read the other items.
        response: Received,
    },
    /// An untagged `OK`, `NO` or `BAD` (`[ALERT]`, warnings).
    Status(Status<'static>),
    /// `BYE`: the server is closing the connection.
    Bye(Status<'static>),
    /// Anything else, as received.
    Other(Received),
}

/// The mailbox a `SELECT` or `EXAMINE` opened, as the server described it
/// and its later updates changed it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Selected {
    /// The mailbox.
    pub mailbox: Mailbox<'static>,
    /// Opened read-only (`EXAMINE`, or `[READ-ONLY]`).
    pub read_only: bool,
    /// The number of messages (`EXISTS`, less `EXPUNGE`s and `VANISHED`
    /// UIDs since).
    pub exists: u32,
    /// `[UIDVALIDITY n]`.
    pub uid_validity: Option<u32>,
    /// `[UIDNEXT n]`.
    pub uid_next: Option<u32>,
    /// `[HIGHESTMODSEQ n]` (CONDSTORE).
    pub highest_modseq: Option<u64>,
    /// The `FLAGS` of the mailbox.
    pub flags: Vec<Flag<'static>>,
}

/// What the server said, matched to the command that asked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// The greeting (RFC 9051 §7.1); it sets the first state.
    Greeting(Greeting<'static>),
    /// Untagged data for a command in flight (the `LIST` lines of a
    /// `LIST`, the `FETCH` lines of a `FETCH`, the `EXISTS` of a `SELECT`…).
    Data {
        /// The command's tag.
        tag: Tag<'static>,
        /// Which command.
        command: CommandKind,
        /// The response.
        response: Received,
    },
    /// Untagged data no command asked for.
    Unsolicited(Unsolicited),
    /// The tagged status that completes a command.
    Completed {
        /// The command's tag.
        tag: Tag<'static>,
        /// Which command.
        command: CommandKind,
        /// `OK`, `NO` or `BAD`, with its code and text.
        status: Status<'static>,
    },
    /// The server's capabilities, from the greeting, a `CAPABILITY`
    /// response or a `[CAPABILITY …]` code. They are forgotten after
    /// `STARTTLS` and after logging in without such a code
    /// ([`Client::capabilities_known`] is false until they come again).
    Capabilities(Vec<Capability<'static>>),
    /// A body section's literal starts
    /// ([`ClientConfig::stream_bodies`]); its octets follow as
    /// [`BodyChunk`](Self::BodyChunk)s, then the `FETCH` response as
    /// [`Data`](Self::Data).
    BodyStart {
        /// The tag of the command that asked for it.
        tag: Tag<'static>,
        /// The message sequence number.
        seq: u32,
        /// The item as the server named it (`BODY[]`, `BODY[1.2]<0>`,
        /// `BINARY[1]`, `RFC822`…).
        item: String,
        /// The literal's size, as announced.
        size: u64,
    },
    /// Octets of the body section that the last
    /// [`BodyStart`](Self::BodyStart) announced, in order; they add up to
    /// its size.
    BodyChunk {
        /// The tag of the command that asked for it.
        tag: Tag<'static>,
        /// The octets.
        data: Bytes,
    },
    /// `ENABLED` (RFC 5161): these extensions are on.
    Enabled(Vec<Capability<'static>>),
    /// The server accepted `IDLE` (RFC 2177): updates come as
    /// [`Unsolicited`] until [`Client::done`].
    Idling {
        /// The `IDLE` command's tag.
        tag: Tag<'static>,
    },
    /// The server accepted `STARTTLS`: start TLS on the connection, then
    /// call [`Client::tls_established`]. Until then nothing is written.
    StartTls {
        /// What the server sent after its `OK`, before the handshake. It
        /// was never processed.
        leftover: BytesMut,
    },
    /// The server accepted `COMPRESS DEFLATE` (RFC 4978): compress what is
    /// written and decompress what is read from now on, then call
    /// [`Client::compression_started`]. Until then nothing is written.
    Compress {
        /// What the server sent after its `OK`: already compressed, never
        /// processed. Decompress it and give it to
        /// [`Client::handle_input`].
        leftover: BytesMut,
    },
    /// A queued command was not sent: the command before it failed and
    /// left the connection in a state where it is not valid.
    Dropped {
        /// The command's tag.
        tag: Tag<'static>,
        /// Which command.
        command: CommandKind,
        /// Why.
        reason: ClientError,
    },
    /// Something went wrong; the session goes on with the next response.
    Error(ClientError),
}

/// A piece of an encoded command.
#[derive(Debug)]
enum Piece {
    /// Bytes up to a literal's announcement `{n}CRLF` (synchronizing as
    /// encoded), or the end of the command.
    Line(Vec<u8>),
    /// A literal's octets.
    Literal(Vec<u8>),
}

/// A command queued or in flight.
#[derive(Debug)]
struct Outgoing {
    tag: Tag<'static>,
    kind: CommandKind,
    /// What is still to be written; when in flight and not empty, the
    /// first piece is a literal waiting for `+`.
    rest: VecDeque<Piece>,
    /// The mailbox of a `SELECT` or `EXAMINE`.
    mailbox: Option<Mailbox<'static>>,
    /// The mechanism of an `AUTHENTICATE`.
    sasl: Option<sasl::Client>,
    /// The `FETCH` items it asked for.
    wants: Wants,
}

/// Commands after which nothing is written until their tagged response:
/// they change the state, the transport, or what the following lines are.
fn barrier(kind: CommandKind) -> bool {
    use CommandKind as K;
    matches!(
        kind,
        K::Login
            | K::Authenticate
            | K::StartTls
            | K::Select
            | K::Examine
            | K::Close
            | K::Unselect
            | K::Logout
            | K::Idle
            | K::Compress
            | K::Enable
    )
}

/// The state after a command of `kind` succeeds.
fn after(state: State, kind: CommandKind) -> State {
    use CommandKind as K;
    match kind {
        K::Login | K::Authenticate => State::Authenticated,
        K::Select | K::Examine => State::Selected,
        K::Close | K::Unselect => State::Authenticated,
        K::Logout => State::Logout,
        _ => state,
    }
}

/// The kinds of `FETCH` data items a command asked for, one bit each: a
/// `FETCH` response goes to the command only when it carries one of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Wants(u32);

impl Wants {
    const FLAGS: u32 = 1;
    const UID: u32 = 1 << 1;
    const INTERNALDATE: u32 = 1 << 2;
    const SIZE: u32 = 1 << 3;
    const ENVELOPE: u32 = 1 << 4;
    const BODY: u32 = 1 << 5;
    const BODYSTRUCTURE: u32 = 1 << 6;
    const SECTION: u32 = 1 << 7;
    const BINARY: u32 = 1 << 8;
    const BINARY_SIZE: u32 = 1 << 9;
    const RFC822: u32 = 1 << 10;
    const RFC822_HEADER: u32 = 1 << 11;
    const RFC822_TEXT: u32 = 1 << 12;
    const MODSEQ: u32 = 1 << 13;
    const EMAILID: u32 = 1 << 14;
    const THREADID: u32 = 1 << 15;
    const GM_MSGID: u32 = 1 << 16;
    const GM_THRID: u32 = 1 << 17;
    const GM_LABELS: u32 = 1 << 18;

    /// What `body` asks for: the items a `FETCH` names (`UID` only when
    /// named: every `UID FETCH` response carries it, unsolicited ones
    /// too), `FLAGS` (or `X-GM-LABELS`) for a `STORE` without `.SILENT`,
    /// `FLAGS` for a `SELECT`/`EXAMINE` with `QRESYNC` (RFC 7162 §3.2.5).
    fn of(body: &CommandBody<'_>) -> Self {
        use crate::types::{FetchAttribute as A, FetchItems, SelectParam, StoreTarget};
        let bits = match body {
            CommandBody::Fetch { items, .. } => match items {
                FetchItems::All => Self::FLAGS | Self::INTERNALDATE | Self::SIZE | Self::ENVELOPE,
                FetchItems::Fast => Self::FLAGS | Self::INTERNALDATE | Self::SIZE,
                FetchItems::Full => {
                    Self::FLAGS | Self::INTERNALDATE | Self::SIZE | Self::ENVELOPE | Self::BODY
                }
                FetchItems::List(attributes) => attributes.iter().fold(0, |bits, a| {
                    bits | match a {
                        A::Envelope => Self::ENVELOPE,
                        A::Flags => Self::FLAGS,
                        A::InternalDate => Self::INTERNALDATE,
                        A::Rfc822Size => Self::SIZE,
                        A::Body => Self::BODY,
                        A::BodyStructure => Self::BODYSTRUCTURE,
                        A::Uid => Self::UID,
                        A::BodySection { .. } => Self::SECTION,
                        A::Binary { .. } => Self::BINARY,
                        A::BinarySize { .. } => Self::BINARY_SIZE,
                        A::Rfc822 => Self::RFC822,
                        A::Rfc822Header => Self::RFC822_HEADER,
                        A::Rfc822Text => Self::RFC822_TEXT,
                        A::ModSeq => Self::MODSEQ,
                        A::EmailId => Self::EMAILID,
                        A::ThreadId => Self::THREADID,
                        A::GmMsgId => Self::GM_MSGID,
                        A::GmThrId => Self::GM_THRID,
                        A::GmLabels => Self::GM_LABELS,
                    }
                }),
            },
            CommandBody::Store {
                silent: false,
                target,
                ..
            } => match target {
                StoreTarget::Flags(_) => Self::FLAGS,
                StoreTarget::GmLabels(_) => Self::GM_LABELS,
            },
            CommandBody::Select { params, .. } | CommandBody::Examine { params, .. }
                if params.iter().any(|p| matches!(p, SelectParam::QResync(_))) =>
            {
                Self::FLAGS
            }
            _ => 0,
        };
        Self(bits)
    }

    /// The bit of a `FETCH` response item; 0 for one no command names.
    fn item(item: &FetchItem<'_>) -> u32 {
        match item {
            FetchItem::Flags(_) => Self::FLAGS,
            FetchItem::Uid(_) => Self::UID,
            FetchItem::InternalDate(_) => Self::INTERNALDATE,
            FetchItem::Rfc822Size(_) => Self::SIZE,
            FetchItem::Envelope(_) => Self::ENVELOPE,
            FetchItem::Body(_) => Self::BODY,
            FetchItem::BodyStructure(_) => Self::BODYSTRUCTURE,
            FetchItem::BodySection { .. } => Self::SECTION,
            FetchItem::Binary { .. } => Self::BINARY,
            FetchItem::BinarySize { .. } => Self::BINARY_SIZE,
            FetchItem::Rfc822(_) => Self::RFC822,
            FetchItem::Rfc822Header(_) => Self::RFC822_HEADER,
            FetchItem::Rfc822Text(_) => Self::RFC822_TEXT,
            FetchItem::ModSeq(_) => Self::MODSEQ,
            FetchItem::EmailId(_) => Self::EMAILID,
            FetchItem::ThreadId(_) => Self::THREADID,
            FetchItem::GmMsgId(_) => Self::GM_MSGID,
            FetchItem::GmThrId(_) => Self::GM_THRID,
            FetchItem::GmLabels(_) => Self::GM_LABELS,
            FetchItem::Other(other) => Self::named(other.name().as_bytes()),
            _ => 0,
        }
    }

    /// The bit of an item by its name as sent (an item kept as sent
    /// because its value did not decode still answers the command).
    fn named(name: &[u8]) -> u32 {
        let upper = name.to_ascii_uppercase();
        let word = upper
            .split(|&b| b == b'[' || b == b'<')
            .next()
            .unwrap_or_default();
        let sectioned = upper.contains(&b'[');
        match word {
            b"FLAGS" => Self::FLAGS,
            b"UID" => Self::UID,
            b"INTERNALDATE" => Self::INTERNALDATE,
            b"RFC822.SIZE" => Self::SIZE,
            b"ENVELOPE" => Self::ENVELOPE,
            b"BODY" if sectioned => Self::SECTION,
            b"BODY" => Self::BODY,
            b"BODYSTRUCTURE" => Self::BODYSTRUCTURE,
            b"BINARY" => Self::BINARY,
            b"BINARY.SIZE" => Self::BINARY_SIZE,
            b"RFC822" => Self::RFC822,
            b"RFC822.HEADER" => Self::RFC822_HEADER,
            b"RFC822.TEXT" => Self::RFC822_TEXT,
            b"MODSEQ" => Self::MODSEQ,
            b"EMAILID" => Self::EMAILID,
            b"THREADID" => Self::THREADID,
            b"X-GM-MSGID" => Self::GM_MSGID,
            b"X-GM-THRID" => Self::GM_THRID,
            b"X-GM-LABELS" => Self::GM_LABELS,
            _ => 0,
        }
    }

    /// True when `items` hold one the command asked for.
    fn answered_by(self, items: &[FetchItem<'_>]) -> bool {
        self.0 != 0 && items.iter().any(|i| Self::item(i) & self.0 != 0)
    }
}

/// Which commands an untagged data response answers (RFC 9051 §7 and the
/// extensions). A `FETCH` answers the command that asked for one of its
/// items; any other is the server's news (RFC 9051 §5.2, §7.5.2).
/// While the mailbox a `SELECT` replaces is not yet `[CLOSED]`, mailbox
/// data is about the old one, not the `SELECT`'s.
fn asks_for(command: &Outgoing, data: &Data<'_>, closing: bool) -> bool {
    use CommandKind as K;
    let kind = command.kind;
    let opening = matches!(kind, K::Select | K::Examine) && !closing;
    match data {
        Data::Fetch { items, .. } => {
            command.wants.answered_by(items) && (opening || !matches!(kind, K::Select | K::Examine))
        }
        Data::Flags(_) | Data::Exists(_) | Data::Recent(_) => opening,
        Data::Vanished { earlier: true, .. } => kind == K::Fetch || opening,
        _ => asks_for_kind(kind, data),
    }
}

/// [`asks_for`] for the data that depends on the command's kind alone.
fn asks_for_kind(kind: CommandKind, data: &Data<'_>) -> bool {
    use CommandKind as K;
    match data {
        Data::Capability(_) => kind == K::Capability,
        Data::Enabled(_) => kind == K::Enable,
        Data::Flags(_) | Data::Exists(_) | Data::Recent(_) => {
            matches!(kind, K::Select | K::Examine)
        }
        Data::List(_) => matches!(kind, K::List | K::Select | K::Examine),
        Data::Lsub(_) => kind == K::Lsub,
        Data::Status { .. } => matches!(kind, K::Status | K::List),
        Data::Search { .. } => kind == K::Search,
        Data::Sort { .. } => kind == K::Sort,
        Data::ESearch(_) => matches!(kind, K::Search | K::Sort),
        Data::Thread(_) => kind == K::Thread,
        Data::Expunge(_) => matches!(kind, K::Expunge | K::Move),
        Data::Vanished { earlier: true, .. } => matches!(kind, K::Fetch | K::Select | K::Examine),
        Data::Vanished { earlier: false, .. } => matches!(kind, K::Expunge | K::Move),
        Data::Namespace { .. } => kind == K::Namespace,
        Data::Id(_) => kind == K::Id,
        Data::Quota { .. } => matches!(kind, K::GetQuota | K::GetQuotaRoot),
        Data::QuotaRoot { .. } => kind == K::GetQuotaRoot,
        Data::Acl { .. } => kind == K::GetAcl,
        Data::ListRights { .. } => kind == K::ListRights,
        Data::MyRights { .. } => kind == K::MyRights,
        Data::Metadata { .. } => kind == K::GetMetadata,
        Data::Fetch { .. } => false,
        Data::Other(_) => false,
    }
}

/// A status that owns its parts.
fn owned_status(s: &Status<'_>) -> Status<'static> {
    Status::from_wire(
        s.tag().cloned().map(Tag::into_owned),
        s.kind(),
        s.code().cloned().map(Code::into_owned),
        s.text().clone().into_owned(),
    )
}

/// Where the greeting and responses are read.
#[derive(Debug)]
enum Reader {
    Greeting(GreetingDecoder),
    Responses(ResponseDecoder),
}

/// An IMAP client session: queues commands, tags them, writes them when
/// the protocol allows, and reads the server's responses in the context
/// of the commands in flight.
///
/// Commands are pipelined, except that nothing is written after a command
/// that changes the state, the transport or what the next lines mean
/// (`LOGIN`, `AUTHENTICATE`, `STARTTLS`, `SELECT`, `EXAMINE`, `CLOSE`,
/// `UNSELECT`, `ENABLE`, `IDLE`, `COMPRESS`, `LOGOUT`) until its tagged
/// response, and nothing after a synchronizing literal until the server's
/// `+`. A literal is sent without waiting when the server advertised
/// `LITERAL+`, or `LITERAL-` (or `IMAP4rev2`) and it is at most 4096
/// octets; before any capability is known every literal waits.
#[derive(Debug)]
pub struct Client {
    config: ClientConfig,
    reader: Reader,
    /// With [`ClientConfig::stream_bodies`].
    streamer: Option<BodyStreamer>,
    /// The command whose body literal is being streamed.
    streaming: Option<Tag<'static>>,
    /// Counts the transport changes (STARTTLS, COMPRESS).
    switches: u32,
    out: BytesMut,
    events: VecDeque<ClientEvent>,
    queue: VecDeque<Outgoing>,
    in_flight: VecDeque<Outgoing>,
    next_tag: u32,
    greeted: bool,
    state: State,
    projected: State,
    capabilities: Option<Vec<Capability<'static>>>,
    enabled: Vec<Capability<'static>>,
    selected: Option<Selected>,
    opening: Option<Selected>,
    /// The mailbox a `SELECT`/`EXAMINE` replaces, until the server's
    /// `[CLOSED]` (RFC 7162 §3.2.11, RFC 9051 §7.1).
    closing: Option<Selected>,
    idling: bool,
    done_requested: bool,
    transport_pending: bool,
    compressing: bool,
    closed: bool,
}

impl Client {
    /// A session for a new connection, waiting for the greeting.
    pub fn new(config: ClientConfig) -> Self {
        let mut config = config;
        config
            .tag_prefix
            .retain(|c| c.is_ascii_graphic() && !"(){%*\"\\+]".contains(c));
        if config.tag_prefix.is_empty() {
            config.tag_prefix.push('A');
        }
        Self {
            reader: Reader::Greeting(GreetingDecoder::new(config.limits)),
            streamer: config.stream_bodies.then(BodyStreamer::new),
            streaming: None,
            switches: 0,
            config,
            out: BytesMut::new(),
            events: VecDeque::new(),
            queue: VecDeque::new(),
            in_flight: VecDeque::new(),
            next_tag: 1,
            greeted: false,
            state: State::NotAuthenticated,
            projected: State::NotAuthenticated,
            capabilities: None,
            enabled: Vec::new(),
            selected: None,
            opening: None,
            closing: None,
            idling: false,
            done_requested: false,
            transport_pending: false,
            compressing: false,
            closed: false,
        }
    }

    /// The state, as confirmed by the server's responses so far.
    pub fn state(&self) -> State {
        self.state
    }

    /// The server's capabilities, when known.
    pub fn capabilities(&self) -> Option<&[Capability<'static>]> {
        self.capabilities.as_deref()
    }

    /// True when the server's capabilities are known. They are not before
    /// a greeting or response carries them, after `STARTTLS`, and after
    /// logging in without a `[CAPABILITY]` code: the server may then offer
    /// other ones (RFC 9051 §6.2.3, §7.1), and the client writes every
    /// literal as synchronizing until it knows. Send `CAPABILITY` (or set
    /// [`ClientConfig::refresh_capabilities`]) to learn them.
    pub fn capabilities_known(&self) -> bool {
        self.capabilities.is_some()
    }

    /// True when the server advertised the capability named `name`.
    pub fn has_capability(&self, name: &str) -> bool {
        self.capabilities
            .as_deref()
            .is_some_and(|caps| has_capability(caps, name))
    }

    /// The extensions turned on with `ENABLE` (`UTF8=ACCEPT`, `QRESYNC`…).
    pub fn enabled(&self) -> &[Capability<'static>] {
        &self.enabled
    }

    /// True when the extension named `name` was enabled.
    pub fn is_enabled(&self, name: &str) -> bool {
        has_capability(&self.enabled, name)
    }

    /// The selected mailbox.
    pub fn selected(&self) -> Option<&Selected> {
        self.selected.as_ref()
    }

    /// The mailbox a `SELECT` or `EXAMINE` in flight replaces, while the
    /// server still reports on it: until its `[CLOSED]` response code
    /// (RFC 7162 §3.2.11, RFC 9051 §7.1), which servers with `CONDSTORE`,
    /// `QRESYNC` or `IMAP4rev2` send. Until then `EXISTS`, `EXPUNGE`,
    /// `FETCH` and the like are about this mailbox: they update it and
    /// come as [`Unsolicited`], not as the `SELECT`'s data.
    pub fn closing(&self) -> Option<&Selected> {
        self.closing.as_ref()
    }

    /// The literal mode in force: what the server's capabilities allow.
    pub fn literal_mode(&self) -> LiteralMode {
        self.capabilities
            .as_deref()
            .map_or(LiteralMode::Sync, literal_mode)
    }

    /// True once TLS is active (from the start, or after `STARTTLS`).
    pub fn tls_active(&self) -> bool {
        self.config.tls_active
    }

    /// True once `COMPRESS` was accepted.
    pub fn is_compressing(&self) -> bool {
        self.compressing
    }

    /// True while the server is idling for us (between
    /// [`ClientEvent::Idling`] and [`done`](Self::done)).
    pub fn is_idling(&self) -> bool {
        self.idling
    }

    /// True once the session is over.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Commands queued or in flight whose tagged response has not come.
    pub fn outstanding(&self) -> usize {
        self.in_flight.len() + self.queue.len()
    }

    /// Queues a command and gives its tag. Refused when it is not valid
    /// in the state the session will be in once the commands before it
    /// succeed; `LOGIN` when the server advertised `LOGINDISABLED`;
    /// `STARTTLS` when the server did not advertise it (or TLS is
    /// active); `AUTHENTICATE`, which goes through
    /// [`authenticate`](Self::authenticate).
    pub fn send(&mut self, body: CommandBody<'_>) -> Result<Tag<'static>, ClientError> {
        if matches!(body, CommandBody::Authenticate { .. }) {
            return Err(ClientError::UseAuthenticate);
        }
        let kind = CommandKind::of(&body);
        self.check(kind)?;
        let mailbox = match &body {
            CommandBody::Select { mailbox, .. } | CommandBody::Examine { mailbox, .. } => {
                Some(mailbox.clone().into_owned())
            }
            _ => None,
        };
        Ok(self.enqueue(body, kind, mailbox, None))
    }

    /// Queues `AUTHENTICATE` for the SASL mechanism `mechanism` (RFC 9051
    /// §6.2.2) and runs the exchange: the initial response goes on the
    /// command line when the server advertised `SASL-IR` (RFC 4959),
    /// otherwise it answers the server's first (empty) challenge;
    /// challenges are answered as the mechanism says, and one it cannot
    /// answer cancels with `*`. The outcome is the
    /// [`ClientEvent::Completed`] of the returned tag.
    pub fn authenticate(&mut self, mechanism: sasl::Client) -> Result<Tag<'static>, ClientError> {
        let kind = CommandKind::Authenticate;
        self.check(kind)?;
        let name = Atom::new(mechanism.name().as_str().to_owned())
            .map_err(|_| ClientError::UseAuthenticate)?;
        // The line is made when it is written: whether it carries the
        // initial response depends on the capabilities then.
        let body = CommandBody::Authenticate {
            mechanism: name,
            initial: None,
        };
        Ok(self.enqueue(body, kind, None, Some(mechanism)))
    }

    /// The `AUTHENTICATE` line for `command`, with the initial response
    /// when the server advertised `SASL-IR` (RFC 4959).
    fn authenticate_line(&self, command: &mut Outgoing) {
        let Some(mechanism) = &mut command.sasl else {
            return;
        };
        let Ok(name) = Atom::new(mechanism.name().as_str().to_owned()) else {
            return;
        };
        let initial = if self.has_capability("SASL-IR") {
            match mechanism.initial_response() {
                Some(ir) if ir.is_empty() => Some(SaslData::empty()),
                Some(ir) => SaslData::new(sasl::wire::encode(&ir).into_bytes()).ok(),
                None => None,
            }
        } else {
            None
        };
        let body = CommandBody::Authenticate {
            mechanism: name,
            initial,
        };
        command.rest = pieces(&Command::new(command.tag.clone(), body));
    }

    /// Ends `IDLE` with `DONE` (RFC 2177). When the server has not yet
    /// answered `IDLE` with `+`, `DONE` follows its answer.
    pub fn done(&mut self) -> Result<(), ClientError> {
        let idle_sent = self.in_flight.iter().any(|c| c.kind == CommandKind::Idle);
        let idle_queued = self.queue.iter().any(|c| c.kind == CommandKind::Idle);
        if self.done_requested || !(idle_sent || idle_queued) {
            return Err(ClientError::NotIdling);
        }
        if self.idling {
            self.idling = false;
            self.out.extend_from_slice(b"DONE\r\n");
        } else {
            self.done_requested = true;
        }
        Ok(())
    }

    /// After [`ClientEvent::StartTls`], once TLS is up: commands are
    /// written again, and every byte given to
    /// [`handle_input`](Self::handle_input) is taken as having come
    /// through TLS.
    pub fn tls_established(&mut self) {
        self.transport_pending = false;
        self.flush();
    }

    /// After [`ClientEvent::Compress`], once the transport compresses:
    /// commands are written again.
    pub fn compression_started(&mut self) {
        self.transport_pending = false;
        self.flush();
    }

    /// Takes bytes received from the server, of any size.
    pub fn handle_input(&mut self, bytes: &[u8]) {
        match &mut self.reader {
            Reader::Responses(_) => self.feed(bytes),
            Reader::Greeting(greeting) => {
                greeting.push(bytes);
                let Some(result) = greeting.next_greeting() else {
                    return;
                };
                // The offset before taking the rest: taking moves it.
                let offset = greeting.offset();
                let rest = greeting.take_buffered();
                let decoder = ResponseDecoder::with_offset(self.config.limits, offset);
                self.reader = Reader::Responses(decoder);
                match result {
                    Ok(g) => self.on_greeting(g),
                    Err(e) => {
                        self.greeted = true;
                        self.events.push_back(ClientEvent::Error(e.into()));
                    }
                }
                self.flush();
                self.feed(&rest);
            }
        }
    }

    /// Gives `bytes` to the response decoder, through the body streamer
    /// when there is one, and handles the responses they complete.
    fn feed(&mut self, bytes: &[u8]) {
        if self.streamer.is_none() {
            if let Reader::Responses(decoder) = &mut self.reader {
                decoder.push(bytes);
            }
            self.read_responses();
            return;
        }
        let mut input = bytes;
        loop {
            let (Some(streamer), Reader::Responses(decoder)) =
                (&mut self.streamer, &mut self.reader)
            else {
                return;
            };
            let in_flight = &self.in_flight;
            let step = streamer.next(&mut input, &self.config.limits, |item| {
                streams_to(in_flight, item).is_some()
            });
            match step {
                None => return,
                Some(Step::Decode(bytes)) => {
                    decoder.push(&bytes);
                    let switches = self.switches;
                    self.read_responses();
                    if self.switches != switches {
                        // The transport changed after the response just
                        // read: the rest was not meant for this decoder.
                        self.streamer = Some(BodyStreamer::new());
                        self.hand_back(input);
                        return;
                    }
                }
                Some(Step::Start(announced, line)) => {
                    decoder.push(&line);
                    let tag = streams_to(&self.in_flight, &announced.item).map(|c| c.tag.clone());
                    if let Some(tag) = tag {
                        self.streaming = Some(tag.clone());
                        self.events.push_back(ClientEvent::BodyStart {
                            tag,
                            seq: announced.seq,
                            item: announced.item,
                            size: announced.size,
                        });
                    }
                }
                Some(Step::Chunk(data)) => {
                    if let Some(tag) = self.streaming.clone() {
                        self.events.push_back(ClientEvent::BodyChunk {
                            tag,
                            data: Bytes::copy_from_slice(data),
                        });
                    }
                }
            }
        }
    }

    /// Adds `rest` to the leftover of the transport change just reported.
    fn hand_back(&mut self, rest: &[u8]) {
        let leftover = self.events.iter_mut().rev().find_map(|e| match e {
            ClientEvent::StartTls { leftover } | ClientEvent::Compress { leftover } => {
                Some(leftover)
            }
            _ => None,
        });
        if let Some(leftover) = leftover {
            leftover.extend_from_slice(rest);
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

    fn read_responses(&mut self) {
        loop {
            let Reader::Responses(decoder) = &mut self.reader else {
                return;
            };
            let Some(next) = decoder.next_frame() else {
                return;
            };
            match next {
                Ok(frame) => self.on_frame(frame),
                Err(e) => self.events.push_back(ClientEvent::Error(e.into())),
            }
            // Commands freed by this response are written (and expected)
            // before the next response is read, so that responses are
            // matched the same way however the input was split.
            self.flush();
        }
    }

    fn check(&self, kind: CommandKind) -> Result<(), ClientError> {
        if self.closed || self.projected == State::Logout {
            return Err(ClientError::Closed);
        }
        if !self.projected.allows(kind) {
            return Err(ClientError::WrongState {
                command: kind,
                state: self.projected,
            });
        }
        match kind {
            CommandKind::Login if self.has_capability("LOGINDISABLED") => {
                Err(ClientError::LoginDisabled)
            }
            CommandKind::StartTls
                if self.config.tls_active
                    || (self.capabilities.is_some() && !self.has_capability("STARTTLS")) =>
            {
                Err(ClientError::NotAdvertised("STARTTLS"))
            }
            CommandKind::Compress if self.compressing => {
                Err(ClientError::NotAdvertised("COMPRESS (already active)"))
            }
            _ => Ok(()),
        }
    }

    fn next_tag(&mut self) -> Tag<'static> {
        let n = self.next_tag;
        self.next_tag = self.next_tag.wrapping_add(1).max(1);
        let text = format!("{}{n:04}", self.config.tag_prefix);
        // The prefix was cleaned of what a tag cannot hold.
        Tag::new(text).unwrap_or_else(|_| Tag::from_wire(b"A"))
    }

    fn enqueue(
        &mut self,
        body: CommandBody<'_>,
        kind: CommandKind,
        mailbox: Option<Mailbox<'static>>,
        sasl: Option<sasl::Client>,
    ) -> Tag<'static> {
        let tag = self.next_tag();
        let wants = Wants::of(&body);
        let rest = pieces(&Command::new(tag.clone(), body));
        self.projected = after(self.projected, kind);
        self.queue.push_back(Outgoing {
            tag: tag.clone(),
            kind,
            rest,
            mailbox,
            sasl,
            wants,
        });
        self.flush();
        tag
    }

    /// With [`ClientConfig::refresh_capabilities`], queues `CAPABILITY`
    /// ahead of the commands waiting (once).
    fn refresh_capabilities(&mut self) {
        let queued = self
            .queue
            .front()
            .is_some_and(|c| c.kind == CommandKind::Capability);
        if !self.config.refresh_capabilities || queued || self.closed {
            return;
        }
        let tag = self.next_tag();
        let rest = pieces(&Command::new(tag.clone(), CommandBody::Capability));
        self.queue.push_front(Outgoing {
            tag,
            kind: CommandKind::Capability,
            rest,
            mailbox: None,
            sasl: None,
            wants: Wants::default(),
        });
    }

    /// The state once the commands sent and queued succeed, recomputed
    /// after one failed.
    fn reproject(&mut self) {
        self.projected = self
            .in_flight
            .iter()
            .chain(&self.queue)
            .fold(self.state, |s, c| after(s, c.kind));
    }

    /// Writes the queued commands the protocol allows now.
    fn flush(&mut self) {
        if !self.greeted || self.transport_pending || self.closed {
            return;
        }
        loop {
            if self
                .in_flight
                .back()
                .is_some_and(|c| !c.rest.is_empty() || barrier(c.kind))
            {
                return;
            }
            let Some(front) = self.queue.front() else {
                return;
            };
            if barrier(front.kind) && !self.in_flight.is_empty() {
                return;
            }
            let Some(mut next) = self.queue.pop_front() else {
                return;
            };
            if !self.state.allows(next.kind) {
                let reason = ClientError::WrongState {
                    command: next.kind,
                    state: self.state,
                };
                self.events.push_back(ClientEvent::Dropped {
                    tag: next.tag,
                    command: next.kind,
                    reason,
                });
                self.reproject();
                continue;
            }
            if matches!(next.kind, CommandKind::Select | CommandKind::Examine) {
                // A server with CONDSTORE, QRESYNC or IMAP4rev2 marks
                // where the responses about the old mailbox end.
                let boundary = ["IMAP4rev2", "QRESYNC", "CONDSTORE"]
                    .iter()
                    .any(|c| self.has_capability(c));
                let old = self.selected.take();
                self.closing = old.filter(|_| boundary);
                self.opening = next.mailbox.clone().map(|mailbox| Selected {
                    mailbox,
                    read_only: next.kind == CommandKind::Examine,
                    exists: 0,
                    uid_validity: None,
                    uid_next: None,
                    highest_modseq: None,
                    flags: Vec::new(),
                });
            }
            if next.kind == CommandKind::Authenticate {
                self.authenticate_line(&mut next);
            }
            self.write_pieces(&mut next.rest);
            self.in_flight.push_back(next);
        }
    }

    /// Writes pieces until a literal that must wait for `+`.
    fn write_pieces(&mut self, rest: &mut VecDeque<Piece>) {
        let mode = self.literal_mode();
        while let Some(piece) = rest.pop_front() {
            match piece {
                Piece::Literal(data) => self.out.extend_from_slice(&data),
                Piece::Line(mut line) => {
                    let literal = match rest.front() {
                        Some(Piece::Literal(data)) => Some(data.len() as u64),
                        _ => None,
                    };
                    match literal {
                        Some(len) if mode.allows_non_sync(len) && line.ends_with(b"}\r\n") => {
                            line.truncate(line.len() - 3);
                            line.extend_from_slice(b"+}\r\n");
                            self.out.extend_from_slice(&line);
                        }
                        Some(_) => {
                            self.out.extend_from_slice(&line);
                            return;
                        }
                        None => self.out.extend_from_slice(&line),
                    }
                }
            }
        }
    }

    fn set_capabilities(&mut self, caps: Vec<Capability<'static>>) {
        self.capabilities = Some(caps.clone());
        self.events.push_back(ClientEvent::Capabilities(caps));
    }

    fn on_greeting(&mut self, greeting: Greeting<'static>) {
        self.greeted = true;
        self.state = State::after_greeting(&greeting);
        self.reproject();
        if self.state == State::Logout {
            self.closed = true;
        }
        let caps = match greeting.code() {
            Some(Code::Capability(caps)) => Some(caps.clone()),
            _ => None,
        };
        self.events.push_back(ClientEvent::Greeting(greeting));
        if let Some(caps) = caps {
            self.set_capabilities(caps);
        }
    }

    /// The mailbox being closed (until `[CLOSED]`), being opened, or the
    /// one open.
    fn mailbox_mut(&mut self) -> Option<&mut Selected> {
        if let Some(m) = &mut self.closing {
            return Some(m);
        }
        match &mut self.opening {
            Some(m) => Some(m),
            None => self.selected.as_mut(),
        }
    }

    fn on_code(&mut self, code: Option<&Code<'_>>) {
        let Some(code) = code else {
            return;
        };
        if let Code::Capability(caps) = code {
            let caps = caps.iter().cloned().map(Capability::into_owned).collect();
            self.set_capabilities(caps);
            return;
        }
        if *code == Code::Closed {
            self.on_closed();
            return;
        }
        let Some(mailbox) = self.mailbox_mut() else {
            return;
        };
        match code {
            Code::UidValidity(v) => mailbox.uid_validity = Some(*v),
            Code::UidNext(v) => mailbox.uid_next = Some(*v),
            Code::HighestModSeq(v) => mailbox.highest_modseq = Some(*v),
            Code::ReadOnly => mailbox.read_only = true,
            Code::ReadWrite => mailbox.read_only = false,
            _ => {}
        }
    }

    /// `[CLOSED]` (RFC 7162 §3.2.11, RFC 9051 §7.1): during a `SELECT`
    /// or `EXAMINE`, the responses about the mailbox it replaces end here;
    /// otherwise the server closed the mailbox on its own (RFC 9051 §3,
    /// the state diagram's transition 6).
    fn on_closed(&mut self) {
        if self.closing.take().is_some() {
            return;
        }
        let opening = self
            .in_flight
            .iter()
            .any(|c| matches!(c.kind, CommandKind::Select | CommandKind::Examine));
        if !opening && self.state == State::Selected {
            self.state = State::Authenticated;
            self.selected = None;
            self.reproject();
        }
    }

    fn on_frame(&mut self, frame: ResponseFrame) {
        let response = match frame.decode() {
            Ok(r) => r,
            Err(e) => {
                self.events.push_back(ClientEvent::Error(e.into()));
                return;
            }
        };
        match response {
            Response::Continuation(c) => {
                let text = c.text().as_bytes().to_vec();
                self.continuation(&text);
            }
            Response::Status(s) if s.tag().is_some() => {
                let status = owned_status(&s);
                self.tagged(status);
            }
            Response::Status(s) => {
                let status = owned_status(&s);
                drop(s);
                self.untagged_status(status, frame);
            }
            Response::Data(data) => {
                let route = self.route(&data);
                drop(data);
                match route {
                    Route::Command(i) => {
                        if let Some(c) = self.in_flight.get(i) {
                            let event = ClientEvent::Data {
                                tag: c.tag.clone(),
                                command: c.kind,
                                response: Received(frame),
                            };
                            self.events.push_back(event);
                        }
                    }
                    Route::Unsolicited(u) => {
                        self.events.push_back(ClientEvent::Unsolicited(u));
                    }
                    Route::Fetch { seq, uid, modseq } => {
                        let response = Received(frame);
                        self.events
                            .push_back(ClientEvent::Unsolicited(Unsolicited::Fetch {
                                seq,
                                uid,
                                modseq,
                                response,
                            }))
                    }
                    Route::Other => {
                        self.events
                            .push_back(ClientEvent::Unsolicited(Unsolicited::Other(Received(
                                frame,
                            ))))
                    }
                    Route::Reported => {}
                }
            }
        }
    }

    /// Applies untagged data and says where it goes.
    fn route(&mut self, data: &Data<'_>) -> Route {
        // Effects on the session first.
        match data {
            Data::Capability(caps) => {
                let caps = caps.iter().cloned().map(Capability::into_owned).collect();
                self.set_capabilities(caps);
            }
            Data::Enabled(caps) => {
                let caps: Vec<_> = caps.iter().cloned().map(Capability::into_owned).collect();
                for c in &caps {
                    if !self.enabled.contains(c) {
                        self.enabled.push(c.clone());
                    }
                }
                self.events.push_back(ClientEvent::Enabled(caps));
            }
            Data::Exists(n) => {
                if let Some(m) = self.mailbox_mut() {
                    m.exists = *n;
                }
            }
            Data::Expunge(_) => {
                if let Some(m) = self.mailbox_mut() {
                    m.exists = m.exists.saturating_sub(1);
                }
            }
            Data::Vanished {
                earlier: false,
                uids,
            } => {
                let gone = u32::try_from(uids.count(u32::MAX)).unwrap_or(u32::MAX);
                if let Some(m) = self.mailbox_mut() {
                    m.exists = m.exists.saturating_sub(gone);
                }
            }
            Data::Flags(flags) => {
                if let Some(m) = self.mailbox_mut() {
                    m.flags = flags.iter().cloned().map(Flag::into_owned).collect();
                }
            }
            _ => {}
        }
        let closing = self.closing.is_some();
        if let Some(i) = self
            .in_flight
            .iter()
            .position(|c| asks_for(c, data, closing))
        {
            return Route::Command(i);
        }
        match data {
            Data::Capability(_) | Data::Enabled(_) => Route::Reported,
            Data::Exists(n) => Route::Unsolicited(Unsolicited::Exists(*n)),
            Data::Recent(n) => Route::Unsolicited(Unsolicited::Recent(*n)),
            Data::Expunge(n) => Route::Unsolicited(Unsolicited::Expunge(*n)),
            Data::Vanished { earlier, uids } => Route::Unsolicited(Unsolicited::Vanished {
                earlier: *earlier,
                uids: uids.clone(),
            }),
            Data::Fetch { seq, items } => {
                let mut flags = None;
                let mut uid = None;
                let mut modseq = None;
                for item in items {
                    match item {
                        FetchItem::Flags(f) => {
                            flags = Some(f.iter().cloned().map(Flag::into_owned).collect());
                        }
                        FetchItem::Uid(u) => uid = Some(*u),
                        FetchItem::ModSeq(m) => modseq = Some(*m),
                        _ => {}
                    }
                }
                match flags {
                    Some(flags) => Route::Unsolicited(Unsolicited::FetchFlags {
                        seq: *seq,
                        uid,
                        flags,
                        modseq,
                    }),
                    None => Route::Fetch {
                        seq: *seq,
                        uid,
                        modseq,
                    },
                }
            }
            _ => Route::Other,
        }
    }

    fn untagged_status(&mut self, status: Status<'static>, frame: ResponseFrame) {
        self.on_code(status.code());
        if status.kind() == StatusKind::Bye {
            self.closed = true;
            self.state = State::Logout;
            self.projected = State::Logout;
        }
        let owner = match status.kind() {
            StatusKind::Bye => self
                .in_flight
                .iter()
                .position(|c| c.kind == CommandKind::Logout),
            StatusKind::Ok | StatusKind::No | StatusKind::Bad if status.code().is_some() => {
                let copy = matches!(status.code(), Some(Code::CopyUid { .. }));
                self.in_flight.iter().position(|c| {
                    matches!(c.kind, CommandKind::Select | CommandKind::Examine)
                        || (copy && matches!(c.kind, CommandKind::Move | CommandKind::Copy))
                })
            }
            _ => None,
        };
        match owner.and_then(|i| self.in_flight.get(i)) {
            Some(c) => {
                let event = ClientEvent::Data {
                    tag: c.tag.clone(),
                    command: c.kind,
                    response: Received(frame),
                };
                self.events.push_back(event);
            }
            None if status.kind() == StatusKind::Bye => {
                self.events
                    .push_back(ClientEvent::Unsolicited(Unsolicited::Bye(status)));
            }
            None => self
                .events
                .push_back(ClientEvent::Unsolicited(Unsolicited::Status(status))),
        }
    }

    fn tagged(&mut self, status: Status<'static>) {
        let position = status
            .tag()
            .and_then(|t| self.in_flight.iter().position(|c| c.tag == *t));
        let Some(command) = position.and_then(|i| self.in_flight.remove(i)) else {
            self.events
                .push_back(ClientEvent::Error(ClientError::Unexpected));
            return;
        };
        let ok = status.kind() == StatusKind::Ok;
        let caps_in_code = matches!(status.code(), Some(Code::Capability(_)));
        if !caps_in_code {
            // The code of a successful SELECT (READ-ONLY) applies to the
            // mailbox being opened.
            self.on_code(status.code());
        }
        let mut after_event = None;
        match command.kind {
            CommandKind::Login | CommandKind::Authenticate if ok => {
                self.state = State::Authenticated;
                if !caps_in_code {
                    self.capabilities = None;
                    self.refresh_capabilities();
                }
            }
            CommandKind::Select | CommandKind::Examine => {
                self.closing = None;
                let opened = self.opening.take();
                if ok {
                    self.state = State::Selected;
                    self.selected = opened;
                } else {
                    self.state = State::Authenticated;
                    self.selected = None;
                }
            }
            CommandKind::Close | CommandKind::Unselect if ok => {
                self.state = State::Authenticated;
                self.selected = None;
            }
            CommandKind::Logout => {
                self.state = State::Logout;
                self.closed = true;
            }
            CommandKind::Idle => {
                self.idling = false;
                self.done_requested = false;
            }
            CommandKind::StartTls if ok => {
                let leftover = self.take_buffered();
                self.transport_pending = true;
                self.config.tls_active = true;
                self.capabilities = None;
                self.refresh_capabilities();
                after_event = Some(ClientEvent::StartTls { leftover });
            }
            CommandKind::Compress if ok => {
                let leftover = self.take_buffered();
                self.transport_pending = true;
                self.compressing = true;
                after_event = Some(ClientEvent::Compress { leftover });
            }
            _ => {}
        }
        if caps_in_code {
            self.on_code(status.code());
        }
        self.reproject();
        self.events.push_back(ClientEvent::Completed {
            tag: command.tag,
            command: command.kind,
            status,
        });
        self.events.extend(after_event);
    }

    /// The bytes received after a response that changes the transport; the
    /// decoder starts afresh after them.
    fn take_buffered(&mut self) -> BytesMut {
        let Reader::Responses(decoder) = &mut self.reader else {
            return BytesMut::new();
        };
        self.switches = self.switches.wrapping_add(1);
        let mut leftover = BytesMut::from(decoder.buffered());
        if let Some(streamer) = &self.streamer {
            leftover.extend_from_slice(streamer.buffered());
        }
        // Offsets go on from the last byte read: the leftover, if it is
        // given back after the switch, is counted then.
        let offset = decoder.offset();
        self.reader = Reader::Responses(ResponseDecoder::with_offset(self.config.limits, offset));
        leftover
    }

    /// A continuation request: the literal it waits for, the next SASL
    /// step, or the start of `IDLE`.
    fn continuation(&mut self, text: &[u8]) {
        let Some(last) = self.in_flight.back_mut() else {
            self.events
                .push_back(ClientEvent::Error(ClientError::Unexpected));
            return;
        };
        if !last.rest.is_empty() {
            let mut rest = std::mem::take(&mut last.rest);
            self.write_pieces(&mut rest);
            if let Some(last) = self.in_flight.back_mut() {
                last.rest = rest;
            }
            return;
        }
        match last.kind {
            CommandKind::Authenticate => {
                let answer = match (&mut last.sasl, sasl::wire::decode(text)) {
                    (Some(mechanism), Ok(challenge)) => match mechanism.step(&challenge) {
                        Ok(sasl::Step::Respond(data)) => Some(data),
                        Ok(sasl::Step::Failed { response, .. }) => Some(response),
                        Ok(_) => None,
                        Err(e) => {
                            self.events
                                .push_back(ClientEvent::Error(ClientError::Sasl(e)));
                            None
                        }
                    },
                    _ => None,
                };
                match answer {
                    Some(data) => {
                        self.out
                            .extend_from_slice(sasl::wire::encode(&data).as_bytes());
                        self.out.extend_from_slice(b"\r\n");
                    }
                    None => self.out.extend_from_slice(b"*\r\n"),
                }
            }
            CommandKind::Idle if !self.idling => {
                let tag = last.tag.clone();
                if self.done_requested {
                    self.done_requested = false;
                    self.out.extend_from_slice(b"DONE\r\n");
                } else {
                    self.idling = true;
                }
                self.events.push_back(ClientEvent::Idling { tag });
            }
            _ => self
                .events
                .push_back(ClientEvent::Error(ClientError::Unexpected)),
        }
    }
}

/// The pieces of `command`, every literal announced as synchronizing (the
/// mode is applied when they are written).
fn pieces(command: &Command<'_>) -> VecDeque<Piece> {
    encode::fragments(command, LiteralMode::Sync)
        .into_iter()
        .map(|f| match f {
            Fragment::Line(l) => Piece::Line(l),
            Fragment::Literal { data, .. } => Piece::Literal(data.to_vec()),
        })
        .collect()
}

/// The command in flight that asked for the body item named `item` (as
/// sent: `BODY[1]`, `RFC822`…), to stream it to.
fn streams_to<'c>(in_flight: &'c VecDeque<Outgoing>, item: &str) -> Option<&'c Outgoing> {
    let bit = Wants::named(item.as_bytes());
    (bit != 0)
        .then(|| in_flight.iter().find(|c| c.wants.0 & bit != 0))
        .flatten()
}

/// Where untagged data goes.
enum Route {
    Command(usize),
    Unsolicited(Unsolicited),
    /// A `FETCH` without `FLAGS` no command asked for.
    Fetch {
        seq: u32,
        uid: Option<u32>,
        modseq: Option<u64>,
    },
    Other,
    /// Already reported by its own event.
    Reported,
}
