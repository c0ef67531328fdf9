//! Whole messages: the tree of parts of a message held in memory, borrowed
//! from it, bodies decoded on access.

use std::borrow::Cow;

use crate::Limits;
use crate::decode::{
    Event, FieldSpan, Headers, MessageParser, PartEnd, PartInfo, PartKind, charset_decode,
    transfer_decode,
};
use crate::types::{ContentDisposition, ContentType, Defect, TransferEncoding};

#[derive(Debug, Clone)]
struct PartData {
    info: PartInfo,
    fields: Vec<FieldSpan>,
    header_defects: Vec<Defect>,
    defects: Vec<Defect>,
    end: Option<PartEnd>,
    children: Vec<usize>,
}

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
    parts: Vec<PartData>,
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
    pub fn parse_with(input: &'a [u8], limits: &Limits) -> Self {
        let mut parser = MessageParser::new(limits);
        let mut parts: Vec<PartData> = Vec::new();
        let mut encoded: Vec<(usize, usize)> = Vec::new();
        let mut sink = |event: Event<'_>| match event {
            Event::PartStart { info, headers } => {
                let (fields, header_defects) = headers.shifted(info.start);
                if let Some(parent) = info.parent.and_then(|p| parts.get_mut(p)) {
                    parent.children.push(info.id);
                }
                parts.push(PartData {
                    info: info.clone(),
                    fields,
                    header_defects,
                    defects: Vec::new(),
                    end: None,
                    children: Vec::new(),
                });
            }
            Event::Defect { part, defect } => {
                if let Some(p) = parts.get_mut(part) {
                    p.defects.push(defect);
                }
            }
            Event::PartEnd(end) => {
                if let Some(p) = parts.get_mut(end.id) {
                    if let PartKind::EncodedMessage { layer } = p.info.kind {
                        encoded.push((end.id, layer));
                    }
                    p.end = Some(end.clone());
                }
            }
            _ => {}
        };
        parser.push(input, &mut sink);
        parser.finish(&mut sink);
        let mut message = Message {
            input,
            limits: *limits,
            parts,
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
        self.parts
            .iter()
            .flat_map(|p| p.defects.iter().map(move |d| (p.info.id, d)))
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
    fn data(&self) -> &'m PartData {
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
    pub fn info(&self) -> &'m PartInfo {
        &self.data().info
    }

    /// How its body was read.
    pub fn kind(&self) -> PartKind {
        self.data().info.kind
    }

    /// The Content-Type, as given or by default.
    pub fn content_type(&self) -> &'m ContentType {
        &self.data().info.content_type
    }

    /// The Content-Disposition, if given.
    pub fn disposition(&self) -> Option<&'m ContentDisposition> {
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
            .and_then(ContentDisposition::filename)
            .or_else(|| self.content_type().name())
    }

    /// The enclosing part, if any.
    pub fn parent(&self) -> Option<Part<'m>> {
        self.data().info.parent.and_then(|p| self.msg.part(p))
    }

    /// The parts inside: a multipart's parts, or a message part's nested
    /// message.
    pub fn children(&self) -> impl ExactSizeIterator<Item = Part<'m>> + 'm {
        let msg = self.msg;
        self.data().children.iter().map(move |&id| Part { msg, id })
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
            &d.fields,
            &d.header_defects,
            d.info.body_start,
        )
    }

    /// What had to be worked around in this part: its header section,
    /// its structured fields, its structure and line breaks. (Transfer
    /// decoding defects come with [`Self::decoded`], and all of them
    /// together with [`Self::all_defects`].)
    pub fn defects(&self) -> &'m [Defect] {
        &self.data().defects
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
                if let PartKind::EncodedMessage { layer } = self.kind() {
                    if let Some(done) = self.msg.layers.get(layer) {
                        if !done.is_empty() || raw.is_empty() {
                            let (_, defects) = transfer_decode(self.transfer_encoding(), raw);
                            return (Cow::Borrowed(done), self.shift(defects));
                        }
                    }
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
            Cow::Owned(v) => Cow::Owned(charset_decode(charset.as_bytes(), &v).into_owned()),
        })
    }
}
