//! `ENVELOPE`, `BODY` and `BODYSTRUCTURE` (RFC 9051 §7.5.2, §9).

use super::{IString, NString};

/// The `ENVELOPE` of a message (RFC 9051 §7.5.2, §9):
///
/// ```text
/// envelope = "(" env-date SP env-subject SP env-from SP env-sender SP
///            env-reply-to SP env-to SP env-cc SP env-bcc SP
///            env-in-reply-to SP env-message-id ")"
/// ```
///
/// Address lists are `NIL` or a list; both read as a `Vec`, `NIL` as an
/// empty one (and an empty one is written `NIL`). Group syntax (RFC 9051
/// §7.5.2) stays as sent: a start marker with a `NIL` host, an end marker
/// of four `NIL`s.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Envelope<'a> {
    /// `Date:`.
    pub date: NString<'a>,
    /// `Subject:`.
    pub subject: NString<'a>,
    /// `From:`.
    pub from: Vec<Address<'a>>,
    /// `Sender:`.
    pub sender: Vec<Address<'a>>,
    /// `Reply-To:`.
    pub reply_to: Vec<Address<'a>>,
    /// `To:`.
    pub to: Vec<Address<'a>>,
    /// `Cc:`.
    pub cc: Vec<Address<'a>>,
    /// `Bcc:`.
    pub bcc: Vec<Address<'a>>,
    /// `In-Reply-To:`.
    pub in_reply_to: NString<'a>,
    /// `Message-ID:`.
    pub message_id: NString<'a>,
}

/// One address of an envelope (RFC 9051 §9): `address = "(" addr-name SP
/// addr-adl SP addr-mailbox SP addr-host ")"`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Address<'a> {
    /// The display name.
    pub name: NString<'a>,
    /// The source route (obsolete).
    pub adl: NString<'a>,
    /// The local part; the group name in a group start marker.
    pub mailbox: NString<'a>,
    /// The domain; `NIL` in group markers.
    pub host: NString<'a>,
}

/// A body structure (RFC 9051 §7.5.2, §9): `body = "(" (body-type-1part /
/// body-type-mpart) ")"`.
///
/// The same type holds `BODY` (no extension data) and `BODYSTRUCTURE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body<'a> {
    /// A part that is not multipart.
    Single(SinglePart<'a>),
    /// `multipart/*`.
    Multi(Multipart<'a>),
}

/// `body-type-1part` (RFC 9051 §9):
///
/// ```text
/// body-type-1part = (body-type-basic / body-type-msg / body-type-text)
///                   [SP body-ext-1part]
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinglePart<'a> {
    /// The media type (`"TEXT"`, `"IMAGE"`, …), as sent.
    pub media_type: IString<'a>,
    /// The subtype, as sent.
    pub subtype: IString<'a>,
    /// Parameters, ID, description, encoding and size.
    pub fields: BodyFields<'a>,
    /// What follows the fields for `text/*` and `message/rfc822`.
    pub kind: SinglePartKind<'a>,
    /// Extension data (`BODYSTRUCTURE` only).
    pub extension: Option<SinglePartExtension<'a>>,
}

/// What follows the body fields (RFC 9051 §9). The decoder looks at what is
/// there rather than at the media type: a list is an envelope, a number is a
/// line count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SinglePartKind<'a> {
    /// `body-type-basic`: nothing.
    Basic,
    /// `body-type-text`: the size in lines.
    Text {
        /// `body-fld-lines`.
        lines: u32,
    },
    /// `body-type-msg`: the envelope and body of the enclosed message, and
    /// its size in lines.
    Message {
        /// The enclosed message's envelope.
        envelope: Box<Envelope<'a>>,
        /// The enclosed message's body.
        body: Box<Body<'a>>,
        /// `body-fld-lines`.
        lines: u32,
    },
}

/// `body-fields` (RFC 9051 §9):
///
/// ```text
/// body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP
///               body-fld-enc SP body-fld-octets
/// ```
///
/// Read tolerantly: a parameter value may be `NIL` (Mail.ru), the encoding
/// may be `NIL` (read as empty), and the size may be negative (read as 0)
/// or written as a decimal (`9.3736e+06`, rounded).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BodyFields<'a> {
    /// `body-fld-param`: attribute and value pairs; `NIL` is empty.
    pub params: Vec<(IString<'a>, NString<'a>)>,
    /// `Content-ID`.
    pub id: NString<'a>,
    /// `Content-Description`.
    pub description: NString<'a>,
    /// `Content-Transfer-Encoding`.
    pub encoding: IString<'a>,
    /// Size in octets of the encoded body.
    pub octets: u32,
}

/// `body-ext-1part` (RFC 9051 §9): `body-fld-md5 [SP body-fld-dsp [SP
/// body-fld-lang [SP body-fld-loc *(SP body-extension)]]]`. Fields missing
/// on the wire read as `NIL`; all four are written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SinglePartExtension<'a> {
    /// `Content-MD5`.
    pub md5: NString<'a>,
    /// Disposition, language, location and further extensions.
    pub tail: ExtensionTail<'a>,
}

/// `body-ext-mpart` (RFC 9051 §9): `body-fld-param [SP body-fld-dsp [SP
/// body-fld-lang [SP body-fld-loc *(SP body-extension)]]]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MultipartExtension<'a> {
    /// The multipart's parameters (the boundary…); `NIL` is empty.
    pub params: Vec<(IString<'a>, NString<'a>)>,
    /// Disposition, language, location and further extensions.
    pub tail: ExtensionTail<'a>,
}

/// The extension fields shared by single and multipart bodies.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExtensionTail<'a> {
    /// `body-fld-dsp`: `Content-Disposition`; `None` for `NIL`.
    pub disposition: Option<Disposition<'a>>,
    /// `body-fld-lang`: languages; `NIL` is empty. One language is written
    /// as a string, several as a list.
    pub language: Vec<IString<'a>>,
    /// `body-fld-loc`: `Content-Location`.
    pub location: NString<'a>,
    /// Further `body-extension`s.
    pub extensions: Vec<BodyExtension<'a>>,
}

/// `body-fld-dsp = "(" string SP body-fld-param ")" / nil` (RFC 9051 §9).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Disposition<'a> {
    /// `inline`, `attachment`, …, as sent.
    pub kind: IString<'a>,
    /// Its parameters; `NIL` is empty.
    pub params: Vec<(IString<'a>, NString<'a>)>,
}

/// `body-extension = nstring / number / number64 / "(" body-extension
/// *(SP body-extension) ")"` (RFC 9051 §9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyExtension<'a> {
    /// A string or `NIL`.
    String(NString<'a>),
    /// A number.
    Number(u64),
    /// A list.
    List(Vec<BodyExtension<'a>>),
}

/// `body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]`
/// (RFC 9051 §9). Read tolerantly: SP between the parts (Exchange, maddy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Multipart<'a> {
    /// The parts, at least one on the wire.
    pub parts: Vec<Body<'a>>,
    /// `MIXED`, `ALTERNATIVE`, …, as sent.
    pub subtype: IString<'a>,
    /// Extension data (`BODYSTRUCTURE` only).
    pub extension: Option<MultipartExtension<'a>>,
}
