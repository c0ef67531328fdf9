//! Line framing with a length limit, the stage that runs before any grammar,
//! and the framing of dot-stuffed multi-line bodies.

use std::sync::LazyLock;

use memchr::memmem::Finder;

/// Where the line that starts at some offset ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Line {
    /// The line is complete.
    Complete {
        /// Offset just past its LF.
        end: usize,
        /// Offset of its CR LF (or bare LF): where its content ends.
        content_end: usize,
    },
    /// No LF yet, and the limit has not been reached. `scanned` bytes after
    /// the line's start are known to hold no LF: the next search starts there.
    Partial {
        /// Bytes after the line's start that hold no LF.
        scanned: usize,
    },
    /// `limit` bytes without an LF: the line is too long, whatever follows.
    TooLong,
}

/// Finds the end of the line starting at `start`. A line, its terminator
/// included, may be at most `limit` bytes. The first `scanned` bytes of the
/// line are known to hold no LF and are not searched again; beyond them at
/// most `limit - scanned` bytes are searched, so the cost is bounded by the
/// limit, never by the input, and a stream fed in pieces is searched once.
pub(crate) fn line(input: &[u8], start: usize, scanned: usize, limit: usize) -> Line {
    let rest = input.get(start..).unwrap_or_default();
    let window = rest.get(..rest.len().min(limit)).unwrap_or_default();
    let fresh = window.get(scanned..).unwrap_or_default();
    match memchr::memchr(b'\n', fresh) {
        Some(i) => {
            let i = scanned + i;
            let cr = i > 0 && window.get(i - 1) == Some(&b'\r');
            Line::Complete {
                end: start + i + 1,
                content_end: start + i - usize::from(cr),
            }
        }
        // An empty line start is never too long, even under a zero limit, so
        // a caller looping until `Partial` always ends.
        None if rest.len() >= limit && !rest.is_empty() => Line::TooLong,
        None => Line::Partial {
            scanned: window.len().max(scanned),
        },
    }
}

/// Offset just past the first LF at or after `from`, if there is one.
pub(crate) fn past_lf(input: &[u8], from: usize) -> Option<usize> {
    let rest = input.get(from..)?;
    memchr::memchr(b'\n', rest).map(|i| from + i + 1)
}

/// LF followed by the termination octet: where a multi-line body may need
/// unstuffing or may end.
static LF_DOT: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\n.").into_owned());

/// What comes next in a dot-stuffed multi-line body (RFC 1939 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyStep {
    /// The first `len` octets are content, to be taken as they are. After
    /// them the body is at a line start iff `ends_line`.
    Data { len: usize, ends_line: bool },
    /// A line starts with the termination octet and is not the end: that
    /// octet is to be dropped ("the first octet of the line ... is stripped
    /// away").
    StripDot,
    /// The terminating line, `.` CRLF (or, tolerantly, `.` LF), of `len`
    /// octets.
    End { len: usize },
    /// Nothing can be said until more input arrives.
    NeedMore,
}

/// The next step through a multi-line body whose remaining input is
/// `input`; `at_line_start` says whether `input` starts a line. Lines end
/// at LF (CRLF, or tolerantly a bare LF). The search for the next LF that
/// is followed by `.` uses `memchr::memmem`, so content between such places
/// is scanned at memory speed and never twice.
pub(crate) fn body_step(input: &[u8], at_line_start: bool) -> BodyStep {
    if at_line_start {
        match input {
            [] | [b'.'] | [b'.', b'\r'] => return BodyStep::NeedMore,
            [b'.', b'\n', ..] => return BodyStep::End { len: 2 },
            [b'.', b'\r', b'\n', ..] => return BodyStep::End { len: 3 },
            [b'.', ..] => return BodyStep::StripDot,
            _ => {}
        }
    }
    if input.is_empty() {
        return BodyStep::NeedMore;
    }
    match LF_DOT.find(input) {
        Some(i) => BodyStep::Data {
            len: i + 1,
            ends_line: true,
        },
        None => BodyStep::Data {
            len: input.len(),
            ends_line: input.last() == Some(&b'\n'),
        },
    }
}

/// Offset just past the terminating line of the multi-line body whose
/// remaining input is `input` (at a line start iff `at_line_start`), if it
/// is there.
pub(crate) fn body_end(input: &[u8], mut at_line_start: bool) -> Option<usize> {
    let mut pos = 0;
    loop {
        match body_step(input.get(pos..)?, at_line_start) {
            BodyStep::Data { len, ends_line } => {
                pos += len;
                at_line_start = ends_line;
            }
            BodyStep::StripDot => {
                pos += 1;
                at_line_start = false;
            }
            BodyStep::End { len } => return Some(pos + len),
            BodyStep::NeedMore => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_crlf_and_bare_lf() {
        assert_eq!(
            line(b"ab\r\ncd", 0, 0, 10),
            Line::Complete {
                end: 4,
                content_end: 2
            }
        );
        assert_eq!(
            line(b"ab\ncd\n", 3, 0, 10),
            Line::Complete {
                end: 6,
                content_end: 5
            }
        );
        assert_eq!(
            line(b"\n", 0, 0, 10),
            Line::Complete {
                end: 1,
                content_end: 0
            }
        );
    }

    #[test]
    fn limit_counts_the_terminator() {
        assert!(matches!(line(b"abc\r\n", 0, 0, 5), Line::Complete { .. }));
        assert_eq!(line(b"abcd\r\n", 0, 0, 5), Line::TooLong);
        assert_eq!(line(b"abcd", 0, 0, 5), Line::Partial { scanned: 4 });
        assert_eq!(line(b"abcde", 0, 0, 5), Line::TooLong);
        assert_eq!(line(b"", 0, 0, 5), Line::Partial { scanned: 0 });
        assert_eq!(line(b"ab", 7, 0, 5), Line::Partial { scanned: 0 });
        assert_eq!(line(b"", 0, 0, 0), Line::Partial { scanned: 0 });
        assert_eq!(line(b"\n", 0, 0, 0), Line::TooLong);
    }

    #[test]
    fn resumes_after_the_scanned_part() {
        // The CR before the LF is found even when it was scanned earlier.
        assert_eq!(
            line(b"ab\r\n", 0, 3, 10),
            Line::Complete {
                end: 4,
                content_end: 2
            }
        );
        // A scan that went past a smaller limit still counts as too long.
        assert_eq!(line(b"abcdefgh", 0, 8, 5), Line::TooLong);
        assert_eq!(past_lf(b"ab\ncd\n", 3), Some(6));
        assert_eq!(past_lf(b"ab", 3), None);
    }

    #[test]
    fn body_steps() {
        use BodyStep::*;
        assert_eq!(body_step(b"", true), NeedMore);
        assert_eq!(body_step(b"", false), NeedMore);
        assert_eq!(body_step(b".", true), NeedMore);
        assert_eq!(body_step(b".\r", true), NeedMore);
        assert_eq!(body_step(b".\r\n", true), End { len: 3 });
        assert_eq!(body_step(b".\nx", true), End { len: 2 });
        assert_eq!(body_step(b"..\r\n", true), StripDot);
        assert_eq!(body_step(b".\rx", true), StripDot);
        assert_eq!(
            body_step(b".", false),
            Data {
                len: 1,
                ends_line: false
            }
        );
        assert_eq!(
            body_step(b"ab\r\ncd\r\n.x", false),
            Data {
                len: 8,
                ends_line: true
            }
        );
        assert_eq!(
            body_step(b"ab\r\n", false),
            Data {
                len: 4,
                ends_line: true
            }
        );
        assert_eq!(
            body_step(b"ab\r\n", true),
            Data {
                len: 4,
                ends_line: true
            }
        );
        assert_eq!(body_end(b"a\r\n..\r\n.\r\nX", true), Some(10));
        assert_eq!(body_end(b".\r\n", false), None);
        assert_eq!(body_end(b"x\n.\n", false), Some(4));
        assert_eq!(body_end(b"x\r\n.\r", false), None);
    }
}
