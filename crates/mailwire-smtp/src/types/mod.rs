//! The SMTP data model: validated values shared by the decoder, the encoder
//! and the sessions.
//!
//! Every type here upholds the invariants the wire needs: a value that can be
//! constructed can be encoded, and what is encoded decodes back to the same
//! value. In particular no constructor lets CR or LF into text that the encoder
//! writes inside a line.

use std::borrow::Cow;
use std::fmt;

mod address;
mod capability;
pub(crate) mod class;
mod command;
pub(crate) mod param;

pub use address::{AddressLiteral, Domain, ForwardPath, Host, LocalPart, Mailbox, ReversePath};
pub(crate) use address::{parse_literal, scan_domain, scan_host, scan_mailbox};
pub use capability::{Capabilities, Capability};
pub use command::{Command, InitialResponse, Mechanism, Secret, Stop, Text, Verb};
pub(crate) use command::{is_base64, is_forbidden, is_mechanism};
pub(crate) use param::upper;
pub use param::{
    Body, ByMode, DateTime, DeliverBy, Hold, HoldSeconds, MailAuth, MailParams, Notify, NotifyOn,
    Orcpt, OtherParam, Priority, RcptParams, Ret, XText,
};

/// Why a value was refused by a validating constructor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// A byte that may not appear in this value (CR, LF or NUL in text).
    #[error("byte 0x{byte:02x} not allowed at offset {offset}")]
    ForbiddenByte {
        /// Offset of the byte inside the value.
        offset: usize,
        /// The byte.
        byte: u8,
    },
    /// A number outside the range the grammar allows.
    #[error("{what} out of range")]
    OutOfRange {
        /// Which number.
        what: &'static str,
    },
    /// Text that does not match the grammar of `what`.
    #[error("invalid {what} at offset {offset}")]
    Invalid {
        /// What was being validated.
        what: &'static str,
        /// Offset of the first byte that does not fit.
        offset: usize,
    },
    /// An enhanced status code whose class disagrees with the reply code
    /// (RFC 3463 §2: the class digit matches the first digit of the reply).
    #[error("enhanced status class {class} does not match reply code {code}")]
    ClassMismatch {
        /// The reply code.
        code: u16,
        /// The enhanced status class.
        class: u8,
    },
}

/// A reply code (RFC 5321 §4.2): three digits, the first `2`–`5`, the second
/// `0`–`5`, the third `0`–`9`.
///
/// ```
/// use mailwire_smtp::types::{ReplyCode, ReplyClass};
/// let code = ReplyCode::new(354).unwrap();
/// assert_eq!(code.class(), ReplyClass::PositiveIntermediate);
/// assert!(ReplyCode::new(199).is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReplyCode(u16);

impl ReplyCode {
    /// `220` Service ready.
    pub const SERVICE_READY: Self = Self(220);
    /// `221` Service closing transmission channel.
    pub const CLOSING: Self = Self(221);
    /// `235` Authentication succeeded (RFC 4954).
    pub const AUTH_SUCCEEDED: Self = Self(235);
    /// `250` Requested mail action okay, completed.
    pub const OK: Self = Self(250);
    /// `334` Server challenge (RFC 4954).
    pub const AUTH_CHALLENGE: Self = Self(334);
    /// `354` Start mail input; end with `<CRLF>.<CRLF>`.
    pub const START_MAIL_INPUT: Self = Self(354);
    /// `421` Service not available, closing transmission channel.
    pub const SERVICE_NOT_AVAILABLE: Self = Self(421);
    /// `500` Syntax error, command unrecognized.
    pub const SYNTAX_ERROR: Self = Self(500);
    /// `501` Syntax error in parameters or arguments.
    pub const PARAMETER_SYNTAX_ERROR: Self = Self(501);
    /// `502` Command not implemented.
    pub const NOT_IMPLEMENTED: Self = Self(502);
    /// `503` Bad sequence of commands.
    pub const BAD_SEQUENCE: Self = Self(503);
    /// `552` Requested mail action aborted: exceeded storage allocation.
    pub const EXCEEDED_STORAGE: Self = Self(552);
    /// `554` Transaction failed.
    pub const TRANSACTION_FAILED: Self = Self(554);

    /// The code for `value`, or `None` when it is not a valid reply code.
    pub const fn new(value: u16) -> Option<Self> {
        let (a, b) = (value / 100, value / 10 % 10);
        if a >= 2 && a <= 5 && b <= 5 {
            Some(Self(value))
        } else {
            None
        }
    }

    /// Builds the code from its three ASCII digits, as they appear on the wire.
    pub(crate) fn from_digits(d: [u8; 3]) -> Option<Self> {
        if !d.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let v = u16::from(d[0] - b'0') * 100 + u16::from(d[1] - b'0') * 10 + u16::from(d[2] - b'0');
        Self::new(v)
    }

    /// The numeric value.
    pub const fn get(self) -> u16 {
        self.0
    }

    /// The three ASCII digits.
    pub(crate) fn digits(self) -> [u8; 3] {
        let v = self.0;
        // Each digit is < 10 by construction.
        let digit = |d: u16| b'0' + u8::try_from(d % 10).unwrap_or(0);
        [digit(v / 100), digit(v / 10), digit(v)]
    }

    /// The class given by the first digit.
    pub const fn class(self) -> ReplyClass {
        match self.0 / 100 {
            2 => ReplyClass::PositiveCompletion,
            3 => ReplyClass::PositiveIntermediate,
            4 => ReplyClass::TransientNegative,
            _ => ReplyClass::PermanentNegative,
        }
    }

    /// True for `2yz` and `3yz` replies.
    pub const fn is_positive(self) -> bool {
        self.0 < 400
    }
}

impl fmt::Display for ReplyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The meaning of a reply code's first digit (RFC 5321 §4.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReplyClass {
    /// `2yz`: the requested action completed.
    PositiveCompletion,
    /// `3yz`: accepted, waiting for more (DATA, AUTH challenges).
    PositiveIntermediate,
    /// `4yz`: not done, try again later.
    TransientNegative,
    /// `5yz`: not done, do not repeat as is.
    PermanentNegative,
}

/// An enhanced mail system status code, `class.subject.detail`
/// (RFC 3463 §2, carried in replies by RFC 2034).
///
/// ```
/// use mailwire_smtp::types::EnhancedStatusCode;
/// let esc = EnhancedStatusCode::new(5, 1, 1).unwrap(); // bad destination mailbox
/// assert_eq!(esc.to_string(), "5.1.1");
/// assert!(EnhancedStatusCode::new(3, 0, 0).is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EnhancedStatusCode {
    class: u8,
    subject: u16,
    detail: u16,
}

impl EnhancedStatusCode {
    /// `class` is 2, 4 or 5; `subject` and `detail` are at most 999
    /// (RFC 3463: `1*3digit`).
    pub const fn new(class: u8, subject: u16, detail: u16) -> Option<Self> {
        if (class == 2 || class == 4 || class == 5) && subject <= 999 && detail <= 999 {
            Some(Self {
                class,
                subject,
                detail,
            })
        } else {
            None
        }
    }

    /// The class: 2 (success), 4 (persistent transient failure) or 5
    /// (permanent failure).
    pub const fn class(self) -> u8 {
        self.class
    }

    /// The subject (RFC 3463 §3): 0 other, 1 addressing, 2 mailbox, 3 mail
    /// system, 4 network and routing, 5 mail delivery protocol, 6 message
    /// content, 7 security or policy.
    pub const fn subject(self) -> u16 {
        self.subject
    }

    /// The detail within the subject.
    pub const fn detail(self) -> u16 {
        self.detail
    }
}

impl fmt::Display for EnhancedStatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// The text of one reply line, after the code and separator (and after the
/// enhanced status code when the reply has one).
///
/// Never contains CR or LF, so it cannot end a line early. RFC 5321 allows HT
/// and printable ASCII; RFC 6531 adds UTF-8. The bytes are kept as they came,
/// without assuming an encoding.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ReplyText<'a>(Cow<'a, [u8]>);

impl<'a> ReplyText<'a> {
    /// Validates `text`: refuses CR, LF and NUL.
    pub fn new(text: impl Into<Cow<'a, [u8]>>) -> Result<Self, ValueError> {
        let text = text.into();
        if let Some(offset) = text.iter().position(|b| matches!(b, b'\r' | b'\n' | 0)) {
            return Err(ValueError::ForbiddenByte {
                offset,
                byte: text[offset],
            });
        }
        Ok(Self(text))
    }

    /// For the decoder, which has already checked the bytes for CR and LF.
    pub(crate) fn from_wire(text: &'a [u8]) -> Self {
        debug_assert!(!text.iter().any(|b| matches!(b, b'\r' | b'\n')));
        Self(Cow::Borrowed(text))
    }

    /// The empty text.
    pub const fn empty() -> Self {
        Self(Cow::Borrowed(b""))
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The text as `&str`, when it is UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }

    /// The text with invalid UTF-8 replaced by U+FFFD.
    pub fn to_string_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> ReplyText<'static> {
        ReplyText(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Debug for ReplyText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.to_string_lossy())
    }
}

impl<'a> TryFrom<&'a str> for ReplyText<'a> {
    type Error = ValueError;
    fn try_from(value: &'a str) -> Result<Self, Self::Error> {
        Self::new(value.as_bytes())
    }
}

/// A complete reply (RFC 5321 §4.2): one code and one or more lines of text.
///
/// The text is kept exactly as it was sent, including any enhanced status code
/// at its start (RFC 2034), which [`Reply::enhanced`] reads from it. Keeping the
/// text lossless means a decoded reply always encodes back to the same lines.
///
/// ```
/// use mailwire_smtp::types::{EnhancedStatusCode, Reply, ReplyCode};
/// let reply = Reply::new(ReplyCode::OK, "Ok: queued").unwrap()
///     .with_enhanced(EnhancedStatusCode::new(2, 0, 0).unwrap()).unwrap();
/// assert_eq!(reply.text().as_bytes(), b"2.0.0 Ok: queued");
/// assert_eq!(reply.enhanced().unwrap().to_string(), "2.0.0");
/// assert_eq!(reply.message().as_bytes(), b"Ok: queued");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reply<'a> {
    code: ReplyCode,
    first: ReplyText<'a>,
    rest: Vec<ReplyText<'a>>,
}

impl<'a> Reply<'a> {
    /// A single-line reply.
    pub fn new(code: ReplyCode, text: &'a str) -> Result<Self, ValueError> {
        Ok(Self::from_lines(
            code,
            ReplyText::try_from(text)?,
            Vec::new(),
        ))
    }

    /// A reply of `first` followed by `rest` (a multi-line reply when `rest`
    /// is not empty). The first line is separate so a reply always has one.
    pub fn from_lines(code: ReplyCode, first: ReplyText<'a>, rest: Vec<ReplyText<'a>>) -> Self {
        Self { code, first, rest }
    }

    /// Puts `enhanced` and a space at the start of every line, as RFC 2034
    /// asks. Refused when its class differs from the reply code's first digit
    /// (so `3yz` replies never carry one).
    pub fn with_enhanced(self, enhanced: EnhancedStatusCode) -> Result<Self, ValueError> {
        if u16::from(enhanced.class()) != self.code.get() / 100 {
            return Err(ValueError::ClassMismatch {
                code: self.code.get(),
                class: enhanced.class(),
            });
        }
        let prefix = format!("{enhanced} ");
        let add = |t: ReplyText<'a>| {
            let mut v = Vec::with_capacity(prefix.len() + t.as_bytes().len());
            v.extend_from_slice(prefix.as_bytes());
            v.extend_from_slice(t.as_bytes());
            ReplyText(Cow::Owned(v))
        };
        Ok(Self {
            code: self.code,
            first: add(self.first),
            rest: self.rest.into_iter().map(add).collect(),
        })
    }

    /// The reply code.
    pub fn code(&self) -> ReplyCode {
        self.code
    }

    /// The enhanced status code at the start of the first line, when there is
    /// one whose class matches the reply code (RFC 2034 §4, RFC 3463 §2).
    pub fn enhanced(&self) -> Option<EnhancedStatusCode> {
        split_enhanced(self.first.as_bytes())
            .filter(|(esc, _)| u16::from(esc.class()) == self.code.get() / 100)
            .map(|(esc, _)| esc)
    }

    /// The first line's text after the enhanced status code, if any.
    pub fn message(&self) -> ReplyText<'_> {
        strip_enhanced(self.code, &self.first)
    }

    /// The text of the first line, as sent.
    pub fn text(&self) -> &ReplyText<'a> {
        &self.first
    }

    /// The text of every line as sent, in order.
    pub fn lines(&self) -> impl Iterator<Item = &ReplyText<'a>> + '_ {
        std::iter::once(&self.first).chain(self.rest.iter())
    }

    /// The text of every line after its enhanced status code, if any. This is
    /// the human-readable part, and for an EHLO reply the keyword lines.
    pub fn messages(&self) -> impl Iterator<Item = ReplyText<'_>> + '_ {
        self.lines().map(|t| strip_enhanced(self.code, t))
    }

    /// The number of lines (at least one).
    pub fn line_count(&self) -> usize {
        1 + self.rest.len()
    }

    /// True for a multi-line reply.
    pub fn is_multiline(&self) -> bool {
        !self.rest.is_empty()
    }

    /// A copy that owns all its bytes.
    pub fn into_owned(self) -> Reply<'static> {
        Reply {
            code: self.code,
            first: self.first.into_owned(),
            rest: self.rest.into_iter().map(ReplyText::into_owned).collect(),
        }
    }
}

fn strip_enhanced<'t>(code: ReplyCode, text: &'t ReplyText<'_>) -> ReplyText<'t> {
    let bytes = text.as_bytes();
    match split_enhanced(bytes) {
        Some((esc, rest)) if u16::from(esc.class()) == code.get() / 100 => {
            ReplyText(Cow::Borrowed(rest))
        }
        _ => ReplyText(Cow::Borrowed(bytes)),
    }
}

/// Reads `status-code = class "." subject "." detail` (RFC 3463 §2;
/// `class = "2" / "4" / "5"`, `subject` and `detail` = `1*3digit`) at the
/// start of `text`, followed by SP or the end of the text. Returns the code
/// and the text after the SP.
pub(crate) fn split_enhanced(text: &[u8]) -> Option<(EnhancedStatusCode, &[u8])> {
    fn number(t: &[u8]) -> Option<(u16, &[u8])> {
        let n = t.iter().take(4).take_while(|b| b.is_ascii_digit()).count();
        if n == 0 || n > 3 {
            return None;
        }
        let v = t[..n]
            .iter()
            .fold(0u16, |v, d| v * 10 + u16::from(d - b'0'));
        Some((v, &t[n..]))
    }
    let (&class, t) = text.split_first()?;
    let t = t.strip_prefix(b".")?;
    let (subject, t) = number(t)?;
    let t = t.strip_prefix(b".")?;
    let (detail, t) = number(t)?;
    let rest = match t.split_first() {
        None => t,
        Some((b' ', rest)) => rest,
        Some(_) => return None,
    };
    let class = class.checked_sub(b'0')?;
    Some((EnhancedStatusCode::new(class, subject, detail)?, rest))
}
