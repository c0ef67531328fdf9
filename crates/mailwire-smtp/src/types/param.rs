//! ESMTP parameters of `MAIL` and `RCPT` (RFC 5321 §4.1.2 `esmtp-param`),
//! typed for the extensions that define them.
//!
//! Each known parameter is a field of [`MailParams`] or [`RcptParams`],
//! on the command its RFC puts it on. Anything else is kept as an
//! [`OtherParam`] so a server can decide about it (`555` for an unsupported
//! one, RFC 5321 §4.1.1.11).

use std::borrow::Cow;
use std::fmt;

use super::ValueError;
use super::class;
use crate::xtext;

/// `esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")`
/// (RFC 5321 §4.1.2).
pub(crate) fn is_keyword(s: &[u8]) -> bool {
    s.first().is_some_and(u8::is_ascii_alphanumeric) && class::run(s, 0, class::KEYWORD) == s.len()
}

/// `esmtp-value = 1*(%d33-60 / %d62-126)` (RFC 5321 §4.1.2), with
/// `esmtp-value =/ UTF8-non-ascii` (RFC 6531 §3.3). Returns the offset of
/// the first byte that does not fit.
pub(crate) fn check_value(s: &[u8]) -> Result<(), usize> {
    if s.is_empty() {
        return Err(0);
    }
    match class::run(s, 0, class::VALUE) {
        i if i == s.len() => Ok(()),
        i => Err(i),
    }
}

/// Uppercases ASCII letters, borrowing when there are none to change.
pub(crate) fn upper(s: Cow<'_, str>) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_lowercase()) {
        Cow::Owned(s.to_ascii_uppercase())
    } else {
        s
    }
}

fn invalid(what: &'static str, offset: usize) -> ValueError {
    ValueError::Invalid { what, offset }
}

/// A non-empty `xtext` value (RFC 3461 §4), kept in its encoded wire form.
///
/// ```
/// use mailwire_smtp::types::XText;
/// let id = XText::from_octets(b"QQ314159 <x>").unwrap();
/// assert_eq!(id.as_str(), "QQ314159+20<x>");
/// assert_eq!(id.decode(), &b"QQ314159 <x>"[..]);
/// assert!(XText::new("a=b").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct XText<'a>(Cow<'a, str>);

impl<'a> XText<'a> {
    /// Validates `wire`, the encoded form.
    pub fn new(wire: impl Into<Cow<'a, str>>) -> Result<Self, ValueError> {
        let wire = wire.into();
        if wire.is_empty() {
            return Err(invalid("xtext", 0));
        }
        xtext::validate(wire.as_bytes()).map_err(|e| match e {
            xtext::XtextError::ForbiddenByte { offset, .. }
            | xtext::XtextError::BadEscape { offset } => invalid("xtext", offset),
        })?;
        Ok(Self(wire))
    }

    /// For the decoder, which has checked `wire` with
    /// [`xtext::validate`] and that it is not empty.
    pub(crate) fn from_wire(wire: &'a str) -> Self {
        debug_assert!(!wire.is_empty() && xtext::validate(wire.as_bytes()).is_ok());
        Self(Cow::Borrowed(wire))
    }

    /// Encodes `octets`; refused when they are empty.
    pub fn from_octets(octets: &[u8]) -> Result<XText<'static>, ValueError> {
        if octets.is_empty() {
            return Err(invalid("xtext", 0));
        }
        let mut out = Vec::with_capacity(octets.len());
        xtext::encode(octets, &mut out);
        // xtext is ASCII by construction, so nothing is replaced.
        Ok(XText(Cow::Owned(
            String::from_utf8_lossy(&out).into_owned(),
        )))
    }

    /// The encoded form, as on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The octets it encodes.
    pub fn decode(&self) -> Cow<'_, [u8]> {
        xtext::decode(self.0.as_bytes()).unwrap_or(Cow::Borrowed(self.0.as_bytes()))
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> XText<'static> {
        XText(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Debug for XText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// `BODY=` (RFC 6152 §2, RFC 3030 §3): the body's encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Body {
    /// `7BIT`: lines of US-ASCII (RFC 6152).
    SevenBit,
    /// `8BITMIME`: lines with octets above 127 (RFC 6152).
    EightBitMime,
    /// `BINARYMIME`: any octets, sent with `BDAT` only (RFC 3030).
    BinaryMime,
}

impl Body {
    /// The keyword on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SevenBit => "7BIT",
            Self::EightBitMime => "8BITMIME",
            Self::BinaryMime => "BINARYMIME",
        }
    }
}

/// `RET=` (RFC 3461 §4.3): how much of the message a failure DSN returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ret {
    /// `FULL`: the whole message.
    Full,
    /// `HDRS`: only the headers.
    Headers,
}

/// `AUTH=` on `MAIL` (RFC 4954 §5): who submitted the message, or `<>`
/// when that is not known.
///
/// ```
/// use mailwire_smtp::types::{MailAuth, XText};
/// let a = MailAuth::identity(XText::new("e+3Dmc2@example.com").unwrap()).unwrap();
/// assert_eq!(a.identity_xtext().unwrap().decode(), &b"e=mc2@example.com"[..]);
/// assert!(MailAuth::unknown().identity_xtext().is_none());
/// assert!(MailAuth::identity(XText::new("<>").unwrap()).is_err()); // that is `unknown()`
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MailAuth<'a>(Option<XText<'a>>);

impl<'a> MailAuth<'a> {
    /// `AUTH=<>`: the submitter is not known or not trusted.
    pub const fn unknown() -> Self {
        Self(None)
    }

    /// The submitter's mailbox, as `xtext`. Refused for `<>`, which is
    /// [`MailAuth::unknown`].
    pub fn identity(mailbox: XText<'a>) -> Result<Self, ValueError> {
        if mailbox.as_str() == "<>" {
            return Err(invalid("AUTH= mailbox", 0));
        }
        Ok(Self(Some(mailbox)))
    }

    /// The submitter's mailbox as `xtext`, or `None` for `<>`.
    pub fn identity_xtext(&self) -> Option<&XText<'a>> {
        self.0.as_ref()
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> MailAuth<'static> {
        MailAuth(self.0.map(XText::into_owned))
    }
}

/// `MT-PRIORITY=` (RFC 6710 §3): a message priority from -9 to 9.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Priority(i8);

impl Priority {
    /// The priority `value`, when it is within -9 to 9.
    pub const fn new(value: i8) -> Option<Self> {
        if value >= -9 && value <= 9 {
            Some(Self(value))
        } else {
            None
        }
    }

    /// The numeric value.
    pub const fn get(self) -> i8 {
        self.0
    }
}

/// An RFC 3339 `date-time`, kept as sent (used by `HOLDUNTIL=`, RFC 4865,
/// and the `FUTURERELEASE` capability).
///
/// ```
/// use mailwire_smtp::types::DateTime;
/// assert!(DateTime::new("2024-02-29T12:00:00Z").is_ok());
/// assert!(DateTime::new("2024-02-29T12:00:00.25+01:30").is_ok());
/// assert!(DateTime::new("2024-13-01T00:00:00Z").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DateTime<'a>(Cow<'a, str>);

impl<'a> DateTime<'a> {
    /// Validates `text` against RFC 3339 §5.6 `date-time`.
    pub fn new(text: impl Into<Cow<'a, str>>) -> Result<Self, ValueError> {
        let text = text.into();
        if is_date_time(text.as_bytes()) {
            Ok(Self(text))
        } else {
            Err(invalid("date-time", 0))
        }
    }

    /// The text as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> DateTime<'static> {
        DateTime(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Debug for DateTime<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// ```text
/// date-time     = full-date "T" full-time
/// full-date     = date-fullyear "-" date-month "-" date-mday
/// full-time     = partial-time time-offset
/// partial-time  = time-hour ":" time-minute ":" time-second [time-secfrac]
/// time-secfrac  = "." 1*DIGIT
/// time-offset   = "Z" / time-numoffset
/// time-numoffset = ("+" / "-") time-hour ":" time-minute
/// ```
/// (RFC 3339 §5.6; `T` and `Z` in either case.)
fn is_date_time(s: &[u8]) -> bool {
    fn num(s: &[u8], at: usize, len: usize, max: u32) -> Option<u32> {
        let digits = s.get(at..at + len)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let v = digits
            .iter()
            .fold(0u32, |v, d| v * 10 + u32::from(d - b'0'));
        (v <= max).then_some(v)
    }
    let at = |i: usize, c: u8| s.get(i).is_some_and(|b| b.eq_ignore_ascii_case(&c));
    let date = num(s, 0, 4, 9999).is_some()
        && at(4, b'-')
        && num(s, 5, 2, 12).is_some_and(|m| m >= 1)
        && at(7, b'-')
        && num(s, 8, 2, 31).is_some_and(|d| d >= 1)
        && at(10, b'T')
        && num(s, 11, 2, 23).is_some()
        && at(13, b':')
        && num(s, 14, 2, 59).is_some()
        && at(16, b':')
        && num(s, 17, 2, 60).is_some();
    if !date {
        return false;
    }
    let mut i = 19;
    if at(i, b'.') {
        i += 1;
        let start = i;
        while s.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    if at(i, b'Z') {
        return i + 1 == s.len();
    }
    (at(i, b'+') || at(i, b'-'))
        && num(s, i + 1, 2, 23).is_some()
        && at(i + 3, b':')
        && num(s, i + 4, 2, 59).is_some()
        && i + 6 == s.len()
}

/// `HOLDFOR=` or `HOLDUNTIL=` (RFC 4865 §3, `FUTURERELEASE`): when to
/// release the message. The two are exclusive.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Hold<'a> {
    /// `HOLDFOR=`: seconds to hold (`1*9DIGIT`).
    For(HoldSeconds),
    /// `HOLDUNTIL=`: release time.
    Until(DateTime<'a>),
}

/// A number of seconds of at most nine digits, as `HOLDFOR=`,
/// `BY=` and the `FUTURERELEASE`/`DELIVERBY` capabilities carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HoldSeconds(u32);

impl HoldSeconds {
    /// Largest value: nine digits.
    pub const MAX: u32 = 999_999_999;

    /// `seconds`, when it has at most nine digits.
    pub const fn new(seconds: u32) -> Option<Self> {
        if seconds <= Self::MAX {
            Some(Self(seconds))
        } else {
            None
        }
    }

    /// The number of seconds.
    pub const fn get(self) -> u32 {
        self.0
    }
}

/// What to do when `BY=` cannot be met (RFC 2852 §4, `by-mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ByMode {
    /// `N`: deliver anyway and send a delay notification.
    Notify,
    /// `R`: return the message as undeliverable.
    Return,
}

/// `BY=by-time;by-mode[T]` (RFC 2852 §4, `DELIVERBY`):
///
/// ```text
/// by-value = by-time ";" by-mode [ by-trace ]
/// by-time  = [ "-" / "+" ] 1*9digit
/// by-mode  = "N" / "R"
/// by-trace = "T"
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeliverBy {
    seconds: i32,
    mode: ByMode,
    trace: bool,
}

impl DeliverBy {
    /// `seconds` is at most nine digits, either sign.
    pub const fn new(seconds: i32, mode: ByMode, trace: bool) -> Option<Self> {
        if seconds >= -999_999_999 && seconds <= 999_999_999 {
            Some(Self {
                seconds,
                mode,
                trace,
            })
        } else {
            None
        }
    }

    /// Seconds from the time the message was received.
    pub const fn seconds(self) -> i32 {
        self.seconds
    }

    /// What to do when the time passes.
    pub const fn mode(self) -> ByMode {
        self.mode
    }

    /// `T`: trace the delivery in DSNs.
    pub const fn trace(self) -> bool {
        self.trace
    }
}

/// `NOTIFY=` (RFC 3461 §4.1): when to send delivery status notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Notify {
    /// `NEVER`.
    Never,
    /// A non-empty list of `SUCCESS`, `FAILURE`, `DELAY`.
    On(NotifyOn),
}

/// A non-empty set of the conditions `SUCCESS`, `FAILURE`, `DELAY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NotifyOn {
    success: bool,
    failure: bool,
    delay: bool,
}

impl NotifyOn {
    /// The set, when at least one condition is chosen.
    pub const fn new(success: bool, failure: bool, delay: bool) -> Option<Self> {
        if success || failure || delay {
            Some(Self {
                success,
                failure,
                delay,
            })
        } else {
            None
        }
    }

    /// `SUCCESS`.
    pub const fn success(self) -> bool {
        self.success
    }

    /// `FAILURE`.
    pub const fn failure(self) -> bool {
        self.failure
    }

    /// `DELAY`.
    pub const fn delay(self) -> bool {
        self.delay
    }
}

/// `ORCPT=addr-type;xtext` (RFC 3461 §4.2): the original recipient.
///
/// ```
/// use mailwire_smtp::types::{Orcpt, XText};
/// let o = Orcpt::new("rfc822", XText::new("Bob+2BSmith@example.com").unwrap()).unwrap();
/// assert_eq!(o.address().decode(), &b"Bob+Smith@example.com"[..]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Orcpt<'a> {
    addr_type: Cow<'a, str>,
    address: XText<'a>,
}

impl<'a> Orcpt<'a> {
    /// `addr-type` is an atom (usually `rfc822`), `address` the encoded
    /// original address.
    pub fn new(addr_type: impl Into<Cow<'a, str>>, address: XText<'a>) -> Result<Self, ValueError> {
        let addr_type = addr_type.into();
        if !is_addr_type(addr_type.as_bytes()) {
            return Err(invalid("ORCPT address type", 0));
        }
        Ok(Self { addr_type, address })
    }

    /// For the decoder, which has checked `addr_type` with
    /// [`is_addr_type`].
    pub(crate) fn from_wire(addr_type: &'a str, address: XText<'a>) -> Self {
        debug_assert!(is_addr_type(addr_type.as_bytes()));
        Self {
            addr_type: Cow::Borrowed(addr_type),
            address,
        }
    }

    /// The address type, as sent.
    pub fn addr_type(&self) -> &str {
        &self.addr_type
    }

    /// The encoded original address.
    pub fn address(&self) -> &XText<'a> {
        &self.address
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> Orcpt<'static> {
        Orcpt {
            addr_type: Cow::Owned(self.addr_type.into_owned()),
            address: self.address.into_owned(),
        }
    }
}

/// `addr-type = atom` (RFC 3461 §4.2), as ASCII `atext` without `=`, which
/// an `esmtp-value` cannot hold.
pub(crate) fn is_addr_type(s: &[u8]) -> bool {
    !s.is_empty() && class::run(s, 0, class::ADDR_TYPE) == s.len()
}

/// A parameter without a typed field: `esmtp-keyword ["=" esmtp-value]`.
/// The keyword is kept in upper case.
///
/// ```
/// use mailwire_smtp::types::OtherParam;
/// let p = OtherParam::new("x-tag", Some("v1")).unwrap();
/// assert_eq!(p.keyword(), "X-TAG");
/// assert!(OtherParam::new("bad key", None).is_err());
/// assert!(OtherParam::new("K", Some("a b")).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OtherParam<'a> {
    keyword: Cow<'a, str>,
    value: Option<Cow<'a, str>>,
}

impl<'a> OtherParam<'a> {
    /// Validates `keyword` (`esmtp-keyword`) and `value` (`esmtp-value`).
    pub fn new(
        keyword: impl Into<Cow<'a, str>>,
        value: Option<&'a str>,
    ) -> Result<Self, ValueError> {
        let keyword = keyword.into();
        if !is_keyword(keyword.as_bytes()) {
            return Err(invalid("parameter keyword", 0));
        }
        let value = value.map(Cow::Borrowed);
        if let Some(v) = &value {
            check_value(v.as_bytes()).map_err(|i| invalid("parameter value", i))?;
        }
        Ok(Self {
            keyword: upper(keyword),
            value,
        })
    }

    /// The keyword, upper case.
    pub fn keyword(&self) -> &str {
        &self.keyword
    }

    /// The value, when there is one.
    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> OtherParam<'static> {
        OtherParam {
            keyword: Cow::Owned(self.keyword.into_owned()),
            value: self.value.map(|v| Cow::Owned(v.into_owned())),
        }
    }
}

/// The keywords with a typed field in [`MailParams`].
pub(crate) const MAIL_KEYWORDS: &[&str] = &[
    "SIZE",
    "BODY",
    "SMTPUTF8",
    "RET",
    "ENVID",
    "AUTH",
    "REQUIRETLS",
    "MT-PRIORITY",
    "HOLDFOR",
    "HOLDUNTIL",
    "BY",
];

/// The keywords with a typed field in [`RcptParams`].
pub(crate) const RCPT_KEYWORDS: &[&str] = &["NOTIFY", "ORCPT"];

/// Parameters without a typed field, in the order they came: no
/// allocation while there are none.
// One word while empty, not three: the parameters live inside every
// decoded command, which should stay small.
#[allow(clippy::box_collection)]
#[derive(Clone, Default, PartialEq, Eq, Hash)]
struct Others<'a>(Option<Box<Vec<OtherParam<'a>>>>);

impl<'a> Others<'a> {
    fn as_slice(&self) -> &[OtherParam<'a>] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }

    fn push(&mut self, param: OtherParam<'a>) {
        self.0.get_or_insert_with(Box::default).push(param);
    }

    /// Adds `param`, refused when its keyword is one of `known` or is
    /// already present.
    fn add(&mut self, known: &[&str], param: OtherParam<'a>) -> Result<(), ValueError> {
        let dup = known.contains(&param.keyword())
            || self
                .as_slice()
                .iter()
                .any(|p| p.keyword() == param.keyword());
        if dup {
            return Err(invalid("parameter keyword", 0));
        }
        self.push(param);
        Ok(())
    }

    fn into_owned(self) -> Others<'static> {
        Others(
            self.0
                .map(|v| Box::new(v.into_iter().map(OtherParam::into_owned).collect())),
        )
    }
}

/// The rarely sent parameters of `MAIL`, kept out of line so that
/// [`MailParams`] (and so every decoded command) stays small.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
struct MailExt<'a> {
    auth: Option<MailAuth<'a>>,
    mt_priority: Option<Priority>,
    hold: Option<Hold<'a>>,
    by: Option<DeliverBy>,
    other: Others<'a>,
}

/// The parameters of `MAIL FROM:` (RFC 5321 §4.1.1.2 `Mail-parameters`).
///
/// The parameters most transactions carry are public fields; the rarer
/// ones (`AUTH=`, `MT-PRIORITY=`, `HOLDFOR=`/`HOLDUNTIL=`, `BY=` and
/// parameters without a typed field) have accessors, and take no memory
/// until one is set.
///
/// ```
/// use mailwire_smtp::types::{Body, MailAuth, MailParams, Priority};
/// let mut p = MailParams::default();
/// p.size = Some(1_000_000);
/// p.body = Some(Body::EightBitMime);
/// p.smtputf8 = true;
/// p.set_mt_priority(Priority::new(3));
/// p.set_auth(Some(MailAuth::unknown()));
/// assert_eq!(p.mt_priority(), Priority::new(3));
/// p.set_mt_priority(None);
/// p.set_auth(None);
/// p.size = None;
/// p.body = None;
/// p.smtputf8 = false;
/// assert!(p.is_empty());
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct MailParams<'a> {
    /// `SIZE=` (RFC 1870): the message size the client announces.
    pub size: Option<u64>,
    /// `BODY=` (RFC 6152, RFC 3030).
    pub body: Option<Body>,
    /// `SMTPUTF8` (RFC 6531): the transaction needs UTF-8 support.
    pub smtputf8: bool,
    /// `RET=` (RFC 3461).
    pub ret: Option<Ret>,
    /// `ENVID=` (RFC 3461): the envelope identifier.
    pub envid: Option<XText<'a>>,
    /// `REQUIRETLS` (RFC 8689).
    pub requiretls: bool,
    /// The rarer parameters; `None` whenever they are all unset, so that
    /// equal parameters compare and hash equal.
    ext: Option<Box<MailExt<'a>>>,
}

impl<'a> MailParams<'a> {
    /// The rarer parameters, allocated on first use.
    fn ext_mut(&mut self) -> &mut MailExt<'a> {
        self.ext.get_or_insert_with(Box::default)
    }

    /// Drops the rarer parameters when none is set any more.
    fn settle(&mut self) {
        if self
            .ext
            .as_deref()
            .is_some_and(|e| *e == MailExt::default())
        {
            self.ext = None;
        }
    }

    /// `AUTH=` (RFC 4954 §5).
    pub fn auth(&self) -> Option<&MailAuth<'a>> {
        self.ext.as_ref()?.auth.as_ref()
    }

    /// Sets or clears `AUTH=`.
    pub fn set_auth(&mut self, auth: Option<MailAuth<'a>>) {
        self.ext_mut().auth = auth;
        self.settle();
    }

    /// `MT-PRIORITY=` (RFC 6710).
    pub fn mt_priority(&self) -> Option<Priority> {
        self.ext.as_ref()?.mt_priority
    }

    /// Sets or clears `MT-PRIORITY=`.
    pub fn set_mt_priority(&mut self, priority: Option<Priority>) {
        self.ext_mut().mt_priority = priority;
        self.settle();
    }

    /// `HOLDFOR=` / `HOLDUNTIL=` (RFC 4865).
    pub fn hold(&self) -> Option<&Hold<'a>> {
        self.ext.as_ref()?.hold.as_ref()
    }

    /// Sets or clears `HOLDFOR=` / `HOLDUNTIL=`.
    pub fn set_hold(&mut self, hold: Option<Hold<'a>>) {
        self.ext_mut().hold = hold;
        self.settle();
    }

    /// `BY=` (RFC 2852).
    pub fn by(&self) -> Option<DeliverBy> {
        self.ext.as_ref()?.by
    }

    /// Sets or clears `BY=`.
    pub fn set_by(&mut self, by: Option<DeliverBy>) {
        self.ext_mut().by = by;
        self.settle();
    }

    /// For the decoder: the slots of the rarer parameters, which it
    /// fills only with values.
    pub(crate) fn auth_slot(&mut self) -> &mut Option<MailAuth<'a>> {
        &mut self.ext_mut().auth
    }

    pub(crate) fn mt_priority_slot(&mut self) -> &mut Option<Priority> {
        &mut self.ext_mut().mt_priority
    }

    pub(crate) fn hold_slot(&mut self) -> &mut Option<Hold<'a>> {
        &mut self.ext_mut().hold
    }

    pub(crate) fn by_slot(&mut self) -> &mut Option<DeliverBy> {
        &mut self.ext_mut().by
    }

    /// Parameters without a typed field, in the order they came.
    pub fn other(&self) -> &[OtherParam<'a>] {
        self.ext.as_ref().map_or(&[], |e| e.other.as_slice())
    }

    /// Adds a parameter without a typed field. Refused when its keyword has
    /// a field here or is already present.
    pub fn add_other(&mut self, param: OtherParam<'a>) -> Result<(), ValueError> {
        let result = self.ext_mut().other.add(MAIL_KEYWORDS, param);
        self.settle();
        result
    }

    pub(crate) fn push_other_unchecked(&mut self, param: OtherParam<'a>) {
        self.ext_mut().other.push(param);
    }

    /// True when no parameter is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> MailParams<'static> {
        MailParams {
            size: self.size,
            body: self.body,
            smtputf8: self.smtputf8,
            ret: self.ret,
            envid: self.envid.map(XText::into_owned),
            requiretls: self.requiretls,
            ext: self.ext.map(|e| {
                let e = *e;
                Box::new(MailExt {
                    auth: e.auth.map(MailAuth::into_owned),
                    mt_priority: e.mt_priority,
                    hold: e.hold.map(|h| match h {
                        Hold::For(s) => Hold::For(s),
                        Hold::Until(t) => Hold::Until(t.into_owned()),
                    }),
                    by: e.by,
                    other: e.other.into_owned(),
                })
            }),
        }
    }
}

impl fmt::Debug for MailParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailParams")
            .field("size", &self.size)
            .field("body", &self.body)
            .field("smtputf8", &self.smtputf8)
            .field("ret", &self.ret)
            .field("envid", &self.envid)
            .field("auth", &self.auth())
            .field("requiretls", &self.requiretls)
            .field("mt_priority", &self.mt_priority())
            .field("hold", &self.hold())
            .field("by", &self.by())
            .field("other", &self.other())
            .finish()
    }
}

/// The parameters of `RCPT TO:` (RFC 5321 §4.1.1.3 `Rcpt-parameters`).
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct RcptParams<'a> {
    /// `NOTIFY=` (RFC 3461).
    pub notify: Option<Notify>,
    /// `ORCPT=` (RFC 3461).
    pub orcpt: Option<Orcpt<'a>>,
    other: Others<'a>,
}

impl<'a> RcptParams<'a> {
    /// Parameters without a typed field, in the order they came.
    pub fn other(&self) -> &[OtherParam<'a>] {
        self.other.as_slice()
    }

    /// Adds a parameter without a typed field. Refused when its keyword has
    /// a field here or is already present.
    pub fn add_other(&mut self, param: OtherParam<'a>) -> Result<(), ValueError> {
        self.other.add(RCPT_KEYWORDS, param)
    }

    pub(crate) fn push_other_unchecked(&mut self, param: OtherParam<'a>) {
        self.other.push(param);
    }

    /// True when no parameter is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> RcptParams<'static> {
        RcptParams {
            notify: self.notify,
            orcpt: self.orcpt.map(Orcpt::into_owned),
            other: self.other.into_owned(),
        }
    }
}

impl fmt::Debug for RcptParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RcptParams")
            .field("notify", &self.notify)
            .field("orcpt", &self.orcpt)
            .field("other", &self.other())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_times() {
        for ok in [
            "1985-04-12T23:20:50.52Z",
            "1996-12-19T16:39:57-08:00",
            "1990-12-31t23:59:60z",
        ] {
            assert!(DateTime::new(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "1985-04-12",
            "1985-04-12T23:20:50",
            "1985-04-12T23:20:50.Z",
            "1985-04-12T24:00:00Z",
            "1985-00-12T23:20:50Z",
            "1985-04-12T23:20:50Zx",
            "1985-04-12T23:20:50+0100",
        ] {
            assert!(DateTime::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn other_params_refuse_typed_keywords_and_duplicates() {
        let mut p = MailParams::default();
        assert!(
            p.add_other(OtherParam::new("size", Some("1")).unwrap())
                .is_err()
        );
        assert!(p.add_other(OtherParam::new("X-A", None).unwrap()).is_ok());
        assert!(p.add_other(OtherParam::new("x-a", None).unwrap()).is_err());
        let mut r = RcptParams::default();
        assert!(
            r.add_other(OtherParam::new("NOTIFY", Some("NEVER")).unwrap())
                .is_err()
        );
        assert!(
            r.add_other(OtherParam::new("SIZE", Some("1")).unwrap())
                .is_ok()
        );
    }
}
