//! Client commands: the grammar of RFC 9051 §6 and §9 (and RFC 3501, and
//! the extensions), over a command the framer found complete.
//!
//! The parser is a cursor over the command's bytes, literals included.
//! Search keys nest (`NOT`, `OR`, parentheses); they are read with an
//! explicit stack against [`Limits::nesting_depth`], never by recursion
//! on the native stack.

use std::borrow::Cow;
use std::num::NonZeroU64;

use super::DecodeErrorKind;
use super::cursor::{CommandGrammar, Cursor, R};
use super::response::PErr;
use crate::Limits;
use crate::types::{
    AppendEntry, AppendKind, AppendMessage, AuthenticateData, Capability, Charset, Command,
    CommandBody, Date, DateTime, EntryType, FETCH_SIMPLE, FetchAttribute, FetchItems,
    FetchModifier, Flag, IString, ListAttribute, ListReturn, ListSelect, MONTHS, Mailbox,
    MetadataDepth, MetadataOption, NString, ObjectId, Partial, QResync, SaslData, SearchKey,
    SearchReturn, Section, SectionText, SelectParam, SortCriterion, SortKey, StatusAttribute,
    StoreAction, StoreTarget, Tag, ThreadAlgorithm, is_astring_char, is_atom_char, is_base64_char,
    is_charset_char, is_tag_char,
};

/// Reads one command (without its last line's CRLF) that the framer found
/// complete (RFC 9051 §9): `command = tag SP (command-any / command-auth /
/// command-nonauth / command-select) CRLF`.
pub(crate) fn command<'a>(input: &'a [u8], limits: &Limits) -> R<Command<'a>> {
    C::new(input, 0, limits).command()
}

/// Reads a client line during `AUTHENTICATE` (RFC 9051 §9: `base64 CRLF`,
/// or `"*" CRLF` to cancel), without its line end.
pub(crate) fn authenticate_data(line: &[u8]) -> R<AuthenticateData<'_>> {
    if line == b"*" {
        return Ok(AuthenticateData::Cancel);
    }
    match line.iter().position(|&b| !is_base64_char(b)) {
        None => Ok(AuthenticateData::Response(SaslData::from_wire(line))),
        Some(at) => Err(PErr {
            at,
            kind: DecodeErrorKind::NotAuthenticateData,
        }),
    }
}

/// Reads the line that ends `IDLE` (RFC 2177, RFC 9051 §9: `idle = "IDLE"
/// CRLF "DONE"`), without its line end, case-insensitively.
pub(crate) fn done(line: &[u8]) -> R<()> {
    if line.eq_ignore_ascii_case(b"DONE") {
        Ok(())
    } else {
        Err(PErr {
            at: 0,
            kind: DecodeErrorKind::ExpectedDone,
        })
    }
}

/// A byte of `list-char = ATOM-CHAR / list-wildcards / resp-specials`.
const fn is_list_char(b: u8) -> bool {
    is_atom_char(b) || matches!(b, b'%' | b'*' | b']')
}

/// A byte that may continue a keyword: an atom character except `[` and
/// `<`, which open a section and a partial.
const fn is_word_char(b: u8) -> bool {
    is_atom_char(b) && b != b'[' && b != b'<'
}

/// A frame of the explicit stack of the search-key reader.
enum Open<'a> {
    /// `NOT`, waiting for its key.
    Not,
    /// `OR`, waiting for its first or second key.
    Or(Option<SearchKey<'a>>),
    /// `(`, with the keys read so far.
    And(Vec<SearchKey<'a>>),
}

/// A cursor over a complete command.
type C<'a, 'l> = Cursor<'a, 'l, CommandGrammar>;

impl<'a> C<'a, '_> {
    /// Reads `word` (case-insensitively) when it comes next as a whole
    /// token, not followed by an atom character.
    fn keyword(&mut self, word: &[u8]) -> bool {
        self.keyword_before(word, is_atom_char)
    }

    /// `number64 = 1*DIGIT` (RFC 9051 §9), below 2^63.
    fn number64(&mut self) -> R<u64> {
        self.number_upto(i64::MAX as u64)
    }

    /// `literal = "{" number64 ["+"] "}" CRLF *CHAR8` (RFC 9051 §9,
    /// RFC 7888), and with `binary`, `literal8 = "~{" number64 ["+"] "}"
    /// CRLF *OCTET` (RFC 3516). The data is borrowed; NUL is tolerated.
    fn literal(&mut self, binary: bool) -> R<&'a [u8]> {
        let start = self.pos;
        if binary {
            self.expect(b'~', "'~'")?;
        }
        self.literal_from(start, i64::MAX as u64)
    }

    /// The end of the command, after optional trailing SP.
    fn finish(&mut self) -> R<()> {
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
        if self.at_end() {
            Ok(())
        } else {
            self.fail("end of command")
        }
    }

    /// A keyword (an atom up to `[` or `<`).
    fn word(&mut self, what: &'static str) -> R<&'a [u8]> {
        self.take_while1(is_word_char, what)
    }

    /// `nz-number = digit-nz *DIGIT` (RFC 9051 §9).
    fn nz_number(&mut self) -> R<u32> {
        let start = self.pos;
        match self.number()? {
            0 => self.fail_at(start, DecodeErrorKind::InvalidNumber),
            n => Ok(n),
        }
    }

    /// `nz-number64` / `mod-sequence-valzer` (RFC 9051 §9, RFC 7162).
    fn nz_number64(&mut self) -> R<NonZeroU64> {
        let start = self.pos;
        NonZeroU64::new(self.number64()?)
            .map_or_else(|| self.fail_at(start, DecodeErrorKind::InvalidNumber), Ok)
    }

    // ---------------------------------------------------------------
    // Strings.

    /// `quoted = DQUOTE *QUOTED-CHAR DQUOTE` (RFC 9051 §9): any byte but
    /// CR, LF and NUL (UTF-8 and, tolerantly, other 8-bit bytes); `\`
    /// escapes `"` and `\` only. Borrowed unless it had escapes.
    fn quoted(&mut self) -> R<Cow<'a, [u8]>> {
        let open = self.pos;
        self.expect(b'"', "'\"'")?;
        let start = self.pos;
        let mut owned: Option<Vec<u8>> = None;
        let mut run = start;
        loop {
            let rest = self.s.get(self.pos..).unwrap_or_default();
            let Some(i) = memchr::memchr3(b'"', b'\\', b'\n', rest) else {
                if let Some(bad) = memchr::memchr2(b'\r', 0, rest) {
                    return self.fail_at(self.pos + bad, bad_kind(rest[bad]));
                }
                return self.fail_at(open, DecodeErrorKind::Expected { what: "'\"'" });
            };
            if let Some(bad) = memchr::memchr2(b'\r', 0, &rest[..i]) {
                return self.fail_at(self.pos + bad, bad_kind(rest[bad]));
            }
            let at = self.pos + i;
            match rest[i] {
                b'\\' => match self.s.get(at + 1) {
                    Some(&next @ (b'"' | b'\\')) => {
                        let v = owned.get_or_insert_with(Vec::new);
                        v.extend_from_slice(&self.s[run..at]);
                        v.push(next);
                        self.pos = at + 2;
                        run = self.pos;
                    }
                    _ => return self.fail_at(at + 1, DecodeErrorKind::InvalidEscape),
                },
                b'"' => {
                    self.pos = at + 1;
                    return Ok(match owned {
                        Some(mut v) => {
                            v.extend_from_slice(&self.s[run..at]);
                            Cow::Owned(v)
                        }
                        None => Cow::Borrowed(&self.s[start..at]),
                    });
                }
                _ => return self.fail_at(at, DecodeErrorKind::Expected { what: "'\"'" }),
            }
        }
    }

    /// `string = quoted / literal` (RFC 9051 §9).
    fn string(&mut self) -> R<Cow<'a, [u8]>> {
        match self.peek() {
            Some(b'"') => self.quoted(),
            Some(b'{') => self.literal(false).map(Cow::Borrowed),
            _ => self.fail("string"),
        }
    }

    /// `astring = 1*ASTRING-CHAR / string` (RFC 9051 §9), read tolerantly:
    /// 8-bit bytes may stand in the atom form (Python's imaplib sends UTF-8
    /// search strings bare).
    fn astring(&mut self) -> R<IString<'a>> {
        match self.peek() {
            Some(b'"' | b'{') => self.string(),
            _ => self
                .take_while1(|b| is_astring_char(b) || b >= 0x80, "astring")
                .map(Cow::Borrowed),
        }
    }

    /// `nstring = string / nil` (RFC 9051 §9).
    fn nstring(&mut self) -> R<NString<'a>> {
        if self.eat_nil() {
            return Ok(None);
        }
        self.string().map(Some)
    }

    /// `mailbox = "INBOX" / astring` (RFC 9051 §9).
    fn mailbox(&mut self) -> R<Mailbox<'a>> {
        let start = self.pos;
        let name = self.astring()?;
        Mailbox::from_bytes(name)
            .or_else(|_| self.fail_at(start, DecodeErrorKind::Expected { what: "mailbox" }))
    }

    /// `list-mailbox = 1*list-char / string` (RFC 9051 §9), 8-bit bytes
    /// tolerated in the bare form as in [`astring`](Self::astring).
    fn list_mailbox(&mut self) -> R<IString<'a>> {
        match self.peek() {
            Some(b'"' | b'{') => self.string(),
            _ => self
                .take_while1(|b| is_list_char(b) || b >= 0x80, "list-mailbox")
                .map(Cow::Borrowed),
        }
    }

    /// `charset = atom / quoted` (RFC 9051 §9).
    fn charset(&mut self) -> R<Charset<'a>> {
        let start = self.pos;
        let name = match self.peek() {
            Some(b'"') => self.quoted()?,
            _ => Cow::Borrowed(self.take_while1(is_atom_char, "charset")?),
        };
        let ok = !name.is_empty() && name.iter().all(|&b| is_charset_char(b));
        match name {
            Cow::Borrowed(b) if ok => Ok(Charset::from_wire(b)),
            Cow::Owned(v) if ok => Charset::new(String::from_utf8(v).unwrap_or_default())
                .or_else(|_| self.fail_at(start, DecodeErrorKind::Expected { what: "charset" })),
            _ => self.fail_at(start, DecodeErrorKind::Expected { what: "charset" }),
        }
    }

    /// `"(" [item *(SP item)] ")"`, SP runs tolerated.
    fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> R<T>) -> R<Vec<T>> {
        self.expect(b'(', "'('")?;
        let mut out = Vec::new();
        loop {
            self.eat_sp();
            if self.eat(b')') {
                return Ok(out);
            }
            if self.at_end() {
                return self.fail("')'");
            }
            if !out.is_empty() && self.s.get(self.pos.wrapping_sub(1)) != Some(&b' ') {
                return self.fail("SP or ')'");
            }
            self.check_items(out.len())?;
            out.push(item(self)?);
        }
    }

    /// A list that may not be empty.
    fn list1<T>(&mut self, item: impl FnMut(&mut Self) -> R<T>) -> R<Vec<T>> {
        let start = self.pos;
        let out = self.list(item)?;
        if out.is_empty() {
            return self.fail_at(start + 1, DecodeErrorKind::Expected { what: "list item" });
        }
        Ok(out)
    }

    /// `flag` (RFC 9051 §9), read tolerantly as `["\"] 1*ASTRING-CHAR`
    /// (`]` in keywords) or `\*`.
    fn flag(&mut self) -> R<Flag<'a>> {
        let start = self.pos;
        let wildcard = self.eat(b'\\') && self.eat(b'*');
        if !wildcard {
            self.take_while1(is_astring_char, "flag")?;
        }
        Flag::from_name(&self.s[start..self.pos]).map_or_else(
            || self.fail_at(start, DecodeErrorKind::Expected { what: "flag" }),
            Ok,
        )
    }

    /// `date = date-text / DQUOTE date-text DQUOTE`, `date-text = date-day
    /// "-" date-month "-" date-year` (RFC 9051 §9).
    fn date(&mut self) -> R<Date> {
        let quoted = self.eat(b'"');
        let start = self.pos;
        let day = self.take_while1(|b| b.is_ascii_digit(), "day")?;
        if day.len() > 2 {
            return self.fail_at(start, DecodeErrorKind::Expected { what: "day" });
        }
        let day = day.iter().fold(0u8, |v, &d| v * 10 + (d - b'0'));
        self.expect(b'-', "'-'")?;
        let month = self.month()?;
        self.expect(b'-', "'-'")?;
        let year = self.year()?;
        if quoted {
            self.expect(b'"', "'\"'")?;
        }
        Date::new(year, month, day).map_or_else(
            || self.fail_at(start, DecodeErrorKind::Expected { what: "date" }),
            Ok,
        )
    }

    /// `date-month = "Jan" / … / "Dec"` (RFC 9051 §9), case-insensitively.
    fn month(&mut self) -> R<u8> {
        let at = self.pos;
        let name = self.s.get(at..at + 3).unwrap_or_default();
        match MONTHS
            .iter()
            .position(|m| m.as_bytes().eq_ignore_ascii_case(name))
        {
            Some(i) => {
                self.pos += 3;
                Ok(u8::try_from(i + 1).unwrap_or(1))
            }
            None => self.fail("month"),
        }
    }

    /// `date-year = 4DIGIT`.
    fn year(&mut self) -> R<u16> {
        self.fixed_digits(4, "year")
            .map(|n| u16::try_from(n).unwrap_or(0))
    }

    /// Exactly `n` digits.
    fn fixed_digits(&mut self, n: usize, what: &'static str) -> R<u32> {
        match self.s.get(self.pos..self.pos + n) {
            Some(d) if d.iter().all(u8::is_ascii_digit) => {
                self.pos += n;
                Ok(d.iter().fold(0u32, |v, &c| v * 10 + u32::from(c - b'0')))
            }
            _ => self.fail(what),
        }
    }

    /// `date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP
    /// time SP zone DQUOTE` (RFC 9051 §9); a one-digit day without its
    /// leading SP is tolerated.
    fn date_time(&mut self) -> R<DateTime> {
        let start = self.pos;
        self.expect(b'"', "'\"'")?;
        self.eat(b' ');
        let day = self.take_while1(|b| b.is_ascii_digit(), "day")?;
        if day.len() > 2 {
            return self.fail_at(start, DecodeErrorKind::Expected { what: "day" });
        }
        let day = day.iter().fold(0u8, |v, &d| v * 10 + (d - b'0'));
        self.expect(b'-', "'-'")?;
        let month = self.month()?;
        self.expect(b'-', "'-'")?;
        let year = self.year()?;
        self.expect(b' ', "SP")?;
        let hour = self.fixed_digits(2, "hour")?;
        self.expect(b':', "':'")?;
        let minute = self.fixed_digits(2, "minute")?;
        self.expect(b':', "':'")?;
        let second = self.fixed_digits(2, "second")?;
        self.expect(b' ', "SP")?;
        let negative = match self.peek() {
            Some(b'+') => false,
            Some(b'-') => true,
            _ => return self.fail("zone"),
        };
        self.pos += 1;
        let zone_at = self.pos;
        let zone = self.fixed_digits(4, "zone")?;
        if zone % 100 > 59 {
            return self.fail_at(zone_at, DecodeErrorKind::Expected { what: "zone" });
        }
        let zone = i16::try_from(zone / 100 * 60 + zone % 100).unwrap_or(0);
        let zone = if negative { -zone } else { zone };
        self.expect(b'"', "'\"'")?;
        let small = |n: u32| u8::try_from(n).unwrap_or(u8::MAX);
        Date::new(year, month, day)
            .and_then(|d| DateTime::new(d, (small(hour), small(minute), small(second)), zone))
            .map_or_else(
                || self.fail_at(start, DecodeErrorKind::Expected { what: "date-time" }),
                Ok,
            )
    }

    // ---------------------------------------------------------------
    // Commands.

    fn command(&mut self) -> R<Command<'a>> {
        let tag = Tag::from_wire(self.take_while1(is_tag_char, "tag")?);
        self.sp()?;
        let name_at = self.pos;
        let mut name = self.word("command name")?;
        let uid = name.eq_ignore_ascii_case(b"UID");
        if uid {
            self.sp()?;
            name = self.word("command name")?;
        }
        let body = self.body(name, uid).map_err(|e| match e.kind {
            DecodeErrorKind::UnknownCommand => PErr {
                at: name_at,
                kind: e.kind,
            },
            _ => e,
        })?;
        self.finish()?;
        Ok(Command { tag, body })
    }

    fn body(&mut self, name: &[u8], uid: bool) -> R<CommandBody<'a>> {
        let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
        let unknown = || {
            Err(PErr {
                at: 0,
                kind: DecodeErrorKind::UnknownCommand,
            })
        };
        if uid {
            return if is("FETCH") {
                self.fetch(true)
            } else if is("SEARCH") {
                self.search(true)
            } else if is("STORE") {
                self.store(true)
            } else if is("COPY") || is("MOVE") {
                self.copy_move(true, is("MOVE"))
            } else if is("EXPUNGE") {
                self.sp()?;
                Ok(CommandBody::UidExpunge(self.sequence_set()?))
            } else if is("SORT") {
                self.sort(true)
            } else if is("THREAD") {
                self.thread(true)
            } else {
                unknown()
            };
        }
        let mut buf = [0u8; WORD_MAX];
        Ok(match caps(name, &mut buf) {
            b"NOOP" => CommandBody::Noop,
            b"IDLE" => CommandBody::Idle,
            b"FETCH" => return self.fetch(false),
            b"STORE" => return self.store(false),
            b"SEARCH" => return self.search(false),
            b"SELECT" => {
                let (mailbox, params) = self.select()?;
                CommandBody::Select { mailbox, params }
            }
            b"EXAMINE" => {
                let (mailbox, params) = self.select()?;
                CommandBody::Examine { mailbox, params }
            }
            b"STATUS" => {
                self.sp()?;
                let mailbox = self.mailbox()?;
                self.sp()?;
                let items = self.list1(Self::status_attribute)?;
                CommandBody::Status { mailbox, items }
            }
            b"APPEND" => return self.append(),
            b"COPY" => return self.copy_move(false, false),
            b"MOVE" => return self.copy_move(false, true),
            b"LIST" => return self.list_command(),
            b"LSUB" => {
                self.sp()?;
                let reference = self.mailbox()?;
                self.sp()?;
                let pattern = self.list_mailbox()?;
                CommandBody::Lsub { reference, pattern }
            }
            b"LOGIN" => {
                self.sp()?;
                let username = self.astring()?;
                self.sp()?;
                let password = self.astring()?;
                CommandBody::Login {
                    username,
                    password: crate::types::Secret::new(password),
                }
            }
            b"LOGOUT" => CommandBody::Logout,
            b"CAPABILITY" => CommandBody::Capability,
            b"STARTTLS" => CommandBody::StartTls,
            b"AUTHENTICATE" => {
                self.sp()?;
                let mechanism = self.atom("auth-type")?;
                let initial = if self.eat_sp() && !self.at_end() {
                    if self.eat(b'=') {
                        if self.peek().is_some_and(|b| b != b' ') {
                            return self.fail("SP or end");
                        }
                        Some(SaslData::empty())
                    } else {
                        let data = self.take_while1(is_base64_char, "base64")?;
                        Some(SaslData::from_wire(data))
                    }
                } else {
                    None
                };
                CommandBody::Authenticate { mechanism, initial }
            }
            b"ENABLE" => {
                let mut caps = Vec::new();
                self.sp()?;
                loop {
                    self.check_items(caps.len())?;
                    caps.push(Capability::new(self.atom("capability")?));
                    if !self.eat_sp() || self.at_end() {
                        break;
                    }
                }
                CommandBody::Enable(caps)
            }
            b"CREATE" => {
                self.sp()?;
                let mailbox = self.mailbox()?;
                let mut special_use = Vec::new();
                if self.eat_sp() && self.peek() == Some(b'(') {
                    self.list1(|c| {
                        if !c.keyword(b"USE") {
                            return c.fail("USE");
                        }
                        c.sp()?;
                        let attrs = c.list(Self::use_attribute)?;
                        special_use.extend(attrs);
                        Ok(())
                    })?;
                }
                CommandBody::Create {
                    mailbox,
                    special_use,
                }
            }
            b"DELETE" => CommandBody::Delete(self.sp_mailbox()?),
            b"RENAME" => {
                let from = self.sp_mailbox()?;
                let to = self.sp_mailbox()?;
                CommandBody::Rename { from, to }
            }
            b"SUBSCRIBE" => CommandBody::Subscribe(self.sp_mailbox()?),
            b"UNSUBSCRIBE" => CommandBody::Unsubscribe(self.sp_mailbox()?),
            b"NAMESPACE" => CommandBody::Namespace,
            b"CHECK" => CommandBody::Check,
            b"CLOSE" => CommandBody::Close,
            b"UNSELECT" => CommandBody::Unselect,
            b"EXPUNGE" => CommandBody::Expunge,
            b"SORT" => return self.sort(false),
            b"THREAD" => return self.thread(false),
            b"GETQUOTA" => {
                self.sp()?;
                CommandBody::GetQuota(self.astring()?)
            }
            b"GETQUOTAROOT" => CommandBody::GetQuotaRoot(self.sp_mailbox()?),
            b"SETQUOTA" => {
                self.sp()?;
                let root = self.astring()?;
                self.sp()?;
                let limits = self.list(|c| {
                    let name = c.atom("resource name")?;
                    c.sp()?;
                    Ok((name, c.number64()?))
                })?;
                CommandBody::SetQuota { root, limits }
            }
            b"SETACL" => {
                let mailbox = self.sp_mailbox()?;
                self.sp()?;
                let identifier = self.astring()?;
                self.sp()?;
                let rights = self.astring()?;
                CommandBody::SetAcl {
                    mailbox,
                    identifier,
                    rights,
                }
            }
            b"DELETEACL" => {
                let mailbox = self.sp_mailbox()?;
                self.sp()?;
                let identifier = self.astring()?;
                CommandBody::DeleteAcl {
                    mailbox,
                    identifier,
                }
            }
            b"GETACL" => CommandBody::GetAcl(self.sp_mailbox()?),
            b"LISTRIGHTS" => {
                let mailbox = self.sp_mailbox()?;
                self.sp()?;
                let identifier = self.astring()?;
                CommandBody::ListRights {
                    mailbox,
                    identifier,
                }
            }
            b"MYRIGHTS" => CommandBody::MyRights(self.sp_mailbox()?),
            b"GETMETADATA" => return self.get_metadata(),
            b"SETMETADATA" => {
                let mailbox = self.sp_mailbox()?;
                self.sp()?;
                let entries = self.list1(|c| {
                    let entry = c.astring()?;
                    c.sp()?;
                    let value = if c.peek() == Some(b'~') {
                        Some(Cow::Borrowed(c.literal(true)?))
                    } else {
                        c.nstring()?
                    };
                    Ok((entry, value))
                })?;
                CommandBody::SetMetadata { mailbox, entries }
            }
            b"ID" => {
                self.sp()?;
                if self.eat_nil() {
                    CommandBody::Id(None)
                } else {
                    CommandBody::Id(Some(self.list(|c| {
                        let field = c.string()?;
                        c.sp()?;
                        Ok((field, c.nstring()?))
                    })?))
                }
            }
            b"COMPRESS" => {
                self.sp()?;
                CommandBody::Compress(self.atom("compression algorithm")?)
            }
            _ => return unknown(),
        })
    }

    /// `SP mailbox`.
    fn sp_mailbox(&mut self) -> R<Mailbox<'a>> {
        self.sp()?;
        self.mailbox()
    }

    /// `select = "SELECT" SP mailbox [select-params]`, `select-params = SP
    /// "(" select-param *(SP select-param) ")"` (RFC 9051 §9, RFC 7162
    /// §7): `CONDSTORE` or `QRESYNC SP "(" uidvalidity SP
    /// mod-sequence-value [SP known-uids] [SP seq-match-data] ")"`.
    fn select(&mut self) -> R<(Mailbox<'a>, Vec<SelectParam>)> {
        let mailbox = self.sp_mailbox()?;
        let mut params = Vec::new();
        if self.eat_sp() && self.peek() == Some(b'(') {
            params = self.list1(|c| {
                if c.keyword(b"CONDSTORE") {
                    return Ok(SelectParam::CondStore);
                }
                if !c.keyword(b"QRESYNC") {
                    return c.fail("CONDSTORE or QRESYNC");
                }
                c.sp()?;
                c.expect(b'(', "'('")?;
                let uid_validity = c.nz_number()?;
                c.sp()?;
                let mod_seq = c.number64()?;
                let mut q = QResync {
                    uid_validity,
                    mod_seq,
                    known_uids: None,
                    seq_match: None,
                };
                if c.eat_sp() && c.peek() != Some(b'(') && c.peek() != Some(b')') {
                    q.known_uids = Some(c.sequence_set()?);
                    c.eat_sp();
                }
                if c.eat(b'(') {
                    let seqs = c.sequence_set()?;
                    c.sp()?;
                    let uids = c.sequence_set()?;
                    c.expect(b')', "')'")?;
                    q.seq_match = Some((seqs, uids));
                }
                c.eat_sp();
                c.expect(b')', "')'")?;
                Ok(SelectParam::QResync(q))
            })?;
        }
        Ok((mailbox, params))
    }

    /// `use-attr` (RFC 6154 §6): `"\" atom`.
    fn use_attribute(&mut self) -> R<ListAttribute<'a>> {
        let start = self.pos;
        self.expect(b'\\', "'\\'")?;
        self.take_while1(is_astring_char, "attribute")?;
        ListAttribute::from_name(&self.s[start..self.pos]).map_or_else(
            || self.fail_at(start, DecodeErrorKind::Expected { what: "attribute" }),
            Ok,
        )
    }

    /// `status-att` (RFC 9051 §9 and extensions).
    fn status_attribute(&mut self) -> R<StatusAttribute<'a>> {
        self.atom("status attribute").map(StatusAttribute::new)
    }

    /// `list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP
    /// list-return-opts]` (RFC 9051 §9, RFC 5258 §4, RFC 5819, RFC 6154).
    fn list_command(&mut self) -> R<CommandBody<'a>> {
        self.sp()?;
        let selection = if self.peek() == Some(b'(') {
            let opts = self.list(|c| c.atom("selection option").map(ListSelect::new))?;
            self.sp()?;
            Some(opts)
        } else {
            None
        };
        let reference = self.mailbox()?;
        self.sp()?;
        let patterns = if self.peek() == Some(b'(') {
            self.list1(Self::list_mailbox)?
        } else {
            vec![self.list_mailbox()?]
        };
        let mut return_opts = None;
        if self.eat_sp() && self.keyword(b"RETURN") {
            self.sp()?;
            return_opts = Some(self.list(|c| {
                let name = c.atom("return option")?;
                let is = |n: &str| name.as_str().eq_ignore_ascii_case(n);
                Ok(if is("SUBSCRIBED") {
                    ListReturn::Subscribed
                } else if is("CHILDREN") {
                    ListReturn::Children
                } else if is("SPECIAL-USE") {
                    ListReturn::SpecialUse
                } else if is("STATUS") {
                    c.sp()?;
                    ListReturn::Status(c.list1(Self::status_attribute)?)
                } else {
                    ListReturn::Other(name)
                })
            })?);
        }
        Ok(CommandBody::List {
            selection,
            reference,
            patterns,
            return_opts,
        })
    }

    /// `append = "APPEND" SP mailbox [SP flag-list] [SP date-time] SP
    /// literal` (RFC 9051 §9), `literal8` (RFC 3516), `"UTF8" SP "("
    /// literal8 ")"` (RFC 6855); several messages in one command
    /// (RFC 3502 §6.3.11: `append = "APPEND" SP mailbox 1*append-message`).
    fn append(&mut self) -> R<CommandBody<'a>> {
        let mailbox = self.sp_mailbox()?;
        self.sp()?;
        let mut messages = vec![self.append_entry()?];
        while self.eat_sp() && self.starts_append_entry() {
            self.check_items(messages.len())?;
            messages.push(self.append_entry()?);
        }
        if messages.len() > 1 {
            return Ok(CommandBody::MultiAppend { mailbox, messages });
        }
        let Some(AppendEntry {
            flags,
            date,
            message,
        }) = messages.pop()
        else {
            return self.fail("literal");
        };
        Ok(CommandBody::Append {
            mailbox,
            flags,
            date,
            message,
        })
    }

    /// True when what follows can start an `append-message` (RFC 3502):
    /// a flag list, a date-time, a literal or `UTF8`. Anything else is
    /// left for the end of the command.
    fn starts_append_entry(&self) -> bool {
        let rest = self.s.get(self.pos..).unwrap_or_default();
        matches!(rest.first(), Some(b'(' | b'"' | b'{' | b'~'))
            || rest
                .get(..4)
                .is_some_and(|w| w.eq_ignore_ascii_case(b"UTF8"))
    }

    /// `append-message = append-opts SP append-data` after its SP
    /// (RFC 3502 §6.3.11): `[flag-list SP] [date-time SP] (literal /
    /// literal8 / "UTF8" SP "(" literal8 ")")`.
    fn append_entry(&mut self) -> R<AppendEntry<'a>> {
        let mut flags = Vec::new();
        if self.peek() == Some(b'(') {
            flags = self.list(Self::flag)?;
            self.sp()?;
        }
        let mut date = None;
        if self.peek() == Some(b'"') {
            date = Some(self.date_time()?);
            self.sp()?;
        }
        let message = match self.peek() {
            Some(b'{') => AppendMessage {
                kind: AppendKind::Literal,
                data: Cow::Borrowed(self.literal(false)?),
            },
            Some(b'~') => AppendMessage {
                kind: AppendKind::Binary,
                data: Cow::Borrowed(self.literal(true)?),
            },
            _ if self.keyword(b"UTF8") => {
                self.sp()?;
                self.expect(b'(', "'('")?;
                let data = self.literal(true)?;
                self.expect(b')', "')'")?;
                AppendMessage {
                    kind: AppendKind::Utf8,
                    data: Cow::Borrowed(data),
                }
            }
            _ => return self.fail("literal"),
        };
        Ok(AppendEntry {
            flags,
            date,
            message,
        })
    }

    /// `copy = "COPY" SP sequence-set SP mailbox`, `move = "MOVE" SP
    /// sequence-set SP mailbox` (RFC 9051 §9, RFC 6851).
    fn copy_move(&mut self, uid: bool, is_move: bool) -> R<CommandBody<'a>> {
        self.sp()?;
        let set = self.sequence_set()?;
        let mailbox = self.sp_mailbox()?;
        Ok(if is_move {
            CommandBody::Move { uid, set, mailbox }
        } else {
            CommandBody::Copy { uid, set, mailbox }
        })
    }

    /// `getmetadata = "GETMETADATA" [SP getmetadata-options] SP mailbox SP
    /// getmetadata-entries` (RFC 5464 §5). Read tolerantly as the RFC's
    /// own examples write it: the options may follow the mailbox, and
    /// several entries may go without parentheses.
    fn get_metadata(&mut self) -> R<CommandBody<'a>> {
        self.sp()?;
        let mut options = Vec::new();
        if self.peek() == Some(b'(') {
            options = self.metadata_options()?;
            self.sp()?;
        }
        let mailbox = self.mailbox()?;
        self.sp()?;
        if options.is_empty() && self.at_metadata_options() {
            options = self.metadata_options()?;
            self.sp()?;
        }
        let entries = self.list_or_spaced(Self::astring)?;
        if entries.is_empty() {
            return self.fail("metadata entry");
        }
        Ok(CommandBody::GetMetadata {
            options,
            mailbox,
            entries,
        })
    }

    /// True when `(MAXSIZE` or `(DEPTH` comes next.
    fn at_metadata_options(&self) -> bool {
        let rest = self.s.get(self.pos..).unwrap_or_default();
        let word = |w: &[u8]| {
            rest.get(1..1 + w.len())
                .is_some_and(|r| r.eq_ignore_ascii_case(w))
        };
        rest.first() == Some(&b'(') && (word(b"MAXSIZE ") || word(b"DEPTH "))
    }

    /// `getmetadata-options = "(" getmetadata-option *(SP
    /// getmetadata-option) ")"`, `MAXSIZE SP number`, `DEPTH SP ("0" / "1"
    /// / "infinity")` (RFC 5464 §5).
    fn metadata_options(&mut self) -> R<Vec<MetadataOption>> {
        self.list1(|c| {
            if c.keyword(b"MAXSIZE") {
                c.sp()?;
                return Ok(MetadataOption::MaxSize(c.number()?));
            }
            if !c.keyword(b"DEPTH") {
                return c.fail("MAXSIZE or DEPTH");
            }
            c.sp()?;
            let depth = if c.keyword(b"0") {
                MetadataDepth::Zero
            } else if c.keyword(b"1") {
                MetadataDepth::One
            } else if c.keyword(b"infinity") {
                MetadataDepth::Infinity
            } else {
                return c.fail("0, 1 or infinity");
            };
            Ok(MetadataOption::Depth(depth))
        })
    }

    // ---------------------------------------------------------------
    // FETCH and STORE.

    /// `fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" /
    /// fetch-att / "(" fetch-att *(SP fetch-att) ")") [fetch-modifiers]`
    /// (RFC 9051 §9, RFC 7162 §7).
    fn fetch(&mut self, uid: bool) -> R<CommandBody<'a>> {
        self.sp()?;
        let set = self.sequence_set()?;
        self.sp()?;
        let items = if self.peek() == Some(b'(') {
            FetchItems::List(self.list(Self::fetch_attribute)?)
        } else if self.keyword(b"ALL") {
            FetchItems::All
        } else if self.keyword(b"FAST") {
            FetchItems::Fast
        } else if self.keyword(b"FULL") {
            FetchItems::Full
        } else {
            FetchItems::List(vec![self.fetch_attribute()?])
        };
        let mut modifiers = Vec::new();
        if self.eat_sp() && self.peek() == Some(b'(') {
            modifiers = self.list1(|c| {
                if c.keyword(b"CHANGEDSINCE") {
                    c.sp()?;
                    Ok(FetchModifier::ChangedSince(c.nz_number64()?.get()))
                } else if c.keyword(b"VANISHED") {
                    Ok(FetchModifier::Vanished)
                } else if c.keyword(b"PARTIAL") {
                    c.sp()?;
                    c.partial_range().map(FetchModifier::Partial)
                } else {
                    c.fail("CHANGEDSINCE, VANISHED or PARTIAL")
                }
            })?;
        }
        Ok(CommandBody::Fetch {
            uid,
            set,
            items,
            modifiers,
        })
    }

    /// `fetch-att` (RFC 9051 §9, RFC 3501, RFC 3516, RFC 7162, RFC 8474,
    /// Gmail).
    fn fetch_attribute(&mut self) -> R<FetchAttribute<'a>> {
        let start = self.pos;
        let name = self.word("fetch attribute")?;
        let mut buf = [0u8; WORD_MAX];
        let name = caps(name, &mut buf);
        if self.peek() == Some(b'[') {
            match name {
                b"BODY" | b"BODY.PEEK" => {
                    let section = self.section()?;
                    let partial = self.partial()?;
                    return Ok(FetchAttribute::BodySection {
                        section,
                        peek: name.len() > 4,
                        partial,
                    });
                }
                b"BINARY" | b"BINARY.PEEK" => {
                    let section = self.section_binary()?;
                    let partial = self.partial()?;
                    return Ok(FetchAttribute::Binary {
                        section,
                        peek: name.len() > 6,
                        partial,
                    });
                }
                b"BINARY.SIZE" => {
                    let section = self.section_binary()?;
                    return Ok(FetchAttribute::BinarySize { section });
                }
                _ => {}
            }
        } else {
            let simple = match name {
                b"UID" => Some(FetchAttribute::Uid),
                b"FLAGS" => Some(FetchAttribute::Flags),
                b"RFC822.SIZE" => Some(FetchAttribute::Rfc822Size),
                b"INTERNALDATE" => Some(FetchAttribute::InternalDate),
                b"ENVELOPE" => Some(FetchAttribute::Envelope),
                b"BODYSTRUCTURE" => Some(FetchAttribute::BodyStructure),
                b"BODY" => Some(FetchAttribute::Body),
                b"MODSEQ" => Some(FetchAttribute::ModSeq),
                _ => FETCH_SIMPLE
                    .iter()
                    .find(|(n, _)| n.as_bytes() == name)
                    .map(|(_, a)| a.clone()),
            };
            if let Some(attr) = simple {
                return Ok(attr);
            }
        }
        self.fail_at(
            start,
            DecodeErrorKind::Expected {
                what: "fetch attribute",
            },
        )
    }

    /// `section = "[" [section-spec] "]"` (RFC 9051 §9):
    ///
    /// ```text
    /// section-spec    = section-msgtext / (section-part ["." section-text])
    /// section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"
    /// section-part    = nz-number *("." nz-number)
    /// section-text    = section-msgtext / "MIME"
    /// header-list     = "(" header-fld-name *(SP header-fld-name) ")"
    /// ```
    fn section(&mut self) -> R<Section<'a>> {
        self.expect(b'[', "'['")?;
        let mut section = Section::default();
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.check_items(section.part.len())?;
            section.part.push(self.nz_number()?);
            if !self.eat(b'.') {
                break;
            }
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                // `1.HEADER`: the text follows the dot.
                self.pos -= 1;
                break;
            }
        }
        if !section.part.is_empty() && self.peek() != Some(b']') {
            self.expect(b'.', "'.' or ']'")?;
        }
        if self.peek() != Some(b']') {
            let at = self.pos;
            let word = self.take_while1(|b| is_atom_char(b) && b != b'[', "section text")?;
            let is = |w: &str| word.eq_ignore_ascii_case(w.as_bytes());
            section.text = Some(if is("HEADER") {
                SectionText::Header
            } else if is("TEXT") {
                SectionText::Text
            } else if is("MIME") && !section.part.is_empty() {
                SectionText::Mime
            } else if is("HEADER.FIELDS") || is("HEADER.FIELDS.NOT") {
                self.sp()?;
                let fields = self.list1(Self::astring)?;
                SectionText::HeaderFields {
                    not: is("HEADER.FIELDS.NOT"),
                    fields,
                }
            } else {
                return self.fail_at(
                    at,
                    DecodeErrorKind::Expected {
                        what: "HEADER, HEADER.FIELDS, TEXT or MIME",
                    },
                );
            });
        }
        self.expect(b']', "']'")?;
        Ok(section)
    }

    /// `section-binary = "[" [section-part] "]"` (RFC 9051 §9).
    fn section_binary(&mut self) -> R<Vec<u32>> {
        self.expect(b'[', "'['")?;
        let mut part = Vec::new();
        if self.peek() != Some(b']') {
            loop {
                self.check_items(part.len())?;
                part.push(self.nz_number()?);
                if !self.eat(b'.') {
                    break;
                }
            }
        }
        self.expect(b']', "']'")?;
        Ok(part)
    }

    /// `partial = "<" number64 "." nz-number64 ">"` (RFC 9051 §9).
    fn partial(&mut self) -> R<Option<Partial>> {
        if !self.eat(b'<') {
            return Ok(None);
        }
        let offset = self.number64()?;
        self.expect(b'.', "'.'")?;
        let count = self.nz_number64()?;
        self.expect(b'>', "'>'")?;
        Ok(Some(Partial { offset, count }))
    }

    /// `store = "STORE" SP sequence-set [store-modifiers] SP
    /// store-att-flags` (RFC 9051 §9, RFC 7162 §7), `store-att-flags =
    /// (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP
    /// flag)))`, and Gmail's `X-GM-LABELS` with astrings.
    fn store(&mut self, uid: bool) -> R<CommandBody<'a>> {
        self.sp()?;
        let set = self.sequence_set()?;
        self.sp()?;
        let mut unchanged_since = None;
        if self.peek() == Some(b'(') {
            self.list1(|c| {
                if !c.keyword(b"UNCHANGEDSINCE") {
                    return c.fail("UNCHANGEDSINCE");
                }
                c.sp()?;
                unchanged_since = Some(c.number64()?);
                Ok(())
            })?;
            self.sp()?;
        }
        let action = if self.eat(b'+') {
            StoreAction::Add
        } else if self.eat(b'-') {
            StoreAction::Remove
        } else {
            StoreAction::Replace
        };
        let at = self.pos;
        let name = self.word("FLAGS")?;
        let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
        let (labels, silent) = if is("FLAGS") {
            (false, false)
        } else if is("FLAGS.SILENT") {
            (false, true)
        } else if is("X-GM-LABELS") {
            (true, false)
        } else if is("X-GM-LABELS.SILENT") {
            (true, true)
        } else {
            return self.fail_at(at, DecodeErrorKind::Expected { what: "FLAGS" });
        };
        self.sp()?;
        let target = if labels {
            StoreTarget::GmLabels(self.list_or_spaced(Self::gm_label)?)
        } else {
            StoreTarget::Flags(self.list_or_spaced(Self::flag)?)
        };
        Ok(CommandBody::Store {
            uid,
            set,
            unchanged_since,
            action,
            silent,
            target,
        })
    }

    /// A Gmail label: an `astring`, or a system label such as `\Inbox`
    /// (`"\" 1*ASTRING-CHAR`, as Gmail sends them).
    fn gm_label(&mut self) -> R<IString<'a>> {
        if self.peek() == Some(b'\\') {
            let start = self.pos;
            self.pos += 1;
            self.take_while1(is_astring_char, "label")?;
            return Ok(Cow::Borrowed(&self.s[start..self.pos]));
        }
        self.astring()
    }

    /// A parenthesised list, or items separated by SP up to the end.
    fn list_or_spaced<T>(&mut self, mut item: impl FnMut(&mut Self) -> R<T>) -> R<Vec<T>> {
        if self.peek() == Some(b'(') {
            return self.list(item);
        }
        let mut out = Vec::new();
        loop {
            self.check_items(out.len())?;
            out.push(item(self)?);
            if !self.eat_sp() || self.at_end() {
                return Ok(out);
            }
        }
    }

    // ---------------------------------------------------------------
    // SEARCH, SORT and THREAD.

    /// `search = "SEARCH" [search-return-opts] SP search-program`,
    /// `search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP
    /// search-return-opt)] ")"`, `search-program = ["CHARSET" SP charset
    /// SP] search-key *(SP search-key)` (RFC 9051 §9, RFC 4731).
    fn search(&mut self, uid: bool) -> R<CommandBody<'a>> {
        self.sp()?;
        let mut return_opts = None;
        if self.keyword(b"RETURN") {
            return_opts = Some(self.search_return_opts()?);
        }
        let mut charset = None;
        if self.keyword(b"CHARSET") {
            self.sp()?;
            charset = Some(self.charset()?);
            self.sp()?;
        }
        let criteria = self.search_keys()?;
        Ok(CommandBody::Search {
            uid,
            return_opts,
            charset,
            criteria,
        })
    }

    /// After `RETURN`: `SP "(" [search-return-opt *(SP search-return-opt)]
    /// ")" SP` (RFC 9051 §9, RFC 4731 §3.1, RFC 5267 §3.2), with
    /// `search-return-opt =/ "PARTIAL" SP partial-range` (RFC 9394 §4).
    fn search_return_opts(&mut self) -> R<Vec<SearchReturn>> {
        self.sp()?;
        let opts = self.list(|c| {
            if c.keyword(b"PARTIAL") {
                c.sp()?;
                return c.partial_range().map(SearchReturn::Partial);
            }
            let at = c.pos;
            let word = c.word("search return option")?;
            SearchReturn::from_word(word).map_or_else(
                || {
                    c.fail_at(
                        at,
                        DecodeErrorKind::Expected {
                            what: "MIN, MAX, ALL, COUNT, SAVE or PARTIAL",
                        },
                    )
                },
                Ok,
            )
        })?;
        self.sp()?;
        Ok(opts)
    }

    /// `sort = ["UID" SP] "SORT" SP sort-criteria SP search-criteria`,
    /// `sort-criteria = "(" sort-criterion *(SP sort-criterion) ")"`,
    /// `search-criteria = charset 1*(SP search-key)` (RFC 5256 §5);
    /// `extended-sort = ["UID" SP] "SORT" search-return-opts SP
    /// sort-criteria SP search-criteria` (ESORT, RFC 5267 §3.2).
    fn sort(&mut self, uid: bool) -> R<CommandBody<'a>> {
        self.sp()?;
        let mut return_opts = None;
        if self.keyword(b"RETURN") {
            return_opts = Some(self.search_return_opts()?);
        }
        let criteria = self.list1(|c| {
            let reverse = c.keyword(b"REVERSE");
            if reverse {
                c.sp()?;
            }
            let at = c.pos;
            let word = c.word("sort key")?;
            match SortKey::from_word(word) {
                Some(key) => Ok(SortCriterion { reverse, key }),
                None => c.fail_at(at, DecodeErrorKind::Expected { what: "sort key" }),
            }
        })?;
        self.sp()?;
        let charset = self.charset()?;
        self.sp()?;
        let search = self.search_keys()?;
        if let Some(return_opts) = return_opts {
            return Ok(CommandBody::ESort {
                uid,
                return_opts,
                criteria,
                charset,
                search,
            });
        }
        Ok(CommandBody::Sort {
            uid,
            criteria,
            charset,
            search,
        })
    }

    /// `thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria`
    /// (RFC 5256 §5).
    fn thread(&mut self, uid: bool) -> R<CommandBody<'a>> {
        self.sp()?;
        let algorithm = ThreadAlgorithm::new(self.atom("thread algorithm")?);
        self.sp()?;
        let charset = self.charset()?;
        self.sp()?;
        let search = self.search_keys()?;
        Ok(CommandBody::Thread {
            uid,
            algorithm,
            charset,
            search,
        })
    }

    /// `search-key *(SP search-key)` up to the end of the command.
    /// `NOT`, `OR` and parentheses are kept on an explicit stack, at most
    /// [`Limits::nesting_depth`] deep.
    fn search_keys(&mut self) -> R<Vec<SearchKey<'a>>> {
        let mut top: Vec<SearchKey<'a>> = Vec::new();
        let mut stack: Vec<Open<'a>> = Vec::new();
        loop {
            // One key, or the opening of one.
            let mut value = loop {
                self.check_depth(stack.len())?;
                if self.eat(b'(') {
                    self.eat_sp();
                    stack.push(Open::And(Vec::new()));
                    continue;
                }
                if self.keyword(b"NOT") {
                    self.sp()?;
                    stack.push(Open::Not);
                    continue;
                }
                if self.keyword(b"OR") {
                    self.sp()?;
                    stack.push(Open::Or(None));
                    continue;
                }
                break self.search_leaf()?;
            };
            // Close what the key completes.
            loop {
                match stack.last_mut() {
                    None => {
                        self.check_items(top.len())?;
                        top.push(value);
                        if !self.eat_sp() || self.at_end() {
                            return Ok(top);
                        }
                        break;
                    }
                    Some(Open::Not) => {
                        stack.pop();
                        value = SearchKey::Not(Box::new(value));
                    }
                    Some(Open::Or(first @ None)) => {
                        *first = Some(value);
                        self.sp()?;
                        break;
                    }
                    Some(Open::Or(Some(_))) => {
                        if let Some(Open::Or(Some(first))) = stack.pop() {
                            value = SearchKey::Or(Box::new(first), Box::new(value));
                        }
                    }
                    Some(Open::And(items)) => {
                        if items.len() >= self.limits.list_items.max(1) {
                            return self.fail_at(
                                self.pos,
                                DecodeErrorKind::TooManyItems {
                                    limit: self.limits.list_items,
                                },
                            );
                        }
                        items.push(value);
                        let spaced = self.eat_sp();
                        if !self.eat(b')') {
                            if !spaced {
                                return self.fail("SP or ')'");
                            }
                            break;
                        }
                        match stack.pop() {
                            Some(Open::And(items)) => value = SearchKey::And(items),
                            _ => return self.fail("search key"),
                        }
                    }
                }
            }
        }
    }

    /// A search key that does not nest (RFC 9051 §9 `search-key`, RFC 3501,
    /// RFC 7162, RFC 5032, RFC 8474, Gmail).
    fn search_leaf(&mut self) -> R<SearchKey<'a>> {
        if matches!(self.peek(), Some(b'0'..=b'9' | b'*' | b'$')) {
            return self.sequence_set().map(SearchKey::SequenceSet);
        }
        let at = self.pos;
        let word = self.word("search key")?;
        let mut buf = [0u8; WORD_MAX];
        let arg = |c: &mut Self| c.sp();
        Ok(match caps(word, &mut buf) {
            b"ALL" => SearchKey::All,
            b"ANSWERED" => SearchKey::Answered,
            b"DELETED" => SearchKey::Deleted,
            b"DRAFT" => SearchKey::Draft,
            b"FLAGGED" => SearchKey::Flagged,
            b"NEW" => SearchKey::New,
            b"OLD" => SearchKey::Old,
            b"RECENT" => SearchKey::Recent,
            b"SEEN" => SearchKey::Seen,
            b"UNANSWERED" => SearchKey::Unanswered,
            b"UNDELETED" => SearchKey::Undeleted,
            b"UNDRAFT" => SearchKey::Undraft,
            b"UNFLAGGED" => SearchKey::Unflagged,
            b"UNSEEN" => SearchKey::Unseen,
            b"BCC" => SearchKey::Bcc(self.sp_astring()?),
            b"BODY" => SearchKey::Body(self.sp_astring()?),
            b"CC" => SearchKey::Cc(self.sp_astring()?),
            b"FROM" => SearchKey::From(self.sp_astring()?),
            b"SUBJECT" => SearchKey::Subject(self.sp_astring()?),
            b"TEXT" => SearchKey::Text(self.sp_astring()?),
            b"TO" => SearchKey::To(self.sp_astring()?),
            b"X-GM-RAW" => SearchKey::GmRaw(self.sp_astring()?),
            b"FILTER" => {
                self.sp()?;
                SearchKey::Filter(self.atom("filter name")?)
            }
            b"X-GM-LABELS" => SearchKey::GmLabels(self.sp_astring()?),
            b"BEFORE" => SearchKey::Before(self.sp_date()?),
            b"ON" => SearchKey::On(self.sp_date()?),
            b"SINCE" => SearchKey::Since(self.sp_date()?),
            b"SENTBEFORE" => SearchKey::SentBefore(self.sp_date()?),
            b"SENTON" => SearchKey::SentOn(self.sp_date()?),
            b"SENTSINCE" => SearchKey::SentSince(self.sp_date()?),
            b"LARGER" => SearchKey::Larger(self.sp_number64()?),
            b"SMALLER" => SearchKey::Smaller(self.sp_number64()?),
            b"X-GM-MSGID" => SearchKey::GmMsgId(self.sp_number64()?),
            b"X-GM-THRID" => SearchKey::GmThrId(self.sp_number64()?),
            b"HEADER" => {
                let field = self.sp_astring()?;
                SearchKey::Header(field, self.sp_astring()?)
            }
            b"KEYWORD" => SearchKey::Keyword(self.sp_keyword()?),
            b"UNKEYWORD" => SearchKey::Unkeyword(self.sp_keyword()?),
            b"UID" => {
                arg(self)?;
                SearchKey::Uid(self.sequence_set()?)
            }
            b"OLDER" => {
                arg(self)?;
                SearchKey::Older(self.nz_number()?)
            }
            b"YOUNGER" => {
                arg(self)?;
                SearchKey::Younger(self.nz_number()?)
            }
            b"EMAILID" => {
                arg(self)?;
                SearchKey::EmailId(ObjectId::from_wire(
                    self.take_while1(is_atom_char, "object id")?,
                ))
            }
            b"THREADID" => {
                arg(self)?;
                SearchKey::ThreadId(ObjectId::from_wire(
                    self.take_while1(is_atom_char, "object id")?,
                ))
            }
            b"MODSEQ" => {
                arg(self)?;
                let mut entry = None;
                if matches!(self.peek(), Some(b'"' | b'{')) {
                    let name = self.string()?;
                    self.sp()?;
                    let type_at = self.pos;
                    let kind = self.word("entry type")?;
                    let kind = if kind.eq_ignore_ascii_case(b"priv") {
                        EntryType::Private
                    } else if kind.eq_ignore_ascii_case(b"shared") {
                        EntryType::Shared
                    } else if kind.eq_ignore_ascii_case(b"all") {
                        EntryType::All
                    } else {
                        return self.fail_at(
                            type_at,
                            DecodeErrorKind::Expected {
                                what: "priv, shared or all",
                            },
                        );
                    };
                    entry = Some((name, kind));
                    self.sp()?;
                }
                let mod_seq = self.number64()?;
                SearchKey::ModSeq { entry, mod_seq }
            }
            _ => return self.fail_at(at, DecodeErrorKind::Expected { what: "search key" }),
        })
    }

    /// `SP astring`.
    fn sp_astring(&mut self) -> R<IString<'a>> {
        self.sp()?;
        self.astring()
    }

    /// `SP date`.
    fn sp_date(&mut self) -> R<Date> {
        self.sp()?;
        self.date()
    }

    /// `SP number64`.
    fn sp_number64(&mut self) -> R<u64> {
        self.sp()?;
        self.number64()
    }

    /// `SP flag-keyword`, read tolerantly as `1*ASTRING-CHAR`.
    fn sp_keyword(&mut self) -> R<crate::types::Keyword<'a>> {
        self.sp()?;
        let at = self.pos;
        let kw = self.take_while1(is_astring_char, "flag keyword")?;
        crate::types::Keyword::from_checked(kw).map_or_else(
            || self.fail_at(at, DecodeErrorKind::Expected { what: "keyword" }),
            Ok,
        )
    }
}

/// Longest keyword matched by [`caps`].
const WORD_MAX: usize = 24;

/// `word` in capitals, in `buf`; empty when it is longer than any keyword.
fn caps<'b>(word: &[u8], buf: &'b mut [u8; WORD_MAX]) -> &'b [u8] {
    let Some(out) = buf.get_mut(..word.len()) else {
        return &[];
    };
    for (o, w) in out.iter_mut().zip(word) {
        *o = w.to_ascii_uppercase();
    }
    out
}

/// The error kind of a CR or NUL inside a line.
fn bad_kind(b: u8) -> DecodeErrorKind {
    if b == 0 {
        DecodeErrorKind::Nul
    } else {
        DecodeErrorKind::BareCr
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(input: &[u8]) -> R<Command<'_>> {
        command(input, &Limits::default())
    }

    #[test]
    fn simple_commands() {
        assert_eq!(parse(b"a NOOP").unwrap().body, CommandBody::Noop);
        assert_eq!(parse(b"a uid expunge 1:3").unwrap().tag.as_str(), "a");
        assert_eq!(parse(b"a FOO").unwrap_err().at, 2);
        assert_eq!(parse(b"a NOOP x").unwrap_err().at, 7);
    }

    #[test]
    fn deep_search_is_refused_without_recursion() {
        let mut input = b"a SEARCH ".to_vec();
        for _ in 0..100_000 {
            input.extend_from_slice(b"NOT ");
        }
        input.extend_from_slice(b"ALL");
        assert!(matches!(
            parse(&input).unwrap_err().kind,
            DecodeErrorKind::TooDeep { .. }
        ));
    }
}
