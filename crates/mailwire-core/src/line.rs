//! Line framing under a length limit: the stage that runs before any
//! grammar in the SMTP, POP3 and IMAP decoders.
//!
//! A line ends at LF; its content ends before the CR of CRLF, or before a
//! bare LF (which the protocol decoders then judge by their own policy).
//! The limit counts the terminator. Only `limit` bytes past the line's
//! start are ever searched, so the cost of one call is bounded by the
//! limit, never by the input, and a caller that remembers how far it
//! searched ([`line_from`]) scans each byte of a stream once, whatever the
//! chunking.

/// Where the line that starts at some offset ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    /// The line is complete.
    Complete {
        /// Offset just past its LF.
        end: usize,
        /// Offset of its CR LF (or bare LF): where its content ends.
        content_end: usize,
    },
    /// No LF yet, and the limit has not been reached. The input up to
    /// `start + limit` (or its end) holds no LF: [`searched`] says how far.
    Partial,
    /// `limit` bytes without an LF: the line is too long, whatever follows.
    TooLong,
}

/// Finds the end of the line starting at `start` in `input`. A line, its
/// terminator included, may be at most `limit` bytes.
///
/// An empty remainder is always [`Line::Partial`], even under a zero limit,
/// so a caller that loops until `Partial` always ends.
pub fn line(input: &[u8], start: usize, limit: usize) -> Line {
    line_from(input, start, start, limit)
}

/// [`line`](fn@line) for a caller that already searched `input[start..from]` without
/// finding an LF: the search resumes at `from`. A `from` before `start` or
/// past the window is clamped.
pub fn line_from(input: &[u8], start: usize, from: usize, limit: usize) -> Line {
    let rest = input.get(start..).unwrap_or_default();
    let window = rest.get(..rest.len().min(limit)).unwrap_or_default();
    let skip = from.saturating_sub(start).min(window.len());
    match memchr::memchr(b'\n', window.get(skip..).unwrap_or_default()) {
        Some(j) => {
            let i = skip + j;
            let cr = i > 0 && window.get(i - 1) == Some(&b'\r');
            Line::Complete {
                end: start + i + 1,
                content_end: start + i - usize::from(cr),
            }
        }
        None if !rest.is_empty() && rest.len() >= limit => Line::TooLong,
        None => Line::Partial,
    }
}

/// How far a search for the end of the line at `start` has looked when it
/// answered [`Line::Partial`]: the offset to pass to [`line_from`] once more
/// input has arrived.
pub fn searched(input: &[u8], start: usize, limit: usize) -> usize {
    input.len().min(start.saturating_add(limit)).max(start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
        // A CR before the line's start is not its CR.
        assert_eq!(
            line(b"a\r\n", 2, 10),
            Line::Complete {
                end: 3,
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
        assert_eq!(line_from(b"abc", 0, 99, 10), Line::Partial);
        assert!(matches!(
            line_from(b"xx\nab\n", 3, 0, 10),
            Line::Complete { end: 6, .. }
        ));
        assert_eq!(searched(b"abcdef", 1, 3), 4);
        assert_eq!(searched(b"ab", 1, 3), 2);
        assert_eq!(searched(b"ab", 5, 3), 5);
    }

    proptest! {
        /// Feeding the input in pieces and resuming from `searched` gives
        /// the answer a single call over the whole input gives.
        #[test]
        fn chunked_equals_whole(
            input in proptest::collection::vec(prop_oneof![Just(b'\n'), Just(b'\r'), Just(b'a')], 0..64),
            cuts in proptest::collection::vec(0usize..64, 0..6),
            limit in 0usize..40,
        ) {
            let whole = line(&input, 0, limit);
            let mut cuts: Vec<usize> = cuts.into_iter().filter(|&c| c <= input.len()).collect();
            cuts.sort_unstable();
            cuts.push(input.len());
            let mut from = 0;
            let mut answer = Line::Partial;
            for cut in cuts {
                let prefix = &input[..cut];
                answer = line_from(prefix, 0, from, limit);
                if answer != Line::Partial {
                    break;
                }
                from = searched(prefix, 0, limit);
            }
            prop_assert_eq!(answer, whole);
        }
    }
}
