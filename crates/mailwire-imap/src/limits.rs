//! Limits on everything a peer controls.

/// Limits on what a peer may send, checked before or while the grammar runs.
///
/// IMAP sets no line length; the defaults follow RFC 7162 §4, which asks
/// clients and servers to accept lines of at least 8192 octets. Fields are
/// public so a caller can widen or narrow any of them:
///
/// ```
/// let mut limits = mailwire_imap::Limits::default();
/// limits.line_length = 65_536; // a server with very long capability lists
/// assert_eq!(limits.list_items, 4096);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Longest line, CRLF included. Default 8192 (RFC 7162 §4).
    pub line_length: usize,
    /// Most items in one list: the elements of a sequence set, the
    /// capabilities in a `CAPABILITY` response code. Default 4096.
    pub list_items: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            line_length: 8192,
            list_items: 4096,
        }
    }
}
