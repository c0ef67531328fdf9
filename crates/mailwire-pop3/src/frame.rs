//! Line framing with a length limit, the stage that runs before any grammar
//! (shared with the other protocol crates), and the framing of dot-stuffed multi-line bodies.

use std::sync::LazyLock;

use memchr::memmem::Finder;

pub(crate) use mailwire_core::line::{Line, line, line_from, searched};

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
    fn finds_the_next_line_feed() {
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
