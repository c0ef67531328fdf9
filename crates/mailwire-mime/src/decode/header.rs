//! The header section: framing into lines, then into fields.
//!
//! One state machine ([`Splitter`]) walks the header section a line at a
//! time and records byte offsets only. It runs over a buffer that may grow
//! between calls: it remembers where its search for the next line end
//! stopped, so the total work is linear in the input however it is split.
//! [`headers`] drives it over a whole input; [`HeaderDecoder`] drives it over
//! chunks pushed one by one.

use std::borrow::Cow;
use std::ops::Range;

use crate::Limits;
use crate::types::{
    Address, ContentDisposition, ContentType, DateTime, Defect, DefectKind, MessageId,
    TransferEncoding, is_ftext,
};

/// Byte offsets of one field inside the header section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FieldSpan {
    /// First byte of the field (of its name).
    start: usize,
    /// End of the name, white space before the colon excluded.
    name_end: usize,
    /// First byte of the value: just past the colon.
    value_start: usize,
    /// End of the value: where the line ending of its last line starts.
    value_end: usize,
    /// End of the field: past the line ending of its last line.
    end: usize,
}

/// Where [`Splitter::advance_to`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pause {
    /// The section has ended; its body starts at this offset.
    Body(usize),
    /// Every complete line was processed: more input is needed.
    More,
    /// A line that may be a delimiter line starts at this offset.
    Dash(usize),
}

/// The line-by-line state machine that splits a header section into fields.
///
/// `header = *field CRLF` in the sense of RFC 5322 §2.1 and §3.5
/// (`message = (fields / obs-fields) [CRLF body]`), read tolerantly: lines
/// may end in bare LF, a line that is not a field ends the section, and the
/// end of input ends it too.
#[derive(Debug, Clone)]
pub(crate) struct Splitter {
    limits: Limits,
    /// Start of the first line not yet processed.
    line_start: usize,
    /// Where the search for the next LF resumes (`>= line_start`).
    scan: usize,
    /// The field whose continuation lines may still follow.
    open: Option<FieldSpan>,
    fields: Vec<FieldSpan>,
    defects: Vec<Defect>,
    seen_bare_lf: bool,
    seen_bare_cr: bool,
    /// Where the body starts, once the end of the section was found.
    body_start: Option<usize>,
}

impl Splitter {
    pub(crate) fn new(limits: &Limits) -> Self {
        Self::with_buffers(limits, Vec::new(), Vec::new())
    }

    /// A splitter that keeps its fields and defects in `fields` and
    /// `defects` (emptied first), to reuse their room.
    pub(crate) fn with_buffers(
        limits: &Limits,
        mut fields: Vec<FieldSpan>,
        mut defects: Vec<Defect>,
    ) -> Self {
        fields.clear();
        defects.clear();
        Self {
            limits: *limits,
            line_start: 0,
            scan: 0,
            open: None,
            fields,
            defects,
            seen_bare_lf: false,
            seen_bare_cr: false,
            body_start: None,
        }
    }

    /// Back to the start of a section, within `limits`, keeping the room
    /// of its buffers.
    pub(crate) fn reset(&mut self, limits: &Limits) {
        let fields = std::mem::take(&mut self.fields);
        let defects = std::mem::take(&mut self.defects);
        *self = Self::with_buffers(limits, fields, defects);
    }

    /// The header section at the start of `buf` (the buffer given to
    /// [`Self::advance`]), once it has ended.
    pub(crate) fn headers<'a>(&'a self, buf: &'a [u8]) -> Option<Headers<'a>> {
        let body_start = self.body_start?;
        Some(Headers {
            input: buf.get(..body_start)?,
            start: 0,
            fields: Cow::Borrowed(&self.fields),
            defects: Cow::Borrowed(&self.defects),
            body_start,
        })
    }

    /// Processes every complete line of `buf` not yet seen. `buf` holds the
    /// input from its first byte; it may only have grown since the last call.
    /// With `eof`, the input ends with `buf` and the section is closed.
    /// Returns where the body starts once the section has ended.
    pub(crate) fn advance(&mut self, buf: &[u8], eof: bool) -> Option<usize> {
        match self.advance_to(buf, eof, None) {
            Pause::Body(at) => Some(at),
            Pause::More | Pause::Dash(_) => None,
        }
    }

    /// [`Self::advance`], but with `dash = Some((checked, hold))` it also
    /// pauses at the start of each line past `checked` that may be a
    /// delimiter line: its first octet is `-`, or not in `buf` yet. With
    /// `hold`, the line before it is left unprocessed until the next
    /// call (its line break may belong to the delimiter line).
    pub(crate) fn advance_to(
        &mut self,
        buf: &[u8],
        eof: bool,
        dash: Option<(usize, bool)>,
    ) -> Pause {
        let limit = self.limits.header_bytes;
        while self.body_start.is_none() {
            let window_end = buf.len().min(limit);
            let lf = buf
                .get(self.scan..window_end)
                .and_then(|w| memchr::memchr(b'\n', w))
                .map(|i| self.scan + i);
            if let Some(lf) = lf {
                let pause = dash.and_then(|(checked, hold)| {
                    (lf + 1 > checked && buf.get(lf + 1).is_none_or(|&b| b == b'-')).then_some(hold)
                });
                if pause == Some(true) {
                    self.scan = lf;
                    return Pause::Dash(lf + 1);
                }
                self.scan = lf + 1;
                let start = self.line_start;
                let (content_end, bare_lf) = if lf > start && buf[lf - 1] == b'\r' {
                    (lf - 1, None)
                } else {
                    (lf, Some(lf))
                };
                self.line_start = lf + 1;
                self.line(buf, start, content_end, lf + 1, bare_lf);
                if pause.is_some() && self.body_start.is_none() {
                    return Pause::Dash(lf + 1);
                }
                continue;
            }
            self.scan = window_end.max(self.scan);
            if buf.len() > limit {
                // Bytes exist past the limit, and the line has no LF before it.
                self.stop(self.line_start, DefectKind::HeaderTooLong { limit });
                continue;
            }
            if !eof {
                return Pause::More;
            }
            let start = self.line_start;
            if start < buf.len() {
                // A last line without a line ending.
                self.line_start = buf.len();
                self.line(buf, start, buf.len(), buf.len(), None);
            }
            if self.body_start.is_none() {
                self.stop(buf.len(), DefectKind::MissingSeparator);
            }
        }
        if !self.seen_bare_cr {
            self.seen_bare_cr = true;
            if let Some(at) = self.body_start.and_then(|b| bare_cr(buf.get(..b)?)) {
                self.defect(at, DefectKind::BareCr);
            }
        }
        self.defects.sort_by_key(|d| d.offset);
        match self.body_start {
            Some(at) => Pause::Body(at),
            None => Pause::More,
        }
    }

    /// Records a defect.
    fn defect(&mut self, offset: usize, kind: DefectKind) {
        self.defects.push(Defect { offset, kind });
    }

    /// Ends the section at `at` because of `kind`.
    fn stop(&mut self, at: usize, kind: DefectKind) {
        self.defect(at, kind);
        self.close();
        self.body_start = Some(at);
    }

    /// Moves the open field, if any, to the finished ones.
    fn close(&mut self) {
        if let Some(f) = self.open.take() {
            self.fields.push(f);
        }
    }

    /// One line: `start..content_end` is its content, `end` is past its line
    /// ending.
    /// `bare_lf` is the offset of its LF when that is not preceded by CR.
    fn line(
        &mut self,
        buf: &[u8],
        start: usize,
        content_end: usize,
        end: usize,
        bare_lf: Option<usize>,
    ) {
        let content = &buf[start..content_end];
        let before = self.body_start.is_none();
        match content.first() {
            // The blank line that ends the section (RFC 5322 §2.1). A last
            // line that is empty but unterminated never reaches here.
            None => {
                self.close();
                self.body_start = Some(end);
            }
            // `obs-FWS` / `FWS` (RFC 5322 §3.2.2, §4.2): a line starting with
            // white space continues the field before it.
            Some(b' ' | b'\t') => {
                if let Some(open) = &mut self.open {
                    open.value_end = content_end;
                    open.end = end;
                } else if self.room_for_field(start) {
                    self.defect(start, DefectKind::OrphanContinuation);
                    self.open = Some(FieldSpan {
                        start,
                        name_end: start,
                        value_start: start,
                        value_end: content_end,
                        end,
                    });
                }
            }
            Some(_) => self.field_line(content, start, content_end, end),
        }
        // Line-ending defects count only for lines of the section: a line
        // that ended it belongs to the body. (A bare CR is looked for once
        // the section has ended: see [`Self::bare_cr`].)
        if before
            && self.body_start.is_none_or(|b| b > start)
            && let (Some(lf), false) = (bare_lf, self.seen_bare_lf)
        {
            self.seen_bare_lf = true;
            self.defect(lf, DefectKind::BareLf);
        }
    }

    /// `field-name ":"` (RFC 5322 §3.6.8) or, obsolete,
    /// `field-name *WSP ":"` (RFC 5322 §4.5), at the start of a line.
    fn field_line(&mut self, content: &[u8], start: usize, content_end: usize, end: usize) {
        // Usually the name is all `ftext` up to the colon: one short scan
        // finds both.
        let plain = first_not_ftext(content);
        let colon = match plain {
            Some(c) if content.get(c) == Some(&b':') => Some(c),
            _ => memchr::memchr(b':', content),
        };
        let Some(colon) = colon else {
            self.stop(start, DefectKind::MissingSeparator);
            return;
        };
        if !self.room_for_field(start) {
            return;
        }
        let name_len = if plain == Some(colon) {
            colon
        } else {
            content[..colon]
                .iter()
                .rposition(|b| !matches!(b, b' ' | b'\t'))
                .map_or(0, |i| i + 1)
        };
        if name_len == 0 {
            self.defect(start + colon, DefectKind::InvalidFieldName);
        } else if let Some(i) = plain.filter(|&i| i < name_len) {
            self.defect(start + i, DefectKind::InvalidFieldName);
        }
        if name_len < colon && name_len > 0 {
            self.defect(start + name_len, DefectKind::ObsoleteWhitespaceBeforeColon);
        }
        self.close();
        self.open = Some(FieldSpan {
            start,
            name_end: start + name_len,
            value_start: start + colon + 1,
            value_end: content_end,
            end,
        });
    }

    /// Checks [`Limits::header_count`] before a field starting at `start`
    /// is opened; ends the section there when it is reached.
    fn room_for_field(&mut self, start: usize) -> bool {
        let count = self.fields.len() + usize::from(self.open.is_some());
        if count >= self.limits.header_count {
            self.stop(
                start,
                DefectKind::TooManyHeaders {
                    limit: self.limits.header_count,
                },
            );
            false
        } else {
            true
        }
    }
}

/// The offset of the first octet of `text` that is not `ftext`, looked
/// at eight octets at a time: field names are short runs of it.
fn first_not_ftext(text: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let chunks = text.chunks_exact(8);
    let tail = chunks.remainder();
    let mut at = 0;
    for chunk in chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        // Flags octets below 33, above 126 and equal to `:` (58). Each
        // flag is exact at the lowest flagged octet; flags above it may
        // be carries.
        let below = x.wrapping_sub(33 * ONES) & !x;
        let above = x.wrapping_add(ONES) | x;
        let c = x ^ (58 * ONES);
        let colon = c.wrapping_sub(ONES) & !c;
        let flags = (below | above | colon) & HIGH;
        if flags != 0 {
            return Some(at + flags.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    tail.iter().position(|&b| !is_ftext(b)).map(|i| at + i)
}

/// The first CR of `section` not followed by LF (the last octet counts as
/// followed by nothing).
fn bare_cr(section: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'\r', section).find(|&i| section.get(i + 1) != Some(&b'\n'))
}

/// Splits the header section at the start of `input` into fields.
///
/// `message = (fields / obs-fields) [CRLF body]` (RFC 5322 §3.5, §4.5), with
/// `field-name ":" unstructured CRLF` fields (§3.6.8) whose bodies may be
/// folded (§2.2.3). Reading is tolerant and never fails: lines may end in
/// CRLF or bare LF; the section ends at the first blank line, at a line that
/// is not a field (it starts the body), at the end of input, or at a limit.
/// Whatever was tolerated is listed in [`Headers::defects`].
///
/// ```
/// use mailwire_mime::{Limits, decode};
///
/// let input = b"Subject: Hello\r\n world\r\nTo: a@example.org\r\n\r\nBody";
/// let headers = decode::headers(input, &Limits::default());
/// assert_eq!(headers.len(), 2);
/// let subject = headers.get("subject").unwrap();
/// assert_eq!(subject.raw_value(), b" Hello\r\n world");
/// assert_eq!(subject.unstructured(), "Hello world");
/// assert_eq!(&input[headers.body_start()..], b"Body");
/// assert!(headers.defects().is_empty());
/// ```
pub fn headers<'a>(input: &'a [u8], limits: &Limits) -> Headers<'a> {
    let mut splitter = Splitter::new(limits);
    let body_start = splitter.advance(input, true).unwrap_or(input.len());
    Headers {
        input: &input[..body_start],
        start: 0,
        fields: Cow::Owned(splitter.fields),
        defects: Cow::Owned(splitter.defects),
        body_start,
    }
}

/// A header section split into fields, in the order they appear,
/// duplicates included.
///
/// Every field borrows its bytes from the input and knows its offsets, so
/// the section can be written back byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headers<'a> {
    /// The input from its start to the body; the section is
    /// `input[start..]`.
    input: &'a [u8],
    /// Where the section starts in `input`.
    start: usize,
    fields: Cow<'a, [FieldSpan]>,
    defects: Cow<'a, [Defect]>,
    body_start: usize,
}

impl<'a> Headers<'a> {
    /// The number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// True when the section holds no field.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The fields in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Field<'a>> + '_ {
        let input = self.input;
        self.fields.iter().map(move |&span| Field { input, span })
    }

    /// The field at `index`, in order of appearance.
    pub fn field(&self, index: usize) -> Option<Field<'a>> {
        self.fields.get(index).map(|&span| Field {
            input: self.input,
            span,
        })
    }

    /// The first field called `name`, compared ASCII case-insensitively
    /// (RFC 5322 §1.2.2).
    pub fn get(&self, name: &str) -> Option<Field<'a>> {
        self.get_all(name).next()
    }

    /// Every field called `name`, in order, compared ASCII
    /// case-insensitively.
    pub fn get_all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = Field<'a>> + 's {
        self.iter().filter(move |f| f.is(name))
    }

    /// What the decoder had to tolerate, in input order.
    pub fn defects(&self) -> &[Defect] {
        &self.defects
    }

    /// Offset of the body: past the blank line that ended the section, or
    /// where the section otherwise ended (see [`DefectKind`]).
    pub fn body_start(&self) -> usize {
        self.body_start
    }

    /// The bytes of the whole header section, the blank line that ended it
    /// included: `input[..body_start]` (for a part of a message, from the
    /// start of the part).
    pub fn section(&self) -> &'a [u8] {
        self.input.get(self.start..).unwrap_or_default()
    }

    /// Appends the fields' offsets and the defects, shifted by `by`, to
    /// `fields` and `defects`, to rebuild the section inside a larger
    /// input with [`Self::from_spans`].
    pub(crate) fn shifted_into(
        &self,
        by: usize,
        fields: &mut Vec<FieldSpan>,
        defects: &mut Vec<Defect>,
    ) {
        fields.extend(self.fields.iter().map(|f| FieldSpan {
            start: f.start + by,
            name_end: f.name_end + by,
            value_start: f.value_start + by,
            value_end: f.value_end + by,
            end: f.end + by,
        }));
        defects.extend(self.defects.iter().map(|d| Defect {
            offset: d.offset + by,
            kind: d.kind,
        }));
    }

    /// A section lying at `start..body_start` of `input`, with offsets
    /// counted from the start of `input`.
    pub(crate) fn from_spans(
        input: &'a [u8],
        start: usize,
        fields: &'a [FieldSpan],
        defects: &'a [Defect],
        body_start: usize,
    ) -> Self {
        Headers {
            input: input.get(..body_start).unwrap_or(input),
            start,
            fields: Cow::Borrowed(fields),
            defects: Cow::Borrowed(defects),
            body_start,
        }
    }
}

/// One header field, borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field<'a> {
    input: &'a [u8],
    span: FieldSpan,
}

impl<'a> Field<'a> {
    /// The field name as written, without any white space before the colon.
    /// Empty, or holding bytes outside `ftext`, when a
    /// [`DefectKind::InvalidFieldName`] was recorded for it.
    pub fn name(&self) -> &'a [u8] {
        &self.input[self.span.start..self.span.name_end]
    }

    /// True when the name is `name`, compared ASCII case-insensitively.
    pub fn is(&self, name: &str) -> bool {
        self.name().eq_ignore_ascii_case(name.as_bytes())
    }

    /// The field body as written: every byte after the colon up to the line
    /// ending of its last line, folding line breaks included.
    pub fn raw_value(&self) -> &'a [u8] {
        &self.input[self.span.value_start..self.span.value_end]
    }

    /// The whole field as written, its final line ending included.
    pub fn raw(&self) -> &'a [u8] {
        &self.input[self.span.start..self.span.end]
    }

    /// Where the field lies in the input, its final line ending included.
    pub fn span(&self) -> Range<usize> {
        self.span.start..self.span.end
    }

    /// Where the field body ([`Self::raw_value`]) lies in the input.
    pub fn value_span(&self) -> Range<usize> {
        self.span.value_start..self.span.value_end
    }

    /// The field body unfolded (RFC 5322 §2.2.3); see [`super::unfold`].
    pub fn unfolded(&self) -> Cow<'a, [u8]> {
        super::unfold(self.raw_value())
    }

    /// The field body read as `unstructured` text with RFC 2047 encoded
    /// words decoded; see [`super::unstructured`].
    pub fn unstructured(&self) -> Cow<'a, str> {
        super::unstructured(self.raw_value())
    }

    /// Shifts defect offsets from the field body to the input.
    fn shift(&self, mut defects: Vec<Defect>) -> Vec<Defect> {
        for d in &mut defects {
            d.offset += self.span.value_start;
        }
        defects
    }

    /// The field body read as an address list; see
    /// [`super::address_list`]. Defect offsets count from the start of the
    /// input.
    pub fn addresses(&self) -> (Vec<Address>, Vec<Defect>) {
        let (list, defects) = super::address_list(self.raw_value());
        (list, self.shift(defects))
    }

    /// The field body read as message identifiers; see
    /// [`super::message_ids`].
    pub fn message_ids(&self) -> Vec<MessageId> {
        super::message_ids(self.raw_value())
    }

    /// The field body read as a date; see [`super::date_time`]. The
    /// defect's offset counts from the start of the input.
    pub fn date_time(&self) -> Result<DateTime, Defect> {
        super::date_time(self.raw_value()).map_err(|d| Defect {
            offset: d.offset + self.span.value_start,
            kind: d.kind,
        })
    }

    /// The field body read as a Content-Type; see [`super::content_type`].
    /// Defect offsets count from the start of the input.
    pub fn content_type(&self, limits: &Limits) -> (ContentType<'a>, Vec<Defect>) {
        let (ct, defects) = super::content_type(self.raw_value(), limits);
        (ct, self.shift(defects))
    }

    /// The field body read as a Content-Disposition; see
    /// [`super::content_disposition`]. Defect offsets count from the start
    /// of the input.
    pub fn content_disposition(&self, limits: &Limits) -> (ContentDisposition<'a>, Vec<Defect>) {
        let (cd, defects) = super::content_disposition(self.raw_value(), limits);
        (cd, self.shift(defects))
    }

    /// The field body read as a Content-Transfer-Encoding; see
    /// [`super::transfer_encoding`].
    pub fn transfer_encoding(&self) -> TransferEncoding {
        super::transfer_encoding(self.raw_value())
    }
}

/// What [`HeaderDecoder::push`] made of a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Progress {
    /// The header section has not ended yet: push more, or call
    /// [`HeaderDecoder::finish`] at the end of input.
    NeedMore,
    /// The header section has ended. The body is
    /// [`HeaderDecoder::buffered_body`] followed by `chunk[consumed..]` and
    /// every later chunk.
    Done {
        /// Bytes of this chunk that belong to the header section.
        consumed: usize,
    },
}

/// Splits a header section pushed in chunks of any size.
///
/// The decoder buffers the header section only, at most
/// [`Limits::header_bytes`] (plus one byte), and scans each byte once, so
/// the cost is linear however the input is split. It gives the same
/// [`Headers`] as [`headers`] over the whole input.
///
/// ```
/// use mailwire_mime::decode::{HeaderDecoder, Progress};
/// use mailwire_mime::Limits;
///
/// let mut decoder = HeaderDecoder::new(&Limits::default());
/// assert_eq!(decoder.push(b"Subject: Hel"), Progress::NeedMore);
/// assert_eq!(decoder.push(b"lo\r\n\r\nBody"), Progress::Done { consumed: 6 });
/// let headers = decoder.headers().unwrap();
/// assert_eq!(headers.get("Subject").unwrap().unstructured(), "Hello");
/// assert_eq!(headers.body_start(), 18);
/// assert!(decoder.buffered_body().is_empty());
/// ```
#[derive(Debug, Clone)]
pub struct HeaderDecoder {
    splitter: Splitter,
    buf: Vec<u8>,
}

impl HeaderDecoder {
    /// A decoder at the start of a header section.
    pub fn new(limits: &Limits) -> Self {
        Self {
            splitter: Splitter::new(limits),
            buf: Vec::new(),
        }
    }

    /// Feeds the next chunk of input.
    pub fn push(&mut self, chunk: &[u8]) -> Progress {
        if self.splitter.body_start.is_some() {
            return Progress::Done { consumed: 0 };
        }
        // Never hold more than one byte past the limit: that byte is enough
        // to know the limit was crossed.
        let room = self
            .splitter
            .limits
            .header_bytes
            .saturating_add(1)
            .saturating_sub(self.buf.len());
        let old_len = self.buf.len();
        let taken = chunk.len().min(room);
        self.buf.extend_from_slice(&chunk[..taken]);
        match self.splitter.advance(&self.buf, false) {
            Some(body_start) => {
                // Keep only what came before this chunk, or belongs to the
                // section: the rest of the chunk is the caller's again.
                self.buf.truncate(old_len.max(body_start));
                Progress::Done {
                    consumed: body_start.saturating_sub(old_len),
                }
            }
            None => Progress::NeedMore,
        }
    }

    /// Signals the end of input and returns where the body starts. When the
    /// section had not ended before, the body is [`Self::buffered_body`]
    /// (for example a last line that is not a header field).
    pub fn finish(&mut self) -> usize {
        self.splitter
            .advance(&self.buf, true)
            .unwrap_or(self.buf.len())
    }

    /// True once the header section has ended.
    pub fn is_done(&self) -> bool {
        self.splitter.body_start.is_some()
    }

    /// The header section, once it has ended. Offsets count from the first
    /// byte pushed.
    pub fn headers(&self) -> Option<Headers<'_>> {
        self.splitter.headers(&self.buf)
    }

    /// Bytes pushed in earlier chunks that turned out to belong to the body
    /// (for example the start of a line that is not a header field): the
    /// body begins with them, before the unconsumed rest of the last chunk.
    /// Empty until the header section has ended.
    pub fn buffered_body(&self) -> &[u8] {
        match self.splitter.body_start {
            Some(b) => self.buf.get(b..).unwrap_or_default(),
            None => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(h: &Headers<'_>) -> Vec<String> {
        h.iter()
            .map(|f| String::from_utf8_lossy(f.name()).into_owned())
            .collect()
    }

    fn kinds(h: &Headers<'_>) -> Vec<(usize, DefectKind)> {
        h.defects().iter().map(|d| (d.offset, d.kind)).collect()
    }

    /// Decodes `input` whole and in chunks of every size from 1 to 7, and
    /// checks that all agree.
    fn decode<'a>(input: &'a [u8], limits: &Limits) -> Headers<'a> {
        let whole = headers(input, limits);
        for size in 1..=7 {
            let mut d = HeaderDecoder::new(limits);
            let mut body = Vec::new();
            let mut chunks = input.chunks(size);
            for chunk in chunks.by_ref() {
                if let Progress::Done { consumed } = d.push(chunk) {
                    body.extend_from_slice(d.buffered_body());
                    body.extend_from_slice(&chunk[consumed..]);
                    break;
                }
            }
            let done_early = d.is_done();
            for chunk in chunks {
                body.extend_from_slice(chunk);
            }
            let body_start = d.finish();
            if !done_early {
                body.extend_from_slice(d.buffered_body());
            }
            let chunked = d.headers().unwrap();
            assert_eq!(chunked, whole, "chunk size {size}");
            assert_eq!(body_start, whole.body_start());
            assert_eq!(body, &input[body_start..], "chunk size {size}");
        }
        whole
    }

    fn rfc(input: &str) -> Vec<u8> {
        input.replace('\n', "\r\n").into_bytes()
    }

    #[test]
    fn rfc5322_a_1_1() {
        let input = rfc("From: John Doe <jdoe@machine.example>\n\
            To: Mary Smith <mary@example.net>\n\
            Subject: Saying Hello\n\
            Date: Fri, 21 Nov 1997 09:55:06 -0600\n\
            Message-ID: <1234@local.machine.example>\n\
            \n\
            This is a message just to say hello.\n\
            So, \"Hello\".\n");
        let h = decode(&input, &Limits::default());
        assert_eq!(names(&h), ["From", "To", "Subject", "Date", "Message-ID"]);
        assert!(h.defects().is_empty());
        assert_eq!(h.get("SUBJECT").unwrap().unstructured(), "Saying Hello");
        assert_eq!(
            h.get("message-id").unwrap().raw_value(),
            b" <1234@local.machine.example>"
        );
        assert!(input[h.body_start()..].starts_with(b"This is a message"));
        // Written back byte for byte.
        let back: Vec<u8> = h.iter().flat_map(|f| f.raw().to_vec()).collect();
        assert_eq!([back.as_slice(), b"\r\n"].concat(), h.section());
    }

    #[test]
    fn rfc5322_a_4_trace_fields() {
        let input = rfc(
            "Received: from x.y.test\n   by example.net\n   via TCP\n   with ESMTP\n   id ABC12345\n   for <mary@example.net>;  21 Nov 1997 10:05:43 -0600\n\
            Received: from node.example by x.y.test; 21 Nov 1997 10:01:22 -0600\n\
            From: John Doe <jdoe@node.example>\n\
            To: Mary Smith <mary@example.net>\n\
            Subject: Saying Hello\n\
            Date: Fri, 21 Nov 1997 09:55:06 -0600\n\
            Message-ID: <1234@local.node.example>\n\
            \n\
            This is a message just to say hello.\n",
        );
        let h = decode(&input, &Limits::default());
        assert_eq!(h.len(), 7);
        let received: Vec<_> = h.get_all("received").collect();
        assert_eq!(received.len(), 2);
        assert_eq!(
            received[0].unfolded(),
            &b" from x.y.test   by example.net   via TCP   with ESMTP   id ABC12345   for <mary@example.net>;  21 Nov 1997 10:05:43 -0600"[..]
        );
        assert!(received[1].raw_value().starts_with(b" from node.example"));
        assert_eq!(received[0].span(), 0..received[1].span().start);
    }

    #[test]
    fn rfc5322_a_5_white_space_and_comments() {
        let input = rfc(
            "From: Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>\n\
            To:A Group(Some people)\n     :Chris Jones <c@(Chris's host.)public.example>,\n         joe@example.org,\n  John <jdoe@one.test> (my dear friend); (the end of the group)\n\
            Cc:(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;\n\
            Date: Thu,\n      13\n        Feb\n          1969\n      23:32\n               -0330 (Newfoundland Time)\n\
            Message-ID:              <testabcd.1234@silly.test>\n\
            \n\
            Testing.\n",
        );
        let h = decode(&input, &Limits::default());
        assert_eq!(names(&h), ["From", "To", "Cc", "Date", "Message-ID"]);
        assert!(h.defects().is_empty());
        assert_eq!(h.get("To").unwrap().raw_value()[..7], *b"A Group");
        assert_eq!(
            h.get("date").unwrap().unstructured(),
            "Thu,      13        Feb          1969      23:32               -0330 (Newfoundland Time)"
        );
        assert_eq!(
            h.get("message-id").unwrap().unstructured(),
            "<testabcd.1234@silly.test>"
        );
        assert_eq!(&input[h.body_start()..], b"Testing.\r\n");
    }

    #[test]
    fn rfc5322_a_6_3_obsolete_white_space() {
        let input = rfc("From  : John Doe <jdoe@machine(comment).  example>\n\
            To    : Mary Smith\n  \n          <mary@example.net>\n\
            Subject     : Saying Hello\n\
            Date  : Fri, 21 Nov 1997 09(comment):   55  :  06 -0600\n\
            Message-ID  : <1234   @   local(blah)  .machine .example>\n\
            \n\
            This is a message just to say hello.\n");
        let h = decode(&input, &Limits::default());
        assert_eq!(names(&h), ["From", "To", "Subject", "Date", "Message-ID"]);
        let obs: Vec<_> = kinds(&h);
        assert_eq!(obs.len(), 5);
        assert_eq!(obs[0], (4, DefectKind::ObsoleteWhitespaceBeforeColon));
        assert!(
            obs.iter()
                .all(|(_, k)| *k == DefectKind::ObsoleteWhitespaceBeforeColon)
        );
        assert_eq!(h.get("subject").unwrap().unstructured(), "Saying Hello");
        // A folded line of white space only (obs-FWS) continues the field.
        assert_eq!(
            h.get("to").unwrap().unstructured(),
            "Mary Smith            <mary@example.net>"
        );
    }

    #[test]
    fn other_rfc5322_examples_split() {
        for input in [
            "From: \"Joe Q. Public\" <john.q.public@example.com>\nTo: Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>\nCc: <boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>\nDate: Tue, 1 Jul 2003 10:52:37 +0200\nMessage-ID: <5678.21-Nov-1997@example.com>\n\nHi everyone.\n",
            "From: Pete <pete@silly.example>\nTo: A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;\nCc: Undisclosed recipients:;\nDate: Thu, 13 Feb 1969 23:32:54 -0330\nMessage-ID: <testabcd.1234@silly.example>\n\nTesting.\n",
            "Resent-From: Mary Smith <mary@example.net>\nResent-To: Jane Brown <j-brown@other.example>\nResent-Date: Mon, 24 Nov 1997 14:22:01 -0800\nResent-Message-ID: <78910@example.net>\nFrom: John Doe <jdoe@machine.example>\nTo: Mary Smith <mary@example.net>\nSubject: Saying Hello\nDate: Fri, 21 Nov 1997 09:55:06 -0600\nMessage-ID: <1234@local.machine.example>\n\nThis is a message just to say hello.\n",
            "From: Joe Q. Public <john.q.public@example.com>\nTo: Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example\nDate: Tue, 1 Jul 2003 10:52:37 +0200\nMessage-ID: <5678.21-Nov-1997@example.com>\n\nHi everyone.\n",
            "From: John Doe <jdoe@machine.example>\nTo: Mary Smith <mary@example.net>\nSubject: Saying Hello\nDate: 21 Nov 97 09:55:06 GMT\nMessage-ID: <1234@local.machine.example>\n\nThis is a message just to say hello.\n",
        ] {
            let input = rfc(input);
            let h = decode(&input, &Limits::default());
            assert!(h.defects().is_empty(), "{:?}", h.defects());
            assert!(h.len() >= 4);
            let body_line_count = input[h.body_start()..]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            assert_eq!(body_line_count, 1);
        }
    }

    #[test]
    fn bare_lf_and_bare_cr_are_recorded_once() {
        let input = b"A: 1\nB: 2\r\nC: x\ry\rz\n\nbody\n";
        let h = decode(input, &Limits::default());
        assert_eq!(names(&h), ["A", "B", "C"]);
        assert_eq!(
            kinds(&h),
            [(4, DefectKind::BareLf), (15, DefectKind::BareCr)]
        );
        assert_eq!(&input[h.body_start()..], b"body\n");
        assert_eq!(h.get("c").unwrap().raw_value(), b" x\ry\rz");
        assert_eq!(h.get("c").unwrap().unstructured(), "xyz");
    }

    #[test]
    fn missing_separator_line() {
        let input = b"Subject: x\r\nThis is the body\r\nMore: body\r\n";
        let h = decode(input, &Limits::default());
        assert_eq!(names(&h), ["Subject"]);
        assert_eq!(kinds(&h), [(12, DefectKind::MissingSeparator)]);
        assert_eq!(h.body_start(), 12);
        // A body line ending in bare LF is not a header defect.
        let h = decode(b"Subject: x\r\nbody\nmore\n", &Limits::default());
        assert_eq!(kinds(&h), [(12, DefectKind::MissingSeparator)]);
    }

    #[test]
    fn end_of_input_without_blank_line() {
        let input = b"Subject: last";
        let h = decode(input, &Limits::default());
        assert_eq!(h.get("subject").unwrap().unstructured(), "last");
        assert_eq!(h.get("subject").unwrap().span(), 0..13);
        assert_eq!(kinds(&h), [(13, DefectKind::MissingSeparator)]);
        assert_eq!(h.body_start(), 13);

        let h = decode(b"Subject: a\r\nnot a field", &Limits::default());
        assert_eq!(kinds(&h), [(12, DefectKind::MissingSeparator)]);
        assert_eq!(h.body_start(), 12);

        let h = decode(b"Subject: a\r\n b\r\n", &Limits::default());
        assert_eq!(h.get("subject").unwrap().unstructured(), "a b");
        assert_eq!(kinds(&h), [(16, DefectKind::MissingSeparator)]);

        let h = decode(b"", &Limits::default());
        assert!(h.is_empty());
        assert_eq!(kinds(&h), [(0, DefectKind::MissingSeparator)]);
    }

    #[test]
    fn empty_header_section() {
        let h = decode(b"\r\nbody", &Limits::default());
        assert!(h.is_empty());
        assert!(h.defects().is_empty());
        assert_eq!(h.body_start(), 2);
        let h = decode(b"\nbody", &Limits::default());
        assert_eq!(h.body_start(), 1);
        assert_eq!(kinds(&h), [(0, DefectKind::BareLf)]);
    }

    #[test]
    fn invalid_field_names_never_match() {
        let input = b"From: good@x.com\nFr om: evil\nF\x0crom: evil\nFr\0om: evil\n:From: evil\nSub\tject: t\n\nbody";
        let h = decode(input, &Limits::default());
        assert_eq!(h.len(), 6);
        assert_eq!(h.get_all("from").count(), 1);
        assert_eq!(h.get_all("subject").count(), 0);
        let invalid: Vec<_> = kinds(&h)
            .into_iter()
            .filter(|(_, k)| *k == DefectKind::InvalidFieldName)
            .map(|(o, _)| o)
            .collect();
        assert_eq!(invalid, [19, 30, 43, 53, 68]);
        assert_eq!(h.field(4).unwrap().name(), b"");
        assert_eq!(h.field(4).unwrap().raw_value(), b"From: evil");
    }

    #[test]
    fn obsolete_white_space_before_colon_is_the_same_field() {
        let h = decode(
            b"From: good@x.com\nFrom \t: other@x.com\n\n",
            &Limits::default(),
        );
        assert_eq!(h.get_all("From").count(), 2);
        assert_eq!(
            kinds(&h),
            [
                (16, DefectKind::BareLf),
                (21, DefectKind::ObsoleteWhitespaceBeforeColon)
            ]
        );
    }

    #[test]
    fn orphan_continuation() {
        let input = b" lost\r\n more\r\nSubject: x\r\n\r\n";
        let h = decode(input, &Limits::default());
        assert_eq!(h.len(), 2);
        let first = h.field(0).unwrap();
        assert_eq!(first.name(), b"");
        assert_eq!(first.raw_value(), b" lost\r\n more");
        assert_eq!(kinds(&h), [(0, DefectKind::OrphanContinuation)]);
        assert_eq!(h.get("subject").unwrap().unstructured(), "x");
    }

    #[test]
    fn blank_continuation_and_empty_values() {
        let h = decode(
            b"Subject: a\r\n   \r\nFrom: x\r\n\r\nbody",
            &Limits::default(),
        );
        assert_eq!(names(&h), ["Subject", "From"]);
        assert_eq!(h.get("subject").unwrap().unstructured(), "a");
        let h = decode(
            b"Subject:\r\n \r\nTo:\r\nCc:   \r\n\r\n",
            &Limits::default(),
        );
        assert!(h.iter().all(|f| f.unstructured().is_empty()));
        assert!(h.defects().is_empty());
    }

    #[test]
    fn too_many_headers() {
        let limits = Limits {
            header_count: 2,
            ..Limits::default()
        };
        let input = b"A: 1\r\nB: 2\r\nC: 3\r\n\r\nbody";
        let h = decode(input, &limits);
        assert_eq!(names(&h), ["A", "B"]);
        assert_eq!(kinds(&h), [(12, DefectKind::TooManyHeaders { limit: 2 })]);
        assert_eq!(&input[h.body_start()..], b"C: 3\r\n\r\nbody");
    }

    #[test]
    fn header_too_long() {
        let mut limits = Limits {
            header_bytes: 20,
            ..Limits::default()
        };
        let input = b"A: 1\r\nB: 2\r\n c\r\nC: 3333333\r\n\r\nbody";
        let h = decode(input, &limits);
        assert_eq!(names(&h), ["A", "B"]);
        assert_eq!(h.get("b").unwrap().unstructured(), "2 c");
        assert_eq!(kinds(&h), [(16, DefectKind::HeaderTooLong { limit: 20 })]);
        assert_eq!(h.body_start(), 16);
        // Exactly at the limit is fine, blank line included.
        limits.header_bytes = 8;
        let h = decode(b"A: 1\r\n\r\nbody", &limits);
        assert!(h.defects().is_empty());
        assert_eq!(h.body_start(), 8);
        // So is a last line without line ending that reaches the limit.
        limits.header_bytes = 4;
        let h = decode(b"A: 1", &limits);
        assert_eq!(kinds(&h), [(4, DefectKind::MissingSeparator)]);
        let h = decode(b"A: 12", &limits);
        assert_eq!(kinds(&h), [(0, DefectKind::HeaderTooLong { limit: 4 })]);
        assert!(h.is_empty());
        limits.header_bytes = 0;
        let h = decode(b"\r\n", &limits);
        assert_eq!(kinds(&h), [(0, DefectKind::HeaderTooLong { limit: 0 })]);
    }

    #[test]
    fn decoder_stops_taking_input_when_done() {
        let mut d = HeaderDecoder::new(&Limits::default());
        assert_eq!(d.push(b"A: 1\r\nnot a header"), Progress::NeedMore);
        assert_eq!(d.push(b"\r\nrest"), Progress::Done { consumed: 0 });
        assert_eq!(d.buffered_body(), b"not a header");
        assert_eq!(d.push(b"more"), Progress::Done { consumed: 0 });
        assert!(d.is_done());
        let h = d.headers().unwrap();
        assert_eq!(h.body_start(), 6);
        assert_eq!(h.section(), b"A: 1\r\n");
        // The buffer is bounded by the limit.
        let limits = Limits {
            header_bytes: 10,
            ..Limits::default()
        };
        let mut d = HeaderDecoder::new(&limits);
        assert_eq!(d.push(&[b'x'; 100]), Progress::Done { consumed: 0 });
        assert!(d.buffered_body().is_empty());
        assert_eq!(
            d.headers().unwrap().defects()[0].kind,
            DefectKind::HeaderTooLong { limit: 10 }
        );
    }

    #[test]
    fn crlf_split_across_chunks() {
        let input = b"A: 1\r\n\r\nB";
        let mut d = HeaderDecoder::new(&Limits::default());
        assert_eq!(d.push(b"A: 1\r"), Progress::NeedMore);
        assert_eq!(d.push(b"\n\r"), Progress::NeedMore);
        assert_eq!(d.push(b"\nB"), Progress::Done { consumed: 1 });
        assert_eq!(d.headers().unwrap(), headers(input, &Limits::default()));
        assert!(d.headers().unwrap().defects().is_empty());
    }

    proptest::proptest! {
        /// The word-at-a-time `ftext` scan finds what a plain scan finds.
        #[test]
        fn first_not_ftext_is_a_plain_scan(
            text in proptest::collection::vec(
                proptest::sample::select(vec![
                    b'a', b'Z', b'-', b':', b' ', 0, 32, 33, 57, 58, 59, 126, 127, 128, 0xff, 0x80,
                ]),
                0..40,
            ),
        ) {
            proptest::prop_assert_eq!(
                first_not_ftext(&text),
                text.iter().position(|&b| !is_ftext(b))
            );
        }
    }
}
