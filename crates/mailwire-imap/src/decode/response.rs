//! Server responses: the grammar of RFC 9051 §7 and §9 (and RFC 3501, and
//! the extensions), over a response the framer found complete.
//!
//! The parser is a cursor over the response's bytes. Nested structures
//! (`BODYSTRUCTURE`, `THREAD`, body extensions, values kept raw) are read
//! with explicit stacks against [`Limits::nesting_depth`], never by
//! recursion on the native stack.

use std::borrow::Cow;

use super::cursor::{Cursor, R, ResponseGrammar};
use super::{DecodeError, DecodeErrorKind};
use crate::Limits;
use crate::types::{
    Address, Atom, Body, BodyExtension, BodyFields, Capability, Charset, Code, CodeText,
    Continuation, Data, Disposition, ESearch, ESearchItem, Envelope, ExtensionTail, FetchItem,
    Flag, IString, ListAttribute, ListData, ListExtended, Mailbox, MetadataEntries, Multipart,
    MultipartExtension, NString, Namespace, ObjectId, OtherCode, OtherData, OtherItem,
    QuotaResource, Response, Section, SectionText, SinglePart, SinglePartExtension, SinglePartKind,
    Status, StatusItem, StatusKind, Tag, Text, Thread, is_astring_char, is_atom_char, is_tag_char,
};

/// The bytes that stop the scan of a quoted string's content: `"`, `\\`,
/// CR, LF and NUL.
static QUOTED_STOP: [bool; 256] = {
    let mut t = [false; 256];
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t[b'\r' as usize] = true;
    t[b'\n' as usize] = true;
    t[0] = true;
    t
};

/// The offset of the first [`QUOTED_STOP`] byte in `s`.
fn quoted_stop(s: &[u8]) -> Option<usize> {
    let stop = |b: u8| QUOTED_STOP[usize::from(b)];
    let mut i = 0;
    // Four bytes per round: one bounds check and one loop test for four.
    while let Some(&[a, b, c, d]) = s.get(i..i + 4) {
        if stop(a) {
            return Some(i);
        }
        if stop(b) {
            return Some(i + 1);
        }
        if stop(c) {
            return Some(i + 2);
        }
        if stop(d) {
            return Some(i + 3);
        }
        i += 4;
    }
    s.get(i..)?.iter().position(|&b| stop(b)).map(|j| i + j)
}

/// A grammar failure: where (offset in the parsed bytes) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PErr {
    pub(crate) at: usize,
    pub(crate) kind: DecodeErrorKind,
}

/// Parameters of a body part or disposition.
type Params<'a> = Vec<(IString<'a>, NString<'a>)>;

/// The untagged data keywords with a variant of their own.
const DATA_KEYWORDS: &[&[u8]] = &[
    b"CAPABILITY",
    b"ENABLED",
    b"FLAGS",
    b"LIST",
    b"LSUB",
    b"STATUS",
    b"SEARCH",
    b"SORT",
    b"ESEARCH",
    b"THREAD",
    b"VANISHED",
    b"NAMESPACE",
    b"ID",
    b"QUOTA",
    b"QUOTAROOT",
    b"ACL",
    b"LISTRIGHTS",
    b"MYRIGHTS",
    b"METADATA",
    b"OK",
    b"NO",
    b"BAD",
    b"BYE",
    b"PREAUTH",
    b"EXISTS",
    b"RECENT",
    b"EXPUNGE",
    b"FETCH",
];

/// True when `name` opens untagged data with a variant of its own.
pub(crate) fn is_data_keyword(name: &[u8]) -> bool {
    DATA_KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(name))
}

/// A byte that may continue an item name: `ATOM-CHAR` except `[`.
const fn is_name_char(b: u8) -> bool {
    is_atom_char(b) && b != b'['
}

/// True when `name` reads whole as the name of a raw item: an atom,
/// optionally followed by `[…]` and more atom characters (`BODY[1]<0>`).
pub(crate) fn is_item_name(name: &[u8]) -> bool {
    let limits = Limits::default();
    let mut p = P::new(name, 0, &limits);
    p.item_name().is_ok() && p.at_end()
}

/// True when `raw` is exactly one value, as the decoder reads the value of
/// an unknown item.
pub(crate) fn is_one_value(raw: &[u8]) -> bool {
    let limits = Limits::default();
    let mut p = P::new(raw, 0, &limits);
    p.skip_value().is_ok() && p.at_end()
}

/// The code named `name` with the arguments `text` (no `]` in it), when
/// they follow the code's grammar.
pub(crate) fn code_arguments<'a>(name: &Atom<'_>, text: &'a [u8]) -> Option<Code<'a>> {
    let limits = Limits::default();
    let mut p = P::new(text, 0, &limits);
    let code = p
        .code_args(name.as_str().as_bytes(), !text.is_empty())
        .ok()?;
    p.at_end().then_some(code)
}

/// Reads one response (without its last line's CRLF) that the framer found
/// complete (RFC 9051 §9):
///
/// ```text
/// response      = *(continue-req / response-data) response-done
/// continue-req  = "+" SP (resp-text / base64) CRLF
/// response-data = "*" SP (resp-cond-state / resp-cond-bye /
///                 mailbox-data / message-data / capability-data /
///                 enable-data) CRLF
/// response-tagged = tag SP resp-cond-state CRLF
/// ```
pub(crate) fn response<'a>(input: &'a [u8], limits: &Limits) -> R<Response<'a>> {
    let mut p = P::new(input, 0, limits);
    p.response()
}

/// A cursor over a complete response.
pub(crate) type P<'a, 'l> = Cursor<'a, 'l, ResponseGrammar>;

impl<'a, 'l> P<'a, 'l> {
    /// `resp-text` from offset `at` of `s` to its end.
    pub(crate) fn resp_text_at(s: &'a [u8], at: usize) -> (Option<Code<'a>>, Text<'a>) {
        let limits = Limits::default();
        let mut p = P::new(s, at, &limits);
        p.resp_text().unwrap_or((None, Text::from_wire(b"")))
    }

    /// Checks that the next word is `word` (case-insensitively), as a whole
    /// token, and reads it.
    fn keyword(&mut self, word: &[u8]) -> bool {
        self.keyword_before(word, is_astring_char)
    }

    /// `number64 = 1*DIGIT` below 2^63 (RFC 9051 §9); 2^64 tolerated.
    fn number64(&mut self) -> R<u64> {
        self.number_upto(u64::MAX)
    }

    /// `literal = "{" number64 ["+"] "}" CRLF *CHAR8`, `literal8 = "~{"
    /// number64 "}" CRLF *OCTET` (RFC 9051 §9, RFC 7888, RFC 3516). The
    /// data is borrowed; a bare LF after `}` is tolerated.
    fn literal(&mut self) -> R<&'a [u8]> {
        let start = self.pos;
        self.eat(b'~');
        self.literal_from(start, u64::MAX)
    }

    /// Skips SP and tells whether another value follows before `)` or the
    /// end.
    fn more(&mut self) -> bool {
        self.skip_sp();
        !matches!(self.peek(), None | Some(b')'))
    }

    /// The end of the response, after optional trailing SP (Exchange sends
    /// one after a STATUS list).
    fn finish(&mut self) -> R<()> {
        self.skip_sp();
        if self.at_end() {
            Ok(())
        } else {
            self.fail("end of response")
        }
    }

    /// `)` after optional SP (SurgeMail and others put one before it).
    fn close(&mut self) -> R<()> {
        self.skip_sp();
        self.expect(b')', "')'")
    }

    /// An atom up to `[`: the name of an item or response.
    fn name(&mut self, what: &'static str) -> R<&'a [u8]> {
        self.take_while1(is_name_char, what)
    }

    /// `nz-number = digit-nz *DIGIT` (RFC 9051 §9), zero tolerated.
    fn nz_number(&mut self) -> R<u32> {
        self.number()
    }

    /// `body-fld-octets` / `body-fld-lines` (`number`), read tolerantly:
    /// a negative number reads as 0 (vector X11), a decimal or exponent
    /// form is rounded (Mail.ru sends `9.3736e+06`), a huge one saturates.
    fn size_number(&mut self) -> R<u32> {
        let start = self.pos;
        let negative = self.eat(b'-');
        let digits = self.digits()?;
        if !negative && !matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            let n = digits.iter().fold(0u64, |v, &d| {
                v.saturating_mul(10).saturating_add(u64::from(d - b'0'))
            });
            return Ok(u32::try_from(n).unwrap_or(u32::MAX));
        }
        if self.eat(b'.') {
            self.take_while(|b| b.is_ascii_digit());
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            self.digits()?;
        }
        if negative {
            return Ok(0);
        }
        let text = std::str::from_utf8(&self.s[start..self.pos]).unwrap_or("0");
        if let Ok(n) = text.parse::<u64>() {
            return Ok(u32::try_from(n).unwrap_or(u32::MAX));
        }
        let f: f64 = text.parse().unwrap_or(0.0);
        // Saturating float-to-int conversion, by Rust's `as` semantics.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let n = f.round() as u32;
        Ok(n)
    }

    /// `quoted = DQUOTE *QUOTED-CHAR DQUOTE` (RFC 9051 §9), read
    /// tolerantly: any byte but CR, LF and NUL; `\` escapes any byte (a `\`
    /// before another byte than `"` or `\` is kept); a `"` ends the string
    /// only before SP, `)`, `]` or the end of the line (qiye.163.com sends
    /// unescaped quotes inside strings). Borrowed unless it had escapes.
    fn quoted(&mut self) -> R<Cow<'a, [u8]>> {
        let open = self.pos;
        self.expect(b'"', "'\"'")?;
        let s = self.s;
        let start = self.pos;
        // The common case: no escape, and the first `"` ends the string.
        let rest = s.get(start..).unwrap_or_default();
        if let Some(i) = quoted_stop(rest)
            && rest[i] == b'"'
            && matches!(
                rest.get(i + 1),
                None | Some(b' ' | b')' | b']' | b'\r' | b'\n')
            )
        {
            self.pos = start + i + 1;
            return Ok(Cow::Borrowed(&rest[..i]));
        }
        self.quoted_slow(open)
    }

    /// [`quoted`](Self::quoted) for a string with escapes, inner quotes or
    /// bad bytes; `self.pos` is just after the opening quote at `open`.
    #[cold]
    #[inline(never)]
    fn quoted_slow(&mut self, open: usize) -> R<Cow<'a, [u8]>> {
        let s = self.s;
        let start = self.pos;
        let mut owned: Option<Vec<u8>> = None;
        let mut run = start;
        loop {
            // One pass over the bytes with a table: the common short,
            // unescaped string costs a few instructions per byte.
            let Some(i) = quoted_stop(s.get(self.pos..).unwrap_or_default()) else {
                return self.fail_at(open, DecodeErrorKind::Expected { what: "'\"'" });
            };
            let at = self.pos + i;
            match s[at] {
                b'\r' | 0 => {
                    // A string that never ends is reported at its quote,
                    // whatever bytes it holds.
                    if memchr::memchr3(b'"', b'\\', b'\n', &s[at..]).is_none() {
                        return self.fail_at(open, DecodeErrorKind::Expected { what: "'\"'" });
                    }
                    let kind = if s[at] == 0 {
                        DecodeErrorKind::Nul
                    } else {
                        DecodeErrorKind::Expected { what: "'\"'" }
                    };
                    return self.fail_at(at, kind);
                }
                b'\n' => return self.fail_at(at, DecodeErrorKind::Expected { what: "'\"'" }),
                b'\\' => {
                    let Some(&next) = s.get(at + 1) else {
                        return self.fail_at(at, DecodeErrorKind::Expected { what: "'\"'" });
                    };
                    if matches!(next, b'\r' | b'\n' | 0) {
                        return self.fail_at(at + 1, DecodeErrorKind::InvalidEscape);
                    }
                    let v = owned.get_or_insert_with(Vec::new);
                    v.extend_from_slice(&s[run..at]);
                    if !matches!(next, b'"' | b'\\') {
                        v.push(b'\\');
                    }
                    v.push(next);
                    self.pos = at + 2;
                    run = self.pos;
                }
                _ => {
                    self.pos = at + 1;
                    if matches!(self.peek(), None | Some(b' ' | b')' | b']' | b'\r' | b'\n')) {
                        return Ok(match owned {
                            Some(mut v) => {
                                v.extend_from_slice(&s[run..at]);
                                Cow::Owned(v)
                            }
                            None => Cow::Borrowed(&s[start..at]),
                        });
                    }
                }
            }
        }
    }

    /// `string = quoted / literal` (RFC 9051 §9), and tolerantly
    /// `1*ASTRING-CHAR` (ProtonMail sends atoms in `ID`).
    fn string(&mut self) -> R<Cow<'a, [u8]>> {
        match self.peek() {
            Some(b'"') => self.quoted(),
            Some(b'{') => self.literal().map(Cow::Borrowed),
            Some(b'~') if self.peek_at(1) == Some(b'{') => self.literal().map(Cow::Borrowed),
            _ => self
                .take_while1(is_astring_char, "string")
                .map(Cow::Borrowed),
        }
    }

    /// `astring = 1*ASTRING-CHAR / string` (RFC 9051 §9).
    fn astring(&mut self) -> R<Cow<'a, [u8]>> {
        self.string()
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

    /// `"(" [item *(SP item)] ")"`, read tolerantly: SP runs, SP after `(`
    /// and before `)`, and no SP between items that end in `)`.
    fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> R<T>) -> R<Vec<T>> {
        self.expect(b'(', "'('")?;
        let mut out = Vec::new();
        loop {
            self.skip_sp();
            if self.eat(b')') {
                return Ok(out);
            }
            if self.at_end() {
                return self.fail("')'");
            }
            self.check_items(out.len())?;
            out.push(item(self)?);
        }
    }

    /// `NIL` or a [`list`](Self::list); `NIL` is empty.
    fn nil_or_list<T>(&mut self, item: impl FnMut(&mut Self) -> R<T>) -> R<Vec<T>> {
        if self.eat_nil() {
            return Ok(Vec::new());
        }
        self.list(item)
    }

    /// Skips one value of any shape (a list, a string, a literal or an
    /// atom-like run) and returns its bytes, with a depth budget instead of
    /// recursion.
    fn skip_value(&mut self) -> R<&'a [u8]> {
        let start = self.pos;
        let mut depth = 0usize;
        loop {
            match self.peek() {
                Some(b'(') => {
                    self.check_depth(depth)?;
                    depth += 1;
                    self.pos += 1;
                    self.skip_sp();
                    continue;
                }
                Some(b')') if depth > 0 => {
                    self.pos += 1;
                    depth -= 1;
                }
                Some(b'"') => {
                    self.quoted()?;
                }
                Some(b'{') => {
                    self.literal()?;
                }
                Some(b'~') if self.peek_at(1) == Some(b'{') => {
                    self.literal()?;
                }
                _ => {
                    self.take_while1(
                        |b| !matches!(b, b' ' | b'(' | b')' | b'"' | b'\r' | b'\n' | 0),
                        "value",
                    )?;
                }
            }
            if depth == 0 {
                return Ok(&self.s[start..self.pos]);
            }
            self.skip_sp();
        }
    }

    /// The name of an item: an atom, then maybe `[…]` (printable ASCII)
    /// and more atom characters (`BODY[HEADER.FIELDS (A)]<0>`).
    fn item_name(&mut self) -> R<&'a [u8]> {
        let start = self.pos;
        self.name("item name")?;
        if self.eat(b'[') {
            self.take_while(|b| matches!(b, 0x20..=0x7e) && b != b']');
            self.expect(b']', "']'")?;
            self.take_while(is_name_char);
        }
        Ok(&self.s[start..self.pos])
    }

    /// An item the crate does not model: its name and one value.
    fn other_item(&mut self) -> R<OtherItem<'a>> {
        let name = self.item_name()?;
        if matches!(self.peek(), None | Some(b')')) {
            return Ok(OtherItem::from_wire(name, b""));
        }
        self.sp()?;
        let raw = self.skip_value()?;
        Ok(OtherItem::from_wire(name, raw))
    }

    // ---------------------------------------------------------------
    // Responses.

    fn response(&mut self) -> R<Response<'a>> {
        match self.peek() {
            Some(b'+') => {
                self.pos += 1;
                self.skip_sp();
                let (code, text) = self.resp_text()?;
                Ok(Response::Continuation(Continuation::from_wire(code, text)))
            }
            Some(b'*') => {
                self.pos += 1;
                self.sp()?;
                self.untagged()
            }
            _ => {
                let tag = self.take_while1(is_tag_char, "tag, '*' or '+'")?;
                let tag = Tag::from_wire(tag);
                self.sp()?;
                let at = self.pos;
                let word = self.take_while(|b| b.is_ascii_alphabetic());
                let Some(kind) = StatusKind::from_word(word) else {
                    return self.fail_at(
                        at,
                        DecodeErrorKind::Expected {
                            what: "OK, NO or BAD",
                        },
                    );
                };
                self.status(Some(tag), kind).map(Response::Status)
            }
        }
    }

    /// `resp-cond-*` after the status word: `SP resp-text`, the SP missing
    /// when the text is.
    fn status(&mut self, tag: Option<Tag<'a>>, kind: StatusKind) -> R<Status<'a>> {
        if !self.at_end() {
            self.sp()?;
        }
        let (code, text) = self.resp_text()?;
        Ok(Status::from_wire(tag, kind, code, text))
    }

    /// `resp-text = ["[" resp-text-code "]" SP] [text]` (RFC 9051 §9), read
    /// tolerantly: the SP after `]` may be missing or repeated, and a `[`
    /// that does not open a well-formed code starts the text.
    fn resp_text(&mut self) -> R<(Option<Code<'a>>, Text<'a>)> {
        if let Some(bad) = memchr::memchr2(b'\r', 0, &self.s[self.pos..]) {
            let kind = if self.s[self.pos + bad] == 0 {
                DecodeErrorKind::Nul
            } else {
                DecodeErrorKind::BareCr
            };
            return self.fail_at(self.pos + bad, kind);
        }
        let start = self.pos;
        let code = self.code();
        if code.is_none() {
            self.pos = start;
        }
        self.skip_sp();
        let text = Text::from_wire(&self.s[self.pos..]);
        self.pos = self.s.len();
        Ok((code, text))
    }

    /// `"[" resp-text-code "]"`, or `None` when there is none.
    fn code(&mut self) -> Option<Code<'a>> {
        if !self.eat(b'[') {
            return None;
        }
        let name = self.take_while(is_atom_char);
        if name.is_empty() {
            return None;
        }
        let after_name = self.pos;
        let has_args = !self.at_code_end();
        if let Ok(code) = self.code_args(name, has_args)
            && self.eat(b']')
        {
            return Some(code);
        }
        self.pos = after_name;
        let close = memchr::memchr(b']', &self.s[self.pos..])?;
        let args = &self.s[self.pos..self.pos + close];
        self.pos += close + 1;
        let args = args.strip_prefix(b" ").unwrap_or(args);
        let text = (!args.is_empty()).then(|| CodeText::from_wire(args));
        Some(Code::Other(OtherCode::from_wire(
            Atom::from_wire(name),
            text,
        )))
    }

    fn at_code_end(&self) -> bool {
        matches!(self.peek(), None | Some(b']'))
    }

    /// The arguments of the code `name`, up to `]` or the end (RFC 9051 §9
    /// `resp-text-code`, RFC 4315, RFC 7162, RFC 5530).
    fn code_args(&mut self, name: &[u8], has_args: bool) -> R<Code<'a>> {
        let is = |n: &str| n.as_bytes().eq_ignore_ascii_case(name);
        self.skip_sp();
        if let Some(code) = Code::simple(name) {
            return if self.at_code_end() {
                Ok(code)
            } else {
                self.fail("']'")
            };
        }
        if !has_args && !is("CAPABILITY") && !is("BADCHARSET") {
            return self.fail("code arguments");
        }
        let code = if is("CAPABILITY") {
            let mut caps = Vec::new();
            while !self.at_code_end() {
                self.check_items(caps.len())?;
                caps.push(Capability::new(self.atom("capability")?));
                self.skip_sp();
            }
            Code::Capability(caps)
        } else if is("BADCHARSET") {
            if self.at_code_end() {
                Code::BadCharset(Vec::new())
            } else {
                Code::BadCharset(self.list(|p| {
                    let at = p.pos;
                    let name = match p.peek() {
                        Some(b'"') => p.quoted()?,
                        _ => Cow::Borrowed(p.take_while1(is_atom_char, "charset")?),
                    };
                    match name {
                        Cow::Borrowed(b) => Charset::from_checked(b),
                        Cow::Owned(_) => None,
                    }
                    .map_or_else(
                        || p.fail_at(at, DecodeErrorKind::Expected { what: "charset" }),
                        Ok,
                    )
                })?)
            }
        } else if is("PERMANENTFLAGS") {
            Code::PermanentFlags(self.flag_list()?)
        } else if is("UIDNEXT") {
            Code::UidNext(self.nz_number()?)
        } else if is("UIDVALIDITY") {
            Code::UidValidity(self.nz_number()?)
        } else if is("UNSEEN") {
            Code::Unseen(self.nz_number()?)
        } else if is("APPENDUID") {
            let uid_validity = self.nz_number()?;
            self.sp()?;
            Code::AppendUid {
                uid_validity,
                uids: self.sequence_set()?,
            }
        } else if is("COPYUID") {
            let uid_validity = self.nz_number()?;
            self.sp()?;
            let source = self.sequence_set()?;
            self.sp()?;
            Code::CopyUid {
                uid_validity,
                source,
                destination: self.sequence_set()?,
            }
        } else if is("HIGHESTMODSEQ") {
            Code::HighestModSeq(self.number64()?)
        } else if is("MODIFIED") {
            Code::Modified(self.sequence_set()?)
        } else {
            return self.fail("known response code");
        };
        self.skip_sp();
        if self.at_code_end() {
            Ok(code)
        } else {
            self.fail("']'")
        }
    }

    /// `flag-list = "(" [flag *(SP flag)] ")"` (RFC 9051 §9), also for
    /// `flag-perm` lists.
    fn flag_list(&mut self) -> R<Vec<Flag<'a>>> {
        self.list(Self::flag)
    }

    /// `flag` (RFC 9051 §9), read tolerantly (`]` in keywords, `\*`).
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

    /// Untagged responses after `* ` (RFC 9051 §7.1–§7.5).
    fn untagged(&mut self) -> R<Response<'a>> {
        if self.peek().is_some_and(|b| b.is_ascii_digit()) {
            let n = self.number()?;
            self.sp()?;
            let at = self.pos;
            let word = self.name("EXISTS, RECENT, EXPUNGE or FETCH")?;
            let is = |w: &[u8]| word.eq_ignore_ascii_case(w);
            let data = if is(b"FETCH") {
                self.sp()?;
                let items = self.fetch_items()?;
                Data::Fetch { seq: n, items }
            } else if is(b"EXISTS") {
                Data::Exists(n)
            } else if is(b"RECENT") {
                Data::Recent(n)
            } else if is(b"EXPUNGE") {
                Data::Expunge(n)
            } else {
                return self.fail_at(
                    at,
                    DecodeErrorKind::Expected {
                        what: "EXISTS, RECENT, EXPUNGE or FETCH",
                    },
                );
            };
            self.finish()?;
            return Ok(Response::Data(data));
        }
        let name_at = self.pos;
        let name = self.name("response name")?;
        if let Some(kind) = StatusKind::from_word(name) {
            return self.status(None, kind).map(Response::Status);
        }
        let after_name = self.pos;
        if !matches!(self.peek(), None | Some(b' ')) {
            return self.fail("SP");
        }
        match self.data(name) {
            Ok(Some(data)) => Ok(Response::Data(data)),
            Err(e)
                if matches!(
                    e.kind,
                    DecodeErrorKind::TooDeep { .. } | DecodeErrorKind::TooManyItems { .. }
                ) =>
            {
                Err(e)
            }
            _ => {
                // Unknown, or not as its grammar says: kept as sent.
                self.pos = after_name;
                self.skip_sp();
                let name = Atom::from_wire(&self.s[name_at..after_name]);
                Ok(Response::Data(Data::Other(OtherData::from_wire(
                    name,
                    &self.s[self.pos..],
                ))))
            }
        }
    }

    /// Untagged data named `name`; `None` when the crate does not model it.
    fn data(&mut self, name: &[u8]) -> R<Option<Data<'a>>> {
        let is = |w: &str| name.eq_ignore_ascii_case(w.as_bytes());
        let data = if is("CAPABILITY") || is("ENABLED") {
            let mut caps = Vec::new();
            while self.more() {
                self.check_items(caps.len())?;
                caps.push(Capability::new(self.atom("capability")?));
            }
            if is("CAPABILITY") {
                Data::Capability(caps)
            } else {
                Data::Enabled(caps)
            }
        } else if is("FLAGS") {
            self.sp()?;
            Data::Flags(self.flag_list()?)
        } else if is("LIST") || is("LSUB") {
            self.sp()?;
            let list = self.list_data()?;
            if is("LIST") {
                Data::List(list)
            } else {
                Data::Lsub(list)
            }
        } else if is("STATUS") {
            self.sp()?;
            let mailbox = self.mailbox()?;
            self.sp()?;
            let items = self.list(Self::status_item)?;
            Data::Status { mailbox, items }
        } else if is("SEARCH") || is("SORT") {
            let (numbers, modseq) = self.search()?;
            if is("SEARCH") {
                Data::Search { numbers, modseq }
            } else {
                Data::Sort { numbers, modseq }
            }
        } else if is("ESEARCH") {
            Data::ESearch(self.esearch()?)
        } else if is("THREAD") {
            let mut threads = Vec::new();
            while self.more() {
                self.check_items(threads.len())?;
                threads.push(self.thread()?);
            }
            Data::Thread(threads)
        } else if is("VANISHED") {
            self.sp()?;
            let earlier = self.peek() == Some(b'(');
            if earlier {
                self.pos += 1;
                if !self.keyword(b"EARLIER") {
                    return self.fail("EARLIER");
                }
                self.expect(b')', "')'")?;
                self.sp()?;
            }
            Data::Vanished {
                earlier,
                uids: self.sequence_set()?,
            }
        } else if is("NAMESPACE") {
            self.sp()?;
            let personal = self.nil_or_list(Self::namespace)?;
            self.sp()?;
            let other = self.nil_or_list(Self::namespace)?;
            self.sp()?;
            let shared = self.nil_or_list(Self::namespace)?;
            Data::Namespace {
                personal,
                other,
                shared,
            }
        } else if is("ID") {
            self.sp()?;
            if self.eat_nil() {
                Data::Id(None)
            } else {
                Data::Id(Some(self.list(|p| {
                    let key = p.string()?;
                    p.sp()?;
                    Ok((key, p.nstring()?))
                })?))
            }
        } else if is("QUOTA") {
            self.sp()?;
            let root = self.astring()?;
            self.sp()?;
            let resources = self.list(|p| {
                let name = p.atom("resource name")?;
                p.sp()?;
                let usage = p.number64()?;
                p.sp()?;
                let limit = p.number64()?;
                Ok(QuotaResource { name, usage, limit })
            })?;
            Data::Quota { root, resources }
        } else if is("QUOTAROOT") {
            self.sp()?;
            let mailbox = self.mailbox()?;
            let mut roots = Vec::new();
            while self.more() {
                self.check_items(roots.len())?;
                roots.push(self.astring()?);
            }
            Data::QuotaRoot { mailbox, roots }
        } else if is("ACL") {
            self.sp()?;
            let mailbox = self.mailbox()?;
            let mut entries = Vec::new();
            while self.more() {
                self.check_items(entries.len())?;
                let id = self.astring()?;
                self.sp()?;
                entries.push((id, self.astring()?));
            }
            Data::Acl { mailbox, entries }
        } else if is("LISTRIGHTS") {
            self.sp()?;
            let mailbox = self.mailbox()?;
            self.sp()?;
            let identifier = self.astring()?;
            self.sp()?;
            let required = self.astring()?;
            let mut optional = Vec::new();
            while self.more() {
                self.check_items(optional.len())?;
                optional.push(self.astring()?);
            }
            Data::ListRights {
                mailbox,
                identifier,
                required,
                optional,
            }
        } else if is("MYRIGHTS") {
            self.sp()?;
            let mailbox = self.mailbox()?;
            self.sp()?;
            let rights = self.astring()?;
            Data::MyRights { mailbox, rights }
        } else if is("METADATA") {
            self.sp()?;
            let mailbox = self.mailbox()?;
            self.sp()?;
            let entries = if self.peek() == Some(b'(') {
                MetadataEntries::Values(self.list(|p| {
                    let entry = p.astring()?;
                    p.sp()?;
                    Ok((entry, p.nstring()?))
                })?)
            } else {
                let mut names = Vec::new();
                while self.more() {
                    self.check_items(names.len())?;
                    names.push(self.astring()?);
                }
                MetadataEntries::Names(names)
            };
            Data::Metadata { mailbox, entries }
        } else {
            return Ok(None);
        };
        self.finish()?;
        Ok(Some(data))
    }

    /// `mailbox-list` (RFC 9051 §9, RFC 5258 §9).
    fn list_data(&mut self) -> R<ListData<'a>> {
        let attributes = self.list(|p| {
            let start = p.pos;
            p.eat(b'\\');
            p.take_while1(is_astring_char, "attribute")?;
            ListAttribute::from_name(&p.s[start..p.pos]).map_or_else(
                || p.fail_at(start, DecodeErrorKind::Expected { what: "attribute" }),
                Ok,
            )
        })?;
        self.sp()?;
        let delimiter = self.delimiter()?;
        self.sp()?;
        let mailbox = self.mailbox()?;
        let mut extended = Vec::new();
        if self.more() {
            extended = self.list(|p| {
                let start = p.pos;
                let tag = p.astring()?;
                p.sp()?;
                let value_at = p.pos;
                if tag.eq_ignore_ascii_case(b"CHILDINFO") {
                    if let Ok(list) = p.list(Self::astring) {
                        return Ok(ListExtended::ChildInfo(list));
                    }
                } else if tag.eq_ignore_ascii_case(b"OLDNAME")
                    && let Ok(mut list) = p.list(Self::mailbox)
                    && list.len() == 1
                    && let Some(m) = list.pop()
                {
                    return Ok(ListExtended::OldName(m));
                }
                // Another tag: an atom, or a quoted string holding one.
                let Cow::Borrowed(name) = tag else {
                    return p.fail_at(
                        start,
                        DecodeErrorKind::Expected {
                            what: "extended item tag",
                        },
                    );
                };
                if !is_item_name(name) {
                    return p.fail_at(
                        start,
                        DecodeErrorKind::Expected {
                            what: "extended item tag",
                        },
                    );
                }
                p.pos = value_at;
                let raw = p.skip_value()?;
                Ok(ListExtended::Other(OtherItem::from_wire(name, raw)))
            })?;
        }
        Ok(ListData {
            attributes,
            delimiter,
            mailbox,
            extended,
        })
    }

    /// `DQUOTE QUOTED-CHAR DQUOTE / nil`: a hierarchy delimiter.
    fn delimiter(&mut self) -> R<Option<char>> {
        let at = self.pos;
        let Some(d) = self.nstring()? else {
            return Ok(None);
        };
        let mut chars = std::str::from_utf8(&d).ok().map(str::chars);
        match chars.as_mut().map(|c| (c.next(), c.next())) {
            Some((Some(c), None)) => Ok(Some(c)),
            _ => self.fail_at(
                at,
                DecodeErrorKind::Expected {
                    what: "one-character delimiter",
                },
            ),
        }
    }

    /// `status-att-val` (RFC 9051 §9, RFC 7162, RFC 7889, RFC 8474).
    fn status_item(&mut self) -> R<StatusItem<'a>> {
        let start = self.pos;
        let name = self.name("status attribute")?;
        self.sp()?;
        let is = |w: &str| name.eq_ignore_ascii_case(w.as_bytes());
        let item = if is("MESSAGES") {
            self.number().map(StatusItem::Messages)
        } else if is("UIDNEXT") {
            self.number().map(StatusItem::UidNext)
        } else if is("UIDVALIDITY") {
            self.number().map(StatusItem::UidValidity)
        } else if is("UNSEEN") {
            self.number().map(StatusItem::Unseen)
        } else if is("DELETED") {
            self.number().map(StatusItem::Deleted)
        } else if is("RECENT") {
            self.number().map(StatusItem::Recent)
        } else if is("SIZE") {
            self.number64().map(StatusItem::Size)
        } else if is("HIGHESTMODSEQ") {
            self.number64().map(StatusItem::HighestModSeq)
        } else if is("APPENDLIMIT") {
            if self.eat_nil() {
                Ok(StatusItem::AppendLimit(None))
            } else {
                self.number64().map(|n| StatusItem::AppendLimit(Some(n)))
            }
        } else if is("MAILBOXID") {
            self.paren_object_id().map(StatusItem::MailboxId)
        } else {
            self.fail("status attribute")
        };
        match item {
            Ok(item) => Ok(item),
            _ => {
                self.pos = start;
                self.other_item().map(StatusItem::Other)
            }
        }
    }

    /// `"(" objectid ")"` (RFC 8474).
    fn paren_object_id(&mut self) -> R<ObjectId<'a>> {
        self.expect(b'(', "'('")?;
        self.skip_sp();
        let id = self.take_while1(is_atom_char, "object id")?;
        self.close()?;
        Ok(ObjectId::from_wire(id))
    }

    /// `"SEARCH" *(SP nz-number) [SP "(" "MODSEQ" SP mod-sequence-value
    /// ")"]` (RFC 9051 §9, RFC 7162 §7), and the same after `SORT`.
    fn search(&mut self) -> R<(Vec<u32>, Option<u64>)> {
        let mut numbers = Vec::new();
        let mut modseq = None;
        while self.more() {
            if self.eat(b'(') {
                self.skip_sp();
                if !self.keyword(b"MODSEQ") {
                    return self.fail("MODSEQ");
                }
                self.sp()?;
                modseq = Some(self.number64()?);
                self.close()?;
                break;
            }
            self.check_items(numbers.len())?;
            numbers.push(self.nz_number()?);
        }
        Ok((numbers, modseq))
    }

    /// `esearch-response` (RFC 4731 §3.1, RFC 9051 §9).
    fn esearch(&mut self) -> R<ESearch<'a>> {
        let mut out = ESearch {
            tag: None,
            uid: false,
            items: Vec::new(),
        };
        self.skip_sp();
        if self.eat(b'(') {
            self.skip_sp();
            if !self.keyword(b"TAG") {
                return self.fail("TAG");
            }
            self.sp()?;
            out.tag = Some(self.string()?);
            self.close()?;
        }
        while self.more() {
            let start = self.pos;
            let name = self.name("search return data")?;
            if name.eq_ignore_ascii_case(b"UID") && out.items.is_empty() && !out.uid {
                out.uid = true;
                continue;
            }
            self.check_items(out.items.len())?;
            self.sp()?;
            let is = |w: &str| name.eq_ignore_ascii_case(w.as_bytes());
            let item = if is("MIN") {
                self.nz_number().map(ESearchItem::Min)
            } else if is("MAX") {
                self.nz_number().map(ESearchItem::Max)
            } else if is("COUNT") {
                self.number().map(ESearchItem::Count)
            } else if is("ALL") {
                self.sequence_set().map(ESearchItem::All)
            } else if is("MODSEQ") {
                self.number64().map(ESearchItem::ModSeq)
            } else if is("PARTIAL") {
                self.partial_data()
            } else {
                self.fail("search return data")
            };
            let item = match item {
                Ok(item) => item,
                _ => {
                    self.pos = start;
                    ESearchItem::Other(self.other_item()?)
                }
            };
            out.items.push(item);
        }
        Ok(out)
    }

    /// After `PARTIAL SP`: `"(" partial-range SP partial-results ")"`,
    /// `partial-results = sequence-set / "NIL"` (RFC 9394 §4).
    fn partial_data(&mut self) -> R<ESearchItem<'a>> {
        self.expect(b'(', "'('")?;
        self.skip_sp();
        let range = self.partial_range()?;
        self.sp()?;
        let results = if self.eat_nil() {
            None
        } else {
            Some(self.sequence_set()?)
        };
        self.close()?;
        Ok(ESearchItem::Partial { range, results })
    }

    /// `thread-list` (RFC 5256 §4), with an explicit stack.
    fn thread(&mut self) -> R<Thread> {
        self.expect(b'(', "'('")?;
        let mut stack = vec![Thread::default()];
        loop {
            self.skip_sp();
            match self.peek() {
                Some(b'(') => {
                    self.check_depth(stack.len())?;
                    self.pos += 1;
                    stack.push(Thread::default());
                }
                Some(b')') => {
                    self.pos += 1;
                    let done = stack.pop().unwrap_or_default();
                    match stack.last_mut() {
                        None => return Ok(done),
                        Some(parent) => {
                            self.check_items(parent.children.len())?;
                            parent.children.push(done);
                        }
                    }
                }
                Some(b'0'..=b'9') => {
                    let at = self.pos;
                    let n = self.nz_number()?;
                    let Some(top) = stack.last_mut() else {
                        return self.fail("'('");
                    };
                    if !top.children.is_empty() {
                        return self.fail_at(at, DecodeErrorKind::Expected { what: "'(' or ')'" });
                    }
                    if top.members.len() >= self.limits.list_items.max(1) {
                        return self.fail_at(
                            at,
                            DecodeErrorKind::TooManyItems {
                                limit: self.limits.list_items,
                            },
                        );
                    }
                    top.members.push(n);
                }
                _ => return self.fail("thread member"),
            }
        }
    }

    /// `namespace-descr = "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil)
    /// [namespace-response-extensions] ")"` (RFC 9051 §9).
    fn namespace(&mut self) -> R<Namespace<'a>> {
        self.expect(b'(', "'('")?;
        self.skip_sp();
        let prefix = self.string()?;
        self.sp()?;
        let delimiter = self.delimiter()?;
        let mut extensions = Vec::new();
        while self.more() {
            self.check_items(extensions.len())?;
            let name = self.string()?;
            self.sp()?;
            extensions.push((name, self.list(Self::string)?));
        }
        self.close()?;
        Ok(Namespace {
            prefix,
            delimiter,
            extensions,
        })
    }

    // ---------------------------------------------------------------
    // FETCH.

    /// `msg-att = "(" (msg-att-dynamic / msg-att-static) *(SP
    /// (msg-att-dynamic / msg-att-static)) ")"` (RFC 9051 §9), read
    /// tolerantly: SP runs, SP before `)`.
    fn fetch_items(&mut self) -> R<Vec<FetchItem<'a>>> {
        self.expect(b'(', "'('")?;
        // Room for a typical `UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE
        // BODYSTRUCTURE` answer without growing.
        let mut items = Vec::with_capacity(8);
        loop {
            self.skip_sp();
            if self.eat(b')') {
                return Ok(items);
            }
            if self.at_end() {
                return self.fail("')'");
            }
            self.check_items(items.len())?;
            let start = self.pos;
            match self.fetch_item() {
                // A missing SP before the next item is tolerated.
                Ok(item) => items.push(item),
                Err(e)
                    if matches!(
                        e.kind,
                        DecodeErrorKind::TooDeep { .. } | DecodeErrorKind::TooManyItems { .. }
                    ) =>
                {
                    return Err(e);
                }
                _ => {
                    self.pos = start;
                    items.push(FetchItem::Other(self.other_item()?));
                }
            }
        }
    }

    /// One `msg-att-dynamic / msg-att-static` (RFC 9051 §9, RFC 3501 §9,
    /// RFC 3516, RFC 7162, RFC 8474, RFC 8970, Gmail's X-GM-*).
    fn fetch_item(&mut self) -> R<FetchItem<'a>> {
        let name = self.name("fetch item")?;
        let is = |w: &str| name.eq_ignore_ascii_case(w.as_bytes());
        if is("BODY") && self.peek() == Some(b'[') {
            let section = self.section()?;
            let origin = self.origin()?;
            self.sp()?;
            let data = self.nstring()?;
            return Ok(FetchItem::BodySection {
                section,
                origin,
                data,
            });
        }
        if is("BINARY") || is("BINARY.SIZE") {
            let section = self.section_binary()?;
            if is("BINARY.SIZE") {
                self.sp()?;
                let size = self.number()?;
                return Ok(FetchItem::BinarySize { section, size });
            }
            let origin = self.origin()?;
            self.sp()?;
            let data = self.nstring()?;
            return Ok(FetchItem::Binary {
                section,
                origin,
                data,
            });
        }
        if self.peek() == Some(b'[') {
            return self.fail("fetch item");
        }
        self.sp()?;
        Ok(if is("FLAGS") {
            FetchItem::Flags(self.flag_list()?)
        } else if is("UID") {
            FetchItem::Uid(self.nz_number()?)
        } else if is("INTERNALDATE") {
            FetchItem::InternalDate(self.string()?)
        } else if is("RFC822.SIZE") {
            FetchItem::Rfc822Size(self.number64()?)
        } else if is("ENVELOPE") {
            FetchItem::Envelope(Box::new(self.envelope()?))
        } else if is("BODY") {
            FetchItem::Body(Box::new(self.body()?))
        } else if is("BODYSTRUCTURE") {
            FetchItem::BodyStructure(Box::new(self.body()?))
        } else if is("RFC822") {
            FetchItem::Rfc822(self.nstring()?)
        } else if is("RFC822.HEADER") {
            FetchItem::Rfc822Header(self.nstring()?)
        } else if is("RFC822.TEXT") {
            FetchItem::Rfc822Text(self.nstring()?)
        } else if is("MODSEQ") {
            self.expect(b'(', "'('")?;
            self.skip_sp();
            let n = self.number64()?;
            self.close()?;
            FetchItem::ModSeq(n)
        } else if is("EMAILID") {
            FetchItem::EmailId(self.paren_object_id()?)
        } else if is("THREADID") {
            if self.eat_nil() {
                FetchItem::ThreadId(None)
            } else {
                FetchItem::ThreadId(Some(self.paren_object_id()?))
            }
        } else if is("PREVIEW") {
            FetchItem::Preview(self.nstring()?)
        } else if is("X-GM-MSGID") {
            FetchItem::GmMsgId(self.number64()?)
        } else if is("X-GM-THRID") {
            FetchItem::GmThrId(self.number64()?)
        } else if is("X-GM-LABELS") {
            FetchItem::GmLabels(self.list(|p| {
                if p.peek() == Some(b'\\') {
                    let start = p.pos;
                    p.pos += 1;
                    p.take_while1(is_astring_char, "label")?;
                    Ok(Cow::Borrowed(&p.s[start..p.pos]))
                } else {
                    p.astring()
                }
            })?)
        } else {
            return self.fail("fetch item");
        })
    }

    /// `section = "[" [section-spec] "]"` (RFC 9051 §9):
    ///
    /// ```text
    /// section-spec    = section-msgtext / (section-part ["." section-text])
    /// section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"
    /// section-part    = nz-number *("." nz-number)
    /// section-text    = section-msgtext / "MIME"
    /// ```
    fn section(&mut self) -> R<Section<'a>> {
        self.expect(b'[', "'['")?;
        let mut section = Section::default();
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.check_items(section.part.len())?;
            section.part.push(self.nz_number()?);
            if !(self.peek() == Some(b'.') && self.peek_at(1).is_some_and(|b| b.is_ascii_digit())) {
                break;
            }
            self.pos += 1;
        }
        if !section.part.is_empty() && self.peek() != Some(b']') {
            self.expect(b'.', "'.' or ']'")?;
        }
        if self.peek() != Some(b']') {
            let word = self.take_while1(|b| is_atom_char(b) && b != b']', "section text")?;
            let is = |w: &str| word.eq_ignore_ascii_case(w.as_bytes());
            section.text = Some(if is("HEADER") {
                SectionText::Header
            } else if is("TEXT") {
                SectionText::Text
            } else if is("MIME") {
                SectionText::Mime
            } else if is("HEADER.FIELDS") || is("HEADER.FIELDS.NOT") {
                self.sp()?;
                let fields = self.list(Self::astring)?;
                SectionText::HeaderFields {
                    not: is("HEADER.FIELDS.NOT"),
                    fields,
                }
            } else {
                return self.fail("HEADER, HEADER.FIELDS, TEXT or MIME");
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

    /// `["<" number ">"]` after a section (RFC 9051 §9).
    fn origin(&mut self) -> R<Option<u32>> {
        if !self.eat(b'<') {
            return Ok(None);
        }
        let n = self.number()?;
        self.expect(b'>', "'>'")?;
        Ok(Some(n))
    }

    /// `envelope` (RFC 9051 §9).
    fn envelope(&mut self) -> R<Envelope<'a>> {
        self.expect(b'(', "'('")?;
        self.skip_sp();
        let date = self.nstring()?;
        self.sp()?;
        let subject = self.nstring()?;
        let mut lists: [Vec<Address<'a>>; 6] = Default::default();
        for list in &mut lists {
            self.sp()?;
            *list = self.nil_or_list(Self::address)?;
        }
        self.sp()?;
        let in_reply_to = self.nstring()?;
        self.sp()?;
        let message_id = self.nstring()?;
        self.close()?;
        let [from, sender, reply_to, to, cc, bcc] = lists;
        Ok(Envelope {
            date,
            subject,
            from,
            sender,
            reply_to,
            to,
            cc,
            bcc,
            in_reply_to,
            message_id,
        })
    }

    /// `address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host
    /// ")"` (RFC 9051 §9).
    fn address(&mut self) -> R<Address<'a>> {
        self.expect(b'(', "'('")?;
        self.skip_sp();
        let name = self.nstring()?;
        self.sp()?;
        let adl = self.nstring()?;
        self.sp()?;
        let mailbox = self.nstring()?;
        self.sp()?;
        let host = self.nstring()?;
        self.close()?;
        Ok(Address {
            name,
            adl,
            mailbox,
            host,
        })
    }

    /// `body-fld-param = "(" string SP string *(SP string SP string) ")" /
    /// nil` (RFC 9051 §9), values tolerantly `nstring`.
    fn params(&mut self) -> R<Params<'a>> {
        self.nil_or_list(|p| {
            let name = p.string()?;
            p.sp()?;
            Ok((name, p.nstring()?))
        })
    }

    /// `body-fields` (RFC 9051 §9).
    fn body_fields(&mut self) -> R<BodyFields<'a>> {
        let params = self.params()?;
        self.sp()?;
        let id = self.nstring()?;
        self.sp()?;
        let description = self.nstring()?;
        self.sp()?;
        let encoding = self.nstring()?.unwrap_or_default();
        self.sp()?;
        let octets = self.size_number()?;
        Ok(BodyFields {
            params,
            id,
            description,
            encoding,
            octets,
        })
    }

    /// `body` (RFC 9051 §9), with an explicit stack of the multiparts and
    /// `message/rfc822` parts still open:
    ///
    /// ```text
    /// body            = "(" (body-type-1part / body-type-mpart) ")"
    /// body-type-1part = (body-type-basic / body-type-msg / body-type-text)
    ///                   [SP body-ext-1part]
    /// body-type-basic = media-basic SP body-fields
    /// body-type-msg   = media-message SP body-fields SP envelope SP body SP body-fld-lines
    /// body-type-text  = media-text SP body-fields SP body-fld-lines
    /// body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
    /// ```
    fn body(&mut self) -> R<Body<'a>> {
        enum Open<'a> {
            Multi(Vec<Body<'a>>),
            Message {
                media_type: IString<'a>,
                subtype: IString<'a>,
                fields: BodyFields<'a>,
                envelope: Box<Envelope<'a>>,
            },
        }
        let mut stack: Vec<Open<'a>> = Vec::new();
        'descend: loop {
            self.expect(b'(', "'('")?;
            self.skip_sp();
            if self.peek() == Some(b'(') {
                self.check_depth(stack.len() + 1)?;
                stack.push(Open::Multi(Vec::new()));
                continue 'descend;
            }
            let media_type = self.nstring()?.unwrap_or_default();
            self.sp()?;
            let subtype = self.nstring()?.unwrap_or_default();
            self.sp()?;
            let fields = self.body_fields()?;
            self.skip_sp();
            let mut done = match self.peek() {
                Some(b'(') => {
                    let envelope = Box::new(self.envelope()?);
                    self.sp()?;
                    self.check_depth(stack.len() + 1)?;
                    stack.push(Open::Message {
                        media_type,
                        subtype,
                        fields,
                        envelope,
                    });
                    continue 'descend;
                }
                Some(b'0'..=b'9' | b'-') => {
                    let lines = self.size_number()?;
                    Body::Single(SinglePart {
                        media_type,
                        subtype,
                        fields,
                        kind: SinglePartKind::Text { lines },
                        extension: self.single_end()?,
                    })
                }
                _ => Body::Single(SinglePart {
                    media_type,
                    subtype,
                    fields,
                    kind: SinglePartKind::Basic,
                    extension: self.single_end()?,
                }),
            };
            loop {
                match stack.pop() {
                    None => return Ok(done),
                    Some(Open::Multi(mut parts)) => {
                        self.check_items(parts.len())?;
                        parts.push(done);
                        self.skip_sp();
                        if self.peek() == Some(b'(') {
                            stack.push(Open::Multi(parts));
                            continue 'descend;
                        }
                        let subtype = if self.more() {
                            self.nstring()?.unwrap_or_default()
                        } else {
                            Cow::Borrowed(&b""[..])
                        };
                        let extension = if self.more() {
                            let params = self.params()?;
                            let tail = self.extension_tail()?;
                            Some(MultipartExtension { params, tail })
                        } else {
                            None
                        };
                        self.close()?;
                        done = Body::Multi(Multipart {
                            parts,
                            subtype,
                            extension,
                        });
                    }
                    Some(Open::Message {
                        media_type,
                        subtype,
                        fields,
                        envelope,
                    }) => {
                        self.skip_sp();
                        let lines = if matches!(self.peek(), Some(b'0'..=b'9' | b'-')) {
                            self.size_number()?
                        } else {
                            0
                        };
                        let kind = SinglePartKind::Message {
                            envelope,
                            body: Box::new(done),
                            lines,
                        };
                        done = Body::Single(SinglePart {
                            media_type,
                            subtype,
                            fields,
                            kind,
                            extension: self.single_end()?,
                        });
                    }
                }
            }
        }
    }

    /// The rest of a single part: `[SP body-ext-1part] ")"`; the
    /// extension data when there is some.
    fn single_end(&mut self) -> R<Option<SinglePartExtension<'a>>> {
        let extension = if self.more() {
            let md5 = self.nstring()?;
            let tail = self.extension_tail()?;
            Some(SinglePartExtension { md5, tail })
        } else {
            None
        };
        self.close()?;
        Ok(extension)
    }

    /// `[SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP
    /// body-extension)]]]` (RFC 9051 §9).
    fn extension_tail(&mut self) -> R<ExtensionTail<'a>> {
        if !self.more() {
            return Ok(ExtensionTail::default());
        }
        let disposition = if self.eat_nil() {
            None
        } else {
            self.expect(b'(', "'(' or NIL")?;
            self.skip_sp();
            let kind = self.string()?;
            self.sp()?;
            let params = self.params()?;
            self.close()?;
            Some(Disposition { kind, params })
        };
        if !self.more() {
            return Ok(ExtensionTail {
                disposition,
                ..ExtensionTail::default()
            });
        }
        let language = if self.peek() == Some(b'(') {
            self.list(Self::string)?
        } else {
            self.nstring()?.into_iter().collect()
        };
        if !self.more() {
            return Ok(ExtensionTail {
                disposition,
                language,
                ..ExtensionTail::default()
            });
        }
        let location = self.nstring()?;
        let mut extensions = Vec::new();
        while self.more() {
            self.check_items(extensions.len())?;
            extensions.push(self.body_extension()?);
        }
        Ok(ExtensionTail {
            disposition,
            language,
            location,
            extensions,
        })
    }

    /// `body-extension = nstring / number / number64 / "(" body-extension
    /// *(SP body-extension) ")"` (RFC 9051 §9), with an explicit stack.
    fn body_extension(&mut self) -> R<BodyExtension<'a>> {
        let mut stack: Vec<Vec<BodyExtension<'a>>> = Vec::new();
        loop {
            self.skip_sp();
            let mut value = match self.peek() {
                Some(b'(') => {
                    self.check_depth(stack.len())?;
                    self.pos += 1;
                    stack.push(Vec::new());
                    continue;
                }
                Some(b')') if !stack.is_empty() => {
                    self.pos += 1;
                    BodyExtension::List(stack.pop().unwrap_or_default())
                }
                Some(b'0'..=b'9') => BodyExtension::Number(self.number64()?),
                _ => BodyExtension::String(self.nstring()?),
            };
            loop {
                let Some(list) = stack.last_mut() else {
                    return Ok(value);
                };
                if list.len() >= self.limits.list_items.max(1) {
                    return self.fail_at(
                        self.pos,
                        DecodeErrorKind::TooManyItems {
                            limit: self.limits.list_items,
                        },
                    );
                }
                list.push(value);
                self.skip_sp();
                if !self.eat(b')') {
                    break;
                }
                value = BodyExtension::List(stack.pop().unwrap_or_default());
            }
        }
    }
}

/// A parse error inside a response of `len` bytes: the whole response is
/// discarded.
pub(crate) fn to_decode_error(e: PErr, len: usize) -> DecodeError {
    DecodeError {
        offset: e.at,
        kind: e.kind,
        discard: len,
        until_line_end: false,
    }
}
