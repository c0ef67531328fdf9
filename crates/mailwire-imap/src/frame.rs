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

/// Finds the end of the line starting at `start`, looking for its LF only
/// from `from` on (bytes before `from` are known to hold none), so a caller
/// that remembers how far it looked scans each byte once. A line, its
/// terminator included, may be at most `limit` bytes.
pub(crate) fn line_from(input: &[u8], start: usize, from: usize, limit: usize) -> Line {
    let window_end = input.len().min(start.saturating_add(limit));
    let from = from.max(start);
    let window = input.get(from..window_end).unwrap_or_default();
    match memchr::memchr(b'\n', window) {
        Some(i) => {
            let lf = from + i;
            Line::Complete {
                end: lf + 1,
                content_end: if lf > start && input[lf - 1] == b'\r' {
                    lf - 1
                } else {
                    lf
                },
            }
        }
        None if input.len().saturating_sub(start) >= limit => Line::TooLong,
        None => Line::Partial,
    }
}

/// [`line_from`] looking from the start of the line.
pub(crate) fn line(input: &[u8], start: usize, limit: usize) -> Line {
    line_from(input, start, start, limit)
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
        assert_eq!(
            line_from(b"ab\r\ncd\r\n", 0, 3, 10),
            Line::Complete {
                end: 4,
                content_end: 2
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
