//! The POP3 data model: validated values shared by the decoder, the encoder
//! and the sessions.
//!
//! Every type here upholds the invariants the wire needs: a value that can be
//! constructed can be encoded, and what is encoded decodes back to the same
//! value. No constructor lets CR, LF or NUL into anything the encoder writes
//! inside a line, and no argument but a password can hold a space, so an
//! argument can never split into two or end a command early.

use std::borrow::Cow;
use std::fmt;
use std::num::NonZeroU32;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

mod response;

pub use response::{
    Body, Capability, Challenge, DropListing, Expiry, Greeting, Language, MultiLine,
    OtherCapability, OtherCode, Reply, Response, ResponseCode, ScanListing, Status, Text, UniqueId,
    UniqueIdListing,
};

/// Why a value was refused by a validating constructor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// A byte that may not appear in this value (CR, LF or NUL anywhere; SP
    /// in anything but a password).
    #[error("byte 0x{byte:02x} not allowed at offset {offset}")]
    ForbiddenByte {
        /// Offset of the byte inside the value.
        offset: usize,
        /// The byte.
        byte: u8,
    },
    /// The value is empty, and the grammar needs at least one octet.
    #[error("empty value")]
    Empty,
    /// A number outside the range the grammar allows.
    #[error("{what} out of range")]
    OutOfRange {
        /// Which number.
        what: &'static str,
    },
    /// The value does not follow its grammar.
    #[error("invalid {what} at offset {offset}")]
    Syntax {
        /// What kind of value.
        what: &'static str,
        /// Offset of the first byte that does not fit (the length when the
        /// value is too short or too long).
        offset: usize,
    },
    /// An unknown command's name that is the keyword of a known command.
    #[error("{0} is the keyword of a known command")]
    KnownKeyword(&'static str),
}

/// The offset and value of the first byte of `bytes` that is CR, LF or NUL,
/// or also SP when `space` is false.
fn forbidden(bytes: &[u8], space: bool) -> Result<(), ValueError> {
    match bytes
        .iter()
        .position(|&b| matches!(b, b'\r' | b'\n' | 0) || (!space && b == b' '))
    {
        None => Ok(()),
        Some(offset) => Err(ValueError::ForbiddenByte {
            offset,
            byte: bytes.get(offset).copied().unwrap_or_default(),
        }),
    }
}

/// A message number (RFC 1939 §4): the decimal, 1-based position of a message
/// in the maildrop. Zero is not a message number.
///
/// ```
/// use mailwire_pop3::types::MessageNumber;
/// let msg = MessageNumber::new(3).unwrap();
/// assert_eq!(msg.get(), 3);
/// assert_eq!(msg.to_string(), "3");
/// assert!(MessageNumber::new(0).is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MessageNumber(NonZeroU32);

impl MessageNumber {
    /// The number `n`, or `None` for zero.
    pub const fn new(n: u32) -> Option<Self> {
        match NonZeroU32::new(n) {
            Some(n) => Some(Self(n)),
            None => None,
        }
    }

    /// The numeric value (at least 1).
    pub const fn get(self) -> u32 {
        self.0.get()
    }
}

impl From<NonZeroU32> for MessageNumber {
    fn from(n: NonZeroU32) -> Self {
        Self(n)
    }
}

impl TryFrom<u32> for MessageNumber {
    type Error = ValueError;
    fn try_from(n: u32) -> Result<Self, Self::Error> {
        Self::new(n).ok_or(ValueError::OutOfRange {
            what: "message number",
        })
    }
}

impl fmt::Display for MessageNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A command argument (RFC 2449 §3: `param = 1*VCHAR`): one or more octets,
/// none of them SP, CR, LF or NUL.
///
/// Octets above 0x7E are kept, since RFC 6856 lets UTF-8 into user names.
/// The bytes are kept as they came, without assuming an encoding.
///
/// ```
/// use mailwire_pop3::types::Argument;
/// assert_eq!(Argument::try_from("mrose").unwrap().as_bytes(), b"mrose");
/// assert!(Argument::try_from("two words").is_err());
/// assert!(Argument::try_from("").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Argument<'a>(Cow<'a, [u8]>);

impl<'a> Argument<'a> {
    /// Validates `bytes`: not empty, and no SP, CR, LF or NUL.
    pub fn new(bytes: impl Into<Cow<'a, [u8]>>) -> Result<Self, ValueError> {
        let bytes = bytes.into();
        if bytes.is_empty() {
            return Err(ValueError::Empty);
        }
        forbidden(&bytes, false)?;
        Ok(Self(bytes))
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The argument as `&str`, when it is UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> Argument<'static> {
        Argument(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Debug for Argument<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(&self.0))
    }
}

impl<'a> TryFrom<&'a str> for Argument<'a> {
    type Error = ValueError;
    fn try_from(value: &'a str) -> Result<Self, Self::Error> {
        Self::new(value.as_bytes())
    }
}

/// The argument of `PASS` (RFC 1939 §7): one or more octets, none of them
/// CR, LF or NUL. Unlike other arguments it may contain spaces, since
/// `PASS` has exactly one argument and the server reads the rest of the line.
///
/// `Debug` never shows the password:
///
/// ```
/// use mailwire_pop3::types::Password;
/// let pass = Password::try_from("correct horse").unwrap();
/// assert_eq!(pass.expose(), b"correct horse");
/// assert_eq!(format!("{pass:?}"), "Password(<redacted>)");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Password<'a>(Cow<'a, [u8]>);

impl<'a> Password<'a> {
    /// Validates `bytes`: not empty, and no CR, LF or NUL.
    pub fn new(bytes: impl Into<Cow<'a, [u8]>>) -> Result<Self, ValueError> {
        let bytes = bytes.into();
        if bytes.is_empty() {
            return Err(ValueError::Empty);
        }
        forbidden(&bytes, true)?;
        Ok(Self(bytes))
    }

    /// The password's bytes. Named so that reading a secret is visible.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> Password<'static> {
        Password(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Debug for Password<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl<'a> TryFrom<&'a str> for Password<'a> {
    type Error = ValueError;
    fn try_from(value: &'a str) -> Result<Self, Self::Error> {
        Self::new(value.as_bytes())
    }
}

/// The MD5 digest of `APOP` (RFC 1939 §7), sent as 32 hexadecimal digits.
///
/// Held as its 16 octets. The encoder writes lowercase hex, as RFC 1939 asks;
/// the decoder also accepts uppercase digits.
///
/// ```
/// use mailwire_pop3::types::Digest;
/// let d = Digest::from_hex(b"c4c9334bac560ecc979e58001b3e22fb").unwrap();
/// assert_eq!(d.as_bytes()[0], 0xc4);
/// assert_eq!(d.to_string(), "c4c9334bac560ecc979e58001b3e22fb");
/// assert!(Digest::from_hex(b"c4c9").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Digest([u8; 16]);

impl Digest {
    /// The digest of these 16 octets.
    pub const fn new(octets: [u8; 16]) -> Self {
        Self(octets)
    }

    /// Reads 32 hexadecimal digits (either case).
    pub fn from_hex(hex: &[u8]) -> Result<Self, ValueError> {
        fn nibble(b: u8) -> Option<u8> {
            match b {
                b'0'..=b'9' => Some(b - b'0'),
                b'a'..=b'f' => Some(b - b'a' + 10),
                b'A'..=b'F' => Some(b - b'A' + 10),
                _ => None,
            }
        }
        if hex.len() != 32 {
            return Err(ValueError::Syntax {
                what: "digest",
                offset: hex.len().min(32),
            });
        }
        let mut out = [0u8; 16];
        for (i, (o, pair)) in out.iter_mut().zip(hex.chunks_exact(2)).enumerate() {
            let [hi, lo] = pair else {
                continue;
            };
            let bad = |at: usize| ValueError::Syntax {
                what: "digest",
                offset: at,
            };
            *o = (nibble(*hi).ok_or(bad(2 * i))? << 4) | nibble(*lo).ok_or(bad(2 * i + 1))?;
        }
        Ok(Self(out))
    }

    /// The 16 octets.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The 32 lowercase hexadecimal digits.
    pub fn to_hex(&self) -> [u8; 32] {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0u8; 32];
        for (pair, b) in out.chunks_exact_mut(2).zip(self.0) {
            if let [hi, lo] = pair {
                *hi = HEX[usize::from(b >> 4)];
                *lo = HEX[usize::from(b & 0x0f)];
            }
        }
        out
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// A SASL mechanism name (RFC 4422 §3.1: `sasl-mech = 1*20mech-char`,
/// `mech-char = UPPER-ALPHA / DIGIT / "-" / "_"`).
///
/// Mechanism names are case-insensitive in POP3 (RFC 5034 §4); the value is
/// kept in uppercase, so `plain` and `PLAIN` are equal.
///
/// ```
/// use mailwire_pop3::types::Mechanism;
/// assert_eq!(Mechanism::try_from("scram-sha-256").unwrap().as_str(), "SCRAM-SHA-256");
/// assert!(Mechanism::try_from("NO SPACE").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Mechanism<'a>(Cow<'a, str>);

impl<'a> Mechanism<'a> {
    /// Validates `name` and brings it to uppercase.
    pub fn new(name: impl Into<Cow<'a, [u8]>>) -> Result<Self, ValueError> {
        let name = name.into();
        if name.is_empty() || name.len() > 20 {
            return Err(ValueError::Syntax {
                what: "mechanism name",
                offset: name.len().min(20),
            });
        }
        if let Some(offset) = name
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_')))
        {
            return Err(ValueError::Syntax {
                what: "mechanism name",
                offset,
            });
        }
        let upper = |bytes: &[u8]| String::from_utf8_lossy(bytes).to_ascii_uppercase();
        Ok(Self(match name {
            Cow::Borrowed(b) if !b.iter().any(u8::is_ascii_lowercase) => {
                // Checked above: every byte is ASCII.
                Cow::Borrowed(std::str::from_utf8(b).unwrap_or_default())
            }
            other => Cow::Owned(upper(&other)),
        }))
    }

    /// The name, in uppercase.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> Mechanism<'static> {
        Mechanism(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Debug for Mechanism<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl<'a> TryFrom<&'a str> for Mechanism<'a> {
    type Error = ValueError;
    fn try_from(value: &'a str) -> Result<Self, Self::Error> {
        Self::new(value.as_bytes())
    }
}

/// SASL data as sent on the wire: Base64 text (RFC 5034 §4, `base64`), or
/// nothing.
///
/// ```text
/// base64          = base64-terminal / ( 1*(4base64-char) [base64-terminal] )
/// base64-char     = ALPHA / DIGIT / "+" / "/"
/// base64-terminal = (2base64-char "==") / (3base64-char "=")
/// ```
///
/// The text is validated as RFC 5034 §4 requires: only the Base64
/// alphabet, padding only at the end. The empty value stands for an empty
/// response; in `AUTH`'s initial response it is written `=`.
///
/// `Debug` shows only the length, since the data often carries a password:
///
/// ```
/// use mailwire_pop3::types::SaslData;
/// let data = SaslData::encode(b"\0tim\0tanstaaftanstaaf");
/// assert_eq!(data.as_bytes(), b"AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
/// assert_eq!(data.decode(), b"\0tim\0tanstaaftanstaaf");
/// assert_eq!(format!("{data:?}"), "SaslData(<28 octets>)");
/// assert!(SaslData::new(&b"AA=A"[..]).is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SaslData<'a>(Cow<'a, [u8]>);

impl<'a> SaslData<'a> {
    /// Validates Base64 `text` (which may be empty).
    pub fn new(text: impl Into<Cow<'a, [u8]>>) -> Result<Self, ValueError> {
        let text = text.into();
        let bad = |offset| ValueError::Syntax {
            what: "base64",
            offset,
        };
        let pad = text.iter().rev().take_while(|&&b| b == b'=').count();
        let body = text.len() - pad;
        if let Some(offset) = text
            .iter()
            .take(body)
            .position(|&b| !(b.is_ascii_alphanumeric() || b == b'+' || b == b'/'))
        {
            return Err(bad(offset));
        }
        if pad > 2 {
            return Err(bad(body + 2));
        }
        if text.len() % 4 != 0 || (pad > 0 && body % 4 < 2) {
            return Err(bad(text.len()));
        }
        Ok(Self(text))
    }

    /// The empty response.
    pub const fn empty() -> Self {
        Self(Cow::Borrowed(b""))
    }

    /// The Base64 encoding of `raw`.
    pub fn encode(raw: &[u8]) -> SaslData<'static> {
        SaslData(Cow::Owned(STANDARD.encode(raw).into_bytes()))
    }

    /// The decoded octets.
    pub fn decode(&self) -> Vec<u8> {
        // The text was validated; a non-canonical final character (nonzero
        // trailing bits) is the one thing the strict decoder still refuses,
        // and those bits carry no data.
        base64::engine::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
        )
        .decode(&self.0)
        .unwrap_or_default()
    }

    /// The Base64 text.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// True for the empty response.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> SaslData<'static> {
        SaslData(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Debug for SaslData<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SaslData(<{} octets>)", self.0.len())
    }
}

impl<'a> TryFrom<&'a str> for SaslData<'a> {
    type Error = ValueError;
    fn try_from(value: &'a str) -> Result<Self, Self::Error> {
        Self::new(value.as_bytes())
    }
}

/// The argument of `LANG` (RFC 6856 §3.2): a basic language range
/// (RFC 4647 §2.1) such as `en` or `sv-SE`, or `*` for the server's
/// preferred language.
///
/// Read tolerantly: any [`Argument`] is accepted, and the server decides
/// whether it knows the language.
///
/// ```
/// use mailwire_pop3::types::LanguageRange;
/// assert!(LanguageRange::any().is_any());
/// assert_eq!(LanguageRange::try_from("es").unwrap().as_bytes(), b"es");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LanguageRange<'a>(Argument<'a>);

impl<'a> LanguageRange<'a> {
    /// Validates `range` as an [`Argument`].
    pub fn new(range: impl Into<Cow<'a, [u8]>>) -> Result<Self, ValueError> {
        Argument::new(range).map(Self)
    }

    /// `*`: the language the server's administrator prefers.
    pub const fn any() -> Self {
        Self(Argument(Cow::Borrowed(b"*")))
    }

    /// True for `*`.
    pub fn is_any(&self) -> bool {
        self.0.as_bytes() == b"*"
    }

    /// The range as sent.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> LanguageRange<'static> {
        LanguageRange(self.0.into_owned())
    }
}

impl<'a> From<Argument<'a>> for LanguageRange<'a> {
    fn from(arg: Argument<'a>) -> Self {
        Self(arg)
    }
}

impl<'a> TryFrom<&'a str> for LanguageRange<'a> {
    type Error = ValueError;
    fn try_from(value: &'a str) -> Result<Self, Self::Error> {
        Self::new(value.as_bytes())
    }
}

/// The name of a command this crate does not know (RFC 2449 §3:
/// `keyword = 3*4VCHAR`, read tolerantly as any [`Argument`]).
///
/// Keywords are case-insensitive (RFC 1939 §3); the value is kept in
/// uppercase. The keyword of a known command is refused, so a
/// [`Command::Unknown`] always encodes to something that decodes as unknown.
///
/// ```
/// use mailwire_pop3::types::Keyword;
/// assert_eq!(Keyword::try_from("xtnd").unwrap().as_bytes(), b"XTND");
/// assert!(Keyword::try_from("retr").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Keyword<'a>(Cow<'a, [u8]>);

impl<'a> Keyword<'a> {
    /// Validates `name` as an [`Argument`] that is no known command's
    /// keyword, and brings it to uppercase.
    pub fn new(name: impl Into<Cow<'a, [u8]>>) -> Result<Self, ValueError> {
        let name = Argument::new(name)?.0;
        if let Some(kind) = CommandKind::from_keyword(&name) {
            return Err(ValueError::KnownKeyword(kind.keyword()));
        }
        Ok(Self(match name {
            Cow::Borrowed(b) if !b.iter().any(u8::is_ascii_lowercase) => Cow::Borrowed(b),
            other => Cow::Owned(other.to_ascii_uppercase()),
        }))
    }

    /// The keyword, in uppercase (ASCII letters only; other octets as sent).
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> Keyword<'static> {
        Keyword(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Debug for Keyword<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(&self.0))
    }
}

impl<'a> TryFrom<&'a str> for Keyword<'a> {
    type Error = ValueError;
    fn try_from(value: &'a str) -> Result<Self, Self::Error> {
        Self::new(value.as_bytes())
    }
}

/// A command from client to server (RFC 1939 §4–§7 and extensions).
///
/// ```
/// use mailwire_pop3::types::{Command, MessageNumber};
/// use mailwire_pop3::encode::Encode;
/// let cmd = Command::Top { msg: MessageNumber::new(1).unwrap(), lines: 10 };
/// assert_eq!(cmd.to_bytes(), b"TOP 1 10\r\n");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Command<'a> {
    /// `USER name` (RFC 1939 §7): names the mailbox.
    User(Argument<'a>),
    /// `PASS string` (RFC 1939 §7): the password for the mailbox named by
    /// `USER`.
    Pass(Password<'a>),
    /// `APOP name digest` (RFC 1939 §7): names the mailbox and proves the
    /// shared secret with an MD5 digest of the greeting's timestamp.
    Apop {
        /// The mailbox.
        name: Argument<'a>,
        /// MD5 of the timestamp followed by the shared secret.
        digest: Digest,
    },
    /// `AUTH mechanism [initial-response]` (RFC 5034 §4): starts a SASL
    /// exchange.
    Auth {
        /// The SASL mechanism.
        mechanism: Mechanism<'a>,
        /// The client's first response, sent with the command. An empty
        /// response is written `=`.
        initial_response: Option<SaslData<'a>>,
    },
    /// `AUTH` with no argument: asks for the list of SASL mechanisms (an
    /// older form, from before `CAPA`'s `SASL` tag, that servers still
    /// answer).
    AuthList,
    /// `STAT` (RFC 1939 §5): the number and total size of messages.
    Stat,
    /// `LIST [msg]` (RFC 1939 §5): sizes of all messages, or of one.
    List(Option<MessageNumber>),
    /// `RETR msg` (RFC 1939 §5): a whole message.
    Retr(MessageNumber),
    /// `DELE msg` (RFC 1939 §5): marks a message as deleted.
    Dele(MessageNumber),
    /// `NOOP` (RFC 1939 §5).
    Noop,
    /// `RSET` (RFC 1939 §5): unmarks deleted messages.
    Rset,
    /// `QUIT` (RFC 1939 §4, §6): ends the session, deleting marked messages
    /// when in the TRANSACTION state.
    Quit,
    /// `TOP msg n` (RFC 1939 §7): the headers and first `n` body lines of a
    /// message.
    Top {
        /// The message.
        msg: MessageNumber,
        /// How many lines of the body.
        lines: u32,
    },
    /// `UIDL [msg]` (RFC 1939 §7): unique ids of all messages, or of one.
    Uidl(Option<MessageNumber>),
    /// `CAPA` (RFC 2449 §5): the server's capabilities.
    Capa,
    /// `STLS` (RFC 2595 §4): starts TLS.
    Stls,
    /// `UTF8` (RFC 6856 §2.1): enables UTF-8 mode.
    Utf8,
    /// `LANG [lang-or-wild]` (RFC 6856 §3): lists the languages the server
    /// supports, or picks one.
    Lang(Option<LanguageRange<'a>>),
    /// A command this crate does not know, with its arguments (each split at
    /// SP). Servers usually answer `-ERR`; applications may implement it.
    Unknown {
        /// The keyword, in uppercase.
        name: Keyword<'a>,
        /// The arguments.
        args: Vec<Argument<'a>>,
    },
}

impl Command<'_> {
    /// Which command this is.
    pub fn kind(&self) -> CommandKind {
        match self {
            Self::User(_) => CommandKind::User,
            Self::Pass(_) => CommandKind::Pass,
            Self::Apop { .. } => CommandKind::Apop,
            Self::Auth { .. } | Self::AuthList => CommandKind::Auth,
            Self::Stat => CommandKind::Stat,
            Self::List(_) => CommandKind::List,
            Self::Retr(_) => CommandKind::Retr,
            Self::Dele(_) => CommandKind::Dele,
            Self::Noop => CommandKind::Noop,
            Self::Rset => CommandKind::Rset,
            Self::Quit => CommandKind::Quit,
            Self::Top { .. } => CommandKind::Top,
            Self::Uidl(_) => CommandKind::Uidl,
            Self::Capa => CommandKind::Capa,
            Self::Stls => CommandKind::Stls,
            Self::Utf8 => CommandKind::Utf8,
            Self::Lang(_) => CommandKind::Lang,
            Self::Unknown { .. } => CommandKind::Unknown,
        }
    }

    /// The keyword as written on the wire (uppercase).
    pub fn keyword(&self) -> &[u8] {
        match self {
            Self::Unknown { name, .. } => name.as_bytes(),
            other => other.kind().keyword().as_bytes(),
        }
    }

    /// A copy that owns all its bytes.
    pub fn into_owned(self) -> Command<'static> {
        match self {
            Self::User(a) => Command::User(a.into_owned()),
            Self::Pass(p) => Command::Pass(p.into_owned()),
            Self::Apop { name, digest } => Command::Apop {
                name: name.into_owned(),
                digest,
            },
            Self::Auth {
                mechanism,
                initial_response,
            } => Command::Auth {
                mechanism: mechanism.into_owned(),
                initial_response: initial_response.map(SaslData::into_owned),
            },
            Self::AuthList => Command::AuthList,
            Self::Stat => Command::Stat,
            Self::List(m) => Command::List(m),
            Self::Retr(m) => Command::Retr(m),
            Self::Dele(m) => Command::Dele(m),
            Self::Noop => Command::Noop,
            Self::Rset => Command::Rset,
            Self::Quit => Command::Quit,
            Self::Top { msg, lines } => Command::Top { msg, lines },
            Self::Uidl(m) => Command::Uidl(m),
            Self::Capa => Command::Capa,
            Self::Stls => Command::Stls,
            Self::Utf8 => Command::Utf8,
            Self::Lang(l) => Command::Lang(l.map(LanguageRange::into_owned)),
            Self::Unknown { name, args } => Command::Unknown {
                name: name.into_owned(),
                args: args.into_iter().map(Argument::into_owned).collect(),
            },
        }
    }
}

/// Which command a [`Command`] is, without its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CommandKind {
    /// `USER`.
    User,
    /// `PASS`.
    Pass,
    /// `APOP`.
    Apop,
    /// `AUTH`, with or without a mechanism.
    Auth,
    /// `STAT`.
    Stat,
    /// `LIST`.
    List,
    /// `RETR`.
    Retr,
    /// `DELE`.
    Dele,
    /// `NOOP`.
    Noop,
    /// `RSET`.
    Rset,
    /// `QUIT`.
    Quit,
    /// `TOP`.
    Top,
    /// `UIDL`.
    Uidl,
    /// `CAPA`.
    Capa,
    /// `STLS`.
    Stls,
    /// `UTF8`.
    Utf8,
    /// `LANG`.
    Lang,
    /// A command this crate does not know.
    Unknown,
}

impl CommandKind {
    /// Every known command, in the order of the variants.
    pub const KNOWN: [Self; 17] = [
        Self::User,
        Self::Pass,
        Self::Apop,
        Self::Auth,
        Self::Stat,
        Self::List,
        Self::Retr,
        Self::Dele,
        Self::Noop,
        Self::Rset,
        Self::Quit,
        Self::Top,
        Self::Uidl,
        Self::Capa,
        Self::Stls,
        Self::Utf8,
        Self::Lang,
    ];

    /// The keyword in uppercase; `""` for [`CommandKind::Unknown`].
    pub const fn keyword(self) -> &'static str {
        match self {
            Self::User => "USER",
            Self::Pass => "PASS",
            Self::Apop => "APOP",
            Self::Auth => "AUTH",
            Self::Stat => "STAT",
            Self::List => "LIST",
            Self::Retr => "RETR",
            Self::Dele => "DELE",
            Self::Noop => "NOOP",
            Self::Rset => "RSET",
            Self::Quit => "QUIT",
            Self::Top => "TOP",
            Self::Uidl => "UIDL",
            Self::Capa => "CAPA",
            Self::Stls => "STLS",
            Self::Utf8 => "UTF8",
            Self::Lang => "LANG",
            Self::Unknown => "",
        }
    }

    /// The known command whose keyword is `word`, compared without regard
    /// to case (RFC 1939 §3).
    pub fn from_keyword(word: &[u8]) -> Option<Self> {
        Self::KNOWN
            .into_iter()
            .find(|k| k.keyword().as_bytes().eq_ignore_ascii_case(word))
    }
}

/// One line the client sends during an `AUTH` exchange (RFC 5034 §4):
/// a Base64 response to the server's challenge, or `*` to cancel.
///
/// ```text
/// auth-command    = "AUTH" SP sasl-mech [SP initial-response]
///                   *(CRLF [base64]) [CRLF cancel-response] CRLF
/// cancel-response = "*"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SaslResponse<'a> {
    /// A response (possibly empty).
    Data(SaslData<'a>),
    /// `*`: the client cancels the exchange.
    Cancel,
}

impl SaslResponse<'_> {
    /// A copy that owns all its bytes.
    pub fn into_owned(self) -> SaslResponse<'static> {
        match self {
            Self::Data(d) => SaslResponse::Data(d.into_owned()),
            Self::Cancel => SaslResponse::Cancel,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_refuse_framing_bytes() {
        for bad in [&b"a b"[..], b"a\rb", b"a\nb", b"a\0b", b""] {
            assert!(Argument::new(bad).is_err(), "{bad:?}");
            assert!(Keyword::new(bad).is_err(), "{bad:?}");
            assert!(LanguageRange::new(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            Argument::new(&b"ab\r"[..]),
            Err(ValueError::ForbiddenByte {
                offset: 2,
                byte: b'\r'
            })
        );
        assert!(Argument::new("naïve".as_bytes()).is_ok());
        assert!(Password::new(&b"with space"[..]).is_ok());
        for bad in [&b"a\rb"[..], b"a\nb", b"a\0b", b""] {
            assert!(Password::new(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn keywords_are_uppercase_and_never_known() {
        assert_eq!(Keyword::try_from("Xtnd").unwrap().as_bytes(), b"XTND");
        assert_eq!(
            Keyword::try_from("pass"),
            Err(ValueError::KnownKeyword("PASS"))
        );
        for kind in CommandKind::KNOWN {
            assert_eq!(
                CommandKind::from_keyword(kind.keyword().to_lowercase().as_bytes()),
                Some(kind)
            );
        }
        assert_eq!(CommandKind::from_keyword(b""), None);
    }

    #[test]
    fn digest_hex() {
        let d = Digest::from_hex(b"C4C9334BAC560ECC979E58001B3E22FB").unwrap();
        assert_eq!(&d.to_hex(), b"c4c9334bac560ecc979e58001b3e22fb");
        assert_eq!(
            Digest::from_hex(b"c4c9334bac560ecc979e58001b3e22fg"),
            Err(ValueError::Syntax {
                what: "digest",
                offset: 31
            })
        );
        assert!(Digest::from_hex(b"c4c9334bac560ecc979e58001b3e22fb0").is_err());
    }

    #[test]
    fn base64_grammar() {
        for good in ["", "AA==", "AAA=", "AAAA", "AAAAAA==", "+/09", "dGVzdA=="] {
            assert!(SaslData::try_from(good).is_ok(), "{good}");
        }
        for bad in [
            "=", "A", "AA", "AAA", "A===", "====", "=AAA", "AAA=BBBB", "AA=A", "AAAA=", "AA AA",
            "AA-_",
        ] {
            assert!(SaslData::try_from(bad).is_err(), "{bad}");
        }
        assert_eq!(SaslData::try_from("AB==").unwrap().decode(), [0]);
        assert_eq!(SaslData::empty().decode(), b"");
    }

    #[test]
    fn mechanism_names() {
        assert_eq!(Mechanism::try_from("PLAIN").unwrap().as_str(), "PLAIN");
        assert_eq!(
            Mechanism::try_from("x-oauth2").unwrap(),
            Mechanism::try_from("X-OAUTH2").unwrap()
        );
        assert!(Mechanism::try_from("").is_err());
        assert!(Mechanism::try_from("ABCDEFGHIJKLMNOPQRSTU").is_err());
        assert!(Mechanism::try_from("ABCDEFGHIJKLMNOPQRST").is_ok());
        assert!(Mechanism::try_from("A.B").is_err());
    }

    #[test]
    fn secrets_are_redacted() {
        let cmd = Command::Pass(Password::try_from("hunter2").unwrap());
        assert!(!format!("{cmd:?}").contains("hunter2"));
        let cmd = Command::Auth {
            mechanism: Mechanism::try_from("PLAIN").unwrap(),
            initial_response: Some(SaslData::encode(b"\0u\0hunter2")),
        };
        let shown = format!("{cmd:?}");
        assert!(!shown.contains("aHVudGVy"), "{shown}");
    }
}
