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
//! - Structured field bodies: [`address_list`] (From, To, Cc…),
//!   [`message_ids`] (Message-ID, In-Reply-To, References), [`date_time`]
//!   (Date), [`content_type`], [`content_disposition`], [`parameters`]
//!   (RFC 2231) and [`transfer_encoding`]. Each takes the raw field body
//!   ([`Field::raw_value`]); [`Field`] has shortcuts that shift defect
//!   offsets to count from the start of the message.
//! - Bodies: [`transfer_decode`] and the streaming [`Base64Decoder`],
//!   [`QuotedPrintableDecoder`] and [`TransferDecoder`] undo a
//!   Content-Transfer-Encoding (RFC 2045 §6); [`to_utf8`] decodes a text
//!   body from its charset.

/// A `[bool; 256]` table of `$f` (a `const fn(u8) -> bool`) for every
/// octet, built at compile time, to look octets up rather than compute.
macro_rules! octet_table {
    ($f:expr) => {{
        let mut table = [false; 256];
        let mut i = 0;
        while i < 256 {
            // `i` < 256: the cast keeps it whole.
            #[allow(clippy::cast_possible_truncation)]
            {
                table[i] = $f(i as u8);
            }
            i += 1;
        }
        table
    }};
}

mod address;
mod body;
mod charset;
mod content;
mod date;
mod header;
mod lexer;
mod msgid;
mod transfer;
mod words;

pub use address::address_list;
pub use body::{Event, MessageParser, PartEnd, PartInfo, PartKind};
pub(crate) use body::{KeepSink, Sink};
pub(crate) use charset::decode as charset_decode;
pub use charset::decode as to_utf8;
pub use content::{content_disposition, content_type, parameters, transfer_encoding};
pub use date::{date_time, date_time_with_defects};
pub(crate) use header::FieldSpan;
pub use header::{Field, HeaderDecoder, Headers, Progress, headers};
pub use msgid::message_ids;
pub use transfer::{Base64Decoder, QuotedPrintableDecoder, TransferDecoder, transfer_decode};
pub use words::{unfold, unstructured};

/// One of `options`, for the property tests that build field bodies from
/// pieces.
#[cfg(test)]
pub(crate) fn pick(options: &'static [&'static str]) -> proptest::sample::Select<&'static str> {
    proptest::sample::select(options)
}
