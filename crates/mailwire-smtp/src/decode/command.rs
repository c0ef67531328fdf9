//! Commands, client to server: the stateless [`command`] and the streaming
//! [`CommandDecoder`].
//!
//! Each line is read in one pass from left to right: byte classes come
//! from one lookup table ([`crate::types::class`]), a line's UTF-8 is
//! checked once for the whole line, and values borrow from the line.

use bytes::{Buf, Bytes, BytesMut};

use super::data::{BdatChunk, DataDecoder, DataEnd, Piece};
use super::{DecodeError, DecodeErrorKind, Decoded};
use crate::Limits;
use crate::frame::{self, Line};
use crate::types::{
    self, Body, ByMode, Command, DateTime, DeliverBy, Domain, ForwardPath, Hold, HoldSeconds, Host,
    InitialResponse, LocalPart, MailAuth, MailParams, Mailbox, Mechanism, Notify, NotifyOn, Orcpt,
    OtherParam, Priority, RcptParams, Ret, ReversePath, Secret, Stop, Text, Verb, XText, class,
};
use crate::xtext;

/// An error inside one line: the offset from the line's start, and what.
type Fail = (usize, DecodeErrorKind);

fn fail<T>(at: usize, kind: DecodeErrorKind) -> Result<T, Fail> {
    Err((at, kind))
}

/// Decodes one command line from the start of `input`.
///
/// The line is framed against [`Limits::command_line`] first; its content
/// is then read against the command's grammar (RFC 5321 §4.1.1 and the
/// extensions). A line may end in CRLF or, tolerantly, a bare LF. After a
/// command whose [`Command::stop`] is set, the bytes that follow are not
/// command lines: the caller decides what they are.
///
/// ```
/// use mailwire_smtp::decode::{self, DecodeErrorKind};
/// use mailwire_smtp::types::Command;
/// use mailwire_smtp::Limits;
/// let limits = Limits::default();
/// let (cmd, used) = decode::command(b"ehlo client.example\r\nMAIL", &limits)
///     .unwrap().complete().unwrap();
/// assert_eq!(used, 21);
/// assert!(matches!(cmd, Command::Ehlo { .. }));
/// let err = decode::command(b"MAIL FROM:<a b@c>\r\n", &limits).unwrap_err();
/// assert_eq!((err.offset, err.kind, err.discard), (12, DecodeErrorKind::InvalidPath, 19));
/// ```
pub fn command<'a>(input: &'a [u8], limits: &Limits) -> Result<Decoded<Command<'a>>, DecodeError> {
    match frame::line(input, 0, limits.command_line) {
        Line::Partial => Ok(Decoded::Incomplete),
        Line::TooLong => Err(DecodeError {
            until_line_end: true,
            ..DecodeError::new(
                0,
                DecodeErrorKind::LineTooLong {
                    limit: limits.command_line,
                },
                limits.command_line,
            )
        }),
        Line::Complete { end, content_end } => {
            let line = input.get(..content_end).unwrap_or_default();
            match command_line(line, limits) {
                Ok(value) => Ok(Decoded::Complete {
                    value,
                    consumed: end,
                }),
                Err((at, kind)) => Err(DecodeError::new(at, kind, end)),
            }
        }
    }
}

/// One command line without its line end (RFC 5321 §4.1.1):
///
/// ```text
/// command = verb [ SP arguments ] CRLF
/// ```
///
/// Verbs match in any case. Tolerated: SP or HT at the end of the line, and
/// more than one SP after the verb.
#[inline(always)]
fn command_line<'a>(line: &'a [u8], limits: &Limits) -> Result<Command<'a>, Fail> {
    // No command's grammar admits a control character (other than HT) or
    // DEL, and every octet of a line is read by the grammar, so a line that
    // parses holds none: the search for one runs only when the grammar
    // fails, and what it finds is reported first.
    match command_grammar(line, limits) {
        Ok(cmd) => {
            debug_assert!(forbidden(line).is_ok());
            Ok(cmd)
        }
        Err(e) => {
            forbidden(line)?;
            Err(e)
        }
    }
}

/// The first control character (other than HT) or DEL in `line`, as the
/// error that reports it.
fn forbidden(line: &[u8]) -> Result<(), Fail> {
    let Some(i) = line.iter().position(|&b| types::is_forbidden(b)) else {
        return Ok(());
    };
    let byte = line.get(i).copied().unwrap_or_default();
    let kind = if byte == b'\r' {
        DecodeErrorKind::BareCr
    } else {
        DecodeErrorKind::ControlCharacter { byte }
    };
    fail(i, kind)
}

/// [`command_line`] by its grammar alone.
#[inline(always)]
fn command_grammar<'a>(line: &'a [u8], limits: &Limits) -> Result<Command<'a>, Fail> {
    let trimmed = line.len()
        - line
            .iter()
            .rev()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
    let line = line.get(..trimmed).unwrap_or_default();
    // Most verbs are four octets followed by SP or the end: matched first,
    // with no search for their end.
    let head = match line {
        [a, b, c, d, rest @ ..] if matches!(rest.first(), None | Some(b' ')) => {
            [a, b, c, d].map(u8::to_ascii_uppercase)
        }
        _ => [0; 4],
    };
    let known = matches!(
        &head,
        b"EHLO"
            | b"HELO"
            | b"LHLO"
            | b"MAIL"
            | b"RCPT"
            | b"DATA"
            | b"BDAT"
            | b"RSET"
            | b"VRFY"
            | b"EXPN"
            | b"HELP"
            | b"NOOP"
            | b"QUIT"
            | b"AUTH"
    );
    let verb_end = if known {
        4
    } else {
        line.iter().position(|&b| b == b' ').unwrap_or(line.len())
    };
    let verb = line.get(..verb_end).unwrap_or_default();
    if verb.is_empty() {
        return fail(0, DecodeErrorKind::InvalidCommand);
    }
    let upper4 = match verb {
        _ if known => head,
        [a, b, c, d] => [a, b, c, d].map(u8::to_ascii_uppercase),
        _ => [0; 4],
    };
    // A known verb is ASCII graphic.
    if !known && let Some(i) = verb.iter().position(|b| !b.is_ascii_graphic()) {
        return fail(i, DecodeErrorKind::InvalidCommand);
    }
    let args_at = verb_end
        + line
            .get(verb_end..)
            .map_or(0, |r| r.iter().take_while(|&&b| b == b' ').count());
    // Commands whose values are UTF-8 text get the line checked once.
    let text = match &upper4 {
        b"MAIL" | b"RCPT" | b"EHLO" | b"HELO" | b"LHLO" => std::str::from_utf8(line).ok(),
        _ => None,
    };
    let args = Args {
        line: Ln { bytes: line, text },
        at: args_at,
    };
    // Each arm builds its command in the return slot: a command is large,
    // and copies of it would cost more than the parsing.
    match &upper4 {
        b"EHLO" => Ok(Command::Ehlo {
            host: hello(&args)?,
        }),
        b"HELO" => Ok(Command::Helo {
            host: hello(&args)?,
        }),
        b"LHLO" => Ok(Command::Lhlo {
            host: hello(&args)?,
        }),
        b"MAIL" => mail(&args, limits),
        b"RCPT" => rcpt(&args, limits),
        b"DATA" => args.none(Command::Data),
        b"BDAT" => bdat(&args),
        b"RSET" => args.none(Command::Rset),
        b"VRFY" => Ok(Command::Vrfy {
            arg: args
                .text()?
                .ok_or((args.at, DecodeErrorKind::MissingArgument))?,
        }),
        b"EXPN" => Ok(Command::Expn {
            arg: args
                .text()?
                .ok_or((args.at, DecodeErrorKind::MissingArgument))?,
        }),
        b"HELP" => Ok(Command::Help { arg: args.text()? }),
        b"NOOP" => Ok(Command::Noop { arg: args.text()? }),
        b"QUIT" => args.none(Command::Quit),
        b"AUTH" => auth(&args),
        _ if verb.eq_ignore_ascii_case(b"STARTTLS") => args.none(Command::StartTls),
        _ => {
            // ASCII graphic, checked above.
            let verb =
                std::str::from_utf8(verb).map_err(|_| (0, DecodeErrorKind::InvalidCommand))?;
            Ok(Command::Unknown {
                verb: Verb::new(verb).map_err(|_| (0, DecodeErrorKind::InvalidCommand))?,
                args: args.text()?,
            })
        }
    }
}

/// A command line without its line end, with its text when the whole line
/// is UTF-8 and the command needs text.
#[derive(Clone, Copy)]
struct Ln<'a> {
    bytes: &'a [u8],
    text: Option<&'a str>,
}

impl<'a> Ln<'a> {
    fn get(&self, i: usize) -> Option<u8> {
        self.bytes.get(i).copied()
    }

    fn len(&self) -> usize {
        self.bytes.len()
    }

    /// The UTF-8 text of `[start..end]`, or the offset of the first byte
    /// that is not UTF-8. Taken from the line's text when the line is
    /// UTF-8, so nothing is checked twice.
    #[inline(always)]
    fn utf8(&self, start: usize, end: usize) -> Result<&'a str, Fail> {
        // Two checked splits, which inline, rather than `str::get`.
        let slice = |t: &'a str| t.split_at_checked(end)?.0.split_at_checked(start);
        if let Some((_, s)) = self.text.and_then(slice) {
            return Ok(s);
        }
        let bytes = self.bytes.get(start..end).unwrap_or_default();
        std::str::from_utf8(bytes)
            .map_err(|e| (start + e.valid_up_to(), DecodeErrorKind::InvalidUtf8))
    }
}

/// The arguments of a command: `line[at..]`, empty when there are none.
struct Args<'a> {
    line: Ln<'a>,
    at: usize,
}

impl<'a> Args<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.line.bytes.get(self.at..).unwrap_or_default()
    }

    fn is_empty(&self) -> bool {
        self.at >= self.line.len()
    }

    /// A command that takes no argument.
    fn none<T>(&self, value: T) -> Result<T, Fail> {
        if self.is_empty() {
            Ok(value)
        } else {
            fail(self.at, DecodeErrorKind::UnexpectedArgument)
        }
    }

    /// The arguments as one [`Text`], or `None` when there are none.
    fn text(&self) -> Result<Option<Text<'a>>, Fail> {
        if self.is_empty() {
            return Ok(None);
        }
        Text::new(self.bytes())
            .map(Some)
            .map_err(|_| (self.at, DecodeErrorKind::InvalidArgument))
    }
}

/// `ehlo = "EHLO" SP ( Domain / address-literal ) CRLF`,
/// `helo = "HELO" SP Domain CRLF` (RFC 5321 §4.1.1.1; HELO is read like
/// EHLO), `lhlo = "LHLO" SP Domain CRLF` (RFC 2033 §4.1).
fn hello<'a>(args: &Args<'a>) -> Result<Host<'a>, Fail> {
    if args.is_empty() {
        return fail(args.at, DecodeErrorKind::MissingArgument);
    }
    let line = args.line;
    let end =
        types::scan_host(line.bytes, args.at).map_err(|i| (i, DecodeErrorKind::InvalidArgument))?;
    if end != line.len() {
        return fail(end, DecodeErrorKind::InvalidArgument);
    }
    host(&line, args.at, end, DecodeErrorKind::InvalidArgument)
}

/// Builds the host of `line[start..end]`, which matches
/// `Domain / address-literal` already.
#[inline(always)]
fn host<'a>(
    line: &Ln<'a>,
    start: usize,
    end: usize,
    kind: DecodeErrorKind,
) -> Result<Host<'a>, Fail> {
    let text = line.utf8(start, end)?;
    if line.get(start) != Some(b'[') {
        return Ok(Host::Domain(Domain::from_wire(text)));
    }
    match text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        Some(content) => types::parse_literal(content)
            .map(Host::from)
            .ok_or((start + 1, kind)),
        None => Ok(Host::Domain(Domain::from_wire(text))),
    }
}

/// The `Path` rule of RFC 5321 §4.1.2, with `Reverse-path`'s `<>` and
/// `RCPT`'s `<Postmaster>` (§4.1.1.3):
///
/// ```text
/// Reverse-path = Path / "<>"
/// Forward-path = Path
/// Path         = "<" [ A-d-l ":" ] Mailbox ">"
/// A-d-l        = At-domain *( "," At-domain )
/// At-domain    = "@" Domain
/// ```
struct PathSyntax<'a> {
    /// `None` for `<>` and `<Postmaster>`.
    mailbox: Option<Mailbox<'a>>,
    source_route: bool,
    end: usize,
}

#[inline(always)]
fn path<'a>(
    line: &Ln<'a>,
    start: usize,
    limits: &Limits,
    forward: bool,
) -> Result<PathSyntax<'a>, Fail> {
    let bad = DecodeErrorKind::InvalidPath;
    if line.get(start) != Some(b'<') {
        return fail(start, bad);
    }
    let mut i = start + 1;
    let null = |end| PathSyntax {
        mailbox: None,
        source_route: false,
        end,
    };
    if line.get(i) == Some(b'>') {
        return if forward {
            fail(i, bad)
        } else {
            Ok(null(i + 1))
        };
    }
    if forward {
        const POSTMASTER: &[u8] = b"postmaster>";
        if line
            .bytes
            .get(i..i + POSTMASTER.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(POSTMASTER))
        {
            return Ok(null(i + POSTMASTER.len()));
        }
    }
    let mut source_route = false;
    if line.get(i) == Some(b'@') {
        source_route = true;
        loop {
            if line.get(i) != Some(b'@') {
                return fail(i, bad);
            }
            i = types::scan_domain(line.bytes, i + 1).map_err(|at| (at, bad.clone()))?;
            match line.get(i) {
                Some(b',') => i += 1,
                Some(b':') => {
                    i += 1;
                    break;
                }
                _ => return fail(i, bad),
            }
        }
    }
    let (end, at) = types::scan_mailbox(line.bytes, i).map_err(|at| (at, bad.clone()))?;
    if line.get(end) != Some(b'>') {
        return fail(end, bad);
    }
    // The limit counts the whole path, brackets included.
    if end + 1 - start > limits.path {
        return fail(start, DecodeErrorKind::PathTooLong { limit: limits.path });
    }
    let local = line.utf8(i, at)?;
    let host = host(line, at + 1, end, bad)?;
    Ok(PathSyntax {
        mailbox: Some(Mailbox::new(LocalPart::from_wire(local), host)),
        source_route,
        end: end + 1,
    })
}

/// `"FROM:"` or `"TO:"` after `MAIL` or `RCPT`; SP after the colon is
/// tolerated. Returns where the path starts.
#[inline(always)]
fn prefix(args: &Args<'_>, key: (u64, u64), len: usize) -> Result<usize, Fail> {
    if args.is_empty() {
        return fail(args.at, DecodeErrorKind::MissingArgument);
    }
    let (value, mask) = key;
    if args.bytes().len() < len || word(args.bytes()) & mask != value {
        return fail(args.at, DecodeErrorKind::InvalidArgument);
    }
    let mut i = args.at + len;
    while args.line.get(i) == Some(b' ') {
        i += 1;
    }
    Ok(i)
}

/// One `esmtp-param = esmtp-keyword ["=" esmtp-value]` (RFC 5321 §4.1.2),
/// with its offset in the line. The keyword has been matched; the value
/// runs from after the `=` to the next SP. A typed parser reads it first,
/// accepting fewer octets than `esmtp-value` allows and finding its end
/// as it goes; only when it refuses is the value checked against
/// `esmtp-value` and UTF-8 ([`Param::text`]), for the error to report.
struct Param<'a, 'l> {
    line: &'l Ln<'a>,
    at: usize,
    keyword_end: usize,
    /// The keyword, when it has a typed field somewhere.
    known: Option<Keyword>,
    /// Where the value starts, after the `=`.
    value_at: Option<usize>,
}

impl<'a> Param<'a, '_> {
    /// The keyword as sent (ASCII).
    fn keyword(&self) -> &'a str {
        self.line
            .utf8(self.at, self.keyword_end)
            .unwrap_or_default()
    }

    fn invalid(&self) -> Fail {
        (
            self.at,
            DecodeErrorKind::InvalidParameter {
                keyword: self.keyword().to_owned(),
            },
        )
    }

    fn duplicate(&self) -> Fail {
        (
            self.at,
            DecodeErrorKind::DuplicateParameter {
                keyword: self.keyword().to_ascii_uppercase(),
            },
        )
    }

    /// Where the parameter ends: the next SP after the value, or after
    /// the keyword when there is no value.
    fn end(&self) -> usize {
        match self.value_at {
            Some(start) => find_space(self.line.bytes, start),
            None => self.keyword_end,
        }
    }

    /// The line from the value's start on, unchecked.
    fn rest(&self) -> Option<&'a [u8]> {
        self.line.bytes.get(self.value_at?..)
    }

    /// The text of the first `len` octets of [`Param::rest`], which a
    /// typed parser accepted (ASCII, so this does not fail).
    fn ascii(&self, len: usize) -> Option<&'a str> {
        let start = self.value_at?;
        self.line.utf8(start, start + len).ok()
    }

    /// The value checked against `esmtp-value` and UTF-8, or `None` when
    /// there is no `=`.
    fn text(&self) -> Result<Option<&'a str>, Fail> {
        let Some(start) = self.value_at else {
            return Ok(None);
        };
        let end = self.end();
        if start >= end || !is_value(self.line.bytes, start, end) {
            return Err(self.invalid());
        }
        self.line.utf8(start, end).map(Some)
    }

    fn value(&self) -> Result<&'a str, Fail> {
        self.text()?.ok_or_else(|| self.invalid())
    }

    fn flag(&self) -> Result<(), Fail> {
        match self.text()? {
            None => Ok(()),
            Some(_) => Err(self.invalid()),
        }
    }
}

/// A keyword as one number: its octets, little-endian, and the mask that
/// compares them (bit 5 cleared on letters, so either case matches, and
/// every other octet compared exactly).
const fn key(keyword: &[u8]) -> (u128, u128) {
    let mut value = 0u128;
    let mut mask = 0u128;
    let mut i = 0;
    while i < keyword.len() {
        let b = keyword[i];
        value |= (b as u128) << (8 * i);
        let m: u128 = if b.is_ascii_alphabetic() { 0xdf } else { 0xff };
        mask |= m << (8 * i);
        i += 1;
    }
    (value, mask)
}

const K_SIZE: (u128, u128) = key(b"SIZE");
const K_BODY: (u128, u128) = key(b"BODY");
const K_SMTPUTF8: (u128, u128) = key(b"SMTPUTF8");
const K_RET: (u128, u128) = key(b"RET");
const K_ENVID: (u128, u128) = key(b"ENVID");
const K_AUTH: (u128, u128) = key(b"AUTH");
const K_REQUIRETLS: (u128, u128) = key(b"REQUIRETLS");
const K_MT_PRIORITY: (u128, u128) = key(b"MT-PRIORITY");
const K_HOLDFOR: (u128, u128) = key(b"HOLDFOR");
const K_HOLDUNTIL: (u128, u128) = key(b"HOLDUNTIL");
const K_BY: (u128, u128) = key(b"BY");
const K_NOTIFY: (u128, u128) = key(b"NOTIFY");
const K_ORCPT: (u128, u128) = key(b"ORCPT");

/// The typed keyword whose `len` octets start `octets` (little-endian;
/// octets past `len` are ignored), matched in any case.
fn keyword_of(octets: u128, len: usize) -> Option<Keyword> {
    let is = |(value, mask): (u128, u128)| octets & mask == value;
    let candidates: &[((u128, u128), Keyword)] = match len {
        2 => &[(K_BY, Keyword::By)],
        3 => &[(K_RET, Keyword::Ret)],
        4 => &[
            (K_SIZE, Keyword::Size),
            (K_BODY, Keyword::Body),
            (K_AUTH, Keyword::Auth),
        ],
        5 => &[(K_ORCPT, Keyword::Orcpt), (K_ENVID, Keyword::Envid)],
        6 => &[(K_NOTIFY, Keyword::Notify)],
        7 => &[(K_HOLDFOR, Keyword::HoldFor)],
        8 => &[(K_SMTPUTF8, Keyword::SmtpUtf8)],
        9 => &[(K_HOLDUNTIL, Keyword::HoldUntil)],
        10 => &[(K_REQUIRETLS, Keyword::RequireTls)],
        11 => &[(K_MT_PRIORITY, Keyword::MtPriority)],
        _ => return None,
    };
    candidates.iter().find(|(k, _)| is(*k)).map(|&(_, kw)| kw)
}

/// A typed keyword as [`word`] compares it: its first eight octets as
/// [`word_key`] gives them, its length, and the octets after the eighth.
struct Typed {
    head: (u64, u64),
    len: usize,
    tail: &'static [u8],
    kind: Keyword,
}

const fn typed(keyword: &'static [u8], kind: Keyword) -> Typed {
    let (head, tail) = if keyword.len() > 8 {
        keyword.split_at(8)
    } else {
        (keyword, &[] as &[u8])
    };
    Typed {
        head: word_key(head),
        len: keyword.len(),
        tail,
        kind,
    }
}

/// The `esmtp-keyword` at `line[at..]` when it is a typed one, followed
/// by `=`, SP or the line's end: its kind and length. The first octet
/// picks the candidates, and one masked compare of eight octets tells
/// each apart (in any case), so most keywords cost a load and a compare.
#[inline(always)]
fn typed_keyword(line: &[u8], at: usize) -> Option<(Keyword, usize)> {
    const BY: Typed = typed(b"BY", Keyword::By);
    const BODY: Typed = typed(b"BODY", Keyword::Body);
    const RET: Typed = typed(b"RET", Keyword::Ret);
    const REQUIRETLS: Typed = typed(b"REQUIRETLS", Keyword::RequireTls);
    const SIZE: Typed = typed(b"SIZE", Keyword::Size);
    const SMTPUTF8: Typed = typed(b"SMTPUTF8", Keyword::SmtpUtf8);
    const AUTH: Typed = typed(b"AUTH", Keyword::Auth);
    const ENVID: Typed = typed(b"ENVID", Keyword::Envid);
    const HOLDFOR: Typed = typed(b"HOLDFOR", Keyword::HoldFor);
    const HOLDUNTIL: Typed = typed(b"HOLDUNTIL", Keyword::HoldUntil);
    const MT_PRIORITY: Typed = typed(b"MT-PRIORITY", Keyword::MtPriority);
    const NOTIFY: Typed = typed(b"NOTIFY", Keyword::Notify);
    const ORCPT: Typed = typed(b"ORCPT", Keyword::Orcpt);
    let rest = line.get(at..)?;
    let candidates: &[Typed] = match rest.first()? & 0xdf {
        b'N' => &[NOTIFY],
        b'O' => &[ORCPT],
        b'S' => &[SIZE, SMTPUTF8],
        b'B' => &[BODY, BY],
        b'R' => &[RET, REQUIRETLS],
        b'E' => &[ENVID],
        b'A' => &[AUTH],
        b'H' => &[HOLDFOR, HOLDUNTIL],
        b'M' => &[MT_PRIORITY],
        _ => return None,
    };
    let w = word(rest);
    candidates.iter().find_map(|t| {
        let (value, mask) = t.head;
        // Past the end of `rest`, `w` holds zeros, which match no letter.
        let matched = w & mask == value
            && (t.tail.is_empty()
                || rest
                    .get(8..t.len)
                    .is_some_and(|tail| tail.eq_ignore_ascii_case(t.tail)))
            && matches!(rest.get(t.len), None | Some(b'=' | b' '));
        matched.then_some((t.kind, t.len))
    })
}

/// The typed keyword `line[at..end]`, which holds keyword octets.
fn typed_keyword_slow(line: &[u8], at: usize, end: usize) -> Option<Keyword> {
    let keyword = line.get(at..end)?;
    if keyword.len() > 16 {
        return None;
    }
    let mut window = [0u8; 16];
    window.get_mut(..keyword.len())?.copy_from_slice(keyword);
    keyword_of(u128::from_le_bytes(window), keyword.len())
}

/// The keywords of the parameters with a typed field.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keyword {
    Size,
    Body,
    SmtpUtf8,
    Ret,
    Envid,
    Auth,
    RequireTls,
    MtPriority,
    HoldFor,
    HoldUntil,
    By,
    Notify,
    Orcpt,
}

/// `Mail-parameters = esmtp-param *(SP esmtp-param)` (RFC 5321 §4.1.2),
/// after the path at `start`:
///
/// ```text
/// esmtp-param   = esmtp-keyword ["=" esmtp-value]
/// esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
/// esmtp-value   = 1*(%d33-60 / %d62-126)   ; =/ UTF8-non-ascii (RFC 6531)
/// ```
///
/// More than one SP between parameters is tolerated.
fn params<'a>(
    line: &Ln<'a>,
    start: usize,
    mut each: impl FnMut(&Param<'a, '_>) -> Result<usize, Fail>,
) -> Result<(), Fail> {
    let bytes = line.bytes;
    let mut i = start;
    while i < bytes.len() {
        if line.get(i) != Some(b' ') {
            return fail(i, DecodeErrorKind::InvalidArgument);
        }
        while line.get(i) == Some(b' ') {
            i += 1;
        }
        let at = i;
        // The keyword is a run of keyword octets, then `=` and a value up
        // to the next SP, or nothing. A typed keyword is recognised
        // without the run.
        let (known, keyword_end) = match typed_keyword(bytes, at) {
            Some((kind, len)) => (Some(kind), at + len),
            None => {
                let end = class::run(bytes, at, class::KEYWORD);
                (typed_keyword_slow(bytes, at, end), end)
            }
        };
        let value_at = match line.get(keyword_end) {
            None | Some(b' ') => None,
            Some(b'=') => Some(keyword_end + 1),
            _ => return Err(invalid_param(bytes, at)),
        };
        if keyword_end == at || !line.get(at).is_some_and(|b| b.is_ascii_alphanumeric()) {
            return Err(invalid_param(bytes, at));
        }
        i = each(&Param {
            line,
            at,
            keyword_end,
            known,
            value_at,
        })?;
    }
    Ok(())
}

/// The offset of the first SP at or after `start`, or `line.len()`.
/// Tokens are short: eight octets at a time in a register beats a call
/// into a vector search.
fn find_space(line: &[u8], start: usize) -> usize {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    const SPACES: u64 = u64::from_le_bytes([b' '; 8]);
    let mut i = start;
    while let Some(chunk) = line.get(i..i + 8) {
        let mut octets = [0u8; 8];
        octets.copy_from_slice(chunk);
        let x = u64::from_le_bytes(octets) ^ SPACES;
        // A zero octet of `x` is a SP; the lowest flagged octet is the
        // first one (a borrow only flags octets above a zero octet).
        let found = x.wrapping_sub(ONES) & !x & HIGHS;
        if found != 0 {
            return i + usize::try_from(found.trailing_zeros() / 8).unwrap_or(0);
        }
        i += 8;
    }
    let rest = line.get(i..).unwrap_or_default();
    i + rest.iter().position(|&b| b == b' ').unwrap_or(rest.len())
}

/// True when `line[start..end]` holds only `esmtp-value` octets. The line
/// holds no control character but HT (checked first), so only SP, HT and
/// `=` remain to refuse: one branch-free pass.
fn is_value(line: &[u8], start: usize, end: usize) -> bool {
    let value = line.get(start..end).unwrap_or_default();
    let ok = value
        .iter()
        .fold(true, |ok, &b| ok & (b > b' ') & (b != b'=') & (b != 0x7f));
    debug_assert_eq!(ok, class::run(value, 0, class::VALUE) == value.len());
    ok
}

/// The error for a parameter at `at` that does not match `esmtp-param`:
/// the keyword is what comes before the first `=` of the SP-delimited
/// token.
#[cold]
fn invalid_param(line: &[u8], at: usize) -> Fail {
    let token = line.get(at..).unwrap_or_default();
    let token = token.get(..memchr::memchr(b' ', token).unwrap_or(token.len()));
    let token = token.unwrap_or_default();
    let keyword = token.get(..memchr::memchr(b'=', token).unwrap_or(token.len()));
    (
        at,
        DecodeErrorKind::InvalidParameter {
            keyword: String::from_utf8_lossy(keyword.unwrap_or_default()).into_owned(),
        },
    )
}

/// `1*n DIGIT` as a number.
fn digits(s: &[u8], max_len: usize) -> Option<u64> {
    if s.is_empty() || s.len() > max_len {
        return None;
    }
    s.iter().try_fold(0u64, |v, &d| {
        if !d.is_ascii_digit() {
            return None;
        }
        v.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

/// `1*n DIGIT` at the start of `s`, as a number and its length.
fn digits_at(s: &[u8], max_len: usize) -> Option<(u64, usize)> {
    let len = s.iter().take_while(|d| d.is_ascii_digit()).count();
    Some((digits(s.get(..len)?, max_len)?, len))
}

/// The octets of `s` up to its first SP.
fn token(s: &[u8]) -> &[u8] {
    s.get(..find_space(s, 0)).unwrap_or_default()
}

/// `xtext` (RFC 3461 §4), not empty, at the start of `s`: its length.
/// Its octets are ASCII and `esmtp-value` octets.
fn xtext_at(s: &[u8]) -> Option<usize> {
    let len = xtext::valid_prefix(s);
    (len > 0).then_some(len)
}

/// One of `words` (upper case, compared in any case) at the start of
/// `s`, with its length.
fn word_at<T: Copy>(s: &[u8], words: &[(&str, T)]) -> Option<(T, usize)> {
    words.iter().find_map(|&(w, v)| {
        s.get(..w.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(w.as_bytes()))
            .then_some((v, w.len()))
    })
}

/// `mail = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF`
/// (RFC 5321 §4.1.1.2), with the parameters of RFC 1870 (`SIZE`), RFC 6152
/// and RFC 3030 (`BODY`), RFC 6531 (`SMTPUTF8`), RFC 3461 (`RET`,
/// `ENVID`), RFC 4954 (`AUTH`), RFC 8689 (`REQUIRETLS`), RFC 6710
/// (`MT-PRIORITY`), RFC 4865 (`HOLDFOR`, `HOLDUNTIL`) and RFC 2852 (`BY`).
fn mail<'a>(args: &Args<'a>, limits: &Limits) -> Result<Command<'a>, Fail> {
    let start = prefix(args, word_key(b"FROM:"), 5)?;
    let p = path(&args.line, start, limits, false)?;
    // A `match`, not `map_or`: no default value built and dropped.
    let from = match p.mailbox {
        Some(m) => ReversePath::Mailbox(m),
        None => ReversePath::Null,
    };
    let mut out = MailParams::default();
    params(&args.line, p.end, |param| mail_param(&mut out, param))?;
    Ok(Command::Mail {
        from,
        params: out,
        source_route: p.source_route,
    })
}

/// Fills a typed field from the value of `p`, read by `parse` from the
/// value's start: it gives the value and how many octets it took, and
/// takes only ASCII `esmtp-value` octets, so when a SP or the line's end
/// follows them they are the whole value and nothing else needs checking.
/// Otherwise the value is checked as `esmtp-value` first, so the error is
/// the one the grammar gives (a missing or malformed value, bad UTF-8),
/// then a repeat, then the value itself. Returns where the parameter ends.
fn set<'a, T>(
    slot: &mut Option<T>,
    p: &Param<'a, '_>,
    parse: impl FnOnce(&Param<'a, '_>, &'a [u8]) -> Option<(T, usize)>,
) -> Result<usize, Fail> {
    let parsed = p.rest().and_then(|rest| {
        let (value, len) = parse(p, rest)?;
        matches!(rest.get(len), None | Some(b' ')).then_some((value, len))
    });
    let Some((value, len)) = parsed else {
        p.value()?;
        if slot.is_some() {
            return Err(p.duplicate());
        }
        return Err(p.invalid());
    };
    if slot.is_some() {
        return Err(p.duplicate());
    }
    *slot = Some(value);
    Ok(p.value_at.unwrap_or_default() + len)
}

fn set_flag(slot: &mut bool, p: &Param<'_, '_>) -> Result<usize, Fail> {
    if p.value_at.is_some() {
        p.value()?;
    }
    if *slot {
        return Err(p.duplicate());
    }
    p.flag()?;
    *slot = true;
    Ok(p.keyword_end)
}

/// A parameter read whole by `parse`: the value up to the next SP.
fn whole<'a, T>(
    parse: impl FnOnce(&Param<'a, '_>, &'a [u8]) -> Option<T>,
) -> impl FnOnce(&Param<'a, '_>, &'a [u8]) -> Option<(T, usize)> {
    |p, rest| {
        let value = token(rest);
        Some((parse(p, value)?, value.len()))
    }
}

fn mail_param<'a>(out: &mut MailParams<'a>, p: &Param<'a, '_>) -> Result<usize, Fail> {
    match p.known {
        // size-value = 1*20DIGIT (RFC 1870 §3)
        Some(Keyword::Size) => set(&mut out.size, p, |_, v| digits_at(v, 20)),
        // body-value = "7BIT" / "8BITMIME" / "BINARYMIME" (RFC 6152 §2, RFC 3030 §3)
        Some(Keyword::Body) => set(&mut out.body, p, |_, v| {
            word_at(
                v,
                &[
                    ("8BITMIME", Body::EightBitMime),
                    ("7BIT", Body::SevenBit),
                    ("BINARYMIME", Body::BinaryMime),
                ],
            )
        }),
        Some(Keyword::SmtpUtf8) => set_flag(&mut out.smtputf8, p),
        // ret-value = "FULL" / "HDRS" (RFC 3461 §4.3)
        Some(Keyword::Ret) => set(&mut out.ret, p, |_, v| {
            word_at(v, &[("FULL", Ret::Full), ("HDRS", Ret::Headers)])
        }),
        // envid-parameter = "ENVID=" xtext (RFC 3461 §4.4)
        Some(Keyword::Envid) => set(&mut out.envid, p, |p, v| {
            let len = xtext_at(v)?;
            Some((XText::from_wire(p.ascii(len)?), len))
        }),
        // auth-param = "AUTH=" xtext, an addr-spec or "<>" (RFC 4954 §5)
        Some(Keyword::Auth) => set(out.auth_slot(), p, |p, v| {
            if v.starts_with(b"<>") && matches!(v.get(2), None | Some(b' ')) {
                return Some((MailAuth::unknown(), 2));
            }
            let len = xtext_at(v)?;
            Some((
                MailAuth::identity(XText::from_wire(p.ascii(len)?)).ok()?,
                len,
            ))
        }),
        Some(Keyword::RequireTls) => set_flag(&mut out.requiretls, p),
        // priority-value = [ "-" / "+" ] DIGIT, -9 to 9 (RFC 6710 §3)
        Some(Keyword::MtPriority) => set(
            out.mt_priority_slot(),
            p,
            whole(|_, v| {
                let (neg, num) = match v {
                    [b'-', rest @ ..] => (true, rest),
                    [b'+', rest @ ..] => (false, rest),
                    rest => (false, rest),
                };
                match num {
                    [d] if d.is_ascii_digit() => {
                        let d = i8::try_from(d - b'0').unwrap_or(0);
                        Priority::new(if neg { -d } else { d })
                    }
                    _ => None,
                }
            }),
        ),
        // holdfor-value = 1*9DIGIT (RFC 4865 §3)
        Some(Keyword::HoldFor) => set(
            out.hold_slot(),
            p,
            whole(|_, v| {
                digits(v, 9)
                    .and_then(|n| u32::try_from(n).ok())
                    .and_then(HoldSeconds::new)
                    .map(Hold::For)
            }),
        ),
        // holduntil-value = date-time (RFC 4865 §3, RFC 3339 §5.6)
        Some(Keyword::HoldUntil) => set(
            out.hold_slot(),
            p,
            whole(|p, v| DateTime::new(p.ascii(v.len())?).ok().map(Hold::Until)),
        ),
        Some(Keyword::By) => set(out.by_slot(), p, whole(|p, v| by_value(p.ascii(v.len())?))),
        Some(Keyword::Notify | Keyword::Orcpt) | None => {
            other(p, out.other()).map(|o| out.push_other_unchecked(o))?;
            Ok(p.end())
        }
    }
}

/// `by-value = by-time ";" by-mode [ by-trace ]`,
/// `by-time = [ "-" / "+" ] 1*9digit`, `by-mode = "N" / "R"`,
/// `by-trace = "T"` (RFC 2852 §4).
fn by_value(v: &str) -> Option<DeliverBy> {
    let (time, mode) = v.split_once(';')?;
    let (neg, num) = match time.as_bytes().first() {
        Some(b'-') => (true, time.get(1..)?),
        Some(b'+') => (false, time.get(1..)?),
        _ => (false, time),
    };
    let n = i32::try_from(digits(num.as_bytes(), 9)?).ok()?;
    let seconds = if neg { -n } else { n };
    let (mode, trace) = match mode.as_bytes() {
        [m] => (*m, false),
        [m, b't' | b'T'] => (*m, true),
        _ => return None,
    };
    let mode = match mode {
        b'n' | b'N' => ByMode::Notify,
        b'r' | b'R' => ByMode::Return,
        _ => return None,
    };
    DeliverBy::new(seconds, mode, trace)
}

/// A parameter without a typed field; refused when it repeats.
#[cold]
fn other<'a>(p: &Param<'a, '_>, seen: &[OtherParam<'a>]) -> Result<OtherParam<'a>, Fail> {
    let param = OtherParam::new(p.keyword(), p.text()?).map_err(|_| p.invalid())?;
    if seen.iter().any(|o| o.keyword() == param.keyword()) {
        return Err(p.duplicate());
    }
    Ok(param)
}

/// `rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" /
/// Forward-path ) [SP Rcpt-parameters] CRLF` (RFC 5321 §4.1.1.3), with the
/// parameters of RFC 3461 (`NOTIFY`, `ORCPT`).
#[inline(always)]
fn rcpt<'a>(args: &Args<'a>, limits: &Limits) -> Result<Command<'a>, Fail> {
    let start = prefix(args, word_key(b"TO:"), 3)?;
    let p = path(&args.line, start, limits, true)?;
    let to = match p.mailbox {
        Some(m) => ForwardPath::Mailbox(m),
        None => ForwardPath::Postmaster,
    };
    let mut out = RcptParams::default();
    params(&args.line, p.end, |param| rcpt_param(&mut out, param))?;
    Ok(Command::Rcpt {
        to,
        params: out,
        source_route: p.source_route,
    })
}

fn rcpt_param<'a>(out: &mut RcptParams<'a>, p: &Param<'a, '_>) -> Result<usize, Fail> {
    match p.known {
        Some(Keyword::Notify) => set(&mut out.notify, p, |_, v| notify_value(v)),
        // original-recipient-address = addr-type ";" xtext (RFC 3461 §4.2)
        Some(Keyword::Orcpt) => set(&mut out.orcpt, p, orcpt_value),
        _ => {
            other(p, out.other()).map(|o| out.push_other_unchecked(o))?;
            Ok(p.end())
        }
    }
}

/// `ORCPT=addr-type ";" xtext` (RFC 3461 §4.2) at the start of `v`.
fn orcpt_value<'a>(p: &Param<'a, '_>, v: &[u8]) -> Option<(Orcpt<'a>, usize)> {
    // `addr-type` octets exclude `;`: the run ends at the first one.
    let semicolon = class::run(v, 0, class::ADDR_TYPE);
    if semicolon == 0 || v.get(semicolon) != Some(&b';') {
        return None;
    }
    let len = semicolon + 1 + xtext_at(v.get(semicolon + 1..)?)?;
    let (kind, addr) = p.ascii(len)?.split_at_checked(semicolon)?;
    Some((
        Orcpt::from_wire(kind, XText::from_wire(addr.get(1..)?)),
        len,
    ))
}

/// `notify-esmtp-value = "NEVER" / 1#notify-list-element`,
/// `notify-list-element = "SUCCESS" / "FAILURE" / "DELAY"`
/// (RFC 3461 §4.1), at the start of `v`.
fn notify_value(v: &[u8]) -> Option<(Notify, usize)> {
    const NEVER: (u64, u64) = word_key(b"NEVER");
    const SUCCESS: (u64, u64) = word_key(b"SUCCESS");
    const FAILURE: (u64, u64) = word_key(b"FAILURE");
    const DELAY: (u64, u64) = word_key(b"DELAY");
    let is = |w: u64, (value, mask): (u64, u64)| w & mask == value;
    let (mut success, mut failure, mut delay) = (false, false, false);
    let mut at = 0;
    loop {
        let rest = v.get(at..)?;
        let w = word(rest);
        let (slot, len) = match rest.len() {
            5.. if at == 0 && is(w, NEVER) => return Some((Notify::Never, 5)),
            7.. if is(w, SUCCESS) => (&mut success, 7),
            7.. if is(w, FAILURE) => (&mut failure, 7),
            5.. if is(w, DELAY) => (&mut delay, 5),
            _ => return None,
        };
        *slot = true;
        at += len;
        if v.get(at) != Some(&b',') {
            break;
        }
        at += 1;
    }
    Some((NotifyOn::new(success, failure, delay).map(Notify::On)?, at))
}

/// Up to the first eight octets of `s`, little-endian, zero after its end.
fn word(s: &[u8]) -> u64 {
    match s.get(..8) {
        Some(head) => {
            let mut octets = [0u8; 8];
            octets.copy_from_slice(head);
            u64::from_le_bytes(octets)
        }
        None => s.iter().rev().fold(0u64, |w, &b| w << 8 | u64::from(b)),
    }
}

/// An upper-case word of at most eight octets as [`word`] reads it, and
/// the mask that compares it: letters in any case, other octets exactly.
const fn word_key(w: &[u8]) -> (u64, u64) {
    let mut value = 0u64;
    let mut mask = 0u64;
    let mut i = 0;
    while i < w.len() {
        value |= (w[i] as u64) << (8 * i);
        let m: u64 = if w[i].is_ascii_alphabetic() {
            0xdf
        } else {
            0xff
        };
        mask |= m << (8 * i);
        i += 1;
    }
    (value, mask)
}

/// `bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ] CR LF`,
/// `chunk-size = 1*DIGIT`, `end-marker = "LAST"` (RFC 3030 §2).
fn bdat<'a>(args: &Args<'a>) -> Result<Command<'a>, Fail> {
    if args.is_empty() {
        return fail(args.at, DecodeErrorKind::MissingArgument);
    }
    let bytes = args.bytes();
    let size_len = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    let (size, rest) = bytes.split_at(size_len);
    let spaces = rest.iter().take_while(|&&b| b == b' ').count();
    let last = match rest.get(spaces..).unwrap_or_default() {
        [] if spaces == 0 => false,
        marker if spaces > 0 && marker.eq_ignore_ascii_case(b"LAST") => true,
        _ => return fail(args.at, DecodeErrorKind::InvalidArgument),
    };
    let size = digits(size, 20).ok_or((args.at, DecodeErrorKind::InvalidArgument))?;
    Ok(Command::Bdat { size, last })
}

/// `"AUTH" SP sasl-mech [SP initial-response]`,
/// `initial-response = base64 / "="` (RFC 4954 §4).
fn auth<'a>(args: &Args<'a>) -> Result<Command<'a>, Fail> {
    if args.is_empty() {
        return fail(args.at, DecodeErrorKind::MissingArgument);
    }
    let bytes = args.bytes();
    let mech_len = memchr::memchr(b' ', bytes).unwrap_or(bytes.len());
    let mech = bytes.get(..mech_len).unwrap_or_default();
    if !types::is_mechanism(mech) {
        return fail(args.at, DecodeErrorKind::InvalidArgument);
    }
    let mechanism = Mechanism::new(std::str::from_utf8(mech).unwrap_or_default())
        .map_err(|_| (args.at, DecodeErrorKind::InvalidArgument))?;
    let mut at = args.at + mech_len;
    while args.line.get(at) == Some(b' ') {
        at += 1;
    }
    let rest = args.line.bytes.get(at..).unwrap_or_default();
    let initial_response = match rest {
        [] => None,
        b"=" => Some(InitialResponse::Empty),
        data if types::is_base64(data) => {
            // base64 is ASCII.
            let text = std::str::from_utf8(data).unwrap_or_default();
            let secret = Secret::new(text).map_err(|_| (at, DecodeErrorKind::InvalidArgument))?;
            Some(InitialResponse::Base64(secret))
        }
        _ => return fail(at, DecodeErrorKind::InvalidArgument),
    };
    Ok(Command::Auth {
        mechanism,
        initial_response,
    })
}
/// Decodes the commands in a byte stream that arrives in chunks of any size.
///
/// Every byte is scanned once, so the work is linear in the stream however
/// it is split. A line over [`Limits::command_line`] is reported as soon as
/// the limit is passed, and the rest of it is dropped without being
/// buffered. Error offsets count from the start of the stream; after an
/// error, decoding goes on with the next line.
///
/// After `DATA`, `BDAT`, `AUTH` or `STARTTLS` ([`Command::stop`]) the bytes
/// that follow are not commands: the decoder stops, and
/// [`next_command`](Self::next_command) returns `None` until the caller has
/// dealt with them (with [`buffered`](Self::buffered), [`take`](Self::take)
/// or [`take_buffered`](Self::take_buffered)) and calls
/// [`resume`](Self::resume).
///
/// [`next_command`](Self::next_command) returns values that own their
/// text; [`next_command_ref`](Self::next_command_ref) returns values that
/// borrow it from the decoder's buffer, without copying, until the next
/// call that changes the decoder.
///
/// ```
/// use mailwire_smtp::decode::CommandDecoder;
/// use mailwire_smtp::types::{Command, Stop};
/// use mailwire_smtp::Limits;
/// let mut decoder = CommandDecoder::new(Limits::default());
/// decoder.push(b"RCPT TO:<a@example.org>\r\nBDAT 5 LAST\r\nhelloQU");
/// assert!(matches!(decoder.next_command(), Some(Ok(Command::Rcpt { .. }))));
/// assert_eq!(decoder.next_command(), Some(Ok(Command::Bdat { size: 5, last: true })));
/// // The chunk is message data, never read as a command.
/// assert_eq!(decoder.stopped(), Some(Stop::Bdat { size: 5, last: true }));
/// assert!(decoder.next_command().is_none());
/// assert_eq!(&decoder.take(5)[..], b"hello");
/// decoder.resume();
/// decoder.push(b"IT\r\n");
/// assert_eq!(decoder.next_command(), Some(Ok(Command::Quit)));
/// ```
#[derive(Debug)]
pub struct CommandDecoder {
    limits: Limits,
    buf: BytesMut,
    /// Stream offset of `buf[0]`.
    base: usize,
    /// Bytes at the start of `buf` already searched for LF without finding
    /// one.
    scanned: usize,
    /// Dropping input up to the next LF after an over-long line.
    skipping: bool,
    /// Set after a command that ends command mode.
    stopped: Option<Stop>,
    /// Bytes at the front of `buf` already returned (a command line that a
    /// value from [`next_command_ref`](Self::next_command_ref) may still
    /// borrow): dropped by the next call that changes the decoder.
    returned: usize,
}

impl CommandDecoder {
    /// A decoder enforcing `limits`.
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            buf: BytesMut::new(),
            base: 0,
            scanned: 0,
            skipping: false,
            stopped: None,
            returned: 0,
        }
    }

    /// Drops the bytes already returned.
    fn settle(&mut self) {
        if self.returned > 0 {
            let n = std::mem::take(&mut self.returned);
            self.consume(n);
        }
    }

    /// Appends bytes received from the peer.
    pub fn push(&mut self, data: &[u8]) {
        self.settle();
        self.buf.extend_from_slice(data);
        if self.skipping {
            self.skip_line();
        }
    }

    /// Drops buffered input up to and including the next LF; while there is
    /// none, drops everything and keeps skipping, so an over-long line is
    /// never buffered.
    fn skip_line(&mut self) {
        match memchr::memchr(b'\n', &self.buf) {
            Some(i) => {
                self.skipping = false;
                self.consume(i + 1);
            }
            None => {
                self.skipping = true;
                self.consume(self.buf.len());
            }
        }
    }

    /// Stream offset of the first byte not yet returned: where the next
    /// command (or error, or message data) starts.
    pub fn offset(&self) -> usize {
        self.base + self.returned
    }

    /// Bytes received but not yet returned.
    pub fn buffered(&self) -> &[u8] {
        self.buf.get(self.returned..).unwrap_or_default()
    }

    /// Takes the bytes not yet decoded, leaving the decoder empty. Used when
    /// the connection changes (STARTTLS): those bytes must not be processed
    /// as if they had come over the new layer.
    pub fn take_buffered(&mut self) -> BytesMut {
        self.settle();
        self.base += self.buf.len();
        self.scanned = 0;
        self.skipping = false;
        self.buf.split()
    }

    /// Takes up to `n` buffered bytes from the front: message data after
    /// `DATA` or `BDAT`, or whatever the caller reads itself while stopped.
    pub fn take(&mut self, n: usize) -> BytesMut {
        self.settle();
        let n = n.min(self.buf.len());
        self.base += n;
        self.scanned = 0;
        self.buf.split_to(n)
    }

    /// Why the decoder has stopped reading commands, if it has.
    pub fn stopped(&self) -> Option<Stop> {
        self.stopped
    }

    /// Goes back to reading commands, from the first byte not taken.
    pub fn resume(&mut self) {
        self.settle();
        self.stopped = None;
        self.scanned = 0;
    }

    /// The next command, `None` when more bytes are needed (or the decoder
    /// is [stopped](Self::stopped)), or an error after which decoding goes
    /// on past the bad line.
    ///
    /// The command owns its text (a copy of it):
    /// [`next_command_ref`](Self::next_command_ref) avoids the copy.
    pub fn next_command(&mut self) -> Option<Result<Command<'static>, DecodeError>> {
        self.next_command_ref().map(|r| r.map(Command::into_owned))
    }

    /// [`next_command`](Self::next_command) without copying: the command
    /// borrows its text from the decoder's buffer. Its line is dropped from
    /// the buffer by the next call that changes the decoder, so the value
    /// lives until then; [`Command::into_owned`] keeps it longer.
    ///
    /// ```
    /// use mailwire_smtp::decode::CommandDecoder;
    /// use mailwire_smtp::types::{Command, ForwardPath};
    /// use mailwire_smtp::Limits;
    /// let mut decoder = CommandDecoder::new(Limits::default());
    /// decoder.push(b"RCPT TO:<bob@example.org> NOTIFY=NEVER\r\nQUIT\r\n");
    /// let mut rcpts = Vec::new();
    /// while let Some(cmd) = decoder.next_command_ref() {
    ///     if let Command::Rcpt { to: ForwardPath::Mailbox(m), .. } = cmd.unwrap() {
    ///         rcpts.push(m.to_string());
    ///     }
    /// }
    /// assert_eq!(rcpts, ["bob@example.org"]);
    /// assert_eq!(decoder.offset(), 46);
    /// ```
    pub fn next_command_ref(&mut self) -> Option<Result<Command<'_>, DecodeError>> {
        self.settle();
        if self.stopped.is_some() || self.buf.is_empty() {
            return None;
        }
        let limit = self.limits.command_line;
        let window = self
            .buf
            .get(..self.buf.len().min(limit))
            .unwrap_or_default();
        let from = self.scanned.min(window.len());
        let Some(lf) = memchr::memchr(b'\n', window.get(from..).unwrap_or_default()) else {
            if self.buf.len() < limit {
                self.scanned = window.len();
                return None;
            }
            let err = DecodeError {
                until_line_end: true,
                ..DecodeError::new(self.base, DecodeErrorKind::LineTooLong { limit }, limit)
            };
            self.consume(limit);
            self.skip_line();
            return Some(Err(err));
        };
        let end = from + lf + 1;
        // A fresh borrow: the one above ends with the framing.
        let content = self.buf.get(..end - 1).unwrap_or_default();
        let line = content.strip_suffix(b"\r").unwrap_or(content);
        // The line is dropped from the buffer on the next call: the value
        // borrows it until then.
        self.returned = end;
        Some(match command_line(line, &self.limits) {
            Ok(value) => {
                self.stopped = value.stop();
                Ok(value)
            }
            Err((at, kind)) => Err(DecodeError::new(self.base + at, kind, end)),
        })
    }

    fn consume(&mut self, n: usize) {
        let n = n.min(self.buf.len());
        self.buf.advance(n);
        self.base += n;
        self.scanned = 0;
    }

    /// While [stopped](Self::stopped) at [`Stop::Data`] (and the server has
    /// answered `354`): the next piece of the message, read from the
    /// buffered input by `data`. Body pieces are split off the buffer
    /// without copying. At [`DataChunk::End`] the decoder resumes reading
    /// commands from the byte after `<CRLF>.<CRLF>`. `None` when more
    /// input is needed, or when not stopped at `DATA`.
    ///
    /// ```
    /// use mailwire_smtp::decode::{CommandDecoder, DataChunk, DataDecoder};
    /// use mailwire_smtp::types::Command;
    /// use mailwire_smtp::Limits;
    /// let mut decoder = CommandDecoder::new(Limits::default());
    /// decoder.push(b"DATA\r\nSubject: x\r\n\r\n..hi\r\n.\r\nQUIT\r\n");
    /// assert_eq!(decoder.next_command(), Some(Ok(Command::Data)));
    /// let mut data = DataDecoder::new(Limits::default());
    /// let mut body = Vec::new();
    /// while let Some(chunk) = decoder.next_data(&mut data) {
    ///     match chunk {
    ///         DataChunk::Body(bytes) => body.extend_from_slice(&bytes),
    ///         DataChunk::End(end) => assert!(end.is_accepted()),
    ///     }
    /// }
    /// assert_eq!(body, b"Subject: x\r\n\r\n.hi\r\n");
    /// assert_eq!(decoder.next_command(), Some(Ok(Command::Quit)));
    /// ```
    pub fn next_data(&mut self, data: &mut DataDecoder) -> Option<DataChunk> {
        self.settle();
        if self.stopped != Some(Stop::Data) {
            return None;
        }
        loop {
            let raw = data.step(&self.buf);
            let (piece, taken) = match raw.piece {
                Piece::Input(n) if n > 0 => {
                    let n = n.min(raw.consumed).min(self.buf.len());
                    (Some(self.buf.split_to(n).freeze()), n)
                }
                Piece::Const(c) if !c.is_empty() => (Some(Bytes::from_static(c)), 0),
                Piece::Input(_) | Piece::Const(_) | Piece::None => (None, 0),
            };
            self.base += taken;
            self.consume(raw.consumed.saturating_sub(taken));
            if raw.end {
                self.resume();
                return Some(DataChunk::End(data.end_summary()));
            }
            if let Some(bytes) = piece {
                return Some(DataChunk::Body(bytes));
            }
            if raw.consumed == 0 && self.buf.is_empty() {
                return None;
            }
        }
    }

    /// While [stopped](Self::stopped) at [`Stop::Bdat`]: the next part of
    /// `chunk` from the buffered input, split off without copying. Once the
    /// whole chunk has been taken, the decoder resumes reading commands.
    /// `None` when more input is needed, when the chunk is complete, or
    /// when not stopped at `BDAT`.
    pub fn next_bdat(&mut self, chunk: &mut BdatChunk) -> Option<Bytes> {
        self.settle();
        if !matches!(self.stopped, Some(Stop::Bdat { .. })) {
            return None;
        }
        let n = chunk.read(&self.buf).len();
        let part = (n > 0).then(|| self.take(n).freeze());
        if chunk.is_complete() {
            self.resume();
        }
        part
    }
}

/// A piece of message read by [`CommandDecoder::next_data`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataChunk {
    /// Message bytes, unstuffed.
    Body(Bytes),
    /// The data has ended; commands follow.
    End(DataEnd),
}

#[cfg(test)]
// Tests change `Limits` the way users outside the crate must (it is
// `#[non_exhaustive]`), by assigning fields of a default value.
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use std::net::{Ipv4Addr, Ipv6Addr};

    use super::*;
    use crate::encode::Encode;
    use crate::types::AddressLiteral;

    fn one(input: &[u8]) -> Command<'_> {
        let (c, n) = command(input, &Limits::default())
            .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(input)))
            .complete()
            .unwrap();
        assert_eq!(n, input.len());
        c
    }

    fn err(input: &[u8]) -> DecodeError {
        command(input, &Limits::default()).unwrap_err()
    }

    fn mailbox(c: &Command<'_>) -> String {
        match c {
            Command::Mail {
                from: ReversePath::Mailbox(m),
                ..
            }
            | Command::Rcpt {
                to: ForwardPath::Mailbox(m),
                ..
            } => m.to_string(),
            other => panic!("no mailbox in {other:?}"),
        }
    }

    /// Decodes, re-encodes and decodes again: the same command both times.
    fn round_trip(input: &[u8]) {
        let c = one(input);
        let bytes = c.to_bytes();
        assert_eq!(one(&bytes), c, "{}", String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn rfc5321_appendix_d_client_lines() {
        let trace: &[u8] =
            b"EHLO bar.com\r\nMAIL FROM:<Smith@bar.com>\r\nRCPT TO:<Jones@foo.com>\r\n\
            RCPT TO:<Green@foo.com>\r\nRCPT TO:<Brown@foo.com>\r\nDATA\r\n";
        let mut pos = 0;
        let mut cmds = Vec::new();
        while pos < trace.len() {
            let (c, n) = command(&trace[pos..], &Limits::default())
                .unwrap()
                .complete()
                .unwrap();
            cmds.push(c);
            pos += n;
        }
        assert_eq!(cmds.len(), 6);
        assert_eq!(
            cmds[0],
            Command::Ehlo {
                host: Host::Domain(Domain::new("bar.com").unwrap())
            }
        );
        assert_eq!(mailbox(&cmds[1]), "Smith@bar.com");
        assert_eq!(mailbox(&cmds[4]), "Brown@foo.com");
        assert_eq!(cmds[5], Command::Data);
        assert_eq!(cmds[5].stop(), Some(Stop::Data));
        assert_eq!(one(b"RSET\r\n"), Command::Rset);
        assert_eq!(one(b"QUIT\r\n"), Command::Quit);
        let Command::Vrfy { arg } = one(b"VRFY Crispin\r\n") else {
            panic!()
        };
        assert_eq!(arg.as_bytes(), b"Crispin");
        assert!(matches!(
            one(b"EXPN Example-People\r\n"),
            Command::Expn { .. }
        ));
    }

    #[test]
    fn verbs_in_any_case_written_in_upper_case() {
        assert_eq!(one(b"quit\r\n"), Command::Quit);
        assert_eq!(one(b"StartTLS\r\n"), Command::StartTls);
        let c = one(b"mail from:<a@b>\r\n");
        assert_eq!(c.to_bytes(), b"MAIL FROM:<a@b>\r\n");
        assert_eq!(one(b"noop\r\n").to_bytes(), b"NOOP\r\n");
        assert_eq!(one(b"help mail\r\n").to_bytes(), b"HELP mail\r\n");
    }

    #[test]
    fn hello_forms() {
        let Command::Ehlo { host } = one(b"EHLO [192.0.2.1]\r\n") else {
            panic!()
        };
        assert_eq!(
            host,
            Host::from(AddressLiteral::Ipv4(Ipv4Addr::new(192, 0, 2, 1)))
        );
        let Command::Ehlo { host } = one(b"EHLO [IPv6:2001:db8::1]\r\n") else {
            panic!()
        };
        assert_eq!(
            host,
            Host::from(AddressLiteral::Ipv6(
                "2001:db8::1".parse::<Ipv6Addr>().unwrap()
            ))
        );
        assert!(matches!(
            one(b"HELO relay.example\r\n"),
            Command::Helo { .. }
        ));
        // RFC 2033 §4.2.
        assert!(matches!(one(b"LHLO foo.edu\r\n"), Command::Lhlo { .. }));
        assert!(matches!(
            one("EHLO bücher.example\r\n".as_bytes()),
            Command::Ehlo { .. }
        ));
        let e = err(b"EHLO\r\n");
        assert_eq!((e.offset, e.kind), (4, DecodeErrorKind::MissingArgument));
        let e = err(b"EHLO foo_bar\r\n");
        assert_eq!((e.offset, e.kind), (8, DecodeErrorKind::InvalidArgument));
        let e = err(b"EHLO a.b c\r\n");
        assert_eq!((e.offset, e.kind), (8, DecodeErrorKind::InvalidArgument));
        let e = err(b"EHLO [300.1.1.1]\r\n");
        assert_eq!((e.offset, e.kind), (6, DecodeErrorKind::InvalidArgument));
    }

    #[test]
    fn paths() {
        let c = one(b"MAIL FROM:<>\r\n");
        assert!(matches!(
            c,
            Command::Mail {
                from: ReversePath::Null,
                ..
            }
        ));
        let c = one(b"RCPT TO:<Postmaster>\r\n");
        assert!(matches!(
            c,
            Command::Rcpt {
                to: ForwardPath::Postmaster,
                ..
            }
        ));
        assert_eq!(c.to_bytes(), b"RCPT TO:<Postmaster>\r\n");
        assert!(matches!(
            one(b"RCPT TO:<postMASTER>\r\n"),
            Command::Rcpt {
                to: ForwardPath::Postmaster,
                ..
            }
        ));
        assert_eq!(
            mailbox(&one(b"RCPT TO:<Postmaster@foo.com>\r\n")),
            "Postmaster@foo.com"
        );
        // Source routes are read and dropped, with a flag.
        let c = one(b"RCPT TO:<@hosta.int,@jkl.org:userc@d.bar.org>\r\n");
        assert_eq!(mailbox(&c), "userc@d.bar.org");
        assert!(matches!(
            c,
            Command::Rcpt {
                source_route: true,
                ..
            }
        ));
        assert_eq!(c.to_bytes(), b"RCPT TO:<userc@d.bar.org>\r\n");
        // Quoted local parts are kept as sent.
        let line = b"MAIL FROM:<\"john \\\"jr\\\" smith\"@example.com>\r\n";
        let c = one(line);
        let Command::Mail {
            from: ReversePath::Mailbox(m),
            ..
        } = &c
        else {
            panic!()
        };
        assert_eq!(m.local_part().as_str(), r#""john \"jr\" smith""#);
        assert_eq!(m.local_part().value(), r#"john "jr" smith"#);
        let line = b"RCPT TO:<\"a@b>c\"@d>\r\n";
        assert_eq!(one(line).to_bytes(), line);
        // RFC 6531: UTF-8 in both parts.
        let c = one("MAIL FROM:<用户@例子.广告> SMTPUTF8\r\n".as_bytes());
        assert_eq!(mailbox(&c), "用户@例子.广告");
        // Address literals in paths.
        assert_eq!(mailbox(&one(b"RCPT TO:<a@[IPv6:::1]>\r\n")), "a@[IPv6:::1]");
        assert_eq!(
            mailbox(&one(b"RCPT TO:<a@[x-foo:bar]>\r\n")),
            "a@[x-foo:bar]"
        );
        // A space after the colon is tolerated.
        assert_eq!(mailbox(&one(b"MAIL FROM: <a@b.c>\r\n")), "a@b.c");
    }

    #[test]
    fn path_errors() {
        let cases: &[(&[u8], usize, DecodeErrorKind)] = &[
            (b"MAIL FROM:a@b\r\n", 10, DecodeErrorKind::InvalidPath),
            (b"MAIL FROM:<a@b\r\n", 14, DecodeErrorKind::InvalidPath),
            (b"MAIL FROM:<a..b@c>\r\n", 13, DecodeErrorKind::InvalidPath),
            (b"MAIL FROM:<a@-b>\r\n", 13, DecodeErrorKind::InvalidPath),
            (
                b"MAIL FROM:<a@[1.2.3]>\r\n",
                14,
                DecodeErrorKind::InvalidPath,
            ),
            (b"RCPT TO:<>\r\n", 9, DecodeErrorKind::InvalidPath),
            (b"RCPT TO:<Postmaster\r\n", 19, DecodeErrorKind::InvalidPath),
            (b"RCPT TO:<@a:@b>\r\n", 12, DecodeErrorKind::InvalidPath),
            (b"RCPT TO:<@a;b@c>\r\n", 11, DecodeErrorKind::InvalidPath),
            (b"MAIL TO:<a@b>\r\n", 5, DecodeErrorKind::InvalidArgument),
            (b"MAIL\r\n", 4, DecodeErrorKind::MissingArgument),
            (b"MAIL FROM:<\xff@b>\r\n", 11, DecodeErrorKind::InvalidUtf8),
        ];
        for (input, offset, kind) in cases {
            let e = err(input);
            assert_eq!(
                (e.offset, &e.kind),
                (*offset, kind),
                "{}",
                String::from_utf8_lossy(input)
            );
            assert_eq!(e.discard, input.len());
            assert_eq!(e.kind.reply_code().map(|c| c.get()), Some(501));
        }
    }

    #[test]
    fn mail_parameters() {
        // RFC 1870 §6, RFC 6152 §4, RFC 3030 §4, RFC 8689 §4.1, RFC 4954 §5.
        let Command::Mail { params, .. } =
            one(b"MAIL FROM:<ned@thor.innosoft.com> SIZE=500000\r\n")
        else {
            panic!()
        };
        assert_eq!(params.size, Some(500_000));
        let Command::Mail { params, .. } =
            one(b"MAIL FROM:<ned@ymir.claremont.edu> BODY=8BITMIME\r\n")
        else {
            panic!()
        };
        assert_eq!(params.body, Some(Body::EightBitMime));
        let Command::Mail { params, .. } =
            one(b"MAIL FROM:<ned@ymir.claremont.edu> BODY=BINARYMIME\r\n")
        else {
            panic!()
        };
        assert_eq!(params.body, Some(Body::BinaryMime));
        let Command::Mail { params, .. } = one(b"MAIL FROM:<roger@example.org> REQUIRETLS\r\n")
        else {
            panic!()
        };
        assert!(params.requiretls);
        let Command::Mail { params, .. } =
            one(b"MAIL FROM:<e=mc2@example.com> AUTH=e+3Dmc2@example.com\r\n")
        else {
            panic!()
        };
        assert_eq!(
            params.auth().unwrap().identity_xtext().unwrap().decode(),
            &b"e=mc2@example.com"[..]
        );
        let Command::Mail { params, .. } = one(b"MAIL FROM:<john+@example.org> AUTH=<>\r\n") else {
            panic!()
        };
        assert_eq!(params.auth(), Some(&MailAuth::unknown()));
        // RFC 3461 §9.
        let Command::Mail { params, .. } =
            one(b"MAIL FROM:<Alice@Example.ORG> RET=HDRS ENVID=QQ314159\r\n")
        else {
            panic!()
        };
        assert_eq!(params.ret, Some(Ret::Headers));
        assert_eq!(params.envid.unwrap().as_str(), "QQ314159");
        let Command::Mail { params, .. } = one(
            b"MAIL FROM:<a@b> MT-PRIORITY=-3 HOLDFOR=3600 BY=120;R smtputf8 X-Foo=bar X-Flag\r\n",
        ) else {
            panic!()
        };
        assert_eq!(params.mt_priority(), Priority::new(-3));
        assert_eq!(
            params.hold(),
            Some(&Hold::For(HoldSeconds::new(3600).unwrap()))
        );
        assert_eq!(params.by(), DeliverBy::new(120, ByMode::Return, false));
        assert!(params.smtputf8);
        assert_eq!(params.other().len(), 2);
        assert_eq!(
            (params.other()[0].keyword(), params.other()[0].value()),
            ("X-FOO", Some("bar"))
        );
        assert_eq!(params.other()[1].value(), None);
        let Command::Mail { params, .. } =
            one(b"MAIL FROM:<a@b> HOLDUNTIL=2030-01-01T00:00:00Z BY=-5;nt\r\n")
        else {
            panic!()
        };
        assert!(matches!(params.hold(), Some(Hold::Until(_))));
        assert_eq!(params.by(), DeliverBy::new(-5, ByMode::Notify, true));
        round_trip(b"MAIL FROM:<a@b> SIZE=1 BODY=7BIT SMTPUTF8 RET=FULL ENVID=x+2B AUTH=<> REQUIRETLS MT-PRIORITY=+9 HOLDUNTIL=2030-01-01T00:00:00.5+01:00 BY=9;N X=1\r\n");
    }

    #[test]
    fn rcpt_parameters() {
        // RFC 3461 §9.
        let Command::Rcpt { params, .. } =
            one(b"RCPT TO:<Dana@Ivory.EDU> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Dana@Ivory.EDU\r\n")
        else {
            panic!()
        };
        assert_eq!(
            params.notify,
            Some(Notify::On(NotifyOn::new(true, true, false).unwrap()))
        );
        let orcpt = params.orcpt.unwrap();
        assert_eq!(orcpt.addr_type(), "rfc822");
        assert_eq!(orcpt.address().as_str(), "Dana@Ivory.EDU");
        let Command::Rcpt { params, .. } = one(b"RCPT TO:<a@b> notify=never\r\n") else {
            panic!()
        };
        assert_eq!(params.notify, Some(Notify::Never));
        // SIZE has no meaning on RCPT: kept as another parameter.
        let Command::Rcpt { params, .. } = one(b"RCPT TO:<a@b> SIZE=5\r\n") else {
            panic!()
        };
        assert_eq!(params.other()[0].keyword(), "SIZE");
        round_trip(b"RCPT TO:<a@b> NOTIFY=DELAY,SUCCESS ORCPT=rfc822;a+2Bb@c X-Y\r\n");
    }

    #[test]
    fn parameter_errors() {
        let e = err(b"MAIL FROM:<a@b> SIZE=1 SIZE=2\r\n");
        assert_eq!(
            (e.offset, e.kind),
            (
                23,
                DecodeErrorKind::DuplicateParameter {
                    keyword: "SIZE".into()
                }
            )
        );
        let e = err(b"MAIL FROM:<a@b> HOLDFOR=1 HOLDUNTIL=2030-01-01T00:00:00Z\r\n");
        assert!(matches!(e.kind, DecodeErrorKind::DuplicateParameter { .. }));
        let e = err(b"MAIL FROM:<a@b> SMTPUTF8 smtputf8\r\n");
        assert!(matches!(e.kind, DecodeErrorKind::DuplicateParameter { .. }));
        let e = err(b"MAIL FROM:<a@b> X-A X-a\r\n");
        assert!(matches!(e.kind, DecodeErrorKind::DuplicateParameter { .. }));
        let e = err(b"RCPT TO:<a@b> NOTIFY=NEVER NOTIFY=DELAY\r\n");
        assert!(matches!(e.kind, DecodeErrorKind::DuplicateParameter { .. }));
        for bad in [
            &b"MAIL FROM:<a@b> SIZE=x\r\n"[..],
            b"MAIL FROM:<a@b> SIZE\r\n",
            b"MAIL FROM:<a@b> SIZE=123456789012345678901\r\n",
            b"MAIL FROM:<a@b> SIZE=99999999999999999999\r\n",
            b"MAIL FROM:<a@b> BODY=9BIT\r\n",
            b"MAIL FROM:<a@b> SMTPUTF8=yes\r\n",
            b"MAIL FROM:<a@b> RET=ALL\r\n",
            b"MAIL FROM:<a@b> ENVID=a+2b\r\n",
            b"MAIL FROM:<a@b> MT-PRIORITY=10\r\n",
            b"MAIL FROM:<a@b> HOLDFOR=1234567890\r\n",
            b"MAIL FROM:<a@b> HOLDUNTIL=tomorrow\r\n",
            b"MAIL FROM:<a@b> BY=1;X\r\n",
            b"MAIL FROM:<a@b> BY=1\r\n",
            b"RCPT TO:<a@b> NOTIFY=NEVER,DELAY\r\n",
            b"RCPT TO:<a@b> NOTIFY=\r\n",
            b"RCPT TO:<a@b> ORCPT=rfc822\r\n",
            b"RCPT TO:<a@b> ORCPT=rfc822;\r\n",
            b"MAIL FROM:<a@b> -X=1\r\n",
            b"MAIL FROM:<a@b> X=a=b\r\n",
        ] {
            let e = err(bad);
            assert!(
                matches!(e.kind, DecodeErrorKind::InvalidParameter { .. }),
                "{}: {e}",
                String::from_utf8_lossy(bad)
            );
            assert_eq!(e.offset, 16 - usize::from(bad.starts_with(b"RCPT")) * 2);
        }
        let e = err(b"MAIL FROM:<a@b>SIZE=1\r\n");
        assert_eq!((e.offset, e.kind), (15, DecodeErrorKind::InvalidArgument));
    }

    #[test]
    fn bdat_auth_and_others() {
        assert_eq!(
            one(b"BDAT 86 LAST\r\n"),
            Command::Bdat {
                size: 86,
                last: true
            }
        );
        assert_eq!(
            one(b"BDAT 100000\r\n"),
            Command::Bdat {
                size: 100_000,
                last: false
            }
        );
        assert_eq!(one(b"bdat 0 last\r\n").to_bytes(), b"BDAT 0 LAST\r\n");
        for bad in [
            &b"BDAT\r\n"[..],
            b"BDAT x\r\n",
            b"BDAT 1 FIRST\r\n",
            b"BDAT 99999999999999999999999\r\n",
            b"BDAT -1\r\n",
        ] {
            assert!(err(bad).kind.reply_code().is_some());
        }
        // RFC 4954 §4, §6.
        let c = one(b"AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=\r\n");
        let Command::Auth {
            mechanism,
            initial_response: Some(InitialResponse::Base64(data)),
        } = &c
        else {
            panic!()
        };
        assert_eq!(mechanism.as_str(), "PLAIN");
        assert_eq!(data.expose(), "dGVzdAB0ZXN0ADEyMzQ=");
        assert!(
            !format!("{c:?}").contains("dGVzd"),
            "Debug redacts the data"
        );
        assert_eq!(c.stop(), Some(Stop::Auth));
        assert_eq!(
            one(b"AUTH EXTERNAL =\r\n"),
            Command::Auth {
                mechanism: Mechanism::new("EXTERNAL").unwrap(),
                initial_response: Some(InitialResponse::Empty)
            }
        );
        assert!(matches!(
            one(b"AUTH cram-md5\r\n"),
            Command::Auth {
                initial_response: None,
                ..
            }
        ));
        assert_eq!(err(b"AUTH PLAIN abc\r\n").offset, 11);
        assert_eq!(err(b"AUTH\r\n").kind, DecodeErrorKind::MissingArgument);
        assert_eq!(
            err(b"AUTH P/AIN\r\n").kind,
            DecodeErrorKind::InvalidArgument
        );
        let e = err(b"DATA now\r\n");
        assert_eq!((e.offset, e.kind), (5, DecodeErrorKind::UnexpectedArgument));
        assert_eq!(err(b"VRFY\r\n").kind, DecodeErrorKind::MissingArgument);
        assert_eq!(one(b"NOOP   \r\n"), Command::Noop { arg: None });
        let c = one(b"XCLIENT  NAME=spike.porcupine.org ADDR=168.100.189.2\r\n");
        let Command::Unknown { verb, args } = &c else {
            panic!()
        };
        assert_eq!(verb.as_str(), "XCLIENT");
        assert_eq!(
            args.as_ref().unwrap().as_bytes(),
            b"NAME=spike.porcupine.org ADDR=168.100.189.2"
        );
        round_trip(b"xclient a\tb\r\n");
        assert_eq!(err(b"\r\n").kind, DecodeErrorKind::InvalidCommand);
        assert_eq!(err(b" QUIT\r\n").kind, DecodeErrorKind::InvalidCommand);
        assert_eq!(err(b"QU\x80T\r\n").kind, DecodeErrorKind::InvalidCommand);
        let e = err(b"NOOP a\rb\r\n");
        assert_eq!((e.offset, e.kind), (6, DecodeErrorKind::BareCr));
        let e = err(b"NOOP a\0b\r\n");
        assert_eq!(
            (e.offset, e.kind),
            (6, DecodeErrorKind::ControlCharacter { byte: 0 })
        );
    }

    #[test]
    fn values_that_start_like_a_typed_word() {
        // A typed value is read as far as it goes; what follows it up to
        // the next SP decides.
        let Command::Mail { params, .. } = one(b"MAIL FROM:<a@b> AUTH=<>x ENVID=<> SIZE=0\r\n")
        else {
            panic!()
        };
        let auth = params.auth().unwrap();
        assert_eq!(auth.identity_xtext().unwrap().as_str(), "<>x");
        assert_eq!(params.envid.unwrap().as_str(), "<>");
        assert_eq!(params.size, Some(0));
        for bad in [
            &b"MAIL FROM:<a@b> BODY=7BITX\r\n"[..],
            b"MAIL FROM:<a@b> RET=FULLY\r\n",
            b"MAIL FROM:<a@b> SIZE=12a\r\n",
            b"MAIL FROM:<a@b> ENVID=a+2\r\n",
            b"RCPT TO:<a@b> NOTIFY=NEVERX\r\n",
            b"RCPT TO:<a@b> NOTIFY=DELAYED\r\n",
            b"RCPT TO:<a@b> NOTIFY=SUCCESS,\r\n",
            b"RCPT TO:<a@b> ORCPT=rfc822;a=b\r\n",
        ] {
            let e = err(bad);
            assert!(
                matches!(e.kind, DecodeErrorKind::InvalidParameter { .. }),
                "{}: {e}",
                String::from_utf8_lossy(bad)
            );
            assert_eq!(e.offset, 16 - usize::from(bad.starts_with(b"RCPT")) * 2);
        }
        let Command::Rcpt { params, .. } =
            one(b"RCPT TO:<a@b> NOTIFY=SUCCESS,SUCCESS ORCPT=x;+2B\r\n")
        else {
            panic!()
        };
        assert_eq!(
            params.notify,
            Some(Notify::On(NotifyOn::new(true, false, false).unwrap()))
        );
        assert_eq!(params.orcpt.unwrap().address().decode(), &b"+"[..]);
    }

    /// The first-octet keyword match agrees with reading the keyword's
    /// run of octets and comparing it whole, for every typed keyword in
    /// both cases, near misses, and every ending.
    #[test]
    fn typed_keywords_match_the_keyword_run() {
        let near_misses = [
            "SIZ",
            "SIZES",
            "B",
            "BYE",
            "REQUIRETLSX",
            "MT-PRIORITZ",
            "HOLDUNTI",
            "X-SIZE",
            "ORCPT-",
            "9BY",
        ];
        let typed = crate::types::param::MAIL_KEYWORDS
            .iter()
            .chain(crate::types::param::RCPT_KEYWORDS);
        for word in typed.chain(near_misses.iter()) {
            for word in [(*word).to_owned(), word.to_ascii_lowercase()] {
                for end in ["", "=", " ", "=1 X", "!", "-", "x"] {
                    let line = format!("{word}{end}");
                    let bytes = line.as_bytes();
                    let run = class::run(bytes, 0, class::KEYWORD);
                    let slow = typed_keyword_slow(bytes, 0, run)
                        .filter(|_| matches!(bytes.get(run), None | Some(b'=' | b' ')))
                        .map(|k| (k, run));
                    assert!(typed_keyword(bytes, 0) == slow, "{line}");
                }
            }
        }
    }

    #[test]
    fn verbs_keywords_and_values_at_their_edges() {
        // A three-letter verb followed by two SP.
        let Command::Unknown { verb, args } = one(b"_AT  +\r\n") else {
            panic!()
        };
        assert_eq!(
            (verb.as_str(), args.unwrap().as_bytes()),
            ("_AT", &b"+"[..])
        );
        // A SP inside the first four octets ends a shorter verb.
        for (line, want) in [
            (&b"RC T TO:<a@b>\r\n"[..], "RC"),
            (b"NO P\r\n", "NO"),
            (b"RCPTX TO:<a@b>\r\n", "RCPTX"),
        ] {
            let Command::Unknown { verb, .. } = one(line) else {
                panic!()
            };
            assert_eq!(verb.as_str(), want);
        }
        // Keywords in any case, at the very end of the line, and longer
        // than any typed keyword.
        let Command::Mail { params, .. } =
            one(b"MAIL FROM:<a@b> Mt-Priority=2 hOlDfOr=12 ABCDEFGHIJKLMNOPQ=1 BY=1;r\r\n")
        else {
            panic!()
        };
        assert_eq!(params.mt_priority(), Priority::new(2));
        assert_eq!(
            params.hold(),
            Some(&Hold::For(HoldSeconds::new(12).unwrap()))
        );
        assert_eq!(params.other()[0].keyword(), "ABCDEFGHIJKLMNOPQ");
        assert_eq!(params.by(), DeliverBy::new(1, ByMode::Return, false));
        let Command::Mail { params, .. } = one(b"MAIL FROM:<a@b> MT-PRIORITYX=1 b\r\n") else {
            panic!()
        };
        assert_eq!(params.mt_priority(), None);
        assert_eq!(params.other().len(), 2);
        let Command::Rcpt { params, .. } =
            one(b"RCPT TO:<a@b> NOTIFY=success,Failure,delay ORCPT=RFC822;x+41\r\n")
        else {
            panic!()
        };
        assert_eq!(
            params.notify,
            Some(Notify::On(NotifyOn::new(true, true, true).unwrap()))
        );
        assert_eq!(params.orcpt.unwrap().address().decode(), &b"xA"[..]);
        // A value holding HT or `=`, and an empty value.
        for bad in [
            &b"MAIL FROM:<a@b> X=a\tb\r\n"[..],
            b"MAIL FROM:<a@b> X==\r\n",
            b"MAIL FROM:<a@b> X=\r\n",
            b"MAIL FROM:<a@b> X-\xc3\xbc=1\r\n",
        ] {
            let e = err(bad);
            assert!(
                matches!(e.kind, DecodeErrorKind::InvalidParameter { .. }),
                "{e}"
            );
            assert_eq!(e.offset, 16);
        }
        // UTF-8 in a value is checked where it stands.
        let e = err(b"MAIL FROM:<a@b> X=\xc3\r\n");
        assert_eq!((e.offset, e.kind), (18, DecodeErrorKind::InvalidUtf8));
    }

    #[test]
    fn lending_and_owned_streaming_agree() {
        let stream = b"RCPT TO:<a@b> NOTIFY=NEVER\r\nNOOP x\r\nMAIL FROM:<a b>\r\nDATA\r\nQUIT\r\n";
        let mut owned = CommandDecoder::new(Limits::default());
        let mut lending = CommandDecoder::new(Limits::default());
        owned.push(stream);
        lending.push(stream);
        for _ in 0..3 {
            let a = owned.next_command().unwrap();
            let b = lending.next_command_ref().unwrap().map(Command::into_owned);
            assert_eq!(a, b);
            assert_eq!(owned.offset(), lending.offset());
            assert_eq!(owned.buffered(), lending.buffered());
        }
        assert_eq!(lending.next_command_ref(), Some(Ok(Command::Data)));
        // Stopped: the line stays returned, the rest is buffered.
        assert!(lending.next_command_ref().is_none());
        assert_eq!(lending.offset(), 59);
        assert_eq!(lending.buffered(), b"QUIT\r\n");
        lending.resume();
        assert_eq!(lending.next_command_ref(), Some(Ok(Command::Quit)));
        assert_eq!(lending.offset(), stream.len());
        assert!(lending.buffered().is_empty());
        assert!(lending.next_command_ref().is_none());
    }

    #[test]
    fn limits_apply_to_a_whole_slice() {
        let mut limits = Limits::default();
        let mut line = b"NOOP ".to_vec();
        line.resize(510, b'x');
        line.extend_from_slice(b"\r\n");
        assert!(command(&line, &limits).is_ok());
        line.insert(5, b'x');
        let e = command(&line, &limits).unwrap_err();
        assert_eq!(e.kind, DecodeErrorKind::LineTooLong { limit: 512 });
        assert_eq!(e.kind.reply_code().unwrap().get(), 500);
        assert!(e.until_line_end);
        // Paths: 256 octets with the brackets.
        let local = "l".repeat(64);
        let domain = format!("{}.com", "d".repeat(256 - 2 - 64 - 1 - 4));
        let ok = format!("RCPT TO:<{local}@{domain}>\r\n");
        assert!(command(ok.as_bytes(), &limits).is_ok());
        let long = format!("RCPT TO:<{local}@x{domain}>\r\n");
        let e = command(long.as_bytes(), &limits).unwrap_err();
        assert_eq!(
            (e.offset, e.kind),
            (8, DecodeErrorKind::PathTooLong { limit: 256 })
        );
        limits.path = 1000;
        assert!(command(long.as_bytes(), &limits).is_ok());
        limits.command_line = 10;
        assert!(command(b"QUIT\r\n", &limits).is_ok());
        assert!(command(b"NOOP 12345\r\n", &limits).is_err());
        assert_eq!(command(b"NOOP 1234", &limits), Ok(Decoded::Incomplete));
        assert!(command(b"NOOP 12345", &limits).is_err());
    }

    fn collect(stream: &[u8], chunk: usize) -> Vec<(usize, Result<Command<'static>, DecodeError>)> {
        let mut d = CommandDecoder::new(Limits::default());
        let mut out = Vec::new();
        for c in stream.chunks(chunk) {
            d.push(c);
            loop {
                let at = d.offset();
                match d.next_command() {
                    Some(r) => out.push((at, r)),
                    None => match d.stopped() {
                        Some(Stop::Bdat { size, .. }) if d.buffered().len() as u64 >= size => {
                            let n = usize::try_from(size).unwrap();
                            let _ = d.take(n);
                            d.resume();
                        }
                        Some(Stop::Auth | Stop::StartTls) => d.resume(),
                        _ => break,
                    },
                }
            }
        }
        out
    }

    #[test]
    fn streaming_matches_stateless_for_every_split() {
        let stream: &[u8] = b"EHLO client.example\r\nMAIL FROM:<a@b> SIZE=10\r\nRCPT TO:<\xff>\r\n\
            RCPT TO:<c@d> NOTIFY=NEVER\r\nBDAT 8\r\nQUIT\r\n\r\nBDAT 0 LAST\r\nAUTH PLAIN =\r\nNOOP\r\n";
        let whole = collect(stream, stream.len());
        assert_eq!(whole.len(), 8);
        assert!(whole[2].1.is_err());
        assert_eq!(whole[2].0, 46);
        assert_eq!(whole[2].1.as_ref().unwrap_err().offset, 56);
        // "QUIT\r\n\r\n" was the BDAT chunk, never read as commands.
        assert_eq!(
            whole[5].1,
            Ok(Command::Bdat {
                size: 0,
                last: true
            })
        );
        for chunk in 1..stream.len() {
            assert_eq!(collect(stream, chunk), whole, "chunk size {chunk}");
        }
        // The stateless decoder agrees on every line.
        let mut pos = 0;
        for (at, r) in &whole {
            assert_eq!(*at, pos);
            match command(&stream[pos..], &Limits::default()) {
                Ok(Decoded::Complete { value, consumed }) => {
                    assert_eq!(Ok(value.into_owned()), *r);
                    pos += consumed;
                    if let Some(Stop::Bdat { size, .. }) = r.as_ref().unwrap().stop() {
                        pos += usize::try_from(size).unwrap();
                    }
                }
                Ok(Decoded::Incomplete) => panic!(),
                Err(e) => {
                    assert_eq!(Err(e.clone().shifted(pos)), *r);
                    pos += e.discard;
                }
            }
        }
    }

    #[test]
    fn an_overlong_line_never_swallows_the_next_command() {
        let mut limits = Limits::default();
        limits.command_line = 10;
        let mut d = CommandDecoder::new(limits);
        d.push(b"NOOP\r\nNOOP 0123456789\r\nQUIT\r\n");
        assert_eq!(d.next_command(), Some(Ok(Command::Noop { arg: None })));
        let e = d.next_command().unwrap().unwrap_err();
        assert_eq!((e.offset, e.discard, e.until_line_end), (6, 10, true));
        assert_eq!(d.next_command(), Some(Ok(Command::Quit)));
        assert!(d.next_command().is_none());
        let e = command(b"NOOP 0123456789\r\nQUIT\r\n", &limits).unwrap_err();
        assert_eq!((e.offset, e.discard, e.until_line_end), (0, 10, true));
    }

    #[test]
    fn streaming_stops_after_data_until_resumed() {
        let mut d = CommandDecoder::new(Limits::default());
        d.push(b"DATA\r\nQUIT\r\n.\r\nQUIT\r\n");
        assert_eq!(d.next_command(), Some(Ok(Command::Data)));
        assert_eq!(d.stopped(), Some(Stop::Data));
        assert!(d.next_command().is_none());
        assert_eq!(d.offset(), 6);
        assert_eq!(&d.take(9)[..], b"QUIT\r\n.\r\n");
        d.resume();
        assert_eq!(d.next_command(), Some(Ok(Command::Quit)));
        assert_eq!(d.offset(), 21);
        assert!(d.next_command().is_none());
    }

    #[test]
    fn streaming_starttls_hands_back_the_rest() {
        let mut d = CommandDecoder::new(Limits::default());
        d.push(b"STARTTLS\r\nMAIL FROM:<evil@x>\r\n");
        assert_eq!(d.next_command(), Some(Ok(Command::StartTls)));
        assert!(d.next_command().is_none());
        assert_eq!(&d.take_buffered()[..], b"MAIL FROM:<evil@x>\r\n");
        d.resume();
        assert!(d.next_command().is_none());
    }

    #[test]
    fn streaming_skips_an_overlong_line_without_buffering_it() {
        let mut limits = Limits::default();
        limits.command_line = 16;
        let mut d = CommandDecoder::new(limits);
        d.push(b"NOOP ");
        assert!(d.next_command().is_none());
        d.push(&[b'x'; 100]);
        let e = d.next_command().unwrap().unwrap_err();
        assert_eq!(
            (e.offset, e.kind, e.discard),
            (0, DecodeErrorKind::LineTooLong { limit: 16 }, 16)
        );
        for _ in 0..100 {
            d.push(&[b'y'; 1000]);
            assert!(d.buffered().is_empty());
        }
        d.push(b"yyy\r\nQUIT\r\n");
        assert_eq!(d.next_command(), Some(Ok(Command::Quit)));
        assert_eq!(d.offset(), 100_110 + 6);
    }
}
