//! Line framing with a length limit, the stage that runs before any grammar.

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
    /// No LF yet, and the limit has not been reached.
    Partial,
    /// `limit` bytes without an LF: the line is too long, whatever follows.
    TooLong,
}

/// Finds the end of the line starting at `start`. A line, its terminator
/// included, may be at most `limit` bytes; only that many are scanned, so the
/// cost is bounded by the limit, never by the input.
pub(crate) fn line(input: &[u8], start: usize, limit: usize) -> Line {
    let rest = input.get(start..).unwrap_or_default();
    let window = &rest[..rest.len().min(limit)];
    match memchr::memchr(b'\n', window) {
        Some(i) => Line::Complete {
            end: start + i + 1,
            content_end: if i > 0 && window[i - 1] == b'\r' {
                start + i - 1
            } else {
                start + i
            },
        },
        None if rest.len() >= limit => Line::TooLong,
        None => Line::Partial,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_crlf_and_bare_lf() {
        assert_eq!(
            line(b"ab\r\ncd", 0, 10),
            Line::Complete {
                end: 4,
                content_end: 2
            }
        );
        assert_eq!(
            line(b"ab\ncd\n", 3, 10),
            Line::Complete {
                end: 6,
                content_end: 5
            }
        );
    }

    #[test]
    fn limit_counts_the_terminator() {
        assert!(matches!(line(b"abc\r\n", 0, 5), Line::Complete { .. }));
        assert_eq!(line(b"abcd\r\n", 0, 5), Line::TooLong);
        assert_eq!(line(b"abcd", 0, 5), Line::Partial);
        assert_eq!(line(b"abcde", 0, 5), Line::TooLong);
        assert_eq!(line(b"", 0, 5), Line::Partial);
        assert_eq!(line(b"ab", 7, 5), Line::Partial);
    }
}
