//! Line and response framing with limits, the stage that runs before any
//! grammar.

use crate::Limits;

pub(crate) use mailwire_core::line::{Line, line, line_from};

/// What the first line of a response says about literals in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The first line is not complete yet.
    Unknown,
    /// A status response, a continuation request, or data whose grammar
    /// has no strings: the response is one line, and a `{n}` at its end is
    /// text.
    Line,
    /// Data whose grammar has strings: a `{n}` ending a line, outside a
    /// quoted string and standing as a token, announces a literal.
    Literals,
}

/// Why framing stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FrameErrorKind {
    /// A line longer than the limit; it starts at the error's offset.
    LineTooLong,
    /// A literal of `size` octets announced on the line that ends at
    /// `line_end`, over the literal limit (or the message limit).
    Literal {
        /// Announced size.
        size: u64,
        /// Offset just past the announcing line.
        line_end: usize,
        /// The literal limit, not the message limit, was passed.
        literal_limit: bool,
    },
    /// The response grew over the message limit.
    MessageTooLarge,
    /// A command's synchronizing literal of `size` octets, announced on
    /// the line that ends at `line_end`, over the literal limit (or the
    /// message limit): the client waits for a continuation that will not
    /// come, so the command ends with that line.
    SyncLiteral {
        /// Announced size.
        size: u64,
        /// Offset just past the announcing line.
        line_end: usize,
        /// The literal limit, not the message limit, was passed.
        literal_limit: bool,
    },
    /// A command's non-synchronizing literal the negotiated mode refuses
    /// (RFC 7888): larger than `limit`, or any when `limit` is `None`.
    NonSyncLiteral {
        /// Announced size.
        size: u64,
        /// Offset just past the announcing line.
        line_end: usize,
        /// The largest allowed, `None` when none is.
        limit: Option<u64>,
    },
}

/// A framing error at `offset` (from the start of the response).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FrameError {
    pub(crate) offset: usize,
    pub(crate) kind: FrameErrorKind,
}

/// Where the framing of a response stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framed {
    /// The response is complete: it ends at `end` (past its last LF); its
    /// last line's content ends at `content_end`.
    Complete { end: usize, content_end: usize },
    /// More bytes are needed.
    Partial,
    /// The response breaks a limit.
    Error(FrameError),
}

/// Finds where a server response ends, its literals included (RFC 9051
/// §4.3, §7: `literal = "{" number64 ["+"] "}" CRLF *CHAR8`, `literal8 =
/// "~{" number64 "}" CRLF *OCTET`).
///
/// The response starts at offset 0 of the buffer given to [`advance`]; the
/// framer remembers how far it got, so each byte is looked at once (plus
/// once more for a line that ends in `}`) however the bytes arrive. Literal
/// bytes are counted, never stored or reserved.
///
/// [`advance`]: ResponseFramer::advance
#[derive(Debug, Clone)]
pub(crate) struct ResponseFramer {
    /// Start of the current line, or the position inside a literal.
    line_start: usize,
    /// Bytes from `line_start` to here hold no LF.
    searched: usize,
    /// Literal bytes still to come.
    literal_left: u64,
    kind: Kind,
}

impl ResponseFramer {
    pub(crate) fn new() -> Self {
        Self {
            line_start: 0,
            searched: 0,
            literal_left: 0,
            kind: Kind::Unknown,
        }
    }

    /// Offset up to which the bytes are fully framed (complete lines and
    /// literal bytes).
    pub(crate) fn framed(&self) -> usize {
        self.line_start
    }

    /// Bytes of the literal being framed that have not arrived yet (0 when
    /// not inside a literal). The decoder may use it only to cap how far it
    /// grows its buffer, never to allocate.
    pub(crate) fn literal_pending(&self) -> u64 {
        self.literal_left
    }

    /// Forgets the first `n` framed bytes (`n <= framed()`), which the
    /// caller dropped.
    pub(crate) fn rebase(&mut self, n: usize) {
        self.line_start -= n;
        self.searched -= n;
    }

    /// Continues a response inside a literal of `size` bytes, which starts
    /// at offset 0 of the buffer from now on.
    pub(crate) fn in_literal(size: u64) -> Self {
        Self {
            line_start: 0,
            searched: 0,
            literal_left: size,
            kind: Kind::Literals,
        }
    }

    /// Frames as far as `buf` allows; `buf` holds the response from its
    /// start (minus what [`rebase`](Self::rebase) removed). With `check`
    /// false, no size limit is enforced (a response being discarded).
    pub(crate) fn advance(&mut self, buf: &[u8], limits: &Limits, check: bool) -> Framed {
        loop {
            if self.literal_left > 0 {
                let available = buf.len().saturating_sub(self.line_start);
                let take =
                    usize::try_from(self.literal_left).map_or(available, |l| l.min(available));
                self.line_start += take;
                self.searched = self.line_start;
                self.literal_left -= take as u64;
                if self.literal_left > 0 {
                    return Framed::Partial;
                }
            }
            match line_from(buf, self.line_start, self.searched, limits.line_length) {
                Line::Partial => {
                    self.searched = buf.len();
                    if check && buf.len() as u64 > limits.message_size {
                        return Framed::Error(FrameError {
                            offset: self.line_start,
                            kind: FrameErrorKind::MessageTooLarge,
                        });
                    }
                    return Framed::Partial;
                }
                Line::TooLong => {
                    // Whichever limit the bytes pass first decides, so
                    // that the error does not depend on how they arrived.
                    let window_end =
                        (self.line_start as u64).saturating_add(limits.line_length as u64);
                    let kind = if check && window_end > limits.message_size {
                        FrameErrorKind::MessageTooLarge
                    } else {
                        FrameErrorKind::LineTooLong
                    };
                    return Framed::Error(FrameError {
                        offset: self.line_start,
                        kind,
                    });
                }
                Line::Complete { end, content_end } => {
                    let line = &buf[self.line_start..content_end];
                    if self.kind == Kind::Unknown {
                        self.kind = classify(line);
                    }
                    if check && end as u64 > limits.message_size {
                        return Framed::Error(FrameError {
                            offset: self.line_start,
                            kind: FrameErrorKind::MessageTooLarge,
                        });
                    }
                    if self.kind == Kind::Literals
                        && let Some((open, size)) = trailing_literal(line)
                    {
                        let over_literal = size > limits.literal_size;
                        let total = (end as u64).saturating_add(size);
                        if check && (over_literal || total > limits.message_size) {
                            return Framed::Error(FrameError {
                                offset: self.line_start + open,
                                kind: FrameErrorKind::Literal {
                                    size,
                                    line_end: end,
                                    literal_limit: over_literal,
                                },
                            });
                        }
                        self.line_start = end;
                        self.searched = end;
                        self.literal_left = size;
                        continue;
                    }
                    return Framed::Complete { end, content_end };
                }
            }
        }
    }
}

/// The words that open untagged data without strings (RFC 9051 §9,
/// RFC 5161, RFC 5256, RFC 7162).
const LINE_DATA: &[&[u8]] = &[
    b"CAPABILITY",
    b"ENABLED",
    b"FLAGS",
    b"SEARCH",
    b"SORT",
    b"THREAD",
    b"VANISHED",
    b"EXISTS",
    b"RECENT",
    b"EXPUNGE",
];

/// Reads the start of a response's first line to tell whether literals may
/// follow: a continuation request, a tagged response and a status response
/// are free text; data is not.
fn classify(line: &[u8]) -> Kind {
    let word_end = |from: usize| {
        from + line
            .get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&b| !matches!(b, b' ' | b'(' | b'['))
            .count()
    };
    let skip_sp = |from: usize| {
        from + line
            .get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&b| b == b' ')
            .count()
    };
    if line.first() != Some(&b'*') || line.get(1).is_some_and(|&b| b != b' ') {
        // "+ …", "tag OK …": free text.
        return Kind::Line;
    }
    let start = skip_sp(1);
    let mut end = word_end(start);
    let mut word = &line[start..end];
    if !word.is_empty() && word.iter().all(u8::is_ascii_digit) {
        let start = skip_sp(end);
        end = word_end(start);
        word = &line[start..end];
    }
    let is = |w: &&[u8]| w.eq_ignore_ascii_case(word);
    if crate::types::StatusKind::from_word(word).is_some() || LINE_DATA.iter().any(is) {
        Kind::Line
    } else {
        Kind::Literals
    }
}

/// The literal announced at the end of `line` (`{n}`, `{n+}` or `~{n}`,
/// standing as a token after SP or `(` and outside a quoted string): where
/// its `{` is and its size (saturated at `u64::MAX`).
pub(crate) fn trailing_literal(line: &[u8]) -> Option<(usize, u64)> {
    let inner = line.strip_suffix(b"}")?;
    let open = memchr::memrchr(b'{', inner)?;
    let digits = &inner[open + 1..];
    let digits = digits.strip_suffix(b"+").unwrap_or(digits);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let token = if open > 0 && line[open - 1] == b'~' {
        open - 1
    } else {
        open
    };
    if token > 0 && !matches!(line[token - 1], b' ' | b'(') {
        return None;
    }
    if in_quoted(&line[..token]) {
        return None;
    }
    let size = digits.iter().fold(0u64, |v, &d| {
        v.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    });
    Some((open, size))
}

/// True when `line` ends inside a quoted string, read as the decoder reads
/// quoted strings: `\` escapes the next byte, and a `"` closes the string
/// only when SP, `)`, `]` or the end of the line follows (servers send
/// unescaped quotes inside strings).
fn in_quoted(line: &[u8]) -> bool {
    in_quoted_as(line, false)
}

/// [`in_quoted`], or with `strict`, as commands are read: every `"` that is
/// not escaped closes the string.
pub(crate) fn in_quoted_as(line: &[u8], strict: bool) -> bool {
    let mut i = 0;
    let mut quoted = false;
    while let Some(at) = memchr::memchr2(b'"', b'\\', line.get(i..).unwrap_or_default()) {
        let at = i + at;
        match (quoted, line[at]) {
            (false, b'"') => quoted = true,
            (true, b'\\') => {
                i = at + 2;
                continue;
            }
            (true, _) => {
                if strict || matches!(line.get(at + 1), None | Some(b' ' | b')' | b']')) {
                    quoted = false;
                }
            }
            (false, _) => {}
        }
        i = at + 1;
    }
    quoted
}

mod command;

pub(crate) use command::{CommandFramed, CommandFramer, NonSync};

#[cfg(test)]
mod response_tests {
    use super::*;

    fn frame(input: &[u8]) -> Framed {
        ResponseFramer::new().advance(input, &Limits::default(), true)
    }

    #[test]
    fn literals_only_where_strings_may_be() {
        let end = |input: &[u8]| match frame(input) {
            Framed::Complete { end, .. } => Some(end),
            _ => None,
        };
        assert_eq!(end(b"* NO foo{12}\r\n* 1 EXISTS\r\n"), Some(14));
        assert_eq!(end(b"A1 NO [TRYCREATE] Foo {12}\r\nabc"), Some(28));
        assert_eq!(end(b"+ {3}\r\n"), Some(7));
        assert_eq!(end(b"* 1 FETCH (BODY[] {3}\r\nabc)\r\n"), Some(29));
        assert_eq!(end(b"* 1 FETCH (BINARY[] ~{3}\r\na\0c)\r\n"), Some(32));
        assert_eq!(end(b"* 1 FETCH (X \"a {3}\r\n"), Some(21));
        assert_eq!(end(b"* 1 FETCH (X a{3}\r\n"), Some(19));
        assert_eq!(end(b"* LIST () \"/\" {3}\r\nabc\r\n"), Some(24));
        assert_eq!(frame(b"* 1 FETCH (BODY[] {3}\r\nab"), Framed::Partial);
        assert_eq!(frame(b"* 1 FETCH (BODY[] {3}\r\nabc)"), Framed::Partial);
    }

    #[test]
    fn resumes_where_it_stopped() {
        let input = b"* 1 FETCH (BODY[] {5}\r\nab\r\nc X {0}\r\n)\r\n";
        let mut f = ResponseFramer::new();
        for n in 0..input.len() {
            assert_eq!(
                f.advance(&input[..n], &Limits::default(), true),
                Framed::Partial
            );
        }
        assert!(matches!(
            f.advance(input, &Limits::default(), true),
            Framed::Complete { end, .. } if end == input.len()
        ));
    }

    #[test]
    fn quotes() {
        assert!(in_quoted(b"\"a"));
        assert!(!in_quoted(b"\"a\" "));
        assert!(in_quoted(b"\"a\\\" "));
        assert!(in_quoted(b"\"\"\"\"x"));
        assert!(!in_quoted(b"\"\"\"\" "));
    }
}
