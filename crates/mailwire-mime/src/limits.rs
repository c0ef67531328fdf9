//! Limits on everything a message controls, with safe defaults.

/// Limits on what a message may make the decoder hold, checked while the
/// header section is framed, before any field is interpreted.
///
/// A limit that is reached is never an error: the decoder records a
/// [`Defect`](crate::types::Defect) and ends the header section there, so the
/// rest of the input is handed on as body rather than dropped. Fields are
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
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_count: 1000,
            header_bytes: 102_400,
            parameter_count: 256,
        }
    }
}
