//! The IMAP data model: validated values shared by the decoder, the encoder
//! and the sessions.
//!
//! Every type here upholds the invariants the wire needs: a value that can be
//! constructed can be encoded, and what is encoded decodes back to the same
//! value. No constructor lets CR, LF or NUL into a value the encoder writes
//! inside a line.

use std::borrow::Cow;
use std::fmt;
use std::num::NonZeroU32;
use std::ops::RangeInclusive;

pub mod utf7;

pub use body::*;
pub use command::*;
pub use response::*;

/// Why a value was refused by a validating constructor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// The value may not be empty.
    #[error("{what} may not be empty")]
    Empty {
        /// Which value.
        what: &'static str,
    },
    /// A byte that may not appear in this value.
    #[error("byte 0x{byte:02x} not allowed in {what} at offset {offset}")]
    ForbiddenByte {
        /// Which value.
        what: &'static str,
        /// Offset of the byte inside the value.
        offset: usize,
        /// The byte.
        byte: u8,
    },
    /// Text may not start with this byte: the decoder would read it as part
    /// of the framing (a leading SP, or a `[` that would open a response code).
    #[error("{what} may not start with 0x{byte:02x}")]
    ForbiddenStart {
        /// Which value.
        what: &'static str,
        /// The byte.
        byte: u8,
    },
    /// A number outside the range the value allows.
    #[error("{what}: {reason}")]
    OutOfRange {
        /// Which value.
        what: &'static str,
        /// What the value requires.
        reason: &'static str,
    },
}

/// The character classes of RFC 9051 §9, one bit each, by byte.
const CLASSES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b: u8 = 0x21;
    while b < 0x7f {
        let atom_special = matches!(b, b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\' | b']');
        if !atom_special {
            t[b as usize] |= ATOM;
        }
        if !atom_special || b == b']' {
            t[b as usize] |= ASTRING;
            if b != b'+' {
                t[b as usize] |= TAG;
            }
        }
        b += 1;
    }
    t
};
const ATOM: u8 = 1;
const ASTRING: u8 = 2;
const TAG: u8 = 4;

/// `ATOM-CHAR = <any CHAR except atom-specials>`, `atom-specials = "(" / ")" /
/// "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials`
/// (RFC 9051 §9).
pub(crate) const fn is_atom_char(b: u8) -> bool {
    CLASSES[b as usize] & ATOM != 0
}

/// `ASTRING-CHAR = ATOM-CHAR / resp-specials` (RFC 9051 §9).
pub(crate) const fn is_astring_char(b: u8) -> bool {
    CLASSES[b as usize] & ASTRING != 0
}

/// `tag = 1*<any ASTRING-CHAR except "+">` (RFC 9051 §9).
pub(crate) const fn is_tag_char(b: u8) -> bool {
    CLASSES[b as usize] & TAG != 0
}

/// Checks that `bytes` is non-empty and every byte satisfies `ok`.
fn check_chars(what: &'static str, bytes: &[u8], ok: fn(u8) -> bool) -> Result<(), ValueError> {
    if bytes.is_empty() {
        return Err(ValueError::Empty { what });
    }
    match bytes.iter().position(|&b| !ok(b)) {
        Some(offset) => Err(ValueError::ForbiddenByte {
            what,
            offset,
            byte: bytes[offset],
        }),
        None => Ok(()),
    }
}

/// Checks that `bytes` holds no CR, LF or NUL.
fn check_line_text(what: &'static str, bytes: &[u8]) -> Result<(), ValueError> {
    match bytes.iter().position(|b| matches!(b, b'\r' | b'\n' | 0)) {
        Some(offset) => Err(ValueError::ForbiddenByte {
            what,
            offset,
            byte: bytes[offset],
        }),
        None => Ok(()),
    }
}

/// Bytes as text for `Debug`: UTF-8 where valid, U+FFFD elsewhere.
fn debug_bytes(bytes: &[u8], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(f, "{:?}", String::from_utf8_lossy(bytes))
}

macro_rules! ascii_token {
    ($(#[$doc:meta])* $name:ident, $what:literal, $check:path) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name<'a>(Cow<'a, str>);

        impl<'a> $name<'a> {
            /// Validates `value` against the grammar rule.
            pub fn new(value: impl Into<Cow<'a, str>>) -> Result<Self, ValueError> {
                let value = value.into();
                check_chars($what, value.as_bytes(), $check)?;
                Ok(Self(value))
            }

            /// For the decoder, which has already checked the bytes.
            pub(crate) fn from_wire(bytes: &'a [u8]) -> Self {
                debug_assert!(bytes.iter().all(|&b| $check(b)) && !bytes.is_empty());
                // The checked bytes are ASCII, so this never fails.
                Self(Cow::Borrowed(std::str::from_utf8(bytes).unwrap_or_default()))
            }

            /// The bytes as a value, or `None` when they break the rule.
            #[allow(dead_code)]
            pub(crate) fn from_checked(bytes: &'a [u8]) -> Option<Self> {
                if bytes.is_empty() || !bytes.iter().all(|&b| $check(b)) {
                    return None;
                }
                Some(Self::from_wire(bytes))
            }

            /// The value as a string.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// A copy that owns its bytes.
            pub fn into_owned(self) -> $name<'static> {
                $name(Cow::Owned(self.0.into_owned()))
            }
        }

        impl fmt::Debug for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:?}", self.0)
            }
        }

        impl fmt::Display for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'a> TryFrom<&'a str> for $name<'a> {
            type Error = ValueError;
            fn try_from(value: &'a str) -> Result<Self, Self::Error> {
                Self::new(value)
            }
        }
    };
}

ascii_token!(
    /// A command tag (RFC 9051 §2.2.1, §9): `tag = 1*<any ASTRING-CHAR except "+">`.
    ///
    /// ```
    /// use mailwire_imap::types::Tag;
    /// assert!(Tag::new("A001").is_ok());
    /// assert!(Tag::new("a+b").is_err()); // "+" is reserved for continuations
    /// assert!(Tag::new("").is_err());
    /// ```
    Tag,
    "tag",
    is_tag_char
);

ascii_token!(
    /// An atom (RFC 9051 §4.1, §9): `atom = 1*ATOM-CHAR`, printable ASCII
    /// without `(`, `)`, `{`, SP, `%`, `*`, `"`, `\` and `]`.
    ///
    /// ```
    /// use mailwire_imap::types::Atom;
    /// assert_eq!(Atom::new("LITERAL+").unwrap().as_str(), "LITERAL+");
    /// assert!(Atom::new("two words").is_err());
    /// ```
    Atom,
    "atom",
    is_atom_char
);

/// One `seq-number` (RFC 9051 §9): a message sequence number or UID, or `*`,
/// the largest number in use.
///
/// `seq-number = nz-number / "*"`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeqNumber {
    /// A number, never zero (`nz-number`).
    Value(NonZeroU32),
    /// `*`: the largest number in use (the number of messages, or the UID of
    /// the last message).
    Largest,
}

impl SeqNumber {
    /// The number `n`, or `None` for zero.
    pub const fn new(n: u32) -> Option<Self> {
        match NonZeroU32::new(n) {
            Some(n) => Some(Self::Value(n)),
            None => None,
        }
    }

    /// The number this stands for when `largest` is the largest number in
    /// use, or `None` for `*` when nothing is in use (`largest == 0`).
    pub const fn resolve(self, largest: u32) -> Option<u32> {
        match self {
            Self::Value(n) => Some(n.get()),
            Self::Largest if largest == 0 => None,
            Self::Largest => Some(largest),
        }
    }
}

impl From<NonZeroU32> for SeqNumber {
    fn from(n: NonZeroU32) -> Self {
        Self::Value(n)
    }
}

/// One element of a sequence set: a number or a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeqItem {
    /// A single `seq-number`.
    Single(SeqNumber),
    /// `seq-range = seq-number ":" seq-number` (RFC 9051 §9): both numbers
    /// and all between them, in either order (`4:2` is `2:4`). The ends are
    /// kept as written.
    Range(SeqNumber, SeqNumber),
}

impl SeqItem {
    /// The lowest and highest number this stands for, or `None` when it
    /// holds a `*` and nothing is in use (`largest == 0`).
    pub fn bounds(self, largest: u32) -> Option<(u32, u32)> {
        match self {
            Self::Single(n) => n.resolve(largest).map(|n| (n, n)),
            Self::Range(a, b) => {
                let (a, b) = (a.resolve(largest)?, b.resolve(largest)?);
                Some((a.min(b), a.max(b)))
            }
        }
    }

    /// True when `n` is in this item.
    pub fn contains(self, n: u32, largest: u32) -> bool {
        self.bounds(largest)
            .is_some_and(|(lo, hi)| lo <= n && n <= hi)
    }
}

/// A `sequence-set` (RFC 9051 §9): one or more numbers and ranges, or `$`,
/// the saved result of the last `SEARCH` (RFC 9051 §6.4.4.1, RFC 5182).
///
/// ```text
/// sequence-set     = (seq-number / seq-range) ["," sequence-set]
/// sequence-set     =/ seq-last-command
/// seq-last-command = "$"
/// ```
///
/// A set of numbers is never empty. Its elements are kept in the order sent;
/// nothing is expanded, so a hostile `1:4294967295` costs a few bytes.
/// `$` is accepted only on its own, as clients send it.
///
/// ```
/// use mailwire_imap::types::{SeqItem, SeqNumber, SequenceSet};
/// // RFC 9051 §9: 2,4:7,9,12:* in a mailbox of 15 messages.
/// let set: SequenceSet = "2,4:7,9,12:*".parse().unwrap();
/// let numbers: Vec<u32> = set.numbers(15).collect();
/// assert_eq!(numbers, [2, 4, 5, 6, 7, 9, 12, 13, 14, 15]);
/// assert!(set.contains(13, 15) && !set.contains(8, 15));
///
/// // Never expanded: iterate lazily, with a cap of your choosing.
/// let huge: SequenceSet = "1:4294967295".parse().unwrap();
/// assert_eq!(huge.numbers(u32::MAX).take(3).count(), 3);
/// assert_eq!(huge.count(u32::MAX), 4294967295);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SequenceSet(SetRepr);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum SetRepr {
    /// Never empty.
    Items(Vec<SeqItem>),
    LastCommand,
}

impl SequenceSet {
    /// A set of one item.
    pub fn new(item: SeqItem) -> Self {
        Self(SetRepr::Items(vec![item]))
    }

    /// A set of `items`, refused when there are none.
    pub fn from_items(items: Vec<SeqItem>) -> Result<Self, ValueError> {
        if items.is_empty() {
            return Err(ValueError::Empty {
                what: "sequence set",
            });
        }
        Ok(Self(SetRepr::Items(items)))
    }

    /// The set of `numbers` (message sequence numbers or UIDs), runs of
    /// consecutive numbers written as ranges: `[1, 2, 3, 5, 7, 8]` is
    /// `1:3,5,7:8`. Meant for numbers in ascending order; repeats are
    /// dropped, zeros (no message has number 0) skipped, and a number lower
    /// than the one before it starts a new item, so any order gives a set
    /// of exactly the numbers given. `None` when no number is left.
    /// Allocates one item per run, never per number.
    ///
    /// ```
    /// use mailwire_imap::encode::Encode;
    /// use mailwire_imap::types::SequenceSet;
    /// let set = SequenceSet::from_sorted(&[1, 2, 3, 5, 7, 8, 8, 9]).unwrap();
    /// assert_eq!(set.to_bytes(), b"1:3,5,7:9");
    /// assert!(SequenceSet::from_sorted(&[]).is_none());
    /// ```
    pub fn from_sorted(numbers: &[u32]) -> Option<Self> {
        let item = |lo: NonZeroU32, hi: NonZeroU32| {
            if lo == hi {
                SeqItem::Single(SeqNumber::Value(lo))
            } else {
                SeqItem::Range(SeqNumber::Value(lo), SeqNumber::Value(hi))
            }
        };
        let mut items = Vec::new();
        let mut run: Option<(NonZeroU32, NonZeroU32)> = None;
        for n in numbers.iter().filter_map(|&n| NonZeroU32::new(n)) {
            run = match run {
                Some((lo, hi)) if n == hi || Some(n) == hi.checked_add(1) => Some((lo, n)),
                Some((lo, hi)) => {
                    items.push(item(lo, hi));
                    Some((n, n))
                }
                None => Some((n, n)),
            };
        }
        let (lo, hi) = run?;
        items.push(item(lo, hi));
        Some(Self(SetRepr::Items(items)))
    }

    /// `$`: the saved search result (RFC 9051 §6.4.4.1).
    pub const fn last_command() -> Self {
        Self(SetRepr::LastCommand)
    }

    /// True for `$`.
    pub fn is_last_command(&self) -> bool {
        matches!(self.0, SetRepr::LastCommand)
    }

    /// The items as sent; empty for `$`.
    pub fn items(&self) -> &[SeqItem] {
        match &self.0 {
            SetRepr::Items(items) => items,
            SetRepr::LastCommand => &[],
        }
    }

    /// Appends an item. `$` becomes the set of that one item.
    pub fn push(&mut self, item: SeqItem) {
        match &mut self.0 {
            SetRepr::Items(items) => items.push(item),
            SetRepr::LastCommand => self.0 = SetRepr::Items(vec![item]),
        }
    }

    /// True when `n` is in the set, `*` standing for `largest`. `$` holds
    /// nothing here: the caller substitutes its saved result first.
    pub fn contains(&self, n: u32, largest: u32) -> bool {
        self.items().iter().any(|i| i.contains(n, largest))
    }

    /// The numbers of the set in the order written (a range `7:4` gives 7, 6,
    /// 5, 4), duplicates kept, computed lazily: nothing is allocated however
    /// large the ranges are. Use [`Iterator::take`] to cap the work.
    pub fn numbers(&self, largest: u32) -> Numbers<'_> {
        Numbers {
            items: self.items().iter(),
            largest,
            current: None,
        }
    }

    /// How many numbers [`numbers`](Self::numbers) yields, duplicates
    /// included, without iterating.
    pub fn count(&self, largest: u32) -> u64 {
        self.items()
            .iter()
            .filter_map(|i| i.bounds(largest))
            .map(|(lo, hi)| u64::from(hi - lo) + 1)
            .sum()
    }

    /// The set as sorted, disjoint, non-adjacent ranges. Allocates one
    /// range per item at most, never per number.
    pub fn normalized(&self, largest: u32) -> Vec<RangeInclusive<u32>> {
        let mut bounds: Vec<(u32, u32)> = self
            .items()
            .iter()
            .filter_map(|i| i.bounds(largest))
            .collect();
        bounds.sort_unstable();
        let mut out: Vec<RangeInclusive<u32>> = Vec::with_capacity(bounds.len());
        for (lo, hi) in bounds {
            match out.last_mut() {
                Some(last) if u64::from(lo) <= u64::from(*last.end()) + 1 => {
                    if hi > *last.end() {
                        *last = *last.start()..=hi;
                    }
                }
                _ => out.push(lo..=hi),
            }
        }
        out
    }
}

impl From<SeqNumber> for SequenceSet {
    fn from(n: SeqNumber) -> Self {
        Self::new(SeqItem::Single(n))
    }
}

/// The numbers of a [`SequenceSet`], from [`SequenceSet::numbers`].
#[derive(Debug, Clone)]
pub struct Numbers<'s> {
    items: std::slice::Iter<'s, SeqItem>,
    largest: u32,
    /// Next number and last number of the item being walked.
    current: Option<(u32, u32)>,
}

impl Iterator for Numbers<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        loop {
            if let Some((next, last)) = self.current {
                self.current = match next.cmp(&last) {
                    std::cmp::Ordering::Less => Some((next + 1, last)),
                    std::cmp::Ordering::Greater => Some((next - 1, last)),
                    std::cmp::Ordering::Equal => None,
                };
                return Some(next);
            }
            let item = self.items.next()?;
            self.current = match *item {
                SeqItem::Single(n) => n.resolve(self.largest).map(|n| (n, n)),
                SeqItem::Range(a, b) => a.resolve(self.largest).zip(b.resolve(self.largest)),
            };
        }
    }
}

/// A `partial-range` of the `PARTIAL` search return option and fetch
/// modifier (RFC 9394 §4):
///
/// ```text
/// partial-range       = partial-range-first / partial-range-last
/// partial-range-first = nz-number ":" nz-number
/// partial-range-last  = MINUS nz-number ":" MINUS nz-number
/// ```
///
/// Positions count matching messages: `1:100` the first hundred from the
/// oldest, `-1:-100` the hundred newest. Both ends are non-zero and have
/// the same sign. The two ends are kept as written: `500:400` means the
/// same as `400:500` to a server, but it is written back as it came.
///
/// ```
/// use mailwire_imap::types::PartialRange;
/// let newest = PartialRange::new(-1, -100).unwrap();
/// assert!(newest.is_from_end());
/// assert_eq!(newest.to_string(), "-1:-100");
/// assert_eq!(PartialRange::from_start(1, 100).unwrap().signed(), (1, 100));
/// assert!(PartialRange::new(-1, 100).is_err()); // mixed signs
/// assert!(PartialRange::new(0, 5).is_err()); // zero
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PartialRange {
    first: NonZeroU32,
    last: NonZeroU32,
    from_end: bool,
}

impl PartialRange {
    /// The range `first:last` as signed positions: both positive
    /// (`partial-range-first`) or both negative (`partial-range-last`), each
    /// at most 4294967295 in magnitude.
    pub fn new(first: i64, last: i64) -> Result<Self, ValueError> {
        const WHAT: &str = "partial-range";
        if first == 0 || last == 0 {
            return Err(ValueError::OutOfRange {
                what: WHAT,
                reason: "positions are non-zero",
            });
        }
        if (first < 0) != (last < 0) {
            return Err(ValueError::OutOfRange {
                what: WHAT,
                reason: "both ends have the same sign",
            });
        }
        let magnitude = |n: i64| {
            u32::try_from(n.unsigned_abs())
                .ok()
                .and_then(NonZeroU32::new)
                .ok_or(ValueError::OutOfRange {
                    what: WHAT,
                    reason: "positions are at most 4294967295",
                })
        };
        Ok(Self {
            first: magnitude(first)?,
            last: magnitude(last)?,
            from_end: first < 0,
        })
    }

    /// `partial-range-first`: positions `first:last` counted from the
    /// oldest (lowest) matching message, both non-zero.
    pub fn from_start(first: u32, last: u32) -> Result<Self, ValueError> {
        Self::new(i64::from(first), i64::from(last))
    }

    /// `partial-range-last`: positions `-first:-last` counted from the
    /// newest (highest) matching message, both non-zero.
    pub fn from_end(first: u32, last: u32) -> Result<Self, ValueError> {
        Self::new(-i64::from(first), -i64::from(last))
    }

    /// The range from validated parts (the decoder's path).
    pub(crate) const fn from_parts(first: NonZeroU32, last: NonZeroU32, from_end: bool) -> Self {
        Self {
            first,
            last,
            from_end,
        }
    }

    /// True for `partial-range-last` (negative positions, from the newest
    /// message).
    pub const fn is_from_end(self) -> bool {
        self.from_end
    }

    /// The magnitudes of the two ends, as written.
    pub const fn bounds(self) -> (NonZeroU32, NonZeroU32) {
        (self.first, self.last)
    }

    /// The two ends as signed positions, as written.
    pub fn signed(self) -> (i64, i64) {
        let sign = if self.from_end { -1 } else { 1 };
        (
            sign * i64::from(self.first.get()),
            sign * i64::from(self.last.get()),
        )
    }
}

impl fmt::Display for PartialRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (first, last) = self.signed();
        write!(f, "{first}:{last}")
    }
}

/// A mailbox name (RFC 9051 §5.1, §9): `mailbox = "INBOX" / astring`.
///
/// `INBOX` is case-insensitive: every case variant is [`Mailbox::Inbox`].
/// Other names keep their bytes as sent. By the IMAP4rev1 convention
/// (RFC 3501 §5.1.3, RFC 9051 §5.1.3) they are modified UTF-7, which
/// [`Mailbox::from_name`] and [`Mailbox::to_name`] convert; an IMAP4rev2
/// peer may also use UTF-8 directly ([`Mailbox::from_utf8`]).
///
/// ```
/// use mailwire_imap::types::Mailbox;
/// assert_eq!(Mailbox::from_bytes(&b"iNbOx"[..]).unwrap(), Mailbox::Inbox);
/// let m = Mailbox::from_name("~peter/mail/台北/日本語");
/// assert_eq!(m.as_bytes(), b"~peter/mail/&U,BTFw-/&ZeVnLIqe-");
/// assert_eq!(m.to_name().unwrap(), "~peter/mail/台北/日本語");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Mailbox<'a> {
    /// `INBOX`, in any case.
    Inbox,
    /// Any other name.
    Other(MailboxName<'a>),
}

/// The bytes of a mailbox name other than `INBOX`: no CR, LF or NUL, and not
/// a case variant of `INBOX`. May be empty (as `""` in `LIST`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MailboxName<'a>(Cow<'a, [u8]>);

impl MailboxName<'_> {
    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for MailboxName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_bytes(&self.0, f)
    }
}

impl fmt::Debug for Mailbox<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Inbox => f.write_str("Inbox"),
            Self::Other(name) => f.debug_tuple("Other").field(name).finish(),
        }
    }
}

impl<'a> Mailbox<'a> {
    /// The mailbox whose name is `bytes` as sent on the wire. Refuses CR, LF
    /// and NUL; any case of `INBOX` gives [`Mailbox::Inbox`].
    pub fn from_bytes(bytes: impl Into<Cow<'a, [u8]>>) -> Result<Self, ValueError> {
        let bytes = bytes.into();
        check_line_text("mailbox name", &bytes)?;
        if bytes.eq_ignore_ascii_case(b"INBOX") {
            return Ok(Self::Inbox);
        }
        Ok(Self::Other(MailboxName(bytes)))
    }

    /// The mailbox named `name` in UTF-8, as IMAP4rev2 allows (RFC 9051 §5.1).
    /// Refuses CR, LF and NUL.
    pub fn from_utf8(name: &'a str) -> Result<Self, ValueError> {
        Self::from_bytes(name.as_bytes())
    }

    /// The mailbox named `name`, encoded in modified UTF-7 (RFC 3501 §5.1.3),
    /// which every IMAP server understands. The encoding is printable ASCII,
    /// so this cannot fail.
    pub fn from_name(name: &str) -> Mailbox<'static> {
        let encoded = utf7::encode(name);
        if encoded.eq_ignore_ascii_case("INBOX") {
            Mailbox::Inbox
        } else {
            Mailbox::Other(MailboxName(Cow::Owned(encoded.into_bytes())))
        }
    }

    /// The name as sent on the wire (`INBOX` for [`Mailbox::Inbox`]).
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Inbox => b"INBOX",
            Self::Other(name) => &name.0,
        }
    }

    /// True for `INBOX`.
    pub fn is_inbox(&self) -> bool {
        matches!(self, Self::Inbox)
    }

    /// The name decoded from modified UTF-7 (RFC 3501 §5.1.3), or where it
    /// is not valid modified UTF-7. See [`utf7::decode_lossy`] for a
    /// tolerant reading.
    pub fn to_name(&self) -> Result<String, utf7::Utf7Error> {
        utf7::decode(self.as_bytes())
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> Mailbox<'static> {
        match self {
            Self::Inbox => Mailbox::Inbox,
            Self::Other(name) => Mailbox::Other(MailboxName(Cow::Owned(name.0.into_owned()))),
        }
    }
}

/// Human-readable text at the end of a response (`text` in RFC 9051 §9).
///
/// Never contains CR, LF or NUL. The bytes are kept as they came: IMAP4rev1
/// text is ASCII, IMAP4rev2 allows UTF-8, and servers send other 8-bit bytes.
/// May be empty, for the servers that send no text.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Text<'a>(Cow<'a, [u8]>);

impl<'a> Text<'a> {
    /// Validates `text`: refuses CR, LF and NUL.
    pub fn new(text: impl Into<Cow<'a, [u8]>>) -> Result<Self, ValueError> {
        let text = text.into();
        check_line_text("text", &text)?;
        Ok(Self(text))
    }

    /// For the decoder, which has already checked the bytes.
    pub(crate) fn from_wire(text: &'a [u8]) -> Self {
        debug_assert!(!text.iter().any(|b| matches!(b, b'\r' | b'\n' | 0)));
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
    pub fn into_owned(self) -> Text<'static> {
        Text(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_bytes(&self.0, f)
    }
}

impl<'a> TryFrom<&'a str> for Text<'a> {
    type Error = ValueError;
    fn try_from(value: &'a str) -> Result<Self, Self::Error> {
        Self::new(value.as_bytes())
    }
}

/// The arguments of a response code the crate does not model: what follows
/// the code's name up to `]` (`1*<any TEXT-CHAR except "]">`, RFC 9051 §9).
/// Never empty; never contains CR, LF, NUL or `]`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CodeText<'a>(Cow<'a, [u8]>);

impl<'a> CodeText<'a> {
    /// Validates `text`: refuses the empty text, CR, LF, NUL and `]`.
    pub fn new(text: impl Into<Cow<'a, [u8]>>) -> Result<Self, ValueError> {
        let text = text.into();
        check_chars("response code text", &text, |b| {
            !matches!(b, b'\r' | b'\n' | 0 | b']')
        })?;
        Ok(Self(text))
    }

    /// For the decoder, which has already checked the bytes.
    pub(crate) fn from_wire(text: &'a [u8]) -> Self {
        debug_assert!(!text.is_empty());
        Self(Cow::Borrowed(text))
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> CodeText<'static> {
        CodeText(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Debug for CodeText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_bytes(&self.0, f)
    }
}

/// One capability (RFC 9051 §7.2.2, §9):
/// `capability = ("AUTH=" auth-type) / atom`.
///
/// Names are matched case-insensitively. Build one with
/// [`Capability::new`], which picks the variant; [`Capability::Other`] holds
/// only names without a variant of their own, so that encoding and decoding
/// agree.
///
/// ```
/// use mailwire_imap::types::{Atom, Capability};
/// let c = Capability::new(Atom::new("auth=PLAIN").unwrap());
/// assert_eq!(c, Capability::Auth(Atom::new("PLAIN").unwrap()));
/// assert_eq!(Capability::new(Atom::new("imap4rev1").unwrap()), Capability::Imap4Rev1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Capability<'a> {
    /// `IMAP4rev1` (RFC 3501).
    Imap4Rev1,
    /// `IMAP4rev2` (RFC 9051).
    Imap4Rev2,
    /// `AUTH=` followed by a SASL mechanism name (`auth-type = atom`).
    Auth(Atom<'a>),
    /// `LITERAL+`: non-synchronizing literals (RFC 7888).
    LiteralPlus,
    /// `LITERAL-`: non-synchronizing literals up to 4096 octets (RFC 7888).
    LiteralMinus,
    /// `STARTTLS` (RFC 9051 §6.2.1).
    StartTls,
    /// `LOGINDISABLED` (RFC 9051 §6.2.3).
    LoginDisabled,
    /// `PARTIAL`: paged `SEARCH` and `FETCH` (RFC 9394 §4).
    Partial,
    /// Any other capability, as sent.
    Other(Atom<'a>),
}

impl<'a> Capability<'a> {
    /// The capability named `atom`, case-insensitively.
    pub fn new(atom: Atom<'a>) -> Self {
        let s = atom.as_str();
        let is = |name: &str| s.eq_ignore_ascii_case(name);
        if is("IMAP4rev1") {
            Self::Imap4Rev1
        } else if is("IMAP4rev2") {
            Self::Imap4Rev2
        } else if is("LITERAL+") {
            Self::LiteralPlus
        } else if is("LITERAL-") {
            Self::LiteralMinus
        } else if is("STARTTLS") {
            Self::StartTls
        } else if is("LOGINDISABLED") {
            Self::LoginDisabled
        } else if is("PARTIAL") {
            Self::Partial
        } else if s.len() > 5 && s.as_bytes()[..5].eq_ignore_ascii_case(b"AUTH=") {
            let mechanism = match atom.0 {
                Cow::Borrowed(s) => Cow::Borrowed(&s[5..]),
                Cow::Owned(s) => Cow::Owned(s[5..].to_owned()),
            };
            Self::Auth(Atom(mechanism))
        } else {
            Self::Other(atom)
        }
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> Capability<'static> {
        match self {
            Self::Imap4Rev1 => Capability::Imap4Rev1,
            Self::Imap4Rev2 => Capability::Imap4Rev2,
            Self::Auth(a) => Capability::Auth(a.into_owned()),
            Self::LiteralPlus => Capability::LiteralPlus,
            Self::LiteralMinus => Capability::LiteralMinus,
            Self::StartTls => Capability::StartTls,
            Self::LoginDisabled => Capability::LoginDisabled,
            Self::Partial => Capability::Partial,
            Self::Other(a) => Capability::Other(a.into_owned()),
        }
    }
}

/// A response code (RFC 9051 §7.1, §9: `resp-text-code`), the bracketed part
/// at the start of a status response's text.
///
/// Codes with a variant of their own are read case-insensitively and
/// written in capitals. A known code whose arguments do not read as the
/// grammar says (say `[UIDNEXT abc]`) is kept as [`Code::Other`], like any
/// code the crate does not model, so the rest of the line is never lost.
///
/// ```
/// use mailwire_imap::types::{Atom, Code, CodeText};
/// let code = Code::from_parts(Atom::new("ALERT").unwrap(), None);
/// assert_eq!(code, Code::Alert);
/// let code = Code::from_parts(Atom::new("UIDNEXT").unwrap(), Some(CodeText::new(&b"4392"[..]).unwrap()));
/// assert_eq!(code, Code::UidNext(4392));
/// let code = Code::from_parts(Atom::new("X-VENDOR").unwrap(), Some(CodeText::new(&b"1 2"[..]).unwrap()));
/// assert!(matches!(code, Code::Other(ref o) if o.name().as_str() == "X-VENDOR"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Code<'a> {
    /// `ALERT`: the text must be shown to the user.
    Alert,
    /// `BADCHARSET` and the charsets the server supports, maybe none.
    BadCharset(Vec<Charset<'a>>),
    /// `CAPABILITY` and the server's capabilities (`capability-data`). The
    /// list is what was sent: RFC 9051 requires `IMAP4rev2` in it, but
    /// IMAP4rev1 servers and some others differ, so nothing is required.
    Capability(Vec<Capability<'a>>),
    /// `PARSE`: a message's header could not be parsed.
    Parse,
    /// `PERMANENTFLAGS` and the flags that can be changed permanently
    /// (`\*`: new keywords too).
    PermanentFlags(Vec<Flag<'a>>),
    /// `READ-ONLY`.
    ReadOnly,
    /// `READ-WRITE`.
    ReadWrite,
    /// `TRYCREATE`: the target mailbox does not exist but could be created.
    TryCreate,
    /// `UIDNEXT` and the next UID.
    UidNext(u32),
    /// `UIDVALIDITY` and the mailbox's UID validity.
    UidValidity(u32),
    /// `UNSEEN` and the first unseen message (IMAP4rev1).
    Unseen(u32),
    /// `APPENDUID` (RFC 4315, RFC 9051): the UID validity and the UIDs given
    /// to the appended messages.
    AppendUid {
        /// UID validity of the target mailbox.
        uid_validity: u32,
        /// The new UIDs.
        uids: SequenceSet,
    },
    /// `COPYUID` (RFC 4315, RFC 9051): the source UIDs and the UIDs of the
    /// copies.
    CopyUid {
        /// UID validity of the target mailbox.
        uid_validity: u32,
        /// UIDs of the messages copied.
        source: SequenceSet,
        /// UIDs of the copies, in the same order.
        destination: SequenceSet,
    },
    /// `UIDNOTSTICKY`: the mailbox does not keep UIDs (RFC 4315).
    UidNotSticky,
    /// `CLOSED`: the previous mailbox was closed (RFC 7162, RFC 9051).
    Closed,
    /// `HIGHESTMODSEQ` (RFC 7162).
    HighestModSeq(u64),
    /// `NOMODSEQ`: the mailbox has no mod-sequences (RFC 7162).
    NoModSeq,
    /// `MODIFIED` and the messages a conditional STORE left alone (RFC 7162).
    Modified(SequenceSet),
    /// `TOOBIG`: the message is over the server's limit (RFC 4469, RFC 7889).
    TooBig,
    /// `UNAVAILABLE` (RFC 5530).
    Unavailable,
    /// `AUTHENTICATIONFAILED` (RFC 5530).
    AuthenticationFailed,
    /// `AUTHORIZATIONFAILED` (RFC 5530).
    AuthorizationFailed,
    /// `EXPIRED` (RFC 5530).
    Expired,
    /// `PRIVACYREQUIRED` (RFC 5530).
    PrivacyRequired,
    /// `CONTACTADMIN` (RFC 5530).
    ContactAdmin,
    /// `NOPERM` (RFC 5530).
    NoPerm,
    /// `INUSE` (RFC 5530).
    InUse,
    /// `EXPUNGEISSUED` (RFC 5530).
    ExpungeIssued,
    /// `CORRUPTION` (RFC 5530).
    Corruption,
    /// `SERVERBUG` (RFC 5530).
    ServerBug,
    /// `CLIENTBUG` (RFC 5530).
    ClientBug,
    /// `CANNOT` (RFC 5530).
    Cannot,
    /// `LIMIT` (RFC 5530).
    Limit,
    /// `OVERQUOTA` (RFC 5530).
    OverQuota,
    /// `ALREADYEXISTS` (RFC 5530).
    AlreadyExists,
    /// `NONEXISTENT` (RFC 5530).
    NonExistent,
    /// `NOTSAVED` (RFC 9051).
    NotSaved,
    /// `HASCHILDREN` (RFC 9051).
    HasChildren,
    /// `USEATTR` (RFC 6154).
    UseAttr,
    /// Any other code, kept as its name and arguments.
    Other(OtherCode<'a>),
}

/// The codes without arguments, with their names.
/// A name and the value it stands for.
type Named<T> = (&'static str, fn() -> T);

const SIMPLE_CODES: &[Named<Code<'static>>] = &[
    ("ALERT", || Code::Alert),
    ("PARSE", || Code::Parse),
    ("READ-ONLY", || Code::ReadOnly),
    ("READ-WRITE", || Code::ReadWrite),
    ("TRYCREATE", || Code::TryCreate),
    ("UIDNOTSTICKY", || Code::UidNotSticky),
    ("CLOSED", || Code::Closed),
    ("NOMODSEQ", || Code::NoModSeq),
    ("TOOBIG", || Code::TooBig),
    ("UNAVAILABLE", || Code::Unavailable),
    ("AUTHENTICATIONFAILED", || Code::AuthenticationFailed),
    ("AUTHORIZATIONFAILED", || Code::AuthorizationFailed),
    ("EXPIRED", || Code::Expired),
    ("PRIVACYREQUIRED", || Code::PrivacyRequired),
    ("CONTACTADMIN", || Code::ContactAdmin),
    ("NOPERM", || Code::NoPerm),
    ("INUSE", || Code::InUse),
    ("EXPUNGEISSUED", || Code::ExpungeIssued),
    ("CORRUPTION", || Code::Corruption),
    ("SERVERBUG", || Code::ServerBug),
    ("CLIENTBUG", || Code::ClientBug),
    ("CANNOT", || Code::Cannot),
    ("LIMIT", || Code::Limit),
    ("OVERQUOTA", || Code::OverQuota),
    ("ALREADYEXISTS", || Code::AlreadyExists),
    ("NONEXISTENT", || Code::NonExistent),
    ("NOTSAVED", || Code::NotSaved),
    ("HASCHILDREN", || Code::HasChildren),
    ("USEATTR", || Code::UseAttr),
];

/// A response code kept as sent: `atom [SP 1*<any TEXT-CHAR except "]">]`.
/// Built by [`Code::from_parts`], which never gives this for a code whose
/// arguments read as one with a variant of its own.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OtherCode<'a> {
    name: Atom<'a>,
    text: Option<CodeText<'a>>,
}

impl<'a> OtherCode<'a> {
    /// The code's name, as sent.
    pub fn name(&self) -> &Atom<'a> {
        &self.name
    }

    /// What followed the name up to `]`, without the separating SP.
    pub fn text(&self) -> Option<&CodeText<'a>> {
        self.text.as_ref()
    }

    /// For the decoder: the code as read, when it has no variant.
    pub(crate) fn from_wire(name: Atom<'a>, text: Option<CodeText<'a>>) -> Self {
        Self { name, text }
    }
}

impl<'a> Code<'a> {
    /// The code named `name` with arguments `text`, as the decoder reads it:
    /// a known name (case-insensitively) whose arguments follow its grammar
    /// gives its own variant, anything else is [`Code::Other`].
    pub fn from_parts(name: Atom<'a>, text: Option<CodeText<'a>>) -> Self {
        let known = match &text {
            None => crate::decode::code_arguments(&name, b""),
            Some(t) => match &t.0 {
                Cow::Borrowed(b) => crate::decode::code_arguments(&name, b),
                Cow::Owned(v) => crate::decode::code_arguments(&name, v).map(Code::into_owned),
            },
        };
        known.unwrap_or(Self::Other(OtherCode { name, text }))
    }

    /// The code without arguments named `name` (case-insensitively).
    pub(crate) fn simple(name: &[u8]) -> Option<Self> {
        SIMPLE_CODES
            .iter()
            .find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(name))
            .map(|(_, make)| make())
    }

    /// The name of a code without arguments.
    pub(crate) fn simple_name(&self) -> Option<&'static str> {
        SIMPLE_CODES
            .iter()
            .find(|(_, make)| make() == *self)
            .map(|(n, _)| *n)
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> Code<'static> {
        match self {
            Self::BadCharset(list) => {
                Code::BadCharset(list.into_iter().map(Charset::into_owned).collect())
            }
            Self::Capability(list) => {
                Code::Capability(list.into_iter().map(Capability::into_owned).collect())
            }
            Self::PermanentFlags(list) => {
                Code::PermanentFlags(list.into_iter().map(Flag::into_owned).collect())
            }
            Self::UidNext(n) => Code::UidNext(n),
            Self::UidValidity(n) => Code::UidValidity(n),
            Self::Unseen(n) => Code::Unseen(n),
            Self::AppendUid { uid_validity, uids } => Code::AppendUid { uid_validity, uids },
            Self::CopyUid {
                uid_validity,
                source,
                destination,
            } => Code::CopyUid {
                uid_validity,
                source,
                destination,
            },
            Self::HighestModSeq(n) => Code::HighestModSeq(n),
            Self::Modified(set) => Code::Modified(set),
            Self::Other(o) => Code::Other(OtherCode {
                name: o.name.into_owned(),
                text: o.text.map(CodeText::into_owned),
            }),
            simple => simple
                .simple_name()
                .and_then(|n| Code::simple(n.as_bytes()))
                .unwrap_or(Code::Alert),
        }
    }
}

ascii_token!(
    /// A charset name in a `BADCHARSET` code (RFC 9051 §9: `charset = atom /
    /// quoted`): printable ASCII and SP, without `"`, `\` and `]`.
    ///
    /// ```
    /// use mailwire_imap::types::Charset;
    /// assert!(Charset::new("UTF-8").is_ok());
    /// assert!(Charset::new("a]b").is_err());
    /// ```
    Charset,
    "charset",
    is_charset_char
);

/// A byte of a [`Charset`].
pub(crate) const fn is_charset_char(b: u8) -> bool {
    matches!(b, 0x20..=0x7e) && !matches!(b, b'"' | b'\\' | b']')
}

ascii_token!(
    /// A flag keyword or the name of a `\`-flag (RFC 9051 §2.3.2, §9:
    /// `flag-keyword = atom`, `flag-extension = "\" atom`), read tolerantly
    /// as `1*ASTRING-CHAR`: Gmail and others send `]` inside keywords.
    ///
    /// ```
    /// use mailwire_imap::types::Keyword;
    /// assert!(Keyword::new("$Forwarded").is_ok());
    /// assert!(Keyword::new("OIB-Seen-[Gmail]/All").is_ok());
    /// assert!(Keyword::new("a b").is_err());
    /// ```
    Keyword,
    "keyword",
    is_astring_char
);

/// A message flag (RFC 9051 §2.3.2, §9): `flag = "\Answered" / "\Flagged" /
/// "\Deleted" / "\Seen" / "\Draft" / flag-keyword / flag-extension`, plus
/// `\Recent` (IMAP4rev1) and `\*` (`flag-perm`, in `PERMANENTFLAGS`; Zoho
/// sends it in `FLAGS` too). System flags are matched case-insensitively.
///
/// ```
/// use mailwire_imap::types::{Flag, Keyword};
/// assert_eq!(Flag::from_name(b"\\SEEN"), Some(Flag::Seen));
/// assert_eq!(Flag::from_name(b"$Junk"), Some(Flag::Keyword(Keyword::new("$Junk").unwrap())));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Flag<'a> {
    /// `\Answered`.
    Answered,
    /// `\Flagged`.
    Flagged,
    /// `\Deleted`.
    Deleted,
    /// `\Seen`.
    Seen,
    /// `\Draft`.
    Draft,
    /// `\Recent` (IMAP4rev1 only).
    Recent,
    /// `\*`: keywords can be created (`flag-perm`).
    Wildcard,
    /// Any other `\`-flag; the name without its `\`.
    Extension(Keyword<'a>),
    /// A keyword, such as `$Forwarded`.
    Keyword(Keyword<'a>),
}

const SYSTEM_FLAGS: &[Named<Flag<'static>>] = &[
    ("Answered", || Flag::Answered),
    ("Flagged", || Flag::Flagged),
    ("Deleted", || Flag::Deleted),
    ("Seen", || Flag::Seen),
    ("Draft", || Flag::Draft),
    ("Recent", || Flag::Recent),
];

impl<'a> Flag<'a> {
    /// The flag written `wire` (with its `\` for system flags), or `None`
    /// when that is not a flag.
    pub fn from_name(wire: &'a [u8]) -> Option<Self> {
        match wire.split_first() {
            Some((b'\\', b"*")) => Some(Self::Wildcard),
            Some((b'\\', name)) => {
                Some(Self::system(name).unwrap_or(Self::Extension(Keyword::from_checked(name)?)))
            }
            _ => Keyword::from_checked(wire).map(Self::Keyword),
        }
    }

    /// The system flag named `name` (without `\`).
    fn system(name: &[u8]) -> Option<Self> {
        SYSTEM_FLAGS
            .iter()
            .find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(name))
            .map(|(_, make)| make())
    }

    /// The name of a system flag, without `\`.
    pub(crate) fn system_name(&self) -> Option<&'static str> {
        SYSTEM_FLAGS
            .iter()
            .find(|(_, make)| make() == *self)
            .map(|(n, _)| *n)
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> Flag<'static> {
        match self {
            Self::Extension(k) => Flag::Extension(k.into_owned()),
            Self::Keyword(k) => Flag::Keyword(k.into_owned()),
            Self::Answered => Flag::Answered,
            Self::Flagged => Flag::Flagged,
            Self::Deleted => Flag::Deleted,
            Self::Seen => Flag::Seen,
            Self::Draft => Flag::Draft,
            Self::Recent => Flag::Recent,
            Self::Wildcard => Flag::Wildcard,
        }
    }
}

/// The condition of a greeting (RFC 9051 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GreetingKind {
    /// `OK`: the client must authenticate (Not Authenticated state).
    Ok,
    /// `PREAUTH`: the connection is already authenticated.
    PreAuth,
    /// `BYE`: the server refuses the connection and closes it.
    Bye,
}

impl GreetingKind {
    /// The word on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::PreAuth => "PREAUTH",
            Self::Bye => "BYE",
        }
    }
}

/// The server greeting, the first line a server sends (RFC 9051 §7.1, §9):
///
/// ```text
/// greeting       = "*" SP (resp-cond-auth / resp-cond-bye) CRLF
/// resp-cond-auth = ("OK" / "PREAUTH") SP resp-text
/// resp-cond-bye  = "BYE" SP resp-text
/// resp-text      = ["[" resp-text-code "]" SP] [text]
/// ```
///
/// ```
/// use mailwire_imap::types::{Code, Greeting, GreetingKind, Text};
/// let g = Greeting::new(GreetingKind::Ok, Some(Code::Alert), Text::try_from("Shutdown soon").unwrap()).unwrap();
/// assert_eq!(g.kind(), GreetingKind::Ok);
/// assert!(Greeting::new(GreetingKind::Ok, None, Text::try_from("[ALERT] x").unwrap()).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Greeting<'a> {
    kind: GreetingKind,
    code: Option<Code<'a>>,
    text: Text<'a>,
}

impl<'a> Greeting<'a> {
    /// A greeting. The text may not start with SP, nor, without a code, with
    /// `[` (the decoder would read either differently).
    pub fn new(
        kind: GreetingKind,
        code: Option<Code<'a>>,
        text: Text<'a>,
    ) -> Result<Self, ValueError> {
        match text.as_bytes().first() {
            Some(&b' ') => {
                return Err(ValueError::ForbiddenStart {
                    what: "greeting text",
                    byte: b' ',
                });
            }
            Some(&b'[') if code.is_none() => {
                return Err(ValueError::ForbiddenStart {
                    what: "greeting text without a response code",
                    byte: b'[',
                });
            }
            _ => {}
        }
        Ok(Self { kind, code, text })
    }

    /// For the decoder, which reads text that cannot start with SP, and text
    /// starting with `[` only when it does not hold a response code.
    pub(crate) fn from_wire(kind: GreetingKind, code: Option<Code<'a>>, text: Text<'a>) -> Self {
        Self { kind, code, text }
    }

    /// `OK`, `PREAUTH` or `BYE`.
    pub fn kind(&self) -> GreetingKind {
        self.kind
    }

    /// The response code, if any.
    pub fn code(&self) -> Option<&Code<'a>> {
        self.code.as_ref()
    }

    /// The human-readable text (possibly empty).
    pub fn text(&self) -> &Text<'a> {
        &self.text
    }

    /// The capabilities, when the greeting carries a `CAPABILITY` code.
    pub fn capabilities(&self) -> Option<&[Capability<'a>]> {
        match &self.code {
            Some(Code::Capability(list)) => Some(list),
            _ => None,
        }
    }

    /// A copy that owns all its bytes.
    pub fn into_owned(self) -> Greeting<'static> {
        Greeting {
            kind: self.kind,
            code: self.code.map(Code::into_owned),
            text: self.text.into_owned(),
        }
    }
}

// Declared after `ascii_token!` so that they can use it.
mod body;
mod command;
mod owned;
mod response;

#[cfg(test)]
mod class_tests {
    use super::*;

    #[test]
    fn classes_follow_the_grammar() {
        for b in 0..=255u8 {
            let atom = matches!(b, 0x21..=0x7e)
                && !matches!(b, b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\' | b']');
            assert_eq!(is_atom_char(b), atom, "{b}");
            assert_eq!(is_astring_char(b), atom || b == b']', "{b}");
            assert_eq!(is_tag_char(b), (atom || b == b']') && b != b'+', "{b}");
        }
    }
}
