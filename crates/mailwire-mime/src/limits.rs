//! Limits on everything a message controls, with safe defaults.

/// Limits on what a message may make the decoder hold: header sections are
/// checked while they are framed, before any field is interpreted; nesting
/// and part counts while the body is split into parts.
///
/// A limit that is reached is never an error: the decoder records a
/// [`Defect`](crate::types::Defect) and keeps what is past the limit
/// unparsed (a header section ends there and the rest is handed on as body;
/// a part too deep or too many is kept as raw content), never dropped. Fields are
/// public so a caller can widen or narrow any of them:
///
/// ```
/// let mut limits = mailwire_mime::Limits::default();
/// limits.header_count = 50;
/// assert_eq!(limits.header_bytes, 102_400);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Most fields in one header section. Default: 1000.
    pub header_count: usize,
    /// Most bytes in one header section, the blank line that ends it
    /// included. Default: 100 KiB (102 400 bytes).
    pub header_bytes: usize,
    /// Most parameters read from one Content-Type or Content-Disposition
    /// field, each RFC 2231 continuation segment counting as one.
    /// Default: 256.
    pub parameter_count: usize,
    /// Most levels of nesting of multiparts and message parts below the
    /// top-level message (whose depth is 0). A multipart or message part
    /// at this depth is kept unparsed, as one part. Default: 50.
    pub max_depth: usize,
    /// Most parts in one message, the top-level message and the parts of
    /// nested messages included. Default: 10 000.
    pub part_count: usize,
    /// Body lines longer than this, line ending excluded, are reported
    /// (but kept). Default: 998 (RFC 5322 §2.1.1).
    pub line_length: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_count: 1000,
            header_bytes: 102_400,
            parameter_count: 256,
            max_depth: 50,
            part_count: 10_000,
            line_length: 998,
        }
    }
}
