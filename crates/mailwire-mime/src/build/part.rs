//! Parts to write, and the writer: encodings chosen, boundaries generated
//! and checked, output streamed to a buffer or a `Write`.

use std::fmt;
use std::io::{Read, Write};

use bytes::{BufMut, Bytes};

use crate::types::HeaderName;

use super::address::MsgId;
use super::body::{self, Cte};
use super::header::{self, HeaderValue, MediaType};
use super::{BuildError, Options};

/// The deepest tree written: the decoder's default
/// [`Limits::max_depth`](crate::Limits), so that every level is read back.
pub const MAX_DEPTH: usize = 50;

/// Header fields the writer generates from the part itself; a part may not
/// carry them as extra fields.
const RESERVED: &[&str] = &[
    "content-type",
    "content-transfer-encoding",
    "content-disposition",
    "content-id",
    "mime-version",
];

enum Body {
    Text(String),
    Bytes(Bytes),
    Reader(Box<dyn Read + Send>),
    Multipart(Vec<Part>),
    Message(Box<Part>),
    RawMessage(Vec<u8>),
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(t) => f.debug_tuple("Text").field(&t.len()).finish(),
            Self::Bytes(b) => f.debug_tuple("Bytes").field(&b.len()).finish(),
            Self::Reader(_) => f.write_str("Reader"),
            Self::Multipart(p) => f.debug_tuple("Multipart").field(p).finish(),
            Self::Message(m) => f.debug_tuple("Message").field(m).finish(),
            Self::RawMessage(b) => f.debug_tuple("RawMessage").field(&b.len()).finish(),
        }
    }
}

/// A part of a message to write — or a whole message: its header fields
/// and its content, which is text, octets, a reader, a multipart of parts,
/// or a nested message.
///
/// The writer chooses each leaf's transfer encoding from its content and
/// the [`Options`], generates every multipart's boundary (checked not to
/// occur in any line of the content), and writes the `Content-*` fields
/// from the part itself (so a part cannot carry its own).
///
/// ```
/// use mailwire_mime::build::{MediaType, Options, Part};
/// use mailwire_mime::types::HeaderName;
///
/// let message = Part::multipart("mixed", vec![
///     Part::text("Hello\nworld"),
///     Part::bytes(MediaType::parse("image/png")?, vec![0x89, b'P', b'N', b'G'])
///         .attachment(Some("dot.png")),
/// ])?
/// .header(HeaderName::new("Subject")?, "Greetings");
/// let bytes = message.to_vec(&Options::default()).unwrap();
///
/// let parsed = mailwire_mime::Message::parse(&bytes);
/// let parts: Vec<_> = parsed.root().children().collect();
/// assert_eq!(parts[0].text().unwrap(), "Hello\r\nworld");
/// assert_eq!(parts[1].filename(), Some("dot.png"));
/// assert_eq!(&parts[1].decoded_bytes()[..], b"\x89PNG");
/// # Ok::<(), mailwire_mime::types::ValueError>(())
/// ```
#[derive(Debug)]
pub struct Part {
    media_type: MediaType,
    disposition: Option<(&'static str, Option<String>)>,
    content_id: Option<MsgId>,
    headers: Vec<(HeaderName<'static>, HeaderValue)>,
    preamble: Option<String>,
    epilogue: Option<String>,
    body: Body,
}

impl Part {
    fn new(media_type: MediaType, body: Body) -> Self {
        Self {
            media_type,
            disposition: None,
            content_id: None,
            headers: Vec::new(),
            preamble: None,
            epilogue: None,
            body,
        }
    }

    /// `text/plain; charset=utf-8`. Line breaks (LF, CR, CRLF) are
    /// written as CRLF.
    pub fn text(text: impl Into<String>) -> Self {
        Self::text_of("plain", text.into())
    }

    /// `text/html; charset=utf-8`.
    pub fn html(html: impl Into<String>) -> Self {
        Self::text_of("html", html.into())
    }

    fn text_of(subtype: &str, text: String) -> Self {
        let mt = MediaType::new("text", subtype).unwrap_or_else(|_| MediaType::octet_stream());
        Self::new(mt, Body::Text(text))
    }

    /// Text of any media type (`text/calendar`…): `charset=utf-8` is set,
    /// line breaks written as CRLF.
    pub fn text_as(media_type: MediaType, text: impl Into<String>) -> Self {
        Self::new(media_type, Body::Text(text.into()))
    }

    /// Octets kept exactly (`7bit` or `8bit` when they already are
    /// CRLF-ended lines that may travel so, else base64). A `Vec<u8>`
    /// or a [`Bytes`] shared with other messages is taken without a copy.
    pub fn bytes(media_type: MediaType, data: impl Into<Bytes>) -> Self {
        Self::new(media_type, Body::Bytes(data.into()))
    }

    /// Octets read from `reader` while the message is written, in base64,
    /// holding a few KiB at a time.
    pub fn reader(media_type: MediaType, reader: impl Read + Send + 'static) -> Self {
        Self::new(media_type, Body::Reader(Box::new(reader)))
    }

    /// `multipart/<subtype>` of `parts` (RFC 2046 §5.1), with a generated
    /// boundary.
    pub fn multipart(subtype: &str, parts: Vec<Part>) -> Result<Self, crate::types::ValueError> {
        Ok(Self::new(
            MediaType::new("multipart", subtype)?,
            Body::Multipart(parts),
        ))
    }

    /// `message/rfc822` holding `message` (RFC 2046 §5.2.1), to forward
    /// it: `message` is a part with its own header fields. Written with
    /// [`Options::utf8_headers`] and UTF-8 in those fields, it is
    /// `message/global` (RFC 6532 §3.7).
    pub fn message(message: Part) -> Self {
        let mt = MediaType::new("message", "rfc822").unwrap_or_else(|_| MediaType::octet_stream());
        Self::new(mt, Body::Message(Box::new(message)))
    }

    /// `message/rfc822` holding a message as received (its line breaks
    /// written as CRLF; base64 when it cannot travel otherwise).
    pub fn raw_message(message: impl Into<Vec<u8>>) -> Self {
        let mt = MediaType::new("message", "rfc822").unwrap_or_else(|_| MediaType::octet_stream());
        Self::new(mt, Body::RawMessage(message.into()))
    }

    /// The text before a multipart's first part (RFC 2046 §5.1.1), which
    /// MIME readers do not show: a note for readers that do not know
    /// MIME. Line breaks are written as CRLF; printable US-ASCII and tab
    /// only, in lines of at most 998 octets, or writing fails. Ignored
    /// for other parts.
    pub fn preamble(mut self, text: impl Into<String>) -> Self {
        self.preamble = Some(text.into());
        self
    }

    /// The text after a multipart's last part (RFC 2046 §5.1.1), as
    /// [`Self::preamble`].
    pub fn epilogue(mut self, text: impl Into<String>) -> Self {
        self.epilogue = Some(text.into());
        self
    }

    /// Sets the media type. A multipart keeps `multipart/*` and a nested
    /// message `message/*`, or writing fails.
    pub fn media_type(mut self, media_type: MediaType) -> Self {
        self.media_type = media_type;
        self
    }

    /// `Content-Disposition: attachment` (RFC 2183), with a file name (of
    /// at most [`MAX_PARAM_VALUE`](super::MAX_PARAM_VALUE) octets, or
    /// writing fails).
    pub fn attachment(mut self, filename: Option<&str>) -> Self {
        self.disposition = Some(("attachment", filename.map(str::to_owned)));
        self
    }

    /// `Content-Disposition: inline` (RFC 2183), with a file name (of at
    /// most [`MAX_PARAM_VALUE`](super::MAX_PARAM_VALUE) octets).
    pub fn inline(mut self, filename: Option<&str>) -> Self {
        self.disposition = Some(("inline", filename.map(str::to_owned)));
        self
    }

    /// `Content-ID` (RFC 2045 §7), for `cid:` references (RFC 2392).
    pub fn content_id(mut self, id: MsgId) -> Self {
        self.content_id = Some(id);
        self
    }

    /// Adds a header field. The `Content-*` fields and `MIME-Version`
    /// are written from the part itself; writing fails if they are added
    /// here.
    pub fn header(mut self, name: HeaderName<'static>, value: impl Into<HeaderValue>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The media type.
    pub fn get_media_type(&self) -> &MediaType {
        &self.media_type
    }

    /// The extra header fields, in order.
    pub fn headers(&self) -> &[(HeaderName<'static>, HeaderValue)] {
        &self.headers
    }

    /// Writes the part as a message (with `MIME-Version: 1.0`) to `out`,
    /// streaming readers.
    pub fn write_to<W: Write>(self, options: &Options, out: W) -> Result<(), BuildError> {
        let plan = Plan::new(self, options, &[], true)?;
        plan.write(&mut IoSink(out))
    }

    /// Writes the part as a message into a caller's buffer. A buffer that
    /// cannot grow and runs out of room gives [`BuildError::BufferFull`].
    pub fn encode<B: BufMut>(self, options: &Options, out: &mut B) -> Result<(), BuildError> {
        let plan = Plan::new(self, options, &[], true)?;
        plan.write(&mut BufSink(out))
    }

    /// The part as a message, in a new vector.
    pub fn to_vec(self, options: &Options) -> Result<Vec<u8>, BuildError> {
        let plan = Plan::new(self, options, &[], true)?;
        let mut out = Vec::with_capacity(plan.len_hint());
        plan.write(&mut VecSink(&mut out))?;
        Ok(out)
    }
}

/// Where output goes.
pub(crate) trait Sink {
    fn put(&mut self, bytes: &[u8]) -> Result<(), BuildError>;

    /// Writes `data` in base64 lines ([`body::base64_append`]), a CRLF
    /// before the first when `lead`, none after the last.
    fn put_base64(&mut self, data: &[u8], lead: bool) -> Result<(), BuildError> {
        const CHUNK: usize = 57 * 1024;
        let mut buf = Vec::with_capacity(body::base64_len(CHUNK.min(data.len())) + 4);
        for (i, chunk) in data.chunks(CHUNK).enumerate() {
            buf.clear();
            body::base64_append(chunk, lead || i > 0, &mut buf);
            self.put(&buf)?;
        }
        Ok(())
    }
}

struct IoSink<W>(W);

impl<W: Write> Sink for IoSink<W> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), BuildError> {
        self.0.write_all(bytes).map_err(BuildError::Io)
    }
}

pub(crate) struct BufSink<'b, B>(pub(crate) &'b mut B);

impl<B: BufMut> Sink for BufSink<'_, B> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), BuildError> {
        if self.0.remaining_mut() < bytes.len() {
            return Err(BuildError::BufferFull);
        }
        self.0.put_slice(bytes);
        Ok(())
    }
}

/// A vector that grows: base64 is encoded straight into it.
pub(crate) struct VecSink<'v>(pub(crate) &'v mut Vec<u8>);

impl Sink for VecSink<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), BuildError> {
        self.0.extend_from_slice(bytes);
        Ok(())
    }

    fn put_base64(&mut self, data: &[u8], lead: bool) -> Result<(), BuildError> {
        body::base64_append(data, lead, self.0);
        Ok(())
    }
}

enum Content {
    /// Written as is.
    Ready(Bytes),
    /// Written in base64.
    Base64(Bytes),
    Stream(Box<dyn Read + Send>),
    Multipart {
        media_type: MediaType,
        boundary: String,
        children: Vec<Plan>,
        /// CRLF-ended lines, or nothing.
        preamble: Vec<u8>,
        /// Written after the close delimiter's CRLF.
        epilogue: Vec<u8>,
    },
    Message(Box<Plan>),
}

/// A part ready to write: header fields rendered, leaves encoded (readers
/// excepted), boundaries chosen.
pub(crate) struct Plan {
    /// Fields before the Content-Type.
    pre: Vec<u8>,
    /// Content-Type (leaves and messages), Content-Transfer-Encoding,
    /// Content-Disposition, Content-ID.
    post: Vec<u8>,
    /// For a multipart: its Content-Transfer-Encoding, written after the
    /// Content-Type.
    multipart_cte: Option<&'static str>,
    content: Content,
}

struct Ctx<'o> {
    options: &'o Options,
    forbidden: &'o [String],
    /// Lines starting with `--` anywhere in the output, up to 80 octets.
    dash: Vec<Vec<u8>>,
}

impl Ctx<'_> {
    fn collect(&mut self, bytes: &[u8]) {
        for l in body::dash_lines(bytes) {
            self.dash.push(l.get(..80).unwrap_or(l).to_vec());
        }
    }

    /// A leaf's content, its lines starting with `--` noted (base64 has
    /// none), and whether it is 8-bit.
    fn content(&mut self, encoded: body::Encoded) -> (Content, bool, Option<&'static str>) {
        match encoded {
            body::Encoded::Ready(cte, bytes) => {
                self.collect(&bytes);
                (Content::Ready(bytes), cte == Cte::EightBit, None)
            }
            body::Encoded::Base64(raw) => (Content::Base64(raw), false, None),
        }
    }
}

impl Plan {
    /// Prepares `part`; `forbidden` are boundaries of enclosing multiparts
    /// that its content must not show; `root` adds `MIME-Version`.
    pub(crate) fn new(
        part: Part,
        options: &Options,
        forbidden: &[String],
        root: bool,
    ) -> Result<Self, BuildError> {
        let mut ctx = Ctx {
            options,
            forbidden,
            dash: Vec::new(),
        };
        let (mut plan, _) = prepare(part, &mut ctx, 0, root)?;
        let mut counter = 0u64;
        plan.assign_boundaries(&ctx, &mut counter);
        Ok(plan)
    }

    fn assign_boundaries(&mut self, ctx: &Ctx<'_>, counter: &mut u64) {
        let mut stack: Vec<&mut Plan> = vec![self];
        while let Some(p) = stack.pop() {
            match &mut p.content {
                Content::Multipart {
                    boundary, children, ..
                } => {
                    *boundary = loop {
                        let cand = candidate(ctx.options.seed, *counter);
                        *counter += 1;
                        let clash =
                            ctx.dash.iter().any(|l| {
                                l.get(2..).is_some_and(|l| l.starts_with(cand.as_bytes()))
                            }) || ctx
                                .forbidden
                                .iter()
                                .any(|f| f.starts_with(&cand) || cand.starts_with(f.as_str()));
                        if !clash {
                            break cand;
                        }
                    };
                    stack.extend(children.iter_mut());
                }
                Content::Message(inner) => stack.push(inner),
                _ => {}
            }
        }
    }

    /// About how many octets [`Self::write`] writes (readers count as
    /// empty), to size a buffer.
    pub(crate) fn len_hint(&self) -> usize {
        let mut total = 0usize;
        let mut stack: Vec<&Plan> = vec![self];
        while let Some(p) = stack.pop() {
            total = total.saturating_add(p.pre.len() + p.post.len() + 2);
            match &p.content {
                Content::Ready(b) => total = total.saturating_add(b.len()),
                Content::Base64(b) => total = total.saturating_add(body::base64_len(b.len())),
                Content::Stream(_) => {}
                Content::Multipart {
                    boundary,
                    children,
                    preamble,
                    epilogue,
                    ..
                } => {
                    // The Content-Type field, the delimiters.
                    let delim = boundary.len() + 6;
                    total = total.saturating_add(120 + delim * (children.len() + 1));
                    total = total.saturating_add(preamble.len() + epilogue.len());
                    stack.extend(children.iter());
                }
                Content::Message(inner) => stack.push(inner),
            }
        }
        total
    }

    /// Writes the header fields, and the blank line that ends the section
    /// when `blank`.
    pub(crate) fn write_head(&self, sink: &mut dyn Sink, blank: bool) -> Result<(), BuildError> {
        sink.put(&self.pre)?;
        if let Content::Multipart {
            media_type,
            boundary,
            ..
        } = &self.content
        {
            let mut mt = media_type.clone();
            mt.set("boundary", boundary);
            let mut ct = Vec::new();
            header::write_content_type(&mt, &mut ct);
            if let Some(cte) = self.multipart_cte {
                ct.extend_from_slice(format!("Content-Transfer-Encoding: {cte}\r\n").as_bytes());
            }
            sink.put(&ct)?;
        }
        sink.put(&self.post)?;
        if blank {
            sink.put(b"\r\n")?;
        }
        Ok(())
    }

    /// Writes the body.
    pub(crate) fn write_body(self, sink: &mut dyn Sink) -> Result<(), BuildError> {
        match self.content {
            Content::Ready(b) => sink.put(&b),
            Content::Base64(b) => sink.put_base64(&b, false),
            Content::Stream(mut r) => {
                let mut err = None;
                let res = body::base64_stream(&mut r, &mut |b, lead| {
                    sink.put_base64(b, lead).map_err(|e| {
                        err = Some(e);
                        std::io::Error::other("sink")
                    })
                });
                match (res, err) {
                    (_, Some(e)) => Err(e),
                    (Err(e), None) => Err(BuildError::Io(e)),
                    (Ok(()), None) => Ok(()),
                }
            }
            Content::Multipart {
                boundary,
                children,
                preamble,
                epilogue,
                ..
            } => {
                sink.put(&preamble)?;
                for (i, child) in children.into_iter().enumerate() {
                    let delim = if i == 0 { "--" } else { "\r\n--" };
                    sink.put(format!("{delim}{boundary}\r\n").as_bytes())?;
                    child.write(sink)?;
                }
                sink.put(format!("\r\n--{boundary}--\r\n").as_bytes())?;
                sink.put(&epilogue)
            }
            Content::Message(inner) => inner.write(sink),
        }
    }

    /// Writes the whole part.
    pub(crate) fn write(self, sink: &mut dyn Sink) -> Result<(), BuildError> {
        self.write_head(sink, true)?;
        self.write_body(sink)
    }
}

/// A boundary (RFC 2046 §5.1.1 `bchars`): `=_` cannot occur in
/// quoted-printable or base64 output, the rest is 24 hexadecimal digits
/// from `seed` and `counter`.
fn candidate(seed: u64, counter: u64) -> String {
    let a = splitmix(seed ^ counter.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let b = splitmix(a ^ counter);
    format!("=_mw{a:016x}{:08x}", b >> 32)
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A preamble or epilogue as written: CRLF line breaks, and after a
/// preamble the CRLF that belongs to the first delimiter; checked
/// and its lines starting with `--` noted so that no boundary matches
/// them.
fn body_text(text: &str, ctx: &mut Ctx<'_>, epilogue: bool) -> Result<Vec<u8>, BuildError> {
    let mut out = body::to_crlf(text.as_bytes());
    if out.is_empty() {
        return Ok(out);
    }
    let fits = out
        .split(|&b| b == b'\n')
        .all(|l| l.strip_suffix(b"\r").unwrap_or(l).len() <= body::MAX_LINE)
        && out
            .iter()
            .all(|&b| b == b'\t' || b == b'\r' || b == b'\n' || b.is_ascii_graphic() || b == b' ');
    if !fits {
        return Err(BuildError::InvalidPreamble);
    }
    if body::has_delimiter(&out, ctx.forbidden) {
        return Err(BuildError::BoundaryInContent);
    }
    ctx.collect(&out);
    if !epilogue {
        out.extend_from_slice(b"\r\n");
    }
    Ok(out)
}

fn cte_field(cte: Cte, out: &mut Vec<u8>) {
    out.extend_from_slice(b"Content-Transfer-Encoding: ");
    out.extend_from_slice(cte.as_str().as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// Prepares one part and what it holds; the flag is true when the part
/// holds 8-bit data (so an enclosing multipart or message says `8bit`).
fn prepare(
    part: Part,
    ctx: &mut Ctx<'_>,
    depth: usize,
    root: bool,
) -> Result<(Plan, bool), BuildError> {
    if depth > MAX_DEPTH {
        return Err(BuildError::TooDeep { limit: MAX_DEPTH });
    }
    let utf8 = ctx.options.utf8_headers;
    let allow_8bit = ctx.options.allow_8bit || utf8;
    let Part {
        mut media_type,
        disposition,
        content_id,
        headers,
        preamble,
        epilogue,
        body,
    } = part;
    let mut pre = Vec::new();
    for (name, value) in &headers {
        if RESERVED.iter().any(|r| name.eq_ignore_case(r)) {
            return Err(BuildError::ReservedHeader(name.as_str().to_owned()));
        }
        header::write_field(name, value, utf8, &mut pre)?;
    }
    if root {
        pre.extend_from_slice(b"MIME-Version: 1.0\r\n");
    }
    let mut tail = Vec::new();
    if let Some((_, Some(f))) = &disposition {
        header::check_param_value(f)?;
    }
    if let Some((kind, filename)) = &disposition {
        header::write_disposition(kind, filename.as_deref(), &mut tail);
    }
    if let Some(id) = &content_id {
        tail.extend_from_slice(format!("Content-ID: {id}\r\n").as_bytes());
    }
    ctx.collect(&pre);
    if body::has_delimiter(&pre, ctx.forbidden) {
        return Err(BuildError::BoundaryInContent);
    }
    let mismatch = |mt: &MediaType| BuildError::MediaTypeMismatch(mt.essence());
    let is_multipart = media_type.media_type() == "multipart";
    let is_message = media_type.is("message", "rfc822") || media_type.is("message", "global");
    let mut post = Vec::new();
    let leaf = |mt: &MediaType, cte: Cte, post: &mut Vec<u8>| {
        header::write_content_type(mt, post);
        cte_field(cte, post);
        post.extend_from_slice(&tail);
    };
    let (content, eight, multipart_cte) = match body {
        Body::Text(text) => {
            if is_multipart || is_message {
                return Err(mismatch(&media_type));
            }
            media_type.set("charset", "utf-8");
            let encoded = body::encode_text(&text, allow_8bit, ctx.forbidden);
            leaf(&media_type, encoded.cte(), &mut post);
            ctx.content(encoded)
        }
        Body::Bytes(data) => {
            if is_multipart || is_message {
                return Err(mismatch(&media_type));
            }
            let encoded = body::encode_bytes(data, allow_8bit, ctx.forbidden);
            leaf(&media_type, encoded.cte(), &mut post);
            ctx.content(encoded)
        }
        Body::Reader(r) => {
            if is_multipart || is_message {
                return Err(mismatch(&media_type));
            }
            leaf(&media_type, Cte::Base64, &mut post);
            (Content::Stream(r), false, None)
        }
        Body::RawMessage(raw) => {
            if !is_message {
                return Err(mismatch(&media_type));
            }
            let crlf = body::to_crlf(&raw);
            let encoded = body::encode_bytes(crlf.into(), allow_8bit, ctx.forbidden);
            leaf(&media_type, encoded.cte(), &mut post);
            ctx.content(encoded)
        }
        Body::Message(inner) => {
            if !is_message {
                return Err(mismatch(&media_type));
            }
            let (plan, eight) = prepare(*inner, ctx, depth + 1, true)?;
            if utf8 && !plan.pre.is_ascii() && media_type.is("message", "rfc822") {
                // RFC 6532 §3.7: a message with UTF-8 header fields.
                media_type = MediaType::new("message", "global")?;
            }
            let cte = if eight { Cte::EightBit } else { Cte::SevenBit };
            leaf(&media_type, cte, &mut post);
            (Content::Message(Box::new(plan)), eight, None)
        }
        Body::Multipart(parts) => {
            if !is_multipart {
                return Err(mismatch(&media_type));
            }
            if parts.is_empty() {
                return Err(BuildError::EmptyMultipart);
            }
            media_type.remove("boundary");
            let preamble = match preamble {
                Some(p) => body_text(&p, ctx, false)?,
                None => Vec::new(),
            };
            let epilogue = match epilogue {
                Some(e) => body_text(&e, ctx, true)?,
                None => Vec::new(),
            };
            let mut children = Vec::with_capacity(parts.len());
            let mut eight = false;
            for p in parts {
                let (plan, e) = prepare(p, ctx, depth + 1, false)?;
                eight |= e;
                children.push(plan);
            }
            post.extend_from_slice(&tail);
            (
                Content::Multipart {
                    media_type,
                    boundary: String::new(),
                    children,
                    preamble,
                    epilogue,
                },
                eight,
                eight.then_some("8bit"),
            )
        }
    };
    let eight = eight || (utf8 && !pre.is_ascii());
    Ok((
        Plan {
            pre,
            post,
            multipart_cte,
            content,
        },
        eight,
    ))
}
