//! Commands, client to server (RFC 5321 §4.1.1 and the extensions).

use std::borrow::Cow;
use std::fmt;

use super::ValueError;
use super::address::{ForwardPath, Host, ReversePath};
use super::param::{MailParams, RcptParams, upper};

fn invalid(what: &'static str, offset: usize) -> ValueError {
    ValueError::Invalid { what, offset }
}

/// The argument text of `VRFY`, `EXPN`, `HELP`, `NOOP` and of an unknown
/// command: at least one byte, no control character but HT, and no SP or HT
/// at either end.
///
/// RFC 5321 gives `VRFY` and `EXPN` a `String` argument, yet §3.5 shows
/// them with user names and mailboxes; the text is kept as sent, without
/// assuming an encoding.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Text<'a>(Cow<'a, [u8]>);

impl<'a> Text<'a> {
    /// Validates `text`.
    pub fn new(text: impl Into<Cow<'a, [u8]>>) -> Result<Self, ValueError> {
        let text = text.into();
        if let Some(offset) = text.iter().position(|&b| is_forbidden(b)) {
            return Err(ValueError::ForbiddenByte {
                offset,
                byte: text.get(offset).copied().unwrap_or_default(),
            });
        }
        match (text.first(), text.last()) {
            (None, _) => Err(invalid("text", 0)),
            (Some(b' ' | b'\t'), _) => Err(invalid("text", 0)),
            (_, Some(b' ' | b'\t')) => Err(invalid("text", text.len() - 1)),
            _ => Ok(Self(text)),
        }
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The text as `&str`, when it is UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> Text<'static> {
        Text(Cow::Owned(self.0.into_owned()))
    }
}

/// Control characters other than HT, and DEL.
pub(crate) fn is_forbidden(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}

impl fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(&self.0))
    }
}

impl<'a> TryFrom<&'a str> for Text<'a> {
    type Error = ValueError;
    fn try_from(value: &'a str) -> Result<Self, Self::Error> {
        Self::new(value.as_bytes())
    }
}

/// The verbs this crate gives their own [`Command`] variant.
pub(crate) const KNOWN_VERBS: &[&str] = &[
    "EHLO", "HELO", "LHLO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "VRFY", "EXPN", "HELP", "NOOP",
    "QUIT", "STARTTLS", "AUTH",
];

/// The verb of a command this crate has no variant for, in upper case:
/// one or more printable ASCII characters other than SP.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Verb<'a>(Cow<'a, str>);

impl<'a> Verb<'a> {
    /// Validates `verb`. Refused for the verbs that have their own
    /// [`Command`] variant, so a value always encodes to the same variant.
    pub fn new(verb: impl Into<Cow<'a, str>>) -> Result<Self, ValueError> {
        let verb = verb.into();
        if verb.is_empty() {
            return Err(invalid("verb", 0));
        }
        if let Some(i) = verb.bytes().position(|b| !b.is_ascii_graphic()) {
            return Err(invalid("verb", i));
        }
        if KNOWN_VERBS.iter().any(|k| k.eq_ignore_ascii_case(&verb)) {
            return Err(invalid("verb", 0));
        }
        Ok(Self(upper(verb)))
    }

    /// The verb, upper case.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> Verb<'static> {
        Verb(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Debug for Verb<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// A SASL mechanism name (RFC 4954 §4: `sasl-mech = 1*20mech-char`,
/// `mech-char = UPPER-ALPHA / DIGIT / HYPHEN / UNDERSCORE`), in upper case.
///
/// ```
/// use mailwire_smtp::types::Mechanism;
/// assert_eq!(Mechanism::new("plain").unwrap().as_str(), "PLAIN");
/// assert!(Mechanism::new("SCRAM-SHA-256-PLUS").is_ok());
/// assert!(Mechanism::new("ABCDEFGHIJKLMNOPQRSTU").is_err()); // 21 characters
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mechanism<'a>(Cow<'a, str>);

impl<'a> Mechanism<'a> {
    /// Validates `name`; lower-case letters are accepted and uppercased.
    pub fn new(name: impl Into<Cow<'a, str>>) -> Result<Self, ValueError> {
        let name = name.into();
        if !is_mechanism(name.as_bytes()) {
            return Err(invalid("SASL mechanism", 0));
        }
        Ok(Self(upper(name)))
    }

    /// The name, upper case.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> Mechanism<'static> {
        Mechanism(Cow::Owned(self.0.into_owned()))
    }
}

pub(crate) fn is_mechanism(s: &[u8]) -> bool {
    (1..=20).contains(&s.len())
        && s.iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `base64` as RFC 4954 §4 defines it: groups of four base64 characters,
/// the last group possibly padded with `=`.
pub(crate) fn is_base64(s: &[u8]) -> bool {
    let ok = |b: u8| b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
    if s.is_empty() || !s.len().is_multiple_of(4) {
        return false;
    }
    let pad = s.iter().rev().take_while(|&&b| b == b'=').count();
    pad <= 2
        && s.get(..s.len() - pad)
            .is_some_and(|d| d.iter().all(|&b| ok(b)))
}

/// The initial response of `AUTH` (RFC 4954 §4:
/// `initial-response = base64 / "="`). `Debug` does not show the data,
/// which usually holds credentials.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum InitialResponse<'a> {
    /// `=`: an empty initial response.
    Empty,
    /// Base64 data, as sent.
    Base64(Secret<'a>),
}

impl InitialResponse<'_> {
    /// A copy that owns its text.
    pub fn into_owned(self) -> InitialResponse<'static> {
        match self {
            Self::Empty => InitialResponse::Empty,
            Self::Base64(s) => InitialResponse::Base64(s.into_owned()),
        }
    }
}

impl fmt::Debug for InitialResponse<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("Empty"),
            Self::Base64(_) => f.write_str("Base64(<redacted>)"),
        }
    }
}

/// Base64 SASL data (RFC 4954), which usually holds credentials: `Debug`
/// shows only its length.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret<'a>(Cow<'a, str>);

impl<'a> Secret<'a> {
    /// Validates `base64` (non-empty, padded groups of four).
    pub fn new(base64: impl Into<Cow<'a, str>>) -> Result<Self, ValueError> {
        let base64 = base64.into();
        if !is_base64(base64.as_bytes()) {
            return Err(invalid("base64", 0));
        }
        Ok(Self(base64))
    }

    /// The base64 text. Take care not to log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> Secret<'static> {
        Secret(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Debug for Secret<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(<{} bytes>)", self.0.len())
    }
}

/// A command, client to server.
///
/// Verbs are read in any case and written in upper case. Commands this
/// crate has no variant for are kept as [`Command::Unknown`], so a server
/// can answer `500`/`502` itself.
///
/// ```
/// use mailwire_smtp::decode;
/// use mailwire_smtp::types::{Command, ReversePath};
/// use mailwire_smtp::Limits;
/// let (cmd, _) = decode::command(b"MAIL FROM:<> SIZE=1024\r\n", &Limits::default())
///     .unwrap().complete().unwrap();
/// let Command::Mail { from, params, .. } = cmd else { panic!() };
/// assert_eq!(from, ReversePath::Null);
/// assert_eq!(params.size, Some(1024));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Command<'a> {
    /// `EHLO` (RFC 5321 §4.1.1.1): `"EHLO" SP ( Domain / address-literal )`.
    Ehlo {
        /// The client's name.
        host: Host<'a>,
    },
    /// `HELO` (RFC 5321 §4.1.1.1): `"HELO" SP Domain`. An address literal is
    /// accepted too, as many clients send one.
    Helo {
        /// The client's name.
        host: Host<'a>,
    },
    /// `LHLO` (RFC 2033 §4.1), the LMTP greeting.
    Lhlo {
        /// The client's name.
        host: Host<'a>,
    },
    /// `MAIL FROM:` (RFC 5321 §4.1.1.2).
    Mail {
        /// The reverse-path.
        from: ReversePath<'a>,
        /// The ESMTP parameters.
        params: MailParams<'a>,
        /// Set by the decoder when the path carried a source route
        /// (`<@a,@b:user@c>`), which RFC 5321 §4.1.1.3 says to ignore. The
        /// encoder never writes one.
        source_route: bool,
    },
    /// `RCPT TO:` (RFC 5321 §4.1.1.3).
    Rcpt {
        /// The forward-path.
        to: ForwardPath<'a>,
        /// The ESMTP parameters.
        params: RcptParams<'a>,
        /// As for [`Command::Mail`].
        source_route: bool,
    },
    /// `DATA` (RFC 5321 §4.1.1.4). The message follows once the server has
    /// answered `354`.
    Data,
    /// `BDAT` (RFC 3030 §2): `size` octets of message follow the command
    /// line at once.
    Bdat {
        /// Octets in this chunk.
        size: u64,
        /// `LAST`: this is the final chunk.
        last: bool,
    },
    /// `RSET` (RFC 5321 §4.1.1.5).
    Rset,
    /// `VRFY` (RFC 5321 §4.1.1.6).
    Vrfy {
        /// The user or mailbox to verify.
        arg: Text<'a>,
    },
    /// `EXPN` (RFC 5321 §4.1.1.7).
    Expn {
        /// The list to expand.
        arg: Text<'a>,
    },
    /// `HELP` (RFC 5321 §4.1.1.8).
    Help {
        /// The topic.
        arg: Option<Text<'a>>,
    },
    /// `NOOP` (RFC 5321 §4.1.1.9).
    Noop {
        /// An argument, which the server ignores.
        arg: Option<Text<'a>>,
    },
    /// `QUIT` (RFC 5321 §4.1.1.10).
    Quit,
    /// `STARTTLS` (RFC 3207 §4).
    StartTls,
    /// `AUTH` (RFC 4954 §4): `"AUTH" SP sasl-mech [SP initial-response]`.
    Auth {
        /// The SASL mechanism.
        mechanism: Mechanism<'a>,
        /// The initial response, when the client sent one.
        initial_response: Option<InitialResponse<'a>>,
    },
    /// A command without its own variant, kept as sent.
    Unknown {
        /// The verb, upper case.
        verb: Verb<'a>,
        /// Everything after the verb and its SP.
        args: Option<Text<'a>>,
    },
}

/// What follows a command on the client's byte stream, when it is not
/// another command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Stop {
    /// After `DATA`: once the server answers `354`, the message follows,
    /// ending in `<CRLF>.<CRLF>`; on any other reply, commands go on.
    Data,
    /// After `BDAT`: exactly `size` octets of message follow.
    Bdat {
        /// Octets in the chunk.
        size: u64,
        /// This is the final chunk.
        last: bool,
    },
    /// After `AUTH`: SASL responses follow while the server sends `334`
    /// challenges; commands go on after its final reply.
    Auth,
    /// After `STARTTLS`: once the server answers `220`, the TLS handshake
    /// starts; nothing sent before it may be read as a command.
    StartTls,
}

impl<'a> Command<'a> {
    /// The verb as written on the wire.
    pub fn verb(&self) -> &str {
        match self {
            Self::Ehlo { .. } => "EHLO",
            Self::Helo { .. } => "HELO",
            Self::Lhlo { .. } => "LHLO",
            Self::Mail { .. } => "MAIL",
            Self::Rcpt { .. } => "RCPT",
            Self::Data => "DATA",
            Self::Bdat { .. } => "BDAT",
            Self::Rset => "RSET",
            Self::Vrfy { .. } => "VRFY",
            Self::Expn { .. } => "EXPN",
            Self::Help { .. } => "HELP",
            Self::Noop { .. } => "NOOP",
            Self::Quit => "QUIT",
            Self::StartTls => "STARTTLS",
            Self::Auth { .. } => "AUTH",
            Self::Unknown { verb, .. } => verb.as_str(),
        }
    }

    /// When the bytes after this command are not command lines: `DATA`,
    /// `BDAT`, `AUTH` and `STARTTLS`. A decoder must not read on as
    /// commands past such a command.
    pub fn stop(&self) -> Option<Stop> {
        match self {
            Self::Data => Some(Stop::Data),
            Self::Bdat { size, last } => Some(Stop::Bdat {
                size: *size,
                last: *last,
            }),
            Self::Auth { .. } => Some(Stop::Auth),
            Self::StartTls => Some(Stop::StartTls),
            _ => None,
        }
    }

    /// A copy that owns all its text.
    pub fn into_owned(self) -> Command<'static> {
        match self {
            Self::Ehlo { host } => Command::Ehlo {
                host: host.into_owned(),
            },
            Self::Helo { host } => Command::Helo {
                host: host.into_owned(),
            },
            Self::Lhlo { host } => Command::Lhlo {
                host: host.into_owned(),
            },
            Self::Mail {
                from,
                params,
                source_route,
            } => Command::Mail {
                from: from.into_owned(),
                params: params.into_owned(),
                source_route,
            },
            Self::Rcpt {
                to,
                params,
                source_route,
            } => Command::Rcpt {
                to: to.into_owned(),
                params: params.into_owned(),
                source_route,
            },
            Self::Data => Command::Data,
            Self::Bdat { size, last } => Command::Bdat { size, last },
            Self::Rset => Command::Rset,
            Self::Vrfy { arg } => Command::Vrfy {
                arg: arg.into_owned(),
            },
            Self::Expn { arg } => Command::Expn {
                arg: arg.into_owned(),
            },
            Self::Help { arg } => Command::Help {
                arg: arg.map(Text::into_owned),
            },
            Self::Noop { arg } => Command::Noop {
                arg: arg.map(Text::into_owned),
            },
            Self::Quit => Command::Quit,
            Self::StartTls => Command::StartTls,
            Self::Auth {
                mechanism,
                initial_response,
            } => Command::Auth {
                mechanism: mechanism.into_owned(),
                initial_response: initial_response.map(InitialResponse::into_owned),
            },
            Self::Unknown { verb, args } => Command::Unknown {
                verb: verb.into_owned(),
                args: args.map(Text::into_owned),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every decoded command is moved out of the decoder at least once; at
    /// 128 bytes or less the move is a few register copies, not a call to
    /// `memcpy`.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_command_is_small() {
        assert!(std::mem::size_of::<Command<'_>>() <= 128);
        assert_eq!(std::mem::size_of::<Host<'_>>(), 24);
        assert!(std::mem::size_of::<MailParams<'_>>() <= 56);
        assert!(std::mem::size_of::<RcptParams<'_>>() <= 64);
    }
}
