//! Message data after `DATA` (the streaming [`DataDecoder`]) and after
//! `BDAT` ([`BdatChunk`]).

use crate::types::ReplyCode;
use crate::{BareLineEnd, Limits, NulByte};

/// Where the decoder is in the data stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a line: the start of the data, or just after CRLF.
    LineStart,
    /// Inside a line.
    Mid,
    /// Inside a line, just after a CR that ended the previous input.
    Cr,
    /// After `CRLF "."`; the dot has been read and is never handed out.
    Dot,
    /// After `CRLF "." CR`.
    DotCr,
    /// After `CRLF "." CRLF`: the data has ended.
    Done,
}

/// A piece of body that one step hands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece {
    /// Nothing.
    None,
    /// `input[..n]`.
    Input(usize),
    /// Bytes that are not in the input (a CR held from earlier input, or a
    /// CRLF written for a bare CR or LF).
    Const(&'static [u8]),
}

/// What one step did: `consumed` input bytes were read, giving `piece`;
/// `end` is set when the end-of-data sequence was read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Raw {
    pub(crate) consumed: usize,
    pub(crate) piece: Piece,
    pub(crate) end: bool,
}

impl Raw {
    const fn new(consumed: usize, piece: Piece) -> Self {
        Self {
            consumed,
            piece,
            end: false,
        }
    }
}

/// What was wrong with the message data, counted as it was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct DataDefects {
    /// CRs not followed by LF.
    pub bare_cr: u64,
    /// LFs not preceded by CR.
    pub bare_lf: u64,
    /// NUL octets.
    pub nul: u64,
    /// Lines longer than [`Limits::data_line`] (a line ends at LF here).
    pub long_lines: u64,
    /// The message passed [`Limits::message_size`].
    pub too_big: bool,
}

impl DataDefects {
    /// True when nothing was wrong.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Why a message is refused once its data has ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DataRefusal {
    /// Larger than [`Limits::message_size`].
    TooBig,
    /// A line longer than [`Limits::data_line`].
    LineTooLong,
    /// A bare CR or LF under [`BareLineEnd::Reject`].
    BareLineEnd,
    /// A NUL under [`NulByte::Reject`].
    Nul,
}

impl DataRefusal {
    /// The reply to send after the end of data (RFC 5321 §4.2.5: a server
    /// answers the message as a whole once it has read it):
    /// `552` for a message that is too big (RFC 5321 §4.5.3.1.10, RFC 1870
    /// §6.2), `500` for a line that is too long (RFC 5321 §4.5.3.1.10
    /// "500 Line too long."), `554` (transaction failed) for bare line ends
    /// and NUL.
    pub fn reply_code(self) -> ReplyCode {
        match self {
            Self::TooBig => ReplyCode::EXCEEDED_STORAGE,
            Self::LineTooLong => ReplyCode::SYNTAX_ERROR,
            Self::BareLineEnd | Self::Nul => ReplyCode::TRANSACTION_FAILED,
        }
    }
}

/// The end of a message's data: its size, what was wrong with it, and
/// whether it must be refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct DataEnd {
    /// Octets of message after dot-unstuffing and the policy's changes,
    /// counted in full even past [`Limits::message_size`].
    pub size: u64,
    /// What was wrong, whatever the policy.
    pub defects: DataDefects,
    /// Why the message must be refused, under the [`Limits`] in force; the
    /// most serious reason when there are several. `None`: accept it.
    pub refusal: Option<DataRefusal>,
}

impl DataEnd {
    /// True when the message may be accepted.
    pub fn is_accepted(&self) -> bool {
        self.refusal.is_none()
    }
}

/// What [`DataDecoder::decode`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataEvent<'a> {
    /// Message bytes, unstuffed: append them to the message. Usually a
    /// slice of the input; a few constant bytes when a CR held back from
    /// earlier input, or a normalised line end, is handed out.
    Body(&'a [u8]),
    /// `<CRLF>.<CRLF>` was read: the message is complete. The input after
    /// the consumed bytes is commands again.
    End(DataEnd),
    /// Every input byte was read: call again with more.
    NeedMore,
}

/// One call's result: how many input bytes were read, and what they gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct DataStep<'a> {
    /// Input bytes read; the next call starts at `input[consumed..]`.
    pub consumed: usize,
    /// What they gave.
    pub event: DataEvent<'a>,
}

/// Reads the message data that follows `DATA` (RFC 5321 §4.1.1.4), in
/// chunks of any size, without buffering it.
///
/// ```text
/// data  = *line "." CRLF      ; read from the start of the data
/// line  = [ "." ] text CRLF   ; a leading "." is removed (RFC 5321 §4.5.2)
/// ```
///
/// - Only `<CRLF>.<CRLF>` ends the data, `.<CRLF>` as the very first line
///   included (the CRLF of the `DATA` command line counts). A bare CR or LF
///   never starts a line, so `<LF>.<LF>`, `<LF>.<CRLF>`, `<CR>.<CR>` and the
///   other forms used to smuggle a second message are data.
/// - A leading dot is removed from every line, the first one included.
/// - Bare CR, bare LF and NUL follow [`Limits::data_policy`]; by default the
///   data is read to its end and the message is then refused.
/// - A line over [`Limits::data_line`] and a message over
///   [`Limits::message_size`] are reported in the [`DataEnd`]; the data is
///   still read to its end, so the framing is never lost. Body past the
///   size limit is not handed out.
///
/// The input is scanned with `memchr` for CR, LF and NUL; runs of body are
/// handed out as slices of the input, so nothing is copied and the decoder
/// keeps no buffer: its memory is a few words whatever the peer sends. The
/// body and the end are the same however the input is split.
///
/// ```
/// use mailwire_smtp::decode::{DataDecoder, DataEvent};
/// use mailwire_smtp::Limits;
///
/// let input = b"Subject: hi\r\n\r\n..dots\r\n.\r\nQUIT\r\n";
/// let mut decoder = DataDecoder::new(Limits::default());
/// let mut body = Vec::new();
/// let mut rest = &input[..];
/// let end = loop {
///     let step = decoder.decode(rest);
///     rest = &rest[step.consumed..];
///     match step.event {
///         DataEvent::Body(bytes) => body.extend_from_slice(bytes),
///         DataEvent::End(end) => break end,
///         DataEvent::NeedMore => unreachable!("the whole stream was given"),
///     }
/// };
/// assert_eq!(body, b"Subject: hi\r\n\r\n.dots\r\n");
/// assert_eq!(end.size, 22);
/// assert!(end.is_accepted());
/// assert_eq!(rest, b"QUIT\r\n"); // back to the command decoder
/// ```
#[derive(Debug, Clone)]
pub struct DataDecoder {
    limits: Limits,
    state: State,
    /// Octets of the current line so far, without its line end.
    line_len: usize,
    size: u64,
    defects: DataDefects,
    /// Bytes from the next input byte on that were checked clean: no NUL,
    /// no bare CR or LF, no line over the limit.
    clean_ahead: usize,
    /// Bytes from the next input byte on that failed that check, and are
    /// read octet class by octet class.
    slow_ahead: usize,
    /// Finds `CRLF "."`: the lines that need unstuffing, and the end.
    finder: memchr::memmem::Finder<'static>,
}

/// Bytes checked at once before the fast path runs over them.
const REGION: usize = 16 * 1024;
/// Granularity of the line-length bound in that check.
const GRAIN: usize = 64;

const CRLF: &[u8] = b"\r\n";
const CR: &[u8] = b"\r";

impl DataDecoder {
    /// A decoder for one message, enforcing `limits`.
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            state: State::LineStart,
            line_len: 0,
            size: 0,
            defects: DataDefects::default(),
            clean_ahead: 0,
            slow_ahead: 0,
            finder: memchr::memmem::Finder::new(b"\r\n."),
        }
    }

    /// Makes the decoder ready for the next message.
    pub fn reset(&mut self) {
        *self = Self::new(self.limits);
    }

    /// True once the end of the data has been read.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Octets of message so far (see [`DataEnd::size`]).
    pub fn size(&self) -> u64 {
        self.size
    }

    /// What was wrong so far. A server may stop storing the message at the
    /// first defect it refuses, and go on decoding to the end.
    pub fn defects(&self) -> DataDefects {
        self.defects
    }

    /// Reads from `input`, which must start with the first byte not yet
    /// consumed, up to the next piece of body or the end of the data.
    ///
    /// After the end, every call answers [`DataEvent::End`] again and
    /// consumes nothing.
    pub fn decode<'a>(&mut self, input: &'a [u8]) -> DataStep<'a> {
        let mut consumed = 0;
        loop {
            let rest = input.get(consumed..).unwrap_or_default();
            let raw = self.step(rest);
            consumed += raw.consumed;
            if raw.end {
                return DataStep {
                    consumed,
                    event: DataEvent::End(self.end()),
                };
            }
            let body = match raw.piece {
                Piece::None => &[][..],
                Piece::Input(n) => rest.get(..n).unwrap_or_default(),
                Piece::Const(c) => c,
            };
            if !body.is_empty() {
                return DataStep {
                    consumed,
                    event: DataEvent::Body(body),
                };
            }
            if raw.consumed == 0 && rest.is_empty() {
                return DataStep {
                    consumed,
                    event: DataEvent::NeedMore,
                };
            }
        }
    }

    /// Reads all of `input` or up to the end of the data, handing every
    /// piece of body to `body`. Returns the end and the bytes consumed when
    /// the data has ended, `None` when all of `input` was read and more is
    /// needed.
    ///
    /// ```
    /// use mailwire_smtp::decode::DataDecoder;
    /// use mailwire_smtp::Limits;
    /// let mut decoder = DataDecoder::new(Limits::default());
    /// let mut body = Vec::new();
    /// assert!(decoder.decode_into(b"line one\r\n.", |b| body.extend_from_slice(b)).is_none());
    /// let (end, used) = decoder.decode_into(b"\r\nRSET\r\n", |b| body.extend_from_slice(b)).unwrap();
    /// assert_eq!((body.as_slice(), used, end.size), (&b"line one\r\n"[..], 2, 10));
    /// ```
    pub fn decode_into<'a>(
        &mut self,
        input: &'a [u8],
        mut body: impl FnMut(&'a [u8]),
    ) -> Option<(DataEnd, usize)> {
        let mut consumed = 0;
        loop {
            let step = self.decode(input.get(consumed..).unwrap_or_default());
            consumed += step.consumed;
            match step.event {
                DataEvent::Body(b) => body(b),
                DataEvent::End(end) => return Some((end, consumed)),
                DataEvent::NeedMore => return None,
            }
        }
    }

    /// The summary, under the limits in force.
    pub(crate) fn end_summary(&self) -> DataEnd {
        self.end()
    }

    fn end(&self) -> DataEnd {
        let d = &self.defects;
        let p = &self.limits.data_policy;
        let refusal = if d.too_big {
            Some(DataRefusal::TooBig)
        } else if d.long_lines > 0 {
            Some(DataRefusal::LineTooLong)
        } else if (d.bare_cr > 0 && p.bare_cr == BareLineEnd::Reject)
            || (d.bare_lf > 0 && p.bare_lf == BareLineEnd::Reject)
        {
            Some(DataRefusal::BareLineEnd)
        } else if d.nul > 0 && p.nul == NulByte::Reject {
            Some(DataRefusal::Nul)
        } else {
            None
        };
        DataEnd {
            size: self.size,
            defects: self.defects,
            refusal,
        }
    }

    /// One step from `input[0]`: hands out at most one piece.
    pub(crate) fn step(&mut self, input: &[u8]) -> Raw {
        let raw = self.step_inner(input);
        self.clean_ahead = self.clean_ahead.saturating_sub(raw.consumed);
        self.slow_ahead = self.slow_ahead.saturating_sub(raw.consumed);
        raw
    }

    fn step_inner(&mut self, input: &[u8]) -> Raw {
        match self.state {
            State::Done => Raw {
                consumed: 0,
                piece: Piece::None,
                end: true,
            },
            _ if input.is_empty() => Raw::new(0, Piece::None),
            State::LineStart => {
                if input.first() == Some(&b'.') {
                    self.state = State::Dot;
                    Raw::new(1, Piece::None)
                } else {
                    self.state = State::Mid;
                    self.mid(input)
                }
            }
            State::Dot => match input {
                [b'\r', b'\n', ..] => self.finish(2),
                [b'\r'] => {
                    self.state = State::DotCr;
                    Raw::new(1, Piece::None)
                }
                // The dot was stuffing: dropped.
                _ => {
                    self.state = State::Mid;
                    self.mid(input)
                }
            },
            State::DotCr => {
                if input.first() == Some(&b'\n') {
                    self.finish(1)
                } else {
                    self.state = State::Mid;
                    let piece = self.bare_cr();
                    self.out_const(0, piece)
                }
            }
            State::Cr => {
                if input.first() == Some(&b'\n') {
                    self.line_end();
                    self.state = State::LineStart;
                    self.out_const(1, CRLF)
                } else {
                    self.state = State::Mid;
                    let piece = self.bare_cr();
                    self.out_const(0, piece)
                }
            }
            State::Mid => self.mid(input),
        }
    }

    fn finish(&mut self, consumed: usize) -> Raw {
        self.state = State::Done;
        Raw {
            consumed,
            piece: Piece::None,
            end: true,
        }
    }

    /// A CR not followed by LF: counted, and what it becomes.
    fn bare_cr(&mut self) -> &'static [u8] {
        self.defects.bare_cr += 1;
        if self.limits.data_policy.bare_cr == BareLineEnd::Normalise {
            self.line_end();
            CRLF
        } else {
            self.line_len = self.line_len.saturating_add(1);
            CR
        }
    }

    /// The current line ends: checks its length, line end included.
    fn line_end(&mut self) {
        self.line_end_with(2);
    }

    /// The current line ends in a line end of `len` octets.
    fn line_end_with(&mut self, len: usize) {
        if self.line_len.saturating_add(len) > self.limits.data_line {
            self.defects.long_lines += 1;
        }
        self.line_len = 0;
    }

    /// Counts `n` octets of body and returns how many may be handed out.
    fn allow(&mut self, n: usize) -> usize {
        let room = self.limits.message_size.saturating_sub(self.size);
        self.size = self.size.saturating_add(n as u64);
        if n as u64 > room {
            self.defects.too_big = true;
            // `room` < `n`, so it fits.
            usize::try_from(room).unwrap_or(0)
        } else {
            n
        }
    }

    fn out_input(&mut self, n: usize, consumed: usize) -> Raw {
        let n = self.allow(n);
        Raw::new(consumed, Piece::Input(n))
    }

    fn out_const(&mut self, consumed: usize, bytes: &'static [u8]) -> Raw {
        let n = self.allow(bytes.len());
        Raw::new(consumed, Piece::Const(bytes.get(..n).unwrap_or_default()))
    }

    /// Inside a line: hands out the longest run of body from `input[0]`
    /// that needs no change, or deals with the special octet at `input[0]`.
    ///
    /// Input is first checked a region at a time ([`Self::check`]); over
    /// a clean region only `CRLF "."` is searched for, with `memmem`. A
    /// region that is not clean is read by [`Self::mid_exact`].
    fn mid(&mut self, input: &[u8]) -> Raw {
        if self.clean_ahead == 0 && self.slow_ahead == 0 {
            self.check(input);
        }
        if self.clean_ahead > 0
            && input.first() != Some(&b'\n')
            && let Some(raw) = self.mid_clean(input)
        {
            return raw;
        }
        self.mid_exact(input)
    }

    /// Checks `input[..k]` for a region of up to [`REGION`] octets: every
    /// CR followed by LF and every LF preceded by CR (the pairs reach
    /// `input[k]`), no NUL, and no line over the limit. Sets
    /// `clean_ahead` or `slow_ahead` to `k`.
    fn check(&mut self, input: &[u8]) {
        let k = input.len().saturating_sub(1).min(REGION);
        if k == 0 {
            return;
        }
        // A line over the limit leaves `runs` whole grains without LF.
        let runs = self
            .limits
            .data_line
            .saturating_add(1)
            .saturating_sub(GRAIN)
            / GRAIN;
        let (Some(x), Some(y)) = (input.get(..k), input.get(1..=k)) else {
            return;
        };
        let first_ok = input.first() != Some(&b'\n')
            && match memchr::memchr(b'\n', y) {
                // The line that started before: its exact length.
                Some(j) => self.line_len.saturating_add(j + 2) <= self.limits.data_line,
                None => true,
            };
        if runs >= 2 && first_ok && clean(x, y, runs) {
            self.clean_ahead = k;
        } else {
            self.slow_ahead = k;
        }
    }

    /// The fast path over a clean region: the run up to the next line
    /// that starts with `.`, or to the region's end.
    fn mid_clean(&mut self, input: &[u8]) -> Option<Raw> {
        let k = self.clean_ahead.min(input.len());
        let region = input.get(..k)?;
        if let Some(p) = self.finder.find(region) {
            // The line ends at p + 2; its length was checked.
            self.line_len = 0;
            self.state = State::Dot;
            return Some(self.out_input(p + 2, p + 3));
        }
        let mut e = k;
        if region.last() == Some(&b'\r') {
            // Keep a CRLF together.
            e -= 1;
        }
        let run = input.get(..e).filter(|r| !r.is_empty())?;
        match memchr::memrchr(b'\n', run) {
            Some(q) => self.line_len = e - q - 1,
            None => self.line_len = self.line_len.saturating_add(e),
        }
        if run.last() == Some(&b'\n') {
            self.state = State::LineStart;
        }
        Some(self.out_input(e, e))
    }

    /// Reads from `input[0]` octet class by octet class (CR, LF, NUL found
    /// with `memchr3`), exact for every defect.
    fn mid_exact(&mut self, input: &[u8]) -> Raw {
        let policy = self.limits.data_policy;
        let mut pos = 0;
        // Where the bytes of the current line start in `input`.
        let mut line_start = 0;
        loop {
            let Some(i) = memchr::memchr3(b'\r', b'\n', 0, input.get(pos..).unwrap_or_default())
            else {
                self.line_len = self.line_len.saturating_add(input.len() - line_start);
                return self.out_input(input.len(), input.len());
            };
            let at = pos + i;
            match input.get(at).copied().unwrap_or_default() {
                b'\r' => match input.get(at + 1) {
                    Some(b'\n') => {
                        self.line_len = self.line_len.saturating_add(at - line_start);
                        self.line_end();
                        let next = at + 2;
                        match input.get(next) {
                            Some(b'.') => {
                                self.state = State::Dot;
                                return self.out_input(next, next + 1);
                            }
                            Some(_) => {
                                pos = next;
                                line_start = next;
                            }
                            None => {
                                self.state = State::LineStart;
                                return self.out_input(next, next);
                            }
                        }
                    }
                    None => {
                        // Is it a line end? The next input says.
                        self.line_len = self.line_len.saturating_add(at - line_start);
                        self.state = State::Cr;
                        return self.out_input(at, at + 1);
                    }
                    Some(_) if policy.bare_cr == BareLineEnd::Normalise => {
                        if at > 0 {
                            self.line_len = self.line_len.saturating_add(at - line_start);
                            return self.out_input(at, at);
                        }
                        let piece = self.bare_cr();
                        return self.out_const(1, piece);
                    }
                    Some(_) => {
                        // Data; `pos` moves past it, so it is counted once.
                        self.defects.bare_cr += 1;
                        pos = at + 1;
                    }
                },
                b'\n' => {
                    // An LF right after a CR was taken with the CR above.
                    if policy.bare_lf == BareLineEnd::Normalise {
                        if at > 0 {
                            self.line_len = self.line_len.saturating_add(at - line_start);
                            return self.out_input(at, at);
                        }
                        self.defects.bare_lf += 1;
                        self.line_end();
                        return self.out_const(1, CRLF);
                    }
                    self.defects.bare_lf += 1;
                    // A line ends at LF for the length limit, never for
                    // the framing.
                    self.line_len = self.line_len.saturating_add(at - line_start);
                    self.line_end_with(1);
                    pos = at + 1;
                    line_start = pos;
                }
                _ => {
                    if policy.nul == NulByte::Strip {
                        if at > 0 {
                            self.line_len = self.line_len.saturating_add(at - line_start);
                            return self.out_input(at, at);
                        }
                        self.defects.nul += 1;
                        return Raw::new(1, Piece::None);
                    }
                    self.defects.nul += 1;
                    pos = at + 1;
                }
            }
        }
    }
}

/// True when, for every `i`, `x[i]` is CR exactly when `y[i]` is LF,
/// `x[i]` is not NUL, and no `runs` grains in a row of `y` lack an LF.
/// `y` is `x` shifted by one octet. Written so that it compiles to vector
/// instructions: it runs at memory speed.
fn clean(x: &[u8], y: &[u8], runs: usize) -> bool {
    let mut bad = 0u8;
    let mut run = 0usize;
    let mut grain = |cx: &[u8], cy: &[u8]| {
        let mut b = 0u8;
        let mut lf = 0u8;
        for (&a, &n) in cx.iter().zip(cy) {
            let l = u8::from(n == b'\n');
            b |= (u8::from(a == b'\r') ^ l) | u8::from(a == 0);
            lf |= l;
        }
        bad |= b;
        if lf != 0 {
            run = 0;
        } else {
            run += 1;
        }
        run < runs
    };
    let xs = x.chunks_exact(GRAIN);
    let ys = y.chunks_exact(GRAIN);
    let (xr, yr) = (xs.remainder(), ys.remainder());
    for (cx, cy) in xs.zip(ys) {
        let (Ok(cx), Ok(cy)) = (<&[u8; GRAIN]>::try_from(cx), <&[u8; GRAIN]>::try_from(cy)) else {
            return false;
        };
        if !grain(cx, cy) {
            return false;
        }
    }
    grain(xr, yr) && bad == 0
}

/// One `BDAT` chunk (RFC 3030 §2): exactly `size` octets of message,
/// taken as they arrive and never buffered or allocated from the announced
/// size.
///
/// ```
/// use mailwire_smtp::decode::{BdatChunk, CommandDecoder};
/// use mailwire_smtp::Limits;
/// let mut decoder = CommandDecoder::new(Limits::default());
/// decoder.push(b"BDAT 12 LAST\r\nhello, ");
/// decoder.next_command().unwrap().unwrap();
/// let mut chunk = BdatChunk::from_stop(decoder.stopped().unwrap()).unwrap();
/// let mut data = Vec::new();
/// while let Some(part) = decoder.next_bdat(&mut chunk) {
///     data.extend_from_slice(&part);
/// }
/// assert_eq!(chunk.remaining(), 5);
/// decoder.push(b"worldQUIT\r\n");
/// while let Some(part) = decoder.next_bdat(&mut chunk) {
///     data.extend_from_slice(&part);
/// }
/// assert!(chunk.is_complete() && chunk.is_last());
/// assert_eq!(data, b"hello, world");
/// // The decoder went back to commands by itself.
/// assert!(decoder.next_command().unwrap().is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BdatChunk {
    size: u64,
    remaining: u64,
    last: bool,
}

impl BdatChunk {
    /// A chunk of `size` octets; `last` for `BDAT … LAST`.
    pub fn new(size: u64, last: bool) -> Self {
        Self {
            size,
            remaining: size,
            last,
        }
    }

    /// The chunk a [`Stop::Bdat`](crate::types::Stop::Bdat) announces.
    pub fn from_stop(stop: crate::types::Stop) -> Option<Self> {
        match stop {
            crate::types::Stop::Bdat { size, last } => Some(Self::new(size, last)),
            _ => None,
        }
    }

    /// Takes the chunk's bytes from the front of `input`: at most
    /// [`remaining`](Self::remaining). The rest of `input` is not the
    /// chunk's.
    pub fn read<'a>(&mut self, input: &'a [u8]) -> &'a [u8] {
        let n = usize::try_from(self.remaining).map_or(input.len(), |r| r.min(input.len()));
        self.remaining -= n as u64;
        input.get(..n).unwrap_or_default()
    }

    /// The announced size.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Octets still to come.
    pub fn remaining(&self) -> u64 {
        self.remaining
    }

    /// True once every octet has been taken.
    pub fn is_complete(&self) -> bool {
        self.remaining == 0
    }

    /// True for the last chunk of the message.
    pub fn is_last(&self) -> bool {
        self.last
    }
}

#[cfg(test)]
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;

    /// Decodes `input` in chunks of `chunk` octets: the body, the end, and
    /// the input consumed.
    pub(crate) fn run(
        input: &[u8],
        chunk: usize,
        limits: Limits,
    ) -> (Vec<u8>, Option<DataEnd>, usize) {
        let mut d = DataDecoder::new(limits);
        let mut body = Vec::new();
        let mut consumed = 0;
        // The caller keeps what was not consumed and appends new input.
        let mut pending: Vec<u8> = Vec::new();
        for c in input.chunks(chunk.max(1)) {
            pending.extend_from_slice(c);
            match d.decode_into(&pending, |b| body.extend_from_slice(b)) {
                Some((end, used)) => return (body, Some(end), consumed + used),
                None => {
                    consumed += pending.len();
                    pending.clear();
                }
            }
        }
        (body, None, consumed)
    }

    fn whole(input: &[u8]) -> (Vec<u8>, Option<DataEnd>, usize) {
        let r = run(input, input.len(), Limits::default());
        for chunk in 1..input.len() {
            assert_eq!(run(input, chunk, Limits::default()), r, "chunk {chunk}");
        }
        r
    }

    #[test]
    fn canonical_end_and_unstuffing() {
        let (body, end, used) = whole(b"a\r\n..b\r\n.c\r\n.\r\nQUIT\r\n");
        assert_eq!(body, b"a\r\n.b\r\nc\r\n");
        let end = end.unwrap();
        assert_eq!(used, 15);
        assert_eq!(end.size, 10);
        assert!(end.is_accepted());
        // The first line counts as a line start.
        let (body, end, used) = whole(b".\r\n");
        assert_eq!((body.len(), used), (0, 3));
        assert!(end.unwrap().is_accepted());
        let (body, _, used) = whole(b"..\r\n.\r\n");
        assert_eq!((body.as_slice(), used), (&b".\r\n"[..], 7));
        let (body, _, _) = whole(b"\r\n.\r\n");
        assert_eq!(body, b"\r\n");
    }

    #[test]
    fn smuggled_ends_are_data() {
        for eod in [
            &b"\n.\n"[..],
            b"\n.\r\n",
            b"\r.\r",
            b"\r.\n",
            b"\n.\r",
            b"\r.\r\n",
            b"\r\n.\n",
            b"\r\n.\r",
            b"\r\n.\r\r\n",
            b"\r\r\n.\r\r\n",
            b"\r\n\x00.\r\n",
            b"\r\n.\x00\r\n",
        ] {
            let mut input = b"first mail".to_vec();
            input.extend_from_slice(eod);
            input.extend_from_slice(b"MAIL FROM:<a@b>\r\n");
            let tail = b"\r\n.\r\nNEXT";
            input.extend_from_slice(tail);
            let (_, end, used) = whole(&input);
            let end = end.unwrap();
            assert_eq!(used, input.len() - 4, "{eod:?}");
            assert!(!end.is_accepted(), "{eod:?}");
            assert!(matches!(
                end.refusal,
                Some(DataRefusal::BareLineEnd | DataRefusal::Nul)
            ));
        }
    }

    #[test]
    fn policies() {
        let mut limits = Limits::default();
        limits.data_policy.bare_cr = BareLineEnd::Normalise;
        limits.data_policy.bare_lf = BareLineEnd::Normalise;
        limits.data_policy.nul = NulByte::Strip;
        let input = b"a\nb\rc\r\r\n\n.\n\x00x\x00\r\n.\r\n";
        let r = run(input, input.len(), limits);
        for chunk in 1..input.len() {
            assert_eq!(run(input, chunk, limits), r);
        }
        let (body, end, used) = r;
        assert_eq!(body, b"a\r\nb\r\nc\r\n\r\n\r\n.\r\nx\r\n");
        assert_eq!(used, input.len());
        let end = end.unwrap();
        assert!(end.is_accepted());
        assert_eq!(
            (end.defects.bare_cr, end.defects.bare_lf, end.defects.nul),
            (2, 3, 2)
        );
        limits.data_policy.bare_cr = BareLineEnd::Keep;
        limits.data_policy.bare_lf = BareLineEnd::Keep;
        limits.data_policy.nul = NulByte::Keep;
        let (body, end, _) = run(input, 3, limits);
        assert_eq!(body, &input[..input.len() - 3]);
        assert!(end.unwrap().is_accepted());
        let (_, end, _) = run(b"\x00\r\n.\r\n", 1, Limits::default());
        assert_eq!(end.unwrap().refusal, Some(DataRefusal::Nul));
        assert_eq!(DataRefusal::Nul.reply_code().get(), 554);
    }

    #[test]
    fn long_lines_and_big_messages_are_reported_at_the_end() {
        let mut input = vec![b'x'; 998];
        input.extend_from_slice(b"\r\n");
        input.extend_from_slice(&[b'.'; 999]); // 998 after unstuffing
        input.extend_from_slice(b"\r\n.\r\n");
        let (_, end, used) = run(&input, 7, Limits::default());
        assert_eq!(used, input.len());
        assert!(end.unwrap().is_accepted());
        input.insert(0, b'y');
        let (_, end, used) = run(&input, 7, Limits::default());
        assert_eq!(used, input.len());
        let end = end.unwrap();
        assert_eq!(end.defects.long_lines, 1);
        assert_eq!(end.refusal, Some(DataRefusal::LineTooLong));
        assert_eq!(end.refusal.unwrap().reply_code().get(), 500);

        let mut limits = Limits::default();
        limits.message_size = 10;
        let input = b"0123456789abc\r\n.\r\nQUIT\r\n";
        for chunk in 1..input.len() {
            let (body, end, used) = run(input, chunk, limits);
            assert_eq!(body, b"0123456789");
            assert_eq!(used, input.len() - 6);
            let end = end.unwrap();
            assert_eq!(end.size, 15);
            assert_eq!(end.refusal, Some(DataRefusal::TooBig));
            assert_eq!(end.refusal.unwrap().reply_code().get(), 552);
        }
    }

    #[test]
    fn after_the_end_nothing_is_consumed() {
        let mut d = DataDecoder::new(Limits::default());
        let s = d.decode(b".\r\nQUIT\r\n");
        assert_eq!(s.consumed, 3);
        assert!(matches!(s.event, DataEvent::End(_)));
        assert!(d.is_done());
        let s = d.decode(b"QUIT\r\n");
        assert_eq!(s.consumed, 0);
        assert!(matches!(s.event, DataEvent::End(_)));
        d.reset();
        assert!(!d.is_done());
        assert_eq!(d.decode(b"").event, DataEvent::NeedMore);
    }

    #[test]
    fn bdat_chunk_takes_exactly_its_size() {
        let mut c = BdatChunk::new(5, false);
        assert_eq!(c.read(b"abc"), b"abc");
        assert_eq!(c.read(b"defgh"), b"de");
        assert!(c.is_complete());
        assert_eq!(c.read(b"x"), b"");
        let mut huge = BdatChunk::new(u64::MAX, true);
        assert_eq!(huge.read(b"abc"), b"abc");
        assert_eq!(huge.remaining(), u64::MAX - 3);
    }
}
