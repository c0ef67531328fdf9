//! Decoding what a server sends, in the context of the command it answers.

use std::collections::VecDeque;

use bytes::{Buf, Bytes, BytesMut};

use super::{DecodeError, DecodeErrorKind, Decoded, LineError, check_octets, too_long};
use crate::Limits;
use crate::frame::{self, BodyStep, Line};
use crate::types::{
    Body, Capability, Challenge, Command, Greeting, Language, Mechanism, MultiLine, Reply,
    Response, SaslData, ScanListing, Status, UniqueIdListing, ValueError,
};

/// What the client is waiting for: how to read the server's next response.
///
/// POP3's syntax does not say whether a `+OK` line starts a multi-line
/// response; the command that was sent does. [`Expect::for_command`] gives
/// the expectation for any command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Expect {
    /// The greeting, on connection (RFC 1939 §4).
    Greeting,
    /// A one-line response.
    Single,
    /// The reply to `AUTH mechanism`: a SASL challenge `+ base64`
    /// (RFC 5034 §4), after which the same expectation holds, or a final
    /// `+OK`/`-ERR`. Lines are bounded by [`Limits::sasl_line`].
    Auth,
    /// The reply to `CAPA` (RFC 2449 §5): on `+OK`, capability lines.
    Capa,
    /// The reply to `LIST` without an argument (RFC 1939 §5): on `+OK`,
    /// scan listings.
    Scan,
    /// The reply to `UIDL` without an argument (RFC 1939 §7): on `+OK`,
    /// unique-id listings.
    UniqueIds,
    /// The reply to `LANG` without an argument (RFC 6856 §3.2): on `+OK`,
    /// language listings.
    Languages,
    /// The reply to `AUTH` without an argument: on `+OK`, SASL mechanism
    /// names, one a line.
    Mechanisms,
    /// The reply to `RETR` or `TOP` (RFC 1939 §5, §7): on `+OK`, a
    /// dot-stuffed message.
    Message,
}

impl Expect {
    /// What the server answers to `command`:
    ///
    /// | command | expectation |
    /// |---|---|
    /// | `RETR`, `TOP` | [`Message`](Self::Message) |
    /// | `LIST` | [`Scan`](Self::Scan); with an argument [`Single`](Self::Single) |
    /// | `UIDL` | [`UniqueIds`](Self::UniqueIds); with an argument [`Single`](Self::Single) |
    /// | `LANG` | [`Languages`](Self::Languages); with an argument [`Single`](Self::Single) |
    /// | `CAPA` | [`Capa`](Self::Capa) |
    /// | `AUTH mechanism` | [`Auth`](Self::Auth) |
    /// | `AUTH` | [`Mechanisms`](Self::Mechanisms) |
    /// | any other, unknown ones included | [`Single`](Self::Single) |
    pub fn for_command(command: &Command<'_>) -> Self {
        match command {
            Command::Retr(_) | Command::Top { .. } => Self::Message,
            Command::List(None) => Self::Scan,
            Command::Uidl(None) => Self::UniqueIds,
            Command::Lang(None) => Self::Languages,
            Command::Capa => Self::Capa,
            Command::Auth { .. } => Self::Auth,
            Command::AuthList => Self::Mechanisms,
            _ => Self::Single,
        }
    }

    /// The kind of lines a `+OK` starts, if the response is multi-line.
    fn listing(self) -> Option<Listing> {
        match self {
            Self::Capa => Some(Listing::Capa),
            Self::Scan => Some(Listing::Scan),
            Self::UniqueIds => Some(Listing::UniqueIds),
            Self::Languages => Some(Listing::Languages),
            Self::Mechanisms => Some(Listing::Mechanisms),
            Self::Greeting | Self::Single | Self::Auth | Self::Message => None,
        }
    }

    /// True when a `+OK` starts a multi-line response.
    fn multi_line(self) -> bool {
        self == Self::Message || self.listing().is_some()
    }

    /// The longest first line.
    fn line_limit(self, limits: &Limits) -> usize {
        if self == Self::Auth {
            limits.sasl_line
        } else {
            limits.response_line
        }
    }
}

/// The kinds of multi-line listings, one value a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Listing {
    Capa,
    Scan,
    UniqueIds,
    Languages,
    Mechanisms,
}

/// One line of a listing.
enum Entry<'a> {
    Capability(Capability<'a>),
    Scan(ScanListing),
    UniqueId(UniqueIdListing<'a>),
    Language(Language<'a>),
    Mechanism(Mechanism<'a>),
}

impl Listing {
    /// An empty body of this kind.
    fn empty(self) -> Body<'static> {
        match self {
            Self::Capa => Body::Capa(Vec::new()),
            Self::Scan => Body::Scan(Vec::new()),
            Self::UniqueIds => Body::UniqueIds(Vec::new()),
            Self::Languages => Body::Languages(Vec::new()),
            Self::Mechanisms => Body::Mechanisms(Vec::new()),
        }
    }

    /// One listing line, dot-unstuffed, without its line end. Each kind's
    /// grammar: `capability = capa-tag *(SP param)` (RFC 2449 §3); `msg SP
    /// size` (RFC 1939 §5); `msg SP unique-id` (RFC 1939 §7); `tag [SP
    /// description]` (RFC 6856 §3.2); `sasl-mech` (RFC 4422 §3.1).
    fn entry(self, line: &[u8]) -> Result<Entry<'_>, LineError> {
        check_octets(line)?;
        let at = |kind: DecodeErrorKind| {
            move |e: ValueError| match e {
                ValueError::ForbiddenByte { offset, .. } | ValueError::Syntax { offset, .. } => {
                    (offset, kind.clone())
                }
                _ => (0, kind.clone()),
            }
        };
        Ok(match self {
            Self::Capa => Entry::Capability(
                Capability::parse(line).map_err(at(DecodeErrorKind::InvalidCapability))?,
            ),
            Self::Scan => Entry::Scan(
                ScanListing::parse(line).map_err(at(DecodeErrorKind::InvalidScanListing))?,
            ),
            Self::UniqueIds => Entry::UniqueId(
                UniqueIdListing::parse(line)
                    .map_err(at(DecodeErrorKind::InvalidUniqueIdListing))?,
            ),
            Self::Languages => Entry::Language(
                Language::parse(line).map_err(at(DecodeErrorKind::InvalidLanguage))?,
            ),
            Self::Mechanisms => Entry::Mechanism(
                Mechanism::new(line).map_err(at(DecodeErrorKind::InvalidMechanism))?,
            ),
        })
    }
}

impl<'a> Body<'a> {
    /// Appends a listing line of the matching kind.
    fn push(&mut self, entry: Entry<'a>) {
        match (self, entry) {
            (Body::Capa(v), Entry::Capability(c)) => v.push(c),
            (Body::Scan(v), Entry::Scan(s)) => v.push(s),
            (Body::UniqueIds(v), Entry::UniqueId(u)) => v.push(u),
            (Body::Languages(v), Entry::Language(l)) => v.push(l),
            (Body::Mechanisms(v), Entry::Mechanism(m)) => v.push(m),
            _ => {}
        }
    }
}

/// True when `line` starts with `word`, compared without regard to case.
fn starts_with_ci(line: &[u8], word: &[u8]) -> bool {
    line.get(..word.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(word))
}

/// True when a line starting with `prefix` (possibly cut short) is a `+OK`
/// line, as far as can be told: what decides whether a multi-line body
/// follows a line that could not be decoded.
fn looks_ok(prefix: &[u8]) -> bool {
    starts_with_ci(prefix, b"+OK")
}

/// A status line, without its line end (RFC 1939 §3, RFC 2449 §3):
///
/// ```text
/// single-line = status [SP text] CRLF
/// status      = "+OK" / "-ERR"
/// text        = *schar / resp-code *CHAR
/// resp-code   = "[" resp-level *("/" resp-level) "]"
/// ```
///
/// The status is read without regard to case (servers must send it in
/// uppercase). A response code is recognised only where the grammar puts
/// it, at the start of the text; one SP after it is part of the framing.
fn status_line(line: &[u8]) -> Result<Response<'_>, LineError> {
    check_octets(line)?;
    let (status, rest) = if starts_with_ci(line, b"+OK") {
        (Status::Ok, line.get(3..).unwrap_or_default())
    } else if starts_with_ci(line, b"-ERR") {
        (Status::Err, line.get(4..).unwrap_or_default())
    } else {
        return Err((0, DecodeErrorKind::InvalidStatus));
    };
    let text = match rest {
        [] => rest,
        [b' ', text @ ..] => text,
        _ => return Err((line.len() - rest.len(), DecodeErrorKind::InvalidStatus)),
    };
    // The octets were checked above.
    Response::from_line_text(status, text).map_err(|_| (0, DecodeErrorKind::Nul))
}

/// `continue-req = "+" SP [base64] CRLF` (RFC 5034 §5), without its line
/// end; `None` when the line is not a challenge. A lone `+` is read as the
/// empty challenge.
fn challenge_line(line: &[u8]) -> Option<Result<Challenge<'_>, LineError>> {
    let data = match line {
        [b'+'] => &[][..],
        [b'+', b' ', data @ ..] => data,
        _ => return None,
    };
    Some(
        SaslData::new(data)
            .map(Challenge::new)
            .map_err(|e| match e {
                ValueError::Syntax { offset, .. } => (offset + 2, DecodeErrorKind::InvalidBase64),
                _ => (2, DecodeErrorKind::InvalidBase64),
            }),
    )
}

/// The first line of a response, as `expect` reads it.
enum First<'a> {
    Greeting(Greeting<'a>),
    Response(Response<'a>),
    Challenge(Challenge<'a>),
    /// The `+OK` line of a multi-line response.
    Begin(Response<'a>),
}

fn first_line(line: &[u8], expect: Expect) -> Result<First<'_>, LineError> {
    if expect == Expect::Auth
        && let Some(challenge) = challenge_line(line)
    {
        return challenge.map(First::Challenge);
    }
    let response = status_line(line)?;
    Ok(match expect {
        Expect::Greeting => First::Greeting(Greeting::new(response)),
        e if e.multi_line() && response.is_ok() => First::Begin(response),
        _ => First::Response(response),
    })
}

/// An error inside the first line of a response: `discard` to the line's
/// end, and the body too when the line was `+OK` to a multi-line command.
fn first_line_error(
    (at, kind): LineError,
    base: usize,
    end: usize,
    line: &[u8],
    expect: Expect,
) -> DecodeError {
    DecodeError {
        until_body_end: expect.multi_line() && looks_ok(line),
        ..DecodeError::new(base + at, kind, end)
    }
}

/// The error for a first line longer than `limit`.
fn first_line_too_long(base: usize, limit: usize, prefix: &[u8], expect: Expect) -> DecodeError {
    DecodeError {
        until_body_end: expect.multi_line() && looks_ok(prefix),
        ..too_long(base, limit)
    }
}

/// An error inside a multi-line body, at stream offset `offset`, whose
/// response started at `start`; `discard` (from `start`) ends at `skip_to`.
fn body_error(kind: DecodeErrorKind, offset: usize, start: usize, skip_to: usize) -> DecodeError {
    DecodeError {
        until_body_end: true,
        ..DecodeError::new(offset, kind, skip_to - start)
    }
}

/// Offset just past the terminating line of a multi-line body, searching
/// `input` from its start, which is a line start iff `after_lf`. `None`
/// when the terminating line is not there yet.
///
/// This is how a caller of the stateless [`response`] skips a body after an
/// error with [`until_body_end`](DecodeError::until_body_end) set: drop
/// `discard` bytes (and the rest of the line when `until_line_end` is set),
/// then `body_end` of what follows, with `after_lf` true when the last
/// dropped byte was LF.
///
/// ```
/// use mailwire_pop3::decode::body_end;
/// assert_eq!(body_end(b"a\r\n..\r\n.\r\n+OK\r\n", true), Some(10));
/// assert_eq!(body_end(b"a\r\n..\r\n", true), None);
/// ```
pub fn body_end(input: &[u8], after_lf: bool) -> Option<usize> {
    frame::body_end(input, after_lf)
}

/// Decodes one response from the start of `input`, read as `expect` says.
///
/// For a multi-line response the whole body must be in `input`; until its
/// terminating line has arrived the answer is [`Decoded::Incomplete`] (but
/// a limit that is passed is reported at once). Message content is
/// dot-unstuffed into one [`Bytes`]; the streaming [`ResponseDecoder`]
/// hands it out in chunks instead.
///
/// Limits: [`Limits::response_line`] for the first line and listing lines
/// ([`Limits::sasl_line`] under [`Expect::Auth`]),
/// [`Limits::listing_entries`] and [`Limits::message_size`].
///
/// ```
/// use mailwire_pop3::decode::{self, Expect};
/// use mailwire_pop3::types::{Body, Reply};
/// use mailwire_pop3::Limits;
///
/// let input = b"+OK 120 octets\r\nSubject: hi\r\n\r\n..dots\r\n.\r\n";
/// let (reply, used) = decode::response(input, Expect::Message, &Limits::default())?
///     .complete()
///     .expect("the whole response is there");
/// assert_eq!(used, input.len());
/// let Reply::Multi(multi) = reply else { panic!("a multi-line response") };
/// assert_eq!(multi.response().text().as_bytes(), b"120 octets");
/// assert_eq!(multi.body(), &Body::Message("Subject: hi\r\n\r\n.dots\r\n".into()));
///
/// // The same bytes after `LIST 2` are a one-line response and more.
/// let (reply, used) = decode::response(b"+OK 2 200\r\n", Expect::Single, &Limits::default())?
///     .complete()
///     .unwrap();
/// let Reply::Single(r) = reply else { panic!() };
/// assert_eq!(r.scan_listing().map(|s| s.size), Some(200));
/// # Ok::<(), mailwire_pop3::decode::DecodeError>(())
/// ```
pub fn response<'a>(
    input: &'a [u8],
    expect: Expect,
    limits: &Limits,
) -> Result<Decoded<Reply<'a>>, DecodeError> {
    let limit = expect.line_limit(limits);
    let (end, content_end) = match frame::line(input, 0, limit) {
        Line::Partial => return Ok(Decoded::Incomplete),
        Line::TooLong => {
            return Err(first_line_too_long(
                0,
                limit,
                input.get(..limit).unwrap_or(input),
                expect,
            ));
        }
        Line::Complete { end, content_end } => (end, content_end),
    };
    let line = input.get(..content_end).unwrap_or_default();
    let first = first_line(line, expect).map_err(|e| first_line_error(e, 0, end, line, expect))?;
    let reply = match first {
        First::Greeting(g) => Reply::Greeting(g),
        First::Response(r) => Reply::Single(r),
        First::Challenge(c) => Reply::Challenge(c),
        First::Begin(response) => {
            let decoded = match expect.listing() {
                Some(kind) => listing(input, end, kind, limits)?,
                None => message(input, end, limits)?,
            };
            let Some((body, end)) = decoded else {
                return Ok(Decoded::Incomplete);
            };
            // A `Begin` line is always `+OK`.
            let multi = MultiLine::new(response, body)
                .map_err(|_| DecodeError::new(0, DecodeErrorKind::InvalidStatus, end))?;
            return Ok(Decoded::Complete {
                value: Reply::Multi(multi),
                consumed: end,
            });
        }
    };
    Ok(Decoded::Complete {
        value: reply,
        consumed: end,
    })
}

/// The listing lines from `start` to the terminating line (RFC 1939 §3:
/// "each line is byte-stuffed"; blank lines are skipped).
fn listing<'a>(
    input: &'a [u8],
    mut pos: usize,
    kind: Listing,
    limits: &Limits,
) -> Result<Option<(Body<'a>, usize)>, DecodeError> {
    let mut body = kind.empty();
    let mut count = 0usize;
    loop {
        let (end, content_end) = match frame::line(input, pos, limits.response_line) {
            Line::Partial => return Ok(None),
            Line::TooLong => {
                return Err(DecodeError {
                    until_line_end: true,
                    ..body_error(
                        DecodeErrorKind::LineTooLong {
                            limit: limits.response_line,
                        },
                        pos,
                        0,
                        pos + limits.response_line,
                    )
                });
            }
            Line::Complete { end, content_end } => (end, content_end),
        };
        let line = input.get(pos..content_end).unwrap_or_default();
        match listing_line(line, kind, &mut count, limits) {
            Ok(ListingLine::End) => return Ok(Some((body, end))),
            Ok(ListingLine::Blank) => {}
            Ok(ListingLine::Entry(entry)) => body.push(entry),
            Err((at, kind)) => return Err(body_error(kind, pos + at, 0, end)),
        }
        pos = end;
    }
}

/// What one line of a listing is.
enum ListingLine<'a> {
    End,
    Blank,
    Entry(Entry<'a>),
}

/// Reads one listing line (without its line end): the terminating `.`, a
/// blank line, or an entry after dot-unstuffing, counted against the limit.
fn listing_line<'a>(
    line: &'a [u8],
    kind: Listing,
    count: &mut usize,
    limits: &Limits,
) -> Result<ListingLine<'a>, LineError> {
    if line == b"." {
        return Ok(ListingLine::End);
    }
    let (skip, unstuffed) = match line.strip_prefix(b".") {
        Some(rest) => (1, rest),
        None => (0, line),
    };
    if unstuffed.is_empty() {
        return Ok(ListingLine::Blank);
    }
    *count += 1;
    if *count > limits.listing_entries {
        return Err((
            0,
            DecodeErrorKind::TooManyEntries {
                limit: limits.listing_entries,
            },
        ));
    }
    kind.entry(unstuffed)
        .map(ListingLine::Entry)
        .map_err(|(at, k)| (at + skip, k))
}

/// The message content from `start` to the terminating line, dot-unstuffed.
fn message(
    input: &[u8],
    mut pos: usize,
    limits: &Limits,
) -> Result<Option<(Body<'static>, usize)>, DecodeError> {
    let mut out = Vec::new();
    let mut at_line_start = true;
    loop {
        match frame::body_step(input.get(pos..).unwrap_or_default(), at_line_start) {
            BodyStep::NeedMore => return Ok(None),
            BodyStep::End { len } => return Ok(Some((Body::Message(out.into()), pos + len))),
            BodyStep::StripDot => {
                pos += 1;
                at_line_start = false;
            }
            BodyStep::Data { len, ends_line } => {
                let room = limits.message_size.saturating_sub(out.len());
                if len > room {
                    let over = pos + room;
                    return Err(body_error(
                        DecodeErrorKind::MessageTooLarge {
                            limit: limits.message_size,
                        },
                        over,
                        0,
                        over,
                    ));
                }
                out.extend_from_slice(input.get(pos..pos + len).unwrap_or_default());
                pos += len;
                at_line_start = ends_line;
            }
        }
    }
}

/// One piece of the server's byte stream, decoded by the
/// [`ResponseDecoder`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The greeting.
    Greeting(Greeting<'static>),
    /// A whole one-line response: to a one-line command, or the `-ERR` to
    /// a command whose success would have been multi-line.
    Response(Response<'static>),
    /// A SASL challenge; the reply to `AUTH` goes on.
    Challenge(Challenge<'static>),
    /// The `+OK` line of a multi-line response: its lines follow, then
    /// [`Event::End`].
    Begin {
        /// The `+OK` line.
        response: Response<'static>,
        /// The expectation it answers, which says what the lines are.
        expect: Expect,
    },
    /// A line of the reply to `CAPA`.
    Capability(Capability<'static>),
    /// A line of the reply to `LIST`.
    Scan(ScanListing),
    /// A line of the reply to `UIDL`.
    UniqueId(UniqueIdListing<'static>),
    /// A line of the reply to `LANG`.
    Language(Language<'static>),
    /// A line of the reply to `AUTH` without an argument.
    Mechanism(Mechanism<'static>),
    /// The next octets of a message (`RETR`, `TOP`), dot-unstuffed. The
    /// octets are shared with the decoder's buffer, not copied.
    Chunk(Bytes),
    /// The terminating line of a multi-line response.
    End,
}

/// Where the decoder is in the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Waiting for the first line of a response.
    First,
    /// Dropping the rest of an over-long line, then the body if `then_body`.
    SkipLine { then_body: bool },
    /// Inside a listing, `count` lines read.
    Listing { kind: Listing, count: usize },
    /// Inside a message, `size` octets handed out.
    Message { at_line_start: bool, size: usize },
    /// Dropping the rest of a multi-line body after an error.
    SkipBody { at_line_start: bool },
}

/// Decodes the responses in a server's byte stream that arrives in chunks of
/// any size, each in the context of the command it answers.
///
/// Tell it each command as it is sent ([`sent`](Self::sent), or
/// [`expect`](Self::expect)); with pipelining (RFC 2449 §6.6) several may
/// be outstanding, and responses are matched to them in order. A new
/// decoder waits for the greeting first ([`new`](Self::new)), unless made
/// with [`without_greeting`](Self::without_greeting).
///
/// Message content is never accumulated: it is handed out as
/// [`Event::Chunk`]s that share the decoder's buffer (zero-copy), split
/// only where a stuffed `.` is removed, so memory stays bounded by what one
/// push brought. The search for line starts with `.` runs at memory speed
/// (`memchr::memmem`), and every byte is scanned once whatever the
/// chunking.
///
/// Errors carry offsets from the start of the stream; `discard` counts from
/// the start of the response. After an error the response is over: the
/// decoder drops its remaining bytes itself (the rest of an over-long line,
/// the rest of a multi-line body), so it stays in step with the commands,
/// and the results are the same however the input is split. A message over
/// [`Limits::message_size`] is handed out up to the limit, then reported.
///
/// ```
/// use mailwire_pop3::decode::{Event, Expect, ResponseDecoder};
/// use mailwire_pop3::types::{Command, MessageNumber};
/// use mailwire_pop3::Limits;
///
/// let mut decoder = ResponseDecoder::new(Limits::default());
/// decoder.sent(&Command::Retr(MessageNumber::new(1).unwrap()));
/// decoder.sent(&Command::Quit);
/// decoder.push(b"+OK POP3 server ready\r\n+OK 11 octets\r\n..a\r\nb\r\n");
/// decoder.push(b".\r\n+OK bye\r\n");
///
/// let mut body = Vec::new();
/// let mut events = Vec::new();
/// while let Some(event) = decoder.next_event() {
///     match event? {
///         Event::Chunk(bytes) => body.extend_from_slice(&bytes),
///         other => events.push(other),
///     }
/// }
/// assert_eq!(body, b".a\r\nb\r\n");
/// assert!(matches!(events[0], Event::Greeting(_)));
/// assert!(matches!(events[1], Event::Begin { expect: Expect::Message, .. }));
/// assert_eq!(events[2], Event::End);
/// assert!(matches!(&events[3], Event::Response(r) if r.text().as_bytes() == b"bye"));
/// # Ok::<(), mailwire_pop3::decode::DecodeError>(())
/// ```
#[derive(Debug)]
pub struct ResponseDecoder {
    limits: Limits,
    buf: BytesMut,
    /// Stream offset of `buf[0]`.
    base: usize,
    /// Bytes at the start of `buf` (the line being received) that hold no
    /// LF: where the search for the line's end resumes.
    scanned: usize,
    /// Stream offset of the start of the response being decoded.
    start: usize,
    mode: Mode,
    /// The responses still to come, oldest first.
    expects: VecDeque<Expect>,
}

impl ResponseDecoder {
    /// A decoder enforcing `limits`, waiting for the greeting.
    pub fn new(limits: Limits) -> Self {
        let mut decoder = Self::without_greeting(limits);
        decoder.expects.push_back(Expect::Greeting);
        decoder
    }

    /// A decoder enforcing `limits` that waits for nothing until told (for
    /// a connection whose greeting was read already, such as after `STLS`).
    pub fn without_greeting(limits: Limits) -> Self {
        Self {
            limits,
            buf: BytesMut::new(),
            base: 0,
            scanned: 0,
            start: 0,
            mode: Mode::First,
            expects: VecDeque::new(),
        }
    }

    /// Records that `command` was sent: its response is read as
    /// [`Expect::for_command`] says, after those of earlier commands.
    pub fn sent(&mut self, command: &Command<'_>) {
        self.expect(Expect::for_command(command));
    }

    /// Records that a response read as `expect` is to come, after those
    /// already expected.
    pub fn expect(&mut self, expect: Expect) {
        self.expects.push_back(expect);
    }

    /// The responses still to come (the one being decoded included, until
    /// its first line has been read), oldest first.
    pub fn pending(&self) -> impl ExactSizeIterator<Item = Expect> + '_ {
        self.expects.iter().copied()
    }

    /// True while the decoder is inside a multi-line response.
    pub fn in_body(&self) -> bool {
        !matches!(self.mode, Mode::First | Mode::SkipLine { then_body: false })
    }

    /// Appends bytes received from the server.
    pub fn push(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// Stream offset of the first byte not yet decoded.
    pub fn offset(&self) -> usize {
        self.base
    }

    /// Bytes received but not yet decoded.
    pub fn buffered(&self) -> &[u8] {
        &self.buf
    }

    /// Takes the bytes not yet decoded, leaving the decoder empty: used
    /// when the connection changes (after `+OK` to `STLS`, or when a SASL
    /// security layer starts). Those bytes must not be read as if they had
    /// come over the new layer.
    pub fn take_buffered(&mut self) -> BytesMut {
        self.base += self.buf.len();
        self.scanned = 0;
        self.mode = Mode::First;
        self.buf.split()
    }

    fn consume(&mut self, n: usize) {
        let n = n.min(self.buf.len());
        self.buf.advance(n);
        self.base += n;
        self.scanned = 0;
    }

    /// The next event, `None` when more bytes are needed, or an error after
    /// which decoding resumes with the next response.
    pub fn next_event(&mut self) -> Option<Result<Event, DecodeError>> {
        loop {
            match self.mode {
                Mode::First => return self.first(),
                Mode::SkipLine { then_body } => {
                    let end = frame::past_lf(&self.buf, 0);
                    self.consume(end.unwrap_or(self.buf.len()));
                    end?;
                    self.mode = if then_body {
                        Mode::SkipBody {
                            at_line_start: true,
                        }
                    } else {
                        Mode::First
                    };
                }
                Mode::SkipBody { at_line_start } => {
                    match frame::body_step(&self.buf, at_line_start) {
                        BodyStep::NeedMore => return None,
                        BodyStep::Data { len, ends_line } => {
                            self.consume(len);
                            self.mode = Mode::SkipBody {
                                at_line_start: ends_line,
                            };
                        }
                        BodyStep::StripDot => {
                            self.consume(1);
                            self.mode = Mode::SkipBody {
                                at_line_start: false,
                            };
                        }
                        BodyStep::End { len } => {
                            self.consume(len);
                            self.mode = Mode::First;
                        }
                    }
                }
                Mode::Listing { kind, count } => return self.listing_line(kind, count),
                Mode::Message {
                    at_line_start,
                    size,
                } => return self.message(at_line_start, size),
            }
        }
    }

    /// The first line of a response.
    fn first(&mut self) -> Option<Result<Event, DecodeError>> {
        let expect = self.expects.front().copied();
        let read_as = expect.unwrap_or(Expect::Single);
        let limit = read_as.line_limit(&self.limits);
        self.start = self.base;
        match frame::line_from(&self.buf, 0, self.scanned, limit) {
            Line::Partial => {
                self.scanned = frame::searched(&self.buf, 0, limit);
                None
            }
            Line::TooLong => {
                let prefix = self.buf.get(..limit).unwrap_or_default();
                let err = first_line_too_long(self.base, limit, prefix, read_as);
                // An over-long line that starts like a challenge leaves the
                // exchange going on.
                if !(read_as == Expect::Auth && prefix.starts_with(b"+ ")) {
                    self.expects.pop_front();
                }
                self.consume(limit);
                self.mode = Mode::SkipLine {
                    then_body: err.until_body_end,
                };
                Some(Err(err))
            }
            Line::Complete { end, content_end } => {
                let line = self.buf.get(..content_end).unwrap_or_default();
                let base = self.base;
                let first = match expect {
                    None => Err((0, DecodeErrorKind::Unsolicited)),
                    Some(e) => first_line(line, e),
                };
                let result = match first {
                    Err(e) => {
                        if !(read_as == Expect::Auth && challenge_line(line).is_some()) {
                            self.expects.pop_front();
                        }
                        let err = first_line_error(e, base, end, line, read_as);
                        if err.until_body_end {
                            self.mode = Mode::SkipBody {
                                at_line_start: true,
                            };
                        }
                        Err(err)
                    }
                    Ok(First::Challenge(c)) => Ok(Event::Challenge(c.into_owned())),
                    Ok(First::Greeting(g)) => {
                        self.expects.pop_front();
                        Ok(Event::Greeting(g.into_owned()))
                    }
                    Ok(First::Response(r)) => {
                        self.expects.pop_front();
                        Ok(Event::Response(r.into_owned()))
                    }
                    Ok(First::Begin(r)) => {
                        self.expects.pop_front();
                        self.mode = match read_as.listing() {
                            Some(kind) => Mode::Listing { kind, count: 0 },
                            None => Mode::Message {
                                at_line_start: true,
                                size: 0,
                            },
                        };
                        Ok(Event::Begin {
                            response: r.into_owned(),
                            expect: read_as,
                        })
                    }
                };
                self.consume(end);
                Some(result)
            }
        }
    }

    /// The next line of a listing.
    fn listing_line(
        &mut self,
        kind: Listing,
        mut count: usize,
    ) -> Option<Result<Event, DecodeError>> {
        let limit = self.limits.response_line;
        loop {
            match frame::line_from(&self.buf, 0, self.scanned, limit) {
                Line::Partial => {
                    self.scanned = frame::searched(&self.buf, 0, limit);
                    return None;
                }
                Line::TooLong => {
                    let err = DecodeError {
                        until_line_end: true,
                        ..body_error(
                            DecodeErrorKind::LineTooLong { limit },
                            self.base,
                            self.start,
                            self.base + limit,
                        )
                    };
                    self.consume(limit);
                    self.mode = Mode::SkipLine { then_body: true };
                    return Some(Err(err));
                }
                Line::Complete { end, content_end } => {
                    let line = self.buf.get(..content_end).unwrap_or_default();
                    let result = listing_line(line, kind, &mut count, &self.limits);
                    let event = match result {
                        Ok(ListingLine::Blank) => {
                            self.mode = Mode::Listing { kind, count };
                            None
                        }
                        Ok(ListingLine::End) => {
                            self.mode = Mode::First;
                            Some(Ok(Event::End))
                        }
                        Ok(ListingLine::Entry(entry)) => {
                            self.mode = Mode::Listing { kind, count };
                            Some(Ok(match entry {
                                Entry::Capability(c) => Event::Capability(c.into_owned()),
                                Entry::Scan(s) => Event::Scan(s),
                                Entry::UniqueId(u) => Event::UniqueId(u.into_owned()),
                                Entry::Language(l) => Event::Language(l.into_owned()),
                                Entry::Mechanism(m) => Event::Mechanism(m.into_owned()),
                            }))
                        }
                        Err((at, k)) => {
                            self.mode = Mode::SkipBody {
                                at_line_start: true,
                            };
                            Some(Err(body_error(
                                k,
                                self.base + at,
                                self.start,
                                self.base + end,
                            )))
                        }
                    };
                    self.consume(end);
                    if event.is_some() {
                        return event;
                    }
                }
            }
        }
    }

    /// The next piece of a message, `None` when more bytes are needed.
    fn message(
        &mut self,
        mut at_line_start: bool,
        size: usize,
    ) -> Option<Result<Event, DecodeError>> {
        let mut step = frame::body_step(&self.buf, at_line_start);
        if step == BodyStep::StripDot {
            self.consume(1);
            at_line_start = false;
            self.mode = Mode::Message {
                at_line_start,
                size,
            };
            step = frame::body_step(&self.buf, at_line_start);
        }
        match step {
            BodyStep::NeedMore | BodyStep::StripDot => None,
            BodyStep::End { len } => {
                self.consume(len);
                self.mode = Mode::First;
                Some(Ok(Event::End))
            }
            BodyStep::Data { len, ends_line } => {
                let room = self.limits.message_size.saturating_sub(size);
                if room == 0 {
                    let err = body_error(
                        DecodeErrorKind::MessageTooLarge {
                            limit: self.limits.message_size,
                        },
                        self.base,
                        self.start,
                        self.base,
                    );
                    self.mode = Mode::SkipBody { at_line_start };
                    return Some(Err(err));
                }
                let (len, ends_line) = if len > room {
                    let cut = self.buf.get(..room).unwrap_or_default();
                    (room, cut.last() == Some(&b'\n'))
                } else {
                    (len, ends_line)
                };
                let chunk = self.buf.split_to(len).freeze();
                self.base += len;
                self.scanned = 0;
                self.mode = Mode::Message {
                    at_line_start: ends_line,
                    size: size + len,
                };
                Some(Ok(Event::Chunk(chunk)))
            }
        }
    }
}

#[cfg(test)]
mod tests;
