//! Limits on everything a peer controls.

/// Limits on what a peer may send, checked before or while the grammar runs.
///
/// IMAP sets no line length; the defaults follow RFC 7162 §4, which asks
/// clients and servers to accept lines of at least 8192 octets. Fields are
/// public so a caller can widen or narrow any of them:
///
/// ```
/// let mut limits = mailwire_imap::Limits::default();
/// limits.line_length = 65_536; // a server with very long SEARCH results
/// assert_eq!(limits.list_items, 4096);
/// assert_eq!(limits.nesting_depth, 64);
/// ```
///
/// | field | default | bounds |
/// |---|---|---|
/// | [`line_length`](Self::line_length) | 8192 | one line, CRLF included; literal bytes are not part of a line |
/// | [`list_items`](Self::list_items) | 4096 | elements of any one list |
/// | [`literal_size`](Self::literal_size) | 64 MiB | one announced literal |
/// | [`message_size`](Self::message_size) | 128 MiB | one response, its literals included |
/// | [`nesting_depth`](Self::nesting_depth) | 64 | parenthesised lists, BODYSTRUCTURE and THREAD trees |
///
/// Memory is never reserved from a size the peer announces: a literal's
/// bytes are counted as they arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Longest line, CRLF included. Default 8192 (RFC 7162 §4).
    pub line_length: usize,
    /// Most items in one list: the elements of a sequence set, the
    /// capabilities in a `CAPABILITY` response, the items of a `FETCH`, the
    /// numbers of a `SEARCH`. Default 4096.
    pub list_items: usize,
    /// Largest literal (`{n}`, `{n+}`, `~{n}`) a peer may announce. Default
    /// 64 MiB.
    pub literal_size: u64,
    /// Largest response, lines and literals together. Default 128 MiB.
    pub message_size: u64,
    /// Deepest nesting of parenthesised lists: multipart bodies inside each
    /// other, `message/rfc822` parts, `THREAD` trees, extension data.
    /// Default 64. Parsing never recurses on the native stack, whatever
    /// this is; the values it builds are trees this deep, which dropping
    /// and encoding walk recursively, so keep it in the hundreds.
    pub nesting_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            line_length: 8192,
            list_items: 4096,
            literal_size: 64 * 1024 * 1024,
            message_size: 128 * 1024 * 1024,
            nesting_depth: 64,
        }
    }
}
