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
    line_from(input, start, start, limit)
}

/// [`line`] for a caller that already searched `input[start..searched]` for
/// an LF without finding one: the search resumes at `searched`, so a line
/// that arrives in many small chunks is still scanned only once.
pub(crate) fn line_from(input: &[u8], start: usize, searched: usize, limit: usize) -> Line {
    let rest = input.get(start..).unwrap_or_default();
    let window = &rest[..rest.len().min(limit)];
    let skip = searched.saturating_sub(start).min(window.len());
    match memchr::memchr(b'\n', &window[skip..]) {
        Some(j) => {
            let i = skip + j;
            Line::Complete {
                end: start + i + 1,
                content_end: if i > 0 && window[i - 1] == b'\r' {
                    start + i - 1
                } else {
                    start + i
                },
            }
        }
        // Nothing to frame yet, whatever the limit (even zero).
        None if rest.is_empty() => Line::Partial,
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

    #[test]
    fn a_zero_limit_never_reports_empty_input() {
        assert_eq!(line(b"", 0, 0), Line::Partial);
        assert_eq!(line(b"a", 0, 0), Line::TooLong);
        assert_eq!(line(b"\n", 0, 0), Line::TooLong);
    }

    #[test]
    fn search_resumes_where_it_stopped() {
        assert_eq!(
            line_from(b"abc\r\n", 0, 3, 10),
            Line::Complete {
                end: 5,
                content_end: 3
            }
        );
        // A resume point past the window or before the start is clamped.
        assert_eq!(line_from(b"abc", 0, 99, 10), Line::Partial);
        assert!(matches!(
            line_from(b"xx\nab\n", 3, 0, 10),
            Line::Complete { end: 6, .. }
        ));
    }
}
