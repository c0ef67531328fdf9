//! Editing a parsed message: unchanged bytes are copied from the input,
//! only what was edited is written anew.

use std::io::Write;
use std::ops::Range;

use bytes::BufMut;

use crate::Message;
use crate::decode::PartKind;
use crate::types::{HeaderName, TransferEncoding};

use super::body;
use super::header::{self, HeaderValue};
use super::part::{BufSink, Part, Plan, Sink};
use super::{BuildError, Options};

#[derive(Debug)]
enum Edit {
    Set(usize, HeaderName<'static>, HeaderValue),
    Add(usize, HeaderName<'static>, HeaderValue),
    Remove(usize, String),
    Body(usize, Part),
    Part(usize, Part),
}

/// What replaces a range of a byte stream.
enum Repl {
    Bytes(Vec<u8>),
    /// A part's body.
    Body(Plan),
    /// A whole part.
    Whole(Plan),
}

struct Splice {
    range: Range<usize>,
    repl: Repl,
}

/// Header fields the writer owns: [`Editor::set_header`] and friends
/// refuse them (use [`Editor::replace_body`]).
const RESERVED: &[&str] = &[
    "content-type",
    "content-transfer-encoding",
    "content-disposition",
    "content-id",
];

/// Changes to a parsed [`Message`], written by copying the input and
/// regenerating only what changed: an unedited message is written back
/// byte for byte, an edited header field replaces the bytes of the field,
/// an edited body the bytes of the body. Parts are named by their number
/// ([`crate::Part::id`]); parts inside a base64 or quoted-printable nested
/// message can be edited too (the nested message is encoded again, in
/// base64).
///
/// ```
/// use mailwire_mime::Message;
/// use mailwire_mime::build::{Editor, Options, Part};
/// use mailwire_mime::types::HeaderName;
///
/// let input = b"Subject: old\r\nX-Keep:  odd   spacing\r\n\r\nHello\r\n";
/// let message = Message::parse(input);
/// assert_eq!(Editor::new(&message).to_vec().unwrap(), input);
///
/// let mut editor = Editor::new(&message);
/// editor.set_header(0, HeaderName::new("Subject")?, "new");
/// editor.replace_body(0, Part::text("Bonjour"));
/// let out = editor.to_vec().unwrap();
/// assert_eq!(
///     out,
///     b"Subject: new\r\nX-Keep:  odd   spacing\r\nMIME-Version: 1.0\r\n\
///       Content-Type: text/plain; charset=utf-8\r\n\
///       Content-Transfer-Encoding: 7bit\r\n\r\nBonjour"
/// );
/// # Ok::<(), mailwire_mime::types::ValueError>(())
/// ```
#[derive(Debug)]
pub struct Editor<'m, 'a> {
    message: &'m Message<'a>,
    options: Options,
    edits: Vec<Edit>,
}

impl<'m, 'a> Editor<'m, 'a> {
    /// No edits yet, default [`Options`].
    pub fn new(message: &'m Message<'a>) -> Self {
        Self {
            message,
            options: Options::default(),
            edits: Vec::new(),
        }
    }

    /// How new fields and parts are written.
    pub fn options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// Replaces the first field called `name` of part `part` (in place)
    /// and removes any other; adds it after the last field when there is
    /// none.
    pub fn set_header(
        &mut self,
        part: usize,
        name: HeaderName<'static>,
        value: impl Into<HeaderValue>,
    ) -> &mut Self {
        self.edits.push(Edit::Set(part, name, value.into()));
        self
    }

    /// Adds a field after the last field of part `part`.
    pub fn add_header(
        &mut self,
        part: usize,
        name: HeaderName<'static>,
        value: impl Into<HeaderValue>,
    ) -> &mut Self {
        self.edits.push(Edit::Add(part, name, value.into()));
        self
    }

    /// Removes every field called `name` (ASCII case-insensitively) from
    /// part `part`.
    pub fn remove_header(&mut self, part: usize, name: &str) -> &mut Self {
        self.edits.push(Edit::Remove(part, name.to_owned()));
        self
    }

    /// Replaces the content of part `part` with `content`: the part's
    /// `Content-*` fields give way to those of `content` (and its extra
    /// fields are added), its other fields stay as they are, its body is
    /// written from `content`. On the message itself, `MIME-Version` is
    /// added when missing.
    pub fn replace_body(&mut self, part: usize, content: Part) -> &mut Self {
        self.edits.push(Edit::Body(part, content));
        self
    }

    /// Replaces part `part`, header section and body, with `new`.
    pub fn replace_part(&mut self, part: usize, new: Part) -> &mut Self {
        self.edits.push(Edit::Part(part, new));
        self
    }

    /// Writes the message to `out`.
    pub fn write_to<W: Write>(self, out: W) -> Result<(), BuildError> {
        let mut sink = IoSink(out);
        self.write(&mut sink)
    }

    /// Writes the message into a caller's buffer.
    pub fn encode<B: BufMut>(self, out: &mut B) -> Result<(), BuildError> {
        self.write(&mut BufSink(out))
    }

    /// The message in a new vector.
    pub fn to_vec(self) -> Result<Vec<u8>, BuildError> {
        let mut out = Vec::new();
        self.encode(&mut out)?;
        Ok(out)
    }

    fn write(self, sink: &mut dyn Sink) -> Result<(), BuildError> {
        let msg = self.message;
        let mut by_layer: Vec<Vec<Splice>> = Vec::new();
        for edit in self.edits {
            let id = match &edit {
                Edit::Set(p, ..)
                | Edit::Add(p, ..)
                | Edit::Remove(p, _)
                | Edit::Body(p, _)
                | Edit::Part(p, _) => *p,
            };
            let part = msg.part(id).ok_or(BuildError::NoSuchPart(id))?;
            let layer = part.info().layer;
            if by_layer.len() <= layer {
                by_layer.resize_with(layer + 1, Vec::new);
            }
            let splices = splices_for(&part, edit, &self.options)?;
            if let Some(list) = by_layer.get_mut(layer) {
                list.extend(splices);
            }
        }
        // Inner layers first: an edited nested message becomes a new body
        // of the part that holds it, in the enclosing layer.
        for layer in (1..by_layer.len()).rev() {
            let splices = std::mem::take(&mut by_layer[layer]);
            if splices.is_empty() {
                continue;
            }
            let Some(holder) = msg
                .parts()
                .find(|p| p.kind() == PartKind::EncodedMessage { layer })
            else {
                continue;
            };
            let source = holder.decoded_bytes();
            let mut inner = Vec::new();
            apply(&source, splices, &mut BufSink(&mut inner))?;
            let parent_layer = holder.info().layer;
            let mut out = Vec::new();
            if *holder.transfer_encoding() != TransferEncoding::Base64 {
                let headers = holder.headers();
                for f in headers.iter().filter(|f| f.is("content-transfer-encoding")) {
                    out.push(Splice {
                        range: f.span(),
                        repl: Repl::Bytes(b"Content-Transfer-Encoding: base64\r\n".to_vec()),
                    });
                }
            }
            out.push(Splice {
                range: holder.body_range(),
                repl: Repl::Bytes(body::base64_lines(&inner)),
            });
            if let Some(list) = by_layer.get_mut(parent_layer) {
                list.extend(out);
            }
        }
        let top = by_layer.into_iter().next().unwrap_or_default();
        apply(msg.raw(), top, sink)
    }
}

struct IoSink<W>(W);

impl<W: Write> Sink for IoSink<W> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), BuildError> {
        self.0.write_all(bytes).map_err(BuildError::Io)
    }
}

/// Copies `source` to `sink`, the spliced ranges replaced.
fn apply(source: &[u8], mut splices: Vec<Splice>, sink: &mut dyn Sink) -> Result<(), BuildError> {
    splices.sort_by_key(|s| (s.range.start, s.range.end));
    let mut pos = 0;
    for s in splices {
        if s.range.start < pos || s.range.end > source.len() {
            return Err(BuildError::OverlappingEdits);
        }
        sink.put(source.get(pos..s.range.start).unwrap_or_default())?;
        match s.repl {
            Repl::Bytes(b) => sink.put(&b)?,
            Repl::Body(plan) => plan.write_body(sink)?,
            Repl::Whole(plan) => plan.write(sink)?,
        }
        pos = s.range.end;
    }
    sink.put(source.get(pos..).unwrap_or_default())
}

/// The boundaries of the multiparts enclosing `part` in its byte stream.
fn enclosing_boundaries(part: &crate::Part<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let mut p = part.parent();
    while let Some(parent) = p {
        if parent.info().layer != part.info().layer {
            break;
        }
        if parent.kind() == PartKind::Multipart {
            out.extend(parent.content_type().boundary().map(str::to_owned));
        }
        p = parent.parent();
    }
    out
}

/// Where a new field of `part` goes: after its last field.
fn field_end(part: &crate::Part<'_>) -> usize {
    part.headers()
        .iter()
        .last()
        .map_or(part.info().start, |f| f.span().end)
}

fn splices_for(
    part: &crate::Part<'_>,
    edit: Edit,
    options: &Options,
) -> Result<Vec<Splice>, BuildError> {
    let field = |name: &HeaderName<'_>, value: &HeaderValue| {
        if RESERVED.iter().any(|r| name.eq_ignore_case(r)) {
            return Err(BuildError::ReservedHeader(name.as_str().to_owned()));
        }
        let mut out = Vec::new();
        header::write_field(name, value, options.utf8_headers, &mut out)?;
        if body::has_delimiter(&out, &enclosing_boundaries(part)) {
            return Err(BuildError::BoundaryInContent);
        }
        Ok(out)
    };
    let headers = part.headers();
    let mut out = Vec::new();
    match edit {
        Edit::Set(_, name, value) => {
            let bytes = field(&name, &value)?;
            let mut spans = headers.get_all(name.as_str()).map(|f| f.span());
            match spans.next() {
                Some(first) => {
                    out.push(Splice {
                        range: first,
                        repl: Repl::Bytes(bytes),
                    });
                    out.extend(spans.map(|range| Splice {
                        range,
                        repl: Repl::Bytes(Vec::new()),
                    }));
                }
                None => {
                    let at = field_end(part);
                    out.push(Splice {
                        range: at..at,
                        repl: Repl::Bytes(bytes),
                    });
                }
            }
        }
        Edit::Add(_, name, value) => {
            let bytes = field(&name, &value)?;
            let at = field_end(part);
            out.push(Splice {
                range: at..at,
                repl: Repl::Bytes(bytes),
            });
        }
        Edit::Remove(_, name) => {
            out.extend(headers.get_all(&name).map(|f| Splice {
                range: f.span(),
                repl: Repl::Bytes(Vec::new()),
            }));
        }
        Edit::Body(_, content) => {
            let forbidden = enclosing_boundaries(part);
            let plan = Plan::new(content, options, &forbidden, false)?;
            for f in headers.iter() {
                if f.name().len() >= 8 && f.name()[..8].eq_ignore_ascii_case(b"content-") {
                    out.push(Splice {
                        range: f.span(),
                        repl: Repl::Bytes(Vec::new()),
                    });
                }
            }
            let at = field_end(part);
            if part.id() == 0 && headers.get("mime-version").is_none() {
                out.push(Splice {
                    range: at..at,
                    repl: Repl::Bytes(b"MIME-Version: 1.0\r\n".to_vec()),
                });
            }
            let mut head = Vec::new();
            plan.write_head(&mut BufSink(&mut head), false)?;
            out.push(Splice {
                range: at..at,
                repl: Repl::Bytes(head),
            });
            out.push(Splice {
                range: part.body_range(),
                repl: Repl::Body(plan),
            });
        }
        Edit::Part(_, new) => {
            let forbidden = enclosing_boundaries(part);
            let plan = Plan::new(new, options, &forbidden, part.id() == 0)?;
            out.push(Splice {
                range: part.info().start..part.body_range().end,
                repl: Repl::Whole(plan),
            });
        }
    }
    Ok(out)
}
