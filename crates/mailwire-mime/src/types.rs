//! The data model shared by the decoder and the encoder: validated header
//! names, the defects the tolerant decoder records, and the values of
//! structured fields (addresses, message identifiers, dates, content types).

use std::borrow::Cow;
use std::fmt;

mod structured;

#[cfg(test)]
pub(crate) use structured::MONTH_NAMES;
pub use structured::{
    Address, ContentDisposition, ContentType, DateTime, Group, Mailbox, MessageId, Parameter,
    Parameters, TransferEncoding,
};

/// Why a value was refused by a validating constructor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// The value is empty, and this kind of value may not be.
    #[error("empty value")]
    Empty,
    /// A byte that may not appear in this value.
    #[error("byte 0x{byte:02x} not allowed at offset {offset}")]
    ForbiddenByte {
        /// Offset of the byte inside the value.
        offset: usize,
        /// The byte.
        byte: u8,
    },
    /// The value is longer than the wire allows.
    #[error("longer than {limit} octets")]
    TooLong {
        /// The longest value allowed.
        limit: usize,
    },
    /// A numeric field outside its range (a 31 April, an hour 24…).
    #[error("{field} out of range")]
    OutOfRange {
        /// Which field.
        field: &'static str,
    },
}

/// The name of a header field (RFC 5322 §3.6.8):
/// `field-name = 1*ftext`, `ftext = %d33-57 / %d59-126`, that is printable
/// US-ASCII except `:`.
///
/// A name is at most 997 octets, so that `name ":"` fits in one line of at
/// most 998 octets (RFC 5322 §2.1.1). Since no name can hold a space, CR or
/// LF, a field written with one can never be read back as a different field.
///
/// ```
/// use mailwire_mime::types::HeaderName;
/// let name = HeaderName::new("Subject").unwrap();
/// assert_eq!(name.as_str(), "Subject");
/// assert!(name.eq_ignore_case("SUBJECT"));
/// assert!(HeaderName::new("Sub ject").is_err());
/// assert!(HeaderName::new("Subject:").is_err());
/// assert!(HeaderName::new("X-Evil\r\nBcc").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HeaderName<'a>(Cow<'a, str>);

impl<'a> HeaderName<'a> {
    /// The longest name: `name ":"` fills one 998-octet line.
    pub const MAX_LEN: usize = 997;

    /// Validates `name` against `1*ftext` and [`Self::MAX_LEN`].
    pub fn new(name: impl Into<Cow<'a, str>>) -> Result<Self, ValueError> {
        let name = name.into();
        if name.is_empty() {
            return Err(ValueError::Empty);
        }
        if let Some(offset) = name.bytes().position(|b| !is_ftext(b)) {
            return Err(ValueError::ForbiddenByte {
                offset,
                byte: name.as_bytes()[offset],
            });
        }
        if name.len() > Self::MAX_LEN {
            return Err(ValueError::TooLong {
                limit: Self::MAX_LEN,
            });
        }
        Ok(Self(name))
    }

    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when `other` is the same name, compared ASCII case-insensitively
    /// as RFC 5322 §1.2.2 says field names are.
    pub fn eq_ignore_case(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }

    /// The same name with a `'static` lifetime.
    pub fn into_owned(self) -> HeaderName<'static> {
        HeaderName(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Display for HeaderName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'a> TryFrom<&'a str> for HeaderName<'a> {
    type Error = ValueError;

    fn try_from(value: &'a str) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl TryFrom<String> for HeaderName<'static> {
    type Error = ValueError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        HeaderName::new(value)
    }
}

/// `ftext = %d33-57 / %d59-126` (RFC 5322 §3.6.8).
pub(crate) fn is_ftext(b: u8) -> bool {
    matches!(b, 33..=57 | 59..=126)
}

/// Something wrong with the input that the decoder worked around.
///
/// Defects are data, not errors: the decoder always produces a result, and
/// lists what it had to tolerate to get there, each at the byte offset (from
/// the start of the input) where it was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Defect {
    /// Offset of the defect from the start of the input.
    pub offset: usize,
    /// What was wrong.
    pub kind: DefectKind,
}

impl fmt::Display for Defect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind, self.offset)
    }
}

/// The kinds of [`Defect`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DefectKind {
    /// The header section did not end with a blank line (RFC 5322 §2.1): a
    /// line that is not a header field started the body (the defect's offset
    /// is that line), or the input ended first (the offset is its end).
    MissingSeparator,
    /// A line ended in a bare LF rather than CRLF (RFC 5322 §2.3). Recorded
    /// once per header section, at the first such line ending.
    BareLf,
    /// A CR not followed by LF (RFC 5322 §2.3). Recorded once per header
    /// section, at the first such CR.
    BareCr,
    /// A field name that is empty or holds a byte outside `ftext`
    /// (RFC 5322 §3.6.8). The field is kept, with its name as written, so it
    /// can never be mistaken for a field with a valid name. The offset is
    /// the first offending byte (or the colon, when the name is empty).
    InvalidFieldName,
    /// White space between a field name and its colon, allowed only by the
    /// obsolete syntax (RFC 5322 §4.5: `obs-optional = field-name *WSP ":"
    /// unstructured CRLF`). The offset is the first such white space byte.
    ObsoleteWhitespaceBeforeColon,
    /// The header section began with a continuation line (one starting with
    /// white space) that has no field to continue. It is kept as a field
    /// with an empty name.
    OrphanContinuation,
    /// The header section reached [`Limits::header_bytes`](crate::Limits):
    /// it ends at the start of the line that crossed the limit, and
    /// everything from there on is left to the body.
    HeaderTooLong {
        /// The limit that was reached.
        limit: usize,
    },
    /// The header section reached [`Limits::header_count`](crate::Limits):
    /// it ends at the start of the field that would have exceeded it, and
    /// everything from there on is left to the body.
    TooManyHeaders {
        /// The limit that was reached.
        limit: usize,
    },
    /// A comment, quoted string, domain literal, angle address or group
    /// was still open at the end of the field body; it was closed there.
    /// `expected` is the delimiter that was missing: `)`, `"`, `]`, `>` or
    /// `;`.
    Unterminated {
        /// The missing closing delimiter.
        expected: char,
    },
    /// Syntax that only RFC 5322 §4 (obsolete syntax) allows, read and
    /// normalised: a route in an angle address (§4.4, stripped), comments
    /// or folding between the dots of a local part or domain (§4.4),
    /// a period in a display name (§4.1), empty list elements (§4.4),
    /// a two- or three-digit year, a named or military zone (§4.3).
    ObsoleteSyntax,
    /// A display name followed by an address without angle brackets
    /// (`John Doe john@example.org`): the address is taken as
    /// `John Doe <john@example.org>`.
    MissingAngleBrackets,
    /// A special character (`,`, `@`, `:`…) where only a quoted string
    /// may hold it, such as the comma of `Doe, John <jd@example.org>`.
    /// It was kept as part of the text it stands in.
    UnquotedSpecial,
    /// An address without `@domain` (RFC 5322 §3.4.1). It is kept with an
    /// empty domain.
    MissingDomain,
    /// Text that is no part of any address, message identifier or
    /// parameter was skipped.
    InvalidSyntax,
    /// An RFC 2047 encoded word inside a quoted string, which RFC 2047 §5
    /// forbids but mailers write; it was decoded.
    EncodedWordInQuotedString,
    /// The day of the week does not match the date (RFC 5322 §3.3); the
    /// date is kept.
    DayOfWeekMismatch,
    /// A date without a zone; it is read as `-0000` (no information on the
    /// local time zone, RFC 5322 §3.3).
    MissingZone,
    /// The value is not a date-time (RFC 5322 §3.3): unreadable, or a
    /// field out of range (31 April, hour 24…).
    InvalidDate,
    /// A Content-Type without a valid `type "/" subtype` (RFC 2045 §5.1);
    /// `text/plain` was assumed (RFC 2045 §5.2).
    InvalidContentType,
    /// An RFC 2231 parameter whose continuations (`name*0`, `name*1`…)
    /// have a gap or a repeated number, or whose `charset'language'` prefix
    /// or `%` escapes are malformed. What was there is kept.
    InvalidParameter,
    /// The same parameter name given more than once; every occurrence is
    /// kept in order.
    DuplicateParameter,
    /// A field held more parameters than
    /// [`Limits::parameter_count`](crate::Limits); the rest were dropped.
    TooManyParameters {
        /// The limit that was reached.
        limit: usize,
    },
    /// A base64 body (RFC 2045 §6.8) held characters outside the base64
    /// alphabet and not white space; they were skipped. Recorded once per
    /// body, at the first one.
    InvalidBase64Characters,
    /// A base64 body whose padding was wrong: missing at the end (the
    /// partial group was decoded all the same), or a `=` where no padding
    /// may stand (it was skipped). Recorded once per body.
    InvalidBase64Padding,
    /// A base64 body ended with a single character of a group, which holds
    /// less than one octet; it was dropped.
    InvalidBase64Length,
    /// A quoted-printable body (RFC 2045 §6.7) held a `=` followed by
    /// neither two hexadecimal digits nor a line break; it was kept as
    /// written. Recorded once per body, at the first one.
    InvalidQuotedPrintable,
    /// A body line longer than [`Limits::line_length`](crate::Limits)
    /// octets, line ending excluded (RFC 5322 §2.1.1, RFC 2045 §2.8). The
    /// line is kept. Recorded once per part, at the first such line.
    LineTooLong {
        /// The limit that was reached.
        limit: usize,
    },
    /// A multipart Content-Type without a usable `boundary` parameter
    /// (RFC 2046 §5.1.1): missing, empty or longer than 998 octets. The
    /// body is kept as the content of a single part.
    MissingBoundary,
    /// No delimiter line of the multipart's boundary was found
    /// (RFC 2046 §5.1.1): the whole body is kept as its preamble.
    BoundaryNotFound,
    /// A multipart ended, at the end of its enclosing part or of the
    /// input, without its close delimiter (`--boundary--`). Its parts are
    /// kept.
    MissingCloseDelimiter,
    /// A multipart or message part nested deeper than
    /// [`Limits::max_depth`](crate::Limits): its body is kept unparsed, as
    /// the content of a single part.
    TooDeep {
        /// The limit that was reached.
        limit: usize,
    },
    /// The message held more parts than
    /// [`Limits::part_count`](crate::Limits): the multipart where the
    /// limit was reached keeps the rest of its body unparsed, as its
    /// epilogue.
    TooManyParts {
        /// The limit that was reached.
        limit: usize,
    },
    /// A text part names a charset no converter knows; its text is read as
    /// UTF-8 when valid, else as ISO-8859-1.
    UnknownCharset,
    /// A Content-Transfer-Encoding other than `7bit`, `8bit`, `binary`,
    /// `quoted-printable` and `base64`: the body is kept as written.
    UnknownTransferEncoding,
}

impl fmt::Display for DefectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingSeparator => f.write_str("header section not ended by a blank line"),
            Self::BareLf => f.write_str("bare LF line ending"),
            Self::BareCr => f.write_str("bare CR"),
            Self::InvalidFieldName => f.write_str("invalid field name"),
            Self::ObsoleteWhitespaceBeforeColon => {
                f.write_str("white space between field name and colon")
            }
            Self::OrphanContinuation => f.write_str("continuation line without a field"),
            Self::HeaderTooLong { limit } => {
                write!(f, "header section longer than {limit} octets")
            }
            Self::TooManyHeaders { limit } => write!(f, "more than {limit} header fields"),
            Self::Unterminated { expected } => write!(f, "missing closing {expected:?}"),
            Self::ObsoleteSyntax => f.write_str("obsolete syntax"),
            Self::MissingAngleBrackets => f.write_str("address without angle brackets"),
            Self::UnquotedSpecial => f.write_str("unquoted special character"),
            Self::MissingDomain => f.write_str("address without a domain"),
            Self::InvalidSyntax => f.write_str("unreadable text skipped"),
            Self::EncodedWordInQuotedString => f.write_str("encoded word inside a quoted string"),
            Self::DayOfWeekMismatch => f.write_str("day of week does not match the date"),
            Self::MissingZone => f.write_str("date without a zone"),
            Self::InvalidDate => f.write_str("invalid date"),
            Self::InvalidContentType => f.write_str("invalid content type"),
            Self::InvalidParameter => f.write_str("invalid parameter"),
            Self::DuplicateParameter => f.write_str("duplicate parameter"),
            Self::TooManyParameters { limit } => write!(f, "more than {limit} parameters"),
            Self::InvalidBase64Characters => f.write_str("invalid characters in base64 body"),
            Self::InvalidBase64Padding => f.write_str("invalid base64 padding"),
            Self::InvalidBase64Length => f.write_str("base64 body ends inside an octet"),
            Self::InvalidQuotedPrintable => f.write_str("invalid quoted-printable escape"),
            Self::LineTooLong { limit } => write!(f, "line longer than {limit} octets"),
            Self::MissingBoundary => f.write_str("multipart without a usable boundary"),
            Self::BoundaryNotFound => f.write_str("no delimiter of the multipart boundary"),
            Self::MissingCloseDelimiter => f.write_str("multipart without its close delimiter"),
            Self::TooDeep { limit } => write!(f, "nested deeper than {limit} levels"),
            Self::TooManyParts { limit } => write!(f, "more than {limit} parts"),
            Self::UnknownCharset => f.write_str("unknown charset"),
            Self::UnknownTransferEncoding => f.write_str("unknown transfer encoding"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_name_validation() {
        assert!(HeaderName::new("X-Mailer").is_ok());
        assert!(HeaderName::new("!#$%&'*+-.^_`|~").is_ok());
        assert_eq!(HeaderName::new(""), Err(ValueError::Empty));
        assert_eq!(
            HeaderName::new("a:b"),
            Err(ValueError::ForbiddenByte {
                offset: 1,
                byte: b':'
            })
        );
        assert!(HeaderName::new("Subjéct").is_err());
        assert!(HeaderName::new("a\tb").is_err());
        assert!(HeaderName::new("a".repeat(997)).is_ok());
        assert_eq!(
            HeaderName::new("a".repeat(998)),
            Err(ValueError::TooLong { limit: 997 })
        );
        let owned: HeaderName<'static> = HeaderName::new("To").unwrap().into_owned();
        assert_eq!(owned.to_string(), "To");
    }

    #[test]
    fn defect_display() {
        let d = Defect {
            offset: 7,
            kind: DefectKind::HeaderTooLong { limit: 10 },
        };
        assert_eq!(
            d.to_string(),
            "header section longer than 10 octets at byte 7"
        );
    }
}
