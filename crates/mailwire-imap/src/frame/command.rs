//! Framing of client commands: lines and literals, and the points where a
//! synchronizing literal waits for the server's continuation request.

use super::{FrameError, FrameErrorKind, Line, in_quoted_as, line_from};
use crate::Limits;
use crate::types::Expect;

/// The non-synchronizing literals (`{n+}`) a server accepts (RFC 7888).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NonSync {
    /// None: neither `LITERAL+` nor `LITERAL-` is in effect.
    Refused,
    /// Up to this many octets (`LITERAL-`: 4096).
    UpTo(u64),
    /// Any size within the literal limit (`LITERAL+`).
    Any,
}

/// Where the framing of a command stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CommandFramed {
    /// The command is complete: it ends at `end` (past its last LF); its
    /// last line's content ends at `content_end`.
    Complete { end: usize, content_end: usize },
    /// More bytes are needed.
    Partial,
    /// A synchronizing literal of `size` octets was announced at `open` on
    /// the line that ends at `line_end`: the client waits for a
    /// continuation request before it sends the octets. Framing goes on
    /// inside the literal at the next call.
    Continuation {
        size: u64,
        open: usize,
        line_end: usize,
    },
    /// The command breaks a limit or the literal mode.
    Error(FrameError),
}

/// What the first line of a command says about literals in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Unknown,
    /// Commands whose grammar has no strings, `AUTHENTICATE` data and
    /// `DONE`: one line.
    Line,
    /// Commands whose grammar has strings.
    Literals,
}

/// The commands whose grammar has no string (RFC 9051 §9, RFC 5161,
/// RFC 2177, RFC 3691, RFC 2342, RFC 4978): a `{n}` ending their line is
/// not a literal.
const LINE_COMMANDS: &[&[u8]] = &[
    b"CAPABILITY",
    b"NOOP",
    b"LOGOUT",
    b"STARTTLS",
    b"AUTHENTICATE",
    b"ENABLE",
    b"IDLE",
    b"CHECK",
    b"CLOSE",
    b"UNSELECT",
    b"EXPUNGE",
    b"NAMESPACE",
    b"COMPRESS",
];

/// Reads the start of a command's first line (`tag SP name [SP name]`) to
/// tell whether literals may follow.
fn classify(line: &[u8]) -> Kind {
    let mut words = line.split(|&b| b == b' ').filter(|w| !w.is_empty());
    let _tag = words.next();
    let Some(mut name) = words.next() else {
        return Kind::Line;
    };
    if name.eq_ignore_ascii_case(b"UID") {
        match words.next() {
            Some(n) => name = n,
            None => return Kind::Line,
        }
    }
    if LINE_COMMANDS.iter().any(|c| c.eq_ignore_ascii_case(name)) {
        Kind::Line
    } else {
        Kind::Literals
    }
}

/// A literal announced at the end of a command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Announcement {
    /// Offset of its first byte (`{`, or `~` for a `literal8`).
    pub(crate) open: usize,
    /// The announced size, saturated at `u64::MAX`.
    pub(crate) size: u64,
    /// `{n}`, not `{n+}`: the client waits for a continuation request.
    pub(crate) sync: bool,
}

/// The literal announced at the end of `line` (RFC 9051 §9: `literal =
/// "{" number64 ["+"] "}" CRLF *CHAR8`, `literal8 = "~{" number64 ["+"]
/// "}" CRLF *OCTET`, RFC 7888), standing as a token after SP or `(` and
/// outside a quoted string (read strictly, as in commands).
pub(crate) fn announcement(line: &[u8]) -> Option<Announcement> {
    let inner = line.strip_suffix(b"}")?;
    let (inner, sync) = match inner.strip_suffix(b"+") {
        Some(inner) => (inner, false),
        None => (inner, true),
    };
    let open = memchr::memrchr(b'{', inner)?;
    let digits = &inner[open + 1..];
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
    if in_quoted_as(&line[..token], true) {
        return None;
    }
    let size = digits.iter().fold(0u64, |v, &d| {
        v.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    });
    Some(Announcement {
        open: token,
        size,
        sync,
    })
}

/// Finds where a client command ends, its literals included, and stops
/// at each synchronizing literal so that the server can send `+` first.
///
/// The command starts at offset 0 of the buffer given to
/// [`advance`](Self::advance); the framer remembers how far it got, so each
/// byte is looked at once (plus once more for a line ending in `}`)
/// however the bytes arrive. Literal bytes are counted, never stored.
#[derive(Debug, Clone)]
pub(crate) struct CommandFramer {
    line_start: usize,
    searched: usize,
    literal_left: u64,
    kind: Kind,
}

impl CommandFramer {
    pub(crate) fn new() -> Self {
        Self {
            line_start: 0,
            searched: 0,
            literal_left: 0,
            kind: Kind::Unknown,
        }
    }

    /// Continues a command inside a literal of `size` bytes, which starts
    /// at offset 0 of the buffer from now on.
    pub(crate) fn in_literal(size: u64) -> Self {
        Self {
            line_start: 0,
            searched: 0,
            literal_left: size,
            kind: Kind::Literals,
        }
    }

    /// Offset up to which the bytes are framed.
    pub(crate) fn framed(&self) -> usize {
        self.line_start
    }

    /// Forgets the first `n` framed bytes (`n <= framed()`).
    pub(crate) fn rebase(&mut self, n: usize) {
        self.line_start -= n;
        self.searched -= n;
    }

    /// Frames as far as `buf` allows. With `check` false (a command being
    /// discarded), no limit is enforced and a synchronizing literal ends
    /// the command (its client waits for a continuation that will not
    /// come).
    pub(crate) fn advance(
        &mut self,
        buf: &[u8],
        limits: &Limits,
        non_sync: NonSync,
        expect: Expect,
        check: bool,
    ) -> CommandFramed {
        loop {
            if self.literal_left > 0 {
                let available = buf.len().saturating_sub(self.line_start);
                let take =
                    usize::try_from(self.literal_left).map_or(available, |l| l.min(available));
                self.line_start += take;
                self.searched = self.line_start;
                self.literal_left -= take as u64;
                if self.literal_left > 0 {
                    return CommandFramed::Partial;
                }
            }
            match line_from(buf, self.line_start, self.searched, limits.line_length) {
                Line::Partial => {
                    self.searched = buf.len();
                    if check && buf.len() as u64 > limits.message_size {
                        return CommandFramed::Error(FrameError {
                            offset: self.line_start,
                            kind: FrameErrorKind::MessageTooLarge,
                        });
                    }
                    return CommandFramed::Partial;
                }
                Line::TooLong => {
                    let window_end =
                        (self.line_start as u64).saturating_add(limits.line_length as u64);
                    let kind = if check && window_end > limits.message_size {
                        FrameErrorKind::MessageTooLarge
                    } else {
                        FrameErrorKind::LineTooLong
                    };
                    return CommandFramed::Error(FrameError {
                        offset: self.line_start,
                        kind,
                    });
                }
                Line::Complete { end, content_end } => {
                    let line = &buf[self.line_start..content_end];
                    if check && end as u64 > limits.message_size {
                        return CommandFramed::Error(FrameError {
                            offset: self.line_start,
                            kind: FrameErrorKind::MessageTooLarge,
                        });
                    }
                    // Only a line ending in `}` can announce a literal; a
                    // first line that does not ends the command, so the
                    // command is classified only when it matters.
                    if line.last() != Some(&b'}') {
                        return CommandFramed::Complete { end, content_end };
                    }
                    if self.kind == Kind::Unknown {
                        self.kind = match expect {
                            Expect::Command => classify(line),
                            Expect::AuthenticateData | Expect::IdleDone => Kind::Line,
                        };
                    }
                    if self.kind == Kind::Literals
                        && let Some(a) = announcement(line)
                    {
                        let open = self.line_start + a.open;
                        let over_literal = a.size > limits.literal_size;
                        let over_message =
                            (end as u64).saturating_add(a.size) > limits.message_size;
                        if a.sync && !check {
                            return CommandFramed::Complete { end, content_end };
                        }
                        if check {
                            let refused = match non_sync {
                                _ if a.sync => None,
                                NonSync::Refused => Some(None),
                                NonSync::UpTo(max) if a.size > max => Some(Some(max)),
                                _ => None,
                            };
                            if let Some(limit) = refused {
                                return CommandFramed::Error(FrameError {
                                    offset: open,
                                    kind: FrameErrorKind::NonSyncLiteral {
                                        size: a.size,
                                        line_end: end,
                                        limit,
                                    },
                                });
                            }
                            if over_literal || over_message {
                                let (size, line_end, literal_limit) = (a.size, end, over_literal);
                                let kind = if a.sync {
                                    FrameErrorKind::SyncLiteral {
                                        size,
                                        line_end,
                                        literal_limit,
                                    }
                                } else {
                                    FrameErrorKind::Literal {
                                        size,
                                        line_end,
                                        literal_limit,
                                    }
                                };
                                return CommandFramed::Error(FrameError { offset: open, kind });
                            }
                        }
                        self.line_start = end;
                        self.searched = end;
                        self.literal_left = a.size;
                        if a.sync {
                            return CommandFramed::Continuation {
                                size: a.size,
                                open,
                                line_end: end,
                            };
                        }
                        continue;
                    }
                    return CommandFramed::Complete { end, content_end };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8], non_sync: NonSync) -> Vec<CommandFramed> {
        let mut f = CommandFramer::new();
        let mut out = Vec::new();
        loop {
            let r = f.advance(input, &Limits::default(), non_sync, Expect::Command, true);
            out.push(r);
            if !matches!(r, CommandFramed::Continuation { .. }) {
                return out;
            }
        }
    }

    #[test]
    fn literals_and_continuations() {
        let input = b"A1 LOGIN {3}\r\nabc {2+}\r\nxy\r\n";
        assert_eq!(
            run(input, NonSync::Any),
            [
                CommandFramed::Continuation {
                    size: 3,
                    open: 9,
                    line_end: 14
                },
                CommandFramed::Complete {
                    end: input.len(),
                    content_end: input.len() - 2
                }
            ]
        );
        assert!(matches!(
            run(b"A1 NOOP {3}\r\n", NonSync::Any)[..],
            [CommandFramed::Complete { end: 13, .. }]
        ));
        assert!(matches!(
            run(b"A1 LOGIN \"{3}\r\n", NonSync::Any)[..],
            [CommandFramed::Complete { end: 15, .. }]
        ));
        assert!(matches!(
            run(b"A1 LOGIN a{3}\r\n", NonSync::Any)[..],
            [CommandFramed::Complete { end: 15, .. }]
        ));
        let r = run(b"A1 APPEND x {5000+}\r\n", NonSync::UpTo(4096));
        assert!(matches!(
            r[..],
            [CommandFramed::Error(FrameError {
                offset: 12,
                kind: FrameErrorKind::NonSyncLiteral {
                    size: 5000,
                    limit: Some(4096),
                    ..
                }
            })]
        ));
        assert_eq!(classify(b"a uid expunge 1"), Kind::Line);
        assert_eq!(classify(b"a UID FETCH 1"), Kind::Literals);
        assert_eq!(classify(b"a"), Kind::Line);
    }
}
