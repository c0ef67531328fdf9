//! What a server sends: status lines, extended response codes, the
//! greeting, SASL challenges and the typed bodies of multi-line responses.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;

use super::{Argument, Mechanism, MessageNumber, SaslData, ValueError, forbidden};

/// The status indicator that starts every response (RFC 1939 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// `+OK`: the command succeeded.
    Ok,
    /// `-ERR`: the command failed.
    Err,
}

impl Status {
    /// The indicator as written on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "+OK",
            Self::Err => "-ERR",
        }
    }
}

/// Human-readable text after a status, a capability tag or a language tag:
/// any octets but CR, LF and NUL, possibly none.
///
/// The bytes are kept as they came (RFC 6856 lets UTF-8 in), without
/// assuming an encoding.
///
/// ```
/// use mailwire_pop3::types::Text;
/// assert_eq!(Text::try_from("2 messages (320 octets)").unwrap().as_bytes(), b"2 messages (320 octets)");
/// assert!(Text::try_from("two\r\nlines").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Text<'a>(Cow<'a, [u8]>);

impl<'a> Text<'a> {
    /// Validates `bytes`: no CR, LF or NUL.
    pub fn new(bytes: impl Into<Cow<'a, [u8]>>) -> Result<Self, ValueError> {
        let bytes = bytes.into();
        forbidden(&bytes, true)?;
        Ok(Self(bytes))
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

    /// True when there is no text.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> Text<'static> {
        Text(Cow::Owned(self.0.into_owned()))
    }
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

/// `rchar = %x21-2E / %x30-5C / %x5E-7F` (RFC 2449 §3): printable ASCII but
/// `/` and `]`.
fn rchar(b: u8) -> bool {
    matches!(b, 0x21..=0x2e | 0x30..=0x5c | 0x5e..=0x7f)
}

/// Checks `resp-level *("/" resp-level)` with `resp-level = 1*rchar`
/// (RFC 2449 §3): the inside of a response code's brackets.
fn code_levels(code: &[u8]) -> Result<(), ValueError> {
    let bad = |offset| ValueError::Syntax {
        what: "response code",
        offset,
    };
    let mut level_len = 0usize;
    for (i, &b) in code.iter().enumerate() {
        if b == b'/' {
            if level_len == 0 {
                return Err(bad(i));
            }
            level_len = 0;
        } else if rchar(b) {
            level_len += 1;
        } else {
            return Err(bad(i));
        }
    }
    if level_len == 0 {
        return Err(bad(code.len()));
    }
    Ok(())
}

/// An extended response code (RFC 2449 §8), the part between `[` and `]`
/// at the start of a response's text.
///
/// Codes are case-insensitive; the codes this crate knows are typed and
/// written in uppercase. Any other code, such as one with hierarchical
/// detail the crate does not know (`[SYS/TEMP/DISK]`), is kept as sent in
/// [`ResponseCode::Other`]; [`without_detail`](Self::without_detail) drops
/// that detail, as RFC 2449 §8 asks clients to ("Clients MUST ignore
/// unknown hierarchical detail").
///
/// ```
/// use mailwire_pop3::types::ResponseCode;
/// assert_eq!(ResponseCode::parse(b"in-use").unwrap(), ResponseCode::InUse);
/// let detailed = ResponseCode::parse(b"SYS/TEMP/DISK").unwrap();
/// assert!(matches!(detailed, ResponseCode::Other(_)));
/// assert_eq!(detailed.without_detail(), Some(ResponseCode::SysTemp));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResponseCode<'a> {
    /// `IN-USE` (RFC 2449 §8.1.2): authenticated, but the maildrop is in
    /// use.
    InUse,
    /// `LOGIN-DELAY` (RFC 2449 §8.1.1): logged in too recently.
    LoginDelay,
    /// `SYS/TEMP` (RFC 3206 §4): a temporary system problem.
    SysTemp,
    /// `SYS/PERM` (RFC 3206 §4): a permanent system problem.
    SysPerm,
    /// `AUTH` (RFC 3206 §5): the credentials are wrong.
    Auth,
    /// `UTF8` (RFC 6856 §5): the message needs UTF-8 mode.
    Utf8,
    /// Any other code, kept as sent.
    Other(OtherCode<'a>),
}

impl<'a> ResponseCode<'a> {
    /// The codes this crate types, with their wire form.
    const KNOWN: [(&'static str, ResponseCode<'static>); 6] = [
        ("IN-USE", ResponseCode::InUse),
        ("LOGIN-DELAY", ResponseCode::LoginDelay),
        ("SYS/TEMP", ResponseCode::SysTemp),
        ("SYS/PERM", ResponseCode::SysPerm),
        ("AUTH", ResponseCode::Auth),
        ("UTF8", ResponseCode::Utf8),
    ];

    /// Reads the inside of a response code's brackets:
    /// `resp-level *("/" resp-level)` (RFC 2449 §3).
    pub fn parse(code: &'a [u8]) -> Result<Self, ValueError> {
        code_levels(code)?;
        Ok(Self::known(code).unwrap_or(Self::Other(OtherCode(Cow::Borrowed(code)))))
    }

    /// The known code written `code` (any case).
    fn known(code: &[u8]) -> Option<ResponseCode<'static>> {
        Self::KNOWN
            .iter()
            .find(|(name, _)| name.as_bytes().eq_ignore_ascii_case(code))
            .map(|(_, c)| c.clone())
    }

    /// The code as written on the wire, without brackets.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Other(other) => &other.0,
            known => Self::KNOWN
                .iter()
                .find(|(_, c)| c == known)
                .map_or(&b""[..], |(name, _)| name.as_bytes()),
        }
    }

    /// The levels of the code, split at `/`.
    pub fn levels(&self) -> impl Iterator<Item = &[u8]> {
        self.as_bytes().split(|&b| b == b'/')
    }

    /// The known code this one refines, once unknown hierarchical detail is
    /// dropped (RFC 2449 §8): `SYS/TEMP/DISK` gives `SYS/TEMP`, `IN-USE/X`
    /// gives `IN-USE`. A known code gives itself; a code with no known
    /// prefix gives `None`.
    pub fn without_detail(&self) -> Option<ResponseCode<'static>> {
        let bytes = self.as_bytes();
        let mut end = bytes.len();
        loop {
            if let Some(known) = bytes.get(..end).and_then(Self::known) {
                return Some(known);
            }
            end = memchr::memrchr(b'/', bytes.get(..end)?)?;
        }
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> ResponseCode<'static> {
        match self {
            Self::InUse => ResponseCode::InUse,
            Self::LoginDelay => ResponseCode::LoginDelay,
            Self::SysTemp => ResponseCode::SysTemp,
            Self::SysPerm => ResponseCode::SysPerm,
            Self::Auth => ResponseCode::Auth,
            Self::Utf8 => ResponseCode::Utf8,
            Self::Other(o) => ResponseCode::Other(OtherCode(Cow::Owned(o.0.into_owned()))),
        }
    }
}

/// A response code this crate does not type (RFC 2449 §3:
/// `resp-level *("/" resp-level)`), kept as sent.
///
/// It is never one of the typed codes (compared without regard to case),
/// so a code always decodes back to the variant it was built as.
///
/// ```
/// use mailwire_pop3::types::OtherCode;
/// assert_eq!(OtherCode::new(&b"SYS/TEMP/DISK"[..]).unwrap().as_bytes(), b"SYS/TEMP/DISK");
/// assert!(OtherCode::new(&b"sys/temp"[..]).is_err()); // typed: ResponseCode::SysTemp
/// assert!(OtherCode::new(&b"A//B"[..]).is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct OtherCode<'a>(Cow<'a, [u8]>);

impl<'a> OtherCode<'a> {
    /// Validates `code`: the response-code grammar, and not a typed code.
    pub fn new(code: impl Into<Cow<'a, [u8]>>) -> Result<Self, ValueError> {
        let code = code.into();
        code_levels(&code)?;
        if ResponseCode::known(&code).is_some() {
            return Err(ValueError::Syntax {
                what: "untyped response code",
                offset: 0,
            });
        }
        Ok(Self(code))
    }

    /// The code as sent.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for OtherCode<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(&self.0))
    }
}

/// Splits a response code off the start of `text`: `"[" code "]"`, then
/// one SP if there is one. `None` when the text does not start with a
/// valid code (RFC 2449 §3: `text = *schar / resp-code *CHAR`).
pub(crate) fn split_code(text: &[u8]) -> Option<(ResponseCode<'_>, &[u8])> {
    let inner = text.strip_prefix(b"[")?;
    let close = memchr::memchr(b']', inner)?;
    let code = ResponseCode::parse(inner.get(..close)?).ok()?;
    let rest = inner.get(close + 1..)?;
    Some((code, rest.strip_prefix(b" ").unwrap_or(rest)))
}

/// A one-line response: a status, an optional extended response code and
/// text (RFC 1939 §3, RFC 2449 §3):
///
/// ```text
/// single-line = status [SP text] CRLF       ;512 octets maximum
/// text        = *schar / resp-code *CHAR
/// ```
///
/// Text without a code never starts with something that reads as a code,
/// so the response decodes back to itself.
///
/// ```
/// use mailwire_pop3::types::{Response, ResponseCode, Status, Text};
/// use mailwire_pop3::encode::Encode;
/// let r = Response::new(Status::Err, Some(ResponseCode::InUse),
///     Text::try_from("Do you have another POP session running?").unwrap()).unwrap();
/// assert_eq!(r.to_bytes(), b"-ERR [IN-USE] Do you have another POP session running?\r\n");
/// assert!(Response::new(Status::Ok, None, Text::try_from("[AUTH] x").unwrap()).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Response<'a> {
    status: Status,
    code: Option<ResponseCode<'a>>,
    text: Text<'a>,
}

impl<'a> Response<'a> {
    /// A response; refuses text that would be read as a response code when
    /// `code` is `None`.
    pub fn new(
        status: Status,
        code: Option<ResponseCode<'a>>,
        text: Text<'a>,
    ) -> Result<Self, ValueError> {
        if code.is_none() && split_code(text.as_bytes()).is_some() {
            return Err(ValueError::Syntax {
                what: "response text (starts with a response code)",
                offset: 0,
            });
        }
        Ok(Self { status, code, text })
    }

    /// Splits the response code off the text as the decoder does.
    pub(crate) fn from_line_text(status: Status, text: &'a [u8]) -> Result<Self, ValueError> {
        let (code, text) = match split_code(text) {
            Some((code, rest)) => (Some(code), rest),
            None => (None, text),
        };
        Ok(Self {
            status,
            code,
            text: Text::new(text)?,
        })
    }

    /// `+OK` with `text` and no code.
    pub fn ok(text: &'a str) -> Result<Self, ValueError> {
        Self::new(Status::Ok, None, Text::try_from(text)?)
    }

    /// `-ERR` with `text` and no code.
    pub fn err(text: &'a str) -> Result<Self, ValueError> {
        Self::new(Status::Err, None, Text::try_from(text)?)
    }

    /// The status.
    pub fn status(&self) -> Status {
        self.status
    }

    /// True for `+OK`.
    pub fn is_ok(&self) -> bool {
        self.status == Status::Ok
    }

    /// The extended response code, if any.
    pub fn code(&self) -> Option<&ResponseCode<'a>> {
        self.code.as_ref()
    }

    /// The text after the status (and after the code, if any).
    pub fn text(&self) -> &Text<'a> {
        &self.text
    }

    /// The reply to `STAT` (RFC 1939 §5, "drop listing"): `+OK nn mm`, the
    /// number of messages and their total size. Anything after the size is
    /// ignored.
    pub fn drop_listing(&self) -> Option<DropListing> {
        let (count, size) = two_numbers(self.ok_text()?)?;
        Some(DropListing {
            count: u32::try_from(count).ok()?,
            size,
        })
    }

    /// The reply to `LIST msg` (RFC 1939 §5): `+OK msg size`.
    pub fn scan_listing(&self) -> Option<ScanListing> {
        ScanListing::parse(self.ok_text()?).ok()
    }

    /// The reply to `UIDL msg` (RFC 1939 §7): `+OK msg unique-id`.
    pub fn unique_id_listing(&self) -> Option<UniqueIdListing<'_>> {
        UniqueIdListing::parse(self.ok_text()?).ok()
    }

    fn ok_text(&self) -> Option<&[u8]> {
        (self.status == Status::Ok && self.code.is_none()).then_some(self.text.as_bytes())
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> Response<'static> {
        Response {
            status: self.status,
            code: self.code.map(ResponseCode::into_owned),
            text: self.text.into_owned(),
        }
    }
}

/// `1*DIGIT SP 1*DIGIT` at the start of `text`, anything after one more SP
/// ignored.
fn two_numbers(text: &[u8]) -> Option<(u64, u64)> {
    let mut words = text.splitn(3, |&b| b == b' ');
    let a = decimal(words.next()?)?;
    let b = decimal(words.next()?)?;
    Some((a, b))
}

/// `1*DIGIT` as a `u64`.
pub(crate) fn decimal(word: &[u8]) -> Option<u64> {
    if word.is_empty() {
        return None;
    }
    word.iter().try_fold(0u64, |n, &d| {
        d.is_ascii_digit()
            .then_some(())
            .and_then(|()| n.checked_mul(10))
            .and_then(|n| n.checked_add(u64::from(d - b'0')))
    })
}

/// The reply to `STAT` (RFC 1939 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DropListing {
    /// Number of messages in the maildrop.
    pub count: u32,
    /// Their total size in octets.
    pub size: u64,
}

/// The server's greeting (RFC 1939 §4, RFC 2449 §3):
///
/// ```text
/// greeting  = "+OK" [resp-code] *gchar [timestamp] *gchar CRLF
/// timestamp = "<" *VCHAR ">"
/// ```
///
/// A server that refuses the connection may greet with `-ERR`; that is
/// kept too.
///
/// ```
/// use mailwire_pop3::types::{Greeting, Response};
/// let g = Greeting::new(Response::ok("POP3 server ready <1896.697170952@dbc.mtview.ca.us>").unwrap());
/// assert_eq!(g.timestamp(), Some(&b"<1896.697170952@dbc.mtview.ca.us>"[..]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Greeting<'a>(Response<'a>);

impl<'a> Greeting<'a> {
    /// The greeting made of `response`.
    pub const fn new(response: Response<'a>) -> Self {
        Self(response)
    }

    /// The response line.
    pub fn response(&self) -> &Response<'a> {
        &self.0
    }

    /// The response line, by value.
    pub fn into_response(self) -> Response<'a> {
        self.0
    }

    /// The APOP timestamp (RFC 1939 §7), angle brackets included, as the
    /// digest covers them: the first `<`, up to the next `>`, with only
    /// visible characters between. `None` when the server offers no APOP.
    pub fn timestamp(&self) -> Option<&[u8]> {
        let text = self.0.text.as_bytes();
        let open = memchr::memchr(b'<', text)?;
        let rest = text.get(open + 1..)?;
        let close = memchr::memchr(b'>', rest)?;
        let inside = rest.get(..close)?;
        if inside.iter().any(|&b| b <= b' ' || b == 0x7f || b == b'<') {
            return None;
        }
        text.get(open..open + close + 2)
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> Greeting<'static> {
        Greeting(self.0.into_owned())
    }
}

/// A server challenge during `AUTH` (RFC 5034 §4, §5):
/// `continue-req = "+" SP [base64] CRLF`. The empty challenge is `+ `.
///
/// ```
/// use mailwire_pop3::types::{Challenge, SaslData};
/// use mailwire_pop3::encode::Encode;
/// assert_eq!(Challenge::new(SaslData::empty()).to_bytes(), b"+ \r\n");
/// assert_eq!(Challenge::new(SaslData::encode(b"hi")).to_bytes(), b"+ aGk=\r\n");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Challenge<'a>(SaslData<'a>);

impl<'a> Challenge<'a> {
    /// The challenge carrying `data`.
    pub const fn new(data: SaslData<'a>) -> Self {
        Self(data)
    }

    /// The Base64 data.
    pub fn data(&self) -> &SaslData<'a> {
        &self.0
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> Challenge<'static> {
        Challenge(self.0.into_owned())
    }
}

/// One line of the reply to `LIST` (RFC 1939 §5, "scan listing"):
/// `msg SP size`.
///
/// ```
/// use mailwire_pop3::types::ScanListing;
/// let s = ScanListing::parse(b"2 200").unwrap();
/// assert_eq!((s.msg.get(), s.size), (2, 200));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScanListing {
    /// The message.
    pub msg: MessageNumber,
    /// Its exact size in octets.
    pub size: u64,
}

impl ScanListing {
    /// Reads `msg SP size`; what follows another SP is ignored, as RFC 1939
    /// §5 lets servers add information there.
    pub fn parse(line: &[u8]) -> Result<Self, ValueError> {
        let bad = |offset| ValueError::Syntax {
            what: "scan listing",
            offset,
        };
        let sp = memchr::memchr(b' ', line).ok_or(bad(line.len()))?;
        let msg = line
            .get(..sp)
            .and_then(decimal)
            .and_then(|n| u32::try_from(n).ok())
            .and_then(MessageNumber::new)
            .ok_or(bad(0))?;
        let rest = line.get(sp + 1..).unwrap_or_default();
        let end = memchr::memchr(b' ', rest).unwrap_or(rest.len());
        let size = rest.get(..end).and_then(decimal).ok_or(bad(sp + 1))?;
        Ok(Self { msg, size })
    }
}

/// A unique-id (RFC 1939 §7): 1 to 70 characters in the range 0x21 to
/// 0x7E, which the server keeps for a message across sessions.
///
/// ```
/// use mailwire_pop3::types::UniqueId;
/// assert!(UniqueId::new(&b"QhdPYR:00WBw1Ph7x7"[..]).is_ok());
/// assert!(UniqueId::new(&b"has space"[..]).is_err());
/// assert!(UniqueId::new(vec![b'a'; 71]).is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct UniqueId<'a>(Cow<'a, [u8]>);

impl<'a> UniqueId<'a> {
    /// Validates `id`: 1 to 70 octets, each 0x21 to 0x7E.
    pub fn new(id: impl Into<Cow<'a, [u8]>>) -> Result<Self, ValueError> {
        let id = id.into();
        if let Some(offset) = id.iter().position(|b| !(0x21..=0x7e).contains(b)) {
            return Err(ValueError::Syntax {
                what: "unique-id",
                offset,
            });
        }
        if id.is_empty() || id.len() > 70 {
            return Err(ValueError::Syntax {
                what: "unique-id",
                offset: id.len().min(70),
            });
        }
        Ok(Self(id))
    }

    /// The id's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The id as `&str` (always ASCII).
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> UniqueId<'static> {
        UniqueId(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Debug for UniqueId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

/// One line of the reply to `UIDL` (RFC 1939 §7, "unique-id listing"):
/// `msg SP unique-id`.
///
/// ```
/// use mailwire_pop3::types::UniqueIdListing;
/// let u = UniqueIdListing::parse(b"1 whqtswO00WBw418f9t5JxYwZ").unwrap();
/// assert_eq!(u.msg.get(), 1);
/// assert_eq!(u.uid.as_str(), "whqtswO00WBw418f9t5JxYwZ");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UniqueIdListing<'a> {
    /// The message.
    pub msg: MessageNumber,
    /// Its unique-id.
    pub uid: UniqueId<'a>,
}

impl<'a> UniqueIdListing<'a> {
    /// Reads `msg SP unique-id`.
    pub fn parse(line: &'a [u8]) -> Result<Self, ValueError> {
        let sp = memchr::memchr(b' ', line).ok_or(ValueError::Syntax {
            what: "unique-id listing",
            offset: line.len(),
        })?;
        let msg = line
            .get(..sp)
            .and_then(decimal)
            .and_then(|n| u32::try_from(n).ok())
            .and_then(MessageNumber::new)
            .ok_or(ValueError::Syntax {
                what: "unique-id listing",
                offset: 0,
            })?;
        let uid = UniqueId::new(line.get(sp + 1..).unwrap_or_default()).map_err(|e| match e {
            ValueError::Syntax { what, offset } => ValueError::Syntax {
                what,
                offset: sp + 1 + offset,
            },
            other => other,
        })?;
        Ok(Self { msg, uid })
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> UniqueIdListing<'static> {
        UniqueIdListing {
            msg: self.msg,
            uid: self.uid.into_owned(),
        }
    }
}

/// How long the server keeps messages (RFC 2449 §6.7, `EXPIRE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Expiry {
    /// At least this many days (0: the client may not leave mail on the
    /// server).
    Days(u32),
    /// `NEVER`: the server does not delete messages.
    Never,
}

/// One line of the reply to `CAPA` (RFC 2449 §5, §6; RFC 2595 §4;
/// RFC 5034 §3; RFC 6856 §2, §3):
///
/// ```text
/// capability = capa-tag *(SP param) CRLF   ;512 octets maximum
/// ```
///
/// Tags are case-insensitive. A line with a known tag whose parameters do
/// not fit that tag's definition is kept as [`Capability::Other`].
///
/// ```
/// use mailwire_pop3::types::{Capability, Expiry};
/// assert_eq!(Capability::parse(b"EXPIRE 5 USER").unwrap(),
///     Capability::Expire { expiry: Expiry::Days(5), per_user: true });
/// assert_eq!(Capability::parse(b"login-delay 900").unwrap(),
///     Capability::LoginDelay { seconds: 900, per_user: false });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Capability<'a> {
    /// `TOP` (RFC 2449 §6.1).
    Top,
    /// `USER` (RFC 2449 §6.2): `USER`/`PASS` are accepted.
    User,
    /// `SASL mech...` (RFC 2449 §6.3, RFC 5034 §3).
    Sasl(Vec<Mechanism<'a>>),
    /// `RESP-CODES` (RFC 2449 §6.4).
    RespCodes,
    /// `LOGIN-DELAY n [USER]` (RFC 2449 §6.5).
    LoginDelay {
        /// Minimum seconds between logins.
        seconds: u32,
        /// `USER`: the value may differ per user.
        per_user: bool,
    },
    /// `PIPELINING` (RFC 2449 §6.6).
    Pipelining,
    /// `EXPIRE n|NEVER [USER]` (RFC 2449 §6.7).
    Expire {
        /// How long messages are kept.
        expiry: Expiry,
        /// `USER`: the value may differ per user.
        per_user: bool,
    },
    /// `UIDL` (RFC 2449 §6.8).
    Uidl,
    /// `IMPLEMENTATION text` (RFC 2449 §6.9): the rest of the line.
    Implementation(Text<'a>),
    /// `STLS` (RFC 2595 §4).
    Stls,
    /// `UTF8 [USER]` (RFC 6856 §2).
    Utf8 {
        /// `USER`: UTF-8 user names and passwords are accepted.
        user: bool,
    },
    /// `LANG` (RFC 6856 §3).
    Lang,
    /// Any other capability, kept as sent.
    Other(OtherCapability<'a>),
}

/// The tags of the capabilities that take no parameter.
const PLAIN_TAGS: [&str; 7] = [
    "TOP",
    "USER",
    "RESP-CODES",
    "PIPELINING",
    "UIDL",
    "STLS",
    "LANG",
];

/// Parameters split at SP, empty ones (from repeated SPs) skipped.
fn words(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    bytes.split(|&b| b == b' ').filter(|w| !w.is_empty())
}

impl<'a> Capability<'a> {
    /// Reads one capability line (without its CRLF, after dot-unstuffing).
    pub fn parse(line: &'a [u8]) -> Result<Self, ValueError> {
        forbidden(line, true)?;
        let tag_end = memchr::memchr(b' ', line).unwrap_or(line.len());
        let tag = line.get(..tag_end).unwrap_or_default();
        let after = line.get(tag_end + 1..).unwrap_or_default();
        if let Some(typed) = Self::typed(tag, after) {
            return Ok(typed);
        }
        let tag = Argument::new(tag)?;
        let params = words(after)
            .map(Argument::new)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::Other(OtherCapability { tag, params }))
    }

    /// The typed capability for `tag` and the bytes after its SP, when the
    /// parameters fit its definition.
    fn typed(tag: &'a [u8], after: &'a [u8]) -> Option<Self> {
        let is = |name: &str| tag.eq_ignore_ascii_case(name.as_bytes());
        let user = |w: &[u8]| w.eq_ignore_ascii_case(b"USER");
        if is("IMPLEMENTATION") {
            return Text::new(after).ok().map(Self::Implementation);
        }
        let params: Vec<&[u8]> = words(after).collect();
        let seconds = |w: &[u8]| decimal(w).and_then(|n| u32::try_from(n).ok());
        let typed = match params.as_slice() {
            [] if PLAIN_TAGS.iter().any(|t| is(t)) => match () {
                () if is("TOP") => Self::Top,
                () if is("USER") => Self::User,
                () if is("RESP-CODES") => Self::RespCodes,
                () if is("PIPELINING") => Self::Pipelining,
                () if is("UIDL") => Self::Uidl,
                () if is("STLS") => Self::Stls,
                () => Self::Lang,
            },
            mechs if is("SASL") => Self::Sasl(
                mechs
                    .iter()
                    .map(|m| Mechanism::new(*m))
                    .collect::<Result<_, _>>()
                    .ok()?,
            ),
            [n, rest @ ..] if is("LOGIN-DELAY") => Self::LoginDelay {
                seconds: seconds(n)?,
                per_user: match rest {
                    [] => false,
                    [u] if user(u) => true,
                    _ => return None,
                },
            },
            [n, rest @ ..] if is("EXPIRE") => Self::Expire {
                expiry: if n.eq_ignore_ascii_case(b"NEVER") {
                    Expiry::Never
                } else {
                    Expiry::Days(seconds(n)?)
                },
                per_user: match rest {
                    [] => false,
                    [u] if user(u) => true,
                    _ => return None,
                },
            },
            [] if is("UTF8") => Self::Utf8 { user: false },
            [u] if is("UTF8") && user(u) => Self::Utf8 { user: true },
            _ => return None,
        };
        Some(typed)
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> Capability<'static> {
        match self {
            Self::Top => Capability::Top,
            Self::User => Capability::User,
            Self::Sasl(m) => Capability::Sasl(m.into_iter().map(Mechanism::into_owned).collect()),
            Self::RespCodes => Capability::RespCodes,
            Self::LoginDelay { seconds, per_user } => Capability::LoginDelay { seconds, per_user },
            Self::Pipelining => Capability::Pipelining,
            Self::Expire { expiry, per_user } => Capability::Expire { expiry, per_user },
            Self::Uidl => Capability::Uidl,
            Self::Implementation(t) => Capability::Implementation(t.into_owned()),
            Self::Stls => Capability::Stls,
            Self::Utf8 { user } => Capability::Utf8 { user },
            Self::Lang => Capability::Lang,
            Self::Other(o) => Capability::Other(OtherCapability {
                tag: o.tag.into_owned(),
                params: o.params.into_iter().map(Argument::into_owned).collect(),
            }),
        }
    }
}

/// A capability this crate does not type: its tag and parameters, kept as
/// sent (RFC 2449 §3: `capa-tag *(SP param)`).
///
/// It never has the form of a typed capability, so it decodes back to
/// itself.
///
/// ```
/// use mailwire_pop3::types::{Argument, OtherCapability};
/// let x = OtherCapability::new(Argument::try_from("X-FOO").unwrap(), vec![]).unwrap();
/// assert_eq!(x.tag().as_bytes(), b"X-FOO");
/// assert!(OtherCapability::new(Argument::try_from("top").unwrap(), vec![]).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OtherCapability<'a> {
    tag: Argument<'a>,
    params: Vec<Argument<'a>>,
}

impl<'a> OtherCapability<'a> {
    /// A capability with this tag and parameters, refused when it has the
    /// form of a typed [`Capability`].
    pub fn new(tag: Argument<'a>, params: Vec<Argument<'a>>) -> Result<Self, ValueError> {
        let mut after = Vec::new();
        for (i, p) in params.iter().enumerate() {
            if i > 0 {
                after.push(b' ');
            }
            after.extend_from_slice(p.as_bytes());
        }
        if Capability::typed(tag.as_bytes(), &after).is_some() {
            return Err(ValueError::Syntax {
                what: "untyped capability",
                offset: 0,
            });
        }
        Ok(Self { tag, params })
    }

    /// The tag, as sent.
    pub fn tag(&self) -> &Argument<'a> {
        &self.tag
    }

    /// The parameters.
    pub fn params(&self) -> &[Argument<'a>] {
        &self.params
    }
}

/// One line of the reply to `LANG` without an argument (RFC 6856 §3.2,
/// "language listing"): a language tag, optionally followed by SP and a
/// description.
///
/// ```
/// use mailwire_pop3::types::Language;
/// let l = Language::parse(b"en-boont English Boontling dialect").unwrap();
/// assert_eq!(l.tag.as_bytes(), b"en-boont");
/// assert_eq!(l.description.as_bytes(), b"English Boontling dialect");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Language<'a> {
    /// The language tag (RFC 5646).
    pub tag: Argument<'a>,
    /// Its name in the language itself (UTF-8), possibly empty.
    pub description: Text<'a>,
}

impl<'a> Language<'a> {
    /// Reads `tag [SP description]`.
    pub fn parse(line: &'a [u8]) -> Result<Self, ValueError> {
        let sp = memchr::memchr(b' ', line).unwrap_or(line.len());
        let tag = Argument::new(line.get(..sp).unwrap_or_default())?;
        let description =
            Text::new(line.get(sp + 1..).unwrap_or_default()).map_err(|e| match e {
                ValueError::ForbiddenByte { offset, byte } => ValueError::ForbiddenByte {
                    offset: sp + 1 + offset,
                    byte,
                },
                other => other,
            })?;
        Ok(Self { tag, description })
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> Language<'static> {
        Language {
            tag: self.tag.into_owned(),
            description: self.description.into_owned(),
        }
    }
}

/// The lines of a multi-line response after its `+OK` line, typed by the
/// command that asked for them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Body<'a> {
    /// The reply to `CAPA` (RFC 2449 §5).
    Capa(Vec<Capability<'a>>),
    /// The reply to `LIST` (RFC 1939 §5).
    Scan(Vec<ScanListing>),
    /// The reply to `UIDL` (RFC 1939 §7).
    UniqueIds(Vec<UniqueIdListing<'a>>),
    /// The reply to `LANG` (RFC 6856 §3.2).
    Languages(Vec<Language<'a>>),
    /// The reply to `AUTH` without an argument: the SASL mechanisms.
    Mechanisms(Vec<Mechanism<'a>>),
    /// The reply to `RETR` or `TOP` (RFC 1939 §5, §7): the message, or its
    /// headers and first lines, octet for octet as the server has it
    /// (dot-stuffing removed, line ends kept, no encoding assumed).
    Message(Bytes),
}

impl Body<'_> {
    /// A copy that owns its bytes.
    pub fn into_owned(self) -> Body<'static> {
        match self {
            Self::Capa(v) => Body::Capa(v.into_iter().map(Capability::into_owned).collect()),
            Self::Scan(v) => Body::Scan(v),
            Self::UniqueIds(v) => {
                Body::UniqueIds(v.into_iter().map(UniqueIdListing::into_owned).collect())
            }
            Self::Languages(v) => {
                Body::Languages(v.into_iter().map(Language::into_owned).collect())
            }
            Self::Mechanisms(v) => {
                Body::Mechanisms(v.into_iter().map(Mechanism::into_owned).collect())
            }
            Self::Message(b) => Body::Message(b),
        }
    }
}

/// A multi-line response (RFC 1939 §3): a `+OK` line and a body.
///
/// ```text
/// multi-line = single-line *dot-stuffed "." CRLF
/// ```
///
/// The line is always `+OK`: a failed command gets a one-line `-ERR`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MultiLine<'a> {
    response: Response<'a>,
    body: Body<'a>,
}

impl<'a> MultiLine<'a> {
    /// A multi-line response; refuses a `-ERR` line.
    pub fn new(response: Response<'a>, body: Body<'a>) -> Result<Self, ValueError> {
        if !response.is_ok() {
            return Err(ValueError::Syntax {
                what: "multi-line response (status -ERR)",
                offset: 0,
            });
        }
        Ok(Self { response, body })
    }

    /// The `+OK` line.
    pub fn response(&self) -> &Response<'a> {
        &self.response
    }

    /// The body.
    pub fn body(&self) -> &Body<'a> {
        &self.body
    }

    /// The line and the body.
    pub fn into_parts(self) -> (Response<'a>, Body<'a>) {
        (self.response, self.body)
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> MultiLine<'static> {
        MultiLine {
            response: self.response.into_owned(),
            body: self.body.into_owned(),
        }
    }
}

/// A whole reply from the server, as the stateless decoder returns it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reply<'a> {
    /// The greeting (RFC 1939 §4).
    Greeting(Greeting<'a>),
    /// A one-line response; also the `-ERR` to a command whose success
    /// would have been multi-line.
    Single(Response<'a>),
    /// A SASL challenge during `AUTH` (RFC 5034 §4).
    Challenge(Challenge<'a>),
    /// A multi-line response.
    Multi(MultiLine<'a>),
}

impl Reply<'_> {
    /// A copy that owns its bytes.
    pub fn into_owned(self) -> Reply<'static> {
        match self {
            Self::Greeting(g) => Reply::Greeting(g.into_owned()),
            Self::Single(r) => Reply::Single(r.into_owned()),
            Self::Challenge(c) => Reply::Challenge(c.into_owned()),
            Self::Multi(m) => Reply::Multi(m.into_owned()),
        }
    }
}
