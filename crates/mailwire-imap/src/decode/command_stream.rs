//! Client commands from a byte slice or a stream: framing first (with the
//! stops for synchronizing literals), then the grammar.

use bytes::{Buf, Bytes, BytesMut};

use super::command::{self as grammar};
use super::response::to_decode_error;
use super::stream::frame_error;
use super::{DecodeError, DecodeErrorKind, Decoded};
use crate::Limits;
use crate::frame::{self, CommandFramed, CommandFramer, FrameError, FrameErrorKind, Line, NonSync};
use crate::types::{AuthenticateData, ClientMessage, Command, Expect, LiteralMode};

/// The framer's rule for non-synchronizing literals under `mode`.
fn non_sync(mode: LiteralMode) -> NonSync {
    match mode {
        LiteralMode::Sync => NonSync::Refused,
        LiteralMode::Plus => NonSync::Any,
        LiteralMode::Minus => NonSync::UpTo(LiteralMode::MINUS_MAX),
    }
}

/// Decodes one client command from the start of `input` (RFC 9051 §6,
/// §9), literals included: `command = tag SP (command-any / command-auth /
/// command-nonauth / command-select) CRLF`.
///
/// The whole command must be in `input`: synchronizing literals are read
/// as if the server had sent its continuation, and non-synchronizing ones
/// of any size are accepted (the [`CommandDecoder`] reports the former and
/// enforces `LITERAL-`). The command is framed first, against the
/// [`Limits`]; values borrow from `input`.
///
/// A command the crate does not know is an error
/// ([`DecodeErrorKind::UnknownCommand`]) whose `discard` covers the whole
/// command, literals included.
///
/// ```
/// use mailwire_imap::{decode, Limits};
/// use mailwire_imap::types::CommandBody;
/// let input = b"A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n";
/// let (cmd, used) = decode::command(input, &Limits::default())?.complete().unwrap();
/// assert_eq!(used, input.len());
/// let CommandBody::Login { username, password } = cmd.body else { panic!() };
/// assert_eq!((&username[..], &password.expose()[..]), (&b"FRED FOOBAR"[..], &b"fat man"[..]));
/// # Ok::<(), decode::DecodeError>(())
/// ```
pub fn command<'a>(input: &'a [u8], limits: &Limits) -> Result<Decoded<Command<'a>>, DecodeError> {
    let mut framer = CommandFramer::new();
    loop {
        match framer.advance(input, limits, NonSync::Any, Expect::Command, true) {
            CommandFramed::Partial => return Ok(Decoded::Incomplete),
            CommandFramed::Continuation { .. } => {}
            CommandFramed::Error(e) => return Err(frame_error(input, e, limits)),
            CommandFramed::Complete { end, content_end } => {
                return match grammar::command(&input[..content_end], limits) {
                    Ok(value) => Ok(Decoded::Complete {
                        value,
                        consumed: end,
                    }),
                    Err(e) => Err(to_decode_error(e, end)),
                };
            }
        }
    }
}

/// Reads one line at the start of `input` with `parse`.
fn one_line<'a, T>(
    input: &'a [u8],
    limits: &Limits,
    parse: impl FnOnce(&'a [u8]) -> Result<T, super::response::PErr>,
) -> Result<Decoded<T>, DecodeError> {
    match frame::line(input, 0, limits.line_length) {
        Line::Partial => Ok(Decoded::Incomplete),
        Line::TooLong => Err(DecodeError::in_line(
            input,
            0,
            DecodeErrorKind::LineTooLong {
                limit: limits.line_length,
            },
        )),
        Line::Complete { end, content_end } => match parse(&input[..content_end]) {
            Ok(value) => Ok(Decoded::Complete {
                value,
                consumed: end,
            }),
            Err(e) => Err(to_decode_error(e, end)),
        },
    }
}

/// Decodes a client line during `AUTHENTICATE` (RFC 9051 §6.2.2, §9):
/// `base64 CRLF` (maybe empty), or `"*" CRLF` to cancel.
///
/// ```
/// use mailwire_imap::{decode, Limits};
/// use mailwire_imap::types::AuthenticateData;
/// let (d, _) = decode::authenticate_data(b"dGVzdA==\r\n", &Limits::default())?.complete().unwrap();
/// assert!(matches!(d, AuthenticateData::Response(r) if r.as_bytes() == b"dGVzdA=="));
/// let (d, _) = decode::authenticate_data(b"*\r\n", &Limits::default())?.complete().unwrap();
/// assert_eq!(d, AuthenticateData::Cancel);
/// # Ok::<(), decode::DecodeError>(())
/// ```
pub fn authenticate_data<'a>(
    input: &'a [u8],
    limits: &Limits,
) -> Result<Decoded<AuthenticateData<'a>>, DecodeError> {
    one_line(input, limits, grammar::authenticate_data)
}

/// Decodes the `DONE` line that ends `IDLE` (RFC 2177, RFC 9051 §6.3.13).
///
/// ```
/// use mailwire_imap::{decode, Limits};
/// assert!(decode::idle_done(b"DONE\r\n", &Limits::default())?.complete().is_some());
/// assert!(decode::idle_done(b"A1 NOOP\r\n", &Limits::default()).is_err());
/// # Ok::<(), decode::DecodeError>(())
/// ```
pub fn idle_done(input: &[u8], limits: &Limits) -> Result<Decoded<()>, DecodeError> {
    one_line(input, limits, grammar::done)
}

/// One complete client message cut from a stream by [`CommandDecoder`]:
/// its bytes (shared, never copied), where it started in the stream, and
/// what it was framed as. [`decode`](Self::decode) reads it; the values
/// borrow from the frame.
#[derive(Debug, Clone)]
pub struct CommandFrame {
    bytes: Bytes,
    content_end: usize,
    offset: usize,
    expect: Expect,
    limits: Limits,
}

impl CommandFrame {
    /// The message's bytes, literals and last CRLF included.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bytes as a shared buffer: slice literal data (an `APPEND`
    /// message) out of it with [`Bytes::slice_ref`] to keep it without
    /// copying.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// Offset of the message's first byte in the stream.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// What the message was framed as: the decoder's [`Expect`] when the
    /// message started.
    pub fn expect(&self) -> Expect {
        self.expect
    }

    /// Reads the message as a command, an `AUTHENTICATE` line or `DONE`,
    /// as [`expect`](Self::expect) says. Error offsets count from the
    /// start of the stream; the message's bytes have already left the
    /// decoder, so nothing more is to be discarded (`discard` is the
    /// message's length, for information).
    pub fn decode(&self) -> Result<ClientMessage<'_>, DecodeError> {
        let content = &self.bytes[..self.content_end];
        let result = match self.expect {
            Expect::Command => grammar::command(content, &self.limits).map(ClientMessage::Command),
            Expect::AuthenticateData => {
                grammar::authenticate_data(content).map(ClientMessage::AuthenticateData)
            }
            Expect::IdleDone => grammar::done(content).map(|()| ClientMessage::Done),
        };
        result.map_err(|e| {
            let mut err = to_decode_error(e, self.bytes.len());
            err.offset += self.offset;
            err
        })
    }

    /// Reads the message as a command, whatever it was framed as (a
    /// trace reader that guesses where an `AUTHENTICATE` exchange ends
    /// tries this on each line).
    pub fn decode_command(&self) -> Result<Command<'_>, DecodeError> {
        grammar::command(&self.bytes[..self.content_end], &self.limits).map_err(|e| {
            let mut err = to_decode_error(e, self.bytes.len());
            err.offset += self.offset;
            err
        })
    }
}

/// What [`CommandDecoder::next_frame`] found.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum CommandEvent {
    /// The client announced a synchronizing literal (`{n}`) and waits for
    /// a continuation request before it sends the octets (RFC 9051 §4.3,
    /// §7.5). Answer `+ …` and keep calling
    /// [`next_frame`](CommandDecoder::next_frame), or refuse it (`NO` /
    /// `BAD [TOOBIG]`) and call
    /// [`reject_literal`](CommandDecoder::reject_literal): the client then
    /// sends neither the literal nor the rest of the command.
    NeedsContinuation {
        /// The announced size.
        literal_len: u64,
        /// Stream offset of the announcement (`{`).
        offset: usize,
    },
    /// A complete message.
    Frame(CommandFrame),
}

/// What the decoder does with the bytes it is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Frame,
    /// Dropping everything up to the next LF, after an over-long line.
    SkipLine,
    /// Dropping the rest of a command already reported.
    Discard,
}

/// Decodes a client's byte stream (the server side of a connection):
/// commands with their literals, `AUTHENTICATE` lines, `DONE`, from chunks
/// of any size.
///
/// The framer remembers where it stopped, so the work is linear in the
/// stream whatever the chunking: each byte is scanned once for line ends
/// (once more for a line ending in `}`), literal bytes are counted. Each
/// synchronizing literal stops the decoder with
/// [`CommandEvent::NeedsContinuation`] before its octets, so the server
/// can send `+`; non-synchronizing literals go on at once when the
/// [`LiteralMode`] allows them (`LITERAL-`, the default as in IMAP4rev2,
/// allows up to 4096 octets) and are an error otherwise. Memory is never
/// reserved from an announced size: the buffer grows as octets arrive,
/// up to [`Limits::message_size`].
///
/// What a line is read as depends on the session: set
/// [`Expect::AuthenticateData`] after an `AUTHENTICATE` the server
/// answered with a challenge, [`Expect::IdleDone`] after `+ idling`, and
/// [`Expect::Command`] again when the exchange is over.
///
/// A command over a limit is reported once and then skipped without being
/// buffered. Error offsets count from the start of the stream.
///
/// ```
/// use mailwire_imap::decode::{CommandDecoder, CommandEvent};
/// use mailwire_imap::types::{ClientMessage, CommandBody};
/// use mailwire_imap::Limits;
///
/// let mut decoder = CommandDecoder::new(Limits::default());
/// decoder.push(b"A001 LOGIN {11}\r\n");
/// let Some(Ok(CommandEvent::NeedsContinuation { literal_len: 11, .. })) = decoder.next_frame() else { panic!() };
/// // The server sends "+ Ready", then the client goes on.
/// assert!(decoder.next_frame().is_none());
/// decoder.push(b"FRED FOOBAR {7+}\r\nfat man\r\n");
/// let Some(Ok(CommandEvent::Frame(frame))) = decoder.next_frame() else { panic!() };
/// let ClientMessage::Command(cmd) = frame.decode()? else { panic!() };
/// assert!(matches!(cmd.body, CommandBody::Login { .. }));
/// # Ok::<(), mailwire_imap::decode::DecodeError>(())
/// ```
#[derive(Debug)]
pub struct CommandDecoder {
    limits: Limits,
    literal_mode: LiteralMode,
    expect: Expect,
    buf: BytesMut,
    /// Stream offset of `buf[0]`.
    base: usize,
    framer: CommandFramer,
    mode: Mode,
    /// After a continuation was reported: where the announcing line ends.
    awaiting: Option<usize>,
}

impl CommandDecoder {
    /// A decoder enforcing `limits`, in `LITERAL-` mode, expecting a
    /// command.
    pub fn new(limits: Limits) -> Self {
        Self::with_offset(limits, 0)
    }

    /// A decoder for a stream of which `offset` bytes were already read,
    /// so that offsets count from the stream's start.
    pub fn with_offset(limits: Limits, offset: usize) -> Self {
        Self {
            limits,
            literal_mode: LiteralMode::Minus,
            expect: Expect::Command,
            buf: BytesMut::new(),
            base: offset,
            framer: CommandFramer::new(),
            mode: Mode::Frame,
            awaiting: None,
        }
    }

    /// Sets which non-synchronizing literals are accepted: what the server
    /// advertised (`LITERAL+`, `LITERAL-`, or neither).
    pub fn set_literal_mode(&mut self, mode: LiteralMode) {
        self.literal_mode = mode;
    }

    /// The literal mode in force.
    pub fn literal_mode(&self) -> LiteralMode {
        self.literal_mode
    }

    /// Sets what the next message is read as. It applies from the next
    /// message whose first line has not been framed yet.
    pub fn set_expect(&mut self, expect: Expect) {
        self.expect = expect;
    }

    /// What the next message is read as.
    pub fn expect(&self) -> Expect {
        self.expect
    }

    /// Appends bytes received from the client.
    pub fn push(&mut self, mut data: &[u8]) {
        if self.mode == Mode::SkipLine && self.buf.is_empty() {
            match memchr::memchr(b'\n', data) {
                Some(i) => {
                    self.mode = Mode::Frame;
                    self.base += i + 1;
                    data = &data[i + 1..];
                }
                None => {
                    self.base += data.len();
                    return;
                }
            }
        }
        self.buf.extend_from_slice(data);
    }

    /// Stream offset of the first byte not yet returned or skipped.
    pub fn offset(&self) -> usize {
        self.base
    }

    /// Bytes received but not yet returned as part of a message.
    pub fn buffered(&self) -> &[u8] {
        &self.buf
    }

    /// Refuses the synchronizing literal just reported by
    /// [`CommandEvent::NeedsContinuation`]: the command so far is dropped
    /// (the client sends neither the literal nor the rest of the command
    /// once it sees the server's tagged `NO` or `BAD`), and decoding goes
    /// on with the next command. Returns false when no continuation is
    /// pending.
    pub fn reject_literal(&mut self) -> bool {
        match self.awaiting.take() {
            Some(line_end) => {
                self.consume(line_end);
                self.framer = CommandFramer::new();
                true
            }
            None => false,
        }
    }

    /// The next event: a complete message, a synchronizing literal that
    /// waits for the server's continuation request, `None` when more bytes
    /// are needed, or an error after which decoding goes on with the next
    /// command.
    pub fn next_frame(&mut self) -> Option<Result<CommandEvent, DecodeError>> {
        self.awaiting = None;
        let non_sync = non_sync(self.literal_mode);
        loop {
            match self.mode {
                Mode::SkipLine => match memchr::memchr(b'\n', &self.buf) {
                    Some(i) => {
                        self.consume(i + 1);
                        self.mode = Mode::Frame;
                    }
                    None => {
                        self.consume(self.buf.len());
                        return None;
                    }
                },
                Mode::Discard => {
                    match self
                        .framer
                        .advance(&self.buf, &self.limits, non_sync, self.expect, false)
                    {
                        CommandFramed::Complete { end, .. } => {
                            self.consume(end);
                            self.framer = CommandFramer::new();
                            self.mode = Mode::Frame;
                        }
                        CommandFramed::Partial | CommandFramed::Continuation { .. } => {
                            let done = self.framer.framed();
                            self.framer.rebase(done);
                            self.consume(done);
                            return None;
                        }
                        CommandFramed::Error(e) => {
                            self.consume(e.offset);
                            self.framer = CommandFramer::new();
                            self.mode = Mode::SkipLine;
                        }
                    }
                }
                Mode::Frame => {
                    let expect = self.expect;
                    return match self.framer.advance(
                        &self.buf,
                        &self.limits,
                        non_sync,
                        expect,
                        true,
                    ) {
                        CommandFramed::Partial => None,
                        CommandFramed::Continuation {
                            size,
                            open,
                            line_end,
                        } => {
                            self.awaiting = Some(line_end);
                            Some(Ok(CommandEvent::NeedsContinuation {
                                literal_len: size,
                                offset: self.base + open,
                            }))
                        }
                        CommandFramed::Complete { end, content_end } => {
                            let bytes = self.buf.split_to(end).freeze();
                            let offset = self.base;
                            self.base += end;
                            self.framer = CommandFramer::new();
                            Some(Ok(CommandEvent::Frame(CommandFrame {
                                bytes,
                                content_end,
                                offset,
                                expect,
                                limits: self.limits,
                            })))
                        }
                        CommandFramed::Error(e) => Some(Err(self.resync(e))),
                    };
                }
            }
        }
    }

    /// Reports a framing error and sets up skipping what it covers.
    fn resync(&mut self, e: FrameError) -> DecodeError {
        let mut err = frame_error(&self.buf, e, &self.limits);
        err.offset += self.base;
        match e.kind {
            FrameErrorKind::LineTooLong => {
                err.discard = e.offset.saturating_add(self.limits.line_length);
                err.until_line_end = true;
                self.consume(e.offset);
                self.framer = CommandFramer::new();
                self.mode = Mode::SkipLine;
            }
            FrameErrorKind::Literal { size, line_end, .. }
            | FrameErrorKind::NonSyncLiteral { size, line_end, .. } => {
                self.consume(line_end);
                self.framer = CommandFramer::in_literal(size);
                self.mode = Mode::Discard;
            }
            FrameErrorKind::SyncLiteral { line_end, .. } => {
                self.consume(line_end);
                self.framer = CommandFramer::new();
            }
            FrameErrorKind::MessageTooLarge => {
                let done = self.framer.framed();
                err.discard = done;
                self.framer.rebase(done);
                self.consume(done);
                self.mode = Mode::Discard;
            }
        }
        err
    }

    fn consume(&mut self, n: usize) {
        let n = n.min(self.buf.len());
        self.buf.advance(n);
        self.base += n;
    }
}
