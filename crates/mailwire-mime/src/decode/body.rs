//! The structure of a message body: MIME parts (RFC 2045, RFC 2046), pushed
//! in chunks of any size.
//!
//! [`MessageParser`] is a push parser: the caller feeds it bytes and it
//! reports [`Event`]s to a callback as soon as it knows them. It holds only
//! what it cannot decide yet: the header section being read (at most
//! [`Limits::header_bytes`]), a possible delimiter line (at most the
//! boundary plus a line), and one frame per open part, of which there are
//! at most [`Limits::max_depth`] + 1 per nested message. The size of the
//! message does not matter.
//!
//! Nesting is kept on explicit stacks (one of open parts per byte stream,
//! one of byte streams for messages nested inside base64 or
//! quoted-printable bodies), never on the native stack.

use std::ops::Range;

use crate::Limits;
use crate::types::{ContentDisposition, ContentType, Defect, DefectKind, TransferEncoding};

use super::charset;
use super::header::{Field, Headers, Pause, Splitter};
use super::transfer::TransferDecoder;

/// White space allowed after a boundary on its delimiter line
/// (`transport-padding`, RFC 2046 §5.1.1), at most: a longer line is not a
/// delimiter line. Also the longest boundary read.
const MAX_PADDING: usize = 998;

/// Boundaries of ended multiparts whose room a parser keeps for the next
/// ones.
const SPARE_BOUNDARIES: usize = 4;

/// Keeps the room of an ended multipart's boundary in a free slot, if
/// any.
fn keep_boundary(spare: &mut [Vec<u8>; SPARE_BOUNDARIES], boundary: Vec<u8>) {
    if let Some(slot) = spare.iter_mut().find(|b| b.capacity() == 0) {
        *slot = boundary;
    }
}

/// What a part is, and so how its body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PartKind {
    /// A part whose body is content: text, an image, an attachment… Also a
    /// multipart or message part that could not be opened (no boundary,
    /// too deep, too many parts): see the part's defects.
    Leaf,
    /// A `multipart/*` part (RFC 2046 §5.1): preamble, parts, epilogue.
    Multipart,
    /// A `message/rfc822` or `message/global` part (RFC 2046 §5.2.1,
    /// RFC 6532 §3.7) in `7bit`, `8bit` or `binary`: its body is one nested
    /// message, read in the same byte stream.
    Message,
    /// A `message/rfc822` or `message/global` part in base64 or
    /// quoted-printable: its decoded body is one nested message, read as
    /// the byte stream `layer` (offsets inside it count from the start of
    /// the decoded body).
    EncodedMessage {
        /// The byte stream of the nested message.
        layer: usize,
    },
}

/// What the parser knows of a part once its header section was read.
///
/// Its content type and disposition borrow from the header section (see
/// [`ContentType`]); [`PartInfo::into_owned`] detaches them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PartInfo<'a> {
    /// The part's number: 0 for the message, then in the order the parts
    /// start.
    pub id: usize,
    /// The enclosing part: a multipart, a message part, or an encoded
    /// message part; `None` for the message.
    pub parent: Option<usize>,
    /// Levels of nesting: 0 for the message, 1 for its parts or its
    /// nested message…
    pub depth: usize,
    /// The byte stream the part lies in: 0 for the input, or the
    /// `layer` of the [`PartKind::EncodedMessage`] it is nested in.
    /// Offsets count from the start of that stream.
    pub layer: usize,
    /// Offset of the part's first byte (of its header section).
    pub start: usize,
    /// Offset of its body, past the blank line that ended the header
    /// section.
    pub body_start: usize,
    /// The Content-Type: as given, or the default (`text/plain`, or
    /// `message/rfc822` inside `multipart/digest`, RFC 2046 §5.1.5).
    pub content_type: ContentType<'a>,
    /// True when the part has a Content-Type field.
    pub content_type_given: bool,
    /// The Content-Disposition, if the part has one.
    pub disposition: Option<ContentDisposition<'a>>,
    /// The Content-Transfer-Encoding (`7bit` when none is given).
    pub transfer_encoding: TransferEncoding,
    /// How the body is read.
    pub kind: PartKind,
}

impl PartInfo<'_> {
    /// The same information, owning its text.
    pub fn into_owned(self) -> PartInfo<'static> {
        PartInfo {
            content_type: self.content_type.into_owned(),
            disposition: self.disposition.map(ContentDisposition::into_owned),
            transfer_encoding: self.transfer_encoding,
            ..self
        }
    }
}

/// Where a part ended, reported by [`Event::PartEnd`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PartEnd {
    /// The part's number.
    pub id: usize,
    /// The body: from [`PartInfo::body_start`] up to the line break
    /// before the next delimiter line (that line break belongs to the
    /// delimiter, RFC 2046 §5.1.1), or to the end of the enclosing body.
    /// The whole part is `start..body.end`.
    pub body: Range<usize>,
    /// For a multipart: its preamble, before the first delimiter line
    /// (the whole body when none was found).
    pub preamble: Option<Range<usize>>,
    /// For a multipart that was closed (by its close delimiter or by the
    /// part limit): its epilogue, up to the end of the body.
    pub epilogue: Option<Range<usize>>,
}

/// What the parser reports, in input order.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Event<'a> {
    /// A part starts: its header section has been read.
    PartStart {
        /// What the header section says of the part.
        info: &'a PartInfo<'a>,
        /// The header section; offsets count from [`PartInfo::start`].
        headers: &'a Headers<'a>,
    },
    /// One header field of the part that just started, in order;
    /// offsets count from [`PartInfo::start`].
    Header {
        /// The part's number.
        part: usize,
        /// The field.
        field: Field<'a>,
    },
    /// Content of a leaf or encoded message part: as written, or decoded
    /// from its transfer encoding when the parser was made with
    /// [`MessageParser::decode_bodies`].
    Body {
        /// The part's number.
        part: usize,
        /// Offset of the first raw byte this chunk comes from (decoders
        /// hold a few bytes back, so it is approximate for decoded
        /// chunks).
        offset: usize,
        /// The bytes.
        data: &'a [u8],
    },
    /// Bytes of a multipart's preamble (RFC 2046 §5.1.1), as written.
    Preamble {
        /// The multipart's number.
        part: usize,
        /// Offset of `data`.
        offset: usize,
        /// The bytes.
        data: &'a [u8],
    },
    /// Bytes of a multipart's epilogue, as written.
    Epilogue {
        /// The multipart's number.
        part: usize,
        /// Offset of `data`.
        offset: usize,
        /// The bytes.
        data: &'a [u8],
    },
    /// Something about a part that the parser worked around; the offset
    /// counts from the start of the part's byte stream.
    Defect {
        /// The part's number.
        part: usize,
        /// What and where.
        defect: Defect,
    },
    /// A part ends. Parts end innermost first; the message is the last.
    PartEnd(&'a PartEnd),
}

/// Where the parser's events go: a caller's closure, or the tree of a
/// whole message, which takes what it keeps without copying it.
pub(crate) trait Sink {
    /// One event.
    fn event(&mut self, event: Event<'_>);

    /// Whether [`Event::Body`], [`Event::Preamble`] and [`Event::Epilogue`]
    /// are wanted: a sink that keeps offsets only (the tree) does without.
    fn wants_content(&self) -> bool {
        true
    }

    /// A part starts: [`Event::PartStart`] then one [`Event::Header`] per
    /// field, unless the sink takes them otherwise.
    fn part_start(&mut self, info: PartInfo<'_>, headers: &Headers<'_>) {
        self.event(Event::PartStart {
            info: &info,
            headers,
        });
        for field in headers.iter() {
            self.event(Event::Header {
                part: info.id,
                field,
            });
        }
    }
}

/// A [`Sink`] that can keep a part's [`PartInfo`] borrowed from the
/// input given to [`MessageParser::parse_whole`] (`'i`): the parser
/// gives it that way when the header section lies in that input.
pub(crate) trait KeepSink<'i>: Sink {
    /// A part starts, its information borrowed from the input.
    fn part_start_kept(&mut self, info: PartInfo<'i>, headers: &Headers<'_>) {
        self.part_start(info, headers);
    }
}

/// A caller's closure as a [`Sink`].
struct Events<'f, F>(&'f mut F);

impl<F: FnMut(Event<'_>)> Sink for Events<'_, F> {
    fn event(&mut self, event: Event<'_>) {
        (self.0)(event);
    }
}

impl<F: FnMut(Event<'_>)> KeepSink<'_> for Events<'_, F> {}

/// Where the parser's steps over bytes living for `'x` send a part's
/// start: kept borrowed, or not.
trait Deliver<'x>: Sink {
    fn start(&mut self, info: PartInfo<'x>, headers: &Headers<'_>);
}

/// A [`KeepSink`] over the input it keeps borrowing from.
struct Kept<'s, S>(&'s mut S);

impl<S: Sink> Sink for Kept<'_, S> {
    fn event(&mut self, event: Event<'_>) {
        self.0.event(event);
    }

    fn wants_content(&self) -> bool {
        self.0.wants_content()
    }
}

impl<'i, S: KeepSink<'i>> Deliver<'i> for Kept<'_, S> {
    fn start(&mut self, info: PartInfo<'i>, headers: &Headers<'_>) {
        self.0.part_start_kept(info, headers);
    }
}

/// A [`Sink`] over bytes it cannot keep borrowing from (held between
/// pushes, or the decoded body of an encoded message part).
struct Transient<'s, S>(&'s mut S);

impl<S: Sink> Sink for Transient<'_, S> {
    fn event(&mut self, event: Event<'_>) {
        self.0.event(event);
    }

    fn wants_content(&self) -> bool {
        self.0.wants_content()
    }
}

impl<S: Sink> Deliver<'_> for Transient<'_, S> {
    fn start(&mut self, info: PartInfo<'_>, headers: &Headers<'_>) {
        self.0.part_start(info, headers);
    }
}

/// Line breaks and lengths of a body, for defects.
#[derive(Debug, Clone, Default)]
struct LineCheck {
    /// Octets of the current line so far, CR excluded at its end.
    col: usize,
    prev_cr: bool,
    bare_lf: bool,
    bare_cr: bool,
    long: bool,
}

impl LineCheck {
    fn done(&self) -> bool {
        self.bare_lf && self.bare_cr && self.long
    }

    fn feed(&mut self, data: &[u8], offset: usize, limit: usize, defects: &mut Vec<Defect>) {
        if self.done() || data.is_empty() {
            return;
        }
        let mut last = 0;
        if self.prev_cr && data[0] != b'\n' && !self.bare_cr {
            self.bare_cr = true;
            defects.push(Defect {
                offset: offset.saturating_sub(1),
                kind: DefectKind::BareCr,
            });
        }
        for j in memchr::memchr2_iter(b'\r', b'\n', data) {
            if data[j] == b'\r' {
                if data.get(j + 1).is_some_and(|&b| b != b'\n') && !self.bare_cr {
                    self.bare_cr = true;
                    defects.push(Defect {
                        offset: offset + j,
                        kind: DefectKind::BareCr,
                    });
                }
                continue;
            }
            let cr = if j > 0 {
                data[j - 1] == b'\r'
            } else {
                self.prev_cr
            };
            let len = self.col + (j - last) - usize::from(cr);
            if !cr && !self.bare_lf {
                self.bare_lf = true;
                defects.push(Defect {
                    offset: offset + j,
                    kind: DefectKind::BareLf,
                });
            }
            if len > limit && !self.long {
                self.long = true;
                defects.push(Defect {
                    offset: offset + j,
                    kind: DefectKind::LineTooLong { limit },
                });
            }
            self.col = 0;
            last = j + 1;
        }
        self.col += data.len() - last;
        self.prev_cr = data.last() == Some(&b'\r');
    }

    fn finish(&mut self, end: usize, limit: usize, defects: &mut Vec<Defect>) {
        if self.prev_cr && !self.bare_cr {
            self.bare_cr = true;
            defects.push(Defect {
                offset: end.saturating_sub(1),
                kind: DefectKind::BareCr,
            });
        }
        if self.col.saturating_sub(usize::from(self.prev_cr)) > limit && !self.long {
            self.long = true;
            defects.push(Defect {
                offset: end,
                kind: DefectKind::LineTooLong { limit },
            });
        }
    }
}

/// A multipart's place in its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MultipartState {
    /// Before the first delimiter line.
    Preamble,
    /// Between delimiter lines: a part is open above it.
    Parts,
    /// After the close delimiter.
    Epilogue,
}

#[derive(Debug, Clone)]
struct LeafFrame {
    decoder: TransferDecoder,
    /// Whether the decoder's output is wanted (decoded bodies, or a nested
    /// message).
    decoding: bool,
    nested: bool,
    lines: Option<LineCheck>,
    decoder_done: bool,
}

#[derive(Debug, Clone)]
struct MultipartFrame {
    boundary: Vec<u8>,
    state: MultipartState,
    preamble_end: Option<usize>,
    epilogue_start: Option<usize>,
    digest: bool,
}

#[derive(Debug, Clone)]
enum FrameKind {
    Leaf(LeafFrame),
    Multipart(MultipartFrame),
    Message,
}

#[derive(Debug, Clone)]
struct Frame {
    id: usize,
    depth: usize,
    body_start: usize,
    kind: FrameKind,
}

impl Frame {
    /// The boundary still looked for, if this is a multipart before its
    /// close delimiter.
    fn boundary(&self) -> Option<&[u8]> {
        match &self.kind {
            FrameKind::Multipart(m) if m.state != MultipartState::Epilogue => Some(&m.boundary),
            _ => None,
        }
    }
}

/// A header section being read: it lies at the start of the layer's
/// unconsumed input, which the splitter reads in place.
#[derive(Debug, Clone)]
struct HeaderState {
    splitter: Splitter,
    parent: Option<usize>,
    depth: usize,
    /// The default Content-Type is `message/rfc822` (inside
    /// `multipart/digest`).
    digest: bool,
    /// Octets of the section already given to the decoder.
    pushed: usize,
    /// Whether `pushed` is at the start of a line.
    at_line_start: bool,
}

impl HeaderState {
    /// Ends the section `end` octets into `section` (at the end of input,
    /// or before a delimiter line): where its body starts.
    fn finish(&mut self, section: &[u8], end: usize, room: usize) -> usize {
        let seen = section.get(..end.min(room)).unwrap_or(section);
        self.splitter.advance(seen, true).unwrap_or(seen.len())
    }

    /// Back to the start of a section, keeping the room of its buffers.
    fn reset(&mut self, limits: &Limits, parent: Option<usize>, depth: usize, digest: bool) {
        self.splitter.reset(limits);
        self.parent = parent;
        self.depth = depth;
        self.digest = digest;
        self.pushed = 0;
        self.at_line_start = true;
    }

    fn new(limits: &Limits, parent: Option<usize>, depth: usize, digest: bool) -> Self {
        Self {
            splitter: Splitter::new(limits),
            parent,
            depth,
            digest,
            pushed: 0,
            at_line_start: true,
        }
    }
}

/// One byte stream: the input, or the decoded body of an encoded message
/// part.
#[derive(Debug, Clone, Default)]
struct Layer {
    id: usize,
    /// Input not consumed yet (for layer 0, only between pushes).
    pending: Vec<u8>,
    /// Offset of the first unconsumed byte.
    pos: usize,
    stack: Vec<Frame>,
    /// Boxed: a layer is moved in and out of the parser at every step.
    header: Option<Box<HeaderState>>,
    /// The next unconsumed byte starts a line.
    line_start: bool,
    eof: bool,
    done: bool,
    /// The top frame is an encoded message whose nested stream is open.
    nested: bool,
}

/// What a layer's step asks of the driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    /// Everything that could be processed was.
    Exhausted,
    /// Bytes were added to the next layer's input: run it now.
    Forward,
    /// The next layer's input has ended: run it to its end, then come back.
    NestedEnd,
}

/// What a delimiter line check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delimiter {
    No,
    NeedMore,
    /// The delimiter of the multipart at `frame` in the stack; `len`
    /// octets, its line break included.
    Yes {
        frame: usize,
        close: bool,
        len: usize,
    },
}

/// Octets of the line break (CRLF or LF) that ends `input[..end]`, if any.
fn line_break_before(input: &[u8], end: usize) -> usize {
    match input.get(..end).unwrap_or_default() {
        [.., b'\r', b'\n'] => 2,
        [.., b'\n'] => 1,
        _ => 0,
    }
}

/// `dash-boundary transport-padding CRLF` or `close-delimiter
/// transport-padding CRLF` at the start of `line` (RFC 2046 §5.1.1), for
/// any boundary still looked for in `stack`, innermost first.
///
/// Tolerant as mail clients are: a bare LF ends the line too; the line
/// may end the input. Anything but white space after the boundary (or
/// after `--boundary--`) makes it text.
fn delimiter(line: &[u8], eof: bool, stack: &[Frame]) -> Delimiter {
    let window = line.len().min(
        stack
            .iter()
            .filter_map(Frame::boundary)
            .map(|b| b.len())
            .max()
            .unwrap_or(0)
            + 6
            + MAX_PADDING,
    );
    let (content, complete, len) = match memchr::memchr(b'\n', &line[..window]) {
        Some(lf) => (&line[..lf], true, lf + 1),
        None if window < line.len() => return Delimiter::No,
        None => (line, eof, line.len()),
    };
    let content = match (complete, content) {
        (true, [c @ .., b'\r']) => c,
        _ => content,
    };
    // `content` starts with `"--" boundary`, or (when shorter) is the
    // start of it.
    let dash_boundary = |b: &[u8]| {
        let (dashes, name) = content.split_at(content.len().min(2));
        b"--".starts_with(dashes)
            && name.get(..b.len()).unwrap_or(name) == b.get(..name.len()).unwrap_or(b)
    };
    let mut viable = false;
    for (index, frame) in stack.iter().enumerate().rev() {
        let Some(b) = frame.boundary() else { continue };
        let head = 2 + b.len();
        if content.len() < head {
            if !complete && dash_boundary(b) {
                viable = true;
            }
            continue;
        }
        if !dash_boundary(b) {
            continue;
        }
        let rest = &content[head..];
        let (close, pad) = match rest {
            [b'-', b'-', pad @ ..] => (true, pad),
            [b'-'] if !complete => {
                viable = true;
                continue;
            }
            pad => (false, pad),
        };
        let blank = |p: &[u8]| p.iter().all(|&c| c == b' ' || c == b'\t');
        if complete {
            if blank(pad) {
                return Delimiter::Yes {
                    frame: index,
                    close,
                    len,
                };
            }
        } else {
            let pad = pad.strip_suffix(b"\r").unwrap_or(pad);
            if blank(pad) {
                viable = true;
            }
        }
    }
    if viable {
        Delimiter::NeedMore
    } else {
        Delimiter::No
    }
}

/// Finds `LF "--"`: built once, shared by every parser.
static DASHES: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\n--"));

/// A push parser for whole messages: header sections, multipart bodies at
/// any depth, nested messages (also inside base64 or quoted-printable
/// bodies), transfer decoding.
///
/// ```text
/// multipart-body := [preamble CRLF] dash-boundary transport-padding CRLF
///                   body-part *encapsulation close-delimiter
///                   transport-padding [CRLF epilogue]   ; RFC 2046 §5.1.1
/// encapsulation  := delimiter transport-padding CRLF body-part
/// delimiter      := CRLF dash-boundary
/// dash-boundary  := "--" boundary
/// close-delimiter := delimiter "--"
/// ```
///
/// Read tolerantly: lines may end in bare LF; a delimiter of an enclosing
/// multipart ends the inner ones (and a header section it cuts; a nested
/// message's header section, being its message part's body, leaves the
/// line break before the delimiter line to it, as every body does); a missing
/// close delimiter, a boundary never found, a missing boundary parameter
/// are defects; nothing is dropped. Every part's byte ranges are reported,
/// so an unmodified message can be written back byte for byte.
///
/// ```
/// use mailwire_mime::Limits;
/// use mailwire_mime::decode::{Event, MessageParser};
///
/// let msg = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
///     Content-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--b--\r\n";
/// let mut parser = MessageParser::new(&Limits::default()).decode_bodies(true);
/// let mut body = Vec::new();
/// let mut types = Vec::new();
/// let mut sink = |event: Event<'_>| match event {
///     Event::PartStart { info, .. } => types.push(info.content_type.essence()),
///     Event::Body { data, .. } => body.extend_from_slice(data),
///     _ => {}
/// };
/// for chunk in msg.chunks(5) {
///     parser.push(chunk, &mut sink);
/// }
/// parser.finish(&mut sink);
/// assert_eq!(types, ["multipart/mixed", "text/plain"]);
/// assert_eq!(body, b"hello");
/// ```
#[derive(Debug, Clone)]
pub struct MessageParser {
    limits: Limits,
    decode: bool,
    /// Byte streams: the input first, then each nested encoded message.
    layers: Vec<Layer>,
    parts: usize,
    next_layer: usize,
    finished: bool,
    scratch: Vec<u8>,
    defects: Vec<Defect>,
    /// The last header section's state, to reuse its room.
    spare: Option<Box<HeaderState>>,
    /// Room of the boundaries of multiparts that have ended, to reuse
    /// (slots without room are empty).
    spare_boundaries: [Vec<u8>; SPARE_BOUNDARIES],
    /// Finds `LF "--"`, where delimiter lines may start.
    dashes: &'static memchr::memmem::Finder<'static>,
}

impl MessageParser {
    /// A parser at the start of a message, reporting bodies as written.
    pub fn new(limits: &Limits) -> Self {
        let mut root = Layer {
            line_start: true,
            ..Layer::default()
        };
        root.header = Some(Box::new(HeaderState {
            splitter: Splitter::with_buffers(limits, Vec::with_capacity(24), Vec::new()),
            ..HeaderState::new(limits, None, 0, false)
        }));
        Self {
            limits: *limits,
            decode: false,
            layers: vec![root],
            parts: 0,
            next_layer: 1,
            finished: false,
            scratch: Vec::new(),
            defects: Vec::new(),
            spare: None,
            spare_boundaries: Default::default(),
            dashes: &DASHES,
        }
    }

    /// The state of a header section starting now, reusing the room of
    /// the last one.
    fn header_state(
        &mut self,
        parent: Option<usize>,
        depth: usize,
        digest: bool,
    ) -> Box<HeaderState> {
        match self.spare.take() {
            Some(mut hs) => {
                hs.reset(&self.limits, parent, depth, digest);
                hs
            }
            None => Box::new(HeaderState::new(&self.limits, parent, depth, digest)),
        }
    }

    /// Back to the start of a message, within `limits`, reporting bodies
    /// as written: the state of [`Self::new`], keeping the room of the
    /// buffers.
    pub(crate) fn reset(&mut self, limits: &Limits) {
        self.limits = *limits;
        self.decode = false;
        self.parts = 0;
        self.next_layer = 1;
        self.finished = false;
        self.scratch.clear();
        self.defects.clear();
        self.layers.truncate(1);
        let spare = self.spare.take();
        match self.layers.first_mut() {
            Some(root) => {
                root.id = 0;
                root.pending.clear();
                root.pos = 0;
                for frame in root.stack.drain(..) {
                    if let FrameKind::Multipart(m) = frame.kind {
                        keep_boundary(&mut self.spare_boundaries, m.boundary);
                    }
                }
                let mut hs = root
                    .header
                    .take()
                    .or(spare)
                    .unwrap_or_else(|| Box::new(HeaderState::new(limits, None, 0, false)));
                hs.reset(limits, None, 0, false);
                root.header = Some(hs);
                root.line_start = true;
                root.eof = false;
                root.done = false;
                root.nested = false;
            }
            None => *self = Self::new(limits),
        }
    }

    /// With `true`, [`Event::Body`] carries bodies decoded from their
    /// Content-Transfer-Encoding (base64, quoted-printable), and decoding
    /// defects are reported.
    pub fn decode_bodies(mut self, decode: bool) -> Self {
        self.decode = decode;
        self
    }

    /// Number of parts started so far.
    pub fn part_count(&self) -> usize {
        self.parts
    }

    /// Octets held between pushes, all byte streams together: what could
    /// not be decided yet.
    pub fn buffered(&self) -> usize {
        self.layers.iter().map(|l| l.pending.len()).sum::<usize>()
            + self
                .layers
                .iter()
                .filter_map(|l| l.header.as_ref())
                .map(|h| h.pushed)
                .sum::<usize>()
    }

    /// An estimate of the heap memory the parser holds, in octets: the
    /// capacity of its buffers (input held between pushes, decoded output
    /// of the last chunk, decoder state), its stacks of open parts, and
    /// the header sections being read. Bounded by the limits, the nesting
    /// and the size of the chunks pushed, not by the size of the message.
    pub fn memory(&self) -> usize {
        use std::mem::size_of;
        let layers = self.layers.iter().map(|l| {
            let frames = l.stack.iter().map(|f| match &f.kind {
                FrameKind::Leaf(leaf) => leaf.decoder.memory(),
                FrameKind::Multipart(m) => m.boundary.capacity(),
                FrameKind::Message => 0,
            });
            l.pending.capacity()
                + l.stack.capacity() * size_of::<Frame>()
                + frames.sum::<usize>()
                + l.header
                    .as_ref()
                    .map_or(0, |h| size_of::<HeaderState>() + h.pushed)
        });
        self.scratch.capacity()
            + self.defects.capacity() * size_of::<Defect>()
            + self.layers.capacity() * size_of::<Layer>()
            + layers.sum::<usize>()
            + self
                .spare_boundaries
                .iter()
                .map(Vec::capacity)
                .sum::<usize>()
    }

    /// Feeds the next chunk of input; events go to `sink`.
    pub fn push<F: FnMut(Event<'_>)>(&mut self, chunk: &[u8], sink: &mut F) {
        if !self.finished {
            self.run(chunk, &mut Events(sink));
        }
    }

    /// Signals the end of input: every part still open ends.
    pub fn finish<F: FnMut(Event<'_>)>(&mut self, sink: &mut F) {
        if !self.finished {
            if let Some(l) = self.layers.first_mut() {
                l.eof = true;
            }
            self.run(&[], &mut Events(sink));
            self.finished = true;
        }
    }

    /// Parses `input` as the whole message: [`Self::push`] then
    /// [`Self::finish`], but the input is known to end, so nothing of it
    /// is held back or copied.
    pub(crate) fn parse_whole<'i, S: KeepSink<'i>>(&mut self, input: &'i [u8], sink: &mut S) {
        if !self.finished {
            if let Some(l) = self.layers.first_mut() {
                l.eof = true;
            }
            self.run(input, sink);
            self.run(&[], sink);
            self.finished = true;
        }
    }

    /// Drives the layers over `chunk`, innermost first when one has input.
    fn run<'i, S: KeepSink<'i>>(&mut self, chunk: &'i [u8], sink: &mut S) {
        let Some(first) = self.layers.first_mut() else {
            return;
        };
        let mut own = std::mem::take(&mut first.pending);
        let use_own = !own.is_empty();
        if use_own {
            own.extend_from_slice(chunk);
        }
        let mut off0 = 0;
        let mut k = 0;
        while let Some(slot) = self.layers.get_mut(k) {
            let mut layer = std::mem::take(slot);
            let action = if k == 0 {
                let (consumed, action) = if use_own {
                    let input = own.get(off0..).unwrap_or_default();
                    self.step(k, &mut layer, input, &mut Transient(sink))
                } else {
                    let input = chunk.get(off0..).unwrap_or_default();
                    self.step(k, &mut layer, input, &mut Kept(sink))
                };
                off0 += consumed;
                action
            } else {
                let input = std::mem::take(&mut layer.pending);
                let (consumed, action) = self.step(k, &mut layer, &input, &mut Transient(sink));
                let mut input = input;
                input.drain(..consumed);
                layer.pending = input;
                action
            };
            let done = layer.done;
            self.layers[k] = layer;
            match action {
                Action::Forward => k += 1,
                Action::NestedEnd => {
                    if let Some(next) = self.layers.get_mut(k + 1) {
                        next.eof = true;
                        k += 1;
                    } else {
                        self.layers[k].nested = false;
                    }
                }
                Action::Exhausted => {
                    if k == 0 {
                        break;
                    }
                    if done {
                        self.layers.truncate(k);
                        self.layers[k - 1].nested = false;
                    }
                    k -= 1;
                }
            }
        }
        let rest = if use_own {
            own.drain(..off0);
            own
        } else {
            chunk[off0..].to_vec()
        };
        if let Some(first) = self.layers.first_mut() {
            first.pending = rest;
        }
    }

    /// Processes as much of `input` (the layer's unconsumed bytes) as can
    /// be; returns how much was consumed.
    fn step<'x, S: Deliver<'x>>(
        &mut self,
        k: usize,
        layer: &mut Layer,
        input: &'x [u8],
        sink: &mut S,
    ) -> (usize, Action) {
        let mut i = 0;
        let action = loop {
            if layer.done {
                i = input.len();
                break Action::Exhausted;
            }
            if layer.header.is_some() {
                match self.header_step(k, layer, input, &mut i, sink) {
                    Some(action) => break action,
                    None => continue,
                }
            }
            if layer.stack.is_empty() {
                layer.done = true;
                continue;
            }
            if let Some(action) = self.body_step(k, layer, input, &mut i, sink) {
                break action;
            }
        };
        layer.pos += i;
        (i, action)
    }

    /// Reads the header section at `input[*i..]`. `None` once it has
    /// ended (the body starts at `*i`); else what to tell the driver.
    fn header_step<'x, S: Deliver<'x>>(
        &mut self,
        k: usize,
        layer: &mut Layer,
        input: &'x [u8],
        i: &mut usize,
        sink: &mut S,
    ) -> Option<Action> {
        let hs = layer.header.as_mut()?;
        let section = input.get(*i..).unwrap_or_default();
        // The splitter never sees more than one octet past the limit:
        // that octet is enough to know the limit was crossed.
        let room = self.limits.header_bytes.saturating_add(1);
        let searching = layer.stack.iter().any(|f| f.boundary().is_some());
        // The header section of a nested message is its message part's
        // body, which ends before the line break of a delimiter line
        // (RFC 2046 §5.1.1): the line break before a line that may be a
        // delimiter line is kept from the splitter until that line is
        // known not to be one.
        let hold = searching
            && matches!(layer.stack.last(), Some(f) if matches!(f.kind, FrameKind::Message));
        let body_start = loop {
            if hs.at_line_start && searching {
                let line = section.get(hs.pushed..).unwrap_or_default();
                if line.first().is_none_or(|&b| b == b'-') {
                    match delimiter(line, layer.eof, &layer.stack) {
                        Delimiter::Yes { .. } => {
                            let end = if hold {
                                hs.pushed - line_break_before(section, hs.pushed)
                            } else {
                                hs.pushed
                            };
                            break hs.finish(section, end, room);
                        }
                        Delimiter::NeedMore => return Some(Action::Exhausted),
                        _ => {}
                    }
                }
            }
            if hs.pushed >= section.len() {
                if layer.eof {
                    break hs.finish(section, hs.pushed, room);
                }
                return Some(Action::Exhausted);
            }
            // The splitter reads lines up to the next one that may be a
            // delimiter line, when a boundary is looked for; else all of
            // them. (A line before one that may be a delimiter line
            // waits, when held: the splitter acts on LFs only.)
            let seen = section.get(..room).unwrap_or(section);
            let dash = searching.then_some((hs.pushed, hold));
            match hs.splitter.advance_to(seen, false, dash) {
                Pause::Body(body_start) => break body_start,
                Pause::Dash(at) => {
                    hs.pushed = at;
                    hs.at_line_start = true;
                }
                Pause::More => {
                    hs.pushed = section.len();
                    hs.at_line_start = section.last() == Some(&b'\n');
                }
            }
        };
        let body_start = body_start.min(section.len());
        let start = layer.pos + *i;
        self.end_header(k, layer, section, start, body_start, sink);
        *i += body_start;
        layer.line_start = body_start == 0 || section.get(body_start - 1) == Some(&b'\n');
        None
    }

    /// Records a defect on `part`.
    fn defect<S: Sink>(part: usize, offset: usize, kind: DefectKind, sink: &mut S) {
        sink.event(Event::Defect {
            part,
            defect: Defect { offset, kind },
        });
    }

    /// The header section of a part, at the start of `section`, has
    /// ended, its body starting `body_start` octets after its start: the
    /// part starts.
    fn end_header<'x, S: Deliver<'x>>(
        &mut self,
        k: usize,
        layer: &mut Layer,
        section: &'x [u8],
        start: usize,
        body_start: usize,
        sink: &mut S,
    ) {
        let Some(hs) = layer.header.take() else {
            return;
        };
        let id = self.parts;
        self.parts += 1;
        let limits = self.limits;
        let Some(headers) = hs.splitter.headers(section) else {
            return;
        };
        // Defects of the Content-* fields (the section's own are reported
        // from `headers`).
        let mut defects: Vec<Defect> = Vec::new();
        // The fields that say how to read the part, first of each, in one
        // pass.
        let (mut ct_field, mut cd_field, mut cte_field) = (None, None, None);
        for field in headers.iter() {
            let name = field.name();
            let slot = match name.len() {
                12 if name.eq_ignore_ascii_case(b"content-type") => &mut ct_field,
                19 if name.eq_ignore_ascii_case(b"content-disposition") => &mut cd_field,
                25 if name.eq_ignore_ascii_case(b"content-transfer-encoding") => &mut cte_field,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(field);
            }
        }
        // Read from `section` itself, so that what they borrow lives as
        // long as it does.
        let value = |f: &Field<'_>| {
            let span = f.value_span();
            (span.start, section.get(span).unwrap_or_default())
        };
        let (content_type, content_type_given) = match ct_field {
            Some(f) => {
                let (at, raw) = value(&f);
                let (ct, d) = super::content_type(raw, &limits);
                defects.extend(d.into_iter().map(|d| Defect {
                    offset: d.offset + at,
                    kind: d.kind,
                }));
                (ct, true)
            }
            None if hs.digest => (
                ContentType {
                    media_type: "message".into(),
                    subtype: "rfc822".into(),
                    parameters: Default::default(),
                },
                false,
            ),
            None => (ContentType::default(), false),
        };
        let disposition = cd_field.map(|f| {
            let (at, raw) = value(&f);
            let (cd, d) = super::content_disposition(raw, &limits);
            defects.extend(d.into_iter().map(|d| Defect {
                offset: d.offset + at,
                kind: d.kind,
            }));
            cd
        });
        let transfer_encoding = cte_field.map(|f| f.transfer_encoding()).unwrap_or_default();
        for d in &mut defects {
            d.offset += start;
        }
        let body_abs = start + body_start;
        let depth = hs.depth;
        let mut structural = Vec::new();
        let mut kind = PartKind::Leaf;
        let mut boundary = Vec::new();
        let is_message = content_type.media_type == "message"
            && matches!(&*content_type.subtype, "rfc822" | "global");
        if content_type.media_type == "multipart" {
            match content_type.boundary() {
                Some(b) if !b.is_empty() && b.len() <= MAX_PADDING => {
                    if depth >= limits.max_depth {
                        structural.push((
                            body_abs,
                            DefectKind::TooDeep {
                                limit: limits.max_depth,
                            },
                        ));
                    } else {
                        kind = PartKind::Multipart;
                        boundary = self
                            .spare_boundaries
                            .iter_mut()
                            .find(|b| b.capacity() > 0)
                            .map(std::mem::take)
                            .unwrap_or_default();
                        boundary.clear();
                        boundary.extend_from_slice(b.as_bytes());
                    }
                }
                _ => structural.push((start, DefectKind::MissingBoundary)),
            }
        } else if is_message {
            if depth >= limits.max_depth {
                structural.push((
                    body_abs,
                    DefectKind::TooDeep {
                        limit: limits.max_depth,
                    },
                ));
            } else if self.parts >= limits.part_count {
                structural.push((
                    body_abs,
                    DefectKind::TooManyParts {
                        limit: limits.part_count,
                    },
                ));
            } else if matches!(
                transfer_encoding,
                TransferEncoding::Base64 | TransferEncoding::QuotedPrintable
            ) {
                kind = PartKind::EncodedMessage {
                    layer: self.next_layer,
                };
                self.next_layer += 1;
            } else {
                kind = PartKind::Message;
            }
        }
        if content_type.media_type == "text"
            && content_type
                .charset()
                .is_some_and(|c| !charset::is_known(c.as_bytes()))
        {
            structural.push((start, DefectKind::UnknownCharset));
        }
        if let TransferEncoding::Other(_) = transfer_encoding {
            structural.push((start, DefectKind::UnknownTransferEncoding));
        }
        let info = PartInfo {
            id,
            parent: hs.parent,
            depth,
            layer: layer.id,
            start,
            body_start: body_abs,
            content_type,
            content_type_given,
            disposition,
            transfer_encoding,
            kind,
        };
        let digest = info.content_type.subtype == "digest";
        let decoder = match kind {
            PartKind::Leaf | PartKind::EncodedMessage { .. } => {
                Some(TransferDecoder::new(&info.transfer_encoding, body_abs))
            }
            _ => None,
        };
        let lines = !matches!(info.transfer_encoding, TransferEncoding::Binary);
        sink.start(info, &headers);
        for &Defect { offset, kind } in headers.defects() {
            Self::defect(id, offset + start, kind, sink);
        }
        drop(headers);
        self.spare = Some(hs);
        for defect in defects {
            sink.event(Event::Defect { part: id, defect });
        }
        for (offset, kind) in structural {
            Self::defect(id, offset, kind, sink);
        }
        let frame_kind = match kind {
            PartKind::Multipart => FrameKind::Multipart(MultipartFrame {
                boundary,
                state: MultipartState::Preamble,
                preamble_end: None,
                epilogue_start: None,
                digest,
            }),
            PartKind::Message => FrameKind::Message,
            PartKind::Leaf | PartKind::EncodedMessage { .. } => {
                let nested = matches!(kind, PartKind::EncodedMessage { .. });
                FrameKind::Leaf(LeafFrame {
                    decoder: decoder.unwrap_or(TransferDecoder::Identity),
                    decoding: nested || self.decode,
                    nested,
                    lines: lines.then(LineCheck::default),
                    decoder_done: false,
                })
            }
        };
        layer.stack.push(Frame {
            id,
            depth,
            body_start: body_abs,
            kind: frame_kind,
        });
        match kind {
            PartKind::Message => {
                layer.header = Some(self.header_state(Some(id), depth + 1, false));
            }
            PartKind::EncodedMessage { layer: lid } => {
                let mut nested = Layer {
                    id: lid,
                    line_start: true,
                    ..Layer::default()
                };
                nested.header = Some(self.header_state(Some(id), depth + 1, false));
                self.layers.truncate(k + 1);
                self.layers.push(nested);
                layer.nested = true;
            }
            _ => {}
        }
    }

    /// Gives `data`, at `offset`, to the top frame. True when bytes were
    /// forwarded to a nested stream.
    fn content<S: Sink>(
        &mut self,
        k: usize,
        layer: &mut Layer,
        data: &[u8],
        offset: usize,
        sink: &mut S,
    ) -> bool {
        if data.is_empty() {
            return false;
        }
        let Some(top) = layer.stack.last_mut() else {
            return false;
        };
        let id = top.id;
        match &mut top.kind {
            FrameKind::Leaf(leaf) => {
                self.defects.clear();
                if let Some(lines) = &mut leaf.lines {
                    lines.feed(data, offset, self.limits.line_length, &mut self.defects);
                }
                let mut forwarded = false;
                if leaf.decoding && !leaf.decoder.is_identity() {
                    self.scratch.clear();
                    let mut decode_defects = Vec::new();
                    leaf.decoder
                        .decode(data, &mut self.scratch, &mut decode_defects);
                    if self.decode {
                        self.defects.extend(decode_defects);
                    }
                }
                for defect in self.defects.drain(..) {
                    sink.event(Event::Defect { part: id, defect });
                }
                let decoded = leaf.decoding && !leaf.decoder.is_identity();
                let out: &[u8] = if decoded { &self.scratch } else { data };
                if leaf.nested
                    && !out.is_empty()
                    && let Some(next) = self.layers.get_mut(k + 1)
                {
                    next.pending.extend_from_slice(out);
                    forwarded = true;
                }
                let shown = if self.decode || !decoded { out } else { data };
                if !shown.is_empty() && sink.wants_content() {
                    sink.event(Event::Body {
                        part: id,
                        offset,
                        data: shown,
                    });
                }
                forwarded
            }
            FrameKind::Multipart(_) if !sink.wants_content() => false,
            FrameKind::Multipart(m) => {
                let event = if m.state == MultipartState::Epilogue {
                    Event::Epilogue {
                        part: id,
                        offset,
                        data,
                    }
                } else {
                    Event::Preamble {
                        part: id,
                        offset,
                        data,
                    }
                };
                sink.event(event);
                false
            }
            FrameKind::Message => false,
        }
    }

    /// Ends the top frame at `end`. `Some(NestedEnd)` when its nested
    /// stream must end first.
    fn close_top<S: Sink>(
        &mut self,
        k: usize,
        layer: &mut Layer,
        end: usize,
        sink: &mut S,
    ) -> Option<Action> {
        let top = layer.stack.last_mut()?;
        let id = top.id;
        let mut ended = PartEnd {
            id,
            body: top.body_start..end.max(top.body_start),
            preamble: None,
            epilogue: None,
        };
        match &mut top.kind {
            FrameKind::Leaf(leaf) => {
                if !leaf.decoder_done {
                    leaf.decoder_done = true;
                    self.defects.clear();
                    if let Some(lines) = &mut leaf.lines {
                        lines.finish(end, self.limits.line_length, &mut self.defects);
                    }
                    if leaf.decoding {
                        self.scratch.clear();
                        let mut decode_defects = Vec::new();
                        leaf.decoder.finish(&mut self.scratch, &mut decode_defects);
                        if self.decode {
                            self.defects.extend(decode_defects);
                        }
                        if leaf.nested
                            && !self.scratch.is_empty()
                            && let Some(next) = self.layers.get_mut(k + 1)
                        {
                            next.pending.extend_from_slice(&self.scratch);
                        }
                        if self.decode && !self.scratch.is_empty() && sink.wants_content() {
                            sink.event(Event::Body {
                                part: id,
                                offset: end,
                                data: &self.scratch,
                            });
                        }
                    }
                    for defect in self.defects.drain(..) {
                        sink.event(Event::Defect { part: id, defect });
                    }
                }
                if layer.nested {
                    return Some(Action::NestedEnd);
                }
            }
            FrameKind::Multipart(m) => {
                match m.state {
                    MultipartState::Preamble => {
                        Self::defect(id, end, DefectKind::BoundaryNotFound, sink);
                        ended.preamble = Some(ended.body.clone());
                    }
                    MultipartState::Parts => {
                        Self::defect(id, end, DefectKind::MissingCloseDelimiter, sink);
                    }
                    MultipartState::Epilogue => {}
                }
                if let Some(p) = m.preamble_end {
                    ended.preamble = Some(ended.body.start..p);
                }
                if let Some(e) = m.epilogue_start {
                    ended.epilogue = Some(e..end.max(e));
                }
            }
            FrameKind::Message => {}
        }
        if let Some(Frame {
            kind: FrameKind::Multipart(m),
            ..
        }) = layer.stack.pop()
        {
            keep_boundary(&mut self.spare_boundaries, m.boundary);
        }
        sink.event(Event::PartEnd(&ended));
        None
    }

    /// Reads body bytes at `input[*i..]` for the top frame, up to a
    /// delimiter line or as far as can be decided. `None` when the state
    /// changed and the caller should look again.
    fn body_step<S: Sink>(
        &mut self,
        k: usize,
        layer: &mut Layer,
        input: &[u8],
        i: &mut usize,
        sink: &mut S,
    ) -> Option<Action> {
        let eof = layer.eof;
        let base = layer.pos;
        let searching = layer.stack.iter().any(|f| f.boundary().is_some());
        let mut search = *i;
        let found = loop {
            if !searching {
                break None;
            }
            let p = if layer.line_start && search == *i {
                match input.get(*i..*i + 2) {
                    Some(b"--") => Some(*i),
                    Some(_) => None,
                    None if !eof && input[*i..].iter().all(|&b| b == b'-') => {
                        return Some(Action::Exhausted);
                    }
                    None => None,
                }
            } else {
                None
            };
            let p = match p {
                Some(p) => p,
                None => match self.dashes.find(&input[search..]) {
                    Some(j) => search + j + 1,
                    None => break None,
                },
            };
            match delimiter(&input[p..], eof, &layer.stack) {
                Delimiter::No => search = p + 1,
                Delimiter::NeedMore => break Some((p, None)),
                Delimiter::Yes { frame, close, len } => break Some((p, Some((frame, close, len)))),
            }
        };
        match found {
            None => {
                let end = input.len();
                let mut safe = end;
                if !eof {
                    if input[*i..].ends_with(b"\n") {
                        safe = end - 1;
                    } else if input[*i..].ends_with(b"\n-") {
                        safe = end - 2;
                    } else if layer.line_start && input[*i..] == *b"-" {
                        safe = *i;
                    }
                    if safe > *i && input[safe - 1] == b'\r' {
                        safe -= 1;
                    }
                }
                let forwarded = self.content(k, layer, &input[*i..safe], base + *i, sink);
                if safe > *i {
                    layer.line_start = false;
                }
                *i = safe;
                if forwarded {
                    return Some(Action::Forward);
                }
                if eof && *i == end {
                    // The end: every open part ends here.
                    while !layer.stack.is_empty() {
                        if let Some(action) = self.close_top(k, layer, base + end, sink) {
                            return Some(action);
                        }
                    }
                    layer.done = true;
                    return Some(Action::Exhausted);
                }
                Some(Action::Exhausted)
            }
            Some((p, m)) => {
                // The line break before the delimiter line belongs to it.
                let mut e = p;
                if e > *i && input[e - 1] == b'\n' {
                    e -= 1;
                    if e > *i && input[e - 1] == b'\r' {
                        e -= 1;
                    }
                }
                let forwarded = self.content(k, layer, &input[*i..e], base + *i, sink);
                if e > *i {
                    layer.line_start = false;
                }
                *i = e;
                if forwarded {
                    return Some(Action::Forward);
                }
                let Some((frame, close, len)) = m else {
                    return Some(Action::Exhausted);
                };
                while layer.stack.len() > frame + 1 {
                    if let Some(action) = self.close_top(k, layer, base + e, sink) {
                        return Some(action);
                    }
                }
                let limits = self.limits;
                let parts = self.parts;
                let Some(top) = layer.stack.last_mut() else {
                    return Some(Action::Exhausted);
                };
                let (id, depth) = (top.id, top.depth);
                let FrameKind::Multipart(mp) = &mut top.kind else {
                    return Some(Action::Exhausted);
                };
                if mp.state == MultipartState::Preamble {
                    mp.preamble_end = Some(base + e);
                }
                let after = p + len;
                if close {
                    mp.state = MultipartState::Epilogue;
                    mp.epilogue_start = Some(base + after);
                } else if parts >= limits.part_count {
                    mp.state = MultipartState::Epilogue;
                    mp.epilogue_start = Some(base + e);
                    Self::defect(
                        id,
                        base + p,
                        DefectKind::TooManyParts {
                            limit: limits.part_count,
                        },
                        sink,
                    );
                    if sink.wants_content() {
                        sink.event(Event::Epilogue {
                            part: id,
                            offset: base + e,
                            data: &input[e..after],
                        });
                    }
                } else {
                    mp.state = MultipartState::Parts;
                    let digest = mp.digest;
                    layer.header = Some(self.header_state(Some(id), depth + 1, digest));
                }
                *i = after;
                layer.line_start = true;
                None
            }
        }
    }
}
