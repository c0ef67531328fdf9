//! Building blocks shared by the mailwire protocol codecs: the outcome of a
//! decoder ([`Decoded`]) and line framing under a length limit
//! ([`line`](mod@line)).
//!
//! ```
//! use mailwire_core::Decoded;
//! use mailwire_core::line::{Line, line, line_from};
//!
//! // Frame first: where does the line end, and is it within the limit?
//! let input = b"NOOP\r\nQUIT\r\n";
//! assert_eq!(line(input, 0, 512), Line::Complete { end: 6, content_end: 4 });
//! assert_eq!(line(input, 6, 512), Line::Complete { end: 12, content_end: 10 });
//!
//! // A line that arrives in pieces is searched once: resume where the
//! // previous search stopped.
//! let mut buf = b"MAIL FROM:".to_vec();
//! assert_eq!(line(&buf, 0, 512), Line::Partial);
//! let searched = buf.len();
//! buf.extend_from_slice(b"<a@example.org>\r\n");
//! assert_eq!(line_from(&buf, 0, searched, 512), Line::Complete { end: 27, content_end: 25 });
//!
//! // Then parse, and say how much was used.
//! let outcome = Decoded::Complete { value: "NOOP", consumed: 6 };
//! assert_eq!(outcome.complete(), Some(("NOOP", 6)));
//! ```
//!
//! The protocol crates re-export [`Decoded`] from their `decode` modules;
//! most users never name this crate.

pub mod line;

/// The outcome of a decoder that did not fail.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum Decoded<T> {
    /// A complete value, and the number of input bytes it used.
    Complete {
        /// The value.
        value: T,
        /// Bytes of input it used; the next value starts there.
        consumed: usize,
    },
    /// The input ends inside a value: call again with more bytes.
    Incomplete,
}

impl<T> Decoded<T> {
    /// The value and the bytes it used, or `None` when incomplete.
    pub fn complete(self) -> Option<(T, usize)> {
        match self {
            Self::Complete { value, consumed } => Some((value, consumed)),
            Self::Incomplete => None,
        }
    }

    /// Applies `f` to a complete value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Decoded<U> {
        match self {
            Self::Complete { value, consumed } => Decoded::Complete {
                value: f(value),
                consumed,
            },
            Self::Incomplete => Decoded::Incomplete,
        }
    }

    /// Whether the input ended inside a value.
    pub fn is_incomplete(&self) -> bool {
        matches!(self, Self::Incomplete)
    }
}

/// The examples of `README.md`, checked as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
