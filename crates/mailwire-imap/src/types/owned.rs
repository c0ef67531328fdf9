//! `into_owned()`: copies of decoded values that own their bytes, so that a
//! session or an application can keep them after the input buffer is gone.
//!
//! The nested values (`BODYSTRUCTURE` trees, `body-extension` lists,
//! `NOT`/`OR`/`(…)` search keys) are converted by recursion. Decoded values
//! are at most [`Limits::nesting_depth`](crate::Limits) deep, so the
//! recursion is bounded by the same budget as the decoder; dropping such a
//! value recurses to the same depth. A value built by hand as deep as the
//! caller likes costs as much stack to convert as it does to drop.

use std::borrow::Cow;

use super::{
    Address, AppendEntry, AppendKind, AppendMessage, Atom, AuthenticateData, Body, BodyExtension,
    BodyFields, Capability, Charset, ClientMessage, Code, Command, CommandBody, Continuation, Data,
    Date, DateTime, Disposition, ESearch, ESearchItem, EntryType, Envelope, ExtensionTail,
    FetchAttribute, FetchItem, FetchItems, FetchModifier, Flag, Greeting, Keyword, ListAttribute,
    ListData, ListExtended, ListReturn, ListSelect, Mailbox, MetadataEntries, MetadataOption,
    Multipart, MultipartExtension, Namespace, ObjectId, OtherData, OtherItem, Partial,
    PartialRange, QuotaResource, Response, SaslData, SearchKey, SearchReturn, Secret, Section,
    SectionText, SelectParam, SequenceSet, SinglePart, SinglePartExtension, SinglePartKind,
    SortCriterion, Status, StatusAttribute, StatusItem, StatusKind, StoreAction, StoreTarget, Tag,
    Text, Thread, ThreadAlgorithm,
};

/// Conversion into a value that borrows nothing.
pub(crate) trait Own {
    /// The `'static` type.
    type Owned;
    /// The conversion.
    fn own(self) -> Self::Owned;
}

/// Types that borrow nothing convert to themselves.
macro_rules! own_self {
    ($($t:ty),* $(,)?) => {$(
        impl Own for $t {
            type Owned = $t;
            fn own(self) -> $t {
                self
            }
        }
    )*};
}

own_self!(
    u32,
    u64,
    bool,
    char,
    Date,
    DateTime,
    SequenceSet,
    SelectParam,
    SearchReturn,
    EntryType,
    Partial,
    PartialRange,
    FetchModifier,
    StoreAction,
    SortCriterion,
    MetadataOption,
    Thread,
    StatusKind,
    AppendKind,
);

/// Types with an inherent `into_owned`.
macro_rules! own_inherent {
    ($($t:ident),* $(,)?) => {$(
        impl Own for $t<'_> {
            type Owned = $t<'static>;
            fn own(self) -> $t<'static> {
                self.into_owned()
            }
        }
    )*};
}

own_inherent!(
    Tag,
    Atom,
    Charset,
    Keyword,
    ObjectId,
    Mailbox,
    Text,
    Capability,
    Code,
    Flag,
    ListAttribute,
    Status,
    Continuation,
    OtherItem,
    OtherData,
    SaslData,
    Greeting,
);

impl Own for Cow<'_, [u8]> {
    type Owned = Cow<'static, [u8]>;
    fn own(self) -> Cow<'static, [u8]> {
        Cow::Owned(self.into_owned())
    }
}

impl<T: Own> Own for Vec<T> {
    type Owned = Vec<T::Owned>;
    fn own(self) -> Self::Owned {
        self.into_iter().map(Own::own).collect()
    }
}

impl<T: Own> Own for Option<T> {
    type Owned = Option<T::Owned>;
    fn own(self) -> Self::Owned {
        self.map(Own::own)
    }
}

impl<T: Own> Own for Box<T> {
    type Owned = Box<T::Owned>;
    fn own(self) -> Self::Owned {
        Box::new((*self).own())
    }
}

impl<A: Own, B: Own> Own for (A, B) {
    type Owned = (A::Owned, B::Owned);
    fn own(self) -> Self::Owned {
        (self.0.own(), self.1.own())
    }
}

impl<T: Own> Own for Secret<T> {
    type Owned = Secret<T::Owned>;
    fn own(self) -> Self::Owned {
        Secret::new(self.into_inner().own())
    }
}

/// Structs: every field converted; and the public `into_owned`.
macro_rules! own_struct {
    ($($t:ident { $($f:ident),* $(,)? })*) => {$(
        impl Own for $t<'_> {
            type Owned = $t<'static>;
            fn own(self) -> $t<'static> {
                $t { $($f: self.$f.own(),)* }
            }
        }
        own_pub!($t);
    )*};
}

/// The public `into_owned` of a type that implements [`Own`].
macro_rules! own_pub {
    ($($t:ident),* $(,)?) => {$(
        impl $t<'_> {
            /// A copy that owns its bytes. Nested values are converted by
            /// recursion as deep as they nest (at most
            /// [`Limits::nesting_depth`](crate::Limits) for decoded values),
            /// as dropping them does.
            pub fn into_owned(self) -> $t<'static> {
                Own::own(self)
            }
        }
    )*};
}

/// Enums: unit variants, one-field tuple variants, struct variants and
/// two-field tuple variants.
macro_rules! own_enum {
    ($t:ident { $($unit:ident),* ; $($tuple:ident),* ; $($var:ident { $($f:ident),* }),* $(,)? $(; $($pair:ident),*)? }) => {
        impl Own for $t<'_> {
            type Owned = $t<'static>;
            fn own(self) -> $t<'static> {
                match self {
                    $($t::$unit => $t::$unit,)*
                    $($t::$tuple(v) => $t::$tuple(v.own()),)*
                    $($t::$var { $($f),* } => $t::$var { $($f: $f.own()),* },)*
                    $($($t::$pair(a, b) => $t::$pair(a.own(), b.own()),)*)?
                }
            }
        }
        own_pub!($t);
    };
}

own_struct! {
    Command { tag, body }
    AppendMessage { kind, data }
    AppendEntry { flags, date, message }
    ListData { attributes, delimiter, mailbox, extended }
    ESearch { tag, uid, items }
    Namespace { prefix, delimiter, extensions }
    QuotaResource { name, usage, limit }
    Section { part, text }
    Envelope { date, subject, from, sender, reply_to, to, cc, bcc, in_reply_to, message_id }
    Address { name, adl, mailbox, host }
    SinglePart { media_type, subtype, fields, kind, extension }
    BodyFields { params, id, description, encoding, octets }
    SinglePartExtension { md5, tail }
    MultipartExtension { params, tail }
    ExtensionTail { disposition, language, location, extensions }
    Disposition { kind, params }
    Multipart { parts, subtype, extension }
}

own_enum!(ClientMessage { Done; Command, AuthenticateData; });
own_enum!(AuthenticateData { Cancel; Response; });
own_enum!(CommandBody {
    Capability, Noop, Logout, StartTls, Namespace, Idle, Check, Close, Unselect, Expunge;
    Enable, Delete, Subscribe, Unsubscribe, UidExpunge, GetQuota, GetQuotaRoot, GetAcl,
    MyRights, Id, Compress;
    Authenticate { mechanism, initial },
    Login { username, password },
    Select { mailbox, params },
    Examine { mailbox, params },
    Create { mailbox, special_use },
    Rename { from, to },
    List { selection, reference, patterns, return_opts },
    Lsub { reference, pattern },
    Status { mailbox, items },
    Append { mailbox, flags, date, message },
    MultiAppend { mailbox, messages },
    Search { uid, return_opts, charset, criteria },
    Fetch { uid, set, items, modifiers },
    Store { uid, set, unchanged_since, action, silent, target },
    Copy { uid, set, mailbox },
    Move { uid, set, mailbox },
    Sort { uid, criteria, charset, search },
    ESort { uid, return_opts, criteria, charset, search },
    Thread { uid, algorithm, charset, search },
    SetQuota { root, limits },
    SetAcl { mailbox, identifier, rights },
    DeleteAcl { mailbox, identifier },
    ListRights { mailbox, identifier },
    GetMetadata { options, mailbox, entries },
    SetMetadata { mailbox, entries },
});
own_enum!(ListSelect { Subscribed, Remote, RecursiveMatch, SpecialUse; Other; });
own_enum!(ListReturn { Subscribed, Children, SpecialUse; Status, Other; });
own_enum!(StatusAttribute {
    Messages, UidNext, UidValidity, Unseen, Deleted, Size, Recent, HighestModSeq, AppendLimit,
    MailboxId;
    Other;
});
own_enum!(SearchKey {
    All, Answered, Deleted, Draft, Flagged, New, Old, Recent, Seen, Unanswered, Undeleted,
    Undraft, Unflagged, Unseen;
    Bcc, Before, Body, Cc, From, Keyword, Larger, Not, On, SentBefore, SentOn, SentSince, Since,
    Smaller, Subject, Text, To, Uid, Unkeyword, SequenceSet, And, Older, Younger, EmailId,
    ThreadId, Filter, GmRaw, GmMsgId, GmThrId, GmLabels;
    ModSeq { entry, mod_seq };
    Header, Or
});
own_enum!(FetchItems { All, Fast, Full; List; });
own_enum!(FetchAttribute {
    Envelope, Flags, InternalDate, Rfc822Size, Body, BodyStructure, Uid, Rfc822, Rfc822Header,
    Rfc822Text, ModSeq, EmailId, ThreadId, GmMsgId, GmThrId, GmLabels;
    ;
    BodySection { section, peek, partial },
    Binary { section, peek, partial },
    BinarySize { section },
});
own_enum!(StoreTarget { ; Flags, GmLabels; });
own_enum!(ThreadAlgorithm { OrderedSubject, References; Other; });
own_enum!(Response { ; Status, Data, Continuation; });
own_enum!(Data {
    ;
    Capability, Enabled, Flags, List, Lsub, ESearch, Thread, Exists, Recent, Expunge, Id,
    Other;
    Status { mailbox, items },
    Search { numbers, modseq },
    Sort { numbers, modseq },
    Vanished { earlier, uids },
    Namespace { personal, other, shared },
    Quota { root, resources },
    QuotaRoot { mailbox, roots },
    Acl { mailbox, entries },
    ListRights { mailbox, identifier, required, optional },
    MyRights { mailbox, rights },
    Metadata { mailbox, entries },
    Fetch { seq, items },
});
own_enum!(ListExtended { ; ChildInfo, OldName, Other; });
own_enum!(StatusItem {
    ;
    Messages, UidNext, UidValidity, Unseen, Deleted, Recent, Size, HighestModSeq, AppendLimit,
    MailboxId, Other;
});
own_enum!(ESearchItem { ; Min, Max, All, Count, ModSeq, Other; Partial { range, results } });
own_enum!(MetadataEntries { ; Values, Names; });
own_enum!(FetchItem {
    ;
    Flags, Uid, InternalDate, Rfc822Size, Envelope, Body, BodyStructure, Rfc822, Rfc822Header,
    Rfc822Text, ModSeq, EmailId, ThreadId, Preview, GmMsgId, GmThrId, GmLabels, Other;
    BodySection { section, origin, data },
    Binary { section, origin, data },
    BinarySize { section, size },
});
own_enum!(SectionText {
    Header, Text, Mime;
    ;
    HeaderFields { not, fields },
});
own_enum!(Body { ; Single, Multi; });
own_enum!(SinglePartKind {
    Basic;
    ;
    Text { lines },
    Message { envelope, body, lines },
});
own_enum!(BodyExtension { ; String, Number, List; });
