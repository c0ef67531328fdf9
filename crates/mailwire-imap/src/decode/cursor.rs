//! The byte cursor under the command and response grammars: position,
//! failures, and the tokens both directions read the same way (RFC 9051
//! §9). What the two directions read differently (quoted strings, lists,
//! `nz-number`) stays with each grammar, in an `impl` block of its own
//! for `Cursor<Command>` or `Cursor<Response>`.

use std::marker::PhantomData;
use std::num::NonZeroU32;

use super::response::PErr;
use super::{DecodeErrorKind, sequence_set_p};
use crate::Limits;
use crate::types::{Atom, PartialRange, SequenceSet, is_astring_char, is_atom_char};

pub(crate) type R<T> = Result<T, PErr>;

/// The grammar of client commands (RFC 9051 §6).
pub(crate) struct CommandGrammar;

/// The grammar of server responses (RFC 9051 §7).
pub(crate) struct ResponseGrammar;

/// A cursor over a message (a command or a response, as `G` says) that
/// the framer found complete.
pub(crate) struct Cursor<'a, 'l, G> {
    pub(super) s: &'a [u8],
    pub(super) pos: usize,
    pub(super) limits: &'l Limits,
    grammar: PhantomData<G>,
}

impl<'a, 'l, G> Cursor<'a, 'l, G> {
    pub(super) fn new(s: &'a [u8], pos: usize, limits: &'l Limits) -> Self {
        Self {
            s,
            pos,
            limits,
            grammar: PhantomData,
        }
    }

    /// Fails here: `what` was expected.
    pub(super) fn fail<T>(&self, what: &'static str) -> R<T> {
        Err(PErr {
            at: self.pos,
            kind: DecodeErrorKind::Expected { what },
        })
    }

    /// Fails at `at` with `kind`.
    pub(super) fn fail_at<T>(&self, at: usize, kind: DecodeErrorKind) -> R<T> {
        Err(PErr { at, kind })
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    pub(super) fn peek_at(&self, n: usize) -> Option<u8> {
        self.s.get(self.pos + n).copied()
    }

    pub(super) fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }

    /// Reads `b` when it comes next, and tells whether it did.
    pub(super) fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Reads `b`, or fails: `what` was expected.
    pub(super) fn expect(&mut self, b: u8, what: &'static str) -> R<()> {
        if self.eat(b) { Ok(()) } else { self.fail(what) }
    }

    /// Zero or more SP.
    pub(super) fn skip_sp(&mut self) {
        while let Some(b' ') = self.s.get(self.pos) {
            self.pos += 1;
        }
    }

    /// `SP`, read tolerantly as one or more.
    pub(super) fn sp(&mut self) -> R<()> {
        if self.peek() != Some(b' ') {
            return self.fail("SP");
        }
        self.skip_sp();
        Ok(())
    }

    /// Reads SP when it follows, and tells whether it did.
    pub(super) fn eat_sp(&mut self) -> bool {
        if self.peek() == Some(b' ') {
            self.skip_sp();
            true
        } else {
            false
        }
    }

    /// The longest run of bytes that satisfy `ok`, maybe empty.
    pub(super) fn take_while(&mut self, ok: impl Fn(u8) -> bool) -> &'a [u8] {
        let rest = self.s.get(self.pos..).unwrap_or_default();
        let len = rest.iter().position(|&b| !ok(b)).unwrap_or(rest.len());
        self.pos += len;
        rest.get(..len).unwrap_or_default()
    }

    /// [`take_while`](Self::take_while), at least one byte: `what`.
    pub(super) fn take_while1(
        &mut self,
        ok: impl Fn(u8) -> bool,
        what: &'static str,
    ) -> R<&'a [u8]> {
        let t = self.take_while(ok);
        if t.is_empty() { self.fail(what) } else { Ok(t) }
    }

    /// `atom = 1*ATOM-CHAR` (RFC 9051 §9).
    pub(super) fn atom(&mut self, what: &'static str) -> R<Atom<'a>> {
        self.take_while1(is_atom_char, what).map(Atom::from_wire)
    }

    /// Reads `word` (case-insensitively) when it comes next as a whole
    /// token: not followed by a byte for which `continues` holds.
    pub(super) fn keyword_before(&mut self, word: &[u8], continues: fn(u8) -> bool) -> bool {
        let end = self.pos + word.len();
        match self.s.get(self.pos..end) {
            Some(w)
                if w.eq_ignore_ascii_case(word)
                    && !self.s.get(end).copied().is_some_and(continues) =>
            {
                self.pos = end;
                true
            }
            _ => false,
        }
    }

    /// `1*DIGIT`.
    pub(super) fn digits(&mut self) -> R<&'a [u8]> {
        self.take_while1(|b| b.is_ascii_digit(), "number")
    }

    /// `1*DIGIT` as a number at most `max`; a larger one is
    /// [`InvalidNumber`](DecodeErrorKind::InvalidNumber) at its start.
    pub(super) fn number_upto(&mut self, max: u64) -> R<u64> {
        let start = self.pos;
        let d = self.digits()?;
        d.iter()
            .try_fold(0u64, |v, &c| {
                v.checked_mul(10)?.checked_add(u64::from(c - b'0'))
            })
            .filter(|&n| n <= max)
            .map_or_else(|| self.fail_at(start, DecodeErrorKind::InvalidNumber), Ok)
    }

    /// `number = 1*DIGIT` below 2^32 (RFC 9051 §9).
    pub(super) fn number(&mut self) -> R<u32> {
        let start = self.pos;
        let n = self.number_upto(u64::from(u32::MAX))?;
        u32::try_from(n).map_or_else(|_| self.fail_at(start, DecodeErrorKind::InvalidNumber), Ok)
    }

    /// Fails when a list already holds as many items as the limit allows.
    pub(super) fn check_items(&self, len: usize) -> R<()> {
        if len >= self.limits.list_items.max(1) {
            return self.fail_at(
                self.pos,
                DecodeErrorKind::TooManyItems {
                    limit: self.limits.list_items,
                },
            );
        }
        Ok(())
    }

    /// Fails when `depth` open levels reach the nesting limit.
    pub(super) fn check_depth(&self, depth: usize) -> R<()> {
        if depth >= self.limits.nesting_depth {
            return self.fail_at(
                self.pos,
                DecodeErrorKind::TooDeep {
                    limit: self.limits.nesting_depth,
                },
            );
        }
        Ok(())
    }

    /// `sequence-set` (RFC 9051 §9, RFC 5182).
    pub(super) fn sequence_set(&mut self) -> R<SequenceSet> {
        let rest = self.s.get(self.pos..).unwrap_or_default();
        match sequence_set_p(rest, self.limits.list_items.max(1)) {
            Ok((after, set)) => {
                self.pos += rest.len() - after.len();
                Ok(set)
            }
            Err(nom::Err::Error(f) | nom::Err::Failure(f)) => {
                let at = self.pos + (rest.len() - f.at.len());
                self.fail_at(at, f.kind)
            }
            Err(nom::Err::Incomplete(_)) => self.fail("sequence set"),
        }
    }

    /// `partial-range = partial-range-first / partial-range-last`,
    /// `partial-range-first = nz-number ":" nz-number`,
    /// `partial-range-last = MINUS nz-number ":" MINUS nz-number`
    /// (RFC 9394 §4): both ends non-zero, of the same sign.
    pub(super) fn partial_range(&mut self) -> R<PartialRange> {
        let from_end = self.eat(b'-');
        let at = self.pos;
        let first = NonZeroU32::new(self.number()?);
        self.expect(b':', "':'")?;
        if self.peek() == Some(b'-') && !from_end {
            return self.fail("nz-number (both ends of a partial-range are positive)");
        }
        if from_end && !self.eat(b'-') {
            return self.fail("'-' (both ends of a partial-range are negative)");
        }
        let at_last = self.pos;
        let last = NonZeroU32::new(self.number()?);
        match (first, last) {
            (Some(first), Some(last)) => Ok(PartialRange::from_parts(first, last, from_end)),
            (None, _) => self.fail_at(at, DecodeErrorKind::InvalidNumber),
            (_, None) => self.fail_at(at_last, DecodeErrorKind::InvalidNumber),
        }
    }

    /// The data of a `literal` from its `{` at the cursor: `"{" number64
    /// ["+"] "}" CRLF *CHAR8` (RFC 9051 §9, RFC 7888; the `~` of a
    /// `literal8`, RFC 3516, already read from `start`), its size at most
    /// `max`. The data is borrowed; a bare LF after `}` is tolerated.
    pub(super) fn literal_from(&mut self, start: usize, max: u64) -> R<&'a [u8]> {
        self.expect(b'{', "'{'")?;
        let size = self.number_upto(max)?;
        self.eat(b'+');
        self.expect(b'}', "'}'")?;
        self.eat(b'\r');
        self.expect(b'\n', "CRLF after a literal announcement")?;
        let data = usize::try_from(size)
            .ok()
            .and_then(|n| self.pos.checked_add(n))
            .and_then(|end| Some((end, self.s.get(self.pos..end)?)));
        match data {
            Some((end, data)) => {
                self.pos = end;
                Ok(data)
            }
            None => self.fail_at(
                start,
                DecodeErrorKind::Expected {
                    what: "literal data",
                },
            ),
        }
    }

    /// True when the next token is `NIL`.
    pub(super) fn at_nil(&self) -> bool {
        match self.s.get(self.pos..) {
            Some([n, i, l, rest @ ..]) => {
                (n | 0x20) == b'n'
                    && (i | 0x20) == b'i'
                    && (l | 0x20) == b'l'
                    && !rest.first().copied().is_some_and(is_astring_char)
            }
            _ => false,
        }
    }

    /// Reads `NIL` when it comes next, and tells whether it did.
    pub(super) fn eat_nil(&mut self) -> bool {
        let nil = self.at_nil();
        if nil {
            self.pos += 3;
        }
        nil
    }
}
