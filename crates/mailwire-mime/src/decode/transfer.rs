//! Content-Transfer-Encoding decoders (RFC 2045 §6): base64 and
//! quoted-printable, streaming and tolerant.
//!
//! Each decoder takes its input in chunks of any size and keeps what it
//! needs between them (at most three base64 digits; a `=` escape and a
//! bounded run of white space for quoted-printable), so its output and its
//! defects are the same however the input is split. Defect offsets count
//! from the first byte given to the decoder, plus the base offset it was
//! created with.

use crate::types::{Defect, DefectKind, TransferEncoding};

/// Base64 digit values; `PAD` for `=`, `SKIP` for white space and line
/// breaks, `BAD` for everything else.
const PAD: u8 = 0x40;
const SKIP: u8 = 0x41;
const BAD: u8 = 0xFF;

const fn base64_table() -> [u8; 256] {
    let mut t = [BAD; 256];
    let mut i: u8 = 0;
    while i < 26 {
        t[(b'A' + i) as usize] = i;
        t[(b'a' + i) as usize] = 26 + i;
        i += 1;
    }
    let mut d: u8 = 0;
    while d < 10 {
        t[(b'0' + d) as usize] = 52 + d;
        d += 1;
    }
    t[b'+' as usize] = 62;
    t[b'/' as usize] = 63;
    t[b'=' as usize] = PAD;
    t[b' ' as usize] = SKIP;
    t[b'\t' as usize] = SKIP;
    t[b'\r' as usize] = SKIP;
    t[b'\n' as usize] = SKIP;
    t
}

static BASE64: [u8; 256] = base64_table();

/// Digit values shifted into their place in a 24-bit group
/// (`value << shift`); bit 24 set for every byte that is not a digit.
const fn shifted_table(shift: u32) -> [u32; 256] {
    let plain = base64_table();
    let mut t = [1 << 24; 256];
    let mut i = 0;
    while i < 256 {
        if plain[i] < 64 {
            t[i] = (plain[i] as u32) << shift;
        }
        i += 1;
    }
    t
}

static DIGIT0: [u32; 256] = shifted_table(18);
static DIGIT1: [u32; 256] = shifted_table(12);
static DIGIT2: [u32; 256] = shifted_table(6);
static DIGIT3: [u32; 256] = shifted_table(0);

/// The 24 bits of a group of four digits; bit 24 or above set when one of
/// them is not a digit.
#[inline(always)]
fn group(&[a, b, c, d]: &[u8; 4]) -> u32 {
    DIGIT0[usize::from(a)]
        | DIGIT1[usize::from(b)]
        | DIGIT2[usize::from(c)]
        | DIGIT3[usize::from(d)]
}

/// Pushes a defect of `kind` unless one of that kind was already reported
/// (`seen`).
fn once(seen: &mut bool, defects: &mut Vec<Defect>, offset: usize, kind: DefectKind) {
    if !*seen {
        *seen = true;
        defects.push(Defect { offset, kind });
    }
}

/// A streaming base64 decoder (RFC 2045 §6.8), tolerant like the mail
/// clients people use:
///
/// - white space and line breaks anywhere are skipped;
/// - other characters outside the alphabet are skipped, with one
///   [`DefectKind::InvalidBase64Characters`];
/// - missing padding at the end is tolerated (the partial group is
///   decoded) and reported as [`DefectKind::InvalidBase64Padding`], as is a
///   `=` where none may stand (skipped);
/// - decoding goes on after padding, so concatenated base64 texts decode;
/// - a lone last digit, less than one octet, is dropped with a
///   [`DefectKind::InvalidBase64Length`].
///
/// Between groups, clean input takes a fast path: eight digits at a time
/// through a table into one 48-bit word, then whole groups of four, line
/// breaks skipped between them. Anything else (a bad character, padding,
/// white space inside a group, a group split across chunks) takes the
/// byte-by-byte path, which gives the same output and defects.
///
/// ```
/// use mailwire_mime::decode::Base64Decoder;
/// let mut d = Base64Decoder::new(0);
/// let (mut out, mut defects) = (Vec::new(), Vec::new());
/// d.decode(b"SGVsbG8s\r\nIHdv", &mut out, &mut defects);
/// d.decode(b"cmxkIQ", &mut out, &mut defects);
/// d.finish(&mut out, &mut defects);
/// assert_eq!(out, b"Hello, world!");
/// assert_eq!(defects.len(), 1); // the missing "=="
/// ```
#[derive(Debug, Clone, Default)]
pub struct Base64Decoder {
    /// Bits of the digits of the current group, most significant first.
    bits: u32,
    /// Digits in the current group (0 to 3).
    digits: u8,
    /// `=` still expected after a group closed by padding.
    pad_expected: u8,
    /// Offset of the next input byte.
    offset: usize,
    seen_invalid: bool,
    seen_padding: bool,
}

impl Base64Decoder {
    /// A decoder whose first input byte is at `offset` (for defects).
    pub fn new(offset: usize) -> Self {
        Self {
            offset,
            ..Self::default()
        }
    }

    /// Decodes the next chunk of input, appending octets to `out` and
    /// defects to `defects`.
    pub fn decode(&mut self, input: &[u8], out: &mut Vec<u8>, defects: &mut Vec<Defect>) {
        let start = out.len();
        // Room for every whole group, a group completed from the previous
        // chunk, and the two octets past the end of an eight-digit block.
        out.resize(start + input.len() / 4 * 3 + 16, 0);
        let mut w = start;
        let mut i = 0;
        let n = input.len();
        loop {
            // Whole groups: eight digits at a time, then four. A block with
            // anything but digits in it goes to the byte-by-byte path below.
            if self.digits == 0 {
                let before = i;
                while let (Some(s), Some(slot)) = (
                    input.get(i..).and_then(<[u8]>::first_chunk::<8>),
                    out.get_mut(w..).and_then(<[u8]>::first_chunk_mut::<8>),
                ) {
                    let [a, b, c, d, e, f, g, h] = *s;
                    let (x, y) = (group(&[a, b, c, d]), group(&[e, f, g, h]));
                    if (x | y) >> 24 != 0 {
                        break;
                    }
                    let acc = u64::from(x) << 24 | u64::from(y);
                    // 48 bits in the top six octets; the last two are
                    // overwritten by what comes next or truncated away.
                    *slot = (acc << 16).to_be_bytes();
                    i += 8;
                    w += 6;
                }
                while let Some(s) = input.get(i..).and_then(<[u8]>::first_chunk::<4>) {
                    let v = group(s);
                    if v >> 24 != 0 {
                        break;
                    }
                    let [_, x, y, z] = v.to_be_bytes();
                    if let Some(dst) = out.get_mut(w..w + 3) {
                        dst.copy_from_slice(&[x, y, z]);
                    }
                    w += 3;
                    i += 4;
                }
                if i > before {
                    self.pad_expected = 0;
                }
                // Line breaks between whole groups.
                match input.get(i..i + 2) {
                    Some(b"\r\n") => {
                        i += 2;
                        continue;
                    }
                    Some([b'\n', _]) => {
                        i += 1;
                        continue;
                    }
                    _ => {}
                }
            }
            let Some(&byte) = input.get(i) else { break };
            let at = self.offset + i;
            i += 1;
            match BASE64[usize::from(byte)] {
                SKIP => {}
                PAD => match self.digits {
                    2 | 3 => {
                        let [_, x, y, _] =
                            (self.bits << (6 * (4 - u32::from(self.digits)))).to_be_bytes();
                        let bytes = if self.digits == 2 {
                            &[x][..]
                        } else {
                            &[x, y][..]
                        };
                        if let Some(dst) = out.get_mut(w..w + bytes.len()) {
                            dst.copy_from_slice(bytes);
                        }
                        w += bytes.len();
                        self.pad_expected = 3 - self.digits;
                        self.digits = 0;
                        self.bits = 0;
                    }
                    _ if self.pad_expected > 0 => self.pad_expected -= 1,
                    _ => once(
                        &mut self.seen_padding,
                        defects,
                        at,
                        DefectKind::InvalidBase64Padding,
                    ),
                },
                BAD => once(
                    &mut self.seen_invalid,
                    defects,
                    at,
                    DefectKind::InvalidBase64Characters,
                ),
                v => {
                    self.pad_expected = 0;
                    self.bits = self.bits << 6 | u32::from(v);
                    self.digits += 1;
                    if self.digits == 4 {
                        let [_, x, y, z] = self.bits.to_be_bytes();
                        if let Some(dst) = out.get_mut(w..w + 3) {
                            dst.copy_from_slice(&[x, y, z]);
                        }
                        w += 3;
                        self.digits = 0;
                        self.bits = 0;
                    }
                }
            }
        }
        out.truncate(w);
        self.offset += n;
    }

    /// Ends the input: decodes a last group that lacked its padding, and
    /// reports what was missing.
    pub fn finish(&mut self, out: &mut Vec<u8>, defects: &mut Vec<Defect>) {
        match self.digits {
            1 => defects.push(Defect {
                offset: self.offset,
                kind: DefectKind::InvalidBase64Length,
            }),
            2 | 3 => {
                let [_, x, y, _] = (self.bits << (6 * (4 - u32::from(self.digits)))).to_be_bytes();
                out.push(x);
                if self.digits == 3 {
                    out.push(y);
                }
                once(
                    &mut self.seen_padding,
                    defects,
                    self.offset,
                    DefectKind::InvalidBase64Padding,
                );
            }
            _ => {
                if self.pad_expected > 0 {
                    once(
                        &mut self.seen_padding,
                        defects,
                        self.offset,
                        DefectKind::InvalidBase64Padding,
                    );
                }
            }
        }
        self.digits = 0;
        self.bits = 0;
        self.pad_expected = 0;
    }
}

/// The longest run of white space kept back as possibly trailing (to be
/// deleted before a line break); a longer run is content.
const MAX_HELD_SPACE: usize = 998;

/// Where a quoted-printable decoder is inside an `=` sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum QpState {
    /// Not inside one.
    #[default]
    Text,
    /// After `=`, at the given offset.
    Equals(usize),
    /// After `=` and one hexadecimal digit (as written).
    Hex(usize, u8),
    /// After `=` and white space (held): a soft line break if a line break
    /// follows.
    Soft(usize),
}

/// A streaming quoted-printable decoder (RFC 2045 §6.7), tolerant:
///
/// - `=XX` (hexadecimal digits in either case) is the octet `XX`;
/// - `=` followed by optional white space and a line break is a soft line
///   break, removed (rule 5);
/// - white space at the end of a line is deleted (rule 3), up to 998
///   octets of it (a longer run is kept);
/// - a `=` followed by anything else is kept as written, with one
///   [`DefectKind::InvalidQuotedPrintable`];
/// - line breaks are kept as written (CRLF or bare LF); everything else
///   passes through.
///
/// Runs of plain text are found with `memchr` and copied whole.
///
/// ```
/// use mailwire_mime::decode::QuotedPrintableDecoder;
/// let mut d = QuotedPrintableDecoder::new(0);
/// let (mut out, mut defects) = (Vec::new(), Vec::new());
/// d.decode(b"caf=C3=A9 au =\r\nlait  \r\n=", &mut out, &mut defects);
/// d.decode(b"3D =ZZ", &mut out, &mut defects);
/// d.finish(&mut out, &mut defects);
/// assert_eq!(out, "café au lait\r\n= =ZZ".as_bytes());
/// assert_eq!(defects[0].offset, 28);
/// ```
#[derive(Debug, Clone, Default)]
pub struct QuotedPrintableDecoder {
    state: QpState,
    /// White space (and CR) seen at the end of the text so far, not yet
    /// written: deleted if a line break follows.
    held: Vec<u8>,
    /// The current run of white space is longer than [`MAX_HELD_SPACE`]:
    /// it is content, written as it comes.
    long_run: bool,
    /// Offset of the next input byte.
    offset: usize,
    seen_invalid: bool,
}

/// Hexadecimal digit values (either case); `0x80` for everything else.
const fn hex_table() -> [u8; 256] {
    let mut t = [0x80; 256];
    let mut i: u8 = 0;
    while i < 10 {
        t[(b'0' + i) as usize] = i;
        i += 1;
    }
    let mut i: u8 = 0;
    while i < 6 {
        t[(b'A' + i) as usize] = 10 + i;
        t[(b'a' + i) as usize] = 10 + i;
        i += 1;
    }
    t
}

static HEX: [u8; 256] = hex_table();

fn hex(b: u8) -> Option<u8> {
    let v = HEX[usize::from(b)];
    (v < 16).then_some(v)
}

/// The octet written `=hl`, if both are hexadecimal digits.
fn hex_pair(h: u8, l: u8) -> Option<u8> {
    let (h, l) = (HEX[usize::from(h)], HEX[usize::from(l)]);
    ((h | l) < 16).then_some(h << 4 | l)
}

/// Position of the first `=` or LF in `s`, or its length: a short run is
/// scanned byte by byte (quoted-printable text is mostly short runs
/// between escapes), a longer one with `memchr2`.
fn qp_special(s: &[u8]) -> usize {
    const SHORT: usize = 16;
    let head = s.get(..SHORT).unwrap_or(s);
    if let Some(p) = head.iter().position(|&b| b == b'=' || b == b'\n') {
        return p;
    }
    match s.get(SHORT..) {
        Some(rest) if !rest.is_empty() => {
            memchr::memchr2(b'=', b'\n', rest).map_or(s.len(), |p| SHORT + p)
        }
        _ => s.len(),
    }
}

impl QuotedPrintableDecoder {
    /// A decoder whose first input byte is at `offset` (for defects).
    pub fn new(offset: usize) -> Self {
        Self {
            offset,
            ..Self::default()
        }
    }

    /// Writes the held white space: it was not trailing.
    fn flush_held(&mut self, out: &mut Vec<u8>) {
        if !self.held.is_empty() {
            out.extend_from_slice(&self.held);
            self.held.clear();
        }
    }

    /// Adds plain text `text` (no `=`, no LF) to the output, holding back
    /// its trailing white space and CR.
    fn text(&mut self, text: &[u8], out: &mut Vec<u8>) {
        let keep = text
            .iter()
            .rposition(|b| !matches!(b, b' ' | b'\t' | b'\r'))
            .map_or(0, |p| p + 1);
        if keep > 0 {
            self.flush_held(out);
            self.long_run = false;
            out.extend_from_slice(&text[..keep]);
        }
        let space = &text[keep..];
        if self.long_run {
            out.extend_from_slice(space);
        } else if self.held.len() + space.len() > MAX_HELD_SPACE {
            self.flush_held(out);
            out.extend_from_slice(space);
            self.long_run = true;
        } else {
            self.held.extend_from_slice(space);
        }
    }

    /// A line break (the LF): trailing white space is dropped, a CR right
    /// before the LF kept.
    fn line_break(&mut self, out: &mut Vec<u8>) {
        if !self.long_run && self.held.last() == Some(&b'\r') {
            out.push(b'\r');
        }
        self.held.clear();
        self.long_run = false;
        out.push(b'\n');
    }

    /// Reports a bad escape at `at` and writes `=` as text.
    fn bad_escape(&mut self, at: usize, out: &mut Vec<u8>, defects: &mut Vec<Defect>) {
        once(
            &mut self.seen_invalid,
            defects,
            at,
            DefectKind::InvalidQuotedPrintable,
        );
        self.flush_held(out);
        self.long_run = false;
        out.push(b'=');
    }

    /// Decodes the next chunk of input, appending octets to `out` and
    /// defects to `defects`.
    pub fn decode(&mut self, input: &[u8], out: &mut Vec<u8>, defects: &mut Vec<Defect>) {
        out.reserve(input.len());
        let mut i = 0;
        while i < input.len() {
            let b = input[i];
            match self.state {
                QpState::Text => {
                    // Escapes and soft line breaks one after the other, as
                    // in encoded binary or non-Latin text.
                    while let Some(&[b'=', h, l]) = input.get(i..).and_then(<[u8]>::first_chunk) {
                        let v = hex_pair(h, l);
                        let step = if v.is_some() || (h, l) == (b'\r', b'\n') {
                            3
                        } else if h == b'\n' {
                            2
                        } else {
                            break;
                        };
                        // White space before an escape or a soft line
                        // break is not trailing.
                        self.flush_held(out);
                        self.long_run = false;
                        if let Some(v) = v {
                            out.push(v);
                        }
                        i += step;
                    }
                    let Some(rest) = input.get(i..).filter(|r| !r.is_empty()) else {
                        break;
                    };
                    let end = i + qp_special(rest);
                    if end > i {
                        self.text(&input[i..end], out);
                    }
                    match input.get(end) {
                        Some(b'=') => {
                            // `=XX` or a soft line break whole in this chunk
                            // is read by the loop above.
                            if let Some(&[_, h, l]) = input.get(end..).and_then(<[u8]>::first_chunk)
                                && (hex_pair(h, l).is_some()
                                    || h == b'\n'
                                    || (h, l) == (b'\r', b'\n'))
                            {
                                i = end;
                                continue;
                            }
                            self.state = QpState::Equals(self.offset + end);
                        }
                        Some(_) => self.line_break(out),
                        None => {}
                    }
                    i = end + 1;
                    continue;
                }
                QpState::Equals(eq) => {
                    if hex(b).is_some() {
                        self.state = QpState::Hex(eq, b);
                    } else if matches!(b, b' ' | b'\t' | b'\r') {
                        // Held apart from trailing text white space: the
                        // text's held space is written first.
                        self.flush_held(out);
                        self.long_run = false;
                        self.held.push(b);
                        self.state = QpState::Soft(eq);
                    } else if b == b'\n' {
                        // A soft line break: white space before it was
                        // not trailing.
                        self.flush_held(out);
                        self.long_run = false;
                        self.state = QpState::Text;
                    } else {
                        self.bad_escape(eq, out, defects);
                        self.state = QpState::Text;
                        continue;
                    }
                }
                QpState::Hex(eq, first) => {
                    if let (Some(h), Some(l)) = (hex(first), hex(b)) {
                        self.flush_held(out);
                        self.long_run = false;
                        out.push(h << 4 | l);
                        self.state = QpState::Text;
                    } else {
                        // `=` and the first digit are text; this byte is
                        // read again as text.
                        self.bad_escape(eq, out, defects);
                        out.push(first);
                        self.state = QpState::Text;
                        continue;
                    }
                }
                QpState::Soft(eq) => {
                    if matches!(b, b' ' | b'\t' | b'\r') && self.held.len() < MAX_HELD_SPACE {
                        self.held.push(b);
                    } else if b == b'\n' {
                        self.held.clear();
                        self.state = QpState::Text;
                    } else {
                        // Not a soft line break: `=` and the white space
                        // are text.
                        once(
                            &mut self.seen_invalid,
                            defects,
                            eq,
                            DefectKind::InvalidQuotedPrintable,
                        );
                        out.push(b'=');
                        self.state = QpState::Text;
                        // The held white space is text that may still be
                        // trailing: it stays held.
                        if self.held.len() >= MAX_HELD_SPACE {
                            self.flush_held(out);
                            self.long_run = true;
                        }
                        continue;
                    }
                }
            }
            i += 1;
        }
        self.offset += input.len();
    }

    /// Ends the input: an `=` sequence left open is written as text, and
    /// held white space is dropped (the end of the body ends a line).
    pub fn finish(&mut self, out: &mut Vec<u8>, defects: &mut Vec<Defect>) {
        match self.state {
            QpState::Text => {}
            // `=` at the very end: a soft line break without its line
            // break, which is what it is meant for.
            QpState::Equals(_) => {}
            QpState::Soft(_) => {}
            QpState::Hex(eq, first) => {
                self.bad_escape(eq, out, defects);
                out.push(first);
            }
        }
        self.state = QpState::Text;
        self.held.clear();
        self.long_run = false;
    }
}

/// The decoder of one body's Content-Transfer-Encoding: base64,
/// quoted-printable, or identity for `7bit`, `8bit`, `binary` and unknown
/// mechanisms.
#[derive(Debug, Clone)]
pub enum TransferDecoder {
    /// `7bit`, `8bit`, `binary` or an unknown mechanism: the body as is.
    Identity,
    /// `base64`.
    Base64(Base64Decoder),
    /// `quoted-printable`.
    QuotedPrintable(QuotedPrintableDecoder),
}

impl TransferDecoder {
    /// The decoder for `encoding`, its first input byte at `offset`.
    pub fn new(encoding: &TransferEncoding, offset: usize) -> Self {
        match encoding {
            TransferEncoding::Base64 => Self::Base64(Base64Decoder::new(offset)),
            TransferEncoding::QuotedPrintable => {
                Self::QuotedPrintable(QuotedPrintableDecoder::new(offset))
            }
            _ => Self::Identity,
        }
    }

    /// Decodes the next chunk of input into `out`.
    pub fn decode(&mut self, input: &[u8], out: &mut Vec<u8>, defects: &mut Vec<Defect>) {
        match self {
            Self::Identity => out.extend_from_slice(input),
            Self::Base64(d) => d.decode(input, out, defects),
            Self::QuotedPrintable(d) => d.decode(input, out, defects),
        }
    }

    /// Ends the input.
    pub fn finish(&mut self, out: &mut Vec<u8>, defects: &mut Vec<Defect>) {
        match self {
            Self::Identity => {}
            Self::Base64(d) => d.finish(out, defects),
            Self::QuotedPrintable(d) => d.finish(out, defects),
        }
    }

    /// Heap memory held, in octets (the white space a quoted-printable
    /// decoder holds back).
    pub(crate) fn memory(&self) -> usize {
        match self {
            Self::QuotedPrintable(d) => d.held.capacity(),
            _ => 0,
        }
    }

    /// True for the identity decoder, whose output is its input.
    pub fn is_identity(&self) -> bool {
        matches!(self, Self::Identity)
    }
}

/// Decodes a whole body written in `encoding`; see [`Base64Decoder`] and
/// [`QuotedPrintableDecoder`]. Defect offsets count from the start of
/// `input`.
///
/// ```
/// use mailwire_mime::decode::transfer_decode;
/// use mailwire_mime::types::TransferEncoding;
/// let (out, defects) = transfer_decode(&TransferEncoding::Base64, b"Y2Fm\r\nw6k=\r\n");
/// assert_eq!(out, "café".as_bytes());
/// assert!(defects.is_empty());
/// ```
pub fn transfer_decode(encoding: &TransferEncoding, input: &[u8]) -> (Vec<u8>, Vec<Defect>) {
    let mut d = TransferDecoder::new(encoding, 0);
    let mut out = Vec::with_capacity(input.len());
    let mut defects = Vec::new();
    d.decode(input, &mut out, &mut defects);
    d.finish(&mut out, &mut defects);
    (out, defects)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(input: &[u8]) -> (Vec<u8>, Vec<(usize, DefectKind)>) {
        let (out, d) = transfer_decode(&TransferEncoding::Base64, input);
        let whole = (
            out,
            d.iter().map(|d| (d.offset, d.kind)).collect::<Vec<_>>(),
        );
        check_splits(&TransferEncoding::Base64, input, &whole);
        whole
    }

    fn qp(input: &[u8]) -> (Vec<u8>, Vec<(usize, DefectKind)>) {
        let (out, d) = transfer_decode(&TransferEncoding::QuotedPrintable, input);
        let whole = (
            out,
            d.iter().map(|d| (d.offset, d.kind)).collect::<Vec<_>>(),
        );
        check_splits(&TransferEncoding::QuotedPrintable, input, &whole);
        whole
    }

    /// Every split into two, and chunks of every size up to 5, give the
    /// same output and defects.
    fn check_splits(
        enc: &TransferEncoding,
        input: &[u8],
        whole: &(Vec<u8>, Vec<(usize, DefectKind)>),
    ) {
        let mut splits: Vec<Vec<&[u8]>> = (0..=input.len())
            .map(|i| vec![&input[..i], &input[i..]])
            .collect();
        for size in 1..=5 {
            splits.push(input.chunks(size).collect());
        }
        for chunks in splits {
            let mut d = TransferDecoder::new(enc, 0);
            let (mut out, mut defects) = (Vec::new(), Vec::new());
            for c in &chunks {
                d.decode(c, &mut out, &mut defects);
            }
            d.finish(&mut out, &mut defects);
            let got: Vec<_> = defects.iter().map(|d| (d.offset, d.kind)).collect();
            assert_eq!((&out, &got), (&whole.0, &whole.1), "{chunks:?}");
        }
    }

    #[test]
    fn base64_rfc4648_vectors() {
        for (enc, dec) in [
            ("", ""),
            ("Zg==", "f"),
            ("Zm8=", "fo"),
            ("Zm9v", "foo"),
            ("Zm9vYg==", "foob"),
            ("Zm9vYmE=", "fooba"),
            ("Zm9vYmFy", "foobar"),
        ] {
            let (out, d) = b64(enc.as_bytes());
            assert_eq!(out, dec.as_bytes());
            assert!(d.is_empty());
        }
    }

    #[test]
    fn base64_tolerance() {
        // Line breaks and white space anywhere.
        assert_eq!(b64(b"Zm9v\r\nYm Fy\n").0, b"foobar");
        // Bad characters skipped, reported once.
        let (out, d) = b64(b"Zm9v!Ym*Fy");
        assert_eq!(out, b"foobar");
        assert_eq!(d, [(4, DefectKind::InvalidBase64Characters)]);
        // Missing padding.
        let (out, d) = b64(b"Zm9vYg");
        assert_eq!(out, b"foob");
        assert_eq!(d, [(6, DefectKind::InvalidBase64Padding)]);
        let (out, d) = b64(b"Zm9vYmE\r\n");
        assert_eq!(out, b"fooba");
        assert_eq!(d, [(9, DefectKind::InvalidBase64Padding)]);
        let (out, d) = b64(b"Zg=");
        assert_eq!(out, b"f");
        assert_eq!(d, [(3, DefectKind::InvalidBase64Padding)]);
        // A lone digit.
        let (out, d) = b64(b"Zm9vY");
        assert_eq!(out, b"foo");
        assert_eq!(d, [(5, DefectKind::InvalidBase64Length)]);
        // Stray padding.
        let (out, d) = b64(b"=Zm9v=");
        assert_eq!(out, b"foo");
        assert_eq!(d, [(0, DefectKind::InvalidBase64Padding)]);
        // Concatenated texts.
        assert_eq!(b64(b"Zg==Zm8=").0, b"ffo");
        // Every byte value round trips.
        let all: Vec<u8> = (0..=255).collect();
        use base64::Engine as _;
        let enc = base64::engine::general_purpose::STANDARD.encode(&all);
        assert_eq!(b64(enc.as_bytes()).0, all);
    }

    #[test]
    fn qp_rfc2045_rules() {
        // Rule 1 and 2.
        assert_eq!(qp(b"caf=E9 =3D=3d").0, b"caf\xe9 ==");
        // Rule 3: trailing white space deleted, line ending kept.
        assert_eq!(qp(b"a \t\r\nb  \nc ").0, b"a\r\nb\nc");
        // Rule 5: soft line breaks, with white space after the `=`.
        assert_eq!(qp(b"long =\r\nline= \t\r\nend=\nx").0, b"long lineendx");
        // White space before a soft line break is not trailing, whichever
        // the line break.
        assert_eq!(qp(b"a  =\r\n\r\nb").0, b"a  \r\nb");
        assert_eq!(qp(b"a  =\n\nb").0, b"a  \nb");
        // Inner white space kept.
        assert_eq!(qp(b"a  b\t c").0, b"a  b\t c");
        let (out, d) = qp(b"");
        assert!(out.is_empty() && d.is_empty());
    }

    #[test]
    fn qp_tolerance() {
        let (out, d) = qp(b"a=ZZb=4");
        assert_eq!(out, b"a=ZZb=4");
        assert_eq!(d, [(1, DefectKind::InvalidQuotedPrintable)]);
        let (out, d) = qp(b"x=4G");
        assert_eq!(out, b"x=4G");
        assert_eq!(d, [(1, DefectKind::InvalidQuotedPrintable)]);
        let (out, d) = qp(b"x= y\r\n");
        assert_eq!(out, b"x= y\r\n");
        assert_eq!(d, [(1, DefectKind::InvalidQuotedPrintable)]);
        // `=` at the very end.
        let (out, d) = qp(b"end=");
        assert_eq!(out, b"end");
        assert!(d.is_empty());
        // Bare CR inside a line is text.
        assert_eq!(qp(b"a\rb").0, b"a\rb");
        // A long run of white space is kept.
        let mut long = b"a".to_vec();
        long.extend(std::iter::repeat_n(b' ', 1500));
        long.extend_from_slice(b"\r\nb");
        let (out, _) = transfer_decode(&TransferEncoding::QuotedPrintable, &long);
        assert_eq!(out, long);
        let mut short = b"a".to_vec();
        short.extend(std::iter::repeat_n(b' ', 900));
        short.extend_from_slice(b"\r\nb");
        let (out, _) = transfer_decode(&TransferEncoding::QuotedPrintable, &short);
        assert_eq!(out, b"a\r\nb");
    }

    #[test]
    fn identity() {
        let (out, d) = transfer_decode(&TransferEncoding::EightBit, b"a=ZZ\r\n");
        assert_eq!(out, b"a=ZZ\r\n");
        assert!(d.is_empty());
    }
}
