//! Content-Type, Content-Disposition and Content-Transfer-Encoding
//! (RFC 2045 §5, §6; RFC 2183), with parameters (RFC 2231), read
//! tolerantly.

use std::borrow::Cow;
use std::ops::Range;

use crate::Limits;
use crate::types::{
    ContentDisposition, ContentType, Defect, DefectKind, Parameter, Parameters, TransferEncoding,
};

use super::charset;
use super::lexer::{quoted_string, skip_comment};
use super::words::{decode_text, find_word_start, lossy, lossy_owned};

/// `tspecials` (RFC 2045 §5.1), white space and controls end a `token`.
/// Bytes above 0x7F are accepted in tokens, as UTF-8 headers (RFC 6532)
/// and careless mailers write them.
const fn token_octet(b: u8) -> bool {
    b > b' '
        && b != 0x7f
        && !matches!(
            b,
            b'(' | b')'
                | b'<'
                | b'>'
                | b'@'
                | b','
                | b';'
                | b':'
                | b'\\'
                | b'"'
                | b'/'
                | b'['
                | b']'
                | b'?'
                | b'='
        )
}

/// [`token_octet`] for every octet, looked up rather than computed.
static TOKEN: [bool; 256] = octet_table!(token_octet);

fn is_token(b: u8) -> bool {
    TOKEN[usize::from(b)]
}

/// Skips `CFWS` from `i`.
fn skip_cfws(raw: &[u8], mut i: usize, defects: &mut Vec<Defect>) -> usize {
    while let Some(&b) = raw.get(i) {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'(' => i = skip_comment(raw, i, defects),
            _ => break,
        }
    }
    i
}

fn token(raw: &[u8], i: usize) -> usize {
    raw.get(i..)
        .and_then(|r| r.iter().position(|&b| !is_token(b)))
        .map_or(raw.len(), |p| i + p)
}

/// Skips to the next `;` outside quoted strings and comments.
fn skip_to_semicolon(raw: &[u8], mut i: usize) -> usize {
    let mut ignored = Vec::new();
    while let Some(&b) = raw.get(i) {
        match b {
            b';' => break,
            b'"' => i = quoted_string(raw, i, &mut ignored).1,
            b'(' => i = skip_comment(raw, i, &mut ignored),
            _ => i += 1,
        }
    }
    i
}

/// A field body, and the same as text when it is UTF-8: checked once, so
/// that its pieces are borrowed as text without a check each.
#[derive(Debug, Clone, Copy)]
struct Src<'a> {
    raw: &'a [u8],
    text: Option<&'a str>,
}

impl<'a> Src<'a> {
    fn new(raw: &'a [u8]) -> Self {
        Self {
            raw,
            text: std::str::from_utf8(raw).ok(),
        }
    }

    /// `raw[range]` as text: borrowed when it is UTF-8.
    fn text(&self, range: Range<usize>) -> Cow<'a, str> {
        match self.text.and_then(|t| t.get(range.clone())) {
            Some(s) => Cow::Borrowed(s),
            None => lossy(self.raw.get(range).unwrap_or_default()),
        }
    }

    /// A piece of `raw` as text: borrowed when it is UTF-8.
    fn piece(&self, piece: &'a [u8]) -> Cow<'a, str> {
        let at = piece.as_ptr().addr().wrapping_sub(self.raw.as_ptr().addr());
        let text = at
            .checked_add(piece.len())
            .and_then(|end| self.text?.get(at..end));
        match text {
            Some(s) if s.len() == piece.len() => Cow::Borrowed(s),
            _ => lossy(piece),
        }
    }

    /// `raw[range]` as text, lowercased: borrowed when it is UTF-8
    /// without an uppercase ASCII letter.
    fn lower(&self, range: Range<usize>) -> Cow<'a, str> {
        let text = self.text(range);
        if text.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(text.to_ascii_lowercase())
        } else {
            text
        }
    }
}

/// Decodes a Content-Type field body.
///
/// ```text
/// content   := "Content-Type" ":" type "/" subtype *(";" parameter)  ; RFC 2045 §5.1
/// parameter := attribute "=" value
/// value     := token / quoted-string
/// ```
///
/// The type and subtype are lowercased; parameters are read by
/// [`parameters`]. A value without a valid `type "/" subtype` gives
/// `text/plain` (RFC 2045 §5.2) with a [`DefectKind::InvalidContentType`];
/// its parameters are still read, so a `charset` is not lost. (For a
/// missing field, use [`ContentType::default`].)
///
/// ```
/// use mailwire_mime::{Limits, decode::content_type};
/// let (ct, defects) = content_type(
///     b" Text/Plain; charset=us-ascii (Plain text)",
///     &Limits::default(),
/// );
/// assert!(defects.is_empty());
/// assert_eq!(ct.essence(), "text/plain");
/// assert_eq!(ct.charset(), Some("us-ascii"));
/// ```
pub fn content_type<'a>(raw: &'a [u8], limits: &Limits) -> (ContentType<'a>, Vec<Defect>) {
    match quick::content_type(raw, limits) {
        Some(ct) => (ct, Vec::new()),
        None => content_type_full(raw, limits),
    }
}

/// [`content_type`] by the general reader, for any input.
#[cold]
#[inline(never)]
fn content_type_full<'a>(raw: &'a [u8], limits: &Limits) -> (ContentType<'a>, Vec<Defect>) {
    let src = Src::new(raw);
    let mut defects = Vec::new();
    let start = skip_cfws(raw, 0, &mut defects);
    let type_end = token(raw, start);
    let slash = skip_cfws(raw, type_end, &mut defects);
    let mut names = None;
    let rest = if type_end > start && raw.get(slash) == Some(&b'/') {
        let sub_start = skip_cfws(raw, slash + 1, &mut defects);
        let sub_end = token(raw, sub_start);
        if sub_end > sub_start {
            names = Some((src.lower(start..type_end), src.lower(sub_start..sub_end)));
            Some(sub_end)
        } else {
            None
        }
    } else {
        None
    };
    let (rest, separated) = match rest {
        Some(r) => (r, false),
        None => {
            defects.push(Defect {
                offset: start,
                kind: DefectKind::InvalidContentType,
            });
            (skip_to_semicolon(raw, start), true)
        }
    };
    let parameters = params_from(&src, rest, separated, limits, &mut defects);
    defects.sort_by_key(|d| d.offset);
    let ct = match names {
        Some((media_type, subtype)) => ContentType {
            media_type,
            subtype,
            parameters,
        },
        None => ContentType {
            parameters,
            ..ContentType::default()
        },
    };
    (ct, defects)
}

/// Decodes a Content-Disposition field body.
///
/// ```text
/// disposition := "Content-Disposition" ":" disposition-type
///                *(";" disposition-parm)                   ; RFC 2183 §2
/// disposition-type := "inline" / "attachment" / extension-token
/// ```
///
/// The type is lowercased (empty, with a [`DefectKind::InvalidSyntax`],
/// when missing); parameters are read by [`parameters`].
///
/// ```
/// use mailwire_mime::{Limits, decode::content_disposition};
/// let (cd, _) = content_disposition(
///     b" attachment; filename=genome.jpeg;\r\n modification-date=\"Wed, 12 Feb 1997 16:29:51 -0500\"",
///     &Limits::default(),
/// );
/// assert!(cd.is_attachment());
/// assert_eq!(cd.filename(), Some("genome.jpeg"));
/// assert_eq!(
///     cd.parameters.get("modification-date"),
///     Some("Wed, 12 Feb 1997 16:29:51 -0500")
/// );
/// ```
pub fn content_disposition<'a>(
    raw: &'a [u8],
    limits: &Limits,
) -> (ContentDisposition<'a>, Vec<Defect>) {
    match quick::content_disposition(raw, limits) {
        Some(cd) => (cd, Vec::new()),
        None => content_disposition_full(raw, limits),
    }
}

/// [`content_disposition`] by the general reader, for any input.
#[cold]
#[inline(never)]
fn content_disposition_full<'a>(
    raw: &'a [u8],
    limits: &Limits,
) -> (ContentDisposition<'a>, Vec<Defect>) {
    let mut defects = Vec::new();
    let start = skip_cfws(raw, 0, &mut defects);
    let end = token(raw, start);
    if end == start {
        defects.push(Defect {
            offset: start,
            kind: DefectKind::InvalidSyntax,
        });
    }
    let src = Src::new(raw);
    let kind = src.lower(start..end);
    let rest = skip_to_semicolon(raw, end);
    if skip_cfws(raw, end, &mut Vec::new()) < rest {
        defects.push(Defect {
            offset: end,
            kind: DefectKind::InvalidSyntax,
        });
    }
    let parameters = params_from(&src, rest, true, limits, &mut defects);
    defects.sort_by_key(|d| d.offset);
    (ContentDisposition { kind, parameters }, defects)
}

/// Decodes a Content-Transfer-Encoding field body (RFC 2045 §6.1:
/// `encoding := "Content-Transfer-Encoding" ":" mechanism`), compared
/// case-insensitively, comments and quotes around the name ignored. An
/// empty value is the default, `7bit`.
///
/// ```
/// use mailwire_mime::decode::transfer_encoding;
/// use mailwire_mime::types::TransferEncoding;
/// assert_eq!(transfer_encoding(b" Base64 (binary data)"), TransferEncoding::Base64);
/// assert_eq!(transfer_encoding(b" x-uuencode").as_str(), "x-uuencode");
/// ```
pub fn transfer_encoding(raw: &[u8]) -> TransferEncoding {
    let mut ignored = Vec::new();
    let mut start = skip_cfws(raw, 0, &mut ignored);
    if raw.get(start) == Some(&b'"') {
        start += 1;
    }
    let end = token(raw, start);
    let name = &raw[start..end];
    let is = |known: &str| name.eq_ignore_ascii_case(known.as_bytes());
    if name.is_empty() || is("7bit") {
        TransferEncoding::SevenBit
    } else if is("8bit") {
        TransferEncoding::EightBit
    } else if is("binary") {
        TransferEncoding::Binary
    } else if is("quoted-printable") {
        TransferEncoding::QuotedPrintable
    } else if is("base64") {
        TransferEncoding::Base64
    } else {
        TransferEncoding::Other(lossy(name).to_ascii_lowercase())
    }
}

/// Decodes the parameter list of a Content-Type or Content-Disposition
/// field, from the first `;` of `raw` (or its start, when the first thing
/// in it is a parameter).
///
/// ```text
/// parameter := attribute "=" value                  ; RFC 2045 §5.1
/// value     := token / quoted-string
/// parameter := regular-parameter / extended-parameter  ; RFC 2231 §7
/// regular-parameter-name := attribute [section]
/// extended-initial-name  := attribute [initial-section] "*"
/// extended-initial-value := [charset] "'" [language] "'" extended-other-values
/// extended-other-names   := attribute other-sections "*"
/// section := "*" ("0" / (non-zero-digit *9digit))
/// ```
///
/// - names are lowercased; quoted values unquoted and unfolded; comments
///   skipped;
/// - RFC 2231 continuations (`name*0`, `name*1*`…) are put in numeric
///   order and joined into one parameter, at the place of the first one;
///   `%XX` escapes of extended segments are decoded, and all the
///   segments' octets joined, before the charset of the first segment
///   converts them, so a character split across segments decodes;
/// - RFC 2047 encoded words in values not written in RFC 2231 form are
///   decoded, as mailers send them (`name="=?utf-8?B?...?="`);
/// - duplicates are kept in order, with a [`DefectKind::DuplicateParameter`];
///   [`Parameters::get`] chooses among them;
/// - tolerated: a missing `;`, an unquoted value holding white space (it
///   runs to the next `;`), a quoted extended value, a missing or
///   malformed `charset'language'` prefix, a gap or a repeat in the
///   section numbers (the parameter is then marked not
///   [`well_formed`](crate::types::Parameter::well_formed)); unreadable
///   text is skipped up to the next `;`;
/// - at most [`Limits::parameter_count`] parameters (continuation
///   segments each count) are read, then a
///   [`DefectKind::TooManyParameters`] ends the list.
///
/// ```
/// use mailwire_mime::{Limits, decode::parameters};
/// // RFC 2231 §4.1
/// let (params, _) = parameters(
///     b"; title*0*=us-ascii'en'This%20is%20even%20more%20\r\n ; title*1*=%2A%2A%2Afun%2A%2A%2A%20\r\n ; title*2=\"isn't it!\"",
///     &Limits::default(),
/// );
/// assert_eq!(params.get("title"), Some("This is even more ***fun*** isn't it!"));
/// assert_eq!(params.0[0].language.as_deref(), Some("en"));
/// ```
pub fn parameters<'a>(raw: &'a [u8], limits: &Limits) -> (Parameters<'a>, Vec<Defect>) {
    let mut defects = Vec::new();
    let params = params_from(&Src::new(raw), 0, true, limits, &mut defects);
    defects.sort_by_key(|d| d.offset);
    (params, defects)
}

/// A parameter as written, before RFC 2231 processing.
#[derive(Debug)]
struct RawParam<'a> {
    /// Offset of its name.
    at: usize,
    /// The lowercased name, `*` and section included.
    name: Cow<'a, str>,
    /// The value's octets, unquoted.
    value: Cow<'a, [u8]>,
}

/// The parameters from `raw[from..]`; `separated` when a `;` is not
/// needed before the first one.
fn params_from<'a>(
    src: &Src<'a>,
    from: usize,
    separated: bool,
    limits: &Limits,
    defects: &mut Vec<Defect>,
) -> Parameters<'a> {
    if memchr::memchr(b'*', src.raw.get(from..).unwrap_or_default()).is_some() {
        // Perhaps an RFC 2231 name: the parameters as written first.
        let mut list = Vec::new();
        each_param(src, from, separated, limits, defects, |p, _| list.push(p));
        return assemble(src, list, defects);
    }
    // No RFC 2231 name: every parameter is as written.
    let rest = src.raw.get(from..).unwrap_or_default();
    let mut out: Vec<Parameter<'a>> = match memchr::memchr(b'=', rest) {
        Some(_) => Vec::with_capacity(2),
        None => Vec::new(),
    };
    each_param(src, from, separated, limits, defects, |p, defects| {
        push_plain(&mut out, src, p, defects);
    });
    Parameters(out)
}

/// Reads the parameters from `raw[from..]`, giving each to `push` as
/// written (with the defects, where `push` may add its own).
fn each_param<'a>(
    src: &Src<'a>,
    from: usize,
    mut separated: bool,
    limits: &Limits,
    defects: &mut Vec<Defect>,
    mut push: impl FnMut(RawParam<'a>, &mut Vec<Defect>),
) {
    let raw = src.raw;
    let mut count = 0;
    let mut i = from;
    loop {
        i = skip_cfws(raw, i, defects);
        let Some(&b) = raw.get(i) else { break };
        if b == b';' {
            separated = true;
            i += 1;
            continue;
        }
        if !separated {
            defects.push(Defect {
                offset: i,
                kind: DefectKind::InvalidSyntax,
            });
        }
        separated = false;
        let name_end = token(raw, i);
        let eq = skip_cfws(raw, name_end, defects);
        if name_end == i || raw.get(eq) != Some(&b'=') {
            defects.push(Defect {
                offset: i,
                kind: DefectKind::InvalidSyntax,
            });
            i = skip_to_semicolon(raw, i.max(name_end));
            continue;
        }
        if count >= limits.parameter_count {
            defects.push(Defect {
                offset: i,
                kind: DefectKind::TooManyParameters {
                    limit: limits.parameter_count,
                },
            });
            break;
        }
        let name = src.lower(i..name_end);
        let at = i;
        let vstart = skip_cfws(raw, eq + 1, defects);
        let (value, end) = if raw.get(vstart) == Some(&b'"') {
            let (v, end) = quoted_string(raw, vstart, defects);
            let after = skip_cfws(raw, end, defects);
            if after < raw.len() && raw.get(after) != Some(&b';') {
                // Text after the closing quote.
                defects.push(Defect {
                    offset: after,
                    kind: DefectKind::InvalidSyntax,
                });
                (v, skip_to_semicolon(raw, after))
            } else {
                (v, after)
            }
        } else {
            unquoted_value(raw, vstart, defects)
        };
        push(RawParam { at, name, value }, defects);
        count += 1;
        i = end;
    }
}

/// An unquoted value: up to the next `;`, comments removed, white space
/// trimmed and, inside, kept as written (unfolded) — unless what follows
/// the white space is `attribute "="`, a parameter after a missing `;`.
fn unquoted_value<'a>(
    raw: &'a [u8],
    from: usize,
    defects: &mut Vec<Defect>,
) -> (Cow<'a, [u8]>, usize) {
    // Borrowed while the value is one run of octets as written.
    let mut out: Cow<'a, [u8]> = Cow::Borrowed(&[]);
    let mut i = from;
    let mut spaced = false;
    while let Some(&b) = raw.get(i) {
        match b {
            b';' => break,
            b'(' => {
                i = skip_comment(raw, i, defects);
                spaced = true;
                continue;
            }
            b'\r' | b'\n' => {}
            b' ' | b'\t' => {
                // `a=b c=d`: a missing `;` rather than a space in a value.
                // Looked at once per run of white space, to stay linear.
                if !spaced && !out.is_empty() {
                    let next = skip_cfws(raw, i, &mut Vec::new());
                    let name_end = token(raw, next);
                    if name_end > next
                        && raw.get(skip_cfws(raw, name_end, &mut Vec::new())) == Some(&b'=')
                    {
                        return (out, i);
                    }
                }
                spaced = true;
            }
            _ => {
                let space = spaced && !out.is_empty();
                spaced = false;
                // The run of octets up to the next one looked at above,
                // taken at once.
                let rest = raw.get(i..).unwrap_or_default();
                let run = rest
                    .iter()
                    .position(|&c| matches!(c, b';' | b'(' | b'\r' | b'\n' | b' ' | b'\t'))
                    .unwrap_or(rest.len());
                let run_bytes = rest.get(..run).unwrap_or_default();
                if out.is_empty() {
                    out = Cow::Borrowed(run_bytes);
                } else {
                    let o = out.to_mut();
                    if space {
                        o.push(b' ');
                    }
                    o.extend_from_slice(run_bytes);
                }
                i += run;
                continue;
            }
        }
        i += 1;
    }
    (out, i)
}

/// One RFC 2231 segment: section number, whether it is extended, value.
#[derive(Debug)]
struct Segment<'a> {
    section: u32,
    extended: bool,
    value: Cow<'a, [u8]>,
    at: usize,
}

enum Slot<'a> {
    Done(Parameter<'a>),
    /// Index into the continuation groups.
    Joined(usize),
}

/// A value not written in RFC 2231 form: RFC 2047 encoded words decoded,
/// as mailers send them.
fn plain_value<'a>(src: &Src<'a>, value: Cow<'a, [u8]>) -> Cow<'a, str> {
    match value {
        Cow::Borrowed(v) if find_word_start(v, 0).is_some() => decode_text(v),
        Cow::Borrowed(v) => src.piece(v),
        Cow::Owned(v) if find_word_start(&v, 0).is_some() => {
            Cow::Owned(decode_text(&v).into_owned())
        }
        Cow::Owned(v) => Cow::Owned(lossy_owned(v)),
    }
}

/// Adds a parameter without an RFC 2231 name, as written; a name seen
/// before is a defect (both are kept).
fn push_plain<'a>(
    out: &mut Vec<Parameter<'a>>,
    src: &Src<'a>,
    p: RawParam<'a>,
    defects: &mut Vec<Defect>,
) {
    if out.iter().any(|q| q.name == p.name) {
        defects.push(Defect {
            offset: p.at,
            kind: DefectKind::DuplicateParameter,
        });
    }
    out.push(Parameter {
        name: p.name,
        value: plain_value(src, p.value),
        charset: None,
        language: None,
        rfc2231: false,
        well_formed: true,
    });
}

/// RFC 2231 §3, §4: joins continuations, decodes extended values.
fn assemble<'a>(
    src: &Src<'a>,
    list: Vec<RawParam<'a>>,
    defects: &mut Vec<Defect>,
) -> Parameters<'a> {
    if !list.iter().any(|p| p.name.contains('*')) {
        // No RFC 2231 name: every parameter is as written.
        let mut out: Vec<Parameter<'_>> = Vec::with_capacity(list.len());
        for p in list {
            push_plain(&mut out, src, p, defects);
        }
        return Parameters(out);
    }
    let mut slots = Vec::new();
    let mut groups: Vec<(String, Vec<Segment<'a>>)> = Vec::new();
    for p in list {
        let (base, extended) = match p.name.strip_suffix('*') {
            Some(b) => (b, true),
            None => (&*p.name, false),
        };
        let section = base.rsplit_once('*').and_then(|(n, s)| {
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| (n, s.parse::<u32>().unwrap_or(u32::MAX)))
        });
        match section {
            Some((name, section)) => {
                let seg = Segment {
                    section,
                    extended,
                    value: p.value,
                    at: p.at,
                };
                match groups.iter_mut().position(|(n, _)| n == name) {
                    Some(g) => groups[g].1.push(seg),
                    None => {
                        slots.push((p.at, Slot::Joined(groups.len())));
                        groups.push((name.to_owned(), vec![seg]));
                    }
                }
            }
            None if extended => {
                let seg = Segment {
                    section: 0,
                    extended: true,
                    value: p.value,
                    at: p.at,
                };
                let name = Cow::Owned(base.to_owned());
                slots.push((p.at, Slot::Done(join(name, vec![seg], defects))));
            }
            None => {
                let value = plain_value(src, p.value);
                slots.push((
                    p.at,
                    Slot::Done(Parameter {
                        name: p.name,
                        value,
                        charset: None,
                        language: None,
                        rfc2231: false,
                        well_formed: true,
                    }),
                ));
            }
        }
    }
    let mut groups: Vec<Option<(String, Vec<Segment<'a>>)>> =
        groups.into_iter().map(Some).collect();
    let mut out: Vec<Parameter<'a>> = Vec::with_capacity(slots.len());
    for (at, slot) in slots {
        let p = match slot {
            Slot::Done(p) => p,
            Slot::Joined(g) => match groups.get_mut(g).and_then(Option::take) {
                Some((name, segs)) => join(Cow::Owned(name), segs, defects),
                None => continue,
            },
        };
        if out.iter().any(|q| q.name == p.name) {
            defects.push(Defect {
                offset: at,
                kind: DefectKind::DuplicateParameter,
            });
        }
        out.push(p);
    }
    Parameters(out)
}

/// Joins the segments of one parameter (RFC 2231 §3, §4.1).
fn join<'a>(
    name: Cow<'a, str>,
    mut segs: Vec<Segment<'a>>,
    defects: &mut Vec<Defect>,
) -> Parameter<'a> {
    segs.sort_by_key(|s| s.section);
    let mut well_formed = true;
    let mut kept: Vec<Segment<'a>> = Vec::with_capacity(segs.len());
    for (k, s) in segs.into_iter().enumerate() {
        let expected = u32::try_from(k).unwrap_or(u32::MAX);
        let prev = kept.last().map(|p| p.section);
        if prev == Some(s.section) {
            // A repeated section number: the first one is kept.
            well_formed = false;
            defects.push(Defect {
                offset: s.at,
                kind: DefectKind::InvalidParameter,
            });
            continue;
        }
        if s.section != expected && well_formed {
            well_formed = false;
            defects.push(Defect {
                offset: s.at,
                kind: DefectKind::InvalidParameter,
            });
        }
        kept.push(s);
    }
    let mut charset = None;
    let mut language = None;
    let mut bytes = Vec::new();
    let mut rfc2231 = false;
    for (k, s) in kept.iter().enumerate() {
        rfc2231 |= s.extended;
        if !s.extended {
            bytes.extend_from_slice(&s.value);
            continue;
        }
        let mut value = &*s.value;
        if k == 0 && s.section == 0 {
            let mut parts = value.splitn(3, |&b| b == b'\'');
            match (parts.next(), parts.next(), parts.next()) {
                (Some(cs), Some(lang), Some(rest)) => {
                    if !cs.is_empty() {
                        charset = Some(String::from_utf8_lossy(cs).into_owned());
                    }
                    if !lang.is_empty() {
                        language = Some(String::from_utf8_lossy(lang).into_owned());
                    }
                    value = rest;
                }
                _ => {
                    well_formed = false;
                    defects.push(Defect {
                        offset: s.at,
                        kind: DefectKind::InvalidParameter,
                    });
                }
            }
        }
        if !percent_decode(value, &mut bytes) {
            well_formed = false;
            defects.push(Defect {
                offset: s.at,
                kind: DefectKind::InvalidParameter,
            });
        }
    }
    let value = match &charset {
        Some(cs) => {
            if !charset::is_known(cs.as_bytes()) {
                well_formed = false;
            }
            charset::decode(cs.as_bytes(), &bytes).into_owned()
        }
        // Segments all regular: a continued plain value, which may hold
        // RFC 2047 encoded words.
        None if !rfc2231 && find_word_start(&bytes, 0).is_some() => {
            decode_text(&bytes).into_owned()
        }
        None => charset::decode(b"", &bytes).into_owned(),
    };
    Parameter {
        name,
        value: Cow::Owned(value),
        charset: charset.map(Cow::Owned),
        language: language.map(Cow::Owned),
        rfc2231: rfc2231 || kept.len() > 1 || kept.first().is_some_and(|s| s.section > 0),
        well_formed,
    }
}

/// Appends the octets of `%XX`-escaped text (RFC 2231 §4:
/// `extended-other-values := *(ext-octet / attribute-char)`); a `%` not
/// followed by two hex digits stays literal, and makes the result `false`.
fn percent_decode(text: &[u8], out: &mut Vec<u8>) -> bool {
    let mut ok = true;
    let mut i = 0;
    while let Some(&b) = text.get(i) {
        if b == b'%' {
            let hex = |j: usize| text.get(j).and_then(|&h| char::from(h).to_digit(16));
            if let (Some(h), Some(l)) = (hex(i + 1), hex(i + 2)) {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'%'));
                i += 3;
                continue;
            }
            ok = false;
        }
        out.push(b);
        i += 1;
    }
    ok
}

/// The usual shape of a Content-Type or Content-Disposition body, read
/// in one quick pass: ASCII, tokens, plain parameters with token or
/// simple quoted values, white space. Anything else (comments, quoted
/// pairs, RFC 2231 or RFC 2047 values, repeated names, defects of any
/// kind) makes it give up (`None`), and the general reader reads the
/// body; where it answers, the answer is the general reader's.
mod quick {
    use std::borrow::Cow;

    use super::super::lexer::skip_blank as skip_ws;
    use super::token_octet;
    use crate::Limits;
    use crate::decode::words::find_word_start;
    use crate::types::{ContentDisposition, ContentType, Parameter, Parameters};

    /// Not a `token` octet.
    const NOT_TOKEN: u8 = 1;
    /// An uppercase ASCII letter.
    const UPPER: u8 = 2;
    /// `*`, which starts an RFC 2231 section or marks an extended value.
    const STAR: u8 = 4;
    /// Ends an unquoted value: `;`, `(`, white space, CR, LF.
    const VALUE_END: u8 = 8;
    /// Ends the plain text of a quoted string: `"`, `\`, CR, LF.
    const QUOTED_END: u8 = 16;
    /// `=`, which may start an encoded word.
    const EQUALS: u8 = 32;

    /// The classes of every octet.
    static CLASS: [u8; 256] = {
        let mut table = [0u8; 256];
        let mut i = 0;
        while i < 256 {
            // `i` < 256: the cast keeps it whole.
            #[allow(clippy::cast_possible_truncation)]
            let b = i as u8;
            let mut c = 0;
            if !token_octet(b) {
                c |= NOT_TOKEN;
            }
            if b.is_ascii_uppercase() {
                c |= UPPER;
            }
            if b == b'*' {
                c |= STAR;
            }
            if matches!(b, b';' | b'(' | b' ' | b'\t' | b'\r' | b'\n') {
                c |= VALUE_END;
            }
            if matches!(b, b'"' | b'\\' | b'\r' | b'\n') {
                c |= QUOTED_END;
            }
            if b == b'=' {
                c |= EQUALS;
            }
            table[i] = c;
            i += 1;
        }
        table
    };

    /// From `i` up to the first octet of a class in `stop`: where that
    /// is, and the classes of the octets passed.
    fn scan(raw: &[u8], mut i: usize, stop: u8) -> (usize, u8) {
        let mut seen = 0;
        while let Some(&b) = raw.get(i) {
            let c = CLASS[usize::from(b)];
            if c & stop != 0 {
                break;
            }
            seen |= c;
            i += 1;
        }
        (i, seen)
    }

    /// A non-empty token at `i`: its end, and the classes of its octets.
    fn token(raw: &[u8], i: usize) -> Option<(usize, u8)> {
        let (end, seen) = scan(raw, i, NOT_TOKEN);
        (end > i).then_some((end, seen))
    }

    /// `text[range]`, lowercased when `seen` has an uppercase letter.
    fn lower(text: &str, start: usize, end: usize, seen: u8) -> Option<Cow<'_, str>> {
        let text = text.get(start..end)?;
        Some(if seen & UPPER != 0 {
            Cow::Owned(text.to_ascii_lowercase())
        } else {
            Cow::Borrowed(text)
        })
    }

    pub(super) fn content_type<'a>(raw: &'a [u8], limits: &Limits) -> Option<ContentType<'a>> {
        let text = std::str::from_utf8(raw).ok()?;
        let start = skip_ws(raw, 0)?;
        let (type_end, type_seen) = token(raw, start)?;
        let slash = skip_ws(raw, type_end)?;
        if raw.get(slash) != Some(&b'/') {
            return None;
        }
        let sub_start = skip_ws(raw, slash + 1)?;
        let (sub_end, sub_seen) = token(raw, sub_start)?;
        let parameters = params(raw, text, sub_end, limits)?;
        Some(ContentType {
            media_type: lower(text, start, type_end, type_seen)?,
            subtype: lower(text, sub_start, sub_end, sub_seen)?,
            parameters,
        })
    }

    pub(super) fn content_disposition<'a>(
        raw: &'a [u8],
        limits: &Limits,
    ) -> Option<ContentDisposition<'a>> {
        let text = std::str::from_utf8(raw).ok()?;
        let start = skip_ws(raw, 0)?;
        let (end, seen) = token(raw, start)?;
        let rest = skip_ws(raw, end)?;
        if rest < raw.len() && raw.get(rest) != Some(&b';') {
            return None;
        }
        let parameters = params(raw, text, rest, limits)?;
        Some(ContentDisposition {
            kind: lower(text, start, end, seen)?,
            parameters,
        })
    }

    /// `*(";" attribute "=" value)` from `i`.
    fn params<'a>(
        raw: &[u8],
        text: &'a str,
        mut i: usize,
        limits: &Limits,
    ) -> Option<Parameters<'a>> {
        let mut out: Vec<Parameter<'a>> = Vec::new();
        let mut separated = false;
        loop {
            i = skip_ws(raw, i)?;
            match raw.get(i) {
                None => break,
                Some(b';') => {
                    separated = true;
                    i += 1;
                    continue;
                }
                Some(_) if !separated => return None,
                Some(_) => separated = false,
            }
            let (name_end, name_seen) = token(raw, i)?;
            let eq = skip_ws(raw, name_end)?;
            if name_seen & STAR != 0
                || raw.get(eq) != Some(&b'=')
                || out.len() >= limits.parameter_count
            {
                return None;
            }
            let name = lower(text, i, name_end, name_seen)?;
            if out.iter().any(|p| p.name == name) {
                return None;
            }
            let v = skip_ws(raw, eq + 1)?;
            let (start, end, after, seen) = if raw.get(v) == Some(&b'"') {
                let (close, seen) = scan(raw, v + 1, QUOTED_END);
                if raw.get(close) != Some(&b'"') {
                    return None;
                }
                (v + 1, close, close + 1, seen)
            } else {
                let (end, seen) = scan(raw, v, VALUE_END);
                if end == v {
                    return None;
                }
                (v, end, end, seen)
            };
            let value = text.get(start..end)?;
            // An encoded word is decoded by the general reader.
            if seen & EQUALS != 0 && find_word_start(value.as_bytes(), 0).is_some() {
                return None;
            }
            i = skip_ws(raw, after)?;
            if i < raw.len() && raw.get(i) != Some(&b';') {
                return None;
            }
            if out.capacity() == 0 {
                out.reserve_exact(2);
            }
            out.push(Parameter {
                name,
                value: Cow::Borrowed(value),
                charset: None,
                language: None,
                rfc2231: false,
                well_formed: true,
            });
        }
        Some(Parameters(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::pick;

    fn ct(raw: &[u8]) -> (ContentType<'_>, Vec<DefectKind>) {
        let (c, d) = content_type(raw, &Limits::default());
        (c, d.into_iter().map(|d| d.kind).collect())
    }

    fn pairs(p: &Parameters<'_>) -> Vec<(String, String)> {
        p.iter()
            .map(|p| (p.name.to_string(), p.value.to_string()))
            .collect()
    }

    #[test]
    fn rfc2045_examples() {
        for raw in [
            &b" text/plain; charset=us-ascii (Plain text)"[..],
            b" text/plain; charset=\"us-ascii\"",
            b" TEXT/PLAIN; CHARSET=US-ASCII",
        ] {
            let (c, d) = ct(raw);
            assert!(d.is_empty());
            assert!(c.is("text", "plain"));
            assert!(c.charset().unwrap().eq_ignore_ascii_case("us-ascii"));
        }
        // A charset name keeps its case; parameter names are lowercased.
        assert_eq!(
            ct(b" TEXT/PLAIN; CHARSET=US-ASCII").0.parameters.0[0].name,
            "charset"
        );
        let (c, _) = ct(b" multipart/mixed; boundary=\"simple boundary\"");
        assert_eq!(c.boundary(), Some("simple boundary"));
        let (c, _) = ct(b" message/partial; id=\"ABC@host.com\"; number=1; total=2");
        assert_eq!(c.parameters.get("id"), Some("ABC@host.com"));
        assert_eq!(c.parameters.get("total"), Some("2"));
        // Defaults.
        assert_eq!(ContentType::default().essence(), "text/plain");
        assert_eq!(ContentType::default().charset(), Some("us-ascii"));
        assert_eq!(ct(b" image/png").0.charset(), None);
    }

    #[test]
    fn rfc2183_examples() {
        let limits = Limits::default();
        let (cd, d) = content_disposition(b" inline", &limits);
        assert_eq!(cd.kind, "inline");
        assert!(d.is_empty());
        let (cd, d) = content_disposition(
            b" attachment; filename=genome.jpeg;\r\n  modification-date=\"Wed, 12 Feb 1997 16:29:51 -0500\";",
            &limits,
        );
        assert!(d.is_empty());
        assert_eq!(
            pairs(&cd.parameters),
            [
                ("filename".into(), "genome.jpeg".into()),
                (
                    "modification-date".into(),
                    "Wed, 12 Feb 1997 16:29:51 -0500".into()
                )
            ]
        );
        let (cd, d) = content_disposition(b" ; filename=x", &limits);
        assert_eq!((&*cd.kind, cd.filename()), ("", Some("x")));
        assert_eq!(d[0].kind, DefectKind::InvalidSyntax);
    }

    #[test]
    fn rfc2231_examples() {
        // §3
        let (c, d) = ct(b" message/external-body; access-type=URL;\r\n URL*0=\"ftp://\";\r\n URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"");
        assert!(d.is_empty());
        assert_eq!(
            c.parameters.get("url"),
            Some("ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar")
        );
        assert_eq!(c.parameters.len(), 2);
        // §4
        let (c, d) = ct(
            b" application/x-stuff;\r\n title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A",
        );
        assert!(d.is_empty());
        let p = &c.parameters.0[0];
        assert_eq!(p.value, "This is ***fun***");
        assert_eq!(p.charset.as_deref(), Some("us-ascii"));
        assert_eq!(p.language.as_deref(), Some("en-us"));
        assert!(p.rfc2231 && p.well_formed);
        // §4.1
        let (c, d) = ct(b" application/x-stuff;\r\n title*0*=us-ascii'en'This%20is%20even%20more%20\r\n title*1*=%2A%2A%2Afun%2A%2A%2A%20\r\n title*2=\"isn't it!\"");
        assert_eq!(
            c.parameters.get("title"),
            Some("This is even more ***fun*** isn't it!")
        );
        // The example omits the `;` between parameters.
        assert_eq!(d, [DefectKind::InvalidSyntax, DefectKind::InvalidSyntax]);
        let (c, d) = ct(b" application/x-stuff;\r\n title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n title*2=\"isn't it!\"");
        assert!(d.is_empty());
        assert_eq!(
            c.parameters.get("title"),
            Some("This is even more ***fun*** isn't it!")
        );
    }

    #[test]
    fn rfc2231_byte_level_join_and_order() {
        // "é" split across two segments, given out of order.
        let (c, d) = ct(b" text/plain; name*1*=%A9.txt; name*0*=utf-8''caf%C3");
        assert!(d.is_empty());
        assert_eq!(c.name(), Some("caf\u{e9}.txt"));
        let (c, _) = ct(b" text/plain; name*0*=iso-8859-1''caf%E9; name*1=\" x\"");
        assert_eq!(c.name(), Some("caf\u{e9} x"));
        // A gap: what is there is kept, marked.
        let (c, d) = ct(b" text/plain; name*0=a; name*2=c");
        assert_eq!(c.name(), Some("ac"));
        assert!(!c.parameters.0[0].well_formed);
        assert_eq!(d, [DefectKind::InvalidParameter]);
        // A repeated section: the first wins.
        let (c, _) = ct(b" text/plain; name*0=a; name*0=b; name*1=c");
        assert_eq!(c.name(), Some("ac"));
        // Malformed prefix and escape.
        let (c, d) = ct(b" text/plain; name*=caf%E9%zz");
        assert_eq!(c.name(), Some("caf\u{e9}%zz"));
        assert_eq!(
            d,
            [DefectKind::InvalidParameter, DefectKind::InvalidParameter]
        );
        // Quoted extended value, empty charset.
        let (c, _) = ct(b" text/plain; name*=\"''a%20b\"");
        assert_eq!(c.name(), Some("a b"));
        // Unknown charset: decoded through the fallback, not well formed.
        let (c, _) = ct(b" text/plain; name*=x-nope''caf%C3%A9");
        assert_eq!(c.name(), Some("caf\u{e9}"));
        assert!(!c.parameters.0[0].well_formed);
    }

    #[test]
    fn duplicates_and_lookup() {
        let (cd, d) = content_disposition(
            b" attachment; filename=\"a.txt\"; filename*=utf-8''b%C3%A9.txt; filename=c",
            &Limits::default(),
        );
        assert_eq!(cd.filename(), Some("b\u{e9}.txt"));
        assert_eq!(cd.parameters.len(), 3);
        assert_eq!(
            d.iter().map(|d| d.kind).collect::<Vec<_>>(),
            [
                DefectKind::DuplicateParameter,
                DefectKind::DuplicateParameter
            ]
        );
        let (c, _) = ct(b" text/plain; charset=a; CHARSET=b");
        assert_eq!(c.charset(), Some("a"));
        // A malformed RFC 2231 value loses to a plain one.
        let (c, _) = ct(b" text/plain; name*=x%zz; name=good");
        assert_eq!(c.name(), Some("good"));
    }

    #[test]
    fn encoded_words_in_values() {
        let (cd, _) = content_disposition(
            b" attachment; filename=\"=?utf-8?q?caf=C3=A9?= =?utf-8?q?.txt?=\"",
            &Limits::default(),
        );
        assert_eq!(cd.filename(), Some("caf\u{e9}.txt"));
        let (c, _) = ct(b" text/plain; name==?utf-8?B?w6kudHh0?=");
        assert_eq!(c.name(), Some("\u{e9}.txt"));
        // Split into RFC 2231 continuations by a mailer.
        let (c, _) = ct(b" text/plain; name*0=\"=?utf-8?q?caf\"; name*1=\"=C3=A9?=\"");
        assert_eq!(c.name(), Some("caf\u{e9}"));
        // Not decoded in RFC 2231 extended values.
        let (c, _) = ct(b" text/plain; name*=utf-8''=?utf-8?q?x?=");
        assert_eq!(c.name(), Some("=?utf-8?q?x?="));
        // Raw UTF-8 (RFC 6532).
        let (c, _) = ct(" text/plain; name=\"\u{e9}t\u{e9}.txt\"".as_bytes());
        assert_eq!(c.name(), Some("\u{e9}t\u{e9}.txt"));
    }

    #[test]
    fn broken_content_types() {
        for raw in [
            &b""[..],
            b" text",
            b" /plain",
            b" text/",
            b" garbage; charset=utf-8",
            b" (comment)",
        ] {
            let (c, d) = ct(raw);
            assert_eq!(c.essence(), "text/plain", "{raw:?}");
            assert_eq!(d[0], DefectKind::InvalidContentType, "{raw:?}");
        }
        assert_eq!(ct(b" garbage; charset=utf-8").0.charset(), Some("utf-8"));
        let (c, d) = ct(b" text / html (x) ; charset = utf-8 ;");
        assert_eq!(
            (c.essence().as_str(), c.charset()),
            ("text/html", Some("utf-8"))
        );
        assert!(d.is_empty());
        // Missing `;`, value with spaces, text after a quoted value, junk.
        let (c, d) = ct(b" text/html charset=utf-8; name=My File.pdf; a=\"b\" c; junk; d=e");
        assert_eq!(
            pairs(&c.parameters),
            [
                ("charset".into(), "utf-8".into()),
                ("name".into(), "My File.pdf".into()),
                ("a".into(), "b".into()),
                ("d".into(), "e".into())
            ]
        );
        assert_eq!(
            d,
            [
                DefectKind::InvalidSyntax,
                DefectKind::InvalidSyntax,
                DefectKind::InvalidSyntax
            ]
        );
        let (c, d) = ct(b" text/plain; name=\"unterminated");
        assert_eq!(c.name(), Some("unterminated"));
        assert_eq!(d, [DefectKind::Unterminated { expected: '"' }]);
    }

    #[test]
    fn parameter_limit() {
        let limits = Limits {
            parameter_count: 2,
            ..Limits::default()
        };
        let (c, d) = content_type(b"text/plain; a=1; b=2; c=3; d=4", &limits);
        assert_eq!(c.parameters.len(), 2);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].kind, DefectKind::TooManyParameters { limit: 2 });
        assert_eq!(d[0].offset, 22);
        let many: Vec<u8> = (0..10_000)
            .flat_map(|i| format!("; p*{i}=x").into_bytes())
            .collect();
        let (p, d) = parameters(&many, &Limits::default());
        assert_eq!(p.len(), 1);
        assert_eq!(p.0[0].value.len(), 256);
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn transfer_encodings() {
        assert_eq!(transfer_encoding(b" 7bit"), TransferEncoding::SevenBit);
        assert_eq!(transfer_encoding(b""), TransferEncoding::SevenBit);
        assert_eq!(transfer_encoding(b" 8BIT"), TransferEncoding::EightBit);
        assert_eq!(transfer_encoding(b" binary"), TransferEncoding::Binary);
        assert_eq!(
            transfer_encoding(b" Quoted-Printable\r\n"),
            TransferEncoding::QuotedPrintable
        );
        assert_eq!(transfer_encoding(b" \"base64\""), TransferEncoding::Base64);
        assert_eq!(
            transfer_encoding(b" X-Token"),
            TransferEncoding::Other("x-token".into())
        );
    }

    /// Bodies the quick reader must answer, as the general one does.
    #[test]
    fn quick_reader_answers_the_usual_shapes() {
        let limits = Limits::default();
        for raw in [
            &b" text/plain; charset=us-ascii"[..],
            b" Text/HTML; Charset=\"UTF-8\"",
            b" multipart/alternative;\r\n\tboundary=\"----=_Part_123_456.789\"",
            b" multipart/mixed; boundary=----=_NextPart_000_0001_01D2; type=x",
            b"text/plain;charset=iso-8859-1;format=flowed;delsp=yes;",
            b" application/octet-stream; name=\"report (final).pdf\"",
            b" text/plain; name=\"caf\xc3\xa9\"; x=\xc3\xa9t\xc3\xa9",
        ] {
            let quick = quick::content_type(raw, &limits).expect("quick");
            assert_eq!((quick, Vec::new()), content_type_full(raw, &limits));
        }
        for raw in [
            &b" attachment; filename=\"a b.pdf\""[..],
            b" inline",
            b" Attachment ;\r\n filename=x.txt; size=42",
        ] {
            let quick = quick::content_disposition(raw, &limits).expect("quick");
            assert_eq!((quick, Vec::new()), content_disposition_full(raw, &limits));
        }
    }

    /// Bodies the quick reader leaves to the general one.
    #[test]
    fn quick_reader_gives_up_on_the_rest() {
        let limits = Limits::default();
        for raw in [
            &b" text/plain; charset=us-ascii (comment)"[..],
            b" text/plain; name*=utf-8''a%20b",
            b" text/plain; name=\"=?utf-8?q?a?=\"",
            b" text/plain; name=\"a\\\"b\"",
            b" text/plain; a=1; A=2",
            b" text/plain charset=x",
            b" text/plain; charset=",
            b" text/plain; name=\"caf\xe9\"",
            b" text",
            b" text/plain; a=b c=d",
        ] {
            assert!(quick::content_type(raw, &limits).is_none(), "{raw:?}");
        }
        let few = Limits {
            parameter_count: 1,
            ..Limits::default()
        };
        assert!(quick::content_type(b"text/plain; a=1; b=2", &few).is_none());
    }

    // Usual pieces come up more often than unusual ones.
    const WS: &[&str] = &["", "", "", " ", " ", "\t", "\r\n ", "(c)"];

    proptest::proptest! {
        /// Bodies of the usual shape with some pieces swapped for unusual
        /// ones: where the quick reader answers, the general reader gives
        /// the same answer, with no defect.
        #[test]
        fn quick_reader_agrees_on_near_usual_bodies(
            head in (pick(WS), pick(&["text", "text", "Plain", "x-y", "", "\u{e9}", "a@b"]), pick(WS),
                pick(&["/", "/", "/", "/", "", "//"]), pick(WS), pick(&["plain", "HTML", "", "x.y"])),
            params in proptest::collection::vec(
                (pick(&[";", ";", ";", ";", "", ";;", " "]), pick(WS),
                    pick(&["charset", "charset", "Name", "n", "n", "a*", "", "na me"]), pick(WS),
                    pick(&["=", "=", "=", "=", ""]), pick(WS),
                    pick(&["us-ascii", "us-ascii", "x", "\"a;b\"", "\"a b\"", "\"\"", "\"a\\\"b\"", "=?x?=", "",
                        "a;b", "\"unterminated", "a b", "----=_P", "\"a=?b\"", "\"\u{e9}\""]),
                    pick(WS)),
                0..4),
            tail in pick(&["", ";", " ", "x", "; "]),
            limit in 1usize..4,
        ) {
            let mut raw = [head.0, head.1, head.2, head.3, head.4, head.5].concat();
            for p in &params {
                raw.push_str(&[p.0, p.1, p.2, p.3, p.4, p.5, p.6, p.7].concat());
            }
            raw.push_str(tail);
            let limits = Limits { parameter_count: limit, ..Limits::default() };
            if let Some(q) = quick::content_type(raw.as_bytes(), &limits) {
                proptest::prop_assert_eq!((q, Vec::new()), content_type_full(raw.as_bytes(), &limits));
            }
            let cd = raw.replacen('/', "", 1);
            if let Some(q) = quick::content_disposition(cd.as_bytes(), &limits) {
                proptest::prop_assert_eq!(
                    (q, Vec::new()),
                    content_disposition_full(cd.as_bytes(), &limits)
                );
            }
        }

        /// Bodies of the usual shape: the quick reader answers them, as
        /// the general reader does.
        #[test]
        fn quick_reader_answers_usual_bodies(
            head in (pick(&["", " ", "\r\n "]), pick(&["text", "Multipart", "x-y"]),
                pick(&["", " "]), pick(&["plain", "HTML", "x.y"])),
            params in proptest::collection::vec(
                (pick(&[";", ";;", "; ", ";\r\n\t", " ;"]), pick(&["charset", "Name", "a-b", "n"]),
                    pick(&["=", " = "]),
                    pick(&["us-ascii", "x", "\"a;b\"", "\"a b\"", "\"\"", "----=_P", "\"(c)\"",
                        "a\"b", "a?=", "\"=\""]),
                    pick(&["", " ", "\r\n"])),
                0..5),
            tail in pick(&["", ";", " ", "; "]),
        ) {
            let mut raw = [head.0, head.1, head.2, "/", head.2, head.3].concat();
            let mut names = Vec::new();
            for p in &params {
                if names.contains(&p.1.to_ascii_lowercase()) {
                    continue;
                }
                names.push(p.1.to_ascii_lowercase());
                raw.push_str(&[p.0, p.1, p.2, p.3, p.4].concat());
            }
            raw.push_str(tail);
            let limits = Limits::default();
            let q = quick::content_type(raw.as_bytes(), &limits);
            proptest::prop_assert!(q.is_some(), "{:?}", raw);
            proptest::prop_assert_eq!(
                (q.unwrap_or_default(), Vec::new()),
                content_type_full(raw.as_bytes(), &limits)
            );
        }

        /// Whatever the quick reader answers, the general reader answers
        /// the same, with no defect.
        #[test]
        fn quick_reader_agrees_with_the_general_one(
            pieces in proptest::collection::vec(proptest::sample::select(vec![
                "text", "Plain", "x", "/", ";", "=", "\"", " ", "\t", "\r\n ", "(", ")",
                "*", "=?", "?=", "\\", "\u{e9}", "charset", "boundary", "-", "a=b", "\r", "\n",
            ]), 0..24),
            limit in 0usize..4,
        ) {
            let raw = pieces.concat();
            let limits = Limits { parameter_count: limit, ..Limits::default() };
            if let Some(q) = quick::content_type(raw.as_bytes(), &limits) {
                proptest::prop_assert_eq!((q, Vec::new()), content_type_full(raw.as_bytes(), &limits));
            }
            if let Some(q) = quick::content_disposition(raw.as_bytes(), &limits) {
                proptest::prop_assert_eq!(
                    (q, Vec::new()),
                    content_disposition_full(raw.as_bytes(), &limits)
                );
            }
        }
    }
}
