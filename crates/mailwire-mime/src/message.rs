//! Whole messages: the tree of parts of a message held in memory, borrowed
//! from it, bodies decoded on access.

use std::borrow::Cow;
use std::cell::RefCell;
use std::ops::Range;

use crate::Limits;
use crate::decode::{
    Event, FieldSpan, Headers, KeepSink, MessageParser, PartEnd, PartInfo, PartKind, Sink,
    charset_decode, transfer_decode,
};
use crate::types::{ContentDisposition, ContentType, Defect, TransferEncoding};

/// The most heap memory a parser kept between two [`Message::parse_with`]
/// calls on one thread may hold.
const KEPT_PARSER_MEMORY: usize = 64 * 1024;

/// One part of the tree. Its header fields and defects lie in the
/// message's shared lists, so a part costs no allocation of its own.
#[derive(Debug, Clone)]
struct PartData<'a> {
    info: PartInfo<'a>,
    /// Its fields in [`Message::fields`].
    fields: Range<usize>,
    /// Its header section's defects in [`Message::header_defects`].
    header_defects: Range<usize>,
    /// Its defects in [`Message::defects`].
    defects: Range<usize>,
    end: Option<PartEnd>,
    /// The first part inside, then each one's next sibling.
    first_child: Option<usize>,
    last_child: Option<usize>,
    next_sibling: Option<usize>,
    child_count: usize,
}

/// Builds the tree from the parser's events, taking each part's
/// [`PartInfo`] as it is (borrowing from the input), and its fields as
/// offsets in one shared list.
struct Builder<'a> {
    parts: Vec<PartData<'a>>,
    fields: Vec<FieldSpan>,
    header_defects: Vec<Defect>,
    /// Defects with their part, in the order reported.
    defects: Vec<(usize, Defect)>,
    /// Encoded message parts (part, layer).
    encoded: Vec<(usize, usize)>,
}

impl Sink for Builder<'_> {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Defect { part, defect } if part < self.parts.len() => {
                self.defects.push((part, defect));
            }
            Event::PartEnd(end) => {
                if let Some(p) = self.parts.get_mut(end.id) {
                    if let PartKind::EncodedMessage { layer } = p.info.kind {
                        self.encoded.push((end.id, layer));
                    }
                    p.end = Some(end.clone());
                }
            }
            _ => {}
        }
    }

    fn wants_content(&self) -> bool {
        false
    }

    fn part_start(&mut self, info: PartInfo<'_>, headers: &Headers<'_>) {
        // Bytes the tree does not hold (a nested message's decoded
        // body): the part's information is copied.
        self.add_part(info.into_owned(), headers);
    }
}

impl<'a> KeepSink<'a> for Builder<'a> {
    fn part_start_kept(&mut self, info: PartInfo<'a>, headers: &Headers<'_>) {
        self.add_part(info, headers);
    }
}

impl<'a> Builder<'a> {
    fn add_part(&mut self, info: PartInfo<'a>, headers: &Headers<'_>) {
        let (f0, d0) = (self.fields.len(), self.header_defects.len());
        headers.shifted_into(info.start, &mut self.fields, &mut self.header_defects);
        let id = info.id;
        if let Some(parent) = info.parent.and_then(|p| self.parts.get_mut(p)) {
            let last = parent.last_child.replace(id);
            parent.first_child.get_or_insert(id);
            parent.child_count += 1;
            if let Some(prev) = last.and_then(|l| self.parts.get_mut(l)) {
                prev.next_sibling = Some(id);
            }
        }
        self.parts.push(PartData {
            info,
            fields: f0..self.fields.len(),
            header_defects: d0..self.header_defects.len(),
            defects: 0..0,
            end: None,
            first_child: None,
            last_child: None,
            next_sibling: None,
            child_count: 0,
        });
    }
}

/// The parts inside a part, in order.
#[derive(Debug, Clone)]
struct Children<'m> {
    msg: &'m Message<'m>,
    next: Option<usize>,
    left: usize,
}

impl<'m> Iterator for Children<'m> {
    type Item = Part<'m>;

    fn next(&mut self) -> Option<Part<'m>> {
        let id = self.next?;
        self.next = self.msg.parts.get(id).and_then(|p| p.next_sibling);
        self.left = self.left.saturating_sub(1);
        Some(Part { msg: self.msg, id })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Children<'_> {}

/// A message parsed whole: its parts as a tree, each borrowing its bytes
/// from the input (or, inside a base64 or quoted-printable
/// `message/rfc822` part, from that part's decoded body, which the message
/// holds).
///
/// Built by [`MessageParser`] from one push of the whole input, so it is
/// the same tree as a streaming parse gives. Bodies are decoded when asked
/// for ([`Part::decoded_bytes`], [`Part::text`]).
///
/// ```
/// use mailwire_mime::Message;
///
/// let input = b"From: a@example.org\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\n\
///     Content-Type: multipart/alternative; boundary=\"b\"\r\n\r\n\
///     preamble\r\n--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\
///     Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9\r\n\
///     --b\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--b--\r\n";
/// let message = Message::parse(input);
/// let root = message.root();
/// assert_eq!(root.headers().get("subject").unwrap().unstructured(), "café");
/// assert_eq!(root.preamble(), Some(&b"preamble"[..]));
/// let parts: Vec<_> = root.children().collect();
/// assert_eq!(parts.len(), 2);
/// assert_eq!(parts[0].text().unwrap(), "café");
/// assert_eq!(parts[1].content_type().essence(), "text/html");
/// assert_eq!(parts[1].body_raw(), b"<p>hi</p>");
/// assert_eq!(root.raw(), &input[..]);
/// assert!(message.defects().next().is_none());
/// ```
#[derive(Debug, Clone)]
pub struct Message<'a> {
    input: &'a [u8],
    limits: Limits,
    parts: Vec<PartData<'a>>,
    /// Every part's header fields, part after part.
    fields: Vec<FieldSpan>,
    /// Every part's header section defects, part after part.
    header_defects: Vec<Defect>,
    /// Every part's defects, part after part.
    defects: Vec<Defect>,
    /// Decoded bodies of encoded message parts, by stream number (the
    /// input is stream 0).
    layers: Vec<Vec<u8>>,
}

impl<'a> Message<'a> {
    /// Parses a whole message with the default [`Limits`].
    pub fn parse(input: &'a [u8]) -> Self {
        Self::parse_with(input, &Limits::default())
    }

    /// Parses a whole message within `limits`.
    ///
    /// The parser's working buffers (its stacks, the header splitter's
    /// lists) are kept on the thread for the next message, up to 64 KiB,
    /// so that parsing many small messages does not allocate them anew
    /// each time; the tree itself owns nothing of the parser.
    pub fn parse_with(input: &'a [u8], limits: &Limits) -> Self {
        // The parser of the last message parsed on this thread, if any:
        // its buffers' room is reused. (Boxed: moved in and out whole.)
        thread_local! {
            static PARSER: RefCell<Option<Box<MessageParser>>> = const { RefCell::new(None) };
        }
        let mut parser = match PARSER.with(|p| p.borrow_mut().take()) {
            Some(mut p) => {
                p.reset(limits);
                p
            }
            None => Box::new(MessageParser::new(limits)),
        };
        // Room for the usual density at once (a field every 48 octets, a
        // part every kilobyte, a few defects), kept small for a small
        // message: small blocks come from the allocator's quick caches.
        let fields = (8 + input.len() / 48).min(1024);
        let parts = (4 + input.len() / 1024).min(256);
        let mut b = Builder {
            parts: Vec::with_capacity(parts),
            fields: Vec::with_capacity(fields),
            header_defects: Vec::with_capacity(8),
            defects: Vec::with_capacity(16),
            encoded: Vec::new(),
        };
        parser.parse_whole(input, &mut b);
        // Kept for the next message unless it grew large.
        if parser.memory() <= KEPT_PARSER_MEMORY {
            PARSER.with(|p| *p.borrow_mut() = Some(parser));
        }
        // Defects part after part, each part's in the order reported.
        b.defects.sort_by_key(|&(part, _)| part);
        let mut at = 0;
        for (id, part) in b.parts.iter_mut().enumerate() {
            let from = at;
            while b.defects.get(at).is_some_and(|(p, _)| *p == id) {
                at += 1;
            }
            part.defects = from..at;
        }
        // (Collected in the list's own room.)
        let defects: Vec<Defect> = b.defects.into_iter().map(|(_, d)| d).collect();
        let mut encoded = b.encoded;
        let mut message = Message {
            input,
            limits: *limits,
            parts: b.parts,
            fields: b.fields,
            header_defects: b.header_defects,
            defects,
            layers: Vec::new(),
        };
        // Outer encoded message parts first: the stream each one lies in
        // is then known when it is decoded.
        encoded.sort_unstable();
        for (id, layer) in encoded {
            let decoded = message.part(id).map(|p| p.decoded().0.into_owned());
            if message.layers.len() <= layer {
                message.layers.resize(layer + 1, Vec::new());
            }
            if let Some(d) = decoded {
                message.layers[layer] = d;
            }
        }
        message
    }

    /// The message itself: the root of the tree.
    pub fn root(&self) -> Part<'_> {
        Part { msg: self, id: 0 }
    }

    /// The part numbered `id` (see [`PartInfo::id`]).
    pub fn part(&self, id: usize) -> Option<Part<'_>> {
        (id < self.parts.len()).then_some(Part { msg: self, id })
    }

    /// Every part, in the order they start (depth first).
    pub fn parts(&self) -> impl ExactSizeIterator<Item = Part<'_>> + '_ {
        (0..self.parts.len()).map(move |id| Part { msg: self, id })
    }

    /// The input, as given.
    pub fn raw(&self) -> &'a [u8] {
        self.input
    }

    /// The limits it was parsed within.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Every part's defects (see [`Part::defects`]), with the part's
    /// number.
    pub fn defects(&self) -> impl Iterator<Item = (usize, &Defect)> + '_ {
        self.parts.iter().flat_map(move |p| {
            self.defects
                .get(p.defects.clone())
                .unwrap_or_default()
                .iter()
                .map(move |d| (p.info.id, d))
        })
    }

    /// The bytes of stream `layer`.
    fn source(&self, layer: usize) -> &[u8] {
        if layer == 0 {
            self.input
        } else {
            self.layers.get(layer).map_or(&[], Vec::as_slice)
        }
    }
}

/// One part of a [`Message`]: the message itself, a multipart, a nested
/// message, or a leaf.
#[derive(Debug, Clone, Copy)]
pub struct Part<'m> {
    msg: &'m Message<'m>,
    id: usize,
}

impl<'m> Part<'m> {
    fn data(&self) -> &'m PartData<'m> {
        &self.msg.parts[self.id]
    }

    fn source(&self) -> &'m [u8] {
        self.msg.source(self.data().info.layer)
    }

    fn slice(&self, range: std::ops::Range<usize>) -> &'m [u8] {
        self.source().get(range).unwrap_or_default()
    }

    /// The part's number: 0 for the message, then in the order parts
    /// start.
    pub fn id(&self) -> usize {
        self.id
    }

    /// What the parser knew of the part after its header section.
    pub fn info(&self) -> &'m PartInfo<'m> {
        &self.data().info
    }

    /// How its body was read.
    pub fn kind(&self) -> PartKind {
        self.data().info.kind
    }

    /// The Content-Type, as given or by default.
    pub fn content_type(&self) -> &'m ContentType<'m> {
        &self.data().info.content_type
    }

    /// The Content-Disposition, if given.
    pub fn disposition(&self) -> Option<&'m ContentDisposition<'m>> {
        self.data().info.disposition.as_ref()
    }

    /// The Content-Transfer-Encoding.
    pub fn transfer_encoding(&self) -> &'m TransferEncoding {
        &self.data().info.transfer_encoding
    }

    /// The file name: the disposition's `filename`, else the content
    /// type's `name`.
    pub fn filename(&self) -> Option<&'m str> {
        self.disposition()
            .and_then(|d| d.filename())
            .or_else(|| self.content_type().name())
    }

    /// The enclosing part, if any.
    pub fn parent(&self) -> Option<Part<'m>> {
        self.data().info.parent.and_then(|p| self.msg.part(p))
    }

    /// The parts inside: a multipart's parts, or a message part's nested
    /// message.
    pub fn children(&self) -> impl ExactSizeIterator<Item = Part<'m>> + 'm {
        let d = self.data();
        Children {
            msg: self.msg,
            next: d.first_child,
            left: d.child_count,
        }
    }

    /// The nested message of a `message/rfc822` or `message/global` part.
    pub fn message(&self) -> Option<Part<'m>> {
        match self.kind() {
            PartKind::Message | PartKind::EncodedMessage { .. } => self.children().next(),
            _ => None,
        }
    }

    /// The header section, with offsets counted from the start of the
    /// part's byte stream (the input, unless the part lies inside an
    /// encoded message part).
    pub fn headers(&self) -> Headers<'m> {
        let d = self.data();
        Headers::from_spans(
            self.source(),
            d.info.start,
            self.msg.fields.get(d.fields.clone()).unwrap_or_default(),
            self.msg
                .header_defects
                .get(d.header_defects.clone())
                .unwrap_or_default(),
            d.info.body_start,
        )
    }

    /// What had to be worked around in this part: its header section,
    /// its structured fields, its structure and line breaks. (Transfer
    /// decoding defects come with [`Self::decoded`], and all of them
    /// together with [`Self::all_defects`].)
    pub fn defects(&self) -> &'m [Defect] {
        self.msg
            .defects
            .get(self.data().defects.clone())
            .unwrap_or_default()
    }

    /// Every defect of this part, its own ([`Self::defects`]) and, for a
    /// leaf or an encoded message part, those of decoding its transfer
    /// encoding (bad base64 characters or padding, bad quoted-printable
    /// escapes), in offset order. Decodes the body to find the latter.
    ///
    /// ```
    /// use mailwire_mime::Message;
    /// use mailwire_mime::types::DefectKind;
    ///
    /// let input = b"Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9 =ZZ\r\n";
    /// let message = Message::parse(input);
    /// let defects = message.root().all_defects();
    /// assert_eq!(defects[0].kind, DefectKind::InvalidQuotedPrintable);
    /// assert_eq!(&input[defects[0].offset..][..3], b"=ZZ");
    /// ```
    pub fn all_defects(&self) -> Vec<Defect> {
        let mut all = self.defects().to_vec();
        if matches!(
            self.kind(),
            PartKind::Leaf | PartKind::EncodedMessage { .. }
        ) {
            all.extend(self.decoded().1);
        }
        all.sort_by_key(|d| d.offset);
        all
    }

    /// Where the body lies in the part's byte stream.
    pub fn body_range(&self) -> std::ops::Range<usize> {
        let d = self.data();
        d.end
            .as_ref()
            .map_or(d.info.body_start..d.info.body_start, |e| e.body.clone())
    }

    /// The whole part as written, header section and body: for an
    /// unmodified message, byte for byte what was parsed.
    pub fn raw(&self) -> &'m [u8] {
        self.slice(self.data().info.start..self.body_range().end)
    }

    /// The header section as written, blank line included.
    pub fn header_raw(&self) -> &'m [u8] {
        let d = self.data();
        self.slice(d.info.start..d.info.body_start)
    }

    /// The body as written (still transfer-encoded).
    pub fn body_raw(&self) -> &'m [u8] {
        self.slice(self.body_range())
    }

    /// A multipart's preamble.
    pub fn preamble(&self) -> Option<&'m [u8]> {
        self.preamble_range().map(|r| self.slice(r))
    }

    /// Where a multipart's preamble lies in the part's byte stream.
    pub fn preamble_range(&self) -> Option<std::ops::Range<usize>> {
        self.data().end.as_ref()?.preamble.clone()
    }

    /// A multipart's epilogue, when it was closed.
    pub fn epilogue(&self) -> Option<&'m [u8]> {
        self.epilogue_range().map(|r| self.slice(r))
    }

    /// Where a multipart's epilogue lies in the part's byte stream.
    pub fn epilogue_range(&self) -> Option<std::ops::Range<usize>> {
        self.data().end.as_ref()?.epilogue.clone()
    }

    /// The body decoded from its transfer encoding, with what decoding
    /// had to work around (offsets in the part's byte stream). A
    /// multipart or unencoded message part gives its body as written.
    pub fn decoded(&self) -> (Cow<'m, [u8]>, Vec<Defect>) {
        let raw = self.body_raw();
        match self.kind() {
            PartKind::Leaf | PartKind::EncodedMessage { .. } => {}
            PartKind::Multipart | PartKind::Message => return (Cow::Borrowed(raw), Vec::new()),
        }
        match self.transfer_encoding() {
            TransferEncoding::Base64 | TransferEncoding::QuotedPrintable => {
                if let PartKind::EncodedMessage { layer } = self.kind()
                    && let Some(done) = self.msg.layers.get(layer)
                    && (!done.is_empty() || raw.is_empty())
                {
                    let (_, defects) = transfer_decode(self.transfer_encoding(), raw);
                    return (Cow::Borrowed(done), self.shift(defects));
                }
                let (out, defects) = transfer_decode(self.transfer_encoding(), raw);
                (Cow::Owned(out), self.shift(defects))
            }
            _ => (Cow::Borrowed(raw), Vec::new()),
        }
    }

    fn shift(&self, mut defects: Vec<Defect>) -> Vec<Defect> {
        let at = self.body_range().start;
        for d in &mut defects {
            d.offset += at;
        }
        defects
    }

    /// The body decoded from its transfer encoding.
    pub fn decoded_bytes(&self) -> Cow<'m, [u8]> {
        self.decoded().0
    }

    /// For a `text/*` leaf: its body decoded to UTF-8 from its transfer
    /// encoding and its charset (every WHATWG label, UTF-7; an unknown
    /// charset reads as UTF-8 when valid, else as ISO-8859-1). `None`
    /// for other parts.
    pub fn text(&self) -> Option<Cow<'m, str>> {
        let ct = self.content_type();
        if ct.media_type != "text" || self.kind() != PartKind::Leaf {
            return None;
        }
        let charset = ct.charset().unwrap_or("us-ascii");
        Some(match self.decoded_bytes() {
            Cow::Borrowed(b) => charset_decode(charset.as_bytes(), b),
            Cow::Owned(v) => {
                let converted = match charset_decode(charset.as_bytes(), &v) {
                    Cow::Owned(text) => Some(text),
                    // The octets are the text: no copy of them.
                    Cow::Borrowed(_) => None,
                };
                Cow::Owned(converted.unwrap_or_else(|| {
                    String::from_utf8(v)
                        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
                }))
            }
        })
    }
}
