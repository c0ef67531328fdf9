//! Decoding: bytes in, values out, tolerantly.
//!
//! Real-world mail breaks the rules in many ways, and a reader must still
//! show it. The decoders here never fail and never drop content: what they
//! had to work around is recorded as a [`Defect`](crate::types::Defect) with
//! its byte offset, next to the value.
//!
//! - [`headers`] splits a header section into [`Field`]s, borrowing from the
//!   input, and says where the body starts; [`HeaderDecoder`] does the same
//!   over chunks pushed one at a time, with the same result.
//! - [`unfold`] and [`unstructured`] turn a raw field body into text,
//!   decoding RFC 2047 encoded words and charsets.

mod charset;
mod header;
mod words;

pub use header::{Field, HeaderDecoder, Headers, Progress, headers};
pub use words::{unfold, unstructured};
