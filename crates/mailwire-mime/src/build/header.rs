//! Header field values for the builder, media types and their parameters,
//! and how they are written.

use std::fmt::Write as _;

use crate::encode::{Folder, LINE_LEN, header_field, header_field_utf8};
use crate::types::{DateTime, HeaderName, ValueError};

use super::BuildError;
use super::address::{self, AddressItem, EmailAddress, MsgId};

/// The value of a header field to write. Every variant is written so that
/// no line break can enter it other than folding: text goes into RFC 2047
/// encoded words where it must, addresses and identifiers are validated
/// types.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderValue {
    /// `unstructured` text (RFC 5322 §3.2.5): Subject, Comments, an
    /// extension field. Any text: see [`crate::encode::header_field`].
    Text(String),
    /// An address list (RFC 5322 §3.4): From, To, Cc…
    Addresses(Vec<AddressItem>),
    /// Message identifiers (RFC 5322 §3.6.4): Message-ID, In-Reply-To,
    /// References.
    MessageIds(Vec<MsgId>),
    /// A date-time (RFC 5322 §3.3).
    Date(DateTime),
}

impl From<&str> for HeaderValue {
    fn from(s: &str) -> Self {
        Self::Text(s.to_owned())
    }
}

impl From<String> for HeaderValue {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}

impl From<EmailAddress> for HeaderValue {
    fn from(a: EmailAddress) -> Self {
        Self::Addresses(vec![AddressItem::Mailbox(a)])
    }
}

impl From<Vec<AddressItem>> for HeaderValue {
    fn from(a: Vec<AddressItem>) -> Self {
        Self::Addresses(a)
    }
}

impl From<MsgId> for HeaderValue {
    fn from(id: MsgId) -> Self {
        Self::MessageIds(vec![id])
    }
}

impl From<DateTime> for HeaderValue {
    fn from(d: DateTime) -> Self {
        Self::Date(d)
    }
}

/// Writes one field, folded, CRLF included.
pub(crate) fn write_field(
    name: &HeaderName<'_>,
    value: &HeaderValue,
    utf8: bool,
    out: &mut Vec<u8>,
) -> Result<(), BuildError> {
    let start = |out: &mut Vec<u8>| {
        out.extend_from_slice(name.as_str().as_bytes());
        out.push(b':');
    };
    match value {
        HeaderValue::Text(t) if utf8 => header_field_utf8(name, t, out),
        HeaderValue::Text(t) => header_field(name, t, out),
        HeaderValue::Addresses(list) => {
            if !utf8 && address::needs_utf8(list) {
                return Err(BuildError::Utf8Address);
            }
            start(out);
            let col = name.as_str().len() + 1;
            let mut folder = Folder { out, col };
            address::address_list(list, utf8, &mut folder);
            folder.out.extend_from_slice(b"\r\n");
        }
        HeaderValue::MessageIds(ids) => {
            start(out);
            let col = name.as_str().len() + 1;
            let mut folder = Folder { out, col };
            for id in ids {
                folder.item(" ", id.to_string().as_bytes());
            }
            folder.out.extend_from_slice(b"\r\n");
        }
        HeaderValue::Date(d) => {
            start(out);
            out.push(b' ');
            out.extend_from_slice(d.to_rfc5322().as_bytes());
            out.extend_from_slice(b"\r\n");
        }
    }
    Ok(())
}

/// `tspecials` of RFC 2045 §5.1.
fn is_tspecial(b: u8) -> bool {
    b"()<>@,;:\\\"/[]?=".contains(&b)
}

/// `token` (RFC 2045 §5.1): US-ASCII except SP, controls and `tspecials`.
fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic() && !is_tspecial(b))
}

/// `attribute-char` (RFC 2231 §7): a token character other than `*`,
/// `'` and `%`.
fn is_attribute_char(b: u8) -> bool {
    b.is_ascii_graphic() && !is_tspecial(b) && !matches!(b, b'*' | b'\'' | b'%')
}

/// The longest parameter value accepted, in octets of UTF-8: in RFC 2231
/// sections it stays well within the decoder's default
/// [`Limits::parameter_count`](crate::Limits).
pub const MAX_PARAM_VALUE: usize = 2000;

/// Refuses a parameter value longer than [`MAX_PARAM_VALUE`].
pub(crate) fn check_param_value(value: &str) -> Result<(), ValueError> {
    if value.len() > MAX_PARAM_VALUE {
        return Err(ValueError::TooLong {
            limit: MAX_PARAM_VALUE,
        });
    }
    Ok(())
}

/// The longest type, subtype or parameter name accepted.
const MAX_TOKEN: usize = 64;

fn check_token(s: &str, attribute: bool) -> Result<(), ValueError> {
    if s.is_empty() {
        return Err(ValueError::Empty);
    }
    if let Some(offset) = s.bytes().position(|b| {
        if attribute {
            !is_attribute_char(b)
        } else {
            !b.is_ascii_graphic() || is_tspecial(b)
        }
    }) {
        return Err(ValueError::ForbiddenByte {
            offset,
            byte: s.as_bytes()[offset],
        });
    }
    if s.len() > MAX_TOKEN {
        return Err(ValueError::TooLong { limit: MAX_TOKEN });
    }
    Ok(())
}

/// A media type to write (RFC 2045 §5.1): `type "/" subtype` and
/// parameters, validated. Names are tokens (parameter names also without
/// `*`, `'` and `%`, RFC 2231 §7); values are any text, written as a
/// token, a quoted string, or in RFC 2231 form when non-ASCII or long.
///
/// ```
/// use mailwire_mime::build::MediaType;
/// let t = MediaType::parse("image/png")?.param("x-note", "café")?;
/// assert_eq!(t.essence(), "image/png");
/// assert_eq!(t.get("x-note"), Some("café"));
/// assert!(MediaType::parse("text/plain; charset=x").is_err());
/// # Ok::<(), mailwire_mime::types::ValueError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MediaType {
    media_type: String,
    subtype: String,
    params: Vec<(String, String)>,
}

impl MediaType {
    /// `type/subtype`, both tokens, lowercased.
    pub fn new(media_type: &str, subtype: &str) -> Result<Self, ValueError> {
        check_token(media_type, false)?;
        check_token(subtype, false)?;
        Ok(Self {
            media_type: media_type.to_ascii_lowercase(),
            subtype: subtype.to_ascii_lowercase(),
            params: Vec::new(),
        })
    }

    /// Reads `type/subtype` (no parameters).
    pub fn parse(essence: &str) -> Result<Self, ValueError> {
        let (t, s) = essence.split_once('/').ok_or(ValueError::Empty)?;
        Self::new(t, s)
    }

    /// `application/octet-stream`.
    pub fn octet_stream() -> Self {
        Self {
            media_type: "application".into(),
            subtype: "octet-stream".into(),
            params: Vec::new(),
        }
    }

    /// Adds parameter `name` (replacing one of the same name); the value
    /// is at most [`MAX_PARAM_VALUE`] octets.
    pub fn param(mut self, name: &str, value: &str) -> Result<Self, ValueError> {
        check_token(name, true)?;
        check_param_value(value)?;
        let name = name.to_ascii_lowercase();
        self.params.retain(|(n, _)| *n != name);
        self.params.push((name, value.to_owned()));
        Ok(self)
    }

    /// The type, lowercased.
    pub fn media_type(&self) -> &str {
        &self.media_type
    }

    /// The subtype, lowercased.
    pub fn subtype(&self) -> &str {
        &self.subtype
    }

    /// `type/subtype`.
    pub fn essence(&self) -> String {
        format!("{}/{}", self.media_type, self.subtype)
    }

    /// The value of parameter `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The parameters, in order.
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    pub(crate) fn is(&self, media_type: &str, subtype: &str) -> bool {
        self.media_type == media_type && self.subtype == subtype
    }

    pub(crate) fn set(&mut self, name: &str, value: &str) {
        self.params.retain(|(n, _)| n != name);
        self.params.push((name.to_owned(), value.to_owned()));
    }

    pub(crate) fn remove(&mut self, name: &str) {
        self.params.retain(|(n, _)| n != name);
    }
}

/// Writes `Content-Type: type/subtype; params` CRLF.
pub(crate) fn write_content_type(mt: &MediaType, out: &mut Vec<u8>) {
    let head = format!("Content-Type: {}/{}", mt.media_type, mt.subtype);
    out.extend_from_slice(head.as_bytes());
    let col = head.len();
    let mut folder = Folder { out, col };
    write_params(&mt.params, &mut folder);
    folder.out.extend_from_slice(b"\r\n");
}

/// Writes `Content-Disposition: kind; filename=…` CRLF.
pub(crate) fn write_disposition(kind: &str, filename: Option<&str>, out: &mut Vec<u8>) {
    let head = format!("Content-Disposition: {kind}");
    out.extend_from_slice(head.as_bytes());
    let col = head.len();
    let mut folder = Folder { out, col };
    if let Some(f) = filename {
        write_params(&[("filename".to_owned(), f.to_owned())], &mut folder);
    }
    folder.out.extend_from_slice(b"\r\n");
}

/// Writes `; name=value` for each parameter (RFC 2045 §5.1), in RFC 2231
/// form (`name*=utf-8''…`, split into `name*0*`, `name*1*`… sections
/// when long) when the value is not printable US-ASCII, holds `=?`, or
/// would not fit a line.
fn write_params(params: &[(String, String)], folder: &mut Folder<'_, Vec<u8>>) {
    for (name, value) in params {
        folder.put("", b";");
        let simple = value.bytes().all(|b| b == b' ' || b.is_ascii_graphic())
            && !value.contains("=?")
            && name.len() + value.len() * 2 + 5 < LINE_LEN;
        if simple {
            let mut item = format!("{name}=");
            if is_token(value) {
                item.push_str(value);
            } else {
                item.push('"');
                for c in value.chars() {
                    if c == '"' || c == '\\' {
                        item.push('\\');
                    }
                    item.push(c);
                }
                item.push('"');
            }
            folder.item(" ", item.as_bytes());
            continue;
        }
        // RFC 2231 §4: percent-encoded UTF-8; §3: numbered sections, each
        // holding whole characters, each on a line of its own if needed.
        let room = LINE_LEN - 2;
        let single = format!("{name}*=utf-8''{}", pct(value));
        if single.len() <= room {
            folder.item(" ", single.as_bytes());
            continue;
        }
        let mut section = 0usize;
        let mut item = format!("{name}*0*=utf-8''");
        for c in value.chars() {
            let mut buf = [0u8; 4];
            let enc = pct(c.encode_utf8(&mut buf));
            if item.len() + enc.len() > room && !item.ends_with('\'') && !item.ends_with('=') {
                item.push(';');
                folder.item(" ", item.as_bytes());
                section += 1;
                item = format!("{name}*{section}*=");
            }
            item.push_str(&enc);
        }
        folder.item(" ", item.as_bytes());
    }
}

/// RFC 2231 §7 `extended-value` escapes: every octet that is not an
/// `attribute-char` as `%XX`.
fn pct(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if is_attribute_char(b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}
