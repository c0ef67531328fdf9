//! Client commands (RFC 9051 §6, RFC 3501 §6 and the extensions), the
//! lines of an `AUTHENTICATE` exchange and the `DONE` that ends `IDLE`.
//!
//! Strings (`astring`, `string`, `nstring`, `list-mailbox`) are kept as
//! their bytes, whichever form they were sent in (atom, quoted string or
//! literal): the encoder picks the form again from the bytes. Keywords
//! are matched case-insensitively and written in capitals.

use std::borrow::Cow;
use std::fmt;
use std::num::NonZeroU64;

use super::{
    Atom, Capability, Charset, Flag, IString, Keyword, ListAttribute, Mailbox, NString, ObjectId,
    PartialRange, Section, SequenceSet, Tag, ValueError, check_chars,
};

/// A tagged client command (RFC 9051 §6, §9):
/// `command = tag SP (command-any / command-auth / command-nonauth /
/// command-select) CRLF`.
///
/// ```
/// use mailwire_imap::types::{Command, CommandBody, Mailbox, Tag};
/// use mailwire_imap::encode::Encode;
/// let cmd = Command::new(Tag::new("A142").unwrap(), CommandBody::Select {
///     mailbox: Mailbox::Inbox,
///     params: Vec::new(),
/// });
/// assert_eq!(cmd.to_bytes(), b"A142 SELECT INBOX\r\n");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command<'a> {
    /// The tag, echoed in the server's completion response.
    pub tag: Tag<'a>,
    /// The command and its arguments.
    pub body: CommandBody<'a>,
}

impl<'a> Command<'a> {
    /// A command tagged `tag`.
    pub fn new(tag: Tag<'a>, body: CommandBody<'a>) -> Self {
        Self { tag, body }
    }
}

/// What a client sends: a command, a line of an `AUTHENTICATE` exchange,
/// or the `DONE` that ends `IDLE`. Which of them a line is depends on what
/// the session is waiting for (see [`Expect`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientMessage<'a> {
    /// A tagged command.
    Command(Command<'a>),
    /// A client response during `AUTHENTICATE` (RFC 9051 §6.2.2).
    AuthenticateData(AuthenticateData<'a>),
    /// `DONE`, ending `IDLE` (RFC 2177, RFC 9051 §6.3.13).
    Done,
}

/// What the next line from the client is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Expect {
    /// A tagged command (the usual case).
    #[default]
    Command,
    /// A client response to an `AUTHENTICATE` challenge: base64, or `*` to
    /// cancel.
    AuthenticateData,
    /// `DONE`, after `IDLE` was accepted.
    IdleDone,
}

/// A value that must not be shown in logs, such as a password: `Debug`
/// prints `[redacted]`.
///
/// ```
/// use mailwire_imap::types::Secret;
/// let s = Secret::new("hunter2");
/// assert_eq!(format!("{s:?}"), "[redacted]");
/// assert_eq!(*s.expose(), "hunter2");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps `value`.
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret value.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// The secret value, unwrapped.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// `base64` text of a SASL exchange (RFC 9051 §9: `base64 = *(4base64-char)
/// [base64-terminal]`), kept as sent, possibly empty. `Debug` redacts it:
/// it may carry a password.
///
/// Validation accepts the base64 alphabet and `=`; the exact padding is
/// the SASL mechanism's business.
///
/// ```
/// use mailwire_imap::types::SaslData;
/// assert!(SaslData::new(&b"dGVzdAB0ZXN0AHRlc3Q="[..]).is_ok());
/// assert!(SaslData::new(&b"a b"[..]).is_err());
/// assert!(SaslData::new(&b"="[..]).is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SaslData<'a>(Cow<'a, [u8]>);

/// A byte of the base64 alphabet (RFC 4648 §4), `=` included.
pub(crate) const fn is_base64_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

impl<'a> SaslData<'a> {
    /// Validates `base64`: only the base64 alphabet and `=`; may be empty,
    /// but not padding alone (a lone `=` stands for the empty initial
    /// response, RFC 4959 §3).
    pub fn new(base64: impl Into<Cow<'a, [u8]>>) -> Result<Self, ValueError> {
        let base64 = base64.into();
        if !base64.is_empty() {
            check_chars("base64", &base64, is_base64_char)?;
            if base64.iter().all(|&b| b == b'=') {
                return Err(ValueError::ForbiddenStart {
                    what: "base64 (padding alone)",
                    byte: b'=',
                });
            }
        }
        Ok(Self(base64))
    }

    /// The empty response (`=` as an initial response, an empty line
    /// otherwise).
    pub const fn empty() -> Self {
        Self(Cow::Borrowed(b""))
    }

    /// For the decoder, which has checked the bytes.
    pub(crate) fn from_wire(bytes: &'a [u8]) -> Self {
        Self(Cow::Borrowed(bytes))
    }

    /// The base64 text.
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
        write!(f, "SaslData([redacted; {} octets])", self.0.len())
    }
}

/// A client line during `AUTHENTICATE` (RFC 9051 §6.2.2, §9:
/// `authenticate = … *(CRLF base64)`; `*` cancels).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AuthenticateData<'a> {
    /// A response to the server's challenge.
    Response(SaslData<'a>),
    /// `*`: the client cancels the exchange.
    Cancel,
}

/// A calendar date as IMAP writes it (RFC 9051 §9: `date-text = date-day
/// "-" date-month "-" date-year`), for `SEARCH` keys and `APPEND`.
///
/// ```
/// use mailwire_imap::types::Date;
/// let d = Date::new(1994, 2, 1).unwrap();
/// assert_eq!(d.to_string(), "1-Feb-1994");
/// assert!(Date::new(1994, 13, 1).is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// The month names of `date-month` (RFC 9051 §9).
pub(crate) const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl Date {
    /// The date `day`-`month`-`year`: year 0..=9999 (`4DIGIT`), month
    /// 1..=12, day 1..=31 (the grammar does not check the calendar).
    pub const fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        if year > 9999 || month == 0 || month > 12 || day == 0 || day > 31 {
            return None;
        }
        Some(Self { year, month, day })
    }

    /// The year.
    pub const fn year(self) -> u16 {
        self.year
    }

    /// The month, 1 to 12.
    pub const fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1 to 31.
    pub const fn day(self) -> u8 {
        self.day
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let month = MONTHS
            .get(usize::from(self.month.saturating_sub(1)))
            .unwrap_or(&"Jan");
        write!(f, "{}-{}-{:04}", self.day, month, self.year)
    }
}

/// A date, a time and a zone (RFC 9051 §9: `date-time = DQUOTE
/// date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE`),
/// the internal date of `APPEND`.
///
/// ```
/// use mailwire_imap::types::{Date, DateTime};
/// let dt = DateTime::new(Date::new(1994, 2, 7).unwrap(), (21, 52, 25), -8 * 60).unwrap();
/// assert_eq!(dt.to_string(), " 7-Feb-1994 21:52:25 -0800");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    date: Date,
    hour: u8,
    minute: u8,
    second: u8,
    zone: i16,
}

impl DateTime {
    /// The moment `date` at `(hour, minute, second)` in the zone `zone`
    /// minutes east of UTC. Hours 0..=23, minutes 0..=59, seconds 0..=60
    /// (a leap second), zones up to ±99:59.
    pub const fn new(date: Date, (hour, minute, second): (u8, u8, u8), zone: i16) -> Option<Self> {
        if hour > 23 || minute > 59 || second > 60 || zone.unsigned_abs() > 99 * 60 + 59 {
            return None;
        }
        Some(Self {
            date,
            hour,
            minute,
            second,
            zone,
        })
    }

    /// The date.
    pub const fn date(self) -> Date {
        self.date
    }

    /// Hour, minute and second.
    pub const fn time(self) -> (u8, u8, u8) {
        (self.hour, self.minute, self.second)
    }

    /// The zone, in minutes east of UTC (`-0000` reads as `+0000`).
    pub const fn zone(self) -> i16 {
        self.zone
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let month = MONTHS
            .get(usize::from(self.date.month.saturating_sub(1)))
            .unwrap_or(&"Jan");
        let sign = if self.zone < 0 { '-' } else { '+' };
        let zone = self.zone.unsigned_abs();
        write!(
            f,
            "{:>2}-{}-{:04} {:02}:{:02}:{:02} {}{:02}{:02}",
            self.date.day,
            month,
            self.date.year,
            self.hour,
            self.minute,
            self.second,
            sign,
            zone / 60,
            zone % 60
        )
    }
}

/// Enums whose variants are fixed keywords: a table of names, matched
/// case-insensitively.
macro_rules! keyword_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $word:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)*];

            /// The keyword on the wire.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $word,)*
                }
            }

            /// The variant written `word`, case-insensitively.
            pub fn from_word(word: &[u8]) -> Option<Self> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().as_bytes().eq_ignore_ascii_case(word))
            }
        }
    };
}

/// The body of a command: its name and arguments. One variant per command
/// of IMAP4rev2, IMAP4rev1 and the extensions the crate knows; the `uid`
/// fields mark the `UID` forms (RFC 9051 §6.4.9).
///
/// Commands the crate does not know are a decoding error
/// ([`DecodeErrorKind::UnknownCommand`](crate::decode::DecodeErrorKind::UnknownCommand))
/// that discards the whole command, literals included, so that a server
/// can answer `BAD` and go on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommandBody<'a> {
    /// `CAPABILITY` (RFC 9051 §6.1.1).
    Capability,
    /// `NOOP` (RFC 9051 §6.1.2).
    Noop,
    /// `LOGOUT` (RFC 9051 §6.1.3).
    Logout,
    /// `STARTTLS` (RFC 9051 §6.2.1).
    StartTls,
    /// `AUTHENTICATE mechanism [initial-response]` (RFC 9051 §6.2.2,
    /// RFC 4959 SASL-IR).
    Authenticate {
        /// The SASL mechanism (`auth-type = atom`).
        mechanism: Atom<'a>,
        /// The initial response (`=` on the wire when empty).
        initial: Option<SaslData<'a>>,
    },
    /// `LOGIN userid password` (RFC 9051 §6.2.3).
    Login {
        /// `userid = astring`.
        username: IString<'a>,
        /// `password = astring`.
        password: Secret<IString<'a>>,
    },
    /// `ENABLE capability…` (RFC 5161, RFC 9051 §6.3.1); never empty.
    Enable(Vec<Capability<'a>>),
    /// `SELECT mailbox [(params)]` (RFC 9051 §6.3.2, RFC 7162).
    Select {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// `CONDSTORE`, `QRESYNC (…)`; none when empty.
        params: Vec<SelectParam>,
    },
    /// `EXAMINE mailbox [(params)]` (RFC 9051 §6.3.3).
    Examine {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// `CONDSTORE`, `QRESYNC (…)`; none when empty.
        params: Vec<SelectParam>,
    },
    /// `CREATE mailbox [(USE (attributes))]` (RFC 9051 §6.3.4, RFC 6154).
    Create {
        /// The new mailbox.
        mailbox: Mailbox<'a>,
        /// Special-use attributes (`CREATE-SPECIAL-USE`); none when empty.
        special_use: Vec<ListAttribute<'a>>,
    },
    /// `DELETE mailbox` (RFC 9051 §6.3.5).
    Delete(Mailbox<'a>),
    /// `RENAME from to` (RFC 9051 §6.3.6).
    Rename {
        /// The existing mailbox.
        from: Mailbox<'a>,
        /// Its new name.
        to: Mailbox<'a>,
    },
    /// `SUBSCRIBE mailbox` (RFC 9051 §6.3.7).
    Subscribe(Mailbox<'a>),
    /// `UNSUBSCRIBE mailbox` (RFC 9051 §6.3.8).
    Unsubscribe(Mailbox<'a>),
    /// `LIST [(selection)] reference patterns [RETURN (options)]`
    /// (RFC 9051 §6.3.9, RFC 5258, RFC 5819, RFC 6154).
    List {
        /// `list-select-opts`; `None` when absent (`Some` of an empty list
        /// is `()`).
        selection: Option<Vec<ListSelect<'a>>>,
        /// The reference name.
        reference: Mailbox<'a>,
        /// The patterns (`list-mailbox`), never empty; one is written bare,
        /// more in parentheses.
        patterns: Vec<IString<'a>>,
        /// `RETURN (…)`; `None` when absent.
        return_opts: Option<Vec<ListReturn<'a>>>,
    },
    /// `LSUB reference pattern` (RFC 3501 §6.3.9).
    Lsub {
        /// The reference name.
        reference: Mailbox<'a>,
        /// The pattern.
        pattern: IString<'a>,
    },
    /// `NAMESPACE` (RFC 2342, RFC 9051 §6.3.10).
    Namespace,
    /// `STATUS mailbox (items)` (RFC 9051 §6.3.11).
    Status {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// The attributes asked for; never empty.
        items: Vec<StatusAttribute<'a>>,
    },
    /// `APPEND mailbox [flags] [date-time] message` (RFC 9051 §6.3.12,
    /// RFC 3516, RFC 6855).
    Append {
        /// The target mailbox.
        mailbox: Mailbox<'a>,
        /// Flags to set; no flag list when empty.
        flags: Vec<Flag<'a>>,
        /// The internal date to set.
        date: Option<DateTime>,
        /// The message.
        message: AppendMessage<'a>,
    },
    /// `APPEND mailbox 1*append-message` with several messages in one
    /// command (MULTIAPPEND, RFC 3502 §6.3.11): all are appended, or none.
    ///
    /// The decoder answers [`CommandBody::Append`] for a command with one
    /// message and this variant for two or more; the encoder writes the
    /// messages given (build [`CommandBody::Append`] for one).
    MultiAppend {
        /// The target mailbox.
        mailbox: Mailbox<'a>,
        /// The messages, in order; two or more from the decoder.
        messages: Vec<AppendEntry<'a>>,
    },
    /// `IDLE` (RFC 2177, RFC 9051 §6.3.13); the client ends it with `DONE`.
    Idle,
    /// `CHECK` (RFC 3501 §6.4.1).
    Check,
    /// `CLOSE` (RFC 9051 §6.4.1).
    Close,
    /// `UNSELECT` (RFC 3691, RFC 9051 §6.4.2).
    Unselect,
    /// `EXPUNGE` (RFC 9051 §6.4.3).
    Expunge,
    /// `UID EXPUNGE set` (RFC 4315, RFC 9051 §6.4.9).
    UidExpunge(SequenceSet),
    /// `[UID] SEARCH [RETURN (…)] [CHARSET c] keys` (RFC 9051 §6.4.4,
    /// RFC 4731).
    Search {
        /// `UID SEARCH`.
        uid: bool,
        /// `RETURN (…)` (ESEARCH); `None` when absent.
        return_opts: Option<Vec<SearchReturn>>,
        /// `CHARSET`.
        charset: Option<Charset<'a>>,
        /// The keys, all of which must match; never empty.
        criteria: Vec<SearchKey<'a>>,
    },
    /// `[UID] FETCH set items [(modifiers)]` (RFC 9051 §6.4.5, RFC 7162).
    Fetch {
        /// `UID FETCH`.
        uid: bool,
        /// The messages.
        set: SequenceSet,
        /// What to fetch.
        items: FetchItems<'a>,
        /// `CHANGEDSINCE`, `VANISHED`; none when empty.
        modifiers: Vec<FetchModifier>,
    },
    /// `[UID] STORE set [(UNCHANGEDSINCE n)] action values` (RFC 9051
    /// §6.4.6, RFC 7162).
    Store {
        /// `UID STORE`.
        uid: bool,
        /// The messages.
        set: SequenceSet,
        /// `UNCHANGEDSINCE` (RFC 7162).
        unchanged_since: Option<u64>,
        /// Replace, add or remove.
        action: StoreAction,
        /// `.SILENT`: no untagged `FETCH` in reply.
        silent: bool,
        /// The flags or labels.
        target: StoreTarget<'a>,
    },
    /// `[UID] COPY set mailbox` (RFC 9051 §6.4.7).
    Copy {
        /// `UID COPY`.
        uid: bool,
        /// The messages.
        set: SequenceSet,
        /// The target mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `[UID] MOVE set mailbox` (RFC 6851, RFC 9051 §6.4.8).
    Move {
        /// `UID MOVE`.
        uid: bool,
        /// The messages.
        set: SequenceSet,
        /// The target mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `[UID] SORT (criteria) charset keys` (RFC 5256 §3).
    Sort {
        /// `UID SORT`.
        uid: bool,
        /// The sort order; never empty.
        criteria: Vec<SortCriterion>,
        /// The charset of the search strings.
        charset: Charset<'a>,
        /// The search keys; never empty.
        search: Vec<SearchKey<'a>>,
    },
    /// `[UID] SORT RETURN (options) (criteria) charset keys` (ESORT,
    /// RFC 5267 §3.2): the answer is an `ESEARCH` response. A `SORT`
    /// without `RETURN` is [`CommandBody::Sort`].
    ESort {
        /// `UID SORT`.
        uid: bool,
        /// `MIN`, `MAX`, `ALL`, `COUNT`; may be empty (`RETURN ()`, as
        /// `ALL`).
        return_opts: Vec<SearchReturn>,
        /// The sort order; never empty.
        criteria: Vec<SortCriterion>,
        /// The charset of the search strings.
        charset: Charset<'a>,
        /// The search keys; never empty.
        search: Vec<SearchKey<'a>>,
    },
    /// `[UID] THREAD algorithm charset keys` (RFC 5256 §3).
    Thread {
        /// `UID THREAD`.
        uid: bool,
        /// The threading algorithm.
        algorithm: ThreadAlgorithm<'a>,
        /// The charset of the search strings.
        charset: Charset<'a>,
        /// The search keys; never empty.
        search: Vec<SearchKey<'a>>,
    },
    /// `GETQUOTA root` (RFC 9208 §4.2).
    GetQuota(IString<'a>),
    /// `GETQUOTAROOT mailbox` (RFC 9208 §4.3).
    GetQuotaRoot(Mailbox<'a>),
    /// `SETQUOTA root (resource limit …)` (RFC 9208 §4.4).
    SetQuota {
        /// The quota root.
        root: IString<'a>,
        /// Resource names and their new limits.
        limits: Vec<(Atom<'a>, u64)>,
    },
    /// `SETACL mailbox identifier rights` (RFC 4314 §3.1).
    SetAcl {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// Whose rights.
        identifier: IString<'a>,
        /// The rights, maybe prefixed with `+` or `-`.
        rights: IString<'a>,
    },
    /// `DELETEACL mailbox identifier` (RFC 4314 §3.2).
    DeleteAcl {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// Whose rights.
        identifier: IString<'a>,
    },
    /// `GETACL mailbox` (RFC 4314 §3.3).
    GetAcl(Mailbox<'a>),
    /// `LISTRIGHTS mailbox identifier` (RFC 4314 §3.4).
    ListRights {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// Whose rights.
        identifier: IString<'a>,
    },
    /// `MYRIGHTS mailbox` (RFC 4314 §3.5).
    MyRights(Mailbox<'a>),
    /// `GETMETADATA [(options)] mailbox entries` (RFC 5464 §4.2).
    GetMetadata {
        /// `MAXSIZE`, `DEPTH`; none when empty.
        options: Vec<MetadataOption>,
        /// The mailbox (`""` for the server).
        mailbox: Mailbox<'a>,
        /// The entry names; never empty. One is written bare, more in
        /// parentheses.
        entries: Vec<IString<'a>>,
    },
    /// `SETMETADATA mailbox (entry value …)` (RFC 5464 §4.3).
    SetMetadata {
        /// The mailbox (`""` for the server).
        mailbox: Mailbox<'a>,
        /// Entries and their values (`None`: remove the entry); never empty.
        entries: Vec<(IString<'a>, NString<'a>)>,
    },
    /// `ID (field value …)` or `ID NIL` (RFC 2971 §3.1).
    Id(Option<Vec<(IString<'a>, NString<'a>)>>),
    /// `COMPRESS algorithm` (RFC 4978), `DEFLATE` in practice.
    Compress(Atom<'a>),
}

/// A `SELECT`/`EXAMINE` parameter (RFC 7162 §3.1.8, §3.2.5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SelectParam {
    /// `CONDSTORE`.
    CondStore,
    /// `QRESYNC (uidvalidity modseq [known-uids] [(seqs uids)])`.
    QResync(QResync),
}

/// The arguments of `QRESYNC` (RFC 7162 §3.2.5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QResync {
    /// The UID validity the client knows (`nz-number`).
    pub uid_validity: u32,
    /// The last known mod-sequence.
    pub mod_seq: u64,
    /// The UIDs the client knows.
    pub known_uids: Option<SequenceSet>,
    /// Message numbers and the UIDs they had (`seq-match-data`).
    pub seq_match: Option<(SequenceSet, SequenceSet)>,
}

/// A `LIST` selection option (RFC 5258 §3.1, RFC 6154 §5.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ListSelect<'a> {
    /// `SUBSCRIBED`.
    Subscribed,
    /// `REMOTE`.
    Remote,
    /// `RECURSIVEMATCH`.
    RecursiveMatch,
    /// `SPECIAL-USE`.
    SpecialUse,
    /// Another option (`option-extension`), never one of the above.
    Other(Atom<'a>),
}

/// A `LIST` return option (RFC 5258 §3.2, RFC 5819, RFC 6154 §5.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ListReturn<'a> {
    /// `SUBSCRIBED`.
    Subscribed,
    /// `CHILDREN`.
    Children,
    /// `SPECIAL-USE`.
    SpecialUse,
    /// `STATUS (attributes)` (LIST-STATUS, RFC 5819).
    Status(Vec<StatusAttribute<'a>>),
    /// Another option (`option-extension`), never one of the above.
    Other(Atom<'a>),
}

/// A `STATUS` attribute asked for (RFC 9051 §6.3.11, §9: `status-att`,
/// RFC 7162, RFC 7889, RFC 8474).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusAttribute<'a> {
    /// `MESSAGES`.
    Messages,
    /// `UIDNEXT`.
    UidNext,
    /// `UIDVALIDITY`.
    UidValidity,
    /// `UNSEEN`.
    Unseen,
    /// `DELETED`.
    Deleted,
    /// `SIZE` (RFC 9051, STATUS=SIZE).
    Size,
    /// `RECENT` (IMAP4rev1).
    Recent,
    /// `HIGHESTMODSEQ` (RFC 7162).
    HighestModSeq,
    /// `APPENDLIMIT` (RFC 7889).
    AppendLimit,
    /// `MAILBOXID` (RFC 8474).
    MailboxId,
    /// Another attribute, never one of the above.
    Other(Atom<'a>),
}

/// Names of the status attributes with a variant.
pub(crate) const STATUS_ATTRIBUTES: &[(&str, StatusAttribute<'static>)] = &[
    ("MESSAGES", StatusAttribute::Messages),
    ("UIDNEXT", StatusAttribute::UidNext),
    ("UIDVALIDITY", StatusAttribute::UidValidity),
    ("UNSEEN", StatusAttribute::Unseen),
    ("DELETED", StatusAttribute::Deleted),
    ("SIZE", StatusAttribute::Size),
    ("RECENT", StatusAttribute::Recent),
    ("HIGHESTMODSEQ", StatusAttribute::HighestModSeq),
    ("APPENDLIMIT", StatusAttribute::AppendLimit),
    ("MAILBOXID", StatusAttribute::MailboxId),
];

impl<'a> StatusAttribute<'a> {
    /// The attribute named `atom`, case-insensitively: a variant of its
    /// own when there is one, else [`StatusAttribute::Other`].
    pub fn new(atom: Atom<'a>) -> Self {
        STATUS_ATTRIBUTES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(atom.as_str()))
            .map_or(Self::Other(atom), |(_, v)| v.clone())
    }

    /// The name on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Other(a) => a.as_str(),
            known => STATUS_ATTRIBUTES
                .iter()
                .find(|(_, v)| v == known)
                .map_or("", |(n, _)| n),
        }
    }
}

impl<'a> ListSelect<'a> {
    /// The option named `atom`, case-insensitively.
    pub fn new(atom: Atom<'a>) -> Self {
        let is = |n: &str| atom.as_str().eq_ignore_ascii_case(n);
        if is("SUBSCRIBED") {
            Self::Subscribed
        } else if is("REMOTE") {
            Self::Remote
        } else if is("RECURSIVEMATCH") {
            Self::RecursiveMatch
        } else if is("SPECIAL-USE") {
            Self::SpecialUse
        } else {
            Self::Other(atom)
        }
    }

    /// The name on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Subscribed => "SUBSCRIBED",
            Self::Remote => "REMOTE",
            Self::RecursiveMatch => "RECURSIVEMATCH",
            Self::SpecialUse => "SPECIAL-USE",
            Self::Other(a) => a.as_str(),
        }
    }
}

/// The message of an `APPEND`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendMessage<'a> {
    /// How it is sent.
    pub kind: AppendKind,
    /// The message's octets.
    pub data: Cow<'a, [u8]>,
}

/// One message of a `MULTIAPPEND` command (RFC 3502 §6.3.11:
/// `append-message = append-opts SP append-data`, `append-opts = [SP
/// flag-list] [SP date-time]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendEntry<'a> {
    /// Flags to set; no flag list when empty.
    pub flags: Vec<Flag<'a>>,
    /// The internal date to set.
    pub date: Option<DateTime>,
    /// The message.
    pub message: AppendMessage<'a>,
}

/// How an `APPEND` message is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppendKind {
    /// A `literal` (RFC 9051 §6.3.12).
    Literal,
    /// A `literal8` (`~{n}`), binary content (RFC 3516 §4.4).
    Binary,
    /// `UTF8 (literal8)` (RFC 6855 §4).
    Utf8,
}

/// An `ESEARCH` return option (RFC 4731 §3.1, RFC 9051 §6.4.4, RFC 9394
/// §4: `search-return-opt`).
///
/// ```text
/// search-return-opt =/ "PARTIAL" SP partial-range   ; RFC 9394
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SearchReturn {
    /// `MIN`.
    Min,
    /// `MAX`.
    Max,
    /// `ALL`.
    All,
    /// `COUNT`.
    Count,
    /// `SAVE` (RFC 5182).
    Save,
    /// `PARTIAL partial-range` (RFC 9394 §3.1): only the results at these
    /// positions, returned as [`ESearchItem::Partial`](crate::types::ESearchItem::Partial).
    Partial(PartialRange),
}

impl SearchReturn {
    /// Every option without an argument, in declaration order.
    pub const ALL: &'static [Self] = &[Self::Min, Self::Max, Self::All, Self::Count, Self::Save];

    /// The keyword on the wire (`PARTIAL` for [`SearchReturn::Partial`],
    /// whose range follows it).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Min => "MIN",
            Self::Max => "MAX",
            Self::All => "ALL",
            Self::Count => "COUNT",
            Self::Save => "SAVE",
            Self::Partial(_) => "PARTIAL",
        }
    }

    /// The option without an argument written `word`, case-insensitively.
    pub fn from_word(word: &[u8]) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.as_str().as_bytes().eq_ignore_ascii_case(word))
    }
}

/// An `entry-type-req` of a `MODSEQ` search key (RFC 7162 §3.1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryType {
    /// `priv`.
    Private,
    /// `shared`.
    Shared,
    /// `all`.
    All,
}

impl EntryType {
    /// The word on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Private => "priv",
            Self::Shared => "shared",
            Self::All => "all",
        }
    }
}

/// A search key (RFC 9051 §6.4.4, §9: `search-key`; RFC 3501; RFC 7162
/// `MODSEQ`; RFC 5032 `OLDER`/`YOUNGER`; RFC 8474 `EMAILID`/`THREADID`;
/// the Gmail extensions).
///
/// `NOT`, `OR` and parenthesised lists nest; the decoder reads them with
/// an explicit stack, at most [`Limits::nesting_depth`](crate::Limits)
/// deep.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SearchKey<'a> {
    /// `ALL`.
    All,
    /// `ANSWERED`.
    Answered,
    /// `BCC string`.
    Bcc(IString<'a>),
    /// `BEFORE date`.
    Before(Date),
    /// `BODY string`.
    Body(IString<'a>),
    /// `CC string`.
    Cc(IString<'a>),
    /// `DELETED`.
    Deleted,
    /// `DRAFT`.
    Draft,
    /// `FLAGGED`.
    Flagged,
    /// `FROM string`.
    From(IString<'a>),
    /// `HEADER field-name string`.
    Header(IString<'a>, IString<'a>),
    /// `KEYWORD flag-keyword`.
    Keyword(Keyword<'a>),
    /// `LARGER n`.
    Larger(u64),
    /// `NEW` (IMAP4rev1).
    New,
    /// `NOT key`.
    Not(Box<SearchKey<'a>>),
    /// `OLD` (IMAP4rev1).
    Old,
    /// `ON date`.
    On(Date),
    /// `OR key key`.
    Or(Box<SearchKey<'a>>, Box<SearchKey<'a>>),
    /// `RECENT` (IMAP4rev1).
    Recent,
    /// `SEEN`.
    Seen,
    /// `SENTBEFORE date`.
    SentBefore(Date),
    /// `SENTON date`.
    SentOn(Date),
    /// `SENTSINCE date`.
    SentSince(Date),
    /// `SINCE date`.
    Since(Date),
    /// `SMALLER n`.
    Smaller(u64),
    /// `SUBJECT string`.
    Subject(IString<'a>),
    /// `TEXT string`.
    Text(IString<'a>),
    /// `TO string`.
    To(IString<'a>),
    /// `UID set`.
    Uid(SequenceSet),
    /// `UNANSWERED`.
    Unanswered,
    /// `UNDELETED`.
    Undeleted,
    /// `UNDRAFT`.
    Undraft,
    /// `UNFLAGGED`.
    Unflagged,
    /// `UNKEYWORD flag-keyword`.
    Unkeyword(Keyword<'a>),
    /// `UNSEEN`.
    Unseen,
    /// A bare sequence set: the messages with these numbers.
    SequenceSet(SequenceSet),
    /// `(key …)`: all of them; never empty.
    And(Vec<SearchKey<'a>>),
    /// `MODSEQ [entry-name entry-type] mod-sequence` (RFC 7162 §3.1.5).
    ModSeq {
        /// The metadata item and its type (`"/flags/\\draft" all`).
        entry: Option<(IString<'a>, EntryType)>,
        /// Messages whose mod-sequence is at least this.
        mod_seq: u64,
    },
    /// `OLDER seconds` (RFC 5032).
    Older(u32),
    /// `YOUNGER seconds` (RFC 5032).
    Younger(u32),
    /// `EMAILID id` (RFC 8474).
    EmailId(ObjectId<'a>),
    /// `THREADID id` (RFC 8474).
    ThreadId(ObjectId<'a>),
    /// `FILTER filter-name` (RFC 5466 §3.1): the messages a named search
    /// filter stored by the server matches.
    Filter(Atom<'a>),
    /// `X-GM-RAW string`: a Gmail search expression.
    GmRaw(IString<'a>),
    /// `X-GM-MSGID n`.
    GmMsgId(u64),
    /// `X-GM-THRID n`.
    GmThrId(u64),
    /// `X-GM-LABELS label`.
    GmLabels(IString<'a>),
}

/// What `FETCH` asks for: a macro or a list of attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchItems<'a> {
    /// `ALL`: `(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)`.
    All,
    /// `FAST`: `(FLAGS INTERNALDATE RFC822.SIZE)`.
    Fast,
    /// `FULL`: `(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY)`.
    Full,
    /// Attributes: one is written bare, more in parentheses.
    List(Vec<FetchAttribute<'a>>),
}

/// A partial fetch, `<offset.count>` (RFC 9051 §9: `partial = "<"
/// number64 "." nz-number64 ">"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Partial {
    /// The first octet wanted.
    pub offset: u64,
    /// How many octets at most.
    pub count: NonZeroU64,
}

/// A `FETCH` attribute (RFC 9051 §6.4.5, §9: `fetch-att`, RFC 3501,
/// RFC 3516, RFC 7162, RFC 8474, the Gmail extensions).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FetchAttribute<'a> {
    /// `ENVELOPE`.
    Envelope,
    /// `FLAGS`.
    Flags,
    /// `INTERNALDATE`.
    InternalDate,
    /// `RFC822.SIZE`.
    Rfc822Size,
    /// `BODY` (the structure without extensions).
    Body,
    /// `BODYSTRUCTURE`.
    BodyStructure,
    /// `UID`.
    Uid,
    /// `BODY[section]<partial>` or `BODY.PEEK[…]`.
    BodySection {
        /// The section.
        section: Section<'a>,
        /// `.PEEK`: do not set `\Seen`.
        peek: bool,
        /// The octets wanted.
        partial: Option<Partial>,
    },
    /// `BINARY[part]<partial>` or `BINARY.PEEK[…]` (RFC 3516).
    Binary {
        /// The part numbers; empty for the whole message.
        section: Vec<u32>,
        /// `.PEEK`.
        peek: bool,
        /// The octets wanted.
        partial: Option<Partial>,
    },
    /// `BINARY.SIZE[part]` (RFC 3516).
    BinarySize {
        /// The part numbers.
        section: Vec<u32>,
    },
    /// `RFC822` (IMAP4rev1).
    Rfc822,
    /// `RFC822.HEADER` (IMAP4rev1).
    Rfc822Header,
    /// `RFC822.TEXT` (IMAP4rev1).
    Rfc822Text,
    /// `MODSEQ` (RFC 7162).
    ModSeq,
    /// `EMAILID` (RFC 8474).
    EmailId,
    /// `THREADID` (RFC 8474).
    ThreadId,
    /// `X-GM-MSGID`.
    GmMsgId,
    /// `X-GM-THRID`.
    GmThrId,
    /// `X-GM-LABELS`.
    GmLabels,
}

/// The attributes without arguments, with their names.
pub(crate) const FETCH_SIMPLE: &[(&str, FetchAttribute<'static>)] = &[
    ("ENVELOPE", FetchAttribute::Envelope),
    ("FLAGS", FetchAttribute::Flags),
    ("INTERNALDATE", FetchAttribute::InternalDate),
    ("RFC822.SIZE", FetchAttribute::Rfc822Size),
    ("BODY", FetchAttribute::Body),
    ("BODYSTRUCTURE", FetchAttribute::BodyStructure),
    ("UID", FetchAttribute::Uid),
    ("RFC822", FetchAttribute::Rfc822),
    ("RFC822.HEADER", FetchAttribute::Rfc822Header),
    ("RFC822.TEXT", FetchAttribute::Rfc822Text),
    ("MODSEQ", FetchAttribute::ModSeq),
    ("EMAILID", FetchAttribute::EmailId),
    ("THREADID", FetchAttribute::ThreadId),
    ("X-GM-MSGID", FetchAttribute::GmMsgId),
    ("X-GM-THRID", FetchAttribute::GmThrId),
    ("X-GM-LABELS", FetchAttribute::GmLabels),
];

/// A `FETCH` modifier (RFC 7162 §3.1.4, §3.2.6, RFC 9394).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FetchModifier {
    /// `CHANGEDSINCE mod-sequence`.
    ChangedSince(u64),
    /// `VANISHED` (with `UID FETCH` and `CHANGEDSINCE`).
    Vanished,
    /// `PARTIAL partial-range` (RFC 9394 §3.3, `fetch-modifier =/
    /// modifier-partial`): only the messages at these positions of the
    /// set, from the oldest or the newest.
    Partial(PartialRange),
}

/// What `STORE` does with the values (RFC 9051 §9: `store-att-flags`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoreAction {
    /// `FLAGS`: replace.
    Replace,
    /// `+FLAGS`: add.
    Add,
    /// `-FLAGS`: remove.
    Remove,
}

/// What `STORE` changes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreTarget<'a> {
    /// `FLAGS`: the flags (an empty list clears them).
    Flags(Vec<Flag<'a>>),
    /// `X-GM-LABELS`: Gmail labels, system labels with their `\`.
    GmLabels(Vec<IString<'a>>),
}

keyword_enum!(
    /// A sort key (RFC 5256 §3: `sort-key`, RFC 5957 `DISPLAYFROM`,
    /// `DISPLAYTO`).
    SortKey {
        /// `ARRIVAL`.
        Arrival = "ARRIVAL",
        /// `CC`.
        Cc = "CC",
        /// `DATE`.
        Date = "DATE",
        /// `FROM`.
        From = "FROM",
        /// `SIZE`.
        Size = "SIZE",
        /// `SUBJECT`.
        Subject = "SUBJECT",
        /// `TO`.
        To = "TO",
        /// `DISPLAYFROM` (RFC 5957).
        DisplayFrom = "DISPLAYFROM",
        /// `DISPLAYTO` (RFC 5957).
        DisplayTo = "DISPLAYTO",
    }
);

/// `sort-criterion = ["REVERSE" SP] sort-key` (RFC 5256 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SortCriterion {
    /// `REVERSE`.
    pub reverse: bool,
    /// The key.
    pub key: SortKey,
}

/// A threading algorithm (RFC 5256 §3: `thread-alg`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ThreadAlgorithm<'a> {
    /// `ORDEREDSUBJECT`.
    OrderedSubject,
    /// `REFERENCES`.
    References,
    /// Another algorithm, never one of the above.
    Other(Atom<'a>),
}

impl<'a> ThreadAlgorithm<'a> {
    /// The algorithm named `atom`, case-insensitively.
    pub fn new(atom: Atom<'a>) -> Self {
        if atom.as_str().eq_ignore_ascii_case("ORDEREDSUBJECT") {
            Self::OrderedSubject
        } else if atom.as_str().eq_ignore_ascii_case("REFERENCES") {
            Self::References
        } else {
            Self::Other(atom)
        }
    }

    /// The name on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Self::OrderedSubject => "ORDEREDSUBJECT",
            Self::References => "REFERENCES",
            Self::Other(a) => a.as_str(),
        }
    }
}

/// A `GETMETADATA` option (RFC 5464 §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MetadataOption {
    /// `MAXSIZE n`: only values up to this size.
    MaxSize(u32),
    /// `DEPTH`: how far below the entries.
    Depth(MetadataDepth),
}

/// The `DEPTH` of `GETMETADATA` (RFC 5464 §4.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetadataDepth {
    /// `0`: the entries only.
    Zero,
    /// `1`: and their children.
    One,
    /// `infinity`: and everything below.
    Infinity,
}

/// Which literals may go without waiting for the server's continuation
/// request (RFC 7888), as negotiated: the server's capability.
///
/// A client's encoder marks the literals it may send at once as
/// non-synchronizing (`{n+}`); a server's decoder refuses the
/// non-synchronizing literals the mode does not allow. IMAP4rev2 includes
/// `LITERAL-` (RFC 9051 §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LiteralMode {
    /// Neither `LITERAL+` nor `LITERAL-`: every literal waits for `+`.
    Sync,
    /// `LITERAL+`: no literal waits.
    Plus,
    /// `LITERAL-`: literals up to 4096 octets do not wait.
    Minus,
}

impl LiteralMode {
    /// The largest non-synchronizing literal under `LITERAL-` (RFC 7888 §5).
    pub const MINUS_MAX: u64 = 4096;

    /// True when a literal of `len` octets may be sent without waiting.
    pub const fn allows_non_sync(self, len: u64) -> bool {
        match self {
            Self::Sync => false,
            Self::Plus => true,
            Self::Minus => len <= Self::MINUS_MAX,
        }
    }
}
