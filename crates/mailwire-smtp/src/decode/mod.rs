//! Decoding: bytes in, values out.
//!
//! Every decoder answers one of three things:
//!
//! - [`Decoded::Complete`]: a value and how many input bytes it used;
//! - [`Decoded::Incomplete`]: the input ends inside a value; call again with
//!   more bytes (this is never an error);
//! - a [`DecodeError`] saying where (byte offset), what, and how many bytes to
//!   [`discard`](DecodeError::discard) to resynchronise, so a peer can be
//!   answered and the connection kept.
//!
//! The functions ([`reply`], [`command`]) are stateless and suit input that
//! is already framed. For a byte stream read in chunks, the streaming
//! decoders ([`ReplyDecoder`], [`CommandDecoder`], [`DataDecoder`]) remember how far they have scanned, so the total cost
//! is linear in the input however it is split.
//!
//! Lines are framed first, against the [`Limits`], before any grammar runs.
//! Lines may end in CRLF or, tolerantly, a bare LF.

use bytes::{Buf, BytesMut};

use crate::Limits;
use crate::frame::{self, Line};
use crate::types::{Reply, ReplyCode, ReplyText};

mod command;
mod data;

pub use command::{CommandDecoder, DataChunk, command};
pub use data::{BdatChunk, DataDecoder, DataDefects, DataEnd, DataEvent, DataRefusal, DataStep};

pub use mailwire_core::Decoded;

/// Input that does not decode: where, what, and how to resynchronise.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at byte {offset}")]
#[non_exhaustive]
pub struct DecodeError {
    /// Offset of the offending byte (from the start of the input given to a
    /// function, or of the whole stream for a streaming decoder).
    pub offset: usize,
    /// What is wrong.
    pub kind: DecodeErrorKind,
    /// Bytes to drop from the start of the input to get past the bad value.
    pub discard: usize,
    /// When true, the bad line's end was not in the input: after dropping
    /// `discard` bytes, also drop everything up to and including the next LF.
    /// Streaming decoders do this themselves.
    pub until_line_end: bool,
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
    /// More lines in one reply than the limit.
    #[error("more than {limit} lines in one reply")]
    TooManyLines {
        /// The limit that was exceeded.
        limit: usize,
    },
    /// The line does not start with a valid three-digit reply code.
    #[error("expected a reply code (2xx-5xx)")]
    InvalidReplyCode,
    /// The code on a continuation line differs from the first line's.
    #[error("reply code {found} differs from {expected} on the first line")]
    CodeMismatch {
        /// The code on the first line.
        expected: ReplyCode,
        /// The code on this line.
        found: ReplyCode,
    },
    /// After the reply code comes SP, `-` or the end of the line.
    #[error("expected SP, '-' or end of line after the reply code")]
    InvalidSeparator,
    /// A CR that is not part of the line's CRLF.
    #[error("bare CR inside a line")]
    BareCr,
    /// A control character (other than HT) or DEL inside a command line.
    #[error("control character 0x{byte:02x} inside a line")]
    ControlCharacter {
        /// The byte.
        byte: u8,
    },
    /// The line does not start with a command verb.
    #[error("expected a command verb")]
    InvalidCommand,
    /// A command that needs an argument came without one.
    #[error("argument missing")]
    MissingArgument,
    /// A command that takes no argument came with one.
    #[error("unexpected argument")]
    UnexpectedArgument,
    /// An argument that does not match the command's grammar.
    #[error("invalid argument")]
    InvalidArgument,
    /// A reverse-path or forward-path that does not match RFC 5321 §4.1.2.
    #[error("invalid path")]
    InvalidPath,
    /// A path longer than the limit (its angle brackets included).
    #[error("path longer than {limit} octets")]
    PathTooLong {
        /// The limit that was exceeded.
        limit: usize,
    },
    /// Bytes that are not UTF-8 where only UTF-8 may appear (addresses,
    /// parameter values; RFC 6531).
    #[error("invalid UTF-8")]
    InvalidUtf8,
    /// An ESMTP parameter that does not match `esmtp-param`, or a known
    /// parameter with a value its RFC does not allow.
    #[error("invalid parameter {keyword:?}")]
    InvalidParameter {
        /// The keyword as sent (empty when it could not be read).
        keyword: String,
    },
    /// A parameter given twice (or `HOLDFOR` together with `HOLDUNTIL`).
    #[error("duplicate parameter {keyword:?}")]
    DuplicateParameter {
        /// The keyword, upper case.
        keyword: String,
    },
}

impl DecodeErrorKind {
    /// The reply a server would answer this error with: `500` for a line
    /// that is too long or holds no command (RFC 5321 §4.2.4, §4.5.3.1.4),
    /// `501` for bad arguments and parameters, `None` for errors that only
    /// replies can have.
    pub fn reply_code(&self) -> Option<ReplyCode> {
        match self {
            Self::LineTooLong { .. } | Self::InvalidCommand => Some(ReplyCode::SYNTAX_ERROR),
            Self::BareCr
            | Self::ControlCharacter { .. }
            | Self::MissingArgument
            | Self::UnexpectedArgument
            | Self::InvalidArgument
            | Self::InvalidPath
            | Self::PathTooLong { .. }
            | Self::InvalidUtf8
            | Self::InvalidParameter { .. }
            | Self::DuplicateParameter { .. } => Some(ReplyCode::PARAMETER_SYNTAX_ERROR),
            Self::TooManyLines { .. }
            | Self::InvalidReplyCode
            | Self::CodeMismatch { .. }
            | Self::InvalidSeparator => None,
        }
    }
}

impl DecodeError {
    fn new(offset: usize, kind: DecodeErrorKind, discard: usize) -> Self {
        Self {
            offset,
            kind,
            discard,
            until_line_end: false,
        }
    }

    /// The same error seen from `base` bytes further into a stream.
    fn shifted(mut self, base: usize) -> Self {
        self.offset += base;
        self
    }
}

/// One reply line, split into its parts.
struct ReplyLine<'a> {
    code: ReplyCode,
    last: bool,
    text: &'a [u8],
}

/// `Reply-line = *( Reply-code "-" [ textstring ] CRLF )
///               Reply-code [ SP textstring ] CRLF` (RFC 5321 §4.2), one line
/// of it without its CRLF. `Reply-code = %x32-35 %x30-35 %x30-39`.
/// `textstring` is read tolerantly: any byte but CR (RFC 6531 adds UTF-8;
/// servers send more).
fn reply_line(line: &[u8]) -> Result<ReplyLine<'_>, (usize, DecodeErrorKind)> {
    let code = match line {
        [a, b, c, ..] => ReplyCode::from_digits([*a, *b, *c]),
        _ => None,
    }
    .ok_or((0, DecodeErrorKind::InvalidReplyCode))?;
    let (last, text) = match line.get(3) {
        None => (true, &line[3..]),
        Some(b' ') => (true, &line[4..]),
        Some(b'-') => (false, &line[4..]),
        Some(_) => return Err((3, DecodeErrorKind::InvalidSeparator)),
    };
    if let Some(i) = memchr::memchr(b'\r', text) {
        return Err((line.len() - text.len() + i, DecodeErrorKind::BareCr));
    }
    Ok(ReplyLine { code, last, text })
}

/// Decodes one reply (single or multi-line) from the start of `input`.
///
/// ```
/// use mailwire_smtp::{decode, Limits};
/// let input = b"250-mx.example.com\r\n250-PIPELINING\r\n250 SIZE 10240000\r\n";
/// let (reply, used) = decode::reply(input, &Limits::default()).unwrap().complete().unwrap();
/// assert_eq!(used, input.len());
/// assert_eq!(reply.code().get(), 250);
/// assert_eq!(reply.lines().count(), 3);
/// ```
pub fn reply<'a>(input: &'a [u8], limits: &Limits) -> Result<Decoded<Reply<'a>>, DecodeError> {
    let mut pos = 0;
    let mut first: Option<(ReplyCode, ReplyText<'a>)> = None;
    let mut rest = Vec::new();
    loop {
        let (end, content_end) = match frame::line(input, pos, limits.reply_line) {
            Line::Partial => return Ok(Decoded::Incomplete),
            Line::TooLong => {
                return Err(DecodeError {
                    until_line_end: true,
                    ..DecodeError::new(
                        pos,
                        DecodeErrorKind::LineTooLong {
                            limit: limits.reply_line,
                        },
                        pos + limits.reply_line,
                    )
                });
            }
            Line::Complete { end, content_end } => (end, content_end),
        };
        let count = 1 + rest.len() + usize::from(first.is_some());
        if count > limits.reply_lines {
            let kind = DecodeErrorKind::TooManyLines {
                limit: limits.reply_lines,
            };
            return Err(DecodeError::new(pos, kind, end));
        }
        let line = reply_line(&input[pos..content_end])
            .map_err(|(at, kind)| DecodeError::new(pos + at, kind, end))?;
        let text = ReplyText::from_wire(line.text);
        match first {
            None => first = Some((line.code, text)),
            Some((expected, _)) if expected != line.code => {
                let kind = DecodeErrorKind::CodeMismatch {
                    expected,
                    found: line.code,
                };
                return Err(DecodeError::new(pos, kind, end));
            }
            Some(_) => rest.push(text),
        }
        pos = end;
        if line.last
            && let Some((code, first)) = first
        {
            return Ok(Decoded::Complete {
                value: Reply::from_lines(code, first, rest),
                consumed: pos,
            });
        }
    }
}

/// Decodes the replies in a byte stream that arrives in chunks of any size.
///
/// Bytes are scanned once: the decoder remembers where the reply being
/// received starts and how far its lines have been framed, so the total work
/// is linear in the stream whatever the chunking. A line over the limit is
/// reported as soon as the limit is passed, and the rest of it is skipped
/// without being buffered. Error offsets count from the start of the stream.
///
/// ```
/// use mailwire_smtp::{decode::ReplyDecoder, Limits};
/// let mut decoder = ReplyDecoder::new(Limits::default());
/// decoder.push(b"250-first\r\n25");
/// assert!(decoder.next_reply().is_none()); // waits for the rest
/// decoder.push(b"0 last\r\n354 go ahead\r\n");
/// let reply = decoder.next_reply().unwrap().unwrap();
/// assert_eq!(reply.lines().count(), 2);
/// assert_eq!(decoder.next_reply().unwrap().unwrap().code().get(), 354);
/// assert!(decoder.next_reply().is_none());
/// ```
#[derive(Debug)]
pub struct ReplyDecoder {
    limits: Limits,
    buf: BytesMut,
    /// Stream offset of `buf[0]`.
    base: usize,
    /// Offset in `buf` where framing continues: the start of the first line
    /// of the current reply that has not been framed yet.
    scanned: usize,
    /// Offset in `buf` up to which the line being framed has been searched
    /// for an LF without finding one.
    searched: usize,
    /// Lines of the current reply framed so far.
    lines: usize,
    /// The code on the first line of the current reply.
    code: Option<ReplyCode>,
    /// Dropping input up to the next LF after an over-long line.
    skipping: bool,
}

impl ReplyDecoder {
    /// A decoder enforcing `limits`.
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            buf: BytesMut::new(),
            base: 0,
            scanned: 0,
            searched: 0,
            lines: 0,
            code: None,
            skipping: false,
        }
    }

    /// Appends bytes received from the peer.
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
        match memchr::memchr(b'\n', &self.buf) {
            Some(i) => {
                self.skipping = false;
                self.consume(i + 1);
            }
            None => {
                self.skipping = true;
                self.consume(self.buf.len());
            }
        }
    }

    /// Stream offset of the first byte not yet returned as part of a reply:
    /// where the next reply (or error) starts.
    pub fn offset(&self) -> usize {
        self.base
    }

    /// Bytes received but not yet returned as part of a reply.
    pub fn buffered(&self) -> &[u8] {
        &self.buf
    }

    /// Takes the bytes not yet decoded, leaving the decoder empty. Used when
    /// the connection changes (STARTTLS): those bytes must not be processed
    /// as if they had come over the new layer.
    pub fn take_buffered(&mut self) -> BytesMut {
        let taken = self.buf.split();
        self.base += taken.len();
        self.reset();
        self.skipping = false;
        taken
    }

    /// The next complete reply, `None` when more bytes are needed, or an
    /// error after which decoding resumes past the bad input.
    pub fn next_reply(&mut self) -> Option<Result<Reply<'static>, DecodeError>> {
        loop {
            match frame::line_from(
                &self.buf,
                self.scanned,
                self.searched,
                self.limits.reply_line,
            ) {
                Line::Partial => {
                    self.searched = self.buf.len();
                    return None;
                }
                Line::TooLong => {
                    let err = DecodeError {
                        until_line_end: true,
                        ..DecodeError::new(
                            self.base + self.scanned,
                            DecodeErrorKind::LineTooLong {
                                limit: self.limits.reply_line,
                            },
                            self.scanned + self.limits.reply_line,
                        )
                    };
                    self.consume(err.discard);
                    self.skip_line();
                    return Some(Err(err));
                }
                Line::Complete { end, content_end } => {
                    self.lines += 1;
                    // A reply ends at its last line, at a line that does not
                    // decode, or past the line limit; `reply` then settles it.
                    let ends = self.lines > self.limits.reply_lines
                        || match reply_line(&self.buf[self.scanned..content_end]) {
                            Ok(line) => {
                                line.last || *self.code.get_or_insert(line.code) != line.code
                            }
                            Err(_) => true,
                        };
                    if !ends {
                        self.scanned = end;
                        self.searched = end;
                        continue;
                    }
                    let result = match reply(&self.buf[..end], &self.limits) {
                        Ok(Decoded::Complete { value, consumed }) => {
                            let value = value.into_owned();
                            self.consume(consumed);
                            Ok(value)
                        }
                        // Every line of `buf[..end]` is framed, so `reply`
                        // completes or fails; waiting is the safe answer.
                        Ok(Decoded::Incomplete) => return None,
                        Err(err) => {
                            let err = err.shifted(self.base);
                            self.consume(err.discard);
                            Err(err)
                        }
                    };
                    return Some(result);
                }
            }
        }
    }

    fn consume(&mut self, n: usize) {
        let n = n.min(self.buf.len());
        self.buf.advance(n);
        self.base += n;
        self.reset();
    }

    /// Forgets the reply being framed.
    fn reset(&mut self) {
        self.scanned = 0;
        self.searched = 0;
        self.lines = 0;
        self.code = None;
    }
}

#[cfg(test)]
// Tests change `Limits` the way users outside the crate must (it is
// `#[non_exhaustive]`), by assigning fields of a default value.
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;

    fn one(input: &[u8]) -> Reply<'_> {
        let (r, n) = reply(input, &Limits::default())
            .unwrap()
            .complete()
            .unwrap();
        assert_eq!(n, input.len());
        r
    }

    fn err(input: &[u8]) -> DecodeError {
        reply(input, &Limits::default()).unwrap_err()
    }

    #[test]
    fn rfc5321_appendix_d1_replies() {
        // RFC 5321 Appendix D.1, the server side of a typical transaction.
        let greeting = one(b"220 foo.com Simple Mail Transfer Service Ready\r\n");
        assert_eq!(greeting.code(), ReplyCode::SERVICE_READY);
        let ehlo = one(
            b"250-foo.com greets bar.com\r\n250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n250 HELP\r\n",
        );
        let lines: Vec<_> = ehlo.lines().map(|l| l.as_bytes().to_vec()).collect();
        assert_eq!(
            lines,
            [
                &b"foo.com greets bar.com"[..],
                b"8BITMIME",
                b"SIZE",
                b"DSN",
                b"HELP"
            ]
        );
        assert!(ehlo.is_multiline());
        assert_eq!(
            one(b"354 Start mail input; end with <CRLF>.<CRLF>\r\n").code(),
            ReplyCode::START_MAIL_INPUT
        );
        assert_eq!(
            one(b"550 No such user here\r\n").text().as_bytes(),
            b"No such user here"
        );
    }

    #[test]
    fn text_is_optional() {
        assert_eq!(one(b"250\r\n").text().as_bytes(), b"");
        assert_eq!(one(b"250 \r\n").text().as_bytes(), b"");
        let r = one(b"250-\r\n250\r\n");
        assert_eq!(r.lines().count(), 2);
    }

    #[test]
    fn enhanced_status_codes() {
        let r = one(b"550-5.1.1 The email account that you tried to reach does not exist.\r\n550 5.1.1 https://support.example/answer\r\n");
        let esc = r.enhanced().unwrap();
        assert_eq!((esc.class(), esc.subject(), esc.detail()), (5, 1, 1));
        assert_eq!(
            r.message().as_bytes(),
            b"The email account that you tried to reach does not exist."
        );
        assert_eq!(
            r.messages().nth(1).unwrap().as_bytes(),
            b"https://support.example/answer"
        );
        // Text kept as sent, so the reply re-encodes to the same lines.
        assert!(r.text().as_bytes().starts_with(b"5.1.1 "));
        assert_eq!(
            one(b"250 2.0.0\r\n").enhanced().unwrap().to_string(),
            "2.0.0"
        );
        assert_eq!(one(b"250 2.0.0\r\n").message().as_bytes(), b"");
        // Class must agree with the reply code; numbers are 1*3 digits.
        assert!(one(b"250 5.0.0 odd\r\n").enhanced().is_none());
        assert!(one(b"250 2.1000.0 odd\r\n").enhanced().is_none());
        assert!(one(b"250 2.0.0x\r\n").enhanced().is_none());
        assert!(one(b"250 2.0 Ok\r\n").enhanced().is_none());
        assert!(one(b"354 2.0.0 go\r\n").enhanced().is_none());
    }

    #[test]
    fn bare_lf_is_tolerated() {
        let r = one(b"250-a\n250 b\n");
        assert_eq!(r.lines().count(), 2);
    }

    #[test]
    fn incomplete_until_the_last_line() {
        let l = Limits::default();
        assert_eq!(reply(b"", &l), Ok(Decoded::Incomplete));
        assert_eq!(reply(b"250", &l), Ok(Decoded::Incomplete));
        assert_eq!(reply(b"250-a\r\n", &l), Ok(Decoded::Incomplete));
        assert_eq!(reply(b"250-a\r\n250 b\r", &l), Ok(Decoded::Incomplete));
        // Bytes after the reply are left for the next one.
        let (_, n) = reply(b"250 a\r\n250 b\r\n", &l)
            .unwrap()
            .complete()
            .unwrap();
        assert_eq!(n, 7);
    }

    #[test]
    fn errors_say_where_and_how_far_to_skip() {
        let e = err(b"25x ok\r\n");
        assert_eq!(
            (e.offset, e.kind.clone(), e.discard),
            (0, DecodeErrorKind::InvalidReplyCode, 8)
        );
        let e = err(b"199 no\r\n");
        assert_eq!(e.kind, DecodeErrorKind::InvalidReplyCode);
        let e = err(b"260 no\r\n");
        assert_eq!(e.kind, DecodeErrorKind::InvalidReplyCode);
        let e = err(b"250x\r\n");
        assert_eq!((e.offset, e.kind), (3, DecodeErrorKind::InvalidSeparator));
        let e = err(b"250-a\r\n251 b\r\nnext");
        assert_eq!(e.offset, 7);
        assert_eq!(e.discard, 14);
        assert!(matches!(e.kind, DecodeErrorKind::CodeMismatch { .. }));
        let e = err(b"250 a\rb\r\n");
        assert_eq!((e.offset, e.kind), (5, DecodeErrorKind::BareCr));
        let e = err(b"\r\n");
        assert_eq!(e.kind, DecodeErrorKind::InvalidReplyCode);
    }

    #[test]
    fn limits_apply_before_the_line_ends() {
        let mut limits = Limits::default();
        limits.reply_line = 10;
        let e = reply(b"250 0123456789", &limits).unwrap_err();
        assert_eq!(e.kind, DecodeErrorKind::LineTooLong { limit: 10 });
        assert!(e.until_line_end);
        assert!(reply(b"250 0123\r\n", &limits).is_ok());
        assert!(reply(b"250 01234\r\n", &limits).is_err());
        limits.reply_lines = 2;
        let e = reply(b"250-a\r\n250-b\r\n250 c\r\n", &limits).unwrap_err();
        assert_eq!(e.kind, DecodeErrorKind::TooManyLines { limit: 2 });
        assert_eq!((e.offset, e.discard), (14, 21));
    }

    #[test]
    fn streaming_matches_stateless_for_every_split() {
        let stream: &[u8] =
            b"220 mx ESMTP\r\n250-mx\r\n250-SIZE 100\r\n250 8BITMIME\r\n25x bad\r\n550 5.1.1 no\r\n";
        let whole = collect(stream, stream.len());
        assert_eq!(whole.len(), 4);
        assert!(whole[2].is_err());
        for chunk in 1..stream.len() {
            assert_eq!(collect(stream, chunk), whole, "chunk size {chunk}");
        }
    }

    fn collect(stream: &[u8], chunk: usize) -> Vec<Result<Reply<'static>, DecodeError>> {
        let mut d = ReplyDecoder::new(Limits::default());
        let mut out = Vec::new();
        for c in stream.chunks(chunk) {
            d.push(c);
            while let Some(r) = d.next_reply() {
                out.push(r);
            }
        }
        out
    }

    #[test]
    fn streaming_skips_an_overlong_line_without_buffering_it() {
        let mut limits = Limits::default();
        limits.reply_line = 16;
        let mut d = ReplyDecoder::new(limits);
        d.push(b"250 ");
        assert!(d.next_reply().is_none());
        d.push(&[b'x'; 100]);
        let e = d.next_reply().unwrap().unwrap_err();
        assert_eq!(e.offset, 0);
        assert_eq!(e.kind, DecodeErrorKind::LineTooLong { limit: 16 });
        for _ in 0..100 {
            d.push(&[b'y'; 1000]);
            assert!(d.buffered().is_empty());
        }
        d.push(b"yyy\r\n221 bye\r\n");
        let r = d.next_reply().unwrap().unwrap();
        assert_eq!(r.code(), ReplyCode::CLOSING);
        assert!(d.next_reply().is_none());
    }

    #[test]
    fn an_overlong_line_never_swallows_the_next_reply() {
        let mut limits = Limits::default();
        limits.reply_line = 10;
        let mut d = ReplyDecoder::new(limits);
        d.push(b"250-ok\r\n250 0123456789abcdef\r\n221 bye\r\n");
        let e = d.next_reply().unwrap().unwrap_err();
        assert_eq!((e.offset, e.discard), (8, 18));
        assert_eq!(d.next_reply().unwrap().unwrap().code(), ReplyCode::CLOSING);
        assert!(d.next_reply().is_none());
        let e = reply(b"250-ok\r\n250 0123456789abcdef\r\n", &limits).unwrap_err();
        assert_eq!((e.offset, e.discard, e.until_line_end), (8, 18, true));
    }

    #[test]
    fn a_zero_line_limit_never_stalls() {
        let mut limits = Limits::default();
        limits.reply_line = 0;
        let mut d = ReplyDecoder::new(limits);
        assert!(d.next_reply().is_none());
        d.push(b"250 a\r\n250 b\r\n");
        let mut errors = 0;
        while let Some(r) = d.next_reply() {
            assert!(r.is_err());
            errors += 1;
            assert!(errors <= 2);
        }
        assert_eq!(errors, 2);
    }

    #[test]
    fn take_buffered_ends_skipping() {
        let mut limits = Limits::default();
        limits.reply_line = 8;
        let mut d = ReplyDecoder::new(limits);
        d.push(b"250 0123456789");
        assert!(d.next_reply().unwrap().is_err());
        // The connection changes layer in the middle of the skipped line:
        // what comes over the new layer is decoded from its first byte.
        assert!(d.take_buffered().is_empty());
        d.push(b"220 ok\r\n");
        assert_eq!(
            d.next_reply().unwrap().unwrap().code(),
            ReplyCode::SERVICE_READY
        );
        assert_eq!(d.offset(), 22);
    }

    #[test]
    fn a_line_in_one_byte_chunks_is_searched_once() {
        // Framing resumes where it stopped: feeding a long line byte by byte
        // must not rescan it (observable as linear work; here, as the same
        // result as a single push).
        let mut limits = Limits::default();
        limits.reply_line = 4096;
        let mut line = b"250 ".to_vec();
        line.extend(std::iter::repeat_n(b'x', 4000));
        line.extend_from_slice(b"\r\n");
        let mut d = ReplyDecoder::new(limits);
        for b in &line {
            d.push(std::slice::from_ref(b));
            if let Some(r) = d.next_reply() {
                assert_eq!(r.unwrap().text().as_bytes().len(), 4000);
                return;
            }
            assert_eq!(d.searched, d.buf.len());
        }
        panic!("no reply");
    }

    #[test]
    fn error_offsets_count_from_the_stream_start() {
        let mut d = ReplyDecoder::new(Limits::default());
        d.push(b"250 ok\r\n250-a\r\n251 b\r\n");
        assert!(d.next_reply().unwrap().is_ok());
        let e = d.next_reply().unwrap().unwrap_err();
        assert_eq!(e.offset, 15);
        assert!(d.next_reply().is_none());
    }

    #[test]
    fn streaming_reports_a_bad_continuation_line_at_once() {
        let mut d = ReplyDecoder::new(Limits::default());
        d.push(b"250-a\r\n25x-b\r\n");
        let e = d.next_reply().unwrap().unwrap_err();
        assert_eq!((e.offset, e.kind), (7, DecodeErrorKind::InvalidReplyCode));
    }

    #[test]
    fn streaming_enforces_the_line_count() {
        let mut limits = Limits::default();
        limits.reply_lines = 2;
        let mut d = ReplyDecoder::new(limits);
        d.push(b"250-a\r\n250-b\r\n");
        assert!(d.next_reply().is_none());
        d.push(b"250-c\r\n");
        let e = d.next_reply().unwrap().unwrap_err();
        assert_eq!(e.kind, DecodeErrorKind::TooManyLines { limit: 2 });
        d.push(b"250 d\r\n");
        assert_eq!(d.next_reply().unwrap().unwrap().text().as_bytes(), b"d");
    }
}
