//! Limits on everything a peer controls, with RFC 2449 defaults.

/// Limits on what a peer may send, checked before any grammar runs.
///
/// The defaults are the sizes RFC 2449 §4 sets for commands. Fields are
/// public so a caller can widen or narrow any of them:
///
/// ```
/// let mut limits = mailwire_pop3::Limits::default();
/// limits.argument = 255; // accept the long user names some clients send
/// assert_eq!(limits.command_line, 255);
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
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            command_line: 255,
            argument: 40,
            sasl_line: 16384,
        }
    }
}
