//! Addresses in SMTP paths: RFC 5321 §4.1.2 and §4.1.3, with the UTF-8
//! extensions of RFC 6531 §3.3.
//!
//! The grammar checks here are shared by the validating constructors and the
//! decoder, so a value built by hand and a value read from the wire obey the
//! same rules.

use std::borrow::Cow;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::ValueError;
use super::class;

// ---------------------------------------------------------------------------
// Character classes
// ---------------------------------------------------------------------------

/// `dcontent = %d33-90 / %d94-126` (RFC 5321 §4.1.3).
fn is_dcontent(b: u8) -> bool {
    class::is(b, class::DCONTENT)
}

fn invalid(what: &'static str, offset: usize) -> ValueError {
    ValueError::Invalid { what, offset }
}

/// Runs `scan` over the whole of `s`: an error unless it matches exactly.
fn whole(
    s: &[u8],
    what: &'static str,
    scan: impl FnOnce(&[u8], usize) -> Result<usize, usize>,
) -> Result<(), ValueError> {
    match scan(s, 0) {
        Ok(end) if end == s.len() => Ok(()),
        Ok(end) => Err(invalid(what, end)),
        Err(at) => Err(invalid(what, at)),
    }
}

// ---------------------------------------------------------------------------
// Scanners: each matches one rule at `start` and returns where it ends, or
// the offset of the first byte that does not fit.
// ---------------------------------------------------------------------------

/// `Domain = sub-domain *("." sub-domain)`,
/// `sub-domain = Let-dig [Ldh-str]`,
/// `Ldh-str = *( ALPHA / DIGIT / "-" ) Let-dig` (RFC 5321 §4.1.2), with
/// `sub-domain =/ U-label` (RFC 6531 §3.3; UTF-8 octets count as letters
/// here, their encoding is checked by the caller).
pub(crate) fn scan_domain(s: &[u8], start: usize) -> Result<usize, usize> {
    let mut label = start;
    loop {
        // The label is `s[label..i]`: non-empty, and a letter or digit at
        // both ends.
        let i = class::run(s, label, class::LDH);
        if i == label || s.get(label) == Some(&b'-') {
            return Err(label);
        }
        if s.get(i - 1) == Some(&b'-') {
            return Err(i - 1);
        }
        if s.get(i) != Some(&b'.') {
            return Ok(i);
        }
        label = i + 1;
    }
}

/// `Dot-string = Atom *("." Atom)`, `Atom = 1*atext` (RFC 5321 §4.1.2).
#[inline(always)]
fn scan_dot_string(s: &[u8], start: usize) -> Result<usize, usize> {
    let mut atom = start;
    loop {
        let i = class::run(s, atom, class::ATEXT);
        if i == atom {
            return Err(atom);
        }
        if s.get(i) != Some(&b'.') {
            return Ok(i);
        }
        atom = i + 1;
    }
}

/// `Quoted-string = DQUOTE *QcontentSMTP DQUOTE`,
/// `QcontentSMTP = qtextSMTP / quoted-pairSMTP`,
/// `quoted-pairSMTP = %d92 %d32-126` (RFC 5321 §4.1.2).
fn scan_quoted_string(s: &[u8], start: usize) -> Result<usize, usize> {
    if s.get(start) != Some(&b'"') {
        return Err(start);
    }
    let mut i = start + 1;
    loop {
        i = class::run(s, i, class::QTEXT);
        match s.get(i) {
            Some(b'"') => return Ok(i + 1),
            Some(b'\\') => match s.get(i + 1) {
                Some(32..=126) => i += 2,
                _ => return Err(i + 1),
            },
            _ => return Err(i),
        }
    }
}

/// `Local-part = Dot-string / Quoted-string` (RFC 5321 §4.1.2).
#[inline(always)]
pub(crate) fn scan_local_part(s: &[u8], start: usize) -> Result<usize, usize> {
    if s.get(start) == Some(&b'"') {
        scan_quoted_string(s, start)
    } else {
        scan_dot_string(s, start)
    }
}

/// `address-literal = "[" ( IPv4-address-literal / IPv6-address-literal /
/// General-address-literal ) "]"` (RFC 5321 §4.1.2); only the brackets and
/// `dcontent` between them are matched here, [`parse_literal`] reads the
/// content.
pub(crate) fn scan_literal(s: &[u8], start: usize) -> Result<usize, usize> {
    if s.get(start) != Some(&b'[') {
        return Err(start);
    }
    let i = class::run(s, start + 1, class::DCONTENT);
    if s.get(i) == Some(&b']') && i > start + 1 {
        Ok(i + 1)
    } else {
        Err(i)
    }
}

/// `Domain / address-literal`.
#[inline(always)]
pub(crate) fn scan_host(s: &[u8], start: usize) -> Result<usize, usize> {
    if s.get(start) == Some(&b'[') {
        scan_literal(s, start)
    } else {
        scan_domain(s, start)
    }
}

/// `Mailbox = Local-part "@" ( Domain / address-literal )`
/// (RFC 5321 §4.1.2). Returns the end and the offset of the `@`.
#[inline(always)]
pub(crate) fn scan_mailbox(s: &[u8], start: usize) -> Result<(usize, usize), usize> {
    let at = scan_local_part(s, start)?;
    if s.get(at) != Some(&b'@') {
        return Err(at);
    }
    Ok((scan_host(s, at + 1)?, at))
}

/// `Snum = 1*3DIGIT` with a value of 0 to 255,
/// `IPv4-address-literal = Snum 3("." Snum)` (RFC 5321 §4.1.3).
fn parse_ipv4(s: &[u8]) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = s.split(|&b| b == b'.');
    for octet in &mut octets {
        let part = parts.next()?;
        if part.is_empty() || part.len() > 3 || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let v = part.iter().fold(0u16, |v, d| v * 10 + u16::from(d - b'0'));
        *octet = u8::try_from(v).ok()?;
    }
    parts.next().is_none().then_some(Ipv4Addr::from(octets))
}

/// `IPv6-hex = 1*4HEXDIG`.
fn parse_hex_group(s: &[u8]) -> Option<u16> {
    if s.is_empty() || s.len() > 4 {
        return None;
    }
    s.iter().try_fold(0u16, |v, &d| {
        let d = char::from(d).to_digit(16)?;
        Some(v << 4 | u16::try_from(d).ok()?)
    })
}

/// `IPv6-addr = IPv6-full / IPv6-comp / IPv6v4-full / IPv6v4-comp`
/// (RFC 5321 §4.1.3):
///
/// ```text
/// IPv6-full   = IPv6-hex 7(":" IPv6-hex)
/// IPv6-comp   = [IPv6-hex *5(":" IPv6-hex)] "::" [IPv6-hex *5(":" IPv6-hex)]
///               ; at most 6 groups besides the "::"
/// IPv6v4-full = IPv6-hex 5(":" IPv6-hex) ":" IPv4-address-literal
/// IPv6v4-comp = [IPv6-hex *3(":" IPv6-hex)] "::"
///               [IPv6-hex *3(":" IPv6-hex) ":"] IPv4-address-literal
///               ; at most 4 groups besides the "::" and the IPv4 part
/// ```
fn parse_ipv6(s: &[u8]) -> Option<Ipv6Addr> {
    // The IPv4 part, when there is one, follows the last ':'.
    let (hex, v4) = if s.contains(&b'.') {
        let colon = s.iter().rposition(|&b| b == b':')?;
        let v4 = parse_ipv4(s.get(colon + 1..)?)?;
        // Keep the ':' of a "::" just before the IPv4 part.
        let keep = if colon > 0 && s.get(colon - 1) == Some(&b':') {
            colon + 1
        } else {
            colon
        };
        (s.get(..keep)?, Some(v4))
    } else {
        (s, None)
    };
    let groups = |part: &[u8]| -> Option<Vec<u16>> {
        if part.is_empty() {
            return Some(Vec::new());
        }
        part.split(|&b| b == b':').map(parse_hex_group).collect()
    };
    let max_hex = if v4.is_some() { 6 } else { 8 };
    let mut all: Vec<u16> = match find_double_colon(hex) {
        Some(i) => {
            let left = groups(hex.get(..i)?)?;
            let right = groups(hex.get(i + 2..)?)?;
            // "::" stands for at least two groups of zeros.
            if left.len() + right.len() > max_hex - 2 {
                return None;
            }
            let mut all = left;
            all.resize(max_hex - right.len(), 0);
            all.extend(right);
            all
        }
        None => {
            let all = groups(hex)?;
            if all.len() != max_hex {
                return None;
            }
            all
        }
    };
    if let Some(v4) = v4 {
        let [a, b, c, d] = v4.octets();
        all.push(u16::from_be_bytes([a, b]));
        all.push(u16::from_be_bytes([c, d]));
    }
    let groups: [u16; 8] = all.try_into().ok()?;
    Some(Ipv6Addr::from(groups))
}

/// The offset of the only "::" in `s`; `None` when there is none or more
/// than one (which no form allows).
fn find_double_colon(s: &[u8]) -> Option<usize> {
    let first = s.windows(2).position(|w| w == b"::")?;
    let again = s
        .get(first + 2..)
        .is_some_and(|rest| rest.windows(2).any(|w| w == b"::") || rest.first() == Some(&b':'));
    (!again).then_some(first)
}

/// Reads the content of an `address-literal` (without its brackets):
///
/// ```text
/// IPv4-address-literal    = Snum 3("."  Snum)
/// IPv6-address-literal    = "IPv6:" IPv6-addr
/// General-address-literal = Standardized-tag ":" 1*dcontent
/// Standardized-tag        = Ldh-str
/// ```
///
/// (RFC 5321 §4.1.3). A tag of `IPv6` (any case) must be followed by a valid
/// IPv6 address.
pub(crate) fn parse_literal(content: &str) -> Option<AddressLiteral<'_>> {
    let bytes = content.as_bytes();
    match bytes.iter().position(|&b| b == b':') {
        None => parse_ipv4(bytes).map(AddressLiteral::Ipv4),
        Some(colon) => {
            let (tag, rest) = content.split_at(colon);
            let value = rest.get(1..)?;
            if tag.eq_ignore_ascii_case("IPv6") {
                return parse_ipv6(value.as_bytes()).map(AddressLiteral::Ipv6);
            }
            let tag_ok = tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && tag
                    .bytes()
                    .last()
                    .is_some_and(|b| b.is_ascii_alphanumeric());
            let value_ok = !value.is_empty() && value.bytes().all(is_dcontent);
            (tag_ok && value_ok).then_some(AddressLiteral::General {
                tag: Cow::Borrowed(tag),
                content: Cow::Borrowed(value),
            })
        }
    }
}

// ---------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------

/// A domain name (RFC 5321 §4.1.2 `Domain`), with U-labels allowed
/// (RFC 6531 §3.3). Kept as sent; compare with
/// [`eq_ignore_ascii_case`](str::eq_ignore_ascii_case) where case does not
/// matter.
///
/// ```
/// use mailwire_smtp::types::Domain;
/// assert!(Domain::new("mail.example.org").is_ok());
/// assert!(Domain::new("bücher.example").is_ok());
/// assert!(Domain::new("-bad.example").is_err());
/// assert!(Domain::new("trailing.dot.").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Domain<'a>(Cow<'a, str>);

impl<'a> Domain<'a> {
    /// Validates `domain` against the `Domain` grammar.
    pub fn new(domain: impl Into<Cow<'a, str>>) -> Result<Self, ValueError> {
        let domain = domain.into();
        whole(domain.as_bytes(), "domain", scan_domain)?;
        Ok(Self(domain))
    }

    /// For the decoder, which has matched the grammar already.
    pub(crate) fn from_wire(domain: &'a str) -> Self {
        Self(Cow::Borrowed(domain))
    }

    /// The domain as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when every label is ASCII (no U-label).
    pub fn is_ascii(&self) -> bool {
        self.0.is_ascii()
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> Domain<'static> {
        Domain(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Debug for Domain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl fmt::Display for Domain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An `address-literal` (RFC 5321 §4.1.3): a host named by its address.
///
/// ```
/// use mailwire_smtp::types::AddressLiteral;
/// let lit = AddressLiteral::parse("[IPv6:2001:db8::1]").unwrap();
/// assert_eq!(lit.to_string(), "[IPv6:2001:db8::1]");
/// assert!(AddressLiteral::parse("[256.0.0.1]").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AddressLiteral<'a> {
    /// `[1.2.3.4]`.
    Ipv4(Ipv4Addr),
    /// `[IPv6:…]`, any of the full, compressed and IPv4-embedded forms.
    Ipv6(Ipv6Addr),
    /// `[tag:content]`, a `General-address-literal`.
    General {
        /// The `Standardized-tag`.
        tag: Cow<'a, str>,
        /// What follows the `:`.
        content: Cow<'a, str>,
    },
}

impl<'a> AddressLiteral<'a> {
    /// Parses the bracketed form, `[` and `]` included.
    pub fn parse(text: &'a str) -> Result<Self, ValueError> {
        whole(text.as_bytes(), "address literal", scan_literal)?;
        let content = text.get(1..text.len() - 1).unwrap_or_default();
        parse_literal(content).ok_or(invalid("address literal", 1))
    }

    /// A general literal `[tag:content]`. The tag is an `Ldh-str` other than
    /// `IPv6`; the content is `1*dcontent`.
    pub fn general(
        tag: impl Into<Cow<'a, str>>,
        content: impl Into<Cow<'a, str>>,
    ) -> Result<Self, ValueError> {
        let (tag, content) = (tag.into(), content.into());
        let tag_ok = tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && tag
                .bytes()
                .last()
                .is_some_and(|b| b.is_ascii_alphanumeric())
            && !tag.eq_ignore_ascii_case("IPv6");
        if !tag_ok {
            return Err(invalid("address literal tag", 0));
        }
        if let Some(i) = content.bytes().position(|b| !is_dcontent(b)) {
            return Err(invalid("address literal content", i));
        }
        if content.is_empty() {
            return Err(invalid("address literal content", 0));
        }
        Ok(Self::General { tag, content })
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> AddressLiteral<'static> {
        match self {
            Self::Ipv4(a) => AddressLiteral::Ipv4(a),
            Self::Ipv6(a) => AddressLiteral::Ipv6(a),
            Self::General { tag, content } => AddressLiteral::General {
                tag: Cow::Owned(tag.into_owned()),
                content: Cow::Owned(content.into_owned()),
            },
        }
    }
}

impl fmt::Display for AddressLiteral<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ipv4(a) => write!(f, "[{a}]"),
            Self::Ipv6(a) => write!(f, "[IPv6:{a}]"),
            Self::General { tag, content } => write!(f, "[{tag}:{content}]"),
        }
    }
}

/// The host part of a mailbox and the argument of `EHLO`:
/// `Domain / address-literal`.
///
/// A literal is boxed: it is rare in paths, and a host the size of a
/// domain keeps every decoded command small.
///
/// ```
/// use mailwire_smtp::types::{AddressLiteral, Host};
/// use std::net::Ipv4Addr;
/// let host = Host::from(AddressLiteral::Ipv4(Ipv4Addr::new(192, 0, 2, 1)));
/// assert_eq!(host, Host::parse("[192.0.2.1]").unwrap());
/// assert!(matches!(host.literal(), Some(AddressLiteral::Ipv4(_))));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host<'a> {
    /// A domain name.
    Domain(Domain<'a>),
    /// An address literal.
    Literal(Box<AddressLiteral<'a>>),
}

impl<'a> Host<'a> {
    /// Parses a domain or a bracketed address literal.
    pub fn parse(text: &'a str) -> Result<Self, ValueError> {
        if text.starts_with('[') {
            AddressLiteral::parse(text).map(Self::from)
        } else {
            Domain::new(text).map(Self::Domain)
        }
    }

    /// The domain, when the host is one.
    pub fn domain(&self) -> Option<&Domain<'a>> {
        match self {
            Self::Domain(d) => Some(d),
            Self::Literal(_) => None,
        }
    }

    /// The address literal, when the host is one.
    pub fn literal(&self) -> Option<&AddressLiteral<'a>> {
        match self {
            Self::Domain(_) => None,
            Self::Literal(l) => Some(l),
        }
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> Host<'static> {
        match self {
            Self::Domain(d) => Host::Domain(d.into_owned()),
            Self::Literal(l) => Host::Literal(Box::new(l.into_owned())),
        }
    }
}

impl<'a> From<Domain<'a>> for Host<'a> {
    fn from(domain: Domain<'a>) -> Self {
        Self::Domain(domain)
    }
}

impl<'a> From<AddressLiteral<'a>> for Host<'a> {
    fn from(literal: AddressLiteral<'a>) -> Self {
        Self::Literal(Box::new(literal))
    }
}

impl fmt::Display for Host<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Domain(d) => d.fmt(f),
            Self::Literal(l) => l.fmt(f),
        }
    }
}

/// The local part of a mailbox (RFC 5321 §4.1.2 `Local-part`), kept exactly
/// as sent: a `Dot-string`, or a `Quoted-string` with its quotes and
/// backslashes. [`LocalPart::value`] gives the unquoted value.
///
/// ```
/// use mailwire_smtp::types::LocalPart;
/// let q = LocalPart::new(r#""john \"jr\" smith""#).unwrap();
/// assert!(q.is_quoted());
/// assert_eq!(q.value(), r#"john "jr" smith"#);
/// // Building from a value quotes only when needed.
/// assert_eq!(LocalPart::from_value("jane.doe").unwrap().as_str(), "jane.doe");
/// assert_eq!(LocalPart::from_value("jane doe").unwrap().as_str(), "\"jane doe\"");
/// assert!(LocalPart::from_value("a\r\nb").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct LocalPart<'a>(Cow<'a, str>);

impl<'a> LocalPart<'a> {
    /// Validates `raw`, the wire form (`Dot-string` or `Quoted-string`).
    pub fn new(raw: impl Into<Cow<'a, str>>) -> Result<Self, ValueError> {
        let raw = raw.into();
        whole(raw.as_bytes(), "local part", scan_local_part)?;
        Ok(Self(raw))
    }

    /// The local part whose unquoted value is `value`: as a `Dot-string`
    /// when it is one, else quoted, with `"` and `\` escaped. Refused when
    /// `value` holds a control character, which no form can carry.
    pub fn from_value(value: &'a str) -> Result<Self, ValueError> {
        if whole(value.as_bytes(), "local part", scan_dot_string).is_ok() {
            return Ok(Self(Cow::Borrowed(value)));
        }
        let mut raw = String::with_capacity(value.len() + 2);
        raw.push('"');
        for (i, c) in value.char_indices() {
            match c {
                '"' | '\\' => {
                    raw.push('\\');
                    raw.push(c);
                }
                ' '..='~' => raw.push(c),
                c if !c.is_ascii() => raw.push(c),
                _ => return Err(invalid("local part", i)),
            }
        }
        raw.push('"');
        Ok(Self(Cow::Owned(raw)))
    }

    /// For the decoder, which has matched the grammar already.
    pub(crate) fn from_wire(raw: &'a str) -> Self {
        Self(Cow::Borrowed(raw))
    }

    /// The wire form, quotes included.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for a `Quoted-string`.
    pub fn is_quoted(&self) -> bool {
        self.0.starts_with('"')
    }

    /// The value: a `Dot-string` as it is, a `Quoted-string` without its
    /// quotes and with each `quoted-pairSMTP` replaced by its character.
    pub fn value(&self) -> Cow<'_, str> {
        let Some(inner) = self.0.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
            return Cow::Borrowed(&self.0);
        };
        if !inner.contains('\\') {
            return Cow::Borrowed(inner);
        }
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                out.extend(chars.next());
            } else {
                out.push(c);
            }
        }
        Cow::Owned(out)
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> LocalPart<'static> {
        LocalPart(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Debug for LocalPart<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl fmt::Display for LocalPart<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A mailbox, `Local-part "@" ( Domain / address-literal )`
/// (RFC 5321 §4.1.2).
///
/// ```
/// use mailwire_smtp::types::{Host, Mailbox};
/// let m = Mailbox::parse("\"odd user\"@[192.0.2.1]").unwrap();
/// assert_eq!(m.local_part().value(), "odd user");
/// assert!(matches!(m.host(), Host::Literal(_)));
/// assert_eq!(m.to_string(), "\"odd user\"@[192.0.2.1]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mailbox<'a> {
    local: LocalPart<'a>,
    host: Host<'a>,
}

impl<'a> Mailbox<'a> {
    /// A mailbox from its parts.
    pub fn new(local: LocalPart<'a>, host: Host<'a>) -> Self {
        Self { local, host }
    }

    /// Parses `local@host` (no angle brackets).
    pub fn parse(text: &'a str) -> Result<Self, ValueError> {
        let bytes = text.as_bytes();
        let (end, at) = scan_mailbox(bytes, 0).map_err(|i| invalid("mailbox", i))?;
        if end != bytes.len() {
            return Err(invalid("mailbox", end));
        }
        let local = LocalPart::from_wire(text.get(..at).unwrap_or_default());
        let host = Host::parse(text.get(at + 1..).unwrap_or_default())?;
        Ok(Self { local, host })
    }

    /// The local part.
    pub fn local_part(&self) -> &LocalPart<'a> {
        &self.local
    }

    /// The domain or address literal.
    pub fn host(&self) -> &Host<'a> {
        &self.host
    }

    /// True when local part and host are ASCII, so the mailbox can be sent
    /// without `SMTPUTF8` (RFC 6531).
    pub fn is_ascii(&self) -> bool {
        self.local.as_str().is_ascii()
            && match &self.host {
                Host::Domain(d) => d.is_ascii(),
                Host::Literal(_) => true,
            }
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> Mailbox<'static> {
        Mailbox {
            local: self.local.into_owned(),
            host: self.host.into_owned(),
        }
    }
}

impl fmt::Display for Mailbox<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local, self.host)
    }
}

/// The argument of `MAIL FROM:` (RFC 5321 §4.1.2
/// `Reverse-path = Path / "<>"`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReversePath<'a> {
    /// `<>`: no address to return notifications to (bounces use it).
    Null,
    /// `<mailbox>`.
    Mailbox(Mailbox<'a>),
}

impl ReversePath<'_> {
    /// A copy that owns its text.
    pub fn into_owned(self) -> ReversePath<'static> {
        match self {
            Self::Null => ReversePath::Null,
            Self::Mailbox(m) => ReversePath::Mailbox(m.into_owned()),
        }
    }
}

impl fmt::Display for ReversePath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Null => f.write_str("<>"),
            Self::Mailbox(m) => write!(f, "<{m}>"),
        }
    }
}

/// The argument of `RCPT TO:` (RFC 5321 §4.1.1.3:
/// `"<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ForwardPath<'a> {
    /// `<Postmaster>` without a domain: the server's own postmaster (any
    /// case on input).
    Postmaster,
    /// `<mailbox>`.
    Mailbox(Mailbox<'a>),
}

impl ForwardPath<'_> {
    /// A copy that owns its text.
    pub fn into_owned(self) -> ForwardPath<'static> {
        match self {
            Self::Postmaster => ForwardPath::Postmaster,
            Self::Mailbox(m) => ForwardPath::Mailbox(m.into_owned()),
        }
    }
}

impl fmt::Display for ForwardPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Postmaster => f.write_str("<Postmaster>"),
            Self::Mailbox(m) => write!(f, "<{m}>"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v6(s: &str) -> Option<Ipv6Addr> {
        parse_ipv6(s.as_bytes())
    }

    #[test]
    fn ipv6_forms_of_rfc5321_4_1_3() {
        let full = v6("2001:db8:0:0:0:0:0:1").unwrap();
        assert_eq!(full, "2001:db8::1".parse::<Ipv6Addr>().unwrap());
        assert_eq!(v6("2001:db8::1"), Some(full));
        assert_eq!(v6("::"), Some(Ipv6Addr::UNSPECIFIED));
        assert_eq!(v6("::1"), Some(Ipv6Addr::LOCALHOST));
        assert_eq!(v6("1::"), "1::".parse().ok());
        assert_eq!(v6("1:2:3:4:5:6::"), "1:2:3:4:5:6::".parse().ok());
        assert_eq!(
            v6("1:2:3:4:5:6:1.2.3.4"),
            "1:2:3:4:5:6:102:304".parse().ok()
        );
        assert_eq!(v6("::ffff:192.0.2.1"), "::ffff:c000:201".parse().ok());
        assert_eq!(v6("::192.0.2.1"), "::c000:201".parse().ok());
        assert_eq!(v6("1:2:3::4:192.0.2.1"), "1:2:3::4:c000:201".parse().ok());
        // "::" stands for at least two groups; no more than 6 (or 4) others.
        assert_eq!(v6("1:2:3:4:5:6:7::"), None);
        assert_eq!(v6("1:2:3:4::5:6:7"), None);
        assert_eq!(v6("1:2:3:4:5::1.2.3.4"), None);
        assert_eq!(v6("1:2:3:4:5:6:7"), None);
        assert_eq!(v6("1:2:3:4:5:6:7:8:9"), None);
        assert_eq!(v6("1::2::3"), None);
        assert_eq!(v6(":::1"), None);
        assert_eq!(v6("12345::"), None);
        assert_eq!(v6("g::"), None);
        assert_eq!(v6("::1.2.3"), None);
        assert_eq!(v6("::1.2.3.256"), None);
        assert_eq!(v6("1:2:3:4:5:6:7:1.2.3.4"), None);
        assert_eq!(v6(""), None);
        assert_eq!(v6(":"), None);
    }

    #[test]
    fn literals() {
        let l = AddressLiteral::parse("[192.0.2.001]").unwrap();
        assert_eq!(l, AddressLiteral::Ipv4(Ipv4Addr::new(192, 0, 2, 1)));
        assert!(AddressLiteral::parse("[1.2.3]").is_err());
        assert!(AddressLiteral::parse("[1.2.3.4.5]").is_err());
        assert!(AddressLiteral::parse("[1234.2.3.4]").is_err());
        assert!(AddressLiteral::parse("[]").is_err());
        assert!(AddressLiteral::parse("[ipv6:::1]").is_ok());
        assert!(AddressLiteral::parse("[IPv6:zz]").is_err());
        let g = AddressLiteral::parse("[x-tag:some.thing]").unwrap();
        assert_eq!(g.to_string(), "[x-tag:some.thing]");
        assert!(AddressLiteral::parse("[-tag:x]").is_ok()); // Ldh-str may start with '-'
        assert!(AddressLiteral::parse("[tag-:x]").is_err());
        assert!(AddressLiteral::parse("[tag:]").is_err());
        assert!(AddressLiteral::general("IPv6", "x").is_err());
    }

    #[test]
    fn local_parts() {
        for ok in [
            "a",
            "a.b",
            "!#$%&'*+-/=?^_`{|}~",
            "\"\"",
            "\"a b\"",
            r#""\"""#,
            "üser",
        ] {
            assert!(LocalPart::new(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", ".a", "a.", "a..b", "a b", "\"a", "\"\\\"", "\"a\"b", "a\"b\"", "<a>",
        ] {
            assert!(LocalPart::new(bad).is_err(), "{bad}");
        }
        assert_eq!(LocalPart::new(r#""a\b""#).unwrap().value(), "ab");
        let odd = LocalPart::from_value("a\"b\\c d").unwrap();
        assert_eq!(odd.as_str(), r#""a\"b\\c d""#);
        assert_eq!(odd.value(), "a\"b\\c d");
        assert_eq!(LocalPart::from_value("").unwrap().as_str(), "\"\"");
        assert!(LocalPart::from_value("tab\there").is_err());
    }

    #[test]
    fn domains() {
        for ok in [
            "a",
            "a.b",
            "a-b.c",
            "1.2.3.4",
            "xn--bcher-kva.example",
            "bücher.example",
        ] {
            assert!(Domain::new(ok).is_ok(), "{ok}");
        }
        for bad in ["", ".", "a.", ".a", "a-", "-a", "a..b", "a_b", "a b"] {
            assert!(Domain::new(bad).is_err(), "{bad}");
        }
    }
}
