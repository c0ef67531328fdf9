//! Client commands to bytes (RFC 9051 §6, §9), whole or in fragments that
//! stop before each synchronizing literal.
//!
//! Strings take the lightest form that carries them: an atom where the
//! grammar allows one and the bytes are `ASTRING-CHAR`s, a quoted string
//! for short 7-bit text, a literal for anything else (8-bit bytes, CR, LF,
//! NUL, or more than 1024 octets).

use bytes::BufMut;

use super::Encode;
use super::response::num;
use crate::types::{
    AppendKind, AppendMessage, AuthenticateData, ClientMessage, Command, CommandBody, Date,
    DateTime, FetchAttribute, FetchItems, FetchModifier, Flag, LiteralMode, Mailbox, MetadataDepth,
    MetadataOption, Partial, SearchKey, SearchReturn, Section, SectionText, SelectParam,
    StoreAction, StoreTarget, is_astring_char, is_atom_char,
};

/// A piece of a command as a client sends it: lines, and literals that may
/// have to wait for the server's continuation request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fragment<'c> {
    /// Bytes to send as they are: the command up to and including a
    /// literal's announcement (`{n}` or `{n+}`) and its CRLF, or the end of
    /// the command with its CRLF.
    Line(Vec<u8>),
    /// A literal's octets, borrowed from the command.
    Literal {
        /// The octets.
        data: &'c [u8],
        /// True for a synchronizing literal: send `data` only after the
        /// server's `+` continuation request (and drop the rest of the
        /// command if the server answers `NO` or `BAD` instead).
        sync: bool,
    },
}

/// Where the encoder writes: one buffer, or fragments.
trait Sink<'c> {
    type Buf: BufMut;
    /// The line being written.
    fn buf(&mut self) -> &mut Self::Buf;
    /// A literal (`literal8` with `binary`) with its announcement.
    fn literal(&mut self, data: &'c [u8], binary: bool);
}

/// Everything in one buffer; literals are announced as synchronizing.
struct Flat<'b, B>(&'b mut B);

impl<'c, B: BufMut> Sink<'c> for Flat<'_, B> {
    type Buf = B;

    fn buf(&mut self) -> &mut B {
        self.0
    }

    fn literal(&mut self, data: &'c [u8], binary: bool) {
        if binary {
            self.0.put_u8(b'~');
        }
        self.0.put_u8(b'{');
        num(self.0, data.len() as u64);
        self.0.put_slice(b"}\r\n");
        self.0.put_slice(data);
    }
}

/// Fragments for a client under a literal mode.
struct Frags<'c> {
    mode: LiteralMode,
    line: Vec<u8>,
    out: Vec<Fragment<'c>>,
}

impl<'c> Sink<'c> for Frags<'c> {
    type Buf = Vec<u8>;

    fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.line
    }

    fn literal(&mut self, data: &'c [u8], binary: bool) {
        let sync = !self.mode.allows_non_sync(data.len() as u64);
        if binary {
            self.line.push(b'~');
        }
        self.line.push(b'{');
        num(&mut self.line, data.len() as u64);
        if !sync {
            self.line.push(b'+');
        }
        self.line.extend_from_slice(b"}\r\n");
        self.out
            .push(Fragment::Line(std::mem::take(&mut self.line)));
        self.out.push(Fragment::Literal { data, sync });
    }
}

/// The fragments of `cmd` for a client whose server negotiated `mode`:
/// lines to send as they are and literals, synchronizing ones marked, so
/// that the session can wait for `+` before each of them.
///
/// ```
/// use mailwire_imap::encode::{self, Fragment};
/// use mailwire_imap::types::{Command, CommandBody, LiteralMode, Secret, Tag};
/// let cmd = Command::new(Tag::new("A001").unwrap(), CommandBody::Login {
///     username: b"FRED FOOBAR"[..].into(),
///     password: Secret::new("fat\r\nman".as_bytes().into()),
/// });
/// let f = encode::fragments(&cmd, LiteralMode::Sync);
/// assert_eq!(f, [
///     Fragment::Line(b"A001 LOGIN \"FRED FOOBAR\" {8}\r\n".to_vec()),
///     Fragment::Literal { data: b"fat\r\nman", sync: true },
///     Fragment::Line(b"\r\n".to_vec()),
/// ]);
/// let f = encode::fragments(&cmd, LiteralMode::Plus);
/// assert_eq!(f[0], Fragment::Line(b"A001 LOGIN \"FRED FOOBAR\" {8+}\r\n".to_vec()));
/// ```
pub fn fragments<'c>(cmd: &'c Command<'_>, mode: LiteralMode) -> Vec<Fragment<'c>> {
    let mut s = Frags {
        mode,
        line: Vec::new(),
        out: Vec::new(),
    };
    command(&mut s, cmd);
    s.out.push(Fragment::Line(s.line));
    s.out
}

/// `command` (RFC 9051 §9), literals written inline and announced as
/// synchronizing (`{n}`): the bytes a server reads, for logs, tests and
/// servers' own tests. A client sends [`fragments`] instead, waiting for
/// the continuation request before each synchronizing literal.
impl Encode for Command<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        command(&mut Flat(out), self);
    }
}

/// `base64 CRLF` or `"*" CRLF` (RFC 9051 §6.2.2).
impl Encode for AuthenticateData<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        match self {
            Self::Response(data) => out.put_slice(data.as_bytes()),
            Self::Cancel => out.put_u8(b'*'),
        }
        out.put_slice(b"\r\n");
    }
}

/// A command, an `AUTHENTICATE` line or `DONE CRLF`.
impl Encode for ClientMessage<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        match self {
            Self::Command(c) => c.encode(out),
            Self::AuthenticateData(d) => d.encode(out),
            Self::Done => out.put_slice(b"DONE\r\n"),
        }
    }
}

/// `date-text = date-day "-" date-month "-" date-year` (RFC 9051 §9).
impl Encode for Date {
    fn encode<B: BufMut>(&self, out: &mut B) {
        out.put_slice(self.to_string().as_bytes());
    }
}

/// `date-time`, quoted (RFC 9051 §9).
impl Encode for DateTime {
    fn encode<B: BufMut>(&self, out: &mut B) {
        out.put_u8(b'"');
        out.put_slice(self.to_string().as_bytes());
        out.put_u8(b'"');
    }
}

/// Longest string written quoted.
const QUOTED_MAX: usize = 1024;

fn put<'c, S: Sink<'c>>(s: &mut S, bytes: &[u8]) {
    s.buf().put_slice(bytes);
}

fn sp<'c, S: Sink<'c>>(s: &mut S) {
    s.buf().put_u8(b' ');
}

fn number<'c, S: Sink<'c>>(s: &mut S, n: u64) {
    num(s.buf(), n);
}

/// `string = quoted / literal` (RFC 9051 §9).
fn string<'c, S: Sink<'c>>(s: &mut S, value: &'c [u8]) {
    if value.len() <= QUOTED_MAX
        && value
            .iter()
            .all(|&b| matches!(b, 0x01..=0x7f) && b != b'\r' && b != b'\n')
    {
        let out = s.buf();
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
        s.literal(value, false);
    }
}

/// `astring = 1*ASTRING-CHAR / string` (RFC 9051 §9).
fn astring<'c, S: Sink<'c>>(s: &mut S, value: &'c [u8]) {
    if !value.is_empty() && value.iter().all(|&b| is_astring_char(b)) {
        put(s, value);
    } else {
        string(s, value);
    }
}

/// A Gmail label: bare when it is a system label (`\Inbox`), else an
/// astring.
fn gm_label<'c, S: Sink<'c>>(s: &mut S, value: &'c [u8]) {
    match value.split_first() {
        Some((b'\\', rest)) if !rest.is_empty() && rest.iter().all(|&b| is_astring_char(b)) => {
            put(s, value);
        }
        _ => astring(s, value),
    }
}

/// A `GETMETADATA` entry name: an astring, quoted when it reads as an
/// option name (the decoder accepts options after the mailbox too).
fn metadata_entry<'c, S: Sink<'c>>(s: &mut S, value: &'c [u8]) {
    if value.eq_ignore_ascii_case(b"MAXSIZE") || value.eq_ignore_ascii_case(b"DEPTH") {
        string(s, value);
    } else {
        astring(s, value);
    }
}

/// `nstring = string / nil` (RFC 9051 §9).
fn nstring<'c, S: Sink<'c>>(s: &mut S, value: Option<&'c [u8]>) {
    match value {
        Some(v) => string(s, v),
        None => put(s, b"NIL"),
    }
}

/// `mailbox = "INBOX" / astring` (RFC 9051 §9).
fn mailbox<'c, S: Sink<'c>>(s: &mut S, m: &'c Mailbox<'_>) {
    astring(s, m.as_bytes());
}

/// `list-mailbox = 1*list-char / string` (RFC 9051 §9).
fn list_mailbox<'c, S: Sink<'c>>(s: &mut S, value: &'c [u8]) {
    if !value.is_empty()
        && value
            .iter()
            .all(|&b| is_atom_char(b) || matches!(b, b'%' | b'*' | b']'))
    {
        put(s, value);
    } else {
        string(s, value);
    }
}

/// `"(" item *(SP item) ")"`.
fn list<'c, S: Sink<'c>, T>(s: &mut S, items: &'c [T], mut each: impl FnMut(&mut S, &'c T)) {
    s.buf().put_u8(b'(');
    spaced(s, items, &mut each);
    s.buf().put_u8(b')');
}

/// Items separated by SP.
fn spaced<'c, S: Sink<'c>, T>(s: &mut S, items: &'c [T], mut each: impl FnMut(&mut S, &'c T)) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            sp(s);
        }
        each(s, item);
    }
}

/// One item bare, more in parentheses.
fn one_or_list<'c, S: Sink<'c>, T>(s: &mut S, items: &'c [T], mut each: impl FnMut(&mut S, &'c T)) {
    match items {
        [one] => each(s, one),
        _ => list(s, items, each),
    }
}

fn encoded<'c, S: Sink<'c>, T: Encode>(s: &mut S, value: &T) {
    value.encode(s.buf());
}

fn uid<'c, S: Sink<'c>>(s: &mut S, uid: bool) {
    if uid {
        put(s, b"UID ");
    }
}

fn command<'c, S: Sink<'c>>(s: &mut S, cmd: &'c Command<'_>) {
    encoded(s, &cmd.tag);
    sp(s);
    body(s, &cmd.body);
    put(s, b"\r\n");
}

#[allow(clippy::too_many_lines)]
fn body<'c, S: Sink<'c>>(s: &mut S, body: &'c CommandBody<'_>) {
    match body {
        CommandBody::Capability => put(s, b"CAPABILITY"),
        CommandBody::Noop => put(s, b"NOOP"),
        CommandBody::Logout => put(s, b"LOGOUT"),
        CommandBody::StartTls => put(s, b"STARTTLS"),
        CommandBody::Authenticate { mechanism, initial } => {
            put(s, b"AUTHENTICATE ");
            encoded(s, mechanism);
            if let Some(data) = initial {
                sp(s);
                if data.is_empty() {
                    put(s, b"=");
                } else {
                    put(s, data.as_bytes());
                }
            }
        }
        CommandBody::Login { username, password } => {
            put(s, b"LOGIN ");
            astring(s, username);
            sp(s);
            astring(s, password.expose());
        }
        CommandBody::Enable(caps) => {
            put(s, b"ENABLE");
            for c in caps {
                sp(s);
                encoded(s, c);
            }
        }
        CommandBody::Select { mailbox: m, params } => {
            put(s, b"SELECT ");
            select(s, m, params);
        }
        CommandBody::Examine { mailbox: m, params } => {
            put(s, b"EXAMINE ");
            select(s, m, params);
        }
        CommandBody::Create {
            mailbox: m,
            special_use,
        } => {
            put(s, b"CREATE ");
            mailbox(s, m);
            if !special_use.is_empty() {
                put(s, b" (USE ");
                list(s, special_use, |s, a| encoded(s, a));
                put(s, b")");
            }
        }
        CommandBody::Delete(m) => {
            put(s, b"DELETE ");
            mailbox(s, m);
        }
        CommandBody::Rename { from, to } => {
            put(s, b"RENAME ");
            mailbox(s, from);
            sp(s);
            mailbox(s, to);
        }
        CommandBody::Subscribe(m) => {
            put(s, b"SUBSCRIBE ");
            mailbox(s, m);
        }
        CommandBody::Unsubscribe(m) => {
            put(s, b"UNSUBSCRIBE ");
            mailbox(s, m);
        }
        CommandBody::List {
            selection,
            reference,
            patterns,
            return_opts,
        } => {
            put(s, b"LIST ");
            if let Some(opts) = selection {
                list(s, opts, |s, o| put(s, o.as_str().as_bytes()));
                sp(s);
            }
            mailbox(s, reference);
            sp(s);
            one_or_list(s, patterns, |s, p| list_mailbox(s, p));
            if let Some(opts) = return_opts {
                put(s, b" RETURN ");
                list(s, opts, |s, o| match o {
                    crate::types::ListReturn::Subscribed => put(s, b"SUBSCRIBED"),
                    crate::types::ListReturn::Children => put(s, b"CHILDREN"),
                    crate::types::ListReturn::SpecialUse => put(s, b"SPECIAL-USE"),
                    crate::types::ListReturn::Status(items) => {
                        put(s, b"STATUS ");
                        list(s, items, |s, i| put(s, i.as_str().as_bytes()));
                    }
                    crate::types::ListReturn::Other(a) => encoded(s, a),
                });
            }
        }
        CommandBody::Lsub { reference, pattern } => {
            put(s, b"LSUB ");
            mailbox(s, reference);
            sp(s);
            list_mailbox(s, pattern);
        }
        CommandBody::Namespace => put(s, b"NAMESPACE"),
        CommandBody::Status { mailbox: m, items } => {
            put(s, b"STATUS ");
            mailbox(s, m);
            sp(s);
            list(s, items, |s, i| put(s, i.as_str().as_bytes()));
        }
        CommandBody::Append {
            mailbox: m,
            flags,
            date,
            message,
        } => {
            put(s, b"APPEND ");
            mailbox(s, m);
            append_entry(s, flags, date.as_ref(), message);
        }
        CommandBody::MultiAppend {
            mailbox: m,
            messages,
        } => {
            put(s, b"APPEND ");
            mailbox(s, m);
            for e in messages {
                append_entry(s, &e.flags, e.date.as_ref(), &e.message);
            }
        }
        CommandBody::Idle => put(s, b"IDLE"),
        CommandBody::Check => put(s, b"CHECK"),
        CommandBody::Close => put(s, b"CLOSE"),
        CommandBody::Unselect => put(s, b"UNSELECT"),
        CommandBody::Expunge => put(s, b"EXPUNGE"),
        CommandBody::UidExpunge(set) => {
            put(s, b"UID EXPUNGE ");
            encoded(s, set);
        }
        CommandBody::Search {
            uid: u,
            return_opts,
            charset,
            criteria,
        } => {
            uid(s, *u);
            put(s, b"SEARCH");
            if let Some(opts) = return_opts {
                put(s, b" RETURN ");
                list(s, opts, search_return);
            }
            if let Some(c) = charset {
                put(s, b" CHARSET ");
                charset_value(s, c);
            }
            search_keys(s, criteria);
        }
        CommandBody::Fetch {
            uid: u,
            set,
            items,
            modifiers,
        } => {
            uid(s, *u);
            put(s, b"FETCH ");
            encoded(s, set);
            sp(s);
            match items {
                FetchItems::All => put(s, b"ALL"),
                FetchItems::Fast => put(s, b"FAST"),
                FetchItems::Full => put(s, b"FULL"),
                FetchItems::List(attrs) => one_or_list(s, attrs, fetch_attribute),
            }
            if !modifiers.is_empty() {
                sp(s);
                list(s, modifiers, |s, m| match m {
                    FetchModifier::ChangedSince(n) => {
                        put(s, b"CHANGEDSINCE ");
                        number(s, *n);
                    }
                    FetchModifier::Vanished => put(s, b"VANISHED"),
                    FetchModifier::Partial(range) => {
                        put(s, b"PARTIAL ");
                        encoded(s, range);
                    }
                });
            }
        }
        CommandBody::Store {
            uid: u,
            set,
            unchanged_since,
            action,
            silent,
            target,
        } => {
            uid(s, *u);
            put(s, b"STORE ");
            encoded(s, set);
            sp(s);
            if let Some(n) = unchanged_since {
                put(s, b"(UNCHANGEDSINCE ");
                number(s, *n);
                put(s, b") ");
            }
            match action {
                StoreAction::Replace => {}
                StoreAction::Add => put(s, b"+"),
                StoreAction::Remove => put(s, b"-"),
            }
            match target {
                StoreTarget::Flags(flags) => {
                    put(s, b"FLAGS");
                    if *silent {
                        put(s, b".SILENT");
                    }
                    sp(s);
                    list(s, flags, |s, f| encoded(s, f));
                }
                StoreTarget::GmLabels(labels) => {
                    put(s, b"X-GM-LABELS");
                    if *silent {
                        put(s, b".SILENT");
                    }
                    sp(s);
                    list(s, labels, |s, l| gm_label(s, l));
                }
            }
        }
        CommandBody::Copy {
            uid: u,
            set,
            mailbox: m,
        } => {
            uid(s, *u);
            put(s, b"COPY ");
            encoded(s, set);
            sp(s);
            mailbox(s, m);
        }
        CommandBody::Move {
            uid: u,
            set,
            mailbox: m,
        } => {
            uid(s, *u);
            put(s, b"MOVE ");
            encoded(s, set);
            sp(s);
            mailbox(s, m);
        }
        CommandBody::Sort {
            uid: u,
            criteria,
            charset,
            search,
        } => {
            uid(s, *u);
            put(s, b"SORT ");
            list(s, criteria, |s, c| {
                if c.reverse {
                    put(s, b"REVERSE ");
                }
                put(s, c.key.as_str().as_bytes());
            });
            sp(s);
            charset_value(s, charset);
            search_keys(s, search);
        }
        CommandBody::ESort {
            uid: u,
            return_opts,
            criteria,
            charset,
            search,
        } => {
            uid(s, *u);
            put(s, b"SORT RETURN ");
            list(s, return_opts, search_return);
            sp(s);
            list(s, criteria, |s, c| {
                if c.reverse {
                    put(s, b"REVERSE ");
                }
                put(s, c.key.as_str().as_bytes());
            });
            sp(s);
            charset_value(s, charset);
            search_keys(s, search);
        }
        CommandBody::Thread {
            uid: u,
            algorithm,
            charset,
            search,
        } => {
            uid(s, *u);
            put(s, b"THREAD ");
            put(s, algorithm.as_str().as_bytes());
            sp(s);
            charset_value(s, charset);
            search_keys(s, search);
        }
        CommandBody::GetQuota(root) => {
            put(s, b"GETQUOTA ");
            astring(s, root);
        }
        CommandBody::GetQuotaRoot(m) => {
            put(s, b"GETQUOTAROOT ");
            mailbox(s, m);
        }
        CommandBody::SetQuota { root, limits } => {
            put(s, b"SETQUOTA ");
            astring(s, root);
            sp(s);
            list(s, limits, |s, (name, n)| {
                encoded(s, name);
                sp(s);
                number(s, *n);
            });
        }
        CommandBody::SetAcl {
            mailbox: m,
            identifier,
            rights,
        } => {
            put(s, b"SETACL ");
            mailbox(s, m);
            sp(s);
            astring(s, identifier);
            sp(s);
            astring(s, rights);
        }
        CommandBody::DeleteAcl {
            mailbox: m,
            identifier,
        } => {
            put(s, b"DELETEACL ");
            mailbox(s, m);
            sp(s);
            astring(s, identifier);
        }
        CommandBody::GetAcl(m) => {
            put(s, b"GETACL ");
            mailbox(s, m);
        }
        CommandBody::ListRights {
            mailbox: m,
            identifier,
        } => {
            put(s, b"LISTRIGHTS ");
            mailbox(s, m);
            sp(s);
            astring(s, identifier);
        }
        CommandBody::MyRights(m) => {
            put(s, b"MYRIGHTS ");
            mailbox(s, m);
        }
        CommandBody::GetMetadata {
            options,
            mailbox: m,
            entries,
        } => {
            put(s, b"GETMETADATA ");
            if !options.is_empty() {
                list(s, options, |s, o| match o {
                    MetadataOption::MaxSize(n) => {
                        put(s, b"MAXSIZE ");
                        number(s, u64::from(*n));
                    }
                    MetadataOption::Depth(d) => put(
                        s,
                        match d {
                            MetadataDepth::Zero => b"DEPTH 0",
                            MetadataDepth::One => b"DEPTH 1",
                            MetadataDepth::Infinity => b"DEPTH infinity",
                        },
                    ),
                });
                sp(s);
            }
            mailbox(s, m);
            sp(s);
            one_or_list(s, entries, |s, e| metadata_entry(s, e));
        }
        CommandBody::SetMetadata {
            mailbox: m,
            entries,
        } => {
            put(s, b"SETMETADATA ");
            mailbox(s, m);
            sp(s);
            list(s, entries, |s, (entry, value)| {
                astring(s, entry);
                sp(s);
                match value {
                    Some(v) if v.contains(&0) => s.literal(v, true),
                    other => nstring(s, other.as_deref()),
                }
            });
        }
        CommandBody::Id(params) => {
            put(s, b"ID ");
            match params {
                None => put(s, b"NIL"),
                Some(params) => list(s, params, |s, (field, value)| {
                    string(s, field);
                    sp(s);
                    nstring(s, value.as_deref());
                }),
            }
        }
        CommandBody::Compress(algorithm) => {
            put(s, b"COMPRESS ");
            encoded(s, algorithm);
        }
    }
}

/// `mailbox [select-params]` (RFC 9051 §9, RFC 7162 §7).
/// `[SP flag-list] [SP date-time] SP append-data` (RFC 9051 §9, RFC 3502
/// §6.3.11).
fn append_entry<'c, S: Sink<'c>>(
    s: &mut S,
    flags: &'c [Flag<'_>],
    date: Option<&DateTime>,
    message: &'c AppendMessage<'_>,
) {
    if !flags.is_empty() {
        sp(s);
        list(s, flags, |s, f| encoded(s, f));
    }
    if let Some(date) = date {
        sp(s);
        encoded(s, date);
    }
    sp(s);
    match message.kind {
        AppendKind::Literal => s.literal(&message.data, false),
        AppendKind::Binary => s.literal(&message.data, true),
        AppendKind::Utf8 => {
            put(s, b"UTF8 (");
            s.literal(&message.data, true);
            put(s, b")");
        }
    }
}

fn select<'c, S: Sink<'c>>(s: &mut S, m: &'c Mailbox<'_>, params: &'c [SelectParam]) {
    mailbox(s, m);
    if params.is_empty() {
        return;
    }
    sp(s);
    list(s, params, |s, p| match p {
        SelectParam::CondStore => put(s, b"CONDSTORE"),
        SelectParam::QResync(q) => {
            put(s, b"QRESYNC (");
            number(s, u64::from(q.uid_validity));
            sp(s);
            number(s, q.mod_seq);
            if let Some(known) = &q.known_uids {
                sp(s);
                encoded(s, known);
            }
            if let Some((seqs, uids)) = &q.seq_match {
                put(s, b" (");
                encoded(s, seqs);
                sp(s);
                encoded(s, uids);
                put(s, b")");
            }
            put(s, b")");
        }
    });
}

/// `search-return-opt = "MIN" / "MAX" / "ALL" / "COUNT" / "SAVE" /
/// "PARTIAL" SP partial-range` (RFC 9051 §9, RFC 5182, RFC 9394 §4).
fn search_return<'c, S: Sink<'c>>(s: &mut S, o: &'c SearchReturn) {
    put(s, o.as_str().as_bytes());
    if let SearchReturn::Partial(range) = o {
        sp(s);
        encoded(s, range);
    }
}

/// `charset = atom / quoted` (RFC 9051 §9).
fn charset_value<'c, S: Sink<'c>>(s: &mut S, c: &'c crate::types::Charset<'_>) {
    let bytes = c.as_str().as_bytes();
    if bytes.iter().all(|&b| is_atom_char(b)) {
        put(s, bytes);
    } else {
        string(s, bytes);
    }
}

/// `fetch-att` (RFC 9051 §9 and extensions).
fn fetch_attribute<'c, S: Sink<'c>>(s: &mut S, a: &'c FetchAttribute<'_>) {
    match a {
        FetchAttribute::BodySection {
            section: sec,
            peek,
            partial: p,
        } => {
            put(s, if *peek { b"BODY.PEEK" } else { b"BODY" });
            section(s, sec);
            partial(s, *p);
        }
        FetchAttribute::Binary {
            section,
            peek,
            partial: p,
        } => {
            put(s, if *peek { b"BINARY.PEEK[" } else { b"BINARY[" });
            part(s, section);
            put(s, b"]");
            partial(s, *p);
        }
        FetchAttribute::BinarySize { section } => {
            put(s, b"BINARY.SIZE[");
            part(s, section);
            put(s, b"]");
        }
        simple => {
            let name = crate::types::FETCH_SIMPLE
                .iter()
                .find(|(_, a)| a == simple)
                .map_or("", |(n, _)| n);
            put(s, name.as_bytes());
        }
    }
}

/// `section = "[" [section-spec] "]"` (RFC 9051 §9), header names as
/// astrings.
fn section<'c, S: Sink<'c>>(s: &mut S, sec: &'c Section<'_>) {
    put(s, b"[");
    part(s, &sec.part);
    if let Some(text) = &sec.text {
        if !sec.part.is_empty() {
            put(s, b".");
        }
        match text {
            SectionText::Header => put(s, b"HEADER"),
            SectionText::Text => put(s, b"TEXT"),
            SectionText::Mime => put(s, b"MIME"),
            SectionText::HeaderFields { not, fields } => {
                put(
                    s,
                    if *not {
                        b"HEADER.FIELDS.NOT "
                    } else {
                        b"HEADER.FIELDS "
                    },
                );
                list(s, fields, |s, f| astring(s, f));
            }
        }
    }
    put(s, b"]");
}

/// `section-part = nz-number *("." nz-number)`.
fn part<'c, S: Sink<'c>>(s: &mut S, numbers: &[u32]) {
    for (i, n) in numbers.iter().enumerate() {
        if i > 0 {
            put(s, b".");
        }
        number(s, u64::from(*n));
    }
}

/// `partial = "<" number64 "." nz-number64 ">"`.
fn partial<'c, S: Sink<'c>>(s: &mut S, p: Option<Partial>) {
    if let Some(p) = p {
        put(s, b"<");
        number(s, p.offset);
        put(s, b".");
        number(s, p.count.get());
        put(s, b">");
    }
}

/// `1*(SP search-key)`, each preceded by SP.
fn search_keys<'c, S: Sink<'c>>(s: &mut S, keys: &'c [SearchKey<'_>]) {
    for k in keys {
        sp(s);
        search_key(s, k);
    }
}

/// `search-key` (RFC 9051 §9 and extensions). Nested keys recurse: the
/// decoder builds them at most [`Limits::nesting_depth`](crate::Limits)
/// deep.
fn search_key<'c, S: Sink<'c>>(s: &mut S, key: &'c SearchKey<'_>) {
    let word = |s: &mut S, w: &str| put(s, w.as_bytes());
    let with_string = |s: &mut S, w: &str, v: &'c [u8]| {
        put(s, w.as_bytes());
        sp(s);
        astring(s, v);
    };
    let with_date = |s: &mut S, w: &str, d: &Date| {
        put(s, w.as_bytes());
        sp(s);
        encoded(s, d);
    };
    let with_number = |s: &mut S, w: &str, n: u64| {
        put(s, w.as_bytes());
        sp(s);
        number(s, n);
    };
    match key {
        SearchKey::All => word(s, "ALL"),
        SearchKey::Answered => word(s, "ANSWERED"),
        SearchKey::Bcc(v) => with_string(s, "BCC", v),
        SearchKey::Before(d) => with_date(s, "BEFORE", d),
        SearchKey::Body(v) => with_string(s, "BODY", v),
        SearchKey::Cc(v) => with_string(s, "CC", v),
        SearchKey::Deleted => word(s, "DELETED"),
        SearchKey::Draft => word(s, "DRAFT"),
        SearchKey::Flagged => word(s, "FLAGGED"),
        SearchKey::From(v) => with_string(s, "FROM", v),
        SearchKey::Header(field, value) => {
            with_string(s, "HEADER", field);
            sp(s);
            astring(s, value);
        }
        SearchKey::Keyword(k) => {
            put(s, b"KEYWORD ");
            put(s, k.as_str().as_bytes());
        }
        SearchKey::Larger(n) => with_number(s, "LARGER", *n),
        SearchKey::New => word(s, "NEW"),
        SearchKey::Not(k) => {
            put(s, b"NOT ");
            search_key(s, k);
        }
        SearchKey::Old => word(s, "OLD"),
        SearchKey::On(d) => with_date(s, "ON", d),
        SearchKey::Or(a, b) => {
            put(s, b"OR ");
            search_key(s, a);
            sp(s);
            search_key(s, b);
        }
        SearchKey::Recent => word(s, "RECENT"),
        SearchKey::Seen => word(s, "SEEN"),
        SearchKey::SentBefore(d) => with_date(s, "SENTBEFORE", d),
        SearchKey::SentOn(d) => with_date(s, "SENTON", d),
        SearchKey::SentSince(d) => with_date(s, "SENTSINCE", d),
        SearchKey::Since(d) => with_date(s, "SINCE", d),
        SearchKey::Smaller(n) => with_number(s, "SMALLER", *n),
        SearchKey::Subject(v) => with_string(s, "SUBJECT", v),
        SearchKey::Text(v) => with_string(s, "TEXT", v),
        SearchKey::To(v) => with_string(s, "TO", v),
        SearchKey::Uid(set) => {
            put(s, b"UID ");
            encoded(s, set);
        }
        SearchKey::Unanswered => word(s, "UNANSWERED"),
        SearchKey::Undeleted => word(s, "UNDELETED"),
        SearchKey::Undraft => word(s, "UNDRAFT"),
        SearchKey::Unflagged => word(s, "UNFLAGGED"),
        SearchKey::Unkeyword(k) => {
            put(s, b"UNKEYWORD ");
            put(s, k.as_str().as_bytes());
        }
        SearchKey::Unseen => word(s, "UNSEEN"),
        SearchKey::SequenceSet(set) => encoded(s, set),
        SearchKey::And(keys) => list(s, keys, |s, k| search_key(s, k)),
        SearchKey::ModSeq { entry, mod_seq } => {
            put(s, b"MODSEQ ");
            if let Some((name, kind)) = entry {
                string(s, name);
                sp(s);
                put(s, kind.as_str().as_bytes());
                sp(s);
            }
            number(s, *mod_seq);
        }
        SearchKey::Older(n) => with_number(s, "OLDER", u64::from(*n)),
        SearchKey::Younger(n) => with_number(s, "YOUNGER", u64::from(*n)),
        SearchKey::EmailId(id) => {
            put(s, b"EMAILID ");
            put(s, id.as_str().as_bytes());
        }
        SearchKey::ThreadId(id) => {
            put(s, b"THREADID ");
            put(s, id.as_str().as_bytes());
        }
        SearchKey::GmRaw(v) => with_string(s, "X-GM-RAW", v),
        SearchKey::Filter(name) => {
            put(s, b"FILTER ");
            put(s, name.as_str().as_bytes());
        }
        SearchKey::GmMsgId(n) => with_number(s, "X-GM-MSGID", *n),
        SearchKey::GmThrId(n) => with_number(s, "X-GM-THRID", *n),
        SearchKey::GmLabels(v) => with_string(s, "X-GM-LABELS", v),
    }
}
