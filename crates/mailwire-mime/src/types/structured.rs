//! Values of structured header fields: addresses, message identifiers,
//! dates, content types and their parameters.

use std::borrow::Cow;
use std::fmt;

use super::ValueError;

/// One entry of an address list (RFC 5322 §3.4: `address = mailbox /
/// group`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Address {
    /// A single mailbox.
    Mailbox(Mailbox),
    /// A named group of mailboxes, possibly empty
    /// (`undisclosed-recipients:;`).
    Group(Group),
}

impl Address {
    /// The mailboxes of this entry: the mailbox itself, or the group's
    /// members.
    pub fn mailboxes(&self) -> &[Mailbox] {
        match self {
            Self::Mailbox(m) => std::slice::from_ref(m),
            Self::Group(g) => &g.members,
        }
    }
}

/// A mailbox (RFC 5322 §3.4: `mailbox = name-addr / addr-spec`), decoded:
/// the display name with RFC 2047 words decoded and quoting removed, the
/// local part unquoted, comments and folding dropped.
///
/// ```
/// use mailwire_mime::types::Mailbox;
/// let m = Mailbox {
///     name: Some("Doe, John".into()),
///     local: "john doe".into(),
///     domain: "example.org".into(),
/// };
/// assert_eq!(m.addr_spec(), "\"john doe\"@example.org");
/// assert_eq!(m.to_string(), "\"Doe, John\" <\"john doe\"@example.org>");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Mailbox {
    /// The display name, if one was given and is not empty.
    pub name: Option<String>,
    /// The local part, unquoted (`john doe` for `"john doe"@example.org`).
    pub local: String,
    /// The domain as written, folding and comments removed; a domain
    /// literal keeps its brackets. Empty when the address had no domain
    /// ([`DefectKind::MissingDomain`](super::DefectKind::MissingDomain)).
    pub domain: String,
}

impl Mailbox {
    /// `local-part "@" domain` (RFC 5322 §3.4.1), the local part quoted
    /// when it is not a `dot-atom`; only the local part when there is no
    /// domain.
    pub fn addr_spec(&self) -> String {
        let mut out = String::new();
        if is_dot_atom(&self.local) {
            out.push_str(&self.local);
        } else {
            push_quoted(&mut out, &self.local);
        }
        if !self.domain.is_empty() {
            out.push('@');
            out.push_str(&self.domain);
        }
        out
    }
}

impl fmt::Display for Mailbox {
    /// `[display-name] "<" addr-spec ">"`, or the bare `addr-spec` without
    /// a name; the name is quoted unless it is a sequence of atoms.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => {
                let mut out = String::new();
                if is_phrase_of_atoms(name) {
                    out.push_str(name);
                } else {
                    push_quoted(&mut out, name);
                }
                write!(f, "{out} <{}>", self.addr_spec())
            }
            None => f.write_str(&self.addr_spec()),
        }
    }
}

/// A group (RFC 5322 §3.4: `group = display-name ":" [group-list] ";"`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Group {
    /// The group's display name, decoded.
    pub name: String,
    /// Its mailboxes, in order; empty for `undisclosed-recipients:;`.
    pub members: Vec<Mailbox>,
}

/// `atext` (RFC 5322 §3.2.3), with the non-ASCII characters RFC 6532 §3.2
/// adds.
pub(crate) fn is_atext_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c) || !c.is_ascii()
}

fn is_dot_atom(s: &str) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|part| !part.is_empty() && part.chars().all(is_atext_char))
}

fn is_phrase_of_atoms(s: &str) -> bool {
    !s.is_empty()
        && s.split(' ')
            .all(|w| !w.is_empty() && w.chars().all(is_atext_char))
}

/// Appends `s` as a `quoted-string` (RFC 5322 §3.2.4), escaping `"` and
/// `\\`.
fn push_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// A message identifier (RFC 5322 §3.6.4: `msg-id = [CFWS] "<" id-left "@"
/// id-right ">" [CFWS]`), without its angle brackets.
///
/// ```
/// use mailwire_mime::decode::message_ids;
/// let ids = message_ids(b" <1234@local.machine.example>");
/// assert_eq!(ids[0].as_str(), "1234@local.machine.example");
/// assert_eq!(ids[0].left(), "1234");
/// assert_eq!(ids[0].right(), Some("local.machine.example"));
/// assert_eq!(ids[0].to_string(), "<1234@local.machine.example>");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MessageId(String);

impl MessageId {
    pub(crate) fn new(id: String) -> Self {
        Self(id)
    }

    /// `id-left "@" id-right`, as written between the brackets (folding
    /// removed).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the last `@`, or the whole identifier when it has
    /// none.
    pub fn left(&self) -> &str {
        self.0.rsplit_once('@').map_or(&self.0, |(l, _)| l)
    }

    /// The part after the last `@`, if any.
    pub fn right(&self) -> Option<&str> {
        self.0.rsplit_once('@').map(|(_, r)| r)
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}>", self.0)
    }
}

const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
pub(crate) const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A date and time with its zone offset (RFC 5322 §3.3 `date-time`),
/// validated: every field is in range, the day exists in its month.
///
/// ```
/// use mailwire_mime::types::DateTime;
/// let d = DateTime::new(1997, 11, 21, 9, 55, 6, Some(-360)).unwrap();
/// assert_eq!(d.to_rfc3339(), "1997-11-21T09:55:06-06:00");
/// assert_eq!(d.to_rfc5322(), "Fri, 21 Nov 1997 09:55:06 -0600");
/// assert_eq!(d.unix_timestamp(), 880127706);
/// assert!(DateTime::new(1997, 2, 29, 0, 0, 0, None).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    offset: Option<i16>,
}

impl DateTime {
    /// A date-time, checked: `year` 0-9999, `month` 1-12, `day` within the
    /// month (leap years by the Gregorian rule), `hour` 0-23, `minute`
    /// 0-59, `second` 0-60 (a leap second), `offset` (minutes east of UTC)
    /// within ±99:59. An `offset` of `None` is `-0000`: the time is UTC,
    /// and the local zone is unknown (RFC 5322 §3.3).
    pub fn new(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        offset: Option<i16>,
    ) -> Result<Self, ValueError> {
        let check = |ok: bool, field: &'static str| {
            if ok {
                Ok(())
            } else {
                Err(ValueError::OutOfRange { field })
            }
        };
        check(year <= 9999, "year")?;
        check((1..=12).contains(&month), "month")?;
        check(day >= 1 && day <= days_in_month(year, month), "day")?;
        check(hour <= 23, "hour")?;
        check(minute <= 59, "minute")?;
        check(second <= 60, "second")?;
        check(
            offset.is_none_or(|o| o.unsigned_abs() <= 99 * 60 + 59),
            "offset",
        )?;
        Ok(Self {
            year,
            month,
            day,
            hour,
            minute,
            second,
            offset,
        })
    }

    /// The year, 0-9999.
    pub fn year(&self) -> u16 {
        self.year
    }
    /// The month, 1-12.
    pub fn month(&self) -> u8 {
        self.month
    }
    /// The day of the month, 1-31.
    pub fn day(&self) -> u8 {
        self.day
    }
    /// The hour, 0-23.
    pub fn hour(&self) -> u8 {
        self.hour
    }
    /// The minute, 0-59.
    pub fn minute(&self) -> u8 {
        self.minute
    }
    /// The second, 0-60.
    pub fn second(&self) -> u8 {
        self.second
    }
    /// Minutes east of UTC; `None` for `-0000` (local zone unknown).
    pub fn offset(&self) -> Option<i16> {
        self.offset
    }

    /// The day of the week of the date, 0 for Monday to 6 for Sunday.
    pub fn weekday(&self) -> u8 {
        let days = days_from_civil(i64::from(self.year), self.month, self.day);
        // 1970-01-01 was a Thursday (3).
        u8::try_from((days + 3).rem_euclid(7)).unwrap_or(0)
    }

    /// Seconds since 1970-01-01T00:00:00Z (negative before), the offset
    /// applied (`-0000` counts as UTC).
    pub fn unix_timestamp(&self) -> i64 {
        let days = days_from_civil(i64::from(self.year), self.month, self.day);
        days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
            - i64::from(self.offset.unwrap_or(0)) * 60
    }

    /// RFC 3339 `date-time`: `1997-11-21T09:55:06-06:00`; an unknown local
    /// zone is written `-00:00` (RFC 3339 §4.3).
    pub fn to_rfc3339(&self) -> String {
        let (sign, off) = match self.offset {
            None => ('-', 0),
            Some(o) if o < 0 => ('-', o.unsigned_abs()),
            Some(o) => ('+', o.unsigned_abs()),
        };
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            off / 60,
            off % 60
        )
    }

    /// RFC 5322 §3.3 `date-time`: `Fri, 21 Nov 1997 09:55:06 -0600`, the
    /// year in four digits, an unknown local zone written `-0000`.
    pub fn to_rfc5322(&self) -> String {
        let (sign, off) = match self.offset {
            None => ('-', 0),
            Some(o) if o < 0 => ('-', o.unsigned_abs()),
            Some(o) => ('+', o.unsigned_abs()),
        };
        format!(
            "{}, {:02} {} {:04} {:02}:{:02}:{:02} {sign}{:02}{:02}",
            DAY_NAMES[usize::from(self.weekday() % 7)],
            self.day,
            MONTH_NAMES[usize::from((self.month + 11) % 12)],
            self.year,
            self.hour,
            self.minute,
            self.second,
            off / 60,
            off % 60
        )
    }
}

impl fmt::Display for DateTime {
    /// The RFC 5322 form ([`DateTime::to_rfc5322`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc5322())
    }
}

fn is_leap(year: u16) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

/// The number of days in `month` (1-12) of `year`; 0 for a month out of
/// range.
fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date.
fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let m = i64::from(month);
    let y = if m <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// One parameter of a Content-Type or Content-Disposition field
/// (RFC 2045 §5.1, RFC 2183 §2), after RFC 2231 continuations were joined
/// and charsets converted.
///
/// Its text borrows from the field when it is written there as it reads
/// (a lowercase name, a value without escapes, encoded words or
/// continuations); [`Parameter::into_owned`] detaches it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Parameter<'a> {
    /// The name, lowercased, without any RFC 2231 `*` or section number.
    pub name: Cow<'a, str>,
    /// The value: quoting removed, RFC 2231 escapes decoded and converted
    /// from their charset, RFC 2047 encoded words decoded.
    pub value: Cow<'a, str>,
    /// The charset an RFC 2231 value named, if any.
    pub charset: Option<Cow<'a, str>>,
    /// The language an RFC 2231 value named, if any.
    pub language: Option<Cow<'a, str>>,
    /// True when the value was written in RFC 2231 form (`name*=` or
    /// `name*0=`…).
    pub rfc2231: bool,
    /// False when the value had to be repaired: continuations with a gap
    /// or a repeated number, a malformed `charset'language'` prefix or `%`
    /// escape, or a charset no converter knows.
    pub well_formed: bool,
}

impl Parameter<'_> {
    /// The same parameter, owning its text.
    pub fn into_owned(self) -> Parameter<'static> {
        Parameter {
            name: Cow::Owned(self.name.into_owned()),
            value: Cow::Owned(self.value.into_owned()),
            charset: self.charset.map(|c| Cow::Owned(c.into_owned())),
            language: self.language.map(|l| Cow::Owned(l.into_owned())),
            rfc2231: self.rfc2231,
            well_formed: self.well_formed,
        }
    }
}

/// The parameters of a field, in the order written, duplicates kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Parameters<'a>(pub Vec<Parameter<'a>>);

impl<'a> Parameters<'a> {
    /// The value of parameter `name` (compared ASCII case-insensitively).
    ///
    /// When the name occurs more than once, the first well-formed RFC 2231
    /// value wins (mailers send a plain value as a fallback for readers
    /// that do not know RFC 2231, beside the real one), then the first
    /// well-formed value, then the first value.
    pub fn get(&self, name: &str) -> Option<&str> {
        let rank = |p: &Parameter<'_>| (!p.well_formed, !p.rfc2231);
        let mut best: Option<&Parameter<'a>> = None;
        for p in &self.0 {
            if p.name.len() != name.len() || !p.name.eq_ignore_ascii_case(name) {
                continue;
            }
            if rank(p) == (false, false) {
                // Nothing ranks higher.
                return Some(&p.value);
            }
            if best.is_none_or(|b| rank(p) < rank(b)) {
                best = Some(p);
            }
        }
        best.map(|p| &*p.value)
    }

    /// Every parameter called `name`, in order.
    pub fn get_all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Parameter<'a>> + 's {
        self.0
            .iter()
            .filter(move |p| p.name.eq_ignore_ascii_case(name))
    }

    /// Every parameter, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Parameter<'a>> {
        self.0.iter()
    }

    /// The number of parameters.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there is no parameter.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The same parameters, owning their text.
    pub fn into_owned(self) -> Parameters<'static> {
        Parameters(self.0.into_iter().map(Parameter::into_owned).collect())
    }
}

/// A Content-Type (RFC 2045 §5.1: `type "/" subtype *(";" parameter)`).
///
/// The default, for a missing or unreadable field, is `text/plain;
/// charset=us-ascii` (RFC 2045 §5.2), with the charset implied rather than
/// listed among the parameters.
///
/// Its text borrows from the field where it can (see [`Parameter`]);
/// [`ContentType::into_owned`] detaches it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContentType<'a> {
    /// The type, lowercased: `text`, `multipart`…
    pub media_type: Cow<'a, str>,
    /// The subtype, lowercased: `plain`, `mixed`…
    pub subtype: Cow<'a, str>,
    /// The parameters.
    pub parameters: Parameters<'a>,
}

impl Default for ContentType<'_> {
    fn default() -> Self {
        Self {
            media_type: Cow::Borrowed("text"),
            subtype: Cow::Borrowed("plain"),
            parameters: Parameters::default(),
        }
    }
}

impl ContentType<'_> {
    /// `type "/" subtype`, lowercased.
    pub fn essence(&self) -> String {
        format!("{}/{}", self.media_type, self.subtype)
    }

    /// True for `type/subtype`, compared ASCII case-insensitively.
    pub fn is(&self, media_type: &str, subtype: &str) -> bool {
        self.media_type.eq_ignore_ascii_case(media_type)
            && self.subtype.eq_ignore_ascii_case(subtype)
    }

    /// The `charset` parameter; `us-ascii` for `text/*` without one
    /// (RFC 2045 §5.2, RFC 2046 §4.1.2).
    pub fn charset(&self) -> Option<&str> {
        self.parameters.get("charset").or_else(|| {
            self.media_type
                .eq_ignore_ascii_case("text")
                .then_some("us-ascii")
        })
    }

    /// The `boundary` parameter (RFC 2046 §5.1.1).
    pub fn boundary(&self) -> Option<&str> {
        self.parameters.get("boundary")
    }

    /// The `name` parameter, the file name older mailers give.
    pub fn name(&self) -> Option<&str> {
        self.parameters.get("name")
    }

    /// The same content type, owning its text.
    pub fn into_owned(self) -> ContentType<'static> {
        ContentType {
            media_type: Cow::Owned(self.media_type.into_owned()),
            subtype: Cow::Owned(self.subtype.into_owned()),
            parameters: self.parameters.into_owned(),
        }
    }
}

/// A Content-Disposition (RFC 2183 §2: `disposition-type *(";"
/// disposition-parm)`).
///
/// Its text borrows from the field where it can (see [`Parameter`]);
/// [`ContentDisposition::into_owned`] detaches it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ContentDisposition<'a> {
    /// The disposition type, lowercased: `inline`, `attachment`, or an
    /// extension.
    pub kind: Cow<'a, str>,
    /// The parameters.
    pub parameters: Parameters<'a>,
}

impl ContentDisposition<'_> {
    /// True for `attachment`.
    pub fn is_attachment(&self) -> bool {
        self.kind == "attachment"
    }

    /// The `filename` parameter (RFC 2183 §2.3).
    pub fn filename(&self) -> Option<&str> {
        self.parameters.get("filename")
    }

    /// The same disposition, owning its text.
    pub fn into_owned(self) -> ContentDisposition<'static> {
        ContentDisposition {
            kind: Cow::Owned(self.kind.into_owned()),
            parameters: self.parameters.into_owned(),
        }
    }
}

/// A Content-Transfer-Encoding (RFC 2045 §6.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum TransferEncoding {
    /// `7bit`, the default.
    #[default]
    SevenBit,
    /// `8bit`.
    EightBit,
    /// `binary`.
    Binary,
    /// `quoted-printable` (RFC 2045 §6.7).
    QuotedPrintable,
    /// `base64` (RFC 2045 §6.8).
    Base64,
    /// Any other mechanism (`x-uuencode`…), lowercased.
    Other(String),
}

impl TransferEncoding {
    /// The mechanism's name, lowercased.
    pub fn as_str(&self) -> &str {
        match self {
            Self::SevenBit => "7bit",
            Self::EightBit => "8bit",
            Self::Binary => "binary",
            Self::QuotedPrintable => "quoted-printable",
            Self::Base64 => "base64",
            Self::Other(s) => s,
        }
    }
}
