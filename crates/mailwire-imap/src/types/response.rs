//! Server responses (RFC 9051 §7): status responses, continuation requests
//! and untagged data.

use std::borrow::Cow;
use std::fmt;

use super::{
    Atom, Body, Capability, Code, Envelope, Flag, Keyword, Mailbox, PartialRange, SequenceSet, Tag,
    Text, ValueError, check_chars, check_line_text, debug_bytes,
};

/// The condition of a status response (RFC 9051 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusKind {
    /// `OK`: success, or information.
    Ok,
    /// `NO`: the command failed, or a warning.
    No,
    /// `BAD`: a protocol error.
    Bad,
    /// `PREAUTH`: the connection starts authenticated (greeting only).
    PreAuth,
    /// `BYE`: the server closes the connection.
    Bye,
}

impl StatusKind {
    /// The word on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::No => "NO",
            Self::Bad => "BAD",
            Self::PreAuth => "PREAUTH",
            Self::Bye => "BYE",
        }
    }

    /// The kind written `word`, case-insensitively.
    pub fn from_word(word: &[u8]) -> Option<Self> {
        [Self::Ok, Self::No, Self::Bad, Self::PreAuth, Self::Bye]
            .into_iter()
            .find(|k| k.as_str().as_bytes().eq_ignore_ascii_case(word))
    }
}

/// Checks the text of a status or continuation: it may not start with SP,
/// nor, without a code, with `[` (the decoder would read either otherwise).
fn check_resp_text(what: &'static str, code: bool, text: &Text<'_>) -> Result<(), ValueError> {
    match text.as_bytes().first() {
        Some(&b' ') => Err(ValueError::ForbiddenStart { what, byte: b' ' }),
        Some(&b'[') if !code => Err(ValueError::ForbiddenStart { what, byte: b'[' }),
        _ => Ok(()),
    }
}

/// A status response (RFC 9051 §7.1, §9), tagged or untagged:
///
/// ```text
/// response-tagged = tag SP resp-cond-state CRLF
/// resp-cond-state = ("OK" / "NO" / "BAD") SP resp-text
/// resp-cond-auth  = ("OK" / "PREAUTH") SP resp-text
/// resp-cond-bye   = "BYE" SP resp-text
/// resp-text       = ["[" resp-text-code "]" SP] [text]
/// ```
///
/// ```
/// use mailwire_imap::types::{Code, Status, StatusKind, Tag, Text};
/// let s = Status::new(Some(Tag::new("A1").unwrap()), StatusKind::No, Some(Code::TryCreate), Text::try_from("no such mailbox").unwrap()).unwrap();
/// assert_eq!(s.kind(), StatusKind::No);
/// assert!(Status::new(None, StatusKind::Ok, None, Text::try_from("[X] y").unwrap()).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Status<'a> {
    tag: Option<Tag<'a>>,
    kind: StatusKind,
    code: Option<Code<'a>>,
    text: Text<'a>,
}

impl<'a> Status<'a> {
    /// A status response; untagged when `tag` is `None`. The text may not
    /// start with SP, nor, without a code, with `[`.
    pub fn new(
        tag: Option<Tag<'a>>,
        kind: StatusKind,
        code: Option<Code<'a>>,
        text: Text<'a>,
    ) -> Result<Self, ValueError> {
        check_resp_text("status text", code.is_some(), &text)?;
        Ok(Self {
            tag,
            kind,
            code,
            text,
        })
    }

    /// For the decoder, whose text never starts with SP, nor with a `[`
    /// that opens a code.
    pub(crate) fn from_wire(
        tag: Option<Tag<'a>>,
        kind: StatusKind,
        code: Option<Code<'a>>,
        text: Text<'a>,
    ) -> Self {
        Self {
            tag,
            kind,
            code,
            text,
        }
    }

    /// The tag of a tagged response; `None` for `*`.
    pub fn tag(&self) -> Option<&Tag<'a>> {
        self.tag.as_ref()
    }

    /// `OK`, `NO`, `BAD`, `PREAUTH` or `BYE`.
    pub fn kind(&self) -> StatusKind {
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

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> Status<'static> {
        Status {
            tag: self.tag.map(Tag::into_owned),
            kind: self.kind,
            code: self.code.map(Code::into_owned),
            text: self.text.into_owned(),
        }
    }
}

/// A continuation request (RFC 9051 §7.5, §9):
/// `continue-req = "+" SP (resp-text / base64) CRLF`.
///
/// The two forms cannot be told apart from the bytes alone (`+ idle` is
/// both), so the text is kept as sent; during `AUTHENTICATE` it is the
/// base64 challenge ([`Continuation::base64`] builds one).
///
/// ```
/// use mailwire_imap::types::{Continuation, Text};
/// let c = Continuation::new(None, Text::try_from("Ready for literal data").unwrap()).unwrap();
/// assert_eq!(c.text().as_bytes(), b"Ready for literal data");
/// assert!(Continuation::base64(&b"YWJj"[..]).is_ok());
/// assert!(Continuation::base64(&b"not base64"[..]).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Continuation<'a> {
    code: Option<Code<'a>>,
    text: Text<'a>,
}

impl<'a> Continuation<'a> {
    /// A continuation with human-readable text. The text may not start with
    /// SP, nor, without a code, with `[`.
    pub fn new(code: Option<Code<'a>>, text: Text<'a>) -> Result<Self, ValueError> {
        check_resp_text("continuation text", code.is_some(), &text)?;
        Ok(Self { code, text })
    }

    /// A continuation carrying base64 data (a SASL challenge): `data` must
    /// be base64 (RFC 9051 §9: `base64 = *(4base64-char) [base64-terminal]`).
    pub fn base64(data: impl Into<Cow<'a, [u8]>>) -> Result<Self, ValueError> {
        let data = data.into();
        let body_len = data.iter().rposition(|&b| b != b'=').map_or(0, |i| i + 1);
        let padding = data.len() - body_len;
        let bad = data
            .iter()
            .take(body_len)
            .position(|&b| !(b.is_ascii_alphanumeric() || b == b'+' || b == b'/'));
        if let Some(offset) = bad {
            return Err(ValueError::ForbiddenByte {
                what: "base64",
                offset,
                byte: data[offset],
            });
        }
        if data.len() % 4 != 0 || padding > 2 {
            return Err(ValueError::ForbiddenByte {
                what: "base64",
                offset: data.len().saturating_sub(1),
                byte: data.last().copied().unwrap_or(b'='),
            });
        }
        Ok(Self {
            code: None,
            text: Text(data),
        })
    }

    /// For the decoder.
    pub(crate) fn from_wire(code: Option<Code<'a>>, text: Text<'a>) -> Self {
        Self { code, text }
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> Continuation<'static> {
        Continuation {
            code: self.code.map(Code::into_owned),
            text: self.text.into_owned(),
        }
    }

    /// The response code, if any.
    pub fn code(&self) -> Option<&Code<'a>> {
        self.code.as_ref()
    }

    /// The text, or the base64 data, as sent.
    pub fn text(&self) -> &Text<'a> {
        &self.text
    }
}

/// One server response (RFC 9051 §7, §9: `response-data`,
/// `response-tagged`, `response-fatal`, `continue-req`).
///
/// ```
/// use mailwire_imap::{decode, Limits};
/// use mailwire_imap::types::{Data, FetchItem, Response};
/// let (r, _) = decode::response(b"* 12 FETCH (UID 4827 FLAGS (\\Seen))\r\n", &Limits::default())
///     .unwrap().complete().unwrap();
/// let Response::Data(Data::Fetch { seq, items }) = r else { panic!() };
/// assert_eq!((seq, &items[0]), (12, &FetchItem::Uid(4827)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Response<'a> {
    /// `OK`, `NO`, `BAD`, `PREAUTH` or `BYE`, tagged or untagged.
    Status(Status<'a>),
    /// Untagged data: `* …`.
    Data(Data<'a>),
    /// A continuation request: `+ …`.
    Continuation(Continuation<'a>),
}

/// A string in a response (`string = quoted / literal`, RFC 9051 §9): any
/// bytes; the encoder picks a quoted string or a literal.
pub type IString<'a> = Cow<'a, [u8]>;

/// A `nstring = string / nil`: `None` for `NIL`.
pub type NString<'a> = Option<Cow<'a, [u8]>>;

/// Untagged data (RFC 9051 §7.2–§7.5 and the extensions).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Data<'a> {
    /// `CAPABILITY` (RFC 9051 §7.2.2).
    Capability(Vec<Capability<'a>>),
    /// `ENABLED` (RFC 5161 §3.2): the extensions enabled.
    Enabled(Vec<Capability<'a>>),
    /// `FLAGS` (RFC 9051 §7.3.5): the flags of the mailbox.
    Flags(Vec<Flag<'a>>),
    /// `LIST` (RFC 9051 §7.3.1, RFC 5258).
    List(ListData<'a>),
    /// `LSUB` (RFC 3501 §7.2.3).
    Lsub(ListData<'a>),
    /// `STATUS` (RFC 9051 §7.3.2).
    Status {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// Its attributes, in the order sent.
        items: Vec<StatusItem<'a>>,
    },
    /// `SEARCH` (RFC 3501 §7.2.5, RFC 7162 §3.1.5).
    Search {
        /// The matching numbers.
        numbers: Vec<u32>,
        /// The highest mod-sequence of the matches (`(MODSEQ n)`).
        modseq: Option<u64>,
    },
    /// `SORT` (RFC 5256 §4, RFC 7162 §3.1.5).
    Sort {
        /// The numbers in sort order.
        numbers: Vec<u32>,
        /// The highest mod-sequence of the matches.
        modseq: Option<u64>,
    },
    /// `ESEARCH` (RFC 4731, RFC 9051 §7.3.4).
    ESearch(ESearch<'a>),
    /// `THREAD` (RFC 5256 §4): the threads, in order.
    Thread(Vec<Thread>),
    /// `n EXISTS` (RFC 9051 §7.4.1).
    Exists(u32),
    /// `n RECENT` (RFC 3501 §7.3.2).
    Recent(u32),
    /// `n EXPUNGE` (RFC 9051 §7.5.1).
    Expunge(u32),
    /// `VANISHED` (RFC 7162 §3.2.10).
    Vanished {
        /// `(EARLIER)`: the answer to a FETCH or SELECT, not news.
        earlier: bool,
        /// The UIDs of the expunged messages.
        uids: SequenceSet,
    },
    /// `NAMESPACE` (RFC 2342, RFC 9051 §7.3.3). `NIL` is an empty list.
    Namespace {
        /// Personal namespaces.
        personal: Vec<Namespace<'a>>,
        /// Other users' namespaces.
        other: Vec<Namespace<'a>>,
        /// Shared namespaces.
        shared: Vec<Namespace<'a>>,
    },
    /// `ID` (RFC 2971 §3.2): field and value pairs, `None` for `NIL`.
    Id(Option<Vec<(IString<'a>, NString<'a>)>>),
    /// `QUOTA` (RFC 9208 §5.1).
    Quota {
        /// The quota root.
        root: IString<'a>,
        /// The resources and their usage.
        resources: Vec<QuotaResource<'a>>,
    },
    /// `QUOTAROOT` (RFC 9208 §5.2).
    QuotaRoot {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// Its quota roots.
        roots: Vec<IString<'a>>,
    },
    /// `ACL` (RFC 4314 §3.6): identifier and rights pairs.
    Acl {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// Identifiers and their rights.
        entries: Vec<(IString<'a>, IString<'a>)>,
    },
    /// `LISTRIGHTS` (RFC 4314 §3.7).
    ListRights {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// The identifier.
        identifier: IString<'a>,
        /// Rights always granted.
        required: IString<'a>,
        /// Groups of rights that may be granted.
        optional: Vec<IString<'a>>,
    },
    /// `MYRIGHTS` (RFC 4314 §3.8).
    MyRights {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// The rights.
        rights: IString<'a>,
    },
    /// `METADATA` (RFC 5464 §4.4).
    Metadata {
        /// The mailbox (`""` for server annotations).
        mailbox: Mailbox<'a>,
        /// Entries with values, or the names of changed entries.
        entries: MetadataEntries<'a>,
    },
    /// `n FETCH (…)` (RFC 9051 §7.5.2).
    Fetch {
        /// The message sequence number.
        seq: u32,
        /// The data items, in the order sent.
        items: Vec<FetchItem<'a>>,
    },
    /// An untagged response the crate does not model, kept as sent.
    Other(OtherData<'a>),
}

/// The attributes of a `LIST` or `LSUB` response (RFC 9051 §7.3.1, §9):
///
/// ```text
/// mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil)
///                SP mailbox [SP mbx-list-extended]
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListData<'a> {
    /// The name attributes.
    pub attributes: Vec<ListAttribute<'a>>,
    /// The hierarchy delimiter; `None` for `NIL` (a flat namespace).
    pub delimiter: Option<char>,
    /// The mailbox.
    pub mailbox: Mailbox<'a>,
    /// Extended data (RFC 5258 §9): `CHILDINFO`, `OLDNAME`, others.
    pub extended: Vec<ListExtended<'a>>,
}

/// A mailbox name attribute (RFC 9051 §7.3.1, RFC 5258, RFC 6154).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ListAttribute<'a> {
    /// `\NoInferiors`.
    NoInferiors,
    /// `\NoSelect`.
    NoSelect,
    /// `\Marked`.
    Marked,
    /// `\Unmarked`.
    Unmarked,
    /// `\HasChildren`.
    HasChildren,
    /// `\HasNoChildren`.
    HasNoChildren,
    /// `\NonExistent`.
    NonExistent,
    /// `\Subscribed`.
    Subscribed,
    /// `\Remote`.
    Remote,
    /// `\All` (special use).
    All,
    /// `\Archive` (special use).
    Archive,
    /// `\Drafts` (special use).
    Drafts,
    /// `\Flagged` (special use).
    Flagged,
    /// `\Junk` (special use).
    Junk,
    /// `\Sent` (special use).
    Sent,
    /// `\Trash` (special use).
    Trash,
    /// `\Important` (RFC 8457).
    Important,
    /// Any other `\`-attribute, without its `\`.
    Extension(Keyword<'a>),
    /// An attribute sent without `\` (not in the grammar; kept).
    Other(Keyword<'a>),
}

const LIST_ATTRIBUTES: &[super::Named<ListAttribute<'static>>] = &[
    ("NoInferiors", || ListAttribute::NoInferiors),
    ("Noselect", || ListAttribute::NoSelect),
    ("Marked", || ListAttribute::Marked),
    ("Unmarked", || ListAttribute::Unmarked),
    ("HasChildren", || ListAttribute::HasChildren),
    ("HasNoChildren", || ListAttribute::HasNoChildren),
    ("NonExistent", || ListAttribute::NonExistent),
    ("Subscribed", || ListAttribute::Subscribed),
    ("Remote", || ListAttribute::Remote),
    ("All", || ListAttribute::All),
    ("Archive", || ListAttribute::Archive),
    ("Drafts", || ListAttribute::Drafts),
    ("Flagged", || ListAttribute::Flagged),
    ("Junk", || ListAttribute::Junk),
    ("Sent", || ListAttribute::Sent),
    ("Trash", || ListAttribute::Trash),
    ("Important", || ListAttribute::Important),
];

impl<'a> ListAttribute<'a> {
    /// The attribute written `wire` (with its `\`), `None` when that is
    /// not an attribute.
    pub fn from_name(wire: &'a [u8]) -> Option<Self> {
        match wire.split_first() {
            Some((b'\\', name)) => Some(
                LIST_ATTRIBUTES
                    .iter()
                    .find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(name))
                    .map(|(_, make)| make())
                    .unwrap_or(Self::Extension(Keyword::from_checked(name)?)),
            ),
            _ => Keyword::from_checked(wire).map(Self::Other),
        }
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> ListAttribute<'static> {
        match self {
            Self::Extension(k) => ListAttribute::Extension(k.into_owned()),
            Self::Other(k) => ListAttribute::Other(k.into_owned()),
            known => known
                .known_name()
                .and_then(|n| {
                    LIST_ATTRIBUTES
                        .iter()
                        .find(|(name, _)| *name == n)
                        .map(|(_, make)| make())
                })
                .unwrap_or(ListAttribute::NoSelect),
        }
    }

    /// The name of a known attribute, without `\`.
    pub(crate) fn known_name(&self) -> Option<&'static str> {
        LIST_ATTRIBUTES
            .iter()
            .find(|(_, make)| make() == *self)
            .map(|(n, _)| *n)
    }
}

/// An item of `mbx-list-extended` (RFC 5258 §9, RFC 9051 §9).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ListExtended<'a> {
    /// `CHILDINFO (…)`: which selection options matched children.
    ChildInfo(Vec<IString<'a>>),
    /// `OLDNAME (mailbox)`: the mailbox's former name.
    OldName(Mailbox<'a>),
    /// Another tagged extension value, kept as sent.
    Other(OtherItem<'a>),
}

/// One attribute of a `STATUS` response (RFC 9051 §7.3.2, §9:
/// `status-att-val`, RFC 7162, RFC 7889, RFC 8474).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StatusItem<'a> {
    /// `MESSAGES`.
    Messages(u32),
    /// `UIDNEXT`.
    UidNext(u32),
    /// `UIDVALIDITY`.
    UidValidity(u32),
    /// `UNSEEN`.
    Unseen(u32),
    /// `DELETED`.
    Deleted(u32),
    /// `RECENT` (IMAP4rev1).
    Recent(u32),
    /// `SIZE`: total octets.
    Size(u64),
    /// `HIGHESTMODSEQ` (RFC 7162).
    HighestModSeq(u64),
    /// `APPENDLIMIT` (RFC 7889); `None` for `NIL`, no limit.
    AppendLimit(Option<u64>),
    /// `MAILBOXID` (RFC 8474).
    MailboxId(ObjectId<'a>),
    /// Another attribute, kept as sent.
    Other(OtherItem<'a>),
}

ascii_token!(
    /// An object identifier (RFC 8474 §4: `objectid = 1*255(ALPHA / DIGIT /
    /// "_" / "-")`), read tolerantly as `1*ATOM-CHAR`.
    ///
    /// ```
    /// use mailwire_imap::types::ObjectId;
    /// assert!(ObjectId::new("M6d99ac3275bb4e").is_ok());
    /// assert!(ObjectId::new("a)").is_err());
    /// ```
    ObjectId,
    "object id",
    is_objectid_char
);

/// A byte of an [`ObjectId`].
pub(crate) const fn is_objectid_char(b: u8) -> bool {
    super::is_atom_char(b)
}

/// An `ESEARCH` response (RFC 4731 §3.1, RFC 9051 §7.3.4):
///
/// ```text
/// esearch-response = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data)
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ESearch<'a> {
    /// The tag of the command answered (`(TAG "A1")`).
    pub tag: Option<IString<'a>>,
    /// The numbers are UIDs.
    pub uid: bool,
    /// The results.
    pub items: Vec<ESearchItem<'a>>,
}

/// One `search-return-data` (RFC 9051 §9, RFC 7162, RFC 9394).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ESearchItem<'a> {
    /// `MIN`.
    Min(u32),
    /// `MAX`.
    Max(u32),
    /// `ALL`.
    All(SequenceSet),
    /// `COUNT`.
    Count(u32),
    /// `MODSEQ` (RFC 7162).
    ModSeq(u64),
    /// `PARTIAL (partial-range partial-results)` (RFC 9394 §4): the range
    /// asked for and the results in it, `None` for `NIL` (no result at
    /// those positions).
    Partial {
        /// The range of the `PARTIAL` return option answered.
        range: PartialRange,
        /// The messages (numbers or UIDs) in the range.
        results: Option<SequenceSet>,
    },
    /// Another item, kept as sent.
    Other(OtherItem<'a>),
}

/// One thread of a `THREAD` response (RFC 5256 §4):
///
/// ```text
/// thread-list    = "(" (thread-members / thread-nested) ")"
/// thread-members = thread-member *(SP thread-member) [SP thread-nested]
/// thread-nested  = 2*thread-list
/// ```
///
/// `(3 6 (4 23)(44 7 96))` is `members: [3, 6]` with two `children`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Thread {
    /// Messages in a chain, each the parent of the next.
    pub members: Vec<u32>,
    /// Sub-threads whose parent is the last member.
    pub children: Vec<Thread>,
}

/// One namespace (RFC 2342 §5, RFC 9051 §9: `namespace-descr`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace<'a> {
    /// The prefix.
    pub prefix: IString<'a>,
    /// The hierarchy delimiter; `None` for `NIL`.
    pub delimiter: Option<char>,
    /// Extension data: name and values.
    pub extensions: Vec<(IString<'a>, Vec<IString<'a>>)>,
}

/// One resource of a `QUOTA` response (RFC 9208 §5.1): `resource-name SP
/// resource-usage SP resource-limit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaResource<'a> {
    /// `STORAGE`, `MESSAGE`, `MAILBOX`, `ANNOTATION-STORAGE` or another.
    pub name: Atom<'a>,
    /// Current usage.
    pub usage: u64,
    /// The limit.
    pub limit: u64,
}

/// The entries of a `METADATA` response (RFC 5464 §4.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetadataEntries<'a> {
    /// Entry names with their values (`None` for `NIL`).
    Values(Vec<(IString<'a>, NString<'a>)>),
    /// Unsolicited: the names of entries that changed.
    Names(Vec<IString<'a>>),
}

/// A message data item of a `FETCH` response (RFC 9051 §7.5.2, §9:
/// `msg-att`, and the extensions).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FetchItem<'a> {
    /// `FLAGS`.
    Flags(Vec<Flag<'a>>),
    /// `UID`.
    Uid(u32),
    /// `INTERNALDATE`, the `date-time` as sent (`"17-Jul-1996 02:44:25 -0700"`).
    InternalDate(IString<'a>),
    /// `RFC822.SIZE`.
    Rfc822Size(u64),
    /// `ENVELOPE`.
    Envelope(Box<Envelope<'a>>),
    /// `BODY` without extension data (the non-extensible form).
    Body(Box<Body<'a>>),
    /// `BODYSTRUCTURE`.
    BodyStructure(Box<Body<'a>>),
    /// `BODY[section]<origin>` and its data.
    BodySection {
        /// The section.
        section: Section<'a>,
        /// The first octet's offset, for a partial fetch.
        origin: Option<u32>,
        /// The content; `None` for `NIL`. Borrowed from the input.
        data: NString<'a>,
    },
    /// `BINARY[part]<origin>` (RFC 3516, RFC 9051) and its decoded content.
    Binary {
        /// The part numbers.
        section: Vec<u32>,
        /// The first octet's offset, for a partial fetch (sent by some
        /// servers though not in the grammar).
        origin: Option<u32>,
        /// The content; `None` for `NIL`. Borrowed from the input.
        data: NString<'a>,
    },
    /// `BINARY.SIZE[part]` (RFC 3516, RFC 9051).
    BinarySize {
        /// The part numbers.
        section: Vec<u32>,
        /// The decoded size in octets.
        size: u32,
    },
    /// `RFC822` (IMAP4rev1): the whole message.
    Rfc822(NString<'a>),
    /// `RFC822.HEADER` (IMAP4rev1).
    Rfc822Header(NString<'a>),
    /// `RFC822.TEXT` (IMAP4rev1).
    Rfc822Text(NString<'a>),
    /// `MODSEQ (n)` (RFC 7162).
    ModSeq(u64),
    /// `EMAILID (id)` (RFC 8474).
    EmailId(ObjectId<'a>),
    /// `THREADID (id)` or `THREADID NIL` (RFC 8474).
    ThreadId(Option<ObjectId<'a>>),
    /// `PREVIEW` (RFC 8970).
    Preview(NString<'a>),
    /// `X-GM-MSGID` (Gmail).
    GmMsgId(u64),
    /// `X-GM-THRID` (Gmail).
    GmThrId(u64),
    /// `X-GM-LABELS` (Gmail): labels as sent, system labels with their `\`.
    GmLabels(Vec<IString<'a>>),
    /// An item the crate does not model, or one whose value does not follow
    /// its grammar, kept as sent.
    Other(OtherItem<'a>),
}

/// A `section` (RFC 9051 §9): `"[" [section-spec] "]"`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Section<'a> {
    /// The part numbers (`1.2.3`); empty for the whole message.
    pub part: Vec<u32>,
    /// What of the part.
    pub text: Option<SectionText<'a>>,
}

/// `section-msgtext / "MIME"` (RFC 9051 §9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectionText<'a> {
    /// `HEADER`.
    Header,
    /// `HEADER.FIELDS (…)` or, with `not`, `HEADER.FIELDS.NOT (…)`.
    HeaderFields {
        /// `.NOT`: every field but these.
        not: bool,
        /// The field names.
        fields: Vec<IString<'a>>,
    },
    /// `TEXT`.
    Text,
    /// `MIME`.
    Mime,
}

/// A value the crate does not model, kept as sent: a name and the raw value
/// that followed it (a parenthesised list, a string, a literal or an atom).
///
/// ```
/// use mailwire_imap::types::OtherItem;
/// let item = OtherItem::new("X-PRIORITY", &b"(1 \"high\")"[..]).unwrap();
/// assert_eq!(item.raw(), b"(1 \"high\")");
/// assert!(OtherItem::new("X", &b"a b"[..]).is_err()); // two values
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct OtherItem<'a> {
    name: Cow<'a, str>,
    raw: Cow<'a, [u8]>,
}

impl<'a> OtherItem<'a> {
    /// An item named `name` (an atom, maybe followed by `[…]` and `<…>`)
    /// with the value `raw`, which must be exactly one value without a
    /// literal: a parenthesised list, a quoted string or an atom. (Decoded
    /// items may have an empty value, when the item ended the list.)
    pub fn new(
        name: impl Into<Cow<'a, str>>,
        raw: impl Into<Cow<'a, [u8]>>,
    ) -> Result<Self, ValueError> {
        let (name, raw) = (name.into(), raw.into());
        if !crate::decode::is_item_name(name.as_bytes()) {
            return Err(ValueError::ForbiddenStart {
                what: "item name",
                byte: name.as_bytes().first().copied().unwrap_or(0),
            });
        }
        check_line_text("item value", &raw)?;
        if !crate::decode::is_one_value(&raw) {
            return Err(ValueError::ForbiddenStart {
                what: "item value (one value expected)",
                byte: raw.first().copied().unwrap_or(0),
            });
        }
        Ok(Self { name, raw })
    }

    /// For the decoder, which read both with the same rules.
    pub(crate) fn from_wire(name: &'a [u8], raw: &'a [u8]) -> Self {
        Self {
            name: Cow::Borrowed(std::str::from_utf8(name).unwrap_or_default()),
            raw: Cow::Borrowed(raw),
        }
    }

    /// The name as sent.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The value as sent (literals included, with their line breaks).
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> OtherItem<'static> {
        OtherItem {
            name: Cow::Owned(self.name.into_owned()),
            raw: Cow::Owned(self.raw.into_owned()),
        }
    }
}

impl fmt::Debug for OtherItem<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OtherItem({:?}, ", self.name)?;
        debug_bytes(&self.raw, f)?;
        f.write_str(")")
    }
}

/// An untagged response the crate does not model: its name and the rest of
/// the response as sent.
///
/// ```
/// use mailwire_imap::types::OtherData;
/// let d = OtherData::new("XLIST", &b"() \"/\" INBOX"[..]).unwrap();
/// assert_eq!(d.name().as_str(), "XLIST");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct OtherData<'a> {
    name: Atom<'a>,
    raw: Cow<'a, [u8]>,
}

impl<'a> OtherData<'a> {
    /// Data named `name` followed by `raw`, which may not hold CR, LF or
    /// NUL, start with SP, or end with `}` (the framing would read a
    /// literal). The name may not start with a digit nor be one with a
    /// variant of its own.
    pub fn new(
        name: impl Into<Cow<'a, str>>,
        raw: impl Into<Cow<'a, [u8]>>,
    ) -> Result<Self, ValueError> {
        let name = Atom::new(name)?;
        let raw = raw.into();
        check_line_text("response data", &raw)?;
        for (bad, at) in [(b' ', raw.first()), (b'}', raw.last())] {
            if at == Some(&bad) {
                return Err(ValueError::ForbiddenStart {
                    what: "response data (no leading SP, no trailing '}')",
                    byte: bad,
                });
            }
        }
        if crate::decode::is_data_keyword(name.as_str().as_bytes())
            || name
                .as_str()
                .as_bytes()
                .first()
                .is_some_and(u8::is_ascii_digit)
        {
            return Err(ValueError::ForbiddenStart {
                what: "response name (one with a variant of its own)",
                byte: name.as_str().as_bytes().first().copied().unwrap_or(0),
            });
        }
        Ok(Self { name, raw })
    }

    /// For the decoder.
    pub(crate) fn from_wire(name: Atom<'a>, raw: &'a [u8]) -> Self {
        Self {
            name,
            raw: Cow::Borrowed(raw),
        }
    }

    /// The response's name.
    pub fn name(&self) -> &Atom<'a> {
        &self.name
    }

    /// What followed the name (and its SP), as sent.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> OtherData<'static> {
        OtherData {
            name: self.name.into_owned(),
            raw: Cow::Owned(self.raw.into_owned()),
        }
    }
}

impl fmt::Debug for OtherData<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OtherData({:?}, ", self.name)?;
        debug_bytes(&self.raw, f)?;
        f.write_str(")")
    }
}
