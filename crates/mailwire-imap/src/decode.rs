//! Decoding: bytes in, values out.
//!
//! Every decoder answers one of three things:
//!
//! - [`Decoded::Complete`]: a value and how many input bytes it used;
//! - [`Decoded::Incomplete`]: the input ends inside a value; call again with
//!   more bytes (this is never an error);
//! - a [`DecodeError`] saying where (byte offset), what, and how many bytes to
//!   [`discard`](DecodeError::discard) to resynchronise.
//!
//! The token decoders ([`tag`], [`atom`], [`sequence_set`], [`mailbox`]) read
//! one value at the start of their input, as it appears inside a line: the
//! value ends at the first byte that cannot continue it, so input that ends
//! inside it is [`Decoded::Incomplete`]. Their errors discard up to the end
//! of the line.
//!
//! [`greeting`] is stateless and reads one line. For a byte stream read in
//! chunks, [`GreetingDecoder`] remembers how far it has scanned, so every
//! byte is looked at once however the stream is split.
//!
//! [`response`] reads one server response, literals included, from a
//! slice; [`ResponseDecoder`] cuts a stream into [`ResponseFrame`]s, each
//! decoded with [`ResponseFrame::decode`].
//!
//! [`command`] reads one client command, literals included, from a slice
//! ([`authenticate_data`] and [`idle_done`] the other client lines);
//! [`CommandDecoder`] cuts a client's stream into [`CommandFrame`]s and
//! stops at each synchronizing literal with
//! [`CommandEvent::NeedsContinuation`], so that a server can answer `+`
//! before the client sends it, and enforces `LITERAL-`.
//!
//! Lines are framed first, against the [`Limits`], before any grammar runs.
//! Lines may end in CRLF or, tolerantly, a bare LF. A line's end is found by
//! its LF alone: a `{12}` at the end of a greeting's text is text, never a
//! literal.

use std::borrow::Cow;
use std::num::NonZeroU32;

use bytes::{Buf, BytesMut};
use nom::Parser;
use nom::bytes::complete::{take_while, take_while1};

use crate::Limits;
use crate::frame::{self, Line};
use crate::types::{
    Atom, Greeting, GreetingKind, Mailbox, SeqItem, SeqNumber, SequenceSet, Tag, is_astring_char,
    is_atom_char, is_tag_char,
};

mod command;
mod command_stream;
mod cursor;
mod response;
mod stream;

pub use command_stream::{
    CommandDecoder, CommandEvent, CommandFrame, authenticate_data, command, idle_done,
};
pub(crate) use response::{code_arguments, is_data_keyword, is_item_name, is_one_value};
pub use stream::{ResponseDecoder, ResponseFrame, response};

pub use mailwire_core::Decoded;

/// Input that does not decode: where, what, and how to resynchronise.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at byte {offset}")]
#[non_exhaustive]
pub struct DecodeError {
    /// Offset of the offending byte (from the start of the input given to a
    /// function, or of the whole stream for a streaming decoder).
    pub offset: usize,
    /// What is wrong.
    pub kind: DecodeErrorKind,
    /// Bytes to drop from the start of the input to get past the bad line.
    pub discard: usize,
    /// When true, the bad line's end was not in the input: after dropping
    /// `discard` bytes, also drop everything up to and including the next LF.
    /// Streaming decoders do this themselves.
    pub until_line_end: bool,
}

/// What was wrong with the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// A line longer than the limit (its terminator included).
    #[error("line longer than {limit} octets")]
    LineTooLong {
        /// The limit that was exceeded.
        limit: usize,
    },
    /// More items in one list than the limit.
    #[error("more than {limit} items in one list")]
    TooManyItems {
        /// The limit that was exceeded.
        limit: usize,
    },
    /// A CR that is not part of the line's CRLF.
    #[error("bare CR inside a line")]
    BareCr,
    /// A NUL byte, which IMAP never allows.
    #[error("NUL byte")]
    Nul,
    /// A byte that cannot start or continue the named grammar element.
    #[error("expected {what}")]
    Expected {
        /// The grammar element.
        what: &'static str,
    },
    /// A number that is zero where `nz-number` is required, has a leading
    /// zero, or does not fit in 32 bits.
    #[error("invalid number (zero, leading zero or over 4294967295)")]
    InvalidNumber,
    /// `$` combined with other elements of a sequence set.
    #[error("'$' must stand alone in a sequence set")]
    LastCommandNotAlone,
    /// A status word other than `OK`, `PREAUTH` and `BYE` on a greeting line.
    #[error("not a greeting (expected OK, PREAUTH or BYE)")]
    NotAGreeting,
    /// A backslash in a quoted string not followed by `"` or `\`.
    #[error("invalid escape in a quoted string")]
    InvalidEscape,
    /// A literal (`{n}`) where this decoder reads only atoms and quoted
    /// strings.
    #[error("literal strings are not supported here")]
    UnsupportedLiteral,
    /// A literal announced larger than [`Limits::literal_size`].
    #[error("literal of {size} octets over the limit of {limit}")]
    LiteralTooLarge {
        /// The announced size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A response larger than [`Limits::message_size`], literals included.
    #[error("response over the limit of {limit} octets")]
    MessageTooLarge {
        /// The limit.
        limit: u64,
    },
    /// Parenthesised lists nested deeper than [`Limits::nesting_depth`].
    #[error("nesting deeper than {limit}")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// A non-synchronizing literal (`{n+}`) larger than the negotiated
    /// `LITERAL-` allows (RFC 7888 §5): the server answers `BAD [TOOBIG]`.
    #[error("non-synchronizing literal of {size} octets over the limit of {limit}")]
    NonSyncLiteralTooLarge {
        /// The announced size.
        size: u64,
        /// The limit (4096 for `LITERAL-`).
        limit: u64,
    },
    /// A non-synchronizing literal (`{n+}`) when neither `LITERAL+` nor
    /// `LITERAL-` is in effect.
    #[error("non-synchronizing literal without LITERAL+ or LITERAL-")]
    NonSyncLiteralRefused,
    /// A command name the crate does not know. The whole command is
    /// discarded, literals included.
    #[error("unknown command")]
    UnknownCommand,
    /// A line that is neither base64 nor `*` during `AUTHENTICATE`.
    #[error("not a SASL response (base64 or '*')")]
    NotAuthenticateData,
    /// A line other than `DONE` during `IDLE`.
    #[error("expected DONE")]
    ExpectedDone,
}

impl DecodeError {
    fn new(offset: usize, kind: DecodeErrorKind, discard: usize) -> Self {
        Self {
            offset,
            kind,
            discard,
            until_line_end: false,
        }
    }

    /// An error in a token at `offset` of `input`: discard its whole line.
    fn in_line(input: &[u8], offset: usize, kind: DecodeErrorKind) -> Self {
        match memchr::memchr(b'\n', input.get(offset..).unwrap_or_default()) {
            Some(i) => Self::new(offset, kind, offset + i + 1),
            None => Self {
                until_line_end: true,
                ..Self::new(offset, kind, input.len())
            },
        }
    }

    /// The same error seen from `base` bytes further into a stream.
    fn shifted(mut self, base: usize) -> Self {
        self.offset += base;
        self
    }
}

/// A grammar failure: the rest of the input where it happened, and what.
#[derive(Debug)]
struct Failure<'a> {
    at: &'a [u8],
    kind: DecodeErrorKind,
}

impl<'a> nom::error::ParseError<&'a [u8]> for Failure<'a> {
    fn from_error_kind(input: &'a [u8], _: nom::error::ErrorKind) -> Self {
        Self {
            at: input,
            kind: DecodeErrorKind::Expected { what: "token" },
        }
    }

    fn append(_: &'a [u8], _: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

type PResult<'a, O> = nom::IResult<&'a [u8], O, Failure<'a>>;

fn fail<'a, O>(at: &'a [u8], kind: DecodeErrorKind) -> PResult<'a, O> {
    Err(nom::Err::Error(Failure { at, kind }))
}

/// Offset of `rest` (a suffix of `input`) in `input`.
fn offset_of(input: &[u8], rest: &[u8]) -> usize {
    input.len() - rest.len()
}

/// `nz-number = digit-nz *DIGIT` (RFC 9051 §9), below 2^32.
fn nz_number(i: &[u8]) -> PResult<'_, NonZeroU32> {
    let (rest, digits) = match take_while1::<_, _, Failure<'_>>(|b: u8| b.is_ascii_digit()).parse(i)
    {
        Ok(ok) => ok,
        Err(_) => return fail(i, DecodeErrorKind::Expected { what: "number" }),
    };
    let value = digits.iter().try_fold(0u32, |v, d| {
        v.checked_mul(10)?.checked_add(u32::from(d - b'0'))
    });
    match value.and_then(NonZeroU32::new) {
        Some(n) if digits[0] != b'0' => Ok((rest, n)),
        _ => Err(nom::Err::Failure(Failure {
            at: i,
            kind: DecodeErrorKind::InvalidNumber,
        })),
    }
}

/// `seq-number = nz-number / "*"` (RFC 9051 §9).
fn seq_number(i: &[u8]) -> PResult<'_, SeqNumber> {
    match i.split_first() {
        Some((b'*', rest)) => Ok((rest, SeqNumber::Largest)),
        Some((b, _)) if b.is_ascii_digit() => {
            nz_number(i).map(|(rest, n)| (rest, SeqNumber::Value(n)))
        }
        _ => fail(i, DecodeErrorKind::Expected { what: "seq-number" }),
    }
}

/// `seq-number / seq-range`, `seq-range = seq-number ":" seq-number`
/// (RFC 9051 §9).
fn seq_item(i: &[u8]) -> PResult<'_, SeqItem> {
    let (i, first) = seq_number(i)?;
    match i.split_first() {
        Some((b':', rest)) => {
            let (rest, second) = seq_number(rest)?;
            Ok((rest, SeqItem::Range(first, second)))
        }
        _ => Ok((i, SeqItem::Single(first))),
    }
}

/// `sequence-set = (seq-number / seq-range) ["," sequence-set]`,
/// `sequence-set =/ seq-last-command`, `seq-last-command = "$"`
/// (RFC 9051 §9, RFC 5182 §2.1). The recursion is read as a loop.
fn sequence_set_p(i: &[u8], max_items: usize) -> PResult<'_, SequenceSet> {
    if let Some((b'$', rest)) = i.split_first() {
        if matches!(rest.first(), Some(b',' | b':' | b'*' | b'$' | b'0'..=b'9')) {
            return Err(nom::Err::Failure(Failure {
                at: rest,
                kind: DecodeErrorKind::LastCommandNotAlone,
            }));
        }
        return Ok((rest, SequenceSet::last_command()));
    }
    let (mut i, first) = seq_item(i)?;
    let mut items = vec![first];
    while let Some((b',', rest)) = i.split_first() {
        if rest.first() == Some(&b'$') {
            return Err(nom::Err::Failure(Failure {
                at: rest,
                kind: DecodeErrorKind::LastCommandNotAlone,
            }));
        }
        if items.len() >= max_items {
            return Err(nom::Err::Failure(Failure {
                at: rest,
                kind: DecodeErrorKind::TooManyItems { limit: max_items },
            }));
        }
        let (rest, item) = seq_item(rest)?;
        items.push(item);
        i = rest;
    }
    // `items` has at least one element.
    match SequenceSet::from_items(items) {
        Ok(set) => Ok((i, set)),
        Err(_) => fail(i, DecodeErrorKind::Expected { what: "seq-number" }),
    }
}

/// Runs a token parser at the start of `input` and applies the token rules:
/// the input ending right after the token, or inside it, is incomplete.
fn token<'a, T>(
    input: &'a [u8],
    parser: impl FnOnce(&'a [u8]) -> PResult<'a, T>,
) -> Result<Decoded<T>, DecodeError> {
    match parser(input) {
        Ok((&[], _)) => Ok(Decoded::Incomplete),
        Ok((rest, value)) => Ok(Decoded::Complete {
            value,
            consumed: offset_of(input, rest),
        }),
        Err(nom::Err::Error(f)) if f.at.is_empty() => Ok(Decoded::Incomplete),
        Err(nom::Err::Error(f) | nom::Err::Failure(f)) => {
            Err(DecodeError::in_line(input, offset_of(input, f.at), f.kind))
        }
        Err(nom::Err::Incomplete(_)) => Ok(Decoded::Incomplete),
    }
}

/// Reads `1*<byte satisfying ok>` as the element `what`.
fn chars<'a>(i: &'a [u8], ok: fn(u8) -> bool, what: &'static str) -> PResult<'a, &'a [u8]> {
    match take_while1::<_, _, Failure<'_>>(ok).parse(i) {
        Ok(done) => Ok(done),
        Err(_) => fail(i, DecodeErrorKind::Expected { what }),
    }
}

/// Decodes a tag (RFC 9051 §9): `tag = 1*<any ASTRING-CHAR except "+">`.
///
/// ```
/// use mailwire_imap::decode::{self, Decoded};
/// let (tag, used) = decode::tag(b"A001 NOOP\r\n").unwrap().complete().unwrap();
/// assert_eq!((tag.as_str(), used), ("A001", 4));
/// assert_eq!(decode::tag(b"A00").unwrap(), Decoded::Incomplete);
/// ```
pub fn tag(input: &[u8]) -> Result<Decoded<Tag<'_>>, DecodeError> {
    token(input, |i| {
        chars(i, is_tag_char, "tag").map(|(rest, t)| (rest, Tag::from_wire(t)))
    })
}

/// Decodes an atom (RFC 9051 §9): `atom = 1*ATOM-CHAR`.
///
/// ```
/// use mailwire_imap::decode;
/// let (atom, used) = decode::atom(b"LITERAL+ IDLE").unwrap().complete().unwrap();
/// assert_eq!((atom.as_str(), used), ("LITERAL+", 8));
/// ```
pub fn atom(input: &[u8]) -> Result<Decoded<Atom<'_>>, DecodeError> {
    token(input, |i| {
        chars(i, is_atom_char, "atom").map(|(rest, a)| (rest, Atom::from_wire(a)))
    })
}

/// Decodes a sequence set (RFC 9051 §9, RFC 5182 §2.1):
///
/// ```text
/// sequence-set     = (seq-number / seq-range) ["," sequence-set]
/// sequence-set     =/ seq-last-command
/// seq-range        = seq-number ":" seq-number
/// seq-number       = nz-number / "*"
/// seq-last-command = "$"
/// ```
///
/// At most [`Limits::list_items`] elements are read.
///
/// ```
/// use mailwire_imap::{decode, Limits};
/// let (set, used) = decode::sequence_set(b"1:* ", &Limits::default()).unwrap().complete().unwrap();
/// assert_eq!(used, 3);
/// assert!(set.contains(99, 100));
/// let err = decode::sequence_set(b"1:0 ", &Limits::default()).unwrap_err();
/// assert_eq!(err.offset, 2);
/// ```
pub fn sequence_set(input: &[u8], limits: &Limits) -> Result<Decoded<SequenceSet>, DecodeError> {
    let max = limits.list_items.max(1);
    token(input, |i| sequence_set_p(i, max))
}

impl std::str::FromStr for SequenceSet {
    type Err = DecodeError;

    /// Reads the whole string as a sequence set, with default limits.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let input = s.as_bytes();
        let max = Limits::default().list_items;
        match sequence_set_p(input, max) {
            Ok((&[], set)) => Ok(set),
            Ok((rest, _)) => Err(DecodeError::in_line(
                input,
                offset_of(input, rest),
                DecodeErrorKind::Expected { what: "',' or end" },
            )),
            Err(nom::Err::Error(f) | nom::Err::Failure(f)) => {
                Err(DecodeError::in_line(input, offset_of(input, f.at), f.kind))
            }
            Err(nom::Err::Incomplete(_)) => Err(DecodeError::in_line(
                input,
                input.len(),
                DecodeErrorKind::Expected { what: "seq-number" },
            )),
        }
    }
}

/// `quoted = DQUOTE *QUOTED-CHAR DQUOTE`, `QUOTED-CHAR = <any TEXT-CHAR
/// except quoted-specials> / "\" quoted-specials / UTF8-2 / UTF8-3 / UTF8-4`
/// (RFC 9051 §9). Read tolerantly: any byte but CR, LF and NUL, so 8-bit
/// names from IMAP4rev1 servers are kept. `i` starts after the opening quote.
fn quoted_body(i: &[u8]) -> PResult<'_, Cow<'_, [u8]>> {
    let (mut rest, plain) =
        take_while(|b: u8| !matches!(b, b'"' | b'\\' | b'\r' | b'\n' | 0)).parse(i)?;
    let mut owned: Option<Vec<u8>> = None;
    loop {
        match rest.split_first() {
            None => return fail(rest, DecodeErrorKind::Expected { what: "'\"'" }),
            Some((b'"', after)) => {
                let value = match owned {
                    Some(v) => Cow::Owned(v),
                    None => Cow::Borrowed(plain),
                };
                return Ok((after, value));
            }
            Some((b'\\', after)) => match after.split_first() {
                None => {
                    return fail(
                        after,
                        DecodeErrorKind::Expected {
                            what: "'\"' or '\\'",
                        },
                    );
                }
                Some((&c @ (b'"' | b'\\'), after)) => {
                    owned.get_or_insert_with(|| plain.to_vec()).push(c);
                    let (after, run) =
                        take_while(|b: u8| !matches!(b, b'"' | b'\\' | b'\r' | b'\n' | 0))
                            .parse(after)?;
                    if let Some(v) = owned.as_mut() {
                        v.extend_from_slice(run);
                    }
                    rest = after;
                }
                Some(_) => {
                    return Err(nom::Err::Failure(Failure {
                        at: after,
                        kind: DecodeErrorKind::InvalidEscape,
                    }));
                }
            },
            Some((0, _)) => {
                return Err(nom::Err::Failure(Failure {
                    at: rest,
                    kind: DecodeErrorKind::Nul,
                }));
            }
            Some(_) => {
                return Err(nom::Err::Failure(Failure {
                    at: rest,
                    kind: DecodeErrorKind::Expected { what: "'\"'" },
                }));
            }
        }
    }
}

/// `mailbox = "INBOX" / astring`, `astring = 1*ASTRING-CHAR / string`,
/// `string = quoted / literal` (RFC 9051 §9).
fn mailbox_p(i: &[u8]) -> PResult<'_, Mailbox<'_>> {
    let (rest, bytes) = match i.split_first() {
        Some((b'"', after)) => quoted_body(after)?,
        Some((b'{', _)) => {
            return Err(nom::Err::Failure(Failure {
                at: i,
                kind: DecodeErrorKind::UnsupportedLiteral,
            }));
        }
        _ => {
            let (rest, a) = chars(i, is_astring_char, "mailbox")?;
            (rest, Cow::Borrowed(a))
        }
    };
    match Mailbox::from_bytes(bytes) {
        Ok(m) => Ok((rest, m)),
        // The grammar above lets no CR, LF or NUL through.
        Err(_) => fail(i, DecodeErrorKind::Expected { what: "mailbox" }),
    }
}

/// Decodes a mailbox name (RFC 9051 §9): `mailbox = "INBOX" / astring`,
/// as an atom-like `1*ASTRING-CHAR` or a quoted string; any case of `INBOX`
/// is [`Mailbox::Inbox`]. Literals are not read yet
/// ([`DecodeErrorKind::UnsupportedLiteral`]). The name is kept as sent; see
/// [`Mailbox::to_name`] for modified UTF-7.
///
/// ```
/// use mailwire_imap::decode;
/// use mailwire_imap::types::Mailbox;
/// let (m, used) = decode::mailbox(b"\"My \\\"Mail\\\"\" ").unwrap().complete().unwrap();
/// assert_eq!((m.as_bytes(), used), (&b"My \"Mail\""[..], 13));
/// let (m, _) = decode::mailbox(b"inbox ").unwrap().complete().unwrap();
/// assert_eq!(m, Mailbox::Inbox);
/// ```
pub fn mailbox(input: &[u8]) -> Result<Decoded<Mailbox<'_>>, DecodeError> {
    // A quoted string is complete at its closing quote.
    if input.first() == Some(&b'"') {
        return match mailbox_p(input) {
            Ok((rest, value)) => Ok(Decoded::Complete {
                value,
                consumed: offset_of(input, rest),
            }),
            Err(nom::Err::Error(f)) if f.at.is_empty() => Ok(Decoded::Incomplete),
            Err(nom::Err::Error(f) | nom::Err::Failure(f)) => {
                Err(DecodeError::in_line(input, offset_of(input, f.at), f.kind))
            }
            Err(nom::Err::Incomplete(_)) => Ok(Decoded::Incomplete),
        };
    }
    token(input, mailbox_p)
}

/// `greeting = "*" SP (resp-cond-auth / resp-cond-bye) CRLF`,
/// `resp-cond-auth = ("OK" / "PREAUTH") SP resp-text`,
/// `resp-cond-bye = "BYE" SP resp-text` (RFC 9051 §7.1, §9), one line
/// without its line end. Status words are case-insensitive; runs of SP are
/// accepted where one is required, and the SP before a missing text may be
/// missing too.
fn greeting_line(line: &[u8]) -> Result<Greeting<'_>, (usize, DecodeErrorKind)> {
    if let Some(i) = memchr::memchr2(b'\r', 0, line) {
        let kind = if line[i] == 0 {
            DecodeErrorKind::Nul
        } else {
            DecodeErrorKind::BareCr
        };
        return Err((i, kind));
    }
    let Some(after_star) = line.strip_prefix(b"*") else {
        return Err((0, DecodeErrorKind::Expected { what: "'*'" }));
    };
    let spaces = |i| take_while1::<_, _, Failure<'_>>(|b| b == b' ').parse(i);
    let Ok((i, _)) = spaces(after_star) else {
        return Err((1, DecodeErrorKind::Expected { what: "SP" }));
    };
    let word = take_while1::<_, _, Failure<'_>>(|b: u8| b.is_ascii_alphabetic()).parse(i);
    let kind_at = offset_of(line, i);
    let (i, kind) = match word {
        Ok((rest, w)) if w.eq_ignore_ascii_case(b"OK") => (rest, GreetingKind::Ok),
        Ok((rest, w)) if w.eq_ignore_ascii_case(b"PREAUTH") => (rest, GreetingKind::PreAuth),
        Ok((rest, w)) if w.eq_ignore_ascii_case(b"BYE") => (rest, GreetingKind::Bye),
        _ => return Err((kind_at, DecodeErrorKind::NotAGreeting)),
    };
    let i = match spaces(i) {
        Ok((rest, _)) => rest,
        Err(_) if i.is_empty() => i,
        Err(_) => return Err((offset_of(line, i), DecodeErrorKind::Expected { what: "SP" })),
    };
    let (code, text) = response::P::resp_text_at(line, offset_of(line, i));
    Ok(Greeting::from_wire(kind, code, text))
}

/// Decodes the server greeting from the start of `input` (RFC 9051 §7.1):
///
/// ```text
/// greeting       = "*" SP (resp-cond-auth / resp-cond-bye) CRLF
/// resp-cond-auth = ("OK" / "PREAUTH") SP resp-text
/// resp-cond-bye  = "BYE" SP resp-text
/// ```
///
/// Response codes never fail the line: one that is not understood is kept as
/// [`Code::Other`](crate::types::Code::Other), and a `[` that does not open a code is text. Only the
/// line is read; what follows it is left for the response decoder.
///
/// ```
/// use mailwire_imap::{decode, Limits};
/// use mailwire_imap::types::{Capability, GreetingKind};
/// let input = b"* OK [CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI] Capabilities\r\n";
/// let (g, used) = decode::greeting(input, &Limits::default()).unwrap().complete().unwrap();
/// assert_eq!(used, input.len());
/// assert_eq!(g.kind(), GreetingKind::Ok);
/// assert_eq!(g.capabilities().unwrap()[0], Capability::Imap4Rev2);
/// assert_eq!(g.text().as_bytes(), b"Capabilities");
/// ```
pub fn greeting<'a>(
    input: &'a [u8],
    limits: &Limits,
) -> Result<Decoded<Greeting<'a>>, DecodeError> {
    match frame::line(input, 0, limits.line_length) {
        Line::Partial => Ok(Decoded::Incomplete),
        Line::TooLong => Err(DecodeError::in_line(
            input,
            0,
            DecodeErrorKind::LineTooLong {
                limit: limits.line_length,
            },
        )),
        Line::Complete { end, content_end } => match greeting_line(&input[..content_end]) {
            Ok(value) => Ok(Decoded::Complete {
                value,
                consumed: end,
            }),
            Err((at, kind)) => Err(DecodeError::new(at, kind, end)),
        },
    }
}

/// Decodes the greeting at the start of a byte stream that arrives in chunks
/// of any size.
///
/// Bytes are scanned once: the decoder remembers how far it has looked for
/// the line end, so the total work is linear in the stream whatever the
/// chunking. A line over the limit is reported as soon as the limit is
/// passed, and the rest of it is skipped without being buffered. A line that
/// is not a greeting is reported and dropped, and the next line is tried.
/// After the greeting, the decoder returns nothing more and keeps the bytes
/// that follow for the response decoder ([`take_buffered`](Self::take_buffered)).
/// Error offsets count from the start of the stream.
///
/// ```
/// use mailwire_imap::{decode::GreetingDecoder, Limits};
/// let mut decoder = GreetingDecoder::new(Limits::default());
/// decoder.push(b"* PREAUTH IMAP4rev2 server lo");
/// assert!(decoder.next_greeting().is_none()); // waits for the rest
/// decoder.push(b"gged in as Smith\r\n* 3 EXISTS\r\n");
/// let greeting = decoder.next_greeting().unwrap().unwrap();
/// assert_eq!(greeting.text().as_bytes(), b"IMAP4rev2 server logged in as Smith");
/// assert!(decoder.next_greeting().is_none());
/// assert_eq!(decoder.buffered(), b"* 3 EXISTS\r\n");
/// ```
#[derive(Debug)]
pub struct GreetingDecoder {
    limits: Limits,
    buf: BytesMut,
    /// Stream offset of `buf[0]`.
    base: usize,
    /// Bytes of `buf` known to hold no LF.
    searched: usize,
    /// Dropping input up to the next LF after an over-long line.
    skipping: bool,
    /// The greeting has been returned.
    done: bool,
}

impl GreetingDecoder {
    /// A decoder enforcing `limits`.
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            buf: BytesMut::new(),
            base: 0,
            searched: 0,
            skipping: false,
            done: false,
        }
    }

    /// Appends bytes received from the server.
    pub fn push(&mut self, mut data: &[u8]) {
        if self.skipping {
            match memchr::memchr(b'\n', data) {
                Some(i) => {
                    self.skipping = false;
                    self.base += i + 1;
                    data = &data[i + 1..];
                }
                None => {
                    self.base += data.len();
                    return;
                }
            }
        }
        self.buf.extend_from_slice(data);
    }

    /// True once the greeting has been returned.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Stream offset of the first byte not yet returned as part of a
    /// greeting or error: where the next line starts.
    pub fn offset(&self) -> usize {
        self.base
    }

    /// Bytes received but not yet decoded (after the greeting: everything
    /// that followed it).
    pub fn buffered(&self) -> &[u8] {
        &self.buf
    }

    /// Takes the bytes not yet decoded, leaving the decoder empty.
    pub fn take_buffered(&mut self) -> BytesMut {
        self.base += self.buf.len();
        self.searched = 0;
        self.buf.split()
    }

    /// The greeting, `None` when more bytes are needed (or the greeting was
    /// already returned), or an error after which decoding resumes at the
    /// next line.
    pub fn next_greeting(&mut self) -> Option<Result<Greeting<'static>, DecodeError>> {
        if self.done {
            return None;
        }
        match frame::line_from(&self.buf, 0, self.searched, self.limits.line_length) {
            Line::Partial => {
                self.searched = self.buf.len();
                None
            }
            Line::TooLong => {
                let limit = self.limits.line_length;
                // Reported the same whatever the chunking: the decoder drops
                // the rest of the line itself.
                let err = DecodeError {
                    until_line_end: true,
                    ..DecodeError::new(self.base, DecodeErrorKind::LineTooLong { limit }, limit)
                };
                let beyond = self.buf.get(limit..).unwrap_or_default();
                match memchr::memchr(b'\n', beyond) {
                    Some(i) => self.consume(limit + i + 1),
                    None => {
                        self.consume(self.buf.len());
                        self.skipping = true;
                    }
                }
                Some(Err(err))
            }
            Line::Complete { end, content_end } => {
                let result = match greeting_line(&self.buf[..content_end]) {
                    Ok(g) => {
                        self.done = true;
                        Ok(g.into_owned())
                    }
                    Err((at, kind)) => Err(DecodeError::new(at, kind, end).shifted(self.base)),
                };
                self.consume(end);
                Some(result)
            }
        }
    }

    fn consume(&mut self, n: usize) {
        self.buf.advance(n);
        self.base += n;
        self.searched = 0;
    }
}
