//! Decoding: bytes in, values out.
//!
//! Every decoder answers one of three things:
//!
//! - [`Decoded::Complete`]: a value and how many input bytes it used;
//! - [`Decoded::Incomplete`]: the input ends inside a value; call again with
//!   more bytes (this is never an error);
//! - a [`DecodeError`] saying where (byte offset), what, and how many bytes to
//!   [`discard`](DecodeError::discard) to resynchronise, so a server can
//!   answer `-ERR` and go on.
//!
//! The functions ([`command`], [`sasl_response`], [`response`]) are
//! stateless and suit input that is already framed. For a byte stream read
//! in chunks, the streaming decoders ([`CommandDecoder`] for what a client
//! sends, [`ResponseDecoder`] for what a server sends) remember how far they
//! have scanned, so the total cost is linear in the input however it is
//! split.
//!
//! POP3's syntax alone does not say whether a response has more lines:
//! `+OK 2 200` answers `LIST 2` in one line, `+OK 2 messages` answers
//! `LIST` and a listing follows. Responses are therefore decoded in the
//! context of the command that was sent, an [`Expect`].
//!
//! Lines are framed first, against the [`Limits`], before any grammar runs.
//! Lines may end in CRLF, as RFC 1939 §3 says, or, tolerantly, in a bare LF.
//! Keywords are matched without regard to case (RFC 1939 §3).
//!
//! A command the crate does not know is not an error: it decodes as
//! [`Command::Unknown`], so the application decides how to answer it.

use bytes::{Buf, BytesMut};

mod response;

pub use response::{Event, Expect, ResponseDecoder, body_end, response};

use crate::Limits;
use crate::frame::{self, Line};
use crate::types::{
    Argument, Command, CommandKind, Digest, Keyword, LanguageRange, Mechanism, MessageNumber,
    Password, SaslData, SaslResponse, ValueError,
};

pub use mailwire_core::Decoded;

/// Input that does not decode: where, what, and how to resynchronise.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at byte {offset}")]
#[non_exhaustive]
pub struct DecodeError {
    /// Offset of the offending byte (from the start of the input given to a
    /// function, or of the whole stream for a streaming decoder). For a line
    /// that is too long, the offset of the line's start.
    pub offset: usize,
    /// What is wrong.
    pub kind: DecodeErrorKind,
    /// Bytes to drop from the start of the bad line (the start of the input
    /// given to a function) to get past it; for a server's response, from
    /// the start of the response (which, in a multi-line response, may be
    /// lines before the bad one). For a line that is too long, up to the
    /// limit past the line's start: the line's end may not have arrived
    /// yet.
    pub discard: usize,
    /// When true (a line that is too long), after dropping `discard` bytes
    /// also drop everything up to and including the next LF, which may
    /// still be to come. The streaming decoder does this itself.
    pub until_line_end: bool,
    /// When true (an error in a multi-line response once its `+OK` line has
    /// been seen), after dropping `discard` bytes (and the line end, when
    /// `until_line_end` is set) also drop the rest of the multi-line body,
    /// through its terminating `.` line; [`body_end`] finds it. The
    /// streaming decoder does this itself.
    pub until_body_end: bool,
}

/// What was wrong with the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// A line longer than the limit (its terminator included).
    #[error("line longer than {limit} octets")]
    LineTooLong {
        /// The limit that was exceeded.
        limit: usize,
    },
    /// A keyword or argument longer than the limit.
    #[error("keyword or argument longer than {limit} octets")]
    ArgumentTooLong {
        /// The limit that was exceeded.
        limit: usize,
    },
    /// A CR that is not part of the line's CRLF.
    #[error("bare CR inside a line")]
    BareCr,
    /// A NUL octet inside a line.
    #[error("NUL inside a line")]
    Nul,
    /// The line does not start with a keyword (it is empty or starts with
    /// SP).
    #[error("expected a command keyword")]
    MissingKeyword,
    /// The command needs an argument that is not there.
    #[error("missing argument")]
    MissingArgument,
    /// Two SPs in a row, or an SP at the end of the line.
    #[error("empty argument")]
    EmptyArgument,
    /// More arguments than the command takes.
    #[error("too many arguments")]
    TooManyArguments,
    /// An argument that should be a decimal number has another character.
    #[error("expected a decimal number")]
    InvalidNumber,
    /// A number too large, or a message number of zero.
    #[error("number out of range")]
    NumberOutOfRange,
    /// The digest of `APOP` is not 32 hexadecimal digits.
    #[error("expected 32 hexadecimal digits")]
    InvalidDigest,
    /// The mechanism of `AUTH` is not a SASL mechanism name.
    #[error("invalid SASL mechanism name")]
    InvalidMechanism,
    /// SASL data that is not valid Base64.
    #[error("invalid Base64")]
    InvalidBase64,
    /// A response that does not start with `+OK` or `-ERR` (or, where a
    /// SASL challenge may come, `+ `), each followed by SP or the line's
    /// end.
    #[error("expected +OK or -ERR")]
    InvalidStatus,
    /// A line of a `LIST` listing that is not `msg SP size`.
    #[error("invalid scan listing")]
    InvalidScanListing,
    /// A line of a `UIDL` listing that is not `msg SP unique-id`.
    #[error("invalid unique-id listing")]
    InvalidUniqueIdListing,
    /// A line of a `CAPA` listing that is not `capa-tag *(SP param)`.
    #[error("invalid capability")]
    InvalidCapability,
    /// A line of a `LANG` listing that is not `tag [SP description]`.
    #[error("invalid language listing")]
    InvalidLanguage,
    /// A message (after dot-unstuffing) larger than the limit.
    #[error("message larger than {limit} octets")]
    MessageTooLarge {
        /// The limit that was exceeded.
        limit: usize,
    },
    /// A listing with more lines than the limit.
    #[error("more than {limit} listing lines")]
    TooManyEntries {
        /// The limit that was exceeded.
        limit: usize,
    },
    /// A response when no command was waiting for one.
    #[error("response without a command")]
    Unsolicited,
}

impl DecodeError {
    fn new(offset: usize, kind: DecodeErrorKind, discard: usize) -> Self {
        Self {
            offset,
            kind,
            discard,
            until_line_end: false,
            until_body_end: false,
        }
    }
}

/// A grammar error inside one line: offset from the line's start, and what.
type LineError = (usize, DecodeErrorKind);

/// Refuses a CR or NUL inside a line's content (the CR of its CRLF is not
/// part of the content). RFC 1939 §3: keywords and arguments are printable
/// characters; RFC 6856 lets UTF-8 in, but never these.
fn check_octets(line: &[u8]) -> Result<(), LineError> {
    match memchr::memchr2(b'\r', 0, line) {
        None => Ok(()),
        Some(i) if line.get(i) == Some(&b'\r') => Err((i, DecodeErrorKind::BareCr)),
        Some(i) => Err((i, DecodeErrorKind::Nul)),
    }
}

/// The parameters after a keyword, split at single SPs
/// (RFC 2449 §3: `*(SP param)`, `param = 1*VCHAR`).
struct Params<'a> {
    line: &'a [u8],
    /// Offset of the next parameter (just past its SP), if there is one.
    next: Option<usize>,
}

impl<'a> Params<'a> {
    /// The next parameter and its offset, whatever its length.
    fn next_any(&mut self) -> Result<Option<(usize, &'a [u8])>, LineError> {
        let Some(start) = self.next else {
            return Ok(None);
        };
        let rest = self.line.get(start..).unwrap_or_default();
        let len = memchr::memchr(b' ', rest).unwrap_or(rest.len());
        self.next = (len < rest.len()).then_some(start + len + 1);
        match rest.get(..len) {
            Some(word) if !word.is_empty() => Ok(Some((start, word))),
            _ => Err((start, DecodeErrorKind::EmptyArgument)),
        }
    }

    /// The next parameter, at most `limit` octets long.
    fn next(&mut self, limit: usize) -> Result<Option<(usize, &'a [u8])>, LineError> {
        match self.next_any()? {
            Some((at, word)) if word.len() > limit => {
                Err((at, DecodeErrorKind::ArgumentTooLong { limit }))
            }
            other => Ok(other),
        }
    }

    /// A parameter the command needs.
    fn required(&mut self, limit: usize) -> Result<(usize, &'a [u8]), LineError> {
        self.next(limit)?
            .ok_or((self.line.len(), DecodeErrorKind::MissingArgument))
    }

    /// The end of the parameters.
    fn end(&mut self) -> Result<(), LineError> {
        match self.next_any()? {
            None => Ok(()),
            Some((at, _)) => Err((at, DecodeErrorKind::TooManyArguments)),
        }
    }
}

/// `1*DIGIT` as a `u32` (RFC 1939 §3: numbers are in base-10).
fn number(at: usize, word: &[u8]) -> Result<u32, LineError> {
    word.iter().enumerate().try_fold(0u32, |n, (i, &d)| {
        if !d.is_ascii_digit() {
            return Err((at + i, DecodeErrorKind::InvalidNumber));
        }
        n.checked_mul(10)
            .and_then(|n| n.checked_add(u32::from(d - b'0')))
            .ok_or((at, DecodeErrorKind::NumberOutOfRange))
    })
}

/// `msg`, a message-number (RFC 1939 §4: decimal, starting at 1).
fn message_number(at: usize, word: &[u8]) -> Result<MessageNumber, LineError> {
    MessageNumber::new(number(at, word)?).ok_or((at, DecodeErrorKind::NumberOutOfRange))
}

/// A value refused by a constructor, as an error at `at` inside the line.
fn refused(at: usize, kind: DecodeErrorKind) -> impl Fn(ValueError) -> LineError {
    move |e| match e {
        ValueError::ForbiddenByte { offset, .. } | ValueError::Syntax { offset, .. } => {
            (at + offset, kind.clone())
        }
        _ => (at, kind.clone()),
    }
}

/// One command line, without its CRLF:
///
/// ```text
/// command = keyword *(SP param) CRLF    ;255 octets maximum
/// keyword = 3*4VCHAR
/// param   = 1*VCHAR
/// ```
///
/// (RFC 2449 §3), with each command's arguments as RFC 1939 §4–§7,
/// RFC 2449 §5, RFC 2595 §4, RFC 5034 §4 and RFC 6856 §2.1, §3 define them.
/// An unknown keyword of any length up to the argument limit gives
/// [`Command::Unknown`].
fn command_line<'a>(line: &'a [u8], limits: &Limits) -> Result<Command<'a>, LineError> {
    check_octets(line)?;
    let kw_len = memchr::memchr(b' ', line).unwrap_or(line.len());
    let keyword = line.get(..kw_len).unwrap_or_default();
    if keyword.is_empty() {
        return Err((0, DecodeErrorKind::MissingKeyword));
    }
    if keyword.len() > limits.argument {
        return Err((
            0,
            DecodeErrorKind::ArgumentTooLong {
                limit: limits.argument,
            },
        ));
    }
    let after = (kw_len < line.len()).then_some(kw_len + 1);
    let mut p = Params { line, next: after };
    let limit = limits.argument;
    let Some(kind) = CommandKind::from_keyword(keyword) else {
        return unknown(keyword, p, limit);
    };
    let cmd = match kind {
        CommandKind::User => {
            let (at, name) = p.required(limit)?;
            Command::User(Argument::new(name).map_err(refused(at, DecodeErrorKind::Nul))?)
        }
        CommandKind::Pass => return pass(line, after),
        CommandKind::Apop => apop(&mut p, limit)?,
        CommandKind::Auth => auth(&mut p, limit)?,
        CommandKind::Stat => Command::Stat,
        CommandKind::List => Command::List(optional_msg(&mut p, limit)?),
        CommandKind::Retr => {
            let (at, msg) = p.required(limit)?;
            Command::Retr(message_number(at, msg)?)
        }
        CommandKind::Dele => {
            let (at, msg) = p.required(limit)?;
            Command::Dele(message_number(at, msg)?)
        }
        CommandKind::Noop => Command::Noop,
        CommandKind::Rset => Command::Rset,
        CommandKind::Quit => Command::Quit,
        CommandKind::Top => {
            let (at, msg) = p.required(limit)?;
            let msg = message_number(at, msg)?;
            let (at, n) = p.required(limit)?;
            Command::Top {
                msg,
                lines: number(at, n)?,
            }
        }
        CommandKind::Uidl => Command::Uidl(optional_msg(&mut p, limit)?),
        CommandKind::Capa => Command::Capa,
        CommandKind::Stls => Command::Stls,
        CommandKind::Utf8 => Command::Utf8,
        CommandKind::Lang => Command::Lang(match p.next(limit)? {
            None => None,
            Some((at, range)) => {
                Some(LanguageRange::new(range).map_err(refused(at, DecodeErrorKind::Nul))?)
            }
        }),
        CommandKind::Unknown => return unknown(keyword, p, limit),
    };
    p.end()?;
    Ok(cmd)
}

/// `LIST [msg]`, `UIDL [msg]` (RFC 1939 §5, §7): an optional message number.
fn optional_msg(p: &mut Params<'_>, limit: usize) -> Result<Option<MessageNumber>, LineError> {
    p.next(limit)?
        .map(|(at, msg)| message_number(at, msg))
        .transpose()
}

/// `PASS string` (RFC 1939 §7): the rest of the line after `PASS` and one
/// SP, spaces included ("a POP3 server may treat spaces in the argument as
/// part of the password").
fn pass(line: &[u8], after: Option<usize>) -> Result<Command<'_>, LineError> {
    let at = after.ok_or((line.len(), DecodeErrorKind::MissingArgument))?;
    let secret = line.get(at..).unwrap_or_default();
    if secret.is_empty() {
        return Err((at, DecodeErrorKind::EmptyArgument));
    }
    Ok(Command::Pass(
        Password::new(secret).map_err(refused(at, DecodeErrorKind::Nul))?,
    ))
}

/// `APOP name digest` (RFC 1939 §7), the digest being 32 hexadecimal digits
/// ("sent in hexadecimal format, using lower-case ASCII characters"; read in
/// either case).
fn apop<'a>(p: &mut Params<'a>, limit: usize) -> Result<Command<'a>, LineError> {
    let (at, name) = p.required(limit)?;
    let name = Argument::new(name).map_err(refused(at, DecodeErrorKind::Nul))?;
    let (at, digest) = p.required(limit)?;
    let digest = Digest::from_hex(digest).map_err(refused(at, DecodeErrorKind::InvalidDigest))?;
    Ok(Command::Apop { name, digest })
}

/// `auth-command = "AUTH" SP sasl-mech [SP initial-response] ...` with
/// `initial-response = base64 / "="` (RFC 5034 §4), and `AUTH` alone, which
/// asks for the list of mechanisms. The initial response is bounded by the
/// line limit only (RFC 5034 §4: "the 255-octet limit on the length of a
/// single command ... still applies").
fn auth<'a>(p: &mut Params<'a>, limit: usize) -> Result<Command<'a>, LineError> {
    let Some((at, mechanism)) = p.next(limit)? else {
        return Ok(Command::AuthList);
    };
    let mechanism =
        Mechanism::new(mechanism).map_err(refused(at, DecodeErrorKind::InvalidMechanism))?;
    let initial_response = match p.next_any()? {
        None => None,
        Some((_, b"=")) => Some(SaslData::empty()),
        Some((at, data)) => {
            Some(SaslData::new(data).map_err(refused(at, DecodeErrorKind::InvalidBase64))?)
        }
    };
    Ok(Command::Auth {
        mechanism,
        initial_response,
    })
}

/// A keyword this crate does not know, with its parameters
/// (RFC 2449 §3: `keyword *(SP param)`).
fn unknown<'a>(
    keyword: &'a [u8],
    mut p: Params<'a>,
    limit: usize,
) -> Result<Command<'a>, LineError> {
    let name = Keyword::new(keyword).map_err(refused(0, DecodeErrorKind::MissingKeyword))?;
    let mut args = Vec::new();
    while let Some((at, arg)) = p.next(limit)? {
        args.push(Argument::new(arg).map_err(refused(at, DecodeErrorKind::Nul))?);
    }
    Ok(Command::Unknown { name, args })
}

/// One line of the client during a SASL exchange, without its CRLF:
/// `[base64]` or `cancel-response = "*"` (RFC 5034 §4).
fn sasl_line(line: &[u8]) -> Result<SaslResponse<'_>, LineError> {
    check_octets(line)?;
    if line == b"*" {
        return Ok(SaslResponse::Cancel);
    }
    SaslData::new(line)
        .map(SaslResponse::Data)
        .map_err(refused(0, DecodeErrorKind::InvalidBase64))
}

/// Frames the line at the start of `input` against `limit`, for the
/// stateless functions.
fn framed(input: &[u8], limit: usize) -> Result<Option<(usize, usize)>, DecodeError> {
    match frame::line(input, 0, limit) {
        Line::Partial => Ok(None),
        Line::Complete { end, content_end } => Ok(Some((end, content_end))),
        Line::TooLong => Err(too_long(0, limit)),
    }
}

/// The error for a line at stream offset `base` with no LF in its first
/// `limit` octets. It says to drop those octets and then skip to the line's
/// end, the same however much of the line was in the input.
fn too_long(base: usize, limit: usize) -> DecodeError {
    DecodeError {
        until_line_end: true,
        ..DecodeError::new(base, DecodeErrorKind::LineTooLong { limit }, limit)
    }
}

/// Decodes one command from the start of `input`.
///
/// ```
/// use mailwire_pop3::{decode, Limits, types::Command};
/// let input = b"RETR 1\r\nQUIT\r\n";
/// let (cmd, used) = decode::command(input, &Limits::default()).unwrap().complete().unwrap();
/// assert_eq!(used, 8);
/// assert!(matches!(cmd, Command::Retr(m) if m.get() == 1));
/// ```
pub fn command<'a>(input: &'a [u8], limits: &Limits) -> Result<Decoded<Command<'a>>, DecodeError> {
    let Some((end, content_end)) = framed(input, limits.command_line)? else {
        return Ok(Decoded::Incomplete);
    };
    let line = input.get(..content_end).unwrap_or_default();
    let value = command_line(line, limits).map_err(|(at, kind)| DecodeError::new(at, kind, end))?;
    Ok(Decoded::Complete {
        value,
        consumed: end,
    })
}

/// Decodes one line of the client's side of a SASL exchange (after `AUTH`,
/// RFC 5034 §4) from the start of `input`, bounded by
/// [`Limits::sasl_line`].
///
/// ```
/// use mailwire_pop3::{decode, Limits, types::SaslResponse};
/// let limits = Limits::default();
/// let (r, _) = decode::sasl_response(b"dGVzdA==\r\n", &limits).unwrap().complete().unwrap();
/// assert!(matches!(r, SaslResponse::Data(d) if d.decode() == b"test"));
/// let (r, _) = decode::sasl_response(b"*\r\n", &limits).unwrap().complete().unwrap();
/// assert_eq!(r, SaslResponse::Cancel);
/// ```
pub fn sasl_response<'a>(
    input: &'a [u8],
    limits: &Limits,
) -> Result<Decoded<SaslResponse<'a>>, DecodeError> {
    let Some((end, content_end)) = framed(input, limits.sasl_line)? else {
        return Ok(Decoded::Incomplete);
    };
    let line = input.get(..content_end).unwrap_or_default();
    let value = sasl_line(line).map_err(|(at, kind)| DecodeError::new(at, kind, end))?;
    Ok(Decoded::Complete {
        value,
        consumed: end,
    })
}

/// Decodes the commands in a client's byte stream that arrives in chunks of
/// any size.
///
/// Bytes are scanned once: the decoder remembers how far the line being
/// received has been searched for its end, so the total work is linear in
/// the stream whatever the chunking. A line over the limit is reported as
/// soon as the limit is passed, and the rest of it is skipped without being
/// buffered. Error offsets count from the start of the stream; `discard`
/// counts from the start of the bad line. The decoder drops those bytes
/// itself (and, when `until_line_end` is set, the rest of the line), so its
/// errors are the same, field for field, however the input is split.
///
/// During an `AUTH` exchange the client sends SASL lines, not commands: the
/// caller, who knows the exchange is under way, reads them with
/// [`next_sasl_response`](Self::next_sasl_response).
///
/// ```
/// use mailwire_pop3::{decode::CommandDecoder, types::Command, Limits};
/// let mut decoder = CommandDecoder::new(Limits::default());
/// decoder.push(b"USER mrose\r\nST");
/// assert!(matches!(decoder.next_command(), Some(Ok(Command::User(_)))));
/// assert!(decoder.next_command().is_none()); // waits for the rest
/// decoder.push(b"AT\r\n");
/// assert_eq!(decoder.next_command(), Some(Ok(Command::Stat)));
/// assert!(decoder.next_command().is_none());
/// ```
#[derive(Debug)]
pub struct CommandDecoder {
    limits: Limits,
    buf: BytesMut,
    /// Stream offset of `buf[0]`.
    base: usize,
    /// Bytes at the start of `buf` (the line being received) that hold no
    /// LF: where the search for the line's end resumes.
    scanned: usize,
    /// Dropping input up to the next LF after an over-long line.
    skipping: bool,
}

impl CommandDecoder {
    /// A decoder enforcing `limits`.
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            buf: BytesMut::new(),
            base: 0,
            scanned: 0,
            skipping: false,
        }
    }

    /// Appends bytes received from the client.
    pub fn push(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
        if self.skipping {
            self.skip_line();
        }
    }

    /// Drops buffered input up to and including the next LF; while there is
    /// none, drops everything and keeps skipping, so an over-long line is
    /// never buffered.
    fn skip_line(&mut self) {
        match frame::past_lf(&self.buf, 0) {
            Some(end) => {
                self.skipping = false;
                self.consume(end);
            }
            None => {
                self.skipping = true;
                self.consume(self.buf.len());
            }
        }
    }

    /// Stream offset of the first byte not yet returned as part of a
    /// command: where the next command (or error) starts.
    pub fn offset(&self) -> usize {
        self.base
    }

    /// Bytes received but not yet returned as part of a command.
    pub fn buffered(&self) -> &[u8] {
        &self.buf
    }

    /// Takes the bytes not yet decoded, leaving the decoder empty. Used when
    /// the connection changes (`STLS`): those bytes must not be processed as
    /// if they had come over the new layer.
    pub fn take_buffered(&mut self) -> BytesMut {
        self.base += self.buf.len();
        self.scanned = 0;
        self.skipping = false;
        self.buf.split()
    }

    /// The next complete command, `None` when more bytes are needed, or an
    /// error after which decoding resumes past the bad line.
    pub fn next_command(&mut self) -> Option<Result<Command<'static>, DecodeError>> {
        let limits = self.limits;
        self.next_line(limits.command_line, |line| {
            command_line(line, &limits).map(Command::into_owned)
        })
    }

    /// The next line of a SASL exchange (RFC 5034 §4), bounded by
    /// [`Limits::sasl_line`]; `None` when more bytes are needed.
    pub fn next_sasl_response(&mut self) -> Option<Result<SaslResponse<'static>, DecodeError>> {
        self.next_line(self.limits.sasl_line, |line| {
            sasl_line(line).map(SaslResponse::into_owned)
        })
    }

    fn next_line<T>(
        &mut self,
        limit: usize,
        parse: impl FnOnce(&[u8]) -> Result<T, LineError>,
    ) -> Option<Result<T, DecodeError>> {
        match frame::line_from(&self.buf, 0, self.scanned, limit) {
            Line::Partial => {
                self.scanned = frame::searched(&self.buf, 0, limit);
                None
            }
            Line::TooLong => {
                let err = too_long(self.base, limit);
                self.consume(limit);
                self.skip_line();
                Some(Err(err))
            }
            Line::Complete { end, content_end } => {
                let line = self.buf.get(..content_end).unwrap_or_default();
                let result =
                    parse(line).map_err(|(at, kind)| DecodeError::new(self.base + at, kind, end));
                self.consume(end);
                Some(result)
            }
        }
    }

    fn consume(&mut self, n: usize) {
        let n = n.min(self.buf.len());
        self.buf.advance(n);
        self.base += n;
        self.scanned = 0;
    }
}

#[cfg(test)]
mod tests;
