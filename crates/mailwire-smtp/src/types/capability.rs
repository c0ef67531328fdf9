//! The service extensions a server announces in its `EHLO` reply
//! (RFC 5321 §4.1.1.1).

use std::borrow::Cow;

use nom::Parser;
use nom::bytes::complete::{take_while, take_while1};
use nom::multi::many0;
use nom::sequence::preceded;

use super::param::HoldSeconds;
use super::{DateTime, Mechanism, Reply, ReplyCode};

/// One `ehlo-line` of an `EHLO` reply, typed for the extensions this crate
/// knows; anything else (or a known keyword whose parameters do not parse)
/// is kept as [`Capability::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Capability<'a> {
    /// `PIPELINING` (RFC 2920).
    Pipelining,
    /// `SIZE [n]` (RFC 1870): the largest message accepted; `None` or
    /// `Some(0)` when the server states no fixed limit.
    Size(Option<u64>),
    /// `8BITMIME` (RFC 6152).
    EightBitMime,
    /// `SMTPUTF8` (RFC 6531).
    SmtpUtf8,
    /// `DSN` (RFC 3461).
    Dsn,
    /// `ENHANCEDSTATUSCODES` (RFC 2034).
    EnhancedStatusCodes,
    /// `CHUNKING` (RFC 3030).
    Chunking,
    /// `BINARYMIME` (RFC 3030).
    BinaryMime,
    /// `STARTTLS` (RFC 3207).
    StartTls,
    /// `AUTH mech…` (RFC 4954), or the older `AUTH=mech…`.
    Auth(Vec<Mechanism<'a>>),
    /// `REQUIRETLS` (RFC 8689).
    RequireTls,
    /// `MT-PRIORITY [profile]` (RFC 6710).
    MtPriority(Option<Cow<'a, str>>),
    /// `FUTURERELEASE max-interval max-datetime` (RFC 4865).
    FutureRelease {
        /// The longest `HOLDFOR` accepted, in seconds.
        max_interval: HoldSeconds,
        /// The latest `HOLDUNTIL` accepted.
        max_datetime: DateTime<'a>,
    },
    /// `DELIVERBY [min]` (RFC 2852): the smallest `BY=` time accepted.
    DeliverBy(Option<HoldSeconds>),
    /// Any other `ehlo-line`, kept as sent.
    Other {
        /// The `ehlo-keyword`, upper case.
        keyword: Cow<'a, str>,
        /// The `ehlo-param`s.
        params: Vec<Cow<'a, str>>,
    },
}

/// The capabilities of an `EHLO` reply: the greeting line, then one
/// [`Capability`] per keyword line.
///
/// ```
/// use mailwire_smtp::{decode, Limits};
/// use mailwire_smtp::types::{Capabilities, Capability};
/// let input = b"250-mx.example.org hello\r\n250-PIPELINING\r\n250-SIZE 35882577\r\n\
///               250-AUTH PLAIN LOGIN\r\n250-X-FOO bar\r\n250 STARTTLS\r\n";
/// let (reply, _) = decode::reply(input, &Limits::default()).unwrap().complete().unwrap();
/// let caps = Capabilities::from_reply(&reply).unwrap();
/// assert_eq!(caps.greeting(), "mx.example.org hello");
/// assert_eq!(caps.max_size(), Some(35882577));
/// assert!(caps.contains("pipelining"));
/// let mechs: Vec<_> = caps.auth_mechanisms().map(|m| m.as_str()).collect();
/// assert_eq!(mechs, ["PLAIN", "LOGIN"]);
/// assert!(caps.iter().any(|c| matches!(c, Capability::Other { keyword, .. } if keyword == "X-FOO")));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Capabilities<'a> {
    greeting: Cow<'a, str>,
    list: Vec<Capability<'a>>,
}

impl<'a> Capabilities<'a> {
    /// Reads the capabilities of a `250` reply to `EHLO`; `None` for any
    /// other reply code. Lines are read tolerantly: a keyword line that does
    /// not parse is kept as [`Capability::Other`] with its text.
    pub fn from_reply(reply: &'a Reply<'_>) -> Option<Self> {
        if reply.code() != ReplyCode::OK {
            return None;
        }
        let mut lines = reply.lines();
        let greeting = String::from_utf8_lossy(lines.next()?.as_bytes());
        let list = lines.map(|l| capability(l.as_bytes())).collect();
        Some(Self { greeting, list })
    }

    /// The first line: the server's domain and any greeting text.
    pub fn greeting(&self) -> &str {
        &self.greeting
    }

    /// The capabilities, in the order announced.
    pub fn iter(&self) -> impl Iterator<Item = &Capability<'a>> + '_ {
        self.list.iter()
    }

    /// True when a line starts with `keyword` (any case).
    pub fn contains(&self, keyword: &str) -> bool {
        self.list
            .iter()
            .any(|c| keyword_of(c).eq_ignore_ascii_case(keyword))
    }

    /// The `SIZE` limit, when one is announced and is not 0 (no limit).
    pub fn max_size(&self) -> Option<u64> {
        self.list.iter().find_map(|c| match c {
            Capability::Size(Some(n)) if *n > 0 => Some(*n),
            _ => None,
        })
    }

    /// The SASL mechanisms of every `AUTH` line.
    pub fn auth_mechanisms(&self) -> impl Iterator<Item = &Mechanism<'a>> + '_ {
        self.list.iter().flat_map(|c| match c {
            Capability::Auth(m) => m.as_slice(),
            _ => &[],
        })
    }

    /// A copy that owns all its text.
    pub fn into_owned(self) -> Capabilities<'static> {
        Capabilities {
            greeting: Cow::Owned(self.greeting.into_owned()),
            list: self.list.into_iter().map(Capability::into_owned).collect(),
        }
    }
}

impl Capability<'_> {
    /// A copy that owns all its text.
    pub fn into_owned(self) -> Capability<'static> {
        match self {
            Self::Pipelining => Capability::Pipelining,
            Self::Size(n) => Capability::Size(n),
            Self::EightBitMime => Capability::EightBitMime,
            Self::SmtpUtf8 => Capability::SmtpUtf8,
            Self::Dsn => Capability::Dsn,
            Self::EnhancedStatusCodes => Capability::EnhancedStatusCodes,
            Self::Chunking => Capability::Chunking,
            Self::BinaryMime => Capability::BinaryMime,
            Self::StartTls => Capability::StartTls,
            Self::Auth(m) => Capability::Auth(m.into_iter().map(Mechanism::into_owned).collect()),
            Self::RequireTls => Capability::RequireTls,
            Self::MtPriority(p) => Capability::MtPriority(p.map(|p| Cow::Owned(p.into_owned()))),
            Self::FutureRelease {
                max_interval,
                max_datetime,
            } => Capability::FutureRelease {
                max_interval,
                max_datetime: max_datetime.into_owned(),
            },
            Self::DeliverBy(n) => Capability::DeliverBy(n),
            Self::Other { keyword, params } => Capability::Other {
                keyword: Cow::Owned(keyword.into_owned()),
                params: params
                    .into_iter()
                    .map(|p| Cow::Owned(p.into_owned()))
                    .collect(),
            },
        }
    }
}

fn keyword_of<'c>(c: &'c Capability<'_>) -> &'c str {
    match c {
        Capability::Pipelining => "PIPELINING",
        Capability::Size(_) => "SIZE",
        Capability::EightBitMime => "8BITMIME",
        Capability::SmtpUtf8 => "SMTPUTF8",
        Capability::Dsn => "DSN",
        Capability::EnhancedStatusCodes => "ENHANCEDSTATUSCODES",
        Capability::Chunking => "CHUNKING",
        Capability::BinaryMime => "BINARYMIME",
        Capability::StartTls => "STARTTLS",
        Capability::Auth(_) => "AUTH",
        Capability::RequireTls => "REQUIRETLS",
        Capability::MtPriority(_) => "MT-PRIORITY",
        Capability::FutureRelease { .. } => "FUTURERELEASE",
        Capability::DeliverBy(_) => "DELIVERBY",
        Capability::Other { keyword, .. } => keyword,
    }
}

/// `ehlo-line = ehlo-keyword *( SP ehlo-param )`,
/// `ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")`,
/// `ehlo-param = 1*(%d33-126)` (RFC 5321 §4.1.1.1). Also the `=` after
/// the keyword of the pre-standard `AUTH=` line, and runs of SP.
fn ehlo_line(line: &[u8]) -> Option<(&[u8], Vec<&[u8]>)> {
    let keyword = take_while1(|b: u8| b.is_ascii_alphanumeric() || b == b'-');
    let sep = take_while1(|b: u8| b == b' ' || b == b'=');
    let param = take_while1(|b: u8| b > b' ' && b != 0x7f);
    type Line<'a> = (&'a [u8], Vec<&'a [u8]>, &'a [u8]);
    let result: nom::IResult<&[u8], Line<'_>> = (
        keyword,
        many0(preceded(sep, param)),
        take_while(|b| b == b' '),
    )
        .parse(line);
    match result {
        Ok((b"", (keyword, params, _))) => Some((keyword, params)),
        _ => None,
    }
}

fn text(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

fn capability(line: &[u8]) -> Capability<'_> {
    let Some((keyword, params)) = ehlo_line(line) else {
        return Capability::Other {
            keyword: text(line),
            params: Vec::new(),
        };
    };
    typed(keyword, &params).unwrap_or_else(|| Capability::Other {
        keyword: super::upper(text(keyword)),
        params: params.into_iter().map(text).collect(),
    })
}

fn seconds(p: &[u8]) -> Option<HoldSeconds> {
    if p.is_empty() || p.len() > 9 || !p.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = p.iter().fold(0u32, |v, d| v * 10 + u32::from(d - b'0'));
    HoldSeconds::new(n)
}

fn typed<'a>(keyword: &'a [u8], params: &[&'a [u8]]) -> Option<Capability<'a>> {
    let is = |k: &str| keyword.eq_ignore_ascii_case(k.as_bytes());
    let none = |c: Capability<'a>| params.is_empty().then_some(c);
    if is("PIPELINING") {
        none(Capability::Pipelining)
    } else if is("SIZE") {
        match params {
            [] => Some(Capability::Size(None)),
            [n] if n.len() <= 20 && n.iter().all(u8::is_ascii_digit) => std::str::from_utf8(n)
                .ok()?
                .parse()
                .ok()
                .map(|n| Capability::Size(Some(n))),
            _ => None,
        }
    } else if is("8BITMIME") {
        none(Capability::EightBitMime)
    } else if is("SMTPUTF8") {
        none(Capability::SmtpUtf8)
    } else if is("DSN") {
        none(Capability::Dsn)
    } else if is("ENHANCEDSTATUSCODES") {
        none(Capability::EnhancedStatusCodes)
    } else if is("CHUNKING") {
        none(Capability::Chunking)
    } else if is("BINARYMIME") {
        none(Capability::BinaryMime)
    } else if is("STARTTLS") {
        none(Capability::StartTls)
    } else if is("REQUIRETLS") {
        none(Capability::RequireTls)
    } else if is("AUTH") {
        params
            .iter()
            .map(|m| Mechanism::new(std::str::from_utf8(m).ok()?).ok())
            .collect::<Option<Vec<_>>>()
            .map(Capability::Auth)
    } else if is("MT-PRIORITY") {
        match params {
            [] => Some(Capability::MtPriority(None)),
            [p] => Some(Capability::MtPriority(Some(text(p)))),
            _ => None,
        }
    } else if is("FUTURERELEASE") {
        match params {
            [interval, datetime] => Some(Capability::FutureRelease {
                max_interval: seconds(interval)?,
                max_datetime: DateTime::new(std::str::from_utf8(datetime).ok()?).ok()?,
            }),
            _ => None,
        }
    } else if is("DELIVERBY") {
        match params {
            [] => Some(Capability::DeliverBy(None)),
            [n] => seconds(n).map(|n| Capability::DeliverBy(Some(n))),
            _ => None,
        }
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::ReplyText;

    fn caps(lines: &[&'static str]) -> Capabilities<'static> {
        let rest = lines
            .iter()
            .map(|l| ReplyText::try_from(*l).unwrap())
            .collect();
        let reply = Reply::from_lines(
            ReplyCode::OK,
            ReplyText::try_from("mx.example").unwrap(),
            rest,
        );
        Capabilities::from_reply(&reply).unwrap().into_owned()
    }

    #[test]
    fn rfc5321_appendix_d1_and_extensions() {
        let c = caps(&[
            "8BITMIME",
            "SIZE",
            "DSN",
            "HELP",
            "PIPELINING",
            "ENHANCEDSTATUSCODES",
            "CHUNKING",
            "BINARYMIME",
            "SMTPUTF8",
            "STARTTLS",
            "REQUIRETLS",
            "AUTH=LOGIN PLAIN",
            "AUTH CRAM-MD5",
            "MT-PRIORITY MIXER",
            "FUTURERELEASE 604800 2030-01-01T00:00:00Z",
            "DELIVERBY 240",
            "DELIVERBY",
            "MT-PRIORITY",
        ]);
        let list: Vec<_> = c.iter().cloned().collect();
        assert_eq!(list[0], Capability::EightBitMime);
        assert_eq!(list[1], Capability::Size(None));
        assert_eq!(list[2], Capability::Dsn);
        assert!(
            matches!(&list[3], Capability::Other { keyword, params } if keyword == "HELP" && params.is_empty())
        );
        assert_eq!(c.max_size(), None);
        let mechs: Vec<_> = c.auth_mechanisms().map(Mechanism::as_str).collect();
        assert_eq!(mechs, ["LOGIN", "PLAIN", "CRAM-MD5"]);
        assert_eq!(list[13], Capability::MtPriority(Some("MIXER".into())));
        assert!(
            matches!(&list[14], Capability::FutureRelease { max_interval, .. } if max_interval.get() == 604_800)
        );
        assert_eq!(list[15], Capability::DeliverBy(HoldSeconds::new(240)));
        assert_eq!(list[16], Capability::DeliverBy(None));
        assert_eq!(list[17], Capability::MtPriority(None));
        for k in [
            "starttls",
            "REQUIRETLS",
            "chunking",
            "BinaryMime",
            "SMTPUTF8",
            "help",
        ] {
            assert!(c.contains(k), "{k}");
        }
        assert!(!c.contains("XFORWARD"));
    }

    #[test]
    fn unparsable_parameters_are_kept() {
        let c = caps(&[
            "SIZE big",
            "FUTURERELEASE 1",
            "X-THING a b",
            "!bang",
            "PIPELINING now",
        ]);
        let list: Vec<_> = c.iter().cloned().collect();
        assert!(
            matches!(&list[0], Capability::Other { keyword, params } if keyword == "SIZE" && params == &["big"])
        );
        assert!(
            matches!(&list[1], Capability::Other { keyword, .. } if keyword == "FUTURERELEASE")
        );
        assert!(
            matches!(&list[2], Capability::Other { keyword, params } if keyword == "X-THING" && params.len() == 2)
        );
        assert!(matches!(&list[3], Capability::Other { keyword, .. } if keyword == "!bang"));
        assert!(matches!(&list[4], Capability::Other { .. }));
        assert_eq!(caps(&["SIZE 0"]).max_size(), None);
        assert_eq!(caps(&["SIZE 10240000"]).max_size(), Some(10_240_000));
        let not_ok = Reply::new(ReplyCode::new(502).unwrap(), "no").unwrap();
        assert!(Capabilities::from_reply(&not_ok).is_none());
    }
}
