//! Server responses to bytes (RFC 9051 §7, §9).
//!
//! Strings are written as quoted strings when they are 7-bit text without
//! CR, LF and NUL, and as literals otherwise (`~{n}` when they hold NUL), so
//! any value can be written and reads back the same.

use bytes::BufMut;

use super::Encode;
use crate::types::{
    Address, Body, BodyExtension, Charset, Code, Continuation, Data, ESearch, ESearchItem,
    Envelope, ExtensionTail, FetchItem, Flag, ListAttribute, ListData, ListExtended, Mailbox,
    MetadataEntries, Namespace, OtherItem, Response, Section, SectionText, SinglePartKind, Status,
    StatusItem, Text, Thread, is_astring_char, is_atom_char,
};

/// Writes `n` in decimal.
pub(super) fn num<B: BufMut>(out: &mut B, n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + u8::try_from(n % 10).unwrap_or(0);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.put_slice(&buf[i..]);
}

/// Longest string written quoted; longer ones are literals, which keep
/// lines short.
const QUOTED_MAX: usize = 1024;

/// `string = quoted / literal` (RFC 9051 §9): quoted when every byte is a
/// 7-bit `TEXT-CHAR` and it is short, else a literal (`literal8` when it
/// holds NUL).
fn string<B: BufMut>(out: &mut B, value: &[u8]) {
    if value.len() <= QUOTED_MAX
        && value
            .iter()
            .all(|&b| matches!(b, 0x01..=0x7f) && b != b'\r' && b != b'\n')
    {
        out.put_u8(b'"');
        let mut run = 0;
        for (i, &b) in value.iter().enumerate() {
            if b == b'"' || b == b'\\' {
                out.put_slice(&value[run..i]);
                out.put_u8(b'\\');
                run = i;
            }
        }
        out.put_slice(&value[run..]);
        out.put_u8(b'"');
    } else {
        if value.contains(&0) {
            out.put_u8(b'~');
        }
        out.put_u8(b'{');
        num(out, value.len() as u64);
        out.put_slice(b"}\r\n");
        out.put_slice(value);
    }
}

/// `nstring = string / nil` (RFC 9051 §9).
fn nstring<B: BufMut>(out: &mut B, value: Option<&[u8]>) {
    match value {
        Some(v) => string(out, v),
        None => out.put_slice(b"NIL"),
    }
}

/// `astring = 1*ASTRING-CHAR / string` (RFC 9051 §9).
fn astring<B: BufMut>(out: &mut B, value: &[u8]) {
    if !value.is_empty() && value.iter().all(|&b| is_astring_char(b)) {
        out.put_slice(value);
    } else {
        string(out, value);
    }
}

/// `mailbox = "INBOX" / astring` (RFC 9051 §9), a literal when needed.
fn mailbox<B: BufMut>(out: &mut B, m: &Mailbox<'_>) {
    astring(out, m.as_bytes());
}

/// A hierarchy delimiter: `DQUOTE QUOTED-CHAR DQUOTE / nil`.
fn delimiter<B: BufMut>(out: &mut B, d: Option<char>) {
    match d {
        Some(c) => string(out, c.encode_utf8(&mut [0; 4]).as_bytes()),
        None => out.put_slice(b"NIL"),
    }
}

/// Items separated by SP.
fn spaced<B: BufMut, T>(out: &mut B, items: &[T], mut each: impl FnMut(&mut B, &T)) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.put_u8(b' ');
        }
        each(out, item);
    }
}

/// `"(" [item *(SP item)] ")"`.
fn list<B: BufMut, T>(out: &mut B, items: &[T], each: impl FnMut(&mut B, &T)) {
    out.put_u8(b'(');
    spaced(out, items, each);
    out.put_u8(b')');
}

/// `nil` for an empty list, else the list.
fn nil_or_list<B: BufMut, T>(out: &mut B, items: &[T], each: impl FnMut(&mut B, &T)) {
    if items.is_empty() {
        out.put_slice(b"NIL");
    } else {
        list(out, items, each);
    }
}

/// `resp-text = ["[" resp-text-code "]" SP] [text]`.
fn resp_text<B: BufMut>(out: &mut B, code: Option<&Code<'_>>, text: &Text<'_>) {
    if let Some(code) = code {
        out.put_u8(b'[');
        code.encode(out);
        out.put_slice(b"] ");
    }
    out.put_slice(text.as_bytes());
}

/// `flag` (RFC 9051 §9).
impl Encode for Flag<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        match self {
            Self::Wildcard => out.put_slice(b"\\*"),
            Self::Extension(k) => {
                out.put_u8(b'\\');
                out.put_slice(k.as_str().as_bytes());
            }
            Self::Keyword(k) => out.put_slice(k.as_str().as_bytes()),
            system => {
                out.put_u8(b'\\');
                out.put_slice(system.system_name().unwrap_or_default().as_bytes());
            }
        }
    }
}

fn flags<B: BufMut>(out: &mut B, list_of: &[Flag<'_>]) {
    list(out, list_of, |o, f| f.encode(o));
}

/// A charset: an atom when it is one, else quoted.
fn charset<B: BufMut>(out: &mut B, c: &Charset<'_>) {
    let bytes = c.as_str().as_bytes();
    if bytes.iter().all(|&b| is_atom_char(b)) {
        out.put_slice(bytes);
    } else {
        string(out, bytes);
    }
}

/// `resp-text-code` (RFC 9051 §9, RFC 4315, RFC 7162, RFC 5530) without
/// its brackets.
impl Encode for Code<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        match self {
            Self::BadCharset(list_of) => {
                out.put_slice(b"BADCHARSET");
                if !list_of.is_empty() {
                    out.put_u8(b' ');
                    list(out, list_of, |o, c| charset(o, c));
                }
            }
            Self::Capability(caps) => {
                out.put_slice(b"CAPABILITY");
                for c in caps {
                    out.put_u8(b' ');
                    c.encode(out);
                }
            }
            Self::PermanentFlags(f) => {
                out.put_slice(b"PERMANENTFLAGS ");
                flags(out, f);
            }
            Self::UidNext(n) => {
                out.put_slice(b"UIDNEXT ");
                num(out, u64::from(*n));
            }
            Self::UidValidity(n) => {
                out.put_slice(b"UIDVALIDITY ");
                num(out, u64::from(*n));
            }
            Self::Unseen(n) => {
                out.put_slice(b"UNSEEN ");
                num(out, u64::from(*n));
            }
            Self::AppendUid { uid_validity, uids } => {
                out.put_slice(b"APPENDUID ");
                num(out, u64::from(*uid_validity));
                out.put_u8(b' ');
                uids.encode(out);
            }
            Self::CopyUid {
                uid_validity,
                source,
                destination,
            } => {
                out.put_slice(b"COPYUID ");
                num(out, u64::from(*uid_validity));
                out.put_u8(b' ');
                source.encode(out);
                out.put_u8(b' ');
                destination.encode(out);
            }
            Self::HighestModSeq(n) => {
                out.put_slice(b"HIGHESTMODSEQ ");
                num(out, *n);
            }
            Self::Modified(set) => {
                out.put_slice(b"MODIFIED ");
                set.encode(out);
            }
            Self::Other(other) => {
                other.name().encode(out);
                if let Some(text) = other.text() {
                    out.put_u8(b' ');
                    out.put_slice(text.as_bytes());
                }
            }
            simple => out.put_slice(simple.simple_name().unwrap_or("ALERT").as_bytes()),
        }
    }
}

/// `response-tagged` / `resp-cond-state` / `resp-cond-auth` /
/// `resp-cond-bye` (RFC 9051 §9).
impl Encode for Status<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        match self.tag() {
            Some(tag) => tag.encode(out),
            None => out.put_u8(b'*'),
        }
        out.put_u8(b' ');
        out.put_slice(self.kind().as_str().as_bytes());
        out.put_u8(b' ');
        resp_text(out, self.code(), self.text());
        out.put_slice(b"\r\n");
    }
}

/// `continue-req = "+" SP (resp-text / base64) CRLF` (RFC 9051 §9).
impl Encode for Continuation<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        out.put_slice(b"+ ");
        resp_text(out, self.code(), self.text());
        out.put_slice(b"\r\n");
    }
}

/// `response` (RFC 9051 §9): one response with its CRLF.
impl Encode for Response<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        match self {
            Self::Status(s) => s.encode(out),
            Self::Continuation(c) => c.encode(out),
            Self::Data(d) => d.encode(out),
        }
    }
}

/// An item kept as sent: its name, SP and its value.
impl Encode for OtherItem<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        out.put_slice(self.name().as_bytes());
        if !self.raw().is_empty() {
            out.put_u8(b' ');
            out.put_slice(self.raw());
        }
    }
}

/// A name attribute (RFC 9051 §9: `mbx-list-flags`).
impl Encode for ListAttribute<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        match self {
            Self::Extension(k) => {
                out.put_u8(b'\\');
                out.put_slice(k.as_str().as_bytes());
            }
            Self::Other(k) => out.put_slice(k.as_str().as_bytes()),
            known => {
                out.put_u8(b'\\');
                out.put_slice(known.known_name().unwrap_or_default().as_bytes());
            }
        }
    }
}

fn list_data<B: BufMut>(out: &mut B, l: &ListData<'_>) {
    list(out, &l.attributes, |o, a| a.encode(o));
    out.put_u8(b' ');
    delimiter(out, l.delimiter);
    out.put_u8(b' ');
    mailbox(out, &l.mailbox);
    if !l.extended.is_empty() {
        out.put_u8(b' ');
        list(out, &l.extended, |o, e| match e {
            ListExtended::ChildInfo(opts) => {
                o.put_slice(b"CHILDINFO ");
                list(o, opts, |o, s| string(o, s));
            }
            ListExtended::OldName(m) => {
                o.put_slice(b"OLDNAME (");
                mailbox(o, m);
                o.put_u8(b')');
            }
            ListExtended::Other(item) => item.encode(o),
        });
    }
}

fn status_item<B: BufMut>(out: &mut B, item: &StatusItem<'_>) {
    let (name, value): (&[u8], u64) = match item {
        StatusItem::Messages(n) => (b"MESSAGES", u64::from(*n)),
        StatusItem::UidNext(n) => (b"UIDNEXT", u64::from(*n)),
        StatusItem::UidValidity(n) => (b"UIDVALIDITY", u64::from(*n)),
        StatusItem::Unseen(n) => (b"UNSEEN", u64::from(*n)),
        StatusItem::Deleted(n) => (b"DELETED", u64::from(*n)),
        StatusItem::Recent(n) => (b"RECENT", u64::from(*n)),
        StatusItem::Size(n) => (b"SIZE", *n),
        StatusItem::HighestModSeq(n) => (b"HIGHESTMODSEQ", *n),
        StatusItem::AppendLimit(Some(n)) => (b"APPENDLIMIT", *n),
        StatusItem::AppendLimit(None) => return out.put_slice(b"APPENDLIMIT NIL"),
        StatusItem::MailboxId(id) => {
            out.put_slice(b"MAILBOXID (");
            out.put_slice(id.as_str().as_bytes());
            return out.put_u8(b')');
        }
        StatusItem::Other(o) => return o.encode(out),
    };
    out.put_slice(name);
    out.put_u8(b' ');
    num(out, value);
}

fn esearch<B: BufMut>(out: &mut B, e: &ESearch<'_>) {
    out.put_slice(b"ESEARCH");
    if let Some(tag) = &e.tag {
        out.put_slice(b" (TAG ");
        string(out, tag);
        out.put_u8(b')');
    }
    if e.uid {
        out.put_slice(b" UID");
    }
    for item in &e.items {
        out.put_u8(b' ');
        match item {
            ESearchItem::Min(n) => {
                out.put_slice(b"MIN ");
                num(out, u64::from(*n));
            }
            ESearchItem::Max(n) => {
                out.put_slice(b"MAX ");
                num(out, u64::from(*n));
            }
            ESearchItem::Count(n) => {
                out.put_slice(b"COUNT ");
                num(out, u64::from(*n));
            }
            ESearchItem::All(set) => {
                out.put_slice(b"ALL ");
                set.encode(out);
            }
            ESearchItem::ModSeq(n) => {
                out.put_slice(b"MODSEQ ");
                num(out, *n);
            }
            ESearchItem::Partial { range, results } => {
                out.put_slice(b"PARTIAL (");
                range.encode(out);
                out.put_u8(b' ');
                match results {
                    Some(set) => set.encode(out),
                    None => out.put_slice(b"NIL"),
                }
                out.put_u8(b')');
            }
            ESearchItem::Other(o) => o.encode(out),
        }
    }
}

/// `thread-list` (RFC 5256 §4).
impl Encode for Thread {
    fn encode<B: BufMut>(&self, out: &mut B) {
        out.put_u8(b'(');
        spaced(out, &self.members, |o, n| num(o, u64::from(*n)));
        if !self.members.is_empty() && !self.children.is_empty() {
            out.put_u8(b' ');
        }
        for child in &self.children {
            child.encode(out);
        }
        out.put_u8(b')');
    }
}

fn namespace<B: BufMut>(out: &mut B, n: &Namespace<'_>) {
    out.put_u8(b'(');
    string(out, &n.prefix);
    out.put_u8(b' ');
    delimiter(out, n.delimiter);
    for (name, values) in &n.extensions {
        out.put_u8(b' ');
        string(out, name);
        out.put_u8(b' ');
        list(out, values, |o, v| string(o, v));
    }
    out.put_u8(b')');
}

/// `response-data` (RFC 9051 §9 and the extensions): `* …` with its CRLF.
impl Encode for Data<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        out.put_slice(b"* ");
        match self {
            Self::Capability(caps) | Self::Enabled(caps) => {
                out.put_slice(match self {
                    Self::Capability(_) => b"CAPABILITY",
                    _ => b"ENABLED",
                });
                for c in caps {
                    out.put_u8(b' ');
                    c.encode(out);
                }
            }
            Self::Flags(f) => {
                out.put_slice(b"FLAGS ");
                flags(out, f);
            }
            Self::List(l) => {
                out.put_slice(b"LIST ");
                list_data(out, l);
            }
            Self::Lsub(l) => {
                out.put_slice(b"LSUB ");
                list_data(out, l);
            }
            Self::Status { mailbox: m, items } => {
                out.put_slice(b"STATUS ");
                mailbox(out, m);
                out.put_u8(b' ');
                list(out, items, |o, i| status_item(o, i));
            }
            Self::Search { numbers, modseq } | Self::Sort { numbers, modseq } => {
                out.put_slice(match self {
                    Self::Search { .. } => b"SEARCH",
                    _ => b"SORT",
                });
                for n in numbers {
                    out.put_u8(b' ');
                    num(out, u64::from(*n));
                }
                if let Some(m) = modseq {
                    out.put_slice(b" (MODSEQ ");
                    num(out, *m);
                    out.put_u8(b')');
                }
            }
            Self::ESearch(e) => esearch(out, e),
            Self::Thread(threads) => {
                out.put_slice(b"THREAD");
                if !threads.is_empty() {
                    out.put_u8(b' ');
                }
                for t in threads {
                    t.encode(out);
                }
            }
            Self::Exists(n) | Self::Recent(n) | Self::Expunge(n) => {
                num(out, u64::from(*n));
                out.put_slice(match self {
                    Self::Exists(_) => b" EXISTS",
                    Self::Recent(_) => b" RECENT",
                    _ => b" EXPUNGE",
                });
            }
            Self::Vanished { earlier, uids } => {
                out.put_slice(if *earlier {
                    b"VANISHED (EARLIER) "
                } else {
                    b"VANISHED "
                });
                uids.encode(out);
            }
            Self::Namespace {
                personal,
                other,
                shared,
            } => {
                out.put_slice(b"NAMESPACE");
                for ns in [personal, other, shared] {
                    out.put_u8(b' ');
                    if ns.is_empty() {
                        out.put_slice(b"NIL");
                    } else {
                        out.put_u8(b'(');
                        for n in ns {
                            namespace(out, n);
                        }
                        out.put_u8(b')');
                    }
                }
            }
            Self::Id(params) => {
                out.put_slice(b"ID ");
                match params {
                    None => out.put_slice(b"NIL"),
                    Some(params) => list(out, params, |o, (k, v)| {
                        string(o, k);
                        o.put_u8(b' ');
                        nstring(o, v.as_deref());
                    }),
                }
            }
            Self::Quota { root, resources } => {
                out.put_slice(b"QUOTA ");
                astring(out, root);
                out.put_u8(b' ');
                list(out, resources, |o, r| {
                    r.name.encode(o);
                    o.put_u8(b' ');
                    num(o, r.usage);
                    o.put_u8(b' ');
                    num(o, r.limit);
                });
            }
            Self::QuotaRoot { mailbox: m, roots } => {
                out.put_slice(b"QUOTAROOT ");
                mailbox(out, m);
                for r in roots {
                    out.put_u8(b' ');
                    astring(out, r);
                }
            }
            Self::Acl {
                mailbox: m,
                entries,
            } => {
                out.put_slice(b"ACL ");
                mailbox(out, m);
                for (id, rights) in entries {
                    out.put_u8(b' ');
                    astring(out, id);
                    out.put_u8(b' ');
                    astring(out, rights);
                }
            }
            Self::ListRights {
                mailbox: m,
                identifier,
                required,
                optional,
            } => {
                out.put_slice(b"LISTRIGHTS ");
                mailbox(out, m);
                out.put_u8(b' ');
                astring(out, identifier);
                out.put_u8(b' ');
                astring(out, required);
                for r in optional {
                    out.put_u8(b' ');
                    astring(out, r);
                }
            }
            Self::MyRights { mailbox: m, rights } => {
                out.put_slice(b"MYRIGHTS ");
                mailbox(out, m);
                out.put_u8(b' ');
                astring(out, rights);
            }
            Self::Metadata {
                mailbox: m,
                entries,
            } => {
                out.put_slice(b"METADATA ");
                mailbox(out, m);
                out.put_u8(b' ');
                match entries {
                    MetadataEntries::Values(values) => list(out, values, |o, (e, v)| {
                        astring(o, e);
                        o.put_u8(b' ');
                        nstring(o, v.as_deref());
                    }),
                    MetadataEntries::Names(names) => spaced(out, names, |o, n| astring(o, n)),
                }
            }
            Self::Fetch { seq, items } => {
                num(out, u64::from(*seq));
                out.put_slice(b" FETCH ");
                list(out, items, |o, i| i.encode(o));
            }
            Self::Other(other) => {
                other.name().encode(out);
                if !other.raw().is_empty() {
                    out.put_u8(b' ');
                    out.put_slice(other.raw());
                }
            }
        }
        out.put_slice(b"\r\n");
    }
}

/// `section = "[" [section-spec] "]"` (RFC 9051 §9).
impl Encode for Section<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        out.put_u8(b'[');
        part(out, &self.part);
        if let Some(text) = &self.text {
            if !self.part.is_empty() {
                out.put_u8(b'.');
            }
            match text {
                SectionText::Header => out.put_slice(b"HEADER"),
                SectionText::Text => out.put_slice(b"TEXT"),
                SectionText::Mime => out.put_slice(b"MIME"),
                SectionText::HeaderFields { not, fields } => {
                    out.put_slice(if *not {
                        b"HEADER.FIELDS.NOT "
                    } else {
                        b"HEADER.FIELDS "
                    });
                    list(out, fields, |o, f| astring(o, f));
                }
            }
        }
        out.put_u8(b']');
    }
}

/// `section-part = nz-number *("." nz-number)`.
fn part<B: BufMut>(out: &mut B, numbers: &[u32]) {
    for (i, n) in numbers.iter().enumerate() {
        if i > 0 {
            out.put_u8(b'.');
        }
        num(out, u64::from(*n));
    }
}

fn origin<B: BufMut>(out: &mut B, origin: Option<u32>) {
    if let Some(o) = origin {
        out.put_u8(b'<');
        num(out, u64::from(o));
        out.put_u8(b'>');
    }
}

/// `msg-att-dynamic / msg-att-static` (RFC 9051 §9 and the extensions).
impl Encode for FetchItem<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        match self {
            Self::Flags(f) => {
                out.put_slice(b"FLAGS ");
                flags(out, f);
            }
            Self::Uid(n) => {
                out.put_slice(b"UID ");
                num(out, u64::from(*n));
            }
            Self::InternalDate(d) => {
                out.put_slice(b"INTERNALDATE ");
                string(out, d);
            }
            Self::Rfc822Size(n) => {
                out.put_slice(b"RFC822.SIZE ");
                num(out, *n);
            }
            Self::Envelope(e) => {
                out.put_slice(b"ENVELOPE ");
                e.encode(out);
            }
            Self::Body(b) => {
                out.put_slice(b"BODY ");
                b.encode(out);
            }
            Self::BodyStructure(b) => {
                out.put_slice(b"BODYSTRUCTURE ");
                b.encode(out);
            }
            Self::BodySection {
                section,
                origin: o,
                data,
            } => {
                out.put_slice(b"BODY");
                section.encode(out);
                origin(out, *o);
                out.put_u8(b' ');
                nstring(out, data.as_deref());
            }
            Self::Binary {
                section,
                origin: o,
                data,
            } => {
                out.put_slice(b"BINARY[");
                part(out, section);
                out.put_u8(b']');
                origin(out, *o);
                out.put_u8(b' ');
                nstring(out, data.as_deref());
            }
            Self::BinarySize { section, size } => {
                out.put_slice(b"BINARY.SIZE[");
                part(out, section);
                out.put_slice(b"] ");
                num(out, u64::from(*size));
            }
            Self::Rfc822(d) | Self::Rfc822Header(d) | Self::Rfc822Text(d) | Self::Preview(d) => {
                out.put_slice(match self {
                    Self::Rfc822(_) => b"RFC822 ",
                    Self::Rfc822Header(_) => b"RFC822.HEADER ",
                    Self::Rfc822Text(_) => b"RFC822.TEXT ",
                    _ => b"PREVIEW ",
                });
                nstring(out, d.as_deref());
            }
            Self::ModSeq(n) => {
                out.put_slice(b"MODSEQ (");
                num(out, *n);
                out.put_u8(b')');
            }
            Self::EmailId(id) => {
                out.put_slice(b"EMAILID (");
                out.put_slice(id.as_str().as_bytes());
                out.put_u8(b')');
            }
            Self::ThreadId(None) => out.put_slice(b"THREADID NIL"),
            Self::ThreadId(Some(id)) => {
                out.put_slice(b"THREADID (");
                out.put_slice(id.as_str().as_bytes());
                out.put_u8(b')');
            }
            Self::GmMsgId(n) => {
                out.put_slice(b"X-GM-MSGID ");
                num(out, *n);
            }
            Self::GmThrId(n) => {
                out.put_slice(b"X-GM-THRID ");
                num(out, *n);
            }
            Self::GmLabels(labels) => {
                out.put_slice(b"X-GM-LABELS ");
                list(out, labels, |o, l| match l.split_first() {
                    Some((b'\\', rest))
                        if !rest.is_empty() && rest.iter().all(|&b| is_astring_char(b)) =>
                    {
                        o.put_slice(l);
                    }
                    _ => astring(o, l),
                });
            }
            Self::Other(o) => o.encode(out),
        }
    }
}

fn addresses<B: BufMut>(out: &mut B, list_of: &[Address<'_>]) {
    if list_of.is_empty() {
        return out.put_slice(b"NIL");
    }
    out.put_u8(b'(');
    for a in list_of {
        out.put_u8(b'(');
        nstring(out, a.name.as_deref());
        out.put_u8(b' ');
        nstring(out, a.adl.as_deref());
        out.put_u8(b' ');
        nstring(out, a.mailbox.as_deref());
        out.put_u8(b' ');
        nstring(out, a.host.as_deref());
        out.put_u8(b')');
    }
    out.put_u8(b')');
}

/// `envelope` (RFC 9051 §9).
impl Encode for Envelope<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        out.put_u8(b'(');
        nstring(out, self.date.as_deref());
        out.put_u8(b' ');
        nstring(out, self.subject.as_deref());
        for list_of in [
            &self.from,
            &self.sender,
            &self.reply_to,
            &self.to,
            &self.cc,
            &self.bcc,
        ] {
            out.put_u8(b' ');
            addresses(out, list_of);
        }
        out.put_u8(b' ');
        nstring(out, self.in_reply_to.as_deref());
        out.put_u8(b' ');
        nstring(out, self.message_id.as_deref());
        out.put_u8(b')');
    }
}

type Params<'a> = [(
    std::borrow::Cow<'a, [u8]>,
    Option<std::borrow::Cow<'a, [u8]>>,
)];

fn params<B: BufMut>(out: &mut B, p: &Params<'_>) {
    nil_or_list(out, p, |o, (k, v)| {
        string(o, k);
        o.put_u8(b' ');
        nstring(o, v.as_deref());
    });
}

fn tail<B: BufMut>(out: &mut B, t: &ExtensionTail<'_>) {
    out.put_u8(b' ');
    match &t.disposition {
        None => out.put_slice(b"NIL"),
        Some(d) => {
            out.put_u8(b'(');
            string(out, &d.kind);
            out.put_u8(b' ');
            params(out, &d.params);
            out.put_u8(b')');
        }
    }
    out.put_u8(b' ');
    match t.language.as_slice() {
        [] => out.put_slice(b"NIL"),
        [one] => string(out, one),
        many => list(out, many, |o, l| string(o, l)),
    }
    out.put_u8(b' ');
    nstring(out, t.location.as_deref());
    for e in &t.extensions {
        out.put_u8(b' ');
        e.encode(out);
    }
}

/// `body-extension` (RFC 9051 §9).
impl Encode for BodyExtension<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        match self {
            Self::String(s) => nstring(out, s.as_deref()),
            Self::Number(n) => num(out, *n),
            Self::List(items) => list(out, items, |o, e| e.encode(o)),
        }
    }
}

/// `body` (RFC 9051 §9). A multipart needs at least one part to read back.
impl Encode for Body<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        out.put_u8(b'(');
        match self {
            Self::Single(s) => {
                string(out, &s.media_type);
                out.put_u8(b' ');
                string(out, &s.subtype);
                out.put_u8(b' ');
                params(out, &s.fields.params);
                out.put_u8(b' ');
                nstring(out, s.fields.id.as_deref());
                out.put_u8(b' ');
                nstring(out, s.fields.description.as_deref());
                out.put_u8(b' ');
                string(out, &s.fields.encoding);
                out.put_u8(b' ');
                num(out, u64::from(s.fields.octets));
                match &s.kind {
                    SinglePartKind::Basic => {}
                    SinglePartKind::Text { lines } => {
                        out.put_u8(b' ');
                        num(out, u64::from(*lines));
                    }
                    SinglePartKind::Message {
                        envelope,
                        body,
                        lines,
                    } => {
                        out.put_u8(b' ');
                        envelope.encode(out);
                        out.put_u8(b' ');
                        body.encode(out);
                        out.put_u8(b' ');
                        num(out, u64::from(*lines));
                    }
                }
                if let Some(ext) = &s.extension {
                    out.put_u8(b' ');
                    nstring(out, ext.md5.as_deref());
                    tail(out, &ext.tail);
                }
            }
            Self::Multi(m) => {
                for p in &m.parts {
                    p.encode(out);
                }
                out.put_u8(b' ');
                string(out, &m.subtype);
                if let Some(ext) = &m.extension {
                    out.put_u8(b' ');
                    params(out, &ext.params);
                    tail(out, &ext.tail);
                }
            }
        }
        out.put_u8(b')');
    }
}
