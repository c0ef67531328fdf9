//! Limits on what a client may send to a server mechanism.

/// Limits a [`Server`](crate::Server) enforces on the client's responses.
///
/// The defaults:
///
/// | field | default | why |
/// |---|---|---|
/// | `response` | 12288 | RFC 4954 §4 names 12288 octets as enough for deployed mechanisms; OAuth tokens of a few kilobytes fit |
/// | `responses` | 4 | the longest exchange here (LOGIN, or an OAuth error flow) takes 2 |
/// | `field` | 255 | RFC 4616 §2: a server MUST accept identities and passwords up to 255 octets |
///
/// ```
/// let mut limits = mailwire_sasl::Limits::default();
/// limits.field = 1024; // accept long passphrases
/// assert_eq!(limits.responses, 4);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Longest response, initial response included, in decoded octets.
    pub response: usize,
    /// Most responses in one exchange, the initial response included.
    pub responses: usize,
    /// Longest authorization identity, authentication identity, user name
    /// or password in PLAIN, LOGIN and CRAM-MD5, in octets.
    pub field: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            response: 12288,
            responses: 4,
            field: 255,
        }
    }
}
