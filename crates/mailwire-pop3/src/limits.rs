//! Limits on everything a peer controls, with RFC 2449 defaults for
//! commands and generous defaults for what a server sends.

/// Limits on what a peer may send, checked before any grammar runs.
///
/// The defaults are the sizes RFC 2449 §4 sets for commands, and sizes
/// well above what real servers send for responses. Fields are public so a
/// caller can widen or narrow any of them:
///
/// ```
/// let mut limits = mailwire_pop3::Limits::default();
/// limits.argument = 255; // accept the long user names some clients send
/// assert_eq!(limits.command_line, 255);
/// limits.message_size = 10 << 20; // refuse messages over 10 MiB
/// assert_eq!(limits.response_line, 4096);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Longest command line, CRLF included (RFC 2449 §4: 255).
    pub command_line: usize,
    /// Longest keyword or argument (RFC 1939 §3: 40). The password of
    /// `PASS`, which may contain spaces, and the initial response of `AUTH`
    /// (RFC 5034 §4) are bounded by `command_line` alone.
    pub argument: usize,
    /// Longest line of a SASL exchange after `AUTH`, CRLF included. RFC 5034
    /// §4 sets no limit ("arbitrary length"); the default, 16384, leaves
    /// room for Kerberos (GSSAPI) tokens.
    pub sasl_line: usize,
    /// Longest line of a server's response other than message content,
    /// CRLF included: status lines, the greeting, and the lines of `CAPA`,
    /// `LIST`, `UIDL`, `LANG` and mechanism listings. RFC 2449 §4 sets 512
    /// octets for a first line and a capability line; the default, 4096,
    /// is twice what Python's `poplib` accepts. The SASL challenges of
    /// `AUTH` (RFC 5034 §4) are bounded by `sasl_line` instead, and so is
    /// any line read while a reply to `AUTH` is awaited.
    pub response_line: usize,
    /// Largest message (or `TOP` excerpt) a client accepts, in octets after
    /// dot-unstuffing. Bodies are handed out in chunks and never held
    /// whole by the streaming decoder; the limit protects a caller that
    /// keeps them. Default: 64 MiB.
    pub message_size: usize,
    /// Most lines in one `CAPA`, `LIST`, `UIDL`, `LANG` or mechanism
    /// listing. Default: 1 000 000.
    pub listing_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            command_line: 255,
            argument: 40,
            sasl_line: 16384,
            response_line: 4096,
            message_size: 64 << 20,
            listing_entries: 1_000_000,
        }
    }
}
