//! `ENVELOPE`, `BODYSTRUCTURE` and `BODY[section]` computed from a message
//! parsed by [`mailwire_mime`] (feature `mime`), for servers.
//!
//! ```
//! use mailwire_imap::mime;
//! use mailwire_imap::types::{Section, SectionText};
//! use mailwire_mime::Message;
//!
//! let input = b"From: Fred Foobar <foobar@Blurdybloop.example>\r\n\
//!     Subject: afternoon meeting\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
//!     --b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello\r\n\
//!     --b\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0K\r\n--b--\r\n";
//! let message = Message::parse(input);
//! let envelope = mime::envelope(&message);
//! assert_eq!(envelope.subject.as_deref(), Some(&b"afternoon meeting"[..]));
//! assert_eq!(envelope.sender, envelope.from); // Sender defaults to From
//!
//! let body = mime::body_structure(&message, true);
//! let section = Section { part: vec![2], text: None };
//! assert_eq!(mime::section(&message, &section).as_deref(), Some(&b"iVBORw0K"[..]));
//! let mime_header = Section { part: vec![1], text: Some(SectionText::Mime) };
//! assert_eq!(
//!     mime::section(&message, &mime_header).as_deref(),
//!     Some(&b"Content-Type: text/plain; charset=utf-8\r\n\r\n"[..])
//! );
//! # let _ = body;
//! ```
//!
//! The rules are RFC 9051 §7.5.2 and §6.4.5 (RFC 3501 for IMAP4rev1):
//!
//! - Envelope fields are the header fields as written, line breaks
//!   removed, encoded words left encoded (clients decode them); `Sender`
//!   and `Reply-To` default to `From`. Addresses are read from the raw
//!   field: display names keep their encoded words, quoting is removed, a
//!   comment stands for a missing display name, groups become a start
//!   marker (`NIL NIL name NIL`) and an end marker (four `NIL`s).
//! - Body structures give the type and subtype as written (`text/plain`
//!   when there is no `Content-Type`, with `charset=us-ascii`), the
//!   parameters (RFC 2231 continuations joined into one `name*` value),
//!   `Content-ID`, `Content-Description`, the transfer encoding (`7BIT` by
//!   default), the size in octets of the body as written, the size in
//!   lines of `text/*` and `message/rfc822` bodies; the extension data
//!   (`BODYSTRUCTURE`) adds `Content-MD5`, the disposition and its
//!   parameters, `Content-Language` and `Content-Location`.
//! - Sections are cut from the message's bytes as stored: `[]` the whole
//!   message, `[HEADER]` the header section with its blank line, `[TEXT]`
//!   the body, `[n]` a part's body, `[n.MIME]` a part's header section,
//!   `[HEADER.FIELDS (…)]` and `[HEADER.FIELDS.NOT (…)]` the matching fields
//!   followed by a blank line.
//!
//! The tree is walked with an explicit stack: no recursion on nested input
//! (the parser's [`mailwire_mime::Limits::max_depth`] bounds the depth).

use std::borrow::Cow;

use mailwire_mime::Message;
use mailwire_mime::Part;
use mailwire_mime::decode::{Headers, PartKind};

use crate::types::{
    Address, Body, BodyFields, Disposition, Envelope, ExtensionTail, IString, Multipart,
    MultipartExtension, NString, Section, SectionText, SinglePart, SinglePartExtension,
    SinglePartKind,
};

/// The `ENVELOPE` of a message (RFC 9051 §7.5.2).
pub fn envelope<'m>(message: &'m Message<'_>) -> Envelope<'m> {
    envelope_of(&message.root().headers())
}

/// The `ENVELOPE` of the message whose header section is `headers`: the
/// top-level message, or one nested in a `message/rfc822` part.
pub fn envelope_of<'m>(headers: &Headers<'m>) -> Envelope<'m> {
    let text = |name: &str| headers.get(name).map(|f| unlined(f.raw_value()));
    let addresses = |name: &str| {
        headers
            .get(name)
            .map(|f| address_list(f.raw_value()))
            .unwrap_or_default()
    };
    let from = addresses("from");
    let mut sender = addresses("sender");
    if sender.is_empty() {
        sender = from.clone();
    }
    let mut reply_to = addresses("reply-to");
    if reply_to.is_empty() {
        reply_to = from.clone();
    }
    Envelope {
        date: text("date"),
        subject: text("subject"),
        from,
        sender,
        reply_to,
        to: addresses("to"),
        cc: addresses("cc"),
        bcc: addresses("bcc"),
        in_reply_to: text("in-reply-to"),
        message_id: text("message-id"),
    }
}

/// A field body as an envelope string: folding line breaks removed (the
/// white space after them kept), leading and trailing white space trimmed.
fn unlined(raw: &[u8]) -> Cow<'_, [u8]> {
    let raw = trim(raw);
    if raw.iter().any(|&b| b == b'\r' || b == b'\n') {
        Cow::Owned(
            raw.iter()
                .copied()
                .filter(|&b| b != b'\r' && b != b'\n')
                .collect(),
        )
    } else {
        Cow::Borrowed(raw)
    }
}

fn trim(mut raw: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = raw {
        if first.is_ascii_whitespace() {
            raw = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = raw {
        if last.is_ascii_whitespace() {
            raw = rest;
        } else {
            break;
        }
    }
    raw
}

// ---------------------------------------------------------------------
// The lexical layer of structured fields, raw: atoms stay as written
// (encoded words included), quoted strings are unquoted.

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    /// A run of bytes that are neither white space nor specials.
    Atom(Vec<u8>),
    /// A quoted string's content, quoted pairs unescaped, line breaks
    /// removed.
    Quoted(Vec<u8>),
    /// A domain literal, brackets included.
    Literal(Vec<u8>),
    /// A comment's content, without its outer parentheses.
    Comment(Vec<u8>),
    /// `< > @ , ; : . = /`.
    Special(u8),
}

/// A token and whether white space came before it.
#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    space: bool,
}

/// Splits a structured field body into tokens (RFC 5322 §3.2, RFC 2045
/// §5.1 `tspecials`), in one forward scan: nested comments are counted.
fn tokens(raw: &[u8], specials: &[u8]) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut space = false;
    while let Some(&b) = raw.get(i) {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                space = true;
                i += 1;
            }
            b'(' => {
                let mut depth = 0usize;
                let mut content = Vec::new();
                while let Some(&c) = raw.get(i) {
                    i += 1;
                    match c {
                        b'\\' => {
                            if let Some(&n) = raw.get(i) {
                                content.push(n);
                                i += 1;
                            }
                        }
                        b'(' => {
                            if depth > 0 {
                                content.push(c);
                            }
                            depth += 1;
                        }
                        b')' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                break;
                            }
                            content.push(c);
                        }
                        b'\r' | b'\n' => {}
                        _ => content.push(c),
                    }
                }
                out.push(Token {
                    tok: Tok::Comment(content),
                    space,
                });
                space = true;
            }
            b'"' => {
                i += 1;
                let mut content = Vec::new();
                while let Some(&c) = raw.get(i) {
                    i += 1;
                    match c {
                        b'\\' => {
                            if let Some(&n) = raw.get(i) {
                                content.push(n);
                                i += 1;
                            }
                        }
                        b'"' => break,
                        b'\r' | b'\n' => {}
                        _ => content.push(c),
                    }
                }
                out.push(Token {
                    tok: Tok::Quoted(content),
                    space,
                });
                space = false;
            }
            b'[' if specials.contains(&b'[') => {
                let start = i;
                let end = memchr::memchr(b']', raw.get(i..).unwrap_or_default())
                    .map_or(raw.len(), |e| i + e + 1);
                let lit: Vec<u8> = raw
                    .get(start..end)
                    .unwrap_or_default()
                    .iter()
                    .copied()
                    .filter(|c| !c.is_ascii_whitespace())
                    .collect();
                out.push(Token {
                    tok: Tok::Literal(lit),
                    space,
                });
                i = end;
                space = false;
            }
            _ if specials.contains(&b) => {
                out.push(Token {
                    tok: Tok::Special(b),
                    space,
                });
                i += 1;
                space = false;
            }
            _ => {
                let start = i;
                while let Some(&c) = raw.get(i) {
                    if c.is_ascii_whitespace() || c == b'(' || c == b'"' || specials.contains(&c) {
                        break;
                    }
                    i += 1;
                }
                out.push(Token {
                    tok: Tok::Atom(raw.get(start..i).unwrap_or_default().to_vec()),
                    space,
                });
                space = false;
            }
        }
    }
    out
}

/// The specials of address lists (RFC 5322 §3.2.3).
const ADDRESS_SPECIALS: &[u8] = b"<>@,;:.[";

// ---------------------------------------------------------------------
// Addresses.

/// An address list (RFC 5322 §3.4: `address-list`, with the obsolete
/// forms of §4.4) as envelope addresses.
fn address_list(raw: &[u8]) -> Vec<Address<'static>> {
    let toks = tokens(raw, ADDRESS_SPECIALS);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if matches!(toks[i].tok, Tok::Special(b',' | b';' | b'>')) {
            i += 1;
            continue;
        }
        // A group when a ':' comes before any of '<', '@', ',', ';'.
        let group_colon = toks[i..]
            .iter()
            .position(|t| matches!(t.tok, Tok::Special(b'<' | b'@' | b',' | b';' | b':')))
            .map(|p| i + p)
            .filter(|&p| toks[p].tok == Tok::Special(b':'));
        if let Some(colon) = group_colon {
            let name = phrase(&toks[i..colon]);
            out.push(Address {
                name: None,
                adl: None,
                mailbox: Some(Cow::Owned(name)),
                host: None,
            });
            i = colon + 1;
            while i < toks.len() && toks[i].tok != Tok::Special(b';') {
                if toks[i].tok == Tok::Special(b',') {
                    i += 1;
                    continue;
                }
                let (address, next) = mailbox(&toks, i, true);
                out.extend(address);
                i = next;
            }
            i += 1;
            out.push(Address::default());
        } else {
            let (address, next) = mailbox(&toks, i, false);
            out.extend(address);
            i = next;
        }
    }
    out
}

/// A display name: words joined with one space where white space was,
/// comments dropped.
fn phrase(toks: &[Token]) -> Vec<u8> {
    let mut out = Vec::new();
    for t in toks {
        let word: &[u8] = match &t.tok {
            Tok::Atom(w) | Tok::Quoted(w) | Tok::Literal(w) => w,
            Tok::Special(c) => std::slice::from_ref(c),
            Tok::Comment(_) => continue,
        };
        if t.space && !out.is_empty() {
            out.push(b' ');
        }
        out.extend_from_slice(word);
    }
    out
}

/// One mailbox starting at `i`, up to the next `,` (or `;` inside a
/// group); `None` when there was nothing there.
fn mailbox(toks: &[Token], start: usize, in_group: bool) -> (Option<Address<'static>>, usize) {
    let stop = |t: &Token| match t.tok {
        Tok::Special(b',') => true,
        Tok::Special(b';') => in_group,
        _ => false,
    };
    let mut end = start;
    let mut angle = None;
    while end < toks.len() && !stop(&toks[end]) {
        if toks[end].tok == Tok::Special(b'<') && angle.is_none() {
            angle = Some(end);
            // An angle address runs to its '>', commas included (a route).
            while end < toks.len() && toks[end].tok != Tok::Special(b'>') {
                end += 1;
            }
        }
        end += 1;
    }
    let end = end.min(toks.len());
    let entry = &toks[start..end];
    if entry.is_empty() {
        return (None, end);
    }
    let (name, spec, adl) = match angle {
        Some(a) => {
            let a = a - start;
            let close = entry
                .iter()
                .position(|t| t.tok == Tok::Special(b'>'))
                .unwrap_or(entry.len());
            let name = phrase(&entry[..a]);
            let mut inner = &entry[a + 1..close.max(a + 1)];
            // obs-route: "@a,@b:" before the addr-spec.
            let mut adl = None;
            if let Some(colon) = inner.iter().position(|t| t.tok == Tok::Special(b':'))
                && inner.first().map(|t| &t.tok) == Some(&Tok::Special(b'@'))
            {
                adl = Some(phrase_tight(&inner[..colon]));
                inner = &inner[colon + 1..];
            }
            let name = if name.is_empty() {
                // A comment after the address stands for the name.
                entry[close.min(entry.len())..]
                    .iter()
                    .find_map(|t| match &t.tok {
                        Tok::Comment(c) if !c.is_empty() => Some(c.clone()),
                        _ => None,
                    })
            } else {
                Some(name)
            };
            (name, inner.to_vec(), adl)
        }
        None => {
            let name = entry.iter().rev().find_map(|t| match &t.tok {
                Tok::Comment(c) if !c.is_empty() => Some(c.clone()),
                _ => None,
            });
            (name, entry.to_vec(), None)
        }
    };
    let spec: Vec<Token> = spec
        .into_iter()
        .filter(|t| !matches!(t.tok, Tok::Comment(_)))
        .collect();
    let at = spec.iter().rposition(|t| t.tok == Tok::Special(b'@'));
    let (local, domain) = match at {
        Some(at) => (phrase_tight(&spec[..at]), phrase_tight(&spec[at + 1..])),
        None => (phrase_tight(&spec), Vec::new()),
    };
    if at.is_none()
        && !in_group
        && angle.is_none()
        && spec.len() > 1
        && spec.iter().skip(1).any(|t| t.space)
    {
        // Words without an address: a display name alone, with the
        // placeholders Dovecot and Cyrus use for what is missing.
        return (
            Some(Address {
                name: Some(Cow::Owned(phrase(&spec))),
                adl: None,
                mailbox: Some(Cow::Borrowed(b"MISSING_MAILBOX")),
                host: Some(Cow::Borrowed(b"MISSING_DOMAIN")),
            }),
            end,
        );
    }
    if local.is_empty() && domain.is_empty() {
        // A phrase or a comment without an address inside a group:
        // nothing to list.
        return (None, end);
    }
    let address = Address {
        name: name.map(Cow::Owned),
        adl: adl.map(Cow::Owned),
        mailbox: Some(Cow::Owned(if local.is_empty() {
            b"MISSING_MAILBOX".to_vec()
        } else {
            local
        })),
        host: Some(Cow::Owned(if domain.is_empty() {
            b"MISSING_DOMAIN".to_vec()
        } else {
            domain
        })),
    };
    (Some(address), end)
}

/// Tokens joined without spaces (a local part, a domain, a route).
fn phrase_tight(toks: &[Token]) -> Vec<u8> {
    let mut out = Vec::new();
    for t in toks {
        match &t.tok {
            Tok::Atom(w) | Tok::Quoted(w) | Tok::Literal(w) => out.extend_from_slice(w),
            Tok::Special(c) => out.push(*c),
            Tok::Comment(_) => {}
        }
    }
    out
}

// ---------------------------------------------------------------------
// Content-Type and Content-Disposition, raw.

/// Parameter names and values, raw.
type Params = Vec<(Vec<u8>, Vec<u8>)>;

/// The MIME `tspecials` (RFC 2045 §5.1) that matter for reading.
const MIME_SPECIALS: &[u8] = b"<>@,;:/[]?=";

/// A parameterized field (`value *(";" parameter)`, RFC 2045 §5.1, RFC
/// 2183 §2): the value's words before the first `;` and the parameters,
/// RFC 2231 continuations joined.
fn parameterized(raw: &[u8]) -> (Vec<u8>, Params) {
    let toks: Vec<Token> = tokens(raw, MIME_SPECIALS)
        .into_iter()
        .filter(|t| !matches!(t.tok, Tok::Comment(_)))
        .collect();
    let mut groups = toks.split(|t| t.tok == Tok::Special(b';'));
    let value = groups.next().map(phrase_tight).unwrap_or_default();
    let mut raw_params: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    for group in groups {
        let Some(eq) = group.iter().position(|t| t.tok == Tok::Special(b'=')) else {
            continue;
        };
        let name = phrase_tight(&group[..eq]);
        if name.is_empty() {
            continue;
        }
        // The value is one token or quoted string; what follows it after
        // white space is not part of it.
        let rest = &group[eq + 1..];
        let run = rest
            .iter()
            .skip(1)
            .position(|t| t.space)
            .map_or(rest.len(), |p| p + 1);
        let value = phrase_tight(&rest[..run]);
        raw_params.push((name, value));
    }
    (value, join_continuations(raw_params))
}

/// Joins RFC 2231 continuations (`name*0`, `name*1*`, …) into one
/// parameter: `name*` with a `charset'language'%XX` value when any piece
/// was extended (plain pieces %-encoded), else `name` with the pieces
/// concatenated.
fn join_continuations(params: Params) -> Params {
    struct Cont {
        base: Vec<u8>,
        pieces: Vec<(u32, bool, Vec<u8>)>,
        at: usize,
    }
    let mut out: Vec<Option<(Vec<u8>, Vec<u8>)>> = Vec::new();
    let mut conts: Vec<Cont> = Vec::new();
    for (name, value) in params {
        let (base, rest) = match memchr::memchr(b'*', &name) {
            Some(star) => (name[..star].to_vec(), &name[star + 1..]),
            None => {
                out.push(Some((name, value)));
                continue;
            }
        };
        let (digits, extended) = match rest.strip_suffix(b"*") {
            Some(d) => (d, true),
            None => (rest, false),
        };
        let number = if digits.is_empty() {
            None
        } else {
            std::str::from_utf8(digits)
                .ok()
                .and_then(|d| d.parse::<u32>().ok())
        };
        match number {
            None if digits.is_empty() => {
                // name*=charset'lang'value
                let mut n = base;
                n.push(b'*');
                out.push(Some((n, value)));
            }
            None => out.push(Some((name.clone(), value))),
            Some(number) => {
                let found = conts
                    .iter_mut()
                    .find(|c| c.base.eq_ignore_ascii_case(&base));
                match found {
                    Some(c) => c.pieces.push((number, extended, value)),
                    None => {
                        conts.push(Cont {
                            base,
                            pieces: vec![(number, extended, value)],
                            at: out.len(),
                        });
                        out.push(None);
                    }
                }
            }
        }
    }
    for mut c in conts {
        c.pieces.sort_by_key(|p| p.0);
        let any_extended = c.pieces.iter().any(|p| p.1);
        let mut value = Vec::new();
        for (i, (_, extended, piece)) in c.pieces.iter().enumerate() {
            if !any_extended || *extended {
                value.extend_from_slice(piece);
            } else {
                if i == 0 {
                    value.extend_from_slice(b"''");
                }
                for &b in piece {
                    if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                        value.push(b);
                    } else {
                        value.extend_from_slice(format!("%{b:02X}").as_bytes());
                    }
                }
            }
        }
        let mut name = c.base;
        if any_extended {
            name.push(b'*');
        }
        if let Some(slot) = out.get_mut(c.at) {
            *slot = Some((name, value));
        }
    }
    out.into_iter().flatten().collect()
}

fn params_of(params: Params) -> Vec<(IString<'static>, NString<'static>)> {
    params
        .into_iter()
        .map(|(n, v)| (Cow::Owned(n), Some(Cow::Owned(v))))
        .collect()
}

// ---------------------------------------------------------------------
// Body structures.

/// The `BODY` (`extensible == false`) or `BODYSTRUCTURE` (`true`) of a
/// message (RFC 9051 §7.5.2).
pub fn body_structure<'m>(message: &'m Message<'_>, extensible: bool) -> Body<'m> {
    body_of(message.root(), extensible)
}

/// Counts the lines of a body: its line feeds (a last line without one
/// does not count, as Dovecot and Cyrus count).
fn lines(body: &[u8]) -> u32 {
    u32::try_from(memchr::memchr_iter(b'\n', body).count()).unwrap_or(u32::MAX)
}

fn octets(body: &[u8]) -> u32 {
    u32::try_from(body.len()).unwrap_or(u32::MAX)
}

/// The `Content-Type` of a part: the raw type and subtype and parameters
/// when the field is there and names the same type the parser used, else
/// the parser's (the default `text/plain`, or `message/rfc822` inside
/// `multipart/digest`).
fn content_type(part: &Part<'_>) -> (Vec<u8>, Vec<u8>, Params) {
    let ct = part.content_type();
    if part.info().content_type_given
        && let Some(field) = part.headers().get("content-type")
    {
        let (value, params) = parameterized(field.raw_value());
        let mut halves = value.splitn(2, |&b| b == b'/');
        let (t, s) = (halves.next().unwrap_or_default(), halves.next());
        if let Some(s) = s
            && t.eq_ignore_ascii_case(ct.media_type.as_bytes())
            && s.eq_ignore_ascii_case(ct.subtype.as_bytes())
        {
            let mut params = params;
            default_charset(&ct.media_type, &mut params);
            return (t.to_vec(), s.to_vec(), params);
        }
        // The type could not be read as written: the parser's
        // default, with the parameters that were there.
        let mut params = params;
        if ct.media_type == "text" && !params.iter().any(|p| p.0.eq_ignore_ascii_case(b"charset")) {
            params.insert(0, (b"charset".to_vec(), b"us-ascii".to_vec()));
        }
        return (
            ct.media_type.as_bytes().to_vec(),
            ct.subtype.as_bytes().to_vec(),
            params,
        );
    }
    let params = if ct.media_type == "text" {
        vec![(b"charset".to_vec(), b"us-ascii".to_vec())]
    } else {
        Vec::new()
    };
    (
        ct.media_type.as_bytes().to_vec(),
        ct.subtype.as_bytes().to_vec(),
        params,
    )
}

/// `text/*` without a charset is `us-ascii` (RFC 2045 §5.2, RFC 2046
/// §4.1.2): the parameter is added.
fn default_charset(media_type: &str, params: &mut Params) {
    if media_type == "text" && !params.iter().any(|p| p.0.eq_ignore_ascii_case(b"charset")) {
        params.push((b"charset".to_vec(), b"us-ascii".to_vec()));
    }
}

/// Disposition, language and location of a part.
fn extension_tail(headers: &Headers<'_>) -> ExtensionTail<'static> {
    let disposition = headers.get("content-disposition").and_then(|f| {
        let (kind, params) = parameterized(f.raw_value());
        (!kind.is_empty()).then(|| Disposition {
            kind: Cow::Owned(kind),
            params: params_of(params),
        })
    });
    let language = headers
        .get("content-language")
        .map(|f| {
            tokens(f.raw_value(), b",")
                .into_iter()
                .filter_map(|t| match t.tok {
                    Tok::Atom(a) | Tok::Quoted(a) => Some(Cow::Owned(a)),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let location = headers
        .get("content-location")
        .map(|f| Cow::Owned(unlined(f.raw_value()).into_owned()));
    ExtensionTail {
        disposition,
        language,
        location,
        extensions: Vec::new(),
    }
}

/// A field body as an nstring, line breaks removed.
fn nstring_field<'m>(headers: &Headers<'m>, name: &str) -> NString<'m> {
    headers.get(name).map(|f| unlined(f.raw_value()))
}

/// A part's own structure, with its children's structures given.
fn node<'m>(part: Part<'m>, children: Vec<Body<'m>>, extensible: bool) -> Body<'m> {
    let headers = part.headers();
    let (media_type, subtype, params) = content_type(&part);
    if part.kind() == PartKind::Multipart || media_type.eq_ignore_ascii_case(b"multipart") {
        let extension = extensible.then(|| MultipartExtension {
            params: params_of(params.clone()),
            tail: extension_tail(&headers),
        });
        // The grammar wants at least one part: a multipart without any
        // (no boundary, no delimiter line) shows one empty text part, as
        // Dovecot shows it.
        let parts = if children.is_empty() {
            vec![Body::Single(empty_text(extensible))]
        } else {
            children
        };
        return Body::Multi(Multipart {
            parts,
            subtype: Cow::Owned(subtype),
            extension,
        });
    }
    let body = part.body_raw();
    // One token (RFC 2045 §6.1); anything else reads as the default.
    let encoding = headers
        .get("content-transfer-encoding")
        .and_then(|f| {
            let toks: Vec<Token> = tokens(f.raw_value(), MIME_SPECIALS)
                .into_iter()
                .filter(|t| !matches!(t.tok, Tok::Comment(_)))
                .collect();
            match toks.as_slice() {
                [
                    Token {
                        tok: Tok::Atom(a), ..
                    },
                ] => Some(a.clone()),
                _ => None,
            }
        })
        .map_or(Cow::Borrowed(&b"7BIT"[..]), Cow::Owned);
    let fields = BodyFields {
        params: params_of(params),
        id: nstring_field(&headers, "content-id"),
        description: nstring_field(&headers, "content-description"),
        encoding,
        octets: octets(body),
    };
    let kind = match (part.kind(), part.message()) {
        (PartKind::Message, Some(nested)) => {
            let nested_body = children
                .into_iter()
                .next()
                .unwrap_or_else(|| Body::Single(empty_text(extensible)));
            SinglePartKind::Message {
                envelope: Box::new(envelope_of(&nested.headers())),
                body: Box::new(nested_body),
                lines: lines(body),
            }
        }
        // A message part in base64 or quoted-printable: its nested parts
        // lie in the decoded body, out of reach of any section, and the
        // grammar wants an envelope and a body: both empty, as Dovecot
        // shows them.
        (PartKind::EncodedMessage { .. }, _) => SinglePartKind::Message {
            envelope: Box::default(),
            body: Box::new(Body::Single(empty_text(extensible))),
            lines: lines(body),
        },
        _ if media_type.eq_ignore_ascii_case(b"text") => {
            SinglePartKind::Text { lines: lines(body) }
        }
        _ => SinglePartKind::Basic,
    };
    let extension = extensible.then(|| SinglePartExtension {
        md5: nstring_field(&headers, "content-md5"),
        tail: extension_tail(&headers),
    });
    Body::Single(SinglePart {
        media_type: Cow::Owned(media_type),
        subtype: Cow::Owned(subtype),
        fields,
        kind,
        extension,
    })
}

/// An empty `text/plain` part.
fn empty_text(extensible: bool) -> SinglePart<'static> {
    SinglePart {
        media_type: Cow::Borrowed(b"text"),
        subtype: Cow::Borrowed(b"plain"),
        fields: BodyFields {
            params: vec![(Cow::Borrowed(b"charset"), Some(Cow::Borrowed(b"us-ascii")))],
            id: None,
            description: None,
            encoding: Cow::Borrowed(b"7bit"),
            octets: 0,
        },
        kind: SinglePartKind::Text { lines: 0 },
        extension: extensible.then(SinglePartExtension::default),
    }
}

/// The structure of `part` and everything below it, built bottom-up with
/// an explicit stack.
fn body_of(part: Part<'_>, extensible: bool) -> Body<'_> {
    /// A part being built: its children's structures so far.
    struct Frame<'m> {
        part: Part<'m>,
        children: Vec<Part<'m>>,
        done: Vec<Body<'m>>,
    }
    fn frame(p: Part<'_>) -> Frame<'_> {
        let children = match p.kind() {
            PartKind::Multipart => p.children().collect(),
            PartKind::Message => p.message().into_iter().collect(),
            // Inside an encoded message part the nested parts lie in its
            // decoded body: no section of the stored bytes reaches them,
            // so the part is shown as a leaf.
            _ => Vec::new(),
        };
        Frame {
            part: p,
            children,
            done: Vec::new(),
        }
    }
    let mut stack = vec![frame(part)];
    loop {
        let Some(top) = stack.last_mut() else {
            return Body::Single(empty_text(extensible));
        };
        if let Some(&child) = top.children.get(top.done.len()) {
            stack.push(frame(child));
            continue;
        }
        let Some(finished) = stack.pop() else {
            return Body::Single(empty_text(extensible));
        };
        let body = node(finished.part, finished.done, extensible);
        match stack.last_mut() {
            Some(parent) => parent.done.push(body),
            None => return body,
        }
    }
}

// ---------------------------------------------------------------------
// Sections.

/// Where a section path led: a part, seen as a message (whose header and
/// text are numbered) or as a body part.
#[derive(Clone, Copy)]
struct Place<'m> {
    part: Part<'m>,
    as_message: bool,
}

/// Follows part numbers (RFC 9051 §6.4.5): in a message, part 1 is its
/// body unless it is multipart; in a multipart, part n is its n-th part;
/// a `message/rfc822` part is numbered as its nested message.
fn locate<'m>(message: &'m Message<'_>, path: &[u32]) -> Option<Place<'m>> {
    let mut place = Place {
        part: message.root(),
        as_message: true,
    };
    for &n in path {
        let index = usize::try_from(n).ok()?.checked_sub(1)?;
        let mut p = place;
        if !p.as_message
            && let PartKind::Message = p.part.kind()
        {
            p = Place {
                part: p.part.message()?,
                as_message: true,
            };
        }
        place = match p.part.kind() {
            PartKind::Multipart => Place {
                part: p.part.children().nth(index)?,
                as_message: false,
            },
            _ if p.as_message && index == 0 => Place {
                part: p.part,
                as_message: false,
            },
            _ => return None,
        };
    }
    Some(place)
}

/// The message a `HEADER`, `HEADER.FIELDS` or `TEXT` applies to.
fn as_message(place: Place<'_>) -> Option<Part<'_>> {
    if place.as_message {
        Some(place.part)
    } else if place.part.kind() == PartKind::Message {
        place.part.message()
    } else {
        None
    }
}

/// The content of `BODY[section]` (RFC 9051 §6.4.5), before any partial
/// range; `None` when the section does not exist in this message.
///
/// `[n.MIME]` is the header section of part `n` with its blank line;
/// `HEADER.FIELDS` gives the fields in message order followed by a blank
/// line.
pub fn section<'m>(message: &'m Message<'_>, section: &Section<'_>) -> Option<Cow<'m, [u8]>> {
    let place = locate(message, &section.part)?;
    Some(match &section.text {
        None if place.as_message => Cow::Borrowed(place.part.raw()),
        None => Cow::Borrowed(place.part.body_raw()),
        Some(SectionText::Mime) => {
            if section.part.is_empty() {
                return None;
            }
            Cow::Borrowed(place.part.header_raw())
        }
        Some(SectionText::Header) => Cow::Borrowed(as_message(place)?.header_raw()),
        Some(SectionText::Text) => Cow::Borrowed(as_message(place)?.body_raw()),
        Some(SectionText::HeaderFields { not, fields }) => {
            let part = as_message(place)?;
            let mut out = Vec::new();
            for field in part.headers().iter() {
                let listed = fields
                    .iter()
                    .any(|name| name.eq_ignore_ascii_case(field.name()));
                if listed != *not {
                    out.extend_from_slice(field.raw());
                }
            }
            out.extend_from_slice(b"\r\n");
            Cow::Owned(out)
        }
    })
}

/// The octets `<offset.count>` of a section's content (RFC 9051 §6.4.5):
/// empty when `offset` is past the end.
pub fn partial(data: &[u8], offset: u64, count: u64) -> &[u8] {
    let start = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(data.len());
    let len = usize::try_from(count).unwrap_or(usize::MAX);
    let end = start.saturating_add(len).min(data.len());
    data.get(start..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(raw: &str) -> Vec<(Option<String>, Option<String>, Option<String>)> {
        address_list(raw.as_bytes())
            .into_iter()
            .map(|a| {
                let s = |v: NString<'_>| v.map(|b| String::from_utf8_lossy(&b).into_owned());
                (s(a.name), s(a.mailbox), s(a.host))
            })
            .collect()
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_owned())
    }

    #[test]
    fn addresses_from_rfc5322_appendix_a() {
        assert_eq!(
            addr("\"Joe Q. Public\" <john.q.public@example.com>"),
            [(
                some("Joe Q. Public"),
                some("john.q.public"),
                some("example.com")
            )]
        );
        assert_eq!(
            addr("Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>"),
            [
                (some("Mary Smith"), some("mary"), some("x.test")),
                (None, some("jdoe"), some("example.org")),
                (some("Who?"), some("one"), some("y.test")),
            ]
        );
        assert_eq!(
            addr("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;"),
            [
                (None, some("A Group"), None),
                (some("Ed Jones"), some("c"), some("a.test")),
                (None, some("joe"), some("where.test")),
                (some("John"), some("jdoe"), some("one.test")),
                (None, None, None),
            ]
        );
        assert_eq!(
            addr("Undisclosed recipients:;"),
            [
                (None, some("Undisclosed recipients"), None),
                (None, None, None)
            ]
        );
        assert_eq!(
            addr("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>"),
            [(some("Pete"), some("pete"), some("silly.test"))]
        );
        assert_eq!(
            addr("=?utf-8?q?caf=C3=A9?= <a@b.example>"),
            [(some("=?utf-8?q?caf=C3=A9?="), some("a"), some("b.example"))]
        );
        assert_eq!(
            addr("jdoe@machine.example (John Doe)"),
            [(some("John Doe"), some("jdoe"), some("machine.example"))]
        );
    }

    #[test]
    fn rfc2231_continuations_are_joined() {
        let (value, params) = parameterized(
            b"application/x-stuff;\r\n title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n \
              title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n title*2=\"isn't it!\"",
        );
        assert_eq!(value, b"application/x-stuff");
        assert_eq!(
            params,
            [(
                b"title*".to_vec(),
                b"us-ascii'en'This%20is%20even%20more%20%2A%2A%2Afun%2A%2A%2A%20isn%27t%20it%21"
                    .to_vec()
            )]
        );
        let (_, params) = parameterized(b"message/external-body; access-type=URL;\r\n URL*0=\"ftp://\";\r\n URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"");
        assert_eq!(
            params[1],
            (
                b"URL".to_vec(),
                b"ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar".to_vec()
            )
        );
    }

    #[test]
    fn partial_ranges() {
        assert_eq!(partial(b"0123456789", 2, 3), b"234");
        assert_eq!(partial(b"0123456789", 8, 30), b"89");
        assert_eq!(partial(b"0123456789", 80, 3), b"");
    }
}
