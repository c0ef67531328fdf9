//! Server responses from a byte slice or a stream: framing first, then the
//! grammar.

use bytes::{Buf, Bytes, BytesMut};

use super::response::{self as grammar, to_decode_error};
use super::{DecodeError, DecodeErrorKind, Decoded};
use crate::Limits;
use crate::frame::{FrameError, FrameErrorKind, Framed, ResponseFramer};
use crate::types::Response;

/// The error for a framing failure of a response starting at offset 0 of
/// `input` (or of the decoder's buffer), as the stateless decoder reports it.
pub(super) fn frame_error(input: &[u8], e: FrameError, limits: &Limits) -> DecodeError {
    match e.kind {
        FrameErrorKind::LineTooLong => DecodeError::in_line(
            input,
            e.offset,
            DecodeErrorKind::LineTooLong {
                limit: limits.line_length,
            },
        ),
        FrameErrorKind::Literal {
            size,
            line_end,
            literal_limit,
        } => DecodeError {
            offset: e.offset,
            kind: if literal_limit {
                DecodeErrorKind::LiteralTooLarge {
                    size,
                    limit: limits.literal_size,
                }
            } else {
                DecodeErrorKind::MessageTooLarge {
                    limit: limits.message_size,
                }
            },
            discard: usize::try_from(size)
                .ok()
                .and_then(|s| s.checked_add(line_end))
                .unwrap_or(usize::MAX),
            until_line_end: false,
        },
        FrameErrorKind::MessageTooLarge => DecodeError {
            offset: e.offset,
            kind: DecodeErrorKind::MessageTooLarge {
                limit: limits.message_size,
            },
            discard: input.len(),
            until_line_end: true,
        },
        FrameErrorKind::SyncLiteral {
            size,
            line_end,
            literal_limit,
        } => DecodeError {
            offset: e.offset,
            kind: if literal_limit {
                DecodeErrorKind::LiteralTooLarge {
                    size,
                    limit: limits.literal_size,
                }
            } else {
                DecodeErrorKind::MessageTooLarge {
                    limit: limits.message_size,
                }
            },
            discard: line_end,
            until_line_end: false,
        },
        FrameErrorKind::NonSyncLiteral {
            size,
            line_end,
            limit,
        } => DecodeError {
            offset: e.offset,
            kind: match limit {
                Some(limit) => DecodeErrorKind::NonSyncLiteralTooLarge { size, limit },
                None => DecodeErrorKind::NonSyncLiteralRefused,
            },
            discard: usize::try_from(size)
                .ok()
                .and_then(|s| s.checked_add(line_end))
                .unwrap_or(usize::MAX),
            until_line_end: false,
        },
    }
}

/// Decodes one server response from the start of `input` (RFC 9051 §7,
/// §9): a status response (tagged or untagged), a continuation request or
/// untagged data, literals included.
///
/// The response is framed first, against the [`Limits`]: a `{n}` ending a
/// line announces a literal only where the grammar allows a string, so
/// `* NO foo{12}` is one line of text. Values borrow from `input`; literal
/// data is never copied.
///
/// Errors say where, what, and how many bytes to [`discard`](DecodeError::discard):
/// the whole response when the grammar fails; for a literal over the
/// limit, the announcing line and the literal's bytes (which may not have
/// arrived yet).
///
/// ```
/// use mailwire_imap::{decode, Limits};
/// use mailwire_imap::types::{Data, FetchItem, Response};
/// let input = b"* 1 FETCH (UID 42 BODY[]<0> {3}\r\nhey)\r\n* NO foo{12}\r\n";
/// let (r, used) = decode::response(input, &Limits::default())?.complete().unwrap();
/// let Response::Data(Data::Fetch { items, .. }) = r else { panic!() };
/// assert!(matches!(&items[1], FetchItem::BodySection { data: Some(d), .. } if &d[..] == b"hey"));
/// let (r, _) = decode::response(&input[used..], &Limits::default())?.complete().unwrap();
/// assert!(matches!(r, Response::Status(s) if s.text().as_bytes() == b"foo{12}"));
/// # Ok::<(), decode::DecodeError>(())
/// ```
pub fn response<'a>(
    input: &'a [u8],
    limits: &Limits,
) -> Result<Decoded<Response<'a>>, DecodeError> {
    match ResponseFramer::new().advance(input, limits, true) {
        Framed::Partial => Ok(Decoded::Incomplete),
        Framed::Error(e) => Err(frame_error(input, e, limits)),
        Framed::Complete { end, content_end } => {
            match grammar::response(&input[..content_end], limits) {
                Ok(value) => Ok(Decoded::Complete {
                    value,
                    consumed: end,
                }),
                Err(e) => Err(to_decode_error(e, end)),
            }
        }
    }
}

/// One complete response cut from a stream by [`ResponseDecoder`]: its
/// bytes (shared, never copied) and where it started in the stream.
/// [`decode`](Self::decode) reads it; the values borrow from the frame.
#[derive(Debug, Clone)]
pub struct ResponseFrame {
    bytes: Bytes,
    content_end: usize,
    offset: usize,
    limits: Limits,
}

impl ResponseFrame {
    /// The response's bytes, its last CRLF included.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The response's bytes as a shared buffer: slice literal data out of
    /// it with [`Bytes::slice_ref`] to keep it without copying.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// Offset of the response's first byte in the stream.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Reads the response. Error offsets count from the start of the
    /// stream; the response's bytes have already left the decoder, so
    /// nothing more is to be discarded (`discard` is the response's length,
    /// for information).
    pub fn decode(&self) -> Result<Response<'_>, DecodeError> {
        grammar::response(&self.bytes[..self.content_end], &self.limits).map_err(|e| {
            let mut err = to_decode_error(e, self.bytes.len());
            err.offset += self.offset;
            err
        })
    }
}

/// What the decoder does with the bytes it is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Framing responses.
    Frame,
    /// Dropping everything up to the next LF, after an over-long line.
    SkipLine,
    /// Dropping the rest of a response already reported as too large.
    Discard,
}

/// Decodes server responses from a byte stream that arrives in chunks of
/// any size.
///
/// The framer remembers where it stopped, so the work is linear in the
/// stream whatever the chunking: each byte is scanned once for line ends
/// (once more for a line ending in `}`), literal bytes are counted, not
/// scanned. A complete response comes out as a [`ResponseFrame`] that
/// shares the decoder's buffer; decode it with [`ResponseFrame::decode`].
///
/// A response over a limit is reported once and then skipped without being
/// buffered: an over-long line up to its LF, a literal over the limit
/// byte by byte, then the rest of its response. Error offsets count from
/// the start of the stream.
///
/// ```
/// use mailwire_imap::decode::ResponseDecoder;
/// use mailwire_imap::types::{Data, Response};
/// use mailwire_imap::Limits;
///
/// let mut decoder = ResponseDecoder::new(Limits::default());
/// decoder.push(b"* 3 EXISTS\r\n* 1 FETCH (BODY[] {5}\r\nhel");
/// let frame = decoder.next_frame().unwrap()?;
/// assert_eq!(frame.decode()?, Response::Data(Data::Exists(3)));
/// assert!(decoder.next_frame().is_none()); // the literal is not complete
/// decoder.push(b"lo)\r\nA1 OK done\r\n");
/// let frame = decoder.next_frame().unwrap()?;
/// assert_eq!(frame.offset(), 12);
/// let frame = decoder.next_frame().unwrap()?;
/// assert!(matches!(frame.decode()?, Response::Status(s) if s.tag().is_some()));
/// # Ok::<(), mailwire_imap::decode::DecodeError>(())
/// ```
#[derive(Debug)]
pub struct ResponseDecoder {
    limits: Limits,
    buf: BytesMut,
    /// Stream offset of `buf[0]`.
    base: usize,
    framer: ResponseFramer,
    mode: Mode,
}

impl ResponseDecoder {
    /// A decoder enforcing `limits`, for a stream that starts here.
    pub fn new(limits: Limits) -> Self {
        Self::with_offset(limits, 0)
    }

    /// A decoder for a stream of which `offset` bytes were already read
    /// (by a [`GreetingDecoder`](super::GreetingDecoder), say), so that
    /// offsets count from the stream's start.
    pub fn with_offset(limits: Limits, offset: usize) -> Self {
        Self {
            limits,
            buf: BytesMut::new(),
            base: offset,
            framer: ResponseFramer::new(),
            mode: Mode::Frame,
        }
    }

    /// Appends bytes received from the server.
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
        if self.mode == Mode::Frame {
            self.make_room(data.len());
        }
        self.buf.extend_from_slice(data);
    }

    /// Makes room for `n` more bytes. Outside a literal the buffer grows as
    /// a `Vec` does (doubling). Inside one it grows by up to eight times
    /// what has arrived, and no further than the literal still needs plus
    /// one more chunk of `n` bytes for what follows it: a large literal
    /// arriving in small chunks is then copied to a new buffer a couple of
    /// times instead of at every doubling. The announced size only caps
    /// the growth: a peer that announces a large literal and sends nothing
    /// makes the decoder reserve nothing.
    fn make_room(&mut self, n: usize) {
        if self.buf.capacity() - self.buf.len() >= n {
            return;
        }
        let pending = usize::try_from(self.framer.literal_pending()).unwrap_or(usize::MAX);
        if pending == 0 {
            return;
        }
        let ahead = pending
            .saturating_sub(n)
            .saturating_add(n)
            .min(self.buf.len().saturating_mul(7));
        self.buf.reserve(n.saturating_add(ahead));
    }

    /// Stream offset of the first byte not yet returned or skipped.
    pub fn offset(&self) -> usize {
        self.base
    }

    /// Bytes received but not yet returned as part of a response.
    pub fn buffered(&self) -> &[u8] {
        &self.buf
    }

    /// The next complete response, `None` when more bytes are needed, or
    /// an error after which decoding goes on with the next response.
    pub fn next_frame(&mut self) -> Option<Result<ResponseFrame, DecodeError>> {
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
                Mode::Discard => match self.framer.advance(&self.buf, &self.limits, false) {
                    Framed::Complete { end, .. } => {
                        self.consume(end);
                        self.framer = ResponseFramer::new();
                        self.mode = Mode::Frame;
                    }
                    Framed::Partial => {
                        let done = self.framer.framed();
                        self.framer.rebase(done);
                        self.consume(done);
                        return None;
                    }
                    Framed::Error(e) => {
                        self.consume(e.offset);
                        self.framer = ResponseFramer::new();
                        self.mode = Mode::SkipLine;
                    }
                },
                Mode::Frame => {
                    return match self.framer.advance(&self.buf, &self.limits, true) {
                        Framed::Partial => None,
                        Framed::Complete { end, content_end } => {
                            let bytes = self.buf.split_to(end).freeze();
                            let offset = self.base;
                            self.base += end;
                            self.framer = ResponseFramer::new();
                            Some(Ok(ResponseFrame {
                                bytes,
                                content_end,
                                offset,
                                limits: self.limits,
                            }))
                        }
                        Framed::Error(e) => Some(Err(self.resync(e))),
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
                // Reported the same whatever the chunking: the line's end
                // may not have arrived yet.
                err.discard = e.offset.saturating_add(self.limits.line_length);
                err.until_line_end = true;
                self.consume(e.offset);
                self.framer = ResponseFramer::new();
                self.mode = Mode::SkipLine;
            }
            FrameErrorKind::Literal { size, line_end, .. } => {
                self.consume(line_end);
                self.framer = ResponseFramer::in_literal(size);
                self.mode = Mode::Discard;
            }
            FrameErrorKind::SyncLiteral { .. } | FrameErrorKind::NonSyncLiteral { .. } => {
                // Commands only; never from the response framer.
                self.consume(self.buf.len());
                self.framer = ResponseFramer::new();
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Pushes `input` in chunks of `chunk` bytes, decoding as it goes;
    /// returns the responses' literal lengths and the largest capacity the
    /// buffer reached.
    fn run(input: &[u8], chunk: usize) -> (usize, usize) {
        let mut d = ResponseDecoder::new(Limits::default());
        let (mut count, mut cap) = (0, 0);
        for piece in input.chunks(chunk) {
            d.push(piece);
            cap = cap.max(d.buf.capacity());
            while let Some(frame) = d.next_frame() {
                frame.unwrap().decode().unwrap();
                count += 1;
            }
        }
        (count, cap)
    }

    #[test]
    fn an_announced_literal_reserves_nothing_by_itself() {
        // 64 MiB announced, 16 KiB sent: the buffer stays near what arrived.
        let mut input = b"* 1 FETCH (BODY[] {67108864}\r\n".to_vec();
        input.resize(16 * 1024, b'x');
        let mut d = ResponseDecoder::new(Limits {
            literal_size: 1 << 30,
            message_size: 1 << 30,
            ..Limits::default()
        });
        for piece in input.chunks(1024) {
            d.push(piece);
            assert!(d.next_frame().is_none());
        }
        assert!(d.buf.capacity() <= 8 * input.len(), "{}", d.buf.capacity());
    }

    #[test]
    fn a_literal_in_chunks_grows_the_buffer_a_few_times() {
        let size = 1 << 20;
        let mut input = format!("* 1 FETCH (UID 7 BODY[] {{{size}}}\r\n").into_bytes();
        input.resize(input.len() + size, b'a');
        input.extend_from_slice(b")\r\n* 2 EXISTS\r\n");
        let (count, cap) = run(&input, 16 * 1024);
        assert_eq!(count, 2);
        // Room for the response and one more chunk, not a doubling past it.
        assert!(cap < input.len() + 64 * 1024, "{cap}");
        assert_eq!(run(&input, input.len()).0, 2);
        assert_eq!(run(&input, 1000).0, 2);
    }
}
