//! Building messages: the strict writer (RFC 5322, MIME, RFC 2047,
//! RFC 2231), from the messages people send to arbitrary trees of parts,
//! and editing of parsed messages.
//!
//! - [`MessageBuilder`] lays out what was added: text alone; text and HTML
//!   as `multipart/alternative`; inline images beside the HTML in
//!   `multipart/related` (with `Content-ID`s); attachments in
//!   `multipart/mixed`; forwarded messages as `message/rfc822`. It writes
//!   `Date` and `Message-ID` from a [`Stamp`] the caller may supply.
//! - [`Part`] is any tree: leaves of text, octets or a reader (streamed
//!   in base64 when written), multiparts, nested messages.
//! - [`Editor`] writes a parsed [`Message`](crate::Message) back byte for
//!   byte, regenerating only the header fields and parts that were
//!   changed.
//!
//! What the writer guarantees, whatever the input:
//!
//! - header fields come from validated types ([`HeaderName`],
//!   [`EmailAddress`], [`MsgId`], [`MediaType`]) or from text written in
//!   RFC 2047 encoded words wherever it is not plain printable US-ASCII
//!   (or raw UTF-8 with [`Options::utf8_headers`], RFC 6532), so no CR or
//!   LF enters a header but as folding; lines are folded at 78 octets and
//!   never exceed 998;
//! - parameters are written in RFC 2231 form when non-ASCII or long;
//! - bodies are `7bit`, `8bit` (only with [`Options::allow_8bit`]),
//!   quoted-printable or base64, chosen from the content; text line breaks
//!   become CRLF; no line exceeds 998 octets;
//! - boundaries are generated and checked against every line of content
//!   (the writer uses `=_` in them, which quoted-printable and base64
//!   cannot produce, and checks the rest).
//!
//! ```
//! use mailwire_mime::build::{EmailAddress, MessageBuilder, Options, Stamp};
//! use mailwire_mime::types::DateTime;
//!
//! let stamp = Stamp::new(DateTime::new(2024, 5, 1, 12, 0, 0, Some(120))?, "example.org", 7)?;
//! let bytes = MessageBuilder::new()
//!     .from("Andréa <andrea@example.org>".parse::<EmailAddress>()?)
//!     .to("bob@example.com".parse::<EmailAddress>()?)
//!     .subject("Café?")
//!     .text("See the attachment.\n")
//!     .html("<p>See the attachment.</p>")
//!     .attach("notes.txt", None, b"a\r\nb\r\n".to_vec())
//!     .stamp(stamp)
//!     .to_vec(&Options::default())
//!     .unwrap();
//!
//! let message = mailwire_mime::Message::parse(&bytes);
//! let root = message.root();
//! assert_eq!(root.headers().get("subject").unwrap().unstructured(), "Café?");
//! assert_eq!(root.content_type().essence(), "multipart/mixed");
//! let alternative = root.children().next().unwrap();
//! assert_eq!(alternative.content_type().essence(), "multipart/alternative");
//! assert!(bytes.split(|&b| b == b'\n').all(|l| l.len() <= 79));
//! # Ok::<(), mailwire_mime::types::ValueError>(())
//! ```

mod address;
mod body;
mod edit;
mod header;
mod message;
mod part;

/// Shared octets ([`bytes::Bytes`]): an attachment given as `Bytes` is
/// written without being copied, and may go into many messages.
pub use bytes::Bytes;

pub use address::{AddressGroup, AddressItem, EmailAddress, MsgId};
pub use edit::Editor;
pub use header::{HeaderValue, MAX_PARAM_VALUE, MediaType};
pub use message::{MessageBuilder, Stamp};
pub use part::{MAX_DEPTH, Part};

#[cfg(doc)]
use crate::types::HeaderName;

/// How a message may be written.
///
/// ```
/// use mailwire_mime::build::Options;
/// let o = Options::default().with_8bit(true);
/// assert!(o.allow_8bit && !o.utf8_headers && !o.write_bcc);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Options {
    /// Bodies may be `8bit` (the path is 8BITMIME, RFC 6152): text with
    /// non-ASCII characters is then written as is rather than
    /// quoted-printable or base64. Default: false.
    pub allow_8bit: bool,
    /// Header fields may hold raw UTF-8 (RFC 6532; the path is SMTPUTF8,
    /// RFC 6531, which implies 8BITMIME): non-ASCII text is written as
    /// is rather than in encoded words, and non-ASCII addresses may be
    /// written. Default: false.
    pub utf8_headers: bool,
    /// Seeds the generated boundaries, so output is reproducible.
    /// Default: 0. Boundaries are checked against the content whatever
    /// the seed.
    pub seed: u64,
    /// [`MessageBuilder`] writes the Bcc field (RFC 5322 §3.6.3). Default:
    /// false, as a message that goes to several recipients must not show
    /// the blind copies to the others; set it for a copy kept by the
    /// sender or one sent to the Bcc recipients alone.
    pub write_bcc: bool,
}

impl Options {
    /// Sets [`Self::allow_8bit`].
    pub fn with_8bit(mut self, allow: bool) -> Self {
        self.allow_8bit = allow;
        self
    }

    /// Sets [`Self::utf8_headers`].
    pub fn with_utf8_headers(mut self, allow: bool) -> Self {
        self.utf8_headers = allow;
        self
    }

    /// Sets [`Self::write_bcc`].
    pub fn with_bcc(mut self, write: bool) -> Self {
        self.write_bcc = write;
        self
    }

    /// Sets [`Self::seed`].
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
}

/// Why a message could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The `Write` failed, or a reader of an attachment did.
    #[error("i/o: {0}")]
    Io(#[source] std::io::Error),
    /// The caller's buffer could not grow to hold the message.
    #[error("output buffer full")]
    BufferFull,
    /// An address holds non-ASCII characters, and
    /// [`Options::utf8_headers`] is not set (RFC 2047 cannot encode an
    /// address).
    #[error("non-ASCII address needs UTF-8 headers (RFC 6532)")]
    Utf8Address,
    /// A header field the writer generates (`Content-*`, `MIME-Version`)
    /// was added as an extra field.
    #[error("header field {0} is written from the part itself")]
    ReservedHeader(String),
    /// A tree deeper than [`MAX_DEPTH`].
    #[error("parts nested deeper than {limit} levels")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// A multipart without parts (RFC 2046 §5.1.1 requires one).
    #[error("multipart without parts")]
    EmptyMultipart,
    /// The media type does not fit the content: a multipart that is not
    /// `multipart/*`, a nested message not `message/rfc822` or
    /// `message/global`, or a leaf that claims to be either.
    #[error("media type {0} does not fit the content")]
    MediaTypeMismatch(String),
    /// A header field of an edited part starts with the boundary of an
    /// enclosing multipart.
    #[error("boundary of an enclosing multipart in a header")]
    BoundaryInContent,
    /// A value was refused (a stamp's host, a field name…).
    #[error("invalid value: {0}")]
    Value(#[from] crate::types::ValueError),
    /// An edit names a part the message does not have.
    #[error("no part {0}")]
    NoSuchPart(usize),
    /// Two edits change overlapping bytes (a part and a part inside it).
    #[error("edits overlap")]
    OverlappingEdits,
    /// A preamble or epilogue holds what it may not: octets other than
    /// printable US-ASCII, tab and line breaks, or a line over 998
    /// octets.
    #[error("preamble or epilogue not US-ASCII text in lines of at most 998 octets")]
    InvalidPreamble,
}
